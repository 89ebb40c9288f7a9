// fromTfjs/toTfjs on normalization layers (src/tfjs/normalization.ts): Keras's Normalization
// (statistics in the config, a scalar spread over the features, or adapted into the weights,
// Keras 2 and Keras 3 names), the inference-only BatchNormalization toTfjs writes, trainable
// BatchNormalization and LayerNormalization, the axes read as the last one, and the refusals,
// each with its whole message. Small Sequential model.json files built in code.
import { describe, expect, it } from 'vitest';
import { batchNorm, dense, FormatError, layerNorm, Network, normalization } from 'wasmnet';
import { fromTfjs, toTfjs, type TfjsModelJSON } from 'wasmnet/tfjs';

type W = { name: string; shape: number[]; values: number[] };

/** InputLayer (2 features) → the given layer → Dense(1, identity weights summing the features). */
function model(layer: { class_name: string; config: Record<string, unknown> }, weights: W[], width = 2) {
  const all: W[] = [...weights, { name: 'dense/kernel', shape: [width, 1], values: Array(width).fill(1) }, { name: 'dense/bias', shape: [1], values: [0] }];
  const modelJSON = {
    format: 'layers-model',
    modelTopology: { keras_version: '2.15.0', backend: 'tensorflow', model_config: { class_name: 'Sequential', config: { name: 'sequential', layers: [
      { class_name: 'InputLayer', config: { batch_input_shape: [null, width], dtype: 'float32', name: 'input' } },
      layer,
      { class_name: 'Dense', config: { name: 'dense', trainable: true, dtype: 'float32', units: 1, activation: 'linear', use_bias: true } },
    ] } } },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: all.map(({ name, shape }) => ({ name, shape, dtype: 'float32' })) }],
  } as unknown as TfjsModelJSON;
  return { load: () => fromTfjs(modelJSON, new Float32Array(all.flatMap((w) => w.values)).buffer) };
}

const keras = (config: Record<string, unknown>, weights: W[] = [], width = 2) =>
  model({ class_name: 'Normalization', config: { name: 'norm', trainable: true, dtype: 'float32', axis: [-1], invert: false, mean: [1, 2], variance: [4, 16], ...config } }, weights, width);
const bn = (config: Record<string, unknown>, weights: W[]) =>
  model({ class_name: 'BatchNormalization', config: { name: 'bn', trainable: false, dtype: 'float32', axis: -1, momentum: 0.99, epsilon: 0, center: false, scale: false, ...config } }, weights);
const stats = (prefix: string, names: [string, string], mean: number[], variance: number[]): W[] => [
  { name: `${prefix}/${names[0]}`, shape: [mean.length], values: mean },
  { name: `${prefix}/${names[1]}`, shape: [variance.length], values: variance },
];
const refused = (m: { load: () => unknown }, message: string) => expect(() => m.load()).toThrow(new FormatError(message));

describe('Keras Normalization', () => {
  it('the last axis, however written, is read; any other is refused', () => {
    for (const axis of [-1, 1, [-1], [1], undefined]) expect(keras({ axis }).load().layers[0]).toEqual({ type: 'normalization', mean: [1, 2], variance: [4, 16] });
    for (const [axis, shown] of [[2, '2'], [0, '0'], [[2], '[2]'], [[0], '[0]'], [[-1, 1], '[-1,1]'], [[], '[]'], ['-1', '"-1"']] as const) {
      refused(keras({ axis }), `Normalization layer "norm" has axis ${shown}; wasmnet normalizes each feature of [batch, features] (axis -1)`);
    }
  });

  it('a long axis is shown cut at 80 characters (80 are shown whole); one JSON cannot show is said so', () => {
    const axis80 = [100, ...Array.from({ length: 25 }, (_, i) => i + 10)];
    expect(JSON.stringify(axis80)).toHaveLength(80);
    refused(keras({ axis: axis80 }), `Normalization layer "norm" has axis ${JSON.stringify(axis80)}; wasmnet normalizes each feature of [batch, features] (axis -1)`);
    refused(keras({ axis: 2n }), 'Normalization layer "norm" has axis (a value JSON cannot show); wasmnet normalizes each feature of [batch, features] (axis -1)');
    const axis = Array.from({ length: 40 }, (_, i) => i + 10);
    refused(keras({ axis }), `Normalization layer "norm" has axis ${JSON.stringify(axis).slice(0, 80)}…; wasmnet normalizes each feature of [batch, features] (axis -1)`);
  });

  it('a scalar mean and variance spread over every feature; lists are read as given', () => {
    expect(keras({ mean: 3, variance: 9 }).load().layers[0]).toEqual({ type: 'normalization', mean: [3, 3], variance: [9, 9] });
    expect(keras({ mean: [3], variance: [9] }).load().layers[0]).toEqual({ type: 'normalization', mean: [3, 3], variance: [9, 9] });
    expect(keras({ mean: [3], variance: [9] }, [], 1).load().layers[0]).toEqual({ type: 'normalization', mean: [3], variance: [9] });
  });

  it('config statistics that are not numbers are refused', () => {
    refused(keras({ mean: [1, 'a'], variance: [1, 1] }), 'Normalization layer "norm" has mean [1,"a"] and variance [1,1]; expected numbers or lists of numbers');
    refused(keras({ mean: 'ab', variance: [1, 1] }), 'Normalization layer "norm" has mean "ab" and variance [1,1]; expected numbers or lists of numbers');
    refused(keras({ mean: [1, 2], variance: 'x' }), 'Normalization layer "norm" has mean [1,2] and variance "x"; expected numbers or lists of numbers');
    refused(keras({ mean: [1, 2], variance: undefined }), 'Normalization layer "norm" has mean [1,2] and variance undefined; expected numbers or lists of numbers');
  });

  it('adapted: the weights (Keras 2 mean/variance, Keras 3 0/1), with the mean and variance keys absent or null', () => {
    for (const given of [{ mean: undefined, variance: undefined }, { mean: null, variance: null }]) {
      for (const names of [['mean', 'variance'], ['0', '1']] as [string, string][]) {
        expect(keras(given, stats('norm', names, [5, 6], [1, 2])).load().layers[0]).toEqual({ type: 'normalization', mean: [5, 6], variance: [1, 2] });
      }
    }
    expect(keras({ mean: null, variance: null }, stats('norm', ['mean', 'variance'], [5], [4])).load().layers[0]).toEqual({ type: 'normalization', mean: [5, 5], variance: [4, 4] });
  });

  it('statistics of the wrong length and bad variances are refused', () => {
    refused(keras({ mean: [1, 2, 3], variance: [1, 1, 1] }), 'Normalization layer "norm": mean has 3 values for 2 input features');
    refused(keras({ mean: [1, 2], variance: [1, 1, 1] }), 'Normalization layer "norm": variance has 3 values for 2 input features');
    refused(keras({ variance: [1, -1] }), 'Normalization layer "norm": variance[1] is -1; a variance must be finite and ≥ 0');
    refused(keras({ variance: [-2, 1] }), 'Normalization layer "norm": variance[0] is -2; a variance must be finite and ≥ 0');
    refused(keras({ variance: [1, Infinity] }), 'Normalization layer "norm": variance[1] is Infinity; a variance must be finite and ≥ 0');
    expect(keras({ variance: [0, 0] }).load().layers[0]).toEqual({ type: 'normalization', mean: [1, 2], variance: [0, 0] });
  });
});

describe('BatchNormalization', () => {
  it('inference-only (center, scale and trainable all false) is a normalization layer, ε added to the moving variance', () => {
    for (const names of [['moving_mean', 'moving_variance'], ['0', '1']] as [string, string][]) {
      expect(bn({ epsilon: 0.5 }, stats('bn', names, [1, 2], [3, 4])).load().layers[0]).toEqual({ type: 'normalization', mean: [1, 2], variance: [3.5, 4.5] });
    }
    expect(bn({ epsilon: undefined }, stats('bn', ['moving_mean', 'moving_variance'], [1, 2], [3, 4])).load().layers[0]).toEqual({ type: 'normalization', mean: [1, 2], variance: [3.001, 4.001] });
    refused(bn({ axis: 2 }, []), 'BatchNormalization layer "bn" has axis 2; wasmnet normalizes each feature of [batch, features] (axis -1)');
    refused(bn({ epsilon: -1 }, []), 'BatchNormalization layer "bn" has epsilon -1');
    refused(bn({ epsilon: 'small' }, []), 'BatchNormalization layer "bn" has epsilon "small"');
    refused(bn({ epsilon: Infinity }, []), 'BatchNormalization layer "bn" has epsilon null');
  });

  it('with any of center, scale, trainable not false it is a batchNorm layer; a non-trainable Dense stays dense', () => {
    const moving = stats('bn', ['moving_mean', 'moving_variance'], [1, 2], [3, 4]);
    const gamma = { name: 'bn/gamma', shape: [2], values: [2, 3] };
    const beta = { name: 'bn/beta', shape: [2], values: [5, 7] };
    expect(bn({ trainable: true, epsilon: 0.25 }, moving).load().layers[0]).toMatchObject({ type: 'batchNorm', epsilon: 0.25, momentum: 0.99 });
    expect(bn({ scale: true, epsilon: 0.25 }, [gamma, ...moving]).load().layers[0]).toMatchObject({ type: 'batchNorm' });
    expect(bn({ center: true, epsilon: 0.25 }, [beta, ...moving]).load().layers[0]).toMatchObject({ type: 'batchNorm' });
    const frozen = model({ class_name: 'Dense', config: { name: 'd0', trainable: false, units: 2, activation: 'linear', use_bias: true, center: false, scale: false } }, [
      { name: 'd0/kernel', shape: [2, 2], values: [1, 0, 0, 1] }, { name: 'd0/bias', shape: [2], values: [0, 0] },
    ]);
    expect(frozen.load().layers.map((l) => l.type)).toEqual(['dense', 'dense']);
  });
});

describe('trainable BatchNormalization and LayerNormalization', () => {
  const ln = (config: Record<string, unknown>, weights: W[] = [{ name: 'ln/gamma', shape: [2], values: [1, 1] }, { name: 'ln/beta', shape: [2], values: [0, 0] }]) =>
    model({ class_name: 'LayerNormalization', config: { name: 'ln', trainable: true, axis: -1, epsilon: 0.001, center: true, scale: true, ...config } }, weights);
  const trainableBn = (config: Record<string, unknown>, weights: W[]) =>
    model({ class_name: 'BatchNormalization', config: { name: 'bn', trainable: true, axis: -1, momentum: 0.9, epsilon: 0.001, center: false, scale: false, ...config } }, weights);

  it('the last axis, however written, is read; any other is refused', () => {
    for (const axis of [-1, 1, [-1], [1], undefined]) expect(ln({ axis }).load().layers[0]).toMatchObject({ type: 'layerNorm' });
    for (const [axis, shown] of [[2, '2'], [0, '0'], [[2], '[2]'], [[0], '[0]'], [[-1, 1], '[-1,1]'], [[], '[]']] as const) {
      refused(ln({ axis }), `LayerNormalization layer "ln" has axis ${shown}; wasmnet normalizes over the features of [batch, features] (axis -1)`);
      refused(trainableBn({ axis }, []), `BatchNormalization layer "bn" has axis ${shown}; wasmnet normalizes over the features of [batch, features] (axis -1)`);
    }
  });

  it('epsilon must be > 0 and finite, momentum in [0, 1]', () => {
    for (const [epsilon, shown] of [[0, '0'], [-1, '-1'], [Infinity, 'null'], ['0.1', '"0.1"']] as const) refused(ln({ epsilon }), `LayerNormalization layer "ln" has epsilon ${shown}; wasmnet needs ε > 0`);
    const moving = stats('bn', ['moving_mean', 'moving_variance'], [0, 0], [1, 1]);
    for (const [momentum, shown] of [[-0.1, '-0.1'], [1.5, '1.5'], ['0.9', '"0.9"']] as const) refused(trainableBn({ momentum }, moving), `BatchNormalization layer "bn" has momentum ${shown}`);
    for (const momentum of [0, 1]) expect(trainableBn({ momentum }, moving).load().layers[0]).toMatchObject({ type: 'batchNorm', momentum });
    expect(trainableBn({ momentum: undefined, epsilon: undefined }, moving).load().layers[0]).toMatchObject({ type: 'batchNorm', momentum: 0.99, epsilon: 0.001 });
  });

  it('center and scale off: β = 0 and γ = 1, no weights read for them (Keras 3 numbers the rest from 0)', () => {
    expect(ln({ center: false, scale: false, trainable: false }, []).load().layers[0]).toMatchObject({ type: 'layerNorm' });
    const net = ln({ center: false, scale: false }, []);
    expect(net.load().layers[0]).toMatchObject({ type: 'layerNorm', epsilon: 0.001 });
    // γ = 1, β = 0: the two features of a row come out as ±1 (·√(1/(1+ε))), summed to 0 by the dense layer
    expect(net.load().predict([[1, 3]])[0]![0]!).toBeCloseTo(0, 12);
    const k3 = trainableBn({}, stats('bn', ['0', '1'], [1, 2], [4, 9]));
    // (x − mean)/√(var + ε): [(3 − 1)/√4.001, (5 − 2)/√9.001], summed
    expect(k3.load().predict([[3, 5]])[0]![0]!).toBeCloseTo(2 / Math.sqrt(4.001) + 3 / Math.sqrt(9.001), 5);
  });

  it('weights of the wrong length and negative moving variances are refused', () => {
    refused(ln({}, [{ name: 'ln/gamma', shape: [3], values: [1, 1, 1] }, { name: 'ln/beta', shape: [2], values: [0, 0] }]), 'LayerNormalization layer "ln": gamma has 3 values for 2 features');
    refused(trainableBn({}, stats('bn', ['moving_mean', 'moving_variance'], [0, 0], [1, -1])), 'BatchNormalization layer "bn": moving_variance[1] is -1; a variance must be ≥ 0');
    refused(trainableBn({}, stats('bn', ['moving_mean', 'moving_variance'], [0, 0], [-1, 1])), 'BatchNormalization layer "bn": moving_variance[0] is -1; a variance must be ≥ 0');
    expect(trainableBn({}, stats('bn', ['moving_mean', 'moving_variance'], [0, 0], [0, 0])).load().layers[0]).toMatchObject({ type: 'batchNorm' });
  });
});

describe('toTfjs: a normalization layer', () => {
  it('is a BatchNormalization in inference mode for good: trainable false, center and scale off, ε = 0, axis -1', () => {
    const net = new Network({ inputSize: 2, layers: [normalization({ mean: [1, 2], variance: [4, 0] }), dense(1)], loss: 'mse' });
    const { modelJSON } = toTfjs(net);
    const layers = (modelJSON.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers;
    const norm = layers.find((l) => l.class_name === 'BatchNormalization')!;
    expect(norm.config).toMatchObject({ trainable: false, dtype: 'float32', axis: -1, epsilon: 0, center: false, scale: false });
    expect(fromTfjs(toTfjs(net).modelJSON, toTfjs(net).weightData).layers[0]).toEqual({ type: 'normalization', mean: [1, 2], variance: [4, Math.fround(1e-14)] }); // max(variance, 1e-14), as float32
  });

  it('batchNorm and layerNorm are trainable BatchNormalization and LayerNormalization on the last axis, with γ and β', () => {
    const net = new Network({ inputSize: 2, layers: [batchNorm({ momentum: 0.8, epsilon: 0.01 }), layerNorm({ epsilon: 0.02 }), dense(1)], loss: 'mse' });
    const layers = (toTfjs(net).modelJSON.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers;
    expect(layers.filter((l) => l.class_name.endsWith('Normalization')).map((l) => [l.class_name, l.config])).toEqual([
      ['BatchNormalization', expect.objectContaining({ trainable: true, dtype: 'float32', axis: -1, epsilon: 0.01, momentum: 0.8, center: true, scale: true })],
      ['LayerNormalization', expect.objectContaining({ trainable: true, dtype: 'float32', axis: -1, epsilon: 0.02, center: true, scale: true })],
    ]);
  });
});
