// Learning-rate schedules: functions of the epoch, for `fit({ learningRate: schedule })` or
// `callbacks: [learningRateScheduler(schedule)]`. The rate is set before each epoch.
import { ConfigError } from '../errors';
import { checkKeys, checkObject, positiveInteger, show } from '../validate';
import type { Callback, LearningRateSchedule } from './types';

/** Options of {@link stepDecay}. */
export interface StepDecayOptions {
  /** Epochs between drops. Required. */
  every: number;
  /** Multiplier applied at each drop, in (0, 1]. Default 0.5. */
  factor?: number;
}

/** `initial · factor^⌊epoch / every⌋`: the rate drops by `factor` every `every` epochs. */
export function stepDecay(options: StepDecayOptions): LearningRateSchedule {
  checkObject(options, 'stepDecay options');
  checkKeys(options, ['every', 'factor'], 'stepDecay options');
  const every = positiveInteger(options.every, 'stepDecay options.every');
  const factor = fraction(options.factor ?? 0.5, 'stepDecay options.factor');
  return (epoch, initial) => initial * factor ** Math.floor(epoch / every);
}

/** Options of {@link exponentialDecay}. */
export interface ExponentialDecayOptions {
  /** Multiplier per `every` epochs, in (0, 1]. Required. */
  rate: number;
  /** Epochs over which the rate is multiplied by `rate` (smoothly in between). Default 1. */
  every?: number;
}

/** `initial · rate^(epoch / every)`: a smooth exponential decay. */
export function exponentialDecay(options: ExponentialDecayOptions): LearningRateSchedule {
  checkObject(options, 'exponentialDecay options');
  checkKeys(options, ['rate', 'every'], 'exponentialDecay options');
  const rate = fraction(options.rate, 'exponentialDecay options.rate');
  const every = positiveInteger(options.every ?? 1, 'exponentialDecay options.every');
  return (epoch, initial) => initial * rate ** (epoch / every);
}

/** Options of {@link cosineDecay}; every one is optional. */
export interface CosineDecayOptions {
  /** Epochs of the half cosine; afterwards the rate stays at `minLearningRate`. Default: the
   *  number of epochs passed to `fit`. */
  epochs?: number;
  /** The rate the curve ends at. Default 0. */
  minLearningRate?: number;
}

/**
 * `min + (initial − min) · (1 + cos(π · min(epoch, epochs) / epochs)) / 2`: from the initial
 * rate at epoch 0 down to `minLearningRate` along half a cosine.
 *
 * @example
 * ```ts
 * import { Network, cosineDecay, dense } from 'wasmnet';
 *
 * const net = new Network({ inputSize: 1, layers: [dense(1)], loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.1 }, seed: 1 });
 * const history = await net.fit([[0], [1]], [[1], [3]], { epochs: 10, learningRate: cosineDecay({ minLearningRate: 0.01 }) });
 * history.learningRate; // [0.1, 0.097…, …, 0.012…]: one rate per epoch
 * ```
 */
export function cosineDecay(options: CosineDecayOptions = {}): LearningRateSchedule {
  checkObject(options, 'cosineDecay options');
  checkKeys(options, ['epochs', 'minLearningRate'], 'cosineDecay options');
  const span = options.epochs === undefined ? undefined : positiveInteger(options.epochs, 'cosineDecay options.epochs');
  const min = options.minLearningRate ?? 0;
  if (typeof min !== 'number' || !Number.isFinite(min) || min < 0) {
    throw new ConfigError(`cosineDecay options.minLearningRate must be a finite number ≥ 0, got ${show(min)}`);
  }
  return (epoch, initial, epochs) => {
    const total = span ?? epochs;
    return min + ((initial - min) * (1 + Math.cos((Math.PI * Math.min(epoch, total)) / total))) / 2;
  };
}

/** A callback that sets the learning rate to `schedule(epoch, initialRate, epochs)` before each
 *  epoch (the same as the `learningRate` fit option, for use in a `callbacks` list). */
export function learningRateScheduler(schedule: LearningRateSchedule): Callback {
  if (typeof schedule !== 'function') {
    throw new ConfigError(`learningRateScheduler expects a function (epoch, initialRate, epochs) => rate, got ${show(schedule)}`);
  }
  return {
    onEpochBegin(epoch, control) {
      control.learningRate = schedule(epoch, control.initialLearningRate, control.epochs);
    },
  };
}

function fraction(value: unknown, name: string): number {
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw new ConfigError(`${name} must be a number in (0, 1], got ${show(value)}`);
  }
  return value;
}
