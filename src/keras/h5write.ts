// A minimal HDF5 writer for toKeras: superblock version 2, version-2 object headers, groups of
// compact link messages, contiguous little-endian float32 datasets. h5py (HDF5 ≥ 1.8) reads it.
// Objects are written children first, so every address is known when its parent is written.

/** A group (name → child) or a float32 dataset. */
export type H5Node = { group: Map<string, H5Node> } | { shape: number[]; values: ArrayLike<number> };

const UNDEF = 0xffffffffffffffffn;

/** HDF5's checksum: Bob Jenkins's lookup3 `hashlittle` with initial value 0. */
export function lookup3(k: Uint8Array): number {
  let length = k.length;
  let a = (0xdeadbeef + length) >>> 0;
  let b = a;
  let c = a;
  const rot = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0;
  let o = 0;
  const word = (i: number): number => (k[i]! | (k[i + 1]! << 8) | (k[i + 2]! << 16) | (k[i + 3]! << 24)) >>> 0;
  while (length > 12) {
    a = (a + word(o)) >>> 0;
    b = (b + word(o + 4)) >>> 0;
    c = (c + word(o + 8)) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rot(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rot(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 4)) >>> 0; b = (b + a) >>> 0;
    length -= 12;
    o += 12;
  }
  if (length === 0) return c;
  const tail = [0, 0, 0];
  for (let i = 0; i < length; i++) tail[i >> 2]! += k[o + i]! * 2 ** (8 * (i & 3));
  a = (a + tail[0]!) >>> 0;
  b = (b + tail[1]!) >>> 0;
  c = (c + tail[2]!) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 24)) >>> 0;
  return c;
}

class Bytes {
  parts: Uint8Array[] = [];
  length = 0;
  push(b: Uint8Array): number {
    const at = this.length;
    this.parts.push(b);
    this.length += b.length;
    return at;
  }
}

function message(type: number, body: Uint8Array): Uint8Array {
  const m = new Uint8Array(4 + body.length);
  m[0] = type;
  m[1] = body.length & 0xff;
  m[2] = body.length >> 8;
  m.set(body, 4);
  return m;
}

function objectHeader(messages: Uint8Array[]): Uint8Array {
  const size = messages.reduce((n, m) => n + m.length, 0);
  const out = new Uint8Array(4 + 2 + 4 + size + 4);
  out.set([0x4f, 0x48, 0x44, 0x52, 2, 0x02]); // "OHDR", version 2, chunk-size field of 4 bytes
  new DataView(out.buffer).setUint32(6, size, true);
  let at = 10;
  for (const m of messages) {
    out.set(m, at);
    at += m.length;
  }
  new DataView(out.buffer).setUint32(at, lookup3(out.subarray(0, at)), true);
  return out;
}

function body(size: number, fill: (v: DataView) => void): Uint8Array {
  const b = new Uint8Array(size);
  fill(new DataView(b.buffer));
  return b;
}

function writeNode(node: H5Node, out: Bytes): number {
  if ('group' in node) {
    const links: Uint8Array[] = [];
    const encoder = new TextEncoder();
    for (const [name, child] of node.group) {
      const address = writeNode(child, out);
      const n = encoder.encode(name);
      // link message version 1; flags: name length in 1 byte, or 2 bytes (flag bit 0)
      const wide = n.length > 255;
      links.push(message(0x06, body(2 + (wide ? 2 : 1) + n.length + 8, (v) => {
        v.setUint8(0, 1);
        v.setUint8(1, wide ? 1 : 0);
        if (wide) v.setUint16(2, n.length, true);
        else v.setUint8(2, n.length);
        new Uint8Array(v.buffer).set(n, wide ? 4 : 3);
        v.setBigUint64((wide ? 4 : 3) + n.length, BigInt(address), true);
      })));
    }
    const linkInfo = message(0x02, body(18, (v) => {
      v.setBigUint64(2, UNDEF, true); // no fractal heap: the links are compact
      v.setBigUint64(10, UNDEF, true);
    }));
    const groupInfo = message(0x0a, new Uint8Array(2));
    return out.push(objectHeader([linkInfo, groupInfo, ...links]));
  }
  const data = new Uint8Array(node.values.length * 4);
  const dv = new DataView(data.buffer);
  for (let i = 0; i < node.values.length; i++) dv.setFloat32(i * 4, node.values[i]!, true);
  const dataAt = out.push(data);
  const rank = node.shape.length;
  const space = message(0x01, body(4 + 8 * rank, (v) => {
    v.setUint8(0, 2);
    v.setUint8(1, rank);
    v.setUint8(3, 1); // simple
    node.shape.forEach((d, i) => v.setBigUint64(4 + 8 * i, BigInt(d), true));
  }));
  // IEEE float32, little-endian: version 1, class 1; sign bit 31; exponent 23..30, bias 127
  const type = message(0x03, new Uint8Array([0x11, 0x20, 31, 0, 4, 0, 0, 0, 0, 0, 32, 0, 23, 8, 0, 23, 127, 0, 0, 0]));
  // fill value message version 3: allocation late, fill at allocation, no fill value defined
  const fill = message(0x05, new Uint8Array([3, 0x09]));
  const layout = message(0x08, body(18, (v) => {
    v.setUint8(0, 3);
    v.setUint8(1, 1); // contiguous
    v.setBigUint64(2, BigInt(dataAt), true);
    v.setBigUint64(10, BigInt(data.length), true);
  }));
  return out.push(objectHeader([space, type, fill, layout]));
}

/** The bytes of an HDF5 file whose root group is `root`. */
export function writeHDF5(root: Map<string, H5Node>): Uint8Array {
  const out = new Bytes();
  const superblock = new Uint8Array(48);
  out.push(superblock);
  const rootAt = writeNode({ group: root }, out);
  superblock.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 2, 8, 8, 0]);
  const v = new DataView(superblock.buffer);
  v.setBigUint64(12, 0n, true); // base address
  v.setBigUint64(20, UNDEF, true); // no superblock extension
  v.setBigUint64(28, BigInt(out.length), true); // end of file
  v.setBigUint64(36, BigInt(rootAt), true);
  v.setUint32(44, lookup3(superblock.subarray(0, 44)), true);
  const file = new Uint8Array(out.length);
  out.parts.reduce((at, p) => (file.set(p, at), at + p.length), 0);
  return file;
}
