// A fully connected layer: Z = X·W + b, A = f(Z), with W [in×out] and b [out] row-major.
// This file describes the layer (options, checks, its place in the arena). Its forward and
// backward passes are kernels, side by side in each backend: `denseForward`/`denseBackward` in
// assembly/dense.ts (wasm) and in src/backend/js.ts (JavaScript), called by the fused step.
import { ACTIVATIONS, ACTIVATION_CODES, ALPHA_DEFAULTS, type ActivationName } from '../activations';
import { LAYER_DENSE } from '../backend/codes';
import { ConfigError } from '../errors';
import { resolveInitializer, type InitializerConfig, type ResolvedInitializer } from '../initializers';
import { checkKeys, checkObject, nonNegativeNumber, oneOf, positiveInteger, show } from '../validate';

/** Options of {@link dense}; every one is optional. */
export interface DenseOptions {
  /** Default 'linear'. */
  activation?: ActivationName;
  /** leakyRelu's slope for z < 0 (default 0.01) or elu's α (default 1). */
  alpha?: number;
  /** How W starts. Default: glorotUniform, or heUniform for relu/leakyRelu/elu, lecunNormal for selu. */
  kernelInitializer?: InitializerConfig;
  /** How b starts. Default 'zeros'. */
  biasInitializer?: InitializerConfig;
  /** Weight penalty added to the loss: l1·Σ|W| + l2·ΣW² (biases are not penalised). */
  kernelRegularizer?: {
    /** Weight of the L1 penalty l1·Σ|W|, ≥ 0. Default 0. */
    l1?: number;
    /** Weight of the L2 penalty l2·ΣW², ≥ 0. Default 0. */
    l2?: number;
  };
}

/** What `dense()` returns: a description of the layer, turned into buffers by a Network. */
export interface DenseLayer {
  /** Always `'dense'`. */
  readonly type: 'dense';
  /** Number of outputs of the layer. */
  readonly units: number;
  /** The activation applied to Z = X·W + b. */
  readonly activation: ActivationName;
  /** present for leakyRelu and elu */
  readonly alpha?: number;
  /** How W starts (`{ type: name }` or `{ type: 'constant', value }`); filled in with the default by a Network when absent. */
  readonly kernelInitializer?: ResolvedInitializer;
  /** How b starts; `zeros` when absent. */
  readonly biasInitializer?: ResolvedInitializer;
  /** The weight penalty, when one was asked for. */
  readonly kernelRegularizer?: {
    /** Weight of the L1 penalty. */
    readonly l1: number;
    /** Weight of the L2 penalty. */
    readonly l2: number;
  };
}

const OPTION_KEYS = ['activation', 'alpha', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer'] as const;

/**
 * A fully connected layer with `units` outputs: Z = X·W + b, A = activation(Z). Checks its
 * options at once (a `ConfigError` names a bad one).
 *
 * @example
 * ```ts
 * import { dense } from 'wasmnet';
 *
 * dense(32, { activation: 'relu', kernelRegularizer: { l2: 1e-4 } });
 * dense(3, { activation: 'softmax', kernelInitializer: 'glorotNormal' });
 * ```
 */
export function dense(units: number, options: DenseOptions = {}): DenseLayer {
  checkObject(options, 'dense() options');
  return resolveDense(units, options, 'dense()');
}

/** Checks a dense layer's fields (from dense() or a hand-written or saved object). */
export function resolveDense(units: unknown, options: Record<string, unknown> | DenseOptions, where: string): DenseLayer {
  positiveInteger(units, `${where} units`);
  checkKeys(options, OPTION_KEYS, where);
  const o = options as Record<string, unknown>;
  const activation = oneOf(o.activation ?? 'linear', `${where} activation`, ACTIVATIONS);
  const layer: { -readonly [K in keyof DenseLayer]: DenseLayer[K] } = { type: 'dense', units: units as number, activation };
  const alphaDefault = ALPHA_DEFAULTS[activation];
  if (o.alpha !== undefined && alphaDefault === undefined) {
    throw new ConfigError(`${where} alpha only applies to activations "leakyRelu" and "elu", not "${activation}"`);
  }
  if (alphaDefault !== undefined) {
    const alpha = o.alpha ?? alphaDefault;
    if (typeof alpha !== 'number' || !Number.isFinite(alpha)) {
      throw new ConfigError(`${where} alpha must be a finite number, got ${show(alpha)}`);
    }
    layer.alpha = alpha;
  }
  if (o.kernelInitializer !== undefined) layer.kernelInitializer = Object.freeze(resolveInitializer(o.kernelInitializer, `${where} kernelInitializer`));
  if (o.biasInitializer !== undefined) layer.biasInitializer = Object.freeze(resolveInitializer(o.biasInitializer, `${where} biasInitializer`));
  if (o.kernelRegularizer !== undefined) {
    checkObject(o.kernelRegularizer, `${where} kernelRegularizer`);
    const r = o.kernelRegularizer as Record<string, unknown>;
    checkKeys(r, ['l1', 'l2'], `${where} kernelRegularizer`);
    layer.kernelRegularizer = Object.freeze({
      l1: nonNegativeNumber(r.l1 ?? 0, `${where} kernelRegularizer.l1`),
      l2: nonNegativeNumber(r.l2 ?? 0, `${where} kernelRegularizer.l2`),
    });
  }
  return Object.freeze(layer);
}

/** A layer placed in a network's arena (all fields are f64 offsets, sizes or codes). */
export interface LayerSlots {
  /** LAYER_DENSE, LAYER_DROPOUT, LAYER_NORMALIZATION, LAYER_BATCH_NORM or LAYER_LAYER_NORM */
  kind: number;
  inputs: number;
  units: number;
  act: number;
  alpha: number;
  l1: number;
  l2: number;
  /** dropout rate */
  rate: number;
  /** parameters and their gradients */
  w: number;
  b: number;
  dw: number;
  db: number;
  /** per-batch buffers, [capacity×units]: pre-activation (dropout: its mask) and output */
  z: number;
  a: number;
  /** the layer's part of the statistics slab (0: none) */
  stats: number;
  /** batch and layer norm: their per-batch statistics (a batch buffer), ε, and batch norm's
   *  momentum and unbiased-variance flag (1 or 0) */
  aux: number;
  epsilon: number;
  momentum: number;
  unbiased: number;
}

export function placeDense(layer: DenseLayer, inputs: number, w: number, dw: number): LayerSlots {
  const b = w + inputs * layer.units;
  return {
    kind: LAYER_DENSE,
    inputs,
    units: layer.units,
    act: ACTIVATION_CODES[layer.activation],
    alpha: layer.alpha ?? 0,
    l1: layer.kernelRegularizer?.l1 ?? 0,
    l2: layer.kernelRegularizer?.l2 ?? 0,
    rate: 0,
    w,
    b,
    dw,
    db: dw + (b - w),
    z: 0,
    a: 0,
    stats: 0,
    aux: 0,
    epsilon: 0,
    momentum: 0,
    unbiased: 0,
  };
}
