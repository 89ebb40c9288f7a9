// The protocol-buffers wire format under the ONNX importer and exporter (src/onnx/protobuf.ts),
// tested as a unit against the wire format's definition (protobuf.dev/programming-guides/encoding):
// varints (with int64's two's complement), keys, length-delimited spans, strings, fixed-width
// values, skipping, repeated scalars packed and not, and the writer's encodings, byte for byte.
// Every malformed input is a FormatError naming its byte. The importer's user path (fromONNX on
// crafted files) is test/hostile.test.ts's; these pin the reader's own arithmetic, which the
// mutation run of this file found unasserted (test/mutation/REPORT.md).
import { describe, expect, it } from 'vitest';
import { FormatError } from 'wasmnet';
import { BYTES, FIXED32, FIXED64, MAX_STRING_BYTES, Reader, VARINT, Writer } from '../src/onnx/protobuf';
import { varint as varintBytes } from './helpers/hostile'; // the hostile files' encoder, written apart from src/

const reader = (...bytes: number[]) => new Reader(Uint8Array.from(bytes));
const malformed = (at: number, what: string) => new FormatError(`malformed ONNX protobuf at byte ${at}: ${what}`);

describe('varints', () => {
  it('non-negative values of every length, up to 2^53 − 1', () => {
    for (const v of [0, 1, 127, 128, 300, 2 ** 14, 2 ** 21 + 3, 2 ** 28 - 1, 2 ** 28, 2 ** 31 + 5, 2 ** 32 + 1, 2 ** 35 + 7, 2 ** 42 + 11, 2 ** 49 + 13, 2 ** 53 - 1]) {
      const r = reader(...varintBytes(v), 0x2a);
      expect(r.varint(), String(v)).toBe(v);
      expect(r.varint()).toBe(42); // and the reader stopped right after it
    }
  });

  it('negative int64 values: ten bytes of two’s complement', () => {
    expect(reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01).varint()).toBe(-1);
    expect(reader(0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01).varint()).toBe(-2);
    expect(reader(0x80, 0x80, 0x80, 0x80, 0xf8, 0xff, 0xff, 0xff, 0xff, 0x01).varint()).toBe(-(2 ** 31));
  });

  it('refused: running past the end, or longer than 10 bytes', () => {
    expect(() => reader(0x80).varint()).toThrow(malformed(1, 'varint runs past the end'));
    expect(() => reader().varint()).toThrow(malformed(0, 'varint runs past the end'));
    expect(() => reader(...Array(12).fill(0x80), 0x01).varint()).toThrow(malformed(10, 'varint longer than 10 bytes'));
    // a sub-reader stops at its own end, not the buffer's
    expect(() => new Reader(Uint8Array.of(0x80, 0x01), 0, 1).varint()).toThrow(malformed(1, 'varint runs past the end'));
  });
});

describe('keys, spans, strings and fixed values', () => {
  it('a key is field number and wire type; field 0 and wire types 3, 4, 6 and 7 are refused', () => {
    expect(reader(0x08).key()).toEqual([1, VARINT]);
    expect(reader(0x12).key()).toEqual([2, BYTES]);
    expect(reader(0x1d).key()).toEqual([3, FIXED32]);
    expect(reader(...varintBytes(1000 * 8 + FIXED64)).key()).toEqual([1000, FIXED64]);
    for (const k of [0, 2, 8 + 3, 8 + 4, 8 + 6, 8 + 7]) expect(() => reader(k).key(), String(k)).toThrow(malformed(1, `invalid field key ${k}`));
  });

  it('a span is a length and its bytes; a length past the end or negative is refused', () => {
    const r = reader(3, 10, 11, 12, 99);
    expect(r.span()).toEqual([1, 4]);
    expect(r.pos).toBe(4);
    expect(() => reader(5, 1, 2).span()).toThrow(malformed(1, 'length 5 runs past the end'));
    expect(() => reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 1).span()).toThrow(malformed(10, 'length -1 runs past the end'));
  });

  it('strings: ASCII and UTF-8 at every length up to the limit, decoded as UTF-8 (a stray byte as U+FFFD)', () => {
    const enc = new TextEncoder();
    for (const s of ['', 'x', 'a'.repeat(32), 'b'.repeat(33), 'dense/kernel:0', 'é', 'ß→∑ 日本', `${'c'.repeat(30)}é`, 'd'.repeat(MAX_STRING_BYTES)]) {
      const bytes = enc.encode(s);
      expect(reader(...varintBytes(bytes.length), ...bytes).string()).toBe(s);
    }
    expect(reader(1, 0x80).string()).toBe('\uFFFD');
    expect(reader(2, 0x41, 0xff).string()).toBe('A\uFFFD');
  });

  it(`a string over ${MAX_STRING_BYTES} bytes is a limit, named with its size and place`, () => {
    const r = reader(0x08, 0x01, ...varintBytes(MAX_STRING_BYTES + 1), ...Array(MAX_STRING_BYTES + 1).fill(0x61));
    r.key();
    r.varint();
    expect(() => r.string()).toThrow(new FormatError(`the ONNX model has a string of ${MAX_STRING_BYTES + 1} bytes, over ${MAX_STRING_BYTES} bytes per string (the limit), at byte 4`));
  });

  it('fixed-width values: float32 and float64, little-endian; past the end refused', () => {
    const b = new Uint8Array(12);
    new DataView(b.buffer).setFloat32(0, 1.5, true);
    new DataView(b.buffer).setFloat64(4, -0.1, true);
    const r = new Reader(b);
    expect(r.fixed(4)).toBe(1.5);
    expect(r.fixed(8)).toBe(-0.1);
    expect(r.done()).toBe(true);
    expect(() => reader(1, 2, 3).fixed(4)).toThrow(malformed(0, 'fixed-width value runs past the end'));
    // a sub-reader's end, not the buffer's
    expect(() => new Reader(b, 0, 7).fixed(8)).toThrow(malformed(0, 'fixed-width value runs past the end'));
  });

  it('skip moves past one value of each wire type', () => {
    const after = 0x2a;
    for (const [wire, bytes] of [[VARINT, [0x96, 0x01]], [FIXED64, [1, 2, 3, 4, 5, 6, 7, 8]], [FIXED32, [1, 2, 3, 4]], [BYTES, [2, 9, 9]]] as const) {
      const r = reader(...bytes, after);
      r.skip(wire);
      expect(r.varint(), `wire ${wire}`).toBe(after);
    }
  });
});

describe('repeated scalars', () => {
  it('packed and one per key, varint and fixed-width', () => {
    const packed = (scalar: number, bytes: number[]) => {
      const out: number[] = [];
      const r = reader(bytes.length, ...bytes);
      r.repeated(BYTES, scalar, out, 100, 'values');
      expect(r.done()).toBe(true);
      return out;
    };
    expect(packed(VARINT, [1, 0xac, 0x02, 0x7f])).toEqual([1, 300, 127]);
    const f = new Uint8Array(8);
    new DataView(f.buffer).setFloat32(0, 2.5, true);
    new DataView(f.buffer).setFloat32(4, -3, true);
    expect(packed(FIXED32, [...f])).toEqual([2.5, -3]);
    const d = new Uint8Array(16);
    new DataView(d.buffer).setFloat64(0, 0.25, true);
    new DataView(d.buffer).setFloat64(8, 1e300, true);
    expect(packed(FIXED64, [...d])).toEqual([0.25, 1e300]);
    // one per key
    const out: number[] = [];
    reader(0xac, 0x02).repeated(VARINT, VARINT, out, 100, 'values');
    new Reader(f).repeated(FIXED32, FIXED32, out, 100, 'values');
    new Reader(d).repeated(FIXED64, FIXED64, out, 100, 'values');
    expect(out).toEqual([300, 2.5, 0.25]);
  });

  it('at most `max` values in all, packed or not: the limit is named; a wire type that is neither form is malformed', () => {
    const out = [1, 2];
    reader(1, 7).repeated(BYTES, VARINT, out, 3, 'dims');
    expect(out).toEqual([1, 2, 7]);
    expect(() => reader(2, 8, 9).repeated(BYTES, VARINT, [1, 2], 3, 'dims')).toThrow(new FormatError('the ONNX model has more than 3 dims (the limit), at byte 2'));
    expect(() => reader(9).repeated(VARINT, VARINT, [1, 2, 3], 3, 'dims')).toThrow(new FormatError('the ONNX model has more than 3 dims (the limit), at byte 0'));
    expect(() => reader(1, 2, 3, 4).repeated(FIXED32, VARINT, [], 3, 'dims')).toThrow(malformed(0, `wire type ${FIXED32} where ${VARINT} was expected`));
  });

  it('count: values without decoding them; a ragged packed run or an unended varint is malformed', () => {
    expect(reader(8, ...Array(8).fill(0)).count(BYTES, FIXED32)).toBe(2);
    expect(reader(16, ...Array(16).fill(0)).count(BYTES, FIXED64)).toBe(2);
    expect(reader(4, 1, 0xac, 0x02, 0x7f).count(BYTES, VARINT)).toBe(3);
    expect(reader(0).count(BYTES, VARINT)).toBe(0);
    expect(() => reader(6, ...Array(6).fill(0)).count(BYTES, FIXED32)).toThrow(malformed(7, 'a packed run of 6 bytes is not a whole number of 4-byte values'));
    expect(() => reader(12, ...Array(12).fill(0)).count(BYTES, FIXED64)).toThrow(malformed(13, 'a packed run of 12 bytes is not a whole number of 8-byte values'));
    expect(() => reader(11, ...Array(10).fill(0x80), 0x01).count(BYTES, VARINT)).toThrow(malformed(12, 'varint longer than 10 bytes'));
    expect(reader(10, ...Array(9).fill(0x80), 0x01).count(BYTES, VARINT)).toBe(1); // ten bytes is the most, and allowed
    expect(() => reader(2, 0x01, 0x80).count(BYTES, VARINT)).toThrow(malformed(3, 'varint runs past the end'));
    // one per key: the reader moves past it
    const r = reader(0x96, 0x01, 0x2a);
    expect(r.count(VARINT, VARINT)).toBe(1);
    expect(r.varint()).toBe(42);
    expect(() => reader(1, 2, 3, 4).count(FIXED32, VARINT)).toThrow(malformed(0, `wire type ${FIXED32} where ${VARINT} was expected`));
  });
});

describe('the writer', () => {
  it('encodes keys and varints as the wire format says, byte for byte', () => {
    expect([...new Writer().varint(1, 0).finish()]).toEqual([0x08, 0x00]);
    expect([...new Writer().varint(1, 127).finish()]).toEqual([0x08, 0x7f]);
    expect([...new Writer().varint(1, 128).finish()]).toEqual([0x08, 0x80, 0x01]);
    expect([...new Writer().varint(2, 300).finish()]).toEqual([0x10, 0xac, 0x02]);
    expect([...new Writer().varint(16, 1).finish()]).toEqual([0x80, 0x01, 0x01]); // key 128: two bytes
    expect([...new Writer().varint(1, -1).finish()]).toEqual([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    // −2^63: the top seven-bit group is exactly 0x80 before the last byte
    expect([...new Writer().varint(1, -(2 ** 63)).finish()]).toEqual([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
  });

  it('what it writes, the reader reads back: varints, strings, bytes, nested messages, float32', () => {
    const inner = new Writer().string(1, 'relu').float(2, 0.5);
    const bytes = new Writer().varint(1, 2 ** 40 + 3).varint(2, -7).string(3, 'dense/kernel:0').bytes(4, Uint8Array.of(1, 2, 3)).message(5, inner).finish();
    const r = new Reader(bytes);
    const fields: unknown[] = [];
    while (!r.done()) {
      const [field, wire] = r.key();
      if (field === 3) fields.push(r.string());
      else if (field === 5) {
        const [s, e] = r.span();
        const sub = new Reader(bytes, s, e);
        sub.key();
        const name = sub.string();
        sub.key();
        fields.push([name, sub.fixed(4)]);
      } else if (wire === BYTES) {
        const [s, e] = r.span();
        fields.push([...bytes.subarray(s, e)]);
      } else fields.push(r.varint());
    }
    expect(fields).toEqual([2 ** 40 + 3, -7, 'dense/kernel:0', [1, 2, 3], ['relu', 0.5]]);
  });
});
