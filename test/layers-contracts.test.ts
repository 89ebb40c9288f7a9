// The layer factories' documented checks (the TSDoc of src/layers/*.ts, docs/api.md), each
// refusal with its whole message, and the defaults of a layer written by hand (a saved or
// hand-made config). The mutation run of src/layers/ (test/mutation/REPORT.md) found these
// messages named only in part, or not at all. Public imports only.
import { describe, expect, it } from 'vitest';
import { ConfigError, Network, batchNorm, dense, dropout, layerNorm, normalization, type Layer } from 'wasmnet';

function message(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError, and the call returned');
}

const network = (layers: unknown[]) => new Network({ inputSize: 2, layers: layers as Layer[], loss: 'mse', seed: 1 });
const layersOf = (net: Network) => net.toJSON().config.layers as Layer[];

describe('dense(): the weight penalty', () => {
  it('kernelRegularizer: an object of l1 and l2, each a finite number ≥ 0 (0 when absent)', () => {
    expect(dense(2, { kernelRegularizer: { l1: 0.5 } }).kernelRegularizer).toEqual({ l1: 0.5, l2: 0 });
    expect(dense(2, { kernelRegularizer: {} }).kernelRegularizer).toEqual({ l1: 0, l2: 0 });
    expect(message(() => dense(2, { kernelRegularizer: 5 as never }))).toBe('dense() kernelRegularizer must be an object, got 5');
    expect(message(() => dense(2, { kernelRegularizer: { l3: 1 } as never }))).toBe('dense() kernelRegularizer: unknown option "l3"; expected one of "l1", "l2"');
    expect(message(() => dense(2, { kernelRegularizer: { l1: -1 } }))).toBe('dense() kernelRegularizer.l1 must be a finite number ≥ 0, got -1');
    expect(message(() => dense(2, { kernelRegularizer: { l2: Infinity } }))).toBe('dense() kernelRegularizer.l2 must be a finite number ≥ 0, got Infinity');
  });

  it('a layer written by hand is checked under its place in the config', () => {
    expect(message(() => network([{ type: 'dense', units: 1, kernelRegularizer: { l2: -1 } }]))).toBe('layers[0] kernelRegularizer.l2 must be a finite number ≥ 0, got -1');
  });
});

describe('dropout()', () => {
  it('rate in [0, 1); a layer written by hand has no other field', () => {
    expect(dropout(0)).toEqual({ type: 'dropout', rate: 0 });
    expect(message(() => dropout(1))).toBe('dropout(rate): rate must be a number in [0, 1), got 1');
    expect(message(() => network([{ type: 'dropout', rate: 0.5, units: 1 }, dense(1)]))).toBe('layers[0]: unknown field "units"');
    expect(message(() => network([{ type: 'dropout', rate: 0.5, seed: 1 }, dense(1)]))).toBe('layers[0]: unknown field "seed"');
    expect(layersOf(network([{ type: 'dropout', rate: 0.5 }, dense(1)]))[0]).toEqual({ type: 'dropout', rate: 0.5 });
  });
});

describe('normalization()', () => {
  it('its options: an object of mean and variance, or adapt, not both', () => {
    expect(message(() => normalization(5 as never))).toBe('normalization() options must be an object, got 5');
    expect(message(() => normalization({ scale: [1] } as never))).toBe('normalization(): unknown option "scale"; expected one of "mean", "variance", "adapt"');
    const both = 'normalization(): give either adapt (data to compute the statistics from) or mean and variance, not both';
    expect(message(() => normalization({ adapt: [[1]], mean: [1] } as never))).toBe(both);
    expect(message(() => normalization({ adapt: [[1]], variance: [1] } as never))).toBe(both);
  });

  it('mean and variance: one finite number per feature, the variance ≥ 0', () => {
    expect(message(() => normalization({ mean: [1, NaN], variance: [1, 1] }))).toBe('normalization() mean[1] is NaN; expected a finite number');
    expect(message(() => normalization({ mean: [1], variance: [-1] }))).toBe('normalization() variance[0] is -1; expected a finite number ≥ 0');
    expect(message(() => normalization({ variance: [1] } as never))).toBe('normalization() mean must be a non-empty array of numbers (one per feature), got undefined');
  });

  it('adapt: rows of one or more columns; statistics that overflow are refused by name', () => {
    expect(normalization({ adapt: [[1, 200], [3, 400]] })).toEqual({ type: 'normalization', mean: [2, 300], variance: [1, 10000] });
    for (const [x, got] of [[[], 'an array of length 0'], [[[]], 'an array of length 1'], [[1], 'an array of length 1'], ['rows', '"rows"']] as const) {
      expect(message(() => normalization({ adapt: x as never }))).toBe(`normalization() adapt must be a non-empty number[][] (one row per sample), got ${got}`);
    }
    expect(message(() => normalization({ adapt: [[1, 2], [3]] }))).toBe('normalization() adapt[1] must be an array of 2 numbers, got an array of length 1');
    // (x − mean)² of ±1e308 is past the largest double
    expect(message(() => normalization({ adapt: [[1e308], [-1e308]] }))).toBe('normalization() variance[0] is Infinity; expected a finite number ≥ 0');
  });
});

describe('batchNorm() and layerNorm()', () => {
  it('their options, each refusal whole', () => {
    expect(message(() => batchNorm(5 as never))).toBe('batchNorm() options must be an object, got 5');
    expect(message(() => batchNorm({ axis: 1 } as never))).toBe('batchNorm(): unknown option "axis"; expected one of "momentum", "epsilon", "unbiasedVariance", "convention", "activation", "alpha"');
    expect(message(() => batchNorm({ activation: 'elu', alpha: 'x' as never }))).toBe('batchNorm() alpha must be a finite number, got "x"');
    expect(message(() => layerNorm(5 as never))).toBe('layerNorm() options must be an object, got 5');
    expect(message(() => layerNorm({ activation: 'rellu' as never }))).toBe(
      'layerNorm() activation must be one of "linear", "sigmoid", "tanh", "relu", "leakyRelu", "softmax", "elu", "selu", "softplus", "gelu", "swish", "geluExact", "relu6", got "rellu" (did you mean "relu"?)',
    );
    expect(message(() => layerNorm({ activation: 'elu', alpha: Infinity }))).toBe('layerNorm() alpha must be a finite number, got Infinity');
  });

  it('written by hand: the defaults of batchNorm() (Keras: momentum 0.99, ε 1e-3, the biased variance) and layerNorm() (ε 1e-3)', () => {
    const layers = layersOf(network([dense(2), { type: 'batchNorm' }, { type: 'layerNorm' }, dense(1)]));
    expect(layers[1]).toEqual(batchNorm());
    expect(layers[1]).toEqual({ type: 'batchNorm', momentum: 0.99, epsilon: 1e-3, unbiasedVariance: false, activation: 'linear' });
    expect(layers[2]).toEqual({ type: 'layerNorm', epsilon: 1e-3, activation: 'linear' });
  });
});

describe('a Network’s layers', () => {
  it('an entry that is not a layer (null, a number, an unknown type) is named with its place', () => {
    const made = 'must be a layer made by dense(units, options), dropout(rate), normalization(options), batchNorm(options) or layerNorm(options)';
    expect(message(() => network([dense(1), null]))).toBe(`layers[1] ${made}, got null`);
    expect(message(() => network([3]))).toBe(`layers[0] ${made}, got 3`);
    expect(message(() => network([{ units: 1 }]))).toBe(`layers[0] ${made}, got an object`);
    // a function is not a layer, whatever its fields
    expect(message(() => network([Object.assign(() => 0, { type: 'dense', units: 1 })]))).toBe(`layers[0] ${made}, got a function`);
    // an unknown type is named, with the nearest kind when there is one
    expect(message(() => network([{ type: 'conv', units: 1 }]))).toBe('layers[0] type must be one of "dense", "dropout", "normalization", "batchNorm", "layerNorm", got "conv"');
    expect(message(() => network([{ type: 'Dense', units: 1 }]))).toBe('layers[0] type must be one of "dense", "dropout", "normalization", "batchNorm", "layerNorm", got "Dense" (did you mean "dense"?)');
  });
});
