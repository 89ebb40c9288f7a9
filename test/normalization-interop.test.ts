// The normalization layer in and out of ONNX and TensorFlow.js: skl2onnx's Scaler and
// tf2onnx's Sub/Mul (fixtures by scripts/fixtures/normalization-onnx.py with numpy's outputs),
// Sub/Div by constants, toONNX run in onnxruntime-web, Keras's Normalization layer as
// tensorflowjs_converter writes it, and toTfjs loaded by tfjs; batch and layer norm both ways
// (PyTorch's own ONNX exports of them are in norm-torch.test.ts).
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { batchNorm, dense, dropout, FormatError, layerNorm, Network, normalization } from 'wasmnet';
import { fromONNX, toONNX } from 'wasmnet/onnx';
import { fromTfjs, toTfjs, type TfjsModelJSON } from 'wasmnet/tfjs';
import { DOUBLE, encodeModel, FLOAT } from '../src/onnx/model';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const DIR = new URL('./fixtures/normalization/', import.meta.url);
const fixture = (name: string) => ({
  bytes: readFileSync(new URL(`${name}.onnx`, DIR)),
  ref: JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8')) as { input: number[][]; output: number[][] },
});

function maxError(actual: number[][], expected: number[][]): number {
  let worst = 0;
  expected.forEach((row, i) => row.forEach((v, j) => { worst = Math.max(worst, Math.abs(actual[i]![j]! - v) / Math.max(1, Math.abs(v))); }));
  return worst;
}

const inputs = Array.from({ length: 7 }, (_, i) => [100 + 30 * Math.sin(i), Math.cos(i * 1.7) * 2 - 3, i / 3 - 1, 5]);
const net = (backend: 'wasm' | 'js' = 'wasm') => new Network({
  inputSize: 4,
  layers: [
    normalization({ mean: [100, -3, 0, 5], variance: [450, 2, 0.8, 0] }),
    dense(6, { activation: 'tanh' }),
    dropout(0.2),
    normalization({ mean: [0.1, -0.1, 0, 0.2, 0, 0.3], variance: [0.5, 0.2, 1, 3, 0.1, 0.4] }),
    dense(3),
  ],
  loss: 'mse',
  seed: 9,
  backend,
});

describe('fromONNX: input standardizations', () => {
  test('skl2onnx\'s ai.onnx.ml.Scaler becomes a normalization layer (numpy\'s outputs to 1e-12)', () => {
    const { bytes, ref } = fixture('scaler-f32');
    const loaded = fromONNX(bytes);
    expect(loaded.layers.map((l) => l.type)).toEqual(['normalization', 'dense', 'dense']);
    expect(maxError(loaded.predict(ref.input), ref.output)).toBeLessThanOrEqual(1e-12);
  });

  test('tf2onnx\'s Sub + Mul(1/√variance) becomes a normalization layer (numpy\'s outputs to 1e-12)', () => {
    const { bytes, ref } = fixture('sub-mul-f64');
    const loaded = fromONNX(bytes, { backend: 'js' });
    expect(loaded.layers.map((l) => l.type)).toEqual(['normalization', 'dense', 'dense']);
    expect(maxError(loaded.predict(ref.input), ref.output)).toBeLessThanOrEqual(1e-12);
  });

  /** x → op(x, c) → Gemm(w, b), float64, the constant second. */
  const model = (ops: { op: string; values: number[] }[], width = 2) => encodeModel({
    irVersion: 8, opset: 17, producerName: 't', producerVersion: '0', graphName: 'g',
    nodes: [
      ...ops.map((o, i) => ({ op: o.op, name: `n${i}`, input: [i === 0 ? 'x' : `t${i - 1}`, `c${i}`], output: [`t${i}`] })),
      { op: 'Gemm', name: 'gemm', input: [`t${ops.length - 1}`, 'w', 'b'], output: ['y'] },
    ],
    initializers: [
      ...ops.map((o, i) => ({ name: `c${i}`, dims: o.values.length === 1 ? [] : [o.values.length], dataType: DOUBLE, raw: new Uint8Array(Float64Array.from(o.values).buffer) })),
      { name: 'w', dims: [width, 1], dataType: DOUBLE, raw: new Uint8Array(Float64Array.from({ length: width }, (_, i) => i + 1).buffer) },
      { name: 'b', dims: [1], dataType: DOUBLE, raw: new Uint8Array(Float64Array.of(0.5).buffer) },
    ],
    inputs: [{ name: 'x', elemType: DOUBLE, dims: ['batch', width] }],
    outputs: [{ name: 'y', elemType: DOUBLE, dims: ['batch', 1] }],
  });

  test('Sub then Div by constants, and Div or Mul alone (a scalar spreads over every feature)', () => {
    const x = [[3, -1], [0.5, 8]];
    // y = Σ_j (j + 1)·standardized_j + 0.5, by hand from each graph's constants
    const expected = (f: (v: number, j: number) => number) => x.map((row) => [row.reduce((s, v, j) => s + (j + 1) * f(v, j), 0.5)]);
    const cases: [{ op: string; values: number[] }[], (v: number, j: number) => number][] = [
      [[{ op: 'Sub', values: [1, 2] }, { op: 'Div', values: [4, 0.5] }], (v, j) => (v - [1, 2][j]!) / [4, 0.5][j]!],
      [[{ op: 'Div', values: [2] }], (v) => v / 2],
      [[{ op: 'Mul', values: [0.25, 4] }], (v, j) => v * [0.25, 4][j]!],
      [[{ op: 'Sub', values: [3] }], (v) => v - 3],
    ];
    for (const [ops, f] of cases) {
      const loaded = fromONNX(model(ops));
      expect(loaded.layers[0]!.type).toBe('normalization');
      expect(maxError(loaded.predict(x), expected(f))).toBeLessThanOrEqual(1e-15);
    }
  });

  test('refused: a non-positive or tiny divisor, or statistics of the wrong width (FormatError naming the node)', () => {
    expect(() => fromONNX(model([{ op: 'Sub', values: [1, 2] }, { op: 'Div', values: [4, -1] }]))).toThrow(FormatError);
    expect(() => fromONNX(model([{ op: 'Sub', values: [1, 2] }, { op: 'Div', values: [4, 0] }]))).toThrow(/Div \(node "n1"\) divides by a value ≤ 0/);
    expect(() => fromONNX(model([{ op: 'Sub', values: [1, 2, 3] }]))).toThrow(/Sub \(node "n0"\): constant "c0" of shape \[3\] does not apply per feature to 2 input columns/);
    // a scale beyond 1e7 (a divisor below Keras's floor of 1e-7) would be computed as a division by 1e-7
    expect(() => fromONNX(model([{ op: 'Mul', values: [1, 1e9] }]))).toThrow(new FormatError('the input normalization divides feature 1 by 1e-9 (scales it by 1000000000); wasmnet\'s normalization divides by at least 1e-7 (Keras\'s floor)'));
  });
});

describe('toONNX → fromONNX and onnxruntime-web', () => {
  const ort = import('onnxruntime-web').then((m) => {
    m.env.wasm.numThreads = 1;
    return m;
  });
  async function runORT(bytes: Uint8Array, x: number[][], dtype: 'float32' | 'float64'): Promise<number[][]> {
    const { InferenceSession, Tensor } = await ort;
    const session = await InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const flat = x.flat();
    const { output } = await session.run({ input: new Tensor(dtype, dtype === 'float64' ? new Float64Array(flat) : new Float32Array(flat), [x.length, x[0]!.length]) });
    const data = Array.from(output!.data as Float64Array);
    const cols = output!.dims[1]!;
    await session.release();
    return x.map((_, i) => data.slice(i * cols, (i + 1) * cols));
  }

  test('float64: re-imported, it predicts the same bits; onnxruntime agrees to 1e-12', async () => {
    const original = net();
    const bytes = toONNX(original, { dtype: 'float64' });
    const back = fromONNX(bytes);
    expect(back.layers.map((l) => l.type)).toEqual(['normalization', 'dense', 'normalization', 'dense']);
    // the file holds the denominators max(√variance, 1e-7), read back as variance = d²: not the
    // same variances (450 comes back as 450.00000000000006), but √(d²) = d exactly, so the same bits
    expect(back.predict(inputs)).toEqual(original.predict(inputs));
    expect(maxError(await runORT(bytes, inputs, 'float64'), original.predict(inputs))).toBeLessThanOrEqual(1e-12);
  });

  /** A network with batch and layer norm, trained a little so the moving statistics are not 0 and 1. */
  async function normNet(backend: 'wasm' | 'js' = 'wasm') {
    const n = new Network({
      inputSize: 4,
      layers: [normalization({ adapt: inputs }), dense(6), batchNorm({ activation: 'relu' }), dense(5, { activation: 'tanh' }), layerNorm({ epsilon: 1e-5, activation: 'sigmoid' }), batchNorm({ convention: 'pytorch' }), dense(3)],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.1 },
      seed: 3,
      backend,
    });
    await n.fit(inputs, inputs.map((r) => [r[0]! / 100, r[1]!, r[2]!]), { epochs: 5, batchSize: 4 });
    return n;
  }

  test('batch and layer norm, float64: BatchNormalization and LayerNormalization nodes; re-imported it predicts the same to 1e-15, onnxruntime to 1e-10', async () => {
    const original = await normNet();
    const bytes = toONNX(original, { dtype: 'float64' });
    const back = fromONNX(bytes);
    expect(back.layers.map((l) => l.type)).toEqual(['normalization', 'dense', 'batchNorm', 'dense', 'layerNorm', 'batchNorm', 'dense']);
    expect(back.layers.map((l) => ('activation' in l ? l.activation : '-'))).toEqual(['-', 'linear', 'relu', 'tanh', 'sigmoid', 'linear', 'linear']);
    expect(maxError(back.predict(inputs), original.predict(inputs))).toBeLessThanOrEqual(1e-15);
    // ONNX's epsilon attribute is a float32: onnxruntime adds 0.0010000000474974513 for ε = 1e-3
    // (wasmnet reads the attribute back as the shortest decimal, 1e-3), a 5e-11 relative change
    // of ε: outputs agree to ≈ 1e-11, not 1e-12
    expect(maxError(await runORT(bytes, inputs, 'float64'), original.predict(inputs))).toBeLessThanOrEqual(1e-10);
  });

  test('float32: onnxruntime agrees to float32 precision', async () => {
    const original = net('js');
    expect(maxError(await runORT(toONNX(original), inputs, 'float32'), original.predict(inputs))).toBeLessThanOrEqual(1e-5);
  });
});

describe('TensorFlow.js', () => {
  test('toTfjs: tfjs loads it (normalization as an inference-only BatchNormalization) and predicts the same', async () => {
    const original = net();
    const { modelJSON, weightData } = toTfjs(original);
    const model = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: modelJSON.modelTopology as tf.io.ModelJSON['modelTopology'],
      weightSpecs: modelJSON.weightsManifest[0]!.weights as tf.io.WeightsManifestEntry[],
      weightData: weightData.buffer as ArrayBuffer,
    }));
    const predicted = (model.predict(tf.tensor2d(inputs)) as tf.Tensor).arraySync() as number[][];
    expect(maxError(predicted, original.predict(inputs))).toBeLessThanOrEqual(1e-4);
    // and back into wasmnet: the same layers, the statistics as float32 values
    const back = fromTfjs(modelJSON, weightData);
    expect(back.layers.map((l) => l.type)).toEqual(original.layers.map((l) => l.type));
    expect(maxError(back.predict(inputs), original.predict(inputs))).toBeLessThanOrEqual(1e-4);
  });

  test('batch and layer norm: tfjs loads toTfjs output and predicts the same; fromTfjs reads it back', async () => {
    const original = new Network({
      inputSize: 4,
      layers: [dense(6), batchNorm({ activation: 'relu', momentum: 0.9 }), dense(5), layerNorm({ activation: 'tanh' }), dense(2)],
      loss: 'mse',
      optimizer: 'adam',
      seed: 8,
    });
    await original.fit(inputs, inputs.map((r) => [r[1]!, r[2]!]), { epochs: 3, batchSize: 3 });
    const { modelJSON, weightData } = toTfjs(original);
    const model = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: modelJSON.modelTopology as tf.io.ModelJSON['modelTopology'],
      weightSpecs: modelJSON.weightsManifest[0]!.weights as tf.io.WeightsManifestEntry[],
      weightData: weightData.buffer as ArrayBuffer,
    }));
    const scaled = inputs.map((r) => [r[0]! / 100, r[1]!, r[2]!, r[3]! / 5]);
    const predicted = (model.predict(tf.tensor2d(scaled)) as tf.Tensor).arraySync() as number[][];
    expect(maxError(predicted, original.predict(scaled))).toBeLessThanOrEqual(1e-4);
    const back = fromTfjs(modelJSON, weightData);
    expect(back.layers).toEqual([
      { type: 'dense', units: 6, activation: 'linear' },
      { type: 'batchNorm', momentum: 0.9, epsilon: 1e-3, unbiasedVariance: false, activation: 'relu' },
      { type: 'dense', units: 5, activation: 'linear' },
      { type: 'layerNorm', epsilon: 1e-3, activation: 'tanh' },
      { type: 'dense', units: 2, activation: 'linear' },
    ]);
    expect(maxError(back.predict(scaled), original.predict(scaled))).toBeLessThanOrEqual(1e-4);
  });

  test('fromTfjs: what tfjs\'s own model.save writes for Dense(linear) → BatchNormalization → Activation(relu) and LayerNormalization predicts as tfjs does', async () => {
    const model = tf.sequential({ layers: [
      tf.layers.dense({ units: 5, inputShape: [4] }),
      tf.layers.batchNormalization({ momentum: 0.8, epsilon: 0.01 }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.dense({ units: 6 }),
      tf.layers.layerNormalization({ epsilon: 1e-4 }),
      tf.layers.dense({ units: 2, activation: 'sigmoid' }),
    ] });
    // γ, β and the moving statistics away from 1 and 0
    const rand = (shape: number[], lo: number, hi: number) => tf.randomUniform(shape, lo, hi, 'float32', 5);
    model.setWeights(model.getWeights().map((w) => rand(w.shape, 0.2, 1.5)));
    let saved: { modelJSON: TfjsModelJSON; weightData: ArrayBuffer } | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      saved = { modelJSON: { format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy ?? null, modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs as TfjsModelJSON['weightsManifest'][0]['weights'] }] }, weightData: a.weightData as ArrayBuffer };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = fromTfjs(saved!.modelJSON, saved!.weightData);
    expect(loaded.layers.map((l) => l.type)).toEqual(['dense', 'batchNorm', 'dense', 'layerNorm', 'dense']);
    expect(loaded.layers[1]).toEqual({ type: 'batchNorm', momentum: 0.8, epsilon: 0.01, unbiasedVariance: false, activation: 'relu' });
    const x = inputs.map((r) => [r[0]! / 100, r[1]!, r[2]!, r[3]! / 5]);
    const expected = (model.predict(tf.tensor2d(x)) as tf.Tensor).arraySync() as number[][];
    expect(maxError(loaded.predict(x), expected)).toBeLessThanOrEqual(1e-5);
  });

  /** A Sequential model.json as tensorflowjs_converter writes a Keras 2 model with a
   *  Normalization layer (adapted: mean, variance and an int count among the weights), or
   *  with its statistics in the config. */
  const kerasModel = (adapted: boolean): { modelJSON: TfjsModelJSON; weightData: Uint8Array; standardize: (row: number[]) => number[] } => {
    const mean = [2.5, -40];
    const variance = [4, 0];
    const kernel = [0.5, -1, 0.25, 2];
    const bias = [0.1, -0.2];
    const weights: { name: string; shape: number[]; dtype: string; values: number[] }[] = [
      ...(adapted ? [
        { name: 'normalization/mean', shape: [2], dtype: 'float32', values: mean },
        { name: 'normalization/variance', shape: [2], dtype: 'float32', values: variance },
        { name: 'normalization/count', shape: [], dtype: 'int32', values: [150] },
      ] : []),
      { name: 'dense/kernel', shape: [2, 2], dtype: 'float32', values: kernel },
      { name: 'dense/bias', shape: [2], dtype: 'float32', values: bias },
    ];
    const bytes = new Uint8Array(weights.reduce((n, w) => n + w.values.length * 4, 0));
    const view = new DataView(bytes.buffer);
    let at = 0;
    for (const w of weights) for (const v of w.values) (w.dtype === 'int32' ? view.setInt32(at, v, true) : view.setFloat32(at, v, true)), at += 4;
    const norm = { name: 'normalization', trainable: true, batch_input_shape: [null, 2], dtype: 'float32', axis: [-1], invert: false, mean: adapted ? null : mean, variance: adapted ? null : variance };
    return {
      modelJSON: {
        format: 'layers-model',
        generatedBy: 'keras v2.15.0',
        convertedBy: 'TensorFlow.js Converter v4.22.0',
        modelTopology: { keras_version: '2.15.0', backend: 'tensorflow', model_config: { class_name: 'Sequential', config: { name: 'sequential', layers: [
          { class_name: 'InputLayer', config: { batch_input_shape: [null, 2], dtype: 'float32', sparse: false, ragged: false, name: 'normalization_input' } },
          { class_name: 'Normalization', config: norm },
          { class_name: 'Dense', config: { name: 'dense', trainable: true, dtype: 'float32', units: 2, activation: 'linear', use_bias: true } },
        ] } } },
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: weights.map(({ values: _, ...spec }) => spec) }],
      },
      weightData: bytes,
      // Keras: (x − mean) / max(√variance, 1e-7)
      standardize: (row) => row.map((v, j) => (v - mean[j]!) / Math.max(Math.sqrt(variance[j]!), 1e-7)),
    };
  };

  test.each([true, false])('fromTfjs: Keras\'s Normalization layer (adapted: %s) standardizes as Keras does, constant column included', (adapted) => {
    const { modelJSON, weightData, standardize } = kerasModel(adapted);
    const loaded = fromTfjs(modelJSON, weightData);
    expect(loaded.layers[0]).toEqual({ type: 'normalization', mean: [2.5, -40], variance: [4, 0] });
    const x = [[1, -40], [4, -40], [0, -39.9999999]];
    const expected = x.map((row) => {
      const s = standardize(row);
      return [s[0]! * 0.5 + s[1]! * 0.25 + 0.1, s[0]! * -1 + s[1]! * 2 - 0.2].map((v) => v);
    });
    expect(maxError(loaded.predict(x), expected)).toBeLessThanOrEqual(1e-7);
  });

  test('refused: an inverting or multi-axis Normalization (FormatError naming the layer)', () => {
    const { modelJSON, weightData } = kerasModel(true);
    const edit = (patch: Record<string, unknown>) => {
      const json = JSON.parse(JSON.stringify(modelJSON));
      Object.assign(json.modelTopology.model_config.config.layers[1].config, patch);
      return () => fromTfjs(json, weightData);
    };
    expect(edit({ invert: true })).toThrow(new FormatError('Normalization layer "normalization" has invert: true (it de-normalizes), which wasmnet does not have'));
    expect(edit({ axis: [0, 1] })).toThrow('Normalization layer "normalization" has axis [0,1]; wasmnet normalizes each feature of [batch, features] (axis -1)');
  });
});
