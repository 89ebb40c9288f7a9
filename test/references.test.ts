// Independent references: values worked out by hand from the documented formulas, defaults
// checked by building from the name alone and comparing the first steps with a hand
// computation, and short training trajectories written by PyTorch
// (scripts/fixtures/torch-optimizers.py). Nothing here compares the library with itself, so a
// loss parameter scaled, a default changed or an update rule bent fails here.
import { describe, expect, it } from 'vitest';
import {
  Network,
  cosineDecay,
  dense,
  earlyStopping,
  exponentialDecay,
  init,
  stepDecay,
  type BackendName,
  type LayerWeights,
  type LearningRateSchedule,
  type LossConfig,
  type NetworkConfig,
  type OptimizerConfig,
} from 'wasmnet';
import torch from './fixtures/torch-optimizers.json';

await init();
const BACKENDS: BackendName[] = ['wasm', 'js'];

/** A 1-input linear layer of 3 units whose outputs are known exactly:
 *  row 1 (x = 1): [0.5, −0.75, 1.5]; row 2 (x = 2): [1, −1.75, 3.5]. */
function linear3(backend: BackendName, loss: LossConfig): Network {
  const net = new Network({ inputSize: 1, layers: [dense(3)], loss, seed: 1, backend });
  net.setWeights([{ weights: new Float64Array([0.5, -1, 2]), bias: new Float64Array([0, 0.25, -0.5]) }]);
  return net;
}
const X = [[1], [2]];
/** d = a − y for each output: row 1 [0.3, −1.5, 2.5], row 2 [0.5, −4, 1] */
const D = [[0.3, -1.5, 2.5], [0.5, -4, 1]];
const A = [[0.5, -0.75, 1.5], [1, -1.75, 3.5]];
const Y = A.map((row, r) => row.map((a, j) => a - D[r]![j]!));

describe.each(BACKENDS)('loss values by hand (%s backend)', (backend) => {
  it('the network outputs what the hand computations assume', () => {
    expect(linear3(backend, 'mse').predict(X)).toEqual(A);
  });

  // Six differences: |d| = 0.3, 1.5, 2.5, 0.5, 4, 1
  it.each([
    ['mse', 'mse' as LossConfig, (0.09 + 2.25 + 6.25 + 0.25 + 16 + 1) / 6], // mean d²: 25.84 / 6
    ['mae', 'mae' as LossConfig, (0.3 + 1.5 + 2.5 + 0.5 + 4 + 1) / 6], // mean |d|: 9.8 / 6
    // huber δ = 1 (the default): ½d² for |d| ≤ 1 (0.3 → 0.045, 0.5 → 0.125, 1 → 0.5),
    // else |d| − ½ (1.5 → 1, 2.5 → 2, 4 → 3.5): 7.17 / 6
    ['huber by name (δ = 1)', 'huber' as LossConfig, 7.17 / 6],
    ['huber, delta omitted (δ = 1)', { type: 'huber' } as LossConfig, 7.17 / 6],
    ['huber δ = 1', { type: 'huber', delta: 1 } as LossConfig, 7.17 / 6],
    // δ = 0.5: 0.3 → 0.045, 0.5 → 0.125 (the boundary), beyond 0.5·(|d| − 0.25):
    // 1.5 → 0.625, 2.5 → 1.125, 4 → 1.875, 1 → 0.375: 4.17 / 6
    ['huber δ = 0.5', { type: 'huber', delta: 0.5 } as LossConfig, 4.17 / 6],
    // δ = 2: 0.3 → 0.045, 1.5 → 1.125, 0.5 → 0.125, 1 → 0.5; 2·(|d| − 1): 2.5 → 3, 4 → 6: 10.795 / 6
    ['huber δ = 2', { type: 'huber', delta: 2 } as LossConfig, 10.795 / 6],
    // δ = 5: all quadratic, ½·25.84 / 6
    ['huber δ = 5', { type: 'huber', delta: 5 } as LossConfig, 12.92 / 6],
  ])('%s', (_, loss, expected) => {
    const net = linear3(backend, loss);
    expect(net.evaluate(X, Y).loss).toBeCloseTo(expected, 13);
    expect(net.computeGradients(X, Y).loss).toBeCloseTo(expected, 13);
  });

  // dL/da by hand, then dL/db_j = Σ_rows dL/da_rj and dL/dW_j = Σ_rows x_r·dL/da_rj (x = 1, 2)
  it.each([
    // mae: sign(d)/6 → row 1 [1, −1, 1], row 2 [1, −1, 1]
    ['mae', 'mae' as LossConfig, [2, -2, 2], [3, -3, 3]],
    // huber δ = 1: clip(d, ±1)/6 → row 1 [0.3, −1, 1], row 2 [0.5, −1, 1]
    ['huber', 'huber' as LossConfig, [0.8, -2, 2], [1.3, -3, 3]],
    // huber δ = 0.5: clip(d, ±0.5)/6 → row 1 [0.3, −0.5, 0.5], row 2 [0.5, −0.5, 0.5]
    ['huber δ = 0.5', { type: 'huber', delta: 0.5 } as LossConfig, [0.8, -1, 1], [1.3, -1.5, 1.5]],
    // huber δ = 3: clip(d, ±3)/6 → row 1 [0.3, −1.5, 2.5], row 2 [0.5, −3, 1]
    ['huber δ = 3', { type: 'huber', delta: 3 } as LossConfig, [0.8, -4.5, 3.5], [1.3, -7.5, 4.5]],
  ])('%s gradients', (_, loss, bias6, weights6) => {
    const [g] = linear3(backend, loss).computeGradients(X, Y).gradients;
    for (let j = 0; j < 3; j++) {
      expect(g!.bias[j]).toBeCloseTo(bias6[j]! / 6, 13);
      expect(g!.weights[j]).toBeCloseTo(weights6[j]! / 6, 13);
    }
  });
});

/** 1 input → 1 linear unit, weight 0.5, bias 0, mse: for x = 2, y = 0 the output is 1, the loss
 *  1 and the gradients dL/dW = 2·1·2 = 4, dL/db = 2. */
function scalar(backend: BackendName, optimizer?: OptimizerConfig): Network {
  const config: NetworkConfig = {
    inputSize: 1,
    layers: [dense(1, { kernelInitializer: { type: 'constant', value: 0.5 } })],
    loss: 'mse',
    seed: 1,
    backend,
    ...(optimizer === undefined ? {} : { optimizer }),
  };
  return new Network(config);
}
const step = (net: Network) => net.trainBatch([[2]], [[0]]);
const wb = (net: Network): [number, number] => {
  const [l] = net.getWeights();
  return [l!.weights[0]!, l!.bias[0]!];
};

describe.each(BACKENDS)('optimizer defaults, from the name alone (%s backend)', (backend) => {
  it('no optimizer: sgd with learning rate 0.01 (θ −= 0.01·g)', () => {
    for (const net of [scalar(backend), scalar(backend, 'sgd')]) {
      expect(step(net)).toBe(1);
      const [w, b] = wb(net);
      expect(w).toBeCloseTo(0.5 - 0.01 * 4, 15);
      expect(b).toBeCloseTo(-0.01 * 2, 15);
    }
  });

  /** Two steps of Keras's Adam by hand (then AdamW's decay first when wd > 0). */
  function adamByHand(lr: number, beta1: number, beta2: number, eps: number, wd: number): [number, number][] {
    let [w, b] = [0.5, 0];
    let [mw, vw, mb, vb] = [0, 0, 0, 0];
    const out: [number, number][] = [];
    for (let t = 1; t <= 2; t++) {
      const a = 2 * w + b;
      const [gw, gb] = [2 * a * 2, 2 * a]; // mse of one output: 2·(a − 0)
      w -= lr * wd * w;
      b -= lr * wd * b;
      mw = beta1 * mw + (1 - beta1) * gw;
      vw = beta2 * vw + (1 - beta2) * gw * gw;
      mb = beta1 * mb + (1 - beta1) * gb;
      vb = beta2 * vb + (1 - beta2) * gb * gb;
      const scale = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      w -= (scale * mw) / (Math.sqrt(vw) + eps);
      b -= (scale * mb) / (Math.sqrt(vb) + eps);
      out.push([w, b]);
    }
    return out;
  }

  it.each([
    ['adam', 0.001, 0.9, 0.999, 1e-7, 0],
    ['adamw', 0.001, 0.9, 0.999, 1e-7, 0.004],
  ] as const)('%s: lr %s, beta1 %s, beta2 %s, epsilon %s, weightDecay %s', (name, lr, beta1, beta2, eps, wd) => {
    const net = scalar(backend, name);
    const expected = adamByHand(lr, beta1, beta2, eps, wd);
    for (const [w, b] of expected) {
      step(net);
      const [gotW, gotB] = wb(net);
      // ε's share of the first step is ≈ 1e-7/0.13 of 1e-3, ≈ 1e-9: the tolerance is far below
      expect(Math.abs(gotW - w)).toBeLessThan(1e-15);
      expect(Math.abs(gotB - b)).toBeLessThan(1e-15);
    }
  });

  it('rmsprop: lr 0.001, rho 0.9, epsilon 1e-7, no momentum', () => {
    const net = scalar(backend, 'rmsprop');
    let [w, b, sw, sb] = [0.5, 0, 0, 0];
    for (let t = 0; t < 2; t++) {
      const a = 2 * w + b;
      const [gw, gb] = [4 * a, 2 * a];
      sw = 0.9 * sw + 0.1 * gw * gw;
      sb = 0.9 * sb + 0.1 * gb * gb;
      w -= (0.001 * gw) / (Math.sqrt(sw) + 1e-7);
      b -= (0.001 * gb) / (Math.sqrt(sb) + 1e-7);
      step(net);
      const [gotW, gotB] = wb(net);
      expect(Math.abs(gotW - w)).toBeLessThan(1e-15);
      expect(Math.abs(gotB - b)).toBeLessThan(1e-15);
    }
  });

  it('adagrad: lr 0.001, initialAccumulatorValue 0.1, epsilon 1e-7', () => {
    const net = scalar(backend, 'adagrad');
    let [w, b, sw, sb] = [0.5, 0, 0.1, 0.1];
    for (let t = 0; t < 2; t++) {
      const a = 2 * w + b;
      const [gw, gb] = [4 * a, 2 * a];
      sw += gw * gw;
      sb += gb * gb;
      w -= (0.001 * gw) / (Math.sqrt(sw) + 1e-7);
      b -= (0.001 * gb) / (Math.sqrt(sb) + 1e-7);
      step(net);
      const [gotW, gotB] = wb(net);
      expect(Math.abs(gotW - w)).toBeLessThan(1e-15);
      expect(Math.abs(gotB - b)).toBeLessThan(1e-15);
    }
  });

  it('the resolved defaults read back as documented', () => {
    expect(scalar(backend).optimizer).toMatchObject({ type: 'sgd', learningRate: 0.01, momentum: 0, nesterov: false, clipNorm: 0 });
    expect(scalar(backend, 'adam').optimizer).toMatchObject({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, clipNorm: 0 });
    expect(scalar(backend, 'adamw').optimizer).toMatchObject({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.004 });
    expect(scalar(backend, 'rmsprop').optimizer).toMatchObject({ learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7 });
    expect(scalar(backend, 'adagrad').optimizer).toMatchObject({ learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 });
  });
});

describe.each(BACKENDS)('layer defaults, from the name alone (%s backend)', (backend) => {
  /** One unit per input: W = identity, b = 0, so predict gives f(z) for each input z. */
  function act(layer: ReturnType<typeof dense>): (z: number[]) => number[] {
    const net = new Network({ inputSize: 4, layers: [layer], loss: 'mse', seed: 1, backend });
    const eye = new Float64Array(16);
    for (let i = 0; i < 4; i++) eye[i * 4 + i] = 1;
    net.setWeights([{ weights: eye, bias: new Float64Array(4) }]);
    return (z) => net.predict([z])[0]!;
  }
  const Z = [-2, -0.5, 0.5, 3];

  it('dense: linear activation, zero biases', () => {
    expect(act(dense(4))(Z)).toEqual(Z);
    const net = new Network({ inputSize: 3, layers: [dense(5)], loss: 'mse', seed: 2, backend });
    expect([...net.getWeights()[0]!.bias]).toEqual([0, 0, 0, 0, 0]);
  });

  it('elu: α = 1, z if z > 0 else e^z − 1', () => {
    const got = act(dense(4, { activation: 'elu' }))(Z);
    const want = [Math.exp(-2) - 1, Math.exp(-0.5) - 1, 0.5, 3];
    for (let i = 0; i < 4; i++) expect(got[i]).toBeCloseTo(want[i]!, 14);
    const alpha2 = act(dense(4, { activation: 'elu', alpha: 2 }))(Z);
    expect(alpha2[0]).toBeCloseTo(2 * (Math.exp(-2) - 1), 14);
  });

  it('leakyRelu: α = 0.01', () => {
    expect(act(dense(4, { activation: 'leakyRelu' }))(Z)).toEqual([-0.02, -0.005, 0.5, 3]);
  });

  it('selu: λ ≈ 1.0507, α ≈ 1.6733', () => {
    const got = act(dense(4, { activation: 'selu' }))(Z);
    const [lambda, alpha] = [1.0507009873554805, 1.6732632423543772];
    expect(got[0]).toBeCloseTo(lambda * alpha * (Math.exp(-2) - 1), 12);
    expect(got[3]).toBeCloseTo(lambda * 3, 12);
  });

  // Initialisers by their documented bounds, on a layer large enough that the draws reach close
  // to the bound: a scale doubled or halved moves the largest |w| well outside [0.97, 1]·limit.
  const maxAbs = (w: Float64Array) => w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const std = (w: Float64Array) => Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
  it.each([
    // (activation, in, out, the documented default's limit or deviation)
    ['linear → glorotUniform', 'linear', 50, 30, { limit: Math.sqrt(6 / 80) }],
    ['tanh → glorotUniform', 'tanh', 50, 30, { limit: Math.sqrt(6 / 80) }],
    ['relu → heUniform', 'relu', 50, 30, { limit: Math.sqrt(6 / 50) }],
    ['leakyRelu → heUniform', 'leakyRelu', 50, 30, { limit: Math.sqrt(6 / 50) }],
    ['elu → heUniform', 'elu', 50, 30, { limit: Math.sqrt(6 / 50) }],
    ['selu → lecunNormal', 'selu', 50, 30, { stddev: Math.sqrt(1 / 50) }],
  ] as const)('%s', (_, activation, inputs, units, expected) => {
    const net = new Network({ inputSize: inputs, layers: [dense(units, { activation })], loss: 'mse', seed: 3, backend });
    const w = net.getWeights()[0]!.weights;
    if ('limit' in expected) {
      expect(maxAbs(w)).toBeLessThanOrEqual(expected.limit);
      expect(maxAbs(w)).toBeGreaterThan(0.97 * expected.limit);
      // uniform: the deviation is limit/√3
      expect(std(w) / (expected.limit / Math.sqrt(3))).toBeGreaterThan(0.93);
      expect(std(w) / (expected.limit / Math.sqrt(3))).toBeLessThan(1.07);
    } else {
      // N(0, σ²) truncated at 2σ with Keras's correction: the draws keep deviation σ and stay
      // within 2σ/0.8796
      expect(maxAbs(w)).toBeLessThanOrEqual((2 * expected.stddev) / 0.87962566103423978 + 1e-15);
      expect(std(w) / expected.stddev).toBeGreaterThan(0.93);
      expect(std(w) / expected.stddev).toBeLessThan(1.07);
    }
  });
});

describe('fit defaults (wasm backend)', () => {
  const rows = 70;
  const x = Array.from({ length: rows }, (_, i) => [Math.sin(i), Math.cos(0.3 * i)]);
  const y = x.map(([a, b]) => [a! * b!]);
  const make = () => new Network({ inputSize: 2, layers: [dense(4, { activation: 'tanh' }), dense(1)], loss: 'mse', seed: 4 });

  it('one epoch of batches of 32, shuffled, no metrics for a regression loss', async () => {
    const sizes: number[] = [];
    const net = make();
    const history = await net.fit(x, y, { onBatchEnd: (_, logs) => void sizes.push(logs.size) });
    expect(history.epochs).toBe(1);
    expect(sizes).toEqual([32, 32, 6]);
    expect(Object.keys(history).sort()).toEqual(['epochs', 'learningRate', 'loss']);
    const shuffled = make();
    await shuffled.fit(x, y, { shuffle: true, onBatchEnd: () => undefined });
    const ordered = make();
    await ordered.fit(x, y, { shuffle: false, onBatchEnd: () => undefined });
    expect(net.getWeights()).toEqual(shuffled.getWeights());
    expect(net.getWeights()).not.toEqual(ordered.getWeights());
  });

  it("the cross-entropies log accuracy by default", async () => {
    const net = new Network({ inputSize: 2, layers: [dense(1, { activation: 'sigmoid' })], loss: 'binaryCrossentropy', seed: 4 });
    const history = await net.fit(x, y.map(([v]) => [v! > 0 ? 1 : 0]));
    expect(history.accuracy).toHaveLength(1);
  });

  it('schedules: stepDecay factor 0.5, exponentialDecay every 1, cosineDecay over fit’s epochs down to 0', async () => {
    const rates = async (schedule: LearningRateSchedule) =>
      (await new Network({ inputSize: 2, layers: [dense(1)], loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.8 }, seed: 1 }).fit(x, y, { epochs: 4, learningRate: schedule })).learningRate;
    expect(await rates(stepDecay({ every: 2 }))).toEqual([0.8, 0.8, 0.4, 0.4]);
    expect(await rates(exponentialDecay({ rate: 0.5 }))).toEqual([0.8, 0.4, 0.2, 0.1]);
    const cosine = await rates(cosineDecay());
    const want = [0, 1, 2, 3].map((e) => (0.8 * (1 + Math.cos((Math.PI * e) / 4))) / 2);
    for (let e = 0; e < 4; e++) expect(cosine[e]).toBeCloseTo(want[e]!, 15);
  });

  it("earlyStopping: monitors 'loss' without validation data, patience 0, stops at the first epoch without improvement", async () => {
    // Each epoch's loss is measured before each batch's update. Learning rate 0 from epoch 1:
    // epoch 1 measures the weights epoch 0 trained (an improvement), epoch 2 the same weights
    // again (the same loss: no improvement), so patience 0 stops after epoch 2.
    const net = make();
    const history = await net.fit(x, y, { epochs: 10, shuffle: false, learningRate: (e) => (e === 0 ? 0.1 : 0), callbacks: [earlyStopping()] });
    expect(history.loss[2]).toBe(history.loss[1]);
    expect(history.loss[1]).toBeLessThan(history.loss[0]!);
    expect(history.epochs).toBe(3);
    // with validation data it watches valLoss, in 'min' mode
    const watched: number[] = [];
    const withVal = make();
    const h2 = await withVal.fit(x, y, {
      epochs: 10,
      validationData: [x.slice(0, 10), y.slice(0, 10)],
      learningRate: (e) => (e < 2 ? 0.05 : 0),
      onEpochEnd: (_, logs) => void watched.push(logs.valLoss!),
      callbacks: [earlyStopping()],
    });
    expect(h2.epochs).toBe(watched.findIndex((v, i) => i > 0 && !(v < watched[i - 1]!)) + 1);
  });
});

describe.each(BACKENDS)('training trajectories against PyTorch (%s backend)', (backend) => {
  const toFloat = (layers: { weights: number[]; bias: number[] }[]): LayerWeights[] =>
    layers.map((l) => ({ weights: new Float64Array(l.weights), bias: new Float64Array(l.bias) }));

  it.each(torch.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const net = new Network({
      inputSize: torch.config.inputSize,
      layers: torch.config.layers.map((l) => dense(l.units, { activation: l.activation as 'tanh' | 'linear' })),
      loss: 'mse',
      optimizer: c.optimizer as OptimizerConfig,
      seed: 1,
      backend,
    });
    net.setWeights(toFloat(torch.initial));
    for (let t = 0; t < c.losses.length; t++) {
      const loss = net.trainBatch(torch.x, torch.y);
      expect(Math.abs(loss - c.losses[t]!) / c.losses[t]!).toBeLessThan(1e-13);
      const got = net.getWeights();
      const want = c.weights[t]!;
      for (let l = 0; l < want.length; l++) {
        for (const key of ['weights', 'bias'] as const) {
          const g = got[l]![key];
          const w = want[l]![key];
          expect(g.length).toBe(w.length);
          for (let i = 0; i < w.length; i++) {
            if (Math.abs(g[i]! - w[i]!) > 1e-13 * Math.max(1, Math.abs(w[i]!))) {
              throw new Error(`${c.name}: step ${t + 1}, layer ${l} ${key}[${i}]: wasmnet ${g[i]}, PyTorch ${w[i]}`);
            }
          }
        }
      }
    }
  });
});
