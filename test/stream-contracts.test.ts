// fitDataset's documented behaviour, case by case (the mutation run of src/training/stream.ts
// found these unasserted; test/mutation/REPORT.md): every refusal with its whole message, the
// sources it reads (sync, async, per epoch, resumed across epochs by batchesPerEpoch) and how far
// ahead, the callbacks and stops, schedules, yields, the logs of each batch and epoch against
// fit's on the same batches, and validation as a stream. Small networks, public imports only.
import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, Network, ShapeError, dense, init, type Batch, type BatchLogs, type EpochLogs, type NetworkConfig } from 'wasmnet';

await init();

/** 3 inputs → 3 classes (sparse labels), or 3 inputs → 2 regression outputs. */
const classifier = (extra: Partial<NetworkConfig> = {}): Network =>
  new Network({ inputSize: 3, layers: [dense(5, { activation: 'tanh' }), dense(3, { activation: 'softmax' })], loss: 'sparseCategoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.05 }, seed: 7, ...extra });
const regressor = (extra: Partial<NetworkConfig> = {}): Network =>
  new Network({ inputSize: 3, layers: [dense(5, { activation: 'tanh' }), dense(2)], loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.1 }, seed: 7, ...extra });

/** `n` rows of 3 inputs, a sparse label and 2 regression targets, from a small LCG. */
function data(n: number, seed: number): { x: number[][]; label: number[][]; target: number[][] } {
  let s = seed >>> 0;
  const r = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  const x = Array.from({ length: n }, () => [r(), r(), r()]);
  return { x, label: x.map(([a, b]) => [a! + b! > 0.2 ? 2 : a! > 0 ? 1 : 0]), target: x.map(([a, b, c]) => [a! * b!, b! - c!]) };
}
const D = data(40, 1);
const V = data(512, 2); // 512 validation rows: exactly two 256-row chunks

/** The rows cut into batches of `size` (the last one shorter). */
function cut(x: number[][], y: number[][], size: number): Batch[] {
  const out: Batch[] = [];
  for (let i = 0; i < x.length; i += size) out.push({ x: x.slice(i, i + size), y: y.slice(i, i + size) });
  return out;
}
const LABELLED = cut(D.x, D.label, 8); // 5 batches of 8
const REGRESSION = cut(D.x, D.target, 8);

async function* asyncOf<T>(items: Iterable<T>, onRead?: () => void): AsyncGenerator<T> {
  for (const item of items) {
    onRead?.();
    yield item;
  }
}
const hex = (net: Network): string => Buffer.from(net.toBytes()).toString('hex');

describe('fitDataset options: refused before the dataset is read, with the whole message', () => {
  const untouched = () => {
    throw new Error('the dataset was read');
  };

  it('options that are not an object', async () => {
    const net = classifier();
    for (const [bad, shown] of [[null, 'null'], [[], 'an array of length 0'], [5, '5']] as const) {
      await expect(net.fitDataset(untouched, bad as never)).rejects.toThrow(new ConfigError(`fitDataset options must be an object, got ${shown}`));
    }
  });

  it('an unknown option lists the ones there are; batchSize, shuffle and validationSplit say what to do instead', async () => {
    const net = classifier();
    await expect(net.fitDataset(untouched, { bogus: 1 } as never)).rejects.toThrow(
      new ConfigError(
        'fitDataset options: unknown option "bogus"; expected one of "epochs", "onEpochEnd", "yieldEvery", "validationData", "metrics", "callbacks", "learningRate", "signal", "onTrainBegin", "onEpochBegin", "onBatchEnd", "onTrainEnd", "batchesPerEpoch"',
      ),
    );
    await expect(net.fitDataset(untouched, { shuffle: true } as never)).rejects.toThrow(
      new ConfigError('fitDataset options: "shuffle" is not an option here: shuffle in the dataset (shuffle() over each chunk, or a shuffled order of files or rows)'),
    );
    await expect(net.fitDataset(untouched, { validationSplit: 0.2 } as never)).rejects.toThrow(
      new ConfigError('fitDataset options: "validationSplit" is not an option here: give validationData (a dataset of its own)'),
    );
  });

  it("fit's options keep their messages, named fitDataset", async () => {
    const net = regressor();
    await expect(net.fitDataset(untouched, { metrics: ['accuracy'] })).rejects.toThrow(
      new ConfigError(
        'fitDataset options.metrics: "accuracy" needs a classification loss (categoricalCrossentropy, sparseCategoricalCrossentropy or binaryCrossentropy), but the loss is "mse"; use "mae" or "mse" for regression',
      ),
    );
    await expect(net.fitDataset(untouched, { learningRate: () => -1 })).rejects.toThrow(
      new ConfigError("fitDataset options.learningRate: the schedule's rate for epoch 0 must be a finite learning rate ≥ 0, got -1"),
    );
  });

  it('validationData that is neither a dataset, [x, y] nor samples', async () => {
    const net = classifier();
    for (const [bad, shown] of [[{}, 'an object'], [[1, 2, 3], 'an array of length 3'], [7, '7']] as const) {
      await expect(net.fitDataset(untouched, { validationData: bad as never })).rejects.toThrow(
        new ConfigError(
          `fitDataset options.validationData must be a dataset (batches { x, y }, or a function returning them), [x, y] or { input, output } samples, got ${shown}`,
        ),
      );
    }
  });

  it('a validation generator for more than one epoch: refused (batchesPerEpoch does not apply to it)', async () => {
    const net = classifier();
    const before = hex(net);
    const message =
      'fitDataset options.validationData is an iterator (a generator, say), which can be read only once, but 2 epochs need 2 passes: pass a function that returns a new one for each epoch, e.g. () => batches()';
    await expect(net.fitDataset(LABELLED, { epochs: 2, validationData: asyncOf(cut(V.x, V.label, 64)) })).rejects.toThrow(new ConfigError(message));
    await expect(net.fitDataset(LABELLED, { epochs: 2, batchesPerEpoch: 2, validationData: cut(V.x, V.label, 64).values() })).rejects.toThrow(new ConfigError(message));
    expect(hex(net)).toBe(before);
  });
});

describe('fitDataset datasets and sources', () => {
  it('what is not a dataset, with its message', async () => {
    const net = classifier();
    const message = (shown: string) =>
      new ShapeError(`fitDataset: the dataset must be an iterable of { x, y } batches (an array, a generator, an async generator) or a function returning one for each epoch, got ${shown}`);
    await expect(net.fitDataset(42 as never)).rejects.toThrow(message('42'));
    await expect(net.fitDataset(null as never)).rejects.toThrow(message('null'));
    await expect(net.fitDataset({} as never)).rejects.toThrow(message('an object'));
    await expect(net.fitDataset([5] as never)).rejects.toThrow(message('an array of length 1'));
    await expect(net.fitDataset('abc' as never)).rejects.toThrow(message('"abc"')); // iterable, but no batches
  });

  it('an async generator is read once: more than one epoch needs a function; an async iterable that makes a new iterator per pass is read again', async () => {
    const net = classifier();
    await expect(net.fitDataset(asyncOf(LABELLED), { epochs: 2 })).rejects.toThrow(
      new ConfigError(
        'fitDataset: the dataset is an iterator (a generator, say), which can be read only once, but 2 epochs need 2 passes: pass a function that returns a new one for each epoch, e.g. () => batches(), or set batchesPerEpoch',
      ),
    );
    let read = 0;
    const reusable = { [Symbol.asyncIterator]: () => asyncOf(LABELLED, () => read++)[Symbol.asyncIterator]() };
    const history = await net.fitDataset(reusable, { epochs: 3 });
    expect(history.epochs).toBe(3);
    expect(read).toBe(15); // 5 batches in each of 3 passes
  });

  it("a dataset function's result that is no source names the epoch; so does the validation function's", async () => {
    const net = classifier();
    await expect(net.fitDataset((epoch) => (epoch === 0 ? LABELLED : (null as never)), { epochs: 2 })).rejects.toThrow(
      new ShapeError("fitDataset: the dataset function's result for epoch 1 must be an iterable of { x, y } batches (an array, a generator, an async generator) or a function returning one, got null"),
    );
    const notASource = (shown: string) =>
      new ShapeError(`fitDataset: the dataset function's result for epoch 0 must be an iterable of { x, y } batches (an array, a generator, an async generator) or a function returning one, got ${shown}`);
    await expect(net.fitDataset(() => 'abc' as never)).rejects.toThrow(notASource('"abc"'));
    await expect(net.fitDataset(() => ({}) as never)).rejects.toThrow(notASource('an object'));
    await expect(net.fitDataset(LABELLED, { validationData: () => 5 as never })).rejects.toThrow(
      new ShapeError('fitDataset options.validationData must be an iterable of { x, y } batches (an array, a generator, an async generator) or a function returning one, got 5'),
    );
  });

  it('iterators that break the protocol: no next(), a promise from a sync next(), a result that is not { value, done }', async () => {
    const net = classifier();
    const before = hex(net);
    await expect(net.fitDataset({ [Symbol.iterator]: () => ({}) } as never)).rejects.toThrow(new ShapeError('fitDataset: the dataset: its iterator has no next() method'));
    await expect(net.fitDataset({ [Symbol.iterator]: () => null } as never)).rejects.toThrow(new ShapeError('fitDataset: the dataset: its iterator has no next() method'));
    await expect(net.fitDataset({ [Symbol.iterator]: () => ({ next: async () => ({ value: LABELLED[0], done: false }) }) } as never)).rejects.toThrow(
      new ShapeError("fitDataset: the dataset: its iterator's next() returned a promise; make it an async iterable (Symbol.asyncIterator)"),
    );
    await expect(net.fitDataset({ [Symbol.iterator]: () => ({ next: () => 5 }) } as never)).rejects.toThrow(
      new ShapeError("fitDataset: the dataset: its iterator's next() returned 5, not { value, done }"),
    );
    await expect(net.fitDataset({ [Symbol.asyncIterator]: () => ({ next: async () => null }) } as never)).rejects.toThrow(
      new ShapeError("fitDataset: the dataset: its iterator's next() returned null, not { value, done }"),
    );
    expect(hex(net)).toBe(before);
  });

  it('a batch that is not { x, y } names its epoch and batch (the tfjs hint only for xs/ys); a bad y is named y', async () => {
    const net = regressor();
    await expect(net.fitDataset([REGRESSION[0]!, 5 as never])).rejects.toThrow(new ShapeError('fitDataset: epoch 0 batch 1 must be { x, y }, got 5'));
    await expect(net.fitDataset([REGRESSION[0]!, { x: REGRESSION[1]!.x } as never])).rejects.toThrow(new ShapeError('fitDataset: epoch 0 batch 1 must be { x, y }, got an object'));
    await expect(net.fitDataset([{ x: [[1, 2, 3]], y: [[1]] }])).rejects.toThrow(new ShapeError('fitDataset: epoch 0 batch 0: y[0] has 1 value, expected 2'));
    await expect(net.fitDataset([{ x: [[1, 2, 3]], y: [[1, Infinity]] }])).rejects.toThrow(new DataError('fitDataset: epoch 0 batch 0: y[0][1] is Infinity; every value must be a finite number'));
  });

  it('async sources are read one batch ahead, sync ones are not; never beyond an epoch’s last batch', async () => {
    const net = classifier();
    let read = 0;
    const readBy: number[] = [];
    await net.fitDataset(() => asyncOf(LABELLED, () => read++), { onBatchEnd: () => void readBy.push(read) });
    expect(readBy).toEqual([2, 3, 4, 5, 5]); // batch 0 trained while batch 1 was being read
    read = 0;
    readBy.length = 0;
    function* counted(): Generator<Batch> {
      for (const b of LABELLED) {
        read++;
        yield b;
      }
    }
    await net.fitDataset(counted, { onBatchEnd: () => void readBy.push(read) });
    expect(readBy).toEqual([1, 2, 3, 4, 5]);
    // an endless async source, 4 batches per epoch: 12 batches read for 3 epochs, not 13
    let made = 0;
    async function* endless(): AsyncGenerator<Batch> {
      for (;;) {
        made++;
        yield LABELLED[made % 5]!;
      }
    }
    const madeBy: number[] = [];
    expect((await net.fitDataset(endless(), { epochs: 3, batchesPerEpoch: 4, onBatchEnd: () => void madeBy.push(made) })).epochs).toBe(3);
    expect(made).toBe(12);
    expect(madeBy).toEqual([2, 3, 4, 4, 6, 7, 8, 8, 10, 11, 12, 12]); // one ahead within each epoch
  });

  it('batchesPerEpoch: an epoch may end early when a pass ends; the next epoch starts a new pass (the function is called again)', async () => {
    const net = classifier();
    const twin = classifier();
    const calls: number[] = [];
    const sizes: number[] = [];
    const three = LABELLED.slice(0, 3);
    const history = await net.fitDataset((epoch) => (calls.push(epoch), three), {
      epochs: 3,
      batchesPerEpoch: 2,
      onEpochEnd: (_, logs) => void sizes.push(logs.loss),
      onEpochBegin: (_, c) => expect(c.batchesPerEpoch).toBe(2),
    });
    expect(history.epochs).toBe(3);
    expect(calls).toEqual([0, 2]); // epoch 1 continued the first pass (one batch left), epoch 2 began a new one
    for (const b of [three[0], three[1], three[2], three[0], three[1]]) twin.trainBatch(b!.x, b!.y);
    expect(hex(net)).toBe(hex(twin));
  });

  it('a generator continued by batchesPerEpoch that runs out: the epoch with no batch is an error saying so', async () => {
    const net = classifier();
    await expect(net.fitDataset(LABELLED.slice(0, 2).values(), { epochs: 2, batchesPerEpoch: 2 })).rejects.toThrow(
      new ShapeError('fitDataset: the dataset gave no batches for epoch 1: it ran out (a generator is read once; pass a function that returns a new one for each epoch)'),
    );
    await expect(net.fitDataset((epoch) => (epoch === 0 ? LABELLED : []), { epochs: 2 })).rejects.toThrow(new ShapeError('fitDataset: the dataset gave no batches for epoch 1'));
    await expect(net.fitDataset([].values())).rejects.toThrow(new ShapeError('fitDataset: the dataset gave no batches for epoch 0'));
  });
});

describe('fitDataset callbacks, control and stops', () => {
  it('the control: epoch −1 before the first epoch, no validation samples without validation, samples and batches from the first epoch', async () => {
    const net = classifier();
    const seen: string[] = [];
    let begin = NaN;
    // 5 batches in epoch 0, 3 in the later ones: the control keeps what the first epoch learned
    const first = [...LABELLED, { x: D.x.slice(0, 3), y: D.label.slice(0, 3) }]; // 6 batches, 43 rows: the last of 3
    const later = [{ x: D.x.slice(0, 3), y: D.label.slice(0, 3) }, ...LABELLED.slice(2)]; // 4 batches, the first of 3 rows
    await net.fitDataset((epoch) => (epoch === 0 ? first : later), {
      epochs: 3,
      onTrainBegin: (c) => void (begin = c.epoch),
      onEpochBegin: (e, c) => void seen.push(`${e}: ${c.samples} ${c.batchSize} ${c.batchesPerEpoch} ${c.validationSamples}`),
    });
    expect(begin).toBe(-1);
    expect(seen).toEqual(['0: NaN NaN NaN 0', '1: 43 8 6 0', '2: 43 8 6 0']);
    // validation as a dataset: its rows counted in the first epoch (100), kept when later ones differ
    seen.length = 0;
    await net.fitDataset(() => LABELLED, {
      epochs: 3,
      validationData: (epoch) => cut(V.x.slice(0, epoch === 0 ? 100 : 50), V.label.slice(0, epoch === 0 ? 100 : 50), 64),
      onEpochBegin: (e, c) => void seen.push(`${e}: ${c.validationSamples}`),
    });
    expect(seen).toEqual(['0: NaN', '1: 100', '2: 100']);
    // validation as [x, y]: its rows are known from the start; batchesPerEpoch is the option's
    // value even when the first pass ends sooner
    seen.length = 0;
    await net.fitDataset(() => LABELLED.slice(0, 3), {
      epochs: 2,
      batchesPerEpoch: 4,
      validationData: [V.x, V.label],
      onEpochBegin: (e, c) => void seen.push(`${e}: ${c.samples} ${c.batchesPerEpoch} ${c.validationSamples}`),
    });
    expect(seen).toEqual(['0: NaN 4 512', '1: 24 4 512']);
  });

  it('async hooks are awaited; a stop from onEpochBegin, onBatchEnd (false or control.stop()) or an async onEpochEnd takes effect where documented', async () => {
    const net = classifier();
    const twin = classifier();
    // an async onEpochBegin finishes before the epoch's first batch
    const order: string[] = [];
    await net.fitDataset(LABELLED.slice(0, 1), {
      onEpochBegin: async () => {
        await new Promise((r) => setTimeout(r, 1));
        order.push('begin');
      },
      onBatchEnd: () => void order.push('batch'),
    });
    expect(order).toEqual(['begin', 'batch']);
    twin.trainBatch(LABELLED[0]!.x, LABELLED[0]!.y);
    // onBatchEnd that returns nothing: the whole epoch; false at batch 1: two batches, then the end
    const batches: number[] = [];
    await net.fitDataset(LABELLED, { onBatchEnd: (b) => void batches.push(b) });
    expect(batches).toEqual([0, 1, 2, 3, 4]);
    for (const b of LABELLED) twin.trainBatch(b.x, b.y);
    const h1 = await net.fitDataset(() => LABELLED, { epochs: 3, onBatchEnd: async (b) => b !== 1 });
    expect(h1.epochs).toBe(1);
    for (const b of LABELLED.slice(0, 2)) twin.trainBatch(b.x, b.y);
    expect(hex(net)).toBe(hex(twin));
    // control.stop() in onBatchEnd: the same
    const h2 = await net.fitDataset(() => LABELLED, { epochs: 3, onBatchEnd: (b, _, c) => void (b === 0 && c.stop()) });
    expect(h2.epochs).toBe(1);
    twin.trainBatch(LABELLED[0]!.x, LABELLED[0]!.y);
    expect(hex(net)).toBe(hex(twin));
    // a stop in onEpochBegin: that epoch reads no batch
    const calls: number[] = [];
    const h3 = await net.fitDataset((e) => (calls.push(e), LABELLED), { epochs: 3, onEpochBegin: (e, c) => void (e === 1 && c.stop()) });
    expect(h3.epochs).toBe(1);
    expect(calls).toEqual([0]);
    for (const b of LABELLED) twin.trainBatch(b.x, b.y);
    expect(hex(net)).toBe(hex(twin));
    // an async onEpochEnd resolving false
    const h4 = await net.fitDataset(() => LABELLED, { epochs: 3, onEpochEnd: async () => false });
    expect(h4.epochs).toBe(1);
  });

  it('return() is called on the source only when reading stops before its end', async () => {
    const net = classifier();
    let returned = 0;
    const source = () => {
      let i = 0;
      return {
        [Symbol.iterator]: () => ({
          next: (): IteratorResult<Batch> => (i < 5 ? { value: LABELLED[i++]!, done: false } : { value: undefined, done: true }),
          return: (): IteratorResult<Batch> => (returned++, { value: undefined, done: true }),
        }),
      };
    };
    await net.fitDataset(source, { epochs: 2 });
    expect(returned).toBe(0); // read to the end: nothing to release (as for...of)
    await net.fitDataset(source, { epochs: 2, onBatchEnd: (b) => b !== 2 });
    expect(returned).toBe(1);
  });

  it("a source whose return() throws: that error rejects the fit, unless an earlier one came first", async () => {
    const net = classifier();
    const closing = (first?: Error) => ({
      [Symbol.iterator]() {
        let i = 0;
        return {
          next: () => {
            if (first !== undefined && i === 1) throw first;
            return { value: LABELLED[i++ % 5]!, done: false };
          },
          return: () => {
            throw new Error('cannot close');
          },
        };
      },
    });
    // stopped after batch 0: closing the source fails, and the fit says so
    await expect(net.fitDataset(closing(), { batchesPerEpoch: 3, onBatchEnd: () => false })).rejects.toThrow('cannot close');
    // the read failed first: that is the error
    await expect(net.fitDataset(closing(new Error('read failed')), { batchesPerEpoch: 3 })).rejects.toThrow('read failed');
  });

  it('a learning-rate schedule sets each epoch’s rate, as in fit', async () => {
    const net = classifier();
    const twin = classifier();
    const schedule = (epoch: number) => 0.05 / (epoch + 1);
    const history = await net.fitDataset(() => LABELLED, { epochs: 3, learningRate: schedule });
    const expected = await twin.fit(D.x, D.label, { epochs: 3, batchSize: 8, shuffle: false, learningRate: schedule });
    expect(history.learningRate).toEqual([0.05, 0.025, 0.05 / 3]);
    expect(history).toEqual(expected);
    expect(hex(net)).toBe(hex(twin));
  });

  it('yieldEvery: Infinity never yields to the event loop; 0 yields after every batch; a finite rate only once that much time has passed', async () => {
    const many = Array.from({ length: 40 }, (_, i) => LABELLED[i % 5]!);
    const timerDuring = async (yieldEvery: number): Promise<boolean> => {
      let fired = false;
      const t = setTimeout(() => (fired = true), 0);
      await classifier().fitDataset(many, { yieldEvery });
      clearTimeout(t);
      return fired;
    };
    expect(await timerDuring(Infinity)).toBe(false);
    expect(await timerDuring(1e12)).toBe(false);
    expect(await timerDuring(0)).toBe(true);
  });
});

describe('fitDataset logs, as fit’s on the same batches', () => {
  const same = async (make: () => Network, x: number[][], y: number[][], metrics: ('accuracy' | 'mae' | 'mse')[]) => {
    const a = make();
    const b = make();
    const streamed: object[] = [];
    const resident: object[] = [];
    const record = (into: object[]) => ({ onBatchEnd: (_: number, logs: BatchLogs) => void into.push({ ...logs }), onEpochEnd: (_: number, logs: EpochLogs) => void into.push({ ...logs }) });
    const vx = V.x;
    const vy = y === D.label ? V.label : V.target;
    const h1 = await a.fitDataset(() => cut(x, y, 8), { epochs: 2, metrics, callbacks: [record(streamed)], validationData: () => cut(vx, vy, 100) });
    const h2 = await b.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, metrics, callbacks: [record(resident)], validationData: [vx, vy] });
    expect(streamed).toEqual(resident);
    expect(h1).toEqual(h2);
    expect(hex(a)).toBe(hex(b));
    expect(streamed).toHaveLength(12); // 5 batches and the epoch, twice
    return { logs: streamed.filter((l): l is BatchLogs => 'size' in l), epochs: streamed.filter((l) => !('size' in l)), history: h1 };
  };

  it('classification: batch logs with accuracy, mae and mse; validation streamed in 100-row batches over exactly two 256-row chunks', async () => {
    const { logs, history } = await same(classifier, D.x, D.label, ['accuracy', 'mae', 'mse']);
    expect(Object.keys(logs[0]!).sort()).toEqual(['accuracy', 'loss', 'mae', 'mse', 'size']);
    expect(logs.map((l) => l.size)).toEqual([8, 8, 8, 8, 8, 8, 8, 8, 8, 8]);
    expect(history.valLoss!.every(Number.isFinite)).toBe(true);
    expect(Object.keys(history).sort()).toEqual(['accuracy', 'epochs', 'learningRate', 'loss', 'mae', 'mse', 'valAccuracy', 'valLoss', 'valMae', 'valMse']);
  });

  it('regression, two outputs: mae and mse per value; with no metrics, only the loss', async () => {
    const { logs } = await same(regressor, D.x, D.target, ['mae', 'mse']);
    expect(Object.keys(logs[0]!).sort()).toEqual(['loss', 'mae', 'mse', 'size']);
    const bare = await same(regressor, D.x, D.target, []);
    expect(Object.keys(bare.logs[0]!).sort()).toEqual(['loss', 'size']);
    expect(Object.keys(bare.epochs[0]!).sort()).toEqual(['learningRate', 'loss', 'valLoss']);
    expect(Object.keys(bare.history).sort()).toEqual(['epochs', 'learningRate', 'loss', 'valLoss']);
  });

  it('regression with validationData as [x, y] of full-width targets', async () => {
    const a = regressor();
    const b = regressor();
    const h1 = await a.fitDataset(REGRESSION, { metrics: ['mse'], validationData: [V.x, V.target] });
    const h2 = await b.fit(D.x, D.target, { batchSize: 8, shuffle: false, metrics: ['mse'], validationData: [V.x, V.target] });
    expect(h1).toEqual(h2);
  });
});

describe('fitDataset validation as a stream', () => {
  it('a bad validation batch names its epoch and batch, and the validation source is closed', async () => {
    const net = classifier();
    let closed = 0;
    function* validation(): Generator<Batch> {
      try {
        yield { x: V.x.slice(0, 10), y: V.label.slice(0, 10) };
        yield { xs: V.x.slice(10, 20) } as never;
      } finally {
        closed++;
      }
    }
    await expect(net.fitDataset(LABELLED, { validationData: validation })).rejects.toThrow(
      new ShapeError('fitDataset options.validationData: epoch 0 batch 1 must be { x, y }, got an object'),
    );
    expect(closed).toBe(1);
    await expect(net.fitDataset(LABELLED, { validationData: () => [] })).rejects.toThrow(new ShapeError('fitDataset options.validationData gave no batches for epoch 0'));
    await expect(net.fitDataset(LABELLED, { validationData: () => [{ x: [[1, 2, 3]], y: [[3]] }] })).rejects.toThrow(
      new DataError('fitDataset options.validationData: epoch 0 batch 0: y[0][0] is 3; sparseCategoricalCrossentropy needs class indices, integers in [0, 3)'),
    );
  });
});
