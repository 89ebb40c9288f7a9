// A minimal protocol-buffers wire-format reader and writer: just what ONNX's ModelProto needs
// (varints, 32/64-bit fixed values, length-delimited fields). The schema lives in model.ts.
// Wire format: every field is a key varint (fieldNumber << 3 | wireType) followed by its value;
// wire types 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32 (3 and 4, groups, are obsolete).
import { FormatError } from 'wasmnet';

export const VARINT = 0;
export const FIXED64 = 1;
export const BYTES = 2;
export const FIXED32 = 5;

/** The longest string (name, operator type, domain, attribute value) wasmnet reads, in bytes. */
export const MAX_STRING_BYTES = 4096;
const UTF8 = new TextDecoder();

/** Reads one message's fields in order; every read is bounds-checked (malformed → FormatError). */
export class Reader {
  pos: number;
  constructor(readonly buf: Uint8Array, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  fail(what: string): never {
    throw new FormatError(`malformed ONNX protobuf at byte ${this.pos}: ${what}`);
  }

  /** A limit exceeded (not malformed: too much of something), named in the message. */
  over(what: string): never {
    throw new FormatError(`the ONNX model has ${what} (the limit), at byte ${this.pos}`);
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as a JS number; int64 values are two's complement (10 bytes when negative). */
  varint(): number {
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; ; i++) {
      if (this.pos >= this.end) this.fail('varint runs past the end');
      if (i === 10) this.fail('varint longer than 10 bytes');
      const b = this.buf[this.pos++]!;
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    // hi is a signed 32-bit value: negative int64s come out negative.
    return hi * 0x100000000 + (lo >>> 0);
  }

  /** The key of the next field: [fieldNumber, wireType]. */
  key(): [number, number] {
    const k = this.varint();
    const wire = k & 7;
    const field = Math.floor(k / 8);
    if (field < 1 || wire === 3 || wire === 4 || wire > 5) this.fail(`invalid field key ${k}`);
    return [field, wire];
  }

  /** A length-delimited value: [start, end) of its bytes. */
  span(): [number, number] {
    const len = this.varint();
    if (len < 0 || len > this.end - this.pos) this.fail(`length ${len} runs past the end`);
    const start = this.pos;
    this.pos += len;
    return [start, this.pos];
  }

  string(): string {
    const [s, e] = this.span();
    if (e - s > MAX_STRING_BYTES) {
      this.pos = s;
      this.over(`a string of ${e - s} bytes, over ${MAX_STRING_BYTES} bytes per string`);
    }
    // Names are short and almost always ASCII: built directly, they skip the decoder's per-call
    // cost (100,000 nodes have 200,000 names); anything else goes through TextDecoder.
    if (e - s <= 32) {
      let ascii = '';
      for (let i = s; i < e; i++) {
        const b = this.buf[i]!;
        if (b >= 0x80) return UTF8.decode(this.buf.subarray(s, e));
        ascii += String.fromCharCode(b);
      }
      return ascii;
    }
    return UTF8.decode(this.buf.subarray(s, e));
  }

  fixed(bytes: number): number {
    if (this.end - this.pos < bytes) this.fail('fixed-width value runs past the end');
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, bytes);
    this.pos += bytes;
    return bytes === 4 ? view.getFloat32(0, true) : view.getFloat64(0, true);
  }

  skip(wire: number): void {
    if (wire === VARINT) this.varint();
    else if (wire === FIXED64) this.fixed(8);
    else if (wire === FIXED32) this.fixed(4);
    else this.span();
  }

  /** Repeated scalars, packed (one length-delimited run) or not (one value per key), into
   *  `out`; more than `max` values in all is a FormatError naming the limit (`what`). */
  repeated(wire: number, scalarWire: number, out: number[], max: number, what: string): void {
    const read = scalarWire === VARINT ? () => this.varint() : () => this.fixed(scalarWire === FIXED32 ? 4 : 8);
    if (wire === BYTES) {
      const [start, end] = this.span();
      const sub = new Reader(this.buf, start, end);
      const next = scalarWire === VARINT ? () => sub.varint() : () => sub.fixed(scalarWire === FIXED32 ? 4 : 8);
      while (!sub.done()) {
        if (out.length >= max) sub.over(`more than ${max} ${what}`);
        out.push(next());
      }
      return;
    }
    if (wire !== scalarWire) this.fail(`wire type ${wire} where ${scalarWire} was expected`);
    if (out.length >= max) this.over(`more than ${max} ${what}`);
    out.push(read());
  }

  /** Counts the values of one occurrence of a repeated scalar field without decoding them
   *  (packed or not); the reader moves past it. Malformed runs are FormatErrors. */
  count(wire: number, scalarWire: number): number {
    if (wire === BYTES) {
      const [start, end] = this.span();
      if (scalarWire !== VARINT) {
        const width = scalarWire === FIXED32 ? 4 : 8;
        if ((end - start) % width !== 0) this.fail(`a packed run of ${end - start} bytes is not a whole number of ${width}-byte values`);
        return (end - start) / width;
      }
      let n = 0;
      let run = 0;
      for (let i = start; i < end; i++) {
        if (this.buf[i]! & 0x80) {
          if (++run === 10) this.fail('varint longer than 10 bytes');
        } else {
          n++;
          run = 0;
        }
      }
      if (run > 0) this.fail('varint runs past the end');
      return n;
    }
    if (wire !== scalarWire) this.fail(`wire type ${wire} where ${scalarWire} was expected`);
    this.skip(wire);
    return 1;
  }
}

/** Builds one message; nested messages are encoded first and added as bytes. */
export class Writer {
  private parts: number[] = [];
  private chunks: Uint8Array[] = [];

  private flush(): void {
    if (this.parts.length > 0) {
      this.chunks.push(Uint8Array.from(this.parts));
      this.parts = [];
    }
  }

  private rawVarint(v: number): void {
    // Non-negative values only (ONNX writes no negative varints except attribute ints).
    if (v < 0) {
      let big = BigInt.asUintN(64, BigInt(v));
      while (big >= 0x80n) {
        this.parts.push(Number(big & 0x7fn) | 0x80);
        big >>= 7n;
      }
      this.parts.push(Number(big));
      return;
    }
    while (v >= 0x80) {
      this.parts.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.parts.push(v);
  }

  varint(field: number, v: number): this {
    this.rawVarint(field * 8 + VARINT);
    this.rawVarint(v);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.rawVarint(field * 8 + BYTES);
    this.rawVarint(data.length);
    this.flush();
    this.chunks.push(data);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, m: Writer): this {
    return this.bytes(field, m.finish());
  }

  float(field: number, v: number): this {
    this.rawVarint(field * 8 + FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.parts.push(...b);
    return this;
  }

  finish(): Uint8Array {
    this.flush();
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
