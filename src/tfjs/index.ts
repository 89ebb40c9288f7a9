// wasmnet/tfjs: the TensorFlow.js layers format (model.json + weights.bin), in and out.
// model.json holds the Keras topology (`modelTopology`, or `modelTopology.model_config` as
// tensorflowjs_converter writes it) and a weights manifest; the binary holds the weights in
// manifest order, float32 or quantized to uint8/uint16 (value = q·scale + min).
import { ConfigError, FormatError, Network, type ActivationName } from 'wasmnet';
import { version } from '../../package.json';
import { buildNetwork, type ImportedLayer, type ImportOptions } from '../interop/build';
import { jsonTextProblem, jsonValueProblem } from '../io/json-limits';
import { planGraph } from './graph';
import { echo, normalizationStatistics, normWeights, planNorm, planNormalization, tfjsNorm, tfjsNormalization, type PlannedNorm, type PlannedNormalization } from './normalization';

export type { ImportOptions } from '../interop/build';

/** The parsed model.json of a tfjs layers model (the fields wasmnet reads and writes). */
export interface TfjsModelJSON {
  /** "layers-model" */
  format?: string;
  /** The library that wrote the model, e.g. "TensorFlow.js tfjs-layers v4.22.0" or "wasmnet 0.1.0". */
  generatedBy?: string;
  /** The converter, e.g. "TensorFlow.js Converter v4.22.0", or null. */
  convertedBy?: string | null;
  /** The Keras model: `{ class_name, config: { layers } }`, or that under `model_config` (tensorflowjs_converter). */
  modelTopology: unknown;
  /** The weight files and, in file order, the weights they hold. */
  weightsManifest: TfjsWeightGroup[];
}

/** One group of a weights manifest: its files (shards) and the weights stored in them, in order. */
export interface TfjsWeightGroup {
  /** File names relative to model.json, e.g. ['weights.bin'] or ['group1-shard1of2.bin', …]. */
  paths: string[];
  /** The weights, in the order their bytes follow each other. */
  weights: TfjsWeightSpec[];
}

/** One entry of a weights manifest. */
export interface TfjsWeightSpec {
  /** e.g. "dense/kernel" (Keras 2), "dense/0" (Keras 3), possibly with a scope prefix. */
  name: string;
  /** e.g. [inputs, units] for a kernel. */
  shape: number[];
  /** The weight's type after dequantization: "float32" for dense layers. */
  dtype: string;
  /** Present when the converter quantized the weight: stored `dtype` q, value = q·scale + min. */
  quantization?: TfjsQuantization;
}

/** How a quantized weight is stored: value = q·scale + min, q an unsigned integer. */
export interface TfjsQuantization {
  /** "uint8" or "uint16" (what wasmnet reads) */
  dtype: string;
  /** The step between two stored values. */
  scale?: number;
  /** The value stored as q = 0. */
  min?: number;
}

/** What `toTfjs` returns: model.json's object and weights.bin's bytes. */
export interface TfjsArtifacts {
  /** Write as model.json (`JSON.stringify`). */
  modelJSON: TfjsModelJSON;
  /** Write as weights.bin, beside model.json. */
  weightData: Uint8Array;
}

/** Keras activation names → wasmnet's. Keras 3 spells some in snake case. "gelu" is the exact
 *  (erf) GELU in Keras (approximate=False by default) and in tfjs; tfjs's "gelu_new" is the
 *  tanh approximation. */
const ACTIVATIONS: Record<string, ActivationName> = {
  linear: 'linear', relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', softmax: 'softmax', elu: 'elu', selu: 'selu',
  softplus: 'softplus', gelu: 'geluExact', gelu_new: 'gelu', swish: 'swish', silu: 'swish', leaky_relu: 'leakyRelu', leakyRelu: 'leakyRelu',
  relu6: 'relu6',
};
/** wasmnet's → tfjs's (elu and leakyRelu with their α become ELU/LeakyReLU layers). */
const TFJS_ACTIVATIONS: Record<ActivationName, string> = {
  linear: 'linear', relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', softmax: 'softmax', elu: 'elu', selu: 'selu',
  softplus: 'softplus', gelu: 'gelu_new', swish: 'swish', leakyRelu: 'linear', geluExact: 'gelu', relu6: 'relu6',
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What fromTfjs reads at most (docs/interop.md, "Limits"); JSON depth and size are in
 *  src/io/json-limits.ts. More is a FormatError naming the limit. */
export const LIMITS = {
  /** entries of the weights manifest, all groups together */
  manifestEntries: 100_000,
  /** dimensions of one weight's shape */
  dims: 64,
  /** characters of a layer name, class name, weight name or activation name */
  nameLength: 4_096,
} as const;

/** A name read from the file: a string of at most LIMITS.nameLength characters. */
function checkName(value: string, what: string): string {
  if (value.length > LIMITS.nameLength) throw new FormatError(`${what} ${echo(value)} is ${value.length} characters long, over the limit of ${LIMITS.nameLength}`);
  return value;
}

/**
 * Loads a TensorFlow.js layers model: `model.json` (the parsed object or its text) and its
 * weights (one ArrayBuffer/Uint8Array, or the shards in manifest order). Sequential and
 * linear-chain Functional models of InputLayer, Dense, Dropout, Activation, Flatten (on 2-D, or right after a [batch, d1, d2, …] input),
 * LeakyReLU, ELU, ReLU, Softmax, Normalization (Keras's), BatchNormalization and
 * LayerNormalization (last axis; an activation layer after them becomes theirs); Keras 2 and
 * Keras 3 naming; float32 weights or the
 * converter's uint8/uint16 quantization (dequantized). Anything else is a `FormatError` naming
 * the layer class. Also graph models (`"format": "graph-model"`, what `tensorflowjs_converter`
 * writes with `--output_format tfjs_graph_model`) whose graph is a dense chain: MatMul
 * (transpose_b too), BiasAdd/Add/AddV2, the converter's fused `_FusedMatMul`, Identity and the
 * activations Relu, Sigmoid, Tanh, Softmax, Elu, Selu, Softplus, LeakyRelu; any other op is a
 * `FormatError` naming it and its node. Like `fromONNX`, the result is a trainable {@link Network} with the natural
 * loss for its output unless `options.loss` says otherwise.
 */
export function fromTfjs(
  modelJSON: TfjsModelJSON | string,
  weightData: ArrayBuffer | Uint8Array | readonly (ArrayBuffer | Uint8Array)[],
  options?: ImportOptions,
): Network {
  let json: unknown = modelJSON;
  // Depth and size before anything walks or prints the JSON (no recursion in the check).
  const problem = typeof json === 'string' ? jsonTextProblem(json) : jsonValueProblem(json);
  if (problem) throw new FormatError(`model.json ${problem}`);
  if (typeof json === 'string') {
    try {
      json = JSON.parse(json);
    } catch (error) {
      throw new FormatError(`model.json is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (!isObj(json)) throw new FormatError('model.json must be an object with modelTopology and weightsManifest');
  if (json.format === 'graph-model' || (isObj(json.modelTopology) && Array.isArray(json.modelTopology.node))) {
    // a graph model (tensorflowjs_converter's tfjs_graph_model): see graph.ts
    const graph = planGraph(json.modelTopology, readWeights(json.weightsManifest, weightData));
    return buildNetwork(graph.inputSize, graph.layers, options, 'fromTfjs');
  }
  const { inputSize, layers } = readTopology(json.modelTopology);
  // Every manifest weight named `<layer>/<suffix>` (or `…/<layer>/<suffix>`) for a planned layer,
  // keyed by `<layer>/<suffix>`: found in one pass, however many layers ask (indexWeights).
  const weights = indexWeights(readWeights(json.weightsManifest, weightData), layers.flatMap((l) => ('name' in l ? [l.name] : [])));
  // The dense layers' shapes first, then their weights checked finite, and only then decoded
  // (a weight decodes when its `values` are first read): a model refused for a shape or a NaN
  // has decoded none of them, and manifest entries no layer uses are never decoded.
  let width = inputSize;
  for (const l of layers) {
    if (l.type !== 'dense') continue; // (the normalizations keep the width)
    const kernel = findWeight(weights, l.name, ['kernel', '0'], `Dense "${l.name}"`);
    if (kernel.shape.length !== 2 || kernel.shape[0] !== width || kernel.shape[1] !== l.units) {
      throw new FormatError(`Dense "${l.name}": kernel has shape [${kernel.shape.join(', ')}], expected [${width}, ${l.units}]`);
    }
    if (l.useBias) {
      const b = findWeight(weights, l.name, ['bias', '1'], `Dense "${l.name}"`);
      if (b.count !== l.units) throw new FormatError(`Dense "${l.name}": bias has shape [${b.shape.join(', ')}], expected [${l.units}]`);
      b.check();
    }
    kernel.check();
    width = l.units;
  }
  const imported: ImportedLayer[] = [];
  width = inputSize;
  for (const l of layers) {
    if (l.type === 'dropout') {
      imported.push(l);
      continue;
    }
    if (l.type === 'normalization') {
      imported.push(normalizationStatistics(l, width, (suffixes) => findWeight(weights, l.name, suffixes, `${l.cls} "${l.name}"`)));
      continue;
    }
    if (l.type !== 'dense') {
      const norm = l as PlannedNorm; // batchNorm or layerNorm
      imported.push(normWeights(norm, width, (suffixes) => findWeight(weights, norm.name, suffixes, `${norm.cls} "${norm.name}"`)));
      continue;
    }
    const kernel = findWeight(weights, l.name, ['kernel', '0'], `Dense "${l.name}"`);
    const bias = l.useBias ? findWeight(weights, l.name, ['bias', '1'], `Dense "${l.name}"`).values : new Float64Array(l.units);
    imported.push({ type: 'dense', units: l.units, activation: l.activation, weights: kernel.values, bias, ...(l.alpha === undefined ? {} : { alpha: l.alpha }) });
    width = l.units;
  }
  return buildNetwork(inputSize, imported, options, 'fromTfjs');
}

type Planned = { type: 'dense'; name: string; units: number; activation: ActivationName; alpha?: number; useBias: boolean } | { type: 'dropout'; rate: number } | PlannedNormalization | PlannedNorm;

/** The layer list (Sequential, or a Functional model that is a single chain) → planned layers. */
function readTopology(topology: unknown): { inputSize: number; layers: Planned[] } {
  if (!isObj(topology)) throw new FormatError('model.json has no modelTopology object');
  const model = isObj(topology.model_config) ? topology.model_config : topology;
  const className = model.class_name;
  const config = model.config;
  // Keras < 2.2.3 wrote a Sequential's config as the bare layer list.
  const layerList = Array.isArray(config) ? config : isObj(config) ? config.layers : undefined;
  if (!Array.isArray(layerList) || layerList.length === 0) throw new FormatError(`${echo(className)} model: config.layers must be a non-empty array`);
  if (className !== 'Sequential' && className !== 'Model' && className !== 'Functional') {
    throw new FormatError(`${echo(className)} models are not supported: wasmnet loads Sequential and linear Functional models`);
  }
  const layers = layerList.map((l, i) => {
    if (!isObj(l) || typeof l.class_name !== 'string' || !isObj(l.config)) throw new FormatError(`layer ${i} must be { class_name, config }`);
    checkName(l.class_name, `layer ${i}'s class_name`);
    if (typeof l.config.name === 'string') checkName(l.config.name, `layer ${i}'s name`);
    return l as { class_name: string; config: Obj; name?: string; inbound_nodes?: unknown };
  });
  if (className !== 'Sequential') checkChain(layers, config as Obj);

  let inputSize: number | undefined;
  const planned: Planned[] = [];
  // the dense (or batch/layer norm) layer an activation may attach to
  let last: Extract<Planned, { type: 'dense' }> | PlannedNorm | undefined;
  const setActivation = (cls: string, name: string, activation: ActivationName, alpha?: number) => {
    if (!last || last.activation !== 'linear' || planned[planned.length - 1] !== last) {
      throw new FormatError(`${cls} layer "${name}" must follow a Dense (or BatchNormalization, LayerNormalization) layer with a linear activation (wasmnet layers are dense → activation)`);
    }
    last.activation = activation;
    if (alpha !== undefined) last.alpha = alpha;
  };
  for (const [i, { class_name: cls, config: c }] of layers.entries()) {
    const name = typeof c.name === 'string' ? c.name : `#${i}`;
    const given = c.batch_input_shape ?? c.batch_shape ?? c.input_shape;
    const shape = c.batch_input_shape ?? c.batch_shape ?? (c.input_shape === undefined ? undefined : Array.isArray(c.input_shape) ? [null, ...c.input_shape] : c.input_shape);
    if (shape !== undefined) {
      // [batch, d1, d2, …] straight into a Flatten (Keras's Flatten on a [null, 28, 28] input)
      const flattened = Array.isArray(shape) && shape.length > 2 && shape.length <= 64 && shape.slice(1).every((d) => Number.isInteger(d) && (d as number) >= 1) &&
        (cls === 'Flatten' || (cls === 'InputLayer' && layers[i + 1]?.class_name === 'Flatten'));
      if (Array.isArray(shape) && shape.length === 2 && (shape[1] === null || shape[1] === -1)) {
        // 2-D, but its width unknown: that, not the rank, is what stops the load
        throw new FormatError(`${cls} layer "${name}" has input shape ${echo(shape)}: its number of features is not given; wasmnet needs it ([batch, features] with features a whole number ≥ 1)`);
      }
      if (!flattened && (!Array.isArray(shape) || shape.length !== 2 || !Number.isInteger(shape[1]) || (shape[1] as number) < 1)) {
        throw new FormatError(`${cls} layer "${name}" has input shape ${echo(Array.isArray(shape) ? shape : given)}; wasmnet networks take 2-D input [batch, features] (or [batch, d1, d2, …] straight into a Flatten layer)`);
      }
      const features = flattened ? (shape as number[]).slice(1).reduce((p, d) => p * d, 1) : (shape[1] as number);
      if (inputSize === undefined) inputSize = features; // the first shape given
    }
    if (cls === 'InputLayer') {
      if (i !== 0) throw new FormatError(`InputLayer "${name}" must come first`);
    } else if (cls === 'Dense') {
      const units = c.units;
      if (!Number.isInteger(units) || (units as number) < 1) throw new FormatError(`Dense layer "${name}" has units ${echo(units)}`);
      const act = activationOf(c.activation, cls, name);
      last = { type: 'dense', name, units: units as number, activation: act.activation, useBias: c.use_bias !== false, ...(act.alpha === undefined ? {} : { alpha: act.alpha }) };
      planned.push(last);
    } else if (cls === 'Dropout') {
      const rate = c.rate;
      if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new FormatError(`Dropout layer "${name}" has rate ${echo(rate)}; expected a number in [0, 1)`);
      if (rate > 0) planned.push({ type: 'dropout', rate });
    } else if (cls === 'Flatten') {
      // on [batch, width] Flatten changes nothing, and every layer wasmnet loads keeps 2-D
      if (inputSize === undefined) throw new FormatError(`Flatten layer "${name}" comes before any input shape`);
    } else if (cls === 'Activation') {
      const act = activationOf(c.activation, cls, name);
      setActivation(cls, name, act.activation, act.alpha);
    } else if (cls === 'LeakyReLU') {
      const alpha = c.alpha ?? c.negative_slope ?? 0.3;
      if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new FormatError(`LeakyReLU layer "${name}" has alpha ${echo(alpha)}`);
      setActivation(cls, name, 'leakyRelu', alpha);
    } else if (cls === 'ELU') {
      const alpha = c.alpha ?? 1;
      if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new FormatError(`ELU layer "${name}" has alpha ${echo(alpha)}`);
      setActivation(cls, name, 'elu', alpha);
    } else if (cls === 'ReLU') {
      const max = c.max_value ?? null;
      if ((max !== null && max !== 6) || (c.negative_slope ?? 0) !== 0 || (c.threshold ?? 0) !== 0) {
        throw new FormatError(`ReLU layer "${name}" with max_value ${echo(max)}, negative_slope or threshold is not supported (max_value 6 is relu6)`);
      }
      setActivation(cls, name, max === 6 ? 'relu6' : 'relu');
    } else if (cls === 'Softmax') {
      const axis = c.axis ?? -1;
      if (axis !== -1 && axis !== 1 && !(Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 1))) {
        throw new FormatError(`Softmax layer "${name}" has axis ${echo(axis)}; wasmnet's softmax is over the last axis`);
      }
      setActivation(cls, name, 'softmax');
    } else if (planNormalization(cls, c, name)) {
      planned.push(planNormalization(cls, c, name)!);
    } else if (planNorm(cls, c, name)) {
      last = planNorm(cls, c, name)!;
      planned.push(last);
    } else {
      throw new FormatError(`${cls} layer "${name}" is not supported: wasmnet loads InputLayer, Dense, Dropout, Activation, Flatten, LeakyReLU, ELU, ReLU, Softmax, Normalization, BatchNormalization and LayerNormalization`);
    }
  }
  if (inputSize === undefined) throw new FormatError('the model has no input shape (batch_input_shape or batch_shape on its first layer)');
  if (planned.length === 0 || planned[planned.length - 1]!.type !== 'dense') {
    throw new FormatError('the model must end with a Dense layer (and its activation)');
  }
  return { inputSize, layers: planned };
}

function activationOf(value: unknown, cls: string, name: string): { activation: ActivationName; alpha?: number } {
  // Keras 3 may serialize an activation as { class_name, config } or a registered name.
  const key = value === undefined || value === null ? 'linear' : typeof value === 'string' ? value : isObj(value) && typeof value.config === 'object' ? String((value.config as Obj).name ?? value.class_name) : String(value);
  // (own properties only: "constructor", "__proto__" or "toString" are not activations)
  const activation = Object.prototype.hasOwnProperty.call(ACTIVATIONS, key) ? ACTIVATIONS[key] : undefined;
  if (activation === undefined) throw new FormatError(`${cls} layer "${name}" has activation ${echo(key)}, which wasmnet does not have`);
  // Keras 3's leaky_relu activation uses negative_slope 0.2; elu's α is 1.
  return activation === 'leakyRelu' ? { activation, alpha: 0.2 } : activation === 'elu' ? { activation, alpha: 1 } : { activation };
}

/** A Functional model must be one chain: each layer fed by the previous one alone. */
function checkChain(layers: { class_name: string; config: Obj; name?: string; inbound_nodes?: unknown }[], config: Obj): void {
  const names = layers.map((l, i) => String(l.name ?? l.config.name ?? `#${i}`));
  const sources = (inbound: unknown): string[] => {
    const found: string[] = [];
    // (iterative, each object once: an object passed in, not parsed, may contain itself)
    const seen = new Set<object>();
    const stack: unknown[] = [inbound];
    while (stack.length > 0) {
      const v = stack.pop();
      if (typeof v !== 'object' || v === null || seen.has(v)) continue;
      seen.add(v);
      if (Array.isArray(v)) {
        if (typeof v[0] === 'string' && typeof v[1] === 'number') found.push(v[0]); // Keras 2: [name, node, tensor, kwargs]
        else for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
      } else if (isObj(v)) {
        if (Array.isArray(v.keras_history) && typeof v.keras_history[0] === 'string') found.push(v.keras_history[0]); // Keras 3
        else {
          const values = Object.values(v);
          for (let i = values.length - 1; i >= 0; i--) stack.push(values[i]); // (no argument spread of an unbounded list)
        }
      }
    }
    return found;
  };
  layers.forEach((l, i) => {
    const from = sources(l.inbound_nodes);
    const ok = i === 0 ? from.length === 0 : from.length === 1 && from[0] === names[i - 1];
    if (!ok) {
      throw new FormatError(`${l.class_name} layer "${names[i]}" takes input from ${from.length === 0 ? 'no layer' : `${from.slice(0, 5).map(echo).join(', ')}${from.length > 5 ? `, … (${from.length} in all)` : ''}`}; wasmnet loads Functional models that are a single chain of layers`);
    }
  });
  const outs = sources(config.output_layers);
  if (outs.length !== 1 || outs[0] !== names[names.length - 1]) {
    throw new FormatError(`the Functional model's outputs are ${echo(outs)}; wasmnet needs one output, the last layer`);
  }
}

/** One weight of the manifest: where its bytes are. It is decoded (and checked finite) when
 *  its `values` are first read, so weights no layer uses are never decoded. */
class Weight {
  private decoded: Float64Array | undefined;
  constructor(
    readonly name: string,
    readonly shape: number[],
    readonly count: number,
    /** bytes per stored value: 4 (float32, int32), 2 (uint16) or 1 (uint8) */
    private readonly width: number,
    private readonly int32: boolean,
    private readonly quantization: TfjsQuantization | undefined,
    private readonly view: DataView,
    private readonly offset: number,
  ) {}

  private at(i: number): number {
    const at = this.offset + i * this.width;
    const raw = this.width === 4 ? (this.int32 ? this.view.getInt32(at, true) : this.view.getFloat32(at, true)) : this.width === 2 ? this.view.getUint16(at, true) : this.view.getUint8(at);
    return this.quantization ? raw * this.quantization.scale! + this.quantization.min! : raw;
  }

  /** Every value finite, or a FormatError naming the weight and the index (nothing allocated). */
  check(): void {
    for (let i = 0; i < this.count; i++) {
      const v = this.at(i);
      if (!Number.isFinite(v)) throw new FormatError(`weight "${this.name}"[${i}] is ${v}; weights must be finite`);
    }
  }

  /** The values as f64 (float32 exactly; quantized ones dequantized), decoded on first use. */
  get values(): Float64Array {
    if (!this.decoded) {
      this.check();
      this.decoded = new Float64Array(this.count);
      for (let i = 0; i < this.count; i++) this.decoded[i] = this.at(i);
    }
    return this.decoded;
  }
}

/** Every weight of the manifest, laid out in order over the concatenated shards (not decoded). */
function readWeights(manifest: unknown, data: ArrayBuffer | Uint8Array | readonly (ArrayBuffer | Uint8Array)[]): Map<string, Weight> {
  if (!Array.isArray(manifest)) throw new FormatError('model.json has no weightsManifest array');
  const shards = (Array.isArray(data) ? data : [data]) as (ArrayBuffer | Uint8Array)[];
  const parts = shards.map((s, i) => {
    if (s instanceof Uint8Array) return s;
    if (s instanceof ArrayBuffer) return new Uint8Array(s);
    throw new FormatError(`weight data ${Array.isArray(data) ? `shard ${i} ` : ''}must be an ArrayBuffer or Uint8Array`);
  });
  const total = parts.reduce((n, p) => n + p.length, 0);
  const bytes = parts.length === 1 ? parts[0]! : new Uint8Array(total);
  if (parts.length !== 1) parts.reduce((at, p) => (bytes.set(p, at), at + p.length), 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  const specs: TfjsWeightSpec[] = [];
  for (const group of manifest) {
    if (!isObj(group) || !Array.isArray(group.weights)) throw new FormatError('weightsManifest entries must be { paths, weights }');
    if (specs.length + group.weights.length > LIMITS.manifestEntries) {
      throw new FormatError(`the weights manifest has more than ${LIMITS.manifestEntries} entries (the limit)`);
    }
    for (const w of group.weights as TfjsWeightSpec[]) specs.push(w); // (a loop: no argument spread of an unbounded array)
  }
  // Sizes first: nothing is decoded unless the data holds exactly what the manifest describes.
  const layout = specs.map((s, i) => {
    if (!isObj(s) || typeof s.name !== 'string' || !Array.isArray(s.shape) || !s.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new FormatError(`weightsManifest weight ${i} must be { name, shape, dtype }`);
    }
    checkName(s.name, `weightsManifest weight ${i}'s name`);
    if (s.shape.length > LIMITS.dims) throw new FormatError(`weight "${s.name}" has ${s.shape.length} dimensions, over the limit of ${LIMITS.dims}`);
    const count = s.shape.reduce((p, d) => p * d, 1);
    const q = s.quantization;
    const stored = q ? q.dtype : s.dtype;
    const width = stored === 'float32' || stored === 'int32' ? 4 : stored === 'uint16' ? 2 : stored === 'uint8' ? 1 : 0;
    if (width === 0 || (q && (stored === 'float32' || stored === 'int32'))) {
      throw new FormatError(`weight "${s.name}" is stored as ${echo(stored)}; wasmnet reads float32 and uint8/uint16-quantized weights`);
    }
    // int32: Keras Normalization's `count` (written as int32 by the converter), not a weight wasmnet uses
    if (s.dtype !== 'float32' && !(s.dtype === 'int32' && !q)) throw new FormatError(`weight "${s.name}" has dtype ${echo(s.dtype)}; dense weights are float32`);
    if (q && (!Number.isFinite(q.scale) || !Number.isFinite(q.min))) { // (false for anything not a number)
      throw new FormatError(`weight "${s.name}": quantization needs finite scale and min`);
    }
    return { spec: s, count, width };
  });
  const needed = layout.reduce((n, l) => n + l.count * l.width, 0);
  if (needed !== total) throw new FormatError(`the weights manifest describes ${needed} bytes but the weight data has ${total}`);
  const out = new Map<string, Weight>();
  let at = 0;
  for (const { spec, count, width } of layout) {
    out.set(spec.name.replace(/:0$/, ''), new Weight(spec.name, spec.shape, count, width, spec.dtype === 'int32', spec.quantization, view, at));
    at += count * width;
  }
  return out;
}

type Trie = { next: Map<string, Trie>; layer?: string };

/** The manifest's weights for the named layers, keyed `<layer>/<suffix>`: for each, the first in
 *  manifest order named exactly that or `…/<layer>/<suffix>` (a scope prefix). Found in one
 *  pass: the layer names' segments, last first, form a trie that each manifest name (less its
 *  last segment, the suffix) is walked down from its end, so the work is linear in the
 *  manifest's size however many layers ask. */
function indexWeights(weights: Map<string, Weight>, layers: readonly string[]): Map<string, Weight> {
  const root: Trie = { next: new Map() };
  for (const layer of layers) {
    let node = root;
    for (const segment of layer.split('/').reverse()) {
      let child = node.next.get(segment);
      if (!child) node.next.set(segment, (child = { next: new Map() }));
      node = child;
    }
    node.layer = layer;
  }
  const found = new Map<string, Weight>();
  for (const [name, w] of weights) {
    const segments = name.split('/');
    const suffix = segments[segments.length - 1]!;
    let node: Trie | undefined = root;
    for (let i = segments.length - 2; i >= 0 && node; i--) {
      node = node.next.get(segments[i]!);
      const key = node?.layer === undefined ? undefined : `${node.layer}/${suffix}`;
      if (key !== undefined && !found.has(key)) found.set(key, w);
    }
  }
  return found;
}

/** The weight `<layer>/<suffix>` (Keras 2: kernel/bias; Keras 3: 0/1), with any scope prefix. */
function findWeight(found: Map<string, Weight>, layer: string, suffixes: string[], where: string): Weight {
  for (const suffix of suffixes) {
    const w = found.get(`${layer}/${suffix}`);
    if (w) return w;
  }
  throw new FormatError(`${where}: no weight named "${layer}/${suffixes[0]}" (or "${layer}/${suffixes[1]}") in the weights manifest`);
}

/**
 * Writes a network in the TensorFlow.js layers format: `modelJSON` is model.json's object
 * (a Sequential model; weightsManifest paths ['weights.bin']) and `weightData` is weights.bin's
 * bytes (float32). `tf.loadLayersModel` reads them, so a wasmnet model moves to a tfjs app
 * unchanged. leakyRelu becomes a linear Dense + LeakyReLU layer; batchNorm and layerNorm become
 * BatchNormalization and LayerNormalization (+ an Activation layer), a normalization layer an
 * inference-only BatchNormalization (tfjs has no Normalization class). Refused (ConfigError), because
 * tfjs 4.22 cannot load them: gelu (tfjs's "gelu_new") and elu with α ≠ 1.
 */
export function toTfjs(net: Network): TfjsArtifacts {
  if (!(net instanceof Network)) throw new ConfigError(`toTfjs expects a Network, got ${net === null ? 'null' : typeof net}`);
  const layers: Obj[] = [{ class_name: 'InputLayer', config: { batch_input_shape: [null, net.inputSize], dtype: 'float32', sparse: false, name: 'input' } }];
  const specs: TfjsWeightSpec[] = [];
  const values: Float64Array[] = [];
  const weights = net.getWeights();
  let width = net.inputSize;
  let d = 0;
  let n = 0;
  net.layers.forEach((l, i) => {
    if (l.type === 'batchNorm' || l.type === 'layerNorm') {
      const name = `${l.type === 'batchNorm' ? 'batch_normalization' : 'layer_normalization'}_${n++}`;
      if (l.activation === 'gelu' || (l.activation === 'elu' && l.alpha !== 1)) {
        throw new ConfigError(`toTfjs: ${l.type} layer ${i} uses ${l.activation === 'gelu' ? 'gelu, whose tfjs twin "gelu_new" tfjs cannot load' : `elu with alpha ${l.alpha}; tfjs supports only alpha 1`}`);
      }
      const t = tfjsNorm(l, name, weights[d++]!);
      layers.push(t.config);
      for (const w of t.weights) {
        specs.push({ name: `${name}/${w.suffix}`, shape: [w.values.length], dtype: 'float32' });
        values.push(w.values);
      }
      if (l.activation === 'leakyRelu') layers.push({ class_name: 'LeakyReLU', config: { alpha: l.alpha, name: `leaky_re_lu_${name}`, trainable: true } });
      else if (l.activation !== 'linear') layers.push({ class_name: 'Activation', config: { activation: TFJS_ACTIVATIONS[l.activation], name: `activation_${name}`, trainable: true } });
      return;
    }
    if (l.type === 'normalization') {
      const name = `normalization_${n++}`;
      const t = tfjsNormalization(l, name);
      layers.push(t.config);
      for (const w of t.weights) {
        specs.push({ name: `${name}/${w.suffix}`, shape: [w.values.length], dtype: 'float32' });
        values.push(w.values);
      }
      return;
    }
    if (l.type === 'dropout') {
      layers.push({ class_name: 'Dropout', config: { rate: l.rate, noise_shape: null, seed: null, name: `dropout_${i}`, trainable: true } });
      return;
    }
    if (l.activation === 'gelu' || (l.activation === 'elu' && l.alpha !== 1)) {
      // tfjs 4.22 fails to load both: "Unknown activation: geluNew" and "Non-default alpha
      // value … is not supported by the ELU layer yet".
      throw new ConfigError(`toTfjs: dense layer ${d} uses ${l.activation === 'gelu' ? 'gelu, whose tfjs twin "gelu_new" tfjs cannot load' : `elu with alpha ${l.alpha}; tfjs supports only alpha 1`}`);
    }
    const name = `dense_${d}`;
    layers.push({ class_name: 'Dense', config: { units: l.units, activation: TFJS_ACTIVATIONS[l.activation], use_bias: true, name, trainable: true, dtype: 'float32' } });
    if (l.activation === 'leakyRelu') layers.push({ class_name: 'LeakyReLU', config: { alpha: l.alpha, name: `leaky_re_lu_${d}`, trainable: true } });
    specs.push({ name: `${name}/kernel`, shape: [width, l.units], dtype: 'float32' }, { name: `${name}/bias`, shape: [l.units], dtype: 'float32' });
    values.push(weights[d]!.weights, weights[d]!.bias);
    width = l.units;
    d++;
  });
  const count = values.reduce((n, v) => n + v.length, 0);
  const weightData = new Uint8Array(count * 4);
  const f32 = new DataView(weightData.buffer);
  let at = 0;
  for (const v of values) for (const x of v) f32.setFloat32((at++) * 4, x, true);
  return {
    modelJSON: {
      format: 'layers-model',
      generatedBy: `wasmnet ${version}`,
      convertedBy: null,
      modelTopology: { class_name: 'Sequential', config: { name: 'sequential', layers }, keras_version: `wasmnet ${version}`, backend: 'tensor_flow.js' },
      weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
    },
    weightData,
  };
}
