// Converting user data (number[][] or a row-major typed array) into checked row-major
// Float64Arrays, with errors that say which row and column is wrong.
import { DataError, ShapeError } from './errors';
import { show } from './validate';

/**
 * A row-major typed array of numbers. A `Float64Array` is read in place; the others (a
 * `Float32Array` from tfjs's `dataSync()` or onnxruntime, image bytes, integer labels) are
 * converted to f64 once, exactly: every float32 and every 8-, 16- and 32-bit integer is an f64.
 */
export type NumericArray = Float64Array | Float32Array | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array;

/**
 * Data: one row per sample, either as `number[][]` or as one row-major typed array (its length
 * a multiple of the row width; see {@link NumericArray}).
 */
export type Matrix = number[][] | NumericArray;

/** A typed array of numbers other than a Float64Array, as a new Float64Array (exact), once its
 *  length is a whole number of `cols`-wide rows; anything else as it is. BigInt arrays are
 *  refused (their values are not all exact as f64). */
export function asFloat64(value: unknown, cols: number, name: string): unknown {
  if (!ArrayBuffer.isView(value) || value instanceof Float64Array || value instanceof DataView) return value;
  if (value instanceof BigInt64Array || value instanceof BigUint64Array) {
    throw new ShapeError(`${name}: a ${value.constructor.name} is not accepted (not every 64-bit integer is exact as a number); convert it to a Float64Array`);
  }
  checkShape(value as unknown as ArrayLike<number>, cols, name);
  return Float64Array.from(value as unknown as ArrayLike<number>);
}

export interface Rows {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** Checks `value` is a matrix with `cols` columns and only finite numbers, and returns its
 *  row count; allocates nothing. `name` is the argument's name in messages ("x", "y"). */
export function checkRows(value: unknown, cols: number, name: string): number {
  if (value instanceof Float64Array) {
    const rows = checkShape(value, cols, name);
    for (let i = 0; i < value.length; i++) {
      if (!Number.isFinite(value[i])) throw notFinite(value, i, cols, name);
    }
    return rows;
  }
  if (!Array.isArray(value)) {
    throw new ShapeError(`${name} must be a number[][] or a row-major typed array (Float64Array, Float32Array, …), got ${show(value)}`);
  }
  if (value.length === 0) throw new ShapeError(`${name} has no rows`);
  if (typeof value[0] === 'number') {
    // one sample not wrapped in an array: predict([1, 0]) for predict([[1, 0]])
    const preview = value.length <= 8 ? value.join(', ') : `${value.slice(0, 4).join(', ')}, …`;
    throw new ShapeError(
      `${name} must be rows, one array per sample: got a flat array of ${value.length} numbers. ` +
        (value.length === cols ? `For one sample, wrap it: [[${preview}]]` : `Wrap each sample of ${cols} values in its own array ([[…], […]]), or pass a row-major Float64Array`),
    );
  }
  for (let r = 0; r < value.length; r++) {
    const row: unknown = value[r];
    if (!Array.isArray(row)) {
      throw new ShapeError(`${name}[${r}] must be an array of ${cols} numbers, got ${show(row)}`);
    }
    if (row.length !== cols) {
      throw new ShapeError(`${name}[${r}] has ${row.length} value${row.length === 1 ? '' : 's'}, expected ${cols}`);
    }
    for (let j = 0; j < cols; j++) {
      const v: unknown = row[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new DataError(`${name}[${r}][${j}] is ${show(v)}; every value must be a finite number`);
      }
    }
  }
  return value.length;
}

/** The row count of a row-major typed array of `cols`-wide rows (its values unchecked). */
export function checkShape(value: ArrayLike<number>, cols: number, name: string): number {
  if (value.length === 0 || value.length % cols !== 0) {
    throw new ShapeError(
      `${name}: a ${value.constructor.name} of length ${value.length} is not a whole number of rows of ${cols} values (expected a positive multiple of ${cols})`,
    );
  }
  return value.length / cols;
}

/** The error for a non-finite value at flat index `i` of a row-major Float64Array. */
export function notFinite(value: Float64Array, i: number, cols: number, name: string): DataError {
  return new DataError(`${name}[${Math.floor(i / cols)}][${i % cols}] is ${value[i]}; every value must be a finite number`);
}

/** Checks `value` (see checkRows) and returns it as row-major f64s: a Float64Array is used
 *  without copying, other typed arrays and number[][] are copied. */
export function toRows(input: unknown, cols: number, name: string): Rows {
  const value = asFloat64(input, cols, name);
  const rows = checkRows(value, cols, name);
  if (value instanceof Float64Array) return { data: value, rows, cols };
  const nested = value as number[][];
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = nested[r]!;
    for (let j = 0; j < cols; j++) data[r * cols + j] = row[j]!;
  }
  return { data, rows, cols };
}

/** x and y must describe the same number of samples. */
export function checkSameRows(x: Rows, y: Rows): void {
  if (x.rows !== y.rows) {
    throw new ShapeError(`x has ${x.rows} rows but y has ${y.rows}; each input row needs one target row`);
  }
}

/** A brain.js-style training sample. */
export interface Sample {
  /** The sample's features (`inputSize` values). */
  input: readonly number[] | Float64Array;
  /** The sample's target (`outputSize` values, or one class index for sparseCategoricalCrossentropy). */
  output: readonly number[] | Float64Array;
}

/** true for a list of { input, output } samples rather than a matrix */
export function isSampleList(value: unknown): value is readonly Sample[] {
  return Array.isArray(value) && value.length > 0 && typeof value[0] === 'object' && value[0] !== null && !Array.isArray(value[0]) && 'input' in value[0];
}

/** Samples → checked input and target rows (messages name `${name}[i].input` / `.output`). */
export function fromSamples(samples: readonly Sample[], inputSize: number, outputSize: number, name = 'samples'): { input: Rows; target: Rows } {
  const inputs: unknown[] = [];
  const outputs: unknown[] = [];
  const vector = (value: unknown, i: number, field: string, size: number): unknown[] => {
    // An array, or a typed array (not a DataView): anything else (null, a number, a string, an
    // object with a length) is refused rather than handed to Array.from.
    if (Array.isArray(value)) return value;
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
    throw new ShapeError(`${name}[${i}].${field} must be an array of ${size} numbers, got ${show(value)}`);
  };
  for (let i = 0; i < samples.length; i++) {
    const sample: unknown = samples[i];
    if (typeof sample !== 'object' || sample === null || Array.isArray(sample) || !('input' in sample) || !('output' in sample)) {
      throw new ShapeError(`${name}[${i}] must be { input, output }, got ${show(sample)}`);
    }
    inputs.push(vector((sample as Sample).input, i, 'input', inputSize));
    outputs.push(vector((sample as Sample).output, i, 'output', outputSize));
  }
  return {
    input: toRows(inputs, inputSize, `${name}[].input`),
    target: toRows(outputs, outputSize, `${name}[].output`),
  };
}
