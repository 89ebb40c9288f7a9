// Converting user data (number[][] or row-major Float64Array) into checked row-major
// Float64Arrays, with errors that say which row and column is wrong.
import { DataError, ShapeError } from './errors';
import { show } from './validate';

/**
 * Data: one row per sample, either as `number[][]` or as one row-major `Float64Array` (read in
 * place, not converted; its length must be a multiple of the row width).
 */
export type Matrix = number[][] | Float64Array;

export interface Rows {
  data: Float64Array;
  rows: number;
  cols: number;
  /** true when the caller passed a Float64Array (results come back in the same form) */
  typed: boolean;
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
    throw new ShapeError(`${name} must be a number[][] or a row-major Float64Array, got ${show(value)}`);
  }
  if (value.length === 0) throw new ShapeError(`${name} has no rows`);
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

/** The row count of a row-major Float64Array of `cols`-wide rows (its values unchecked). */
export function checkShape(value: Float64Array, cols: number, name: string): number {
  if (value.length === 0 || value.length % cols !== 0) {
    throw new ShapeError(
      `${name}: a Float64Array of length ${value.length} is not a whole number of rows of ${cols} values (expected a positive multiple of ${cols})`,
    );
  }
  return value.length / cols;
}

/** The error for a non-finite value at flat index `i` of a row-major Float64Array. */
export function notFinite(value: Float64Array, i: number, cols: number, name: string): DataError {
  return new DataError(`${name}[${Math.floor(i / cols)}][${i % cols}] is ${value[i]}; every value must be a finite number`);
}

/** Checks `value` (see checkRows) and returns it as row-major f64s: a Float64Array is used
 *  without copying, number[][] is copied. */
export function toRows(value: unknown, cols: number, name: string): Rows {
  const rows = checkRows(value, cols, name);
  if (value instanceof Float64Array) return { data: value, rows, cols, typed: true };
  const nested = value as number[][];
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = nested[r]!;
    for (let j = 0; j < cols; j++) data[r * cols + j] = row[j]!;
  }
  return { data, rows, cols, typed: false };
}

/** x and y must describe the same number of samples. */
export function checkSameRows(x: Rows, y: Rows): void {
  if (x.rows !== y.rows) {
    throw new ShapeError(`x has ${x.rows} rows but y has ${y.rows}; each input row needs one target row`);
  }
}

/** Row-major Float64Array → number[][] */
export function toNested(data: Float64Array, rows: number, cols: number): number[][] {
  const out: number[][] = new Array(rows);
  for (let r = 0; r < rows; r++) out[r] = Array.from(data.subarray(r * cols, (r + 1) * cols));
  return out;
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
