// An HDF5 reader for what h5py writes for Keras, and nothing more: superblocks 0, 1, 2 and 3;
// object headers v1 and v2 (with continuation blocks); groups as symbol tables (v1 B-tree, local
// heap), compact link messages or dense storage (fractal heap + version-2 B-tree, for links
// and attributes); datasets compact, contiguous or chunked (v1 B-tree; layout v4's single
// chunk, implicit and unpaged fixed-array indexes) with the deflate filter; float (16/32/64-bit),
// integer and string types; attributes with fixed- or variable-length strings (global heap).
// Refused with a FormatError saying so: the extensible-array and v2 B-tree chunk indexes of
// resizable datasets, other filters, external files, soft and external links, fractal heaps
// beyond one indirect block or with huge objects, version-2 B-trees deeper than 1.
//
// Hostile files: every address and size is checked against the file before it is read; each
// object header, B-tree node, heap and continuation block is parsed at most once (a cycle is a
// FormatError, not a loop); the number of structures parsed and the values of a dataset are
// bounded (HDF5_LIMITS); names scanned are bounded (MAX_NAME_BYTES). Allocations larger than the
// file: a dataset's values (8 bytes per value of at least 1 byte stored, or of deflated chunks,
// at most 1032 bytes per byte stored) and variable-length strings (at most the file's size).
import { FormatError } from 'wasmnet';
import { inflate, maxInflated } from './inflate';

/** The HDF5 limits (each a FormatError naming it when passed). */
export const HDF5_LIMITS = {
  /** Object headers, continuation blocks, B-tree nodes and heaps parsed in one file. */
  structures: 100_000,
  /** Values in one dataset (2^28, as for weights in the other importers). */
  datasetValues: 2 ** 28,
  /** Dimensions of a dataspace. */
  rank: 32,
} as const;

const UNDEF = -1;
/** B-trees this deep would index more than any file holds; the bound keeps recursion shallow. */
const MAX_BTREE_LEVEL = 32;
/** Longer link names are refused, which bounds the bytes scanned per symbol-table entry. */
const MAX_NAME_BYTES = 4096;

interface Datatype {
  cls: number;
  size: number;
  bigEndian: boolean;
  signed: boolean;
  /** For variable-length types: 1 for a string, 0 for a sequence. */
  vlenType?: number;
  /** For a vlen sequence: its base type. */
  base?: Datatype;
}

interface Layout {
  cls: number;
  address: number;
  size: number;
  data?: Uint8Array;
  chunk?: number[];
  /** Layout version 4's chunk index: 1 single chunk, 2 implicit, 3 fixed array (absent: v1 B-tree). */
  index?: { type: number; filteredSize?: number; mask?: number };
}

interface Filter {
  id: number;
  name: string;
}

interface LocalHeap {
  start: number;
  size: number;
  names: Map<number, string>;
}

interface FractalHeap {
  idLength: number;
  offsetBytes: number;
  lengthBytes: number;
  blocks: { address: number; size: number; heapOffset: number }[];
}

interface ObjectHeader {
  address: number;
  messages: { type: number; at: number; size: number }[];
}

/** An attribute's or dataset's value: numbers (Float64Array), strings, or one string. */
export type H5Value = Float64Array | string[] | string;

const decoder = new TextDecoder();

/** A file open for reading; `get(path)` finds objects, `attribute`/`dataset` read them. */
export class H5File {
  private readonly view: DataView;
  private offsetSize = 8;
  private lengthSize = 8;
  private rootAddress = 0;
  private base = 0;
  private structures = 0;
  private readonly headers = new Map<number, ObjectHeader>();
  private readonly parsing = new Set<number>();
  private readonly links = new Map<number, Map<string, number>>();

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.readSuperblock();
  }

  // ---- bytes
  private check(at: number, length: number, what: string): void {
    if (!(at >= 0 && length >= 0 && at + length <= this.bytes.length)) {
      throw new FormatError(`HDF5: ${what} at ${at} (${length} bytes) lies outside the file (${this.bytes.length} bytes; truncated?)`);
    }
  }
  private u8(at: number): number {
    this.check(at, 1, 'a field');
    return this.bytes[at]!;
  }
  private u16(at: number): number {
    this.check(at, 2, 'a field');
    return this.view.getUint16(at, true);
  }
  private u32(at: number): number {
    this.check(at, 4, 'a field');
    return this.view.getUint32(at, true);
  }
  /** An unsigned little-endian integer of 1 to 8 bytes; all ones is "undefined" (UNDEF). */
  private uint(at: number, size: number): number {
    this.check(at, size, 'a field');
    let allOnes = true;
    let value = 0;
    for (let i = size - 1; i >= 0; i--) {
      const b = this.bytes[at + i]!;
      if (b !== 0xff) allOnes = false;
      value = value * 256 + b;
    }
    if (allOnes) return UNDEF;
    if (value > Number.MAX_SAFE_INTEGER) throw new FormatError(`HDF5: a ${size}-byte value at ${at} is larger than 2^53`);
    return value;
  }
  private offset(at: number): number {
    const v = this.uint(at, this.offsetSize);
    return v === UNDEF ? UNDEF : v + this.base;
  }
  private length(at: number): number {
    return this.uint(at, this.lengthSize);
  }
  private signature(at: number, sig: string): boolean {
    if (at < 0 || at + sig.length > this.bytes.length) return false;
    for (let i = 0; i < sig.length; i++) if (this.bytes[at + i] !== sig.charCodeAt(i)) return false;
    return true;
  }
  private count(what: string): void {
    if (++this.structures > HDF5_LIMITS.structures) {
      throw new FormatError(`HDF5: more than ${HDF5_LIMITS.structures} structures (HDF5_LIMITS.structures) while reading ${what}`);
    }
  }

  // ---- superblock
  private readSuperblock(): void {
    let at = -1;
    for (let s = 0; s + 8 <= this.bytes.length; s = s === 0 ? 512 : s * 2) {
      if (this.signature(s, '\x89HDF\r\n\x1a\n')) {
        at = s;
        break;
      }
    }
    if (at < 0) throw new FormatError('not an HDF5 file: no superblock signature');
    const version = this.u8(at + 8);
    if (version === 0 || version === 1) {
      this.offsetSize = this.u8(at + 13);
      this.lengthSize = this.u8(at + 14);
      this.checkSizes();
      const p = at + 24 + (version === 1 ? 4 : 0);
      this.base = this.uint(p, this.offsetSize);
      if (this.base === UNDEF) this.base = 0;
      this.checkEnd(this.uint(p + 2 * this.offsetSize, this.offsetSize));
      // root group symbol table entry: link name offset, object header address, …
      this.rootAddress = this.offset(p + 4 * this.offsetSize + this.offsetSize);
    } else if (version === 2 || version === 3) {
      this.offsetSize = this.u8(at + 9);
      this.lengthSize = this.u8(at + 10);
      this.checkSizes();
      this.base = this.uint(at + 12, this.offsetSize);
      if (this.base === UNDEF) this.base = 0;
      this.checkEnd(this.uint(at + 12 + 2 * this.offsetSize, this.offsetSize));
      this.rootAddress = this.offset(at + 12 + 3 * this.offsetSize);
    } else {
      throw new FormatError(`HDF5: superblock version ${version} is not supported (0 to 3 are)`);
    }
    if (this.rootAddress === UNDEF) throw new FormatError('HDF5: the root group has no address');
  }
  /** The superblock's end-of-file address: a shorter file was truncated. */
  private checkEnd(eof: number): void {
    if (eof !== UNDEF && this.base + eof > this.bytes.length) {
      throw new FormatError(`HDF5: the file is truncated: its superblock says ${this.base + eof} bytes, ${this.bytes.length} are present`);
    }
  }
  private checkSizes(): void {
    if (![2, 4, 8].includes(this.offsetSize) || ![2, 4, 8].includes(this.lengthSize)) {
      throw new FormatError(`HDF5: offset size ${this.offsetSize} and length size ${this.lengthSize} are not supported (2, 4 or 8)`);
    }
  }

  // ---- object headers
  private header(address: number): ObjectHeader {
    const known = this.headers.get(address);
    if (known) return known;
    if (this.parsing.has(address)) throw new FormatError(`HDF5: the object header at ${address} refers to itself`);
    this.parsing.add(address);
    this.count('object headers');
    const messages: ObjectHeader['messages'] = [];
    const blocks = new Set<number>();
    const pending: { at: number; length: number; v2: boolean }[] = [];
    const v2 = this.signature(address, 'OHDR');
    if (v2) {
      const version = this.u8(address + 4);
      if (version !== 2) throw new FormatError(`HDF5: object header version ${version} at ${address}`);
      const flags = this.u8(address + 5);
      let p = address + 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0);
      const sizeBytes = 1 << (flags & 3);
      const chunk = this.uint(p, sizeBytes);
      p += sizeBytes;
      pending.push({ at: p, length: chunk, v2: true });
      this.creationOrder.set(address, (flags & 0x04) !== 0);
    } else {
      const version = this.u8(address);
      if (version !== 1) throw new FormatError(`HDF5: no object header at ${address} (version byte ${version})`);
      const size = this.u32(address + 8);
      pending.push({ at: address + 16, length: size, v2: false });
    }
    const ordered = this.creationOrder.get(address) === true;
    while (pending.length > 0) {
      const block = pending.pop()!;
      if (blocks.has(block.at)) throw new FormatError(`HDF5: object header ${address} continues into a block it already read`);
      blocks.add(block.at);
      if (blocks.size > 1) this.count('object header continuations');
      this.check(block.at, block.length, `object header ${address}`);
      const end = block.at + block.length;
      let p = block.at;
      const headerSize = block.v2 ? 4 + (ordered ? 2 : 0) : 8;
      while (p + headerSize <= end) {
        const type = block.v2 ? this.u8(p) : this.u16(p);
        const size = block.v2 ? this.u16(p + 1) : this.u16(p + 2);
        const flags = block.v2 ? this.u8(p + 3) : this.u8(p + 4);
        const at = p + headerSize;
        if (at + size > end) throw new FormatError(`HDF5: a message of object header ${address} runs past its block`);
        if (flags & 0x02 && type !== 0) throw new FormatError(`HDF5: object header ${address} has a shared message (type ${type}), which is not supported`);
        if (type === 0x10) {
          const cAt = this.offset(at);
          const cLength = this.length(at + this.offsetSize);
          if (block.v2) {
            if (!this.signature(cAt, 'OCHK')) throw new FormatError(`HDF5: no continuation block (OCHK) at ${cAt}`);
            pending.push({ at: cAt + 4, length: cLength - 8, v2: true });
          } else {
            pending.push({ at: cAt, length: cLength, v2: false });
          }
        } else if (type !== 0) {
          messages.push({ type, at, size });
        }
        p = at + size;
      }
    }
    const header = { address, messages };
    this.headers.set(address, header);
    this.parsing.delete(address);
    return header;
  }
  private readonly creationOrder = new Map<number, boolean>();

  private message(header: ObjectHeader, type: number): { at: number; size: number } | undefined {
    return header.messages.find((m) => m.type === type);
  }

  // ---- groups
  /** The address of the object at `path` ("a/b/c"), or undefined. */
  get(path: string): number | undefined {
    let address = this.rootAddress;
    for (const part of path.split('/').filter((s) => s.length > 0)) {
      const next = this.children(address).get(part);
      if (next === undefined) return undefined;
      address = next;
    }
    return address;
  }

  /** A group's members: name → object header address. */
  children(address: number): Map<string, number> {
    const known = this.links.get(address);
    if (known) return known;
    const header = this.header(address);
    const out = new Map<string, number>();
    const table = this.message(header, 0x11);
    if (table) {
      const btree = this.offset(table.at);
      const heap = this.offset(table.at + this.offsetSize);
      this.symbolTable(btree, this.localHeap(heap), out, new Set());
    }
    const info = this.message(header, 0x02);
    if (info) {
      const flags = this.u8(info.at + 1);
      const heapAt = this.offset(info.at + 2 + (flags & 1 ? 8 : 0));
      const btreeAt = this.offset(info.at + 2 + (flags & 1 ? 8 : 0) + this.offsetSize);
      if (heapAt !== UNDEF) {
        // dense storage: link messages in a fractal heap, indexed by name hash (records of type 5)
        const heap = this.fractalHeap(heapAt);
        for (const record of this.btree2(btreeAt, 5)) {
          const [name, target] = this.link(this.heapObject(heap, record.subarray(4)), `the group at ${address}`);
          out.set(name, target);
        }
      }
    }
    for (const m of header.messages) {
      if (m.type !== 0x06) continue;
      const [name, target] = this.link({ at: m.at, size: m.size }, `the group at ${address}`);
      out.set(name, target);
    }
    this.links.set(address, out);
    return out;
  }

  /** A link message: its name and the object it points to. */
  private link(m: { at: number; size: number }, where: string): [string, number] {
    const end = m.at + m.size;
    const flags = this.u8(m.at + 1);
    let p = m.at + 2;
    const linkType = flags & 0x08 ? this.u8(p++) : 0;
    if (flags & 0x04) p += 8;
    if (flags & 0x10) p++;
    const lengthSize = 1 << (flags & 3);
    const nameLength = this.uint(p, lengthSize);
    p += lengthSize;
    if (nameLength === UNDEF || p + nameLength + this.offsetSize > end) throw new FormatError(`HDF5: a link of ${where} runs past its message`);
    const name = decoder.decode(this.bytes.subarray(p, p + nameLength));
    p += nameLength;
    if (linkType !== 0) throw new FormatError(`HDF5: link "${name}" is a ${linkType === 1 ? 'soft' : 'external'} link, which is not supported`);
    return [name, this.offset(p)];
  }

  // ---- dense storage: fractal heaps and version-2 B-trees (h5py's libver='latest' beyond 8 links)
  private fractalHeap(at: number): FractalHeap {
    if (!this.signature(at, 'FRHP')) throw new FormatError(`HDF5: no fractal heap at ${at}`);
    this.count('fractal heaps');
    const O = this.offsetSize;
    const L = this.lengthSize;
    const idLength = this.u16(at + 5);
    if (this.u16(at + 7) !== 0) throw new FormatError(`HDF5: the fractal heap at ${at} is filtered, which is not supported`);
    const flags = this.u8(at + 9);
    const maxManaged = this.u32(at + 10);
    let p = at + 14 + L + O + L + O + 8 * L;
    const width = this.u16(p);
    const start = this.length(p + 2);
    const maxDirect = this.length(p + 2 + L);
    const maxHeapBits = this.u16(p + 2 + 2 * L);
    const root = this.offset(p + 2 + 2 * L + 4);
    const rows = this.u16(p + 2 + 2 * L + 4 + O);
    const log2 = (n: number): number => Math.floor(Math.log2(n));
    if (width < 1 || width > 65536 || start < 1 || maxDirect < start || 2 ** log2(start) !== start || 2 ** log2(maxDirect) !== maxDirect || maxHeapBits < 1 || maxHeapBits > 64) {
      throw new FormatError(`HDF5: the fractal heap at ${at} has an invalid doubling table`);
    }
    const offsetBytes = Math.ceil(maxHeapBits / 8);
    const lengthBytes = Math.min(Math.ceil(log2(maxDirect) / 8), Math.floor(log2(Math.max(1, maxManaged)) / 8) + 1);
    const heap: FractalHeap = { idLength, offsetBytes, lengthBytes, blocks: [] };
    const blockSize = (row: number): number => (row < 2 ? start : start * 2 ** (row - 1));
    const direct = (address: number, size: number): void => {
      if (!this.signature(address, 'FHDB')) throw new FormatError(`HDF5: no fractal heap direct block at ${address}`);
      this.count('fractal heap blocks');
      this.check(address, size, 'a fractal heap direct block');
      heap.blocks.push({ address, size, heapOffset: this.uint(address + 5 + O, offsetBytes) });
    };
    void flags;
    if (root === UNDEF) return heap;
    if (rows === 0) direct(root, start);
    else {
      // the root indirect block: rows of `width` direct blocks (nested indirect blocks, for
      // heaps of more than ~maxDirect·width bytes, are refused)
      if (!this.signature(root, 'FHIB')) throw new FormatError(`HDF5: no fractal heap indirect block at ${root}`);
      this.count('fractal heap blocks');
      const maxDirectRows = log2(maxDirect) - log2(start) + 2;
      let q = root + 5 + O + offsetBytes;
      for (let row = 0; row < rows; row++) {
        for (let col = 0; col < width; col++, q += O) {
          const child = this.offset(q);
          if (child === UNDEF) continue;
          if (row >= maxDirectRows) throw new FormatError(`HDF5: the fractal heap at ${at} nests indirect blocks, which is not supported`);
          direct(child, blockSize(row));
        }
      }
    }
    heap.blocks.sort((a, b) => a.heapOffset - b.heapOffset);
    return heap;
  }

  /** The bytes of a managed object of a fractal heap, from its heap ID. */
  private heapObject(heap: FractalHeap, id: Uint8Array): { at: number; size: number } {
    if (id.length < 1 + heap.offsetBytes + heap.lengthBytes || (id[0]! & 0xf0) !== 0) {
      throw new FormatError('HDF5: a fractal heap ID is not of a managed object (huge and tiny objects are not supported)');
    }
    let offset = 0;
    for (let i = heap.offsetBytes; i >= 1; i--) offset = offset * 256 + id[i]!;
    let size = 0;
    for (let i = heap.offsetBytes + heap.lengthBytes; i > heap.offsetBytes; i--) size = size * 256 + id[i]!;
    // blocks are sorted by heap offset: the last one starting at or before `offset`
    let lo = 0;
    let hi = heap.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (heap.blocks[mid]!.heapOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    const candidate = heap.blocks[lo];
    const block = candidate && candidate.heapOffset <= offset && offset + size <= candidate.heapOffset + candidate.size ? candidate : undefined;
    if (!block) throw new FormatError(`HDF5: fractal heap object at heap offset ${offset} (${size} bytes) lies in no block`);
    return { at: block.address + (offset - block.heapOffset), size };
  }

  /** The records of a version-2 B-tree of `type`, in order (depth 0 or 1). */
  private btree2(at: number, type: number): Uint8Array[] {
    if (!this.signature(at, 'BTHD') || this.u8(at + 5) !== type) throw new FormatError(`HDF5: no version-2 B-tree of type ${type} at ${at}`);
    this.count('B-tree headers');
    const nodeSize = this.u32(at + 6);
    const recordSize = this.u16(at + 10);
    const depth = this.u16(at + 12);
    const root = this.offset(at + 16);
    const rootRecords = this.u16(at + 16 + this.offsetSize);
    if (recordSize < 1 || nodeSize < 10 + recordSize) throw new FormatError(`HDF5: the B-tree at ${at} has node size ${nodeSize} and record size ${recordSize}`);
    if (depth > 1) throw new FormatError(`HDF5: the B-tree at ${at} has depth ${depth}; wasmnet reads depth 0 and 1`);
    const out: Uint8Array[] = [];
    if (root === UNDEF) return out;
    const seen = new Set<number>();
    const leaf = (node: number, records: number): void => {
      if (seen.has(node)) throw new FormatError(`HDF5: the B-tree node at ${node} is reached twice (a cycle)`);
      seen.add(node);
      this.count('B-tree nodes');
      if (!this.signature(node, 'BTLF')) throw new FormatError(`HDF5: no B-tree leaf at ${node}`);
      this.check(node + 6, records * recordSize, 'a B-tree leaf');
      for (let i = 0; i < records; i++) out.push(this.bytes.subarray(node + 6 + i * recordSize, node + 6 + (i + 1) * recordSize));
    };
    if (depth === 0) leaf(root, rootRecords);
    else {
      if (!this.signature(root, 'BTIN')) throw new FormatError(`HDF5: no B-tree internal node at ${root}`);
      this.count('B-tree nodes');
      const maxLeafRecords = Math.floor((nodeSize - 10) / recordSize);
      const countBytes = Math.floor(Math.log2(maxLeafRecords) / 8) + 1;
      const records = root + 6;
      const pointers = records + rootRecords * recordSize;
      this.check(records, rootRecords * recordSize + (rootRecords + 1) * (this.offsetSize + countBytes), 'a B-tree internal node');
      for (let i = 0; i <= rootRecords; i++) {
        const p = pointers + i * (this.offsetSize + countBytes);
        leaf(this.offset(p), this.uint(p + this.offsetSize, countBytes));
        if (i < rootRecords) out.push(this.bytes.subarray(records + i * recordSize, records + (i + 1) * recordSize));
      }
    }
    return out;
  }

  private readonly localHeaps = new Map<number, LocalHeap>();
  private localHeap(at: number): LocalHeap {
    const known = this.localHeaps.get(at);
    if (known) return known;
    if (!this.signature(at, 'HEAP')) throw new FormatError(`HDF5: no local heap at ${at}`);
    this.count('local heaps');
    const size = this.length(at + 8);
    const start = this.offset(at + 8 + 2 * this.lengthSize);
    this.check(start, size, 'a local heap');
    const heap = { start, size, names: new Map<number, string>() };
    this.localHeaps.set(at, heap);
    return heap;
  }

  /** The NUL-terminated name at `offset` in a local heap. Each offset is decoded once and a name
   *  is at most MAX_NAME_BYTES long, so the bytes scanned are at most 4096 per symbol-table entry
   *  (an entry takes 40 bytes of the file): linear in the file's size. */
  private heapString(heap: LocalHeap, offset: number): string {
    if (offset < 0 || offset >= heap.size) throw new FormatError(`HDF5: a name at offset ${offset} lies outside its local heap`);
    const known = heap.names.get(offset);
    if (known !== undefined) return known;
    const from = heap.start + offset;
    const limit = heap.start + heap.size;
    let end = from;
    while (end < limit && this.bytes[end] !== 0) end++;
    if (end - from > MAX_NAME_BYTES) throw new FormatError(`HDF5: a name in a local heap is longer than ${MAX_NAME_BYTES} bytes`);
    const name = decoder.decode(this.bytes.subarray(from, end));
    heap.names.set(offset, name);
    return name;
  }

  private symbolTable(node: number, heap: LocalHeap, out: Map<string, number>, seen: Set<number>, expected?: number): void {
    if (seen.has(node)) throw new FormatError(`HDF5: the group B-tree node at ${node} is reached twice (a cycle)`);
    seen.add(node);
    this.count('group B-tree nodes');
    if (!this.signature(node, 'TREE') || this.u8(node + 4) !== 0) throw new FormatError(`HDF5: no group B-tree node at ${node}`);
    const level = this.u8(node + 5);
    if (level > MAX_BTREE_LEVEL || (expected !== undefined && level !== expected)) throw new FormatError(`HDF5: the group B-tree node at ${node} has level ${level}`);
    const used = this.u16(node + 6);
    const keys = node + 8 + 2 * this.offsetSize;
    const step = this.lengthSize + this.offsetSize;
    this.check(keys, used * step + this.lengthSize, 'a group B-tree node');
    for (let i = 0; i < used; i++) {
      const child = this.offset(keys + this.lengthSize + i * step);
      if (level > 0) {
        this.symbolTable(child, heap, out, seen, level - 1);
        continue;
      }
      if (seen.has(child)) throw new FormatError(`HDF5: the symbol node at ${child} is reached twice (a cycle)`);
      seen.add(child);
      this.count('symbol table nodes');
      if (!this.signature(child, 'SNOD')) throw new FormatError(`HDF5: no symbol table node at ${child}`);
      const symbols = this.u16(child + 6);
      const entrySize = 2 * this.offsetSize + 24;
      this.check(child + 8, symbols * entrySize, 'a symbol table node');
      for (let s = 0; s < symbols; s++) {
        const e = child + 8 + s * entrySize;
        out.set(this.heapString(heap, this.uint(e, this.offsetSize)), this.offset(e + this.offsetSize));
      }
    }
  }

  // ---- types and spaces
  private datatype(at: number, size: number): Datatype {
    this.check(at, Math.max(8, size), 'a datatype');
    const cls = this.u8(at) & 0x0f;
    const bits = this.u8(at + 1);
    const typeSize = this.u32(at + 4);
    const t: Datatype = { cls, size: typeSize, bigEndian: (bits & 1) === 1, signed: (bits & 0x08) !== 0 };
    if (cls === 9) {
      t.vlenType = bits & 0x0f;
      if (t.vlenType === 0) t.base = this.datatype(at + 8, size - 8);
    }
    return t;
  }

  private dataspace(at: number): number[] | null {
    const version = this.u8(at);
    const rank = this.u8(at + 1);
    const flags = this.u8(at + 2);
    if (rank > HDF5_LIMITS.rank) throw new FormatError(`HDF5: a dataspace of rank ${rank}, over the limit of ${HDF5_LIMITS.rank} (HDF5_LIMITS.rank)`);
    let p: number;
    if (version === 1) p = at + 8;
    else if (version === 2) {
      if (this.u8(at + 3) === 2) return null; // null dataspace
      p = at + 4;
    } else throw new FormatError(`HDF5: dataspace version ${version} is not supported`);
    void flags;
    const dims: number[] = [];
    for (let i = 0; i < rank; i++) dims.push(this.length(p + i * this.lengthSize));
    if (dims.some((d) => d === UNDEF)) throw new FormatError('HDF5: a dataspace has an undefined dimension');
    return dims;
  }

  private elements(dims: number[], what: string): number {
    let n = 1;
    for (const d of dims) {
      n *= d;
      if (n > HDF5_LIMITS.datasetValues) throw new FormatError(`${what} holds more than ${HDF5_LIMITS.datasetValues} values (HDF5_LIMITS.datasetValues)`);
    }
    return n;
  }

  /** Decodes `count` values of type `t` at `data[0…]`. */
  private decode(data: Uint8Array, t: Datatype, count: number, what: string): H5Value {
    if (t.cls === 3) {
      const out: string[] = [];
      for (let i = 0; i < count; i++) {
        let s = data.subarray(i * t.size, (i + 1) * t.size);
        const nul = s.indexOf(0);
        if (nul >= 0) s = s.subarray(0, nul);
        out.push(decoder.decode(s).replace(/ +$/, ''));
      }
      return out;
    }
    if (t.cls === 9 && t.vlenType === 1) {
      const out: string[] = [];
      const step = 4 + this.offsetSize + 4;
      if (data.length < count * step) throw new FormatError(`${what}: variable-length strings are truncated`);
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      for (let i = 0; i < count; i++) {
        const length = view.getUint32(i * step, true);
        let collection = 0;
        for (let b = this.offsetSize - 1; b >= 0; b--) collection = collection * 256 + data[i * step + 4 + b]!;
        const index = view.getUint32(i * step + 4 + this.offsetSize, true);
        out.push(length === 0 ? '' : decoder.decode(this.globalHeapObject(collection + this.base, index, length)));
      }
      return out;
    }
    const numeric = (t.cls === 0 && [1, 2, 4, 8].includes(t.size)) || (t.cls === 1 && [2, 4, 8].includes(t.size));
    if (!numeric) throw new FormatError(`${what} has an HDF5 datatype of class ${t.cls} and size ${t.size}; wasmnet reads floats, integers and strings`);
    if (data.length < count * t.size) throw new FormatError(`${what}: its data is truncated`);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const le = !t.bigEndian;
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const at = i * t.size;
      if (t.cls === 1) out[i] = t.size === 8 ? view.getFloat64(at, le) : t.size === 4 ? view.getFloat32(at, le) : half(view.getUint16(at, le));
      else if (t.size === 1) out[i] = t.signed ? view.getInt8(at) : view.getUint8(at);
      else if (t.size === 2) out[i] = t.signed ? view.getInt16(at, le) : view.getUint16(at, le);
      else if (t.size === 4) out[i] = t.signed ? view.getInt32(at, le) : view.getUint32(at, le);
      else out[i] = Number(t.signed ? view.getBigInt64(at, le) : view.getBigUint64(at, le));
    }
    return out;
  }

  private vlenBytes = 0;
  private readonly collections = new Map<number, Map<number, { at: number; size: number }>>();
  private globalHeapObject(collection: number, index: number, length: number): Uint8Array {
    let objects = this.collections.get(collection);
    if (!objects) {
      if (!this.signature(collection, 'GCOL')) throw new FormatError(`HDF5: no global heap collection at ${collection}`);
      this.count('global heap collections');
      const size = this.length(collection + 8);
      this.check(collection, size, 'a global heap collection');
      objects = new Map();
      let p = collection + 8 + this.lengthSize;
      const end = collection + size;
      while (p + 8 + this.lengthSize <= end) {
        const id = this.u16(p);
        const objectSize = this.length(p + 8);
        if (id === 0) break; // free space
        const data = p + 8 + this.lengthSize;
        if (objectSize > end - data) throw new FormatError(`HDF5: global heap object ${id} runs past its collection`);
        objects.set(id, { at: data, size: objectSize });
        p = data + Math.ceil(objectSize / 8) * 8;
      }
      this.collections.set(collection, objects);
    }
    const o = objects.get(index);
    if (!o || o.size < length) throw new FormatError(`HDF5: global heap object ${index} at ${collection} is missing or short`);
    this.vlenBytes += length;
    if (this.vlenBytes > this.bytes.length) throw new FormatError('HDF5: variable-length strings add up to more bytes than the file holds (one heap object read many times)');
    return this.bytes.subarray(o.at, o.at + length);
  }

  // ---- attributes
  private readonly attributeCache = new Map<number, Map<string, H5Value>>();
  /** The attributes of the object at `address`, decoded. */
  attributes(address: number): Map<string, H5Value> {
    const known = this.attributeCache.get(address);
    if (known) return known;
    const header = this.header(address);
    const out = new Map<string, H5Value>();
    this.attributeCache.set(address, out);
    const info = this.message(header, 0x15);
    if (info) {
      const flags = this.u8(info.at + 1);
      const heapAt = this.offset(info.at + 2 + (flags & 1 ? 2 : 0));
      const btreeAt = this.offset(info.at + 2 + (flags & 1 ? 2 : 0) + this.offsetSize);
      if (heapAt !== UNDEF) {
        // dense storage: attribute messages in a fractal heap, indexed by name (records of type 8)
        const heap = this.fractalHeap(heapAt);
        for (const record of this.btree2(btreeAt, 8)) {
          if (record[heap.idLength]! & 1) throw new FormatError('HDF5: shared attributes are not supported');
          const attribute = this.attribute(this.heapObject(heap, record.subarray(0, heap.idLength)));
          if (attribute) out.set(attribute[0], attribute[1]);
        }
      }
    }
    for (const m of header.messages) {
      if (m.type !== 0x0c) continue;
      const attribute = this.attribute(m);
      if (attribute) out.set(attribute[0], attribute[1]);
    }
    return out;
  }

  /** An attribute message: its name and value (undefined for a null dataspace). */
  private attribute(m: { at: number; size: number }): [string, H5Value] | undefined {
    const version = this.u8(m.at);
    const nameSize = this.u16(m.at + 2);
    const typeSize = this.u16(m.at + 4);
    const spaceSize = this.u16(m.at + 6);
    const pad = (n: number): number => (version === 1 ? Math.ceil(n / 8) * 8 : n);
    if (version < 1 || version > 3) throw new FormatError(`HDF5: attribute message version ${version} is not supported`);
    if (version > 1 && this.u8(m.at + 1) & 0x03) throw new FormatError('HDF5: attributes with shared datatypes or dataspaces are not supported');
    let p = m.at + (version === 3 ? 9 : 8);
    this.check(p, nameSize, 'an attribute name');
    let nameEnd = p + nameSize;
    while (nameEnd > p && this.bytes[nameEnd - 1] === 0) nameEnd--;
    const name = decoder.decode(this.bytes.subarray(p, nameEnd));
    p += pad(nameSize);
    const type = this.datatype(p, typeSize);
    p += pad(typeSize);
    const dims = this.dataspace(p);
    p += pad(spaceSize);
    const what = `HDF5 attribute "${name}"`;
    if (dims === null) return undefined;
    const count = this.elements(dims, what);
    const valueSize = type.cls === 9 ? 4 + this.offsetSize + 4 : type.size;
    if (valueSize < 1) throw new FormatError(`${what} has a datatype of size 0`);
    if (count * valueSize > m.at + m.size - p) throw new FormatError(`${what}: its value runs past its message`);
    const value = this.decode(this.bytes.subarray(p, p + count * valueSize), type, count, what);
    return [name, dims.length === 0 && Array.isArray(value) ? value[0]! : value];
  }

  // ---- datasets
  /** Whether the object at `address` is a dataset (it has a layout message). */
  isDataset(address: number): boolean {
    return this.message(this.header(address), 0x08) !== undefined;
  }

  /** A numeric dataset's shape and values (as float64). `accept`, when given, sees its shape and
   *  type before anything is read or allocated, and may refuse it (by throwing). */
  async dataset(address: number, what: string, accept?: (info: { shape: number[]; float: boolean }) => void): Promise<{ shape: number[]; values: Float64Array; typeSize: number; float: boolean }> {
    const header = this.header(address);
    const typeMsg = this.message(header, 0x03);
    const spaceMsg = this.message(header, 0x01);
    const layoutMsg = this.message(header, 0x08);
    if (!typeMsg || !spaceMsg || !layoutMsg) throw new FormatError(`${what} is not an HDF5 dataset`);
    const type = this.datatype(typeMsg.at, typeMsg.size);
    if (!((type.cls === 1 && [2, 4, 8].includes(type.size)) || (type.cls === 0 && [1, 2, 4, 8].includes(type.size)))) {
      throw new FormatError(`${what} has an HDF5 datatype of class ${type.cls} and size ${type.size}; weights must be floats`);
    }
    const shape = this.dataspace(spaceMsg.at) ?? [];
    const count = this.elements(shape, what);
    accept?.({ shape, float: type.cls === 1 });
    const bytesNeeded = count * type.size;
    const layout = this.layout(layoutMsg.at, layoutMsg.size, what);
    const filters = this.filters(header, what);
    let data: Uint8Array;
    if (layout.cls === 0) {
      data = layout.data!;
    } else if (layout.cls === 1) {
      if (layout.address === UNDEF) data = this.unwritten(bytesNeeded, what); // never written: the fill value 0
      else {
        this.check(layout.address, bytesNeeded, what);
        data = this.bytes.subarray(layout.address, layout.address + bytesNeeded);
      }
    } else {
      data = await this.chunked(layout, shape, type.size, filters, what);
    }
    if (data.length < bytesNeeded) throw new FormatError(`${what} holds ${data.length} bytes, ${bytesNeeded} expected`);
    return { shape, values: this.decode(data, type, count, what) as Float64Array, typeSize: type.size, float: type.cls === 1 };
  }

  /** The bytes of a dataset that was never written (its fill value, 0): memory follows the
   *  file here too, so a few bytes cannot declare a gigabyte of zeros (Keras writes every
   *  weight; h5py allocates a dataset's storage when it is written). */
  private unwritten(bytes: number, what: string): Uint8Array {
    if (bytes > this.bytes.length) {
      throw new FormatError(`${what} was never written (it has no storage) yet declares ${bytes} bytes, more than the file's ${this.bytes.length}; Keras writes every weight`);
    }
    return new Uint8Array(bytes);
  }

  private layout(at: number, size: number, what: string): Layout {
    const version = this.u8(at);
    if (version === 3 || version === 4) {
      const cls = this.u8(at + 1);
      if (cls === 0) {
        const n = this.u16(at + 2);
        this.check(at + 4, n, what);
        return { cls, address: UNDEF, size: n, data: this.bytes.subarray(at + 4, at + 4 + n) };
      }
      if (cls === 1) return { cls, address: this.offset(at + 2), size: this.length(at + 2 + this.offsetSize) };
      if (cls === 2 && version === 3) {
        const rank = this.u8(at + 2);
        if (rank < 1 || rank > HDF5_LIMITS.rank + 1) throw new FormatError(`${what}: chunks of rank ${rank}`);
        const address = this.offset(at + 3);
        const chunk: number[] = [];
        for (let i = 0; i < rank; i++) chunk.push(this.u32(at + 3 + this.offsetSize + 4 * i));
        return { cls, address, size: 0, chunk };
      }
      if (cls === 2) {
        // version 4 (HDF5 1.10, h5py's libver='latest'): a chunk index of its own type
        const flags = this.u8(at + 2);
        const rank = this.u8(at + 3);
        const dimBytes = this.u8(at + 4);
        if (rank < 1 || rank > HDF5_LIMITS.rank + 1 || dimBytes < 1 || dimBytes > 8) throw new FormatError(`${what}: chunks of rank ${rank} (${dimBytes}-byte sizes)`);
        const chunk: number[] = [];
        for (let i = 0; i < rank; i++) chunk.push(this.uint(at + 5 + i * dimBytes, dimBytes));
        let p = at + 5 + rank * dimBytes;
        const indexType = this.u8(p++);
        const index: Layout['index'] = { type: indexType };
        if (indexType === 1 && flags & 2) {
          index.filteredSize = this.length(p);
          index.mask = this.u32(p + this.lengthSize);
          p += this.lengthSize + 4;
        } else if (indexType === 3) p += 1;
        else if (indexType !== 1 && indexType !== 2) {
          throw new FormatError(`${what} is chunked with HDF5 chunk index type ${indexType} (${indexType === 4 ? 'extensible array' : 'version-2 B-tree'}: resizable datasets), which is not supported`);
        }
        return { cls, address: this.offset(p), size: 0, chunk, index };
      }
      throw new FormatError(`${what} has a virtual or unknown HDF5 layout (class ${cls})`);
    }
    void size;
    throw new FormatError(`${what} has HDF5 layout version ${version}, which is not supported (3 and 4 are)`);
  }

  private filters(header: ObjectHeader, what: string): Filter[] {
    const m = this.message(header, 0x0b);
    if (!m) return [];
    const version = this.u8(m.at);
    const n = this.u8(m.at + 1);
    let p = m.at + (version === 1 ? 8 : 2);
    const out: Filter[] = [];
    for (let i = 0; i < n; i++) {
      const id = this.u16(p);
      const nameLength = version === 1 || id >= 256 ? this.u16(p + 2) : 0;
      p += version === 1 || id >= 256 ? 4 : 2;
      const values = this.u16(p + 2);
      p += 4;
      this.check(p, nameLength, what);
      const name = decoder.decode(this.bytes.subarray(p, p + nameLength)).replace(/\0+$/, '');
      p += version === 1 ? Math.ceil(nameLength / 8) * 8 : nameLength;
      p += 4 * values + (version === 1 && values % 2 === 1 ? 4 : 0);
      if (id !== 1) throw new FormatError(`${what} uses HDF5 filter ${id}${name ? ` (${name})` : ''}; wasmnet reads deflate (1) only`);
      out.push({ id, name });
    }
    return out;
  }

  /** A fixed-array chunk index (FAHD, one unpaged FADB): each chunk's address, size and mask. */
  private fixedArray(at: number, count: number, filtered: boolean, what: string): { at: number; size?: number; mask: number }[] {
    if (!this.signature(at, 'FAHD')) throw new FormatError(`${what}: no fixed-array chunk index at ${at}`);
    this.count('chunk indexes');
    const O = this.offsetSize;
    const entrySize = this.u8(at + 6);
    const pageBits = this.u8(at + 7);
    const entries = this.length(at + 8);
    const block = this.offset(at + 8 + this.lengthSize);
    if (entries !== count) throw new FormatError(`${what}: its chunk index holds ${entries} chunks, ${count} expected`);
    if (entries > 2 ** pageBits) throw new FormatError(`${what}: a paged fixed-array chunk index (more than ${2 ** pageBits} chunks) is not supported`);
    const sizeBytes = entrySize - O - 4;
    if (filtered ? sizeBytes < 1 || sizeBytes > 8 : entrySize !== O) throw new FormatError(`${what}: fixed-array entries of ${entrySize} bytes`);
    if (block === UNDEF) return [];
    if (!this.signature(block, 'FADB')) throw new FormatError(`${what}: no fixed-array data block at ${block}`);
    this.count('chunk indexes');
    const first = block + 6 + O;
    this.check(first, entries * entrySize, `${what}: the fixed-array data block`);
    const out: { at: number; size?: number; mask: number }[] = [];
    for (let i = 0; i < entries; i++) {
      const e = first + i * entrySize;
      out.push(filtered ? { at: this.offset(e), size: this.uint(e + O, sizeBytes), mask: this.u32(e + O + sizeBytes) } : { at: this.offset(e), mask: 0 });
    }
    return out;
  }

  private async chunked(layout: Layout, shape: number[], typeSize: number, filters: Filter[], what: string): Promise<Uint8Array> {
    const rank = shape.length;
    const chunk = layout.chunk!;
    if (chunk.length !== rank + 1 || chunk[rank] !== typeSize || chunk.some((c) => c < 1)) throw new FormatError(`${what}: its chunk dimensions do not match its shape`);
    const chunkValues = this.elements(chunk.slice(0, rank), `${what} (one chunk)`);
    const total = this.elements(shape, what);
    if (layout.address === UNDEF) return this.unwritten(total * typeSize, what);
    const leaves: { at: number; size: number; mask: number; offsets: number[] }[] = [];
    const grid = shape.map((d, i) => Math.ceil(d / chunk[i]!));
    const chunkCount = grid.reduce((n, g) => n * g, 1);
    const chunkBytesAll = chunkValues * typeSize;
    /** The offsets of the i-th chunk in row-major order of the chunk grid. */
    const gridOffsets = (i: number): number[] => {
      const offsets = new Array<number>(rank).fill(0);
      for (let d = rank - 1; d >= 0; d--) {
        offsets[d] = (i % grid[d]!) * chunk[d]!;
        i = Math.floor(i / grid[d]!);
      }
      return offsets;
    };
    const index = layout.index;
    if (index?.type === 1) {
      leaves.push({ at: layout.address, size: index.filteredSize ?? chunkBytesAll, mask: index.mask ?? 0, offsets: new Array<number>(rank).fill(0) });
    } else if (index?.type === 2) {
      if (filters.length > 0) throw new FormatError(`${what}: an implicit chunk index with filters`);
      this.check(layout.address, chunkCount * chunkBytesAll, what);
      for (let i = 0; i < chunkCount; i++) leaves.push({ at: layout.address + i * chunkBytesAll, size: chunkBytesAll, mask: 0, offsets: gridOffsets(i) });
    } else if (index?.type === 3) {
      this.fixedArray(layout.address, chunkCount, filters.length > 0, what).forEach((entry, i) => {
        if (entry.at !== UNDEF) leaves.push({ at: entry.at, size: entry.size ?? chunkBytesAll, mask: entry.mask, offsets: gridOffsets(i) });
      });
    } else {
      const seen = new Set<number>();
      const walk = (node: number, expected?: number): void => {
        if (seen.has(node)) throw new FormatError(`${what}: the chunk B-tree node at ${node} is reached twice (a cycle)`);
        seen.add(node);
        this.count('chunk B-tree nodes');
        if (!this.signature(node, 'TREE') || this.u8(node + 4) !== 1) throw new FormatError(`${what}: no chunk B-tree node at ${node}`);
        const level = this.u8(node + 5);
        if (level > MAX_BTREE_LEVEL || (expected !== undefined && level !== expected)) throw new FormatError(`${what}: the chunk B-tree node at ${node} has level ${level}`);
        const used = this.u16(node + 6);
        const keySize = 8 + 8 * (rank + 1);
        const step = keySize + this.offsetSize;
        const keys = node + 8 + 2 * this.offsetSize;
        this.check(keys, used * step + keySize, `${what}: a chunk B-tree node`);
        for (let i = 0; i < used; i++) {
          const k = keys + i * step;
          const child = this.offset(k + keySize);
          if (level > 0) walk(child, level - 1);
          else {
            if (leaves.length >= chunkCount) throw new FormatError(`${what} lists more chunks than its ${chunkCount}`);
            const offsets: number[] = [];
            for (let d = 0; d < rank; d++) offsets.push(this.uint(k + 8 + 8 * d, 8));
            leaves.push({ at: child, size: this.u32(k), mask: this.u32(k + 4), offsets });
          }
        }
      };
      walk(layout.address);
    }
    const chunkBytes = chunkValues * typeSize;
    // Each chunk of the grid at most once, inside the dataset and in the file, before any work:
    // inflating and copying then cost at most the grid's bytes (no chunk listed twice).
    const placed = new Set<number>();
    for (const leaf of leaves) {
      let linear = 0;
      for (let d = 0; d < rank; d++) {
        if (leaf.offsets[d]! % chunk[d]! !== 0 || leaf.offsets[d]! >= shape[d]!) throw new FormatError(`${what}: a chunk at offset [${leaf.offsets.join(', ')}] lies outside the dataset`);
        linear = linear * grid[d]! + leaf.offsets[d]! / chunk[d]!;
      }
      if (placed.has(linear)) throw new FormatError(`${what}: the chunk at offset [${leaf.offsets.join(', ')}] is listed twice`);
      placed.add(linear);
      this.check(leaf.at, leaf.size, `${what}: a chunk`);
    }
    // Memory follows the file: the chunks must be able to hold the dataset (a dataset of
    // unwritten chunks would be its fill value, which Keras never writes).
    const stored = leaves.reduce((n, l) => n + (filters.length > 0 ? maxInflated(l.size) : l.size), 0);
    if (stored < total * typeSize) throw new FormatError(`${what} declares ${total * typeSize} bytes but its chunks can hold at most ${stored}`);
    const out = new Uint8Array(total * typeSize);
    for (const leaf of leaves) {
      let data = this.bytes.subarray(leaf.at, leaf.at + leaf.size);
      if (filters.length > 0 && (leaf.mask & 1) === 0) data = await inflate(data, 'deflate', chunkBytes, `${what}: a chunk`);
      if (data.length !== chunkBytes) throw new FormatError(`${what}: a chunk holds ${data.length} bytes, ${chunkBytes} expected`);
      copyChunk(out, shape, data, chunk.slice(0, rank), leaf.offsets, typeSize);
    }
    return out;
  }
}

/** Copies the part of a chunk that lies inside the dataset (row-major, C order). */
function copyChunk(out: Uint8Array, shape: number[], chunk: Uint8Array, dims: number[], offsets: number[], typeSize: number): void {
  const rank = shape.length;
  if (rank === 0) {
    out.set(chunk.subarray(0, typeSize));
    return;
  }
  const rowLength = Math.min(dims[rank - 1]!, shape[rank - 1]! - offsets[rank - 1]!) * typeSize;
  const index = new Array<number>(rank - 1).fill(0);
  for (;;) {
    let inside = true;
    let src = 0;
    let dst = 0;
    for (let d = 0; d < rank - 1; d++) {
      if (offsets[d]! + index[d]! >= shape[d]!) inside = false;
      src = src * dims[d]! + index[d]!;
      dst = dst * shape[d]! + offsets[d]! + index[d]!;
    }
    if (inside) {
      src = src * dims[rank - 1]! * typeSize;
      dst = (dst * shape[rank - 1]! + offsets[rank - 1]!) * typeSize;
      out.set(chunk.subarray(src, src + rowLength), dst);
    }
    let d = rank - 2;
    while (d >= 0 && ++index[d]! === dims[d]!) index[d--] = 0;
    if (d < 0) return;
  }
}

function half(bits: number): number {
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
