// The small things every application writes around a network: one-hot encoding, argmax, a
// seeded shuffle and train/test split, and a confusion matrix with per-class precision, recall
// and F1. Plain functions over plain arrays (no engine, no arena): each is its own export, so a
// bundler keeps only those an application imports (see ARCHITECTURE.md, "Helpers").
import type { NumericArray } from './data';
import { ConfigError, DataError, ShapeError } from './errors';
import { Random, randomSeed } from './random';
import { show } from './validate';

/** A typed array of numbers (what `isTyped` accepts): every NumericArray but a DataView/BigInt one. */
function isTyped(value: unknown): value is NumericArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array);
}

function classCount(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2 ** 32) {
    throw new ConfigError(`${name} must be a positive integer (the number of classes), got ${show(value)}`);
  }
  return value;
}

function seedOf(value: unknown, name: string): number {
  if (value === undefined) return randomSeed();
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ConfigError(`${name} must be an integer, got ${show(value)}`);
  return value;
}

/**
 * One-hot encodes class labels: label `k` becomes a row of `classes` values, 1 at column `k`
 * and 0 elsewhere (Keras's `to_categorical`, tfjs's `tf.oneHot`). A `number[]` gives
 * `number[][]`; a typed array (a `Uint8Array` of MNIST labels, say) gives one row-major
 * `Float64Array` of `labels.length × classes` values. Both are what `fit` takes as `y` for the
 * `categoricalCrossentropy` loss.
 *
 * @param labels class indices, integers in [0, classes)
 * @param classes the number of classes (the output layer's units)
 * @throws ConfigError when `classes` is not a positive integer; ShapeError when `labels` is not
 *   an array; DataError naming the first label that is not an integer in [0, classes)
 *
 * @example
 * ```ts
 * import { oneHot } from 'wasmnet';
 *
 * oneHot([0, 2, 1], 3); // [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
 * oneHot(Uint8Array.of(1, 0), 2); // Float64Array [0, 1, 1, 0]
 * ```
 */
export function oneHot(labels: readonly number[], classes: number): number[][];
export function oneHot(labels: NumericArray, classes: number): Float64Array;
export function oneHot(labels: readonly number[] | NumericArray, classes: number): number[][] | Float64Array;
export function oneHot(labels: readonly number[] | NumericArray, classes: number): number[][] | Float64Array {
  const typed = isTyped(labels);
  if (!typed && !Array.isArray(labels)) {
    throw new ShapeError(`oneHot: labels must be an array of class indices (number[] or a typed array), got ${show(labels)}`);
  }
  const k = classCount(classes, 'oneHot: classes');
  const n = labels.length;
  for (let i = 0; i < n; i++) {
    const label: unknown = labels[i];
    if (typeof label !== 'number' || !Number.isInteger(label) || label < 0 || label >= k) {
      throw new DataError(`oneHot: labels[${i}] is ${show(label)}; labels must be integers in [0, ${k})`);
    }
  }
  if (typed) {
    const out = new Float64Array(n * k);
    for (let i = 0; i < n; i++) out[i * k + labels[i]!] = 1;
    return out;
  }
  const out = new Array<number[]>(n);
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(k).fill(0);
    row[labels[i]!] = 1;
    out[i] = row;
  }
  return out;
}

/**
 * The index of the largest value: of one vector (a number), or of each row (a number per row)
 * — how a softmax output becomes a class. The first maximum wins on ties, as the `accuracy`
 * metric counts. A row-major typed array (what `predict` returns for typed inputs) needs its
 * row width.
 *
 * @throws ShapeError for an empty vector or row, a ragged row, or a typed array whose length is
 *   not a multiple of `width`; ConfigError for a bad `width`; DataError for a value that is not
 *   a number or is NaN
 *
 * @example
 * ```ts
 * import { argMax } from 'wasmnet';
 *
 * argMax([0.1, 0.7, 0.2]); // 1
 * argMax([[0.9, 0.1], [0.3, 0.7]]); // [0, 1]
 * argMax(Float64Array.of(0.9, 0.1, 0.3, 0.7), 2); // [0, 1]
 * ```
 */
export function argMax(vector: readonly number[] | NumericArray): number;
export function argMax(rows: readonly (readonly number[])[]): number[];
export function argMax(rows: NumericArray, width: number): number[];
export function argMax(values: readonly number[] | readonly (readonly number[])[] | NumericArray, width?: number): number | number[] {
  if (width !== undefined) {
    if (!isTyped(values)) throw new ShapeError(`argMax: a width is for a row-major typed array, got ${show(values)}`);
    const w = classCount(width, 'argMax: width');
    if (values.length === 0 || values.length % w !== 0) {
      throw new ShapeError(`argMax: a ${values.constructor.name} of length ${values.length} is not a whole number of rows of ${w} values`);
    }
    const out = new Array<number>(values.length / w);
    for (let r = 0; r < out.length; r++) out[r] = maxAt(values, r * w, w, `argMax: row ${r}`);
    return out;
  }
  if (isTyped(values)) {
    if (values.length === 0) throw new ShapeError('argMax: the vector is empty');
    return maxAt(values, 0, values.length, 'argMax');
  }
  if (!Array.isArray(values)) throw new ShapeError(`argMax expects a number[], a number[][] or a typed array, got ${show(values)}`);
  if (values.length === 0) throw new ShapeError('argMax: the vector is empty');
  if (!Array.isArray(values[0])) return maxAt(values as readonly number[], 0, values.length, 'argMax');
  const rows = values as readonly (readonly number[])[];
  const w = rows[0]!.length;
  const out = new Array<number>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row: unknown = rows[r];
    if (!Array.isArray(row)) throw new ShapeError(`argMax: row ${r} must be an array like row 0, got ${show(row)}`);
    if (row.length !== w) throw new ShapeError(`argMax: row ${r} has ${row.length} values, but row 0 has ${w}`);
    if (w === 0) throw new ShapeError('argMax: row 0 is empty');
    out[r] = maxAt(row as readonly number[], 0, w, `argMax: row ${r}`);
  }
  return out;
}

/** Offset (from `start`) of the first largest of `count` values; refuses NaN and non-numbers. */
function maxAt(values: ArrayLike<number>, start: number, count: number, where: string): number {
  let best = 0;
  let max = -Infinity;
  for (let j = 0; j < count; j++) {
    const v: unknown = values[start + j];
    if (typeof v !== 'number' || Number.isNaN(v)) throw new DataError(`${where}: value ${j} is ${show(v)}; argMax needs numbers`);
    if (j === 0 || v > max) {
      max = v;
      best = j;
    }
  }
  return best;
}

/** Options of {@link shuffle}. */
export interface ShuffleOptions {
  /** Seeds the order: the same seed gives the same order in every runtime. Default: a random seed. */
  seed?: number;
  /** The number of samples, needed only when every argument is a row-major typed array (their
   *  row widths are otherwise unknown). */
  samples?: number;
}

/** What {@link shuffle} and {@link trainTestSplit} take: one entry per sample (rows, labels,
 *  `{ input, output }` samples: any array), or a row-major typed array of samples. */
export type SampleArray<T = unknown> = readonly T[] | NumericArray;

/**
 * A shuffled copy of the samples (the input is not changed), in a seeded order: Fisher–Yates
 * with the same generator as the network's (sfc32), so a seed gives the same order in every
 * runtime. Given `x` and `y`, both are shuffled in the same order and returned as `[x, y]`.
 * Arrays give arrays (the same row objects, reordered); a row-major typed array gives a typed
 * array of the same kind.
 *
 * @throws ShapeError when `x` and `y` have different sample counts, when a typed array is not
 *   a whole number of rows, or when both are typed and `samples` is missing; ConfigError for
 *   a bad option
 *
 * @example
 * ```ts
 * import { shuffle } from 'wasmnet';
 *
 * const [x, y] = shuffle([[0], [1], [2], [3]], [10, 11, 12, 13], { seed: 7 });
 * // x[i] and y[i] still belong together: y[i] === 10 + x[i][0]
 * shuffle(['a', 'b', 'c'], { seed: 7 }); // the same three, in an order fixed by the seed
 * ```
 */
export function shuffle<T extends SampleArray>(x: T, options?: ShuffleOptions): T;
export function shuffle<X extends SampleArray, Y extends SampleArray>(x: X, y: Y, options?: ShuffleOptions): [X, Y];
export function shuffle(x: SampleArray, second?: SampleArray | ShuffleOptions, third?: ShuffleOptions): SampleArray | [SampleArray, SampleArray] {
  const paired = Array.isArray(second) || isTyped(second);
  const options = (paired ? third : second) as ShuffleOptions | undefined;
  const parts = paired ? [x, second as SampleArray] : [x];
  const o = checkOptions(options, 'shuffle', ['seed', 'samples']);
  const n = sampleCount(parts, o.samples, 'shuffle');
  const order = permutation(n, seedOf(o.seed, 'shuffle options.seed'));
  const out = parts.map((part) => take(part, n, order, 0, n));
  return paired ? [out[0]!, out[1]!] : out[0]!;
}

/** Options of {@link trainTestSplit}. */
export interface SplitOptions {
  /** The test part: a fraction in (0, 1) of the samples (rounded up, as scikit-learn does) or a
   *  whole number of samples. Default 0.25. */
  testSize?: number;
  /** Seeds the shuffle before splitting. Default: a random seed. */
  seed?: number;
  /** Shuffle before splitting (default true); false keeps the order and tests on the last samples. */
  shuffle?: boolean;
  /** The number of samples, needed only when every argument is a row-major typed array. */
  samples?: number;
}

/** {@link trainTestSplit} of `x` and `y`: the same samples of each, in the same order. */
export interface Split<X, Y> {
  /** The training part of `x`. */
  xTrain: X;
  /** The training part of `y` (the same samples as `xTrain`, in the same order). */
  yTrain: Y;
  /** The test part of `x`. */
  xTest: X;
  /** The test part of `y`. */
  yTest: Y;
}

/** {@link trainTestSplit} of one list of samples. */
export interface SampleSplit<T> {
  /** The training samples. */
  train: T;
  /** The test samples. */
  test: T;
}

/**
 * Splits samples into a training part and a test part, after a seeded shuffle (scikit-learn's
 * `train_test_split`): `testSize` of the samples go to the test part, the rest to training.
 * Given `x` and `y`, returns `{ xTrain, yTrain, xTest, yTest }`; given one list (brain.js-style
 * `{ input, output }` samples, say), returns `{ train, test }`. Arrays give arrays; a row-major
 * typed array gives typed arrays of the same kind.
 *
 * @throws ConfigError for a bad option or a `testSize` that leaves either part empty;
 *   ShapeError when `x` and `y` have different sample counts (see {@link shuffle})
 *
 * @example
 * ```ts
 * import { trainTestSplit } from 'wasmnet';
 *
 * const x = [[0], [1], [2], [3], [4], [5], [6], [7], [8], [9]];
 * const y = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1];
 * const { xTrain, yTrain, xTest, yTest } = trainTestSplit(x, y, { testSize: 0.2, seed: 42 });
 * // xTrain.length === 8, xTest.length === 2; the same seed always gives the same split
 * ```
 */
export function trainTestSplit<T extends SampleArray>(samples: T, options?: SplitOptions): SampleSplit<T>;
export function trainTestSplit<X extends SampleArray, Y extends SampleArray>(x: X, y: Y, options?: SplitOptions): Split<X, Y>;
export function trainTestSplit(
  x: SampleArray,
  second?: SampleArray | SplitOptions,
  third?: SplitOptions,
): SampleSplit<SampleArray> | Split<SampleArray, SampleArray> {
  const paired = Array.isArray(second) || isTyped(second);
  const options = (paired ? third : second) as SplitOptions | undefined;
  const parts = paired ? [x, second as SampleArray] : [x];
  const o = checkOptions(options, 'trainTestSplit', ['testSize', 'seed', 'shuffle', 'samples']);
  const n = sampleCount(parts, o.samples, 'trainTestSplit');
  const testSize = o.testSize ?? 0.25;
  let tests: number;
  if (typeof testSize === 'number' && testSize > 0 && testSize < 1) tests = Math.ceil(testSize * n);
  else if (typeof testSize === 'number' && Number.isInteger(testSize) && testSize >= 1) tests = testSize;
  else {
    throw new ConfigError(`trainTestSplit options.testSize must be a fraction in (0, 1) or a whole number of samples ≥ 1, got ${show(testSize)}`);
  }
  if (tests >= n) {
    throw new ConfigError(`trainTestSplit options.testSize ${testSize} of ${n} samples leaves ${n - Math.min(tests, n)} for training; both parts need at least one`);
  }
  const shuffled = o.shuffle ?? true;
  if (typeof shuffled !== 'boolean') throw new ConfigError(`trainTestSplit options.shuffle must be true or false, got ${show(shuffled)}`);
  const seed = seedOf(o.seed, 'trainTestSplit options.seed');
  const order = shuffled ? permutation(n, seed) : identity(n);
  const trains = n - tests;
  const train = parts.map((part) => take(part, n, order, 0, trains));
  const test = parts.map((part) => take(part, n, order, trains, n));
  if (!paired) return { train: train[0]!, test: test[0]! };
  return { xTrain: train[0]!, yTrain: train[1]!, xTest: test[0]!, yTest: test[1]! };
}

function checkOptions<T extends object>(options: T | undefined, fn: string, keys: readonly string[]): Partial<Record<string, unknown>> & T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError(`${fn} options must be an object, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!keys.includes(key)) throw new ConfigError(`${fn} options: unknown option "${key}"; expected one of ${keys.map((k) => `"${k}"`).join(', ')}`);
  }
  return options as Partial<Record<string, unknown>> & T;
}

/** The shared sample count of the arguments (arrays: their length; typed arrays: whole rows). */
function sampleCount(parts: readonly SampleArray[], samples: unknown, fn: string): number {
  const names = parts.length === 1 ? ['samples'] : ['x', 'y'];
  let n: number | undefined;
  if (samples !== undefined) {
    if (typeof samples !== 'number' || !Number.isInteger(samples) || samples < 1) {
      throw new ConfigError(`${fn} options.samples must be a positive integer, got ${show(samples)}`);
    }
    n = samples;
  }
  parts.forEach((part, i) => {
    if (Array.isArray(part)) {
      if (n !== undefined && part.length !== n) {
        throw new ShapeError(`${fn}: ${names[i]} has ${part.length} samples, but ${samples !== undefined ? 'options.samples is' : `${names[0]} has`} ${n}`);
      }
      n = part.length;
    } else if (!isTyped(part)) {
      throw new ShapeError(`${fn}: ${names[i]} must be an array of samples or a row-major typed array, got ${show(part)}`);
    }
  });
  if (n === undefined) {
    throw new ShapeError(`${fn}: with only typed arrays the number of samples is unknown; pass it as options.samples`);
  }
  if (n === 0) throw new ShapeError(`${fn}: there are no samples`);
  parts.forEach((part, i) => {
    if (!Array.isArray(part) && part.length % n! !== 0) {
      throw new ShapeError(`${fn}: ${names[i]} is a ${part.constructor.name} of length ${part.length}, not a whole number of rows for ${n} samples`);
    }
  });
  return n;
}

function identity(n: number): Float64Array {
  const order = new Float64Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

function permutation(n: number, seed: number): Float64Array {
  const order = identity(n);
  new Random(seed).shuffle(order);
  return order;
}

/** Samples order[from..to) of `part` (of `n` samples). */
function take(part: SampleArray, n: number, order: Float64Array, from: number, to: number): SampleArray {
  if (Array.isArray(part)) {
    const out = new Array<unknown>(to - from);
    for (let i = from; i < to; i++) out[i - from] = part[order[i]!];
    return out;
  }
  const typed = part as NumericArray;
  const width = typed.length / n;
  const out = new (typed.constructor as new (length: number) => NumericArray)((to - from) * width);
  for (let i = from; i < to; i++) out.set(typed.subarray(order[i]! * width, (order[i]! + 1) * width), (i - from) * width);
  return out;
}

/** What {@link confusionMatrix} returns. */
export interface ConfusionMatrix {
  /** `matrix[actual][predicted]`: how many samples of class `actual` were predicted as `predicted`
   *  (rows are the true classes, as in scikit-learn). */
  matrix: number[][];
  /** The number of classes (rows and columns of the matrix). */
  classes: number;
  /** Per class: the fraction of the samples predicted as the class that are of it
   *  (0 when the class was never predicted). */
  precision: number[];
  /** Per class: the fraction of the samples of the class that were predicted as it
   *  (0 when the class has no samples). */
  recall: number[];
  /** Per class: the harmonic mean of precision and recall (0 when both are 0). */
  f1: number[];
  /** Per class: how many samples are of it (the row sums). */
  support: number[];
  /** The fraction of all samples predicted correctly (the diagonal over the total). */
  accuracy: number;
}

/** Options of {@link confusionMatrix}. */
export interface ConfusionMatrixOptions {
  /** The number of classes. Default: one more than the largest label seen. */
  classes?: number;
}

/**
 * Counts, for each true class, how its samples were classified, with each class's precision,
 * recall and F1 and the overall accuracy. `actual` and `predicted` are class labels
 * (`number[]` or a typed array) or rows of scores (`number[][]`: one-hot targets, `predict`'s
 * outputs), which become labels by {@link argMax}; rows of one value (a sigmoid output) are
 * class 1 when the value is ≥ 0.5, as the `accuracy` metric counts them.
 *
 * @throws ShapeError when the two have different lengths or are empty; DataError naming the
 *   first label that is not an integer in [0, classes); ConfigError for a bad option
 *
 * @example
 * ```ts
 * import { confusionMatrix } from 'wasmnet';
 *
 * const cm = confusionMatrix([0, 0, 1, 1, 2], [0, 1, 1, 1, 2]);
 * cm.matrix; // [[1, 1, 0], [0, 2, 0], [0, 0, 1]]
 * cm.precision; // [1, 2 / 3, 1]
 * cm.recall; // [0.5, 1, 1]
 * cm.accuracy; // 0.8
 * ```
 */
export function confusionMatrix(
  actual: readonly number[] | readonly (readonly number[])[] | NumericArray,
  predicted: readonly number[] | readonly (readonly number[])[] | NumericArray,
  options?: ConfusionMatrixOptions,
): ConfusionMatrix {
  const o = checkOptions(options, 'confusionMatrix', ['classes']);
  const a = labelsOf(actual, 'actual');
  const p = labelsOf(predicted, 'predicted');
  if (a.length !== p.length) {
    throw new ShapeError(`confusionMatrix: actual has ${a.length} samples but predicted has ${p.length}; give one prediction per sample`);
  }
  let k: number;
  if (o.classes !== undefined) k = classCount(o.classes, 'confusionMatrix options.classes');
  else {
    k = 0;
    for (const list of [a, p]) for (const label of list) if (Number.isInteger(label) && label >= k) k = label + 1;
  }
  for (const [list, name] of [[a, 'actual'], [p, 'predicted']] as const) {
    for (let i = 0; i < list.length; i++) {
      const label = list[i]!;
      if (!Number.isInteger(label) || label < 0 || label >= k) {
        throw new DataError(`confusionMatrix: ${name}[${i}] is ${show(label)}; labels must be integers in [0, ${k})`);
      }
    }
  }
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < a.length; i++) matrix[a[i]!]![p[i]!]!++;
  const precision: number[] = [];
  const recall: number[] = [];
  const f1: number[] = [];
  const support: number[] = [];
  let correct = 0;
  for (let c = 0; c < k; c++) {
    const tp = matrix[c]![c]!;
    correct += tp;
    let predictedAs = 0;
    for (let r = 0; r < k; r++) predictedAs += matrix[r]![c]!;
    const of = matrix[c]!.reduce((s, v) => s + v, 0);
    const pc = predictedAs === 0 ? 0 : tp / predictedAs;
    const rc = of === 0 ? 0 : tp / of;
    precision.push(pc);
    recall.push(rc);
    f1.push(pc + rc === 0 ? 0 : (2 * pc * rc) / (pc + rc));
    support.push(of);
  }
  return { matrix, classes: k, precision, recall, f1, support, accuracy: correct / a.length };
}

/** Labels from labels or rows of scores (argMax; one-column rows: ≥ 0.5 is class 1). */
function labelsOf(value: unknown, name: string): number[] {
  if (isTyped(value)) {
    if (value.length === 0) throw new ShapeError(`confusionMatrix: ${name} is empty`);
    return Array.from(value);
  }
  if (!Array.isArray(value)) {
    throw new ShapeError(`confusionMatrix: ${name} must be labels (number[] or a typed array) or rows of scores (number[][]), got ${show(value)}`);
  }
  if (value.length === 0) throw new ShapeError(`confusionMatrix: ${name} is empty`);
  if (!Array.isArray(value[0])) return value as number[];
  const rows = value as number[][];
  if (rows[0]!.length === 1) {
    return rows.map((row, r) => {
      const v: unknown = Array.isArray(row) ? row[0] : undefined;
      if (!Array.isArray(row) || row.length !== 1) throw new ShapeError(`confusionMatrix: ${name}[${r}] must have 1 value like ${name}[0], got ${show(row)}`);
      if (typeof v !== 'number' || Number.isNaN(v)) throw new DataError(`confusionMatrix: ${name}[${r}][0] is ${show(v)}; scores must be numbers`);
      return v >= 0.5 ? 1 : 0;
    });
  }
  try {
    return argMax(rows);
  } catch (error) {
    if (error instanceof Error) error.message = `confusionMatrix: ${name}: ${error.message}`;
    throw error;
  }
}
