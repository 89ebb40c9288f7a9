// tfjs/Keras ↔ wasmnet for the normalization layer.
// In: Keras's `Normalization` (mean and variance in its config, or adapted: the weights
// `<name>/mean` and `<name>/variance`, Keras 3 `<name>/0` and `<name>/1`, beside an integer
// `count`); tfjs 4.22 itself has no such layer, so these files come from Keras through
// tensorflowjs_converter. Also a `BatchNormalization` with center and scale off that is not
// trainable: always in inference mode, (x − moving_mean) / √(moving_variance + ε), which is
// what `toTfjs` writes for a normalization layer (tfjs loads it).
import { FormatError, type Layer } from 'wasmnet';

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

const numbers = (v: unknown): number[] | undefined =>
  typeof v === 'number' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]).flat() : undefined;

/** The planned normalization for a `Normalization` or an inference-only `BatchNormalization`
 *  layer, or undefined for any other layer. */
export function planNormalization(cls: string, c: Obj, name: string): PlannedNormalization | undefined {
  const axis = c.axis ?? -1;
  const lastAxis = axis === -1 || axis === 1 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 1));
  if (cls === 'Normalization') {
    if (c.invert === true) throw new FormatError(`Normalization layer "${name}" has invert: true (it de-normalizes), which wasmnet does not have`);
    if (!lastAxis) throw new FormatError(`Normalization layer "${name}" has axis ${JSON.stringify(axis)}; wasmnet normalizes each feature of [batch, features] (axis -1)`);
    const given = c.mean !== undefined && c.mean !== null;
    const mean = given ? numbers(c.mean) : undefined;
    const variance = given ? numbers(c.variance) : undefined;
    if (given && (!mean || !variance)) throw new FormatError(`Normalization layer "${name}" has mean ${JSON.stringify(c.mean)} and variance ${JSON.stringify(c.variance)}; expected numbers or lists of numbers`);
    return { type: 'normalization', name, cls, ...(mean ? { mean } : {}), ...(variance ? { variance } : {}), epsilon: 0 };
  }
  if (cls === 'BatchNormalization' && c.center === false && c.scale === false && c.trainable === false) {
    if (!lastAxis) throw new FormatError(`BatchNormalization layer "${name}" has axis ${JSON.stringify(axis)}; wasmnet normalizes each feature of [batch, features] (axis -1)`);
    const epsilon = c.epsilon ?? 1e-3;
    if (typeof epsilon !== 'number' || !(epsilon >= 0) || !Number.isFinite(epsilon)) throw new FormatError(`BatchNormalization layer "${name}" has epsilon ${JSON.stringify(epsilon)}`);
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
