// A zip reader for .keras files: the central directory, stored and deflated entries, CRC-32
// checked. No zip64, encryption or multi-disk archives (Keras writes none: its zips are small,
// stored entries). Every size is checked against the file and the limits before any allocation.
import { FormatError } from 'wasmnet';
import { inflate } from './inflate';

/** The zip limits (each a FormatError naming it when passed). */
export const ZIP_LIMITS = {
  /** Entries in the central directory. */
  entries: 1000,
  /** Uncompressed bytes of one entry that is read. */
  entryBytes: 512 * 1024 * 1024,
} as const;

export interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const u16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

/** The central directory's entries, by name. */
export function readZipDirectory(bytes: Uint8Array): Map<string, ZipEntry> {
  // The end-of-central-directory record: 22 bytes plus a comment of up to 65535.
  let eocd = -1;
  for (let at = bytes.length - 22; at >= 0 && at >= bytes.length - 22 - 65535; at--) {
    if (u32(bytes, at) === 0x06054b50 && at + 22 + u16(bytes, at + 20) === bytes.length) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new FormatError('not a zip file: no end-of-central-directory record (a .keras file is a zip)');
  const count = u16(bytes, eocd + 10);
  const dirSize = u32(bytes, eocd + 12);
  const dirOffset = u32(bytes, eocd + 16);
  if (u16(bytes, eocd + 4) !== 0 || u16(bytes, eocd + 6) !== 0 || count !== u16(bytes, eocd + 8)) throw new FormatError('multi-disk zip files are not supported');
  if (count === 0xffff || dirOffset === 0xffffffff) throw new FormatError('zip64 archives are not supported');
  if (count > ZIP_LIMITS.entries) throw new FormatError(`the zip has ${count} entries, over the limit of ${ZIP_LIMITS.entries} (ZIP_LIMITS.entries)`);
  if (dirOffset + dirSize > eocd) throw new FormatError('the zip central directory lies outside the file');
  const entries = new Map<string, ZipEntry>();
  let at = dirOffset;
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (at + 46 > eocd || u32(bytes, at) !== 0x02014b50) throw new FormatError(`zip central directory entry ${i} is truncated or malformed`);
    const flags = u16(bytes, at + 8);
    const nameLength = u16(bytes, at + 28);
    const end = at + 46 + nameLength + u16(bytes, at + 30) + u16(bytes, at + 32);
    if (end > eocd) throw new FormatError(`zip central directory entry ${i} is truncated`);
    const entry: ZipEntry = {
      name: decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength)),
      method: u16(bytes, at + 10),
      crc: u32(bytes, at + 16),
      compressedSize: u32(bytes, at + 20),
      size: u32(bytes, at + 24),
      localOffset: u32(bytes, at + 42),
    };
    if (flags & 1) throw new FormatError(`zip entry "${entry.name}" is encrypted`);
    if (entry.size === 0xffffffff || entry.compressedSize === 0xffffffff || entry.localOffset === 0xffffffff) throw new FormatError(`zip entry "${entry.name}" uses zip64, which is not supported`);
    if (entries.has(entry.name)) throw new FormatError(`the zip has two entries named "${entry.name}"`);
    entries.set(entry.name, entry);
    at = end;
  }
  return entries;
}

/** One entry's bytes: stored or deflated, within ZIP_LIMITS.entryBytes, CRC-32 checked. */
export async function readZipEntry(bytes: Uint8Array, entry: ZipEntry): Promise<Uint8Array> {
  const where = `zip entry "${entry.name}"`;
  if (entry.size > ZIP_LIMITS.entryBytes) {
    throw new FormatError(`${where} declares ${entry.size} bytes, over the limit of ${ZIP_LIMITS.entryBytes} (ZIP_LIMITS.entryBytes)`);
  }
  const local = entry.localOffset;
  if (local + 30 > bytes.length || u32(bytes, local) !== 0x04034b50) throw new FormatError(`${where}: no local header at offset ${local}`);
  const start = local + 30 + u16(bytes, local + 26) + u16(bytes, local + 28);
  if (start + entry.compressedSize > bytes.length) throw new FormatError(`${where} runs past the end of the file (truncated?)`);
  const raw = bytes.subarray(start, start + entry.compressedSize);
  let data: Uint8Array;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw new FormatError(`${where} is stored with ${entry.compressedSize} bytes but declares ${entry.size}`);
    data = raw;
  } else if (entry.method === 8) {
    data = await inflate(raw, 'deflate-raw', entry.size, where);
  } else {
    throw new FormatError(`${where} uses compression method ${entry.method}; wasmnet reads stored (0) and deflate (8) entries`);
  }
  if (crc32(data) !== entry.crc) throw new FormatError(`${where} fails its CRC-32 check`);
  return data;
}

let table: Uint32Array | undefined;
/** CRC-32 (IEEE 802.3), as zip uses. */
export function crc32(data: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A zip of stored entries (what toKeras writes; Keras's own zips are stored too). */
export function writeZip(files: { name: string; data: Uint8Array }[]): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const f of files) {
    const name = encoder.encode(f.name);
    const crc = crc32(f.data);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, 0, true); // stored
    lv.setUint16(12, 0x21, true); // 1980-01-01: a fixed date, so equal networks give equal files
    lv.setUint32(14, crc, true);
    lv.setUint32(18, f.data.length, true);
    lv.setUint32(22, f.data.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const dir = new Uint8Array(46 + name.length);
    const dv = new DataView(dir.buffer);
    dv.setUint32(0, 0x02014b50, true);
    dv.setUint16(4, 20, true);
    dv.setUint16(6, 20, true);
    dv.setUint16(14, 0x21, true);
    dv.setUint32(16, crc, true);
    dv.setUint32(20, f.data.length, true);
    dv.setUint32(24, f.data.length, true);
    dv.setUint16(28, name.length, true);
    dv.setUint32(42, offset, true);
    dir.set(name, 46);
    parts.push(local, f.data);
    central.push(dir);
    offset += local.length + f.data.length;
  }
  const dirSize = central.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, files.length, true);
  ev.setUint16(10, files.length, true);
  ev.setUint32(12, dirSize, true);
  ev.setUint32(16, offset, true);
  const all = [...parts, ...central, end];
  const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
  all.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}
