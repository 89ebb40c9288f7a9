// Saving and loading. Two forms of the same content:
//  - JSON (`net.toJSON()`, so `JSON.stringify(net)` works): readable config, and every f64 slab
//    as base64 of its little-endian bytes, so values round-trip bit for bit;
//  - bytes (`net.toBytes()`): "WNET", u32 version, u32 JSON length, the same JSON without the
//    slabs, zero padding to 8 bytes, then the slabs as raw little-endian f64s (weights, the two
//    optimizer slabs, then, from version 2, the statistics slab).
// Version 2 (normalization layers) added the statistics slab: non-trained layer state. A
// version 1 file has none (its layers keep no statistics) and loads as before.
// The content: the architecture and options (enough to rebuild the network), the weights, and
// the training state — optimizer slabs, update count, current learning rate, and the states of
// the shuffling and dropout generators — so a loaded network continues training exactly as the
// original would have.
import { FormatError } from '../errors';
import { show } from '../validate';
import { jsonTextProblem, jsonValueProblem } from './json-limits';

export const FORMAT = 'wasmnet';
export const FORMAT_VERSION = 2;
const MAGIC = [0x57, 0x4e, 0x45, 0x54]; // "WNET"

/** The training state besides the weights (see Engine.exportState). */
export interface SavedTraining {
  stepCount: number;
  learningRate: number;
  shuffleRandom: number[];
  dropoutRandom: number[];
}

/** What `toJSON()` returns. */
export interface SavedModel {
  /** Always `'wasmnet'`: how a loader recognises the object. */
  format: 'wasmnet';
  /** The format version (2; 1 before normalization layers); a newer version than this library reads is a `FormatError`. */
  version: number;
  /** the Network config that rebuilds the architecture (layers, loss, optimizer, seed, backend) */
  config: Record<string, unknown>;
  /** base64 of the little-endian f64 parameter slab: W₀ b₀ W₁ b₁ … */
  weights: string;
  /** base64 of the statistics slab: what layers keep but do not train (each normalization
   *  layer's mean, then variance). Absent in version 1 files (which have no such layers). */
  stats?: string;
  /** The training state, so a loaded network continues training exactly as the original would: update count, current learning rate, generator states, optimizer slabs. */
  training: SavedTraining & {
    /** base64 of the optimizer state slabs */
    state1: string;
    /** base64 of the second optimizer state slab (Adam's v, for example) */
    state2: string;
  };
}

/** Decoded model data, slabs as Float64Arrays. */
export interface ModelData {
  config: Record<string, unknown>;
  params: Float64Array;
  stats: Float64Array;
  state1: Float64Array;
  state2: Float64Array;
  training: SavedTraining;
}

// ---- JSON ---------------------------------------------------------------------------------

export function encodeJSON(data: ModelData): SavedModel {
  return {
    format: FORMAT,
    version: FORMAT_VERSION,
    config: data.config,
    weights: toBase64(data.params),
    stats: toBase64(data.stats),
    training: { ...data.training, state1: toBase64(data.state1), state2: toBase64(data.state2) },
  };
}

export function decodeJSON(input: unknown): ModelData {
  let json = input;
  // Depth and size first, without recursion: the checks below print and walk the values.
  const problem = typeof input === 'string' ? jsonTextProblem(input) : jsonValueProblem(input);
  if (problem) throw new FormatError(`not a saved wasmnet model: the JSON ${problem}`);
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch (error) {
      throw new FormatError(`not a saved wasmnet model: the string is not valid JSON (${(error as Error).message})`);
    }
  }
  const saved = checkHeader(json);
  const training = saved.training as Record<string, unknown> | undefined;
  if (typeof training !== 'object' || training === null) throw new FormatError('saved model: "training" is missing');
  return {
    config: checkConfig(saved.config),
    params: fromBase64(saved.weights, 'weights'),
    stats: saved.version === 1 && saved.stats === undefined ? new Float64Array(0) : fromBase64(saved.stats, 'stats'),
    state1: fromBase64(training.state1, 'training.state1'),
    state2: fromBase64(training.state2, 'training.state2'),
    training: checkTraining(training),
  };
}

// ---- bytes --------------------------------------------------------------------------------

export function encodeBytes(data: ModelData): Uint8Array {
  const head = new TextEncoder().encode(
    JSON.stringify({ format: FORMAT, version: FORMAT_VERSION, config: data.config, training: data.training, slabs: data.params.length, stats: data.stats.length }),
  );
  const bodyStart = align8(12 + head.length);
  const count = data.params.length;
  const bytes = new Uint8Array(bodyStart + (3 * count + data.stats.length) * 8);
  bytes.set(MAGIC, 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, head.length, true);
  bytes.set(head, 12);
  [data.params, data.state1, data.state2].forEach((slab, s) => {
    const at = bodyStart + s * count * 8;
    for (let i = 0; i < count; i++) view.setFloat64(at + i * 8, slab[i]!, true);
  });
  const statsAt = bodyStart + 3 * count * 8;
  for (let i = 0; i < data.stats.length; i++) view.setFloat64(statsAt + i * 8, data.stats[i]!, true);
  return bytes;
}

export function decodeBytes(input: unknown): ModelData {
  const bytes = input instanceof Uint8Array ? input : input instanceof ArrayBuffer ? new Uint8Array(input) : undefined;
  if (!bytes) throw new FormatError(`fromBytes expects a Uint8Array or an ArrayBuffer, got ${typeof input}`);
  if (bytes.length < 12 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new FormatError('not a saved wasmnet model: the bytes do not start with "WNET"');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  checkVersion(version);
  const headLength = view.getUint32(8, true);
  if (12 + headLength > bytes.length) throw new FormatError(`saved model is truncated: its header needs ${12 + headLength} bytes, there are ${bytes.length}`);
  let head: unknown;
  const text = new TextDecoder().decode(bytes.subarray(12, 12 + headLength));
  const problem = jsonTextProblem(text);
  if (problem) throw new FormatError(`saved model is corrupted: its JSON header ${problem}`);
  try {
    head = JSON.parse(text);
  } catch {
    throw new FormatError('saved model is corrupted: its header is not valid JSON');
  }
  if (typeof head !== 'object' || head === null || Array.isArray(head)) {
    throw new FormatError(`saved model is corrupted: its header must be a JSON object, got ${head === null ? 'null' : typeof head}`);
  }
  const count = (head as Record<string, unknown>).slabs;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new FormatError('saved model is corrupted: the slab length is missing');
  // version 1 has no statistics slab
  const stats = version === 1 ? 0 : (head as Record<string, unknown>).stats;
  if (typeof stats !== 'number' || !Number.isInteger(stats) || stats < 0) throw new FormatError('saved model is corrupted: the statistics length is missing');
  const bodyStart = align8(12 + headLength);
  const needed = bodyStart + (3 * count + stats) * 8;
  if (bytes.length !== needed) {
    throw new FormatError(`saved model is ${bytes.length < needed ? 'truncated' : 'corrupted'}: ${count} weights${stats > 0 ? ` and ${stats} statistics` : ''} need ${needed} bytes, there are ${bytes.length}`);
  }
  const slab = (s: number, length = count) => {
    const out = new Float64Array(length);
    for (let i = 0; i < length; i++) out[i] = view.getFloat64(bodyStart + (s * count + i) * 8, true);
    return out;
  };
  return {
    config: checkConfig((head as Record<string, unknown>).config),
    params: slab(0),
    stats: slab(3, stats),
    state1: slab(1),
    state2: slab(2),
    training: checkTraining((head as Record<string, unknown>).training as Record<string, unknown>),
  };
}

// ---- checks and encodings -----------------------------------------------------------------

function checkHeader(json: unknown): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || (json as { format?: unknown }).format !== FORMAT) {
    throw new FormatError('not a saved wasmnet model: expected an object with format "wasmnet"');
  }
  const saved = json as Record<string, unknown>;
  checkVersion(saved.version);
  return saved;
}

function checkVersion(version: unknown): void {
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new FormatError(`saved model has no valid format version (got ${show(version)})`);
  }
  if (version > FORMAT_VERSION) {
    throw new FormatError(`saved model uses format version ${version}, newer than this wasmnet reads (up to ${FORMAT_VERSION}); upgrade wasmnet to load it`);
  }
}

function checkConfig(config: unknown): Record<string, unknown> {
  if (typeof config !== 'object' || config === null) throw new FormatError('saved model: "config" is missing');
  return config as Record<string, unknown>;
}

function checkTraining(t: Record<string, unknown> | undefined): SavedTraining {
  if (typeof t !== 'object' || t === null) throw new FormatError('saved model: "training" is missing');
  const words = (v: unknown, name: string): number[] => {
    if (!Array.isArray(v) || v.length !== 4 || !v.every((x) => Number.isInteger(x) && x >= 0 && x < 4294967296)) {
      throw new FormatError(`saved model: training.${name} must be 4 unsigned 32-bit integers`);
    }
    return v.slice();
  };
  const number = (v: unknown, name: string, min: number): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new FormatError(`saved model: training.${name} must be a finite number ≥ ${min}, got ${show(v)}`);
    return v;
  };
  return {
    stepCount: number(t.stepCount, 'stepCount', 0),
    learningRate: number(t.learningRate, 'learningRate', 0),
    shuffleRandom: words(t.shuffleRandom, 'shuffleRandom'),
    dropoutRandom: words(t.dropoutRandom, 'dropoutRandom'),
  };
}

const align8 = (n: number): number => (n + 7) & ~7;

function toBase64(values: Float64Array): string {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i]!, true);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: unknown, name: string): Float64Array {
  if (typeof text !== 'string') throw new FormatError(`saved model: "${name}" must be a base64 string`);
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new FormatError(`saved model: "${name}" is not valid base64`);
  }
  if (binary.length % 8 !== 0) throw new FormatError(`saved model: "${name}" is truncated (${binary.length} bytes is not a whole number of f64 values)`);
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i));
  const out = new Float64Array(binary.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}
