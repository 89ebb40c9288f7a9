// The fused step and epoch: one call into the backend per epoch for a small (resident)
// training set and per batch otherwise, nothing allocated per batch, and the very same bits as
// running the TypeScript orchestration (src/backend/epoch.ts, step.ts) kernel by kernel over
// the same wasm kernels.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DivergenceError, Network, batchNorm, dense, dropout, init, layerNorm, normalization, type NetworkConfig } from '../src/index';
import { runEpochs } from '../src/backend/epoch';
import { runStep } from '../src/backend/step';
import { RESIDENT_LIMIT } from '../src/engine';
import type { Kernels } from '../src/backend/kernels';
import { irisSplit, seeded } from './helpers/data';
import { inMutationRun } from './helpers/mutation';

await init();

/** The kernels object inside a network (private; reached into for these tests only). */
const kernelsOf = (net: Network): Kernels => (net as unknown as { engine: { k: Kernels } }).engine.k;

const CONFIGS: [string, NetworkConfig][] = [
  [
    '6-bn-9-ln-drop-4: dense → batchNorm(relu) → dense → layerNorm(tanh), batch norm first too, momentum sgd',
    {
      inputSize: 6,
      layers: [
        batchNorm(),
        dense(9),
        batchNorm({ convention: 'pytorch', activation: 'relu' }),
        dense(5, { activation: 'elu' }),
        layerNorm({ activation: 'tanh' }),
        dropout(0.2),
        dense(4, { activation: 'softmax' }),
      ],
      loss: 'categoricalCrossentropy',
      optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
    },
  ],
  [
    '5-norm-7-drop-norm-3: normalization layers first and between dense layers, adam',
    {
      inputSize: 5,
      layers: [
        normalization({ mean: [0.1, -0.2, 0.3, 0, 0.5], variance: [0.3, 0.1, 2, 0, 0.7] }),
        dense(7, { activation: 'tanh' }),
        dropout(0.3),
        normalization({ mean: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6], variance: [1, 2, 3, 0.5, 0.25, 4, 1e-16] }),
        dense(3, { activation: 'softmax' }),
      ],
      loss: 'categoricalCrossentropy',
      optimizer: { type: 'adam', learningRate: 0.01 },
    },
  ],
  [
    '784-64-10 relu/softmax+CE (packed GEMM path), momentum',
    {
      inputSize: 784,
      layers: [dense(64, { activation: 'relu' }), dense(10, { activation: 'softmax' })],
      loss: 'categoricalCrossentropy',
      optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
    },
  ],
  [
    '5-7-9-3 tanh/leakyRelu/linear mse',
    {
      inputSize: 5,
      layers: [dense(7, { activation: 'tanh' }), dense(9, { activation: 'leakyRelu', alpha: 0.2 }), dense(3)],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.01 },
    },
  ],
  [
    '6-300-2 sigmoid/sigmoid+BCE (k = 300 > 256 in the output layer product)',
    {
      inputSize: 6,
      layers: [dense(300, { activation: 'sigmoid' }), dense(2, { activation: 'sigmoid' })],
      loss: 'binaryCrossentropy',
      optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.5 },
    },
  ],
];

function data(inputs: number, outputs: number, rows: number, seed: number, oneHot: boolean): [Float64Array, Float64Array] {
  const rand = seeded(seed);
  const x = Float64Array.from({ length: rows * inputs }, () => rand() * 2 - 1);
  const y = new Float64Array(rows * outputs);
  for (let r = 0; r < rows; r++) {
    if (oneHot) y[r * outputs + Math.floor(rand() * outputs)] = 1;
    else for (let j = 0; j < outputs; j++) y[r * outputs + j] = rand();
  }
  return [x, y];
}

describe('fused wasm step and epoch', () => {
  it.each(CONFIGS)('are bit-identical to the kernel-by-kernel TypeScript epoch and step: %s', async (_name, config) => {
    const fused = new Network({ ...config, seed: 3, backend: 'wasm' });
    const unfused = new Network({ ...config, seed: 3, backend: 'wasm' });
    const k = kernelsOf(unfused);
    k.step = (desc, rows, mode) => runStep(k, desc, rows, mode);
    k.epochs = (desc, samples, batchSize, shuffle, count) => runEpochs(k, desc, samples, batchSize, shuffle, count);
    const [x, y] = data(config.inputSize, fused.outputSize, 70, 9, config.loss === 'categoricalCrossentropy');
    const a = await fused.fit(x, y, { epochs: 3, batchSize: 16 });
    const b = await unfused.fit(x, y, { epochs: 3, batchSize: 16 });
    expect(b.loss).toEqual(a.loss);
    expect(unfused.getWeights()).toEqual(fused.getWeights());
    expect(unfused.computeGradients(x, y)).toEqual(fused.computeGradients(x, y));
    expect(unfused.predict(x)).toEqual(fused.predict(x));
    expect(unfused.evaluate(x, y)).toEqual(fused.evaluate(x, y));
  });
});

describe('crossings into the backend', () => {
  /** Counts the engine's calls on the backend object during `work` (calls the JS backend makes
   *  to itself inside a step or an epoch go through `this` too, so only the outermost count). */
  async function countCalls(net: Network, work: () => Promise<unknown>): Promise<Record<string, number>> {
    const k = kernelsOf(net);
    const calls = new Map<string, number>();
    const proto = Object.getPrototypeOf(k) as Record<string, unknown>;
    let depth = 0;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const original = proto[name];
      if (name === 'constructor' || typeof original !== 'function') continue;
      (k as unknown as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
        if (depth === 0) calls.set(name, (calls.get(name) ?? 0) + 1);
        depth++;
        try {
          return (original as (...a: unknown[]) => unknown).apply(this, args);
        } finally {
          depth--;
        }
      };
    }
    await work();
    return Object.fromEntries(calls);
  }
  const irisNet = (backend: 'wasm' | 'js'): Network =>
    new Network({
      inputSize: 4,
      layers: [dense(16, { activation: 'relu' }), dense(8, { activation: 'tanh' }), dense(3, { activation: 'softmax' })],
      loss: 'categoricalCrossentropy',
      seed: 1,
      backend,
    });

  it.each(['wasm', 'js'] as const)('fit on a small set calls the backend once per epoch, or once for many (%s)', async (backend) => {
    const { trainX, trainY } = irisSplit(); // 102 rows: resident
    const net = irisNet(backend);
    await net.fit(trainX, trainY, { epochs: 1, batchSize: 16 }); // buffers sized before counting
    // `reserve` is the arena's size check as fit copies the set in (JavaScript, no crossing).
    // With an epoch callback: one call per epoch.
    const perEpoch = await countCalls(net, () => net.fit(trainX, trainY, { epochs: 5, batchSize: 16, onEpochEnd: () => {} }));
    expect(perEpoch).toEqual({ reserve: 1, epochs: 5 });
    // With nothing between epochs, the first call trains one epoch (fit reads the clock after
    // it), the next ones as many as fit runs between clock reads: 1 + 2 + 4 + … for XOR, whose
    // epochs take ~1 µs, far below the 0.25 ms between reads that doubles the stride.
    const xor = new Network({ inputSize: 2, layers: [dense(3, { activation: 'tanh' }), dense(1, { activation: 'sigmoid' })], loss: 'mse', seed: 1, backend });
    const x = Float64Array.of(0, 0, 0, 1, 1, 0, 1, 1);
    const y = Float64Array.of(0, 1, 1, 0);
    await xor.fit(x, y, { epochs: 1, batchSize: 4 });
    const many = await countCalls(xor, () => xor.fit(x, y, { epochs: 300, batchSize: 4 }));
    expect(many.reserve).toBe(1);
    expect(many.epochs).toBeGreaterThanOrEqual(2);
    expect(many.epochs).toBeLessThan(100);
  });

  it.each(['wasm', 'js'] as const)('fit with a batch callback calls the backend once per batch (%s)', async (backend) => {
    const { trainX, trainY } = irisSplit();
    const net = irisNet(backend);
    await net.fit(trainX, trainY, { epochs: 1, batchSize: 16 });
    const calls = await countCalls(net, () => net.fit(trainX, trainY, { epochs: 5, batchSize: 16, onBatchEnd: () => {} }));
    expect(calls).toEqual({ step: 5 * Math.ceil(102 / 16) });
  });

  it.each(['wasm', 'js'] as const)('fit on a set over the resident limit calls the backend once per batch (%s)', async (backend) => {
    const rows = Math.ceil(RESIDENT_LIMIT / (20 + 3 + 1)) + 1; // 43,692 rows of 20 inputs, 3 targets
    const [x, y] = data(20, 3, rows, 4, true);
    const net = new Network({ inputSize: 20, layers: [dense(3, { activation: 'softmax' })], loss: 'categoricalCrossentropy', seed: 1, backend });
    await net.fit(x, y, { epochs: 1, batchSize: 4096 });
    expect(await countCalls(net, () => net.fit(x, y, { epochs: 2, batchSize: 4096 }))).toEqual({ step: 2 * Math.ceil(rows / 4096) });
  });
});

describe('resident epochs', () => {
  // fit runs an epoch in one backend call when the set is small and no batch callback is
  // registered (many epochs per call when nothing at all runs between epochs: no validation
  // here), and batch by batch otherwise (a no-op onBatchEnd forces that path here): same
  // shuffles, same steps, same sums, so the very same history, weights and errors.
  const cases: [string, NetworkConfig, number, number, boolean][] = [
    ['iris-like 4-16-3 softmax+CE', { inputSize: 4, layers: [dense(16, { activation: 'relu' }), dense(3, { activation: 'softmax' })], loss: 'categoricalCrossentropy' }, 3, 90, true],
    ['sparse labels, dropout, adam', {
      inputSize: 4,
      layers: [dense(16, { activation: 'tanh' }), dropout(0.2), dense(3, { activation: 'softmax' })],
      loss: 'sparseCategoricalCrossentropy',
      optimizer: { type: 'adam', learningRate: 0.01 },
    }, 3, 90, true],
    ['2-3-1 mse, no shuffle', { inputSize: 2, layers: [dense(3, { activation: 'tanh' }), dense(1, { activation: 'sigmoid' })], loss: 'mse' }, 1, 4, false],
  ];
  for (const backend of ['wasm', 'js'] as const) {
    for (const validation of [true, false]) {
      it.each(cases)(`train exactly as batch-by-batch loading (${backend}, ${validation ? 'one epoch per call' : 'many epochs per call'}): %s`, async (_name, config, outputs, rows, shuffle) => {
        const sparse = config.loss === 'sparseCategoricalCrossentropy';
        const [x, oneHot] = data(config.inputSize, outputs, rows, 5, outputs > 1);
        const y = sparse ? Float64Array.from({ length: rows }, (_, r) => oneHot.subarray(r * outputs, (r + 1) * outputs).indexOf(1)) : oneHot;
        const metrics = config.loss === 'mse' ? (['mae'] as const) : (['accuracy', 'mae'] as const);
        const options = { epochs: validation ? 4 : 40, batchSize: 16, shuffle, metrics: [...metrics], ...(validation ? { validationSplit: 0.2 } : {}) };
        const resident = new Network({ ...config, seed: 8, backend });
        const batched = new Network({ ...config, seed: 8, backend });
        const a = await resident.fit(x, y, options);
        const b = await batched.fit(x, y, { ...options, onBatchEnd: () => {} });
        expect(a).toEqual(b);
        expect(resident.getWeights()).toEqual(batched.getWeights());
        expect(resident.toJSON()).toEqual(batched.toJSON()); // optimizer state and generators too
      });
    }
  }

  it.each(['wasm', 'js'] as const)('survive a predict in a callback that moves the batch buffers over the set (%s)', async (backend) => {
    // predict on 1,000 rows reserves 256-row buffers, which overwrite the resident copy that
    // sat after the 16-row ones: the next epoch must copy the set in again.
    const config: NetworkConfig = { inputSize: 4, layers: [dense(16, { activation: 'relu' }), dense(3, { activation: 'softmax' })], loss: 'categoricalCrossentropy', seed: 4, backend };
    const [x, y] = data(4, 3, 90, 7, true);
    const [probe] = data(4, 3, 1000, 8, true);
    const quiet = new Network(config);
    const busy = new Network(config);
    const a = await quiet.fit(x, y, { epochs: 4, batchSize: 16 });
    const b = await busy.fit(x, y, { epochs: 4, batchSize: 16, onEpochEnd: () => void busy.predict(probe) });
    expect(b).toEqual(a);
    expect(busy.getWeights()).toEqual(quiet.getWeights());
  });

  // Diverging at once (relu net, inputs × 100, learning rate 5: epoch 0), and late: a linear
  // unit on constant inputs whose error grows by 1.2× per step at learning rate 0.55 (MSE's
  // step multiplies it by 1 − 2·0.55·(x² + 1) = −1.2), so the loss overflows in epoch ~324,
  // inside a call of many epochs.
  const divergences: [string, () => [NetworkConfig, Float64Array, Float64Array, number]][] = [
    ['at once', () => {
      const [x, y] = data(4, 3, 64, 6, false);
      for (let i = 0; i < x.length; i++) x[i] = x[i]! * 100;
      return [{ inputSize: 4, layers: [dense(8, { activation: 'relu' }), dense(3)], loss: 'mse', optimizer: { type: 'sgd', learningRate: 5 }, seed: 2 }, x, y, 8];
    }],
    ['late', () => [{ inputSize: 1, layers: [dense(1)], loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.55 }, seed: 2 }, new Float64Array(6).fill(1), new Float64Array(6), 1]],
  ];
  for (const backend of ['wasm', 'js'] as const) {
    it.each(divergences)(`stop at the same batch with the same DivergenceError and history (${backend}): %s`, async (name, make) => {
      const [config, x, y, batchSize] = make();
      // onTrainEnd receives the history of the epochs that completed before the failure.
      const histories: unknown[] = [];
      const errorOf = (net: Network, options: object) =>
        net.fit(x, y, { epochs: 5000, batchSize, onTrainEnd: (h: unknown) => void histories.push(h), ...options }).then(() => null, (e: unknown) => e);
      const resident = new Network({ ...config, backend }); // many epochs per call
      const perEpoch = new Network({ ...config, backend }); // one per call (an epoch callback)
      const batched = new Network({ ...config, backend });
      const a = (await errorOf(resident, {})) as Error & { epoch: number; batch: number };
      const c = (await errorOf(perEpoch, { onEpochEnd: () => {} })) as Error;
      const b = (await errorOf(batched, { onBatchEnd: () => {} })) as Error;
      expect(a).toBeInstanceOf(DivergenceError);
      expect(a.batch).toBeGreaterThan(0); // mid-epoch, so the index is the epoch kernel's
      if (name === 'late') expect(a.epoch).toBeGreaterThan(100);
      for (const other of [b, c]) {
        expect(a).toEqual(other);
        expect(a.message).toBe(other.message);
      }
      expect(histories[0]).toMatchObject({ epochs: a.epoch });
      expect(histories[1]).toEqual(histories[0]);
      expect(histories[2]).toEqual(histories[0]);
      expect(resident.getWeights()).toEqual(batched.getWeights()); // as before the failing batch
      expect(perEpoch.getWeights()).toEqual(batched.getWeights());
    });
  }
});

describe.skipIf(inMutationRun)('allocation in the training loop', () => {
  // A child process with a 1 MiB young generation trains one epoch of N single-sample batches
  // and counts garbage collections. Allocating even one heap number per batch would cost
  // ≈ 36 MB over three million batches: many scavenges. Zero allocation: the count stays flat.
  const probe = (samples: number): { collections: number } =>
    JSON.parse(
      execFileSync(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', 'test/fixtures/allocation-probe.ts', 'wasm', String(samples)], {
        encoding: 'utf8',
        cwd: new URL('..', import.meta.url),
      }),
    );

  it('a resident wasm epoch allocates nothing per batch', () => {
    // 25,000 and 250,000 single-sample batches, each set resident (one call per epoch).
    // (The JS backend boxes a loss kernel's return value or two per batch: ≈ 32 bytes.)
    const few = probe(25_000);
    const many = probe(250_000);
    expect(many.collections - few.collections).toBeLessThanOrEqual(8);
  });

  it('the wasm training loop allocates nothing per batch (GC count does not grow with batches)', () => {
    // One heap number (12 bytes) per batch would add ≈ 30 scavenges between these two runs;
    // unrelated collections (JIT, heap growth, a loaded machine) add a few at most.
    const few = probe(300_000);
    const many = probe(3_000_000);
    expect(many.collections - few.collections).toBeLessThanOrEqual(8);
  });
});
