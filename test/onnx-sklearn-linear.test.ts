// scikit-learn's linear models as skl2onnx writes them (ai.onnx.ml.LinearClassifier and
// LinearRegressor; fixtures by scripts/fixtures/sklearn-linear-onnx.py in skl2onnx's layout, with
// numpy's float64 evaluation from the ONNX-ML operator definitions), read by fromONNX as one dense
// layer: checked against numpy to 1e-12 and against onnxruntime-web, which runs the ai.onnx.ml
// operators, to float32 precision; and the forms wasmnet refuses, by name.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { FormatError, init } from 'wasmnet';
import { fromONNX } from 'wasmnet/onnx';
import { bytesField, cat, f32, intAttr, intField, model, node, strField, tensor, value } from './helpers/hostile';
import { corruptCopiesTest } from './helpers/corrupt-onnx';

await init();

const DIR = new URL('./fixtures/onnx/sklearn/', import.meta.url);
const bytesOf = (name: string) => readFileSync(new URL(`${name}.onnx`, DIR));
const refOf = (name: string) => JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8')) as { input: number[][]; output: number[][] };

function relError(actual: number[][], expected: number[][]): number {
  let worst = 0;
  expected.forEach((row, i) => row.forEach((v, j) => { worst = Math.max(worst, Math.abs(actual[i]![j]! - v) / Math.max(1, Math.abs(v))); }));
  return worst;
}

/** What each fixture loads as (units:activation per layer), and the graph output onnxruntime is
 *  read at (the ZipMap model's probabilities are a sequence of maps, which onnxruntime-web does
 *  not return: its zipmap=False twin is run instead). */
const LOADED: Record<string, { layers: string; output?: string }> = {
  'logreg-binary': { layers: 'dense 2:softmax', output: 'probability_tensor' },
  'logreg-binary-zipmap': { layers: 'dense 2:softmax' },
  'logreg-binary-double': { layers: 'dense 2:softmax', output: 'probabilities' },
  'logreg-multinomial': { layers: 'dense 3:softmax', output: 'probabilities' },
  'ridge-classifier-binary': { layers: 'dense 1:linear', output: 'probabilities' },
  'linreg-two-targets': { layers: 'dense 2:linear', output: 'variable' },
  'scaler-ridge': { layers: 'normalization, dense 1:linear', output: 'variable1' },
};

describe('fromONNX: skl2onnx LinearClassifier and LinearRegressor', () => {
  const ort = import('onnxruntime-web').then((m) => {
    m.env.wasm.numThreads = 1;
    return m;
  });

  for (const [name, { layers }] of Object.entries(LOADED)) {
    test(`${name}: ${layers}; numpy's float64 evaluation to 1e-12`, () => {
      const net = fromONNX(bytesOf(name));
      expect(net.layers.map((l) => (l.type === 'dense' ? `dense ${l.units}:${l.activation}` : l.type)).join(', ')).toBe(layers);
      const ref = refOf(name);
      expect(relError(net.predict(ref.input), ref.output)).toBeLessThan(1e-12);
    });
  }

  for (const [name, { output }] of Object.entries(LOADED).filter(([, c]) => c.output !== undefined)) {
    const double = name.endsWith('-double');
    test(`${name}: onnxruntime-web agrees to ${double ? '1e-12 (float64)' : '1e-5 (float32)'} on 50 inputs`, async () => {
      const net = fromONNX(bytesOf(name));
      const X = Array.from({ length: 50 }, (_, i) => Array.from({ length: 4 }, (_, j) => Math.fround(3 * Math.sin(i * 1.3 + j * 0.7) + (j - 1.5))));
      const { InferenceSession, Tensor } = await ort;
      const session = await InferenceSession.create(bytesOf(name), { executionProviders: ['wasm'] });
      const x = double ? new Tensor('float64', Float64Array.from(X.flat()), [X.length, 4]) : new Tensor('float32', Float32Array.from(X.flat()), [X.length, 4]);
      const out = await session.run({ X: x }, [output!]);
      const data = Array.from(out[output!]!.data as Float32Array | Float64Array);
      const cols = out[output!]!.dims[1]!;
      await session.release();
      expect(cols).toBe(net.outputSize);
      expect(relError(net.predict(X), X.map((_, i) => data.slice(i * cols, (i + 1) * cols)))).toBeLessThan(double ? 1e-12 : 1e-5);
    });
  }

  test('logreg-binary-zipmap: the label output and its Cast, and ZipMap, are left out; the two probabilities sum to 1', () => {
    const net = fromONNX(bytesOf('logreg-binary-zipmap'));
    expect(net.outputSize).toBe(2);
    const p = net.predict([[0.5, -1, 2, 0.25]])[0]!;
    expect(p[0]! + p[1]!).toBeCloseTo(1, 15);
  });

  test('logreg-binary fine-tunes as one classifier: categoricalCrossentropy, the loss falls, the columns still sum to 1', async () => {
    const net = fromONNX(bytesOf('logreg-binary'), { optimizer: { type: 'adam', learningRate: 0.05 }, seed: 1 });
    expect(net.loss).toBe('categoricalCrossentropy');
    const x = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(i * 0.7), (i % 5) - 2, i / 20 - 1]);
    const y = x.map((r) => (r[0]! + r[2]! > 0 ? [0, 1] : [1, 0]));
    const before = net.evaluate(x, y).loss;
    await net.fit(x, y, { epochs: 30, batchSize: 8 });
    expect(net.evaluate(x, y).loss).toBeLessThan(before * 0.5);
    for (const p of net.predict(x)) expect(p[0]! + p[1]!).toBeCloseTo(1, 12);
  });

  test('a real file (onnxruntime\'s logreg_iris.onnx, OnnxMLTools 1.2, IR 3, no ai.onnx opset): refused for its first real cause, the declared input width', () => {
    const bytes = readFileSync(new URL('real/logreg_iris.onnx', DIR));
    expect(() => fromONNX(bytes)).toThrow(new FormatError('LinearClassifier (node "LinearClassifier"): 12 coefficients are not 3 classes × 2 input features'));
  });

  test('one-vs-rest LogisticRegression (sigmoids normalized to sum 1) is refused, naming the Normalizer', () => {
    expect(() => fromONNX(bytesOf('logreg-ovr'))).toThrow(new FormatError(
      'Normalizer (node "Normalizer") normalizes (L1) the sigmoid scores of 3 classes; wasmnet reads L1 after a softmax (a no-op), not one-vs-rest probabilities (sigmoids over their sum)'));
  });
});

const ML = 'ai.onnx.ml';
// AttributeProto: name[1], s[4], floats[7] (packed), ints[8], strings[9]
const floatsAttr = (name: string, values: number[]) => cat([strField(1, name), bytesField(7, f32(values))]);
const intsAttr = (name: string, values: number[]) => cat([strField(1, name), ...values.map((v) => intField(8, v))]);
const stringsAttr = (name: string, values: string[]) => cat([strField(1, name), ...values.map((v) => strField(9, v))]);
const stringAttr = (name: string, s: string) => cat([strField(1, name), strField(4, s)]);

/** x [batch, 2] → ai.onnx.ml `op` with `attributes` → its outputs; the last output is the graph's. */
function mlModel(op: string, attributes: Uint8Array[], outputs = ['label', 'scores']): Uint8Array {
  return model({
    nodes: [cat([node(op, ['x'], outputs, attributes, op), strField(7, ML)])],
    initializers: [],
    inputs: [value('x', [null, 2])],
    outputs: outputs.map((o) => value(o, [null, null])),
  });
}

describe('fromONNX: LinearClassifier and LinearRegressor refusals name the node and the attribute', () => {
  const classifier = (extra: Uint8Array[], base = true) => () => fromONNX(mlModel('LinearClassifier', [
    ...(base ? [floatsAttr('coefficients', [1, 2, 3, 4]), floatsAttr('intercepts', [0.5, -0.5]), intsAttr('classlabels_ints', [0, 1])] : []),
    ...extra,
  ]));

  test('a valid two-row classifier loads (NONE: the raw scores)', () => {
    const net = classifier([])();
    expect(net.predict([[1, 1]])).toEqual([[3.5, 6.5]]);
  });

  test('each refused form is named', () => {
    expect(classifier([stringAttr('post_transform', 'PROBIT')])).toThrow(new FormatError(
      'LinearClassifier (node "LinearClassifier") has post_transform "PROBIT"; wasmnet loads NONE, LOGISTIC and SOFTMAX'));
    expect(classifier([stringAttr('post_transform', 'constructor')])).toThrow(/has post_transform "constructor"; wasmnet loads NONE, LOGISTIC and SOFTMAX$/);
    expect(classifier([stringAttr('post_transform', 'SOFTMAX_ZERO')])).toThrow(/has post_transform "SOFTMAX_ZERO"; wasmnet loads NONE, LOGISTIC and SOFTMAX$/);
    expect(classifier([floatsAttr('coefficients', [1, 2, 3]), floatsAttr('intercepts', [0.5, -0.5]), intsAttr('classlabels_ints', [0, 1])], false)).toThrow(new FormatError(
      'LinearClassifier (node "LinearClassifier"): 3 coefficients are not 2 classes × 2 input features'));
    expect(classifier([floatsAttr('coefficients', [1, 2]), floatsAttr('intercepts', [0.5]), intsAttr('classlabels_ints', [0, 1]), stringAttr('post_transform', 'LOGISTIC')], false)).toThrow(new FormatError(
      'LinearClassifier (node "LinearClassifier") has one row of coefficients for two class labels (onnxruntime then returns [1 − score, score] whatever its post_transform); wasmnet loads one row per class, as skl2onnx writes them'));
    expect(classifier([stringsAttr('classlabels_strings', ['a', 'b'])])).toThrow(new FormatError(
      'LinearClassifier (node "LinearClassifier") has 4 class labels (ints and strings) for 2 rows of coefficients (one per intercept); they must match'));
    expect(classifier([floatsAttr('coefficients', [1, 2, 3, 4, 5, 6]), floatsAttr('intercepts', [0.5, -0.5, 0]), intsAttr('classlabels_ints', [0, 1])], false)).toThrow(new FormatError(
      'LinearClassifier (node "LinearClassifier") has 2 class labels (ints and strings) for 3 rows of coefficients (one per intercept); they must match'));
    expect(classifier([floatsAttr('coefficients', [1, NaN, 3, 4]), floatsAttr('intercepts', [0.5, -0.5]), intsAttr('classlabels_ints', [0, 1])], false)).toThrow(new FormatError(
      'LinearClassifier (node "LinearClassifier"): coefficients[1] is NaN; it must be finite'));
    expect(() => fromONNX(mlModel('LinearClassifier', [floatsAttr('coefficients', [1, 2, 3, 4]), intsAttr('classlabels_ints', [0, 1])], ['label']))).toThrow(new FormatError(
      'LinearClassifier (node "LinearClassifier") must read the data and write scores (its second output)'));

    const regressor = (attributes: Uint8Array[]) => () => fromONNX(mlModel('LinearRegressor', attributes, ['y']));
    expect(regressor([floatsAttr('coefficients', [1, 2, 3, 4]), intAttr('targets', 2)])().predict([[1, 1]])).toEqual([[3, 7]]);
    // a model of ai.onnx.ml operators only may import no ai.onnx opset (the real file above does not)
    const withOpset = mlModel('LinearRegressor', [floatsAttr('coefficients', [1, 2])], ['y']);
    const opsetField = Uint8Array.of(0x42, 4, 0x0a, 0, 0x10, 17); // opset_import { domain "", version 17 }, written last
    expect(withOpset.subarray(-6)).toEqual(opsetField);
    expect(fromONNX(withOpset.subarray(0, -6)).predict([[1, 1]])).toEqual([[3]]);
    const gemm = model({ nodes: [node('Gemm', ['x', 'W'], ['y'], [], 'dense')], initializers: [tensor('W', [2, 1], f32([1, 2]))], inputs: [value('x', [null, 2])], outputs: [value('y', [null, 1])] });
    expect(() => fromONNX(gemm.subarray(0, -6))).toThrow(new FormatError('ONNX opset 0 is not supported (wasmnet reads opsets 9 to 22)'));
    expect(regressor([floatsAttr('coefficients', [1, 2, 3, 4, 5]), intAttr('targets', 2)])).toThrow(new FormatError(
      'LinearRegressor (node "LinearRegressor"): 5 coefficients are not 2 targets × 2 input features'));
    expect(regressor([floatsAttr('coefficients', [1, 2]), floatsAttr('intercepts', [1, 2])])).toThrow(new FormatError(
      'LinearRegressor (node "LinearRegressor") has 2 intercepts for 1 targets'));
    expect(regressor([floatsAttr('coefficients', [1, 2]), stringAttr('post_transform', 'SOFTMAX')])).toThrow(new FormatError(
      'LinearRegressor (node "LinearRegressor") has post_transform "SOFTMAX"; wasmnet loads NONE'));
    expect(regressor([floatsAttr('coefficients', [1, 2]), intAttr('targets', 2 ** 40)])).toThrow(new FormatError(
      'LinearRegressor (node "LinearRegressor"): 2 coefficients are not 1099511627776 targets × 2 input features'));

    // a non-finite first coefficient, no targets, a classifier without its scores output
    expect(regressor([floatsAttr('coefficients', [Infinity, 2])])).toThrow(new FormatError('LinearRegressor (node "LinearRegressor"): coefficients[0] is Infinity; it must be finite'));
    expect(regressor([floatsAttr('coefficients', [1, 2]), intAttr('targets', 0)])).toThrow(new FormatError(
      'LinearRegressor (node "LinearRegressor"): 2 coefficients are not 0 targets × 2 input features'));
    expect(() => fromONNX(mlModel('LinearClassifier', [floatsAttr('coefficients', [1, 2, 3, 4]), intsAttr('classlabels_ints', [0, 1])], ['label', '']))).toThrow(new FormatError(
      'LinearClassifier (node "LinearClassifier") must read the data and write scores (its second output)'));
    // the data second; a regressor without its output
    const second = model({ nodes: [cat([node('LinearRegressor', ['c', 'x'], ['y'], [floatsAttr('coefficients', [1, 2])], 'LinearRegressor'), strField(7, ML)])], initializers: [tensor('c', [1], f32([0]))], inputs: [value('x', [null, 2])], outputs: [value('y', [null, 1])] });
    expect(() => fromONNX(second)).toThrow(new FormatError('LinearRegressor (node "LinearRegressor") must read the data and write its output'));
    expect(regressor([floatsAttr('coefficients', [1, 2])])).not.toThrow();
    const noOutput = model({ nodes: [cat([node('LinearRegressor', ['x'], [''], [floatsAttr('coefficients', [1, 2])], 'LinearRegressor'), strField(7, ML)])], initializers: [], inputs: [value('x', [null, 2])], outputs: [value('y', [null, 1])] });
    expect(() => fromONNX(noOutput)).toThrow(new FormatError('LinearRegressor (node "LinearRegressor") has no output; every ONNX operator writes its first output'));
    // an input whose width is not declared takes the coefficients' count; one input feature is enough
    const onInput = (dims: (number | null)[], coefficients: number[], targets = 1) =>
      fromONNX(model({ nodes: [cat([node('LinearRegressor', ['x'], ['y'], [floatsAttr('coefficients', coefficients), intAttr('targets', targets)], 'LinearRegressor'), strField(7, ML)])], initializers: [], inputs: [value('x', dims)], outputs: [value('y', [null, targets])] }));
    expect(onInput([null, null], [1, 2, 3, 4], 2).predict([[1, 1]])).toEqual([[3, 7]]);
    expect(onInput([null, 1], [5]).predict([[2]])).toEqual([[10]]);
    expect(() => onInput([null, null], [], 1)).toThrow(new FormatError('LinearRegressor (node "LinearRegressor"): 0 coefficients are not 1 targets × a whole number of input features'));
    expect(() => onInput([null, null], [1, 2, 3, 4, 5], 2)).toThrow(new FormatError('LinearRegressor (node "LinearRegressor"): 5 coefficients are not 2 targets × a whole number of input features'));
    // one row for one class label is one unit
    expect(classifier([floatsAttr('coefficients', [1, 2]), floatsAttr('intercepts', [0.5]), intsAttr('classlabels_ints', [7])], false)().predict([[1, 1]])).toEqual([[3.5]]);
  });
});

describe('corrupt scikit-learn ONNX bytes', () => {
  for (const name of ['logreg-binary-zipmap', 'logreg-multinomial', 'logreg-binary-double', 'ridge-classifier-binary', 'scaler-ridge', 'real/logreg_iris']) {
    corruptCopiesTest(name, new Uint8Array(bytesOf(name)));
  }
});
