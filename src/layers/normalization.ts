// Input standardization inside the model (Keras's `Normalization`): each feature becomes
// (x − mean) / max(√variance, 1e-7), with the statistics given or computed from data
// (`adapt`). They are constants: not trained, saved with the model (in its config and its
// statistics slab). Kernels: assembly/normalization.ts and src/backend/js.ts.
import { LAYER_NORMALIZATION } from '../backend/codes';
import { ConfigError } from '../errors';
import type { LayerSlots } from './dense';
import { checkKeys, checkObject, show } from '../validate';

/** Options of {@link normalization}: either `mean` and `variance`, or `adapt`. */
export interface NormalizationOptions {
  /** Each feature's mean (subtracted). With `variance`; one value per input column. */
  mean?: ArrayLike<number>;
  /** Each feature's variance (≥ 0): the feature is divided by max(√variance, 1e-7). */
  variance?: ArrayLike<number>;
  /** Training inputs (number[][], one row per sample) to compute each column's mean and
   *  population variance from, as Keras's `layer.adapt(data)` does. */
  adapt?: number[][];
}

/** What {@link normalization} returns. */
export interface NormalizationLayer {
  /** Always `'normalization'`. */
  readonly type: 'normalization';
  /** Each feature's mean. */
  readonly mean: readonly number[];
  /** Each feature's variance. */
  readonly variance: readonly number[];
}

/**
 * Standardizes each input feature inside the network: (x − mean) / max(√variance, 1e-7), as
 * Keras's `Normalization` layer does. The statistics are given (`mean`, `variance`) or
 * computed from training inputs (`adapt`); they are not trained, and they are saved with the
 * model, so the loaded model predicts on raw inputs. A constant column (variance 0) does not
 * produce NaN: its denominator is 1e-7, as in Keras, so the column becomes 0 at its mean.
 *
 * @example
 * ```ts
 * import { normalization } from 'wasmnet';
 *
 * normalization({ adapt: [[1, 200], [3, 400]] }); // mean [2, 300], variance [1, 10000]
 * normalization({ mean: [2, 300], variance: [1, 10000] }); // the same layer
 * ```
 */
export function normalization(options: NormalizationOptions): NormalizationLayer {
  checkObject(options, 'normalization() options');
  checkKeys(options, ['mean', 'variance', 'adapt'], 'normalization()');
  if (options.adapt !== undefined) {
    if (options.mean !== undefined || options.variance !== undefined) {
      throw new ConfigError('normalization(): give either adapt (data to compute the statistics from) or mean and variance, not both');
    }
    const { mean, variance } = adaptStatistics(options.adapt);
    return checkNormalization({ type: 'normalization', mean, variance }, 'normalization()');
  }
  return checkNormalization({ type: 'normalization', mean: options.mean, variance: options.variance }, 'normalization()');
}

/** Each column's mean and population variance (Σ(x − mean)²/n, two passes), as Keras's adapt. */
function adaptStatistics(x: unknown): { mean: number[]; variance: number[] } {
  if (!Array.isArray(x) || x.length === 0 || !Array.isArray(x[0]) || x[0].length === 0) {
    throw new ConfigError(`normalization() adapt must be a non-empty number[][] (one row per sample), got ${show(x)}`);
  }
  const rows = x as unknown[][];
  const cols = rows[0]!.length;
  const mean = new Array<number>(cols).fill(0);
  const variance = new Array<number>(cols).fill(0);
  rows.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== cols) throw new ConfigError(`normalization() adapt[${r}] must be an array of ${cols} numbers, got ${show(row)}`);
    row.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`normalization() adapt[${r}][${j}] is ${show(v)}; every value must be a finite number`);
      mean[j]! += v;
    });
  });
  for (let j = 0; j < cols; j++) mean[j] = mean[j]! / rows.length;
  for (const row of rows) {
    for (let j = 0; j < cols; j++) {
      const d = (row[j] as number) - mean[j]!;
      variance[j]! += d * d;
    }
  }
  for (let j = 0; j < cols; j++) variance[j] = variance[j]! / rows.length;
  return { mean, variance };
}

/** Checks a normalization layer's fields (from normalization() or a hand-written or saved object). */
export function checkNormalization(layer: Record<string, unknown>, where: string): NormalizationLayer {
  checkKeys(layer, ['type', 'mean', 'variance'], where);
  const values = (v: unknown, name: string, min: number): number[] => {
    const ok = Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
    if (!ok || (v as ArrayLike<unknown>).length === 0) throw new ConfigError(`${where} ${name} must be a non-empty array of numbers (one per feature), got ${show(v)}`);
    return Array.from(v as ArrayLike<unknown>, (x, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x) || x < min) {
        throw new ConfigError(`${where} ${name}[${i}] is ${show(x)}; expected a finite number${min === 0 ? ' ≥ 0' : ''}`);
      }
      return x;
    });
  };
  const mean = values(layer.mean, 'mean', -Infinity);
  const variance = values(layer.variance, 'variance', 0);
  if (mean.length !== variance.length) {
    throw new ConfigError(`${where} mean has ${mean.length} values but variance has ${variance.length}; give one of each per feature`);
  }
  return Object.freeze({ type: 'normalization', mean: Object.freeze(mean), variance: Object.freeze(variance) });
}

/** A normalization layer in the arena: no parameters; its mean and variance sit in the
 *  statistics slab at `stats` (mean, then variance). */
export function placeNormalization(width: number, stats: number): LayerSlots {
  return { kind: LAYER_NORMALIZATION, inputs: width, units: width, act: 0, alpha: 0, l1: 0, l2: 0, rate: 0, w: 0, b: 0, dw: 0, db: 0, z: 0, a: 0, stats };
}
