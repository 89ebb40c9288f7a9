// predict: the same bits as the training forward pass at every row count (few-row products,
// packed products, chunks), and the wasm backend's packed copies of W never outliving the
// weights they were packed from, whichever way the weights change.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DataError, Network, dense, earlyStopping, init, type LayerWeights, type NetworkConfig } from '../src/index';
import { seeded } from './helpers/data';
import { inMutationRun } from './helpers/mutation';

await init();
const BACKENDS = ['wasm', 'js'] as const;

// 300 inputs: the shared dimension spans two of the packed path's 256-deep blocks; 520 units:
// two of its 512-wide blocks; 7 outputs: partial 4-column tiles.
const config = (backend: 'wasm' | 'js', seed = 7): NetworkConfig => ({
  inputSize: 300,
  layers: [dense(520, { activation: 'relu' }), dense(7, { activation: 'softmax' })],
  loss: 'categoricalCrossentropy',
  optimizer: { type: 'sgd', learningRate: 0.05 },
  seed,
  backend,
});

function data(rows: number, seed: number): { x: Float64Array; y: Float64Array } {
  const rand = seeded(seed);
  const x = Float64Array.from({ length: rows * 300 }, () => rand() * 2 - 1);
  const y = new Float64Array(rows * 7);
  for (let r = 0; r < rows; r++) y[r * 7 + Math.floor(rand() * 7)] = 1;
  return { x, y };
}

/** The outputs of the forward pass a training step runs on these rows (read after the step;
 *  the update does not touch them). */
function trainingForward(net: Network, x: Float64Array, y: Float64Array, rows: number): Float64Array {
  const e = (net as unknown as { engine: { reserveRows(n: number): number; loadRows(...a: unknown[]): void; step(r: number, e: number, b: number): void; output(r: number): Float64Array } }).engine;
  e.reserveRows(rows);
  e.loadRows({ data: x, rows, cols: 300, typed: true }, { data: y, rows, cols: 7, typed: true }, 0, rows, null);
  e.step(rows, -1, -1);
  return e.output(rows).slice();
}

const sameBits = (a: Float64Array, b: Float64Array): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe.each(BACKENDS)('predict (%s backend)', (backend) => {
  it.each([1, 2, 3, 5, 64, 1000])('equals the training forward pass bit for bit at %i rows', (rows) => {
    const { x, y } = data(rows, rows);
    const predicting = new Network(config(backend));
    const training = new Network(config(backend));
    predicting.predict(data(300, 99).x); // packs W (wasm) before the call that matters
    const got = predicting.predict(x);
    const want = trainingForward(training, x, y, rows);
    expect(got.length).toBe(rows * 7);
    expect(sameBits(got, want)).toBe(true);
    // and row by row: one call per row gives the same bits as one call for all of them
    const single = Float64Array.from({ length: rows * 7 }, (_, i) => predicting.predict(x.subarray(Math.floor(i / 7) * 300, Math.floor(i / 7) * 300 + 300))[i % 7]!);
    expect(sameBits(single, got)).toBe(true);
  });

  it('a non-finite value anywhere (checked chunk by chunk as rows go in) is a DataError naming it; nothing changes', () => {
    const net = new Network(config(backend));
    const { x } = data(600, 4);
    const want = net.predict(x);
    for (const [at, value] of [[3, NaN], [300 * 257 + 5, Infinity], [300 * 599 + 299, -Infinity]] as const) {
      const bad = x.slice();
      bad[at] = value;
      expect(() => net.predict(bad)).toThrow(new DataError(`x[${Math.floor(at / 300)}][${at % 300}] is ${value}; every value must be a finite number`));
    }
    expect(sameBits(net.predict(x), want)).toBe(true);
  });

  it('number[][] in, number[][] out, the same values', () => {
    const net = new Network(config(backend));
    const { x } = data(6, 3);
    const nested = Array.from({ length: 6 }, (_, r) => Array.from(x.subarray(r * 300, r * 300 + 300)));
    const out = net.predict(nested);
    expect(out).toHaveLength(6);
    expect(Float64Array.from(out.flat())).toEqual(net.predict(x));
  });
});

describe('wasm predict sums every product in input order', () => {
  it('equals a plain forward pass (z = b, then z += x·w for each input in order) to the bit', () => {
    const net = new Network({ inputSize: 300, layers: [dense(520, { activation: 'relu' }), dense(7)], loss: 'mse', seed: 3 });
    const w = net.getWeights();
    for (const rows of [1, 2, 3, 5, 64]) {
      const { x } = data(rows, 40 + rows);
      let input = x;
      let width = 300;
      for (const { weights, bias } of w) {
        const units = bias.length;
        const out = new Float64Array(rows * units);
        for (let r = 0; r < rows; r++) {
          for (let j = 0; j < units; j++) {
            let z = bias[j]!;
            for (let p = 0; p < width; p++) z += input[r * width + p]! * weights[p * units + j]!;
            out[r * units + j] = units === 7 ? z : Math.max(z, 0);
          }
        }
        input = out;
        width = units;
      }
      expect(sameBits(net.predict(x), input), `${rows} rows`).toBe(true);
    }
  });
});

// Each way weights change: predict (which packs W on the wasm backend) with the old weights,
// change them, predict again, and compare with a fresh network given the new weights.
describe.each(BACKENDS)('the packed copies of W follow every weight change (%s backend)', (backend) => {
  const { x, y } = data(64, 5);
  const fresh = (weights: LayerWeights[]): Float64Array => {
    const net = new Network(config(backend, 123));
    net.setWeights(weights);
    return net.predict(x);
  };
  const check = (net: Network, before: Float64Array): void => {
    const after = net.predict(x);
    expect(sameBits(after, before)).toBe(false); // the weights did change
    expect(sameBits(after, fresh(net.getWeights()))).toBe(true);
  };

  it('trainBatch', () => {
    const net = new Network(config(backend));
    const before = net.predict(x);
    net.trainBatch(x, y);
    check(net, before);
  });

  it('fit (whole epochs in one call, and batch by batch)', async () => {
    for (const onBatchEnd of [undefined, () => true]) {
      const net = new Network(config(backend));
      const before = net.predict(x);
      await net.fit(x, y, { epochs: 2, batchSize: 16, onBatchEnd });
      check(net, before);
    }
  });

  it('setWeights', () => {
    const net = new Network(config(backend));
    const before = net.predict(x);
    net.setWeights(new Network(config(backend, 8)).getWeights());
    check(net, before);
  });

  it('restoreWeights in a callback', async () => {
    const net = new Network(config(backend));
    let snapshot: Float64Array | null = null;
    let before: Float64Array | null = null;
    await net.fit(x, y, {
      epochs: 3,
      batchSize: 16,
      onEpochEnd(epoch, _logs, control) {
        if (epoch === 0) snapshot = control.snapshotWeights();
        if (epoch === 2) {
          before = net.predict(x);
          control.restoreWeights(snapshot!);
        }
      },
    });
    check(net, before!);
  });

  it("early stopping's restoreBestWeights", async () => {
    const net = new Network(config(backend));
    let before: Float64Array | null = null;
    // mode 'max' on the loss: the first epoch is the "best", training stops after the second
    // and puts the first epoch's weights back.
    const stop = earlyStopping({ monitor: 'loss', mode: 'max', patience: 1, restoreBestWeights: true });
    net.predict(x);
    await net.fit(x, y, {
      epochs: 5,
      batchSize: 16,
      callbacks: [stop, { onEpochEnd: () => void (before = net.predict(x)) }],
    });
    expect(stop.stoppedEpoch).toBe(1);
    check(net, before!);
  });

  it('load (fromJSON, fromBytes) predicts what the saved network predicts', async () => {
    const net = new Network(config(backend));
    net.predict(x);
    await net.fit(x, y, { epochs: 1, batchSize: 16 });
    const want = net.predict(x);
    const saved = [Network.fromJSON(net.toJSON()), Network.fromBytes(net.toBytes())];
    net.trainBatch(x, y);
    const wantAfterStep = net.predict(x);
    for (const loaded of saved) {
      expect(sameBits(loaded.predict(x), want)).toBe(true);
      loaded.trainBatch(x, y);
      expect(sameBits(loaded.predict(x), wantAfterStep)).toBe(true);
    }
  });
});

describe('backends agree on predict', () => {
  it.each([1, 3, 64, 300])('at %i rows', (rows) => {
    const { x } = data(rows, 11);
    const a = new Network(config('wasm')).predict(x);
    const b = new Network(config('js')).predict(x);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-13);
  });
});

describe.skipIf(inMutationRun)('predict allocates only its result (README, "Predict")', () => {
  // test/fixtures/predict-allocation-probe.ts counts garbage collections over 1,000,000
  // one-row calls in a process with a 1 MiB young generation, and over a loop allocating
  // exactly the result (a Float64Array of 16 outputs; a number[][] of one 16-number row).
  // One heap number (16 bytes) more per call would add ≈ 16 collections.
  const probe = (backend: string, mode: string): number =>
    (
      JSON.parse(
        execFileSync(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', 'test/fixtures/predict-allocation-probe.ts', backend, mode, '1000000'], {
          encoding: 'utf8',
          cwd: new URL('..', import.meta.url),
        }),
      ) as { collections: number }
    ).collections;

  it.each([
    ['Float64Array in, Float64Array out', 'f64'],
    ['number[][] in, number[][] out', 'rows'],
  ])('%s', (_, kind) => {
    const baseline = probe('wasm', `baseline-${kind}`);
    expect(baseline).toBeGreaterThan(100); // the probe does measure allocation
    for (const backend of BACKENDS) {
      const collections = probe(backend, `predict-${kind}`);
      expect(collections).toBeGreaterThan(100); // the observer saw this run's collections
      expect(collections - baseline).toBeLessThanOrEqual(8);
    }
  });
});
