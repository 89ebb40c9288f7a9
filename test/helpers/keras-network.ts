import { dense, dropout, Network } from '../../src/index';

/** A network using every layer and activation kind toKeras writes, with fixed weights. */
export function tokerasNetwork(): Network {
  const net = new Network({
    inputSize: 3,
    layers: [
      dense(5, { activation: 'relu' }),
      dropout(0.2),
      dense(4, { activation: 'leakyRelu', alpha: 0.1 }),
      dense(4, { activation: 'elu', alpha: 0.5 }),
      dense(4, { activation: 'geluExact' }),
      dense(3, { activation: 'swish' }),
      dense(2, { activation: 'softmax' }),
    ],
    loss: 'categoricalCrossentropy',
    seed: 7,
  });
  net.setWeights(net.getWeights().map((w, l) => ({
    weights: w.weights.map((_, i) => Math.sin(1 + 7 * l + i) * 0.8),
    bias: w.bias.map((_, i) => Math.cos(3 + l + 2 * i) * 0.3),
  })));
  return net;
}
