// fit's options and its control object, where the mutation run of src/training/fit.ts found
// them unpinned (test/mutation/REPORT.md): the exact refusal for each bad value, through the
// public API, and that a refused call leaves the network as it was.
import { describe, expect, it } from 'vitest';
import { ConfigError, Network, ShapeError, dense, init } from 'wasmnet';

await init();

// 2 inputs → 1 output: 2 weights and 1 bias
const net = () => new Network({ inputSize: 2, layers: [dense(1)], loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.1 }, seed: 4 });
const X = [[0, 1], [1, 0], [1, 1], [0, 0]];
const Y = [[1], [1], [2], [0]];
const bytes = (n: Network) => Buffer.from(n.toBytes()).toString('hex');

/** Asserts that `promise` rejects with exactly this class and message. */
async function rejectsWith(promise: Promise<unknown>, type: abstract new (...args: never[]) => Error, message: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  expect((error as Error).message).toBe(message);
}

describe('fit options, refused before training', () => {
  it('validationSplit 0 and 1 are outside the open interval (0, 1)', async () => {
    for (const split of [0, 1]) {
      const n = net();
      const before = bytes(n);
      await rejectsWith(
        n.fit(X, Y, { validationSplit: split }),
        ConfigError,
        `fit options.validationSplit must be a fraction strictly between 0 and 1 (the share of rows held out), got ${split}`,
      );
      expect(bytes(n)).toBe(before);
    }
  });

  it('a callback that is not an object (a number, a string) is refused by its index', async () => {
    await rejectsWith(net().fit(X, Y, { callbacks: [{}, 5] as never }), ConfigError, 'fit options.callbacks[1] must be an object with hooks such as onEpochEnd, got 5');
    await rejectsWith(net().fit(X, Y, { callbacks: ['onEpochEnd'] as never }), ConfigError, 'fit options.callbacks[0] must be an object with hooks such as onEpochEnd, got "onEpochEnd"');
  });

  it('a signal must be an AbortSignal: a function with an `aborted` field is not one', async () => {
    const fake = Object.assign(() => undefined, { aborted: false });
    await rejectsWith(net().fit(X, Y, { signal: fake as never }), ConfigError, 'fit options.signal must be an AbortSignal, got a function');
  });

  it('an async onTrainBegin that rejects rejects the fit, with nothing trained', async () => {
    const n = net();
    const before = bytes(n);
    const failure = new Error('setup failed');
    let epochs = 0;
    await expect(
      n.fit(X, Y, {
        epochs: 3,
        onTrainBegin: async () => {
          await new Promise((r) => setTimeout(r, 1));
          throw failure;
        },
        onEpochEnd: () => void epochs++,
      }),
    ).rejects.toBe(failure);
    expect(epochs).toBe(0);
    expect(bytes(n)).toBe(before);
  });
});

describe('control.restoreWeights', () => {
  it('refuses a snapshot of the wrong length or type, naming the expected length (3 here) and what it got', async () => {
    await rejectsWith(
      net().fit(X, Y, { onTrainBegin: (control) => control.restoreWeights(new Float64Array(5)) }),
      ShapeError,
      'restoreWeights expects a Float64Array of 3 values from snapshotWeights(), got a Float64Array of length 5',
    );
    await rejectsWith(
      net().fit(X, Y, { onTrainBegin: (control) => control.restoreWeights([1, 2, 3] as never) }),
      ShapeError,
      'restoreWeights expects a Float64Array of 3 values from snapshotWeights(), got an array of length 3',
    );
  });
});
