import { batchNorm, dense, dropout, layerNorm, Network, normalization } from '../../src/index';

/** A network using every layer and activation kind toKeras writes, with fixed weights. */
export function tokerasNetwork(): Network {
  const net = new Network({
    inputSize: 3,
    layers: [
      normalization({ mean: [0.5, -1, 2], variance: [4, 0.25, 1e-20] }),
      dense(5, { activation: 'relu' }),
      batchNorm({ activation: 'tanh', epsilon: 1e-3, momentum: 0.9 }),
      dropout(0.2),
      dense(4, { activation: 'leakyRelu', alpha: 0.1 }),
      dense(4, { activation: 'elu', alpha: 0.5 }),
      dense(4, { activation: 'geluExact' }),
      layerNorm({ activation: 'leakyRelu', alpha: 0.05 }),
      dense(3, { activation: 'swish' }),
      dense(2, { activation: 'softmax' }),
    ],
    loss: 'categoricalCrossentropy',
    seed: 7,
  });
  net.setWeights(net.getWeights().map((w, l) => ({
    weights: w.weights.map((_, i) => Math.sin(1 + 7 * l + i) * 0.8 + (w.movingMean || w.weights.length === w.bias.length ? 1 : 0)),
    bias: w.bias.map((_, i) => Math.cos(3 + l + 2 * i) * 0.3),
    ...(w.movingMean ? { movingMean: w.movingMean.map((_, i) => Math.sin(i + l) * 0.5), movingVariance: w.movingVariance!.map((_, i) => 0.5 + i / 3) } : {}),
  })));
  return net;
}
