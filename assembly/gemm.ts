// Matrix products on row-major f64 matrices in linear memory. Pointers are byte addresses.
// The three forms backpropagation needs through a dense layer (Z = X·W):
//   forward  Z  = X  · W      matmul
//   weights  dW = Xᵀ · dZ     matmulTransA
//   inputs   dX = dZ · Wᵀ     matmulTransB
// `accumulate` = 1 adds into C instead of overwriting it. No allocation happens here.
//
// Large products run the classic packed scheme (as in BLIS/GotoBLAS): B is copied, one
// KC×NC block at a time, into 4-column panels, and A into 4-row panels, both laid out so that
// the micro-kernel reads them sequentially; the micro-kernel keeps a 4×4 block of C in eight
// f64x2 registers across the whole k loop. Packing also absorbs the transposes, so all three
// forms share one micro-kernel. Small products skip packing (it would cost more than it saves).
// `scratch` must hold gemmScratchSize(k, n) f64s.

import { zeroF64 } from './memory';
import { columnSums } from './rows';

const MR = 4; // rows of C per micro-tile
const NR = 4; // columns of C per micro-tile
const KC = 256; // depth of a packed block: the A panel (KC×MR) stays in L1
const NC = 512; // width of a packed B block (KC×NC ≈ 1 MiB at most, in L2)
export const SMALL = 4096; // m·k·n below this: plain loops

/** f64s of scratch the packed path needs for a product with inner size k and n columns. */
export function gemmScratchSize(k: i32, n: i32): i32 {
  const kc = min(k, KC);
  const nc = min((n + NR - 1) & ~(NR - 1), NC);
  return kc * (nc + MR);
}

/** C[m×n] (+)= A[m×k] · B[k×n] */
export function matmul(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, scratch: usize): void {
  if (<i64>m * k * n < SMALL) smallMatmul(a, b, c, m, k, n, accumulate);
  else gemm(false, false, a, b, c, m, k, n, accumulate, scratch, k, n, n);
}

/** C[m×n] (+)= A[k×m]ᵀ · B[k×n] */
export function matmulTransA(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, scratch: usize): void {
  if (<i64>m * k * n < SMALL) smallMatmulTransA(a, b, c, m, k, n, accumulate);
  else gemm(true, false, a, b, c, m, k, n, accumulate, scratch, m, n, n);
}

/** C[m×n] (+)= A[m×k] · B[n×k]ᵀ */
export function matmulTransB(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, scratch: usize): void {
  if (<i64>m * k * n < SMALL) smallMatmulTransB(a, b, c, m, k, n, accumulate);
  else gemm(false, true, a, b, c, m, k, n, accumulate, scratch, k, k, n);
}

/** C[m×n] = A[k×m]ᵀ · B[k×n] and sums[j] = Σ_p B[p][j]: a dense layer's dW = Xᵀ·dZ and
 *  db = Σ_rows dZ. Small products take both in one pass over B (the bias gradient is the
 *  weight gradient of an input that is always 1); the sums run in row order either way. */
export function matmulTransAColumnSums(a: usize, b: usize, c: usize, sums: usize, m: i32, k: i32, n: i32, scratch: usize): void {
  if (<i64>m * k * n < SMALL) {
    smallMatmulTransA(a, b, c, m, k, n, 0, sums);
  } else {
    matmulTransA(a, b, c, m, k, n, 0, scratch); // a call, not a fourth inlined copy of gemm
    columnSums(b, sums, k, n, 0);
  }
}

// ---- the packed path ------------------------------------------------------------------------

// @inline so that each export gets its own copy with transA/transB known at compile time.
// lda, ldb and ldc are the f64s between rows of the matrices as stored (A is k×m when transA,
// B is n×k when transB): the products above pass their natural widths; the thread pool's
// blocks (threads/parallel.ts) pass a block of a larger matrix. Where a block of C starts
// changes nothing in how each of its elements is summed.
@inline export function gemm(transA: bool, transB: bool, a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, scratch: usize, lda: i32, ldb: i32, ldc: i32): void {
  if (k == 0) {
    if (!accumulate) for (let i = 0; i < m; i++) zeroF64(c + ((<usize>i * <usize>ldc) << 3), n);
    return;
  }
  const packedA = scratch;
  const packedB = scratch + ((<usize>min(k, KC) * MR) << 3);
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = min(KC, k - p0);
      const overwrite = p0 == 0 && !accumulate;
      packB(transB, b, ldb, p0, kc, j0, nc, packedB);
      for (let i0 = 0; i0 < m; i0 += MR) {
        const rows = min(MR, m - i0);
        packA(transA, a, lda, i0, rows, p0, kc, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const panel = packedB + ((<usize>jr * <usize>kc) << 3);
          const cTile = c + ((<usize>i0 * <usize>ldc + <usize>(j0 + jr)) << 3);
          microKernel(packedA, panel, kc, cTile, ldc, rows, cols, overwrite);
        }
      }
    }
  }
}

/** Copies A(i0..i0+rows, p0..p0+kc) into dst as kc groups of MR values (zero-padded rows).
 *  A(i, p) is a[i·lda + p], or a[p·lda + i] when transA (A is stored k×m). */
@inline function packA(transA: bool, a: usize, lda: i32, i0: i32, rows: i32, p0: i32, kc: i32, dst: usize): void {
  if (transA) {
    for (let p = 0; p < kc; p++) {
      const src = a + ((<usize>(p0 + p) * <usize>lda + <usize>i0) << 3);
      const out = dst + ((<usize>p * MR) << 3);
      if (rows == MR) {
        v128.store(out, v128.load(src));
        v128.store(out, v128.load(src, 16), 16);
      } else {
        for (let r = 0; r < MR; r++) store<f64>(out + (<usize>r << 3), r < rows ? load<f64>(src + (<usize>r << 3)) : 0.0);
      }
    }
  } else {
    for (let r = 0; r < MR; r++) {
      const out = dst + (<usize>r << 3);
      if (r < rows) {
        const src = a + ((<usize>(i0 + r) * <usize>lda + <usize>p0) << 3);
        for (let p = 0; p < kc; p++) store<f64>(out + ((<usize>p * MR) << 3), load<f64>(src + (<usize>p << 3)));
      } else {
        for (let p = 0; p < kc; p++) store<f64>(out + ((<usize>p * MR) << 3), 0.0);
      }
    }
  }
}

/** Copies B(p0..p0+kc, j0..j0+nc) into dst as panels of NR columns, each kc×NR row-major
 *  (zero-padded columns). B(p, j) is b[p·ldb + j], or b[j·ldb + p] when transB (B is stored n×k). */
@inline function packB(transB: bool, b: usize, ldb: i32, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    const panel = dst + ((<usize>jr * <usize>kc) << 3);
    if (transB) {
      for (let cIdx = 0; cIdx < NR; cIdx++) {
        const out = panel + (<usize>cIdx << 3);
        if (cIdx < cols) {
          const src = b + ((<usize>(j0 + jr + cIdx) * <usize>ldb + <usize>p0) << 3);
          for (let p = 0; p < kc; p++) store<f64>(out + ((<usize>p * NR) << 3), load<f64>(src + (<usize>p << 3)));
        } else {
          for (let p = 0; p < kc; p++) store<f64>(out + ((<usize>p * NR) << 3), 0.0);
        }
      }
    } else if (cols == NR) {
      for (let p = 0; p < kc; p++) {
        const src = b + ((<usize>(p0 + p) * <usize>ldb + <usize>(j0 + jr)) << 3);
        const out = panel + ((<usize>p * NR) << 3);
        v128.store(out, v128.load(src));
        v128.store(out, v128.load(src, 16), 16);
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const src = b + ((<usize>(p0 + p) * <usize>ldb + <usize>(j0 + jr)) << 3);
        const out = panel + ((<usize>p * NR) << 3);
        for (let cIdx = 0; cIdx < NR; cIdx++) store<f64>(out + (<usize>cIdx << 3), cIdx < cols ? load<f64>(src + (<usize>cIdx << 3)) : 0.0);
      }
    }
  }
}

/** C[rows×cols] (+)= Apanel[kc×MR]ᵀ-ish · Bpanel[kc×NR]: for each p, the outer product of
 *  A(:, p) and B(p, :) is added to eight f64x2 accumulators (a 4×4 tile of C). */
@inline function microKernel(ap: usize, bp: usize, kc: i32, c: usize, ldc: i32, rows: i32, cols: i32, overwrite: bool): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load64_splat(ap);
    c00 = f64x2.add(c00, f64x2.mul(a, b0));
    c01 = f64x2.add(c01, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 8);
    c10 = f64x2.add(c10, f64x2.mul(a, b0));
    c11 = f64x2.add(c11, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 16);
    c20 = f64x2.add(c20, f64x2.mul(a, b0));
    c21 = f64x2.add(c21, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 24);
    c30 = f64x2.add(c30, f64x2.mul(a, b0));
    c31 = f64x2.add(c31, f64x2.mul(a, b1));
    ap += MR << 3;
    bp += NR << 3;
  }
  const ldcBytes = <usize>ldc << 3;
  if (rows == MR && cols == NR) {
    storeRow(c, c00, c01, overwrite);
    storeRow(c + ldcBytes, c10, c11, overwrite);
    storeRow(c + 2 * ldcBytes, c20, c21, overwrite);
    storeRow(c + 3 * ldcBytes, c30, c31, overwrite);
    return;
  }
  storePartialRow(c, c00, c01, cols, overwrite);
  if (rows > 1) storePartialRow(c + ldcBytes, c10, c11, cols, overwrite);
  if (rows > 2) storePartialRow(c + 2 * ldcBytes, c20, c21, cols, overwrite);
  if (rows > 3) storePartialRow(c + 3 * ldcBytes, c30, c31, cols, overwrite);
}

@inline function storeRow(c: usize, lo: v128, hi: v128, overwrite: bool): void {
  if (overwrite) {
    v128.store(c, lo);
    v128.store(c, hi, 16);
  } else {
    v128.store(c, f64x2.add(v128.load(c), lo));
    v128.store(c, f64x2.add(v128.load(c, 16), hi), 16);
  }
}

@inline function storePartialRow(c: usize, lo: v128, hi: v128, cols: i32, overwrite: bool): void {
  storeOne(c, f64x2.extract_lane(lo, 0), overwrite);
  if (cols > 1) storeOne(c + 8, f64x2.extract_lane(lo, 1), overwrite);
  if (cols > 2) storeOne(c + 16, f64x2.extract_lane(hi, 0), overwrite);
  if (cols > 3) storeOne(c + 24, f64x2.extract_lane(hi, 1), overwrite);
}

@inline function storeOne(c: usize, v: f64, overwrite: bool): void {
  store<f64>(c, overwrite ? v : load<f64>(c) + v);
}

// ---- small products: straightforward vectorised loops -----------------------------------------

/** cRow[0..n) (+)= Σ_p α_p · B[p, 0..n) over p < k, where α_p is the f64 at aAt + p·aStride
 *  (or 1 when `ones`) and B's rows are `rowBytes` apart. Four columns at a time sit in two
 *  f64x2 registers for the whole sum, so C is loaded and stored once per row instead of once
 *  per p; each element still sums its terms in p order, so the result is the same to the bit
 *  as adding α_p·B[p, :] into C one row of B at a time. */
@inline function rowTimesRows(cRow: usize, aAt: usize, aStride: usize, b: usize, rowBytes: usize, k: i32, n: i32, accumulate: i32, ones: bool): void {
  const zero = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const cAt = cRow + (<usize>j << 3);
    let c0 = accumulate ? v128.load(cAt) : zero;
    let c1 = accumulate ? v128.load(cAt, 16) : zero;
    let bAt = b + (<usize>j << 3);
    let aP = aAt;
    for (let p = 0; p < k; p++, bAt += rowBytes, aP += aStride) {
      if (ones) {
        c0 = f64x2.add(c0, v128.load(bAt));
        c1 = f64x2.add(c1, v128.load(bAt, 16));
      } else {
        const av = v128.load64_splat(aP);
        c0 = f64x2.add(c0, f64x2.mul(av, v128.load(bAt)));
        c1 = f64x2.add(c1, f64x2.mul(av, v128.load(bAt, 16)));
      }
    }
    v128.store(cAt, c0);
    v128.store(cAt, c1, 16);
  }
  if (j + 2 <= n) {
    const cAt = cRow + (<usize>j << 3);
    let c0 = accumulate ? v128.load(cAt) : zero;
    let bAt = b + (<usize>j << 3);
    let aP = aAt;
    for (let p = 0; p < k; p++, bAt += rowBytes, aP += aStride) {
      c0 = ones ? f64x2.add(c0, v128.load(bAt)) : f64x2.add(c0, f64x2.mul(v128.load64_splat(aP), v128.load(bAt)));
    }
    v128.store(cAt, c0);
    j += 2;
  }
  if (j < n) {
    const cAt = cRow + (<usize>j << 3);
    let c0: f64 = accumulate ? load<f64>(cAt) : 0;
    let bAt = b + (<usize>j << 3);
    let aP = aAt;
    for (let p = 0; p < k; p++, bAt += rowBytes, aP += aStride) c0 += ones ? load<f64>(bAt) : load<f64>(aP) * load<f64>(bAt);
    store<f64>(cAt, c0);
  }
}

function smallMatmul(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32): void {
  const rowBytes = <usize>n << 3;
  // C[i, :] (+)= Σ_p A[i, p] · B[p, :]
  for (let i = 0; i < m; i++) rowTimesRows(c + <usize>i * rowBytes, a + ((<usize>i * <usize>k) << 3), 8, b, rowBytes, k, n, accumulate, false);
}

/** With `sums` ≠ 0, also sums[0..n) = Σ_p B[p, :] (always overwritten). */
function smallMatmulTransA(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, sums: usize = 0): void {
  const rowBytes = <usize>n << 3;
  // C[i, :] (+)= Σ_p A[p, i] · B[p, :]
  for (let i = 0; i < m; i++) rowTimesRows(c + <usize>i * rowBytes, a + (<usize>i << 3), <usize>m << 3, b, rowBytes, k, n, accumulate, false);
  if (sums) rowTimesRows(sums, 0, 0, b, rowBytes, k, n, 0, true); // the same sums as columnSums
}

function smallMatmulTransB(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32): void {
  const kBytes = <usize>k << 3;
  for (let i = 0; i < m; i++) {
    const aRow = a + <usize>i * kBytes;
    const cRow = c + ((<usize>i * <usize>n) << 3);
    for (let j = 0; j < n; j++) {
      const bRow = b + <usize>j * kBytes;
      let sum: f64 = 0;
      for (let p = 0; p < k; p++) sum += load<f64>(aRow + (<usize>p << 3)) * load<f64>(bRow + (<usize>p << 3));
      const cp = cRow + (<usize>j << 3);
      store<f64>(cp, accumulate ? load<f64>(cp) + sum : sum);
    }
  }
}
