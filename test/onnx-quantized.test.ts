// onnxruntime's dynamic quantization (`quantize_dynamic`) read by fromONNX, the weights
// dequantized at load: fixtures by scripts/fixtures/quantized-onnx.py in quantize_dynamic's
// layout, with numpy's float64 evaluation of the dequantized network. wasmnet matches that
// evaluation (and this file's own) to 1e-12, and onnxruntime-web's integer path within the bound
// docs/interop.md states, which this file computes from the ONNX operator definitions
// (DynamicQuantizeLinear, MatMulInteger), not from wasmnet's code.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { FormatError, init } from 'wasmnet';
import { fromONNX } from 'wasmnet/onnx';
import { cat, f32, intAttr, intField, model, node, strField, tensor, value } from './helpers/hostile';
import { corruptCopiesTest } from './helpers/corrupt-onnx';

await init();

const DIR = new URL('./fixtures/onnx/quantized/', import.meta.url);
type Activation = 'relu' | 'tanh' | 'linear';
interface Layer { weights: number[][]; bias: number[]; activation: Activation }
interface Fixture { note: string; input: number[][]; output: number[][]; layers: Layer[] }
const fixture = (name: string) => ({
  bytes: readFileSync(new URL(`${name}.onnx`, DIR)),
  ref: JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8')) as Fixture,
});
const NAMES = ['dynamic-int8', 'dynamic-uint8-per-channel'] as const;

const act = (a: Activation, z: number) => (a === 'relu' ? Math.max(z, 0) : a === 'tanh' ? Math.tanh(z) : z);

/** The dequantized network evaluated in float64: each layer's values, input first. */
function forward(layers: Layer[], x: number[]): number[][] {
  const values = [x];
  for (const { weights, bias, activation } of layers) {
    const a = values[values.length - 1]!;
    values.push(bias.map((b, j) => act(activation, a.reduce((s, v, k) => s + v * weights[k]![j]!, b))));
  }
  return values;
}

/**
 * How far onnxruntime's integer path may be from the dequantized network, per output value, for
 * one batch X (docs/interop.md, "Dynamic quantization"). For each layer, onnxruntime quantizes
 * its input over the whole batch: s = (max(0, max a) − min(0, min a)) / 255, zero point
 * round(−min/s), each value to s·(q − zero point), off by at most s/2; MatMulInteger is exact in
 * int32, then the Cast and the Mul by the two scales round to float32. With δ the error already in
 * the layer's input: |Δz_j| ≤ Σ_k |W_kj| (δ_k + s/2) + float32 rounding, and relu and tanh do not
 * enlarge it. onnxruntime's own inputs are within δ of the exact ones, so its range (hence s) is
 * bounded with the exact values ± δ.
 */
function bound(layers: Layer[], X: number[][]): number[][] {
  const exact = X.map((x) => forward(layers, x));
  let delta = X.map((x) => x.map(() => 0));
  layers.forEach((layer, l) => {
    let hi = 0;
    let lo = 0;
    exact.forEach((v, r) => v[l]!.forEach((a, k) => { hi = Math.max(hi, a + delta[r]![k]!); lo = Math.min(lo, a - delta[r]![k]!); }));
    const s = (hi - lo) / 255;
    delta = exact.map((v, r) => layer.bias.map((b, j) => {
      let d = 0;
      let size = Math.abs(b);
      v[l]!.forEach((a, k) => {
        const w = Math.abs(layer.weights[k]![j]!);
        d += w * (delta[r]![k]! + s * 0.5001); // 0.5001: a/s computed in float32 may round a tie the other way
        size += w * (Math.abs(a) + delta[r]![k]! + s);
      });
      return d + 1e-6 * size + 1e-7; // float32 rounding of the Cast, the two Muls, the Add and tanh
    }));
  });
  return delta;
}

/** Seeded inputs (xorshift): rows of `width` values in [−3, 3], exactly float32. */
function randomRows(n: number, width: number, seed: number): number[][] {
  let s = seed >>> 0;
  const next = () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
  return Array.from({ length: n }, () => Array.from({ length: width }, () => Math.fround(next() * 6 - 3)));
}

function relError(actual: number[][], expected: number[][]): number {
  let worst = 0;
  expected.forEach((row, i) => row.forEach((v, j) => { worst = Math.max(worst, Math.abs(actual[i]![j]! - v) / Math.max(1, Math.abs(v))); }));
  return worst;
}

describe('fromONNX: onnxruntime dynamic quantization', () => {
  const ort = import('onnxruntime-web').then((m) => {
    m.env.wasm.numThreads = 1;
    return m;
  });
  async function runORT(bytes: Uint8Array, X: number[][]): Promise<number[][]> {
    const { InferenceSession, Tensor } = await ort;
    const session = await InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const out = await session.run({ input1: new Tensor('float32', Float32Array.from(X.flat()), [X.length, X[0]!.length]) });
    const y = out[session.outputNames[0]!]!;
    const data = Array.from(y.data as Float32Array);
    const cols = y.dims[1]!;
    await session.release();
    return X.map((_, i) => data.slice(i * cols, (i + 1) * cols));
  }

  for (const name of NAMES) {
    test(`${name}: dense layers of the dequantized weights; numpy's float64 evaluation to 1e-12`, () => {
      const { bytes, ref } = fixture(name);
      const net = fromONNX(bytes);
      expect(net.layers.map((l) => (l.type === 'dense' ? `${l.units}:${l.activation}` : l.type))).toEqual(ref.layers.map((l) => `${l.bias.length}:${l.activation}`));
      expect(relError(net.predict(ref.input), ref.output)).toBeLessThan(1e-12);
      const X = randomRows(40, ref.input[0]!.length, 7);
      expect(relError(net.predict(X), X.map((x) => forward(ref.layers, x).pop()!))).toBeLessThan(1e-12);
    });

    test(`${name}: onnxruntime-web's integer path stays within the stated bound`, async () => {
      const { bytes, ref } = fixture(name);
      const net = fromONNX(bytes);
      for (const [n, seed] of [[64, 1], [5, 2], [1, 3]] as const) {
        const X = randomRows(n, ref.input[0]!.length, seed);
        const got = await runORT(bytes, X);
        const ours = net.predict(X);
        const limit = bound(ref.layers, X);
        let worst = 0;
        got.forEach((row, i) => row.forEach((v, j) => {
          expect(Math.abs(v - ours[i]![j]!), `row ${i}, column ${j} (batch of ${n})`).toBeLessThanOrEqual(limit[i]![j]!);
          worst = Math.max(worst, Math.abs(v - ours[i]![j]!));
        }));
        // onnxruntime really quantizes the activations (more than float32 rounding apart), and the
        // bound is not vacuous (well under the outputs' own size)
        if (n === 64) {
          expect(worst).toBeGreaterThan(1e-4);
          const size = Math.max(...ours.flat().map(Math.abs));
          expect(Math.max(...limit.flat())).toBeLessThan(0.25 * size);
        }
      }
    });
  }

});

/** x [batch, 2] → DynamicQuantizeLinear → MatMulInteger(Wq, Wz) → Cast → Mul(Mul(x scale, Ws)) →
 *  y, as quantize_dynamic writes it; `edit` changes a part. */
export function quantizedModel(edit: (p: { nodes: Uint8Array[]; Wq: Uint8Array; Wz: Uint8Array; Ws: Uint8Array }) => void = () => {}, units = 1): Uint8Array {
  const p = {
    nodes: [
      node('DynamicQuantizeLinear', ['x'], ['xq', 'xs', 'xz'], [], 'x_QuantizeLinear'),
      node('Mul', ['xs', 'Ws'], ['sc'], [], 'scales_mul'),
      node('MatMulInteger', ['xq', 'Wq', 'xz', 'Wz'], ['mi'], [], 'MatMul_quant'),
      node('Cast', ['mi'], ['mc'], [intAttr('to', 1)], 'cast'),
      node('Mul', ['mc', 'sc'], ['y'], [], 'output_scale_mul'),
    ],
    Wq: tensor('Wq', [2, 1], Uint8Array.of(3, 0xfb), INT8),
    Wz: tensor('Wz', [], Uint8Array.of(0), INT8),
    Ws: tensor('Ws', [], f32([0.1])),
  };
  edit(p);
  return model({ nodes: p.nodes, initializers: [p.Wq, p.Wz, p.Ws], inputs: [value('x', [null, 2])], outputs: [value('y', [null, units])] });
}
const INT8 = 3;

describe('fromONNX: dynamic quantization refusals name the node and the tensor', () => {
  test('the minimal model loads: W = (Wq − zero point)·scale', () => {
    const net = fromONNX(quantizedModel());
    const y = net.predict([[1, 2]])[0]![0]!;
    expect(Math.abs(y - (3 * Math.fround(0.1) + 2 * -5 * Math.fround(0.1)))).toBeLessThan(1e-15);
  });

  test('each broken part is named', () => {
    const refused = (edit: Parameters<typeof quantizedModel>[0]) => () => fromONNX(quantizedModel(edit));
    expect(refused((p) => (p.Wz = tensor('Wz', [3], Uint8Array.of(0, 0, 0), INT8)))).toThrow(
      new FormatError('MatMulInteger (node "MatMul_quant"): zero point "Wz" has shape [3]; it must be a scalar or one per column ([1])'));
    expect(refused((p) => (p.Ws = tensor('Ws', [2], f32([0.1, 0.2]))))).toThrow(
      new FormatError('Mul (node "scales_mul"): scale "Ws" has shape [2]; it must be a scalar or one per column ([1])'));
    expect(refused((p) => (p.Ws = tensor('Ws', [], f32([Infinity]))))).toThrow(
      new FormatError('Mul (node "scales_mul"): scale "Ws"[0] is Infinity; scales must be finite'));
    expect(refused((p) => (p.Wq = tensor('Wq', [2, 1], f32([3, -5]))))).toThrow(
      new FormatError('MatMulInteger (node "MatMul_quant"): weight "Wq" has data type 1; a quantized weight is INT8 (3) or UINT8 (2)'));
    expect(refused((p) => (p.Wq = tensor('Wq', [3, 1], Uint8Array.of(1, 2, 3), INT8)))).toThrow(
      new FormatError('MatMulInteger (node "MatMul_quant"): weight "Wq" of shape [3, 1] expects 3 inputs, but the data has 2 columns'));
    expect(refused((p) => (p.Wz = tensor('Wz', [], Uint8Array.of(0), 2)))).toThrow(
      new FormatError('MatMulInteger (node "MatMul_quant"): its zero point "Wz" must be a constant of its weight\'s type (3)'));
    expect(refused((p) => (p.Ws = tensor('Ws', [], Uint8Array.of(1), INT8)))).toThrow(
      new FormatError('Mul (node "scales_mul"): the weight\'s scale must be a FLOAT or DOUBLE constant'));
    const layout = new FormatError('DynamicQuantizeLinear (node "x_QuantizeLinear") is not followed by the layout quantize_dynamic writes (MatMulInteger with its zero point, Cast to FLOAT, Mul by the data\'s and the weight\'s scales), which is the one wasmnet reads');
    expect(refused((p) => (p.nodes[3] = node('Cast', ['mi'], ['mc'], [intAttr('to', 6)], 'cast')))).toThrow(layout);
    expect(refused((p) => (p.nodes[2] = node('MatMulInteger', ['xq', 'Wq', '', 'Wz'], ['mi'], [], 'MatMul_quant')))).toThrow(layout);
    expect(refused((p) => (p.nodes[4] = node('Mul', ['mc', 'xs'], ['y'], [], 'output_scale_mul')))).toThrow(layout);
    expect(refused((p) => (p.nodes[0] = node('DynamicQuantizeLinear', ['x'], ['xq', 'xs'], [], 'x_QuantizeLinear')))).toThrow(layout);
    // int32_data holding a value outside INT8
    expect(refused((p) => (p.Wq = tensor('Wq', [2, 1], undefined, INT8, [intField(5, 3), intField(5, 300)])))).toThrow(
      new FormatError('MatMulInteger (node "MatMul_quant"): "Wq"[1] is 300, outside INT8'));
    // onnxruntime's fused form, written by its optimizer
    expect(refused((p) => (p.nodes = [cat([node('DynamicQuantizeMatMul', ['x', 'Wq', 'Ws', 'Wz'], ['y'], [], 'fused'), strField(7, 'com.microsoft')])]))).toThrow(
      new FormatError('com.microsoft.DynamicQuantizeMatMul (node "fused") is onnxruntime\'s fused form, saved from an optimized session; wasmnet reads what quantize_dynamic writes'));
  });
});

describe('fromONNX: dynamic quantization, part by part', () => {
  const layout = 'DynamicQuantizeLinear (node "x_QuantizeLinear") is not followed by the layout quantize_dynamic writes (MatMulInteger with its zero point, Cast to FLOAT, Mul by the data\'s and the weight\'s scales), which is the one wasmnet reads';
  const message = (bytes: Uint8Array): string => {
    try {
      fromONNX(bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(FormatError);
      return (e as Error).message;
    }
    throw new Error('expected a FormatError, and the model loaded');
  };

  test('each link of the layout out of place is named as the layout', () => {
    const variants: [string, (p: { nodes: Uint8Array[] }) => void][] = [
      ['the data second in DynamicQuantizeLinear', (p) => (p.nodes[0] = node('DynamicQuantizeLinear', ['Ws', 'x'], ['xq', 'xs', 'xz'], [], 'x_QuantizeLinear'))],
      ['the quantized data second in MatMulInteger', (p) => (p.nodes[2] = node('MatMulInteger', ['Wq', 'xq', 'xz', 'Wz'], ['mi'], [], 'MatMul_quant'))],
      ["the data's zero point fourth", (p) => (p.nodes[2] = node('MatMulInteger', ['xq', 'Wq', 'Wz', 'xz'], ['mi'], [], 'MatMul_quant'))],
      ["the data's zero point read twice", (p) => p.nodes.push(node('Identity', ['xz'], ['xz2'], [], 'copy'))],
      ['the quantized data read twice', (p) => p.nodes.push(node('Identity', ['xq'], ['xq2'], [], 'copy'))],
      ['an Add for the last Mul', (p) => (p.nodes[4] = node('Add', ['mc', 'sc'], ['y'], [], 'output_scale_mul'))],
      ['the scales read twice', (p) => p.nodes.push(node('Identity', ['sc'], ['sc2'], [], 'copy'))],
    ];
    for (const [what, edit] of variants) expect(message(quantizedModel(edit)), what).toBe(layout);
  });

  test('per column: two units with a zero point and a scale each; UINT8 weights; a DOUBLE scale', () => {
    // W = (Wq − Wz[j])·Ws[j]: Wq = [[3, −5], [7, 2]] (inputs × units), Wz = [1, −1], Ws = [0.5, 0.25]
    const two = quantizedModel((p) => {
      p.Wq = tensor('Wq', [2, 2], Uint8Array.of(3, 251, 7, 2), INT8); // −5 as a byte
      p.Wz = tensor('Wz', [2], Uint8Array.of(1, 255), INT8); // −1 as a byte
      p.Ws = tensor('Ws', [2], f32([0.5, 0.25]));
    }, 2);
    const x = [1, 2];
    const expected = [0, 1].map((j) => x.reduce((s, v, i) => s + v * ([[3, -5], [7, 2]][i]![j]! - [1, -1][j]!) * [0.5, 0.25][j]!, 0));
    expect(fromONNX(two).predict([x])[0]!.map((v, j) => Math.abs(v - expected[j]!))).toEqual([0, 0]);
    // UINT8: 0 to 255 around a zero point of 128
    const u8 = quantizedModel((p) => {
      p.Wq = tensor('Wq', [2, 1], Uint8Array.of(255, 0), 2);
      p.Wz = tensor('Wz', [], Uint8Array.of(128), 2);
    });
    expect(fromONNX(u8).predict([[1, 1]])[0]![0]).toBeCloseTo((127 - 128) * Math.fround(0.1), 15);
    const f64 = quantizedModel((p) => (p.Ws = tensor('Ws', [], new Uint8Array(Float64Array.of(0.5).buffer), 11)));
    expect(fromONNX(f64).predict([[1, 0]])[0]![0]).toBe(1.5);
  });

  test('a scale of shape [1] on two units, a Cast to DOUBLE, no weight zero point', () => {
    const two = (edit: (p: { nodes: Uint8Array[]; Wq: Uint8Array; Wz: Uint8Array; Ws: Uint8Array }) => void) =>
      quantizedModel((p) => {
        p.Wq = tensor('Wq', [2, 2], Uint8Array.of(1, 2, 3, 4), INT8);
        p.Wz = tensor('Wz', [1], Uint8Array.of(0), INT8);
        p.Ws = tensor('Ws', [1], f32([0.5]));
        edit(p);
      }, 2);
    // W = Wq · 0.5: [1, 1]·W = [(1 + 3)/2, (2 + 4)/2]
    expect(fromONNX(two(() => {})).predict([[1, 1]])).toEqual([[2, 3]]);
    expect(fromONNX(two((p) => (p.nodes[3] = node('Cast', ['mi'], ['mc'], [intAttr('to', 11)], 'cast')))).predict([[1, 1]])).toEqual([[2, 3]]);
    expect(fromONNX(two((p) => (p.nodes[2] = node('MatMulInteger', ['xq', 'Wq', 'xz'], ['mi'], [], 'MatMul_quant')))).predict([[1, 1]])).toEqual([[2, 3]]);
  });

  test('a value below the type\'s range (int32_data −1 for UINT8) is named', () => {
    const minusOne = [0x28, ...Array.from({ length: 9 }, () => 0xff), 0x01]; // int32_data (field 5), varint of −1 (ten bytes)
    expect(message(quantizedModel((p) => {
      p.Wq = tensor('Wq', [2, 1], undefined, 2, [Uint8Array.from(minusOne), intField(5, 3)]);
      p.Wz = tensor('Wz', [], Uint8Array.of(0), 2);
    }))).toBe('MatMulInteger (node "MatMul_quant"): "Wq"[0] is -1, outside UINT8');
  });

  test('shapes and values refused whole: a [1, 1] scale, a value out of range at index 0, UINT8 named', () => {
    expect(message(quantizedModel((p) => (p.Ws = tensor('Ws', [1, 1], f32([0.1])))))).toBe('Mul (node "scales_mul"): scale "Ws" has shape [1, 1]; it must be a scalar or one per column ([1])');
    expect(message(quantizedModel((p) => (p.Wq = tensor('Wq', [2, 1], undefined, INT8, [intField(5, 200), intField(5, 3)]))))).toBe('MatMulInteger (node "MatMul_quant"): "Wq"[0] is 200, outside INT8');
    expect(message(quantizedModel((p) => {
      p.Wq = tensor('Wq', [2, 1], undefined, 2, [intField(5, 3), intField(5, 256)]);
      p.Wz = tensor('Wz', [], Uint8Array.of(0), 2);
    }))).toBe('MatMulInteger (node "MatMul_quant"): "Wq"[1] is 256, outside UINT8');
  });
});

describe('corrupt quantized ONNX bytes', () => {
  for (const name of NAMES) {
    corruptCopiesTest(name, new Uint8Array(fixture(name).bytes));
  }
});
