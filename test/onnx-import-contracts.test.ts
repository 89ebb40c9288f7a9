// fromONNX's documented refusals and readings (docs/interop.md, the TSDoc of src/onnx/index.ts)
// that the fixtures and the hostile files leave open: each refusal with its whole message (the
// operator's domain, the node by name or index, the data inputs listed five at most), and the
// graph forms read around them. Small models built in code with test/helpers/hostile.ts.
import { describe, expect, test } from 'vitest';
import { ConfigError, FormatError, type Network } from 'wasmnet';
import { externalDataFiles, fromONNX } from 'wasmnet/onnx';
import { report, baseGraph, bytesField, cat, f32, floatAttr, floatField, intField, model, node, strField, tensor, value, varint, type GraphParts } from './helpers/hostile';

const DOUBLE = 11;
const INT64 = 7;

/** The base model (x [batch, 2] → Gemm → y [batch, 1]), changed by `change`. */
function onnx(change: (g: GraphParts) => void): Uint8Array {
  const g = baseGraph();
  change(g);
  return model(g);
}

/** Little-endian bytes of int64, int32 and float64 values (raw_data). */
const bytesOf = (values: number[], size: number, set: (view: DataView, at: number, v: number) => void): Uint8Array => {
  const b = new Uint8Array(values.length * size);
  const view = new DataView(b.buffer);
  values.forEach((v, i) => set(view, i * size, v));
  return b;
};
const i64 = (values: number[]) => bytesOf(values, 8, (view, at, v) => view.setBigInt64(at, BigInt(v), true));
const i32 = (values: number[]) => bytesOf(values, 4, (view, at, v) => view.setInt32(at, v, true));
const f64 = (values: number[]) => bytesOf(values, 8, (view, at, v) => view.setFloat64(at, v, true));

/** A varint of an int64 (two's complement: ten bytes for a negative value). */
function varint64(v: number): number[] {
  let u = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    const byte = Number(u & 0x7fn);
    u >>= 7n;
    out.push(u > 0n ? byte | 0x80 : byte);
  } while (u > 0n);
  return out;
}
/** AttributeProto of INT (i[3], type 2), INTS (ints[8], type 7), STRING (s[4], type 3). */
const intAttribute = (name: string, v: number): Uint8Array => cat([strField(1, name), [0x18, ...varint64(v)], intField(20, 2)]);
const intsAttribute = (name: string, vs: number[]): Uint8Array => cat([strField(1, name), ...vs.map((v) => [0x40, ...varint64(v)]), intField(20, 7)]);
const sAttribute = (name: string, v: string): Uint8Array => cat([strField(1, name), strField(4, v), intField(20, 3)]);
/** A node of the ai.onnx.ml domain. */
const ml = (op: string, inputs: string[], outputs: string[], attributes: Uint8Array[], name: string): Uint8Array => cat([node(op, inputs, outputs, attributes, name), strField(7, 'ai.onnx.ml')]);

/** AttributeProto of FLOATS (floats[7], type[20] = 6). */
const floats = (name: string, values: number[]): Uint8Array => cat([strField(1, name), bytesField(7, f32(values)), intField(20, 6)]);

/** NodeProto with a domain (field 7). */
const inDomain = (domain: string, op: string, inputs: string[], outputs: string[], name = ''): Uint8Array => cat([node(op, inputs, outputs, [], name), strField(7, domain)]);

/** ValueInfoProto of a tensor of element type `elemType` and shape `dims`. */
function typedValue(name: string, elemType: number, dims: readonly number[]): Uint8Array {
  const shape = cat(dims.map((d) => bytesField(1, intField(1, d))));
  return cat([strField(1, name), bytesField(2, bytesField(1, cat([intField(1, elemType), bytesField(2, shape)])))]);
}

function message(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return (e as Error).message;
  }
  throw new Error('expected a FormatError, and the model loaded');
}

/** The base model's output for [1, 2] and [3, -1]: 0.5·x0 − 0.25·x1 + 0.125 (f32 weights exact). */
function predictsBase(net: Network): void {
  expect(net.predict([[1, 2], [3, -1]])).toEqual([[0.125], [1.875]]);
}

describe('operators fromONNX does not read: named with their domain and node', () => {
  test('an unknown operator in the default domain, by name or by index', () => {
    expect(message(() => fromONNX(onnx((g) => g.nodes.push(node('Conv', ['y', 'W'], ['z'], [], 'conv1')))))).toBe(
      'Conv (node "conv1") is not supported: wasmnet loads dense networks',
    );
    // an unnamed node is named by its index in the graph
    expect(message(() => fromONNX(onnx((g) => g.nodes.push(node('Identity', ['y'], ['i']), node('Conv', ['i', 'W'], ['z'])))))).toBe(
      'Conv (node #2) is not supported: wasmnet loads dense networks',
    );
  });

  test('"ai.onnx" is the default domain: its operators read as the default domain\'s, its refusals say no domain', () => {
    predictsBase(
      fromONNX(
        onnx((g) => {
          g.nodes.push(inDomain('ai.onnx', 'Identity', ['y'], ['z'], 'same'));
          g.outputs = [value('z', [null, 1])];
        }),
      ),
    );
    expect(message(() => fromONNX(onnx((g) => g.nodes.push(inDomain('ai.onnx', 'Conv', ['y', 'W'], ['z'], 'conv')))))).toBe(
      'Conv (node "conv") is not supported: wasmnet loads dense networks',
    );
  });

  test('operators of other domains: named with the domain, even when the default domain has one of that name', () => {
    expect(message(() => fromONNX(onnx((g) => g.nodes.push(inDomain('com.example', 'Relu', ['y'], ['z'], 'custom')))))).toBe(
      'com.example.Relu (node "custom") is not supported: wasmnet loads dense networks',
    );
    expect(message(() => fromONNX(onnx((g) => g.nodes.push(inDomain('ai.onnx.ml', 'Relu', ['y'], ['z'], 'ml')))))).toBe(
      'ai.onnx.ml.Relu (node "ml") is not supported: wasmnet loads dense networks',
    );
    expect(message(() => fromONNX(onnx((g) => g.nodes.push(inDomain('ai.onnx.ml', 'TreeEnsembleClassifier', ['y'], ['z'], 'trees')))))).toBe(
      'ai.onnx.ml.TreeEnsembleClassifier (node "trees") is not supported: wasmnet loads dense networks',
    );
    expect(message(() => fromONNX(onnx((g) => g.nodes.push(inDomain('com.microsoft', 'Gelu', ['y'], ['z'], 'msgelu')))))).toBe(
      'com.microsoft.Gelu (node "msgelu") is not supported: wasmnet loads dense networks',
    );
  });

  test("onnxruntime's fused quantized MatMuls: named as an optimized session's output", () => {
    for (const op of ['DynamicQuantizeMatMul', 'MatMulIntegerToFloat']) {
      expect(message(() => fromONNX(onnx((g) => g.nodes.push(inDomain('com.microsoft', op, ['y', 'W'], ['z'], 'fused')))))).toBe(
        `com.microsoft.${op} (node "fused") is onnxruntime's fused form, saved from an optimized session; wasmnet reads what quantize_dynamic writes`,
      );
    }
    // the same names in the default domain are plain unknown operators
    expect(message(() => fromONNX(onnx((g) => g.nodes.push(node('DynamicQuantizeMatMul', ['y', 'W'], ['z'], [], 'fused')))))).toBe(
      'DynamicQuantizeMatMul (node "fused") is not supported: wasmnet loads dense networks',
    );
  });

  test('a subgraph attribute (an If, a Loop body) on any node: refused by name', () => {
    const withGraph = cat([strField(1, 'body'), bytesField(6, strField(2, 'inner')), intField(20, 5)]);
    expect(message(() => fromONNX(onnx((g) => g.nodes.push(node('Identity', ['y'], ['z'], [withGraph], 'odd')))))).toBe(
      'Identity (node "odd") has a subgraph attribute "body": wasmnet loads dense networks',
    );
  });

  test('a non-finite float attribute on a node the walk never reaches: refused all the same', () => {
    expect(message(() => fromONNX(onnx((g) => g.nodes.push(node('LeakyRelu', ['y'], ['z'], [floatAttr('alpha', Infinity)], 'leaky')))))).toBe(
      'LeakyRelu (node "leaky"): attribute "alpha" is Infinity; attributes must be finite',
    );
  });

  test('sparse initializers: refused', () => {
    const bytes = onnx((g) => (g.extra = [bytesField(15, bytesField(1, tensor('s', [1], f32([1]))))]));
    expect(message(() => fromONNX(bytes))).toBe('the ONNX graph has sparse initializers, which wasmnet does not read');
  });
});

describe('the data input', () => {
  test('none, two, five, six: counted, and listed five at most', () => {
    const inputs = (names: string[]) =>
      onnx((g) => {
        g.inputs = names.map((n) => value(n, [null, 2]));
      });
    expect(message(() => fromONNX(inputs([])))).toBe('the ONNX graph has 0 data inputs (none); wasmnet networks take one');
    expect(message(() => fromONNX(inputs(['x', 'x2'])))).toBe('the ONNX graph has 2 data inputs ("x", "x2"); wasmnet networks take one');
    expect(message(() => fromONNX(inputs(['x', 'p', 'q', 'r', 's'])))).toBe('the ONNX graph has 5 data inputs ("x", "p", "q", "r", "s"); wasmnet networks take one');
    expect(message(() => fromONNX(inputs(['x', 'p', 'q', 'r', 's', 't'])))).toBe(
      'the ONNX graph has 6 data inputs ("x", "p", "q", "r", "s", … (6 in all)); wasmnet networks take one',
    );
    // initializers listed among the inputs (IR < 4 lists them all) are not data inputs
    predictsBase(fromONNX(onnx((g) => g.inputs.push(value('W', [2, 1]), value('b', [1])))));
  });

  test('its element type: FLOAT or DOUBLE; anything else, or a non-tensor, refused', () => {
    predictsBase(fromONNX(onnx((g) => (g.inputs = [typedValue('x', DOUBLE, [1, 2])]))));
    expect(message(() => fromONNX(onnx((g) => (g.inputs = [typedValue('x', INT64, [1, 2])]))))).toBe('input "x" must be a FLOAT or DOUBLE tensor (element type 7)');
    // TypeProto.sequence_type (field 4): not a tensor
    const sequence = cat([strField(1, 'x'), bytesField(2, bytesField(4, bytesField(1, bytesField(1, intField(1, 1)))))]);
    expect(message(() => fromONNX(onnx((g) => (g.inputs = [sequence]))))).toBe('input "x" must be a FLOAT or DOUBLE tensor (element type 0)');
  });

  test('names in messages: 80 characters as they are, 81 cut with an ellipsis', () => {
    const n80 = 'n'.repeat(80);
    const n81 = 'm'.repeat(81);
    const typed = (name: string) => onnx((g) => (g.inputs = [typedValue(name, INT64, [1, 2])]));
    expect(message(() => fromONNX(typed(n80)))).toBe(`input "${n80}" must be a FLOAT or DOUBLE tensor (element type 7)`);
    expect(message(() => fromONNX(typed(n81)))).toBe(`input "${'m'.repeat(80)}…" must be a FLOAT or DOUBLE tensor (element type 7)`);
  });
});

describe('Constant nodes', () => {
  test('a Constant whose value keeps its data in an external file reads it from externalData', () => {
    // TensorProto external_data (field 13: location) and data_location EXTERNAL (field 14)
    const external = tensor('Wc', [2, 1], undefined, 1, [bytesField(13, cat([strField(1, 'location'), strField(2, 'w.bin')])), intField(14, 1)]);
    const bytes = onnx((g) => {
      g.initializers = [tensor('b', [1], f32([0.125]))];
      g.nodes = [node('Constant', [], ['W'], [cat([strField(1, 'value'), bytesField(5, external), intField(20, 4)])], 'const'), ...g.nodes];
    });
    predictsBase(fromONNX(bytes, { externalData: { 'w.bin': f32([0.5, -0.25]) } }));
    expect(message(() => fromONNX(bytes))).toBe(
      'tensor "Wc" keeps its data in the external file "w.bin"; pass that file\'s bytes: fromONNX(bytes, { externalData: { "w.bin": bytes } })',
    );
  });
});

describe('the walk along the chain', () => {
  test('a tensor read by two operators is a branch, whatever the first of them is', () => {
    const branch = (first: Uint8Array) =>
      onnx((g) => {
        g.nodes.push(first, node('Relu', ['y'], ['r'], [], 'relu'));
        g.outputs = [value('q', [null, 1]), value('r', [null, 1])];
      });
    expect(message(() => fromONNX(branch(node('DynamicQuantizeLinear', ['y'], ['q', 'qs', 'qz'], [], 'quant'))))).toBe(
      'tensor "y" feeds 2 operators (DynamicQuantizeLinear (node "quant"), Relu (node "relu")): wasmnet loads a chain of layers, not a branching graph',
    );
    for (const op of ['LinearRegressor', 'LinearClassifier', 'Normalizer']) {
      expect(message(() => fromONNX(branch(inDomain('ai.onnx.ml', op, ['y'], ['q'], 'ml'))))).toBe(
        `tensor "y" feeds 2 operators (${op} (node "ml"), Relu (node "relu")): wasmnet loads a chain of layers, not a branching graph`,
      );
    }
  });

  test("an activation after a batch normalization keeps its alpha (LeakyRelu's 0.25, not the default)", () => {
    const bytes = onnx((g) => {
      g.nodes.push(
        node('BatchNormalization', ['y', 'scale', 'shift', 'mean', 'var'], ['n'], [floatAttr('epsilon', 2 ** -10)], 'bn'),
        node('LeakyRelu', ['n'], ['a'], [floatAttr('alpha', 0.25)], 'leaky'),
        node('Gemm', ['a', 'W2', 'b2'], ['z'], [], 'out'),
      );
      g.initializers.push(
        tensor('scale', [1], f32([2])),
        tensor('shift', [1], f32([0.5])),
        tensor('mean', [1], f32([0])),
        tensor('var', [1], f32([1 - 2 ** -10])),
        tensor('W2', [1, 1], f32([1])),
        tensor('b2', [1], f32([0])),
      );
      g.outputs = [value('z', [null, 1])];
    });
    const net = fromONNX(bytes);
    // y = 0.5·x0 − 0.25·x1 + 0.125; n = 2y/√(var + ε) + 0.5 = 2y + 0.5 (var + ε = 1 exactly); a = n if n > 0 else 0.25·n
    // [1, 2]: y 0.125, n 0.75, a 0.75; [-1, 2]: y −0.875, n −1.25, a −0.3125
    expect(net.predict([[1, 2], [-1, 2]])).toEqual([[0.75], [-0.3125]]);
  });
});

describe('names', () => {
  test("'' names no tensor: a data input without a name is refused, an omitted input stays omitted", () => {
    expect(message(() => fromONNX(onnx((g) => (g.inputs = [value('', [null, 2])]))))).toBe("the ONNX graph's data input has no name; every graph input needs one");
    // Gemm(x, W, '') has no bias, even beside an initializer named ''
    const bytes = onnx((g) => {
      g.nodes = [node('Gemm', ['x', 'W', ''], ['y'], [], 'dense')];
      g.initializers.push(tensor('', [1], f32([100])));
    });
    expect(fromONNX(bytes).predict([[1, 2], [3, -1]])).toEqual([[0], [1.75]]);
  });
});

describe('operators that read the chain twice, and no-op reshapes', () => {
  test('Mul(y, y) after a dense layer: one operator (not a branch), and not an activation', () => {
    const bytes = onnx((g) => {
      g.nodes.push(node('Mul', ['y', 'y'], ['z'], [], 'square'));
      g.outputs = [value('z', [null, 1])];
    });
    expect(message(() => fromONNX(bytes))).toBe('the operators Mul from Mul (node "square") compute an elementwise function that is none of wasmnet\'s activations');
  });

  test('a Reshape of a [batch, 2] input to [-1, 3] is not a no-op: refused', () => {
    const reshape = (shape: number[]) =>
      onnx((g) => {
        g.nodes = [node('Reshape', ['x', 's'], ['f'], [], 'view'), node('Gemm', ['f', 'W', 'b'], ['y'], [], 'dense')];
        g.initializers.push(tensor('s', [2], i64(shape), INT64));
      });
    predictsBase(fromONNX(reshape([-1, 2])));
    expect(message(() => fromONNX(reshape([-1, 3])))).toBe('Reshape (node "view") reshapes to [-1, 3]; wasmnet keeps [batch, 2]');
  });
});

test('a Reshape that reads a [batch, 1, 2] input as its shape, not its data, does not flatten it: the input is named', () => {
  const bytes = onnx((g) => {
    g.inputs = [value('x', [null, 1, 2])];
    g.nodes = [node('Reshape', ['W', 'x'], ['f'], [], 'odd'), node('Gemm', ['f', 'W', 'b'], ['y'], [], 'dense')];
  });
  expect(message(() => fromONNX(bytes))).toBe(
    'input "x" has shape [?, 1, 2], and no Flatten or reshape to [batch, features] follows it; wasmnet reads inputs of [batch, features]',
  );
});

test('a [batch, 0, 2] input: flattening it needs every dimension but the batch above 0', () => {
  const bytes = onnx((g) => {
    g.inputs = [value('x', [null, 0, 2])];
    g.nodes = [node('Flatten', ['x'], ['f'], [], 'flatten'), node('Gemm', ['f', 'W', 'b'], ['y'], [], 'dense')];
  });
  expect(message(() => fromONNX(bytes))).toBe('input "x" has shape [?, 0, 2]: flattening it needs every dimension but the batch to be known');
});

describe('the header: IR version, graph, opset', () => {
  test('IR versions 3 to 10 are read; 2 and 11 refused; no IR and no graph is not an ONNX model', () => {
    for (const ir of [3, 10]) predictsBase(fromONNX(model(baseGraph(), { ir })));
    expect(message(() => fromONNX(model(baseGraph(), { ir: 2 })))).toBe('ONNX IR version 2 is not supported (wasmnet reads IR 3 to 10)');
    expect(message(() => fromONNX(model(baseGraph(), { ir: 11 })))).toBe('ONNX IR version 11 is not supported (wasmnet reads IR 3 to 10)');
    expect(message(() => fromONNX(strField(2, 'someone')))).toBe('not an ONNX model: no ir_version and no graph');
    expect(message(() => fromONNX(intField(1, 8)))).toBe('the ONNX model has no graph');
  });

  test('opsets 9 to 22 are read; 23 refused; a model of ai.onnx.ml operators only may import none', () => {
    for (const opset of [9, 22]) predictsBase(fromONNX(model(baseGraph(), { opset })));
    expect(message(() => fromONNX(model(baseGraph(), { opset: 23 })))).toBe('ONNX opset 23 is not supported (wasmnet reads opsets 9 to 22)');
    // model() writes the opset import last: [0x42, 4, 0x0a, 0, 0x10, opset]; without it, none
    const noOpset = (g: GraphParts) => model(g).subarray(0, -6);
    expect(Array.from(model(baseGraph()).subarray(-6))).toEqual([0x42, 4, 0x0a, 0, 0x10, 17]);
    expect(message(() => fromONNX(noOpset(baseGraph())))).toBe('ONNX opset 0 is not supported (wasmnet reads opsets 9 to 22)');
    const regressor = (extra: Uint8Array[] = []): GraphParts => ({
      nodes: [cat([node('LinearRegressor', ['x'], ['y'], [floats('coefficients', [0.5, -0.25]), floats('intercepts', [0.125])], 'linear'), strField(7, 'ai.onnx.ml')]), ...extra],
      initializers: [],
      inputs: [value('x', [null, 2])],
      outputs: [value(extra.length > 0 ? 'z' : 'y', [null, 1])],
    });
    predictsBase(fromONNX(noOpset(regressor())));
    // one operator of the default domain needs its opset
    expect(message(() => fromONNX(noOpset(regressor([node('Identity', ['y'], ['z'], [], 'same')]))))).toBe('ONNX opset 0 is not supported (wasmnet reads opsets 9 to 22)');
    predictsBase(fromONNX(model(regressor([node('Identity', ['y'], ['z'], [], 'same')]))));
  });
});

describe('scikit-learn linear models', () => {
  test('an activation after a LinearRegressor (post_transform NONE) is its layer\'s activation', () => {
    const bytes = model({
      nodes: [
        cat([node('LinearRegressor', ['x'], ['y'], [floats('coefficients', [0.5, -0.25]), floats('intercepts', [0.125])], 'linear'), strField(7, 'ai.onnx.ml')]),
        node('Relu', ['y'], ['z'], [], 'relu'),
      ],
      initializers: [],
      inputs: [value('x', [null, 2])],
      outputs: [value('z', [null, 1])],
    });
    // [1, 2] → 0.125; [−1, 2] → −0.875 → 0
    expect(fromONNX(bytes).predict([[1, 2], [-1, 2]])).toEqual([[0.125], [0]]);
  });
});

describe('Constant nodes: each form of value', () => {
  const withConstant = (attribute: Uint8Array) =>
    onnx((g) => {
      g.nodes.push(node('Constant', [], ['c'], [attribute], 'const'), node('Add', ['y', 'c'], ['z'], [], 'bias'));
      g.outputs = [value('z', [null, 1])];
    });

  test('value_float and value_floats: a bias of 0.5 added; value_int and value_ints: INT64 tensors', () => {
    // 0.5·x0 − 0.25·x1 + 0.125 + c at [1, 2] and [3, −1]
    expect(fromONNX(withConstant(floatAttr('value_float', 0.5))).predict([[1, 2], [3, -1]])).toEqual([[0.625], [2.375]]);
    expect(fromONNX(withConstant(floats('value_floats', [0.5]))).predict([[1, 2], [3, -1]])).toEqual([[0.625], [2.375]]);
    // integer constants are read as INT64 tensors named for the Constant's output, and a bias must be floating point
    const int64Bias = 'Add (node "bias"): tensor "c" has data type 7; wasmnet reads FLOAT (1) and DOUBLE (11) weights';
    expect(message(() => fromONNX(withConstant(intAttribute('value_int', 2))))).toBe(int64Bias);
    expect(message(() => fromONNX(withConstant(intsAttribute('value_ints', [2]))))).toBe(int64Bias);
  });

  test('a Constant with none of them: refused by name', () => {
    expect(message(() => fromONNX(withConstant(strField(1, 'sparse_value'))))).toBe('Constant (node "const") has no value wasmnet can read (value, value_float(s) or value_int(s))');
  });
});

describe('where the chain ends', () => {
  const graph = (change: (g: GraphParts) => void) => message(() => fromONNX(onnx(change)));

  test('the declared output width must be the layers\' width; a width the graph leaves open is read', () => {
    expect(graph((g) => (g.outputs = [value('y', [null, 3])]))).toBe('output "y" is declared [batch, 3] but the layers produce 1 columns');
    for (const dims of [[null, null], [null], [null, 1, 3]]) predictsBase(fromONNX(onnx((g) => (g.outputs = [value('y', dims)]))));
  });

  test('no dense layer, a normalization last, an end that is not an output, a node off the chain', () => {
    expect(graph((g) => (g.nodes = [node('Relu', ['x'], ['y'], [], 'relu')]))).toBe('Relu (node "relu") applies relu before any dense layer; wasmnet layers are dense → activation');
    expect(graph((g) => (g.nodes = [node('Identity', ['x'], ['y'], [], 'same')]))).toBe('the ONNX graph has no Gemm or MatMul: no dense layer to load');
    expect(
      graph((g) => {
        g.nodes.push(node('LayerNormalization', ['y', 'gamma'], ['z'], [floatAttr('epsilon', 0.5)], 'ln'));
        g.initializers.push(tensor('gamma', [1], f32([1])));
        g.outputs = [value('z', [null, 1])];
      }),
    ).toBe('the ONNX graph ends with a normalization; wasmnet networks end with a dense layer');
    expect(graph((g) => (g.outputs = [value('elsewhere', [null, 1])]))).toBe('the chain of layers ends at tensor "y", which is not a graph output');
    expect(
      graph((g) => {
        g.nodes.push(node('Relu', ['W'], ['stray'], [], 'aside'));
      }),
    ).toBe('Relu (node "aside") is not on the path from input "x" to the output; wasmnet loads a chain of layers');
    // a Constant off the chain is allowed
    predictsBase(fromONNX(onnx((g) => g.nodes.push(node('Constant', [], ['unused'], [floatAttr('value_float', 1)], 'spare')))));
  });

  test('a node whose second output is read, or is a graph output: refused; an unread second output is fine', () => {
    const dropout = (outputs: string[], change: (g: GraphParts) => void = () => {}) =>
      onnx((g) => {
        g.nodes.push(node('Dropout', ['y'], outputs, [], 'drop'));
        g.outputs = [value('z', [null, 1])];
        change(g);
      });
    predictsBase(fromONNX(dropout(['z', 'mask'])));
    predictsBase(fromONNX(dropout(['z', ''])));
    expect(message(() => fromONNX(dropout(['z', 'mask'], (g) => g.outputs.push(value('mask', [null, 1])))))).toBe('Dropout (node "drop") uses its second output; wasmnet reads only the first');
    expect(message(() => fromONNX(dropout(['z', 'mask'], (g) => g.nodes.push(node('Identity', ['mask'], ['m2'], [], 'reader')))))).toBe('Dropout (node "drop") uses its second output; wasmnet reads only the first');
  });
});

describe('operators on the chain', () => {
  test('Softmax: axis 1 or −1, or none (1 before opset 13, −1 since: the last axis of [batch, units] either way)', () => {
    const softmax = (attributes: Uint8Array[], opset = 17) =>
      model(
        (() => {
          const g = baseGraph();
          g.nodes.push(node('Softmax', ['y'], ['z'], attributes, 'soft'));
          g.outputs = [value('z', [null, 1])];
          return g;
        })(),
        { opset },
      );
    // i[3] as a varint; −1 is ten bytes (int64 two's complement)
    for (const [attributes, opset] of [[[], 11], [[], 13], [[intAttribute('axis', 1)], 17], [[intAttribute('axis', -1)], 12]] as const) {
      // a softmax over one unit is 1 everywhere
      expect(fromONNX(softmax([...attributes], opset)).predict([[1, 2], [3, -1]])).toEqual([[1], [1]]);
    }
    expect(message(() => fromONNX(softmax([intAttribute('axis', 0)])))).toBe('Softmax (node "soft") has axis 0; on [batch, units] wasmnet\'s softmax is over axis 1');
    expect(message(() => fromONNX(softmax([intAttribute('axis', 2)])))).toBe('Softmax (node "soft") has axis 2; on [batch, units] wasmnet\'s softmax is over axis 1');
  });

  test('a bias added after the layer: [units], [1, units] or a scalar; other shapes refused', () => {
    const wide = (shape: number[], values: number[]) =>
      model({
        nodes: [node('MatMul', ['x', 'W'], ['h'], [], 'mm'), node('Add', ['h', 'c'], ['y'], [], 'bias')],
        initializers: [tensor('W', [2, 2], f32([1, 0, 0, 1])), tensor('c', shape, f32(values))],
        inputs: [value('x', [null, 2])],
        outputs: [value('y', [null, 2])],
      });
    expect(fromONNX(wide([2], [0.5, -0.5])).predict([[1, 2]])).toEqual([[1.5, 1.5]]);
    expect(fromONNX(wide([1, 2], [0.5, -0.5])).predict([[1, 2]])).toEqual([[1.5, 1.5]]);
    expect(fromONNX(wide([], [0.5])).predict([[1, 2]])).toEqual([[1.5, 2.5]]);
    expect(fromONNX(wide([1], [0.5])).predict([[1, 2]])).toEqual([[1.5, 2.5]]);
    expect(message(() => fromONNX(wide([3], [1, 2, 3])))).toBe('Add (node "bias") adds a constant of shape [3] to 2 units; a bias must be [2] or [1, 2]');
    expect(message(() => fromONNX(wide([2, 1], [1, 2])))).toBe('Add (node "bias") adds a constant of shape [2, 1] to 2 units; a bias must be [2] or [1, 2]');
  });
});

test("float attributes: read as the shortest decimal that rounds to the stored float32, the float32 itself when that needs 9 digits", () => {
  const elu = (alpha: number) =>
    onnx((g) => {
      g.nodes.push(node('Elu', ['y'], ['z'], [floatAttr('alpha', alpha)], 'elu'), node('Gemm', ['z', 'W2', 'b2'], ['out'], [], 'head'));
      g.initializers.push(tensor('W2', [1, 1], f32([1])), tensor('b2', [1], f32([0])));
      g.outputs = [value('out', [null, 1])];
    });
  const alphaOf = (bytes: Uint8Array) => (fromONNX(bytes).toJSON().config.layers as { alpha?: number }[])[0]!.alpha;
  expect(alphaOf(elu(0.2))).toBe(0.2); // float32 0.2 is 0.20000000298…; 0.2 is what the exporter was given
  expect(alphaOf(elu(1.5))).toBe(1.5);
  // float32 10.0000105 is 10.00001049041748…, and no decimal of 8 digits rounds to it: kept as is
  expect(Math.fround(10.0000105)).toBe(10.00001049041748);
  expect(alphaOf(elu(10.0000105))).toBe(Math.fround(10.0000105));
});

describe('the walk: one reader per tensor, each operator in its place', () => {
  /** x → Gemm (2 units) → h → `activation` (or none) → y, then `rest` reading y; outputs as given. */
  const twoUnits = (activation: string | undefined, rest: Uint8Array[], outputs: string[], extra: Uint8Array[] = []) =>
    model({
      nodes: [node('Gemm', ['x', 'W', 'b'], [activation ? 'h' : 'y'], [], 'dense'), ...(activation ? [node(activation, ['h'], ['y'], [], 'act')] : []), ...rest],
      initializers: [tensor('W', [2, 2], f32([1, 0, 0, 1])), tensor('b', [2], f32([0, 0])), ...extra],
      inputs: [value('x', [null, 2])],
      outputs: outputs.map((o) => value(o, [null, 2])),
    });

  test('a branch is refused whatever its first reader is', () => {
    const first: [string, Uint8Array][] = [
      ['Gemm (node "a")', node('Gemm', ['y', 'W', 'b'], ['a'], [], 'a')],
      ['Add (node "a")', node('Add', ['y', 'b'], ['a'], [], 'a')],
      ['Identity (node "a")', node('Identity', ['y'], ['a'], [], 'a')],
      ['Softmax (node "a")', node('Softmax', ['y'], ['a'], [], 'a')],
      ['Sigmoid (node "a")', node('Sigmoid', ['y'], ['a'], [], 'a')],
      ['BatchNormalization (node "a")', node('BatchNormalization', ['y', 'b', 'b', 'b', 'W'], ['a'], [], 'a')],
      ['Sub (node "a")', node('Sub', ['y', 'b'], ['a'], [], 'a')],
      ['Mul (node "a")', node('Mul', ['y', 'h2'], ['a'], [], 'a')],
    ];
    for (const [named, reader] of first) {
      report(named);
      expect(message(() => fromONNX(twoUnits(undefined, [reader, node('Relu', ['y'], ['r'], [], 'relu')], ['a', 'r'])))).toBe(
        `tensor "y" feeds 2 operators (${named}, Relu (node "relu")): wasmnet loads a chain of layers, not a branching graph`,
      );
    }
  });

  test('an operator fromONNX reads, in a place it does not: named with the tensor it follows', () => {
    expect(message(() => fromONNX(twoUnits(undefined, [node('Shape', ['y'], ['s'], [], 'shape')], ['s'])))).toBe(
      'Shape (node "shape") is not supported here: after tensor "y" wasmnet expects a dense layer, an activation or a no-op',
    );
    // an Add after the activation is not a bias (it would be one before it)
    expect(message(() => fromONNX(twoUnits('Relu', [node('Add', ['y', 'b'], ['z'], [], 'late')], ['z'])))).toBe(
      'Add (node "late") is not supported here: its input "b" is not a scalar constant; wasmnet reads activations whose other operands are scalar constants',
    );
  });

  test('a bias that overflows once added is named', () => {
    const bytes = model({
      nodes: [node('MatMul', ['x', 'W'], ['y'], [], 'mm'), node('Add', ['y', 'big'], ['z'], [], 'bias1'), node('Add', ['z', 'big'], ['z2'], [], 'bias2')],
      initializers: [tensor('W', [2, 2], f32([1, 0, 0, 1])), tensor('big', [2], f64([0, 1.7e308]), 11)],
      inputs: [value('x', [null, 2])],
      outputs: [value('z2', [null, 2])],
    });
    expect(message(() => fromONNX(bytes))).toBe('Add (node "bias2"): tensor "big"[1] added to the bias is Infinity; weights must be finite');
  });

  test('an L1 normalization (ai.onnx.ml.Normalizer) is read after a softmax only', () => {
    const normalizer = (activation: string | undefined, norm?: string, inputs = ['y']) =>
      twoUnits(activation, [ml('Normalizer', inputs, ['z'], norm ? [sAttribute('norm', norm)] : [], 'l1')], ['z']);
    // a no-op after a softmax: the network's output is the softmax's
    expect(fromONNX(normalizer('Softmax', 'L1')).predict([[0, 0]])).toEqual([[0.5, 0.5]]);
    const tail = '; wasmnet reads L1 after a softmax (a no-op), not one-vs-rest probabilities (sigmoids over their sum)';
    expect(message(() => fromONNX(normalizer('Softmax')))).toBe(`Normalizer (node "l1") normalizes (MAX) the softmax scores of 2 classes${tail}`);
    expect(message(() => fromONNX(normalizer('Softmax', 'L2')))).toBe(`Normalizer (node "l1") normalizes (L2) the softmax scores of 2 classes${tail}`);
    expect(message(() => fromONNX(normalizer('Sigmoid', 'L1')))).toBe(`Normalizer (node "l1") normalizes (L1) the sigmoid scores of 2 classes${tail}`);
    expect(message(() => fromONNX(normalizer(undefined, 'L1')))).toBe(`Normalizer (node "l1") normalizes (L1) the unbounded scores of 2 classes${tail}`);
    // reading the scores as its second input: not a normalization of them
    expect(message(() => fromONNX(normalizer('Softmax', 'L1', ['b', 'y'])))).toBe(`Normalizer (node "l1") normalizes (L1) the softmax scores of 2 classes${tail}`);
  });

  test("a BatchNormalization's running variance is unbiased in PyTorch's exports (producer_name \"pytorch\") only", () => {
    const bn = (producer?: string) => {
      const g = baseGraph();
      g.nodes.push(node('BatchNormalization', ['y', 'one', 'zero', 'zero', 'one'], ['n'], [], 'bn'), node('Gemm', ['n', 'W2', 'zero'], ['z'], [], 'head'));
      g.initializers.push(tensor('one', [1], f32([1])), tensor('zero', [1], f32([0])), tensor('W2', [1, 1], f32([1])));
      g.outputs = [value('z', [null, 1])];
      const bytes = model(g);
      // ModelProto.producer_name (field 2), after ir_version
      return producer === undefined ? bytes : cat([bytes.subarray(0, 2), strField(2, producer), bytes.subarray(2)]);
    };
    const unbiased = (bytes: Uint8Array) => (fromONNX(bytes).toJSON().config.layers as { type: string; unbiasedVariance?: boolean }[]).find((l) => l.type === 'batchNorm')!.unbiasedVariance;
    expect(unbiased(bn('pytorch'))).toBe(true);
    expect(unbiased(bn('skl2onnx'))).toBe(false);
    expect(unbiased(bn())).toBe(false);
  });

  test('skl2onnx\'s label tail: the chain may end at a tensor that is not a graph output when labels are computed from it', () => {
    const bytes = twoUnits('Softmax', [node('ArgMax', ['y'], ['label'], [intAttribute('axis', 1)], 'argmax')], ['label']);
    expect(fromONNX(bytes).predict([[0, 0]])).toEqual([[0.5, 0.5]]);
  });

  test('the declared width checked is the chain\'s output\'s, not the first output\'s', () => {
    predictsBase(fromONNX(onnx((g) => g.outputs.unshift(value('x', [null, 2])))));
  });

  test('an opset import of domain "ai.onnx" is the default domain\'s', () => {
    const g = baseGraph();
    const bytes = model(g).subarray(0, -6);
    const withOpset = (domain: string, version: number) => cat([bytes, bytesField(8, cat([strField(1, domain), intField(2, version)]))]);
    predictsBase(fromONNX(withOpset('ai.onnx', 17)));
    expect(message(() => fromONNX(withOpset('ai.onnx', 8)))).toBe('ONNX opset 8 is not supported (wasmnet reads opsets 9 to 22)');
    expect(message(() => fromONNX(withOpset('com.example', 17)))).toBe('ONNX opset 0 is not supported (wasmnet reads opsets 9 to 22)');
  });
});

describe('the rest of the walk', () => {
  /** x → Gemm (1 unit, the base) → y → `middle` → m → Gemm (W2 [1, 1] = 2) → z */
  const between = (middle: (from: string, to: string) => Uint8Array[], extra: Uint8Array[] = []) =>
    onnx((g) => {
      g.nodes.push(...middle('y', 'm'), node('Gemm', ['m', 'W2', 'b2'], ['z'], [], 'head'));
      g.initializers.push(tensor('W2', [1, 1], f32([2])), tensor('b2', [1], f32([0])), ...extra);
      g.outputs = [value('z', [null, 1])];
    });

  test('a standardization between dense layers: ai.onnx.ml.Scaler, or Sub then Div, becomes a normalization layer', () => {
    // y at [1, 2] is 0.125, at [3, −1] 1.875; (y − 0.125) / 0.5 · 2
    const scaler = between((a, b) => [ml('Scaler', [a], [b], [floats('offset', [0.125]), floats('scale', [2])], 'scale')]);
    expect(fromONNX(scaler).predict([[1, 2], [3, -1]])).toEqual([[0], [7]]);
    const subDiv = between((a, b) => [node('Sub', [a, 'mean'], ['c'], [], 'center'), node('Div', ['c', 'sd'], [b], [], 'scale')], [tensor('mean', [1], f32([0.125])), tensor('sd', [1], f32([0.5]))]);
    expect(fromONNX(subDiv).predict([[1, 2], [3, -1]])).toEqual([[0], [7]]);
    expect((fromONNX(subDiv).toJSON().config.layers as { type: string }[]).map((l) => l.type)).toEqual(['dense', 'normalization', 'dense']);
  });

  test('an L1 Normalizer before any dense layer: the scores of ? classes', () => {
    const bytes = onnx((g) => {
      g.nodes = [ml('Normalizer', ['x'], ['n'], [sAttribute('norm', 'L1')], 'l1'), node('Gemm', ['n', 'W', 'b'], ['y'], [], 'dense')];
    });
    expect(message(() => fromONNX(bytes))).toBe(
      'Normalizer (node "l1") normalizes (L1) the unbounded scores of ? classes; wasmnet reads L1 after a softmax (a no-op), not one-vs-rest probabilities (sigmoids over their sum)',
    );
  });

  test("skl2onnx's binary tail [1 − p, p] is read after one sigmoid unit only", () => {
    const tail = (activation: string, units = 1, extra: Uint8Array[] = []) =>
      model({
        nodes: [
          node('Gemm', ['x', 'W', 'b'], ['h'], [], 'dense'),
          ...extra,
          node(activation, [extra.length > 0 ? 'n' : 'h'], ['p'], [], 'act'),
          node('Sub', ['one', 'p'], ['q'], [], 'complement'),
          node('Concat', ['q', 'p'], ['probabilities'], [cat([strField(1, 'axis'), intField(3, 1), intField(20, 2)])], 'concat'),
        ],
        initializers: [tensor('W', [2, units], f32(units === 1 ? [0.5, -0.25] : [0.5, -0.5, -0.25, 0.25])), tensor('b', [units], f32(units === 1 ? [0.125] : [0.125, -0.125])), tensor('one', [], f32([1])), tensor('g', [units], f32(Array(units).fill(1)))],
        inputs: [value('x', [null, 2])],
        outputs: [value('probabilities', [null, 2])],
      });
    // softmax over [0, z] with z = 0.5·x0 − 0.25·x1 + 0.125: at [1, 2], z = 0.125
    const [p0, p1] = fromONNX(tail('Sigmoid')).predict([[1, 2]])[0]!;
    expect(p1).toBeCloseTo(1 / (1 + Math.exp(-0.125)), 15);
    expect(p0! + p1!).toBeCloseTo(1, 15);
    // after a relu, two sigmoid units, or a sigmoid on a normalization: a branch
    const branch = 'tensor "p" feeds 2 operators (Sub (node "complement"), Concat (node "concat")): wasmnet loads a chain of layers, not a branching graph';
    expect(message(() => fromONNX(tail('Relu')))).toBe(branch);
    expect(message(() => fromONNX(tail('Sigmoid', 2)))).toBe(branch);
    expect(message(() => fromONNX(tail('Sigmoid', 1, [node('LayerNormalization', ['h', 'g'], ['n'], [floatAttr('epsilon', 0.5)], 'ln')])))).toBe(branch);
  });

  test('a normalization and no dense layer: no dense layer to load', () => {
    const bytes = onnx((g) => {
      g.nodes = [node('LayerNormalization', ['x', 'g'], ['y'], [floatAttr('epsilon', 0.5)], 'ln')];
      g.initializers = [tensor('g', [2], f32([1, 1]))];
      g.outputs = [value('y', [null, 2])];
    });
    expect(message(() => fromONNX(bytes))).toBe('the ONNX graph has no Gemm or MatMul: no dense layer to load');
  });

  test('a declared output of another rank is not compared with the width', () => {
    predictsBase(fromONNX(onnx((g) => (g.outputs = [value('y', [null, 3, 1])]))));
  });

  test('a model of ai.onnx.ml operators only is held to the opset range when it imports one', () => {
    const bytes = model(
      {
        nodes: [ml('LinearRegressor', ['x'], ['y'], [floats('coefficients', [0.5, -0.25]), floats('intercepts', [0.125])], 'linear')],
        initializers: [],
        inputs: [value('x', [null, 2])],
        outputs: [value('y', [null, 1])],
      },
      { opset: 23 },
    );
    expect(message(() => fromONNX(bytes))).toBe('ONNX opset 23 is not supported (wasmnet reads opsets 9 to 22)');
  });

  test('any output past the first that is read is refused, not only the second', () => {
    const bytes = onnx((g) => {
      g.nodes.push(node('Identity', ['y'], ['z', 'spare', 'third'], [], 'many'), node('Identity', ['third'], ['t2'], [], 'reader'));
      g.outputs = [value('z', [null, 1])];
    });
    expect(message(() => fromONNX(bytes))).toBe('Identity (node "many") uses its second output; wasmnet reads only the first');
  });
});

describe('externalDataFiles', () => {
  test('the files named by initializers and Constant values, each once; none without a graph', async () => {
    const { externalDataFiles } = await import('wasmnet/onnx');
    const external = (name: string, file: string) => tensor(name, [2, 1], undefined, 1, [bytesField(13, cat([strField(1, 'location'), strField(2, file)])), intField(14, 1)]);
    const bytes = onnx((g) => {
      g.initializers = [external('W', 'a.bin'), tensor('b', [1], f32([0.125]))];
      g.nodes.push(node('Constant', [], ['c'], [cat([strField(1, 'value'), bytesField(5, external('Wc', 'b.bin')), intField(20, 4)])], 'const'));
      g.nodes.push(node('Constant', [], ['d'], [cat([strField(1, 'value'), bytesField(5, external('Wd', 'a.bin')), intField(20, 4)])], 'const2'));
    });
    expect(externalDataFiles(bytes)).toEqual(['a.bin', 'b.bin']);
    expect(externalDataFiles(intField(1, 8))).toEqual([]);
    // a node that is not a Constant: its attributes name no file
    const notConstant = onnx((g) => g.nodes.push(node('Identity', ['y'], ['z'], [cat([strField(1, 'value'), bytesField(5, external('We', 'c.bin')), intField(20, 4)])], 'odd')));
    expect(externalDataFiles(notConstant)).toEqual([]);
  });
});

describe('Constant values in their places', () => {
  const constantNode = (output: string, attribute: Uint8Array) => node('Constant', [], [output], [attribute], `const ${output}`);

  test('value_floats of two values: a bias of shape [2]', () => {
    const bytes = model({
      nodes: [node('MatMul', ['x', 'W'], ['h'], [], 'mm'), constantNode('c', floats('value_floats', [0.5, -0.5])), node('Add', ['h', 'c'], ['y'], [], 'bias')],
      initializers: [tensor('W', [2, 2], f32([1, 0, 0, 1]))],
      inputs: [value('x', [null, 2])],
      outputs: [value('y', [null, 2])],
    });
    expect(fromONNX(bytes).predict([[1, 2]])).toEqual([[1.5, 1.5]]);
  });

  test("value_ints as a Reshape's shape, value_int as the view chain's Gather index", () => {
    const reshape = onnx((g) => {
      g.inputs = [value('x', [null, 1, 2])];
      g.nodes = [constantNode('s', intsAttribute('value_ints', [-1, 2])), node('Reshape', ['x', 's'], ['f'], [], 'view'), node('Gemm', ['f', 'W', 'b'], ['y'], [], 'dense')];
    });
    predictsBase(fromONNX(reshape));
    // x.view(x.size(0), -1): Shape → Gather(·, 0) → Unsqueeze → Concat(·, [−1]) → Reshape
    const view = onnx((g) => {
      g.inputs = [value('x', [null, 1, 2])];
      g.nodes = [
        node('Shape', ['x'], ['shape'], [], 'shape'),
        constantNode('zero', cat([strField(1, 'value_int'), intField(3, 0), intField(20, 2)])),
        node('Gather', ['shape', 'zero'], ['batch'], [], 'gather'),
        node('Unsqueeze', ['batch', 'axes'], ['batch1'], [], 'unsqueeze'),
        node('Concat', ['batch1', 'minus1'], ['target'], [cat([strField(1, 'axis'), intField(3, 0), intField(20, 2)])], 'concat'),
        node('Reshape', ['x', 'target'], ['f'], [], 'view'),
        node('Gemm', ['f', 'W', 'b'], ['y'], [], 'dense'),
      ];
      g.initializers.push(tensor('axes', [1], i64([0]), INT64), tensor('minus1', [1], i64([-1]), INT64));
    });
    predictsBase(fromONNX(view));
  });
});

describe('external data, entry by entry', () => {
  /** The base model with W [2, 1] in `file` at the given external_data entries (and `own` data fields). */
  const externalW = (entries: [string, string][], own: Uint8Array[] = [], marked = true) =>
    onnx((g) => {
      g.initializers[0] = tensor('W', [2, 1], undefined, 1, [...entries.map(([k, v]) => bytesField(13, cat([strField(1, k), strField(2, v)]))), ...own, ...(marked ? [intField(14, 1)] : [])]);
    });
  const weights = f32([0.5, -0.25]);
  const load = (bytes: Uint8Array, file: Uint8Array, name = 'w.bin') => fromONNX(bytes, { externalData: { [name]: file } });

  test('the location is required; data of its own besides is refused, whichever field holds it', () => {
    expect(message(() => load(externalW([]), weights))).toBe('tensor "W" is marked as external but names no location');
    const own = 'tensor "W" has data of its own and external_data naming "w.bin"; ONNX keeps a tensor\'s data in one place';
    const f64 = new Uint8Array(8);
    // raw_data[9]; float_data[4]; double_data[10]; int32_data[5]; int64_data[7] (packed), in pairs
    const fields: Record<string, Uint8Array> = { raw: bytesField(9, weights), float: bytesField(4, f32([1])), double: bytesField(10, f64), int32: bytesField(5, [1]), int64: bytesField(7, [1]) };
    for (const pair of [['raw'], ['float'], ['double'], ['int32'], ['int64'], ['float', 'double'], ['double', 'int32'], ['int32', 'int64']]) {
      expect(message(() => load(externalW([['location', 'w.bin']], pair.map((k) => fields[k]!)), weights))).toBe(own);
    }
  });

  test('offset and length: decimal byte counts within the file; a long location is cut in the hint', () => {
    const file = cat([new Uint8Array(4), weights]); // 12 bytes: 4 of padding, then W
    predictsBase(load(externalW([['location', 'w.bin'], ['offset', '4']]), file));
    predictsBase(load(externalW([['location', 'w.bin'], ['offset', '4'], ['length', '8']]), file));
    for (const bad of ['4x', 'x4', '-4', '1234567890123456']) {
      expect(message(() => load(externalW([['location', 'w.bin'], ['offset', bad]]), file))).toBe(`tensor "W": external_data offset is "${bad}", not a byte count`);
    }
    expect(message(() => load(externalW([['location', 'w.bin'], ['offset', '13']]), file))).toBe('tensor "W": external_data offset 13 is past the end of "w.bin", which has 12 bytes');
    // an offset at the end reads no bytes: refused for the weight's size, not the offset
    expect(message(() => load(externalW([['location', 'w.bin'], ['offset', '12']]), file))).toBe('Gemm (node "dense"): tensor "W" of shape [2, 1] needs 2 values but holds 0');
    expect(message(() => load(externalW([['location', 'w.bin'], ['offset', '4'], ['length', '0']]), file))).toBe('Gemm (node "dense"): tensor "W" of shape [2, 1] needs 2 values but holds 0');
    expect(message(() => load(externalW([['location', 'w.bin'], ['offset', '8'], ['length', '8']]), file))).toBe('tensor "W": bytes 8 to 16 of "w.bin", which has 12');
    const long = 'd'.repeat(100);
    expect(message(() => fromONNX(externalW([['location', long]])))).toBe(
      `tensor "W" keeps its data in the external file "${'d'.repeat(80)}…"; pass that file's bytes: fromONNX(bytes, { externalData: { "${'d'.repeat(80)}": bytes } })`,
    );
  });

  test('a negative dimension is named', () => {
    // a LayerNormalization's scale of dims [−1] (a ten-byte varint): its values are read before its shape is compared
    const bytes = onnx((g) => {
      g.nodes.push(node('LayerNormalization', ['y', 'gamma'], ['n'], [floatAttr('epsilon', 0.5)], 'ln'), node('Gemm', ['n', 'W2', 'b'], ['z'], [], 'head'));
      g.initializers.push(cat([[0x08, ...Array(9).fill(0xff), 0x01], intField(2, 1), strField(8, 'gamma'), bytesField(9, f32([1]))]), tensor('W2', [1, 1], f32([1])));
      g.outputs = [value('z', [null, 1])];
    });
    expect(message(() => fromONNX(bytes))).toBe('LayerNormalization (node "ln"): tensor "gamma" has invalid dimension -1');
  });
});

describe('more places', () => {
  test('two readers after a sigmoid unit that are not the binary tail: a branch', () => {
    const bytes = onnx((g) => {
      g.nodes.push(node('Sigmoid', ['y'], ['p'], [], 'sig'), node('Relu', ['p'], ['r'], [], 'relu'), node('Tanh', ['p'], ['t'], [], 'tanh'));
      g.outputs = [value('r', [null, 1]), value('t', [null, 1])];
    });
    expect(message(() => fromONNX(bytes))).toBe('tensor "p" feeds 2 operators (Relu (node "relu"), Tanh (node "tanh")): wasmnet loads a chain of layers, not a branching graph');
  });

  test('between dense layers a standardization starts with Sub (or is a Scaler): a Div alone is not one', () => {
    const bytes = onnx((g) => {
      g.nodes.push(node('Div', ['y', 'sd'], ['m'], [], 'scale'), node('Gemm', ['m', 'W2', 'b'], ['z'], [], 'head'));
      g.initializers.push(tensor('sd', [1], f32([0.5])), tensor('W2', [1, 1], f32([2])));
      g.outputs = [value('z', [null, 1])];
    });
    expect(message(() => fromONNX(bytes))).toBe('the operators Div from Div (node "scale") compute an elementwise function that is none of wasmnet\'s activations');
  });

  test('a second standardization before the first dense layer', () => {
    const bytes = onnx((g) => {
      g.nodes = [
        node('Sub', ['x', 'mean'], ['c1'], [], 'center1'),
        node('Div', ['c1', 'sd'], ['s1'], [], 'scale1'),
        node('Sub', ['s1', 'mean'], ['c2'], [], 'center2'),
        node('Div', ['c2', 'sd'], ['s2'], [], 'scale2'),
        node('Gemm', ['s2', 'W', 'b'], ['y'], [], 'dense'),
      ];
      g.initializers.push(tensor('mean', [2], f32([0, 0])), tensor('sd', [2], f32([1, 1])));
    });
    expect(message(() => fromONNX(bytes))).toBe('Sub (node "center2") is not supported here: its input "mean" is not a scalar constant; wasmnet reads activations whose other operands are scalar constants');
  });

  test('a dimension of 0 is a size, named by the shape check', () => {
    const bytes = onnx((g) => {
      g.nodes.push(node('LayerNormalization', ['y', 'gamma'], ['n'], [floatAttr('epsilon', 0.5)], 'ln'), node('Gemm', ['n', 'W2', 'b'], ['z'], [], 'head'));
      g.initializers.push(tensor('gamma', [0], new Uint8Array(0)), tensor('W2', [1, 1], f32([1])));
      g.outputs = [value('z', [null, 1])];
    });
    expect(message(() => fromONNX(bytes))).toBe('LayerNormalization (node "ln"): scale "gamma" has shape [0]; expected [1]');
  });
});

describe('tensors: types, sizes, encodings', () => {
  const withW = (w: Uint8Array) => onnx((g) => (g.initializers[0] = w));

  test('weights as raw float32, raw float64, float_data and double_data read the same', () => {
    predictsBase(fromONNX(withW(tensor('W', [2, 1], f64([0.5, -0.25]), 11))));
    predictsBase(fromONNX(withW(tensor('W', [2, 1], undefined, 1, [bytesField(4, f32([0.5, -0.25]))]))));
    predictsBase(fromONNX(withW(tensor('W', [2, 1], undefined, 11, [bytesField(10, f64([0.5, -0.25]))]))));
  });

  test('sizes and types refused with the tensor named', () => {
    expect(message(() => fromONNX(withW(tensor('W', [2, 1], new Uint8Array(7)))))).toBe('Gemm (node "dense"): tensor "W" of shape [2, 1] has 7 bytes of data, not a whole number of 4-byte values');
    expect(message(() => fromONNX(withW(tensor('W', [2, 1], f32([0.5])))))).toBe('Gemm (node "dense"): tensor "W" of shape [2, 1] needs 2 values but holds 1');
    expect(message(() => fromONNX(withW(tensor('W', [2, 1], undefined, 1, [bytesField(4, f32([0.5, -0.25, 1]))]))))).toBe('Gemm (node "dense"): tensor "W" of shape [2, 1] needs 2 values but holds 3');
    expect(message(() => fromONNX(withW(tensor('W', [2, 1], new Uint8Array(2), 2))))).toBe('Gemm (node "dense"): tensor "W" has data type 2; wasmnet reads FLOAT (1) and DOUBLE (11) weights');
    expect(message(() => fromONNX(withW(tensor('W', [2, 1], new Uint8Array(4), 10))))).toBe('Gemm (node "dense"): tensor "W" has data type 10; wasmnet reads FLOAT (1) and DOUBLE (11) weights');
  });

  test('a weight with a non-finite value is named with its index', () => {
    expect(message(() => fromONNX(withW(tensor('W', [2, 1], f32([0.5, NaN])))))).toBe('Gemm (node "dense"): tensor "W"[1] is NaN; weights must be finite');
  });
});

describe('dense layers: Gemm and MatMul', () => {
  const gemm = (attributes: Uint8Array[], inputs = ['x', 'W', 'b'], initializers?: Uint8Array[], op = 'Gemm') =>
    onnx((g) => {
      g.nodes = [node(op, inputs, ['y'], attributes, 'dense')];
      if (initializers) g.initializers = initializers;
    });

  test('alpha scales the weights, beta the bias; transB reads W as [units, inputs]', () => {
    // 2·(0.5·x0 − 0.25·x1) + 4·0.125 at [1, 2] and [3, −1]
    expect(fromONNX(gemm([floatAttr('alpha', 2), floatAttr('beta', 4)])).predict([[1, 2], [3, -1]])).toEqual([[0.5], [4]]);
    predictsBase(fromONNX(gemm([intAttribute('transB', 1)], ['x', 'Wt', 'b'], [tensor('Wt', [1, 2], f32([0.5, -0.25])), tensor('b', [1], f32([0.125]))])));
    expect(message(() => fromONNX(gemm([intAttribute('transB', 1)])))).toBe('Gemm (node "dense"): weight "W" of shape [2, 1] (transB=1) expects 1 inputs, but the data has 2 columns');
  });

  test('refusals: transA, the data second, a computed weight, a weight that is not 2-D or is empty, a MatMul with a third input, a computed or misshapen bias', () => {
    expect(message(() => fromONNX(gemm([intAttribute('transA', 1)])))).toBe('Gemm (node "dense") has transA=1 on the data; wasmnet needs data as [batch, features]');
    expect(message(() => fromONNX(gemm([], ['W', 'x', 'b'])))).toBe('Gemm (node "dense") takes the data as its second operand; wasmnet needs data × weights');
    expect(message(() => fromONNX(gemm([], ['x', 'x', 'b'])))).toBe('Gemm (node "dense") multiplies two computed tensors; its second operand must be a constant weight matrix');
    expect(message(() => fromONNX(gemm([], ['x', 'W3', 'b'], [tensor('W3', [2, 1, 1], f32([0.5, -0.25])), tensor('b', [1], f32([0.125]))])))).toBe('Gemm (node "dense"): weight "W3" has shape [2, 1, 1]; a dense layer\'s weight is 2-D');
    expect(message(() => fromONNX(gemm([], ['x', 'W0', 'b'], [tensor('W0', [2, 0], new Uint8Array(0)), tensor('b', [1], f32([0.125]))])))).toBe('Gemm (node "dense"): weight "W0" has an empty shape [2, 0]');
    expect(message(() => fromONNX(gemm([], ['x', 'W', 'b'], undefined, 'MatMul')))).toBe('MatMul (node "dense") must have two inputs');
    expect(message(() => fromONNX(gemm([], ['x', 'W', 'x'])))).toBe('Gemm (node "dense"): its bias C must be a constant');
    expect(message(() => fromONNX(gemm([], ['x', 'W', 'b2'], [tensor('W', [2, 1], f32([0.5, -0.25])), tensor('b2', [2], f32([1, 2]))])))).toBe('Gemm (node "dense"): bias "b2" has shape [2]; expected [1] or [1, 1]');
    // a scalar bias, [1] and [1, 1] broadcast
    for (const dims of [[], [1], [1, 1]]) predictsBase(fromONNX(gemm([], ['x', 'W', 'c'], [tensor('W', [2, 1], f32([0.5, -0.25])), tensor('c', dims, f32([0.125]))])));
  });

  test("Add's constant may come first", () => {
    const bytes = onnx((g) => {
      g.nodes = [node('MatMul', ['x', 'W'], ['h'], [], 'mm'), node('Add', ['b', 'h'], ['y'], [], 'bias')];
    });
    predictsBase(fromONNX(bytes));
  });
});

describe('the graph as a whole', () => {
  test('a tensor written twice, or both an initializer and an output; a cycle named by a node on it', () => {
    expect(message(() => fromONNX(onnx((g) => g.nodes.push(node('Relu', ['y'], ['y'], [], 'again')))))).toBe('tensor "y" is written twice (by Gemm (node "dense") and Relu (node "again")); an ONNX tensor has one producer');
    expect(message(() => fromONNX(onnx((g) => g.nodes.push(node('Relu', ['y'], ['z', 'z'], [], 'twice')))))).toBe('tensor "z" is written twice (twice by Relu (node "twice")); an ONNX tensor has one producer');
    expect(message(() => fromONNX(onnx((g) => g.nodes.push(node('Relu', ['y'], ['b'], [], 'over')))))).toBe('tensor "b" is both an initializer and an output of Relu (node "over"); an ONNX tensor has one producer');
    expect(message(() => fromONNX(onnx((g) => g.nodes.push(node('Relu', ['z2'], ['z1'], [], 'one'), node('Relu', ['z1'], ['z2'], [], 'two')))))).toBe('Relu (node "one") is on a cycle: it reads, through the graph, a tensor it writes itself; an ONNX graph is acyclic');
  });
});

/** x [batch, 1, 2] → x.view(x.size(0), -1) with the Gather index `index` (and `more` nodes) → the base Gemm */
const viewWithIndex = (index: Uint8Array, more: Uint8Array[] = []) =>
  onnx((g) => {
    g.inputs = [value('x', [null, 1, 2])];
    g.nodes = [
      node('Shape', ['x'], ['shape'], [], 'shape'),
      node('Gather', ['shape', 'zero'], ['batch'], [], 'gather'),
      node('Unsqueeze', ['batch', 'axes'], ['batch1'], [], 'unsqueeze'),
      node('Concat', ['batch1', 'minus1'], ['target'], [intAttribute('axis', 0)], 'concat'),
      node('Reshape', ['x', 'target'], ['f'], [], 'view'),
      ...more,
      node('Gemm', ['f', 'W', 'b'], ['y'], [], 'dense'),
    ];
    g.initializers.push(index, tensor('axes', [1], i64([0]), INT64), tensor('minus1', [1], i64([-1]), INT64));
  });

describe('tensors of other types, and the graph checks', () => {
  test('an INT32 Gather index, raw or in int32_data, reads as the INT64 one', () => {
    predictsBase(fromONNX(viewWithIndex(tensor('zero', [], i32([0]), 6))));
    predictsBase(fromONNX(viewWithIndex(tensor('zero', [], undefined, 6, [intField(5, 0)]))));
    // index 1 (the features, not the batch) is not the view chain
    expect(message(() => fromONNX(viewWithIndex(tensor('zero', [], i32([1]), 6))))).toMatch(/^input "x" has shape \[\?, 1, 2\]; Reshape \(node "view"\) does not flatten it/);
  });

  test('a tensor of a type wasmnet does not read, where a shape is read: named with its type', () => {
    const bytes = onnx((g) => {
      g.inputs = [value('x', [null, 1, 2])];
      g.nodes = [node('Reshape', ['x', 's'], ['f'], [], 'view'), node('Gemm', ['f', 'W', 'b'], ['y'], [], 'dense')];
      g.initializers.push(tensor('s', [2], new Uint8Array(4), 8));
    });
    expect(message(() => fromONNX(bytes))).toBe('Reshape (node "view"): tensor "s" has data type 8; wasmnet reads FLOAT (1) and DOUBLE (11) weights');
  });

  test('a non-finite first value is named with index 0', () => {
    expect(message(() => fromONNX(onnx((g) => (g.initializers[0] = tensor('W', [2, 1], f32([Infinity, 1]))))))).toBe('Gemm (node "dense"): tensor "W"[0] is Infinity; weights must be finite');
  });

  test("outputs left out ('') are not tensors: two nodes may leave out theirs", () => {
    const bytes = onnx((g) => {
      g.nodes.push(node('Dropout', ['y'], ['d1', ''], [], 'drop1'), node('Dropout', ['d1'], ['d2', ''], [], 'drop2'));
      g.outputs = [value('d2', [null, 1])];
    });
    predictsBase(fromONNX(bytes));
  });

  test('a cycle is named by a node on it, not by one after it', () => {
    const bytes = onnx((g) => g.nodes.push(node('Relu', ['z2'], ['after'], [], 'after'), node('Relu', ['z2'], ['z1'], [], 'one'), node('Relu', ['z1'], ['z2'], [], 'two')));
    expect(message(() => fromONNX(bytes))).toMatch(/^Relu \(node "(one|two)"\) is on a cycle: it reads, through the graph, a tensor it writes itself; an ONNX graph is acyclic$/);
  });
});

describe("skl2onnx's float64 forms, and the layer's arithmetic", () => {
  /** x → Gemm (2 units: W, b) → Sigmoid or Softmax → y, then `tail` reading y; output z */
  const scores = (W: number[], b: number[], activation: string, tail: Uint8Array[], extra: Uint8Array[] = [], opset = 17) =>
    model(
      {
        nodes: [node('Gemm', ['x', 'W', 'b'], ['h'], [], 'dense'), node(activation, ['h'], ['y'], [], 'act'), ...tail],
        initializers: [tensor('W', [2, 2], f32(W)), tensor('b', [2], f32(b)), ...extra],
        inputs: [value('x', [null, 2])],
        outputs: [value('z', [null, 2])],
      },
      { opset },
    );
  const l1 = cat([node('Normalizer', ['y'], ['z'], [sAttribute('norm', 'L1')], 'l1'), strField(7, 'ai.onnx.ml')]);

  test('two sigmoid units with negated weights and biases are softmax over [0, z]; any other pair is not', () => {
    // z = 0.5·x0 − 0.25·x1 + 0.125; [σ(−z), σ(z)]
    const net = fromONNX(scores([-0.5, 0.5, 0.25, -0.25], [-0.125, 0.125], 'Sigmoid', [l1]));
    const [p0, p1] = net.predict([[1, 2]])[0]!;
    expect(p1).toBeCloseTo(1 / (1 + Math.exp(-0.125)), 15);
    expect(p0! + p1!).toBeCloseTo(1, 15);
    expect((net.toJSON().config.layers as { activation: string }[])[0]!.activation).toBe('softmax');
    const refused = 'Normalizer (node "l1") normalizes (L1) the sigmoid scores of 2 classes; wasmnet reads L1 after a softmax (a no-op), not one-vs-rest probabilities (sigmoids over their sum)';
    expect(message(() => fromONNX(scores([-0.5, 0.5, 0.25, -0.5], [-0.125, 0.125], 'Sigmoid', [l1])))).toBe(refused);
    expect(message(() => fromONNX(scores([-0.5, 0.5, -0.25, -0.25], [-0.125, 0.125], 'Sigmoid', [l1])))).toBe(refused);
    expect(message(() => fromONNX(scores([-0.5, 0.5, 0.25, -0.25], [-0.125, 0.25], 'Sigmoid', [l1])))).toBe(refused);
  });

  test('the written-out L1 (Abs → ReduceSum over axis 1, keepdims → Div): read after a softmax, axes as an input or an attribute', () => {
    const written = (axes: number[] | undefined, attributes: Uint8Array[] = [], divInputs = ['y', 's']) => [
      node('Abs', ['y'], ['a'], [], 'abs'),
      node('ReduceSum', axes ? ['a', 'axes'] : ['a'], ['s'], attributes, 'sum'),
      node('Div', divInputs, ['z'], [], 'div'),
    ];
    const W = [1, 0, 0, 1];
    const b = [0, 0];
    for (const axis of [1, -1]) {
      expect(fromONNX(scores(W, b, 'Softmax', written([axis]), [tensor('axes', [1], i64([axis]), INT64)])).predict([[0, 0]])).toEqual([[0.5, 0.5]]);
    }
    expect(fromONNX(scores(W, b, 'Softmax', written(undefined, [intsAttribute('axes', [1])]), [], 11)).predict([[0, 0]])).toEqual([[0.5, 0.5]]);
    const branch = 'tensor "y" feeds 2 operators (Abs (node "abs"), Div (node "div")): wasmnet loads a chain of layers, not a branching graph';
    // over axis 0, without keepdims, with no axes, or dividing the sum by the scores: not an L1
    expect(message(() => fromONNX(scores(W, b, 'Softmax', written([0]), [tensor('axes', [1], i64([0]), INT64)])))).toBe(branch);
    expect(message(() => fromONNX(scores(W, b, 'Softmax', written([1], [intAttribute('keepdims', 0)]), [tensor('axes', [1], i64([1]), INT64)])))).toBe(branch);
    expect(message(() => fromONNX(scores(W, b, 'Softmax', written(undefined))))).toBe(branch);
    expect(message(() => fromONNX(scores(W, b, 'Softmax', written([1], [], ['s', 'y']), [tensor('axes', [1], i64([1]), INT64)])))).toMatch(/^tensor "y" feeds 2 operators/);
    // after two sigmoid units that are not a binary softmax: named
    expect(message(() => fromONNX(scores(W, b, 'Sigmoid', written([1]), [tensor('axes', [1], i64([1]), INT64)])))).toBe(
      'Abs (node "abs") normalizes (L1) the sigmoid scores of 2 classes; wasmnet reads L1 after a softmax (a no-op), not one-vs-rest probabilities (sigmoids over their sum)',
    );
  });

  test('a Gemm without C has no bias; beta\'s product and a [?, ?] input\'s empty weight are checked', () => {
    predictsBase(fromONNX(onnx((g) => (g.nodes = [node('Gemm', ['x', 'W'], ['y'], [], 'dense')], g.initializers = [tensor('W', [2, 1], f32([0.5, -0.25]))], g.nodes.push(node('Add', ['y', 'b'], ['z'], [], 'bias')), g.initializers.push(tensor('b', [1], f32([0.125]))), (g.outputs = [value('z', [null, 1])])))));
    expect(message(() => fromONNX(onnx((g) => ((g.nodes = [node('Gemm', ['x', 'W', 'big'], ['y'], [floatAttr('beta', 4)], 'dense')]), g.initializers.push(tensor('big', [1], f64([1e308]), 11))))))).toBe(
      'Gemm (node "dense"): tensor "big"[0] × beta 4 is Infinity; weights must be finite',
    );
    expect(message(() => fromONNX(onnx((g) => ((g.inputs = [value('x', [null, null])]), (g.initializers = [tensor('W', [0, 1], new Uint8Array(0)), tensor('b', [1], f32([0.125]))])))))).toBe(
      'Gemm (node "dense"): weight "W" has an empty shape [0, 1]',
    );
    // a MatMul's attributes are not Gemm's: an alpha on it scales nothing
    predictsBase(fromONNX(onnx((g) => ((g.nodes = [node('MatMul', ['x', 'W'], ['h'], [floatAttr('alpha', 2)], 'mm'), node('Add', ['h', 'b'], ['y'], [], 'bias')])))));
  });

  test('biases of more dimensions than two are refused even when they hold one value', () => {
    expect(message(() => fromONNX(onnx((g) => (g.initializers[1] = tensor('b', [1, 1, 1], f32([0.125]))))))).toBe('Gemm (node "dense"): bias "b" has shape [1, 1, 1]; expected [1] or [1, 1]');
  });

  test('the view chain is not read when the input has another reader', () => {
    const bytes = viewWithIndex(tensor('zero', [], i64([0]), INT64), [node('Relu', ['x'], ['other'], [], 'other')]);
    expect(message(() => fromONNX(bytes))).toMatch(/^input "x" has shape \[\?, 1, 2\]; Reshape \(node "view"\) does not flatten it/);
  });
});

describe('the written-out L1 and the binary pair, condition by condition', () => {
  /** x → Gemm (2 units) → Softmax → y → `tail`, output z */
  const softmaxThen = (tail: Uint8Array[], extra: Uint8Array[] = [], outputs = ['z'], W = [1, 0, 0, 1], b = [0, 0]) =>
    model({
      nodes: [node('Gemm', ['x', 'W', 'b'], ['h'], [], 'dense'), node('Softmax', ['h'], ['y'], [], 'act'), ...tail],
      initializers: [tensor('W', [2, 2], f32(W)), tensor('b', [2], f32(b)), tensor('axes', [1], i64([1]), INT64), ...extra],
      inputs: [value('x', [null, 2])],
      outputs: outputs.map((o) => value(o, [null, 2])),
    });
  const abs = node('Abs', ['y'], ['a'], [], 'abs');
  const sum = node('ReduceSum', ['a', 'axes'], ['s'], [], 'sum');
  const div = node('Div', ['y', 's'], ['z'], [], 'div');

  test('found whatever the order of its nodes in the file', () => {
    expect(fromONNX(softmaxThen([div, sum, abs])).predict([[0, 0]])).toEqual([[0.5, 0.5]]);
    expect(fromONNX(softmaxThen([abs, div, sum])).predict([[0, 0]])).toEqual([[0.5, 0.5]]);
  });

  test('each part out of place: not an L1 normalization', () => {
    const variants: [string, Uint8Array[], Uint8Array[], string[]][] = [
      ['Abs read twice', [abs, sum, div, node('Identity', ['a'], ['a2'], [], 'extra')], [], ['z', 'a2']],
      ['a ReduceMean', [abs, node('ReduceMean', ['a', 'axes'], ['s'], [], 'sum'), div], [], ['z']],
      ['the sum read twice', [abs, sum, div, node('Identity', ['s'], ['s2'], [], 'extra')], [], ['z', 's2']],
      ['a Div by a constant', [abs, sum, node('Div', ['y', 'two'], ['z'], [], 'div'), node('Identity', ['s'], ['s2'], [], 'reader')], [tensor('two', [], f32([2]))], ['z', 's2']],
      ['a ReduceSum of something else', [abs, node('Identity', ['a'], ['a2'], [], 'copy'), node('ReduceSum', ['a2', 'axes'], ['s'], [], 'sum'), div], [], ['z']],
      ['axes [1, 0]', [abs, node('ReduceSum', ['a', 'axes2'], ['s'], [], 'sum'), div], [tensor('axes2', [2], i64([1, 0]), INT64)], ['z']],
    ];
    for (const [what, tail, extra, outputs] of variants) {
      report(what);
      expect(message(() => fromONNX(softmaxThen(tail, extra, outputs)))).toBe(
        'tensor "y" feeds 2 operators (Abs (node "abs"), Div (node "div")): wasmnet loads a chain of layers, not a branching graph',
      );
    }
  });

  test('a label ArgMax beside Abs and Div: not the L1 normalization skl2onnx writes', () => {
    const argmax = node('ArgMax', ['y'], ['label'], [cat([strField(1, 'axis'), intField(3, 1), intField(20, 2)])], 'argmax');
    expect(message(() => fromONNX(softmaxThen([abs, sum, div, argmax], [], ['z', 'label'])))).toBe(
      'tensor "y" feeds 2 operators (Abs (node "abs"), Div (node "div")): wasmnet loads a chain of layers, not a branching graph',
    );
  });

  test('four sigmoid units whose first two are a negated pair: not a binary softmax', () => {
    const l1 = cat([node('Normalizer', ['y'], ['z'], [sAttribute('norm', 'L1')], 'l1'), strField(7, 'ai.onnx.ml')]);
    const bytes = model({
      nodes: [node('Gemm', ['x', 'W', 'b'], ['h'], [], 'dense'), node('Sigmoid', ['h'], ['y'], [], 'act'), l1],
      initializers: [tensor('W', [2, 4], f32([0.5, -0.5, 0.25, -0.25, 1, -1, 2, -2])), tensor('b', [4], f32([-0.125, 0.125, 0.5, 0.75]))],
      inputs: [value('x', [null, 2])],
      outputs: [value('z', [null, 4])],
    });
    expect(message(() => fromONNX(bytes))).toBe(
      'Normalizer (node "l1") normalizes (L1) the sigmoid scores of 4 classes; wasmnet reads L1 after a softmax (a no-op), not one-vs-rest probabilities (sigmoids over their sum)',
    );
  });

  test('two softmax units with negated weights stay a softmax over both (only sigmoid pairs are rewritten)', () => {
    const l1 = cat([node('Normalizer', ['y'], ['z'], [sAttribute('norm', 'L1')], 'l1'), strField(7, 'ai.onnx.ml')]);
    // softmax([−z, z]) with z = 0.5: p1 = σ(2z) = σ(1)
    const [p0, p1] = fromONNX(softmaxThen([l1], [], ['z'], [-0.5, 0.5, 0, 0], [0, 0])).predict([[1, 0]])[0]!;
    expect(p1).toBeCloseTo(1 / (1 + Math.exp(-1)), 15);
    expect(p0! + p1!).toBeCloseTo(1, 15);
  });
});

describe('shapes, biases and indices at their edges', () => {
  const reshapeTo = (shape: Uint8Array) =>
    onnx((g) => {
      g.inputs = [value('x', [null, 1, 2])];
      g.nodes = [node('Reshape', ['x', 's'], ['f'], [], 'view'), node('Gemm', ['f', 'W', 'b'], ['y'], [], 'dense')];
      g.initializers.push(shape);
    });
  const notFlat = /^input "x" has shape \[\?, 1, 2\]; Reshape \(node "view"\) does not flatten it to \[batch, features\]/;

  test('a raw INT32 shape [0, −1] reads as the INT64 one (little-endian, value by value)', () => {
    predictsBase(fromONNX(reshapeTo(tensor('s', [2], i32([0, -1]), 6))));
    predictsBase(fromONNX(reshapeTo(tensor('s', [2], i32([-1, 2]), 6))));
  });

  test('reshapes to [2, 2] or [−1, 0] do not flatten', () => {
    expect(message(() => fromONNX(reshapeTo(tensor('s', [2], i64([2, 2]), INT64))))).toMatch(notFlat);
    expect(message(() => fromONNX(reshapeTo(tensor('s', [2], i64([-1, 0]), INT64))))).toMatch(notFlat);
  });

  test('view chains with an Add for the Concat, an Identity for the Shape, or a Gather index of two values: not the view chain', () => {
    const view = (change: { concat?: string; shape?: string; index?: number[] }) =>
      onnx((g) => {
        g.inputs = [value('x', [null, 1, 2])];
        g.nodes = [
          node(change.shape ?? 'Shape', ['x'], ['shape'], [], 'shape'),
          node('Gather', ['shape', 'zero'], ['batch'], [], 'gather'),
          node('Unsqueeze', ['batch', 'axes'], ['batch1'], [], 'unsqueeze'),
          node(change.concat ?? 'Concat', ['batch1', 'minus1'], ['target'], change.concat ? [] : [cat([strField(1, 'axis'), intField(3, 0), intField(20, 2)])], 'concat'),
          node('Reshape', ['x', 'target'], ['f'], [], 'view'),
          node('Gemm', ['f', 'W', 'b'], ['y'], [], 'dense'),
        ];
        const index = change.index ?? [0];
        g.initializers.push(tensor('zero', index.length === 1 ? [] : [index.length], i64(index), INT64), tensor('axes', [1], i64([0]), INT64), tensor('minus1', [1], i64([-1]), INT64));
      });
    predictsBase(fromONNX(view({})));
    for (const change of [{ concat: 'Add' }, { shape: 'Identity' }, { index: [0, 0] }]) {
      report(JSON.stringify(change));
      expect(message(() => fromONNX(view(change)))).toMatch(notFlat);
    }
  });

  test('biases: a [1, 1] or scalar bias on two units broadcasts; [3, 2] and [1, 2, 1] do not', () => {
    const twoUnits = (C: Uint8Array, op: 'Gemm' | 'Add' = 'Gemm') =>
      model({
        nodes: op === 'Gemm' ? [node('Gemm', ['x', 'W', 'c'], ['y'], [], 'dense')] : [node('MatMul', ['x', 'W'], ['h'], [], 'mm'), node('Add', ['h', 'c'], ['y'], [], 'bias')],
        initializers: [tensor('W', [2, 2], f32([1, 0, 0, 1])), C],
        inputs: [value('x', [null, 2])],
        outputs: [value('y', [null, 2])],
      });
    for (const op of ['Gemm', 'Add'] as const) {
      expect(fromONNX(twoUnits(tensor('c', [1, 1], f32([0.5])), op)).predict([[1, 2]])).toEqual([[1.5, 2.5]]);
      expect(fromONNX(twoUnits(tensor('c', [], f32([0.5])), op)).predict([[1, 2]])).toEqual([[1.5, 2.5]]);
    }
    expect(message(() => fromONNX(twoUnits(tensor('c', [3, 2], f32([1, 2, 3, 4, 5, 6])))))).toBe('Gemm (node "dense"): bias "c" has shape [3, 2]; expected [2] or [1, 2]');
    expect(message(() => fromONNX(twoUnits(tensor('c', [1, 2, 1], f32([1, 2])))))).toBe('Gemm (node "dense"): bias "c" has shape [1, 2, 1]; expected [2] or [1, 2]');
    expect(message(() => fromONNX(twoUnits(tensor('c', [1, 3], f32([1, 2, 3])))))).toBe('Gemm (node "dense"): bias "c" has shape [1, 3]; expected [2] or [1, 2]');
  });

  test('an Add of three inputs is not a bias', () => {
    const bytes = onnx((g) => {
      g.nodes = [node('MatMul', ['x', 'W'], ['h'], [], 'mm'), node('Add', ['h', 'b', 'b'], ['y'], [], 'bias3')];
    });
    expect(message(() => fromONNX(bytes))).toBe('Add (node "bias3") is not supported here: after tensor "h" wasmnet expects a dense layer, an activation or a no-op');
  });

  test('a cycle reached through a node that also reads a finished tensor', () => {
    const bytes = onnx((g) => g.nodes.push(node('Add', ['y', 'z2'], ['after'], [], 'after'), node('Relu', ['z2'], ['z1'], [], 'one'), node('Relu', ['z1'], ['z2'], [], 'two')));
    expect(message(() => fromONNX(bytes))).toMatch(/^Relu \(node "(one|two)"\) is on a cycle/);
  });
});

describe('no-ops, single activations, column picks', () => {
  /** the base model, then `after` reading y; output z */
  const then = (after: Uint8Array[], extra: Uint8Array[] = []) =>
    onnx((g) => {
      g.nodes.push(...after);
      g.initializers.push(...extra);
      g.outputs = [value('z', [null, 1])];
    });

  test('Cast to a float type, Flatten(axis=1) and a Reshape that keeps [batch, width] are no-ops; others are named', () => {
    predictsBase(fromONNX(then([node('Cast', ['y'], ['z'], [intAttribute('to', 11)], 'cast')])));
    predictsBase(fromONNX(then([node('Cast', ['y'], ['z'], [intAttribute('to', 1)], 'cast')])));
    expect(message(() => fromONNX(then([node('Cast', ['y'], ['z'], [intAttribute('to', 7)], 'cast')])))).toBe('Cast (node "cast") casts to data type 7; wasmnet computes in floating point');
    expect(message(() => fromONNX(then([node('Cast', ['y'], ['z'], [], 'cast')])))).toBe('Cast (node "cast") casts to data type 0; wasmnet computes in floating point');
    predictsBase(fromONNX(then([node('Flatten', ['y'], ['z'], [], 'flat')])));
    expect(message(() => fromONNX(then([node('Flatten', ['y'], ['z'], [intAttribute('axis', 0)], 'flat')])))).toBe('Flatten (node "flat") has axis 0; only Flatten(axis=1) keeps [batch, features]');
    for (const shape of [[-1, 1], [0, 1], [0, -1]]) predictsBase(fromONNX(then([node('Reshape', ['y', 's'], ['z'], [], 'view')], [tensor('s', [2], i64(shape), INT64)])));
    for (const shape of [[-1, 2], [0, 2], [1, 1], [-1, -1]]) {
      expect(message(() => fromONNX(then([node('Reshape', ['y', 's'], ['z'], [], 'view')], [tensor('s', [2], i64(shape), INT64)])))).toBe(`Reshape (node "view") reshapes to [${shape.join(', ')}]; wasmnet keeps [batch, 1]`);
    }
    expect(message(() => fromONNX(then([node('Reshape', ['y', 's'], ['z'], [], 'view')], [tensor('s', [3], i64([-1, 1, 1]), INT64)])))).toBe('Reshape (node "view") reshapes to [?]; wasmnet keeps [batch, 1]');
    expect(message(() => fromONNX(then([node('Reshape', ['y', 'y'], ['z'], [], 'view')])))).toBe('Reshape (node "view") reshapes to [?]; wasmnet keeps [batch, 1]');
    // before the first layer of a [batch, ?] input, the width is not known yet
    const early = onnx((g) => {
      g.inputs = [value('x', [null, null])];
      g.nodes.unshift(node('Reshape', ['x', 's'], ['x2'], [], 'view'));
      g.nodes[1] = node('Gemm', ['x2', 'W', 'b'], ['y'], [], 'dense');
      g.initializers.push(tensor('s', [2], i64([-1, 3]), INT64));
    });
    expect(message(() => fromONNX(early))).toBe('Reshape (node "view") reshapes to [-1, 3]; wasmnet keeps [batch, features]');
    expect(message(() => fromONNX(then([node('Identity', ['b', 'y'], ['z'], [], 'odd')])))).toBe('Identity (node "odd") does not take the data as its first input');
  });

  test("single activations: LeakyRelu's and Elu's defaults, Selu's constants, Gelu's approximations", () => {
    const layer = (op: string, attributes: Uint8Array[] = []) => (fromONNX(then([node(op, ['y'], ['h'], attributes, 'act'), node('Gemm', ['h', 'one', 'zero'], ['z'], [], 'head')], [tensor('one', [1, 1], f32([1])), tensor('zero', [1], f32([0]))])).toJSON().config.layers as { activation: string; alpha?: number }[])[0]!;
    expect(layer('LeakyRelu')).toMatchObject({ activation: 'leakyRelu', alpha: 0.01 });
    expect(layer('Elu')).toMatchObject({ activation: 'elu', alpha: 1 });
    expect(layer('Selu')).toMatchObject({ activation: 'selu' });
    expect(layer('Softplus')).toMatchObject({ activation: 'softplus' });
    expect(layer('Tanh')).toMatchObject({ activation: 'tanh' });
    expect(layer('Gelu')).toMatchObject({ activation: 'geluExact' });
    expect(layer('Gelu', [cat([strField(1, 'approximate'), strField(4, 'tanh'), intField(20, 3)])])).toMatchObject({ activation: 'gelu' });
    expect(layer('Gelu', [cat([strField(1, 'approximate'), strField(4, 'none'), intField(20, 3)])])).toMatchObject({ activation: 'geluExact' });
    expect(() => layer('Selu', [floatAttr('alpha', 1.5)])).toThrow(new FormatError('Selu (node "act") has alpha 1.5, gamma 1.0507009873554805; wasmnet\'s selu uses the standard constants'));
    expect(() => layer('Selu', [floatAttr('gamma', 1)])).toThrow(new FormatError('Selu (node "act") has alpha 1.6732632423543772, gamma 1; wasmnet\'s selu uses the standard constants'));
  });

  test('an ArrayFeatureExtractor that picks a column out of range is named', () => {
    const pick = (k: number) =>
      model({
        nodes: [node('Gemm', ['x', 'W', 'b'], ['y'], [], 'dense'), cat([node('ArrayFeatureExtractor', ['y', 'k'], ['z'], [], 'pick'), strField(7, 'ai.onnx.ml')])],
        initializers: [tensor('W', [2, 2], f32([1, 0, 0, 1])), tensor('b', [2], f32([0, 0])), tensor('k', [1], i64([k]), INT64)],
        inputs: [value('x', [null, 2])],
        outputs: [value('z', [null, 1])],
      });
    expect(fromONNX(pick(1)).predict([[3, 4]])).toEqual([[4]]);
    expect(fromONNX(pick(0)).predict([[3, 4]])).toEqual([[3]]);
    expect(message(() => fromONNX(pick(2)))).toBe('ArrayFeatureExtractor (node "pick") picks column 2 of 2');
    expect(message(() => fromONNX(pick(-1)))).toBe('ArrayFeatureExtractor (node "pick") picks column -1 of 2');
  });

  test('a column that cannot be folded into the last layer is not a label: refused when it is all the graph outputs', () => {
    // x → Gemm (2 units) → `before` → ArrayFeatureExtractor(src, k) → z [batch, 1], then `after`
    const graph = (before: Uint8Array[], src: string, k = 'k', after: Uint8Array[] = [], out = 'z') =>
      model({
        nodes: [node('Gemm', ['x', 'W', 'b'], ['y'], [], 'dense'), ...before, ml('ArrayFeatureExtractor', [src, k], ['z'], [], 'pick'), ...after],
        initializers: [tensor('W', [2, 2], f32([1, 0, 0, 1])), tensor('b', [2], f32([0, 0])), tensor('k', [1], i64([1]), INT64), tensor('k2', [2], i64([0, 1]), INT64), tensor('one', [1, 1], f32([1])), tensor('ones', [2], f32([1, 1])), tensor('zeros', [2], f32([0, 0]))],
        inputs: [value('x', [null, 2])],
        outputs: [value(out, [null, 1])],
      });
    const end = (t: string) => `the chain of layers ends at tensor "${t}", which is not a graph output`;
    // after a softmax (the columns depend on each other), by a computed index, of the input itself
    expect(message(() => fromONNX(graph([node('Softmax', ['y'], ['n'], [], 'act')], 'n')))).toBe(end('n'));
    expect(message(() => fromONNX(graph([node('Relu', ['y'], ['n'], [], 'act'), node('Identity', ['k'], ['kk'], [], 'index')], 'n', 'kk')))).toBe(end('n'));
    expect(message(() => fromONNX(graph([], 'x')))).toBe(end('y'));
    // by an index of two values (a pick is of one column)
    expect(message(() => fromONNX(graph([node('Relu', ['y'], ['n'], [], 'act')], 'n', 'k2')))).toBe(end('n'));
    // after a normalization layer: not folded into it, so a dense layer after the pick is never reached
    const bn = node('BatchNormalization', ['y', 'ones', 'zeros', 'zeros', 'ones'], ['n'], [], 'bn');
    expect(message(() => fromONNX(graph([bn], 'n', 'k', [node('Gemm', ['z', 'one'], ['w'], [], 'head')], 'w')))).toBe('the ONNX graph ends with a normalization; wasmnet networks end with a dense layer');
    // a softmax's output with labels computed from it is read, the labels left out
    const labels = model({
      nodes: [node('Gemm', ['x', 'W', 'b'], ['y'], [], 'dense'), node('Softmax', ['y'], ['n'], [], 'act'), node('ArgMax', ['n'], ['label'], [intAttribute('axis', 1)], 'argmax')],
      initializers: [tensor('W', [2, 2], f32([1, 0, 0, 1])), tensor('b', [2], f32([0, 0]))],
      inputs: [value('x', [null, 2])],
      outputs: [value('label', [null, 1])],
    });
    expect(fromONNX(labels).predict([[0, 0]])).toEqual([[0.5, 0.5]]);
  });
});

describe('activations written out: each operator the recogniser evaluates', () => {
  // The base model's y, then `region` (reading y, writing h), then a 1 → 1 Gemm head, so that the
  // recognised activation is the first layer's. Constants: one = 1, zero = 0, two = 2, six = 6.
  const constants = [tensor('one', [], f32([1])), tensor('zero', [], f32([0])), tensor('two', [], f32([2])), tensor('half', [], f32([0.5])), tensor('six', [], f32([6])), tensor('w1', [1, 1], f32([1])), tensor('b0', [1], f32([0]))];
  const bytes = (region: Uint8Array[], extra: Uint8Array[] = []) =>
    onnx((g) => {
      g.nodes.push(...region, node('Gemm', ['h', 'w1', 'b0'], ['z'], [], 'head'));
      g.initializers.push(...constants, ...extra);
      g.outputs = [value('z', [null, 1])];
    });
  const first = (region: Uint8Array[], extra: Uint8Array[] = []) => (fromONNX(bytes(region, extra)).toJSON().config.layers as { activation: string; alpha?: number }[])[0]!;
  /** y · 1, then `op` on it: a region of two nodes, so `op` is evaluated rather than read alone */
  const after = (op: string, attributes: Uint8Array[] = []) => [node('Mul', ['y', 'one'], ['m'], [], 'scale'), node(op, ['m'], ['h'], attributes, 'act')];
  const gelu = (approximate: string) => cat([strField(1, 'approximate'), strField(4, approximate), intField(20, 3)]);

  test("LeakyRelu and Elu inside a region: their α (ONNX's default when absent) is the activation's", () => {
    expect(first(after('LeakyRelu', [floatAttr('alpha', 0.25)]))).toMatchObject({ activation: 'leakyRelu', alpha: 0.25 });
    expect(first(after('LeakyRelu'))).toMatchObject({ activation: 'leakyRelu', alpha: 0.01 });
    expect(first(after('Elu', [floatAttr('alpha', 0.5)]))).toMatchObject({ activation: 'elu', alpha: 0.5 });
    expect(first(after('Elu'))).toMatchObject({ activation: 'elu', alpha: 1 });
  });

  test('Selu, Softplus, Gelu (both forms), Sigmoid, Tanh and Relu inside a region', () => {
    expect(first(after('Selu'))).toMatchObject({ activation: 'selu' });
    expect(first(after('Softplus'))).toMatchObject({ activation: 'softplus' });
    expect(first(after('Gelu'))).toMatchObject({ activation: 'geluExact' });
    expect(first(after('Gelu', [gelu('tanh')]))).toMatchObject({ activation: 'gelu' });
    expect(first(after('Sigmoid'))).toMatchObject({ activation: 'sigmoid' });
    expect(first(after('Tanh'))).toMatchObject({ activation: 'tanh' });
    expect(first(after('Relu'))).toMatchObject({ activation: 'relu' });
    // a Selu with other constants computes none of them: named with the region's operators
    for (const constant of ['gamma', 'alpha']) {
      expect(message(() => fromONNX(bytes(after('Selu', [floatAttr(constant, 2)]))))).toBe(
        'the operators Mul, Selu from Mul (node "scale") compute an elementwise function that is none of wasmnet\'s activations',
      );
    }
  });

  test('Max and Min of the data and a constant, or of the data alone', () => {
    expect(first([node('Max', ['y', 'zero'], ['h'], [], 'max')])).toMatchObject({ activation: 'relu' });
    expect(first([node('Max', ['y', 'zero'], ['r'], [], 'max'), node('Min', ['r', 'six'], ['h'], [], 'min')])).toMatchObject({ activation: 'relu6' });
    expect(first([node('Max', ['zero', 'y'], ['r'], [], 'max'), node('Min', ['six', 'r'], ['h'], [], 'min')])).toMatchObject({ activation: 'relu6' });
    // one operand: the data itself
    expect(first([node('Max', ['y'], ['h'], [], 'max')])).toMatchObject({ activation: 'linear' });
    expect(first([node('Min', ['y'], ['h'], [], 'min')])).toMatchObject({ activation: 'linear' });
    expect(first([node('Mul', ['y', 'one'], ['r'], [], 'scale'), node('Min', ['r'], ['h'], [], 'min')])).toMatchObject({ activation: 'linear' });
  });

  test('a region of 64 operators is read; one of 65 is refused by name, with the limit', () => {
    const muls = (n: number) => Array.from({ length: n }, (_, i) => node('Mul', [i === 0 ? 'y' : `m${i}`, 'one'], [i === n - 1 ? 'h' : `m${i + 1}`], [], `mul${i}`));
    expect(first(muls(64))).toMatchObject({ activation: 'linear' });
    expect(message(() => fromONNX(bytes(muls(65))))).toBe('the elementwise operators after tensor "y" run past 64 nodes; wasmnet reads an activation written out in at most 64');
  });

  test('values are compared to within 1e-6 · (1 + |value|): a float32 constant one ulp from 1 reads as 1, 1.0001 does not', () => {
    // y · (1 + 2⁻²³) differs from y by 1.07e-6 at y = 9: under 1e-5, over 1e-6 / 10
    expect(first([node('Mul', ['y', 'near'], ['h'], [], 'scale')], [tensor('near', [], f32([1 + 2 ** -23]))])).toMatchObject({ activation: 'linear' });
    expect(message(() => fromONNX(bytes([node('Mul', ['y', 'far'], ['h'], [], 'scale')], [tensor('far', [], f32([1.0001]))])))).toBe(
      'the operators Mul from Mul (node "scale") compute an elementwise function that is none of wasmnet\'s activations',
    );
  });

  test('what is not a region: named by the operator, or by the operand that is not a scalar constant', () => {
    const notHere = (what: string) => `${what} is not supported here: after tensor "y" wasmnet expects a dense layer, an activation or a no-op`;
    const stray = (what: string, input: string) => `${what} is not supported here: its input "${input}" is not a scalar constant; wasmnet reads activations whose other operands are scalar constants`;
    // a Clip with its min left out ('') and a max of two values: the max is named, not the ''
    expect(message(() => fromONNX(bytes([node('Clip', ['y', '', 'pair'], ['h'], [], 'clip')], [tensor('pair', [2], f32([0, 6]))])))).toBe(stray('Clip (node "clip")', 'pair'));
    // an input left out is read only as Clip's bound
    expect(message(() => fromONNX(bytes([node('Add', ['y', ''], ['h'], [], 'add')])))).toBe(notHere('Add (node "add")'));
    // an operator that is not elementwise, with an operand that is no scalar
    expect(message(() => fromONNX(bytes([node('Concat', ['y', 'W'], ['h'], [intAttribute('axis', 1)], 'cat')])))).toBe(notHere('Concat (node "cat")'));
    // an elementwise node with a second output is not part of an activation
    expect(message(() => fromONNX(bytes([node('Mul', ['y', 'one'], ['h', 'extra'], [], 'scale')])))).toBe(notHere('Mul (node "scale")'));
  });

  test('the arithmetic operators, as the textbook formulas write each activation', () => {
    // relu = ½(y + |y|) and = y − min(y, 0); sigmoid = 1/(1 + e^−y); softplus = ln(e^y + 1)
    expect(first([node('Abs', ['y'], ['a'], [], 'abs'), node('Add', ['y', 'a'], ['s'], [], 'sum'), node('Mul', ['s', 'half'], ['h'], [], 'halve')])).toMatchObject({ activation: 'relu' });
    expect(first([node('Min', ['y', 'zero'], ['n'], [], 'min'), node('Sub', ['y', 'n'], ['h'], [], 'sub')])).toMatchObject({ activation: 'relu' });
    expect(first([node('Neg', ['y'], ['n'], [], 'neg'), node('Exp', ['n'], ['e'], [], 'exp'), node('Add', ['e', 'one'], ['d'], [], 'add'), node('Reciprocal', ['d'], ['h'], [], 'inv')])).toMatchObject({ activation: 'sigmoid' });
    expect(first([node('Exp', ['y'], ['e'], [], 'exp'), node('Add', ['e', 'one'], ['d'], [], 'add'), node('Log', ['d'], ['h'], [], 'log')])).toMatchObject({ activation: 'softplus' });
    // relu = ½(y + √(y²)), with y² as Pow(y, 2); swish = y / (1 + e^−y)
    expect(first([node('Pow', ['y', 'two'], ['p'], [], 'pow'), node('Sqrt', ['p'], ['a'], [], 'sqrt'), node('Add', ['y', 'a'], ['s'], [], 'sum'), node('Div', ['s', 'two'], ['h'], [], 'halve')])).toMatchObject({ activation: 'relu' });
    expect(first([node('Neg', ['y'], ['n'], [], 'neg'), node('Exp', ['n'], ['e'], [], 'exp'), node('Add', ['one', 'e'], ['d'], [], 'add'), node('Div', ['y', 'd'], ['h'], [], 'div')])).toMatchObject({ activation: 'swish' });
    // the same formulas with one operator changed compute none of wasmnet's activations
    expect(message(() => fromONNX(bytes([node('Abs', ['y'], ['a'], [], 'abs'), node('Sub', ['y', 'a'], ['s'], [], 'sum'), node('Mul', ['s', 'two'], ['h'], [], 'halve')])))).toBe(
      'the operators Abs, Sub, Mul from Abs (node "abs") compute an elementwise function that is none of wasmnet\'s activations',
    );
    expect(message(() => fromONNX(bytes([node('Exp', ['y'], ['e'], [], 'exp'), node('Add', ['e', 'one'], ['d'], [], 'add'), node('Sqrt', ['d'], ['h'], [], 'log')])))).toBe(
      'the operators Exp, Add, Sqrt from Exp (node "exp") compute an elementwise function that is none of wasmnet\'s activations',
    );
    // y · ½ is not the exact GELU y · ½(1 + erf(y/√2)), nor y · 2 a leaky ReLU of α 2
    expect(message(() => fromONNX(bytes([node('Mul', ['y', 'half'], ['h'], [], 'halve')])))).toBe(
      'the operators Mul from Mul (node "halve") compute an elementwise function that is none of wasmnet\'s activations',
    );
  });
});

describe("skl2onnx's binary tail [1 − p, p], part by part", () => {
  // x → Gemm (1 unit) → Sigmoid → p; Sub(c, p) → q; Concat(q, p) → z [batch, 2]
  const tail = (sub: Uint8Array, concat: Uint8Array, extra: Uint8Array[] = [tensor('c', [], f32([1]))]) =>
    model({
      nodes: [node('Gemm', ['x', 'W', 'b'], ['h'], [], 'dense'), node('Sigmoid', ['h'], ['p'], [], 'act'), sub, concat],
      initializers: [tensor('W', [2, 1], f32([0.5, -0.25])), tensor('b', [1], f32([0.125])), ...extra],
      inputs: [value('x', [null, 2])],
      outputs: [value('z', [null, 2])],
    });
  const sub = node('Sub', ['c', 'p'], ['q'], [], 'sub');
  const concat = (inputs = ['q', 'p'], axis?: number) => node('Concat', inputs, ['z'], axis === undefined ? [] : [intAttribute('axis', axis)], 'cat');
  const branch = 'tensor "p" feeds 2 operators (Sub (node "sub"), Concat (node "cat")): wasmnet loads a chain of layers, not a branching graph';

  test('read as softmax over [0, z] with the axis 1, −1 or left out, and the 1 as a scalar or [1, 1]', () => {
    const p = 1 / (1 + Math.exp(-(0.5 - 0.25 * 2 + 0.125))); // x = [1, 2]
    for (const [c, axis] of [[tensor('c', [], f32([1])), 1], [tensor('c', [], f32([1])), -1], [tensor('c', [], f32([1])), undefined], [tensor('c', [1, 1], f32([1])), 1]] as const) {
      const net = fromONNX(tail(sub, concat(['q', 'p'], axis), [c]));
      expect(net.toJSON().config.layers).toMatchObject([{ units: 2, activation: 'softmax' }]);
      const [q0, q1] = net.predict([[1, 2]])[0]!;
      expect(q1).toBeCloseTo(p, 14);
      expect(q0).toBeCloseTo(1 - p, 14);
    }
  });

  test('each part out of place: a branch', () => {
    const variants: [string, Uint8Array, Uint8Array, Uint8Array[]?][] = [
      ['the constant is 2', sub, concat(), [tensor('c', [], f32([2]))]],
      ['the constant is computed', node('Sub', ['k', 'p'], ['q'], [], 'sub'), concat(), [tensor('c', [], f32([1]))]],
      ['the data first in the Sub', node('Sub', ['p', 'c'], ['q'], [], 'sub'), concat()],
      ['[p, 1 − p]', sub, concat(['p', 'q'])],
      ['three inputs', sub, concat(['q', 'p', 'p'])],
      ['axis 0', sub, concat(['q', 'p'], 0)],
      ['a constant of two ones (1 − p would be two columns)', sub, concat(), [tensor('c', [2], f32([1, 1]))]],
      ['the constant first in the Concat', sub, concat(['c', 'p'])],
    ];
    for (const [what, s, c, extra] of variants) {
      report(what);
      expect(message(() => fromONNX(tail(s, c, extra)))).toBe(branch);
    }
    // no Concat: an Identity beside the Sub
    expect(message(() => fromONNX(tail(sub, node('Identity', ['p'], ['z'], [], 'copy'))))).toBe(
      'tensor "p" feeds 2 operators (Sub (node "sub"), Identity (node "copy")): wasmnet loads a chain of layers, not a branching graph',
    );
    // found whatever the order of the two nodes in the file
    const reordered = model({
      nodes: [node('Gemm', ['x', 'W', 'b'], ['h'], [], 'dense'), node('Sigmoid', ['h'], ['p'], [], 'act'), concat(), sub],
      initializers: [tensor('W', [2, 1], f32([0.5, -0.25])), tensor('b', [1], f32([0.125])), tensor('c', [], f32([1]))],
      inputs: [value('x', [null, 2])],
      outputs: [value('z', [null, 2])],
    });
    expect(fromONNX(reordered).toJSON().config.layers).toMatchObject([{ units: 2, activation: 'softmax' }]);
    // a 1 of a type wasmnet does not read is named with the Sub
    expect(message(() => fromONNX(tail(sub, concat(), [tensor('c', [], new Uint8Array([1]), 9)])))).toBe('Sub (node "sub"): tensor "c" has data type 9; wasmnet reads FLOAT (1) and DOUBLE (11) weights');
    // a Concat of 1 − p alone: p is read once, and 1 − p is no activation
    expect(message(() => fromONNX(tail(sub, concat(['q']))))).toBe('the operators Sub from Sub (node "sub") compute an elementwise function that is none of wasmnet\'s activations');
  });
});

describe('fields wasmnet does not read are skipped, in every message', () => {
  // One field of each wire type with a number no message uses (doc strings and metadata are
  // such fields too): a varint, bytes, a fixed64 and a fixed32.
  const junk = cat([intField(99, 300), bytesField(98, [1, 2, 3]), varint(97 * 8 + 1), new Uint8Array(8).fill(7), floatField(96, 2.5)]);
  const withJunk = (...parts: (Uint8Array | number[])[]) => cat([...parts, junk]);

  test('model, opset import, graph, node, attribute, tensor, value info, type, tensor type, shape and dimension', () => {
    // ValueInfoProto { name, type { tensor_type { elem_type, shape { dim { dim_param | dim_value } } } } }, junk at each level
    const dim = (d: number | null) => bytesField(1, withJunk(d === null ? strField(2, 'batch') : intField(1, d)));
    const valueInfo = (name: string, dims: (number | null)[]) =>
      withJunk(strField(1, name), bytesField(2, withJunk(bytesField(1, withJunk(intField(1, 1), bytesField(2, withJunk(...dims.map(dim))))))));
    const gemm = withJunk(node('Gemm', ['x', 'W', 'b'], ['y'], [withJunk(floatAttr('alpha', 1))], 'dense'));
    const graph = withJunk(
      bytesField(1, gemm),
      strField(2, 'junk'),
      bytesField(5, tensor('W', [2, 1], f32([0.5, -0.25]), 1, [junk])),
      bytesField(5, tensor('b', [1], f32([0.125]), 1, [junk])),
      bytesField(11, valueInfo('x', [null, 2])),
      bytesField(12, valueInfo('y', [null, 1])),
    );
    const bytes = withJunk(intField(1, 8), bytesField(7, graph), bytesField(8, withJunk(strField(1, ''), intField(2, 17))));
    predictsBase(fromONNX(bytes));
  });

  test('a field wasmnet reads, of another wire type: malformed, with the byte and both types', () => {
    // ModelProto { ir_version = 8, graph[7] as a varint }: the graph's key is byte 2, its value byte 3
    expect(message(() => fromONNX(cat([intField(1, 8), intField(7, 1)])))).toBe('malformed ONNX protobuf at byte 3: wire type 0 where 2 was expected');
    // a node's op_type (field 4) as a varint, inside the graph
    const bad = model({ ...baseGraph(), nodes: [cat([strField(1, 'x'), strField(2, 'y'), intField(4, 1)])] });
    expect(message(() => fromONNX(bad))).toMatch(/^malformed ONNX protobuf at byte \d+: wire type 0 where 2 was expected$/);
  });

  test("a model's functions (field 25) are skipped: a node that calls one is refused by its domain", () => {
    const fn = cat([strField(1, 'MyOp'), strField(10, 'custom')]);
    predictsBase(fromONNX(cat([model(baseGraph()), bytesField(25, fn)])));
    const calls = model({ ...baseGraph(), nodes: [...baseGraph().nodes, cat([node('MyOp', ['y'], ['z'], [], 'call'), strField(7, 'custom')])], outputs: [value('z', [null, 1])] });
    expect(message(() => fromONNX(cat([calls, bytesField(25, fn)])))).toBe('custom.MyOp (node "call") is not supported: wasmnet loads dense networks');
  });
});

describe('fields left out, and the fields of external data', () => {
  /** NodeProto without a name (field 3) or without an op_type (field 4) */
  const bare = (op: string | undefined, inputs: string[], outputs: string[], name?: string) =>
    cat([...inputs.map((i) => strField(1, i)), ...outputs.map((o) => strField(2, o)), ...(name === undefined ? [] : [strField(3, name)]), ...(op === undefined ? [] : [strField(4, op)])]);

  test('a node without a name is named by its index; one without an op_type by its name', () => {
    expect(message(() => fromONNX(onnx((g) => g.nodes.push(bare('Conv', ['y', 'W'], ['z'])))))).toBe('Conv (node #1) is not supported: wasmnet loads dense networks');
    expect(message(() => fromONNX(onnx((g) => g.nodes.push(bare(undefined, ['y'], ['z'], 'nameless')))))).toBe('(no op_type) (node "nameless") is not supported: wasmnet loads dense networks');
  });

  test('a graph input without a name, or whose type is not a tensor', () => {
    expect(message(() => fromONNX(onnx((g) => (g.inputs = [bytesField(2, bytesField(1, cat([intField(1, 1)])))]))))).toBe("the ONNX graph's data input has no name; every graph input needs one");
    // TypeProto.sequence_type (field 4) of a tensor type
    const sequence = cat([strField(1, 'x'), bytesField(2, bytesField(4, bytesField(1, bytesField(1, intField(1, 1)))))]);
    expect(message(() => fromONNX(onnx((g) => (g.inputs = [sequence]))))).toBe('input "x" must be a FLOAT or DOUBLE tensor (element type 0)');
  });

  test('a subgraph attribute, as one graph (g) or several (graphs), is refused by name', () => {
    for (const field of [6, 11]) {
      const attribute = cat([strField(1, 'body'), bytesField(field, cat([strField(2, 'sub')])), intField(20, field === 6 ? 5 : 10)]);
      expect(message(() => fromONNX(onnx((g) => g.nodes.push(node('Identity', ['y'], ['z'], [attribute], 'odd')))))).toBe('Identity (node "odd") has a subgraph attribute "body": wasmnet loads dense networks');
    }
  });

  test("a Constant's unnamed value is named by the Constant's output in messages", () => {
    const unnamed = cat([intField(1, 2), intField(1, 1), intField(2, 9), bytesField(9, [1, 0])]); // BOOL [2, 1], no name
    const bytes = onnx((g) => {
      g.initializers = [tensor('b', [1], f32([0.125]))];
      g.nodes = [node('Constant', [], ['W'], [cat([strField(1, 'value'), bytesField(5, unnamed), intField(20, 4)])], 'const'), ...g.nodes];
    });
    expect(message(() => fromONNX(bytes))).toBe('Gemm (node "dense"): tensor "W" has data type 9; wasmnet reads FLOAT (1) and DOUBLE (11) weights');
  });

  test('external data: entries without data_location, unknown fields in an entry, and at most 16 entries', () => {
    const entry = (key: string, value: string, extra: Uint8Array[] = []) => bytesField(13, cat([strField(1, key), strField(2, value), ...extra]));
    const weight = (entries: Uint8Array[]) =>
      onnx((g) => {
        g.initializers = [tensor('W', [2, 1], undefined, 1, entries), tensor('b', [1], f32([0.125]))];
      });
    const files = { externalData: { 'w.bin': f32([0.5, -0.25]) } };
    // external_data alone (no data_location EXTERNAL) is read as external data
    predictsBase(fromONNX(weight([entry('location', 'w.bin')]), files));
    // an entry's unknown fields are skipped
    predictsBase(fromONNX(weight([entry('location', 'w.bin', [intField(9, 1), bytesField(8, [1, 2])])]), files));
    // 16 entries (location and 15 others) are read; a 17th is refused
    const others = (n: number) => Array.from({ length: n }, (_, i) => entry(`k${i}`, 'v'));
    predictsBase(fromONNX(weight([entry('location', 'w.bin'), ...others(15)]), files));
    expect(message(() => fromONNX(weight([entry('location', 'w.bin'), ...others(16)]), files))).toBe('a tensor has more than 16 external_data entries (the limit)');
  });
});

describe("fromONNX's and externalDataFiles' arguments", () => {
  test('the bytes as a Uint8Array, an ArrayBuffer, or any view over them (at its offset)', () => {
    const bytes = model(baseGraph());
    const padded = new Uint8Array(bytes.length + 8);
    padded.set(bytes, 8);
    predictsBase(fromONNX(bytes));
    predictsBase(fromONNX(bytes.slice().buffer));
    predictsBase(fromONNX(new DataView(padded.buffer, 8, bytes.length)));
    predictsBase(fromONNX(padded.subarray(8)));
    expect(externalDataFiles(new DataView(padded.buffer, 8, bytes.length))).toEqual([]);
  });

  test('anything else is a FormatError naming what it got', () => {
    for (const [bytes, got] of [[null, 'null'], [undefined, 'undefined'], [42, 'number'], ['model.onnx', 'string'], [[1, 2], 'object']] as const) {
      expect(() => fromONNX(bytes as never)).toThrow(new FormatError(`fromONNX expects the model's bytes (Uint8Array, ArrayBuffer or another view), got ${got}`));
    }
  });

  test('options that are not an object are named; null is no options, as for the other importers', () => {
    const bytes = model(baseGraph());
    for (const [options, shown] of [['x', 'x'], [7, '7'], [[], '']] as const) {
      expect(() => fromONNX(bytes, options as never)).toThrow(new ConfigError(`fromONNX options must be an object, got ${shown}`));
    }
    for (const options of [{}, undefined, null]) predictsBase(fromONNX(bytes, options as never));
  });

  test('externalData must be an object of bytes; each refusal whole', () => {
    const bytes = model(baseGraph());
    for (const [value, shown] of [[null, 'null'], ['x', 'x'], [[new Uint8Array(1)], '0'], [7, '7']] as const) {
      expect(() => fromONNX(bytes, { externalData: value as never })).toThrow(new ConfigError(`fromONNX options: externalData must be an object of { [file name]: bytes }, got ${shown}`));
    }
    expect(() => fromONNX(bytes, { externalData: { 'a.bin': new Float32Array(2) as never } })).toThrow(new ConfigError('fromONNX options: externalData["a.bin"] must be a Uint8Array or an ArrayBuffer'));
    // files it does not need are fine, and an ArrayBuffer is read as its bytes
    predictsBase(fromONNX(bytes, { externalData: { 'a.bin': new ArrayBuffer(4), 'b.bin': new Uint8Array(2) } }));
  });
});

describe('BatchNormalization and LayerNormalization nodes, condition by condition', () => {
  // x [batch, 2] → Gemm (identity) → y → `norm` → n → Gemm (W2 = [1, 1]) → z
  const graph = (norm: Uint8Array[], extra: Uint8Array[] = [], { producer = '', input = [null, 2] as (number | null)[] } = {}) => {
    const bytes = model({
      nodes: [node('Gemm', ['x', 'W', 'b'], ['y'], [], 'dense'), ...norm, node('Gemm', ['n', 'W2', 'b2'], ['z'], [], 'head')],
      initializers: [tensor('W', [2, 2], f32([1, 0, 0, 1])), tensor('b', [2], f32([0, 0])), tensor('W2', [2, 1], f32([1, 1])), tensor('b2', [1], f32([0])), tensor('g', [2], f32([1, 2])), tensor('beta', [2], f32([0.5, -0.5])), tensor('m', [2], f32([1, -1])), tensor('v', [2], f32([4, 0.25])), ...extra],
      inputs: [value('x', input)],
      outputs: [value('z', [null, 1])],
    });
    return producer === '' ? bytes : cat([bytes, strField(2, producer)]);
  };
  const bn = (inputs = ['y', 'g', 'beta', 'm', 'v'], attributes: Uint8Array[] = []) => node('BatchNormalization', inputs, ['n'], attributes, 'bn');
  const ln = (inputs = ['y', 'g', 'beta'], attributes: Uint8Array[] = []) => node('LayerNormalization', inputs, ['n'], attributes, 'ln');
  const layer = (bytes: Uint8Array) => (fromONNX(bytes).toJSON().config.layers as Record<string, unknown>[])[1]!;

  test('BatchNormalization: its statistics, ε (1e-5 when absent), momentum (0.9 when absent, to 7 digits), the variance unbiased from PyTorch', () => {
    expect(layer(graph([bn()]))).toMatchObject({ type: 'batchNorm', epsilon: 1e-5, momentum: 0.9, unbiasedVariance: false });
    expect(layer(graph([bn(undefined, [floatAttr('epsilon', 0.001), floatAttr('momentum', 0.99)])]))).toMatchObject({ epsilon: 0.001, momentum: 0.99 });
    expect(layer(graph([bn()], [], { producer: 'pytorch' }))).toMatchObject({ unbiasedVariance: true });
    // (x − mean)/√(var + ε)·γ + β for x = [3, 3]: [(2/√(4+ε))·1 + 0.5, (4/√(0.25+ε))·2 − 0.5], summed by the head
    const z = fromONNX(graph([bn()])).predict([[3, 3]])[0]![0]!;
    expect(z).toBeCloseTo(2 / Math.sqrt(4 + 1e-5) + 0.5 + 8 / Math.sqrt(0.25 + 1e-5) - 0.5, 5);
  });

  test('BatchNormalization refused, each with its whole message', () => {
    const cases: [string, Uint8Array[], string, Uint8Array[]?][] = [
      ['the data second', [bn(['g', 'y', 'beta', 'm', 'v'])], 'BatchNormalization (node "bn") does not take the data as its first input'],
      ['a computed scale', [node('Identity', ['g'], ['g2'], [], 'copy'), bn(['y', 'g2', 'beta', 'm', 'v'])], 'BatchNormalization (node "bn"): its scale must be a constant'],
      ['a scale of shape [1, 2]', [bn(['y', 'g12', 'beta', 'm', 'v'])], 'BatchNormalization (node "bn"): scale "g12" has shape [1, 2]; expected [2]', [tensor('g12', [1, 2], f32([1, 2]))]],
      ['a scale of 3 values', [bn(['y', 'g3', 'beta', 'm', 'v'])], 'BatchNormalization (node "bn"): scale "g3" has shape [3]; expected [2]', [tensor('g3', [3], f32([1, 2, 3]))]],
      ['a NaN mean', [bn(['y', 'g', 'beta', 'mnan', 'v'])], 'BatchNormalization (node "bn"): mean "mnan"[1] is NaN; weights must be finite', [tensor('mnan', [2], f32([0, NaN]))]],
      ['ε 0', [bn(undefined, [floatAttr('epsilon', 0)])], 'BatchNormalization (node "bn") has epsilon 0; wasmnet needs ε > 0'],
      ['ε −1', [bn(undefined, [floatAttr('epsilon', -1)])], 'BatchNormalization (node "bn") has epsilon -1; wasmnet needs ε > 0'],
      ['training_mode 1', [bn(undefined, [intAttribute('training_mode', 1)])], 'BatchNormalization (node "bn") has training_mode 1; wasmnet reads inference graphs'],
      ['four inputs', [bn(['y', 'g', 'beta', 'm'])], 'BatchNormalization (node "bn") must have 5 inputs (X, scale, B, mean, var)'],
      ['a negative variance', [bn(['y', 'g', 'beta', 'm', 'vneg'])], 'BatchNormalization (node "bn"): var has a negative value', [tensor('vneg', [2], f32([1, -0.5]))]],
      ['a NaN first scale', [bn(['y', 'gnan', 'beta', 'm', 'v'])], 'BatchNormalization (node "bn"): scale "gnan"[0] is NaN; weights must be finite', [tensor('gnan', [2], f32([NaN, 1]))]],
      ['an infinite B', [bn(['y', 'g', 'binf', 'm', 'v'])], 'BatchNormalization (node "bn"): B "binf"[1] is Infinity; weights must be finite', [tensor('binf', [2], f32([0, Infinity]))]],
      ['a NaN var', [bn(['y', 'g', 'beta', 'm', 'vnan'])], 'BatchNormalization (node "bn"): var "vnan"[0] is NaN; weights must be finite', [tensor('vnan', [2], f32([NaN, 1]))]],
    ];
    for (const [what, norm, expected, extra] of cases) {
      report(what);
      expect(message(() => fromONNX(graph(norm, extra)))).toBe(expected);
    }
    // statistics of different lengths, on an input whose width the norm's scale sets ([batch, ?])
    const unknown = model({
      nodes: [bn(['x', 'g', 'beta', 'm3', 'v']), node('Gemm', ['n', 'W2', 'b2'], ['z'], [], 'head')],
      initializers: [tensor('g', [2], f32([1, 2])), tensor('beta', [2], f32([0, 0])), tensor('m3', [3], f32([0, 0, 0])), tensor('v', [2], f32([1, 1])), tensor('W2', [2, 1], f32([1, 1])), tensor('b2', [1], f32([0]))],
      inputs: [value('x', [null, null])],
      outputs: [value('z', [null, 1])],
    });
    expect(message(() => fromONNX(unknown))).toBe('BatchNormalization (node "bn"): scale, B, mean and var must have one value per feature');
    for (const inputs of [['x', 'g', 'b3', 'm2', 'v'], ['x', 'g', 'beta', 'm2', 'v3']]) {
      const other = model({
        nodes: [bn(inputs), node('Gemm', ['n', 'W2', 'b2'], ['z'], [], 'head')],
        initializers: [tensor('g', [2], f32([1, 2])), tensor('beta', [2], f32([0, 0])), tensor('b3', [3], f32([0, 0, 0])), tensor('m2', [2], f32([0, 0])), tensor('v', [2], f32([1, 1])), tensor('v3', [3], f32([1, 1, 1])), tensor('W2', [2, 1], f32([1, 1])), tensor('b2', [1], f32([0]))],
        inputs: [value('x', [null, null])],
        outputs: [value('z', [null, 1])],
      });
      expect(message(() => fromONNX(other))).toBe('BatchNormalization (node "bn"): scale, B, mean and var must have one value per feature');
    }
    // a variance of 0 is a variance (ε keeps the division finite)
    expect(layer(graph([bn(['y', 'g', 'beta', 'm', 'v0'])], [tensor('v0', [2], f32([0, 1]))]))).toMatchObject({ type: 'batchNorm' });
  });

  test('LayerNormalization: axis −1 or 1, the bias optional (zeros), ε; other axes and a bias of another length refused', () => {
    expect(layer(graph([ln()]))).toMatchObject({ type: 'layerNorm', epsilon: 1e-5 });
    expect(layer(graph([ln(undefined, [intAttribute('axis', 1), floatAttr('epsilon', 0.5)])]))).toMatchObject({ type: 'layerNorm', epsilon: 0.5 });
    const noBias = fromONNX(graph([ln(['y', 'g'])]));
    expect(noBias.getWeights()[1]!.bias).toEqual(Float64Array.of(0, 0));
    expect(message(() => fromONNX(graph([ln(undefined, [intAttribute('axis', 0)])])))).toBe('LayerNormalization (node "ln") has axis 0; wasmnet normalizes each row of [batch, features] (axis -1)');
    expect(message(() => fromONNX(graph([ln(['y', 'g', 'bnan'])], [tensor('bnan', [2], f32([NaN, 0]))])))).toBe('LayerNormalization (node "ln"): bias "bnan"[0] is NaN; weights must be finite');
    const unknown = model({
      nodes: [ln(['x', 'g', 'b3']), node('Gemm', ['n', 'W2', 'b2'], ['z'], [], 'head')],
      initializers: [tensor('g', [2], f32([1, 2])), tensor('b3', [3], f32([0, 0, 0])), tensor('W2', [2, 1], f32([1, 1])), tensor('b2', [1], f32([0]))],
      inputs: [value('x', [null, null])],
      outputs: [value('z', [null, 1])],
    });
    expect(message(() => fromONNX(unknown))).toBe('LayerNormalization (node "ln"): bias has 3 values, scale 2');
  });
});

describe('LayerNorm written out (PyTorch below opset 17, tf2onnx), part by part', () => {
  // x [batch, 2] → Gemm (identity) → y → the nodes below → n → Gemm (W2 = [1, 1]) → z
  const axes = intsAttribute('axes', [-1]);
  const parts = {
    mean: node('ReduceMean', ['y'], ['mu'], [axes], 'mean'),
    sub: node('Sub', ['y', 'mu'], ['d'], [], 'sub'),
    square: node('Pow', ['d', 'two'], ['sq'], [], 'pow'),
    variance: node('ReduceMean', ['sq'], ['var'], [axes], 'var'),
    add: node('Add', ['var', 'eps'], ['ve'], [], 'eps'),
    sqrt: node('Sqrt', ['ve'], ['sd'], [], 'sqrt'),
    div: node('Div', ['d', 'sd'], ['nrm'], [], 'div'),
    mul: node('Mul', ['nrm', 'g'], ['sc'], [], 'gamma'),
    bias: node('Add', ['sc', 'beta'], ['n'], [], 'beta'),
  };
  type Parts = Partial<Record<keyof typeof parts, Uint8Array>>;
  const graph = (change: Parts = {}, extra: Uint8Array[] = [], { opset = 17, input = [null, 2] as (number | null)[], more = [] as Uint8Array[], reversed = false } = {}) => {
    const nodes = [node('Gemm', ['x', 'W', 'b'], ['y'], [], 'dense'), ...Object.values({ ...parts, ...change }).filter((n) => n !== undefined), ...more, node('Gemm', ['n', 'W2', 'b2'], ['z'], [], 'head')];
    return model(
      {
        nodes: reversed ? nodes.reverse() : nodes,
        initializers: [tensor('W', [2, 2], f32([1, 0, 0, 1])), tensor('b', [2], f32([0, 0])), tensor('W2', [2, 1], f32([1, 1])), tensor('b2', [1], f32([0])), tensor('two', [], f32([2])), tensor('eps', [], f32([0.25])), tensor('g', [2], f32([1, 2])), tensor('beta', [2], f32([0.5, -0.5])), tensor('ax', [1], i64([-1]), INT64), ...extra],
        inputs: [value('x', input)],
        outputs: [value('z', [null, 1])],
      },
      { opset },
    );
  };
  const norm = (bytes: Uint8Array) => {
    const net = fromONNX(bytes);
    return [(net.toJSON().config.layers as Record<string, unknown>[])[1]!, net.getWeights()[1]!] as const;
  };
  const branch = 'tensor "y" feeds 2 operators (ReduceMean (node "mean"), Sub (node "sub")): wasmnet loads a chain of layers, not a branching graph';

  test('read as layerNorm: ε, γ and β from the graph; Mul(d, d) for the square, operands either way round, axes as an input from opset 18, no γ or β', () => {
    for (const [bytes, gamma, beta] of [
      [graph(), [1, 2], [0.5, -0.5]],
      [graph({ square: node('Mul', ['d', 'd'], ['sq'], [], 'pow'), add: node('Add', ['eps', 'var'], ['ve'], [], 'eps'), mul: node('Mul', ['g', 'nrm'], ['sc'], [], 'gamma'), bias: node('Add', ['beta', 'sc'], ['n'], [], 'beta') }), [1, 2], [0.5, -0.5]],
      [graph({ mean: node('ReduceMean', ['y', 'ax'], ['mu'], [], 'mean'), variance: node('ReduceMean', ['sq', 'ax'], ['var'], [], 'var') }, [], { opset: 18 }), [1, 2], [0.5, -0.5]],
      [graph({ mean: node('ReduceMean', ['y'], ['mu'], [intsAttribute('axes', [1])], 'mean') }), [1, 2], [0.5, -0.5]],
      [graph({ div: node('Div', ['d', 'sd'], ['n'], [], 'div'), mul: undefined, bias: undefined }), [1, 1], [0, 0]],
    ] as const) {
      const [config, weights] = norm(bytes);
      expect(config).toMatchObject({ type: 'layerNorm', epsilon: 0.25 });
      expect(Array.from(weights.weights)).toEqual(gamma);
      expect(Array.from(weights.bias)).toEqual(beta);
    }
  });

  test('each part out of place: not a layer norm (a branch at its first tensor)', () => {
    const variants: [string, Parts, Uint8Array[]?, number?][] = [
      ['keepdims 0', { mean: node('ReduceMean', ['y'], ['mu'], [axes, intAttribute('keepdims', 0)], 'mean') }],
      ['axis 0', { mean: node('ReduceMean', ['y'], ['mu'], [intsAttribute('axes', [0])], 'mean') }],
      ['two axes', { mean: node('ReduceMean', ['y'], ['mu'], [intsAttribute('axes', [-1, 0])], 'mean') }],
      ['no axes', { mean: node('ReduceMean', ['y'], ['mu'], [], 'mean') }],
      ['axes as an input before opset 18', { mean: node('ReduceMean', ['y', 'ax'], ['mu'], [], 'mean') }],
      ['axes of two values as an input', { mean: node('ReduceMean', ['y', 'ax2'], ['mu'], [], 'mean'), variance: node('ReduceMean', ['sq', 'ax'], ['var'], [], 'var') }, [tensor('ax2', [2], i64([-1, 0]), INT64)], 18],
      ['the Sub the other way round', { sub: node('Sub', ['mu', 'y'], ['d'], [], 'sub') }],
      ['a Pow by 3', { square: node('Pow', ['d', 'three'], ['sq'], [], 'pow') }, [tensor('three', [], f32([3]))]],
      ['a Mul of d by something else', { square: node('Mul', ['d', 'two'], ['sq'], [], 'pow') }],
      ['the variance over axis 0', { variance: node('ReduceMean', ['sq'], ['var'], [intsAttribute('axes', [0])], 'var') }],
      ['ε of two values', { add: node('Add', ['var', 'eps2'], ['ve'], [], 'eps') }, [tensor('eps2', [2], f32([0.25, 0.25]))]],
      ['ε 0', { add: node('Add', ['var', 'zero'], ['ve'], [], 'eps') }, [tensor('zero', [], f32([0]))]],
      ['an Identity for the Sqrt', { sqrt: node('Identity', ['ve'], ['sd'], [], 'sqrt') }],
      ['a Div by something else', { div: node('Div', ['d', 'two'], ['nrm'], [], 'div') }],
      ['a Mul of something else by d', { square: node('Mul', ['two', 'd'], ['sq'], [], 'pow') }],
      // ReduceMean-18 takes its axes only as an input (without it, it reduces every axis);
      // ReduceMean-13 only as an attribute
      ['axes as an attribute from opset 18', {}, [], 18],
      ['axes as an attribute and an input before opset 18', { mean: node('ReduceMean', ['y', 'ax'], ['mu'], [axes], 'mean') }],
      ['axes from opset 18 in a tensor that is not a constant', { mean: node('ReduceMean', ['y', 'computed'], ['mu'], [], 'mean'), variance: node('ReduceMean', ['sq', 'ax'], ['var'], [], 'var') }, [], 18],
    ];
    for (const [what, change, extra, opset] of variants) {
      report(what);
      expect(message(() => fromONNX(graph(change, extra, { opset })))).toBe(branch);
    }
  });

  test("on an input whose width is not declared, γ and β set it; without them there is nothing to size it by", () => {
    // x [batch, ?] → the nodes → n → Gemm (W2 [2, 1]) → z; the LayerNorm reads x
    // (the parts read y: an Identity, a no-op, makes y the input's copy)
    const open = (change: Parts = {}) => {
      return model({
        nodes: [node('Identity', ['x'], ['y'], [], 'copy'), ...Object.values({ ...parts, ...change }).filter((n) => n !== undefined), node('Gemm', ['n', 'W2', 'b2'], ['z'], [], 'head')],
        initializers: [tensor('W2', [2, 1], f32([1, 1])), tensor('b2', [1], f32([0])), tensor('two', [], f32([2])), tensor('eps', [], f32([0.25])), tensor('g', [2], f32([1, 2])), tensor('beta', [2], f32([0.5, -0.5])), tensor('g21', [2, 1], f32([1, 2])), tensor('g12', [1, 2], f32([1, 2]))],
        inputs: [value('x', [null, null])],
        outputs: [value('z', [null, 1])],
      });
    };
    const net = fromONNX(open());
    expect((net.toJSON().config.layers as Record<string, unknown>[])[0]).toMatchObject({ type: 'layerNorm', epsilon: 0.25 });
    expect([Array.from(net.getWeights()[0]!.weights), Array.from(net.getWeights()[0]!.bias)]).toEqual([[1, 2], [0.5, -0.5]]);
    // β alone (its constant either side) sets it too, and so does a γ of shape [1, 2]
    for (const bias of [node('Add', ['nrm', 'beta'], ['n'], [], 'beta'), node('Add', ['beta', 'nrm'], ['n'], [], 'beta')]) {
      const alone = fromONNX(open({ mul: undefined, bias }));
      expect([Array.from(alone.getWeights()[0]!.weights), Array.from(alone.getWeights()[0]!.bias)]).toEqual([[1, 1], [0.5, -0.5]]);
    }
    expect(Array.from(fromONNX(open({ mul: node('Mul', ['nrm', 'g12'], ['sc'], [], 'gamma') })).getWeights()[0]!.weights)).toEqual([1, 2]);
    // without γ and β, or with a γ of shape [2, 1] or of one value, the width is not known: not read as a layer norm
    for (const change of [{ div: node('Div', ['d', 'sd'], ['n'], [], 'div'), mul: undefined, bias: undefined }, { mul: node('Mul', ['nrm', 'g21'], ['sc'], [], 'gamma') }, { mul: node('Mul', ['nrm', 'two'], ['sc'], [], 'gamma'), bias: node('Add', ['sc', 'eps'], ['n'], [], 'beta') }] as Parts[]) {
      expect(message(() => fromONNX(open(change)))).toBe(branch);
    }
  });

  test('a mean, a difference or a deviation read by another node is not a layer norm either; nor is a third reader of the data, or a Sub of something else', () => {
    for (const tensor of ['mu', 'd', 'sd']) {
      report(tensor);
      expect(message(() => fromONNX(graph({}, [], { more: [node('Identity', [tensor], [`${tensor}2`], [], 'copy')] })))).toBe(branch);
    }
    expect(message(() => fromONNX(graph({}, [], { more: [node('Identity', ['y'], ['y2'], [], 'copy')] })))).toBe(
      'tensor "y" feeds 3 operators (ReduceMean (node "mean"), Sub (node "sub"), Identity (node "copy")): wasmnet loads a chain of layers, not a branching graph',
    );
    // the mean, read once but not by the Sub, which takes a constant instead
    expect(message(() => fromONNX(graph({ sub: node('Sub', ['y', 'two'], ['d'], [], 'sub') }, [], { more: [node('Identity', ['mu'], ['mu2'], [], 'copy')] })))).toBe(branch);
  });

  test('the nodes in any order (here reversed): the same layer, the same outputs', () => {
    const inOrder = fromONNX(graph());
    const reversed = fromONNX(graph({}, [], { reversed: true }));
    expect(reversed.toJSON().config.layers).toEqual(inOrder.toJSON().config.layers);
    expect(reversed.getWeights()).toEqual(inOrder.getWeights());
    expect(reversed.predict([[1, 3], [-2, 0.5]])).toEqual(inOrder.predict([[1, 3], [-2, 0.5]]));
  });

  test('γ and β are [w], [1, w] or one value spread over the features; other shapes are left to the operators after the layer', () => {
    const weights = (change: Parts, extra: Uint8Array[]) => {
      const [, w] = norm(graph(change, extra));
      return [Array.from(w.weights), Array.from(w.bias)];
    };
    expect(weights({ mul: node('Mul', ['nrm', 'g12'], ['sc'], [], 'gamma'), bias: node('Add', ['b12', 'sc'], ['n'], [], 'beta') }, [tensor('g12', [1, 2], f32([1, 2])), tensor('b12', [1, 2], f32([0.5, -0.5]))])).toEqual([[1, 2], [0.5, -0.5]]);
    expect(weights({ mul: node('Mul', ['three', 'nrm'], ['sc'], [], 'gamma'), bias: node('Add', ['sc', 'half'], ['n'], [], 'beta') }, [tensor('three', [], f32([3])), tensor('half', [1, 1], f32([0.5]))])).toEqual([[3, 3], [0.5, 0.5]]);
    // a [w, 1] broadcasts [batch, w] to [w, w]; a γ of another width does not apply
    expect(message(() => fromONNX(graph({ mul: node('Mul', ['nrm', 'g21'], ['sc'], [], 'gamma') }, [tensor('g21', [2, 1], f32([1, 2]))])))).toBe(
      'Mul (node "gamma") is not supported here: its input "g21" is not a scalar constant; wasmnet reads activations whose other operands are scalar constants',
    );
    expect(message(() => fromONNX(graph({ mul: node('Mul', ['nrm', 'g3'], ['sc'], [], 'gamma') }, [tensor('g3', [3], f32([1, 2, 3]))])))).toBe(
      'Mul (node "gamma") is not supported here: its input "g3" is not a scalar constant; wasmnet reads activations whose other operands are scalar constants',
    );
    expect(message(() => fromONNX(graph({ bias: node('Add', ['sc', 'b21'], ['n'], [], 'beta') }, [tensor('b21', [2, 1], f32([0.5, -0.5]))])))).toBe(
      'Add (node "beta") adds a constant of shape [2, 1] to 2 units; a bias must be [2] or [1, 2]',
    );
  });

  test('a γ or β that is not finite is refused with its node and index', () => {
    expect(message(() => fromONNX(graph({ mul: node('Mul', ['nrm', 'gnan'], ['sc'], [], 'gamma') }, [tensor('gnan', [2], f32([1, NaN]))])))).toBe('Mul (node "gamma"): tensor "gnan"[1] is NaN; weights must be finite');
    expect(message(() => fromONNX(graph({ bias: node('Add', ['binf', 'sc'], ['n'], [], 'beta') }, [tensor('binf', [1, 2], f32([-Infinity, 0]))])))).toBe('Add (node "beta"): tensor "binf"[0] is -Infinity; weights must be finite');
  });

  test('a constant it cannot read is named with the node that reads it', () => {
    const str = (name: string, dims: number[]) => tensor(name, dims, new Uint8Array([1]), 8);
    const cases: [string, Parts, Uint8Array, number?][] = [
      ['ReduceMean (node "mean")', { mean: node('ReduceMean', ['y', 's'], ['mu'], [], 'mean'), variance: node('ReduceMean', ['sq', 'ax'], ['var'], [], 'var') }, str('s', [1]), 18],
      ['Pow (node "pow")', { square: node('Pow', ['d', 's'], ['sq'], [], 'pow') }, str('s', [])],
      ['Add (node "eps")', { add: node('Add', ['var', 's'], ['ve'], [], 'eps') }, str('s', [])],
      ['Mul (node "gamma")', { mul: node('Mul', ['nrm', 's'], ['sc'], [], 'gamma') }, str('s', [2])],
      ['Add (node "beta")', { bias: node('Add', ['sc', 's'], ['n'], [], 'beta') }, str('s', [2])],
    ];
    for (const [where, change, extra, opset] of cases) {
      expect(message(() => fromONNX(graph(change, [extra], { opset })))).toBe(`${where}: tensor "s" has data type 8; wasmnet reads FLOAT (1) and DOUBLE (11) weights`);
    }
  });
});

describe('input standardizations: the Scaler and Sub, Div or Mul by constants, condition by condition', () => {
  // x [batch, 2] → `first` → s → Gemm (W = [1, 2], b = 0.5) → y
  const graph = (first: Uint8Array[], extra: Uint8Array[] = []) =>
    model({
      nodes: [...first, node('Gemm', ['s', 'W', 'b'], ['y'], [], 'dense')],
      initializers: [tensor('W', [2, 1], f32([1, 2])), tensor('b', [1], f32([0.5])), tensor('mean', [2], f32([1, 2])), tensor('sd', [2], f32([4, 0.5])), ...extra],
      inputs: [value('x', [null, 2])],
      outputs: [value('y', [null, 1])],
    });
  const scaler = (attributes: Uint8Array[]) => ml('Scaler', ['x'], ['s'], attributes, 'scale');
  const statistics = (bytes: Uint8Array) => {
    const l = (fromONNX(bytes).toJSON().config.layers as { type: string; mean?: number[]; variance?: number[] }[])[0]!;
    return [l.type, l.mean, l.variance];
  };

  test('the Scaler: (x − offset)·scale, offset 0 and scale 1 when absent, one value spread over every column', () => {
    expect(statistics(graph([scaler([floats('offset', [1, 2]), floats('scale', [0.25, 2])])]))).toEqual(['normalization', [1, 2], [16, 0.25]]);
    expect(statistics(graph([scaler([floats('scale', [0.5])])]))).toEqual(['normalization', [0, 0], [4, 4]]);
    expect(statistics(graph([scaler([floats('offset', [3])])]))).toEqual(['normalization', [3, 3], [1, 1]]);
  });

  test('the Scaler refused, each with its whole message', () => {
    expect(message(() => fromONNX(graph([scaler([floats('offset', [1, 2, 3])])])))).toBe('Scaler (node "scale"): offset has 3 values for 2 input columns');
    expect(message(() => fromONNX(graph([scaler([floats('scale', [1, 2, 3])])])))).toBe('Scaler (node "scale"): scale has 3 values for 2 input columns');
    expect(message(() => fromONNX(graph([scaler([floats('offset', [1, NaN])])])))).toBe('Scaler (node "scale"): offset has a value that is not finite');
    expect(message(() => fromONNX(graph([scaler([floats('scale', [1, Infinity])])])))).toBe('Scaler (node "scale"): scale has a value that is not finite');
    expect(message(() => fromONNX(graph([scaler([floats('scale', [1, 0])])])))).toBe('Scaler (node "scale"): scale has a value ≤ 0; wasmnet\'s normalization divides by a positive standard deviation');
  });

  test('Sub then Div or Mul: the constant second (Mul either way round), [w], [1, w] or one value', () => {
    expect(statistics(graph([node('Sub', ['x', 'mean'], ['c'], [], 'sub'), node('Div', ['c', 'sd'], ['s'], [], 'div')]))).toEqual(['normalization', [1, 2], [16, 0.25]]);
    expect(statistics(graph([node('Sub', ['x', 'mean'], ['c'], [], 'sub'), node('Mul', ['sd', 'c'], ['s'], [], 'mul')]))).toEqual(['normalization', [1, 2], [1 / 16, 4]]);
    expect(statistics(graph([node('Sub', ['x', 'm12'], ['s'], [], 'sub')], [tensor('m12', [1, 2], f32([1, 2]))]))).toEqual(['normalization', [1, 2], [1, 1]]);
    expect(statistics(graph([node('Div', ['x', 'one'], ['s'], [], 'div')], [tensor('one', [1, 1], f32([2]))]))).toEqual(['normalization', [0, 0], [4, 4]]);
    // a Sub or Div whose constant comes first is no standardization: the Gemm then reads a computed tensor
    const stray = (what: string, input: string) => `${what} is not supported here: its input "${input}" is not a scalar constant; wasmnet reads activations whose other operands are scalar constants`;
    expect(message(() => fromONNX(graph([node('Sub', ['mean', 'x'], ['s'], [], 'sub')])))).toBe(stray('Sub (node "sub")', 'mean'));
    expect(message(() => fromONNX(graph([node('Div', ['sd', 'x'], ['s'], [], 'div')])))).toBe(stray('Div (node "div")', 'sd'));
  });

  test('on an input whose width is not declared ([batch, ?]): the statistics set it, and must match the first layer', () => {
    const open = (first: Uint8Array[], extra: Uint8Array[] = []) =>
      model({
        nodes: [...first, node('Gemm', ['s', 'W', 'b'], ['y'], [], 'dense')],
        initializers: [tensor('W', [2, 1], f32([1, 2])), tensor('b', [1], f32([0.5])), ...extra],
        inputs: [value('x', [null, null])],
        outputs: [value('y', [null, 1])],
      });
    expect(statistics(open([node('Sub', ['x', 'm2'], ['s'], [], 'sub')], [tensor('m2', [2], f32([1, 2]))]))).toEqual(['normalization', [1, 2], [1, 1]]);
    expect(message(() => fromONNX(open([node('Sub', ['x', 'm3'], ['s'], [], 'sub')], [tensor('m3', [3], f32([1, 2, 3]))])))).toBe('the input normalization has statistics for 3 features, but the first dense layer takes 2');
    expect(message(() => fromONNX(open([node('Sub', ['x', 'm22'], ['s'], [], 'sub')], [tensor('m22', [2, 2], f32([1, 2, 3, 4]))])))).toBe('Sub (node "sub"): constant "m22" of shape [2, 2] does not apply per feature to the input columns');
    // a divisor of another length than the mean, and a Scaler
    expect(message(() => fromONNX(open([node('Sub', ['x', 'm2'], ['c'], [], 'sub'), node('Div', ['c', 'sd3'], ['s'], [], 'div')], [tensor('m2', [2], f32([1, 2])), tensor('sd3', [3], f32([1, 2, 3]))])))).toBe('the input normalization has statistics for 3 features, but the first dense layer takes 2');
    expect(statistics(open([ml('Scaler', ['x'], ['s'], [floats('offset', [1, 2]), floats('scale', [0.25, 2])], 'scale')]))).toEqual(['normalization', [1, 2], [16, 0.25]]);
    // a BatchNormalization on it: the shape message cannot name the width
    const bn = model({
      nodes: [node('BatchNormalization', ['x', 'g21', 'b2', 'b2', 'b2'], ['s'], [], 'bn'), node('Gemm', ['s', 'W', 'b'], ['y'], [], 'dense')],
      initializers: [tensor('W', [2, 1], f32([1, 2])), tensor('b', [1], f32([0.5])), tensor('g21', [2, 1], f32([1, 2])), tensor('b2', [2], f32([1, 1]))],
      inputs: [value('x', [null, null])],
      outputs: [value('y', [null, 1])],
    });
    expect(message(() => fromONNX(bn))).toBe('BatchNormalization (node "bn"): scale "g21" has shape [2, 1]; expected [features]');
  });

  test('the data, or the tensor between Sub and Div, read by another node too: a branch, not a standardization', () => {
    expect(message(() => fromONNX(graph([node('Sub', ['x', 'mean'], ['s'], [], 'sub'), node('Identity', ['x'], ['x2'], [], 'copy')])))).toBe(
      'tensor "x" feeds 2 operators (Sub (node "sub"), Identity (node "copy")): wasmnet loads a chain of layers, not a branching graph',
    );
    expect(message(() => fromONNX(graph([node('Sub', ['x', 'mean'], ['c'], [], 'sub'), node('Div', ['c', 'sd'], ['s'], [], 'div'), node('Identity', ['c'], ['c2'], [], 'copy')])))).toBe(
      'tensor "c" feeds 2 operators (Div (node "div"), Identity (node "copy")): wasmnet loads a chain of layers, not a branching graph',
    );
  });

  test('a constant per feature is [w] or [1, w]; one value of up to two dimensions', () => {
    expect(message(() => fromONNX(graph([node('Sub', ['x', 'm21'], ['s'], [], 'sub')], [tensor('m21', [2, 1], f32([1, 2]))])))).toBe('Sub (node "sub"): constant "m21" of shape [2, 1] does not apply per feature to 2 input columns');
    expect(message(() => fromONNX(graph([node('Sub', ['x', 'm111'], ['s'], [], 'sub')], [tensor('m111', [1, 1, 1], f32([1]))])))).toBe('Sub (node "sub"): constant "m111" of shape [1, 1, 1] does not apply per feature to 2 input columns');
    expect(message(() => fromONNX(graph([node('Sub', ['x', 'm112'], ['s'], [], 'sub')], [tensor('m112', [1, 1, 2], f32([1, 2]))])))).toBe('Sub (node "sub"): constant "m112" of shape [1, 1, 2] does not apply per feature to 2 input columns');
  });

  test('a standardization refused, each with its whole message', () => {
    expect(message(() => fromONNX(graph([node('Sub', ['x', 'm22'], ['s'], [], 'sub')], [tensor('m22', [2, 2], f32([1, 2, 3, 4]))])))).toBe('Sub (node "sub"): constant "m22" of shape [2, 2] does not apply per feature to 2 input columns');
    expect(message(() => fromONNX(graph([node('Sub', ['x', 'mnan'], ['s'], [], 'sub')], [tensor('mnan', [2], f32([1, NaN]))])))).toBe('Sub (node "sub"): tensor "mnan"[1] is NaN; a normalization\'s constants must be finite');
    expect(message(() => fromONNX(graph([node('Sub', ['x', 'minf'], ['s'], [], 'sub')], [tensor('minf', [2], f32([-Infinity, 1]))])))).toBe('Sub (node "sub"): tensor "minf"[0] is -Infinity; a normalization\'s constants must be finite');
    expect(message(() => fromONNX(graph([node('Div', ['x', 'tiny0'], ['s'], [], 'div')], [tensor('tiny0', [2], f32([1e-8, 1]))])))).toBe(`the input normalization divides feature 0 by ${Math.fround(1e-8)} (scales it by ${Number((1 / Math.fround(1e-8)).toPrecision(6))}); wasmnet's normalization divides by at least 1e-7 (Keras's floor)`);
    expect(message(() => fromONNX(graph([node('Mul', ['x', 'neg'], ['s'], [], 'mul')], [tensor('neg', [2], f32([1, -1]))])))).toBe('Mul (node "mul") multiplies by a value ≤ 0; wasmnet\'s normalization divides by a positive standard deviation');
    expect(message(() => fromONNX(graph([node('Div', ['x', 'tiny'], ['s'], [], 'div')], [tensor('tiny', [2], f32([1, 1e-9]))])))).toBe(`the input normalization divides feature 1 by ${Math.fround(1e-9)} (scales it by ${Number((1 / Math.fround(1e-9)).toPrecision(6))}); wasmnet's normalization divides by at least 1e-7 (Keras's floor)`);
  });
});
