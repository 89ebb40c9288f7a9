// The normalization family, as Keras and tfjs-layers keep it in one file:
// - normalization: input standardization inside the model (Keras's `Normalization`): each
//   feature becomes (x − mean) / max(√variance, 1e-7), with the statistics given or computed
//   from data (`adapt`). They are constants: not trained, saved with the model (in its config
//   and its statistics slab).
// - batchNorm: γ·(x − μ)/√(σ² + ε) + β per feature, the batch's μ and σ² in training, the
//   moving ones (statistics slab) otherwise; γ and β trained.
// - layerNorm: the same per row, in training and inference alike.
// Kernels: assembly/normalization.ts and src/backend/js.ts.
import { ACTIVATIONS, ACTIVATION_CODES, ALPHA_DEFAULTS, type ActivationName } from '../activations';
import { LAYER_BATCH_NORM, LAYER_LAYER_NORM, LAYER_NORMALIZATION } from '../backend/codes';
import { ConfigError } from '../errors';
import type { LayerSlots } from './dense';
import { checkKeys, checkObject, numberInRange, oneOf, positiveNumber, show } from '../validate';

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
  if (!Array.isArray(x) || !Array.isArray(x[0]) || x[0].length === 0) {
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
  return { kind: LAYER_NORMALIZATION, inputs: width, units: width, act: 0, alpha: 0, l1: 0, l2: 0, rate: 0, w: 0, b: 0, dw: 0, db: 0, z: 0, a: 0, stats, aux: 0, epsilon: 0, momentum: 0, unbiased: 0 };
}

// ---- batch and layer normalization --------------------------------------------------------

/** Options of {@link batchNorm}; every one is optional. The defaults are Keras's. */
export interface BatchNormOptions {
  /** Weight of the old value in the moving statistics: moving = momentum·moving + (1 −
   *  momentum)·batch. Default 0.99 (Keras); PyTorch's `momentum=0.1` is 0.9 here. */
  momentum?: number;
  /** Added to the variance before its square root. Default 1e-3 (Keras); PyTorch's is 1e-5. */
  epsilon?: number;
  /** Update the moving variance with the unbiased batch variance (× n/(n − 1)), as PyTorch's
   *  running_var does; the batch is normalized with the biased one either way. Default false (Keras). */
  unbiasedVariance?: boolean;
  /** 'keras' (default) or 'pytorch': the defaults of the three options above (PyTorch:
   *  momentum 0.9, epsilon 1e-5, unbiasedVariance true). Options given explicitly win. */
  convention?: 'keras' | 'pytorch';
  /** Applied after the normalization (Linear → BatchNorm1d → ReLU is dense(n), batchNorm({ activation: 'relu' })). Default 'linear'. */
  activation?: ActivationName;
  /** leakyRelu's slope or elu's α (as for dense). */
  alpha?: number;
}

/** What {@link batchNorm} returns. */
export interface BatchNormLayer {
  /** Always `'batchNorm'`. */
  readonly type: 'batchNorm';
  /** How much of the moving statistics each training step keeps (Keras's convention: moving = momentum·moving + (1 − momentum)·batch). */
  readonly momentum: number;
  /** Added to the variance before its square root. */
  readonly epsilon: number;
  /** Whether the moving variance is updated with the unbiased batch variance (PyTorch's convention). */
  readonly unbiasedVariance: boolean;
  /** The activation applied after the normalization. */
  readonly activation: ActivationName;
  /** present for leakyRelu and elu */
  readonly alpha?: number;
}

/** Options of {@link layerNorm}; every one is optional. */
export interface LayerNormOptions {
  /** Added to each row's variance before its square root. Default 1e-3 (Keras); PyTorch's is 1e-5. */
  epsilon?: number;
  /** Applied after the normalization. Default 'linear'. */
  activation?: ActivationName;
  /** leakyRelu's slope or elu's α (as for dense). */
  alpha?: number;
}

/** What {@link layerNorm} returns. */
export interface LayerNormLayer {
  /** Always `'layerNorm'`. */
  readonly type: 'layerNorm';
  /** Added to each row's variance before its square root. */
  readonly epsilon: number;
  /** The activation applied after the normalization. */
  readonly activation: ActivationName;
  /** present for leakyRelu and elu */
  readonly alpha?: number;
}

/**
 * Batch normalization (Ioffe & Szegedy): each feature z = γ·(x − μ)/√(σ² + ε) + β, then the
 * activation. While training (`fit`, `trainBatch`) μ and σ² are the batch's (σ² biased) and
 * the moving statistics are updated after each successful step; `predict`, `evaluate` and
 * `computeGradients` use the moving ones. γ (starts at 1) and β (at 0) are trained by the
 * optimizer; they take no L1/L2 penalty (AdamW's weight decay, which applies to every
 * parameter, does decay them, as PyTorch's AdamW does by default).
 *
 * @example
 * ```ts
 * import { batchNorm, dense } from 'wasmnet';
 *
 * // Keras: Dense(64) → BatchNormalization() → Activation('relu')
 * [dense(64), batchNorm({ activation: 'relu' })];
 * // PyTorch: Linear(…, 64) → BatchNorm1d(64) → ReLU()
 * [dense(64), batchNorm({ convention: 'pytorch', activation: 'relu' })];
 * ```
 */
export function batchNorm(options: BatchNormOptions = {}): BatchNormLayer {
  checkObject(options, 'batchNorm() options');
  const o = options as Record<string, unknown>;
  checkKeys(o, ['momentum', 'epsilon', 'unbiasedVariance', 'convention', 'activation', 'alpha'], 'batchNorm()');
  const convention = oneOf(o.convention ?? 'keras', 'batchNorm() convention', ['keras', 'pytorch'] as const);
  const torch = convention === 'pytorch';
  const { convention: _, ...rest } = o;
  return checkBatchNorm({ type: 'batchNorm', momentum: torch ? 0.9 : 0.99, epsilon: torch ? 1e-5 : 1e-3, unbiasedVariance: torch, ...rest }, 'batchNorm()');
}

/**
 * Layer normalization (Ba et al.): each row z = γ·(x − μ)/√(σ² + ε) + β with the row's own
 * mean and (biased) variance, in training and inference alike, then the activation. γ and β
 * are trained (no L1/L2 penalty).
 */
export function layerNorm(options: LayerNormOptions = {}): LayerNormLayer {
  checkObject(options, 'layerNorm() options');
  return checkLayerNorm({ type: 'layerNorm', epsilon: 1e-3, ...(options as Record<string, unknown>) }, 'layerNorm()');
}

function activationOf(o: Record<string, unknown>, where: string): { activation: ActivationName; alpha?: number } {
  const activation = oneOf(o.activation ?? 'linear', `${where} activation`, ACTIVATIONS);
  const alphaDefault = ALPHA_DEFAULTS[activation];
  if (o.alpha !== undefined && alphaDefault === undefined) throw new ConfigError(`${where} alpha only applies to activations "leakyRelu" and "elu", not "${activation}"`);
  if (alphaDefault === undefined) return { activation };
  const alpha = o.alpha ?? alphaDefault;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new ConfigError(`${where} alpha must be a finite number, got ${show(alpha)}`);
  return { activation, alpha };
}

export function checkBatchNorm(layer: Record<string, unknown>, where: string): BatchNormLayer {
  checkKeys(layer, ['type', 'momentum', 'epsilon', 'unbiasedVariance', 'activation', 'alpha'], where);
  const momentum = numberInRange(layer.momentum ?? 0.99, `${where} momentum`, 0, 1, true);
  const epsilon = positiveNumber(layer.epsilon ?? 1e-3, `${where} epsilon`);
  const unbiased = layer.unbiasedVariance ?? false;
  if (typeof unbiased !== 'boolean') throw new ConfigError(`${where} unbiasedVariance must be true or false, got ${show(unbiased)}`);
  return Object.freeze({ type: 'batchNorm', momentum, epsilon, unbiasedVariance: unbiased, ...activationOf(layer, where) });
}

export function checkLayerNorm(layer: Record<string, unknown>, where: string): LayerNormLayer {
  checkKeys(layer, ['type', 'epsilon', 'activation', 'alpha'], where);
  const epsilon = positiveNumber(layer.epsilon ?? 1e-3, `${where} epsilon`);
  return Object.freeze({ type: 'layerNorm', epsilon, ...activationOf(layer, where) });
}

/** A batch normalization layer in the arena: γ at w and β at b (parameter slab), the moving
 *  mean and variance at `stats` (mean starts at 0, variance at 1, as in Keras and PyTorch). */
export function placeBatchNorm(layer: BatchNormLayer, width: number, w: number, dw: number, stats: number): LayerSlots {
  return {
    kind: LAYER_BATCH_NORM, inputs: width, units: width, act: ACTIVATION_CODES[layer.activation], alpha: layer.alpha ?? 0, l1: 0, l2: 0, rate: 0,
    w, b: w + width, dw, db: dw + width, z: 0, a: 0, stats, aux: 0, epsilon: layer.epsilon, momentum: layer.momentum, unbiased: layer.unbiasedVariance ? 1 : 0,
  };
}

/** A layer normalization layer in the arena: γ at w, β at b. */
export function placeLayerNorm(layer: LayerNormLayer, width: number, w: number, dw: number): LayerSlots {
  return {
    kind: LAYER_LAYER_NORM, inputs: width, units: width, act: ACTIVATION_CODES[layer.activation], alpha: layer.alpha ?? 0, l1: 0, l2: 0, rate: 0,
    w, b: w + width, dw, db: dw + width, z: 0, a: 0, stats: 0, aux: 0, epsilon: layer.epsilon, momentum: 0, unbiased: 0,
  };
}
