// fitDataset: training from a stream of { x, y } batches. Given the same batches in the same
// order it trains exactly as fit (weights, optimizer state, generators and every log, bit for
// bit) on both backends and with threads; sync, async and per-epoch sources; validation as a
// stream; callbacks, early stopping, abort, progress; bounded memory; exact errors.
import { describe, expect, it } from 'vitest';
import { rows } from './helpers/data';
import { ConfigError, DataError, Network, ShapeError, dense, dropout, earlyStopping, init, progressBar, type Batch, type NetworkConfig } from 'wasmnet';
import { initThreads, threadsInfo } from 'wasmnet/threads';

await init();
const THREADS = await initThreads({ threads: 2 });

const INPUTS = 37;
const CLASSES = 5;

function labels(count: number, seed: number): Float64Array {
  return rows(count, 1, seed).map((v) => Math.floor((v + 0.5) * CLASSES));
}
const X = rows(530, INPUTS, 1); // 530 rows: batches of 64 end with an 18-row batch
const Y = labels(530, 2);
const VX = rows(600, INPUTS, 3); // 600 validation rows: more than two 256-row chunks
const VY = labels(600, 4);

const config = (extra: Partial<NetworkConfig> = {}): NetworkConfig => ({
  inputSize: INPUTS,
  layers: [dense(96, { activation: 'relu', kernelRegularizer: { l2: 1e-4 } }), dropout(0.2), dense(CLASSES, { activation: 'softmax' })],
  loss: 'sparseCategoricalCrossentropy',
  optimizer: { type: 'adam', learningRate: 0.01 },
  seed: 11,
  ...extra,
});

/** x and y of `count`-row batches, in order, as views (typed) or copies (number[][]). */
function* batches(x: Float64Array, y: Float64Array, size: number, nested = false): Generator<Batch> {
  const n = y.length;
  for (let start = 0; start < n; start += size) {
    const end = Math.min(start + size, n);
    const bx = x.subarray(start * INPUTS, end * INPUTS);
    const by = y.subarray(start, end);
    yield nested
      ? { x: Array.from({ length: end - start }, (_, r) => Array.from(bx.subarray(r * INPUTS, (r + 1) * INPUTS))), y: Array.from(by, (v) => [v]) }
      : { x: bx, y: by };
  }
}
/** One pair of arrays refilled for every batch, by an async generator that does not wait between
 *  batches (so the next batch is made as soon as it is asked for). */
async function* refilled(x: Float64Array, y: Float64Array, size: number): AsyncGenerator<Batch> {
  const bx = new Float64Array(size * INPUTS);
  const by = new Float64Array(size);
  for (const b of batches(x, y, size)) {
    const n = (b.y as Float64Array).length;
    bx.set(b.x as Float64Array);
    by.set(b.y as Float64Array);
    yield n === size ? { x: bx, y: by } : { x: bx.subarray(0, n * INPUTS), y: by.subarray(0, n) };
  }
}
async function* slowly(source: Iterable<Batch>): AsyncGenerator<Batch> {
  for (const b of source) {
    await new Promise((resolve) => setTimeout(resolve, 0)); // a read that takes a macrotask
    yield b;
  }
}

const hex = (net: Network) => Buffer.from(net.toBytes()).toString('hex');

describe('fitDataset trains as fit on the same batches, bit for bit', () => {
  const cases: [string, 'wasm' | 'js', number][] = [
    ['wasm, 1 thread', 'wasm', 1],
    ['js', 'js', 1],
    ['wasm, 2 threads', 'wasm', 2],
  ];
  it.each(cases)('%s: weights, optimizer state, generators and every log', async (_, backend, threads) => {
    if (threads > 1) expect(THREADS).toBe(2); // the test must not pass on one thread by accident
    const resident = new Network(config({ backend, threads }));
    const streamed = new Network(config({ backend, threads }));
    const syncStreamed = new Network(config({ backend, threads }));
    const reused = new Network(config({ backend, threads }));
    expect(streamed.threads).toBe(threads);
    const blocks = threadsInfo().workerBlocks;
    const options = { epochs: 3, metrics: ['accuracy', 'mae', 'mse'] } as const;
    const expected = await resident.fit(X, Y, { ...options, batchSize: 64, shuffle: false, validationData: [VX, VY] });
    // async source per epoch, validation as a stream of 70-row batches (chunks cross them)
    const history = await streamed.fitDataset(() => slowly(batches(X, Y, 64)), { ...options, validationData: () => slowly(batches(VX, VY, 70)) });
    // a sync source of number[][] batches, validation as [x, y]
    const syncHistory = await syncStreamed.fitDataset(() => batches(X, Y, 64, true), { ...options, validationData: [VX, VY] });
    // one pair of arrays refilled for every batch (training and validation)
    const reusedHistory = await reused.fitDataset(() => refilled(X, Y, 64), { ...options, validationData: () => refilled(VX, VY, 100) });
    expect(reusedHistory).toEqual(expected);
    expect(hex(reused)).toBe(hex(resident));
    expect(history).toEqual(expected);
    expect(syncHistory).toEqual(expected);
    expect(hex(streamed)).toBe(hex(resident));
    expect(hex(syncStreamed)).toBe(hex(resident));
    expect(new Set(expected.loss).size).toBe(3); // training moved
    if (threads > 1) expect(threadsInfo().workerBlocks).toBeGreaterThan(blocks); // the second thread took part
  });

  it('continues as fit does: fit, then fitDataset, equals two fits', async () => {
    const a = new Network(config());
    const b = new Network(config());
    await a.fit(X, Y, { epochs: 1, batchSize: 100, shuffle: false });
    await a.fit(X, Y, { epochs: 2, batchSize: 64, shuffle: false });
    await b.fit(X, Y, { epochs: 1, batchSize: 100, shuffle: false });
    await b.fitDataset([...batches(X, Y, 64)], { epochs: 2 }); // an array is read again each epoch
    expect(hex(b)).toBe(hex(a));
  });
});

describe('fitDataset sources', () => {
  it('batchesPerEpoch continues one endless generator across epochs', async () => {
    let made = 0;
    function* endless(): Generator<Batch> {
      for (;;) {
        made++;
        yield { x: rows(16, INPUTS, made), y: labels(16, made + 100) };
      }
    }
    const net = new Network(config());
    const seen: number[] = [];
    const history = await net.fitDataset(endless(), {
      epochs: 3,
      batchesPerEpoch: 5,
      onEpochBegin: (_, c) => void seen.push(c.batchesPerEpoch),
    });
    expect(history.epochs).toBe(3);
    expect(made).toBe(15); // no batch read beyond the last epoch's
    expect(seen).toEqual([5, 5, 5]);
  });

  it('a generator for more than one epoch without a function is refused before training', async () => {
    const net = new Network(config());
    const before = hex(net);
    await expect(net.fitDataset(batches(X, Y, 64), { epochs: 2 })).rejects.toThrow(
      new ConfigError(
        'fitDataset: the dataset is an iterator (a generator, say), which can be read only once, but 2 epochs need 2 passes: pass a function that returns a new one for each epoch, e.g. () => batches(), or set batchesPerEpoch',
      ),
    );
    expect(hex(net)).toBe(before);
    // one epoch from a generator is fine
    expect((await net.fitDataset(batches(X, Y, 64))).epochs).toBe(1);
  });

  it('the control learns samples and batches from the first epoch; progress shows them', async () => {
    const net = new Network(config());
    const seen: string[] = [];
    const output: string[] = [];
    await net.fitDataset(() => batches(X, Y, 100), {
      epochs: 2,
      validationData: () => batches(VX, VY, 256),
      onEpochBegin: (e, c) => void seen.push(`${e}: ${c.samples} ${c.batchSize} ${c.batchesPerEpoch} ${c.validationSamples}`),
      callbacks: [progressBar({ stream: { write: (s: string) => void output.push(s) } })],
    });
    expect(seen).toEqual(['0: NaN NaN NaN NaN', '1: 530 100 6 600']);
    expect(output.join('')).toMatch(/^epoch 1\/2  loss [0-9.]+  accuracy [0-9.]+  valLoss [0-9.]+  valAccuracy [0-9.]+/);
  });
});

describe('fitDataset callbacks, stopping and abort', () => {
  it('early stopping stops and restores, and the source is closed', async () => {
    let closed = 0;
    const net = new Network(config({ optimizer: { type: 'sgd', learningRate: 0 } })); // nothing improves
    const history = await net.fitDataset(() => batches(X, Y, 64), {
      epochs: 20,
      validationData: [VX, VY],
      callbacks: [earlyStopping({ patience: 2 })],
    });
    expect(history.epochs).toBe(3);
    // a stop from onBatchEnd closes the generator (its finally block runs)
    function* watched(): Generator<Batch> {
      try {
        yield* batches(X, Y, 64);
      } finally {
        closed++;
      }
    }
    const h = await net.fitDataset(watched, { epochs: 1, onBatchEnd: (batch) => batch < 2 });
    expect(h.epochs).toBe(1);
    expect(closed).toBe(1);
  });

  it('an abort rejects with its reason at the next batch, closes the source and keeps the last batch’s weights', async () => {
    const controller = new AbortController();
    let closed = false;
    let batchesRead = 0;
    async function* source(): AsyncGenerator<Batch> {
      try {
        for (const b of batches(X, Y, 64)) {
          batchesRead++;
          yield b;
        }
      } finally {
        closed = true;
      }
    }
    const net = new Network(config());
    const twin = new Network(config());
    const done: number[] = [];
    await expect(
      net.fitDataset(source, {
        epochs: 2,
        signal: controller.signal,
        onBatchEnd: (batch) => {
          done.push(batch);
          if (batch === 2) controller.abort(new Error('stop now'));
        },
      }),
    ).rejects.toThrow('stop now');
    expect(done).toEqual([0, 1, 2]);
    expect(closed).toBe(true);
    expect(batchesRead).toBeLessThanOrEqual(4); // at most one batch read ahead
    for (const b of [...batches(X, Y, 64)].slice(0, 3)) twin.trainBatch(b.x, b.y);
    expect(hex(net)).toBe(hex(twin));
  });
});

describe('fitDataset refuses bad input with typed errors', () => {
  it('bad options, before the dataset is read', async () => {
    const net = new Network(config());
    let read = false;
    const data = () => {
      read = true;
      return batches(X, Y, 64);
    };
    await expect(net.fitDataset(data, { batchSize: 32 } as never)).rejects.toThrow(
      new ConfigError('fitDataset options: "batchSize" is not an option here: the dataset\'s batches set the batch size'),
    );
    await expect(net.fitDataset(data, { epochs: 0 })).rejects.toThrow(new ConfigError('fitDataset options.epochs must be a positive integer, got 0'));
    await expect(net.fitDataset(data, { batchesPerEpoch: 1.5 })).rejects.toThrow(
      new ConfigError('fitDataset options.batchesPerEpoch must be a positive integer, got 1.5'),
    );
    await expect(net.fitDataset(data, { validationData: 5 as never })).rejects.toThrow(ConfigError);
    expect(read).toBe(false);
  });

  it('a bad dataset or batch names its epoch and batch; the batches before it stay trained', async () => {
    const net = new Network(config());
    await expect(net.fitDataset(42 as never)).rejects.toThrow(ShapeError);
    await expect(net.fitDataset([])).rejects.toThrow(new ShapeError('fitDataset: the dataset must be an iterable of { x, y } batches (an array, a generator, an async generator) or a function returning one for each epoch, got an array of length 0'));
    const good = [...batches(X, Y, 64)];
    await expect(net.fitDataset([good[0]!, { xs: good[1]!.x, ys: good[1]!.y } as never])).rejects.toThrow(
      new ShapeError('fitDataset: epoch 0 batch 1 must be { x, y }, got an object with xs and ys (tfjs spells them so); name them x and y'),
    );
    const bad = Float64Array.from(good[1]!.x as Float64Array);
    bad[INPUTS + 3] = NaN;
    await expect(net.fitDataset([good[0]!, { x: bad, y: good[1]!.y }])).rejects.toThrow(
      new DataError('fitDataset: epoch 0 batch 1: x[1][3] is NaN; every value must be a finite number'),
    );
    await expect(net.fitDataset([{ x: good[0]!.x, y: Float64Array.of(1, 2) }])).rejects.toThrow(
      new ShapeError('fitDataset: epoch 0 batch 0: x has 64 rows but y has 2; each input row needs one target row'),
    );
    await expect(net.fitDataset([{ x: good[0]!.x, y: Float64Array.from(good[0]!.y as Float64Array, () => 7) }])).rejects.toThrow(
      new DataError('fitDataset: epoch 0 batch 0: y[0][0] is 7; sparseCategoricalCrossentropy needs class indices, integers in [0, 5)'),
    );
    const empty = () => [] as Batch[];
    await expect(net.fitDataset(empty)).rejects.toThrow(new ShapeError('fitDataset: the dataset gave no batches for epoch 0'));
    // the batch before the bad one was trained, exactly once per call
    const twin = new Network(config());
    twin.trainBatch(good[0]!.x, good[0]!.y);
    twin.trainBatch(good[0]!.x, good[0]!.y);
    expect(net.getWeights()).toEqual(twin.getWeights());
  });
});

describe('fitDataset memory', () => {
  it('memory stays bounded by a few batches: 200 MB of rows streamed, the arena sized for one batch', async () => {
    const net = new Network({ inputSize: 784, layers: [dense(16, { activation: 'relu' }), dense(10)], loss: 'mse', seed: 1 });
    const batchRows = 256;
    let made = 0;
    function* source(): Generator<Batch> {
      for (let i = 0; i < 128; i++) { // 128 × 256 × 784 f64 = 205 MB in all
        made++;
        yield { x: rows(batchRows, 784, i), y: new Float64Array(batchRows * 10) };
      }
    }
    const arena = () => (net as unknown as { engine: { k: { heap: Float64Array } } }).engine.k.heap.length * 8;
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage().rss;
    await net.fitDataset(source, { yieldEvery: Infinity });
    const after = process.memoryUsage().rss;
    expect(made).toBe(128);
    expect(arena()).toBeLessThan(20e6); // the arena holds the parameters and one batch's buffers
    // well under the 200 MB streamed through (Node 20 ≈ 60–90 MB, Node 24 ≈ 100 MB: its heap
    // keeps more young garbage committed); were the batches kept, it would be ≥ 200 MB
    expect(after - before).toBeLessThan(150e6);
  });
});
