// The TensorFlow.js layers format, checked against tfjs itself: tfjs loads what toTfjs writes
// and predicts the same; fromTfjs loads what tfjs's own model.save writes (and what its
// loader dequantizes) and predicts what tfjs predicts.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { dense, dropout, FormatError, Network, type ActivationName } from 'wasmnet';
import { fromTfjs, toTfjs, type TfjsModelJSON, type TfjsWeightSpec } from 'wasmnet/tfjs';
import { ACTIVATIONS } from '../src/activations';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const inputs = Array.from({ length: 6 }, (_, i) => [Math.sin(i) * 2, Math.cos(i * 1.3), i / 4 - 0.5, 0.3 - (i % 2)]);

/** model.json as tfjs's file handlers write it, from the artifacts model.save produces. */
async function saveWithTfjs(model: tf.LayersModel): Promise<{ modelJSON: TfjsModelJSON; weightData: ArrayBuffer; specs: TfjsWeightSpec[] }> {
  let out: { modelJSON: TfjsModelJSON; weightData: ArrayBuffer; specs: TfjsWeightSpec[] } | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    const specs = a.weightSpecs as TfjsWeightSpec[];
    out = {
      modelJSON: { format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy ?? null, modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] },
      weightData: a.weightData as ArrayBuffer,
      specs,
    };
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return out!;
}

function maxError(a: number[][], b: number[][]): number {
  let worst = 0;
  b.forEach((row, i) => row.forEach((v, j) => { worst = Math.max(worst, Math.abs(a[i]![j]! - v) / Math.max(1, Math.abs(v))); }));
  return worst;
}

const tfPredict = (model: tf.LayersModel, x: number[][]) => (model.predict(tf.tensor2d(x)) as tf.Tensor).arraySync() as number[][];

describe('toTfjs: tfjs loads it and predicts the same', () => {
  for (const activation of ACTIVATIONS.filter((a) => a !== 'gelu')) {
    test(activation, async () => {
      const alpha = activation === 'leakyRelu' ? { alpha: 0.15 } : {};
      const net = new Network({
        inputSize: 4,
        layers: [dense(5, { activation, ...alpha }), dropout(0.25), dense(3, { activation: activation === 'softmax' ? 'softmax' : 'tanh' })],
        loss: activation === 'softmax' ? 'categoricalCrossentropy' : 'mse',
        seed: 3,
      });
      const { modelJSON, weightData } = toTfjs(net);
      expect(modelJSON.weightsManifest[0]!.paths).toEqual(['weights.bin']);
      const model = await tf.loadLayersModel(tf.io.fromMemory({
        modelTopology: modelJSON.modelTopology as tf.io.ModelJSON['modelTopology'],
        weightSpecs: modelJSON.weightsManifest[0]!.weights as tf.io.WeightsManifestEntry[],
        weightData: weightData.slice().buffer,
      }));
      expect(maxError(tfPredict(model, inputs), net.predict(inputs))).toBeLessThan(1e-5);
      // and back: the float32 weights, the same layers
      const back = fromTfjs(JSON.stringify(modelJSON), weightData);
      expect(back.layers).toEqual(net.layers);
      expect(maxError(back.predict(inputs), net.predict(inputs))).toBeLessThan(1e-5);
      model.dispose();
    });
  }
});

test('toTfjs refuses what tfjs 4.22 cannot load: gelu ("gelu_new") and elu with alpha ≠ 1', () => {
  const net = (activation: ActivationName, alpha?: number) => new Network({ inputSize: 2, layers: [dense(2, { activation, ...(alpha === undefined ? {} : { alpha }) }), dense(1)], loss: 'mse', seed: 1 });
  expect(() => toTfjs(net('gelu'))).toThrow('toTfjs: dense layer 0 uses gelu, whose tfjs twin "gelu_new" tfjs cannot load');
  expect(() => toTfjs(net('elu', 0.5))).toThrow('toTfjs: dense layer 0 uses elu with alpha 0.5; tfjs supports only alpha 1');
  expect(() => toTfjs({} as Network)).toThrow('toTfjs expects a Network, got object');
});

describe('fromTfjs loads what tfjs model.save writes', () => {
  const cases: [string, () => tf.LayersModel, string][] = [
    ['Sequential: Dense relu, Dropout, Dense softmax', () => tf.sequential({ layers: [tf.layers.dense({ units: 6, inputShape: [4], activation: 'relu' }), tf.layers.dropout({ rate: 0.2 }), tf.layers.dense({ units: 3, activation: 'softmax' })] }), 'relu,dropout,softmax'],
    ['Sequential: LeakyReLU, ELU and Activation layers, useBias false', () => tf.sequential({ layers: [
      tf.layers.dense({ units: 5, useBias: false, inputShape: [4] }), tf.layers.leakyReLU({ alpha: 0.1 }),
      tf.layers.dense({ units: 5 }), tf.layers.elu(),
      tf.layers.dense({ units: 4 }), tf.layers.activation({ activation: 'selu' }),
      tf.layers.dense({ units: 2, activation: 'sigmoid' }),
    ] }), 'leakyRelu,elu,selu,sigmoid'],
    ['Sequential: softplus, swish, gelu_new, tanh, elu', () => tf.sequential({ layers: [
      tf.layers.dense({ units: 5, inputShape: [4], activation: 'softplus' }), tf.layers.dense({ units: 5, activation: 'swish' }),
      tf.layers.dense({ units: 5, activation: 'gelu_new' }), tf.layers.dense({ units: 5, activation: 'tanh' }), tf.layers.dense({ units: 2, activation: 'elu' }),
    ] }), 'softplus,swish,gelu,tanh,elu'],
    ['Sequential: gelu (tfjs\'s and Keras\'s exact GELU) ×2', () => tf.sequential({ layers: [
      tf.layers.dense({ units: 6, inputShape: [4], activation: 'gelu' }), tf.layers.dense({ units: 5, activation: 'gelu' }), tf.layers.dense({ units: 2 }),
    ] }), 'geluExact,geluExact,linear'],
    ['Functional chain: Input → Dense → Dense', () => {
      const input = tf.input({ shape: [4] });
      const h = tf.layers.dense({ units: 6, activation: 'tanh' }).apply(input) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(h) as tf.SymbolicTensor });
    }, 'tanh,linear'],
  ];
  for (const [name, make, activations] of cases) {
    test(name, async () => {
      const model = make();
      const { modelJSON, weightData } = await saveWithTfjs(model);
      const net = fromTfjs(modelJSON, weightData);
      expect(net).toBeInstanceOf(Network);
      expect(net.layers.map((l) => (l.type === 'dense' ? l.activation : l.type)).join(',')).toBe(activations);
      expect(maxError(net.predict(inputs), tfPredict(model, inputs))).toBeLessThan(1e-5);
      // shards: the same bytes split in two
      const bytes = new Uint8Array(weightData);
      const split = fromTfjs(JSON.stringify(modelJSON), [bytes.slice(0, 10).buffer, bytes.slice(10)]);
      expect(split.predict(inputs)).toEqual(net.predict(inputs));
      model.dispose();
    });
  }

  test('natural loss; options pass through', async () => {
    const model = cases[0]![1]();
    const { modelJSON, weightData } = await saveWithTfjs(model);
    expect(fromTfjs(modelJSON, weightData).loss).toBe('categoricalCrossentropy');
    const net = fromTfjs(modelJSON, weightData, { loss: 'sparseCategoricalCrossentropy', backend: 'js', seed: 4 });
    expect([net.loss, net.backend, net.seed]).toEqual(['sparseCategoricalCrossentropy', 'js', 4]);
    expect(() => fromTfjs(modelJSON, weightData, { lr: 1 } as object)).toThrow('fromTfjs options: unknown option "lr" (expected loss, optimizer, seed, backend)');
    // tensorflowjs_converter wraps the Keras model as modelTopology.model_config
    const converted = { ...modelJSON, modelTopology: { keras_version: '2.15.0', backend: 'tensorflow', model_config: modelJSON.modelTopology, training_config: {} } };
    expect(fromTfjs(converted, weightData).predict(inputs)).toEqual(fromTfjs(modelJSON, weightData).predict(inputs));
  });

  test('uint8 and uint16 quantized weights are dequantized as tfjs dequantizes them', async () => {
    const model = cases[0]![1]();
    const { modelJSON, weightData } = await saveWithTfjs(model);
    for (const dtype of ['uint8', 'uint16'] as const) {
      // quantize like tensorflowjs_converter's --quantize_uint8/uint16: q = round((w − min) / scale)
      const floats = new Float32Array(weightData);
      const specs: TfjsWeightSpec[] = [];
      const chunks: number[] = [];
      let at = 0;
      for (const s of modelJSON.weightsManifest[0]!.weights) {
        const n = s.shape.reduce((p, d) => p * d, 1);
        const w = floats.subarray(at, at + n);
        at += n;
        const min = Math.min(...w);
        const scale = (Math.max(...w) - min) / (dtype === 'uint8' ? 255 : 65535) || 1;
        specs.push({ ...s, quantization: { dtype, scale, min } });
        for (const v of w) chunks.push(Math.round((v - min) / scale));
      }
      const data = dtype === 'uint8' ? Uint8Array.from(chunks) : new Uint8Array(Uint16Array.from(chunks).buffer);
      const quantized: TfjsModelJSON = { ...modelJSON, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] };
      const reference = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: quantized.modelTopology as object, weightSpecs: specs as tf.io.WeightsManifestEntry[], weightData: data.slice().buffer }));
      const net = fromTfjs(quantized, data);
      expect(maxError(net.predict(inputs), tfPredict(reference, inputs))).toBeLessThan(1e-5);
      reference.dispose();
    }
    model.dispose();
  });

  test('Keras 3 naming: InputLayer batch_shape, weights "<layer>/0" and "<layer>/1", snake-case activations, Flatten on 2-D', () => {
    // Hand-written in Keras 3's serialization (module/class_name/config/registered_name)
    const layer = (class_name: string, config: object) => ({ module: 'keras.layers', class_name, config, registered_name: null });
    const modelJSON = {
      format: 'layers-model',
      modelTopology: { class_name: 'Sequential', config: { name: 'sequential', trainable: true, layers: [
        layer('InputLayer', { batch_shape: [null, 3], dtype: 'float32', sparse: false, name: 'input_layer' }),
        layer('Flatten', { name: 'flatten', data_format: 'channels_last' }),
        layer('Dense', { name: 'dense', units: 2, activation: 'leaky_relu', use_bias: true }),
        layer('Dense', { name: 'dense_1', units: 1, activation: 'silu', use_bias: false }),
      ] } },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [
        { name: 'dense/0', shape: [3, 2], dtype: 'float32' }, { name: 'dense/1', shape: [2], dtype: 'float32' },
        { name: 'dense_1/0', shape: [2, 1], dtype: 'float32' },
      ] }],
    };
    const w = Float32Array.of(0.5, -1, 2, 0.25, -0.75, 1.5, 0.1, -0.2, 3, -2);
    const net = fromTfjs(modelJSON, new Uint8Array(w.buffer));
    expect(net.layers.map((l) => l.type === 'dense' && [l.activation, l.alpha])).toEqual([['leakyRelu', 0.2], ['swish', undefined]]);
    // by hand: x = [1, 2, 3]: z = x·W + b = [1·0.5 + 2·2 + 3·(−0.75) + 0.1, 1·(−1) + 2·0.25 + 3·1.5 − 0.2] = [2.35, 3.8]
    const z = [1 * 0.5 + 2 * 2 + 3 * Math.fround(-0.75) + Math.fround(0.1), -1 + 2 * 0.25 + 3 * 1.5 + Math.fround(-0.2)];
    const h = z.map((v) => (v > 0 ? v : 0.2 * v));
    const o = h[0]! * 3 + h[1]! * -2;
    expect(net.predict([[1, 2, 3]])[0]![0]).toBeCloseTo(o / (1 + Math.exp(-o)), 12);
  });

  test('Keras 3 Functional chain (keras_history inbound nodes)', () => {
    const tensor = (from: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 2], dtype: 'float32', keras_history: [from, 0, 0] } });
    const modelJSON = {
      modelTopology: { class_name: 'Functional', config: { name: 'functional', layers: [
        { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 2], dtype: 'float32', name: 'input_layer' }, name: 'input_layer', inbound_nodes: [] },
        { module: 'keras.layers', class_name: 'Dense', config: { name: 'dense', units: 1, activation: 'sigmoid', use_bias: true }, name: 'dense', inbound_nodes: [{ args: [tensor('input_layer')], kwargs: {} }] },
      ], input_layers: [['input_layer', 0, 0]], output_layers: [['dense', 0, 0]] } },
      weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'dense/kernel', shape: [2, 1], dtype: 'float32' }, { name: 'dense/bias', shape: [1], dtype: 'float32' }] }],
    };
    const net = fromTfjs(modelJSON, new Uint8Array(Float32Array.of(1, -2, 0.5).buffer));
    expect(net.loss).toBe('binaryCrossentropy');
    expect(net.predict([[3, 1]])[0]![0]).toBe(1 / (1 + Math.exp(-(3 - 2 + 0.5))));
    // the same Dense reading a layer that is not the one before it: refused
    const skip = JSON.parse(JSON.stringify(modelJSON));
    skip.modelTopology.config.layers[1].inbound_nodes = [{ args: [tensor('elsewhere')], kwargs: {} }];
    expect(() => fromTfjs(skip, new Uint8Array(12))).toThrow('Dense layer "dense" takes input from "elsewhere"; wasmnet loads Functional models that are a single chain of layers');
  });

  test('refused: FormatError naming the layer class', async () => {
    const conv = tf.sequential({ layers: [tf.layers.conv1d({ filters: 2, kernelSize: 2, inputShape: [4, 1] }), tf.layers.flatten(), tf.layers.dense({ units: 1 })] });
    const saved = await saveWithTfjs(conv);
    expect(() => fromTfjs(saved.modelJSON, saved.weightData)).toThrow(FormatError);
    expect(() => fromTfjs(saved.modelJSON, saved.weightData)).toThrow(/^Conv1D layer "conv1d_Conv1D\d+" has input shape \[null,4,1\]; wasmnet networks take 2-D input \[batch, features\]$/);
    const noise = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] }), tf.layers.gaussianNoise({ stddev: 0.1 }), tf.layers.dense({ units: 1 })] });
    const saved2 = await saveWithTfjs(noise);
    expect(() => fromTfjs(saved2.modelJSON, saved2.weightData)).toThrow(/^GaussianNoise layer "gaussian_noise_GaussianNoise\d+" is not supported: wasmnet loads InputLayer, Dense, Dropout, Activation, Flatten, LeakyReLU, ELU, ReLU, Softmax, Normalization, BatchNormalization and LayerNormalization$/);
    // a branch: two Dense layers reading the input, added
    const input = tf.input({ shape: [4] });
    const a = tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor;
    const branch = tf.model({ inputs: input, outputs: tf.layers.add().apply([a, b]) as tf.SymbolicTensor });
    const saved4 = await saveWithTfjs(branch);
    expect(() => fromTfjs(saved4.modelJSON, saved4.weightData)).toThrow(/wasmnet loads Functional models that are a single chain of layers/);
    for (const m of [conv, noise, branch]) m.dispose();
  });

  test('corrupt model.json or weights: FormatError, never another error', async () => {
    const model = cases[1]![1]();
    const { modelJSON, weightData } = await saveWithTfjs(model);
    const bytes = new Uint8Array(weightData);
    for (let n = 0; n < bytes.length; n += 7) expect(() => fromTfjs(modelJSON, bytes.subarray(0, n))).toThrow(/describes \d+ bytes but the weight data has/);
    const text = JSON.stringify(modelJSON);
    expect(() => fromTfjs(text.slice(0, 100), bytes)).toThrow(FormatError);
    const survives = (json: unknown) => {
      try {
        fromTfjs(json as TfjsModelJSON, bytes);
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
      }
    };
    // Replace any one value in the JSON tree by something of another kind.
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, path: (string | number)[]) => {
      paths.push(path);
      if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...path, Array.isArray(v) ? Number(k) : k]);
    };
    walk(modelJSON, []);
    fc.assert(fc.property(fc.nat(paths.length - 1), fc.constantFrom(null, 0, -1, 1.5, 'x', [], {}, [null], true, 1e9), (i, value) => {
      const copy = JSON.parse(text);
      const path = paths[i]!;
      if (path.length === 0) return survives(value);
      let at = copy;
      for (const k of path.slice(0, -1)) at = at[k];
      at[path[path.length - 1]!] = value;
      survives(copy);
    }), { numRuns: 500, seed: 13 });
    model.dispose();
  });
});
