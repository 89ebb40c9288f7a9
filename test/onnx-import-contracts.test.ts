// fromONNX's documented refusals and readings (docs/interop.md, the TSDoc of src/onnx/index.ts)
// that the fixtures and the hostile files leave open: each refusal with its whole message (the
// operator's domain, the node by name or index, the data inputs listed five at most), and the
// graph forms read around them. Small models built in code with test/helpers/hostile.ts.
import { describe, expect, test } from 'vitest';
import { FormatError, type Network } from 'wasmnet';
import { fromONNX } from 'wasmnet/onnx';
import { baseGraph, bytesField, cat, f32, floatAttr, intField, model, node, strField, tensor, value, type GraphParts } from './helpers/hostile';

const DOUBLE = 11;
const INT64 = 7;

/** The base model (x [batch, 2] → Gemm → y [batch, 1]), changed by `change`. */
function onnx(change: (g: GraphParts) => void): Uint8Array {
  const g = baseGraph();
  change(g);
  return model(g);
}

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
    const i64 = (values: number[]) => {
      const b = new Uint8Array(values.length * 8);
      values.forEach((v, i) => new DataView(b.buffer).setBigInt64(i * 8, BigInt(v), true));
      return b;
    };
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
