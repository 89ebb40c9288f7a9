// Built-in callbacks: early stopping (with best-weight restoration).
import { ConfigError } from '../errors';
import { checkKeys, checkObject, nonNegativeInteger, oneOf, show } from '../validate';
import type { Callback, EpochLogs, History, LogKey, TrainingControl } from './types';

const LOG_KEYS: readonly LogKey[] = ['loss', 'accuracy', 'mae', 'mse', 'valLoss', 'valAccuracy', 'valMae', 'valMse'];

/** Options of {@link earlyStopping}; every one is optional. */
export interface EarlyStoppingOptions {
  /** The log key watched. Default 'valLoss', or 'loss' when the fit has no validation data
   *  (only when left at the default: an explicit 'valLoss' without validation is refused). */
  monitor?: LogKey;
  /** Epochs in a row without improvement after which training stops (0 and 1 both stop at
   *  the first epoch that does not improve). Default 0. */
  patience?: number;
  /** The least change that counts as an improvement. Default 0. */
  minDelta?: number;
  /** 'min' (lower is better), 'max', or 'auto': 'max' for accuracies, 'min' otherwise. Default 'auto'. */
  mode?: 'min' | 'max' | 'auto';
  /** When training ends (stopped or not, but not when fit fails), put back the weights of the
   *  best epoch. Default false. */
  restoreBestWeights?: boolean;
}

/** The callback `earlyStopping()` returns; its fields describe the last fit it watched. */
export interface EarlyStopping extends Callback {
  /** The key watched in the last fit (after the valLoss → loss fallback). */
  readonly monitor: LogKey;
  /** 0-based epoch with the best value (-1 before the first epoch). */
  readonly bestEpoch: number;
  /** The best value seen. */
  readonly best: number;
  /** 0-based epoch after which it stopped training, or -1 if it did not. */
  readonly stoppedEpoch: number;
}

/**
 * Stops training when the monitored metric has stopped improving; optionally restores the
 * best epoch's weights (bit for bit) when training ends.
 *
 * @example
 * ```ts
 * import { Network, dense, earlyStopping } from 'wasmnet';
 *
 * const x = Array.from({ length: 100 }, (_, i) => [i / 100]);
 * const y = x.map(([v]) => [Math.sin(6 * v)]);
 * const net = new Network({ inputSize: 1, layers: [dense(16, { activation: 'tanh' }), dense(1)], loss: 'mse', optimizer: 'adam', seed: 1 });
 * const stopper = earlyStopping({ patience: 5, restoreBestWeights: true }); // watches valLoss
 * await net.fit(x, y, { epochs: 200, validationSplit: 0.2, callbacks: [stopper] });
 * console.log(stopper.bestEpoch, stopper.best, stopper.stoppedEpoch);
 * ```
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): EarlyStopping {
  checkObject(options, 'earlyStopping options');
  checkKeys(options, ['monitor', 'patience', 'minDelta', 'mode', 'restoreBestWeights'], 'earlyStopping options');
  const monitor = options.monitor === undefined ? undefined : oneOf(options.monitor, 'earlyStopping options.monitor', LOG_KEYS);
  const patience = nonNegativeInteger(options.patience ?? 0, 'earlyStopping options.patience');
  const minDelta = options.minDelta ?? 0;
  if (typeof minDelta !== 'number' || !Number.isFinite(minDelta) || minDelta < 0) {
    throw new ConfigError(`earlyStopping options.minDelta must be a finite number ≥ 0, got ${show(minDelta)}`);
  }
  const mode = oneOf(options.mode ?? 'auto', 'earlyStopping options.mode', ['min', 'max', 'auto'] as const);
  const restore = options.restoreBestWeights ?? false;
  if (typeof restore !== 'boolean') {
    throw new ConfigError(`earlyStopping options.restoreBestWeights must be true or false, got ${show(restore)}`);
  }
  return new EarlyStoppingCallback(monitor, patience, minDelta, mode, restore);
}

class EarlyStoppingCallback implements EarlyStopping {
  monitor: LogKey = 'loss';
  bestEpoch = -1;
  best = NaN;
  stoppedEpoch = -1;
  private wait = 0;
  private higherIsBetter = false;
  private bestWeights: Float64Array | null = null;

  constructor(
    private readonly requested: LogKey | undefined,
    private readonly patience: number,
    private readonly minDelta: number,
    private readonly mode: 'min' | 'max' | 'auto',
    private readonly restore: boolean,
  ) {}

  onTrainBegin(control: TrainingControl): void {
    const available = control.logKeys;
    const monitor = this.requested ?? (available.includes('valLoss') ? 'valLoss' : 'loss');
    if (!available.includes(monitor)) {
      const why = monitor.startsWith('val') && !available.includes('valLoss') ? 'validation data (validationSplit or validationData)' : '';
      const metric = monitor === 'accuracy' || monitor === 'valAccuracy' ? 'the accuracy metric' : monitor === 'mae' || monitor === 'valMae' ? 'the mae metric' : monitor === 'mse' || monitor === 'valMse' ? 'the mse metric' : '';
      const needs = [why, metric].filter(Boolean).join(' and ');
      throw new ConfigError(
        `earlyStopping: monitor "${monitor}" is not available in this fit (its logs have ${available.map((k) => `"${k}"`).join(', ')})${needs ? `; it needs ${needs}` : ''}`,
      );
    }
    this.monitor = monitor;
    this.higherIsBetter = this.mode === 'max' || (this.mode === 'auto' && (monitor === 'accuracy' || monitor === 'valAccuracy'));
    this.best = this.higherIsBetter ? -Infinity : Infinity;
    this.bestEpoch = -1;
    this.stoppedEpoch = -1;
    this.wait = 0;
    this.bestWeights = null;
  }

  onEpochEnd(epoch: number, logs: EpochLogs, control: TrainingControl): boolean {
    const current = logs[this.monitor]!;
    const improved = this.higherIsBetter ? current > this.best + this.minDelta : current < this.best - this.minDelta;
    if (improved) {
      this.best = current;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restore) this.bestWeights = control.snapshotWeights();
      return true;
    }
    this.wait++;
    if (this.wait >= Math.max(1, this.patience)) {
      this.stoppedEpoch = epoch;
      return false;
    }
    return true;
  }

  onTrainEnd(_history: History, control: TrainingControl): void {
    if (this.bestWeights !== null && control.error === undefined) control.restoreWeights(this.bestWeights);
    this.bestWeights = null;
  }
}
