// The training loop: epochs of shuffled mini-batches, validation, metrics, callbacks with a
// control object (stop, learning rate, weight snapshots), learning-rate schedules, an abort
// signal, and cooperative yielding so that progress can render while training runs.
// The per-batch path allocates nothing unless a batch callback is registered.
import { fromSamples, isSampleList, toRows, type Rows, type Sample } from '../data';
import { EPOCH_LOG_SIZE, INFERENCE_CHUNK, type Engine } from '../engine';
import { ConfigError, DataError, ShapeError } from '../errors';
import { isClassification } from '../losses';
import { checkKeys, checkObject, positiveInteger, show } from '../validate';
import type {
  AbortSignalLike, BatchLogs, Callback, EpochLogs, FitOptions, History, LearningRateSchedule, LogKey, MetricName, TrainingControl,
} from './types';

export type {
  AbortSignalLike, BatchLogs, Callback, CallbackResult, EpochLogs, FitOptions, History, LearningRateSchedule, LogKey, MetricName,
  TrainingControl,
} from './types';

const FIT_KEYS = [
  'epochs', 'batchSize', 'shuffle', 'onEpochEnd', 'yieldEvery', 'validationSplit', 'validationData', 'metrics', 'callbacks',
  'learningRate', 'signal', 'onTrainBegin', 'onEpochBegin', 'onBatchEnd', 'onTrainEnd',
] as const;
const HOOKS = ['onTrainBegin', 'onEpochBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'] as const;
export const METRICS: readonly MetricName[] = ['accuracy', 'mae', 'mse'];

/** The checked options (data-dependent checks happen in `fit`, still before any training). */
export interface FitSettings {
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  validationSplit: number | undefined;
  validationData: FitOptions['validationData'];
  metrics: readonly MetricName[] | undefined;
  learningRate: number | LearningRateSchedule | undefined;
  /** option hooks first (as one callback object), then `callbacks` in order */
  callbacks: Callback[];
  signal: AbortSignalLike | null;
  yieldEvery: number;
}

/** Checks every option (before the data, before touching the network) and fills defaults. */
export function resolveFitOptions(options: FitOptions): FitSettings {
  checkObject(options, 'fit options');
  checkKeys(options, FIT_KEYS, 'fit options');
  const epochs = positiveInteger(options.epochs ?? 1, 'fit options.epochs');
  const batchSize = positiveInteger(options.batchSize ?? 32, 'fit options.batchSize');
  const shuffle = options.shuffle ?? true;
  if (typeof shuffle !== 'boolean') throw new ConfigError(`fit options.shuffle must be true or false, got ${show(shuffle)}`);

  const split = options.validationSplit;
  if (split !== undefined && (typeof split !== 'number' || !(split > 0 && split < 1))) {
    throw new ConfigError(`fit options.validationSplit must be a fraction strictly between 0 and 1 (the share of rows held out), got ${show(split)}`);
  }
  const validationData: unknown = options.validationData;
  if (validationData !== undefined) {
    if (split !== undefined) throw new ConfigError('fit options: give validationSplit or validationData, not both');
    if (!Array.isArray(validationData) || (!isSampleList(validationData) && (validationData as unknown[]).length !== 2)) {
      throw new ConfigError(
        `fit options.validationData must be [x, y] or a list of { input, output } samples, got ${show(validationData)}`,
      );
    }
  }

  let metrics: MetricName[] | undefined;
  if (options.metrics !== undefined) {
    if (!Array.isArray(options.metrics)) {
      throw new ConfigError(`fit options.metrics must be an array such as ['accuracy', 'mae'], got ${show(options.metrics)}`);
    }
    metrics = [];
    for (const m of options.metrics as unknown[]) {
      if (typeof m !== 'string' || !(METRICS as readonly string[]).includes(m)) {
        throw new ConfigError(`fit options.metrics: unknown metric ${show(m)}; expected one of ${METRICS.map((k) => `"${k}"`).join(', ')}`);
      }
      if (!metrics.includes(m as MetricName)) metrics.push(m as MetricName);
    }
  }

  const learningRate = options.learningRate as FitOptions['learningRate'];
  if (learningRate !== undefined && typeof learningRate !== 'function') {
    checkRate(learningRate, 'fit options.learningRate (a number or a schedule function)');
  }

  const callbacks: Callback[] = [];
  const own: Record<string, unknown> = {};
  for (const hook of HOOKS) {
    const fn = options[hook];
    if (fn === undefined) continue;
    if (typeof fn !== 'function') throw new ConfigError(`fit options.${hook} must be a function, got ${show(fn)}`);
    own[hook] = fn;
  }
  if (Object.keys(own).length > 0) callbacks.push(own as Callback);
  if (options.callbacks !== undefined) {
    if (!Array.isArray(options.callbacks)) {
      throw new ConfigError(`fit options.callbacks must be an array of callback objects (e.g. [earlyStopping()]), got ${show(options.callbacks)}`);
    }
    options.callbacks.forEach((cb: unknown, i) => {
      if (typeof cb !== 'object' || cb === null) {
        throw new ConfigError(`fit options.callbacks[${i}] must be an object with hooks such as onEpochEnd, got ${show(cb)}`);
      }
      for (const hook of HOOKS) {
        const fn = (cb as Record<string, unknown>)[hook];
        if (fn !== undefined && typeof fn !== 'function') {
          throw new ConfigError(`fit options.callbacks[${i}].${hook} must be a function, got ${show(fn)}`);
        }
      }
      callbacks.push(cb as Callback);
    });
  }

  const signal = (options.signal ?? null) as AbortSignalLike | null;
  if (signal !== null && (typeof signal !== 'object' || typeof (signal as AbortSignalLike).aborted !== 'boolean')) {
    throw new ConfigError(`fit options.signal must be an AbortSignal, got ${show(signal)}`);
  }
  const yieldEvery = options.yieldEvery ?? 16;
  if (typeof yieldEvery !== 'number' || Number.isNaN(yieldEvery) || yieldEvery < 0) {
    throw new ConfigError(`fit options.yieldEvery must be a number of milliseconds ≥ 0, got ${show(yieldEvery)}`);
  }
  return {
    epochs,
    batchSize,
    shuffle,
    validationSplit: split,
    validationData: validationData as FitOptions['validationData'],
    metrics,
    learningRate,
    callbacks,
    signal,
    yieldEvery,
  };
}

/** A learning rate must be a finite number ≥ 0. */
export function checkRate(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(`${name} must be a finite learning rate ≥ 0, got ${show(value)}`);
  }
  return value;
}

/** What the loop shares with the control object. */
export interface LoopState {
  stop: boolean;
  epoch: number;
  error: unknown;
}

export class Control implements TrainingControl {
  readonly initialLearningRate: number;
  /** fitDataset: the batches of the first epoch, once it has ended (NaN before). */
  batches: number | undefined;
  constructor(
    private readonly engine: Engine,
    private readonly state: LoopState,
    readonly epochs: number,
    // fitDataset learns these from its first epoch (and sets them then)
    public samples: number,
    public batchSize: number,
    public validationSamples: number,
    readonly logKeys: readonly LogKey[],
  ) {
    this.initialLearningRate = engine.learningRate;
  }
  stop(): void {
    this.state.stop = true;
  }
  get stopRequested(): boolean {
    return this.state.stop;
  }
  get learningRate(): number {
    return this.engine.learningRate;
  }
  set learningRate(value: number) {
    this.engine.learningRate = checkRate(value, 'control.learningRate (set by a callback)');
  }
  get epoch(): number {
    return this.state.epoch;
  }
  get batchesPerEpoch(): number {
    return this.batches ?? Math.ceil(this.samples / this.batchSize);
  }
  get error(): unknown {
    return this.state.error;
  }
  snapshotWeights(): Float64Array {
    return this.engine.snapshotParams();
  }
  restoreWeights(snapshot: Float64Array): void {
    if (!(snapshot instanceof Float64Array) || snapshot.length !== this.engine.paramCount) {
      throw new ShapeError(
        `restoreWeights expects a Float64Array of ${this.engine.paramCount} values from snapshotWeights(), got ${show(snapshot)}${snapshot instanceof Float64Array ? ` of length ${snapshot.length}` : ''}`,
      );
    }
    this.engine.restoreParams(snapshot);
  }
}

/** Runs the loop on an engine; the Network checked `input`, `target` and the options. Every
 *  remaining check (metrics against the loss, validation data, schedules, onTrainBegin hooks)
 *  happens before the first batch, so a rejected call leaves the network unchanged. */
/** The metrics a fit measures (`where` names the call in the error): accuracy by default for a
 *  classification loss, and only there. */
export function chosenMetrics(engine: Engine, settings: FitSettings, where: string): { wantAccuracy: boolean; wantMae: boolean; wantMse: boolean } {
  const classification = isClassification(engine.loss);
  const metrics = settings.metrics ?? (classification ? ['accuracy'] : []);
  if (metrics.includes('accuracy') && !classification) {
    throw new ConfigError(
      `${where} options.metrics: "accuracy" needs a classification loss (categoricalCrossentropy, sparseCategoricalCrossentropy or binaryCrossentropy), but the loss is "${engine.loss}"; use "mae" or "mse" for regression`,
    );
  }
  return { wantAccuracy: metrics.includes('accuracy'), wantMae: metrics.includes('mae'), wantMse: metrics.includes('mse') };
}

/** The keys of the epoch logs, and an empty history with them in a readable order: epochs, the
 *  training metrics, the validation ones, learningRate. */
export function logsAndHistory(m: { wantAccuracy: boolean; wantMae: boolean; wantMse: boolean }, validation: boolean): { logKeys: LogKey[]; history: History } {
  const logKeys: LogKey[] = ['loss'];
  if (m.wantAccuracy) logKeys.push('accuracy');
  if (m.wantMae) logKeys.push('mae');
  if (m.wantMse) logKeys.push('mse');
  if (validation) {
    logKeys.push('valLoss');
    if (m.wantAccuracy) logKeys.push('valAccuracy');
    if (m.wantMae) logKeys.push('valMae');
    if (m.wantMse) logKeys.push('valMse');
  }
  const history = { epochs: 0, loss: [] } as unknown as History;
  for (const key of logKeys) if (key !== 'loss') history[key] = [];
  history.learningRate = [];
  return { logKeys, history };
}

/** The learning rate of each epoch, checked (`where` names the call); the schedule's first rate
 *  is checked at once, so a bad schedule is refused before training. */
export function rateSchedule(settings: FitSettings, startRate: number, epochs: number, where: string): { rateFor: (epoch: number) => number; firstRate: number } {
  const schedule = settings.learningRate;
  const rateFor = (epoch: number): number =>
    typeof schedule === 'number'
      ? schedule
      : checkRate(schedule!(epoch, startRate, epochs), `${where} options.learningRate: the schedule's rate for epoch ${epoch}`);
  return { rateFor, firstRate: schedule === undefined ? startRate : rateFor(0) };
}

/** Runs every onTrainBegin, then checks the signal; a rate a hook set does not outlive a refused call. */
export async function trainBegin(engine: Engine, settings: FitSettings, control: Control, startRate: number): Promise<void> {
  try {
    for (const cb of settings.callbacks) {
      if (!cb.onTrainBegin) continue;
      const r = cb.onTrainBegin(control);
      if (isThenable(r)) await r;
    }
    if (settings.signal !== null && settings.signal.aborted) throw abortReason(settings.signal);
  } catch (error) {
    engine.learningRate = startRate; // a rate an onTrainBegin hook set does not outlive the call
    throw error;
  }
}

/** After the epochs: metrics off, the starting rate back, every onTrainEnd run (the first error
 *  of the call is the one thrown), the history returned. */
export async function trainEnd(engine: Engine, settings: FitSettings, control: Control, state: LoopState, startRate: number, history: History): Promise<History> {
  engine.setMetrics(false, false, false);
  engine.learningRate = startRate;
  for (const cb of settings.callbacks) {
    if (!cb.onTrainEnd) continue;
    try {
      const r = cb.onTrainEnd(history, control);
      if (isThenable(r)) await r;
    } catch (error) {
      if (state.error === undefined) state.error = error;
    }
  }
  if (state.error !== undefined) throw state.error;
  return history;
}

export async function fit(engine: Engine, input: Rows, target: Rows, settings: FitSettings): Promise<History> {
  const { epochs, shuffle, callbacks, signal, yieldEvery } = settings;
  const chosen = chosenMetrics(engine, settings, 'fit');
  const { wantAccuracy, wantMae, wantMse } = chosen;

  // Training and validation rows.
  let train = input;
  let trainTarget = target;
  let valInput: Rows | null = null;
  let valTarget: Rows | null = null;
  if (settings.validationSplit !== undefined) {
    const trainRows = Math.floor(input.rows * (1 - settings.validationSplit));
    if (trainRows < 1 || trainRows >= input.rows) {
      throw new ConfigError(
        `fit options.validationSplit ${settings.validationSplit} of ${input.rows} samples leaves ${trainRows} for training and ${input.rows - trainRows} for validation; both need at least one`,
      );
    }
    [train, valInput] = splitRows(input, trainRows);
    [trainTarget, valTarget] = splitRows(target, trainRows);
  } else if (settings.validationData !== undefined) {
    [valInput, valTarget] = validationRows(settings.validationData, input.cols, target.cols, engine);
  }
  const validation = valInput !== null;

  const { logKeys, history } = logsAndHistory(chosen, validation);
  const startRate = engine.learningRate;
  const schedule = settings.learningRate;
  const { rateFor, firstRate } = rateSchedule(settings, startRate, epochs, 'fit');

  const samples = train.rows;
  const batchSize = Math.min(settings.batchSize, samples);
  const state: LoopState = { stop: false, epoch: -1, error: undefined };
  const control = new Control(engine, state, epochs, samples, batchSize, valInput?.rows ?? 0, Object.freeze(logKeys));

  if (signal !== null && signal.aborted) throw abortReason(signal);
  // Batch buffers for the training batches and the validation chunks, sized once, before any
  // callback runs: a MemoryLimitError here refuses the call with nothing changed.
  engine.reserveRows(Math.max(batchSize, valInput === null ? 0 : Math.min(valInput.rows, INFERENCE_CHUNK)));
  await trainBegin(engine, settings, control, startRate);

  engine.setMetrics(wantAccuracy, wantMae, wantMse);
  try {
    await run();
  } catch (error) {
    state.error = error;
  }
  return trainEnd(engine, settings, control, state, startRate, history);

  async function run(): Promise<void> {
    const outputs = engine.outputSize;
    const epochBegin = callbacks.filter((cb) => cb.onEpochBegin);
    const epochEnd = callbacks.filter((cb) => cb.onEpochEnd);
    const batchEnd = callbacks.some((cb) => cb.onBatchEnd) ? callbacks.filter((cb) => cb.onBatchEnd) : null;
    // Without batch callbacks, a small training set lives in the arena and each epoch is one
    // backend call (shuffle, gather and every batch's step inside); otherwise rows are
    // shuffled here and loaded batch by batch. Both draw the same order from the same generator.
    const resident = batchEnd === null && engine.loadResident(train, trainTarget, batchSize);
    const order = new Float64Array(resident ? 0 : samples);
    for (let i = 0; i < order.length; i++) order[i] = i;
    const rng = engine.rng;
    let lastYield = now();
    // Reading the clock costs more than a tiny network's whole epoch, so it is read every
    // `clockEvery` epochs, adapted to keep reads about 0.5 ms apart (well under yieldEvery).
    let clockEvery = 1;
    let sinceClock = 0;
    let lastClock = lastYield;
    const { loss: losses, accuracy: accuracies, mae: maes, mse: mses, valLoss: valLosses, valAccuracy: valAccuracies, valMae: valMaes, valMse: valMses, learningRate: learningRates } = history;

    // With nothing to run between epochs (no epoch callbacks, schedule or validation) on a
    // resident set, each backend call trains as many epochs as fit would run between two clock
    // reads, and fit reads their sums from the epoch log afterwards: no per-epoch round trip.
    const manyPerCall = resident && epochBegin.length === 0 && epochEnd.length === 0 && schedule === undefined && !validation;

    for (let epoch = 0; epoch < epochs && !state.stop; epoch++) {
      if (manyPerCall) {
        const count = yieldEvery === 0 ? 1 : Math.min(epochs - epoch, Math.max(clockEvery - sinceClock, 1), EPOCH_LOG_SIZE);
        const rate = engine.learningRate;
        const done = engine.trainEpochs(train, trainTarget, batchSize, shuffle, count);
        for (let i = 0; i < done; i++) {
          const sums = engine.epochSums(i);
          losses.push(sums.loss / samples);
          if (accuracies !== undefined) accuracies.push(sums.correct / samples);
          if (maes !== undefined) maes.push(sums.absError / (samples * outputs));
          if (mses !== undefined) mses.push(sums.sqError / (samples * outputs));
          learningRates.push(rate);
        }
        history.epochs = epoch + done;
        state.epoch = epoch + Math.min(done, count - 1);
        if (done < count) throw engine.epochsFailure(epoch);
        epoch += count - 1; // the loop adds the last one
        sinceClock += count - 1; // and the clock below counts it
      } else {
        state.epoch = epoch;
        if (schedule !== undefined) engine.learningRate = epoch === 0 ? firstRate : rateFor(epoch);
        for (let i = 0; i < epochBegin.length; i++) {
          const r = epochBegin[i]!.onEpochBegin!(epoch, control);
          if (isThenable(r)) await r;
        }
        if (state.stop) break; // stopped before this epoch trained anything
        if (shuffle && !resident) {
          // From the identity each epoch, so an epoch's order depends only on the generator's
          // state: fit(a) then fit(b) trains exactly as fit(a + b) (and so does a saved and
          // reloaded network, whose generator state is saved).
          for (let i = 0; i < samples; i++) order[i] = i;
          rng.shuffle(order);
        }
        const rate = engine.learningRate;
        let seen = 0;
        // The step sums the loss and the metrics itself (see Engine.takeSums): no double is
        // carried in this async loop per batch, which would cost a heap number each time.
        engine.takeSums();
        // Without batch callbacks nothing can happen between batches (an abort or a stop() from
        // elsewhere only arrives while fit awaits), so the epoch runs in one backend call, or in
        // a plain synchronous function, which engines optimise fully (an async loop can stay in
        // a tier that boxes).
        if (resident) {
          if (engine.trainEpochs(train, trainTarget, batchSize, shuffle, 1) === 0) throw engine.epochsFailure(epoch);
          seen = samples;
        } else if (batchEnd === null) seen = trainBatches(engine, train, trainTarget, order, samples, batchSize, epoch);
        else for (let start = 0, batch = 0; start < samples; start += batchSize, batch++) {
          if (signal !== null && signal.aborted) throw abortReason(signal);
          if (state.stop) break;
          const rows = Math.min(batchSize, samples - start);
          engine.loadRows(train, trainTarget, start, rows, order);
          engine.step(rows, epoch, batch);
          seen += rows;
          // The batch's outputs are still in place for its own logs.
          const logs: BatchLogs = { loss: engine.lastLoss(), size: rows };
          if (wantAccuracy) logs.accuracy = engine.batchCorrect() / rows;
          if (wantMae) logs.mae = engine.batchAbsError() / (rows * outputs);
          if (wantMse) logs.mse = engine.batchSqError() / (rows * outputs);
          for (let i = 0; i < batchEnd.length; i++) {
            let r = batchEnd[i]!.onBatchEnd!(batch, logs, control);
            if (isThenable(r)) r = await r;
            if (r === false) state.stop = true;
          }
        }
        if (seen === 0) break; // stopped from outside before the epoch's first batch

        const sums = resident ? engine.epochSums(0) : engine.takeSums();
        const logs: EpochLogs = { loss: sums.loss / seen, learningRate: rate };
        if (wantAccuracy) logs.accuracy = sums.correct / seen;
        if (wantMae) logs.mae = sums.absError / (seen * outputs);
        if (wantMse) logs.mse = sums.sqError / (seen * outputs);
        if (valInput !== null && valTarget !== null) {
          const v = engine.evaluateRows(valInput, valTarget);
          logs.valLoss = v.loss;
          if (wantAccuracy) logs.valAccuracy = v.correct / valInput.rows;
          if (wantMae) logs.valMae = v.absError / (valInput.rows * outputs);
          if (wantMse) logs.valMse = v.sqError / (valInput.rows * outputs);
        }
        losses.push(logs.loss);
        if (accuracies !== undefined) accuracies.push(logs.accuracy!);
        if (maes !== undefined) maes.push(logs.mae!);
        if (mses !== undefined) mses.push(logs.mse!);
        if (valLosses !== undefined) valLosses.push(logs.valLoss!);
        if (valAccuracies !== undefined) valAccuracies.push(logs.valAccuracy!);
        if (valMaes !== undefined) valMaes.push(logs.valMae!);
        if (valMses !== undefined) valMses.push(logs.valMse!);
        learningRates.push(rate);
        history.epochs = epoch + 1;
        for (let i = 0; i < epochEnd.length; i++) {
          let r = epochEnd[i]!.onEpochEnd!(epoch, logs, control);
          if (isThenable(r)) r = await r;
          if (r === false) state.stop = true;
        }
      }
      if (signal !== null && signal.aborted) throw abortReason(signal);
      if ((++sinceClock >= clockEvery || yieldEvery === 0) && epoch < epochs - 1 && !state.stop) {
        const t = now();
        clockEvery = t - lastClock < 0.25 ? Math.min(clockEvery * 2, 4096) : t - lastClock > 1 ? Math.max(clockEvery >> 1, 1) : clockEvery;
        sinceClock = 0;
        lastClock = t;
        if (t - lastYield >= yieldEvery) {
          await yieldToEventLoop();
          lastYield = now();
          lastClock = lastYield;
        }
      }
    }
  }
}

/** One epoch's batches with no callback between them; returns the samples trained. */
function trainBatches(engine: Engine, input: Rows, target: Rows, order: Float64Array, samples: number, batchSize: number, epoch: number): number {
  for (let start = 0, batch = 0; start < samples; start += batchSize, batch++) {
    const rows = Math.min(batchSize, samples - start);
    engine.loadRows(input, target, start, rows, order);
    engine.step(rows, epoch, batch);
  }
  return samples;
}

/** Callback results are awaited only when they are promises: `await` on anything else would
 *  still cost a microtask turn per call. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

export function abortReason(signal: AbortSignalLike): unknown {
  if (signal.reason !== undefined) return signal.reason;
  const error = new Error('training was aborted');
  error.name = 'AbortError';
  return error;
}

/** The first `rows` rows and the rest, as views (no copy). */
function splitRows(all: Rows, rows: number): [Rows, Rows] {
  const at = rows * all.cols;
  return [
    { data: all.data.subarray(0, at), rows, cols: all.cols },
    { data: all.data.subarray(at), rows: all.rows - rows, cols: all.cols },
  ];
}

/** validationData ([x, y] or samples) → checked rows; messages name validationData. */
export function validationRows(data: NonNullable<FitOptions['validationData']>, inputCols: number, targetCols: number, engine: Engine): [Rows, Rows] {
  let x: Rows;
  let y: Rows;
  if (isSampleList(data)) {
    ({ input: x, target: y } = fromSamples(data as readonly Sample[], inputCols, targetCols, 'validationData'));
  } else {
    x = toRows(data[0], inputCols, 'validationData[0]');
    y = toRows(data[1], targetCols, 'validationData[1]');
    if (x.rows !== y.rows) {
      throw new ShapeError(`validationData: x has ${x.rows} rows but y has ${y.rows}; each input row needs one target row`);
    }
  }
  if (engine.loss === 'sparseCategoricalCrossentropy') {
    for (let r = 0; r < y.rows; r++) {
      const label = y.data[r]!;
      if (!Number.isInteger(label) || label < 0 || label >= engine.outputSize) {
        const where = isSampleList(data) ? `validationData[${r}].output[0]` : `validationData[1][${r}][0]`;
        throw new DataError(`${where} is ${label}; sparseCategoricalCrossentropy needs class indices, integers in [0, ${engine.outputSize})`);
      }
    }
  }
  return [x, y];
}

export function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** A macrotask turn (not a microtask), so timers, I/O and rendering get to run. */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (fn: () => void) => void };
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => g.setImmediate!(resolve));
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
