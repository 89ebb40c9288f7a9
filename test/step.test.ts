// The fused step: one call into the backend per batch, nothing allocated per batch, and the
// very same bits as running the TypeScript orchestration (src/backend/step.ts) kernel by
// kernel over the same wasm kernels.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Network, dense, init, type NetworkConfig } from '../src/index';
import { runStep } from '../src/backend/step';
import type { Kernels } from '../src/backend/kernels';
import { irisSplit, seeded } from './helpers/data';

await init();

/** The kernels object inside a network (private; reached into for these tests only). */
const kernelsOf = (net: Network): Kernels => (net as unknown as { engine: { k: Kernels } }).engine.k;

const CONFIGS: [string, NetworkConfig][] = [
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

describe('fused wasm step', () => {
  it.each(CONFIGS)('is bit-identical to the kernel-by-kernel TypeScript step: %s', async (_name, config) => {
    const fused = new Network({ ...config, seed: 3, backend: 'wasm' });
    const unfused = new Network({ ...config, seed: 3, backend: 'wasm' });
    const k = kernelsOf(unfused);
    k.step = (desc, rows, mode) => runStep(k, desc, rows, mode);
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
  it.each(['wasm', 'js'] as const)('fit calls the backend exactly once per batch (%s)', async (backend) => {
    const { trainX, trainY } = irisSplit(); // 102 rows
    const net = new Network({
      inputSize: 4,
      layers: [dense(16, { activation: 'relu' }), dense(8, { activation: 'tanh' }), dense(3, { activation: 'softmax' })],
      loss: 'categoricalCrossentropy',
      seed: 1,
      backend,
    });
    await net.fit(trainX, trainY, { epochs: 1, batchSize: 16 }); // buffers sized before counting
    const k = kernelsOf(net);
    const calls = new Map<string, number>();
    const proto = Object.getPrototypeOf(k) as Record<string, unknown>;
    let depth = 0;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const original = proto[name];
      if (name === 'constructor' || typeof original !== 'function') continue;
      // Count calls made by the engine on the object; calls inside the step (the JS
      // backend's own kernel calls) go through `this` too, so count only the outermost.
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
    await net.fit(trainX, trainY, { epochs: 5, batchSize: 16 });
    const batches = 5 * Math.ceil(102 / 16);
    expect(Object.fromEntries(calls)).toEqual({ step: batches });
  });
});

describe('allocation in the training loop', () => {
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

  it('the wasm training loop allocates nothing per batch (GC count does not grow with batches)', () => {
    // One heap number (12 bytes) per batch would add ≈ 30 scavenges between these two runs;
    // unrelated collections (JIT, heap growth, a loaded machine) add a few at most.
    const few = probe(300_000);
    const many = probe(3_000_000);
    expect(many.collections - few.collections).toBeLessThanOrEqual(8);
  });
});
