// Learning on real problems: XOR, iris (held-out third), and the seed notebooks' regression.
import { describe, expect, it } from 'vitest';
import { Network, dense, init } from '../src/index';
import { XOR_X, XOR_Y, irisSplit, sineRegression } from './helpers/data';

await init();

describe.each(['wasm', 'js'] as const)('learning on the %s backend', (backend) => {
  it('XOR 2-3-1 (tanh hidden, sigmoid output, mse) classifies all four points', async () => {
    const net = new Network({
      inputSize: 2,
      layers: [dense(3, { activation: 'tanh' }), dense(1, { activation: 'sigmoid' })],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.5 },
      seed: 42,
      backend,
    });
    const before = net.evaluate(XOR_X, XOR_Y).loss;
    const history = await net.fit(XOR_X, XOR_Y, { epochs: 2000, batchSize: 4 });
    expect(history.loss).toHaveLength(2000);
    expect(history.loss[1999]!).toBeLessThan(before / 20);
    const out = net.predict(XOR_X).map((r) => r[0]!);
    expect(out.map((p) => (p >= 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
  });

  it('XOR with sigmoid + binaryCrossentropy reports accuracy 1', async () => {
    const net = new Network({
      inputSize: 2,
      layers: [dense(3, { activation: 'sigmoid' }), dense(1, { activation: 'sigmoid' })],
      loss: 'binaryCrossentropy',
      optimizer: { type: 'sgd', learningRate: 1, momentum: 0.9 },
      seed: 7,
      backend,
    });
    await net.fit(XOR_X, XOR_Y, { epochs: 1000, batchSize: 4 });
    expect(net.evaluate(XOR_X, XOR_Y).accuracy).toBe(1);
  });

  it('iris reaches ≥ 95% accuracy on a held-out third', async () => {
    const { trainX, trainY, testX, testY } = irisSplit();
    expect(trainX).toHaveLength(102);
    expect(testX).toHaveLength(48); // 16 of each class
    const net = new Network({
      inputSize: 4,
      layers: [dense(16, { activation: 'relu' }), dense(3, { activation: 'softmax' })],
      loss: 'categoricalCrossentropy',
      optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
      seed: 1,
      backend,
    });
    const untrained = net.evaluate(testX, testY).accuracy!;
    const history = await net.fit(trainX, trainY, { epochs: 200, batchSize: 16 });
    expect(history.accuracy!.at(-1)!).toBeGreaterThan(0.95);
    const { accuracy } = net.evaluate(testX, testY);
    expect(untrained).toBeLessThan(0.8);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('fits y = 300·exp(sin(x)) on 2 inputs with test MSE far below the variance of y', async () => {
    const data = sineRegression(1000, 3);
    const net = new Network({
      inputSize: 2,
      layers: [dense(32, { activation: 'tanh' }), dense(32, { activation: 'tanh' }), dense(2)],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
      seed: 5,
      backend,
    });
    await net.fit(data.trainX, data.trainY, { epochs: 300, batchSize: 32 });
    // Targets are standardised, so their variance is 1: the test MSE is the unexplained fraction.
    const { loss } = net.evaluate(data.testX, data.testY);
    expect(loss).toBeLessThan(0.01);
    // In the original units: RMSE in the few-units range against y values of 110–815.
    const rmse = Math.sqrt(loss) * data.yStd;
    expect(rmse).toBeLessThan(0.1 * data.yStd);
  });
});

describe('determinism', () => {
  const config = (seed: number, backend: 'wasm' | 'js') =>
    new Network({
      inputSize: 4,
      layers: [dense(8, { activation: 'relu' }), dense(3, { activation: 'softmax' })],
      loss: 'categoricalCrossentropy',
      optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.5 },
      seed,
      backend,
    });

  it.each(['wasm', 'js'] as const)('the same seed gives bit-identical weights after fit (%s)', async (backend) => {
    const { trainX, trainY } = irisSplit();
    const a = config(123, backend);
    const b = config(123, backend);
    expect(b.getWeights()).toEqual(a.getWeights());
    await a.fit(trainX, trainY, { epochs: 20, batchSize: 8, shuffle: true });
    await b.fit(trainX, trainY, { epochs: 20, batchSize: 8, shuffle: true });
    expect(b.getWeights()).toEqual(a.getWeights());
    const c = config(124, backend);
    await c.fit(trainX, trainY, { epochs: 20, batchSize: 8, shuffle: true });
    expect(c.getWeights()).not.toEqual(a.getWeights());
  });

  it('initial weights depend only on the seed, not the backend', () => {
    expect(config(9, 'js').getWeights()).toEqual(config(9, 'wasm').getWeights());
  });

  it('without a seed, networks differ and report the seed that reproduces them', () => {
    const a = new Network({ inputSize: 2, layers: [dense(4)], loss: 'mse' });
    const b = new Network({ inputSize: 2, layers: [dense(4)], loss: 'mse' });
    expect(a.getWeights()).not.toEqual(b.getWeights());
    const again = new Network({ inputSize: 2, layers: [dense(4)], loss: 'mse', seed: a.seed });
    expect(again.getWeights()).toEqual(a.getWeights());
  });
});
