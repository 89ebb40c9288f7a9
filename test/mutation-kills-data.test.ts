// Data and option checks that the mutation run of src/data.ts and src/validate.ts found
// unpinned (test/mutation/REPORT.md): the messages a user reads when their rows or names are
// wrong, through the public API. Each expected message is written from the rule it states (the
// row and column it names, the count it gives), not copied from a run.
import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, Network, ShapeError, dense, init } from 'wasmnet';

await init();

const net = (inputSize: number) => new Network({ inputSize, layers: [dense(2)], loss: 'mse', seed: 1 });

/** The error `fn` throws (asserting that it throws). */
function thrown(fn: () => unknown): Error {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

/** Asserts that `promise` rejects with exactly this class and message. */
async function rejectsWith(promise: Promise<unknown>, type: new (message: string) => Error, message: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  expect((error as Error).message).toBe(message);
}

describe('rows: what the message says', () => {
  it('one sample of 8 values without its brackets: the hint repeats all 8', () => {
    const e = thrown(() => net(8).predict([1, 2, 3, 4, 5, 6, 7, 8] as never));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toBe('x must be rows, one array per sample: got a flat array of 8 numbers. For one sample, wrap it: [[1, 2, 3, 4, 5, 6, 7, 8]]');
  });

  it('one sample of 10 values without its brackets: the hint shows the first 4 and an ellipsis', () => {
    const e = thrown(() => net(10).predict([1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as never));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toBe('x must be rows, one array per sample: got a flat array of 10 numbers. For one sample, wrap it: [[1, 2, 3, 4, …]]');
  });

  it('a row that is not an array is named, with what it is', () => {
    const e = thrown(() => net(2).predict([[1, 2], 5] as never));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toBe('x[1] must be an array of 2 numbers, got 5');
  });

  it('a row of one value says "1 value", of three "3 values"', () => {
    const one = thrown(() => net(2).predict([[1, 2], [3]]));
    expect(one).toBeInstanceOf(ShapeError);
    expect(one.message).toBe('x[1] has 1 value, expected 2');
    const three = thrown(() => net(2).predict([[1, 2, 3]]));
    expect(three.message).toBe('x[0] has 3 values, expected 2');
  });

  it('fit([null, null]) is a ShapeError naming the row (not a TypeError from reading a sample)', async () => {
    const n = net(2);
    await rejectsWith(n.fit([null, null] as never, [[1, 2], [3, 4]]), ShapeError, 'x[0] must be an array of 2 numbers, got null');
  });

  it('a sample whose input or output is not an array names the sample and the field', async () => {
    const n = net(2);
    await rejectsWith(n.fit([{ input: [1, 2], output: [1, 0] }, { input: null, output: [0, 1] }] as never), ShapeError, 'samples[1].input must be an array of 2 numbers, got null');
    await rejectsWith(n.fit([{ input: [1, 2], output: 'ab' }] as never), ShapeError, 'samples[0].output must be an array of 2 numbers, got "ab"');
  });

  it('a sample with a short input or a NaN output names the field and the sample', async () => {
    const n = net(2);
    await rejectsWith(n.fit([{ input: [1], output: [1, 0] }]), ShapeError, 'samples[].input[0] has 1 value, expected 2');
    await rejectsWith(n.fit([{ input: [1, 2], output: [1, 0] }, { input: [3, 4], output: [0, Number.NaN] }]), DataError, 'samples[].output[1][1] is NaN; every value must be a finite number');
  });

  it('a non-finite value names its row and column', () => {
    const e = thrown(() => net(3).predict([[1, 2, 3], [4, Number.NaN, 6]]));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toBe('x[1][1] is NaN; every value must be a finite number');
  });
});

describe('option values in messages, and "did you mean"', () => {
  it('a Map given as an option is shown as [object Map], a plain object as "an object"', () => {
    const map = thrown(() => dense(new Map() as never));
    expect(map).toBeInstanceOf(ConfigError);
    expect(map.message).toMatch(/got \[object Map\]$/);
    const object = thrown(() => dense({} as never));
    expect(object).toBeInstanceOf(ConfigError);
    expect(object.message).toMatch(/got an object$/);
  });

  // the documented rule (validate.ts, README "Errors"): a typo of at most two edits gets a hint
  it('a name two edits from an allowed one gets a hint; three edits get none', () => {
    const two = thrown(() => dense(2, { activation: 'tanhxy' as never }));
    expect(two).toBeInstanceOf(ConfigError);
    expect(two.message).toMatch(/got "tanhxy" \(did you mean "tanh"\?\)$/);
    const three = thrown(() => dense(2, { activation: 'tanhxyz' as never }));
    expect(three).toBeInstanceOf(ConfigError);
    expect(three.message).toMatch(/got "tanhxyz"$/);
  });

  // names are compared only up to 64 characters, so a hostile megabyte-long name costs no
  // quadratic edit-distance work; within that, Keras's separators are ignored
  it('a 64-character spelling gets its hint, a 65-character one none', () => {
    const at64 = `relu${'_'.repeat(60)}`;
    const at65 = `relu${'_'.repeat(61)}`;
    expect(thrown(() => dense(2, { activation: at64 as never })).message).toMatch(/\(did you mean "relu"\?\)$/);
    const long = thrown(() => dense(2, { activation: at65 as never }));
    expect(long).toBeInstanceOf(ConfigError);
    expect(long.message.endsWith(`got "${at65}"`)).toBe(true);
  });
});
