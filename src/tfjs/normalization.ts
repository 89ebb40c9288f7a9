// tfjs/Keras ↔ wasmnet for the normalization layer.
// In: Keras's `Normalization` (mean and variance in its config, or adapted: the weights
// `<name>/mean` and `<name>/variance`, Keras 3 `<name>/0` and `<name>/1`, beside an integer
// `count`); tfjs 4.22 itself has no such layer, so these files come from Keras through
// tensorflowjs_converter. Also a `BatchNormalization` with center and scale off that is not
// trainable: always in inference mode, (x − moving_mean) / √(moving_variance + ε), which is
// what `toTfjs` writes for a normalization layer (tfjs loads it).
import { FormatError, type ActivationName, type Layer } from 'wasmnet';
import type { ImportedLayer } from '../interop/build';

type Obj = Record<string, unknown>;

/** A normalization planned from a layer's config; the statistics may still be in the weights. */
export interface PlannedNormalization {
  type: 'normalization';
  name: string;
  cls: string;
  /** from the config (Keras: `mean`/`variance` arguments), or undefined: read the weights */
  mean?: number[];
  variance?: number[];
  /** BatchNormalization's ε, added to its moving variance */
  epsilon: number;
}

/** A value from the file as messages show it: JSON, cut at 80 characters (fromTfjs's messages too). */
export function echo(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = '(a value JSON cannot show)'; // an object passed in (not parsed) may contain itself, or a BigInt
  }
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

const numbers = (v: unknown): number[] | undefined =>
  typeof v === 'number' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]).flat() : undefined;

/** The planned normalization for a `Normalization` or an inference-only `BatchNormalization`
 *  layer, or undefined for any other layer. */
export function planNormalization(cls: string, c: Obj, name: string): PlannedNormalization | undefined {
  const axis = c.axis ?? -1;
  const lastAxis = axis === -1 || axis === 1 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 1));
  if (cls === 'Normalization') {
    if (c.invert === true) throw new FormatError(`Normalization layer "${name}" has invert: true (it de-normalizes), which wasmnet does not have`);
    if (!lastAxis) throw new FormatError(`Normalization layer "${name}" has axis ${echo(axis)}; wasmnet normalizes each feature of [batch, features] (axis -1)`);
    const given = c.mean !== undefined && c.mean !== null;
    const mean = given ? numbers(c.mean) : undefined;
    const variance = given ? numbers(c.variance) : undefined;
    if (given && (!mean || !variance)) throw new FormatError(`Normalization layer "${name}" has mean ${echo(c.mean)} and variance ${echo(c.variance)}; expected numbers or lists of numbers`);
    return { type: 'normalization', name, cls, ...(mean ? { mean } : {}), ...(variance ? { variance } : {}), epsilon: 0 };
  }
  if (cls === 'BatchNormalization' && c.center === false && c.scale === false && c.trainable === false) {
    if (!lastAxis) throw new FormatError(`BatchNormalization layer "${name}" has axis ${echo(axis)}; wasmnet normalizes each feature of [batch, features] (axis -1)`);
    const epsilon = c.epsilon ?? 1e-3;
    if (typeof epsilon !== 'number' || !(epsilon >= 0) || !Number.isFinite(epsilon)) throw new FormatError(`BatchNormalization layer "${name}" has epsilon ${echo(epsilon)}`);
    return { type: 'normalization', name, cls, epsilon };
  }
  return undefined;
}

/** The layer's statistics for `width` features: from its config (a scalar spreads over every
 *  feature) or from the weights (`find(suffixes)`). */
export function normalizationStatistics(
  p: PlannedNormalization,
  width: number,
  find: (suffixes: string[]) => { shape: number[]; values: Float64Array },
): { type: 'normalization'; mean: Float64Array; variance: Float64Array } {
  const where = `${p.cls} layer "${p.name}"`;
  const read = (given: number[] | undefined, suffixes: string[], what: string): Float64Array => {
    const values = given ? Float64Array.from(given) : find(suffixes).values;
    if (values.length === 1 && width > 1) return new Float64Array(width).fill(values[0]!);
    if (values.length !== width) throw new FormatError(`${where}: ${what} has ${values.length} values for ${width} input features`);
    return values;
  };
  const bn = p.cls === 'BatchNormalization';
  const mean = read(p.mean, bn ? ['moving_mean', '0'] : ['mean', '0'], 'mean');
  const variance = read(p.variance, bn ? ['moving_variance', '1'] : ['variance', '1'], 'variance').map((v) => v + p.epsilon);
  const bad = variance.findIndex((v) => !(v >= 0) || !Number.isFinite(v));
  if (bad >= 0) throw new FormatError(`${where}: variance[${bad}] is ${variance[bad]}; a variance must be finite and ≥ 0`);
  return { type: 'normalization', mean, variance };
}

/** toTfjs: a normalization layer as a BatchNormalization tfjs loads, in inference mode for
 *  good (trainable: false), center and scale off, ε = 0, and moving_variance = max(variance,
 *  1e-14), so that √(moving_variance) = max(√variance, 1e-7) as wasmnet and Keras compute. */
export function tfjsNormalization(layer: Extract<Layer, { type: 'normalization' }>, name: string): { config: Obj; weights: { suffix: string; values: Float64Array }[] } {
  return {
    config: { class_name: 'BatchNormalization', config: { name, trainable: false, dtype: 'float32', axis: -1, momentum: 0.99, epsilon: 0, center: false, scale: false } },
    weights: [
      { suffix: 'moving_mean', values: Float64Array.from(layer.mean) },
      { suffix: 'moving_variance', values: Float64Array.from(layer.variance, (v) => Math.max(v, 1e-14)) },
    ],
  };
}

/** A BatchNormalization or LayerNormalization layer to load (an activation layer may follow). */
export interface PlannedNorm {
  type: 'batchNorm' | 'layerNorm';
  name: string;
  cls: string;
  activation: ActivationName;
  alpha?: number;
  epsilon: number;
  momentum: number;
  center: boolean;
  scale: boolean;
}

/** Keras's BatchNormalization (trainable) and LayerNormalization on the last axis. Keras's
 *  moving variance is the biased one, so unbiasedVariance stays false. */
export function planNorm(cls: string, c: Obj, name: string): PlannedNorm | undefined {
  if (cls !== 'BatchNormalization' && cls !== 'LayerNormalization') return undefined;
  const axis = c.axis ?? -1;
  if (!(axis === -1 || axis === 1 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 1)))) {
    throw new FormatError(`${cls} layer "${name}" has axis ${echo(axis)}; wasmnet normalizes over the features of [batch, features] (axis -1)`);
  }
  const epsilon = c.epsilon ?? 1e-3;
  const momentum = c.momentum ?? 0.99;
  if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon)) throw new FormatError(`${cls} layer "${name}" has epsilon ${echo(epsilon)}; wasmnet needs ε > 0`);
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) throw new FormatError(`${cls} layer "${name}" has momentum ${echo(momentum)}`);
  return {
    type: cls === 'BatchNormalization' ? 'batchNorm' : 'layerNorm', name, cls, activation: 'linear', epsilon, momentum,
    center: c.center !== false, scale: c.scale !== false,
  };
}

/** The imported layer with its weights: γ (ones when scale is off), β (zeros when center is
 *  off; both become trainable in wasmnet), and batch norm's moving statistics. Keras 2 names
 *  `gamma`, `beta`, `moving_mean`, `moving_variance`; Keras 3 numbers them in that order,
 *  skipping the ones that are off. */
export function normWeights(p: PlannedNorm, width: number, find: (suffixes: string[]) => { shape: number[]; values: Float64Array }): ImportedLayer {
  const where = `${p.cls} layer "${p.name}"`;
  let index = 0;
  const read = (name: string, on: boolean, fill: number): Float64Array => {
    if (!on) return new Float64Array(width).fill(fill);
    const w = find([name, String(index++)]).values;
    if (w.length !== width) throw new FormatError(`${where}: ${name} has ${w.length} values for ${width} features`);
    return w;
  };
  const gamma = read('gamma', p.scale, 1);
  const beta = read('beta', p.center, 0);
  const act = p.alpha === undefined ? { activation: p.activation } : { activation: p.activation, alpha: p.alpha };
  if (p.type === 'layerNorm') return { type: 'layerNorm', epsilon: p.epsilon, ...act, gamma, beta };
  const movingMean = read('moving_mean', true, 0);
  const movingVariance = read('moving_variance', true, 1);
  const bad = movingVariance.findIndex((v) => !(v >= 0));
  if (bad >= 0) throw new FormatError(`${where}: moving_variance[${bad}] is ${movingVariance[bad]}; a variance must be ≥ 0`);
  return { type: 'batchNorm', momentum: p.momentum, epsilon: p.epsilon, unbiasedVariance: false, ...act, gamma, beta, movingMean, movingVariance };
}

/** toTfjs: BatchNormalization / LayerNormalization (then an Activation layer for a non-linear
 *  activation, added by the caller). */
export function tfjsNorm(layer: Extract<Layer, { type: 'batchNorm' | 'layerNorm' }>, name: string, w: { weights: Float64Array; bias: Float64Array; movingMean?: Float64Array; movingVariance?: Float64Array }): { config: Obj; weights: { suffix: string; values: Float64Array }[] } {
  const base = { name, trainable: true, dtype: 'float32', axis: -1, epsilon: layer.epsilon, center: true, scale: true };
  if (layer.type === 'layerNorm') {
    return { config: { class_name: 'LayerNormalization', config: base }, weights: [{ suffix: 'gamma', values: w.weights }, { suffix: 'beta', values: w.bias }] };
  }
  return {
    config: { class_name: 'BatchNormalization', config: { ...base, momentum: layer.momentum } },
    weights: [{ suffix: 'gamma', values: w.weights }, { suffix: 'beta', values: w.bias }, { suffix: 'moving_mean', values: w.movingMean! }, { suffix: 'moving_variance', values: w.movingVariance! }],
  };
}
