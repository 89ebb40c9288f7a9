// Dense layers written in other shapes than Gemm/MatMul: onnxruntime's dynamic quantization
// (`quantize_dynamic`: DynamicQuantizeLinear → MatMulInteger → Cast → Mul by the two scales,
// its quantization/operators/matmul.py), dequantized at load; and scikit-learn's linear models
// as skl2onnx writes them (`ai.onnx.ml.LinearClassifier` / `LinearRegressor`, its
// operator_converters/linear_classifier.py and linear_regressor.py).
import { FormatError, type ActivationName } from 'wasmnet';
import { DOUBLE, FLOAT, INT8, UINT8, type OnnxNode, type OnnxTensor } from './model';
import { binarySoftmax, quote, tensorValues } from './import';

type Lookup = (n: string | undefined) => OnnxTensor | undefined;
type Consumers = Map<string, OnnxNode[]>;

/** A dense layer read from one of the forms above: its nodes and the tensor it produces. */
export interface LinearFound {
  units: number;
  weights: Float64Array;
  bias: Float64Array;
  activation?: ActivationName;
  nodes: OnnxNode[];
  output: string;
  /** a classifier's label output: what reads it is ignored, like skl2onnx's label tail */
  labels?: string;
}

const LAYOUT = 'wasmnet reads the layout quantize_dynamic writes: DynamicQuantizeLinear → MatMulInteger (constant INT8/UINT8 weight and zero point) → Cast → Mul by the product of the two scales';

/** A scalar, [1] or one value per column: the shapes of a zero point or scale. */
function perColumn(t: OnnxTensor, units: number): boolean {
  const size = t.dims.reduce((p, d) => p * d, 1);
  return (size === 1 && t.dims.length <= 1) || (t.dims.length === 1 && t.dims[0] === units);
}

/** onnxruntime's dynamic quantization of a MatMul, read from its DynamicQuantizeLinear node:
 *  the weight dequantized, W = (Wq − zero point)·scale, per tensor or per column. */
export function dynamicQuantized(dql: OnnxNode, cur: string, width: number | undefined, consumers: Consumers, constant: Lookup, at: (n: OnnxNode) => string): LinearFound {
  const where = at(dql);
  const fail = (what: string): never => {
    throw new FormatError(`${where}: ${what}; ${LAYOUT}`);
  };
  const only = (t: string | undefined) => {
    const list = t === undefined || t === '' ? [] : consumers.get(t) ?? [];
    return list.length === 1 ? list[0]! : undefined;
  };
  if (dql.input[0] !== cur || dql.output.length !== 3 || dql.output.some((o) => o === '')) fail('it must quantize the data into its three outputs (data, scale, zero point)');
  const [q, s, zp] = dql.output as [string, string, string];
  const mm = only(q);
  if (!mm || mm.opType !== 'MatMulInteger' || mm.input[0] !== q) fail(`its output ${quote(q)} must feed one MatMulInteger, as its first input`);
  const m = mm!;
  if (m.input[2] !== zp || only(zp) !== m) fail(`its zero point ${quote(zp)} must be ${at(m)}'s a_zero_point and feed nothing else`);
  const scales = only(s);
  if (!scales || scales.opType !== 'Mul' || scales.input.length !== 2 || !scales.input.includes(s)) fail(`its scale ${quote(s)} must feed one Mul (by the weight's scale)`);
  const sm = scales!;
  const cast = only(m.output[0]);
  const to = cast?.attributes.get('to')?.i;
  if (!cast || cast.opType !== 'Cast' || (to !== FLOAT && to !== DOUBLE)) fail(`${at(m)}'s output must feed one Cast to FLOAT or DOUBLE`);
  const out = only(cast!.output[0]);
  if (!out || out.opType !== 'Mul' || out.input.length !== 2 || !out.input.includes(cast!.output[0]!) || !out.input.includes(sm.output[0]!) || only(sm.output[0]) !== out) {
    fail(`${at(cast!)}'s output must be multiplied by ${at(sm)}'s output (the two scales), and by nothing else`);
  }

  // Shapes and types, all checked before anything is decoded.
  const mmAt = at(m);
  const W = constant(m.input[1]);
  if (!W) throw new FormatError(`${mmAt} multiplies two computed tensors; its second operand must be a constant quantized weight`);
  if (W.dataType !== INT8 && W.dataType !== UINT8) throw new FormatError(`${mmAt}: weight ${quote(W.name)} has data type ${W.dataType}; a quantized weight is INT8 (3) or UINT8 (2)`);
  if (W.dims.length !== 2) throw new FormatError(`${mmAt}: weight ${quote(W.name)} has shape [${W.dims.join(', ')}]; a dense layer's weight is 2-D`);
  const [inputs, units] = W.dims as [number, number];
  if (width !== undefined && inputs !== width) throw new FormatError(`${mmAt}: weight ${quote(W.name)} of shape [${W.dims.join(', ')}] expects ${inputs} inputs, but the data has ${width} columns`);
  if (!(inputs >= 1 && units >= 1)) throw new FormatError(`${mmAt}: weight ${quote(W.name)} has an empty shape [${W.dims.join(', ')}]`);
  const zName = m.input[3];
  const Z = zName === undefined || zName === '' ? undefined : constant(zName);
  if (zName && !Z) throw new FormatError(`${mmAt}: its weight zero point ${quote(zName)} must be a constant`);
  if (Z && Z.dataType !== W.dataType) throw new FormatError(`${mmAt}: zero point ${quote(Z.name)} has data type ${Z.dataType}, its weight ${W.dataType}; they must match`);
  if (Z && !perColumn(Z, units)) throw new FormatError(`${mmAt}: zero point ${quote(Z.name)} has shape [${Z.dims.join(', ')}]; it must be a scalar or one per column ([${units}])`);
  const S = constant(sm.input[0] === s ? sm.input[1] : sm.input[0]);
  if (!S) throw new FormatError(`${at(sm)} multiplies the data's scale by a computed tensor; the weight's scale must be a constant`);
  if (S.dataType !== FLOAT && S.dataType !== DOUBLE) throw new FormatError(`${at(sm)}: scale ${quote(S.name)} has data type ${S.dataType}; a scale is FLOAT or DOUBLE`);
  if (!perColumn(S, units)) throw new FormatError(`${at(sm)}: scale ${quote(S.name)} has shape [${S.dims.join(', ')}]; it must be a scalar or one per column ([${units}])`);

  const scale = tensorValues(S, at(sm));
  const bad = scale.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new FormatError(`${at(sm)}: scale ${quote(S.name)}[${bad}] is ${scale[bad]}; scales must be finite`);
  const [lo, hi] = W.dataType === INT8 ? [-128, 127] : [0, 255];
  const inRange = (values: Float64Array, t: OnnxTensor) => {
    const i = values.findIndex((v) => !(v >= lo && v <= hi && Number.isInteger(v)));
    if (i >= 0) throw new FormatError(`${mmAt}: ${quote(t.name)}[${i}] is ${values[i]}, outside ${W.dataType === INT8 ? 'INT8' : 'UINT8'}`);
    return values;
  };
  const zero = Z ? inRange(tensorValues(Z, mmAt), Z) : Float64Array.of(0);
  const values = inRange(tensorValues(W, mmAt), W);
  const weights = new Float64Array(inputs * units);
  for (let i = 0; i < inputs; i++) {
    for (let j = 0; j < units; j++) {
      const k = i * units + j;
      weights[k] = (values[k]! - zero[zero.length === 1 ? 0 : j]!) * scale[scale.length === 1 ? 0 : j]!;
    }
  }
  return { units, weights, bias: new Float64Array(units), nodes: [dql, sm, m, cast!, out!], output: out!.output[0]! };
}

/** The values of a floats attribute, each finite. */
function floats(node: OnnxNode, name: string, where: string): Float64Array | undefined {
  const a = node.attributes.get(name);
  if (!a || a.floats.count === 0) return undefined;
  const v = a.floats.read();
  const bad = v.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new FormatError(`${where}: ${name}[${bad}] is ${v[bad]}; it must be finite`);
  return v;
}

/** `coefficients` as [rows, inputs] (row-major), `intercepts` [rows] → weights [inputs × rows]. */
function transpose(c: Float64Array, rows: number, inputs: number): Float64Array {
  const w = new Float64Array(c.length);
  for (let i = 0; i < inputs; i++) for (let j = 0; j < rows; j++) w[i * rows + j] = c[j * inputs + i]!;
  return w;
}

/** The number of inputs `count` coefficients give `rows` rows, checked against the data's width. */
function inputsOf(count: number, rows: number, width: number | undefined, where: string, what: string): number {
  const inputs = count / rows;
  if (!Number.isInteger(inputs) || inputs < 1 || (width !== undefined && inputs !== width)) {
    throw new FormatError(`${where}: ${count} coefficients are not ${rows} ${what} × ${width ?? 'a whole number of'} input features`);
  }
  return inputs;
}

const TRANSFORMS = new Map<string, ActivationName>([['NONE', 'linear'], ['LOGISTIC', 'sigmoid'], ['SOFTMAX', 'softmax']]);

/** skl2onnx's LinearClassifier: scores = X·coefficientsᵀ + intercepts (one row per class), then
 *  its post_transform. A binary model is written as two rows, −c and c, with LOGISTIC: the
 *  probabilities [σ(−z), σ(z)], which are softmax over [0, z] (loaded so, to stay one
 *  classifier when fine-tuned). */
export function linearClassifier(node: OnnxNode, cur: string, width: number | undefined, at: (n: OnnxNode) => string): LinearFound {
  const where = at(node);
  if (node.input[0] !== cur) throw new FormatError(`${where} does not take the data as its input`);
  if (node.output.length < 2 || node.output[1] === '') throw new FormatError(`${where} writes only labels; wasmnet loads a classifier's scores (its second output)`);
  const a = node.attributes;
  const ints = a.get('classlabels_ints')?.ints.count ?? 0;
  const strings = a.get('classlabels_strings')?.strings ?? 0;
  if (ints > 0 && strings > 0) throw new FormatError(`${where} has both classlabels_ints and classlabels_strings; a classifier has one`);
  const labels = ints + strings;
  const coefficients = a.get('coefficients')?.floats.count ?? 0;
  if (coefficients === 0) throw new FormatError(`${where} has no coefficients`);
  // onnxruntime computes one score per intercept
  const rows = a.get('intercepts')?.floats.count || labels;
  if (rows === 1 && labels === 2) {
    throw new FormatError(`${where} has one row of coefficients for two class labels (onnxruntime then returns [1 − score, score] whatever its post_transform); wasmnet loads one row per class, as skl2onnx writes them`);
  }
  if (labels === 0 || labels !== rows) throw new FormatError(`${where} has ${labels} class labels for ${rows} rows of coefficients (one per intercept); they must match`);
  const inputs = inputsOf(coefficients, rows, width, where, 'classes');
  const transform = a.get('post_transform')?.s ?? 'NONE';
  const activation = TRANSFORMS.get(transform);
  if (activation === undefined) {
    throw new FormatError(`${where} has post_transform ${quote(transform)}; wasmnet loads NONE, LOGISTIC and SOFTMAX (SOFTMAX_ZERO and PROBIT are none of its activations)`);
  }
  const c = floats(node, 'coefficients', where)!;
  const layer = { units: rows, weights: transpose(c, rows, inputs), bias: floats(node, 'intercepts', where) ?? new Float64Array(rows), activation };
  const found = { ...(binarySoftmax(layer) ?? layer), nodes: [node], output: node.output[1]!, labels: node.output[0]! };
  return found;
}

/** skl2onnx's LinearRegressor: y = X·coefficientsᵀ + intercepts, `targets` outputs. */
export function linearRegressor(node: OnnxNode, cur: string, width: number | undefined, at: (n: OnnxNode) => string): LinearFound {
  const where = at(node);
  if (node.input[0] !== cur) throw new FormatError(`${where} does not take the data as its input`);
  const a = node.attributes;
  const transform = a.get('post_transform')?.s ?? 'NONE';
  if (transform !== 'NONE') throw new FormatError(`${where} has post_transform ${quote(transform)}; wasmnet loads a LinearRegressor with NONE`);
  const targets = a.get('targets')?.i ?? 1;
  if (!(Number.isInteger(targets) && targets >= 1 && targets <= 2 ** 28)) throw new FormatError(`${where} has targets ${targets}; it must be a positive count`);
  const coefficients = a.get('coefficients')?.floats.count ?? 0;
  if (coefficients === 0) throw new FormatError(`${where} has no coefficients`);
  const inputs = inputsOf(coefficients, targets, width, where, 'targets');
  const intercepts = a.get('intercepts')?.floats.count ?? 0;
  if (intercepts !== 0 && intercepts !== targets) throw new FormatError(`${where} has ${intercepts} intercepts for ${targets} targets`);
  const c = floats(node, 'coefficients', where)!;
  return { units: targets, weights: transpose(c, targets, inputs), bias: floats(node, 'intercepts', where) ?? new Float64Array(targets), nodes: [node], output: node.output[0]! };
}
