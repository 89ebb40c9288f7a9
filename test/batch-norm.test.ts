// batchNorm and layerNorm: the options and their two conventions, training with the batch's
// statistics and predicting with the moving ones, gradients (inference and training mode)
// against finite differences, a refused batch leaving the moving statistics, saving, and the
// kernels as twins on both backends. PyTorch's own numbers are in norm-torch.test.ts.
import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, DivergenceError, Network, ShapeError, batchNorm, dense, init, layerNorm, type NetworkConfig } from '../src/index';
import { JsKernels } from '../src/backend/js';
import { WasmKernels } from '../src/backend/wasm';
import { seeded } from './helpers/data';

await init();

function matrix(rows: number, cols: number, seed: number, scale = 1, offset = 0): number[][] {
  const rand = seeded(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => offset + scale * (rand() * 2 - 1)));
}

describe('batchNorm() and layerNorm()', () => {
  it('default to Keras\'s conventions; convention "pytorch" gives PyTorch\'s three; explicit options win', () => {
    expect(batchNorm()).toEqual({ type: 'batchNorm', momentum: 0.99, epsilon: 1e-3, unbiasedVariance: false, activation: 'linear' });
    expect(batchNorm({ convention: 'pytorch' })).toEqual({ type: 'batchNorm', momentum: 0.9, epsilon: 1e-5, unbiasedVariance: true, activation: 'linear' });
    expect(batchNorm({ convention: 'pytorch', momentum: 0.5, activation: 'leakyRelu' })).toEqual({ type: 'batchNorm', momentum: 0.5, epsilon: 1e-5, unbiasedVariance: true, activation: 'leakyRelu', alpha: 0.01 });
    expect(layerNorm()).toEqual({ type: 'layerNorm', epsilon: 1e-3, activation: 'linear' });
    expect(layerNorm({ epsilon: 1e-5, activation: 'relu' })).toEqual({ type: 'layerNorm', epsilon: 1e-5, activation: 'relu' });
  });

  it('refuse bad options with a ConfigError naming them', () => {
    const bad: [() => unknown, string][] = [
      [() => batchNorm({ momentum: 1.5 }), 'batchNorm() momentum must be a number in [0, 1], got 1.5'],
      [() => batchNorm({ epsilon: 0 }), 'batchNorm() epsilon must be a finite number > 0, got 0'],
      [() => batchNorm({ unbiasedVariance: 'yes' as never }), 'batchNorm() unbiasedVariance must be true or false, got "yes"'],
      [() => batchNorm({ convention: 'torch' as never }), 'batchNorm() convention must be one of "keras", "pytorch", got "torch"'],
      [() => batchNorm({ activation: 'relu', alpha: 0.2 }), 'batchNorm() alpha only applies to activations "leakyRelu" and "elu", not "relu"'],
      [() => layerNorm({ epsilon: -1 }), 'layerNorm() epsilon must be a finite number > 0, got -1'],
      [() => layerNorm({ center: false } as never), 'layerNorm(): unknown option "center"'],
    ];
    for (const [call, message] of bad) expect(call).toThrow(ConfigError), expect(call).toThrow(message);
    expect(() => new Network({ inputSize: 2, layers: [dense(2), batchNorm()], loss: 'mse' })).toThrow('the last layer must be dense');
  });
});

describe.each(['wasm', 'js'] as const)('batch norm in a network (%s backend)', (backend) => {
  const config = (extra: Partial<NetworkConfig> = {}): NetworkConfig => ({
    inputSize: 3,
    layers: [batchNorm({ momentum: 0.75, epsilon: 0.01 }), dense(2)],
    loss: 'mse',
    optimizer: { type: 'sgd', learningRate: 0.1 },
    seed: 4,
    backend,
    ...extra,
  });

  it('trains on the batch\'s statistics and moves the moving ones after the step; predicts with the moving ones', () => {
    const net = new Network(config());
    expect(net.paramCount).toBe(2 * 3 + 4 * 2);
    // a fresh layer: moving mean 0, variance 1, γ 1, β 0
    expect(net.getWeights()[0]).toEqual({ weights: Float64Array.of(1, 1, 1), bias: new Float64Array(3), movingMean: new Float64Array(3), movingVariance: Float64Array.of(1, 1, 1) });
    const x = [[1, 10, -2], [3, 20, -2], [5, 60, -2], [7, 30, -2]];
    const y = [[1, 0], [0, 1], [1, 1], [0, 0]];
    const dense0 = net.getWeights()[1]!;
    // inference before training: x / √(1 + ε) (moving mean 0, variance 1), then the dense layer
    const forward = (row: number[], mean: number[], variance: number[]) => {
      const z = row.map((v, j) => (v - mean[j]!) * (1 / Math.sqrt(variance[j]! + 0.01)));
      return [0, 1].map((u) => z.reduce((s, v, j) => s + v * dense0.weights[j * 2 + u]!, dense0.bias[u]!));
    };
    net.predict(x).forEach((row, r) => row.forEach((v, u) => expect(v).toBeCloseTo(forward(x[r]!, [0, 0, 0], [1, 1, 1])[u]!, 13)));
    // the training loss uses the batch's mean [4, 30, −2] and biased variance [5, 350, 0]
    const batchLoss = x.reduce((s, row, r) => s + forward(row, [4, 30, -2], [5, 350, 0]).reduce((t, v, u) => t + (v - y[r]![u]!) ** 2, 0), 0) / 8;
    expect(net.trainBatch(x, y)).toBeCloseTo(batchLoss, 13);
    const { movingMean, movingVariance } = net.getWeights()[0]!;
    // moving = 0.75·moving + 0.25·batch (Keras's direction; biased variance)
    expect(Array.from(movingMean!)).toEqual([0.25 * 4, 0.25 * 30, 0.25 * -2]);
    expect(Array.from(movingVariance!)).toEqual([0.75 + 0.25 * 5, 0.75 + 0.25 * 350, 0.75]);
  });

  it('unbiasedVariance (PyTorch) moves the variance with n/(n − 1), and a one-row batch normalizes to β (no NaN)', () => {
    const net = new Network(config({ layers: [batchNorm({ momentum: 0.5, epsilon: 0.01, unbiasedVariance: true }), dense(2)] }));
    net.trainBatch([[1, 10, -2], [3, 20, -2], [5, 60, -2], [7, 30, -2]], [[1, 0], [0, 1], [1, 1], [0, 0]]);
    expect(Array.from(net.getWeights()[0]!.movingVariance!)).toEqual([0.5 + 0.5 * (5 * (4 / 3)), 0.5 + 0.5 * (350 * (4 / 3)), 0.5]);
    const one = new Network(config({ layers: [batchNorm({ unbiasedVariance: true }), dense(2)] }));
    expect(Number.isFinite(one.trainBatch([[1, 2, 3]], [[0, 1]]))).toBe(true);
    expect(one.getWeights()[0]!.movingVariance!.every(Number.isFinite)).toBe(true);
  });

  it('a refused (diverged) batch leaves the moving statistics as they were, like the weights', () => {
    const net = new Network(config({ optimizer: { type: 'sgd', learningRate: 1e300 } }));
    const before = net.toJSON();
    expect(() => net.trainBatch([[1e200, 2, 3], [-1e200, 5, 6]], [[1e300, 0], [0, 0]])).toThrow(DivergenceError);
    expect(net.toJSON()).toEqual(before);
  });

  it('saves and loads its moving statistics: train, save, load, train equals training throughout', async () => {
    const layers = [dense(5), batchNorm({ activation: 'relu' }), dense(4, { activation: 'tanh' }), layerNorm({ activation: 'elu' }), dense(2)];
    const x = matrix(40, 3, 5, 3, 1);
    const y = matrix(40, 2, 6);
    const straight = new Network(config({ layers, optimizer: 'adam' }));
    await straight.fit(x, y, { epochs: 4, batchSize: 8 });
    const halves = new Network(config({ layers, optimizer: 'adam' }));
    await halves.fit(x, y, { epochs: 2, batchSize: 8 });
    const loaded = Network.fromBytes(Network.fromJSON(JSON.stringify(halves)).toBytes());
    await loaded.fit(x, y, { epochs: 2, batchSize: 8 });
    expect(loaded.getWeights()).toEqual(straight.getWeights());
    expect(loaded.toJSON()).toEqual(straight.toJSON());
    const edited = { ...straight.toJSON(), stats: new Network(config({ layers: [dense(5), batchNorm(), dense(4), layerNorm(), dense(2)], optimizer: 'adam' })).toJSON().stats };
    expect(Network.fromJSON(edited).getWeights()[1]!.movingVariance).toEqual(Float64Array.of(1, 1, 1, 1, 1)); // moving statistics come from the slab
  });

  it('setWeights takes γ, β and (optionally) the moving statistics, checked', () => {
    const net = new Network(config());
    const w = net.getWeights();
    net.setWeights([{ weights: Float64Array.of(2, 3, 4), bias: Float64Array.of(1, 1, 1) }, w[1]!]);
    expect(net.getWeights()[0]!.movingVariance).toEqual(Float64Array.of(1, 1, 1));
    expect(() => net.setWeights([{ ...w[0]!, movingVariance: Float64Array.of(1, -1, 1) }, w[1]!])).toThrow(DataError);
    expect(() => net.setWeights([{ ...w[0]!, movingVariance: undefined }, w[1]!])).toThrow('setWeights: layer 0 (batchNorm) needs movingMean and movingVariance together');
    expect(() => net.setWeights([w[0]!, { ...w[1]!, movingMean: Float64Array.of(0, 0) }])).toThrow(ShapeError);
  });
});

describe.each(['wasm', 'js'] as const)('gradients through batch and layer norm (%s backend)', (backend) => {
  const layers = [dense(4), batchNorm({ activation: 'tanh', epsilon: 0.05 }), dense(5, { activation: 'sigmoid' }), layerNorm({ activation: 'elu', epsilon: 0.01 }), dense(2)];
  const x = matrix(7, 3, 8, 2);
  const y = matrix(7, 2, 9);
  /** Random γ, β, moving statistics and weights (not the starting 1 and 0, so each is exercised). */
  function randomized(net: Network): void {
    const rand = seeded(3);
    net.setWeights(net.getWeights().map((e) => ({
      weights: e.weights.map(() => rand() * 2 - 0.5),
      bias: e.bias.map(() => rand() - 0.5),
      ...(e.movingMean ? { movingMean: e.movingMean.map(() => rand() - 0.5), movingVariance: e.movingVariance!.map(() => rand() + 0.5) } : {}),
    })));
  }

  function check(loss: () => number, analytic: Float64Array[], net: Network): number {
    const base = net.getWeights();
    const h = 1e-6;
    let checked = 0;
    base.forEach((layer, l) => (['weights', 'bias'] as const).forEach((part, p) => {
      for (let i = 0; i < layer[part].length; i++) {
        const at = (delta: number) => {
          const w = base.map((e) => ({ ...e, weights: e.weights.slice(), bias: e.bias.slice() }));
          w[l]![part][i]! += delta;
          net.setWeights(w);
          return loss();
        };
        const numeric = (at(h) - at(-h)) / (2 * h);
        const want = analytic[2 * l + p]![i]!;
        expect(Math.abs(numeric - want)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(want)));
        checked++;
      }
    }));
    net.setWeights(base);
    return checked;
  }

  it('inference mode (computeGradients: the moving statistics) matches central differences of evaluate', () => {
    const net = new Network({ inputSize: 3, layers, loss: 'mse', seed: 2, backend });
    randomized(net);
    const { gradients } = net.computeGradients(x, y);
    const checked = check(() => net.evaluate(x, y).loss, gradients.flatMap((g) => [g.weights, g.bias]), net);
    expect(checked).toBe(net.paramCount);
  });

  it('training mode (the batch\'s statistics) matches central differences of the training loss', () => {
    // the training loss at given weights is what trainBatch returns (computed before its update);
    // each evaluation runs on a fresh copy. The analytic gradient is one SGD step of rate 1.
    const net = new Network({ inputSize: 3, layers, loss: 'mse', optimizer: { type: 'sgd', learningRate: 1 }, seed: 2, backend });
    randomized(net);
    const saved = net.toJSON();
    const copy = Network.fromJSON(saved);
    const before = copy.getWeights();
    copy.trainBatch(x, y);
    const after = copy.getWeights();
    const analytic = before.flatMap((e, l) => [e.weights.map((v, i) => v - after[l]!.weights[i]!), e.bias.map((v, i) => v - after[l]!.bias[i]!)]);
    const probe = Network.fromJSON(saved);
    const loss = () => Network.fromJSON({ ...probe.toJSON(), config: saved.config }).trainBatch(x, y);
    const checked = check(loss, analytic, probe);
    expect(checked).toBe(net.paramCount);
    // and it is not the inference-mode gradient (the check above would notice a backward pass
    // that ignored the batch statistics' dependence on x only through this)
    const inference = net.computeGradients(x, y).gradients[0]!.weights;
    expect(Math.max(...inference.map((v, i) => Math.abs(v - analytic[0]![i]!)))).toBeGreaterThan(1e-3);
  });
});

describe('both backends', () => {
  it('the batch and layer norm kernels are twins: the same bits from the same arena', () => {
    const rows = 13;
    const units = 6;
    const rand = seeded(33);
    const n = rows * units;
    const data = Float64Array.from({ length: 6 * n + 10 * units }, () => rand() * 4 - 2);
    const results = [new WasmKernels(), new JsKernels()].map((k) => {
      const b = Math.max(k.base, 64) + 2;
      const [x, dZ, z, dX, gamma, beta, stats, aux, dG, dB] = [b, b + n, b + 2 * n, b + 3 * n, b + 4 * n, b + 4 * n + units, b + 4 * n + 2 * units, b + 4 * n + 4 * units, b + 4 * n + 7 * units, b + 4 * n + 8 * units];
      k.reserve(b + 6 * n + 10 * units);
      k.heap.set(data, b);
      for (let j = 0; j < units; j++) k.heap[stats + units + j] = Math.abs(k.heap[stats + units + j]!); // variances ≥ 0
      const out: number[] = [];
      const take = (at: number, count: number) => out.push(...k.heap.slice(at, at + count));
      for (const training of [true, false]) {
        k.batchNormForward(x, gamma, beta, stats, aux, z, rows, units, 1e-3, training);
        take(z, n), take(aux, 3 * units);
        k.batchNormBackward(x, gamma, aux, dZ, dG, dB, dX, rows, units, training);
        take(dX, n), take(dG, units), take(dB, units);
      }
      k.batchNormUpdate(stats, aux, units, 0.9, rows, true);
      take(stats, 2 * units);
      k.layerNormForward(x, gamma, beta, aux, z, rows, units, 1e-5);
      take(z, n), take(aux, 2 * rows);
      k.layerNormBackward(x, gamma, aux, dZ, dG, dB, dX, rows, units);
      take(dX, n), take(dG, units), take(dB, units);
      return out;
    });
    expect(results[0]!.every(Number.isFinite)).toBe(true);
    expect(results[1]).toEqual(results[0]);
  });
});
