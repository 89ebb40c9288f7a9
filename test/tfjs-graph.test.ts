// TensorFlow.js graph models: fromTfjs reads dense chains in the layout tensorflowjs_converter
// writes with --output_format tfjs_graph_model (model.json with "format": "graph-model", a
// GraphDef as JSON in modelTopology.node, Const nodes' values in the weights manifest under the
// node's name, attr strings as base64; the converter's grappler pass fuses MatMul + BiasAdd + an
// activation into _FusedMatMul with fused_ops ["BiasAdd", "Relu"]). The fixtures are built in
// that layout here, and each is checked against tfjs 4.22's own tf.loadGraphModel.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FormatError } from 'wasmnet';
import { fromTfjs, type TfjsModelJSON } from 'wasmnet/tfjs';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface Built {
  modelJSON: TfjsModelJSON;
  weightData: ArrayBuffer;
}

let seed = 1;
const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
const b64 = (s: string) => btoa(s);
const dims = (shape: number[]) => ({ dim: shape.map((d) => ({ size: String(d) })) });

/** A graph model builder: constants go to the manifest (float32), nodes to modelTopology.node. */
function graph() {
  const nodes: object[] = [];
  const specs: { name: string; shape: number[]; dtype: 'float32' }[] = [];
  const values: number[] = [];
  return {
    placeholder(name: string, shape: number[]) {
      nodes.push({ name, op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dims(shape) } } });
      return name;
    },
    constant(name: string, shape: number[]) {
      const count = shape.reduce((a, b) => a * b, 1);
      for (let i = 0; i < count; i++) values.push(Math.fround(random()));
      specs.push({ name, shape, dtype: 'float32' });
      nodes.push({ name, op: 'Const', attr: { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(shape) } }, dtype: { type: 'DT_FLOAT' } } });
      return name;
    },
    node(name: string, op: string, input: string[], attr: object = {}) {
      nodes.push({ name, op, input, device: '/device:CPU:0', attr: { T: { type: 'DT_FLOAT' }, ...attr } });
      return name;
    },
    build(output: string): Built {
      const weightData = new Float32Array(values).buffer;
      const modelJSON = {
        format: 'graph-model',
        generatedBy: '2.15.0',
        convertedBy: 'TensorFlow.js Converter v4.22.0',
        signature: { outputs: { [`${output}:0`]: { name: `${output}:0` } } },
        modelTopology: { node: nodes, library: {}, versions: { producer: 1645 } },
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: specs }],
      } as unknown as TfjsModelJSON;
      return { modelJSON, weightData };
    },
  };
}

const fused = (ops: string[], extra: object = {}) => ({
  transpose_a: { b: false },
  transpose_b: { b: false },
  num_args: { i: '1' },
  epsilon: { f: 0 },
  fused_ops: { list: { s: ops.map(b64) } },
  ...extra,
});

/** tfjs's predictions for the same artifacts, through its own graph-model loader. */
async function tfjsPredict({ modelJSON, weightData }: Built, x: number[][]): Promise<number[][]> {
  const json = modelJSON as unknown as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[]; format: string };
  const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData, format: json.format }));
  const out = model.predict(tf.tensor2d(x)) as tf.Tensor;
  const rows = (await out.array()) as number[][];
  out.dispose();
  return rows;
}

function expectClose(actual: number[][], expected: number[][]): void {
  expect(actual.length).toBe(expected.length);
  for (let r = 0; r < expected.length; r++) {
    for (let c = 0; c < expected[r]!.length; c++) {
      const [a, e] = [actual[r]![c]!, expected[r]![c]!];
      expect(Math.abs(a - e), `[${r}][${c}]: ${a} vs tfjs ${e}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(e)));
    }
  }
}

const rows = (n: number, width: number) => Array.from({ length: n }, () => Array.from({ length: width }, () => random() * 4));

describe('graph models (tensorflowjs_converter layout) against tf.loadGraphModel', () => {
  it('the converter\'s fused form: _FusedMatMul [BiasAdd, Relu] → _FusedMatMul [BiasAdd] → Softmax → Identity', async () => {
    const g = graph();
    const x = g.placeholder('dense_input', [-1, 6]);
    const w1 = g.constant('StatefulPartitionedCall/sequential/dense/MatMul/ReadVariableOp', [6, 16]);
    const b1 = g.constant('StatefulPartitionedCall/sequential/dense/BiasAdd/ReadVariableOp', [16]);
    const w2 = g.constant('StatefulPartitionedCall/sequential/dense_1/MatMul/ReadVariableOp', [16, 3]);
    const b2 = g.constant('StatefulPartitionedCall/sequential/dense_1/BiasAdd/ReadVariableOp', [3]);
    const h = g.node('StatefulPartitionedCall/sequential/dense/Relu', '_FusedMatMul', [x, w1, b1], fused(['BiasAdd', 'Relu']));
    const z = g.node('StatefulPartitionedCall/sequential/dense_1/BiasAdd', '_FusedMatMul', [h, w2, b2], fused(['BiasAdd']));
    const p = g.node('StatefulPartitionedCall/sequential/dense_1/Softmax', 'Softmax', [z]);
    const built = g.build(g.node('Identity', 'Identity', [p]));
    const net = fromTfjs(built.modelJSON, built.weightData);
    expect(net.inputSize).toBe(6);
    expect(net.layers.map((l) => (l.type === 'dense' ? `${l.units} ${l.activation}` : l.type))).toEqual(['16 relu', '3 softmax']);
    expect(net.loss).toBe('categoricalCrossentropy');
    const input = rows(9, 6);
    expectClose(net.predict(input), await tfjsPredict(built, input));
  });

  it('unfused: MatMul (transpose_b) → BiasAdd → Tanh → MatMul → AddV2 → LeakyRelu → MatMul → Add → Sigmoid; the width from the first weight', async () => {
    const g = graph();
    const x = g.placeholder('x', [-1, -1]);
    const w1 = g.constant('w1', [8, 5]); // [units, inputs]: read with transpose_b
    const b1 = g.constant('b1', [8]);
    const w2 = g.constant('w2', [8, 4]);
    const b2 = g.constant('b2', [4]);
    const w3 = g.constant('w3', [4, 1]);
    const b3 = g.constant('b3', [1]);
    let t = g.node('m1', 'MatMul', [x, w1], { transpose_a: { b: false }, transpose_b: { b: true } });
    t = g.node('a1', 'BiasAdd', [t, b1], { data_format: { s: b64('NHWC') } });
    t = g.node('t1', 'Tanh', [t]);
    t = g.node('m2', 'MatMul', [t, w2], { transpose_a: { b: false }, transpose_b: { b: false } });
    t = g.node('a2', 'AddV2', [t, b2]);
    t = g.node('l2', 'LeakyRelu', [t], { alpha: { f: 0.1 } });
    t = g.node('m3', 'MatMul', [`${t}:0`, w3]);
    t = g.node('a3', 'Add', [b3, t]);
    const built = g.build(g.node('s3', 'Sigmoid', [t]));
    const net = fromTfjs(built.modelJSON, built.weightData);
    expect(net.inputSize).toBe(5);
    expect(net.layers.map((l) => (l.type === 'dense' ? `${l.units} ${l.activation}` : l.type))).toEqual(['8 tanh', '4 leakyRelu', '1 sigmoid']);
    expect(net.loss).toBe('binaryCrossentropy');
    const input = rows(7, 5);
    expectClose(net.predict(input), await tfjsPredict(built, input));
  });

  it('relu6 fused by the converter: _FusedMatMul [BiasAdd, Relu6]', async () => {
    const g = graph();
    const x = g.placeholder('x', [-1, 4]);
    const h = g.node('h', '_FusedMatMul', [x, g.constant('w1', [4, 12]), g.constant('b1', [12])], fused(['BiasAdd', 'Relu6']));
    const built = g.build(g.node('y', '_FusedMatMul', [h, g.constant('w2', [12, 2]), g.constant('b2', [2])], fused(['BiasAdd'])));
    const net = fromTfjs(built.modelJSON, built.weightData);
    expect(net.layers.map((l) => (l.type === 'dense' ? l.activation : l.type))).toEqual(['relu6', 'linear']);
    const input = rows(12, 4).map((r) => r.map((v) => v * 4)); // products beyond 6 and below 0
    expectClose(net.predict(input), await tfjsPredict(built, input));
  });

  it('refuses what is not a dense chain, naming the op and its node', () => {
    const refusal = (make: (g: ReturnType<typeof graph>, x: string) => string) => {
      const g = graph();
      const x = g.placeholder('x', [-1, 3]);
      const built = g.build(make(g, x));
      try {
        fromTfjs(built.modelJSON, built.weightData);
      } catch (error) {
        expect(error).toBeInstanceOf(FormatError);
        return (error as Error).message;
      }
      throw new Error('loaded');
    };
    expect(refusal((g, x) => g.node('sq', 'Square', [g.node('m', '_FusedMatMul', [x, g.constant('w', [3, 2]), g.constant('b', [2])], fused(['BiasAdd']))]))).toBe(
      'graph model: Square (node "sq") is not supported; wasmnet reads chains of MatMul, BiasAdd/Add/AddV2, _FusedMatMul, Identity and Relu, Relu6, Sigmoid, Tanh, Softmax, Elu, Selu, Softplus, LeakyRelu',
    );
    expect(refusal((g, x) => g.node('c', 'Conv2D', [x, g.constant('k', [1, 1, 3, 2])]))).toMatch(/^graph model: Conv2D \(node "c"\) is not supported/);
    expect(refusal((g, x) => {
      g.node('left', 'Relu', [x]);
      return g.node('right', 'Tanh', [x]);
    })).toBe('graph model: "x" feeds 2 nodes (Relu "left", Tanh "right"); wasmnet reads a single chain');
    expect(refusal((g, x) => g.node('m', '_FusedMatMul', [x, g.constant('w', [3, 2]), g.constant('b', [2])], fused(['BiasAdd', 'Relu', 'Relu'])))).toBe(
      'graph model: _FusedMatMul node "m" fuses [BiasAdd, Relu, Relu]; wasmnet reads [BiasAdd] or [BiasAdd, an activation]',
    );
    expect(refusal((g, x) => g.node('m', 'MatMul', [x, g.constant('w', [4, 2])]))).toBe('graph model: MatMul node "m": its weight takes 4 inputs, but 3 arrive');
    expect(refusal((g, x) => g.node('m', 'MatMul', [x, g.node('v', 'VarHandleOp', [])]))).toBe('graph model: MatMul node "m" takes "v" (a VarHandleOp node) where wasmnet reads a constant');
  });
});
