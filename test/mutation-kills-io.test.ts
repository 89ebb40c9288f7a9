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
import { FormatError, Network, init } from 'wasmnet';

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
  // with m empty objects instead: the object, 2 commas, the array, m objects, m − 1 commas: 2m + 3
  const objects = (m: number) => `{"format":"wasmnet","version":2,"junk":[${new Array(m).fill('{}').join(',')}]}`;

  it('1,000,000 items load past the limit; 1,000,001 are refused (the last one a comma)', () => {
    expect(fromJSONError(zeros(999_997)).message).toBe(PASSED);
    expect(fromJSONError(zeros(999_998)).message).toBe(`not a saved wasmnet model: the JSON ${MANY}`);
  });

  it('1,000,000 items load past the limit; 1,000,001 are refused (the last one an object)', () => {
    // 2m + 3 = 999,999 and 1,000,001
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
