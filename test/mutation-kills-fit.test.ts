// fit's options and its control object, where the mutation run of src/training/fit.ts found
// them unpinned (test/mutation/REPORT.md): the exact refusal for each bad value, through the
// public API, and that a refused call leaves the network as it was.
import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, Network, ShapeError, dense, init } from 'wasmnet';

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

// Found by the run of the loop (lines 266–535 of src/training/fit.ts).
describe('fit: the loop', () => {
  it('a validationSplit that leaves no row on one side says how many it leaves each', async () => {
    // 4 rows: ⌊4 · (1 − 0.9)⌋ = 0 for training; 1 − 1e-17 is 1 in f64, so ⌊4 · 1⌋ = 4
    await rejectsWith(net().fit(X, Y, { validationSplit: 0.9 }), ConfigError, 'fit options.validationSplit 0.9 of 4 samples leaves 0 for training and 4 for validation; both need at least one');
    await rejectsWith(net().fit(X, Y, { validationSplit: 1e-17 }), ConfigError, 'fit options.validationSplit 1e-17 of 4 samples leaves 4 for training and 0 for validation; both need at least one');
  });

  it('accuracy on a regression loss names fit in its refusal', async () => {
    await rejectsWith(
      net().fit(X, Y, { metrics: ['accuracy'] }),
      ConfigError,
      'fit options.metrics: "accuracy" needs a classification loss (categoricalCrossentropy, sparseCategoricalCrossentropy or binaryCrossentropy), but the loss is "mse"; use "mae" or "mse" for regression',
    );
  });

  it('control.epoch is −1 in onTrainBegin (documented: "-1 before the first")', async () => {
    let seen: number | undefined;
    await net().fit(X, Y, { onTrainBegin: (control) => void (seen = control.epoch) });
    expect(seen).toBe(-1);
  });

  it('onTrainEnd: an async one is awaited; one that throws rejects the fit; the first error of the call wins', async () => {
    let finished = false;
    await net().fit(X, Y, {
      onTrainEnd: async () => {
        await new Promise((r) => setTimeout(r, 5));
        finished = true;
      },
    });
    expect(finished).toBe(true);

    const late = new Error('onTrainEnd failed');
    await expect(net().fit(X, Y, { epochs: 2, onTrainEnd: () => { throw late; } })).rejects.toBe(late);

    const first = new Error('onEpochEnd failed');
    let ended = false;
    await expect(
      net().fit(X, Y, {
        epochs: 3,
        onEpochEnd: () => { throw first; },
        onTrainEnd: () => {
          ended = true;
          throw late;
        },
      }),
    ).rejects.toBe(first);
    expect(ended).toBe(true); // onTrainEnd still ran
  });

  it('an abort with no reason rejects with an AbortError "training was aborted"', async () => {
    const signal = { aborted: false, reason: undefined };
    const n = net();
    const error = await n
      .fit(X, Y, {
        epochs: 5,
        onEpochEnd: () => void (signal.aborted = true),
        signal: signal as never,
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('AbortError');
    expect((error as Error).message).toBe('training was aborted');
  });

  it('validationData: a row of the wrong width is named as validationData[0]; bad class indices by their place', async () => {
    const sparse = () => new Network({ inputSize: 2, layers: [dense(3, { activation: 'softmax' })], loss: 'sparseCategoricalCrossentropy', seed: 2 });
    const y = [[0], [1], [2], [1]];
    await rejectsWith(net().fit(X, Y, { validationData: [[[1]], [[1]]] }), ShapeError, 'validationData[0][0] has 1 value, expected 2');
    for (const label of [3, -1, 1.5]) {
      await rejectsWith(
        sparse().fit(X, y, { validationData: [[[0, 1], [1, 1]], [[0], [label]]] }),
        DataError,
        `validationData[1][1][0] is ${label}; sparseCategoricalCrossentropy needs class indices, integers in [0, 3)`,
      );
    }
    await rejectsWith(
      sparse().fit(X, y, { validationData: [{ input: [0, 1], output: [3] }] }),
      DataError,
      'validationData[0].output[0] is 3; sparseCategoricalCrossentropy needs class indices, integers in [0, 3)',
    );
    // the largest valid index, 2, is accepted
    await sparse().fit(X, y, { validationData: [[[0, 1]], [[2]]] });
  });

  it('every path fit takes (whole epochs in the core, epoch callbacks, batch callbacks) gives the same history, accuracy and errors included', async () => {
    const classifier = () => new Network({ inputSize: 2, layers: [dense(5, { activation: 'tanh' }), dense(2, { activation: 'softmax' })], loss: 'categoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.05 }, seed: 9 });
    const x = Array.from({ length: 23 }, (_, i) => [Math.sin(i), Math.cos(3 * i)]);
    const y = x.map(([a, b]) => (a! * b! > 0 ? [1, 0] : [0, 1]));
    const options = { epochs: 6, batchSize: 5, metrics: ['accuracy', 'mae', 'mse'] as const };
    const plain = await classifier().fit(x, y, { ...options, metrics: [...options.metrics] });
    const perEpoch = await classifier().fit(x, y, { ...options, metrics: [...options.metrics], onEpochEnd: () => undefined });
    const batchLogs: object[] = [];
    const perBatch = await classifier().fit(x, y, { ...options, metrics: [...options.metrics], onBatchEnd: (_b, logs) => void batchLogs.push({ ...logs }) });
    expect(perEpoch).toEqual(plain);
    expect(perBatch).toEqual(plain);
    // accuracy is a share of the 23 rows, errors are means: all within [0, 1] here
    for (const v of [...plain.accuracy!, ...plain.mae!, ...plain.mse!]) expect(v >= 0 && v <= 1).toBe(true);
    for (const a of plain.accuracy!) expect(Number.isInteger(Math.round(a * 23 * 1e9) / 1e9)).toBe(true);
    // batch logs carry exactly the chosen metrics; 23 rows in batches of 5: 5 batches an epoch
    expect(batchLogs).toHaveLength(30);
    expect(Object.keys(batchLogs[4]!).sort()).toEqual(['accuracy', 'loss', 'mae', 'mse', 'size']);
    expect(batchLogs.map((l) => (l as { size: number }).size).slice(0, 5)).toEqual([5, 5, 5, 5, 3]);
    const regressionLogs: object[] = [];
    await net().fit(X, Y, { onBatchEnd: (_b, logs) => void regressionLogs.push({ ...logs }) });
    expect(Object.keys(regressionLogs[0]!).sort()).toEqual(['loss', 'size']);
  });
});

describe('fit: control and callbacks on every path', () => {
  it('control.epoch is the last epoch in onTrainEnd, also when the core trained several epochs per call', async () => {
    let last: number | undefined;
    await net().fit(X, Y, { epochs: 7, onTrainEnd: (_h, control) => void (last = control.epoch) });
    expect(last).toBe(6);
  });

  it('onBatchEnd runs when only one of several callbacks has it', async () => {
    let batches = 0;
    await net().fit(X, Y, { epochs: 2, batchSize: 2, callbacks: [{ onEpochEnd: () => undefined }, { onBatchEnd: () => void batches++ }] });
    expect(batches).toBe(4); // 4 rows in batches of 2, 2 epochs
  });

  it('control.stop() in onEpochBegin ends the fit before that epoch trains; without it every epoch runs', async () => {
    const stopped = await net().fit(X, Y, { epochs: 5, onEpochBegin: (epoch, control) => (epoch === 2 ? control.stop() : undefined) });
    expect(stopped.epochs).toBe(2);
    expect(stopped.loss).toHaveLength(2);
    const all = await net().fit(X, Y, { epochs: 5, onEpochBegin: () => undefined });
    expect(all.epochs).toBe(5);
  });

  it("the batches' mae and mse, weighted by their sizes, average to the epoch's", async () => {
    const x = Array.from({ length: 11 }, (_, i) => [Math.sin(i), i / 11]);
    const y = x.map(([a, b]) => [a! - 2 * b!]);
    const logs: { mae: number; mse: number; size: number }[] = [];
    const history = await net().fit(x, y, { epochs: 3, batchSize: 4, metrics: ['mae', 'mse'], onBatchEnd: (_b, l) => void logs.push(l as never) });
    expect(logs).toHaveLength(9); // 11 rows in batches of 4: 3 an epoch
    for (let e = 0; e < 3; e++) {
      const epoch = logs.slice(3 * e, 3 * e + 3);
      const rows = epoch.reduce((n, l) => n + l.size, 0);
      expect(rows).toBe(11);
      expect(epoch.reduce((s, l) => s + l.mae * l.size, 0) / rows).toBeCloseTo(history.mae![e]!, 12);
      expect(epoch.reduce((s, l) => s + l.mse * l.size, 0) / rows).toBeCloseTo(history.mse![e]!, 12);
    }
  });
});

describe('fit: more of the loop', () => {
  it('a validationSplit that leaves exactly one training row trains', async () => {
    const history = await net().fit([[0, 1], [1, 0]], [[1], [1]], { validationSplit: 0.5, epochs: 2 });
    expect(history.epochs).toBe(2);
    expect(history.valLoss).toHaveLength(2);
  });

  it('an async onEpochBegin is awaited: a rate it sets after an await is the epoch\'s rate', async () => {
    const history = await net().fit(X, Y, {
      epochs: 3,
      onEpochBegin: async (epoch, control) => {
        await new Promise((r) => setTimeout(r, 1));
        control.learningRate = 0.01 * (epoch + 1);
      },
    });
    expect(history.learningRate).toEqual([0.01, 0.02, 0.03]);
  });

  it('epoch logs carry only the chosen metrics (a regression fit: no accuracy, trained or validated)', async () => {
    const keys: string[][] = [];
    await net().fit(X, Y, { epochs: 1, validationData: [X, Y], onEpochEnd: (_e, logs) => void keys.push(Object.keys(logs).sort()) });
    expect(keys).toEqual([['learningRate', 'loss', 'valLoss']]);
  });

  it('validationData whose x and y differ in rows names both counts', async () => {
    await rejectsWith(net().fit(X, Y, { validationData: [[[0, 1], [1, 1]], [[1]]] }), ShapeError, 'validationData: x has 2 rows but y has 1; each input row needs one target row');
  });

  it("with two outputs, the batches' mae, weighted by their sizes, averages to the epoch's", async () => {
    const two = new Network({ inputSize: 2, layers: [dense(2)], loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.1 }, seed: 6 });
    const x = Array.from({ length: 7 }, (_, i) => [Math.cos(i), i / 7]);
    const y = x.map(([a, b]) => [a! + b!, a! - b!]);
    const logs: { mae: number; size: number }[] = [];
    const history = await two.fit(x, y, { epochs: 1, batchSize: 3, metrics: ['mae'], onBatchEnd: (_b, l) => void logs.push(l as never) });
    expect(logs.map((l) => l.size)).toEqual([3, 3, 1]);
    expect(logs.reduce((s, l) => s + l.mae * l.size, 0) / 7).toBeCloseTo(history.mae![0]!, 12);
  });
});
