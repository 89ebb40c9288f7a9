// Hostile files for the importers' newer paths (issue 23): tfjs graph models, the ONNX input
// flattening chains and inputs that are not [batch, features], ONNX weights in external files,
// Clip / relu6, and the Keras readers' memory. As in hostile.test.ts, every input is built in
// code and every import runs under the meter (`refused`, `loads`): a WasmnetError subclass whose
// message names the cause (the operator, node, tensor, file or shape) and what would load, in
// under a second of CPU time with memory growing by under 100 MB; the valid neighbours of each
// hostile file load and predict what they compute. Work is linear (4× the input, at most 6× the
// operations, counted). Then property tests mutate these inputs (FUZZ_SEED, FUZZ_RUNS as in
// test/fuzz.test.ts): every result is a network or a FormatError, never another error.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { FormatError, Network, init } from 'wasmnet';
import { fromKeras, HDF5_LIMITS, KERAS_LIMITS, ZIP_LIMITS } from 'wasmnet/keras';
import { fromONNX } from 'wasmnet/onnx';
import { fromTfjs } from 'wasmnet/tfjs';
import { writeHDF5, type H5Node } from '../src/keras/h5write';
import { crc32, readZipDirectory, readZipEntry, writeZip } from '../src/keras/zip';
import {
  FLOAT,
  INT64,
  add,
  baseGraph,
  bytesField,
  cat,
  countOperations,
  f32,
  floatAttr,
  intField,
  loads,
  model,
  node,
  refused,
  report,
  stopSampler,
  strField,
  tensor,
  value,
  type GraphParts,
} from './helpers/hostile';

await init();
afterAll(stopSampler);

const MB = 2 ** 20;
const SEED = Number(process.env.FUZZ_SEED ?? 2026_23);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
// A floor on the runs: FUZZ_RUNS=0 (or a typo) would turn every property below into a no-op that passes.
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`FUZZ_RUNS must be a whole number ≥ 1, got ${JSON.stringify(process.env.FUZZ_RUNS)}`);
const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns: numRuns * RUNS, verbose: 0 });

const repeat = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** 4× the input costs at most this many times the operations (countOperations: no clock). */
function ratio(make: (n: number) => () => unknown, n: number): number {
  const a = countOperations(make(n));
  const b = countOperations(make(4 * n));
  expect(a).toBeGreaterThan(0);
  report(`n ${n}: ${a} operations, 4n: ${b} (ratio ${(b / a).toFixed(2)})`);
  return b / a;
}

/** Every outcome is a network or a FormatError (what the fuzz properties assert); returns which. */
function networkOrFormatError(run: () => unknown): 'network' | 'refused' {
  try {
    expect(run()).toBeInstanceOf(Network);
    return 'network';
  } catch (error) {
    if (!(error instanceof FormatError)) throw error; // fails the property with the real error
    return 'refused';
  }
}

// ---- tfjs graph models ------------------------------------------------------------------------

type GraphNode = { name: string; op: string; input?: string[]; attr?: Record<string, unknown> };
const shapeAttr = (shape: number[]) => ({ shape: { shape: { dim: shape.map((d) => ({ size: String(d) })) } } });
const placeholder = (shape?: number[], name = 'x'): GraphNode => ({ name, op: 'Placeholder', attr: shape ? shapeAttr(shape) : {} });
const constant = (name: string): GraphNode => ({ name, op: 'Const', attr: { dtype: { type: 'DT_FLOAT' } } });
const op = (name: string, type: string, input: string[], attr: Record<string, unknown> = {}): GraphNode => ({ name, op: type, input, attr });
const fusedOps = (ops: string[]) => ({ fused_ops: { list: { s: ops.map((s) => btoa(s)) } } });

/** A graph model.json (the converter's layout: Const values in the manifest under the node's
 *  name) and its float32 weight data. */
function graphModel(nodes: GraphNode[], weights: { name: string; shape: number[]; values: number[] }[]) {
  return {
    modelJSON: {
      format: 'graph-model',
      modelTopology: { node: nodes, library: {}, versions: { producer: 1645 } },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: weights.map(({ name, shape }) => ({ name, shape, dtype: 'float32' })) }],
    },
    weightData: f32(weights.flatMap((w) => w.values)),
  };
}
/** x [-1, 2] → MatMul(W [2, 1]) → BiasAdd(b [1]) → `tail` nodes. */
const W = { name: 'W', shape: [2, 1], values: [0.5, -0.25] };
const B = { name: 'b', shape: [1], values: [0.125] };
const dense = (...tail: GraphNode[]) => graphModel([placeholder([-1, 2]), constant('W'), constant('b'), op('mm', 'MatMul', ['x', 'W']), op('bias', 'BiasAdd', ['mm', 'b']), ...tail], [W, B]);
const load = (m: { modelJSON: unknown; weightData: Uint8Array }) => () => fromTfjs(m.modelJSON as never, m.weightData);

describe('tfjs graph models: hostile graphs', () => {
  test('the valid neighbour: x·W + b through MatMul and BiasAdd, with an Identity and a Relu6', async () => {
    const net = await loads(load(dense(op('act', 'Relu6', ['bias']), op('out', 'Identity', ['act']))));
    expect(net.predict([[2, 4], [40, 0]])).toEqual([[0.5 * 2 - 0.25 * 4 + 0.125], [6]]);
  });

  test('op names from Object.prototype (alone or fused): not activations, a FormatError naming the op and node', async () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      await refused(load(dense(op('z', name, ['bias']))), FormatError, new RegExp(`^graph model: ${name} \\(node "z"\\) is not supported; wasmnet reads chains of MatMul`));
      const fused = graphModel([placeholder([-1, 2]), constant('W'), constant('b'), op('f', '_FusedMatMul', ['x', 'W', 'b'], fusedOps(['BiasAdd', name]))], [W, B]);
      await refused(load(fused), FormatError, new RegExp(`^graph model: ${name} \\(node "f"\\) is not supported; wasmnet reads MatMul`));
    }
  });

  test('a cycle of Identity nodes after the product, and a node that reads itself: refused, no loop', async () => {
    await refused(load(dense(op('i1', 'Identity', ['bias', 'i2']), op('i2', 'Identity', ['i1']))), FormatError, /^graph model: the chain from the input does not end \(a cycle\)$/);
    // a cycle off the chain is not walked (nodes the input does not reach are not read)
    predictsBase(await loads(load(dense(op('i1', 'Identity', ['i2']), op('i2', 'Identity', ['i1']), op('i0', 'Identity', ['bias'])))));
    const self = graphModel([placeholder([-1, 2]), constant('W'), op('mm', 'MatMul', ['x', 'W']), op('loop', 'Identity', ['mm', 'loop'])], [W]);
    await refused(load(self), FormatError, /^graph model: the chain from the input does not end \(a cycle\)$/);
  });

  test('more than 100,000 nodes: the node limit; 50,000 Identity nodes in the chain load', async () => {
    const over = graphModel([placeholder([-1, 2]), ...repeat(100_000, (i) => ({ name: `n${i}`, op: 'NoOp' }))], []);
    await refused(load(over), FormatError, /^graph model: 100001 nodes, over the limit of 100000$/);
    const chain = dense(...repeat(50_000, (i) => op(`i${i}`, 'Identity', [i === 0 ? 'bias' : `i${i - 1}`])));
    const net = await loads(load(chain));
    expect(net.predict([[2, 4]])).toEqual([[0.125]]);
  });

  test('inputs: none, two, a shape that is not [batch, features] (its dimensions listed at most 8), [batch, ?] and no shape (the weight says)', async () => {
    const withInput = (...inputs: GraphNode[]) => graphModel([...inputs, constant('W'), constant('b'), op('mm', 'MatMul', ['x', 'W']), op('bias', 'BiasAdd', ['mm', 'b'])], [W, B]);
    await refused(load(withInput()), FormatError, /^graph model: 0 Placeholder nodes; wasmnet reads networks with one input$/);
    await refused(load(withInput(placeholder([-1, 2]), placeholder([-1, 2], 'x2'))), FormatError, /^graph model: 2 Placeholder nodes/);
    await refused(load(withInput(placeholder([-1, 1, 2]))), FormatError, /^graph model: input "x" has shape \[-1, 1, 2\]; wasmnet reads \[batch, features\] inputs$/);
    await refused(load(withInput(placeholder([-1, 0]))), FormatError, /^graph model: input "x" has shape \[-1, 0\]/);
    await refused(load(withInput(placeholder(repeat(100_000, () => 1)))), FormatError, /^graph model: input "x" has shape \[1, 1, 1, 1, 1, 1, 1, 1, … \(100000 dimensions\)\]; wasmnet reads \[batch, features\] inputs$/);
    // [n] cannot feed MatMul (TensorFlow's MatMul is 2-D): refused like any other shape
    await refused(load(withInput(placeholder([2]))), FormatError, /^graph model: input "x" has shape \[2\]; wasmnet reads \[batch, features\] inputs$/);
    for (const input of [placeholder([-1, -1]), placeholder(undefined), placeholder([-1, 2])]) {
      const net = await loads(load(withInput(input)));
      expect(net.inputSize).toBe(2);
    }
  });

  test('weights that do not fit: empty, 3-D, a bias of the wrong size, NaN, missing from the manifest, computed', async () => {
    const withWeights = (w: typeof W, b: typeof B) => graphModel([placeholder([-1, -1]), constant('W'), constant('b'), op('mm', 'MatMul', ['x', 'W']), op('bias', 'BiasAdd', ['mm', 'b'])], [w, b]);
    // (once a ConfigError from dense(): "units must be a positive integer, got 0")
    await refused(load(withWeights({ name: 'W', shape: [0, 1], values: [] }, B)), FormatError, /^graph model: MatMul node "mm": its weight has an empty shape \[0, 1\]$/);
    await refused(load(withWeights({ name: 'W', shape: [2, 0], values: [] }, { name: 'b', shape: [0], values: [] })), FormatError, /^graph model: MatMul node "mm": its weight has an empty shape \[2, 0\]$/);
    // a node that names the data twice reads it once: refused for what it reads, not as a branch
    const twice = graphModel([placeholder([-1, 2]), op('mm', 'MatMul', ['x', 'x'])], []);
    await refused(load(twice), FormatError, /^graph model: MatMul node "mm" takes "x" \(a Placeholder node\) where wasmnet reads a constant$/);
    await refused(load(withWeights({ name: 'W', shape: [2, 1, 1], values: [1, 2] }, B)), FormatError, /^graph model: MatMul node "mm": its weight has shape \[2, 1, 1\], expected a matrix$/);
    await refused(load(withWeights(W, { name: 'b', shape: [2], values: [1, 2] })), FormatError, /^graph model: BiasAdd node "bias": bias of shape \[2\], expected \[1\]$/);
    await refused(load(withWeights({ name: 'W', shape: [2, 1], values: [NaN, 1] }, B)), FormatError, /^weight "W"\[0\] is NaN; weights must be finite$/);
    await refused(load(withWeights({ name: 'V', shape: [2, 1], values: [1, 1] }, B)), FormatError, /^graph model: constant "W" has no entry in the weights manifest$/);
    // (once: takes "" where wasmnet reads a constant)
    await refused(load(graphModel([placeholder([-1, 2]), op('mm', 'MatMul', ['x'])], [])), FormatError, /^graph model: MatMul node "mm" has no constant input \(its weight or bias\); wasmnet reads x·W \+ b with W and b Const nodes$/);
    const computed = graphModel([placeholder([-1, 2]), op('v', 'VarHandleOp', []), op('mm', 'MatMul', ['x', 'v'])], []);
    await refused(load(computed), FormatError, /^graph model: MatMul node "mm" takes "v" \(a VarHandleOp node\) where wasmnet reads a constant$/);
  });

  test('16 MB of float32 weights in a Const no node uses: never decoded; the model loads', async () => {
    const m = dense();
    m.modelJSON.weightsManifest[0]!.weights.push({ name: 'unused', shape: [4 * MB - 256], dtype: 'float32' });
    const data = new Uint8Array(m.weightData.length + 4 * (4 * MB - 256));
    data.set(m.weightData);
    await loads(() => fromTfjs(m.modelJSON as never, data));
  });

  test('scaling: 4× the Identity nodes in the chain, or 4× the unused nodes, costs at most 6× the operations', () => {
    const chain = (n: number) => {
      const text = JSON.stringify(dense(...repeat(n, (i) => op(`i${i}`, 'Identity', [i === 0 ? 'bias' : `i${i - 1}`]))).modelJSON);
      return () => fromTfjs(text, f32([0.5, -0.25, 0.125]));
    };
    expect(ratio(chain, 5000)).toBeLessThanOrEqual(6);
    const unused = (n: number) => {
      const m = dense(...repeat(n, (i) => op(`u${i}`, 'NoOp', [`u${i + 1}`])));
      return load(m);
    };
    expect(ratio(unused, 5000)).toBeLessThanOrEqual(6);
  });
});

// ---- ONNX -------------------------------------------------------------------------------------

function onnx(extend: (g: GraphParts) => void): Uint8Array {
  const g = baseGraph();
  extend(g);
  return model(g);
}
const i64 = (values: number[]): Uint8Array => {
  const b = new Uint8Array(values.length * 8);
  values.forEach((v, i) => new DataView(b.buffer).setBigInt64(i * 8, BigInt(v), true));
  return b;
};
const intAttr = (name: string, i: number): Uint8Array => cat([strField(1, name), intField(3, i), intField(20, 2)]);
/** The base model (x → Gemm(W [2, 1], b) → y) with the input declared `dims` and `first` nodes
 *  (and `initializers`) between it and the Gemm, which reads `into`. */
const before = (dims: readonly (number | null)[], first: Uint8Array[], initializers: Uint8Array[] = [], into = 'f') =>
  onnx((g) => {
    g.inputs[0] = value('x', dims);
    g.nodes = [...first, node('Gemm', [into, 'W', 'b'], ['y'], [], 'dense')];
    add(g.initializers, initializers);
  });
const reshapeTo = (dims: readonly (number | null)[], shape: Uint8Array) => before(dims, [node('Reshape', ['x', 's'], ['f'], [], 'view')], [shape]);
/** PyTorch's x.view(x.size(0), -1): Shape → Gather(0) → Unsqueeze → Concat(…, [-1]) → Reshape. */
const viewChain = (change: (parts: { nodes: Uint8Array[]; initializers: Uint8Array[] }) => void = () => {}, dims: readonly (number | null)[] = [null, 1, 2]) => {
  const parts = {
    nodes: [
      node('Shape', ['x'], ['shape'], [], 'shape'),
      node('Gather', ['shape', 'zero'], ['batch'], [intAttr('axis', 0)], 'gather'),
      node('Unsqueeze', ['batch', 'axes'], ['batch1'], [], 'unsqueeze'),
      node('Concat', ['batch1', 'minus1'], ['target'], [intAttr('axis', 0)], 'concat'),
      node('Reshape', ['x', 'target'], ['f'], [], 'view'),
    ],
    initializers: [tensor('zero', [], i64([0]), INT64), tensor('axes', [1], i64([0]), INT64), tensor('minus1', [1], i64([-1]), INT64)],
  };
  change(parts);
  return before(dims, parts.nodes, parts.initializers);
};
const predictsBase = (net: Network) => expect(net.predict([[2, 4]])).toEqual([[0.5 * 2 - 0.25 * 4 + 0.125]]);

describe('ONNX inputs that are not [batch, features], and the flattening chains', () => {
  test('the valid neighbours: Flatten, Reshape to [-1, 2], [0, 2], [0, -1] and [-1, -1], the view chain, [?, ?] and [2] inputs', async () => {
    predictsBase(await loads(() => fromONNX(before([null, 1, 2], [node('Flatten', ['x'], ['f'], [], 'flatten')]))));
    for (const shape of [[-1, 2], [0, 2], [0, -1], [-1, -1]]) predictsBase(await loads(() => fromONNX(reshapeTo([null, 1, 2], tensor('s', [2], i64(shape), INT64)))));
    predictsBase(await loads(() => fromONNX(viewChain())));
    // the view chain on an input that is already [batch, features] (once refused as a branch)
    predictsBase(await loads(() => fromONNX(viewChain(() => {}, [null, 2]))));
    predictsBase(await loads(() => fromONNX(viewChain(() => {}, [null, null]))));
    predictsBase(await loads(() => fromONNX(before([null, null], [], [], 'x'))));
    predictsBase(await loads(() => fromONNX(before([2], [], [], 'x'))));
  });

  test('a scalar input, [?], [?, 0]: refused, naming the input and its shape', async () => {
    await refused(() => fromONNX(before([], [], [], 'x')), FormatError, /^input "x" has shape \[\]: a scalar; wasmnet reads inputs of \[batch, features\]/);
    await refused(() => fromONNX(before([null], [], [], 'x')), FormatError, /^input "x" has shape \[\?\]: a 1-D input needs a known size$/);
    await refused(() => fromONNX(before([null, 0], [], [], 'x')), FormatError, /^input "x" has shape \[\?, 0\]: no features$/);
  });

  test('a [?, ?] input whose first weight does not fit the next: the weight names the width', async () => {
    const bytes = onnx((g) => {
      g.inputs[0] = value('x', [null, null]);
      g.nodes.push(node('MatMul', ['y', 'W2'], ['z'], [], 'second'));
      g.initializers.push(tensor('W2', [3, 1], f32([1, 2, 3])));
      g.outputs = [value('z', [null, 1])];
    });
    await refused(() => fromONNX(bytes), FormatError, /^MatMul \(node "second"\): weight "W2" of shape \[3, 1\] expects 3 inputs, but the data has 1 columns$/);
  });

  test('reshapes that do not flatten: the Reshape is named with the shape it reshapes to', async () => {
    await refused(() => fromONNX(reshapeTo([null, 1, 2], tensor('s', [2], i64([-1, 3]), INT64))), FormatError, /^Reshape \(node "view"\) reshapes \[\?, 1, 2\] to \[-1, 3\]; its features are 2$/);
    for (const [dims, shape] of [[[2], [2, -1]], [[3], [-1, 1, 2]], [[1], [-1]]] as const) {
      await refused(() => fromONNX(reshapeTo([null, 1, 2], tensor('s', dims, i64([...shape]), INT64))), FormatError, /^input "x" has shape \[\?, 1, 2\]; Reshape \(node "view"\) does not flatten it to \[batch, features\] \(wasmnet reads Flatten\(axis=1\), a Reshape to \[-1 or 0, n or -1\], or x\.view\(x\.size\(0\), -1\)\)$/);
    }
    await refused(() => fromONNX(reshapeTo([null, 1, 2], tensor('s', [2], i64([-1]), INT64))), FormatError, /^Reshape \(node "view"\): tensor "s" of shape \[2\] needs 2 values but holds 1$/);
    await refused(() => fromONNX(reshapeTo([null, 1, 2], tensor('s', [2 ** 40, 2 ** 40], i64([-1, 2]), INT64))), FormatError, /Reshape \(node "view"\) does not flatten it/);
    await refused(() => fromONNX(before([null, 1, 2], [node('Reshape', ['x'], ['f'], [], 'view')])), FormatError, /Reshape \(node "view"\) does not flatten it/);
    await refused(() => fromONNX(before([null, 1, 2], [node('Flatten', ['x'], ['f'], [intAttr('axis', 2)], 'flat')])), FormatError, /Flatten \(node "flat"\) does not flatten it/);
    await refused(() => fromONNX(before([null, 1, 2], [], [], 'x')), FormatError, /^input "x" has shape \[\?, 1, 2\], and no Flatten or reshape to \[batch, features\] follows it; wasmnet reads inputs of \[batch, features\]$/);
  });

  test('view chains that are not x.view(x.size(0), -1): refused, naming the Reshape', async () => {
    const notFlat = /^input "x" has shape \[\?, 1, 2\]; Reshape \(node "view"\) does not flatten it to \[batch, features\]/;
    const variants: [string, (p: { nodes: Uint8Array[]; initializers: Uint8Array[] }) => void][] = [
      ['gathers dimension 1', (p) => (p.initializers[0] = tensor('zero', [], i64([1]), INT64))],
      ['concatenates -2', (p) => (p.initializers[2] = tensor('minus1', [1], i64([-2]), INT64))],
      ['concatenates [-1, -1]', (p) => (p.initializers[2] = tensor('minus1', [2], i64([-1, -1]), INT64))],
      ['concatenates three', (p) => (p.nodes[3] = node('Concat', ['batch1', 'minus1', 'minus1'], ['target'], [], 'concat'))],
      ['has no Unsqueeze', (p) => p.nodes.splice(2, 2, node('Concat', ['batch', 'minus1'], ['target'], [], 'concat'))],
      ['takes the shape of W', (p) => (p.nodes[0] = node('Shape', ['W'], ['shape'], [], 'shape'))],
      ['gathers with a computed index', (p) => (p.nodes[1] = node('Gather', ['shape', 'shape'], ['batch'], [], 'gather'))],
    ];
    for (const [what, change] of variants) {
      report(what);
      await refused(() => fromONNX(viewChain(change)), FormatError, notFlat);
    }
    await refused(() => fromONNX(viewChain((p) => (p.nodes[1] = node('Gather', ['target', 'zero'], ['batch'], [], 'gather')))), FormatError, /is on a cycle/);
    await refused(() => fromONNX(viewChain(() => {}, [null, null, 2])), FormatError, /^input "x" has shape \[\?, \?, 2\]: flattening it needs every dimension but the batch to be known$/);
  });

  test('a node with no output (found by the fuzz below: once a TypeError when the chain ended at no tensor)', async () => {
    const bytes = onnx((g) => g.nodes.push(cat([strField(1, 'y'), strField(3, 'mute'), strField(4, 'Identity')])));
    await refused(() => fromONNX(bytes), FormatError, /^Identity \(node "mute"\) has no output; every ONNX operator writes its first output$/);
    await refused(() => fromONNX(onnx((g) => g.nodes.push(node('Relu', ['y'], [''], [], 'blank')))), FormatError, /^Relu \(node "blank"\) has no output/);
  });

  test('a flattening of [?, 10^9, 10^9]: the weight says 2 inputs, the message says 10^18', async () => {
    await refused(() => fromONNX(before([null, 1e9, 1e9], [node('Flatten', ['x'], ['f'], [], 'flatten')])), FormatError, /^Gemm \(node "dense"\): weight "W" of shape \[2, 1\] expects 2 inputs, but the data has 1000000000000000000 columns$/);
  });
});

/** TensorProto fields 13 (external_data: key/value entries) and 14 (data_location = EXTERNAL). */
const externalEntries = (entries: readonly (readonly [string, string])[]): Uint8Array[] => [
  ...entries.map(([k, v]) => bytesField(13, cat([strField(1, k), strField(2, v)]))),
  intField(14, 1),
];
/** The base model with W [2, 1] (and optionally b [1]) kept in external files. */
const externalModel = (w: readonly (readonly [string, string])[], b?: readonly (readonly [string, string])[], inline?: Uint8Array) =>
  onnx((g) => {
    g.initializers[0] = tensor('W', [2, 1], inline, FLOAT, externalEntries(w));
    if (b) g.initializers[1] = tensor('b', [1], undefined, FLOAT, externalEntries(b));
  });
/** weights.bin: W's 8 bytes, then b's 4. */
const weightsFile = f32([0.5, -0.25, 0.125]);

describe('ONNX external data: hostile entries and files', () => {
  type Entry = readonly [string, string];
  const at = (location: string, offset?: string, length?: string): Entry[] => [
    ['location', location],
    ...(offset === undefined ? [] : [['offset', offset] as const]),
    ...(length === undefined ? [] : [['length', length] as const]),
  ];

  test('the valid neighbours: offsets and lengths, a length left out (to the end), tensors sharing bytes, keys wasmnet does not check', async () => {
    const files = { externalData: { 'weights.bin': weightsFile } };
    predictsBase(await loads(() => fromONNX(externalModel(at('weights.bin', '0', '8'), at('weights.bin', '8', '4')), files)));
    predictsBase(await loads(() => fromONNX(externalModel(at('weights.bin', '0', '8'), at('weights.bin', '8')), files)));
    // W and b read overlapping bytes (b is W's second value): each reads what its entry names
    const shared = await loads(() => fromONNX(externalModel(at('weights.bin', '0', '8'), at('weights.bin', '4', '4')), files));
    expect(shared.getWeights()[0]!.bias).toEqual(Float64Array.of(-0.25));
    // ONNX's checksum key is not verified (nor is any key but location, offset and length)
    predictsBase(await loads(() => fromONNX(externalModel([...at('weights.bin', '0', '8'), ['checksum', 'not a sha1']]), files)));
  });

  test('a missing file is named, as the model spells it, with how to pass it; a path is a name, never opened', async () => {
    await refused(() => fromONNX(externalModel(at('weights.bin'))), FormatError, /^tensor "W" keeps its data in the external file "weights\.bin"; pass that file's bytes: fromONNX\(bytes, \{ externalData: \{ "weights\.bin": bytes \} \}\)$/);
    for (const location of ['../../etc/passwd', '/etc/passwd', 'C:\\Windows\\win.ini', '__proto__', 'constructor', 'a\n"b']) {
      await refused(() => fromONNX(externalModel(at(location)), { externalData: { 'weights.bin': weightsFile } }), FormatError, new RegExp(`^tensor "W" keeps its data in the external file ${escape(JSON.stringify(location))}; pass that file's bytes`));
    }
    const long = 'd/'.repeat(2000);
    await refused(() => fromONNX(externalModel(at(long))), FormatError, new RegExp(`^tensor "W" keeps its data in the external file "${'d/'.repeat(40)}…"; pass that file's bytes: fromONNX\\(bytes, \\{ externalData: \\{ "${'d/'.repeat(40)}": bytes`));
    await refused(() => fromONNX(externalModel([['offset', '0']])), FormatError, /^tensor "W" is marked as external but names no location$/);
  });

  test('offsets and lengths: negative, fractional, hexadecimal, 20 digits, past the end, not a whole number of values', async () => {
    const files = { externalData: { 'weights.bin': weightsFile } };
    for (const [key, text] of [['offset', '-8'], ['length', '8.0'], ['offset', '0x8'], ['length', ' 8'], ['offset', '99999999999999999999'], ['length', '']] as const) {
      const entries = key === 'offset' ? at('weights.bin', text, '8') : at('weights.bin', '0', text);
      await refused(() => fromONNX(externalModel(entries), files), FormatError, new RegExp(`^tensor "W": external_data ${key} is ${escape(JSON.stringify(text))}, not a byte count$`));
    }
    // (once "bytes 999999999999999 to 12" when the length was left out)
    for (const length of ['8', undefined]) {
      await refused(() => fromONNX(externalModel(at('weights.bin', '999999999999999', length)), files), FormatError, /^tensor "W": external_data offset 999999999999999 is past the end of "weights\.bin", which has 12 bytes$/);
    }
    await refused(() => fromONNX(externalModel(at('weights.bin', '0', '999999999999999')), files), FormatError, /^tensor "W": bytes 0 to 999999999999999 of "weights\.bin", which has 12$/);
    await refused(() => fromONNX(externalModel(at('weights.bin', '8', '8')), files), FormatError, /^tensor "W": bytes 8 to 16 of "weights\.bin", which has 12$/);
    await refused(() => fromONNX(externalModel(at('weights.bin', '0', '7')), files), FormatError, /^Gemm \(node "dense"\): tensor "W" of shape \[2, 1\] has 7 bytes of data, not a whole number of 4-byte values$/);
    await refused(() => fromONNX(externalModel(at('weights.bin', '0', '12')), files), FormatError, /^Gemm \(node "dense"\): tensor "W" of shape \[2, 1\] needs 2 values but holds 3$/);
  });

  test('data both inline and in an external file: refused, naming the tensor (which would win is not said by ONNX)', async () => {
    await refused(() => fromONNX(externalModel(at('weights.bin', '0', '8'), undefined, f32([1, 1])), { externalData: { 'weights.bin': weightsFile } }), FormatError, /^tensor "W" has data of its own and external_data naming "weights\.bin"; ONNX keeps a tensor's data in one place$/);
    const typed = onnx((g) => (g.initializers[0] = tensor('W', [2, 1], undefined, FLOAT, [bytesField(4, f32([1, 1])), ...externalEntries(at('weights.bin', '0', '8'))])));
    await refused(() => fromONNX(typed, { externalData: { 'weights.bin': weightsFile } }), FormatError, /^tensor "W" has data of its own and external_data naming "weights\.bin"/);
  });

  test('scaling: 4× the external initializers (unused, in one file) cost at most 6× the operations', () => {
    const file = new Uint8Array(64);
    const many = (n: number) => {
      const bytes = onnx((g) => add(g.initializers, repeat(n, (i) => tensor(`e${i}`, [2], undefined, FLOAT, externalEntries([['location', 'shared.bin'], ['offset', String(i % 8)], ['length', '8']])))));
      return () => fromONNX(bytes, { externalData: { 'shared.bin': file } });
    };
    expect(ratio(many, 5000)).toBeLessThanOrEqual(6);
  });

  test('17 external_data entries: the limit; a 16 MB file for a [2, 1] weight: refused by size before decoding', async () => {
    const many = repeat(17, (i) => [`k${i}`, 'v'] as const);
    await refused(() => fromONNX(externalModel([['location', 'weights.bin'], ...many])), FormatError, /more than 16 external_data entries \(the limit\)/);
    const big = new Uint8Array(16 * MB);
    await refused(() => fromONNX(externalModel(at('big.bin')), { externalData: { 'big.bin': big } }), FormatError, /^Gemm \(node "dense"\): tensor "W" of shape \[2, 1\] needs 2 values but holds 4194304$/);
    // an unused initializer in a 16 MB external file: a view of the caller's bytes, never copied or decoded
    const unused = onnx((g) => g.initializers.push(tensor('unused', [4 * MB], undefined, FLOAT, externalEntries(at('big.bin')))));
    await loads(() => fromONNX(unused, { externalData: { 'big.bin': big } }));
  });

  test('a Constant node whose value is external: read from the file like an initializer', async () => {
    const bytes = onnx((g) => {
      const k = tensor('k', [1], undefined, FLOAT, externalEntries(at('weights.bin', '8', '4')));
      g.nodes.unshift(cat([strField(2, 'k'), strField(3, 'const'), strField(4, 'Constant'), bytesField(5, cat([strField(1, 'value'), bytesField(5, k), intField(20, 4)]))]));
      g.nodes.push(node('Add', ['y', 'k'], ['z'], [], 'add'));
      g.outputs = [value('z', [null, 1])];
    });
    await refused(() => fromONNX(bytes), FormatError, /^tensor "k" keeps its data in the external file "weights\.bin"; pass that file's bytes/);
    const net = await loads(() => fromONNX(bytes, { externalData: { 'weights.bin': weightsFile } }));
    expect(net.predict([[2, 4]])).toEqual([[0.5 * 2 - 0.25 * 4 + 0.125 + 0.125]]);
  });
});

/** A string as a RegExp that matches it exactly. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('ONNX Clip: relu6 and relu, and every other clip refused by its bounds', () => {
  /** y (the base model's output) → Clip(y, ...inputs) → z, with scalar constants `bounds`. */
  const clip = (inputs: string[], bounds: Record<string, number> = {}, attributes: Uint8Array[] = [], opset = 17) => {
    const g = baseGraph();
    g.nodes.push(node('Clip', ['y', ...inputs], ['z'], attributes, 'clip'));
    for (const [name, v] of Object.entries(bounds)) g.initializers.push(tensor(name, [], f32([v])));
    g.outputs = [value('z', [null, 1])];
    return model(g, { opset });
  };
  const activation = (net: Network) => (net.layers[0] as { activation: string }).activation;

  test('the valid neighbours: Clip(0, 6) as inputs and as attributes (opset 9) is relu6; Clip(0), Clip(0, ∞) relu; no bounds linear', async () => {
    const six = await loads(() => fromONNX(clip(['lo', 'hi'], { lo: 0, hi: 6 })));
    expect(activation(six)).toBe('relu6');
    expect(six.predict([[40, 0], [-40, 0], [8, 0]])).toEqual([[6], [0], [4.125]]);
    expect(activation(await loads(() => fromONNX(clip([], {}, [floatAttr('min', 0), floatAttr('max', 6)], 9))))).toBe('relu6');
    expect(activation(await loads(() => fromONNX(clip(['lo'], { lo: 0 }))))).toBe('relu');
    expect(activation(await loads(() => fromONNX(clip(['lo', 'hi'], { lo: 0, hi: Infinity }))))).toBe('relu');
    expect(activation(await loads(() => fromONNX(clip(['', '']))))).toBe('linear');
    expect(activation(await loads(() => fromONNX(clip([]))))).toBe('linear');
  });

  test('bounds that only differ from relu6 or relu beyond 9 (once loaded as relu or linear): refused, naming the bounds', async () => {
    for (const [lo, hi] of [[0, 9], [0, 20], [0, 1e30], [-1e30, 1e30], [-20, 20]] as [number, number][]) {
      await refused(() => fromONNX(clip(['lo', 'hi'], { lo, hi })), FormatError, new RegExp(`^Clip \\(node "clip"\\) clips to \\[${escape(String(Math.fround(lo)))}, ${escape(String(Math.fround(hi)))}\\]; wasmnet reads Clip\\(0, 6\\) as relu6 and Clip\\(0\\) with no max as relu$`));
    }
    await refused(() => fromONNX(clip([], {}, [floatAttr('min', 0), floatAttr('max', 20)], 9)), FormatError, /^Clip \(node "clip"\) clips to \[0, 20\]; wasmnet reads/);
    await refused(() => fromONNX(clip(['', 'hi'], { hi: 10 })), FormatError, /^Clip \(node "clip"\) clips to \[-Infinity, 10\]; wasmnet reads/);
    // the same threshold written as Min: not linear
    const min = onnx((g) => {
      g.nodes.push(node('Min', ['y', 'ten'], ['z'], [], 'min'));
      g.initializers.push(tensor('ten', [], f32([10])));
      g.outputs = [value('z', [null, 1])];
    });
    await refused(() => fromONNX(min), FormatError, /^the operators Min from Min \(node "min"\) compute an elementwise function that is none of wasmnet's activations$/);
  });

  test('x − Relu(x − 20) (min(x, 20) written out) is not linear; a threshold of −6 is seen', async () => {
    const written = onnx((g) => {
      g.nodes.push(node('Sub', ['y', 'twenty'], ['shifted'], [], 'shift'), node('Relu', ['shifted'], ['over'], [], 'over'), node('Sub', ['y', 'over'], ['z'], [], 'cap'));
      g.initializers.push(tensor('twenty', [], f32([20])));
      g.outputs = [value('z', [null, 1])];
    });
    await refused(() => fromONNX(written), FormatError, /^the operators Sub, Relu, Sub from Sub \(node "shift"\) compute an elementwise function that is none of wasmnet's activations$/);
    const floor = onnx((g) => {
      g.nodes.push(node('Max', ['y', 'm6'], ['z'], [], 'floor'));
      g.initializers.push(tensor('m6', [], f32([-6])));
      g.outputs = [value('z', [null, 1])];
    });
    await refused(() => fromONNX(floor), FormatError, /^the operators Max from Max \(node "floor"\) compute an elementwise function/);
  });

  test('scaling: 4× the layers, each with a 16-node written-out activation over 8 constants, cost at most 6× the operations', () => {
    const layers = (n: number) => {
      const g: GraphParts = { nodes: [], initializers: [tensor('W1', [1, 1], f32([1])), tensor('b1', [1], f32([0]))], inputs: [value('x', [null, 1])], outputs: [] };
      let cur = 'x';
      for (let l = 0; l < n; l++) {
        g.nodes.push(node('Gemm', [cur, 'W1', 'b1'], [`h${l}`]));
        cur = `h${l}`;
        for (let k = 0; k < 8; k++) {
          g.nodes.push(node('Mul', [cur, `c${k}`], [`m${l}_${k}`]), node('Div', [`m${l}_${k}`, `c${k}`], [`d${l}_${k}`]));
          cur = `d${l}_${k}`;
        }
      }
      add(g.initializers, repeat(8, (k) => tensor(`c${k}`, [], f32([k + 0.5]))));
      g.outputs = [value(cur, [null, 1])];
      const bytes = model(g);
      return () => fromONNX(bytes);
    };
    expect(ratio(layers, 200)).toBeLessThanOrEqual(6);
  });

  test('other bounds: min above max, NaN, [1, 6]; bounds that are not scalar constants', async () => {
    await refused(() => fromONNX(clip(['lo', 'hi'], { lo: 6, hi: 0 })), FormatError, /^Clip \(node "clip"\) clips to \[6, 0\]/);
    await refused(() => fromONNX(clip(['lo', 'hi'], { lo: NaN, hi: 6 })), FormatError, /^Clip \(node "clip"\) clips to \[NaN, 6\]/);
    await refused(() => fromONNX(clip(['lo', 'hi'], { lo: 1, hi: 6 })), FormatError, /^Clip \(node "clip"\) clips to \[1, 6\]/);
    const vector = onnx((g) => {
      g.nodes.push(node('Clip', ['y', 'lo', 'hi'], ['z'], [], 'clip'));
      g.initializers.push(tensor('lo', [2], f32([0, 0])), tensor('hi', [], f32([6])));
      g.outputs = [value('z', [null, 1])];
    });
    await refused(() => fromONNX(vector), FormatError, /^Clip \(node "clip"\) is not supported here: its input "lo" is not a scalar constant/);
    const computed = onnx((g) => {
      g.nodes.push(node('Add', ['c1', 'c2'], ['lo'], [], 'sum'), node('Clip', ['y', 'lo', 'hi'], ['z'], [], 'clip'));
      g.initializers.push(tensor('c1', [], f32([0])), tensor('c2', [], f32([0])), tensor('hi', [], f32([6])));
      g.outputs = [value('z', [null, 1])];
    });
    await refused(() => fromONNX(computed), FormatError, /^Clip \(node "clip"\) is not supported here: its input "lo" is not a scalar constant/);
    const dangling = clip(['nowhere', 'hi'], { hi: 6 });
    await refused(() => fromONNX(dangling), FormatError, /^Clip \(node "clip"\) is not supported here: its input "nowhere" is not a scalar constant/);
    const extra = clip(['lo', 'hi', 'hi'], { lo: 0, hi: 6 });
    await refused(() => fromONNX(extra), FormatError, /^Clip \(node "clip"\) is not supported here/);
  });
});

// ---- Keras ------------------------------------------------------------------------------------

describe('Keras: memory follows the file', () => {
  const keras = new Uint8Array(readFileSync(new URL('./fixtures/keras/k3-sequential.keras', import.meta.url)));
  const entries = async () => {
    const out = new Map<string, Uint8Array>();
    for (const [name, entry] of readZipDirectory(keras)) out.set(name, await readZipEntry(keras, entry));
    return out;
  };
  /** k3-sequential's layers (4 → 8 → 6 → 3) as Keras 3 writes them: layers/<name>/vars/0, 1. */
  const weights = () => {
    const layer = (inputs: number, units: number): H5Node => ({
      group: new Map([['vars', { group: new Map<string, H5Node>([['0', { shape: [inputs, units], values: repeat(inputs * units, (i) => (i % 7) / 10) }], ['1', { shape: [units], values: repeat(units, () => 0.5) }]]) }]]),
    });
    return writeHDF5(new Map<string, H5Node>([['layers', { group: new Map([['dense', layer(4, 8)], ['dense_1', layer(8, 6)], ['dense_2', layer(6, 3)]]) }], ['vars', { group: new Map() }]]));
  };
  /** The dataset whose contiguous storage is `bytes` long (unique here): marked never written
   *  (address undefined), its dataspace set to `shape` when given. */
  const unwritten = (h5: Uint8Array, bytes: number, shape?: [number, number]) => {
    const out = h5.slice();
    const view = new DataView(out.buffer);
    for (let at = 0; at + 22 <= out.length; at++) {
      // layout message: type 8, 18 bytes, version 3, contiguous, address, size
      if (out[at] !== 0x08 || out[at + 1] !== 18 || out[at + 2] !== 0 || out[at + 4] !== 3 || out[at + 5] !== 1 || Number(view.getBigUint64(at + 14, true)) !== bytes) continue;
      view.setBigUint64(at + 6, 0xffffffffffffffffn, true);
      if (shape) {
        // the dataset's object header ("OHDR", version 2, 4-byte size: 10 bytes) starts with the dataspace message
        let header = at;
        while (header > 0 && !(out[header] === 0x4f && out[header + 1] === 0x48 && out[header + 2] === 0x44 && out[header + 3] === 0x52)) header--;
        const space = header + 10;
        expect([out[space], out[space + 4], out[space + 5]]).toEqual([0x01, 2, 2]); // dataspace, version 2, rank 2
        view.setBigUint64(space + 8, BigInt(shape[0]), true);
        view.setBigUint64(space + 16, BigInt(shape[1]), true);
      }
      return out;
    }
    throw new Error(`no dataset of ${bytes} bytes`);
  };
  const withWeights = async (h5: Uint8Array) => {
    const e = await entries();
    return writeZip([{ name: 'metadata.json', data: e.get('metadata.json')! }, { name: 'config.json', data: e.get('config.json')! }, { name: 'model.weights.h5', data: h5 }]);
  };

  test('the valid neighbours: the weights as written, and a bias never written (zeros, a few bytes)', async () => {
    const written = await withWeights(weights());
    const net = await loads(() => fromKeras(written));
    expect(net.getWeights()[0]!.bias).toEqual(new Float64Array(8).fill(0.5));
    const noBias = await withWeights(unwritten(weights(), 8 * 4));
    const zeroBias = await loads(() => fromKeras(noBias));
    expect(zeroBias.getWeights()[0]!.bias).toEqual(new Float64Array(8));
  });

  test('a kernel never written that declares 2^28 values (once 3 GB allocated from 2 KB): refused before allocating', async () => {
    // (a kernel of the layer's 8 units, so that its shape passes the check before reading)
    const h5 = unwritten(weights(), 4 * 8 * 4, [2 ** 25, 8]);
    expect(2 ** 25 * 8).toBe(HDF5_LIMITS.datasetValues);
    const zip = await withWeights(h5);
    await refused(() => fromKeras(zip), FormatError, /^weight layers\/dense\/vars\/0 was never written \(it has no storage\) yet declares 1073741824 bytes, more than the file's \d+; Keras writes every weight$/);
  });

  test('16 MB of int8 as a Dense kernel: refused by its type before decoding (once 128 MB of float64); 16 MB of float32 of the wrong shape: refused', async () => {
    /** k3-sequential's weights with the first kernel [rows, cols] (4 bytes a value as written). */
    const big = (rows: number, cols: number) => {
      const layer = (inputs: number, units: number, values = repeat(inputs * units, () => 0)): H5Node => ({
        group: new Map([['vars', { group: new Map<string, H5Node>([['0', { shape: [inputs, units], values }], ['1', { shape: [units], values: repeat(units, () => 0) }]]) }]]),
      });
      return writeHDF5(new Map<string, H5Node>([['layers', { group: new Map([['dense', layer(rows, cols)], ['dense_1', layer(8, 6)], ['dense_2', layer(6, 3)]]) }], ['vars', { group: new Map() }]]));
    };
    const float32 = big(1024, 4096);
    expect(float32.length).toBeGreaterThan(16 * MB);
    const float32Zip = await withWeights(float32);
    // refused from its shape (not its layer's 8 units) before a value is decoded
    await refused(() => fromKeras(float32Zip), FormatError, /^Dense "dense": kernel has shape \[1024, 4096\], expected \[inputs, 8\] for its 8 units$/);
    // the same bytes as int8 [1024, 16384]: its dataspace and datatype rewritten in place
    const int8 = float32.slice();
    const view = new DataView(int8.buffer);
    let patched = 0;
    for (let at = 0; at + 44 < int8.length && patched === 0; at++) {
      // dataspace message (version 2, rank 2) of [1024, 4096], then the datatype message (float32, 20 bytes)
      if (int8[at] !== 0x01 || int8[at + 4] !== 2 || int8[at + 5] !== 2 || view.getBigUint64(at + 8, true) !== 1024n || view.getBigUint64(at + 16, true) !== 4096n) continue;
      const type = at + 24;
      expect([int8[type], int8[type + 4]]).toEqual([0x03, 0x11]);
      view.setBigUint64(at + 16, 16384n, true);
      int8[type + 4] = 0x10; // version 1, class 0: fixed-point
      int8[type + 5] = 0x08; // signed, little-endian
      view.setUint32(type + 8, 1, true); // 1 byte
      view.setUint16(type + 12, 0, true); // bit offset
      view.setUint16(type + 14, 8, true); // precision
      patched++;
    }
    expect(patched).toBe(1);
    const int8Zip = await withWeights(int8);
    await refused(() => fromKeras(int8Zip), FormatError, /^weight layers\/dense\/vars\/0 is an integer dataset; Dense weights are floats$/);
  });

  test('a zip entry that declares 512 MiB and holds 520 KB (once 512 MiB allocated before inflating): costs what it inflates to; config.json has its own limit', async () => {
    const { deflateRawSync } = await import('node:zlib');
    const e = await entries();
    let seed = 7;
    const noise = Uint8Array.from({ length: 520_300 }, () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 24));
    /** A .keras whose entry `name` (the first) is `data` deflated, declaring `size` bytes and the CRC-32 of `data`. */
    const lie = (name: 'config.json' | 'model.weights.h5', data: Uint8Array, size: number) => {
      const other = name === 'config.json' ? 'model.weights.h5' : 'config.json';
      const zip = writeZip([{ name, data: deflateRawSync(data) }, { name: other, data: e.get(other)! }]);
      const view = new DataView(zip.buffer);
      const central = view.getUint32(zip.length - 22 + 16, true); // the first central directory entry: `name`'s
      for (const [method, crc, uncompressed] of [[8, 14, 22], [central + 10, central + 16, central + 24]] as const) {
        view.setUint16(method, 8, true); // deflate
        view.setUint32(crc, crc32(data), true);
        view.setUint32(uncompressed, size, true);
      }
      return zip;
    };
    const bytes = lie('model.weights.h5', noise, ZIP_LIMITS.entryBytes);
    expect(bytes.length).toBeLessThan(MB);
    await refused(() => fromKeras(bytes), FormatError, /^zip entry "model\.weights\.h5" inflates to 520300 bytes but declares 536870912$/);
    // the neighbours: each entry deflated and declared honestly
    for (const name of ['config.json', 'model.weights.h5'] as const) {
      const data = e.get(name)!;
      const honest = lie(name, data, data.length);
      expect(readZipDirectory(honest).get(name)!.crc).toBe(crc32(data));
      await loads(() => fromKeras(honest));
    }
    // a real bomb: 64 MiB of zeros (64 KB deflated) as config.json, declared honestly (once 1 s
    // of CPU and 180 MB before "not valid JSON"): the config's own limit, before inflating
    const bomb = lie('config.json', new Uint8Array(64 * MB), 64 * MB);
    expect(bomb.length).toBeLessThan(MB);
    await refused(() => fromKeras(bomb), FormatError, /^zip entry "config\.json" declares 67108864 bytes, over the limit of 16777216 \(KERAS_LIMITS\.configBytes\)$/);
    expect(KERAS_LIMITS.configBytes).toBe(16 * MB);
  });
});

// ---- fuzz -------------------------------------------------------------------------------------

describe('fuzz: mutations of the new inputs end in a network or a FormatError', () => {
  /** Counts outcomes, and checks at the end that both happened (a property whose every case was
   *  refused at the first byte would pass having tested nothing else). */
  const outcomes = () => {
    const seen = { network: 0, refused: 0 };
    return {
      run: (f: () => unknown) => seen[networkOrFormatError(f)]++,
      check: () => {
        report(`${seen.network} networks, ${seen.refused} refusals`);
        expect(seen.network).toBeGreaterThan(0);
        expect(seen.refused).toBeGreaterThan(0);
      },
    };
  };

  test('graph models: any one JSON value replaced by another kind, any op renamed, any input rewired', () => {
    const models = [
      dense(op('act', 'Relu6', ['bias']), op('out', 'Identity', ['act'])),
      graphModel([placeholder([-1, -1]), constant('W'), constant('b'), op('f', '_FusedMatMul', ['x', 'W', 'b'], { transpose_b: { b: false }, ...fusedOps(['BiasAdd', 'LeakyRelu']), leakyrelu_alpha: { f: 0.3 } }), op('s', 'Softmax', ['f'])], [W, B]),
    ];
    const o = outcomes();
    for (const m of models) {
      const text = JSON.stringify(m.modelJSON);
      const paths: (string | number)[][] = [];
      const walk = (v: unknown, path: (string | number)[]) => {
        paths.push(path);
        if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...path, Array.isArray(v) ? Number(k) : k]);
      };
      walk(m.modelJSON, []);
      const kinds = [null, 0, -1, 1.5, 'x', '', [], {}, [null], true, 1e9, 'toString', '__proto__', 'x:1', '^x', 'MatMul', 'Placeholder', 'Const'];
      fc.assert(fc.property(fc.array(fc.tuple(fc.nat(paths.length - 1), fc.constantFrom(...kinds)), { minLength: 1, maxLength: 3 }), (edits) => {
        const copy = JSON.parse(text);
        for (const [i, v] of edits) {
          const path = paths[i]!;
          if (path.length === 0) continue;
          let at = copy;
          for (const k of path.slice(0, -1)) at = at?.[k];
          if (at && typeof at === 'object') at[path[path.length - 1]!] = v;
        }
        o.run(() => fromTfjs(copy, m.weightData));
      }), params(300));
      const nodes = m.modelJSON.modelTopology.node.length;
      fc.assert(fc.property(fc.nat(nodes - 1), fc.constantFrom('Identity', 'Relu', 'Relu6', 'MatMul', 'BiasAdd', 'AddV2', '_FusedMatMul', 'Const', 'Placeholder', 'NoOp', 'Square', 'constructor'), fc.nat(nodes - 1), fc.boolean(), (i, type, j, rewire) => {
        const copy = JSON.parse(text);
        copy.modelTopology.node[i].op = type;
        if (rewire) copy.modelTopology.node[i].input = [copy.modelTopology.node[j].name, ...(copy.modelTopology.node[i].input ?? []).slice(1)];
        o.run(() => fromTfjs(copy, m.weightData));
      }), params(200));
    }
    o.check();
  });

  test('ONNX: byte edits of the flattening chains, Clip(0, 6) and the external-data model (and its file)', () => {
    const o = outcomes();
    const files = { externalData: { 'weights.bin': weightsFile } };
    const cases: [string, Uint8Array, ((b: Uint8Array) => unknown)][] = [
      ['view chain', viewChain(), (b) => fromONNX(b)],
      ['reshape', reshapeTo([null, 1, 2], tensor('s', [2], i64([-1, 2]), INT64)), (b) => fromONNX(b)],
      ['flatten', before([null, 1, 2], [node('Flatten', ['x'], ['f'], [], 'flatten')]), (b) => fromONNX(b)],
      ['clip', onnx((g) => {
        g.nodes.push(node('Clip', ['y', 'lo', 'hi'], ['z'], [], 'clip'));
        g.initializers.push(tensor('lo', [], f32([0])), tensor('hi', [], f32([6])));
        g.outputs = [value('z', [null, 1])];
      }), (b) => fromONNX(b)],
      ['external', externalModel([['location', 'weights.bin'], ['offset', '0'], ['length', '8']], [['location', 'weights.bin'], ['offset', '8'], ['length', '4']]), (b) => fromONNX(b, files)],
    ];
    for (const [, bytes, load] of cases) {
      o.run(() => load(bytes)); // each loads as built
      fc.assert(fc.property(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
        const copy = bytes.slice();
        for (const [at, v] of edits) copy[at] = v;
        o.run(() => load(copy));
      }), params(250));
    }
    // the external file: any length, any bytes (a NaN is a FormatError naming the tensor)
    const model = cases[4]![1];
    fc.assert(fc.property(fc.uint8Array({ maxLength: 24 }), (file) => {
      o.run(() => fromONNX(model, { externalData: { 'weights.bin': file } }));
    }), params(200));
    o.check();
  });

  test("ONNX: byte edits of PyTorch's own exports of the view chains, unknown widths, one sample, ReLU6 and external data", () => {
    const o = outcomes();
    const dir = new URL('./fixtures/onnx/', import.meta.url);
    const read = (name: string) => new Uint8Array(readFileSync(new URL(name, dir)));
    const data = read('external/mlp-external.onnx.data');
    const files = { externalData: { 'mlp-external.onnx.data': data } };
    const fixtures: [Uint8Array, (b: Uint8Array) => unknown][] = [
      ...['view-minus1-op13-f32', 'view-size-op11-f32', 'view-size-op13-f64', 'width-unknown-op13-f32', 'one-sample-op13-f64', 'relu6-op9-f32', 'relu6-op13-f32', 'relu6-op17-f64'].map(
        (name) => [read(`${name}.onnx`), (b: Uint8Array) => fromONNX(b)] as [Uint8Array, (b: Uint8Array) => unknown],
      ),
      [read('external/mlp-external.onnx'), (b) => fromONNX(b, files)],
    ];
    for (const [bytes, load] of fixtures) {
      o.run(() => load(bytes));
      fc.assert(fc.property(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
        const copy = bytes.slice();
        for (const [at, v] of edits) copy[at] = v;
        o.run(() => load(copy));
      }), params(120));
    }
    // the external file cut anywhere, or with bytes changed
    const model = fixtures[fixtures.length - 1]![0];
    fc.assert(fc.property(fc.nat(data.length), fc.array(fc.tuple(fc.nat(data.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (cut, edits) => {
      const copy = data.slice(0, cut);
      for (const [at, v] of edits) if (at < copy.length) copy[at] = v;
      o.run(() => fromONNX(model, { externalData: { 'mlp-external.onnx.data': copy } }));
    }), params(150));
    o.check();
  });

  test('ONNX: the view chain with its constants and input shape drawn at random', () => {
    const o = outcomes();
    // (each drawn mostly as the valid chain has it, so that networks and refusals both occur)
    const dim = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 4 }), fc.constant(2 ** 40));
    const dims = fc.oneof({ weight: 2, arbitrary: fc.constantFrom([null, 1, 2], [null, 2], [null, 2, 1]) }, { weight: 3, arbitrary: fc.array(dim, { maxLength: 5 }) });
    const small = fc.integer({ min: -3, max: 3 });
    const index = fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: small });
    const list = (valid: number[]) => fc.oneof({ weight: 2, arbitrary: fc.constant(valid) }, { weight: 1, arbitrary: fc.array(small, { maxLength: 3 }) });
    fc.assert(fc.property(dims, index, list([-1]), list([-1, 2]), (dims, index, tail, reshape) => {
      o.run(() => fromONNX(viewChain((p) => {
        p.initializers[0] = tensor('zero', [], i64([index]), INT64);
        p.initializers[2] = tensor('minus1', [tail.length], i64(tail), INT64);
      }, dims)));
      o.run(() => fromONNX(reshapeTo(dims, tensor('s', [reshape.length], i64(reshape), INT64))));
    }), params(300));
    o.check();
  });
});

describe('tfjs layers models: a 2-D input of unknown width', () => {
  test('[null, null] is named for its unknown width, not its rank; [null, 2] loads', async () => {
    const model = (shape: unknown) => ({
      modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: { name: 'd', units: 1, batch_input_shape: shape } }] } },
      weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'd/kernel', shape: [2, 1], dtype: 'float32' }, { name: 'd/bias', shape: [1], dtype: 'float32' }] }],
    });
    for (const shape of [[null, null], [null, -1]]) {
      await refused(() => fromTfjs(model(shape) as never, f32([0.5, -0.25, 0.125])), FormatError, new RegExp(`^Dense layer "d" has input shape ${escape(JSON.stringify(shape))}: its number of features is not given; wasmnet needs it`));
    }
    await refused(() => fromTfjs(model([null, 1, 2]) as never, f32([0.5, -0.25, 0.125])), FormatError, /^Dense layer "d" has input shape \[null,1,2\]; wasmnet networks take 2-D input \[batch, features\] \(or \[batch, d1, d2, …\] straight into a Flatten layer\)$/);
    predictsBase(await loads(() => fromTfjs(model([null, 2]) as never, f32([0.5, -0.25, 0.125]))));
  });
});

describe('values from the file in messages: cut at 80 characters', () => {
  const layers = (extra: Record<string, unknown>) => ({
    modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: { name: 'd', units: 2, batch_input_shape: [null, 2] } }, extra] } },
    weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'd/kernel', shape: [2, 2], dtype: 'float32' }, { name: 'd/bias', shape: [2], dtype: 'float32' }] }],
  });
  const zeros = repeat(200_000, () => 0);
  const cut = `\\[${'0,'.repeat(39)}0…`; // [ and 79 characters

  test('a ReLU max_value, a BatchNormalization axis or epsilon, a Normalization mean of 200,000 items (once echoed whole, 400 KB)', async () => {
    const weights = f32([1, 0, 0, 1, 0, 0]);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ class_name: 'ReLU', config: { name: 'r', max_value: zeros } }, new RegExp(`^ReLU layer "r" with max_value ${cut}, negative_slope or threshold is not supported \\(max_value 6 is relu6\\)$`)],
      [{ class_name: 'BatchNormalization', config: { name: 'bn', axis: zeros } }, new RegExp(`^BatchNormalization layer "bn" has axis ${cut}; wasmnet normalizes`)],
      [{ class_name: 'BatchNormalization', config: { name: 'bn', epsilon: 'e'.repeat(200_000) } }, /^BatchNormalization layer "bn" has epsilon "e{79}…(; wasmnet needs ε > 0)?$/],
      [{ class_name: 'Normalization', config: { name: 'n', mean: zeros.map(String), variance: 1 } }, /^Normalization layer "n" has mean \["0",.{75}… and variance 1; expected numbers or lists of numbers$/],
    ];
    for (const [layer, message] of cases) {
      const text = JSON.stringify(layers(layer));
      await refused(() => fromTfjs(text, weights), FormatError, message);
    }
  });

  test('a Keras config whose class_name is 200,000 items and which has no layers', async () => {
    const keras = new Uint8Array(readFileSync(new URL('./fixtures/keras/k3-sequential.keras', import.meta.url)));
    const entries = new Map<string, Uint8Array>();
    for (const [name, entry] of readZipDirectory(keras)) entries.set(name, await readZipEntry(keras, entry));
    const config = new TextEncoder().encode(JSON.stringify({ class_name: zeros, config: {} }));
    const zip = writeZip([{ name: 'config.json', data: config }, { name: 'model.weights.h5', data: entries.get('model.weights.h5')! }]);
    await refused(() => fromKeras(zip), FormatError, new RegExp(`^config\\.json: ${cut} model has no config\\.layers array$`));
  });
});

describe('Keras: the zip directory and the config JSON', () => {
  const keras = new Uint8Array(readFileSync(new URL('./fixtures/keras/k3-sequential.keras', import.meta.url)));
  const entries = async () => {
    const out = new Map<string, Uint8Array>();
    for (const [name, entry] of readZipDirectory(keras)) out.set(name, await readZipEntry(keras, entry));
    return out;
  };

  test('an end record that claims more entries than the directory holds, 1,001 entries, a directory outside the file', async () => {
    const eocd = keras.length - 22;
    const claim = (count: number, offset?: number) => {
      const copy = keras.slice();
      const view = new DataView(copy.buffer);
      view.setUint16(eocd + 8, count, true);
      view.setUint16(eocd + 10, count, true);
      if (offset !== undefined) view.setUint32(eocd + 16, offset, true);
      return copy;
    };
    await refused(() => fromKeras(claim(1000)), FormatError, /^zip central directory entry 3 is truncated or malformed$/);
    await refused(() => fromKeras(claim(1001)), FormatError, /^the zip has 1001 entries, over the limit of 1000 \(ZIP_LIMITS\.entries\)$/);
    await refused(() => fromKeras(claim(3, keras.length)), FormatError, /^the zip central directory lies outside the file$/);
  });

  test('16 MB of [{},{},…] in config.json (5 million objects for JSON.parse): the JSON size limit, before parsing', async () => {
    const e = await entries();
    const config = new TextDecoder().decode(e.get('config.json')!);
    const junk = new TextEncoder().encode(`${config.slice(0, -1)},"junk":[${'{},'.repeat(5_500_000)}{}]}`);
    expect(junk.length).toBeLessThanOrEqual(KERAS_LIMITS.configBytes);
    const zip = writeZip([{ name: 'config.json', data: junk }, { name: 'model.weights.h5', data: e.get('model.weights.h5')! }]);
    await refused(() => fromKeras(zip), FormatError, /^config\.json has more than 1000000 items \(the JSON size limit\)$/);
  });
});

describe('tfjs: a model.json object (not text) that contains itself', () => {
  test('in a Functional model\'s inbound_nodes (once a stack overflow), and where a message quotes it (once a TypeError from JSON.stringify)', async () => {
    const functional = () => {
      const inbound: unknown[] = [];
      inbound.push(inbound);
      return {
        modelTopology: { class_name: 'Functional', config: { layers: [{ class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_input_shape: [null, 2] }, inbound_nodes: inbound }, { class_name: 'Dense', name: 'd', config: { name: 'd', units: 1 }, inbound_nodes: [[['in', 0, 0, {}]]] }], output_layers: [['d', 0, 0]] } },
        weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'd/kernel', shape: [2, 1], dtype: 'float32' }, { name: 'd/bias', shape: [1], dtype: 'float32' }] }],
      };
    };
    predictsBase(await loads(() => fromTfjs(functional() as never, f32([0.5, -0.25, 0.125]))));
    const selfish = functional();
    const dense = selfish.modelTopology.config.layers[1]!;
    dense.inbound_nodes = [dense as never];
    await refused(() => fromTfjs(selfish as never, f32([0.5, -0.25, 0.125])), FormatError, /^Dense layer "d" takes input from no layer; wasmnet loads Functional models that are a single chain of layers$/);
    const units: Record<string, unknown> = {};
    units.self = units;
    const bad = functional();
    bad.modelTopology.config.layers[1]!.config.units = units as never;
    await refused(() => fromTfjs(bad as never, f32([0.5, -0.25, 0.125])), FormatError, /^Dense layer "d" has units \(a value JSON cannot show\)$/);
  });
});
