// Row-wise helpers around the matrix products: bias add and column sums.

import { zeroF64 } from './memory';

/** C[r][j] += bias[j] for every row r of C[rows×cols]. */
export function addBias(c: usize, bias: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const cRow = c + (<usize>r * <usize>cols << 3);
    for (let j = 0; j < cols; j++) {
      const p = cRow + (<usize>j << 3);
      store<f64>(p, load<f64>(p) + load<f64>(bias + (<usize>j << 3)));
    }
  }
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
