// The normalization layer (Keras's Normalization): (x − mean) / max(√variance, 1e-7) per
// feature, statistics given or adapted from data, not trained, saved with the model; the same
// bits on both backends; gradients pass through it when it stands between dense layers.
import { describe, expect, it } from 'vitest';
import { ConfigError, FormatError, Network, dense, dropout, init, normalization, type NetworkConfig } from '../src/index';
import { seeded } from './helpers/data';
import { JsKernels } from '../src/backend/js';
import { WasmKernels } from '../src/backend/wasm';

await init();

const BACKENDS = ['wasm', 'js'] as const;

function matrix(rows: number, cols: number, seed: number, scale = 1, offset = 0): number[][] {
  const rand = seeded(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => offset + scale * (rand() * 2 - 1)));
}

describe('normalization()', () => {
  it('adapt computes each column\'s mean and population variance', () => {
    const x = [[1, 10, 5], [2, 30, 5], [6, 20, 5], [3, 60, 5]];
    const layer = normalization({ adapt: x });
    // by hand: column means 3, 30, 5; Σ(x − mean)²/4 = (4+1+9+0)/4, (400+0+100+900)/4, 0
    expect(layer.mean).toEqual([3, 30, 5]);
    expect(layer.variance).toEqual([3.5, 350, 0]);
    expect(layer.type).toBe('normalization');
    expect(Object.isFrozen(layer) && Object.isFrozen(layer.mean)).toBe(true);
  });

  it('copies given statistics (a Float64Array too) and refuses bad ones with a ConfigError naming them', () => {
    expect(normalization({ mean: Float64Array.of(1, 2), variance: [3, 4] })).toEqual({ type: 'normalization', mean: [1, 2], variance: [3, 4] });
    const bad: [() => unknown, RegExp][] = [
      [() => normalization({ mean: [1, 2], variance: [1] }), /mean has 2 values but variance has 1/],
      [() => normalization({ mean: [1], variance: [-1] }), /variance\[0\] is -1; expected a finite number ≥ 0/],
      [() => normalization({ mean: [NaN], variance: [1] }), /mean\[0\] is NaN/],
      [() => normalization({ mean: [], variance: [] }), /mean must be a non-empty array/],
      [() => normalization({ variance: [1] }), /mean must be a non-empty array of numbers \(one per feature\), got undefined/],
      [() => normalization({ adapt: [[1, 2]], mean: [1, 2] }), /either adapt .* or mean and variance, not both/],
      [() => normalization({ adapt: [[1, 2], [3]] }), /adapt\[1\] must be an array of 2 numbers/],
      [() => normalization({ adapt: [[1, Infinity]] }), /adapt\[0\]\[1\] is Infinity/],
      [() => normalization({ adapt: [] }), /adapt must be a non-empty number\[\]\[\]/],
      [() => normalization({ scale: 2 } as never), /unknown option "scale"/],
    ];
    for (const [call, message] of bad) expect(call).toThrow(ConfigError), expect(call).toThrow(message);
  });

  it('must match its input width in a network (ConfigError naming the layer)', () => {
    const make = () => new Network({ inputSize: 3, layers: [dense(2), normalization({ mean: [0, 0, 0], variance: [1, 1, 1] }), dense(1)], loss: 'mse' });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow('layers[1] (normalization) has statistics for 3 features, but its input has 2 columns');
    expect(() => new Network({ inputSize: 2, layers: [normalization({ mean: [0, 0], variance: [1, 1] })], loss: 'mse' })).toThrow('the last layer must be dense');
  });
});

describe.each(BACKENDS)('a network with normalization layers (%s backend)', (backend) => {
  const mean = [5, -3, 100];
  const variance = [4, 0.25, 0];
  const config = (seed = 1): NetworkConfig => ({
    inputSize: 3,
    layers: [normalization({ mean, variance }), dense(4, { activation: 'tanh' }), dense(2)],
    loss: 'mse',
    optimizer: { type: 'adam', learningRate: 0.01 },
    seed,
    backend,
  });

  it('predicts f(standardized x): the same as the network without it on inputs standardized by hand', () => {
    const net = new Network(config());
    const plain = new Network({ ...config(), layers: config().layers.slice(1) });
    plain.setWeights(net.getWeights());
    const x = matrix(9, 3, 4, 10);
    // Keras: (x − mean) / max(√variance, 1e-7); the constant third column divides by 1e-7
    const standardized = x.map((row) => row.map((v, j) => (v - mean[j]!) / Math.max(Math.sqrt(variance[j]!), 1e-7)));
    expect(net.predict(x)).toEqual(plain.predict(standardized));
    // a constant column gives 0 at its mean, never NaN
    const atMean = net.predict([[1, 2, 100]])[0]!;
    expect(atMean.every(Number.isFinite)).toBe(true);
    expect(atMean).toEqual(plain.predict([[(1 - 5) / 2, (2 + 3) / 0.5, 0]])[0]);
  });

  it('does not train its statistics, and counts no parameters', async () => {
    const net = new Network(config());
    expect(net.paramCount).toBe(4 * 4 + 5 * 2);
    const x = matrix(32, 3, 5, 10);
    const y = matrix(32, 2, 6);
    const before = net.toJSON().stats;
    await net.fit(x, y, { epochs: 3, batchSize: 8 });
    expect(net.toJSON().stats).toBe(before);
    expect(net.layers[0]).toEqual({ type: 'normalization', mean, variance });
    expect(net.summary()).toContain('normalize');
  });

  it('gradients through a normalization between dense layers match central finite differences', () => {
    const net = new Network({
      inputSize: 3,
      layers: [dense(5, { activation: 'tanh' }), normalization({ mean: [0.1, -0.2, 0.3, 0, 0.2], variance: [0.3, 2, 0.05, 1, 0.7] }), dropout(0.5), dense(2, { activation: 'sigmoid' })],
      loss: 'mse',
      seed: 3,
      backend,
    });
    const x = matrix(6, 3, 7);
    const y = matrix(6, 2, 8).map((r) => r.map((v) => (v + 1) / 2));
    const { gradients } = net.computeGradients(x, y);
    const weights = net.getWeights();
    const h = 1e-6;
    let checked = 0;
    weights.forEach((layer, l) => {
      for (const part of ['weights', 'bias'] as const) {
        for (let i = 0; i < layer[part].length; i++) {
          const at = (delta: number) => {
            const w = weights.map((e) => ({ weights: e.weights.slice(), bias: e.bias.slice() }));
            w[l]![part][i]! += delta;
            net.setWeights(w);
            return net.evaluate(x, y).loss;
          };
          const numeric = (at(h) - at(-h)) / (2 * h);
          const analytic = gradients[l]![part][i]!;
          expect(Math.abs(numeric - analytic)).toBeLessThanOrEqual(1e-7 * (1 + Math.abs(analytic)));
          checked++;
        }
      }
    });
    expect(checked).toBe(3 * 5 + 5 + 5 * 2 + 2);
    // the normalization scales the gradient: the first layer's gradients are not those of the same
    // network without it (the check above would not notice a kernel that passed gradients unchanged)
    const without = new Network({ inputSize: 3, layers: [dense(5, { activation: 'tanh' }), dense(2, { activation: 'sigmoid' })], loss: 'mse', seed: 3, backend });
    without.setWeights(weights);
    expect(without.computeGradients(x, y).gradients[0]!.weights).not.toEqual(gradients[0]!.weights);
  });

  it('saves and loads (JSON and bytes): the loaded network predicts and trains on exactly as the original', async () => {
    const net = new Network(config(2));
    const x = matrix(40, 3, 9, 10, 3);
    const y = matrix(40, 2, 10);
    await net.fit(x, y, { epochs: 2, batchSize: 8 });
    const saved = net.toJSON();
    expect(saved.version).toBe(2);
    for (const copy of [Network.fromJSON(JSON.stringify(saved)), Network.fromBytes(net.toBytes())]) {
      expect(copy.layers).toEqual(net.layers);
      expect(copy.predict(x)).toEqual(net.predict(x));
      await copy.fit(x, y, { epochs: 2, batchSize: 8 });
      expect(copy.toJSON()).toEqual((await (async () => {
        const twin = Network.fromJSON(saved);
        await twin.fit(x, y, { epochs: 2, batchSize: 8 });
        return twin;
      })()).toJSON());
    }
  });

  it('refuses a saved model whose statistics slab disagrees with its config, or has the wrong length', () => {
    const saved = new Network(config()).toJSON();
    const other = new Network({ ...config(), layers: [normalization({ mean: [5, -3, 101], variance }), ...config().layers.slice(1)] }).toJSON();
    expect(() => Network.fromJSON({ ...saved, stats: other.stats })).toThrow(FormatError);
    expect(() => Network.fromJSON({ ...saved, stats: other.stats })).toThrow(/stats\[2\] is 101, but the layers' config says 100/);
    const short = new Network({ inputSize: 3, layers: [normalization({ mean: [0, 0, 0], variance: [1, 1, 1] }), dense(1)], loss: 'mse' }).toJSON();
    expect(() => Network.fromJSON({ ...short, stats: new Network({ inputSize: 3, layers: [dense(1)], loss: 'mse' }).toJSON().stats })).toThrow('saved model: stats has 0 values, but its architecture has 6 statistics');
    expect(() => Network.fromJSON({ ...saved, stats: undefined })).toThrow('"stats" must be a base64 string');
    const bytes = new Network(config()).toBytes();
    expect(() => Network.fromBytes(bytes.subarray(0, bytes.length - 8))).toThrow(/truncated: 26 weights and 6 statistics need/);
  });
});

describe('format version 1', () => {
  it('files written before the statistics slab still load (JSON and bytes)', () => {
    const net = new Network({ inputSize: 2, layers: [dense(3, { activation: 'relu' }), dense(1)], loss: 'mse', seed: 4 });
    const { stats, ...v2 } = net.toJSON();
    expect(stats).toBe(''); // no statistics in this network
    const v1 = { ...v2, version: 1 };
    expect(Network.fromJSON(v1).predict([[1, 2]])).toEqual(net.predict([[1, 2]]));
    // bytes: version 1 had no "stats" length in its header and no fourth slab
    const bytes = net.toBytes();
    const view = new DataView(bytes.buffer);
    const headLength = view.getUint32(8, true);
    const head = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headLength))) as Record<string, unknown>;
    delete head.stats;
    head.version = 1;
    const newHead = new TextEncoder().encode(JSON.stringify(head));
    const bodyStart = (12 + headLength + 7) & ~7;
    const newStart = (12 + newHead.length + 7) & ~7;
    const old = new Uint8Array(newStart + bytes.length - bodyStart);
    old.set(bytes.subarray(0, 4));
    new DataView(old.buffer).setUint32(4, 1, true);
    new DataView(old.buffer).setUint32(8, newHead.length, true);
    old.set(newHead, 12);
    old.set(bytes.subarray(bodyStart), newStart);
    expect(Network.fromBytes(old).predict([[1, 2]])).toEqual(net.predict([[1, 2]]));
    expect(Network.fromBytes(old).toBytes()).toEqual(bytes);
  });
});

describe('both backends', () => {
  it('the normalization kernels are twins: the same bits from the same arena (forward, and the gradient through it)', () => {
    const [wasm, js] = [new WasmKernels(), new JsKernels()];
    const rows = 37;
    const cols = 5;
    const base = Math.max(wasm.base, js.base) + 2;
    const [x, mean, variance, out] = [base, base + rows * cols, base + rows * cols + cols, base + rows * cols + 2 * cols];
    const rand = seeded(21);
    const data = Float64Array.from({ length: rows * cols + 2 * cols }, (_, i) => (i < rows * cols ? 100 * (rand() - 0.5) : i < rows * cols + cols ? rand() * 10 : [4, 0, 1e-20, 2.5, 1e6][i - rows * cols - cols]!));
    const results = [wasm, js].map((k) => {
      k.reserve(out + rows * cols);
      k.heap.set(data, x);
      k.normalizeForward(x, mean, variance, out, rows, cols);
      const forward = k.heap.slice(out, out + rows * cols);
      k.normalizeBackward(out, variance, rows, cols);
      return [forward, k.heap.slice(out, out + rows * cols)];
    });
    expect(results[1]).toEqual(results[0]);
    expect(results[0]![0]!.every(Number.isFinite)).toBe(true); // variance 0 and 1e-20: divided by 1e-7
  });

  it('networks with normalization layers train to the same weights on both backends (relu, linear, mse)', async () => {
    const make = (backend: 'wasm' | 'js') => new Network({
      inputSize: 4,
      layers: [normalization({ adapt: matrix(50, 4, 11, 30, 7) }), dense(6, { activation: 'relu' }), normalization({ mean: [1, 0, 1, 0, 1, 0], variance: [2, 3, 0.1, 1, 5, 0.5] }), dense(3)],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
      seed: 5,
      backend,
    });
    const x = matrix(64, 4, 12, 30, 7);
    const y = x.map((_, r) => [0, 1, 2].map((c) => (c === r % 3 ? 0.5 : -0.5)));
    const [a, b] = [make('wasm'), make('js')];
    const ha = await a.fit(x, y, { epochs: 4, batchSize: 10 });
    const hb = await b.fit(x, y, { epochs: 4, batchSize: 10 });
    // The dense layers' products and the loss's sums are not bit-identical across backends (each
    // backend adds in its own lane order), with or without these layers: agreement to rounding.
    const wa = a.getWeights().flatMap((l) => [...l.weights, ...l.bias]);
    const wb = b.getWeights().flatMap((l) => [...l.weights, ...l.bias]);
    wb.forEach((v, i) => expect(Math.abs(v - wa[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(wa[i]!))));
    hb.loss.forEach((v, i) => expect(Math.abs(v - ha.loss[i]!)).toBeLessThanOrEqual(1e-12 * ha.loss[i]!));
  });
});
