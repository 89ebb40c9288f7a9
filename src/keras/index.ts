// wasmnet/keras: Keras's own files in and out, no converter. `.keras` (Keras 3: a zip of
// config.json, metadata.json and model.weights.h5) and `.h5` (Keras 2: HDF5 with a model_config
// attribute and a model_weights group). The Keras topology is read by the same code as
// wasmnet/tfjs's (tfjs's model.json holds a Keras config too): the weights found in the HDF5
// file are handed over as a tfjs weights manifest of float32 values, which loses nothing.
import { ConfigError, FormatError, Network, type ActivationName } from 'wasmnet';
import { version } from '../../package.json';
import type { ImportOptions } from '../interop/build';
import { jsonTextProblem } from '../io/json-limits';
import { fromTfjs, type TfjsWeightSpec } from '../tfjs/index';
import { H5File } from './hdf5';
import { writeHDF5, type H5Node } from './h5write';
import { readZipDirectory, readZipEntry, writeZip } from './zip';

export type { ImportOptions } from '../interop/build';
export { HDF5_LIMITS } from './hdf5';
export { ZIP_LIMITS } from './zip';

/** The other limits of fromKeras (each a FormatError naming it when passed). */
export const KERAS_LIMITS = {
  /** Nesting depth of config.json / model_config. */
  jsonDepth: 64,
  /** Uncompressed bytes of a .keras file's config.json (a dense model's is a few KB; 1,000
   *  layers about 1 MB): a deflated config cannot declare ZIP_LIMITS.entryBytes of JSON. */
  configBytes: 16 * 1024 * 1024,
} as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Loads a Keras model file: `.keras` (Keras 3's `model.save('model.keras')`) or `.h5` (Keras 2's
 * `model.save('model.h5')`), as bytes. Sequential and single-chain Functional models of
 * InputLayer, Dense, Dropout, Activation, Flatten (on 2-D), LeakyReLU, ELU, ReLU and Softmax, the
 * activations wasmnet has; float32 (or float16) weights. Anything else is a `FormatError`
 * naming the layer class and name, or what in the file is not supported.
 *
 * Asynchronous because a `.keras` zip or a chunked HDF5 dataset may be deflate-compressed, and
 * wasmnet inflates with the platform's own inflater (`DecompressionStream`, asynchronous in
 * every runtime) rather than shipping one.
 *
 * Like `fromTfjs`, the result is a trainable {@link Network} with the natural loss for its output
 * unless `options.loss` says otherwise.
 */
export async function fromKeras(bytes: Uint8Array | ArrayBuffer | ArrayBufferView, options?: ImportOptions): Promise<Network> {
  const o = options ?? {};
  if (!isObj(o)) throw new ConfigError(`fromKeras options must be an object, got ${String(o)}`);
  for (const key of Object.keys(o)) {
    if (!['loss', 'optimizer', 'seed', 'backend'].includes(key)) throw new ConfigError(`fromKeras options: unknown option "${key}" (expected loss, optimizer, seed, backend)`);
  }
  const data = toBytes(bytes);
  if (data.length >= 4 && data[0] === 0x50 && data[1] === 0x4b) return fromKerasZip(data, o);
  if (data.length >= 8 && data[0] === 0x89 && data[1] === 0x48 && data[2] === 0x44 && data[3] === 0x46) return fromKerasH5(data, o);
  throw new FormatError('fromKeras expects a .keras file (a zip) or a .h5 file (HDF5); these bytes are neither');
}

function toBytes(bytes: unknown): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new FormatError(`fromKeras expects the file's bytes (Uint8Array or ArrayBuffer), got ${bytes === null ? 'null' : typeof bytes}`);
}

async function fromKerasZip(bytes: Uint8Array, options: ImportOptions): Promise<Network> {
  const entries = readZipDirectory(bytes);
  const configEntry = entries.get('config.json');
  if (!configEntry) throw new FormatError('the .keras file has no config.json');
  const weightsEntry = entries.get('model.weights.h5');
  if (!weightsEntry) {
    throw new FormatError(entries.has('model.weights.npz') ? 'the .keras file holds its weights as model.weights.npz; wasmnet reads model.weights.h5 (the default)' : 'the .keras file has no model.weights.h5');
  }
  if (configEntry.size > KERAS_LIMITS.configBytes) {
    throw new FormatError(`zip entry "config.json" declares ${configEntry.size} bytes, over the limit of ${KERAS_LIMITS.configBytes} (KERAS_LIMITS.configBytes)`);
  }
  const config = parseJSON(new TextDecoder().decode(await readZipEntry(bytes, configEntry)), 'config.json');
  const h5 = new H5File(await readZipEntry(bytes, weightsEntry));
  const layers = weightedLayers(config, 'config.json');
  // Keras 3 (saving_lib._save_container_state) stores the layers of model.layers under
  // layers/<snake_case(class name)>, numbered per class name: dense, dense_1, dense_2, …; each
  // layer's variables are the datasets vars/0, vars/1, … in its weights' order.
  // Keras 3.0 files written by tf.keras 2.13 compatibility use _layer_checkpoint_dependencies.
  const top = h5.get('layers') !== undefined ? 'layers' : h5.get('_layer_checkpoint_dependencies') !== undefined ? '_layer_checkpoint_dependencies' : undefined;
  if (top === undefined && layers.length > 0) throw new FormatError('model.weights.h5 has no "layers" group');
  const used = new Map<string, number>();
  const weights: Weight[][] = [];
  for (const layer of layers) {
    const snake = SNAKE[layer.cls]!;
    const k = used.get(snake) ?? 0;
    used.set(snake, k + 1);
    const path = `${top}/${snake}${k === 0 ? '' : `_${k}`}/vars`;
    const group = h5.get(path);
    if (group === undefined) {
      if (layer.cls === 'Dense') throw new FormatError(`Dense layer "${layer.name}": model.weights.h5 has no group ${path}`);
      weights.push([]); // e.g. a Normalization whose mean and variance are in its config
      continue;
    }
    const children = h5.children(group);
    const ws: Weight[] = [];
    for (let i = 0; children.has(String(i)); i++) ws.push(await readWeight(h5, children.get(String(i)), `${path}/${i}`, layer, String(i)));
    weights.push(ws);
  }
  return build(config, layers, weights, options);
}

async function fromKerasH5(bytes: Uint8Array, options: ImportOptions): Promise<Network> {
  const h5 = new H5File(bytes);
  const attrs = h5.attributes(h5.get('/')!);
  const modelConfig = attrs.get('model_config');
  if (typeof modelConfig !== 'string') {
    throw new FormatError(h5.get('model_weights') === undefined && modelConfig === undefined
      ? 'the .h5 file has no model_config attribute (a weights-only file, from save_weights?); wasmnet loads files from model.save'
      : 'the .h5 file\'s model_config attribute is not a string');
  }
  const config = parseJSON(modelConfig, 'model_config');
  const root = h5.get('model_weights');
  if (root === undefined) throw new FormatError('the .h5 file has no model_weights group');
  const layers = weightedLayers(config, 'model_config');
  const weights: Weight[][] = [];
  for (const layer of layers) {
    const group = h5.children(root).get(layer.name);
    if (group === undefined) {
      if (layer.cls === 'Dense') throw new FormatError(`Dense layer "${layer.name}": the .h5 file has no group model_weights/${layer.name}`);
      weights.push([]);
      continue;
    }
    // Keras 2 (hdf5_format.save_weights_to_hdf5_group) lists the layer's weights in order
    // (kernel, bias; gamma, beta, moving_mean, moving_variance) in the weight_names attribute;
    // each is a dataset at that path in the group ("dense/kernel:0").
    const names = h5.attributes(group).get('weight_names');
    const list = typeof names === 'string' ? [names] : Array.isArray(names) ? names : [];
    const ws: Weight[] = [];
    for (const n of list) ws.push(await readWeight(h5, lookup(h5, group, n), `model_weights/${layer.name}/${n}`, layer, n.split('/').pop()!.replace(/:\d+$/, '')));
    weights.push(ws);
  }
  return build(config, layers, weights, options);
}

/** The object at a relative path under a group. */
function lookup(h5: H5File, group: number, path: string): number | undefined {
  let at: number | undefined = group;
  for (const part of path.split('/').filter((s) => s.length > 0)) {
    if (at === undefined) return undefined;
    at = h5.children(at).get(part);
  }
  return at;
}

/** The layer classes with weights that wasmnet loads, and Keras 3's snake_case of each (the
 *  group name saving_lib gives it). Weights of other layers are not read: fromTfjs refuses
 *  those layers by name. */
const SNAKE: Record<string, string> = { Dense: 'dense', BatchNormalization: 'batch_normalization', LayerNormalization: 'layer_normalization', Normalization: 'normalization' };

interface LayerRef {
  name: string;
  cls: string;
  useBias: boolean;
  /** a Dense layer's units, when its config gives a positive integer */
  units?: number;
}

/** The layers of a Keras config that have weights, in order (the rest of the config is read by fromTfjs). */
function weightedLayers(config: unknown, where: string): LayerRef[] {
  if (!isObj(config)) throw new FormatError(`${where} must be a JSON object`);
  const inner = config.config;
  const layers = Array.isArray(inner) ? inner : isObj(inner) ? inner.layers : undefined;
  if (!Array.isArray(layers)) {
    const cls = typeof config.class_name === 'string' ? config.class_name : JSON.stringify(config.class_name) ?? String(config.class_name);
    throw new FormatError(`${where}: ${cls.length > 80 ? `${cls.slice(0, 80)}…` : cls} model has no config.layers array`);
  }
  const out: LayerRef[] = [];
  layers.forEach((l, i) => {
    if (!isObj(l) || !isObj(l.config)) throw new FormatError(`${where}: layer ${i} must be { class_name, config }`);
    const cls = l.class_name;
    if (typeof cls !== 'string' || SNAKE[cls] === undefined) return;
    const name = l.config.name;
    if (typeof name !== 'string') throw new FormatError(`${where}: ${cls} layer ${i} has no name`);
    const units = l.config.units;
    out.push({ name, cls, useBias: l.config.use_bias !== false, ...(cls === 'Dense' && Number.isInteger(units) && (units as number) > 0 ? { units: units as number } : {}) });
  });
  return out;
}

interface Weight {
  /** kernel, bias, gamma, … (Keras 2) or 0, 1, … (Keras 3): the name fromTfjs looks for */
  suffix: string;
  shape: number[];
  values: Float64Array;
  /** Normalization's `count` (an integer, unused by wasmnet) */
  integer: boolean;
}

async function readWeight(h5: H5File, address: number | undefined, path: string, layer: LayerRef, suffix: string): Promise<Weight> {
  if (address === undefined || !h5.isDataset(address)) throw new FormatError(`${layer.cls} layer "${layer.name}": no dataset ${path} in the weights`);
  // an integer dataset is refused before it is decoded (8 bytes of float64 per stored byte)
  // and a Dense weight whose shape cannot be its units' before it is decoded (the file's size
  // again as float64); the inputs a kernel must have are checked by fromTfjs, after
  const accept = ({ shape, float }: { shape: number[]; float: boolean }) => {
    if (!float && layer.cls !== 'Normalization') throw new FormatError(`weight ${path} is an integer dataset; ${layer.cls} weights are floats`);
    const units = layer.units;
    const kernel = suffix === '0' || suffix === 'kernel';
    if (units === undefined || !(kernel || suffix === '1' || suffix === 'bias')) return;
    if (kernel ? shape.length === 2 && shape[1] === units : shape.length === 1 && shape[0] === units) return;
    const shown = `[${shape.slice(0, 8).join(', ')}${shape.length > 8 ? ', …' : ''}]`;
    throw new FormatError(`Dense "${layer.name.slice(0, 80)}": ${kernel ? 'kernel' : 'bias'} has shape ${shown}, expected ${kernel ? `[inputs, ${units}]` : `[${units}]`} for its ${units} units`);
  };
  const { shape, values, float } = await h5.dataset(address, `weight ${path}`, accept);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // wasmnet/keras hands weights on as float32 (fromTfjs's manifest); float64 ones must be exact
    if (float ? Math.fround(v) !== v && !Number.isNaN(v) : !(v >= -(2 ** 31) && v < 2 ** 31)) {
      throw new FormatError(float
        ? `weight ${path}[${i}] is a float64 value that float32 cannot hold; wasmnet/keras reads float32 (and float16) weights`
        : `weight ${path}[${i}] is the integer ${v}, outside int32`);
    }
  }
  return { suffix, shape, values, integer: !float };
}

/** The config and weights as a tfjs model (Keras topology + float32 manifest) for fromTfjs. */
function build(config: unknown, layers: LayerRef[], weights: Weight[][], options: ImportOptions): Network {
  const specs: TfjsWeightSpec[] = [];
  let count = 0;
  layers.forEach((layer, i) => {
    const ws = weights[i]!;
    if (layer.cls === 'Dense' && ws.length !== (layer.useBias ? 2 : 1)) {
      throw new FormatError(`Dense layer "${layer.name}" has ${ws.length} weights in the file, ${layer.useBias ? 2 : 1} expected (kernel${layer.useBias ? ', bias' : ''})`);
    }
    for (const w of ws) {
      specs.push({ name: `${layer.name}/${w.suffix}`, shape: w.shape, dtype: w.integer ? 'int32' : 'float32' });
      count += w.values.length;
    }
  });
  const data = new Uint8Array(count * 4);
  const view = new DataView(data.buffer);
  let at = 0;
  for (const ws of weights) {
    for (const w of ws) for (const v of w.values) (w.integer ? view.setInt32((at++) * 4, v, true) : view.setFloat32((at++) * 4, v, true));
  }
  return fromTfjs({ modelTopology: config, weightsManifest: [{ paths: ['model.weights.h5'], weights: specs }] }, data, options);
}

/** JSON.parse after a depth check that skips over strings (a deeply nested file is refused, not a stack overflow). */
function parseJSON(text: string, where: string): unknown {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > KERAS_LIMITS.jsonDepth) throw new FormatError(`${where} nests deeper than ${KERAS_LIMITS.jsonDepth} levels (KERAS_LIMITS.jsonDepth)`);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  // and its size (items), as fromTfjs checks a model.json, before JSON.parse builds millions of objects
  const problem = jsonTextProblem(text);
  if (problem) throw new FormatError(`${where} ${problem}`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FormatError(`${where} is not valid JSON: ${(error as Error).message}`);
  }
}

/** wasmnet's activations → Keras 3's names ("gelu" is Keras's exact, erf GELU). */
const KERAS_ACTIVATIONS: Partial<Record<ActivationName, string>> = {
  linear: 'linear', relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', softmax: 'softmax', elu: 'elu', selu: 'selu',
  softplus: 'softplus', swish: 'silu', geluExact: 'gelu', leakyRelu: 'linear', relu6: 'relu6',
};

const layer = (cls: string, config: Obj, inputWidth?: number): Obj => ({
  module: 'keras.layers',
  class_name: cls,
  config,
  registered_name: null,
  ...(inputWidth === undefined ? {} : { build_config: { input_shape: [null, inputWidth] } }),
});
const initializer = (cls: string, config: Obj): Obj => ({ module: 'keras.initializers', class_name: cls, config, registered_name: null });

/**
 * Writes a network as a `.keras` file in Keras 3's layout (a Sequential model; weights as
 * float32, Keras's default, so each is rounded to float32), for `keras.models.load_model`.
 * leakyRelu becomes a linear Dense + LeakyReLU layer (negative_slope α), elu with α ≠ 1 a linear
 * Dense + ELU layer. Normalization layers become Keras's Normalization (mean and variance in its
 * config), BatchNormalization and LayerNormalization (then an Activation layer for their
 * activation). Refused (ConfigError): gelu, wasmnet's tanh approximation, which Keras has no
 * activation name for (geluExact is Keras's "gelu"). A batchNorm with PyTorch's conventions
 * (unbiasedVariance) predicts the same in Keras; Keras trains its moving variance its own way.
 */
export function toKeras(net: Network): Uint8Array {
  if (!(net instanceof Network)) throw new ConfigError(`toKeras expects a Network, got ${net === null ? 'null' : typeof net}`);
  const layers: Obj[] = [layer('InputLayer', { batch_shape: [null, net.inputSize], dtype: 'float32', sparse: false, name: 'input_layer' })];
  const groups = new Map<string, H5Node>();
  const used = new Map<string, number>();
  // Keras 3's path for the k-th layer of a class in model.layers (InputLayer left out)
  const path = (snake: string, vars: Map<string, H5Node>): void => {
    const k = used.get(snake);
    used.set(snake, k === undefined ? 0 : k + 1);
    const name = k === undefined ? snake : `${snake}_${k + 1}`;
    groups.set(name, { group: new Map([['vars', { group: vars }]]) });
  };
  const names = new Map<string, number>();
  const unique = (base: string): string => {
    const k = names.get(base);
    names.set(base, k === undefined ? 1 : k + 1);
    return k === undefined ? base : `${base}_${k}`;
  };
  const weights = net.getWeights();
  let width = net.inputSize;
  let d = 0;
  /** The layer(s) Keras needs for an activation after a linear Dense or a normalization. */
  const activationLayers = (activation: ActivationName, alpha: number | undefined, where: string, followsDense: boolean): void => {
    if (activation === 'gelu') {
      throw new ConfigError(`toKeras: ${where} uses gelu (the tanh approximation), which Keras has no activation name for; geluExact is Keras's "gelu"`);
    }
    if (activation === 'leakyRelu') {
      layers.push(layer('LeakyReLU', { name: unique('leaky_re_lu'), trainable: true, dtype: 'float32', negative_slope: alpha }, width));
      path('leaky_re_lu', new Map());
    } else if (activation === 'elu' && alpha !== 1) {
      layers.push(layer('ELU', { name: unique('elu'), trainable: true, dtype: 'float32', alpha }, width));
      path('elu', new Map());
    } else if (!followsDense && activation !== 'linear') {
      layers.push(layer('Activation', { name: unique('activation'), trainable: true, dtype: 'float32', activation: KERAS_ACTIVATIONS[activation]! }, width));
      path('activation', new Map());
    }
  };
  const norms = { beta_initializer: initializer('Zeros', {}), gamma_initializer: initializer('Ones', {}), beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null };
  for (const l of net.layers) {
    if (l.type === 'dropout') {
      layers.push(layer('Dropout', { name: unique('dropout'), trainable: true, dtype: 'float32', rate: l.rate, seed: null, noise_shape: null }, width));
      path('dropout', new Map());
      continue;
    }
    if (l.type === 'normalization') {
      // mean and variance in the config (exact, float64 in JSON); Keras divides by max(√var, 1e-7) as wasmnet does
      layers.push(layer('Normalization', { name: unique('normalization'), trainable: true, dtype: 'float32', axis: -1, invert: false, mean: Array.from(l.mean), variance: Array.from(l.variance) }, width));
      path('normalization', new Map());
      continue;
    }
    if (l.type === 'batchNorm' || l.type === 'layerNorm') {
      const w = weights[d]!;
      const vector = (values: Float64Array): H5Node => ({ shape: [width], values });
      if (l.type === 'batchNorm') {
        layers.push(layer('BatchNormalization', {
          name: unique('batch_normalization'), trainable: true, dtype: 'float32', axis: -1, momentum: l.momentum, epsilon: l.epsilon, center: true, scale: true,
          ...norms, moving_mean_initializer: initializer('Zeros', {}), moving_variance_initializer: initializer('Ones', {}), synchronized: false,
        }, width));
        path('batch_normalization', new Map<string, H5Node>([['0', vector(w.weights)], ['1', vector(w.bias)], ['2', vector(w.movingMean!)], ['3', vector(w.movingVariance!)]]));
      } else {
        layers.push(layer('LayerNormalization', { name: unique('layer_normalization'), trainable: true, dtype: 'float32', axis: -1, epsilon: l.epsilon, center: true, scale: true, rms_scaling: false, ...norms }, width));
        path('layer_normalization', new Map<string, H5Node>([['0', vector(w.weights)], ['1', vector(w.bias)]]));
      }
      activationLayers(l.activation, l.alpha, `${l.type} layer ${d}`, false);
      d++;
      continue;
    }
    if (l.activation === 'gelu') activationLayers('gelu', undefined, `dense layer ${d}`, true);
    const separate = l.activation === 'leakyRelu' || (l.activation === 'elu' && l.alpha !== 1);
    layers.push(layer('Dense', {
      name: unique('dense'), trainable: true, dtype: 'float32', units: l.units, activation: separate ? 'linear' : KERAS_ACTIVATIONS[l.activation]!, use_bias: true,
      kernel_initializer: initializer('GlorotUniform', { seed: null }), bias_initializer: initializer('Zeros', {}),
      kernel_regularizer: null, bias_regularizer: null, kernel_constraint: null, bias_constraint: null,
    }, width));
    const w = weights[d]!;
    path('dense', new Map<string, H5Node>([['0', { shape: [width, l.units], values: w.weights }], ['1', { shape: [l.units], values: w.bias }]]));
    width = l.units;
    activationLayers(l.activation, l.alpha, `dense layer ${d}`, true);
    d++;
  }
  const config = {
    module: 'keras',
    class_name: 'Sequential',
    config: { name: 'sequential', trainable: true, dtype: 'float32', layers },
    registered_name: null,
    build_config: { input_shape: [null, net.inputSize] },
    compile_config: null,
  };
  const h5 = writeHDF5(new Map<string, H5Node>([['layers', { group: groups }], ['vars', { group: new Map() }]]));
  const encoder = new TextEncoder();
  return writeZip([
    { name: 'metadata.json', data: encoder.encode(JSON.stringify({ keras_version: '3.5.0', date_saved: '1980-01-01@00:00:00', generated_by: `wasmnet ${version}` })) },
    { name: 'config.json', data: encoder.encode(JSON.stringify(config)) },
    { name: 'model.weights.h5', data: h5 },
  ]);
}

