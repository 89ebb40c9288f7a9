// A fully connected layer: Z = X·W + b, A = f(Z), with W [in×out] and b [out] row-major.
// Forward and backward side by side; both only call kernels on arena offsets.
import { ACTIVATIONS, ACTIVATION_CODES, DEFAULT_LEAKY_ALPHA, type ActivationName } from '../activations';
import type { Kernels } from '../backend/kernels';
import { ConfigError } from '../errors';
import { checkKeys, checkObject, oneOf, positiveInteger, show } from '../validate';

export interface DenseOptions {
  /** Default 'linear'. */
  activation?: ActivationName;
  /** Slope for z < 0 when activation is 'leakyRelu'. Default 0.01. */
  alpha?: number;
}

/** What `dense()` returns: a description of the layer, turned into buffers by a Network. */
export interface DenseLayer {
  readonly type: 'dense';
  readonly units: number;
  readonly activation: ActivationName;
  readonly alpha: number;
}

/** A fully connected layer with `units` outputs. */
export function dense(units: number, options: DenseOptions = {}): DenseLayer {
  positiveInteger(units, 'dense(units): units');
  checkObject(options, 'dense() options');
  checkKeys(options, ['activation', 'alpha'], 'dense()');
  const activation = oneOf(options.activation ?? 'linear', 'dense() activation', ACTIVATIONS);
  const alpha = options.alpha ?? DEFAULT_LEAKY_ALPHA;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) {
    throw new ConfigError(`dense() alpha must be a finite number, got ${show(alpha)}`);
  }
  if (options.alpha !== undefined && activation !== 'leakyRelu') {
    throw new ConfigError(`dense() alpha only applies to activation "leakyRelu", not "${activation}"`);
  }
  return Object.freeze({ type: 'dense', units, activation, alpha });
}

/** Re-checks a layer given to a Network (it may be a hand-written object rather than the
 *  result of dense()); returns a clean, frozen copy. */
export function checkLayer(layer: unknown, index: number): DenseLayer {
  if (typeof layer !== 'object' || layer === null || (layer as { type?: unknown }).type !== 'dense') {
    throw new ConfigError(`layers[${index}] must be a layer made by dense(units, options), got ${show(layer)}`);
  }
  const { type: _type, units, activation, alpha, ...rest } = layer as DenseLayer;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new ConfigError(`layers[${index}]: unknown field "${extra[0]}"`);
  positiveInteger(units, `layers[${index}].units`);
  const checkedActivation = oneOf(activation ?? 'linear', `layers[${index}].activation`, ACTIVATIONS);
  const checkedAlpha = alpha ?? DEFAULT_LEAKY_ALPHA;
  if (typeof checkedAlpha !== 'number' || !Number.isFinite(checkedAlpha)) {
    throw new ConfigError(`layers[${index}].alpha must be a finite number, got ${show(alpha)}`);
  }
  return Object.freeze({ type: 'dense', units, activation: checkedActivation, alpha: checkedAlpha });
}

/** A dense layer placed in a network's arena (all fields are f64 offsets or sizes). */
export interface DenseSlots {
  inputs: number;
  units: number;
  act: number;
  alpha: number;
  /** parameters and their gradients */
  w: number;
  b: number;
  dw: number;
  db: number;
  /** per-batch buffers, [capacity×units] */
  z: number;
  a: number;
}

export function placeDense(layer: DenseLayer, inputs: number, w: number, dw: number): DenseSlots {
  const b = w + inputs * layer.units;
  return {
    inputs,
    units: layer.units,
    act: ACTIVATION_CODES[layer.activation],
    alpha: layer.alpha,
    w,
    b,
    dw,
    db: dw + (b - w),
    z: 0,
    a: 0,
  };
}

/** Z = X·W + b; A = f(Z). x is [rows×inputs], w [inputs×units], z and a [rows×units]
 *  (offsets into the arena); `scratch` is the matrix products' workspace. */
export function denseForward(k: Kernels, x: number, w: number, b: number, z: number, a: number, rows: number, inputs: number, units: number, act: number, alpha: number, scratch: number): void {
  k.matmul(x, w, z, rows, inputs, units, false, scratch);
  k.addBias(z, b, rows, units);
  k.activate(act, z, a, rows, units, alpha);
}

/** Given dZ = ∂L/∂Z [rows×units]: dW = Xᵀ·dZ, db = Σ_rows dZ and, when dX ≥ 0,
 *  dX = dZ·Wᵀ [rows×inputs]. */
export function denseBackward(k: Kernels, x: number, w: number, dZ: number, dW: number, db: number, dX: number, rows: number, inputs: number, units: number, scratch: number): void {
  k.matmulTransA(x, dZ, dW, inputs, rows, units, false, scratch);
  k.columnSums(dZ, db, rows, units, false);
  if (dX >= 0) k.matmulTransB(dZ, w, dX, rows, units, inputs, false, scratch);
}
