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
import { FEW_ROWS } from './codes';

const MR = 4; // rows of C per micro-tile
const NR = 4; // columns of C per micro-tile
const KC = 256; // depth of a packed block: the A panel (KC×MR) stays in L1
const KC_FORWARD = 800; // X·W's depth: one block up to k = 800 (784: C loaded and stored once, 4–5% faster)
const NC = 512; // width of a packed B block (KC×NC = 1 MiB at most in training's backward products)
export const SMALL = 4096; // m·k·n below this: plain loops

/** f64s of scratch the packed path needs for a product with inner size k and n columns. */
export function gemmScratchSize(k: i32, n: i32): i32 {
  const kc = min(k, KC_FORWARD);
  const nc = min((n + NR - 1) & ~(NR - 1), NC);
  return kc * (nc + MR);
}

/** C[m×n] (+)= A[m×k] · B[k×n]. `packed` ≠ 0: B as packWeights left it there (the packed
 *  path then skips packing). A few rows (m ≤ FEW_ROWS) of a product too large for the plain
 *  loops read B in place, never packed (for tiny products the plain loops, which keep C in
 *  registers, are faster: XOR's epoch). All three paths give the same bits. */
export function matmul(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, scratch: usize, packed: usize): void {
  if (<i64>m * k * n < SMALL) smallMatmul(a, b, c, m, k, n, accumulate);
  else if (m <= FEW_ROWS) fewRows(a, b, c, m, k, n, accumulate);
  else gemm(false, false, a, b, c, m, k, n, accumulate, scratch, packed, k, n, n);
}

/** C[m×n] (+)= A[k×m]ᵀ · B[k×n] */
export function matmulTransA(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, scratch: usize): void {
  if (<i64>m * k * n < SMALL) smallMatmulTransA(a, b, c, m, k, n, accumulate);
  else gemm(true, false, a, b, c, m, k, n, accumulate, scratch, 0, m, n, n);
}

/** C[m×n] (+)= A[m×k] · B[n×k]ᵀ */
export function matmulTransB(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, scratch: usize): void {
  if (<i64>m * k * n < SMALL) smallMatmulTransB(a, b, c, m, k, n, accumulate);
  else gemm(false, true, a, b, c, m, k, n, accumulate, scratch, 0, k, k, n);
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
//
// In the forward product X·W every element of C is summed in p order from its starting
// value (0, or C's own value when accumulating): the micro-kernel starts its registers from
// C, so a product split into KC blocks adds its terms in the same order as the plain loops
// and fewRows. A row of X·W therefore has the same bits whichever path computes it and
// however many rows come with it (predict in chunks equals the training forward pass to the
// bit). The backward products add each block's sums to C instead (3–5% faster; nothing
// compares them across paths).

/** f64s packWeights writes for a k×n matrix: every KC_FORWARD×NC block's panels, n rounded up to NR. */
export function packedSize(k: i32, n: i32): i32 {
  return k * ((n + NR - 1) & ~(NR - 1));
}

/** Where packWeights put the panels of columns [from, from + count) of W[k×n], for a block of
 *  columns of X·W (threads/parallel.ts) to pass to gemm as its own packed B; 0 where that
 *  layout differs from the block's own (k deeper than one packed block, or the columns crossing
 *  an NC block). `from` is a multiple of NR. */
export function packedColumns(packed: usize, k: i32, n: i32, from: i32, count: i32): usize {
  const j0 = from - from % NC;
  if (k > KC_FORWARD || from + count > j0 + NC) return 0;
  return packed + ((packedBlock(k, j0, 0, min(NC, n - j0)) + <usize>(from - j0) * <usize>k) << 3);
}

/** Packs W[k×n] into dst, the layout gemm reads B from (block (j0, p0) at j0·k + p0·nc↑NR),
 *  once, so that forward passes over many rows skip packing until the weights change. */
export function packWeights(w: usize, k: i32, n: i32, dst: usize): void {
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC_FORWARD) packB(false, w, n, p0, min(KC_FORWARD, k - p0), j0, nc, dst + (packedBlock(k, j0, p0, nc) << 3));
  }
}

@inline function packedBlock(k: i32, j0: i32, p0: i32, nc: i32): usize {
  return <usize>j0 * <usize>k + <usize>p0 * <usize>((nc + NR - 1) & ~(NR - 1));
}

// @inline so that each export gets its own copy with transA/transB known at compile time.
// lda, ldb and ldc are the f64s between rows of the matrices as stored (A is k×m when transA,
// B is n×k when transB): the products above pass their natural widths; the thread pool's
// blocks (threads/parallel.ts) pass a block of a larger matrix. Where a block of C starts
// changes nothing in how each of its elements is summed. `packed` (B packed by packWeights)
// must hold exactly this B: a block of whole rows of C may pass it, a block of columns may not.
@inline export function gemm(transA: bool, transB: bool, a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, scratch: usize, packed: usize, lda: i32, ldb: i32, ldc: i32): void {
  if (k == 0) {
    if (!accumulate) for (let i = 0; i < m; i++) zeroF64(c + ((<usize>i * <usize>ldc) << 3), n);
    return;
  }
  const depth = transA || transB ? KC : KC_FORWARD;
  const packedA = scratch;
  const packedB = scratch + ((<usize>min(k, depth) * MR) << 3);
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += depth) {
      const kc = min(depth, k - p0);
      const overwrite = p0 == 0 && !accumulate;
      let blockB = packedB;
      if (packed) blockB = packed + (packedBlock(k, j0, p0, nc) << 3);
      else packB(transB, b, ldb, p0, kc, j0, nc, packedB);
      for (let i0 = 0; i0 < m; i0 += MR) {
        const rows = min(MR, m - i0);
        packA(transA, a, lda, i0, rows, p0, kc, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const panel = blockB + ((<usize>jr * <usize>kc) << 3);
          const cTile = c + ((<usize>i0 * <usize>ldc + <usize>(j0 + jr)) << 3);
          microKernel(!transA && !transB, packedA, panel, kc, cTile, ldc, rows, cols, overwrite);
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

/** C[rows×cols] (+)= Apanel[kc×MR]ᵀ-ish · Bpanel[kc×NR]: eight f64x2 registers (a 4×4 tile
 *  of C) add the outer product of A(:, p) and B(p, :) for each p in order. `fromC` (the
 *  forward product X·W): they start from C (or 0 when overwriting) and go back to C, so the
 *  sums run in p order across blocks; otherwise (the backward products) they start from 0
 *  and the block's sums are added to C at the end, which measured 3–5% faster. */
@inline function microKernel(fromC: bool, ap: usize, bp: usize, kc: i32, c: usize, ldc: i32, rows: i32, cols: i32, overwrite: bool): void {
  const ldcBytes = <usize>ldc << 3;
  const full = rows == MR && cols == NR;
  let c00 = f64x2.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  if (fromC && !overwrite) {
    c00 = loadTile(c, 0, cols, full);
    c01 = loadTile(c, 2, cols, full);
    if (rows > 1) {
      c10 = loadTile(c + ldcBytes, 0, cols, full);
      c11 = loadTile(c + ldcBytes, 2, cols, full);
    }
    if (rows > 2) {
      c20 = loadTile(c + 2 * ldcBytes, 0, cols, full);
      c21 = loadTile(c + 2 * ldcBytes, 2, cols, full);
    }
    if (rows > 3) {
      c30 = loadTile(c + 3 * ldcBytes, 0, cols, full);
      c31 = loadTile(c + 3 * ldcBytes, 2, cols, full);
    }
  }
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
  if (!fromC && !overwrite) { // add the block's sums to C
    c00 = f64x2.add(loadTile(c, 0, cols, full), c00);
    c01 = f64x2.add(loadTile(c, 2, cols, full), c01);
    if (rows > 1) {
      c10 = f64x2.add(loadTile(c + ldcBytes, 0, cols, full), c10);
      c11 = f64x2.add(loadTile(c + ldcBytes, 2, cols, full), c11);
    }
    if (rows > 2) {
      c20 = f64x2.add(loadTile(c + 2 * ldcBytes, 0, cols, full), c20);
      c21 = f64x2.add(loadTile(c + 2 * ldcBytes, 2, cols, full), c21);
    }
    if (rows > 3) {
      c30 = f64x2.add(loadTile(c + 3 * ldcBytes, 0, cols, full), c30);
      c31 = f64x2.add(loadTile(c + 3 * ldcBytes, 2, cols, full), c31);
    }
  }
  if (full) {
    v128.store(c, c00);
    v128.store(c, c01, 16);
    v128.store(c + ldcBytes, c10);
    v128.store(c + ldcBytes, c11, 16);
    v128.store(c + 2 * ldcBytes, c20);
    v128.store(c + 2 * ldcBytes, c21, 16);
    v128.store(c + 3 * ldcBytes, c30);
    v128.store(c + 3 * ldcBytes, c31, 16);
    return;
  }
  storePartialRow(c, c00, c01, cols);
  if (rows > 1) storePartialRow(c + ldcBytes, c10, c11, cols);
  if (rows > 2) storePartialRow(c + 2 * ldcBytes, c20, c21, cols);
  if (rows > 3) storePartialRow(c + 3 * ldcBytes, c30, c31, cols);
}

/** Columns j, j+1 of the C row at c (0 beyond `cols`). */
@inline function loadTile(c: usize, j: i32, cols: i32, full: bool): v128 {
  if (full) return v128.load(c + (<usize>j << 3));
  const lo = j < cols ? load<f64>(c + (<usize>j << 3)) : 0.0;
  const hi = j + 1 < cols ? load<f64>(c + (<usize>j << 3), 8) : 0.0;
  return f64x2.replace_lane(f64x2.splat(lo), 1, hi);
}

@inline function storePartialRow(c: usize, lo: v128, hi: v128, cols: i32): void {
  store<f64>(c, f64x2.extract_lane(lo, 0));
  if (cols > 1) store<f64>(c, f64x2.extract_lane(lo, 1), 8);
  if (cols > 2) store<f64>(c, f64x2.extract_lane(hi, 0), 16);
  if (cols > 3) store<f64>(c, f64x2.extract_lane(hi, 1), 24);
}

// ---- a few rows: W read in place --------------------------------------------------------------

/** C[m×n] (+)= A[m×k]·B[k×n] for a few rows (a prediction, a tiny batch): packing B would copy
 *  all of it to use it once or twice, so B is streamed in its own row-major layout, four rows
 *  of B at a time (four sequential streams the prefetcher follows), f64x2 along C's columns;
 *  two rows of A share each load of B. C stays in memory (a row is a few KB, in L1) and each
 *  element adds its four terms in p order, so the sums are those of every other path.
 *  ldb and ldc: f64s between rows of B and of C (n, or a larger matrix's width for a block of
 *  its columns: threads/parallel.ts). */
export function fewRows(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, ldb: i32 = n, ldc: i32 = n): void {
  if (!accumulate) for (let i = 0; i < m; i++) zeroF64(c + ((<usize>i * <usize>ldc) << 3), n);
  let i = 0;
  for (; i + 2 <= m; i += 2) rowsTimesB(true, a, b, c, i, k, n, ldb, ldc);
  if (i < m) rowsTimesB(false, a, b, c, i, k, n, ldb, ldc);
}

/** C[i, :] (and C[i+1, :] when `two`) += A[i, :]·B. */
@inline function rowsTimesB(two: bool, a: usize, b: usize, c: usize, i: i32, k: i32, n: i32, ldb: i32, ldc: i32): void {
  const rowBytes = <usize>ldb << 3; // between rows of B
  const cRowBytes = <usize>ldc << 3;
  const kBytes = <usize>k << 3;
  const a0 = a + <usize>i * kBytes;
  const a1 = a0 + kBytes;
  const c0 = c + <usize>i * cRowBytes;
  const c1 = c0 + cRowBytes;
  const end = (<usize>n << 3) & ~15; // whole f64x2 pairs of columns
  let p = 0;
  for (; p + 4 <= k; p += 4) {
    const pb = <usize>p << 3;
    const b0 = b + <usize>p * rowBytes;
    const u0 = v128.load64_splat(a0 + pb), u1 = v128.load64_splat(a0 + pb, 8), u2 = v128.load64_splat(a0 + pb, 16), u3 = v128.load64_splat(a0 + pb, 24);
    let v0 = u0, v1 = u1, v2 = u2, v3 = u3;
    if (two) {
      v0 = v128.load64_splat(a1 + pb); v1 = v128.load64_splat(a1 + pb, 8); v2 = v128.load64_splat(a1 + pb, 16); v3 = v128.load64_splat(a1 + pb, 24);
    }
    for (let j: usize = 0; j < end; j += 16) {
      const w = b0 + j;
      const w0 = v128.load(w), w1 = v128.load(w + rowBytes), w2 = v128.load(w + 2 * rowBytes), w3 = v128.load(w + 3 * rowBytes);
      v128.store(c0 + j, f64x2.add(f64x2.add(f64x2.add(f64x2.add(v128.load(c0 + j), f64x2.mul(u0, w0)), f64x2.mul(u1, w1)), f64x2.mul(u2, w2)), f64x2.mul(u3, w3)));
      if (two) v128.store(c1 + j, f64x2.add(f64x2.add(f64x2.add(f64x2.add(v128.load(c1 + j), f64x2.mul(v0, w0)), f64x2.mul(v1, w1)), f64x2.mul(v2, w2)), f64x2.mul(v3, w3)));
    }
  }
  for (; p < k; p++) { // the last k mod 4 rows of B
    const b0 = b + <usize>p * rowBytes;
    const u = v128.load64_splat(a0 + (<usize>p << 3));
    const v = two ? v128.load64_splat(a1 + (<usize>p << 3)) : u;
    for (let j: usize = 0; j < end; j += 16) {
      const w = v128.load(b0 + j);
      v128.store(c0 + j, f64x2.add(v128.load(c0 + j), f64x2.mul(u, w)));
      if (two) v128.store(c1 + j, f64x2.add(v128.load(c1 + j), f64x2.mul(v, w)));
    }
  }
  if (end < (<usize>n << 3)) { // an odd last column, summed in p order like the rest
    oddColumn(a0, b + end, c0 + end, k, rowBytes);
    if (two) oddColumn(a1, b + end, c1 + end, k, rowBytes);
  }
}

/** c += Σ_p a[p]·w[p·stride], in p order. */
function oddColumn(a: usize, w: usize, c: usize, k: i32, stride: usize): void {
  let z = load<f64>(c);
  for (let p = 0; p < k; p++) z += load<f64>(a + (<usize>p << 3)) * load<f64>(w + <usize>p * stride);
  store<f64>(c, z);
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
