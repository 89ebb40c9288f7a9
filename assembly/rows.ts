// Row-wise helpers around the matrix products: bias add, column sums, finiteness checks.

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
  if (!accumulate) memory.fill(out, 0, <usize>cols << 3);
  for (let r = 0; r < rows; r++) {
    const aRow = a + (<usize>r * <usize>cols << 3);
    for (let j = 0; j < cols; j++) {
      const p = out + (<usize>j << 3);
      store<f64>(p, load<f64>(p) + load<f64>(aRow + (<usize>j << 3)));
    }
  }
}

/** 1 when every one of the `count` values is finite, else 0. */
export function allFinite(x: usize, count: i32): i32 {
  // v - v is 0 for finite v and NaN for ±Infinity and NaN; NaN propagates through the sum.
  let acc: f64 = 0;
  for (let i = 0; i < count; i++) {
    const v = load<f64>(x + (<usize>i << 3));
    acc += v - v;
  }
  return acc == 0 ? 1 : 0;
}
