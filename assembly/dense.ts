// A dense layer inside the fused step: Z = X·W + b, A = f(Z), and its backward pass.
// Mirrors src/layers/dense.ts; every argument is a byte pointer or a size.
import { matmul, matmulTransA, matmulTransB } from './gemm';
import { addBias, columnSums } from './rows';
import { activate } from './activations';

/** Z = X·W + b; A = f(Z). x is [rows×inputs], w [inputs×units], z and a [rows×units]. */
export function denseForward(x: usize, w: usize, b: usize, z: usize, a: usize, rows: i32, inputs: i32, units: i32, act: i32, alpha: f64, scratch: usize): void {
  matmul(x, w, z, rows, inputs, units, 0, scratch);
  addBias(z, b, rows, units);
  activate(act, z, a, rows, units, alpha);
}

/** Given dZ [rows×units]: dW = Xᵀ·dZ, db = Σ_rows dZ and, when dX ≠ 0, dX = dZ·Wᵀ. */
export function denseBackward(x: usize, w: usize, dZ: usize, dW: usize, db: usize, dX: usize, rows: i32, inputs: i32, units: i32, scratch: usize): void {
  matmulTransA(x, dZ, dW, inputs, rows, units, 0, scratch);
  columnSums(dZ, db, rows, units, 0);
  if (dX != 0) matmulTransB(dZ, w, dX, rows, units, inputs, 0, scratch);
}
