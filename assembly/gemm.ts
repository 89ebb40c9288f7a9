// Matrix products on row-major f64 matrices in linear memory. Pointers are byte addresses.
// The three forms backpropagation needs through a dense layer (Z = X·W):
//   forward  Z  = X  · W      matmul
//   weights  dW = Xᵀ · dZ     matmulTransA
//   inputs   dX = dZ · Wᵀ     matmulTransB
// `accumulate` = 1 adds into C instead of overwriting it. No allocation happens here.
// These are correct, f64x2-vectorised loops; register blocking is a later optimisation.

@inline function zero(c: usize, count: i32): void {
  memory.fill(c, 0, <usize>count << 3);
}

/** C[m×n] (+)= A[m×k] · B[k×n] */
export function matmul(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32): void {
  if (!accumulate) zero(c, m * n);
  const rowBytes = <usize>n << 3;
  const vecEnd = n & ~1;
  for (let i = 0; i < m; i++) {
    const cRow = c + <usize>i * rowBytes;
    const aRow = a + (<usize>i * <usize>k << 3);
    for (let p = 0; p < k; p++) {
      const aip = load<f64>(aRow + (<usize>p << 3));
      const bRow = b + <usize>p * rowBytes;
      const av = f64x2.splat(aip);
      let j = 0;
      for (; j < vecEnd; j += 2) {
        const off = <usize>j << 3;
        v128.store(cRow + off, f64x2.add(v128.load(cRow + off), f64x2.mul(av, v128.load(bRow + off))));
      }
      if (j < n) {
        const off = <usize>j << 3;
        store<f64>(cRow + off, load<f64>(cRow + off) + aip * load<f64>(bRow + off));
      }
    }
  }
}

/** C[m×n] (+)= A[m×k] · B[n×k]ᵀ — each C[i][j] is a dot product of two contiguous rows. */
export function matmulTransB(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32): void {
  const kBytes = <usize>k << 3;
  const vecEnd = k & ~1;
  for (let i = 0; i < m; i++) {
    const aRow = a + <usize>i * kBytes;
    const cRow = c + (<usize>i * <usize>n << 3);
    for (let j = 0; j < n; j++) {
      const bRow = b + <usize>j * kBytes;
      let acc = f64x2.splat(0);
      let p = 0;
      for (; p < vecEnd; p += 2) {
        const off = <usize>p << 3;
        acc = f64x2.add(acc, f64x2.mul(v128.load(aRow + off), v128.load(bRow + off)));
      }
      let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
      if (p < k) sum += load<f64>(aRow + (<usize>p << 3)) * load<f64>(bRow + (<usize>p << 3));
      const cp = cRow + (<usize>j << 3);
      store<f64>(cp, accumulate ? load<f64>(cp) + sum : sum);
    }
  }
}

/** C[m×n] (+)= A[k×m]ᵀ · B[k×n] — rank-1 updates, one per shared row p. */
export function matmulTransA(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32): void {
  if (!accumulate) zero(c, m * n);
  const rowBytes = <usize>n << 3;
  const vecEnd = n & ~1;
  for (let p = 0; p < k; p++) {
    const aRow = a + (<usize>p * <usize>m << 3);
    const bRow = b + <usize>p * rowBytes;
    for (let i = 0; i < m; i++) {
      const api = load<f64>(aRow + (<usize>i << 3));
      const cRow = c + <usize>i * rowBytes;
      const av = f64x2.splat(api);
      let j = 0;
      for (; j < vecEnd; j += 2) {
        const off = <usize>j << 3;
        v128.store(cRow + off, f64x2.add(v128.load(cRow + off), f64x2.mul(av, v128.load(bRow + off))));
      }
      if (j < n) {
        const off = <usize>j << 3;
        store<f64>(cRow + off, load<f64>(cRow + off) + api * load<f64>(bRow + off));
      }
    }
  }
}
