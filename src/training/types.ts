// The public types of training: options, logs, history, callbacks and the control object
// every callback receives.
import type { Matrix, Sample } from '../data';

/** Metrics `fit` can compute besides the loss: `accuracy` (needs a classification loss), `mae`
 *  (mean absolute error) and `mse` (mean squared error), both over every output. */
export type MetricName = 'accuracy' | 'mae' | 'mse';

/** Keys of the per-epoch logs and of `History` that hold a metric: training values, and
 *  the same on the validation data with a `val` prefix. */
export type LogKey = 'loss' | 'accuracy' | 'mae' | 'mse' | 'valLoss' | 'valAccuracy' | 'valMae' | 'valMse';

/** Metrics of one epoch. Training values are measured on the training batches as they were
 *  trained (each batch before its update); `val…` values on the validation data after the
 *  epoch, in inference mode. */
export interface EpochLogs {
  /** Mean loss over the epoch's training samples. */
  loss: number;
  /** Fraction of training samples classified correctly (when the `accuracy` metric is on). */
  accuracy?: number;
  /** Mean absolute error over every output of the training samples (`mae` metric). */
  mae?: number;
  /** Mean squared error over every output of the training samples (`mse` metric). */
  mse?: number;
  /** Mean loss on the validation data. */
  valLoss?: number;
  /** Accuracy on the validation data. */
  valAccuracy?: number;
  /** Mean absolute error on the validation data. */
  valMae?: number;
  /** Mean squared error on the validation data. */
  valMse?: number;
  /** The learning rate this epoch trained with. */
  learningRate: number;
}

/** Metrics of one batch, measured on its forward pass (before its update). */
export interface BatchLogs {
  /** The batch's mean loss. */
  loss: number;
  /** Rows in the batch (the last batch of an epoch may be smaller). */
  size: number;
  /** Fraction of the batch classified correctly (`accuracy` metric). */
  accuracy?: number;
  /** Mean absolute error over the batch's outputs (`mae` metric). */
  mae?: number;
  /** Mean squared error over the batch's outputs (`mse` metric). */
  mse?: number;
}

/** Per-epoch record of a `fit` call: one entry per epoch in every array. */
export interface History {
  /** Number of epochs run (less than requested when training was stopped). */
  epochs: number;
  /** Mean training loss of each epoch. */
  loss: number[];
  /** With the `accuracy` metric (on by default for classification losses). */
  accuracy?: number[];
  /** With the `mae` metric. */
  mae?: number[];
  /** With the `mse` metric. */
  mse?: number[];
  /** With validation data. */
  valLoss?: number[];
  /** With validation data and the `accuracy` metric. */
  valAccuracy?: number[];
  /** With validation data and the `mae` metric. */
  valMae?: number[];
  /** With validation data and the `mse` metric. */
  valMse?: number[];
  /** The learning rate of each epoch. */
  learningRate: number[];
}

/** Returned by a callback: `false` (or a promise of it) stops training. */
export type CallbackResult = void | boolean | Promise<void | boolean>;

/** Handed to every callback: stop training, read the plan, read or set the learning rate,
 *  snapshot and restore the weights. One object per `fit` call. */
export interface TrainingControl {
  /** Ends training: after the current batch when called during a batch callback (the epoch
   *  is then completed from the batches trained so far: validated, logged, recorded), after
   *  the current epoch from `onEpochEnd`, before the epoch from `onEpochBegin`, before any
   *  epoch from `onTrainBegin`. May also be called from outside (e.g. a Stop button), taking
   *  effect at the next batch boundary. */
  stop(): void;
  /** true once `stop()` was called or a callback returned false. */
  readonly stopRequested: boolean;
  /** The learning rate the next update uses. Setting it (a finite number ≥ 0) takes effect
   *  from the next batch; `fit` puts back the rate it started with when it ends. */
  learningRate: number;
  /** The learning rate when this `fit` call began (the base of schedules). */
  readonly initialLearningRate: number;
  /** Epochs requested. */
  readonly epochs: number;
  /** The current 0-based epoch (-1 before the first). */
  readonly epoch: number;
  /** Training samples per epoch (after a validation split). */
  readonly samples: number;
  /** Samples per batch (capped at `samples`). */
  readonly batchSize: number;
  /** Batches per epoch. */
  readonly batchesPerEpoch: number;
  /** Validation samples (0 without validation). */
  readonly validationSamples: number;
  /** The metric keys every epoch's logs (and the history) will have, e.g.
   *  `['loss', 'accuracy', 'valLoss', 'valAccuracy']`. */
  readonly logKeys: readonly LogKey[];
  /** Why training ended, in `onTrainEnd`: the error `fit` is about to reject with (an abort
   *  reason, a DivergenceError, an error thrown by a callback); undefined when training
   *  completed or was stopped. */
  readonly error: unknown;
  /** A copy of every weight and bias, to put back later with `restoreWeights`. */
  snapshotWeights(): Float64Array;
  /** Puts back weights copied by `snapshotWeights` (of this network). */
  restoreWeights(snapshot: Float64Array): void;
}

/** An object of optional hooks; `fit` calls them in the order of `callbacks` (after the hooks
 *  given directly as options) and awaits those that return a promise. */
export interface Callback {
  /** Before anything is trained. Throwing here rejects `fit` and leaves the network
   *  unchanged (onTrainEnd is then not called). */
  onTrainBegin?(control: TrainingControl): void | Promise<void>;
  /** Before each epoch's first batch. */
  onEpochBegin?(epoch: number, control: TrainingControl): void | Promise<void>;
  /** After each batch's update; `batch` is 0-based within the epoch. Return false to stop. */
  onBatchEnd?(batch: number, logs: BatchLogs, control: TrainingControl): CallbackResult;
  /** After each epoch (and its validation); `epoch` is 0-based. Return false to stop. */
  onEpochEnd?(epoch: number, logs: EpochLogs, control: TrainingControl): CallbackResult;
  /** Once, when training ends for any reason (also before `fit` rejects: see
   *  `control.error`), with the history so far. */
  onTrainEnd?(history: History, control: TrainingControl): void | Promise<void>;
}

/** The learning rate for a 0-based epoch, from the rate `fit` started with and the number of
 *  epochs requested. */
export type LearningRateSchedule = (epoch: number, initialRate: number, epochs: number) => number;

/** Minimal AbortSignal shape (the DOM/Node `AbortSignal` fits). */
export interface AbortSignalLike {
  /** True once the signal has been aborted. */
  readonly aborted: boolean;
  /** What `fit` rejects with after an abort (a `DOMException` for `abort()` with no argument). */
  readonly reason?: unknown;
}

/**
 * Options of {@link Network.fit}: how long and in what batches to train, validation, metrics,
 * a learning-rate schedule, callbacks, and an abort signal. Every one is optional.
 *
 * @example
 * ```ts
 * import { cosineDecay, earlyStopping, type FitOptions } from 'wasmnet';
 *
 * const options: FitOptions = {
 *   epochs: 100,
 *   batchSize: 16,
 *   validationSplit: 0.2,
 *   learningRate: cosineDecay(),
 *   callbacks: [earlyStopping({ patience: 5, restoreBestWeights: true })],
 * };
 * ```
 */
export interface FitOptions {
  /** Passes over the data. Default 1. */
  epochs?: number;
  /** Samples per gradient step; the last batch of an epoch may be smaller. Default 32
   *  (capped at the number of samples). */
  batchSize?: number;
  /** Reshuffle the training samples (with the network's seeded generator) before each epoch.
   *  Default true. */
  shuffle?: boolean;
  /** Fraction in (0, 1) of the samples held out for validation: the LAST rows, taken before
   *  any shuffling (as Keras does). Not with `validationData`. */
  validationSplit?: number;
  /** Validation data: `[x, y]` (number[][] or row-major Float64Array) or brain.js-style
   *  samples `[{ input, output }]`. Not with `validationSplit`. */
  validationData?: readonly [Matrix, Matrix] | readonly Sample[];
  /** Metrics computed on the training batches and on the validation data each epoch.
   *  Default `['accuracy']` for classification losses, `[]` otherwise. */
  metrics?: readonly MetricName[];
  /** A constant learning rate or a schedule (`stepDecay`, `exponentialDecay`, `cosineDecay`
   *  or your own function) for this call; set before each epoch. */
  learningRate?: number | LearningRateSchedule;
  /** Callback objects such as `earlyStopping()`, `progressBar()`, `learningRateScheduler()`. */
  callbacks?: readonly Callback[];
  /** Before training (see `Callback.onTrainBegin`). */
  onTrainBegin?: Callback['onTrainBegin'];
  /** Before every epoch with its 0-based index. */
  onEpochBegin?: Callback['onEpochBegin'];
  /** After every batch; registering it costs a call and a logs object per batch. Return false to stop. */
  onBatchEnd?: Callback['onBatchEnd'];
  /** After every epoch with its 0-based index and logs; may return a promise, which is
   *  awaited. Return false to stop. */
  onEpochEnd?: Callback['onEpochEnd'];
  /** When training ends, with the history. */
  onTrainEnd?: Callback['onTrainEnd'];
  /** Aborting it stops training at the next batch boundary; `fit` then rejects with
   *  `signal.reason` and the network keeps the weights of the last completed batch. */
  signal?: AbortSignalLike;
  /** Yield to the event loop after an epoch once this many milliseconds of training have
   *  passed since the last yield, so UIs and progress bars can update. Default 16; 0 yields
   *  after every epoch; Infinity never yields. */
  yieldEvery?: number;
}
