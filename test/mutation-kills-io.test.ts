// The JSON limits of saved models (src/io/json-limits.ts; docs/saving.md and the limits table
// of docs/interop.md: 64 levels of nesting, 1,000,000 items — arrays, objects and their
// members — checked before anything parses or walks the value), at their exact boundaries, through
// Network.fromJSON and Network.fromBytes. The mutation run of src/io found these limits pinned
// only by test/hostile.test.ts, whose CPU-time bounds fail under Stryker's instrumentation, so
// that file cannot be in the module's mutation run.
//
// Items are the arrays and objects plus the members after the first of each (the commas); the
// counts below are worked out by hand from that rule.
import { describe, expect, it } from 'vitest';
import { FormatError, Network, batchNorm, dense, init } from 'wasmnet';

await init();

const DEEP = 'is nested deeper than 64 levels (the JSON depth limit)';
const MANY = 'has more than 1000000 items (the JSON size limit)';
// what fromJSON says once the limits pass: the header is fine, the training state is missing
const PASSED = 'saved model: "training" is missing';

function fromJSONError(input: unknown): Error {
  let error: unknown;
  try {
    Network.fromJSON(input as never);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(FormatError);
  return error as Error;
}

/** A fromBytes file whose JSON header is `head` (the slabs are never reached). */
function withHeader(head: string): Uint8Array {
  const text = new TextEncoder().encode(head);
  const bytes = new Uint8Array(12 + text.length);
  bytes.set([0x57, 0x4e, 0x45, 0x54]);
  new DataView(bytes.buffer).setUint32(4, 2, true);
  new DataView(bytes.buffer).setUint32(8, text.length, true);
  bytes.set(text, 12);
  return bytes;
}

describe('JSON text: depth', () => {
  // the outer object is level 1, so k arrays inside it reach level k + 1
  const nested = (k: number) => `{"format":"wasmnet","version":2,"junk":${'['.repeat(k)}${']'.repeat(k)}}`;

  it('64 levels load past the limit; 65 are refused, by fromJSON and by fromBytes', () => {
    expect(fromJSONError(nested(63)).message).toBe(PASSED);
    expect(fromJSONError(nested(64)).message).toBe(`not a saved wasmnet model: the JSON ${DEEP}`);
    let error: unknown;
    try {
      Network.fromBytes(withHeader(nested(64)));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toBe(`saved model is corrupted: its JSON header ${DEEP}`);
  });

  it('levels close: two siblings of 63 levels each are 64 deep, not 127', () => {
    const sibling = `${'['.repeat(62)}${']'.repeat(62)}`;
    expect(fromJSONError(`{"format":"wasmnet","version":2,"a":${sibling},"b":${sibling}}`).message).toBe(PASSED);
  });

  it('brackets inside strings, also after an escaped quote or backslash, do not count', () => {
    const brackets = '['.repeat(100);
    expect(fromJSONError(`{"format":"wasmnet","version":2,"s":"${brackets}"}`).message).toBe(PASSED);
    // \" does not end the string: the brackets after it are still inside
    expect(fromJSONError(`{"format":"wasmnet","version":2,"s":"a\\"${brackets}"}`).message).toBe(PASSED);
    // \\ is one backslash: the quote after it ends the string, so these brackets are real
    expect(fromJSONError(`{"format":"wasmnet","version":2,"s":"a\\\\","t":${'['.repeat(64)}${']'.repeat(64)}}`).message).toBe(
      `not a saved wasmnet model: the JSON ${DEEP}`,
    );
  });
});

describe('JSON text: items', () => {
  // {"format":…,"version":2,"junk":[0,0,…]} with n zeros: the object, its 2 commas, the array
  // and the n − 1 commas between the zeros: n + 3 items
  const zeros = (n: number) => `{"format":"wasmnet","version":2,"junk":[${new Array(n).fill(0).join(',')}]}`;
  // with one more member and m empty objects instead: the object, 3 commas, the array, then
  // object k is item 2k + 4 (the commas between them fall in between): 2m + 4 items in all
  const objects = (m: number) => `{"format":"wasmnet","version":2,"x":0,"junk":[${new Array(m).fill('{}').join(',')}]}`;

  it('1,000,000 items load past the limit; 1,000,001 are refused (the last one a comma)', () => {
    expect(fromJSONError(zeros(999_997)).message).toBe(PASSED);
    expect(fromJSONError(zeros(999_998)).message).toBe(`not a saved wasmnet model: the JSON ${MANY}`);
  });

  it('1,000,000 items load past the limit when the millionth is an object; one object more is refused', () => {
    // 2m + 4 = 1,000,000 (the last item an object), then 1,000,002
    expect(fromJSONError(objects(499_998)).message).toBe(PASSED);
    expect(fromJSONError(objects(499_999)).message).toBe(`not a saved wasmnet model: the JSON ${MANY}`);
  });
});

describe('a parsed object passed to fromJSON', () => {
  // the object is level 1; k arrays inside it reach level k + 1
  const nested = (k: number) => {
    let v: unknown = [];
    for (let i = 1; i < k; i++) v = [v];
    return { format: 'wasmnet', version: 2, junk: v };
  };

  it('64 levels pass, 65 are refused', () => {
    expect(fromJSONError(nested(63)).message).toBe(PASSED);
    expect(fromJSONError(nested(64)).message).toBe(`not a saved wasmnet model: the JSON ${DEEP}`);
  });

  it('items: the 3 members of the object and each value of the array count, 1,000,000 pass', () => {
    const withZeros = (n: number) => ({ format: 'wasmnet', version: 2, junk: new Array(n).fill(0) });
    expect(fromJSONError(withZeros(999_997)).message).toBe(PASSED);
    expect(fromJSONError(withZeros(999_998)).message).toBe(`not a saved wasmnet model: the JSON ${MANY}`);
  });

  it('an object that contains itself is walked once (no endless walk, no false "too deep")', () => {
    const o: Record<string, unknown> = { format: 'wasmnet', version: 2 };
    o.self = o;
    expect(fromJSONError(o).message).toBe(PASSED);
  });

  it('a shared sub-object is walked once: 40 levels of [x, x] are 40 objects, not 2⁴⁰', () => {
    let x: unknown = [];
    for (let i = 0; i < 40; i++) x = [x, x];
    expect(fromJSONError({ format: 'wasmnet', version: 2, junk: x }).message).toBe(PASSED);
  });
});

// Found by the same run in src/io/format.ts: the statistics slab (format version 2) in the
// messages and checks of a damaged file.
describe('saved files with a statistics slab, and damaged ones', () => {
  const normed = () => new Network({ inputSize: 3, layers: [dense(4), batchNorm(), dense(2)], loss: 'mse', seed: 3 });

  function fromBytesError(bytes: Uint8Array): Error {
    let error: unknown;
    try {
      Network.fromBytes(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FormatError);
    return error as Error;
  }

  it('a truncated file names its weights and its statistics, as its header declares them', () => {
    const bytes = normed().toBytes();
    // the header, as the format documents it: "WNET", u32 version, u32 JSON length, the JSON
    const head = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true)))) as { slabs: number; stats: number };
    // dense(4) on 3 inputs, batchNorm's γ and β, dense(2) on 4: 16 + 8 + 10 weights; the
    // moving mean and variance of 4 features: 8 statistics
    expect([head.slabs, head.stats]).toEqual([34, 8]);
    expect(fromBytesError(bytes.subarray(0, bytes.length - 8)).message).toBe(
      `saved model is truncated: 34 weights and 8 statistics need ${bytes.length} bytes, there are ${bytes.length - 8}`,
    );
  });

  it('a bytes header whose "training" is null is a FormatError saying it is missing', () => {
    const bytes = new Network({ inputSize: 2, layers: [dense(1)], loss: 'mse', seed: 1 }).toBytes();
    const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
    const text = new TextDecoder().decode(bytes.subarray(12, 12 + length));
    // the same length: "training":{…} replaced by "training":null padded with spaces
    const start = text.indexOf('"training":') + '"training":'.length;
    const end = text.indexOf('}', start) + 1;
    const edited = text.slice(0, start) + 'null'.padEnd(end - start, ' ') + text.slice(end);
    expect(edited.length).toBe(text.length);
    const damaged = Uint8Array.from(bytes);
    damaged.set(new TextEncoder().encode(edited), 12);
    expect(fromBytesError(damaged).message).toBe('saved model: "training" is missing');
  });

  /** The file with its JSON header edited, laid out as the format documents: "WNET", u32
   *  version, u32 header length, the header, zero padding to 8 bytes, the slabs unchanged. */
  function editHeader(bytes: Uint8Array, edit: (head: Record<string, unknown>) => void): Uint8Array {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const length = view.getUint32(8, true);
    const head = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length))) as Record<string, unknown>;
    const body = bytes.subarray((12 + length + 7) & ~7);
    edit(head);
    const text = new TextEncoder().encode(JSON.stringify(head));
    const start = (12 + text.length + 7) & ~7;
    const out = new Uint8Array(start + body.length);
    out.set(bytes.subarray(0, 8));
    new DataView(out.buffer).setUint32(8, text.length, true);
    out.set(text, 12);
    out.set(body, start);
    return out;
  }

  it('a version 2 header without a valid statistics length is refused with that reason', () => {
    const bytes = normed().toBytes();
    expect(Network.fromBytes(editHeader(bytes, () => undefined)).toBytes()).toEqual(bytes); // the helper keeps a file intact
    for (const bad of [-1, 1.5, '8', undefined]) {
      expect(fromBytesError(editHeader(bytes, (head) => void (head.stats = bad))).message).toBe('saved model is corrupted: the statistics length is missing');
    }
  });

  it('a version 1 file that carries a "stats" field has it checked, not ignored', () => {
    const { stats: _unused, ...saved } = new Network({ inputSize: 2, layers: [dense(1)], loss: 'mse', seed: 1 }).toJSON();
    expect(fromJSONError({ ...saved, version: 1, stats: 'not base64!' }).message).toBe('saved model: "stats" is not valid base64');
  });
});
