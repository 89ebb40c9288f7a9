// A dense layer inside the fused step: Z = X·W + b, A = f(Z), and its backward pass.
// Mirrors src/backend/js.ts (denseForward, denseBackward); every argument is a byte pointer or
// a size.
import { matmul, matmulTransAColumnSums, matmulTransB } from './gemm';
import { fillRows } from './rows';
import { activate } from './activations';
import { parallelDenseBackward, parallelDenseForward, splittable } from './threads/parallel';

/** Z = X·W + b; A = f(Z). x is [rows×inputs], w [inputs×units], z and a [rows×units].
 *  Z starts as b in every row and the product accumulates onto it: one pass fewer than
 *  computing X·W and adding b after (so z = b + Σ_p x_p·w_p, summed in that order, on every
 *  path of the product). `packed` ≠ 0: W as packWeights left it there. */
export function denseForward(x: usize, w: usize, b: usize, z: usize, a: usize, rows: i32, inputs: i32, units: i32, act: i32, alpha: f64, scratch: usize, packed: usize): void {
  // threads build only (compiled out of the core): large products across the thread pool
  if (ASC_FEATURE_THREADS && splittable(rows, inputs, units) && parallelDenseForward(x, w, b, z, a, rows, inputs, units, act, alpha, packed)) return;
  fillRows(z, b, rows, units);
  matmul(x, w, z, rows, inputs, units, 1, scratch, packed);
  activate(act, z, a, rows, units, alpha);
}

/** Given dZ [rows×units]: dW = Xᵀ·dZ, db = Σ_rows dZ and, when dX ≠ 0, dX = dZ·Wᵀ. */
export function denseBackward(x: usize, w: usize, dZ: usize, dW: usize, db: usize, dX: usize, rows: i32, inputs: i32, units: i32, scratch: usize): void {
  if (ASC_FEATURE_THREADS && splittable(rows, inputs, units) && parallelDenseBackward(x, w, dZ, dW, db, dX, rows, inputs, units, scratch)) return;
  matmulTransAColumnSums(x, dZ, dW, db, inputs, rows, units, scratch);
  if (dX != 0) matmulTransB(dZ, w, dX, rows, units, inputs, 0, scratch);
}
