// Hostile model files (issue 21): crafted in code, each import run under a meter. Every one must
// end in a WasmnetError subclass (or load, when the file is valid however odd) in under a second
// of CPU time, with memory growing by less than 100 MB at its peak, for files up to 16 MB;
// and importing 4× as much costs at most 6× the operations (linear, not quadratic: counted by
// countOperations, deterministic; no speed is asserted). The classes of file: work quadratic in the
// file before any check, lists that grow past the heap, packed fields decoded before their size
// is known, argument spreads of unbounded arrays, JSON nested deeply enough to overflow a
// recursive walk, prototype names taken for activations, non-finite attributes and weights,
// cycles and tensors written twice; and the limits that bound them (docs/interop.md, "Limits").
import { afterAll, describe, expect, test } from 'vitest';
import { FormatError, Network, dense, init } from 'wasmnet';
import { fromONNX } from 'wasmnet/onnx';
import { fromTfjs } from 'wasmnet/tfjs';
import {
  INT64,
  add,
  baseGraph,
  bytesField,
  cat,
  countOperations,
  f32,
  fastest,
  floatAttr,
  intField,
  loads,
  model,
  node,
  refused,
  repeatBytes,
  report,
  stopSampler,
  strField,
  tensor,
  tfjsModel,
  value,
  varint,
  verbose,
  type GraphParts,
} from './helpers/hostile';
import { MAX_JSON_DEPTH, MAX_JSON_ITEMS, jsonTextProblem } from '../src/io/json-limits';

await init();
afterAll(stopSampler);

const MB = 2 ** 20;

function onnx(extend: (g: GraphParts) => void): Uint8Array {
  const g = baseGraph();
  extend(g);
  const bytes = model(g);
  expect(bytes.length).toBeLessThanOrEqual(16 * MB);
  return bytes;
}

const repeat = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));


describe('ONNX: work linear in the file', () => {
  test('one node naming the input 100,000 times (300 KB): the inputs-per-node limit', async () => {
    const bytes = onnx((g) => g.nodes.push(node('Identity', repeat(100_000, () => 'x'), ['junk'])));
    await refused(() => fromONNX(bytes), FormatError, /more than 1024 inputs of one node \(the limit\)/);
  });

  test('240 nodes each naming the input 1,000 times, under the limits: a branch, refused at once', async () => {
    const bytes = onnx((g) => add(g.nodes, repeat(240, (k) => node('Identity', repeat(1000, () => 'x'), [`i${k}`]))));
    await refused(() => fromONNX(bytes), FormatError, /^tensor "x" feeds 241 operators \(Gemm \(node "dense"\), Identity \(node #1\), .*, … \(241 in all\)\): wasmnet loads a chain/);
  });

  test('an Add over 10,000 scalar constants (the activation recogniser): the inputs-per-node limit', async () => {
    const bytes = onnx((g) => {
      g.nodes.push(node('Add', ['y', ...repeat(10_000, (i) => `c${i}`)], ['z']));
      add(g.initializers, repeat(10_000, (i) => tensor(`c${i}`, [], f32([i]))));
      g.outputs = [value('z', [null, 1])];
    });
    await refused(() => fromONNX(bytes), FormatError, /more than 1024 inputs of one node/);
  });

  test('a Max over 1,023 scalar constants after the dense layer: not an activation, refused by name', async () => {
    const bytes = onnx((g) => {
      g.nodes.push(node('Max', ['y', ...repeat(1023, (i) => `c${i}`)], ['z'], [], 'max'));
      add(g.initializers, repeat(1023, (i) => tensor(`c${i}`, [], f32([i / 1000]))));
      g.outputs = [value('z', [null, 1])];
    });
    await refused(() => fromONNX(bytes), FormatError, /^Max \(node "max"\) is not supported here: after tensor "y"/);
  });

  test('a Max with 130,000 inputs (once a stack overflow in Math.max(...inputs)): the inputs-per-node limit', async () => {
    const bytes = onnx((g) => {
      g.nodes.push(node('Max', repeat(130_000, () => 'y'), ['z']));
      g.outputs = [value('z', [null, 1])];
    });
    await refused(() => fromONNX(bytes), FormatError, /more than 1024 inputs of one node/);
  });

  test('an ArgMax with 200,000 outputs named "t" read by 600 Identity nodes (once a heap exhaustion): the outputs-per-node limit', async () => {
    const bytes = onnx((g) => {
      g.nodes.push(node('ArgMax', ['y'], repeat(200_000, () => 't')), ...repeat(600, (k) => node('Identity', ['t'], [`u${k}`])));
    });
    await refused(() => fromONNX(bytes), FormatError, /more than 1024 outputs of one node \(the limit\)/);
  });

  test('an ArgMax writing "t" 1,000 times: a tensor written twice', async () => {
    const bytes = onnx((g) => g.nodes.push(node('ArgMax', ['y'], repeat(1000, () => 't'), [], 'argmax'), ...repeat(600, (k) => node('Identity', ['t'], [`u${k}`]))));
    await refused(() => fromONNX(bytes), FormatError, /^tensor "t" is written twice \(twice by ArgMax \(node "argmax"\)\); an ONNX tensor has one producer$/);
  });

  test('50,000 nodes (the limit) with names of about 150 bytes in a 16 MB file: a chain of no-ops that loads', async () => {
    const pad = 'p'.repeat(150);
    const bytes = onnx((g) => {
      add(g.nodes, repeat(50_000 - 1, (i) => node('Identity', [i === 0 ? 'y' : `${pad}${i - 1}`], [`${pad}${i}`])));
      g.outputs = [value(`${pad}${50_000 - 2}`, [null, 1])];
    });
    expect(bytes.length).toBeGreaterThan(14.5 * MB);
    await loads(() => fromONNX(bytes));
    const over = onnx((g) => add(g.nodes, repeat(50_000, (i) => node('Identity', [], [`n${i}`]))));
    await refused(() => fromONNX(over), FormatError, /more than 50000 nodes \(the limit\)/);
  });

  test('a label tail of 1,000 outputs each read by 45 nodes (45,000 nodes) loads: the tail walk is linear', async () => {
    const bytes = onnx((g) => g.nodes.push(node('ArgMax', ['y'], repeat(1000, (i) => `t${i}`)), ...repeat(45_000, (k) => node('Identity', [`t${k % 1000}`], [`u${k}`]))));
    const net = await loads(() => fromONNX(bytes));
    expect(net.predict([[2, 4]])[0]![0]).toBe(0.5 * 2 - 0.25 * 4 + 0.125);
  });
});

describe('ONNX: memory bounded before the checks', () => {
  const packedInt64 = (bytes: number) => bytesField(7, new Uint8Array(bytes).fill(1)); // int64_data, one byte per value

  test('16 MB of packed int64_data in an unused initializer: counted, never decoded; the model loads', async () => {
    const bytes = onnx((g) => g.initializers.push(tensor('unused', [16 * MB - 1024], undefined, INT64, [packedInt64(16 * MB - 1024)])));
    await loads(() => fromONNX(bytes));
  });

  test('16 MB of int64_data as the weight: refused for its type before decoding', async () => {
    const bytes = onnx((g) => (g.initializers[0] = tensor('W', [2, 8 * MB - 512], undefined, INT64, [packedInt64(16 * MB - 1024)])));
    await refused(() => fromONNX(bytes), FormatError, /tensor "W" has data type 7; wasmnet reads FLOAT \(1\) and DOUBLE \(11\) weights/);
  });

  test('16 MB of float_data declared as [2, 1]: refused for its size before decoding (packed and one key per value)', async () => {
    const packed = onnx((g) => (g.initializers[0] = tensor('W', [2, 1], undefined, 1, [bytesField(4, new Uint8Array(16 * MB - 1024))])));
    await refused(() => fromONNX(packed), FormatError, /tensor "W" of shape \[2, 1\] needs 2 values but holds 4194048/);
    const one = cat([varint(4 * 8 + 5), [0, 0, 0x80, 0x3f]]); // float_data, not packed: 5 bytes a value
    const unpacked = onnx((g) => (g.initializers[0] = tensor('W', [2, 1], undefined, 1, [repeatBytes(one, 3 * MB - 1024)])));
    await refused(() => fromONNX(unpacked), FormatError, /tensor "W" of shape \[2, 1\] needs 2 values but holds 3144704/);
  });

  test('16 MB of Reshape shape: its size checked before decoding', async () => {
    const bytes = onnx((g) => {
      g.nodes.push(node('Reshape', ['y', 'shape'], ['z'], [], 'reshape'));
      g.initializers.push(tensor('shape', [16 * MB - 1024], undefined, INT64, [packedInt64(16 * MB - 1024)]));
      g.outputs = [value('z', [null, 1])];
    });
    await refused(() => fromONNX(bytes), FormatError, /^Reshape \(node "reshape"\) reshapes to \[\?\]/);
  });

  test('16 MB of empty nodes, attributes, opset imports, dimensions: each a limit, hit while decoding', async () => {
    const manyNodes = onnx((g) => (g.extra = [repeatBytes([0x0a, 0x00], 8 * MB - 512)]));
    await refused(() => fromONNX(manyNodes), FormatError, /more than 50000 nodes \(the limit\)/);
    const manyAttributes = onnx((g) => g.nodes.push(cat([strField(4, 'Identity'), repeatBytes([0x2a, 0x00], 8 * MB - 512)])));
    await refused(() => fromONNX(manyAttributes), FormatError, /more than 1024 attributes of one node \(the limit\)/);
    const manyOpsets = cat([model(baseGraph()), repeatBytes([0x42, 0x00], 8 * MB - 512)]);
    await refused(() => fromONNX(manyOpsets), FormatError, /more than 1024 opset imports \(the limit\)/);
    const manyDims = onnx((g) => (g.initializers[0] = tensor('W', repeat(65, () => 1), f32([0]))));
    await refused(() => fromONNX(manyDims), FormatError, /more than 64 dimensions in a tensor \(the limit\)/);
    const manyValueDims = onnx((g) => (g.inputs[0] = value('x', [null, ...repeat(64, () => 1)])));
    await refused(() => fromONNX(manyValueDims), FormatError, /more than 64 dimensions in a value shape \(the limit\)/);
    const manyEdges = onnx((g) => add(g.nodes, repeat(1000, (k) => node('Identity', repeat(1000, () => 'q'), [`o${k}`]))));
    await refused(() => fromONNX(manyEdges), FormatError, /more than 250000 node inputs and outputs in all \(the limit\)/);
  });

  test('250,000 distinct names, and 200,000 attributes with distinct names (the limits): memory bounded', async () => {
    const names = onnx((g) => add(g.nodes, repeat(250, (k) => node('Identity', repeat(990, (j) => `i${k}_${j}`), [`o${k}`]))));
    await refused(() => fromONNX(names), FormatError, /^Identity \(node #1\) is not on the path from input "x"/);
    const attribute = (j: number) => bytesField(5, strField(1, `a${j}`));
    const attributes = onnx((g) => add(g.nodes, repeat(1000, (k) => cat([strField(1, 'y'), strField(2, `o${k}`), strField(4, 'Identity'), ...repeat(1000, attribute)]))));
    await refused(() => fromONNX(attributes), FormatError, /more than 200000 attributes in all \(the limit\)/);
  });

  test('16 MB of graph inputs with 64 dimensions each: the graph-inputs limit', async () => {
    const empty = [0x0a, 0x00]; // a dimension with neither value nor name
    const one = cat([strField(1, 'v'), bytesField(2, bytesField(1, cat([intField(1, 1), bytesField(2, cat(repeat(64, () => empty)))])))]);
    const bytes = onnx((g) => (g.extra = [repeatBytes(bytesField(11, one), Math.floor((16 * MB - 1000) / (one.length + 3)))]));
    await refused(() => fromONNX(bytes), FormatError, /more than 10000 graph inputs \(the limit\)/);
  });

  test('a 5,000-byte name: the string limit; names in messages are cut at 80 characters', async () => {
    const long = onnx((g) => g.nodes.push(node('Identity', ['y'], ['z'], [], 'n'.repeat(5000))));
    await refused(() => fromONNX(long), FormatError, /^the ONNX model has a string of 5000 bytes, over 4096 bytes per string \(the limit\), at byte \d+$/);
    const named = onnx((g) => g.nodes.push(node('Conv', ['y'], ['z'], [], 'n'.repeat(4000))));
    await refused(() => fromONNX(named), FormatError, new RegExp(`^Conv \\(node "${'n'.repeat(80)}…"\\) is not supported`));
  });
});

describe('ONNX: graph checks before the network is built', () => {
  const gemm = (attributes: Uint8Array[]) => onnx((g) => (g.nodes[0] = node('Gemm', ['x', 'W', 'b'], ['y'], attributes, 'dense')));

  test('Gemm alpha or beta NaN or infinite: a FormatError naming the node and the attribute', async () => {
    await refused(() => fromONNX(gemm([floatAttr('alpha', NaN)])), FormatError, /^Gemm \(node "dense"\): attribute "alpha" is NaN; attributes must be finite$/);
    await refused(() => fromONNX(gemm([floatAttr('beta', Infinity)])), FormatError, /^Gemm \(node "dense"\): attribute "beta" is Infinity/);
    await refused(() => fromONNX(onnx((g) => g.nodes.push(node('LeakyRelu', ['y'], ['z'], [floatAttr('alpha', -Infinity)], 'act')))), FormatError, /^LeakyRelu \(node "act"\): attribute "alpha" is -Infinity/);
  });

  test('an infinite bias, or weights that overflow once scaled by alpha: a FormatError naming the tensor', async () => {
    const infBias = onnx((g) => (g.initializers[1] = tensor('b', [1], f32([Infinity]))));
    await refused(() => fromONNX(infBias), FormatError, /^Gemm \(node "dense"\): tensor "b"\[0\] is Infinity; weights must be finite$/);
    const big = new Uint8Array(16);
    new DataView(big.buffer).setFloat64(0, 1e300, true);
    const overflow = onnx((g) => {
      g.nodes[0] = node('Gemm', ['x', 'W', 'b'], ['y'], [floatAttr('alpha', 1e30)], 'dense');
      g.initializers[0] = tensor('W', [2, 1], big, 11);
      g.initializers[1] = tensor('b', [1], new Uint8Array(8), 11);
    });
    await refused(() => fromONNX(overflow), FormatError, /^Gemm \(node "dense"\): tensor "W"\[0\] × alpha 1e\+30 is Infinity; weights must be finite$/);
    const addBias = onnx((g) => {
      g.nodes = [node('MatMul', ['x', 'W'], ['h'], [], 'mm'), node('Add', ['h', 'c'], ['y'], [], 'add')];
      g.initializers.push(tensor('c', [1], f32([-Infinity])));
    });
    await refused(() => fromONNX(addBias), FormatError, /^Add \(node "add"\): tensor "c"\[0\] is -Infinity; weights must be finite$/);
  });

  test('a node that writes its own input, and a longer cycle: refused, naming a node on it', async () => {
    const self = onnx((g) => {
      g.nodes.push(node('Relu', ['y', 'z'], ['z'], [], 'loop'));
      g.outputs = [value('z', [null, 1])];
    });
    await refused(() => fromONNX(self), FormatError, /^Relu \(node "loop"\) is on a cycle/);
    const ring = onnx((g) => {
      g.nodes.push(node('Add', ['y', 'r3'], ['r1'], [], 'a'), node('Identity', ['r1'], ['r2'], [], 'b'), node('Identity', ['r2'], ['r3'], [], 'c'));
      g.outputs = [value('r3', [null, 1])];
    });
    await refused(() => fromONNX(ring), FormatError, /^(Add \(node "a"\)|Identity \(node "[bc]"\)) is on a cycle/);
  });

  test('two nodes writing one tensor, or a node writing an initializer: refused', async () => {
    const twice = onnx((g) => g.nodes.push(node('Relu', ['y'], ['r'], [], 'r1'), node('Tanh', ['y'], ['r'], [], 'r2')));
    await refused(() => fromONNX(twice), FormatError, /^tensor "r" is written twice \(by Relu \(node "r1"\) and Tanh \(node "r2"\)\)/);
    const overwrite = onnx((g) => g.nodes.push(node('Relu', ['y'], ['W'], [], 'r')));
    await refused(() => fromONNX(overwrite), FormatError, /^tensor "W" is both an initializer and an output of Relu \(node "r"\)/);
  });
});

describe('tfjs', () => {
  const json = (n = 1) => tfjsModel(n);

  test('input_shape 5, null, {}, true: a FormatError naming the layer (once a TypeError)', async () => {
    for (const shape of [5, null, {}, true, 'abc']) {
      const { modelJSON, weightData } = json();
      const config = modelJSON.modelTopology.config.layers[0]!.config;
      delete config.batch_input_shape;
      config.input_shape = shape;
      await refused(() => fromTfjs(modelJSON as never, weightData), FormatError, /^Dense layer "dense_0" has input shape .*; wasmnet networks take 2-D input/);
    }
  });

  test('activation names from Object.prototype: a FormatError naming the layer', async () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      const { modelJSON, weightData } = json();
      modelJSON.modelTopology.config.layers[0]!.config.activation = name;
      await refused(() => fromTfjs(JSON.stringify(modelJSON), weightData), FormatError, new RegExp(`^Dense layer "dense_0" has activation "${name}", which wasmnet does not have$`));
      const activationLayer = json();
      activationLayer.modelJSON.modelTopology.config.layers.push({ class_name: 'Activation', config: { name: 'act', activation: name } });
      await refused(() => fromTfjs(activationLayer.modelJSON as never, weightData), FormatError, new RegExp(`^Activation layer "act" has activation "${name}"`));
    }
  });

  test('a manifest group of 130,000 entries (once a RangeError): the manifest limit', async () => {
    const { modelJSON, weightData } = json();
    add(modelJSON.weightsManifest[0]!.weights, repeat(130_000, (i) => ({ name: `w${i}`, shape: [0], dtype: 'float32' })));
    await refused(() => fromTfjs(modelJSON as never, weightData), FormatError, /^the weights manifest has more than 100000 entries \(the limit\)$/);
  });

  test('1,000 Dense layers and 60,000 more manifest entries (a 4 MB model.json): loads; finding weights is linear', async () => {
    const { modelJSON, weightData } = json(1000);
    add(modelJSON.weightsManifest[0]!.weights, repeat(60_000, (i) => ({ name: `scope/dense_${i % 1000}/kernel_${i}`, shape: [0], dtype: 'float32' })));
    const text = JSON.stringify(modelJSON);
    expect(text.length).toBeGreaterThan(4e6);
    const net = await loads(() => fromTfjs(text, weightData));
    expect(net.predict([[2, 4]])[0]![0]).toBe(0);
  });

  test('Dense units nested 5,000 deep, and a model.json nested 100,000 deep (text and object): the JSON depth limit', async () => {
    const { modelJSON, weightData } = json();
    const text = JSON.stringify(modelJSON).replace('"units":1', `"units":${'['.repeat(5000)}${']'.repeat(5000)}`);
    await refused(() => fromTfjs(text, weightData), FormatError, /^model\.json is nested deeper than 64 levels \(the JSON depth limit\)$/);
    await refused(() => fromTfjs(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, weightData), FormatError, /nested deeper than 64 levels/);
    let deep: unknown[] = [];
    const parsed = JSON.parse(JSON.stringify(modelJSON));
    parsed.modelTopology.config.layers[0].config.units = deep;
    for (let i = 0; i < 100_000; i++) deep = (deep[0] = []) as unknown[];
    await refused(() => fromTfjs(parsed, weightData), FormatError, /^model\.json is nested deeper than 64 levels/);
  });

  test('16 MB of [{},{},…]: the JSON size limit, before JSON.parse builds millions of objects', async () => {
    const { modelJSON, weightData } = json();
    const text = JSON.stringify(modelJSON).replace('"weightsManifest":[', `"weightsManifest":[${'{},'.repeat(5 * MB)}`);
    expect(text.length).toBeLessThanOrEqual(16 * MB);
    await refused(() => fromTfjs(text, weightData), FormatError, /^model\.json has more than 1000000 items \(the JSON size limit\)$/);
  });

  test('16 MB of uint8 weights in an unused manifest entry: never decoded; the model loads', async () => {
    const { modelJSON, weightData } = json();
    const size = 16 * MB - 1024;
    modelJSON.weightsManifest[0]!.weights.push({ name: 'unused', shape: [size], dtype: 'float32', quantization: { dtype: 'uint8', scale: 1, min: 0 } } as never);
    const data = new Uint8Array(weightData.length + size);
    data.set(weightData);
    await loads(() => fromTfjs(modelJSON as never, data));
  });

  test('a NaN in the second layer is found before the first is decoded, naming the weight', async () => {
    const { modelJSON, weightData } = json(2);
    new DataView(weightData.buffer).setFloat32(3 * 4, NaN, true); // dense_1/kernel[0]
    await refused(() => fromTfjs(modelJSON as never, weightData), FormatError, /^weight "dense_1\/kernel"\[0\] is NaN; weights must be finite$/);
  });

  test('JSON strings with escaped quotes and backslashes do not confuse the depth scan', async () => {
    const { modelJSON, weightData } = json();
    modelJSON.modelTopology.config.layers[0]!.config.kernel_initializer = `a\\"[[[[\\\\"]]${'['.repeat(100)}`;
    const net = await loads(() => fromTfjs(JSON.stringify(modelJSON), weightData));
    expect(net.layers.length).toBe(1);
  });

  test('names and shapes over their limits', async () => {
    const long = json();
    long.modelJSON.modelTopology.config.layers[0]!.config.name = 'd'.repeat(5000);
    await refused(() => fromTfjs(long.modelJSON as never, long.weightData), FormatError, /^layer 0's name "d{79}… is 5000 characters long, over the limit of 4096$/);
    const dims = json();
    dims.modelJSON.weightsManifest[0]!.weights.push({ name: 'w', shape: repeat(65, () => 1), dtype: 'float32' });
    await refused(() => fromTfjs(dims.modelJSON as never, dims.weightData), FormatError, /^weight "w" has 65 dimensions, over the limit of 64$/);
  });
});

describe('saved models: Network.fromJSON and fromBytes', () => {
  const net = new Network({ inputSize: 2, layers: [dense(1)], loss: 'mse', seed: 1 });
  const saved = () => JSON.parse(JSON.stringify(net)) as Record<string, unknown>;
  const withHeader = (head: string): Uint8Array => {
    const text = new TextEncoder().encode(head);
    const bytes = new Uint8Array(12 + text.length);
    bytes.set([0x57, 0x4e, 0x45, 0x54]);
    new DataView(bytes.buffer).setUint32(4, 1, true);
    new DataView(bytes.buffer).setUint32(8, text.length, true);
    bytes.set(text, 12);
    return bytes;
  };

  test('the messages name the limits in force', () => {
    expect([MAX_JSON_DEPTH, MAX_JSON_ITEMS]).toEqual([64, 1_000_000]); // the messages spell them out
    expect(jsonTextProblem(`${'['.repeat(65)}${']'.repeat(65)}`)).toBe('is nested deeper than 64 levels (the JSON depth limit)');
    expect(jsonTextProblem(`${'['.repeat(64)}${']'.repeat(64)}`)).toBeUndefined();
    expect(jsonTextProblem(`[${'0,'.repeat(1_000_000)}0]`)).toBe('has more than 1000000 items (the JSON size limit)');
    expect(jsonTextProblem(`[${'0,'.repeat(999_998)}0]`)).toBeUndefined();
  });

  test('the issue\'s version nested 5,000 deep (once a stack overflow), as text and as an object', async () => {
    await refused(() => Network.fromJSON(`{"format":"wasmnet","version":${'['.repeat(5000)}${']'.repeat(5000)}}`), FormatError, /^not a saved wasmnet model: the JSON is nested deeper than 64 levels \(the JSON depth limit\)$/);
    let deep: unknown[] = [];
    const object = { format: 'wasmnet', version: deep };
    for (let i = 0; i < 100_000; i++) deep = (deep[0] = []) as unknown[];
    await refused(() => Network.fromJSON(object as never), FormatError, /nested deeper than 64 levels/);
  });

  test('an object that contains itself: walked once, a FormatError, no loop', async () => {
    const s = saved();
    (s.config as Record<string, unknown>).self = s;
    await refused(() => Network.fromJSON(s as never), FormatError, /^saved model has an invalid config: Network config: unknown option "self"/);
  });

  test('layers nested deep, and 16 MB of [{},…], in fromJSON and in a fromBytes header', async () => {
    const text = JSON.stringify(saved()).replace('"layers":', `"layers":${'['.repeat(4000)}`).replace(/"loss"/, `${']'.repeat(4000)},"loss"`);
    await refused(() => Network.fromJSON(text), FormatError, /nested deeper than 64 levels/);
    await refused(() => Network.fromBytes(withHeader(`{"format":"wasmnet","version":1,"slabs":${'['.repeat(5000)}${']'.repeat(5000)}}`)), FormatError, /^saved model is corrupted: its JSON header is nested deeper than 64 levels/);
    const items = `{"format":"wasmnet","version":1,"config":{"junk":[${'{},'.repeat(5 * MB)}{}]}}`;
    await refused(() => Network.fromJSON(items), FormatError, /has more than 1000000 items \(the JSON size limit\)/);
    await refused(() => Network.fromBytes(withHeader(items)), FormatError, /its JSON header has more than 1000000 items/);
  });

  test('fromBytes: 16 MB of slabs that its header does not declare, or a header that claims a billion weights', async () => {
    const head = `{"format":"wasmnet","version":1,"config":${JSON.stringify(saved().config)},"training":${JSON.stringify(saved().training)},"slabs":3}`;
    const short = withHeader(head);
    const padded = new Uint8Array(16 * MB);
    padded.set(short);
    await refused(() => Network.fromBytes(padded), FormatError, /^saved model is corrupted: 3 weights need \d+ bytes, there are 16777216$/);
    const claims = withHeader(head.replace('"slabs":3', '"slabs":1000000000'));
    await refused(() => Network.fromBytes(claims), FormatError, /^saved model is truncated: 1000000000 weights need \d+ bytes/);
  });

  test('16 MB of base64 weights that do not fit the architecture: refused, memory bounded', async () => {
    const s = saved();
    s.weights = 'A'.repeat(16 * MB - 4096);
    const text = JSON.stringify(s);
    await refused(() => Network.fromJSON(text), FormatError, /^saved model: weights has 1572480 values, but its architecture has 3 parameters$/);
  });
});

describe('scaling: 4× the input costs at most 6× the operations', () => {
  /** The operations (countOperations: deterministic, no clock) at size n and at 4n, and their
   *  ratio; the wall-clock ratio (fastest of 5, which the garbage collector makes grow a little
   *  faster than the work) is only reported (HOSTILE_VERBOSE=1). */
  function ratio(make: (n: number) => () => unknown, n: number): number {
    const small = make(n);
    const large = make(4 * n);
    const a = countOperations(small);
    const b = countOperations(large);
    expect(a).toBeGreaterThan(0);
    if (verbose) report(`n ${n}: ${a} operations, 4n: ${b} (ratio ${(b / a).toFixed(2)}); time ${fastest(small).toFixed(1)} → ${fastest(large).toFixed(1)} ms`);
    return b / a;
  }

  test('ONNX: nodes in the chain, nodes reading one tensor, nodes in the label tail', () => {
    const chain = (n: number) => {
      const bytes = onnx((g) => {
        add(g.nodes, repeat(n, (i) => node('Identity', [i === 0 ? 'y' : `c${i - 1}`], [`c${i}`])));
        g.outputs = [value(`c${n - 1}`, [null, 1])];
      });
      return () => fromONNX(bytes);
    };
    expect(ratio(chain, 10_000)).toBeLessThanOrEqual(6);
    const fanIn = (n: number) => {
      const bytes = onnx((g) => add(g.nodes, repeat(n, (k) => node('Identity', repeat(100, () => 'x'), [`i${k}`]))));
      return () => fromONNX(bytes);
    };
    expect(ratio(fanIn, 500)).toBeLessThanOrEqual(6);
    const tail = (n: number) => {
      const bytes = onnx((g) => g.nodes.push(node('ArgMax', ['y'], ['t']), ...repeat(n, (k) => node('Identity', ['t'], [`u${k}`]))));
      return () => fromONNX(bytes);
    };
    expect(ratio(tail, 10_000)).toBeLessThanOrEqual(6);
  });

  test('tfjs: manifest entries, Dense layers', () => {
    const manifest = (n: number) => {
      const { modelJSON, weightData } = tfjsModel(1);
      add(modelJSON.weightsManifest[0]!.weights, repeat(n, (i) => ({ name: `a/b/dense_0/k${i}`, shape: [0], dtype: 'float32' })));
      const text = JSON.stringify(modelJSON);
      return () => fromTfjs(text, weightData);
    };
    expect(ratio(manifest, 20_000)).toBeLessThanOrEqual(6);
    const layers = (n: number) => {
      const { modelJSON, weightData } = tfjsModel(n);
      const text = JSON.stringify(modelJSON);
      return () => fromTfjs(text, weightData);
    };
    expect(ratio(layers, 250)).toBeLessThanOrEqual(6);
  });

  test('JSON: nesting levels and items (fromJSON, fromTfjs)', () => {
    const nested = (n: number) => {
      const text = `{"format":"wasmnet","version":${'['.repeat(n)}${']'.repeat(n)}}`;
      return () => Network.fromJSON(text);
    };
    expect(ratio(nested, 50_000)).toBeLessThanOrEqual(6);
    const items = (n: number) => {
      const s = JSON.parse(JSON.stringify(net0));
      s.config.junk = repeat(n, () => 0);
      const text = JSON.stringify(s);
      return () => Network.fromJSON(text);
    };
    expect(ratio(items, 100_000)).toBeLessThanOrEqual(6);
    const tfjsNested = (n: number) => {
      const text = JSON.stringify(tfjsModel(1).modelJSON).replace('"units":1', `"units":${'['.repeat(n)}${']'.repeat(n)}`);
      return () => fromTfjs(text, new Uint8Array(0));
    };
    expect(ratio(tfjsNested, 50_000)).toBeLessThanOrEqual(6);
  });
});

const net0 = new Network({ inputSize: 2, layers: [dense(1)], loss: 'mse', seed: 1 });

// ---- issue 23: onnxruntime dynamic quantization and scikit-learn linear models --------------

describe('ONNX: quantized weights and ai.onnx.ml linear models, sizes checked before decoding', () => {
  const INT8 = 3;
  const ML = strField(7, 'ai.onnx.ml');
  /** x [batch, width] → quantize_dynamic's DynamicQuantizeLinear, MatMulInteger, Cast, Mul. */
  const quantized = (width: number, Wq: Uint8Array, Wz: Uint8Array, Ws: Uint8Array) => onnx((g) => {
    g.nodes = [
      node('DynamicQuantizeLinear', ['x'], ['xq', 'xs', 'xz'], [], 'quantize'),
      node('Mul', ['xs', 'Ws'], ['sc'], [], 'scales'),
      node('MatMulInteger', ['xq', 'Wq', 'xz', 'Wz'], ['mi'], [], 'matmul'),
      node('Cast', ['mi'], ['mc'], [cat([strField(1, 'to'), intField(3, 1), intField(20, 2)])], 'cast'),
      node('Mul', ['mc', 'sc'], ['y'], [], 'output'),
    ];
    g.initializers = [Wq, Wz, Ws];
    g.inputs = [value('x', [null, width])];
  });
  const scalarZero = tensor('Wz', [], Uint8Array.of(0), INT8);
  const scalarScale = tensor('Ws', [], f32([0.5]));
  // AttributeProto: floats[7] (packed), strings[9]
  const floats = (name: string, data: Uint8Array) => cat([strField(1, name), bytesField(7, data)]);
  const classifier = (attributes: Uint8Array[]) => onnx((g) => {
    g.nodes = [cat([node('LinearClassifier', ['x'], ['label', 'y'], attributes, 'linear'), ML])];
    g.initializers = [];
  });

  test('an INT8 weight claiming 2^32 values in 2 bytes: the per-tensor limit, before decoding', async () => {
    const bytes = quantized(65536, tensor('Wq', [65536, 65536], Uint8Array.of(1, 2), INT8), scalarZero, scalarScale);
    await refused(() => fromONNX(bytes), FormatError, /^MatMulInteger \(node "matmul"\): tensor "Wq" has 4294967296 values, over the limit of 2\^28 values per tensor$/);
  });

  test('16 MB of INT8 weight bytes declared as [2, 1], or [2, 8M] with 16 bytes: refused for its size before decoding', async () => {
    const many = quantized(2, tensor('Wq', [2, 1], new Uint8Array(16 * MB - 1024), INT8), scalarZero, scalarScale);
    await refused(() => fromONNX(many), FormatError, /tensor "Wq" of shape \[2, 1\] needs 2 values but holds 16776192$/);
    const few = quantized(2, tensor('Wq', [2, 8 * MB], new Uint8Array(16), INT8), scalarZero, scalarScale);
    await refused(() => fromONNX(few), FormatError, /tensor "Wq" of shape \[2, 8388608\] needs 16777216 values but holds 16$/);
  });

  test('a zero point of 16M values, and a scale of 4M, for one column: refused for their shapes before decoding', async () => {
    const W = tensor('Wq', [2, 1], Uint8Array.of(1, 2), INT8);
    const zeros = quantized(2, W, tensor('Wz', [16 * MB - 1024], new Uint8Array(16 * MB - 1024), INT8), scalarScale);
    await refused(() => fromONNX(zeros), FormatError, /^MatMulInteger \(node "matmul"\): zero point "Wz" has shape \[16776192\]; it must be a scalar or one per column \(\[1\]\)$/);
    const scales = quantized(2, W, scalarZero, tensor('Ws', [4 * MB - 256], new Uint8Array(16 * MB - 1024)));
    await refused(() => fromONNX(scales), FormatError, /^Mul \(node "scales"\): scale "Ws" has shape \[4194048\]; it must be a scalar or one per column \(\[1\]\)$/);
  });

  test('LinearClassifier: 16 MB of coefficients for 2 classes of 2 features, and 5M class labels: counted, never decoded', async () => {
    const coefficients = classifier([floats('coefficients', new Uint8Array(16 * MB - 1024)), floats('intercepts', f32([0, 0])), cat([strField(1, 'classlabels_ints'), intField(8, 0), intField(8, 1)])]);
    await refused(() => fromONNX(coefficients), FormatError, /^LinearClassifier \(node "linear"\): 4194048 coefficients are not 2 classes × 2 input features$/);
    const labels = classifier([floats('coefficients', f32([1, 2, 3, 4])), floats('intercepts', f32([0, 0])), cat([strField(1, 'classlabels_strings'), repeatBytes(strField(9, 'a'), 5 * MB)])]);
    await refused(() => fromONNX(labels), FormatError, /^LinearClassifier \(node "linear"\) has 5242880 class labels \(ints and strings\) for 2 rows of coefficients \(one per intercept\); they must match$/);
  });

  test('LinearRegressor claiming 2^28 targets with 4 coefficients: refused by count', async () => {
    const bytes = onnx((g) => {
      g.nodes = [cat([node('LinearRegressor', ['x'], ['y'], [floats('coefficients', f32([1, 2, 3, 4])), cat([strField(1, 'targets'), intField(3, 2 ** 28), intField(20, 2)])], 'linear'), ML])];
      g.initializers = [];
    });
    await refused(() => fromONNX(bytes), FormatError, /^LinearRegressor \(node "linear"\): 4 coefficients are not 268435456 targets × 2 input features$/);
  });

  test('a node with no output (once a TypeError when the chain reached it): refused by name', async () => {
    const bytes = onnx((g) => g.nodes.push(node('Relu', ['y'], [], [], 'relu')));
    await refused(() => fromONNX(bytes), FormatError, /^Relu \(node "relu"\) has no output; every ONNX operator writes its first output$/);
  });
});
