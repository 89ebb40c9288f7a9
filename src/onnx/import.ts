// ONNX → wasmnet: walks the graph from its one input along a chain of operators and matches
// it to dense layers, before anything is allocated. Each dense layer is `Gemm` or `MatMul` (+
// `Add`), then at most one activation: a single operator (`Relu`, `Softmax`, `Gelu`, ...) or an
// elementwise subgraph (PyTorch's GELU and SiLU decompositions, wasmnet's own f64 exports),
// which is recognised by evaluating it on probe values and comparing with wasmnet's activations.
// No-ops (`Identity`, `Dropout`, `Cast`, `Flatten`/`Reshape` that keep [batch, width]) are
// stepped over; skl2onnx's classifier tail (`ArgMax`, `ArrayFeatureExtractor`, `ZipMap`, ...)
// is ignored, and its binary `Sub`/`Concat` becomes a two-unit softmax. onnxruntime's dynamic
// quantization and skl2onnx's LinearClassifier/LinearRegressor are whole dense layers (linear.ts).
import { FormatError, type ActivationName } from 'wasmnet';
import type { ImportedLayer } from '../interop/build';
import { decodeModel, DOUBLE, FLOAT, INT8, INT32, INT64, Repeated, UINT8, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxTensor } from './model';
import { dynamicQuantized, linearML, type LinearFound } from './linear';
import { inputNormalization, normalizationLayer, normLayer, writtenOutLayerNorm, type PlannedNorm } from './normalization';

export const MIN_OPSET = 9;
export const MAX_OPSET = 22;
export const MIN_IR = 3;
export const MAX_IR = 10;

/** Elementwise operators allowed inside an activation subgraph, with one variable input. */
const ELEMENTWISE = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Sqrt', 'Erf', 'Exp', 'Log', 'Neg', 'Abs', 'Reciprocal', 'Min', 'Max',
  'Relu', 'LeakyRelu', 'Elu', 'Selu', 'Sigmoid', 'Tanh', 'Softplus', 'Gelu', 'Identity', 'Cast', 'Clip',
]);
const PASS = new Set(['Identity', 'Dropout', 'Cast', 'Flatten', 'Reshape']);
const SUPPORTED = new Set([...ELEMENTWISE, ...PASS, 'Gemm', 'MatMul', 'Softmax', 'Constant', 'Concat', 'ArgMax', 'BatchNormalization', 'LayerNormalization', 'ReduceMean', 'Shape', 'Gather', 'Unsqueeze', 'DynamicQuantizeLinear', 'MatMulInteger', 'ReduceSum']);
/** skl2onnx's label outputs: ignored, with everything computed from them. */
const TAIL = new Set(['ArgMax', 'ArrayFeatureExtractor', 'ZipMap', 'Binarizer']);
const ML_OPS = new Set(['ArrayFeatureExtractor', 'ZipMap', 'Binarizer', 'Scaler', 'LinearClassifier', 'LinearRegressor', 'Normalizer']);
/** onnxruntime's fused forms of a quantized MatMul (written by its graph optimizer, not by
 *  quantize_dynamic): named in the refusal. */
const FUSED = new Set(['DynamicQuantizeMatMul', 'MatMulIntegerToFloat']);

const SELU_LAMBDA = 1.0507009873554804934193349852946;
const SELU_ALPHA = 1.6732632423543772848170429916717;
/** ONNX's default α of LeakyRelu and Elu. */
const LEAKY_ALPHA = 0.01;
const ELU_ALPHA = 1;
/** A LeakyRelu's or an Elu's α (ONNX's default when the attribute is left out). */
const alphaOf = (n: OnnxNode): number => floatAttr(n, 'alpha', n.opType === 'LeakyRelu' ? LEAKY_ALPHA : ELU_ALPHA);

/** A decoded, checked plan: the input width and the layers with their weights. */
export interface OnnxPlan {
  inputSize: number;
  layers: ImportedLayer[];
}

function describe(node: OnnxNode, index: number): string {
  return `${node.opType === '' ? '(no op_type)' : quote(node.opType).slice(1, -1)} (node ${node.name ? quote(node.name) : `#${index}`})`;
}

/** A name as it appears in messages: quoted, and cut at 80 characters (names come from the file). */
export function quote(name: string): string {
  return JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
}

/** At most five items of a list for a message, and how many there are in all. */
function some<T>(items: readonly T[], show: (item: T) => string): string {
  const shown = items.slice(0, 5).map(show).join(', ');
  return items.length > 5 ? `${shown}, … (${items.length} in all)` : shown;
}

/** Reads and checks a whole model; throws FormatError naming the operator and node. */
export function planONNX(bytes: Uint8Array, externalData?: ReadonlyMap<string, Uint8Array>): OnnxPlan {
  const model = decodeModel(bytes);
  checkHeader(model);
  const g = model.graph!;
  for (const t of g.initializers) if (t.external) attachExternal(t, externalData);
  const index = new Map<OnnxNode, number>();
  g.nodes.forEach((n, i) => index.set(n, i));
  const at = (n: OnnxNode) => describe(n, index.get(n)!);

  for (const n of g.nodes) {
    const ml = n.domain === 'ai.onnx.ml';
    if (!(ml ? ML_OPS.has(n.opType) : (n.domain === '' || n.domain === 'ai.onnx') && SUPPORTED.has(n.opType))) {
      if (n.domain === 'com.microsoft' && FUSED.has(n.opType)) {
        throw new FormatError(`com.microsoft.${at(n)} is onnxruntime's fused form, saved from an optimized session; wasmnet reads what quantize_dynamic writes`);
      }
      throw new FormatError(`${n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.` : ''}${at(n)} is not supported: wasmnet loads dense networks`);
    }
    // (every operator writes its first output: one with none would end the walk at no tensor)
    if (n.output.length === 0 || n.output[0] === '') throw new FormatError(`${at(n)} has no output; every ONNX operator writes its first output`);
    for (const a of n.attributes.values()) {
      if (a.graph) throw new FormatError(`${at(n)} has a subgraph attribute ${quote(a.name)}: wasmnet loads dense networks`);
      if (a.f !== undefined && !Number.isFinite(a.f)) throw new FormatError(`${at(n)}: attribute ${quote(a.name)} is ${a.f}; attributes must be finite`);
    }
  }
  checkGraph(g, at);
  if (g.sparseInitializers > 0) throw new FormatError('the ONNX graph has sparse initializers, which wasmnet does not read');

  // Constants: initializers and Constant nodes' outputs.
  const constants = new Map<string, OnnxTensor>();
  for (const t of g.initializers) constants.set(t.name, t);
  for (const n of g.nodes) {
    if (n.opType !== 'Constant') continue;
    const t = constantOf(n, at(n));
    if (t.external) attachExternal(t, externalData);
    constants.set(n.output[0] ?? '', t);
  }
  const constant = (name: string | undefined) => (name === undefined || name === '' ? undefined : constants.get(name));

  // The data input: the one graph input that is not an initializer.
  const inputs = g.inputs.filter((v) => !constants.has(v.name));
  if (inputs.length !== 1) {
    throw new FormatError(`the ONNX graph has ${inputs.length} data inputs (${some(inputs, (v) => quote(v.name)) || 'none'}); wasmnet networks take one`);
  }
  const input = inputs[0]!;
  // ('' is how a node leaves out an optional input: it names no tensor)
  if (input.name === '') throw new FormatError('the ONNX graph\'s data input has no name; every graph input needs one');
  if (input.elemType !== FLOAT && input.elemType !== DOUBLE) { // (0: a sequence or a map)
    throw new FormatError(`input ${quote(input.name)} must be a FLOAT or DOUBLE tensor (element type ${input.elemType})`);
  }

  // Each node once per tensor it reads, however often it names the tensor (built in one pass).
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of g.nodes) {
    for (const i of n.input) {
      if (i === '') continue;
      const list = consumers.get(i);
      if (!list) consumers.set(i, [n]);
      else if (list[list.length - 1] !== n) list.push(n);
    }
  }
  const visited = new Set<OnnxNode>();
  // the label tail: each node with the tensor it reads (undefined: a linear classifier's labels)
  const tail = new Map<OnnxNode, string | undefined>();
  const outputs = new Set(g.outputs.map((o) => o.name));

  // The input's width: [batch, features]; [batch, ?] (the first weight says); [n], one sample;
  // or [batch, d1, d2, …] straight into a flattening: Flatten(axis=1), a Reshape to a constant
  // [-1, width] or [0, -1] (PyTorch's x.view(-1, n)), or to Concat(Unsqueeze(Gather(Shape(x), 0)),
  // [-1]) (PyTorch's x.view(x.size(0), -1)). These exact chains only: not a shape engine.
  let width: number | undefined;
  let cur = input.name;
  const dims = input.dims;
  if (dims !== undefined) {
    const shown = `[${dims.map((d) => d ?? '?').join(', ')}]`;
    if (dims.length === 1) {
      if (!(dims[0]! > 0)) throw new FormatError(`input ${quote(input.name)} has shape ${shown}: a 1-D input needs a known size`);
      width = dims[0]!; // one sample of n features: the network takes rows of n
    } else if (dims.length === 2) {
      if (dims[1] !== null && !(dims[1]! > 0)) throw new FormatError(`input ${quote(input.name)} has shape ${shown}: no features`);
      width = dims[1] ?? undefined; // unknown: the first weight says
      // x.view(x.size(0), -1) on a 2-D input changes nothing (a Flatten or a constant Reshape is a no-op of the walk)
      const flat = inputFlattening(cur, consumers, g.nodes, constant, at);
      if (flat && flat.nodes.length > 1) {
        for (const n of flat.nodes) visited.add(n);
        cur = flat.output;
      }
    } else {
      if (dims.length === 0) throw new FormatError(`input ${quote(input.name)} has shape []: a scalar; wasmnet reads inputs of [batch, features]`);
      const featureDims = dims.slice(1);
      const flat = inputFlattening(cur, consumers, g.nodes, constant, at);
      // a Flatten or Reshape that is not one of the forms read: named, with the forms that are
      const tried = flat ? undefined : (consumers.get(cur) ?? []).find((n) => (n.opType === 'Reshape' || n.opType === 'Flatten') && n.input[0] === cur);
      if (tried) {
        throw new FormatError(
          `input ${quote(input.name)} has shape ${shown}; ${at(tried)} does not flatten it to [batch, features] (wasmnet reads Flatten(axis=1), a Reshape to [-1 or 0, n or -1], or x.view(x.size(0), -1))`,
        );
      }
      if (!flat) {
        throw new FormatError(
          `input ${quote(input.name)} has shape ${shown}, and no Flatten or reshape to [batch, features] follows it; wasmnet reads inputs of [batch, features]`,
        );
      }
      if (!featureDims.every((d) => d !== null && d > 0)) {
        throw new FormatError(`input ${quote(input.name)} has shape ${shown}: flattening it needs every dimension but the batch to be known`);
      }
      width = featureDims.reduce<number>((p, d) => p * d!, 1);
      if (flat.width !== undefined && flat.width !== width) {
        throw new FormatError(`${at(flat.nodes[flat.nodes.length - 1]!)} reshapes ${shown} to [-1, ${flat.width}]; its features are ${width}`);
      }
      for (const n of flat.nodes) visited.add(n);
      cur = flat.output;
    }
  }

  // An input standardization (Scaler, or Sub/Div/Mul by constants) becomes a normalization layer.
  const normalization = inputNormalization(cur, width, consumers, constant, at);
  if (normalization) {
    for (const n of normalization.nodes) visited.add(n);
    cur = normalization.output;
  }

  const layers: ImportedLayer[] = [];
  // the open layer: dense, or batch/layer norm (`norm`), which an activation may still follow
  type Pending = { units: number; activation?: ActivationName; alpha?: number; weights: Float64Array; bias: Float64Array; norm?: PlannedNorm['norm'] };
  let pending: Pending | null = null;
  const flush = () => {
    const p = pending as Pending | null;
    if (p?.norm) layers.push({ ...p.norm, activation: p.activation ?? 'linear', gamma: p.weights, beta: p.bias, ...(p.alpha === undefined ? {} : { alpha: p.alpha }) });
    else if (p) layers.push({ type: 'dense', units: p.units, activation: p.activation ?? 'linear', weights: p.weights, bias: p.bias, ...(p.alpha === undefined ? {} : { alpha: p.alpha }) });
    pending = null;
  };
  const setActivation = (node: OnnxNode, activation: ActivationName, alpha?: number) => {
    if (!pending || pending.activation !== undefined) {
      throw new FormatError(`${at(node)} applies ${activation} ${pending ? 'after another activation' : 'before any dense layer'}; wasmnet layers are dense → activation`);
    }
    pending.activation = activation;
    if (alpha !== undefined) pending.alpha = alpha;
  };

  // a dense layer found whole (quantized, or a scikit-learn linear model): it becomes the open layer
  const take = (found: LinearFound) => {
    flush();
    pending = { units: found.units, weights: found.weights, bias: found.bias, ...(found.activation && found.activation !== 'linear' ? { activation: found.activation } : {}) };
    width = found.units;
    for (const n of found.nodes) visited.add(n);
    if (found.labels !== undefined) for (const n of consumers.get(found.labels) ?? []) tail.set(n, undefined);
    cur = found.output;
  };

  for (;;) {
    const live = (consumers.get(cur) ?? []).filter((n) => !visited.has(n));
    const picked: number | undefined = live.length === 1 ? columnPick(live[0]!, cur, pending, constant, at) : undefined;
    if (picked !== undefined) {
      // skl2onnx's binary RidgeClassifier/LinearSVC: ArrayFeatureExtractor(scores, [1]), one column
      const p: Pending = pending!;
      const inputs = p.weights.length / p.units;
      const w = new Float64Array(inputs);
      for (let i = 0; i < inputs; i++) w[i] = p.weights[i * p.units + picked]!;
      pending = { ...p, units: 1, weights: w, bias: Float64Array.of(p.bias[picked]!) };
      width = 1;
      visited.add(live[0]!);
      cur = live[0]!.output[0]!;
      continue;
    }
    const next = live.filter((n) => !TAIL.has(n.opType));
    for (const n of live) if (TAIL.has(n.opType)) tail.set(n, cur);
    if (next.length === 0) break;
    const node = next[0]!;
    const op = node.opType;
    if (next.length === 1 && op === 'DynamicQuantizeLinear') {
      take(dynamicQuantized(node, cur, width, consumers, constant, at));
      continue;
    } else if (next.length === 1 && node.domain === 'ai.onnx.ml' && (op === 'LinearClassifier' || op === 'LinearRegressor')) {
      take(linearML(node, cur, width, at, op === 'LinearClassifier'));
      continue;
    } else if ((next.length === 1 && node.domain === 'ai.onnx.ml' && op === 'Normalizer') || (next.length === 2 && writtenOutL1(cur, consumers, constant, at))) {
      // skl2onnx's L1 normalization of probabilities: ai.onnx.ml.Normalizer, or Abs → ReduceSum →
      // Div for float64. A no-op after a softmax, and after a binary model's [σ(−z), σ(z)]
      // (softmax over [0, z]); anything else is not a layer.
      const written = next.length === 2 ? writtenOutL1(cur, consumers, constant, at)! : undefined;
      const norm = written ? 'L1' : node.attributes.get('norm')?.s ?? 'MAX';
      const where = written ? at(written.nodes[0]!) : at(node);
      const binary: Pending | undefined = pending ? binarySoftmax<Pending>(pending) : undefined;
      if (binary) pending = binary;
      if (norm !== 'L1' || !pending || pending.activation !== 'softmax' || (!written && node.input[0] !== cur)) {
        throw new FormatError(
          `${where} normalizes (${quote(norm).slice(1, -1)}) the ${pending?.activation ?? 'unbounded'} scores of ${pending?.units ?? '?'} classes; wasmnet reads L1 after a softmax (a no-op), not one-vs-rest probabilities (sigmoids over their sum)`,
        );
      }
      if (written) {
        for (const n of written.nodes) visited.add(n);
        cur = written.output;
        continue;
      }
    } else if (next.length === 1 && (op === 'Gemm' || op === 'MatMul')) {
      flush();
      const { weights, bias, units } = linear(node, cur, width, constant, at(node));
      pending = { units, weights, bias };
      width = units;
    } else if (next.length === 1 && op === 'Add' && pending && pending.activation === undefined && addend(node, cur, constant) !== undefined) {
      // a bias after MatMul (or a second one after Gemm): [units], [1, units] or a scalar
      const p = pending as { units: number; bias: Float64Array };
      const c = addend(node, cur, constant)!;
      if (!broadcastsTo(c.dims, p.units)) throw new FormatError(`${at(node)} adds a constant of shape [${c.dims.join(', ')}] to ${p.units} units; a bias must be [${p.units}] or [1, ${p.units}]`);
      const values = weightValues(c, at(node));
      for (let j = 0; j < p.units; j++) p.bias[j]! += values.length === 1 ? values[0]! : values[j]!;
      finite(p.bias, c, at(node), ' added to the bias');
    } else if (next.length === 1 && PASS.has(op)) {
      passThrough(node, cur, width, constant, at(node));
    } else if (next.length === 1 && op === 'Softmax') {
      const axis = intAttr(node, 'axis', -1); // (the default, 1 before opset 13, −1 since, is the last axis of [batch, units] either way)
      if (axis !== 1 && axis !== -1) throw new FormatError(`${at(node)} has axis ${axis}; on [batch, units] wasmnet's softmax is over axis 1`);
      setActivation(node, 'softmax');
    } else if (next.length === 1 && ACTIVATION_OPS.has(op) && node.input.length === 1) {
      const [activation, alpha] = singleActivation(node, at(node));
      setActivation(node, activation, alpha);
    } else if (next.length === 2 && isBinaryTail(next, cur, constant, at) && pending?.activation === 'sigmoid' && pending.units === 1 && !pending.norm) {
      // skl2onnx binary classifier: [1 − p, p] from a sigmoid unit = softmax over [0, z].
      const p: Pending = pending;
      const inputs: number = p.weights.length;
      const w: Float64Array = new Float64Array(inputs * 2);
      for (let i = 0; i < inputs; i++) w[i * 2 + 1] = p.weights[i]!;
      pending = { units: 2, activation: 'softmax', weights: w, bias: Float64Array.of(0, p.bias[0]!) };
      width = 2;
      const concat = next.find((n) => n.opType === 'Concat')!;
      for (const n of next) visited.add(n);
      cur = concat.output[0]!;
      continue;
    } else if (next.length === 1 && (op === 'BatchNormalization' || op === 'LayerNormalization')) {
      flush();
      pending = normLayer(node, cur, width, constant, at(node), (d) => floatAttr(node, 'epsilon', d), model.producerName === 'pytorch');
      width = pending.units;
    } else if (next.length === 1 && pending && (op === 'Sub' || op === 'Scaler') && inputNormalization(cur, width, consumers, constant, at)) {
      // a normalization between dense layers (wasmnet's own export writes Sub, Div)
      const p = inputNormalization(cur, width, consumers, constant, at)!;
      flush();
      layers.push(normalizationLayer(p, width!));
      for (const n of p.nodes) visited.add(n);
      cur = p.output;
      continue;
    } else if (writtenOutLayerNorm(cur, width, consumers, constant, opsetOf(model), at)) {
      // LayerNorm written out (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add)
      const found = writtenOutLayerNorm(cur, width, consumers, constant, opsetOf(model), at)!;
      flush();
      pending = found.layer;
      width = found.layer.units;
      for (const n of found.nodes) visited.add(n);
      cur = found.output;
      continue;
    } else {
      const region = activationRegion(cur, next, consumers, constant, visited);
      if (!region) {
        const stray = next.length === 1 ? strayOperand(node, cur, constant) : undefined;
        if (stray !== undefined) throw new FormatError(`${at(node)} is not supported here: its input ${quote(stray)} is not a scalar constant; wasmnet reads activations whose other operands are scalar constants`);
        if (next.length === 1) throw new FormatError(`${at(node)} is not supported here: after tensor ${quote(cur)} wasmnet expects a dense layer, an activation or a no-op`);
        throw new FormatError(`tensor ${quote(cur)} feeds ${next.length} operators (${some(next, at)}): wasmnet loads a chain of layers, not a branching graph`);
      }
      const [activation, alpha] = identifyRegion(region.nodes, cur, constant, at(region.nodes[0]!));
      setActivation(region.nodes[0]!, activation, alpha);
      for (const n of region.nodes) visited.add(n);
      cur = region.output;
      continue;
    }
    visited.add(node);
    if (node.output.length > 1 && node.output.slice(1).some((o) => o !== '' && (consumers.get(o) ?? []).length > 0 || outputs.has(o))) {
      throw new FormatError(`${at(node)} uses its second output; wasmnet reads only the first`);
    }
    cur = node.output[0]!;
  }
  flush();

  if (!layers.some((l) => l.type === 'dense')) throw new FormatError('the ONNX graph has no Gemm or MatMul: no dense layer to load');
  if (layers[layers.length - 1]!.type !== 'dense') throw new FormatError('the ONNX graph ends with a normalization; wasmnet networks end with a dense layer');
  // The chain's end is a graph output, or labels are computed from it (skl2onnx's ArgMax, ZipMap):
  // the probabilities then stand for them. A column picked from it that could not be folded into
  // the last layer (after a softmax) is an output the network does not compute.
  if (!outputs.has(cur) && ![...tail].some(([n, read]) => read === cur && n.opType !== 'ArrayFeatureExtractor')) {
    throw new FormatError(`the chain of layers ends at tensor ${quote(cur)}, which is not a graph output`);
  }
  // Every node must be on the chain, a constant, or in the label tail (or computed from it).
  const ignored = new Set<OnnxNode>();
  // (each node is pushed once: the work is linear in the graph's edges)
  const spread: OnnxNode[] = [];
  const ignore = (n: OnnxNode) => {
    if (ignored.has(n) || visited.has(n)) return;
    ignored.add(n);
    spread.push(n);
  };
  tail.forEach((_, n) => ignore(n));
  while (spread.length > 0) for (const o of spread.pop()!.output) for (const c of consumers.get(o) ?? []) ignore(c);
  for (const n of g.nodes) {
    if (!visited.has(n) && !ignored.has(n) && n.opType !== 'Constant') {
      throw new FormatError(`${at(n)} is not on the path from input ${quote(input.name)} to the output; wasmnet loads a chain of layers`);
    }
  }
  const out = g.outputs.find((o) => o.name === cur);
  const outWidth = out?.dims?.[1];
  if (out?.dims && out.dims.length === 2 && outWidth !== null && outWidth !== undefined && outWidth !== width) {
    throw new FormatError(`output ${quote(cur)} is declared [batch, ${outWidth}] but the layers produce ${width} columns`);
  }
  const first = layers[0]!;
  const inputSize = first.type === 'dense' ? first.weights.length / first.units : (first as { gamma: Float64Array }).gamma.length;
  if (normalization) layers.unshift(normalizationLayer(normalization, inputSize));
  return { inputSize, layers };
}

function checkHeader(model: OnnxModel): void {
  if (model.irVersion === 0 && !model.graph) throw new FormatError('not an ONNX model: no ir_version and no graph');
  if (model.irVersion < MIN_IR || model.irVersion > MAX_IR) {
    throw new FormatError(`ONNX IR version ${model.irVersion} is not supported (wasmnet reads IR ${MIN_IR} to ${MAX_IR})`);
  }
  if (!model.graph) throw new FormatError('the ONNX model has no graph');
  // Opset imports of other domains are harmless unless a node uses one (refused by name). A
  // model of ai.onnx.ml operators only (onnxmltools' LinearClassifier) may import no ai.onnx opset.
  const opset = opsetOf(model);
  const onlyML = opset === 0 && model.graph.nodes.every((n) => n.domain === 'ai.onnx.ml');
  if (!onlyML && (opset < MIN_OPSET || opset > MAX_OPSET)) {
    throw new FormatError(`ONNX opset ${opset} is not supported (wasmnet reads opsets ${MIN_OPSET} to ${MAX_OPSET})`);
  }
}

function opsetOf(model: OnnxModel): number {
  return model.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
}

function intAttr(node: OnnxNode, name: string, fallback: number): number {
  return node.attributes.get(name)?.i ?? fallback;
}

/** A FLOAT attribute. Attributes are f32 by the spec; the value is read back as the shortest
 *  decimal that rounds to it (0.2f → 0.2), the number the exporter was given, so f64 models
 *  with LeakyReLU(0.2) compute what PyTorch computed. */
function floatAttr(node: OnnxNode, name: string, fallback: number): number {
  const f = node.attributes.get(name)?.f;
  if (f === undefined) return fallback;
  for (let digits = 1; digits < 9; digits++) {
    const d = Number(f.toPrecision(digits));
    if (Math.fround(d) === f) return d;
  }
  return f;
}

/** The external files a model's tensors name (initializers and Constant nodes' values), each
 *  once, in the order they are first named: what `fromONNX`'s `externalData` must hold. */
export function externalFiles(bytes: Uint8Array): string[] {
  const g = decodeModel(bytes).graph;
  const names = new Set<string>();
  if (g === undefined) return [];
  const note = (t: OnnxTensor | undefined) => {
    const location = t?.external ? t.externalData?.get('location') : undefined;
    if (location !== undefined) names.add(location);
  };
  for (const t of g.initializers) note(t);
  for (const n of g.nodes) if (n.opType === 'Constant') note(n.attributes.get('value')?.t);
  return [...names];
}

/** An initializer whose bytes are in an external file (PyTorch 2.x's exporter writes them so even
 *  for small models): its bytes from the file the caller passed, checked against the entry's
 *  offset and length. */
function attachExternal(t: OnnxTensor, files: ReadonlyMap<string, Uint8Array> | undefined): void {
  const entry = t.externalData;
  const location = entry?.get('location');
  const name = quote(t.name);
  if (location === undefined) throw new FormatError(`tensor ${name} is marked as external but names no location`);
  if (t.raw !== undefined || t.floatData.count + t.doubleData.count + t.int32Data.count + t.int64Data.count > 0) {
    throw new FormatError(`tensor ${name} has data of its own and external_data naming ${quote(location)}; ONNX keeps a tensor's data in one place`);
  }
  const file = files?.get(location);
  if (file === undefined) {
    throw new FormatError(
      `tensor ${name} keeps its data in the external file ${quote(location)}; pass that file's bytes: fromONNX(bytes, { externalData: { ${JSON.stringify(location.slice(0, 80))}: bytes } })`,
    );
  }
  const number = (key: string, fallback: number) => {
    const v = entry!.get(key);
    if (v === undefined) return fallback;
    if (!/^\d{1,15}$/.test(v)) throw new FormatError(`tensor ${name}: external_data ${key} is ${quote(v)}, not a byte count`);
    return Number(v);
  };
  const offset = number('offset', 0);
  if (offset > file.length) throw new FormatError(`tensor ${name}: external_data offset ${offset} is past the end of ${quote(location)}, which has ${file.length} bytes`);
  const length = number('length', file.length - offset);
  if (offset + length > file.length || length < 0) {
    throw new FormatError(`tensor ${name}: bytes ${offset} to ${offset + length} of ${quote(location)}, which has ${file.length}`);
  }
  t.raw = file.subarray(offset, offset + length);
  t.external = false;
}

function constantOf(n: OnnxNode, where: string): OnnxTensor {
  const a = n.attributes;
  const none = Repeated.of([]);
  const empty = { name: n.output[0] ?? '', raw: undefined, floatData: none, doubleData: none, int32Data: none, int64Data: none, external: false };
  const t = a.get('value')?.t;
  // (an unnamed value is named in messages by the Constant's output)
  if (t) return t.name === '' ? { ...t, name: empty.name } : t;
  if (a.get('value_float')?.f !== undefined) return { ...empty, dims: [], dataType: FLOAT, floatData: Repeated.of([a.get('value_float')!.f!]) };
  if (a.get('value_floats')) return { ...empty, dims: [a.get('value_floats')!.floats.count], dataType: FLOAT, floatData: a.get('value_floats')!.floats };
  if (a.get('value_int')?.i !== undefined) return { ...empty, dims: [], dataType: INT64, int64Data: Repeated.of([a.get('value_int')!.i!]) };
  if (a.get('value_ints')) return { ...empty, dims: [a.get('value_ints')!.ints.count], dataType: INT64, int64Data: a.get('value_ints')!.ints };
  throw new FormatError(`${where} has no value wasmnet can read (value, value_float(s) or value_int(s))`);
}

/** A tensor's values as f64 (f32 values widen exactly), after checking type and size. */
export function tensorValues(t: OnnxTensor, where: string): Float64Array {
  const name = quote(t.name);
  if (t.external) throw new FormatError(`${where}: tensor ${name} keeps its data in an external file, which wasmnet does not read`);
  let size = 1;
  for (const d of t.dims) {
    if (!Number.isInteger(d) || d < 0) throw new FormatError(`${where}: tensor ${name} has invalid dimension ${d}`);
    size *= d;
  }
  if (size > 2 ** 28) throw new FormatError(`${where}: tensor ${name} has ${size} values, over the limit of 2^28 values per tensor`);
  const byte = t.dataType === INT8 || t.dataType === UINT8;
  const width = t.dataType === FLOAT || t.dataType === INT32 ? 4 : t.dataType === DOUBLE || t.dataType === INT64 ? 8 : byte ? 1 : 0;
  if (width === 0) throw new FormatError(`${where}: tensor ${name} has data type ${t.dataType}; wasmnet reads FLOAT (1) and DOUBLE (11) weights`);
  // (INT8 and UINT8 values without raw_data are in int32_data, by the spec)
  const typed = t.dataType === FLOAT ? t.floatData : t.dataType === DOUBLE ? t.doubleData : t.dataType === INT32 || byte ? t.int32Data : t.int64Data;
  if (t.raw !== undefined && t.raw.length % width !== 0) {
    throw new FormatError(`${where}: tensor ${name} of shape [${t.dims.join(', ')}] has ${t.raw.length} bytes of data, not a whole number of ${width}-byte values`);
  }
  const present = t.raw !== undefined ? t.raw.length / width : typed.count;
  if (present !== size) {
    throw new FormatError(`${where}: tensor ${name} of shape [${t.dims.join(', ')}] needs ${size} values but holds ${present}`);
  }
  const out = new Float64Array(size);
  if (t.raw !== undefined) {
    const view = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
    for (let i = 0; i < size; i++) {
      out[i] = t.dataType === FLOAT ? view.getFloat32(i * 4, true)
        : t.dataType === DOUBLE ? view.getFloat64(i * 8, true)
        : t.dataType === INT32 ? view.getInt32(i * 4, true)
        : t.dataType === INT8 ? view.getInt8(i)
        : t.dataType === UINT8 ? view.getUint8(i)
        : Number(view.getBigInt64(i * 8, true));
    }
    return out;
  }
  return typed.read();
}

/** `values` of tensor `t`, refused with their index when one is not finite. */
export function finite(values: Float64Array, t: OnnxTensor, where: string, scaled = ''): Float64Array {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new FormatError(`${where}: tensor ${quote(t.name)}[${bad}]${scaled} is ${values[bad]}; weights must be finite`);
  return values;
}

/** A weight or bias: FLOAT or DOUBLE, every value finite. */
function weightValues(t: OnnxTensor, where: string): Float64Array {
  if (t.dataType !== FLOAT && t.dataType !== DOUBLE) throw new FormatError(`${where}: tensor ${quote(t.name)} has data type ${t.dataType}; wasmnet reads FLOAT (1) and DOUBLE (11) weights`);
  return finite(tensorValues(t, where), t, where);
}

/** The number of values a tensor's dims declare (before its data is decoded). */
function sizeOf(t: OnnxTensor): number {
  return t.dims.reduce((p, d) => p * d, 1);
}

/** Checks done on the decoded graph before it is walked, in time linear in its size: each
 *  tensor is written once (by one node output, an initializer or a Constant), and no node
 *  reads, directly or through other nodes, what it writes itself (a cycle). */
function checkGraph(g: OnnxGraph, at: (n: OnnxNode) => string): void {
  const nodes = g.nodes;
  const producer = new Map<string, number>(); // tensor → index of the node that writes it
  const initializers = new Set(g.initializers.map((t) => t.name));
  for (let i = 0; i < nodes.length; i++) {
    for (const o of nodes[i]!.output) {
      if (o === '') continue;
      const before = producer.get(o);
      if (before !== undefined) throw new FormatError(`tensor ${quote(o)} is written twice (${before === i ? `twice by ${at(nodes[i]!)}` : `by ${at(nodes[before]!)} and ${at(nodes[i]!)}`}); an ONNX tensor has one producer`);
      if (initializers.has(o)) throw new FormatError(`tensor ${quote(o)} is both an initializer and an output of ${at(nodes[i]!)}; an ONNX tensor has one producer`);
      producer.set(o, i);
    }
  }
  // Kahn's algorithm over node indices (typed arrays: a few bytes per node and edge): a node is
  // ready once every node it reads from is done.
  const waiting = new Int32Array(nodes.length);
  const first = new Int32Array(nodes.length + 1); // readers of node p: reader[first[p] .. first[p + 1])
  const from: number[] = [];
  for (let i = 0; i < nodes.length; i++) {
    for (const name of nodes[i]!.input) {
      const p = name === '' ? undefined : producer.get(name);
      if (p === undefined) continue;
      waiting[i]!++;
      first[p + 1]!++;
      from.push(p, i);
    }
  }
  for (let p = 0; p < nodes.length; p++) first[p + 1]! += first[p]!;
  const fill = first.slice(0, nodes.length);
  const reader = new Int32Array(from.length / 2);
  for (let e = 0; e < from.length; e += 2) reader[fill[from[e]!]!++] = from[e + 1]!;
  const ready: number[] = [];
  for (let i = 0; i < nodes.length; i++) if (waiting[i] === 0) ready.push(i);
  let done = 0;
  while (ready.length > 0) {
    const p = ready.pop()!;
    done++;
    for (let e = first[p]!; e < first[p + 1]!; e++) if (--waiting[reader[e]!]! === 0) ready.push(reader[e]!);
  }
  if (done === nodes.length) return;
  // A node left waiting is on a cycle or after one: walk back along waiting producers until a
  // node repeats; that node is on the cycle.
  let n = waiting.findIndex((w) => w > 0);
  const seen = new Set<number>();
  while (!seen.has(n)) {
    seen.add(n);
    n = nodes[n]!.input.map((i) => producer.get(i)).find((p) => p !== undefined && waiting[p]! > 0)!;
  }
  throw new FormatError(`${at(nodes[n]!)} is on a cycle: it reads, through the graph, a tensor it writes itself; an ONNX graph is acyclic`);
}

function broadcastsTo(dims: number[], units: number): boolean {
  const size = dims.reduce((p, d) => p * d, 1);
  return (size === 1 && dims.length <= 2) || (dims.length === 1 && dims[0] === units) || (dims.length === 2 && dims[0] === 1 && dims[1] === units);
}

/** The constant operand of an Add whose other operand is `cur`. */
function addend(node: OnnxNode, cur: string, constant: (n: string | undefined) => OnnxTensor | undefined): OnnxTensor | undefined {
  if (node.input.length !== 2) return undefined;
  const [a, b] = node.input;
  return a === cur ? constant(b) : b === cur ? constant(a) : undefined;
}

type Lookup = (n: string | undefined) => OnnxTensor | undefined;

/** The constant 2-D weight a Gemm, MatMul or MatMulInteger multiplies the data (`cur`) by. */
export function weightOf(node: OnnxNode, cur: string, constant: Lookup, where: string): OnnxTensor {
  if (node.input[0] !== cur) throw new FormatError(`${where} takes the data as its second operand; wasmnet needs data × weights`);
  const B = constant(node.input[1]);
  if (!B) throw new FormatError(`${where} multiplies two computed tensors; its second operand must be a constant weight matrix`);
  if (B.dims.length !== 2) throw new FormatError(`${where}: weight ${quote(B.name)} has shape [${B.dims.join(', ')}]; a dense layer's weight is 2-D`);
  return B;
}

/** [inputs, units] of a 2-D weight, checked against the data's width. */
export function weightShape(B: OnnxTensor, width: number | undefined, where: string, transB = 0): [number, number] {
  const [rows, cols] = B.dims as [number, number];
  const inputs = transB ? cols : rows;
  const units = transB ? rows : cols;
  if (width !== undefined && inputs !== width) {
    throw new FormatError(`${where}: weight ${quote(B.name)} of shape [${B.dims.join(', ')}]${transB ? ' (transB=1)' : ''} expects ${inputs} inputs, but the data has ${width} columns`);
  }
  if (inputs < 1 || units < 1) throw new FormatError(`${where}: weight ${quote(B.name)} has an empty shape [${B.dims.join(', ')}]`);
  return [inputs, units];
}

/** Gemm or MatMul → weights [inputs×units] row-major, bias [units]. */
function linear(node: OnnxNode, cur: string, width: number | undefined, constant: Lookup, where: string) {
  const c = node.input[2];
  const B = weightOf(node, cur, constant, where);
  let alpha = 1;
  let beta = 1;
  let transB = 0;
  if (node.opType === 'Gemm') {
    if (intAttr(node, 'transA', 0) !== 0) throw new FormatError(`${where} has transA=1 on the data; wasmnet needs data as [batch, features]`);
    transB = intAttr(node, 'transB', 0);
    alpha = floatAttr(node, 'alpha', 1);
    beta = floatAttr(node, 'beta', 1);
  } else if (node.input.length !== 2) throw new FormatError(`${where} must have two inputs`);
  const [inputs, units] = weightShape(B, width, where, transB);
  const values = weightValues(B, where);
  const weights = new Float64Array(inputs * units);
  for (let i = 0; i < inputs; i++) {
    for (let j = 0; j < units; j++) weights[i * units + j] = alpha * (transB ? values[j * inputs + i]! : values[i * units + j]!);
  }
  if (alpha !== 1) finite(weights, B, where, ` × alpha ${alpha}`); // (an index into the [inputs, units] layout)
  const bias = new Float64Array(units);
  if (c !== undefined && c !== '') {
    const C = constant(c);
    if (!C) throw new FormatError(`${where}: its bias C must be a constant`);
    if (!broadcastsTo(C.dims, units)) throw new FormatError(`${where}: bias ${quote(C.name)} has shape [${C.dims.join(', ')}]; expected [${units}] or [1, ${units}]`);
    const cv = weightValues(C, where);
    for (let j = 0; j < units; j++) bias[j] = beta * (cv.length === 1 ? cv[0]! : cv[j]!);
    if (beta !== 1) finite(bias, C, where, ` × beta ${beta}`);
  }
  return { weights, bias, units };
}

/** The flattening right after a [batch, d1, d2, …] input: its nodes, its output and the width a
 *  constant reshape names (undefined for -1 or Flatten); undefined if there is none of the
 *  recognised forms. */
function inputFlattening(cur: string, consumers: Map<string, OnnxNode[]>, nodes: readonly OnnxNode[], constant: Lookup, at: (n: OnnxNode) => string): { nodes: OnnxNode[]; output: string; width?: number } | undefined {
  const uses = consumers.get(cur) ?? [];
  if (uses.length === 1 && uses[0]!.opType === 'Flatten' && intAttr(uses[0]!, 'axis', 1) === 1 && uses[0]!.input[0] === cur) {
    return { nodes: [uses[0]!], output: uses[0]!.output[0]! };
  }
  const reshape = uses.find((n) => n.opType === 'Reshape' && n.input[0] === cur);
  if (!reshape) return undefined;
  const shape = constant(reshape.input[1]);
  if (shape) {
    if (uses.length !== 1 || sizeOf(shape) !== 2) return undefined;
    const [a, b] = tensorValues(shape, at(reshape));
    // the batch kept (-1, or 0: copied from the input), the features n or -1 (all the rest)
    if ((a === -1 || a === 0) && (b! > 0 || b === -1)) return { nodes: [reshape], output: reshape.output[0]!, ...(b! > 0 ? { width: b! } : {}) };
    return undefined;
  }
  // Concat(Unsqueeze(Gather(Shape(x), 0)), [-1]), axis 0
  const producer = (name: string | undefined) => nodes.find((n) => n.output[0] === name);
  const concat = producer(reshape.input[1]);
  if (!concat || concat.opType !== 'Concat' || concat.input.length !== 2) return undefined;
  const last = constant(concat.input[1]);
  if (!last || sizeOf(last) !== 1 || tensorValues(last, at(concat))[0] !== -1) return undefined;
  const unsqueeze = producer(concat.input[0]);
  const gather = unsqueeze?.opType === 'Unsqueeze' ? producer(unsqueeze.input[0]) : undefined;
  const shapeOf = gather?.opType === 'Gather' ? producer(gather.input[0]) : undefined;
  const index = gather ? constant(gather.input[1]) : undefined;
  if (!shapeOf || shapeOf.opType !== 'Shape' || shapeOf.input[0] !== cur || !index || sizeOf(index) !== 1 || tensorValues(index, at(gather!))[0] !== 0) return undefined;
  if (uses.some((n) => n !== reshape && n !== shapeOf)) return undefined;
  return { nodes: [shapeOf, gather!, unsqueeze!, concat, reshape], output: reshape.output[0]! };
}

/** Two sigmoid units whose weights and biases are each other's negatives, [σ(−z), σ(z)] (what
 *  skl2onnx writes for a binary LogisticRegression in float64), as softmax over [0, z]. */
export function binarySoftmax<P extends { units: number; activation?: ActivationName; weights: Float64Array; bias: Float64Array; norm?: unknown }>(p: P): P | undefined {
  if (p.units !== 2 || p.activation !== 'sigmoid' || p.norm || p.bias[0] !== -p.bias[1]!) return undefined;
  const inputs = p.weights.length / 2;
  for (let i = 0; i < inputs; i++) if (p.weights[i * 2] !== -p.weights[i * 2 + 1]!) return undefined;
  const weights = new Float64Array(inputs * 2);
  for (let i = 0; i < inputs; i++) weights[i * 2 + 1] = p.weights[i * 2 + 1]!;
  return { ...p, activation: 'softmax', weights, bias: Float64Array.of(0, p.bias[1]!) };
}

/** skl2onnx's L1 normalization in float64 (apply_normalizer without the Normalizer operator):
 *  Abs(x) → ReduceSum over axis 1, keepdims → Div(x, sum); its nodes and output. */
function writtenOutL1(cur: string, consumers: Map<string, OnnxNode[]>, constant: Lookup, at: (n: OnnxNode) => string): { nodes: OnnxNode[]; output: string } | undefined {
  const uses = consumers.get(cur) ?? [];
  const abs = uses.find((n) => n.opType === 'Abs' && n.input[0] === cur);
  const div = uses.find((n) => n.opType === 'Div' && n.input[0] === cur);
  const only = (t: string | undefined) => (t === undefined ? undefined : (consumers.get(t) ?? []).length === 1 ? consumers.get(t)![0] : undefined);
  const sum = abs && only(abs.output[0]);
  if (!abs || !div || uses.length !== 2 || !sum || sum.opType !== 'ReduceSum' || sum.input[0] !== abs.output[0] || only(sum.output[0]) !== div || div.input[1] !== sum.output[0]) return undefined;
  const axesInput = constant(sum.input[1]);
  const axes = axesInput && sizeOf(axesInput) === 1 ? tensorValues(axesInput, at(sum)) : sum.attributes.get('axes')?.ints.count === 1 ? sum.attributes.get('axes')!.ints.read() : undefined;
  if (!axes || (axes[0] !== 1 && axes[0] !== -1) || intAttr(sum, 'keepdims', 1) !== 1) return undefined;
  return { nodes: [abs, sum, div], output: div.output[0]! };
}

/** The column an ArrayFeatureExtractor picks from the open dense layer's output (`cur`) by a
 *  constant index, when the layer's activation is elementwise; undefined otherwise. */
function columnPick(n: OnnxNode, cur: string, pending: { units: number; activation?: ActivationName; norm?: unknown } | null, constant: Lookup, at: (n: OnnxNode) => string): number | undefined {
  if (n.opType !== 'ArrayFeatureExtractor' || n.input[0] !== cur || !pending || pending.norm || pending.activation === 'softmax') return undefined;
  const index = constant(n.input[1]);
  if (!index || sizeOf(index) !== 1) return undefined;
  const k = tensorValues(index, at(n))[0]!;
  if (!(Number.isInteger(k) && k >= 0 && k < pending.units)) throw new FormatError(`${at(n)} picks column ${k} of ${pending.units}`);
  return k;
}

/** Identity, Dropout, Cast to a float type, Flatten(axis 1) and Reshape to [-1 or 0, width]. */
function passThrough(node: OnnxNode, cur: string, width: number | undefined, constant: Lookup, where: string): void {
  if (node.input[0] !== cur) throw new FormatError(`${where} does not take the data as its first input`);
  if (node.opType === 'Cast') {
    const to = intAttr(node, 'to', 0);
    if (to !== FLOAT && to !== DOUBLE) throw new FormatError(`${where} casts to data type ${to}; wasmnet computes in floating point`);
  } else if (node.opType === 'Flatten') {
    if (intAttr(node, 'axis', 1) !== 1) throw new FormatError(`${where} has axis ${intAttr(node, 'axis', 1)}; only Flatten(axis=1) keeps [batch, features]`);
  } else if (node.opType === 'Reshape') {
    const shape = constant(node.input[1]);
    const s = shape && sizeOf(shape) === 2 ? tensorValues(shape, where) : undefined; // (its size checked before decoding)
    if (!s || s.length !== 2 || (s[0] !== -1 && s[0] !== 0) || (s[1] !== width && !(s[1] === -1 && s[0] === 0))) {
      throw new FormatError(`${where} reshapes to [${s ? Array.from(s).join(', ') : '?'}]; wasmnet keeps [batch, ${width ?? 'features'}]`);
    }
  }
}

const ACTIVATION_OPS = new Set(['Relu', 'LeakyRelu', 'Elu', 'Selu', 'Sigmoid', 'Tanh', 'Softplus', 'Gelu']);

function singleActivation(node: OnnxNode, where: string): [ActivationName, number?] {
  switch (node.opType) {
    case 'Relu': return ['relu'];
    case 'Sigmoid': return ['sigmoid'];
    case 'Tanh': return ['tanh'];
    case 'Softplus': return ['softplus'];
    case 'LeakyRelu': return ['leakyRelu', alphaOf(node)];
    case 'Elu': return ['elu', alphaOf(node)];
    case 'Selu': {
      const alpha = floatAttr(node, 'alpha', SELU_ALPHA);
      const gamma = floatAttr(node, 'gamma', SELU_LAMBDA);
      if (Math.abs(alpha - SELU_ALPHA) > 1e-6 || Math.abs(gamma - SELU_LAMBDA) > 1e-6) {
        throw new FormatError(`${where} has alpha ${alpha}, gamma ${gamma}; wasmnet's selu uses the standard constants`);
      }
      return ['selu'];
    }
    default: // Gelu: approximate "none" (the default) is the exact GELU
      return [node.attributes.get('approximate')?.s === 'tanh' ? 'gelu' : 'geluExact'];
  }
}

/** skl2onnx's binary classifier: Sub(1, p) and Concat([1 − p, p], axis 1). */
function isBinaryTail(next: OnnxNode[], cur: string, constant: Lookup, at: (n: OnnxNode) => string): boolean {
  const sub = next.find((n) => n.opType === 'Sub');
  const concat = next.find((n) => n.opType === 'Concat');
  if (!sub || !concat || sub.input[1] !== cur) return false;
  const one = constant(sub.input[0]);
  const axis = intAttr(concat, 'axis', 1);
  // (a scalar 1: a [k] of ones would broadcast 1 − p to k columns)
  return one !== undefined && sizeOf(one) === 1 && tensorValues(one, at(sub))[0] === 1 && (axis === 1 || axis === -1) &&
    concat.input.length === 2 && concat.input[0] === sub.output[0] && concat.input[1] === cur;
}

/** An elementwise node's first operand that is neither the data nor a scalar constant (why it
 *  is not an activation: a Clip bound of shape [2], or computed by another node). */
function strayOperand(node: OnnxNode, cur: string, constant: Lookup): string | undefined {
  if (!ELEMENTWISE.has(node.opType)) return undefined;
  return node.input.find((i) => {
    const t = i === cur || i === '' ? undefined : constant(i);
    return i !== cur && i !== '' && (t === undefined || sizeOf(t) !== 1);
  });
}

/** The most nodes an activation written out may take (PyTorch's erf GELU takes 5, its tanh GELU 9). */
const MAX_REGION = 64;

/** The smallest set of elementwise nodes, fed only by `cur` and scalar constants, whose single
 *  escaping tensor is the activation's output. */
function activationRegion(cur: string, first: OnnxNode[], consumers: Map<string, OnnxNode[]>, constant: Lookup, visited: Set<OnnxNode>) {
  const nodes: OnnxNode[] = [];
  const produced = new Set<string>([cur]);
  const scalar = (name: string) => {
    const t = constant(name);
    return t !== undefined && t.dims.reduce((p, d) => p * d, 1) === 1;
  };
  // (at most two inputs, three for Clip's min and max: every elementwise decomposition is unary
  // or binary, and this bounds the work of recognising a region to its size)
  const ready = (n: OnnxNode) => ELEMENTWISE.has(n.opType) && n.input.length <= (n.opType === 'Clip' ? 3 : 2) && !visited.has(n) && !nodes.includes(n) && n.output.length === 1 &&
    n.input.every((i) => produced.has(i) || scalar(i) || (i === '' && n.opType === 'Clip')) && n.input.some((i) => produced.has(i));
  if (!first.some(ready)) return undefined;
  // (each turn returns or adds a node: a region is at most as large as the graph, and MAX_REGION)
  for (;;) {
    const open = [...produced].filter((t) => (consumers.get(t) ?? []).some((n) => !nodes.includes(n)));
    // Closed (one tensor escapes): done, unless only more elementwise work on it follows
    // (PyTorch's GELU ends with a Mul by 0.5 after x·(1 + erf(…)) has already closed).
    // A region has one end: a tensor nothing reads (a graph output) besides the one that escapes
    // is a second end (Identity(y) and Relu(y), both outputs, are a branch, not an activation).
    const ends = () => nodes.filter((n) => (consumers.get(n.output[0]!) ?? []).length === 0).length;
    if (nodes.length > 0 && open.length === 1 && open[0] !== cur && !(consumers.get(open[0]!) ?? []).every(ready)) return ends() === 0 ? { nodes, output: open[0]! } : undefined;
    // (closed with nothing escaping: the last node's output is the end, since nothing in the region can read it)
    if (nodes.length > 0 && open.length === 0) return ends() === 1 ? { nodes, output: nodes[nodes.length - 1]!.output[0]! } : undefined;
    const candidate = open.flatMap((t) => consumers.get(t) ?? []).find(ready);
    if (!candidate) return undefined;
    if (nodes.length === MAX_REGION) throw new FormatError(`the elementwise operators after tensor ${quote(cur)} run past ${MAX_REGION} nodes; wasmnet reads an activation written out in at most ${MAX_REGION}`);
    nodes.push(candidate);
    produced.add(candidate.output[0]!);
  }
}

/** Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): only used to recognise an erf GELU (the
 *  network then computes it with the backends' accurate erf). Exported for its test. */
export function erf(x: number): number {
  const s = Math.sign(x);
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return s * y;
}

/** Evaluates the region at x (`scalars`: the value of every constant it reads, decoded once). */
function evaluate(nodes: OnnxNode[], cur: string, scalars: Map<string, number>, x: number): number {
  const v = new Map<string, number>([[cur, x]]);
  const get = (name: string) => v.get(name) ?? scalars.get(name)!;
  for (const n of nodes) {
    const [a = 0, b = 0] = n.input.map((name) => (name === '' ? Number.NaN : get(name))); // '': an optional input left out (Clip's min or max)
    const f = (name: string, d: number) => floatAttr(n, name, d);
    let r: number;
    switch (n.opType) {
      case 'Add': r = a + b; break;
      case 'Sub': r = a - b; break;
      case 'Mul': r = a * b; break;
      case 'Div': r = a / b; break;
      case 'Pow': r = a ** b; break;
      case 'Sqrt': r = Math.sqrt(a); break;
      case 'Erf': r = erf(a); break;
      case 'Exp': r = Math.exp(a); break;
      case 'Log': r = Math.log(a); break;
      case 'Neg': r = -a; break;
      case 'Abs': r = Math.abs(a); break;
      case 'Reciprocal': r = 1 / a; break;
      case 'Min': r = n.input.length === 1 ? a : Math.min(a, b); break;
      case 'Max': r = n.input.length === 1 ? a : Math.max(a, b); break;
      case 'Relu': r = Math.max(a, 0); break;
      case 'LeakyRelu': r = a > 0 ? a : alphaOf(n) * a; break;
      case 'Elu': r = a > 0 ? a : alphaOf(n) * Math.expm1(a); break;
      case 'Selu': r = f('gamma', SELU_LAMBDA) * (a > 0 ? a : f('alpha', SELU_ALPHA) * Math.expm1(a)); break;
      case 'Sigmoid': r = 1 / (1 + Math.exp(-a)); break;
      case 'Tanh': r = Math.tanh(a); break;
      case 'Softplus': r = Math.log1p(Math.exp(a)); break;
      case 'Clip': { // min and max as inputs (opset ≥ 11) or attributes (before); either may be left out
        const lo = n.input.length > 1 && n.input[1] !== '' ? b : f('min', -Infinity);
        const hi = n.input.length > 2 && n.input[2] !== '' ? get(n.input[2]!) : f('max', Infinity);
        r = Math.min(Math.max(a, lo), hi);
        break;
      }
      case 'Gelu': r = n.attributes.get('approximate')?.s === 'tanh' ? geluTanh(a) : 0.5 * a * (1 + erf(a / Math.SQRT2)); break;
      default: r = a; // Identity, Cast
    }
    v.set(n.output[0]!, r);
  }
  return v.get(nodes[nodes.length - 1]!.output[0]!)!;
}

function geluTanh(z: number): number {
  return 0.5 * z * (1 + Math.tanh(0.7978845608028654 * (z + 0.044715 * z * z * z)));
}

// −6 to 6 by 0.25, and a few beyond 6 (where relu6 and relu part)
const PROBES = [...Array.from({ length: 49 }, (_, i) => -6 + i * 0.25), 6.5, 7, 9];

/** Which wasmnet activation the region computes, compared at 52 points from −6 to 9. */
function identifyRegion(nodes: OnnxNode[], cur: string, constant: Lookup, where: string): [ActivationName, number?] {
  const ops = nodes.map((n) => n.opType).join(', ');
  const scalars = new Map<string, number>();
  for (const n of nodes) {
    for (const i of n.input) {
      const t = i === cur || scalars.has(i) ? undefined : constant(i);
      if (t) scalars.set(i, tensorValues(t, where)[0]!);
    }
  }
  const f = (x: number) => evaluate(nodes, cur, scalars, x);
  const probes = PROBES.concat(thresholdProbes(nodes, scalars));
  const matches = (g: (x: number) => number) => probes.every((x) => {
    const want = g(x);
    return Math.abs(f(x) - want) <= 1e-6 * (1 + Math.abs(want));
  });
  // leakyRelu's and elu's α: a constant the region reads, or the α of a LeakyRelu or Elu in it
  const alphas = [...new Set([...scalars.values(), ...nodes.filter((n) => n.opType === 'LeakyRelu' || n.opType === 'Elu').map(alphaOf)])];
  const fixed: [ActivationName, (x: number) => number][] = [
    ['linear', (x) => x],
    ['relu', (x) => Math.max(x, 0)],
    ['sigmoid', (x) => 1 / (1 + Math.exp(-x))],
    ['tanh', Math.tanh],
    ['softplus', (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))],
    ['selu', (x) => SELU_LAMBDA * (x > 0 ? x : SELU_ALPHA * Math.expm1(x))],
    ['gelu', geluTanh],
    ['swish', (x) => x / (1 + Math.exp(-x))],
    ['geluExact', (x) => 0.5 * x * (1 + erf(x / Math.SQRT2))],
    ['relu6', (x) => Math.min(Math.max(x, 0), 6)],
  ];
  for (const [name, g] of fixed) if (matches(g)) return [name];
  for (const alpha of alphas) {
    if (alpha !== 0 && matches((x) => (x > 0 ? x : alpha * x))) return ['leakyRelu', alpha];
    if (alpha > 0 && matches((x) => (x > 0 ? x : alpha * Math.expm1(x)))) return ['elu', alpha];
  }
  const clip = nodes.length === 1 && nodes[0]!.opType === 'Clip' ? clipBounds(nodes[0]!, scalars) : undefined;
  if (clip) throw new FormatError(`${where} clips to [${clip.join(', ')}]; wasmnet reads Clip(0, 6) as relu6 and Clip(0) with no max as relu`);
  throw new FormatError(`the operators ${ops} from ${where} compute an elementwise function that is none of wasmnet's activations`);
}

/** A Clip's bounds when they are known numbers (constants, attributes or left out: ±∞). */
function clipBounds(n: OnnxNode, scalars: Map<string, number>): [number, number] | undefined {
  const bound = (i: number, attr: string, fallback: number) => {
    const name = n.input[i];
    if (name === undefined || name === '') return floatAttr(n, attr, fallback);
    return scalars.get(name);
  };
  const lo = bound(1, 'min', -Infinity);
  const hi = bound(2, 'max', Infinity);
  return lo === undefined || hi === undefined ? undefined : [lo, hi];
}

/** More probes where the region's own numbers may put a threshold that PROBES (−6 to 9) miss:
 *  with M the largest finite |c| among the constants it reads (and Clip's min/max attributes),
 *  ±(M + 1) and ±(2M + 10). Without them Clip(0, 20), Min(x, 10) or x − Relu(x − 20) would pass
 *  for relu or linear: past a threshold such functions stay apart from the activation they
 *  mimic below it, so the far probes see it. Four probes, however many constants: the cost of
 *  recognising a region stays proportional to its size. */
function thresholdProbes(nodes: OnnxNode[], scalars: Map<string, number>): number[] {
  let m = 0;
  const seed = (c: number) => {
    if (Number.isFinite(c)) m = Math.max(m, Math.abs(c));
  };
  scalars.forEach(seed);
  for (const n of nodes) {
    if (n.opType !== 'Clip') continue;
    for (const name of ['min', 'max']) {
      const f = n.attributes.get(name)?.f;
      if (f !== undefined) seed(f);
    }
  }
  return m < 6 ? [] : [m + 1, -(m + 1), 2 * m + 10, -(2 * m + 10)];
}
