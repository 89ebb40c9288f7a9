// Row-wise helpers around the matrix products: bias rows and column sums.

import { copyF64, zeroF64 } from './memory';

/** Every row of C[rows×cols] = row[0..cols): the bias a dense layer's product starts from. */
export function fillRows(c: usize, row: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 3;
  for (let r = 0; r < rows; r++) copyF64(c + <usize>r * rowBytes, row, cols);
}

/** out[j] (+)= Σ_r A[r][j] over A[rows×cols]: the bias gradient db = Σ_rows dZ. */
export function columnSums(a: usize, out: usize, rows: i32, cols: i32, accumulate: i32): void {
  if (!accumulate) zeroF64(out, cols);
  for (let r = 0; r < rows; r++) {
    const aRow = a + (<usize>r * <usize>cols << 3);
    for (let j = 0; j < cols; j++) {
      const p = out + (<usize>j << 3);
      store<f64>(p, load<f64>(p) + load<f64>(aRow + (<usize>j << 3)));
    }
  }
}
