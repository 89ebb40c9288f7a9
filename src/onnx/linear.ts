// Dense layers written in other shapes than Gemm/MatMul: onnxruntime's dynamic quantization
// (`quantize_dynamic`: DynamicQuantizeLinear → MatMulInteger → Cast → Mul by the two scales,
// its quantization/operators/matmul.py), dequantized at load; and scikit-learn's linear models
// as skl2onnx writes them (`ai.onnx.ml.LinearClassifier` / `LinearRegressor`, its
// operator_converters/linear_classifier.py and linear_regressor.py).
import { FormatError, type ActivationName } from 'wasmnet';
import { DOUBLE, FLOAT, INT8, UINT8, type OnnxNode, type OnnxTensor } from './model';
import { binarySoftmax, quote, tensorValues, weightOf, weightShape } from './import';

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

/** A scalar, [1] or one value per column: the shapes of a zero point or scale. */
function perColumn(t: OnnxTensor, units: number, where: string, what: string): OnnxTensor {
  const size = t.dims.reduce((p, d) => p * d, 1);
  if (!((size === 1 && t.dims.length <= 1) || (t.dims.length === 1 && t.dims[0] === units))) {
    throw new FormatError(`${where}: ${what} ${quote(t.name)} has shape [${t.dims.join(', ')}]; it must be a scalar or one per column ([${units}])`);
  }
  return t;
}

/** onnxruntime's dynamic quantization of a MatMul, read from its DynamicQuantizeLinear node:
 *  the weight dequantized, W = (Wq − zero point)·scale, per tensor or per column. */
export function dynamicQuantized(dql: OnnxNode, cur: string, width: number | undefined, consumers: Consumers, constant: Lookup, at: (n: OnnxNode) => string): LinearFound {
  const only = (t: string | undefined) => {
    const list = t ? consumers.get(t) ?? [] : [];
    return list.length === 1 ? list[0] : undefined;
  };
  const [q = '', s = '', zp = ''] = dql.output;
  const m = only(q);
  const sm = only(s);
  const cast = m && only(m.output[0]);
  const out = cast && only(cast.output[0]);
  const to = cast?.attributes.get('to')?.i;
  // the five nodes quantize_dynamic writes, each read by the next only
  if (dql.input[0] !== cur || !zp || m?.opType !== 'MatMulInteger' || m.input[0] !== q || m.input[2] !== zp || only(zp) !== m || sm?.opType !== 'Mul' || !sm.input.includes(s) ||
    cast?.opType !== 'Cast' || (to !== FLOAT && to !== DOUBLE) || out?.opType !== 'Mul' || !out.input.includes(sm.output[0]!) || only(sm.output[0]) !== out) {
    throw new FormatError(`${at(dql)} is not followed by the layout quantize_dynamic writes (MatMulInteger with its zero point, Cast to FLOAT, Mul by the data's and the weight's scales), which is the one wasmnet reads`);
  }
  // shapes and types, all checked before anything is decoded
  const where = at(m);
  const W = weightOf(m, q, constant, where);
  if (W.dataType !== INT8 && W.dataType !== UINT8) throw new FormatError(`${where}: weight ${quote(W.name)} has data type ${W.dataType}; a quantized weight is INT8 (3) or UINT8 (2)`);
  const [inputs, units] = weightShape(W, width, where);
  const Z = m.input[3] ? constant(m.input[3]) : undefined;
  if (m.input[3] && (!Z || Z.dataType !== W.dataType)) throw new FormatError(`${where}: its zero point ${quote(m.input[3])} must be a constant of its weight's type (${W.dataType})`);
  if (Z) perColumn(Z, units, where, 'zero point');
  const S = constant(sm.input[0] === s ? sm.input[1] : sm.input[0]);
  if (!S || (S.dataType !== FLOAT && S.dataType !== DOUBLE)) throw new FormatError(`${at(sm)}: the weight's scale must be a FLOAT or DOUBLE constant`);
  const scale = tensorValues(perColumn(S, units, at(sm), 'scale'), at(sm));
  const bad = scale.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new FormatError(`${at(sm)}: scale ${quote(S.name)}[${bad}] is ${scale[bad]}; scales must be finite`);
  const [lo, hi] = W.dataType === INT8 ? [-128, 127] : [0, 255];
  const inRange = (t: OnnxTensor) => {
    const values = tensorValues(t, where);
    const i = values.findIndex((v) => !(v >= lo && v <= hi && Number.isInteger(v)));
    if (i >= 0) throw new FormatError(`${where}: ${quote(t.name)}[${i}] is ${values[i]}, outside ${W.dataType === INT8 ? 'INT8' : 'UINT8'}`);
    return values;
  };
  const zero = Z ? inRange(Z) : [0];
  const values = inRange(W);
  const weights = new Float64Array(inputs * units);
  for (let k = 0; k < weights.length; k++) {
    const j = k % units;
    weights[k] = (values[k]! - zero[zero.length === 1 ? 0 : j]!) * scale[scale.length === 1 ? 0 : j]!;
  }
  return { units, weights, bias: new Float64Array(units), nodes: [dql, sm, m, cast, out], output: out.output[0]! };
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

const TRANSFORMS = new Map<string, ActivationName>([['NONE', 'linear'], ['LOGISTIC', 'sigmoid'], ['SOFTMAX', 'softmax']]);

/** skl2onnx's LinearClassifier (`classifier`) or LinearRegressor: X·coefficientsᵀ + intercepts,
 *  one row per class (one per intercept, as onnxruntime counts them) or per target, then the
 *  `post_transform`. A binary classifier is written as two rows, −c and c, with LOGISTIC: the
 *  probabilities [σ(−z), σ(z)], loaded as softmax over [0, z] (binarySoftmax). */
export function linearML(node: OnnxNode, cur: string, width: number | undefined, at: (n: OnnxNode) => string, classifier: boolean): LinearFound {
  const where = at(node);
  const a = node.attributes;
  const out = node.output[classifier ? 1 : 0];
  if (node.input[0] !== cur || !out) throw new FormatError(`${where} must read the data and write ${classifier ? 'scores (its second output)' : 'its output'}`);
  const count = (name: string) => a.get(name)?.floats.count ?? 0;
  const labels = (a.get('classlabels_ints')?.ints.count ?? 0) + (a.get('classlabels_strings')?.strings ?? 0);
  const rows = classifier ? count('intercepts') || labels : a.get('targets')?.i ?? 1;
  const transform = a.get('post_transform')?.s ?? 'NONE';
  const activation = TRANSFORMS.get(transform);
  const inputs = count('coefficients') / rows;
  if (!activation || (!classifier && activation !== 'linear')) {
    throw new FormatError(`${where} has post_transform ${quote(transform)}; wasmnet loads ${classifier ? 'NONE, LOGISTIC and SOFTMAX' : 'NONE'}`);
  }
  if (classifier && rows === 1 && labels === 2) {
    throw new FormatError(`${where} has one row of coefficients for two class labels (onnxruntime then returns [1 − score, score] whatever its post_transform); wasmnet loads one row per class, as skl2onnx writes them`);
  }
  if (classifier && labels !== rows) throw new FormatError(`${where} has ${labels} class labels (ints and strings) for ${rows} rows of coefficients (one per intercept); they must match`);
  if (!(Number.isInteger(rows) && rows >= 1 && Number.isInteger(inputs) && inputs >= 1 && (width === undefined || inputs === width))) {
    throw new FormatError(`${where}: ${count('coefficients')} coefficients are not ${rows} ${classifier ? 'classes' : 'targets'} × ${width ?? 'a whole number of'} input features`);
  }
  if (count('intercepts') !== 0 && count('intercepts') !== rows) throw new FormatError(`${where} has ${count('intercepts')} intercepts for ${rows} targets`);
  const c = floats(node, 'coefficients', where)!;
  const weights = new Float64Array(c.length); // coefficients [rows, inputs] → weights [inputs, rows]
  for (let i = 0; i < inputs; i++) for (let j = 0; j < rows; j++) weights[i * rows + j] = c[j * inputs + i]!;
  const layer = { units: rows, weights, bias: floats(node, 'intercepts', where) ?? new Float64Array(rows), activation };
  return { ...(binarySoftmax(layer) ?? layer), nodes: [node], output: out, ...(classifier ? { labels: node.output[0]! } : {}) };
}
