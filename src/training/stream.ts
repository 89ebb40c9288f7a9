// Training from a stream of batches (Network.fitDataset): the dataset hands over { x, y }
// batches one at a time, from a sync or async iterable or a function that returns one per
// epoch, so the data never has to be in memory at once. Each batch goes through the same
// steps as fit's batch-by-batch path (checked, copied into the batch buffers, one fused step),
// and the validation rows are gathered into the same 256-row chunks evaluateRows uses: given
// the same batches in the same order, fitDataset and fit give the same weights and logs, bit
// for bit. Memory: the batch being trained, the one being read ahead (async sources) and the
// arena's batch buffers, sized for the largest batch seen.
import { isSampleList, toRows, checkSameRows, type Matrix, type Rows, type Sample } from '../data';
import { INFERENCE_CHUNK, type Engine } from '../engine';
import { ConfigError, ShapeError } from '../errors';
import { isClassification } from '../losses';
import { positiveInteger, show } from '../validate';
import {
  Control, abortReason, chosenMetrics, isThenable, logsAndHistory, now, rateSchedule, resolveFitOptions, trainBegin, trainEnd, validationRows, yieldToEventLoop, type FitSettings,
  type LoopState,
} from './fit';
import type { BatchLogs, EpochLogs, FitOptions, History, LogKey } from './types';

/** One batch of a dataset: `x` and `y` with the same number of rows, in any form `fit` takes
 *  (`number[][]` or a row-major typed array). */
export interface Batch {
  /** The batch's inputs, one row per sample. */
  x: Matrix;
  /** The batch's targets, one row per sample (or one class index, for sparseCategoricalCrossentropy). */
  y: Matrix;
}

/** What yields batches: an array, a generator, an async generator, a Node stream in object
 *  mode, anything iterable. */
export type BatchSource = Iterable<Batch> | AsyncIterable<Batch>;

/**
 * Data for {@link Network.fitDataset}: a source of batches, or a function that returns a new
 * source for each epoch (given the 0-based epoch). A generator can be read only once, so
 * training on one for more than an epoch needs the function form (or `batchesPerEpoch`).
 */
export type Dataset = BatchSource | ((epoch: number) => BatchSource);

/** Options of {@link Network.fitDataset}: those of `fit`, less the ones the dataset decides
 *  (batch size, shuffling, a validation split), plus `batchesPerEpoch`. */
export interface FitDatasetOptions extends Omit<FitOptions, 'batchSize' | 'shuffle' | 'validationSplit' | 'validationData'> {
  /** Validation data after each epoch: a {@link Dataset} (read once per epoch), or `[x, y]` /
   *  samples as `fit` takes them. */
  validationData?: Dataset | readonly [Matrix, Matrix] | readonly Sample[];
  /** Ends each epoch after this many batches; the next epoch continues the same pass over the
   *  source (a generator, even an endless one, feeds every epoch), and a new pass starts only
   *  when a pass ends (a function is then called again). Default: an epoch is a whole pass. */
  batchesPerEpoch?: number;
}

const DATASET_KEYS = [
  'epochs', 'onEpochEnd', 'yieldEvery', 'validationData', 'metrics', 'callbacks', 'learningRate', 'signal', 'onTrainBegin', 'onEpochBegin',
  'onBatchEnd', 'onTrainEnd', 'batchesPerEpoch',
] as const;
const NOT_HERE: Record<string, string> = {
  batchSize: "the dataset's batches set the batch size",
  shuffle: 'shuffle in the dataset (shuffle() over each chunk, or a shuffled order of files or rows)',
  validationSplit: 'give validationData (a dataset of its own)',
};

/** The checked options and data of a fitDataset call. */
export interface DatasetSettings {
  fit: FitSettings;
  batchesPerEpoch: number | undefined;
  validation: Dataset | null;
}

/** Checks every option (ConfigError naming `fitDataset options.…`) before any batch is read. */
export function resolveDatasetOptions(options: FitDatasetOptions): DatasetSettings {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError(`fitDataset options must be an object, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (key in NOT_HERE) throw new ConfigError(`fitDataset options: "${key}" is not an option here: ${NOT_HERE[key]}`);
    if (!(DATASET_KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(`fitDataset options: unknown option "${key}"; expected one of ${DATASET_KEYS.map((k) => `"${k}"`).join(', ')}`);
    }
  }
  const { validationData, batchesPerEpoch, ...rest } = options;
  let fit: FitSettings;
  try {
    fit = resolveFitOptions(rest as FitOptions);
  } catch (error) {
    if (error instanceof ConfigError && error.message.startsWith('fit options')) throw new ConfigError(`fitDataset${error.message.slice(3)}`);
    throw error;
  }
  const perEpoch = batchesPerEpoch === undefined ? undefined : positiveInteger(batchesPerEpoch, 'fitDataset options.batchesPerEpoch');
  let validation: Dataset | null = null;
  if (validationData !== undefined) {
    if (isDataset(validationData)) {
      validation = validationData;
      checkRereadable(validation, fit.epochs, undefined, 'fitDataset options.validationData');
    } else if (Array.isArray(validationData) && (isSampleList(validationData) || (validationData as unknown[]).length === 2)) {
      fit.validationData = validationData as FitOptions['validationData'];
    } else {
      throw new ConfigError(
        `fitDataset options.validationData must be a dataset (batches { x, y }, or a function returning them), [x, y] or { input, output } samples, got ${show(validationData)}`,
      );
    }
  }
  return { fit, batchesPerEpoch: perEpoch, validation };
}

/** An iterable or a function (not [x, y] or samples, which are arrays of matrices or samples). */
function isDataset(value: unknown): value is Dataset {
  if (typeof value === 'function') return true;
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.length > 0 && isBatch(value[0]);
  return typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function' || typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

function isBatch(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'x' in value && 'y' in value;
}

/** A source that is its own iterator (a generator) is read once: more than one pass over it
 *  needs a function that makes a new one, or batchesPerEpoch (which continues it). */
function checkRereadable(dataset: Dataset, epochs: number, perEpoch: number | undefined, name: string): void {
  if (typeof dataset === 'function' || epochs === 1 || perEpoch !== undefined) return;
  if (oneShot(dataset)) {
    throw new ConfigError(
      `${name} is an iterator (a generator, say), which can be read only once, but ${epochs} epochs need ${epochs} passes: pass a function that returns a new one for each epoch, e.g. () => batches()${name.endsWith('validationData') ? '' : ', or set batchesPerEpoch'}`,
    );
  }
}

function oneShot(source: BatchSource): boolean {
  const s = source as { [Symbol.asyncIterator]?: () => unknown; [Symbol.iterator]?: () => unknown };
  if (typeof s[Symbol.asyncIterator] === 'function') return s[Symbol.asyncIterator]!() === source;
  if (typeof s[Symbol.iterator] === 'function') return s[Symbol.iterator]!() === source;
  return false;
}

/** A pull-based reader over a sync or async source: `next()` is a batch or null at the end;
 *  async sources are read one batch ahead (its I/O overlaps the current batch's training). */
class Reader {
  private readonly iterator: Iterator<Batch> | AsyncIterator<Batch>;
  private readonly async: boolean;
  private ahead: Promise<IteratorResult<Batch>> | null = null;
  private done = false;
  /** true once the source has said it is done (or the reader was closed) */
  get finished(): boolean {
    return this.done;
  }
  constructor(source: unknown, private readonly name: string) {
    const s = source as Partial<Iterable<Batch> & AsyncIterable<Batch>> | null;
    if (s !== null && typeof s === 'object' && typeof s[Symbol.asyncIterator] === 'function') {
      this.iterator = s[Symbol.asyncIterator]!();
      this.async = true;
    } else if (s !== null && typeof s === 'object' && typeof s[Symbol.iterator] === 'function') {
      this.iterator = s[Symbol.iterator]!();
      this.async = false;
    } else {
      throw new ShapeError(`${name} must be an iterable of { x, y } batches (an array, a generator, an async generator) or a function returning one, got ${show(source)}`);
    }
    // any value with a callable next() is an iterator (as for for…of, a function with one too)
    if (typeof (this.iterator as { next?: unknown } | null | undefined)?.next !== 'function') {
      throw new ShapeError(`${name}: its iterator has no next() method`);
    }
  }

  /** The next batch (null at the end). */
  async next(): Promise<unknown> {
    if (this.done) return null;
    let result: IteratorResult<Batch>;
    if (this.async) {
      const pending = this.ahead ?? (this.iterator.next() as Promise<IteratorResult<Batch>>);
      this.ahead = null;
      result = await pending;
    } else {
      result = this.iterator.next() as IteratorResult<Batch>;
      if (isThenable(result)) throw new ShapeError(`${this.name}: its iterator's next() returned a promise; make it an async iterable (Symbol.asyncIterator)`);
    }
    if (typeof result !== 'object' || result === null) throw new ShapeError(`${this.name}: its iterator's next() returned ${show(result)}, not { value, done }`);
    if (result.done) {
      this.done = true;
      return null;
    }
    return result.value;
  }

  /** Async sources: asks for the next batch now, so that its I/O overlaps the current batch's
   *  training. Called once the current batch has been copied into the arena, so a source may
   *  refill the same arrays for every batch. */
  readAhead(): void {
    if (!this.async || this.done || this.ahead !== null) return;
    this.ahead = this.iterator.next() as Promise<IteratorResult<Batch>>;
    this.ahead.catch(() => {}); // rejected later, when awaited (or dropped by close())
  }

  /** Lets the source release what it holds (a file handle, a cursor) when reading stops early. */
  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    const ahead = this.ahead;
    this.ahead = null;
    if (ahead !== null) await ahead.catch(() => {});
    const it = this.iterator as { return?: () => unknown };
    if (typeof it.return === 'function') await it.return();
  }
}

/** Trains on a dataset; see Network.fitDataset. `checkLabels` checks a batch's targets. */
export async function fitDataset(
  engine: Engine,
  dataset: Dataset,
  options: DatasetSettings,
  checkTarget: (x: unknown, y: unknown, where: string) => { input: Rows; target: Rows },
): Promise<History> {
  const settings = options.fit;
  const { epochs, callbacks, signal, yieldEvery } = settings;
  const perEpoch = options.batchesPerEpoch;
  if (!isDataset(dataset)) {
    throw new ShapeError(`fitDataset: the dataset must be an iterable of { x, y } batches (an array, a generator, an async generator) or a function returning one for each epoch, got ${show(dataset)}`);
  }
  checkRereadable(dataset, epochs, perEpoch, 'fitDataset: the dataset');
  const classification = isClassification(engine.loss);
  const chosen = chosenMetrics(engine, settings, 'fitDataset');
  const { wantAccuracy, wantMae, wantMse } = chosen;
  const outputs = engine.outputSize;

  let valRows: [Rows, Rows] | null = null;
  if (settings.validationData !== undefined) valRows = validationRows(settings.validationData, engine.inputSize, targetCols(engine), engine);
  const validation = valRows !== null || options.validation !== null;

  const { logKeys, history } = logsAndHistory(chosen, validation);
  const startRate = engine.learningRate;
  const schedule = settings.learningRate;
  const { rateFor, firstRate } = rateSchedule(settings, startRate, epochs, 'fitDataset');

  const state: LoopState = { stop: false, epoch: -1, error: undefined };
  const control = new Control(engine, state, epochs, NaN, NaN, valRows === null ? NaN : valRows[0].rows, Object.freeze(logKeys));
  if (valRows === null && options.validation === null) control.validationSamples = 0;
  control.batches = perEpoch ?? NaN;

  if (signal !== null && signal.aborted) throw abortReason(signal);
  if (valRows !== null) engine.reserveRows(Math.min(valRows[0].rows, INFERENCE_CHUNK));
  await trainBegin(engine, settings, control, startRate);

  const measure = (): void => engine.setMetrics(wantAccuracy, wantMae, wantMse);
  measure();
  // One reader for the whole fit when epochs continue the source (batchesPerEpoch, or a single
  // epoch); otherwise a new one per epoch.
  let reader: Reader | null = null;
  try {
    await run();
  } catch (error) {
    state.error = error;
  }
  if (reader !== null) {
    try {
      await (reader as Reader).close();
    } catch (error) {
      if (state.error === undefined) state.error = error;
    }
  }
  return trainEnd(engine, settings, control, state, startRate, history);

  async function run(): Promise<void> {
    const epochBegin = callbacks.filter((cb) => cb.onEpochBegin);
    const epochEnd = callbacks.filter((cb) => cb.onEpochEnd);
    const batchEnd = callbacks.filter((cb) => cb.onBatchEnd);
    let lastYield = now();
    const maybeYield = async (): Promise<void> => {
      if (yieldEvery === Infinity) return;
      const t = now();
      if (t - lastYield >= yieldEvery) {
        await yieldToEventLoop();
        lastYield = now();
      }
    };
    for (let epoch = 0; epoch < epochs && !state.stop; epoch++) {
      state.epoch = epoch;
      if (schedule !== undefined) engine.learningRate = epoch === 0 ? firstRate : rateFor(epoch);
      for (const cb of epochBegin) {
        const r = cb.onEpochBegin!(epoch, control);
        if (isThenable(r)) await r;
      }
      if (state.stop) break;
      // a new pass over the source each epoch; with batchesPerEpoch, only once it has ended
      if (reader === null || perEpoch === undefined || reader.finished) {
        if (reader !== null) await reader.close();
        reader = new Reader(typeof dataset === 'function' ? dataset(epoch) : dataset, typeof dataset === 'function' ? `fitDataset: the dataset function's result for epoch ${epoch}` : 'fitDataset: the dataset');
      }
      const rate = engine.learningRate;
      let seen = 0;
      let batch = 0;
      engine.takeSums();
      while (perEpoch === undefined || batch < perEpoch) {
        if (signal !== null && signal.aborted) throw abortReason(signal);
        if (state.stop) break;
        const item = await reader.next();
        if (item === null) break;
        const where = `fitDataset: epoch ${epoch} batch ${batch}`;
        if (!isBatch(item)) throw badBatch(item, where);
        const { input, target } = checkTarget((item as Batch).x, (item as Batch).y, where);
        const rows = input.rows;
        if (signal !== null && signal.aborted) throw abortReason(signal); // the read may have taken a while
        engine.reserveRows(rows);
        engine.loadRows(input, target, 0, rows, null);
        // the batch is in the arena: read the next one (not beyond the epoch's last) meanwhile
        if (perEpoch === undefined || batch + 1 < perEpoch) reader.readAhead();
        engine.step(rows, epoch, batch);
        seen += rows;
        if (batchEnd.length > 0) {
          const logs: BatchLogs = { loss: engine.lastLoss(), size: rows };
          if (wantAccuracy) logs.accuracy = engine.batchCorrect() / rows;
          if (wantMae) logs.mae = engine.batchAbsError() / (rows * outputs);
          if (wantMse) logs.mse = engine.batchSqError() / (rows * outputs);
          for (const cb of batchEnd) {
            let r = cb.onBatchEnd!(batch, logs, control);
            if (isThenable(r)) r = await r;
            if (r === false) state.stop = true;
          }
        }
        if (epoch === 0 && batch === 0) control.batchSize = rows;
        batch++;
        await maybeYield();
      }
      if (seen === 0) {
        if (state.stop || (signal !== null && signal.aborted)) break;
        throw new ShapeError(
          epoch === 0 || typeof dataset === 'function'
            ? `fitDataset: the dataset gave no batches for epoch ${epoch}`
            : `fitDataset: the dataset gave no batches for epoch ${epoch}: it ran out (a generator is read once; pass a function that returns a new one for each epoch)`,
        );
      }
      if (epoch === 0) {
        control.samples = seen;
        if (perEpoch === undefined) control.batches = batch;
      }
      const sums = engine.takeSums();
      const logs: EpochLogs = { loss: sums.loss / seen, learningRate: rate };
      if (wantAccuracy) logs.accuracy = sums.correct / seen;
      if (wantMae) logs.mae = sums.absError / (seen * outputs);
      if (wantMse) logs.mse = sums.sqError / (seen * outputs);
      if (validation) {
        const v = valRows !== null ? { ...engine.evaluateRows(valRows[0], valRows[1]), rows: valRows[0].rows } : await evaluateDataset(epoch);
        const count = v.rows;
        if (epoch === 0) control.validationSamples = count;
        logs.valLoss = v.loss;
        if (wantAccuracy) logs.valAccuracy = v.correct / count;
        if (wantMae) logs.valMae = v.absError / (count * outputs);
        if (wantMse) logs.valMse = v.sqError / (count * outputs);
      }
      for (const key of logKeys) history[key]!.push(logs[key]!);
      history.learningRate.push(rate);
      history.epochs = epoch + 1;
      for (const cb of epochEnd) {
        let r = cb.onEpochEnd!(epoch, logs, control);
        if (isThenable(r)) r = await r;
        if (r === false) state.stop = true;
      }
      if (signal !== null && signal.aborted) throw abortReason(signal);
      await maybeYield();
    }
  }

  /** The validation dataset's rows, gathered into INFERENCE_CHUNK-row chunks across batch
   *  boundaries and evaluated as evaluateRows does, so the sums are those of [x, y] resident. */
  async function evaluateDataset(epoch: number): Promise<{ loss: number; correct: number; absError: number; sqError: number; rows: number }> {
    const source = options.validation!;
    const val = new Reader(typeof source === 'function' ? source(epoch) : source, 'fitDataset options.validationData');
    const measuring = { accuracy: wantAccuracy, mae: wantMae, mse: wantMse };
    engine.reserveRows(INFERENCE_CHUNK);
    engine.setMetrics(classification, true, true);
    let lossSum = 0;
    let correct = 0;
    let absError = 0;
    let sqError = 0;
    let rows = 0;
    let filled = 0;
    const flush = (): void => {
      lossSum += engine.evaluateBatch(filled) * filled;
      if (classification) correct += engine.batchCorrect();
      absError += engine.batchAbsError();
      sqError += engine.batchSqError();
      filled = 0;
    };
    try {
      for (let batch = 0; ; batch++) {
        if (signal !== null && signal.aborted) throw abortReason(signal);
        const item = await val.next();
        if (item === null) break;
        const where = `fitDataset options.validationData: epoch ${epoch} batch ${batch}`;
        if (!isBatch(item)) throw badBatch(item, where);
        const { input, target } = checkTarget((item as Batch).x, (item as Batch).y, where);
        for (let start = 0; start < input.rows; ) {
          const n = Math.min(INFERENCE_CHUNK - filled, input.rows - start);
          engine.loadRows(input, target, start, n, null, filled);
          filled += n;
          start += n;
          if (filled === INFERENCE_CHUNK) flush();
        }
        rows += input.rows;
        val.readAhead();
      }
      if (filled > 0) flush();
    } finally {
      await val.close();
      engine.setMetrics(measuring.accuracy, measuring.mae, measuring.mse);
    }
    if (rows === 0) throw new ShapeError(`fitDataset options.validationData gave no batches for epoch ${epoch}`);
    return { loss: lossSum / rows, correct, absError, sqError, rows };
  }
}

function targetCols(engine: Engine): number {
  return engine.loss === 'sparseCategoricalCrossentropy' ? 1 : engine.outputSize;
}

function badBatch(item: unknown, where: string): ShapeError {
  const tfjs = typeof item === 'object' && item !== null && 'xs' in item && 'ys' in item;
  return new ShapeError(`${where} must be { x, y }, got ${show(item)}${tfjs ? ' with xs and ys (tfjs spells them so); name them x and y' : ''}`);
}

/** Checks a batch's x and y (names in messages: `${where}: x[2][1] …`). */
export function checkBatch(x: unknown, y: unknown, inputCols: number, targetWidth: number, where: string): { input: Rows; target: Rows } {
  const input = toRows(x, inputCols, `${where}: x`);
  const target = toRows(y, targetWidth, `${where}: y`);
  try {
    checkSameRows(input, target);
  } catch {
    throw new ShapeError(`${where}: x has ${input.rows} rows but y has ${target.rows}; each input row needs one target row`);
  }
  return { input, target };
}

