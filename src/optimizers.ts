// Optimizer configuration with Keras's names and defaults. The update rules run over the
// whole parameter slab in one kernel call (assembly/optimizers.ts, src/backend/js.ts).
import { OPT_ADAGRAD, OPT_ADAM, OPT_RMSPROP, OPT_SGD } from './backend/codes';
import { ConfigError } from './errors';
import { checkKeys, nonNegativeNumber, numberInRange, oneOf, positiveNumber, show } from './validate';

export const OPTIMIZERS = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const;
/** An optimizer by name: `'sgd'`, `'adam'`, `'adamw'`, `'rmsprop'` or `'adagrad'` (with its default options). */
export type OptimizerName = (typeof OPTIMIZERS)[number];

interface Common {
  /** Step size, > 0. */
  learningRate?: number;
  /** Rescale the gradients so their global L2 norm is at most this (like Keras's
   *  `global_clipnorm`). Default: no clipping. */
  clipNorm?: number;
}
/** v = momentum·v − lr·g; θ += v (Nesterov: θ += momentum·v − lr·g). Default lr 0.01. */
export interface SgdConfig extends Common {
  /** Plain or momentum SGD. */
  type: 'sgd';
  /** In [0, 1). Default 0. */
  momentum?: number;
  /** Default false. */
  nesterov?: boolean;
}
/** Adam (Kingma & Ba) in Keras's form (ε added to √v, where torch.optim.Adam adds it to the
 *  bias-corrected √v̂), Keras defaults: lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7. */
export interface AdamConfig extends Common {
  /** Adam. */
  type: 'adam';
  /** Decay of the first-moment average m, in [0, 1). Default 0.9. */
  beta1?: number;
  /** Decay of the second-moment average v, in [0, 1). Default 0.999. */
  beta2?: number;
  /** Added to √v in the denominator, > 0. Default 1e-7. */
  epsilon?: number;
}
/** Adam with decoupled weight decay (θ −= lr·weightDecay·θ each step, on every parameter,
 *  biases included, as torch.optim.AdamW and Keras's AdamW by default). Default weightDecay 0.004. */
export interface AdamWConfig extends Common {
  /** Adam with decoupled weight decay. */
  type: 'adamw';
  /** As Adam's: decay of m. Default 0.9. */
  beta1?: number;
  /** As Adam's: decay of v. Default 0.999. */
  beta2?: number;
  /** As Adam's. Default 1e-7. */
  epsilon?: number;
  /** Each step first shrinks every weight and bias θ by lr·weightDecay·θ; in [0, 1]. Default 0.004. */
  weightDecay?: number;
}
/** RMSprop with PyTorch's ε placement, lr·g/(√s + ε) (Keras 3: lr·g/√(s + ε)), and Keras's
 *  momentum form and defaults: lr 0.001, rho 0.9, momentum 0, epsilon 1e-7. */
export interface RmspropConfig extends Common {
  /** RMSprop. */
  type: 'rmsprop';
  /** Decay of the squared-gradient average s, in [0, 1). Default 0.9. */
  rho?: number;
  /** Momentum applied to the scaled step, in [0, 1). Default 0. */
  momentum?: number;
  /** Added to √s in the denominator, > 0. Default 1e-7. */
  epsilon?: number;
}
/** Adagrad with PyTorch's ε placement, lr·g/(√s + ε) (Keras 3: lr·g/√(s + ε)), and Keras's
 *  defaults: lr 0.001, initialAccumulatorValue 0.1, epsilon 1e-7. */
export interface AdagradConfig extends Common {
  /** Adagrad. */
  type: 'adagrad';
  /** Starting value of each squared-gradient sum s, ≥ 0. Default 0.1. */
  initialAccumulatorValue?: number;
  /** Added to √s in the denominator, > 0. Default 1e-7. */
  epsilon?: number;
}

/**
 * An optimizer: a name with the default options, or an object with `type` and options.
 *
 * @example
 * ```ts
 * import type { OptimizerConfig } from 'wasmnet';
 *
 * const a: OptimizerConfig = 'adam';
 * const b: OptimizerConfig = { type: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: true };
 * const c: OptimizerConfig = { type: 'adamw', learningRate: 0.001, weightDecay: 0.01, clipNorm: 1 };
 * ```
 */
export type OptimizerConfig = SgdConfig | AdamConfig | AdamWConfig | RmspropConfig | AdagradConfig | OptimizerName;

/** Every hyperparameter, filled in (what toJSON saves). */
export interface ResolvedOptimizer {
  type: OptimizerName;
  learningRate: number;
  momentum: number;
  nesterov: boolean;
  beta1: number;
  beta2: number;
  epsilon: number;
  rho: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  /** 0: no clipping */
  clipNorm: number;
}

export const OPTIMIZER_CODES: Record<OptimizerName, number> = {
  sgd: OPT_SGD,
  adam: OPT_ADAM,
  adamw: OPT_ADAM,
  rmsprop: OPT_RMSPROP,
  adagrad: OPT_ADAGRAD,
};

const KEYS: Record<OptimizerName, readonly string[]> = {
  sgd: ['learningRate', 'momentum', 'nesterov'],
  adam: ['learningRate', 'beta1', 'beta2', 'epsilon'],
  adamw: ['learningRate', 'beta1', 'beta2', 'epsilon', 'weightDecay'],
  rmsprop: ['learningRate', 'rho', 'momentum', 'epsilon'],
  adagrad: ['learningRate', 'initialAccumulatorValue', 'epsilon'],
};

export function resolveOptimizer(config: unknown): ResolvedOptimizer {
  if (config === undefined) config = 'sgd';
  if (typeof config === 'string') config = { type: config };
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ConfigError(`optimizer must be an object such as { type: 'adam', learningRate: 0.001 } or a name, got ${show(config)}`);
  }
  const c = config as Record<string, unknown>;
  const type = oneOf(c.type, 'optimizer.type', OPTIMIZERS);
  checkKeys(c, ['type', 'clipNorm', ...KEYS[type]], `optimizer (${type})`);
  const unitInterval = (name: string, fallback: number): number => numberInRange(c[name] ?? fallback, `optimizer.${name}`, 0, 1, false);
  if (c.nesterov !== undefined && typeof c.nesterov !== 'boolean') {
    throw new ConfigError(`optimizer.nesterov must be true or false, got ${show(c.nesterov)}`);
  }
  const adamLike = type === 'adam' || type === 'adamw';
  return {
    type,
    // ≥ 0 like every other learning rate (fit's option, schedules, control.learningRate), so a
    // network whose rate a callback set to 0 saves and loads.
    learningRate: nonNegativeNumber(c.learningRate ?? (type === 'sgd' ? 0.01 : 0.001), 'optimizer.learningRate'),
    momentum: type === 'sgd' || type === 'rmsprop' ? unitInterval('momentum', 0) : 0,
    nesterov: type === 'sgd' ? ((c.nesterov as boolean | undefined) ?? false) : false,
    beta1: adamLike ? unitInterval('beta1', 0.9) : 0,
    beta2: adamLike ? unitInterval('beta2', 0.999) : 0,
    epsilon: type === 'sgd' ? 0 : positiveNumber(c.epsilon ?? 1e-7, 'optimizer.epsilon'),
    rho: type === 'rmsprop' ? unitInterval('rho', 0.9) : 0,
    weightDecay: type === 'adamw' ? numberInRange(c.weightDecay ?? 0.004, 'optimizer.weightDecay', 0, 1, true) : 0,
    initialAccumulatorValue:
      type === 'adagrad' ? nonNegativeNumber(c.initialAccumulatorValue ?? 0.1, 'optimizer.initialAccumulatorValue') : 0,
    clipNorm: c.clipNorm === undefined ? 0 : positiveNumber(c.clipNorm, 'optimizer.clipNorm'),
  };
}

/** The smallest config that resolves to `o` again (what a saved model stores). */
export function optimizerConfigOf(o: ResolvedOptimizer): Record<string, unknown> {
  const config: Record<string, unknown> = { type: o.type };
  for (const key of KEYS[o.type]) config[key] = o[key as keyof ResolvedOptimizer];
  if (o.clipNorm > 0) config.clipNorm = o.clipNorm;
  return config;
}
