// fromTfjs's and toTfjs's documented contracts (docs/interop.md, the TSDoc of src/tfjs/index.ts):
// every refusal with its whole message, the limits at and past their edge, the layer classes
// and activations read, and the model.json toTfjs writes. Small models built in code.
import { describe, expect, test } from 'vitest';
import { batchNorm, ConfigError, dense, dropout, FormatError, layerNorm, Network, normalization } from 'wasmnet';
import { fromTfjs, LIMITS, toTfjs, type TfjsModelJSON, type TfjsWeightSpec } from 'wasmnet/tfjs';
import { version } from '../package.json';

type Layer = { class_name: string; config: Record<string, unknown>; name?: string; inbound_nodes?: unknown };
type Stored = { name: string; shape: number[]; values: number[]; dtype?: string; quantization?: TfjsWeightSpec['quantization'] };

/** float32 little-endian bytes of the values (or the raw uint8/uint16 ones when quantized). */
function bytes(weights: Stored[]): Uint8Array {
  const parts: number[] = [];
  for (const w of weights) {
    const q = w.quantization?.dtype;
    const size = q === 'uint8' ? 1 : q === 'uint16' ? 2 : 4;
    const b = new Uint8Array(w.values.length * size);
    const view = new DataView(b.buffer);
    w.values.forEach((v, i) => {
      if (size === 1) view.setUint8(i, v);
      else if (size === 2) view.setUint16(i * 2, v, true);
      else if (w.dtype === 'int32') view.setInt32(i * 4, v, true);
      else view.setFloat32(i * 4, v, true);
    });
    parts.push(...b);
  }
  return Uint8Array.from(parts);
}

function model(layers: Layer[], weights: Stored[], topology: Record<string, unknown> = {}): { modelJSON: TfjsModelJSON; weightData: Uint8Array } {
  return {
    modelJSON: {
      format: 'layers-model',
      modelTopology: { class_name: 'Sequential', config: { name: 'sequential', layers }, ...topology },
      weightsManifest: [{ paths: ['weights.bin'], weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: w.dtype ?? 'float32', ...(w.quantization ? { quantization: w.quantization } : {}) })) }],
    },
    weightData: bytes(weights),
  };
}

const input = (features: unknown, name = 'in'): Layer => ({ class_name: 'InputLayer', config: { batch_input_shape: features, name } });
const denseLayer = (name: string, units: number, extra: Record<string, unknown> = {}): Layer => ({ class_name: 'Dense', config: { name, units, activation: 'linear', ...extra } });
const denseWeights = (name: string, inputs: number, units: number, start = 0.5): Stored[] => [
  { name: `${name}/kernel`, shape: [inputs, units], values: Array.from({ length: inputs * units }, (_, i) => start + i / 8) },
  { name: `${name}/bias`, shape: [units], values: Array.from({ length: units }, (_, i) => -i / 4) },
];
/** A Sequential model: InputLayer [null, inputs], then the layers, then Dense "out" (2 units). */
function seq(inputs: number, middle: Layer[], extraWeights: Stored[] = []): { modelJSON: TfjsModelJSON; weightData: Uint8Array } {
  return model([input([null, inputs]), ...middle, denseLayer('out', 2)], [...extraWeights, ...denseWeights('out', inputs, 2)]);
}
const load = (m: { modelJSON: TfjsModelJSON | string; weightData: Uint8Array }) => fromTfjs(m.modelJSON, m.weightData);
const refused = (m: { modelJSON: TfjsModelJSON | string; weightData: Uint8Array }, message: string) => expect(() => load(m)).toThrow(new FormatError(message));

const INPUT_2D = 'wasmnet networks take 2-D input [batch, features] (or [batch, d1, d2, …] straight into a Flatten layer)';
const NOT_FOLLOWING = 'must follow a Dense (or BatchNormalization, LayerNormalization) layer with a linear activation (wasmnet layers are dense → activation)';

describe('fromTfjs: model.json itself', () => {
  test('text nested past the JSON depth limit, text that is not JSON, JSON that is not an object', () => {
    const deep = `${'['.repeat(65)}${']'.repeat(65)}`;
    expect(() => fromTfjs(deep, new Uint8Array())).toThrow(new FormatError('model.json is nested deeper than 64 levels (the JSON depth limit)'));
    let parseError = '';
    try {
      JSON.parse('{"modelTopology": ');
    } catch (error) {
      parseError = (error as Error).message;
    }
    expect(() => fromTfjs('{"modelTopology": ', new Uint8Array())).toThrow(new FormatError(`model.json is not valid JSON: ${parseError}`));
    for (const json of ['[]', '7', 'null']) {
      expect(() => fromTfjs(json, new Uint8Array())).toThrow(new FormatError('model.json must be an object with modelTopology and weightsManifest'));
    }
  });

  test('a graph model is one with format "graph-model" or with modelTopology.node', () => {
    expect(() => fromTfjs({ format: 'graph-model', modelTopology: {}, weightsManifest: [] } as unknown as TfjsModelJSON, new Uint8Array()))
      .toThrow(new FormatError('graph model: modelTopology.node must be an array of nodes'));
    expect(() => fromTfjs({ modelTopology: { node: [7] }, weightsManifest: [] } as unknown as TfjsModelJSON, new Uint8Array()))
      .toThrow(new FormatError('graph model: node 0 must have a name and an op'));
  });

  test('options errors name fromTfjs, for graph models too', () => {
    const graphModel = {
      format: 'graph-model',
      modelTopology: { node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '2' }] } } } },
        { name: 'w', op: 'Const', attr: { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '2' }, { size: '1' }] } } }, dtype: { type: 'DT_FLOAT' } } },
        { name: 'y', op: 'MatMul', input: ['x', 'w'], attr: { T: { type: 'DT_FLOAT' } } },
      ] },
      weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'w', shape: [2, 1], dtype: 'float32' }] }],
    } as unknown as TfjsModelJSON;
    const data = new Uint8Array(new Float32Array([0.5, -1]).buffer);
    expect(fromTfjs(graphModel, data).inputSize).toBe(2);
    const unknown = new ConfigError('fromTfjs options: unknown option "lr" (expected loss, optimizer, seed, backend)');
    expect(() => fromTfjs(graphModel, data, { lr: 1 } as never)).toThrow(unknown);
    const m = seq(2, []);
    expect(() => fromTfjs(m.modelJSON, m.weightData, { lr: 1 } as never)).toThrow(unknown);
  });

  test('no modelTopology object, no layers, an unsupported model class, a layer that is not { class_name, config }', () => {
    expect(() => fromTfjs({ modelTopology: 5, weightsManifest: [] } as unknown as TfjsModelJSON, new Uint8Array())).toThrow(new FormatError('model.json has no modelTopology object'));
    refused(model([], []), '"Sequential" model: config.layers must be a non-empty array');
    refused(model([input([null, 2])], [], { class_name: 'Graph' }), '"Graph" models are not supported: wasmnet loads Sequential and linear Functional models');
    refused(model([input([null, 2]), { class_name: 'Dense' } as Layer], []), 'layer 1 must be { class_name, config }');
  });

  test('names of at most LIMITS.nameLength characters', () => {
    expect(LIMITS.nameLength).toBe(4096);
    const long = 'n'.repeat(4097);
    const shown = `"${'n'.repeat(79)}…`;
    refused(seq(2, [{ class_name: 'Dropout', config: { name: long, rate: 0.5 } }]), `layer 1's name ${shown} is 4097 characters long, over the limit of 4096`);
    refused(seq(2, [{ class_name: long, config: { name: 'x' } }]), `layer 1's class_name ${shown} is 4097 characters long, over the limit of 4096`);
    refused(seq(2, [], [{ name: long, shape: [1], values: [0] }]), `weightsManifest weight 0's name ${shown} is 4097 characters long, over the limit of 4096`);
    // at the limit: loads
    const net = load(seq(2, [{ class_name: 'Dropout', config: { name: 'n'.repeat(4096), rate: 0.5 } }]));
    expect(net.layers.map((l) => l.type)).toEqual(['dropout', 'dense']);
  });
});

describe('fromTfjs: input shapes', () => {
  test('features unknown, or not 2-D', () => {
    refused(model([input([null, null]), denseLayer('out', 2)], denseWeights('out', 2, 2)),
      'InputLayer layer "in" has input shape [null,null]: its number of features is not given; wasmnet needs it ([batch, features] with features a whole number ≥ 1)');
    refused(model([input([null, -1]), denseLayer('out', 2)], denseWeights('out', 2, 2)),
      'InputLayer layer "in" has input shape [null,-1]: its number of features is not given; wasmnet needs it ([batch, features] with features a whole number ≥ 1)');
    for (const [shape, shown] of [[[null, 0], '[null,0]'], [[null, null, 3], '[null,null,3]'], [[null, 2, 3], '[null,2,3]'], [[5], '[5]'], ['x', '"x"'], [{ length: 2, 1: null }, '{"1":null,"length":2}']] as const) {
      refused(model([input(shape), denseLayer('out', 2)], denseWeights('out', 2, 2)), `InputLayer layer "in" has input shape ${shown}; ${INPUT_2D}`);
    }
  });

  test('[batch, 1] is one feature; Keras 2\'s input_shape leaves the batch out', () => {
    expect(load(model([input([null, 1]), denseLayer('out', 2)], denseWeights('out', 1, 2))).inputSize).toBe(1);
    const net = load(model([denseLayer('out', 2, { input_shape: [3] })], denseWeights('out', 3, 2)));
    expect(net.inputSize).toBe(3);
  });

  test('[batch, d1, d2, …] only straight into a Flatten, each d a whole number ≥ 1, at most 64 dimensions', () => {
    const flat = (shape: unknown, first: Layer = input(shape)) => model([first, { class_name: 'Flatten', config: { name: 'fl' } }, denseLayer('out', 2)], denseWeights('out', 6, 2));
    expect(load(flat([null, 2, 3])).inputSize).toBe(6); // InputLayer, then Flatten
    expect(load(flat(undefined, { class_name: 'Flatten', config: { name: 'f0', batch_input_shape: [null, 3, 2] } })).inputSize).toBe(6);
    expect(load(model([input([null, 1, 3, 1, 2]), { class_name: 'Flatten', config: { name: 'fl' } }, denseLayer('out', 2)], denseWeights('out', 6, 2))).inputSize).toBe(6);
    const ones = (n: number) => [null, ...Array.from({ length: n - 1 }, () => 1)];
    expect(load(model([input(ones(64)), { class_name: 'Flatten', config: { name: 'fl' } }, denseLayer('out', 2)], denseWeights('out', 1, 2))).inputSize).toBe(1);
    refused(model([input(ones(65)), { class_name: 'Flatten', config: { name: 'fl' } }, denseLayer('out', 2)], denseWeights('out', 1, 2)),
      `InputLayer layer "in" has input shape [${ones(65).join(',').replace(/^,/, 'null,').slice(0, 79)}…; ${INPUT_2D}`);
    for (const [shape, shown] of [[[null, 0, 6], '[null,0,6]'], [[null, 2.5, 2], '[null,2.5,2]'], [[null, 2, null], '[null,2,null]']] as const) {
      refused(flat(shape), `InputLayer layer "in" has input shape ${shown}; ${INPUT_2D}`);
    }
    refused(flat([5]), `InputLayer layer "in" has input shape [5]; ${INPUT_2D}`);
    // a Flatten on 2-D changes nothing, also after a Dense
    const after = load(model([input([null, 2]), denseLayer('d', 3), { class_name: 'Flatten', config: { name: 'fl' } }, denseLayer('out', 2)], [...denseWeights('d', 2, 3), ...denseWeights('out', 3, 2)]));
    expect(after.layers.map((l) => l.type === 'dense' && l.units)).toEqual([3, 2]);
    refused(flat(undefined, { class_name: 'Flatten', config: { name: 'f0', batch_input_shape: 'abcd' } }), `Flatten layer "f0" has input shape "abcd"; ${INPUT_2D}`);
    // not into a Flatten: a Dense given [batch, d1, d2], even with a Flatten after it
    refused(model([denseLayer('d', 2, { batch_input_shape: [null, 2, 3] }), { class_name: 'Flatten', config: { name: 'fl' } }, denseLayer('out', 2)], [...denseWeights('d', 6, 2), ...denseWeights('out', 2, 2)]),
      `Dense layer "d" has input shape [null,2,3]; ${INPUT_2D}`);
  });

  test('the first shape given is the input; a Flatten before any shape, a model with none', () => {
    // a later layer's shape does not override the first one's
    const net = load(model([input([null, 3]), denseLayer('out', 2, { batch_input_shape: [null, 5] })], denseWeights('out', 3, 2)));
    expect(net.inputSize).toBe(3);
    // the first shape may come after a layer without one
    const later = load(model([{ class_name: 'Dropout', config: { name: 'dr', rate: 0.5 } }, denseLayer('out', 2, { batch_input_shape: [null, 4] })], denseWeights('out', 4, 2)));
    expect(later.inputSize).toBe(4);
    refused(model([{ class_name: 'Flatten', config: { name: 'fl' } }, denseLayer('out', 2, { batch_input_shape: [null, 3] })], denseWeights('out', 3, 2)), 'Flatten layer "fl" comes before any input shape');
    refused(model([denseLayer('out', 2)], denseWeights('out', 3, 2)), 'the model has no input shape (batch_input_shape or batch_shape on its first layer)');
    refused(seq(2, [input([null, 2], 'in2')]), 'InputLayer "in2" must come first');
  });
});

describe('fromTfjs: layers', () => {
  test('Dense units, unnamed layers', () => {
    refused(seq(2, [denseLayer('d', 0)]), 'Dense layer "d" has units 0');
    refused(seq(2, [denseLayer('d', 2.5)]), 'Dense layer "d" has units 2.5');
    refused(model([input([null, 2]), { class_name: 'Dense', config: { units: -1 } }], []), 'Dense layer "#1" has units -1');
  });

  test('activations: null or absent is linear, Keras 3 objects, unknown names', () => {
    for (const activation of [null, undefined, { class_name: 'X', config: { name: 'linear' } }]) {
      const net = load(model([input([null, 2]), denseLayer('out', 2, { activation })], denseWeights('out', 2, 2)));
      expect(net.layers[0]).toMatchObject({ type: 'dense', activation: 'linear' });
    }
    const tanh = load(model([input([null, 2]), denseLayer('out', 2, { activation: { class_name: 'X', config: { name: 'tanh' } } })], denseWeights('out', 2, 2)));
    expect(tanh.layers[0]).toMatchObject({ activation: 'tanh' });
    const sigmoid = load(model([input([null, 2]), denseLayer('out', 2, { activation: { class_name: 'sigmoid', config: {} } })], denseWeights('out', 2, 2)));
    expect(sigmoid.layers[0]).toMatchObject({ activation: 'sigmoid' });
    refused(model([input([null, 2]), denseLayer('out', 2, { activation: 'constructor' })], denseWeights('out', 2, 2)), 'Dense layer "out" has activation "constructor", which wasmnet does not have');
  });

  test('Dropout rate in [0, 1); rate 0 is no layer', () => {
    for (const [rate, shown] of [[1, '1'], [-0.1, '-0.1'], ['0.5', '"0.5"']] as const) {
      refused(seq(2, [{ class_name: 'Dropout', config: { name: 'dr', rate } }]), `Dropout layer "dr" has rate ${shown}; expected a number in [0, 1)`);
    }
    expect(load(seq(2, [{ class_name: 'Dropout', config: { name: 'dr', rate: 0 } }])).layers.map((l) => l.type)).toEqual(['dense']);
  });

  test('activation layers must follow a linear Dense', () => {
    const act = (name: string): Layer => ({ class_name: 'Activation', config: { name, activation: 'relu' } });
    refused(model([input([null, 2]), act('a0'), denseLayer('out', 2)], denseWeights('out', 2, 2)), `Activation layer "a0" ${NOT_FOLLOWING}`);
    refused(model([input([null, 2]), denseLayer('out', 2, { activation: 'tanh' }), act('a1')], denseWeights('out', 2, 2)), `Activation layer "a1" ${NOT_FOLLOWING}`);
    refused(model([input([null, 2]), denseLayer('out', 2), { class_name: 'Dropout', config: { name: 'dr', rate: 0.5 } }, act('a2')], denseWeights('out', 2, 2)), `Activation layer "a2" ${NOT_FOLLOWING}`);
  });

  const after = (layer: Layer) => model([input([null, 2]), denseLayer('out', 2), layer], denseWeights('out', 2, 2));
  test('LeakyReLU and ELU: alpha a finite number', () => {
    refused(after({ class_name: 'LeakyReLU', config: { name: 'lr', alpha: 'x' } }), 'LeakyReLU layer "lr" has alpha "x"');
    refused(after({ class_name: 'ELU', config: { name: 'el', alpha: 'y' } }), 'ELU layer "el" has alpha "y"');
    refused(after({ class_name: 'ELU', config: { name: 'el', alpha: Number.POSITIVE_INFINITY } }), 'ELU layer "el" has alpha null');
    expect(load(after({ class_name: 'LeakyReLU', config: { name: 'lr', negative_slope: 0.1 } })).layers[0]).toMatchObject({ activation: 'leakyRelu', alpha: 0.1 });
    expect(load(after({ class_name: 'ELU', config: { name: 'el', alpha: 0.5 } })).layers[0]).toMatchObject({ activation: 'elu', alpha: 0.5 });
  });

  test('ReLU: plain or max_value 6 (relu6); a slope, a threshold or another cap refused', () => {
    const relu = (config: Record<string, unknown>) => after({ class_name: 'ReLU', config: { name: 'r', ...config } });
    expect(load(relu({})).layers[0]).toMatchObject({ activation: 'relu' });
    expect(load(relu({ max_value: null, negative_slope: 0, threshold: 0 })).layers[0]).toMatchObject({ activation: 'relu' });
    expect(load(relu({ max_value: 6 })).layers[0]).toMatchObject({ activation: 'relu6' });
    const message = (max: string) => `ReLU layer "r" with max_value ${max}, negative_slope or threshold is not supported (max_value 6 is relu6)`;
    refused(relu({ max_value: 5 }), message('5'));
    refused(relu({ negative_slope: 0.1 }), message('null'));
    refused(relu({ threshold: 0.5 }), message('null'));
    refused(relu({ max_value: 6, threshold: 0.5 }), message('6'));
    refused(model([input([null, 2]), { class_name: 'ReLU', config: { name: 'r' } }, denseLayer('out', 2)], denseWeights('out', 2, 2)), `ReLU layer "r" ${NOT_FOLLOWING}`);
  });

  test('Softmax over the last axis only', () => {
    const softmax = (config: Record<string, unknown>) => after({ class_name: 'Softmax', config: { name: 's', ...config } });
    for (const axis of [undefined, -1, 1, [-1], [1]]) expect(load(softmax({ axis })).layers[0]).toMatchObject({ activation: 'softmax' });
    for (const [axis, shown] of [[0, '0'], [2, '2'], [-2, '-2'], [[0], '[0]'], [[-1, 1], '[-1,1]'], [[2], '[2]']] as const) {
      refused(softmax({ axis }), `Softmax layer "s" has axis ${shown}; wasmnet's softmax is over the last axis`);
    }
    refused(model([input([null, 2]), { class_name: 'Softmax', config: { name: 's' } }, denseLayer('out', 2)], denseWeights('out', 2, 2)), `Softmax layer "s" ${NOT_FOLLOWING}`);
  });

  test('other classes refused by name; the model must end with a Dense', () => {
    refused(seq(2, [{ class_name: 'Conv2D', config: { name: 'c' } }]),
      'Conv2D layer "c" is not supported: wasmnet loads InputLayer, Dense, Dropout, Activation, Flatten, LeakyReLU, ELU, ReLU, Softmax, Normalization, BatchNormalization and LayerNormalization');
    const end = 'the model must end with a Dense layer (and its activation)';
    refused(model([input([null, 2]), { class_name: 'Flatten', config: { name: 'fl' } }], []), end);
    refused(model([input([null, 2]), denseLayer('out', 2), { class_name: 'Dropout', config: { name: 'dr', rate: 0.5 } }], denseWeights('out', 2, 2)), end);
  });
});

describe('fromTfjs: Functional models, a single chain', () => {
  const functional = (layers: Layer[], outputs: unknown, weights: Stored[]) =>
    model(layers, weights, { class_name: 'Functional', config: { name: 'f', layers, input_layers: [['in', 0, 0]], output_layers: outputs } });
  const k2 = (...from: string[]) => [from.map((f) => [f, 0, 0, {}])];
  const k3 = (from: string) => [{ args: [{ class_name: '__keras_tensor__', config: { shape: [null, 2], dtype: 'float32', keras_history: [from, 0, 0] } }], kwargs: {} }];
  const named = (l: Layer, inbound: unknown): Layer => ({ ...l, name: l.config.name as string, inbound_nodes: inbound });

  test('Keras 2 and Keras 3 inbound nodes', () => {
    const keras2 = functional([named(input([null, 2]), []), named(denseLayer('out', 2), k2('in'))], [['out', 0, 0]], denseWeights('out', 2, 2));
    expect(load(keras2).inputSize).toBe(2);
    const keras3 = functional([named(input([null, 2]), []), named(denseLayer('out', 2), k3('in'))], [{ keras_history: ['out', 0, 0] }], denseWeights('out', 2, 2));
    expect(load(keras3).inputSize).toBe(2);
  });

  const chain = 'wasmnet loads Functional models that are a single chain of layers';
  test('a layer fed by another than the previous one, by none, by several', () => {
    const first = input([null, 2]);
    refused(functional([named(first, k2('out')), named(denseLayer('out', 2), k2('in'))], [['out', 0, 0]], denseWeights('out', 2, 2)), `InputLayer layer "in" takes input from "out"; ${chain}`);
    refused(functional([named(first, []), named(denseLayer('out', 2), [])], [['out', 0, 0]], denseWeights('out', 2, 2)), `Dense layer "out" takes input from no layer; ${chain}`);
    refused(functional([named(first, []), named(denseLayer('out', 2), k2('in', 'x'))], [['out', 0, 0]], denseWeights('out', 2, 2)), `Dense layer "out" takes input from "in", "x"; ${chain}`);
    refused(functional([named(first, []), named(denseLayer('out', 2), k2('in', 'a', 'b', 'c', 'd'))], [['out', 0, 0]], denseWeights('out', 2, 2)), `Dense layer "out" takes input from "in", "a", "b", "c", "d"; ${chain}`);
    refused(functional([named(first, []), named(denseLayer('out', 2), k2('in', 'a', 'b', 'c', 'd', 'e'))], [['out', 0, 0]], denseWeights('out', 2, 2)), `Dense layer "out" takes input from "in", "a", "b", "c", "d", … (6 in all); ${chain}`);
    // an unnamed layer is "#i"; an inbound entry is [name, node index, …] (a number second)
    refused(functional([named(first, []), { class_name: 'Dense', config: { units: 2 }, inbound_nodes: [[['in', 'x', 0, {}]]] }], [['#1', 0, 0]], []), `Dense layer "#1" takes input from no layer; ${chain}`);
    refused(functional([named(first, []), named(denseLayer('out', 2), [[[7, 0, 0, {}]]])], [['out', 0, 0]], denseWeights('out', 2, 2)), `Dense layer "out" takes input from no layer; ${chain}`);
    refused(functional([named(first, []), named(denseLayer('out', 2), [{ args: [{ config: { keras_history: [7, 0, 0] } }] }])], [['out', 0, 0]], denseWeights('out', 2, 2)), `Dense layer "out" takes input from no layer; ${chain}`);
  });

  test('one output, the last layer', () => {
    const layers = [named(input([null, 2]), []), named(denseLayer('out', 2), k2('in'))];
    refused(functional(layers, [['out', 0, 0], ['in', 0, 0]], denseWeights('out', 2, 2)), 'the Functional model\'s outputs are ["out","in"]; wasmnet needs one output, the last layer');
    refused(functional(layers, [['in', 0, 0]], denseWeights('out', 2, 2)), 'the Functional model\'s outputs are ["in"]; wasmnet needs one output, the last layer');
  });
});

describe('fromTfjs: the weights', () => {
  test('a missing weight, a kernel or bias of the wrong shape', () => {
    refused(model([input([null, 2]), denseLayer('out', 2)], [{ name: 'other/kernel', shape: [2, 2], values: [1, 2, 3, 4] }]),
      'Dense "out": no weight named "out/kernel" (or "out/0") in the weights manifest');
    refused(model([input([null, 2]), denseLayer('out', 2)], [{ name: 'out/kernel', shape: [2, 2], values: [1, 2, 3, 4] }]),
      'Dense "out": no weight named "out/bias" (or "out/1") in the weights manifest');
    const kernel = (shape: number[]) => model([input([null, 2]), denseLayer('out', 2)], [{ name: 'out/kernel', shape, values: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 1) }, { name: 'out/bias', shape: [2], values: [0, 0] }]);
    refused(kernel([2, 2, 1]), 'Dense "out": kernel has shape [2, 2, 1], expected [2, 2]');
    refused(kernel([3, 2]), 'Dense "out": kernel has shape [3, 2], expected [2, 2]');
    refused(kernel([2, 3]), 'Dense "out": kernel has shape [2, 3], expected [2, 2]');
    refused(kernel([4]), 'Dense "out": kernel has shape [4], expected [2, 2]');
    refused(model([input([null, 2]), denseLayer('out', 2)], [{ name: 'out/kernel', shape: [2, 2], values: [1, 2, 3, 4] }, { name: 'out/bias', shape: [3], values: [0, 0, 0] }]),
      'Dense "out": bias has shape [3], expected [2]');
    refused(model([input([null, 2]), denseLayer('out', 2)], [{ name: 'out/kernel', shape: [2, 2], values: [1, 2, 3, 4] }, { name: 'out/bias', shape: [1, 3], values: [0, 0, 0] }]),
      'Dense "out": bias has shape [1, 3], expected [2]');
    // use_bias false: no bias read, zeros
    const net = load(model([input([null, 2]), denseLayer('out', 2, { use_bias: false })], [{ name: 'out/kernel', shape: [2, 2], values: [1, 2, 3, 4] }]));
    expect(Array.from(net.getWeights()[0]!.bias)).toEqual([0, 0]);
  });

  test('weights must be finite', () => {
    const w = denseWeights('out', 2, 2);
    refused(model([input([null, 2]), denseLayer('out', 2)], [{ ...w[0]!, values: [1, Number.NaN, 3, 4] }, w[1]!]), 'weight "out/kernel"[1] is NaN; weights must be finite');
    refused(model([input([null, 2]), denseLayer('out', 2)], [w[0]!, { ...w[1]!, values: [0, Number.POSITIVE_INFINITY] }]), 'weight "out/bias"[1] is Infinity; weights must be finite');
  });

  test('the normalization layers\' missing weights name the layer', () => {
    refused(seq(2, [{ class_name: 'BatchNormalization', config: { name: 'bn' } }]), 'BatchNormalization "bn": no weight named "bn/gamma" (or "bn/0") in the weights manifest');
    refused(seq(2, [{ class_name: 'Normalization', config: { name: 'no', axis: -1 } }]), 'Normalization "no": no weight named "no/mean" (or "no/0") in the weights manifest');
  });

  test('scoped names: a layer name with "/", names that share their last segment, ":0" suffixes', () => {
    const layers = [input([null, 2]), denseLayer('block/d', 2), denseLayer('d', 2), denseLayer('out', 2)];
    // (manifest order: "scope/block/d/kernel" is also "…/d/kernel", so layer "d"'s own come first)
    const weights = [...denseWeights('d', 2, 2, 2), ...denseWeights('scope/block/d', 2, 2, 1), ...denseWeights('out', 2, 2, 3)].map((w) => ({ ...w, name: `${w.name}:0` }));
    const net = load(model(layers, weights));
    expect(Array.from(net.getWeights()[0]!.weights)).toEqual(weights[2]!.values);
    expect(Array.from(net.getWeights()[1]!.weights)).toEqual(weights[0]!.values);
    expect(Array.from(net.getWeights()[2]!.weights)).toEqual(weights[4]!.values);
  });

  test('the manifest: an array of { paths, weights } with at most LIMITS.manifestEntries entries', () => {
    const m = seq(2, []);
    expect(() => fromTfjs({ ...m.modelJSON, weightsManifest: undefined } as unknown as TfjsModelJSON, m.weightData)).toThrow(new FormatError('model.json has no weightsManifest array'));
    expect(() => fromTfjs({ ...m.modelJSON, weightsManifest: [5] } as unknown as TfjsModelJSON, m.weightData)).toThrow(new FormatError('weightsManifest entries must be { paths, weights }'));
    expect(LIMITS.manifestEntries).toBe(100_000);
    const empty = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ name: `${tag}${i}`, shape: [0], dtype: 'float32' }));
    const real = m.modelJSON.weightsManifest[0]!;
    const at = { ...m.modelJSON, weightsManifest: [real, { paths: ['b.bin'], weights: empty(LIMITS.manifestEntries - real.weights.length, 'e') }] };
    expect(fromTfjs(at, m.weightData).inputSize).toBe(2);
    const over = { ...m.modelJSON, weightsManifest: [{ paths: ['a.bin'], weights: [...real.weights, ...empty(49_999, 'a')] }, { paths: ['b.bin'], weights: empty(50_000, 'b') }] };
    expect(() => fromTfjs(over, m.weightData)).toThrow(new FormatError('the weights manifest has more than 100000 entries (the limit)'));
  });

  test('each weight: { name, shape, dtype }, at most LIMITS.dims dimensions, float32 or uint8/uint16-quantized', () => {
    const extra = (spec: Record<string, unknown>, values: number[] = []) => {
      const m = seq(2, []);
      const weights = [...m.modelJSON.weightsManifest[0]!.weights, spec as unknown as TfjsWeightSpec];
      const data = new Uint8Array(m.weightData.length + values.length);
      data.set(m.weightData);
      data.set(values, m.weightData.length);
      return { modelJSON: { ...m.modelJSON, weightsManifest: [{ paths: ['weights.bin'], weights }] }, weightData: data };
    };
    for (const shape of [[-1], [1.5], 'x']) refused(extra({ name: 'w', shape, dtype: 'float32' }), 'weightsManifest weight 2 must be { name, shape, dtype }');
    refused(extra({ name: 7, shape: [1], dtype: 'float32' }), 'weightsManifest weight 2 must be { name, shape, dtype }');
    expect(LIMITS.dims).toBe(64);
    expect(load(extra({ name: 'w', shape: Array.from({ length: 64 }, () => 1), dtype: 'float32' }, [0, 0, 0, 0])).inputSize).toBe(2);
    refused(extra({ name: 'w', shape: Array.from({ length: 65 }, () => 1), dtype: 'float32' }, [0, 0, 0, 0]), 'weight "w" has 65 dimensions, over the limit of 64');
    expect(load(extra({ name: 'w', shape: [0], dtype: 'float32' })).inputSize).toBe(2);
    expect(load(extra({ name: 'count', shape: [], dtype: 'int32' }, [1, 0, 0, 0])).inputSize).toBe(2); // Normalization's count
    const storedAs = (stored: string) => `weight "w" is stored as "${stored}"; wasmnet reads float32 and uint8/uint16-quantized weights`;
    refused(extra({ name: 'w', shape: [1], dtype: 'float16' }, [0, 0]), storedAs('float16'));
    refused(extra({ name: 'w', shape: [1], dtype: 'float32', quantization: { dtype: 'float32', scale: 1, min: 0 } }, [0, 0, 0, 0]), storedAs('float32'));
    refused(extra({ name: 'w', shape: [1], dtype: 'float32', quantization: { dtype: 'int32', scale: 1, min: 0 } }, [0, 0, 0, 0]), storedAs('int32'));
    refused(extra({ name: 'w', shape: [1], dtype: 'float64' }, [0, 0, 0, 0]), storedAs('float64'));
    refused(extra({ name: 'w', shape: [1], dtype: 'float64', quantization: { dtype: 'uint8', scale: 1, min: 0 } }, [0]), 'weight "w" has dtype "float64"; dense weights are float32');
    refused(extra({ name: 'w', shape: [1], dtype: 'int32', quantization: { dtype: 'uint8', scale: 1, min: 0 } }, [0]), 'weight "w" has dtype "int32"; dense weights are float32');
    for (const q of [{ min: 0 }, { scale: 1 }, { scale: '1', min: 0 }, { scale: 1, min: '0' }, { scale: Number.POSITIVE_INFINITY, min: 0 }, { scale: 1, min: Number.NaN }]) {
      refused(extra({ name: 'w', shape: [1], dtype: 'float32', quantization: { dtype: 'uint8', ...q } }, [0]), 'weight "w": quantization needs finite scale and min');
    }
  });

  test('an int32 weight is read as integers', () => {
    const net = load(model([input([null, 2]), denseLayer('out', 2)], [{ name: 'out/kernel', shape: [2, 2], values: [1, -2, 3, 40], dtype: 'int32' }, denseWeights('out', 2, 2)[1]!]));
    expect(Array.from(net.getWeights()[0]!.weights)).toEqual([1, -2, 3, 40]);
  });

  test('quantized weights are dequantized: q·scale + min', () => {
    const layers = [input([null, 2]), denseLayer('out', 2)];
    const m = model(layers, [
      { name: 'out/kernel', shape: [2, 2], values: [0, 1, 2, 255], quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
      { name: 'out/bias', shape: [2], values: [0, 65535], quantization: { dtype: 'uint16', scale: 0.25, min: 2 } },
    ]);
    const net = load(m);
    expect(Array.from(net.getWeights()[0]!.weights)).toEqual([-1, -0.5, 0, 126.5]);
    expect(Array.from(net.getWeights()[0]!.bias)).toEqual([2, 2 + 65535 * 0.25]);
  });

  test('weight data: an ArrayBuffer, a Uint8Array, or a list of them (shards)', () => {
    const m = seq(2, []);
    expect(() => fromTfjs(m.modelJSON, new Float32Array(m.weightData.buffer) as unknown as Uint8Array)).toThrow(new FormatError('weight data must be an ArrayBuffer or Uint8Array'));
    expect(() => fromTfjs(m.modelJSON, [m.weightData.slice(0, 8), 'x' as unknown as Uint8Array])).toThrow(new FormatError('weight data shard 1 must be an ArrayBuffer or Uint8Array'));
    const net = fromTfjs(m.modelJSON, [m.weightData.slice(0, 8).buffer, m.weightData.slice(8)]);
    expect(Array.from(net.getWeights()[0]!.weights)).toEqual(denseWeights('out', 2, 2)[0]!.values);
  });
});

describe('toTfjs: the model.json it writes', () => {
  test('refuses what is not a Network', () => {
    expect(() => toTfjs(null as unknown as Network)).toThrow(new ConfigError('toTfjs expects a Network, got null'));
    expect(() => toTfjs({} as unknown as Network)).toThrow(new ConfigError('toTfjs expects a Network, got object'));
  });

  test('a Sequential model of InputLayer, Dense, LeakyReLU, Dropout; one manifest group, weights.bin', () => {
    const net = new Network({ inputSize: 3, layers: [dense(4, { activation: 'leakyRelu', alpha: 0.1 }), dropout(0.25), dense(2, { activation: 'sigmoid' })], seed: 1, loss: 'mse' });
    const { modelJSON, weightData } = toTfjs(net);
    expect(modelJSON).toEqual({
      format: 'layers-model',
      generatedBy: `wasmnet ${version}`,
      convertedBy: null,
      modelTopology: {
        class_name: 'Sequential',
        config: {
          name: 'sequential',
          layers: [
            { class_name: 'InputLayer', config: { batch_input_shape: [null, 3], dtype: 'float32', sparse: false, name: 'input' } },
            { class_name: 'Dense', config: { units: 4, activation: 'linear', use_bias: true, name: 'dense_0', trainable: true, dtype: 'float32' } },
            { class_name: 'LeakyReLU', config: { alpha: 0.1, name: 'leaky_re_lu_0', trainable: true } },
            { class_name: 'Dropout', config: { rate: 0.25, noise_shape: null, seed: null, name: 'dropout_1', trainable: true } },
            { class_name: 'Dense', config: { units: 2, activation: 'sigmoid', use_bias: true, name: 'dense_1', trainable: true, dtype: 'float32' } },
          ],
        },
        keras_version: `wasmnet ${version}`,
        backend: 'tensor_flow.js',
      },
      weightsManifest: [{
        paths: ['weights.bin'],
        weights: [
          { name: 'dense_0/kernel', shape: [3, 4], dtype: 'float32' }, { name: 'dense_0/bias', shape: [4], dtype: 'float32' },
          { name: 'dense_1/kernel', shape: [4, 2], dtype: 'float32' }, { name: 'dense_1/bias', shape: [2], dtype: 'float32' },
        ],
      }],
    });
    expect(weightData.length).toBe((12 + 4 + 8 + 2) * 4);
  });

  test('normalization layers: numbered in order, their activation a layer after them (a dense layer is named by its index among the weighted layers)', () => {
    const net = new Network({
      inputSize: 2,
      layers: [normalization({ mean: [0, 1], variance: [1, 2] }), dense(3), batchNorm({ activation: 'leakyRelu', alpha: 0.2 }), dense(3), layerNorm({ activation: 'tanh' }), dense(2)],
      seed: 2,
      loss: 'mse',
    });
    const layers = (toTfjs(net).modelJSON.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers;
    expect(layers.map((l) => [l.class_name, l.config.name])).toEqual([
      ['InputLayer', 'input'], ['BatchNormalization', 'normalization_0'], ['Dense', 'dense_0'],
      ['BatchNormalization', 'batch_normalization_1'], ['LeakyReLU', 'leaky_re_lu_batch_normalization_1'], ['Dense', 'dense_2'],
      ['LayerNormalization', 'layer_normalization_2'], ['Activation', 'activation_layer_normalization_2'], ['Dense', 'dense_4'],
    ]);
    expect(layers[4]!.config).toEqual({ alpha: 0.2, name: 'leaky_re_lu_batch_normalization_1', trainable: true });
    expect(layers[7]!.config).toEqual({ activation: 'tanh', name: 'activation_layer_normalization_2', trainable: true });
  });

  test('refused: gelu and elu with α ≠ 1, on a dense or a normalization layer', () => {
    const refuse = (layers: Network['layers'], message: string) => expect(() => toTfjs(new Network({ inputSize: 2, layers: layers as never, seed: 1, loss: 'mse' }))).toThrow(new ConfigError(message));
    refuse([dense(2), batchNorm({ activation: 'gelu' }), dense(1)], 'toTfjs: batchNorm layer 1 uses gelu, whose tfjs twin "gelu_new" tfjs cannot load');
    refuse([dense(2), layerNorm({ activation: 'elu', alpha: 0.5 }), dense(1)], 'toTfjs: layerNorm layer 1 uses elu with alpha 0.5; tfjs supports only alpha 1');
    refuse([dense(2), dense(1, { activation: 'gelu' })], 'toTfjs: dense layer 1 uses gelu, whose tfjs twin "gelu_new" tfjs cannot load');
    refuse([dense(2, { activation: 'elu', alpha: 2 }), dense(1)], 'toTfjs: dense layer 0 uses elu with alpha 2; tfjs supports only alpha 1');
    // a linear normalization has no Activation layer after it
    const linear = new Network({ inputSize: 2, layers: [dense(2), layerNorm(), dense(1)], seed: 1, loss: 'mse' });
    expect((toTfjs(linear).modelJSON.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers.map((l) => l.class_name)).toEqual(['InputLayer', 'Dense', 'LayerNormalization', 'Dense']);
    // elu with α 1 is written
    const net = new Network({ inputSize: 2, layers: [dense(2), layerNorm({ activation: 'elu' }), dense(1)], seed: 1, loss: 'mse' });
    const layers = (toTfjs(net).modelJSON.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers;
    expect(layers.map((l) => l.class_name)).toEqual(['InputLayer', 'Dense', 'LayerNormalization', 'Activation', 'Dense']);
  });
});
