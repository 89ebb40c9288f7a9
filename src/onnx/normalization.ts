// ONNX ↔ wasmnet for the normalization layer (input standardization).
// In: right after the graph's input, scikit-learn's `ai.onnx.ml.Scaler` (y = (x − offset)·scale,
// what skl2onnx writes for a StandardScaler) or elementwise operators by constants: `Sub` then
// `Div` or `Mul` (skl2onnx's float64 form, tf2onnx's Keras Normalization), or one of them alone.
// Out: `Sub` by the mean, then `Div` by max(√variance, 1e-7), which a float64 re-import reads
// back as the same statistics (√(d²) = d exactly in IEEE arithmetic).
import { FormatError } from 'wasmnet';
import type { ImportedLayer } from '../interop/build';
import type { NodeSpec, OnnxNode, OnnxTensor } from './model';
import { finite, tensorValues } from './import';

type Lookup = (n: string | undefined) => OnnxTensor | undefined;

/** Keras's smallest denominator (backend.epsilon()). */
const FLOOR = 1e-7;

/** A normalization read from the graph: per-feature values, or one value for every feature
 *  (a scalar constant, expanded when the width is known). */
export interface PlannedNormalization {
  mean: Float64Array;
  /** the divisor of each feature: (x − mean) / divisor */
  divisor: Float64Array;
  nodes: OnnxNode[];
  output: string;
}

/** Whether a constant of shape `dims` holding `count` values applies per feature to a
 *  [batch, width] tensor: [width], [1, width], or one value of at most two dimensions (a
 *  [width, 1] would broadcast [batch, width] to [width, width]; a third dimension, to 3-D). */
function appliesPerFeature(dims: readonly number[], count: number, width: number | undefined): boolean {
  if (count === 1) return dims.length <= 2;
  return (dims.length === 1 || (dims.length === 2 && dims[0] === 1)) && (width === undefined || count === width);
}

/** Per-feature values of a constant operand: [width], [1, width] or a scalar. */
function perFeature(t: OnnxTensor, width: number | undefined, where: string): Float64Array {
  const values = tensorValues(t, where);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new FormatError(`${where}: tensor ${JSON.stringify(t.name)}[${bad}] is ${values[bad]}; a normalization's constants must be finite`);
  const dims = t.dims;
  if (!appliesPerFeature(dims, values.length, width)) throw new FormatError(`${where}: constant ${JSON.stringify(t.name)} of shape [${dims.join(', ')}] does not apply per feature to ${width ?? 'the'} input columns`);
  return values;
}

/** Recognises a standardization applied to tensor `cur` (the graph's input): returns its
 *  statistics, the nodes it took and the tensor it produces, or undefined when `cur` does not
 *  feed exactly one Scaler, Sub, Div or Mul by a constant. */
export function inputNormalization(
  cur: string,
  width: number | undefined,
  consumers: Map<string, OnnxNode[]>,
  constant: Lookup,
  at: (n: OnnxNode) => string,
): PlannedNormalization | undefined {
  const only = (tensor: string): OnnxNode | undefined => {
    const list = consumers.get(tensor) ?? [];
    return list.length === 1 ? list[0] : undefined;
  };
  const first = only(cur);
  if (!first) return undefined;
  if (first.opType === 'Scaler' && first.domain === 'ai.onnx.ml') {
    const where = at(first);
    const offset = first.attributes.get('offset')?.floats.read() ?? Float64Array.of(0);
    const scale = first.attributes.get('scale')?.floats.read() ?? Float64Array.of(1);
    for (const [name, v] of [['offset', offset], ['scale', scale]] as const) {
      if (v.length !== 1 && width !== undefined && v.length !== width) throw new FormatError(`${where}: ${name} has ${v.length} values for ${width} input columns`);
      if (v.some((x) => !Number.isFinite(x))) throw new FormatError(`${where}: ${name} has a value that is not finite`);
    }
    if (scale.some((s) => s <= 0)) throw new FormatError(`${where}: scale has a value ≤ 0; wasmnet's normalization divides by a positive standard deviation`);
    return { mean: offset, divisor: scale.map((s) => 1 / s), nodes: [first], output: first.output[0]! };
  }
  // Sub(x, mean), then Div(·, sd) or Mul(·, 1/sd); or only one of them.
  const operand = (node: OnnxNode, data: string, commutes: boolean): OnnxTensor | undefined => {
    if (node.input.length !== 2) return undefined;
    const [a, b] = node.input;
    if (a === data) return constant(b);
    return commutes && b === data ? constant(a) : undefined;
  };
  let mean: Float64Array | undefined;
  let divisor: Float64Array | undefined;
  const nodes: OnnxNode[] = [];
  let tensor = cur;
  let node: OnnxNode | undefined = first;
  if (node.opType === 'Sub' && (node.domain === '' || node.domain === 'ai.onnx') && operand(node, tensor, false)) {
    mean = perFeature(operand(node, tensor, false)!, width, at(node));
    nodes.push(node);
    tensor = node.output[0]!;
    node = only(tensor);
  }
  if (node && (node.domain === '' || node.domain === 'ai.onnx') && (node.opType === 'Div' || node.opType === 'Mul')) {
    const c = operand(node, tensor, node.opType === 'Mul');
    if (c) {
      const values = perFeature(c, width, at(node));
      if (values.some((v) => v <= 0)) throw new FormatError(`${at(node)} ${node.opType === 'Div' ? 'divides' : 'multiplies'} by a value ≤ 0; wasmnet's normalization divides by a positive standard deviation`);
      divisor = node.opType === 'Div' ? values : values.map((v) => 1 / v);
      nodes.push(node);
      tensor = node.output[0]!;
    }
  }
  if (nodes.length === 0) return undefined;
  return { mean: mean ?? new Float64Array(1), divisor: divisor ?? Float64Array.of(1), nodes, output: tensor };
}

/** The layer, with scalar statistics spread over `width` features. variance = divisor², so
 *  max(√variance, 1e-7) gives the divisor back (exactly, in IEEE arithmetic, for divisors ≥ 1e-7). */
export function normalizationLayer(p: PlannedNormalization, width: number): ImportedLayer {
  const spread = (v: Float64Array) => (v.length === 1 ? new Float64Array(width).fill(v[0]!) : v);
  // below the floor the layer would divide by 1e-7 instead: refused rather than computed wrong
  const tiny = p.divisor.findIndex((d) => d < FLOOR);
  if (tiny >= 0) throw new FormatError(`the input normalization divides feature ${tiny} by ${p.divisor[tiny]} (scales it by ${Number((1 / p.divisor[tiny]!).toPrecision(6))}); wasmnet's normalization divides by at least 1e-7 (Keras's floor)`);
  if ((p.mean.length !== 1 && p.mean.length !== width) || (p.divisor.length !== 1 && p.divisor.length !== width)) {
    throw new FormatError(`the input normalization has statistics for ${Math.max(p.mean.length, p.divisor.length)} features, but the first dense layer takes ${width}`);
  }
  return { type: 'normalization', mean: spread(p.mean), variance: spread(p.divisor).map((d) => d * d) };
}

/** Appends the nodes of a normalization on tensor `cur`: Sub(mean) then Div(max(√variance, 1e-7)). */
export function exportNormalization(
  mean: readonly number[],
  variance: readonly number[],
  cur: string,
  p: string,
  nodes: NodeSpec[],
  constant: (name: string, values: number[]) => string,
): string {
  const centred = `${p}/centred`;
  const out = `${p}/out`;
  nodes.push({ op: 'Sub', name: `/${p}/Sub`, input: [cur, constant('mean', [...mean])], output: [centred] });
  nodes.push({ op: 'Div', name: `/${p}/Div`, input: [centred, constant('std', variance.map((v) => Math.max(Math.sqrt(v), FLOOR)))], output: [out] });
  return out;
}

/** What a BatchNormalization or LayerNormalization node becomes: a layer still open for the
 *  activation that may follow (γ as `weights`, β as `bias`, so a constant Add after it adds to β). */
export interface PlannedNorm {
  units: number;
  weights: Float64Array;
  bias: Float64Array;
  norm: { type: 'batchNorm'; epsilon: number; momentum: number; unbiasedVariance: boolean; movingMean: Float64Array; movingVariance: Float64Array } | { type: 'layerNorm'; epsilon: number };
}

/** BatchNormalization (inference: X, scale, B, mean, var; training_mode 0) or
 *  LayerNormalization (opset 17: X, Scale, optional B; the last axis) on tensor `cur`.
 *  `fromPyTorch`: PyTorch's running variance is unbiased (its exporter writes
 *  momentum = 1 − torch momentum, ONNX's direction and wasmnet's). */
export function normLayer(node: OnnxNode, cur: string, width: number | undefined, constant: Lookup, where: string, epsilonOf: (fallback: number) => number, fromPyTorch: boolean): PlannedNorm {
  if (node.input[0] !== cur) throw new FormatError(`${where} does not take the data as its first input`);
  const values = (i: number, what: string): Float64Array => {
    const t = constant(node.input[i]);
    if (!t) throw new FormatError(`${where}: its ${what} must be a constant`);
    const v = tensorValues(t, where);
    if (t.dims.length !== 1 || (width !== undefined && v.length !== width)) throw new FormatError(`${where}: ${what} ${JSON.stringify(t.name)} has shape [${t.dims.join(', ')}]; expected [${width ?? 'features'}]`);
    const bad = v.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new FormatError(`${where}: ${what} ${JSON.stringify(t.name)}[${bad}] is ${v[bad]}; weights must be finite`);
    return v;
  };
  const epsilon = epsilonOf(1e-5);
  if (!(epsilon > 0)) throw new FormatError(`${where} has epsilon ${epsilon}; wasmnet needs ε > 0`);
  if (node.opType === 'LayerNormalization') {
    const axis = node.attributes.get('axis')?.i ?? -1;
    if (axis !== -1 && axis !== 1) throw new FormatError(`${where} has axis ${axis}; wasmnet normalizes each row of [batch, features] (axis -1)`);
    const gamma = values(1, 'scale');
    const beta = node.input[2] ? values(2, 'bias') : new Float64Array(gamma.length);
    if (beta.length !== gamma.length) throw new FormatError(`${where}: bias has ${beta.length} values, scale ${gamma.length}`);
    return { units: gamma.length, weights: gamma, bias: beta, norm: { type: 'layerNorm', epsilon } };
  }
  if ((node.attributes.get('training_mode')?.i ?? 0) !== 0) throw new FormatError(`${where} has training_mode 1; wasmnet reads inference graphs`);
  if (node.input.length !== 5) throw new FormatError(`${where} must have 5 inputs (X, scale, B, mean, var)`);
  const gamma = values(1, 'scale');
  const beta = values(2, 'B');
  const movingMean = values(3, 'mean');
  const movingVariance = values(4, 'var');
  const n = gamma.length;
  if (beta.length !== n || movingMean.length !== n || movingVariance.length !== n) throw new FormatError(`${where}: scale, B, mean and var must have one value per feature`);
  if (movingVariance.some((v) => v < 0)) throw new FormatError(`${where}: var has a negative value`);
  const momentum = node.attributes.get('momentum')?.f;
  return {
    units: n, weights: gamma, bias: beta,
    norm: { type: 'batchNorm', epsilon, momentum: momentum === undefined ? 0.9 : Number(momentum.toPrecision(7)), unbiasedVariance: fromPyTorch, movingMean, movingVariance },
  };
}

/** Appends a BatchNormalization (inference form) or LayerNormalization node on tensor `cur`. */
export function exportNorm(
  layer: { type: 'batchNorm'; epsilon: number; momentum: number } | { type: 'layerNorm'; epsilon: number },
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  moving: { mean: ArrayLike<number>; variance: ArrayLike<number> } | undefined,
  cur: string,
  p: string,
  nodes: NodeSpec[],
  constant: (name: string, values: ArrayLike<number>) => string,
): string {
  const z = `${p}/z`;
  if (layer.type === 'batchNorm') {
    nodes.push({
      op: 'BatchNormalization', name: `/${p}/BatchNormalization`,
      input: [cur, constant('weight', gamma), constant('bias', beta), constant('running_mean', moving!.mean), constant('running_var', moving!.variance)],
      output: [z], attributes: { epsilon: { f: layer.epsilon }, momentum: { f: layer.momentum } },
    });
  } else {
    nodes.push({ op: 'LayerNormalization', name: `/${p}/LayerNormalization`, input: [cur, constant('weight', gamma), constant('bias', beta)], output: [z], attributes: { axis: { i: -1 }, epsilon: { f: layer.epsilon } } });
  }
  return z;
}

/** LayerNorm written out (PyTorch below opset 17, tf2onnx for 2-D inputs): on tensor `cur`,
 *  m = ReduceMean(x), d = Sub(x, m), Pow(d, 2) or Mul(d, d), ReduceMean, Add(ε), Sqrt,
 *  Div(d, ·), then optionally Mul by γ and Add of β, each reduction over the last axis with
 *  keepdims. Returns the layer (still open for an activation), the nodes and the output tensor,
 *  or undefined when the nodes after `cur` are not this shape. */
export function writtenOutLayerNorm(
  cur: string,
  width: number | undefined,
  consumers: Map<string, OnnxNode[]>,
  constant: Lookup,
  opset: number,
  at: (n: OnnxNode) => string,
): { layer: PlannedNorm; nodes: OnnxNode[]; output: string } | undefined {
  const users = (t: string) => consumers.get(t) ?? [];
  const only = (t: string) => (users(t).length === 1 ? users(t)[0] : undefined);
  const plain = (n: OnnxNode | undefined, op: string) => n !== undefined && n.opType === op && (n.domain === '' || n.domain === 'ai.onnx') ? n : undefined;
  const lastAxis = (n: OnnxNode): boolean => {
    if ((n.attributes.get('keepdims')?.i ?? 1) !== 1) return false;
    // the axes: an input from opset 18 (without it, every axis), an attribute before (a second
    // input is not ReduceMean's then); one axis, its count checked before it is decoded
    let axes: Float64Array | undefined;
    if (opset >= 18) {
      const given = constant(n.input[1]);
      if (given && given.dims.reduce((p, d) => p * d, 1) === 1) axes = tensorValues(given, at(n));
    } else {
      const ints = n.attributes.get('axes')?.ints;
      if (!n.input[1] && ints?.count === 1) axes = ints.read();
    }
    return axes !== undefined && (axes[0] === -1 || axes[0] === 1);
  };
  const scalar = (name: string | undefined, n: OnnxNode): number | undefined => {
    const t = constant(name);
    if (!t) return undefined;
    const v = tensorValues(t, at(n));
    return v.length === 1 ? v[0] : undefined;
  };
  const first = users(cur);
  if (first.length !== 2) return undefined;
  const mean = first.find((n) => plain(n, 'ReduceMean') && n.input[0] === cur);
  const sub = first.find((n) => plain(n, 'Sub') && n.input[0] === cur);
  if (!mean || !sub || !lastAxis(mean) || sub.input[1] !== mean.output[0] || users(mean.output[0]!).length !== 1) return undefined;
  const d = sub.output[0]!;
  const dUsers = users(d);
  if (dUsers.length !== 2) return undefined;
  const square = dUsers.find((n) => (plain(n, 'Pow') && n.input[0] === d && scalar(n.input[1], n) === 2) || (plain(n, 'Mul') && n.input[0] === d && n.input[1] === d));
  const div = dUsers.find((n) => plain(n, 'Div') && n.input[0] === d);
  if (!square || !div) return undefined;
  const variance = plain(only(square.output[0]!), 'ReduceMean');
  if (!variance || !lastAxis(variance)) return undefined;
  const add = plain(only(variance.output[0]!), 'Add');
  const epsilon = add ? scalar(add.input[0] === variance.output[0] ? add.input[1] : add.input[0], add) : undefined;
  if (!add || epsilon === undefined || !(epsilon > 0)) return undefined;
  const sqrt = plain(only(add.output[0]!), 'Sqrt');
  if (!sqrt || div.input[1] !== sqrt.output[0] || only(sqrt.output[0]!) !== div) return undefined;
  const nodes = [mean, sub, square, variance, add, sqrt, div];
  let out = div.output[0]!;
  const perFeature = (name: string | undefined, n: OnnxNode): Float64Array | undefined => {
    const t = constant(name);
    if (!t) return undefined;
    const v = tensorValues(t, at(n));
    if (!appliesPerFeature(t.dims, v.length, width)) return undefined;
    finite(v, t, at(n));
    // one value is spread over the features; without a known width it sizes nothing
    if (v.length === 1) return width === undefined ? undefined : new Float64Array(width).fill(v[0]!);
    return v;
  };
  let gamma: Float64Array | undefined;
  let beta: Float64Array | undefined;
  const mul = plain(only(out), 'Mul');
  if (mul) {
    gamma = perFeature(mul.input[0] === out ? mul.input[1] : mul.input[0], mul);
    if (gamma) nodes.push(mul), (out = mul.output[0]!);
  }
  const bias = plain(only(out), 'Add');
  if (bias) {
    beta = perFeature(bias.input[0] === out ? bias.input[1] : bias.input[0], bias);
    if (beta) nodes.push(bias), (out = bias.output[0]!);
  }
  const units = gamma?.length ?? beta?.length ?? width;
  if (units === undefined) return undefined;
  return {
    layer: { units, weights: gamma ?? new Float64Array(units).fill(1), bias: beta ?? new Float64Array(units), norm: { type: 'layerNorm', epsilon } },
    nodes,
    output: out,
  };
}
