// The training features beyond plain SGD: every optimizer's update rule against a hand
// computation, gradient checks for the newer activations, losses and weight penalties,
// clipNorm, dropout, initialisers and integer labels, on both backends.
import { describe, expect, it } from 'vitest';
import { DataError, Network, dense, dropout, init, type LayerWeights, type NetworkConfig, type OptimizerConfig } from '../src/index';
import type { ActivationName } from '../src/activations';
import { JsKernels } from '../src/backend/js';
import type { Kernels } from '../src/backend/kernels';
import { WasmKernels } from '../src/backend/wasm';
import { runStep } from '../src/backend/step';
import { irisSplit, seeded } from './helpers/data';

await init();
const BACKENDS = ['wasm', 'js'] as const;

const relClose = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
function expectAllClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  const bad: string[] = [];
  for (let i = 0; i < got.length; i++) if (!relClose(got[i]!, want[i]!, tol)) bad.push(`[${i}] ${got[i]} vs ${want[i]}`);
  expect(bad, what).toEqual([]);
}

// ---- optimizers: two steps against the formulas --------------------------------------------

// A 1→1 linear unit under mse on one sample: L = (w·x + b − y)², so g_w = 2(wx + b − y)·x and
// g_b = 2(wx + b − y), easy to follow by hand through two updates.
const X = 1.5;
const Y = -0.4;
const W0 = 0.8;
const B0 = 0.3;

type Rule = (theta: number[], g: number[], state: Record<string, number[]>, t: number) => void;

function reference(rule: Rule, steps: number): number[] {
  const theta = [W0, B0];
  const state: Record<string, number[]> = {};
  for (let t = 1; t <= steps; t++) {
    const e = theta[0]! * X + theta[1]! - Y;
    rule(theta, [2 * e * X, 2 * e], state, t);
  }
  return theta;
}

const zeros = () => [0, 0];
const RULES: [string, OptimizerConfig, Rule][] = [
  ['sgd', { type: 'sgd', learningRate: 0.1 }, (th, g) => g.forEach((gi, i) => (th[i]! -= 0.1 * gi))],
  [
    'sgd momentum 0.9',
    { type: 'sgd', learningRate: 0.1, momentum: 0.9 },
    (th, g, s) => {
      s.v ??= zeros();
      g.forEach((gi, i) => {
        s.v![i] = 0.9 * s.v![i]! - 0.1 * gi;
        th[i]! += s.v![i]!;
      });
    },
  ],
  [
    'sgd nesterov',
    { type: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: true },
    (th, g, s) => {
      s.v ??= zeros();
      g.forEach((gi, i) => {
        s.v![i] = 0.9 * s.v![i]! - 0.1 * gi;
        th[i]! += 0.9 * s.v![i]! - 0.1 * gi;
      });
    },
  ],
  [
    'adam',
    { type: 'adam', learningRate: 0.01 },
    (th, g, s, t) => {
      s.m ??= zeros();
      s.v ??= zeros();
      const lrT = (0.01 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
      g.forEach((gi, i) => {
        s.m![i] = 0.9 * s.m![i]! + 0.1 * gi;
        s.v![i] = 0.999 * s.v![i]! + 0.001 * gi * gi;
        th[i]! -= (lrT * s.m![i]!) / (Math.sqrt(s.v![i]!) + 1e-7);
      });
    },
  ],
  [
    'adamw',
    { type: 'adamw', learningRate: 0.01, weightDecay: 0.1, beta1: 0.8, beta2: 0.99, epsilon: 1e-6 },
    (th, g, s, t) => {
      s.m ??= zeros();
      s.v ??= zeros();
      const lrT = (0.01 * Math.sqrt(1 - 0.99 ** t)) / (1 - 0.8 ** t);
      g.forEach((gi, i) => {
        s.m![i] = 0.8 * s.m![i]! + 0.2 * gi;
        s.v![i] = 0.99 * s.v![i]! + 0.01 * gi * gi;
        th[i]! = th[i]! - 0.01 * 0.1 * th[i]! - (lrT * s.m![i]!) / (Math.sqrt(s.v![i]!) + 1e-6);
      });
    },
  ],
  [
    'rmsprop',
    { type: 'rmsprop', learningRate: 0.01 },
    (th, g, s) => {
      s.s ??= zeros();
      g.forEach((gi, i) => {
        s.s![i] = 0.9 * s.s![i]! + 0.1 * gi * gi;
        th[i]! -= (0.01 * gi) / (Math.sqrt(s.s![i]!) + 1e-7);
      });
    },
  ],
  [
    'rmsprop momentum 0.5, rho 0.8',
    { type: 'rmsprop', learningRate: 0.01, momentum: 0.5, rho: 0.8 },
    (th, g, s) => {
      s.s ??= zeros();
      s.u ??= zeros();
      g.forEach((gi, i) => {
        s.s![i] = 0.8 * s.s![i]! + 0.2 * gi * gi;
        s.u![i] = 0.5 * s.u![i]! + (0.01 * gi) / (Math.sqrt(s.s![i]!) + 1e-7);
        th[i]! -= s.u![i]!;
      });
    },
  ],
  [
    'adagrad',
    { type: 'adagrad', learningRate: 0.1 },
    (th, g, s) => {
      s.a ??= [0.1, 0.1];
      g.forEach((gi, i) => {
        s.a![i] = s.a![i]! + gi * gi;
        th[i]! -= (0.1 * gi) / (Math.sqrt(s.a![i]!) + 1e-7);
      });
    },
  ],
  [
    'sgd with clipNorm 0.5 (the raw gradient norm is ≈ 6.6)',
    { type: 'sgd', learningRate: 1, clipNorm: 0.5 },
    (th, g) => {
      const norm = Math.hypot(g[0]!, g[1]!);
      const scale = norm > 0.5 ? 0.5 / norm : 1;
      g.forEach((gi, i) => (th[i]! -= gi * scale));
    },
  ],
];

describe.each(BACKENDS)('optimizer update rules (%s)', (backend) => {
  it.each(RULES)('%s: two steps match the formula', (_name, optimizer, rule) => {
    const net = new Network({ inputSize: 1, layers: [dense(1)], loss: 'mse', optimizer, seed: 1, backend });
    net.setWeights([{ weights: new Float64Array([W0]), bias: new Float64Array([B0]) }]);
    for (let step = 1; step <= 2; step++) {
      net.trainBatch([[X]], [[Y]]);
      const [{ weights, bias }] = net.getWeights() as [LayerWeights];
      expectAllClose([weights[0]!, bias[0]!], reference(rule, step), 1e-14, `after step ${step}`);
    }
  });

  it('adam trains iris to ≥ 95% held-out accuracy', async () => {
    const { trainX, trainY, testX, testY } = irisSplit();
    const net = new Network({
      inputSize: 4,
      layers: [dense(16, { activation: 'relu' }), dense(3, { activation: 'softmax' })],
      loss: 'categoricalCrossentropy',
      optimizer: { type: 'adam', learningRate: 0.01 },
      seed: 2,
      backend,
    });
    await net.fit(trainX, trainY, { epochs: 100, batchSize: 16 });
    expect(net.evaluate(testX, testY).accuracy).toBeGreaterThanOrEqual(0.95);
  });
});

// ---- gradient checks for the newer activations, losses and penalties ----------------------

interface GradCase {
  name: string;
  config: Omit<NetworkConfig, 'seed' | 'backend'>;
  y: (rand: () => number, rows: number, cols: number) => number[][];
}

const regression = (rand: () => number, rows: number, cols: number) => Array.from({ length: rows }, () => Array.from({ length: cols }, () => 2 * rand() - 1));
const labels = (rand: () => number, rows: number, cols: number) => Array.from({ length: rows }, () => [Math.floor(rand() * cols)]);

const SMOOTH: ActivationName[] = ['elu', 'selu', 'softplus', 'gelu', 'swish', 'geluExact'];
const GRAD_CASES: GradCase[] = [
  ...SMOOTH.map((activation) => ({
    name: `hidden ${activation} (5→6→3 linear, mse)`,
    config: { inputSize: 5, layers: [dense(6, { activation }), dense(3)], loss: 'mse' as const },
    y: regression,
  })),
  ...SMOOTH.map((activation) => ({
    name: `output ${activation} (4→5 tanh→2 ${activation}, mse)`,
    config: { inputSize: 4, layers: [dense(5, { activation: 'tanh' }), dense(2, { activation })], loss: 'mse' as const },
    y: regression,
  })),
  {
    name: 'elu with alpha 0.7',
    config: { inputSize: 3, layers: [dense(5, { activation: 'elu', alpha: 0.7 }), dense(2)], loss: 'mse' },
    y: regression,
  },
  { name: 'mae (4→5 tanh→3 linear)', config: { inputSize: 4, layers: [dense(5, { activation: 'tanh' }), dense(3)], loss: 'mae' }, y: regression },
  {
    name: 'huber δ = 0.3 (both branches occur)',
    config: { inputSize: 4, layers: [dense(5, { activation: 'tanh' }), dense(3)], loss: { type: 'huber', delta: 0.3 } },
    y: regression,
  },
  {
    name: 'sparseCategoricalCrossentropy (4→6 sigmoid→5 softmax)',
    config: { inputSize: 4, layers: [dense(6, { activation: 'sigmoid' }), dense(5, { activation: 'softmax' })], loss: 'sparseCategoricalCrossentropy' },
    y: labels,
  },
  {
    name: 'L1 + L2 penalties on both layers',
    config: {
      inputSize: 4,
      layers: [dense(5, { activation: 'tanh', kernelRegularizer: { l1: 0.01, l2: 0.02 } }), dense(2, { kernelRegularizer: { l2: 0.05 } })],
      loss: 'mse',
    },
    y: regression,
  },
  {
    name: 'a dropout layer (inference mode: passes values through)',
    config: { inputSize: 4, layers: [dense(5, { activation: 'tanh' }), dropout(0.5), dense(2)], loss: 'mse' },
    y: regression,
  },
];

describe.each(BACKENDS)('gradient checks, newer features (%s)', (backend) => {
  it.each(GRAD_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const rand = seeded(77);
    const net = new Network({ ...c.config, seed: 5, backend });
    const rows = 4;
    const x = Array.from({ length: rows }, () => Array.from({ length: c.config.inputSize }, () => 2 * rand() - 1));
    const y = c.y(rand, rows, net.outputSize);
    const w = net.getWeights();
    // non-zero biases so that every bias gradient is exercised in general position
    for (const layer of w) layer.bias.forEach((_, i) => (layer.bias[i] = 0.3 * (2 * rand() - 1)));
    net.setWeights(w);
    const { loss, gradients } = net.computeGradients(x, y);
    expect(loss).toBe(net.evaluate(x, y).loss);
    const h = 1e-5;
    let checked = 0;
    let worst = 0;
    w.forEach((layer, li) => {
      for (const part of ['weights', 'bias'] as const) {
        for (let i = 0; i < layer[part].length; i++) {
          const original = layer[part][i]!;
          layer[part][i] = original + h;
          net.setWeights(w);
          const up = net.evaluate(x, y).loss;
          layer[part][i] = original - h;
          net.setWeights(w);
          const down = net.evaluate(x, y).loss;
          layer[part][i] = original;
          const numeric = (up - down) / (2 * h);
          const analytic = gradients[li]![part][i]!;
          const err = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), 1e-3);
          worst = Math.max(worst, err);
          checked++;
        }
      }
    });
    expect(checked).toBe(net.paramCount);
    expect(worst).toBeLessThan(1e-6);
  });

  it('weight penalties are part of the reported loss: l1·Σ|W| + l2·ΣW² exactly', () => {
    const layers = (reg: boolean) => [dense(4, { activation: 'tanh', ...(reg ? { kernelRegularizer: { l1: 0.01, l2: 0.02 } } : {}) }), dense(2)];
    const plain = new Network({ inputSize: 3, layers: layers(false), loss: 'mse', seed: 8, backend });
    const penalised = new Network({ inputSize: 3, layers: layers(true), loss: 'mse', seed: 8, backend });
    const x = [[0.1, 0.2, 0.3], [-0.5, 0.4, 0.9]];
    const y = [[1, 0], [0, 1]];
    const w0 = penalised.getWeights()[0]!.weights;
    const penalty = 0.01 * w0.reduce((s, v) => s + Math.abs(v), 0) + 0.02 * w0.reduce((s, v) => s + v * v, 0);
    expect(penalised.evaluate(x, y).loss - plain.evaluate(x, y).loss).toBeCloseTo(penalty, 14);
  });

  it('L2 shrinks the weights that it penalises', async () => {
    const { trainX, trainY } = irisSplit();
    const make = (l2: number) =>
      new Network({
        inputSize: 4,
        layers: [dense(16, { activation: 'relu', kernelRegularizer: { l2 } }), dense(3, { activation: 'softmax', kernelRegularizer: { l2 } })],
        loss: 'categoricalCrossentropy',
        optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
        seed: 3,
        backend,
      });
    const norm = (net: Network) => net.getWeights().reduce((s, l) => s + l.weights.reduce((t, v) => t + v * v, 0), 0);
    const free = make(0);
    const shrunk = make(0.01);
    await free.fit(trainX, trainY, { epochs: 50, batchSize: 16 });
    await shrunk.fit(trainX, trainY, { epochs: 50, batchSize: 16 });
    expect(norm(shrunk)).toBeLessThan(0.5 * norm(free));
  });

  it('sparse labels give exactly what one-hot targets give', () => {
    const make = (loss: 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy') =>
      new Network({ inputSize: 2, layers: [dense(4, { activation: 'tanh' }), dense(3, { activation: 'softmax' })], loss, seed: 4, backend });
    const x = [[0.1, 0.9], [0.5, -0.2], [-0.3, 0.3]];
    const sparse = make('sparseCategoricalCrossentropy').computeGradients(x, [[2], [0], [1]]);
    const dense3 = make('categoricalCrossentropy').computeGradients(x, [[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
    expect(sparse.loss).toBeCloseTo(dense3.loss, 14);
    sparse.gradients.forEach((g, i) => expectAllClose(g.weights, dense3.gradients[i]!.weights, 1e-14, `layer ${i}`));
    const net = make('sparseCategoricalCrossentropy');
    expect(() => net.evaluate(x, [[2], [0], [3]])).toThrow(DataError);
    expect(() => net.evaluate(x, [[2], [0], [3]])).toThrow(/y\[2\]\[0\] is 3; sparseCategoricalCrossentropy needs class indices, integers in \[0, 3\)/);
    expect(() => net.evaluate(x, [[2], [0.5], [1]])).toThrow(/y\[1\]\[0\] is 0\.5/);
    expect(net.evaluate(x, [[2], [0], [1]]).accuracy).toBeDefined();
  });
});

// ---- dropout ------------------------------------------------------------------------------

describe('dropout', () => {
  const config = (backend: 'wasm' | 'js', rate: number): NetworkConfig => ({
    inputSize: 4,
    layers: [dense(32, { activation: 'relu' }), dropout(rate), dense(3, { activation: 'softmax' })],
    loss: 'categoricalCrossentropy',
    optimizer: { type: 'sgd', learningRate: 0.05 },
    seed: 6,
    backend,
  });
  const { trainX, trainY, testX } = irisSplit();

  it.each(BACKENDS)('changes training but not predict, and rate 0 changes nothing (%s)', async (backend) => {
    const withDropout = new Network(config(backend, 0.5));
    const without = new Network(config(backend, 0));
    const noLayer = new Network({ ...config(backend, 0), layers: [dense(32, { activation: 'relu' }), dense(3, { activation: 'softmax' })] });
    expect(withDropout.getWeights()).toEqual(without.getWeights());
    // predict: the dropout layer is the identity
    expect(withDropout.predict(testX)).toEqual(noLayer.predict(testX));
    // training: different updates with rate 0.5; rate 0 trains exactly like no dropout layer
    const trainEach = async (net: Network) => net.fit(trainX, trainY, { epochs: 3, batchSize: 8, shuffle: false });
    await trainEach(withDropout);
    await trainEach(without);
    await trainEach(noLayer);
    expect(without.getWeights()).toEqual(noLayer.getWeights());
    expect(withDropout.getWeights()).not.toEqual(without.getWeights());
  });

  it('masks are reproducible from the seed and identical on both backends', async () => {
    const a = new Network(config('wasm', 0.3));
    const b = new Network(config('wasm', 0.3));
    const c = new Network(config('js', 0.3));
    for (const net of [a, b, c]) await net.fit(trainX, trainY, { epochs: 2, batchSize: 8 });
    expect(b.getWeights()).toEqual(a.getWeights());
    a.getWeights().forEach((l, i) => expectAllClose(c.getWeights()[i]!.weights, l.weights, 1e-12, `layer ${i}`));
  });

  it('drops about `rate` of the values and scales the rest by 1/(1 − rate), on both kernels alike', () => {
    const n = 100_000;
    const rate = 0.3;
    const masks = ([new WasmKernels(), new JsKernels()] as Kernels[]).map((k) => {
      const x = k.base + 16;
      const out = x + n;
      const mask = out + n;
      const state = mask + n;
      k.reserve(state + 4);
      k.heap.fill(2, x, x + n);
      k.heap.set([123456789, 362436069, 521288629, 88675123], state);
      k.dropoutForward(x, out, mask, n, rate, state);
      const m = k.heap.slice(mask, mask + n);
      const o = k.heap.slice(out, out + n);
      const wrong = m.filter((v, i) => o[i] !== 2 * v).length;
      expect(wrong).toBe(0);
      return m;
    });
    expect(masks[1]).toEqual(masks[0]);
    const dropped = masks[0]!.filter((v) => v === 0).length / n;
    expect(Math.abs(dropped - rate)).toBeLessThan(0.005);
    expect(new Set(masks[0])).toEqual(new Set([0, 1 / (1 - rate)]));
  });

  it('the fused wasm step equals the TypeScript step bit for bit with dropout, adam, penalties and clipping', async () => {
    const cfg: NetworkConfig = {
      inputSize: 4,
      layers: [dense(12, { activation: 'gelu', kernelRegularizer: { l1: 1e-3, l2: 1e-3 } }), dropout(0.25), dense(6, { activation: 'elu' }), dropout(0.1), dense(3, { activation: 'softmax' })],
      loss: 'categoricalCrossentropy',
      optimizer: { type: 'adamw', learningRate: 0.01, clipNorm: 1 },
      seed: 12,
      backend: 'wasm',
    };
    const fused = new Network(cfg);
    const unfused = new Network(cfg);
    const k = (unfused as unknown as { engine: { k: Kernels } }).engine.k;
    k.step = (desc, rows, mode) => runStep(k, desc, rows, mode);
    const h1 = await fused.fit(trainX, trainY, { epochs: 3, batchSize: 10 });
    const h2 = await unfused.fit(trainX, trainY, { epochs: 3, batchSize: 10 });
    expect(h2.loss).toEqual(h1.loss);
    expect(unfused.getWeights()).toEqual(fused.getWeights());
  });

  it('rejects a dropout as the last layer and bad rates', () => {
    expect(() => new Network({ inputSize: 2, layers: [dense(3), dropout(0.5)], loss: 'mse' })).toThrow(/the last layer must be dense/);
    expect(() => dropout(1)).toThrow(/rate must be a number in \[0, 1\), got 1/);
    expect(() => dropout(-0.1)).toThrow(/got -0\.1/);
  });
});

// ---- initialisers -------------------------------------------------------------------------

describe('initialisers', () => {
  const stats = (v: Float64Array) => {
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length;
    return { mean, variance, max: Math.max(...v.map(Math.abs)) };
  };
  const FAN_IN = 200;
  const FAN_OUT = 300;
  const weightsOf = (kernelInitializer: unknown, seed = 1) =>
    new Network({ inputSize: FAN_IN, layers: [dense(FAN_OUT, { kernelInitializer: kernelInitializer as never })], loss: 'mse', seed }).getWeights()[0]!.weights;

  it.each([
    ['glorotUniform', 2 / (FAN_IN + FAN_OUT), Math.sqrt(6 / (FAN_IN + FAN_OUT))],
    ['glorotNormal', 2 / (FAN_IN + FAN_OUT), 2 * Math.sqrt(2 / (FAN_IN + FAN_OUT)) / 0.8796256610342398],
    ['heUniform', 2 / FAN_IN, Math.sqrt(6 / FAN_IN)],
    ['heNormal', 2 / FAN_IN, 2 * Math.sqrt(2 / FAN_IN) / 0.8796256610342398],
    ['lecunUniform', 1 / FAN_IN, Math.sqrt(3 / FAN_IN)],
    ['lecunNormal', 1 / FAN_IN, 2 * Math.sqrt(1 / FAN_IN) / 0.8796256610342398],
  ])('%s: mean 0, variance %f, bounded by %f', (name, variance, bound) => {
    const w = weightsOf(name);
    const s = stats(w);
    expect(Math.abs(s.mean)).toBeLessThan(0.05 * Math.sqrt(variance));
    expect(Math.abs(s.variance / variance - 1)).toBeLessThan(0.02);
    expect(s.max).toBeLessThanOrEqual(bound);
    expect(s.max).toBeGreaterThan(0.95 * bound);
    expect(weightsOf(name)).toEqual(w); // the same seed, the same weights
    expect(weightsOf(name, 2)).not.toEqual(w);
  });

  it('zeros, ones, constant, and per-layer bias initialisers', () => {
    expect(weightsOf('zeros').every((v) => v === 0)).toBe(true);
    expect(weightsOf('ones').every((v) => v === 1)).toBe(true);
    expect(weightsOf({ type: 'constant', value: 0.25 }).every((v) => v === 0.25)).toBe(true);
    const net = new Network({ inputSize: 2, layers: [dense(3, { biasInitializer: { type: 'constant', value: 0.1 } })], loss: 'mse', seed: 1 });
    expect(Array.from(net.getWeights()[0]!.bias)).toEqual([0.1, 0.1, 0.1]);
    expect(() => dense(3, { kernelInitializer: 'xavier' as never })).toThrow(/kernelInitializer must be one of "glorotUniform"/);
  });
});
