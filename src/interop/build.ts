// What ONNX and tfjs imports have in common: a checked list of layers with their weights
// becomes a trainable Network with the natural loss for its output.
import { batchNorm, ConfigError, dense, dropout, layerNorm, normalization, Network, type ActivationName, type BackendName, type LossConfig, type OptimizerConfig } from 'wasmnet';

/** Options for `fromONNX` and `fromTfjs`; all optional. */
export interface ImportOptions {
  /** The loss `fit` will minimise. Default: categoricalCrossentropy after a softmax output,
   *  binaryCrossentropy after a sigmoid output, mse otherwise. */
  loss?: LossConfig;
  /** Default `{ type: 'sgd', learningRate: 0.01 }` (as for `new Network`). */
  optimizer?: OptimizerConfig;
  /** Seeds shuffling and dropout when training. */
  seed?: number;
  /** 'wasm' (default) or 'js'. */
  backend?: BackendName;
}

/** A layer read from a file: a dense layer with its weights ([inputs×units] row-major),
 *  dropout, or an input normalization with its statistics. */
export type ImportedLayer =
  | { type: 'dense'; units: number; activation: ActivationName; alpha?: number; weights: Float64Array; bias: Float64Array }
  | { type: 'dropout'; rate: number }
  | { type: 'normalization'; mean: ArrayLike<number>; variance: ArrayLike<number> }
  | { type: 'batchNorm'; momentum: number; epsilon: number; unbiasedVariance: boolean; activation: ActivationName; alpha?: number; gamma: Float64Array; beta: Float64Array; movingMean: Float64Array; movingVariance: Float64Array }
  | { type: 'layerNorm'; epsilon: number; activation: ActivationName; alpha?: number; gamma: Float64Array; beta: Float64Array };

/** The natural loss for an output activation. */
export function naturalLoss(activation: ActivationName): LossConfig {
  return activation === 'softmax' ? 'categoricalCrossentropy' : activation === 'sigmoid' ? 'binaryCrossentropy' : 'mse';
}

/** Checks the options, then builds the network and copies the weights in. */
export function buildNetwork(inputSize: number, layers: ImportedLayer[], options: ImportOptions | undefined, where: string): Network {
  const o = options ?? {};
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new ConfigError(`${where} options must be an object, got ${String(o)}`);
  for (const key of Object.keys(o)) {
    if (!['loss', 'optimizer', 'seed', 'backend'].includes(key)) {
      throw new ConfigError(`${where} options: unknown option "${key}" (expected loss, optimizer, seed, backend)`);
    }
  }
  const denseLayers = layers.filter((l) => l.type === 'dense');
  const last = denseLayers[denseLayers.length - 1]!;
  const net = new Network({
    inputSize,
    layers: layers.map((l) => {
      const act = l.type === 'dense' || l.type === 'batchNorm' || l.type === 'layerNorm' ? (l.alpha === undefined ? { activation: l.activation } : { activation: l.activation, alpha: l.alpha }) : {};
      return l.type === 'dropout' ? dropout(l.rate)
        : l.type === 'normalization' ? normalization({ mean: l.mean, variance: l.variance })
        : l.type === 'batchNorm' ? batchNorm({ momentum: l.momentum, epsilon: l.epsilon, unbiasedVariance: l.unbiasedVariance, ...act })
        : l.type === 'layerNorm' ? layerNorm({ epsilon: l.epsilon, ...act })
        : dense(l.units, act);
    }),
    loss: o.loss ?? naturalLoss(last.activation),
    ...(o.optimizer === undefined ? {} : { optimizer: o.optimizer }),
    ...(o.seed === undefined ? {} : { seed: o.seed }),
    ...(o.backend === undefined ? {} : { backend: o.backend }),
  });
  net.setWeights(layers.flatMap((l) =>
    l.type === 'dense' ? [{ weights: l.weights, bias: l.bias }]
    : l.type === 'batchNorm' ? [{ weights: l.gamma, bias: l.beta, movingMean: l.movingMean, movingVariance: l.movingVariance }]
    : l.type === 'layerNorm' ? [{ weights: l.gamma, bias: l.beta }]
    : []));
  return net;
}
