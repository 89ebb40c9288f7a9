// Losses: each returns the batch loss (a mean) and writes its gradient. Mean squared error
// writes dL/dA (the activation's backward pass follows); the two cross-entropies are fused
// with their output activation and write dL/dZ directly, computed from the logits z for
// stability (no clipped logarithms needed).
import { exp } from './math';

/** L = mean((a − y)²) over `count` elements; grad = dL/da = 2(a − y)/count. */
export function mse(a: usize, y: usize, grad: usize, count: i32): f64 {
  const scale = 2.0 / <f64>count;
  let sum: f64 = 0;
  for (let i = 0; i < count; i++) {
    const off = <usize>i << 3;
    const diff = load<f64>(a + off) - load<f64>(y + off);
    sum += diff * diff;
    store<f64>(grad + off, scale * diff);
  }
  return sum / <f64>count;
}

/** Softmax + categorical cross-entropy over [rows×cols]:
 *  L = (1/rows) Σ_r Σ_j y_rj·(logΣ_k e^{z_rk} − z_rj);  dL/dz_rj = (p_rj·Σ_k y_rk − y_rj)/rows,
 *  which is the familiar (p − y)/rows when each target row sums to 1. p = softmax(z), as the
 *  forward pass computed it: its entry at the row's (first) largest logit m is exactly
 *  1/Σ_k e^{z_k − m}, so logΣ_k e^{z_k} = m − log p_m, with no exponential evaluated again. */
export function softmaxCrossEntropy(z: usize, p: usize, y: usize, grad: usize, rows: i32, cols: i32): f64 {
  const invRows = 1.0 / <f64>rows;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const rowOff = <usize>r * <usize>cols << 3;
    const logSumExp = rowLogSumExp(z, p, rowOff, cols);
    let ySum: f64 = 0;
    for (let j = 0; j < cols; j++) ySum += load<f64>(y + rowOff + (<usize>j << 3));
    for (let j = 0; j < cols; j++) {
      const off = rowOff + (<usize>j << 3);
      const yj = load<f64>(y + off);
      if (yj != 0) total += yj * (logSumExp - load<f64>(z + off));
      store<f64>(grad + off, (load<f64>(p + off) * ySum - yj) * invRows);
    }
  }
  return total * invRows;
}

/** logΣ_k e^{z_k} of one row, read off its softmax p (see softmaxCrossEntropy). */
@inline function rowLogSumExp(z: usize, p: usize, rowOff: usize, cols: i32): f64 {
  let max = load<f64>(z + rowOff);
  let at = rowOff;
  for (let j = 1; j < cols; j++) {
    const off = rowOff + (<usize>j << 3);
    const v = load<f64>(z + off);
    if (v > max) {
      max = v;
      at = off;
    }
  }
  return max - Math.log(load<f64>(p + at));
}

/** Sigmoid + binary cross-entropy, mean over `count` elements:
 *  L = mean(max(z,0) − z·y + log(1 + e^−|z|))  (= −[y·log p + (1−y)·log(1−p)], p = σ(z));
 *  dL/dz = (p − y)/count. */
export function sigmoidBinaryCrossEntropy(z: usize, p: usize, y: usize, grad: usize, count: i32): f64 {
  const invCount = 1.0 / <f64>count;
  let total: f64 = 0;
  for (let i = 0; i < count; i++) {
    const off = <usize>i << 3;
    const zi = load<f64>(z + off);
    const yi = load<f64>(y + off);
    total += Math.max(zi, 0) - zi * yi + Math.log1p(exp(-Math.abs(zi)));
    store<f64>(grad + off, (load<f64>(p + off) - yi) * invCount);
  }
  return total * invCount;
}

/** L = mean(|a − y|); dL/da = sign(a − y)/count (0 where a = y). */
export function mae(a: usize, y: usize, grad: usize, count: i32): f64 {
  const inv = 1.0 / <f64>count;
  let sum: f64 = 0;
  for (let i = 0; i < count; i++) {
    const off = <usize>i << 3;
    const diff = load<f64>(a + off) - load<f64>(y + off);
    sum += Math.abs(diff);
    store<f64>(grad + off, diff > 0 ? inv : diff < 0 ? -inv : 0.0);
  }
  return sum * inv;
}

/** Huber: per element ½d² where |d| ≤ δ, else δ·(|d| − ½δ), d = a − y; mean over `count`.
 *  dL/da = clamp(d, −δ, δ)/count. */
export function huber(a: usize, y: usize, grad: usize, count: i32, delta: f64): f64 {
  const inv = 1.0 / <f64>count;
  let sum: f64 = 0;
  for (let i = 0; i < count; i++) {
    const off = <usize>i << 3;
    const d = load<f64>(a + off) - load<f64>(y + off);
    const ad = Math.abs(d);
    sum += ad <= delta ? 0.5 * d * d : delta * (ad - 0.5 * delta);
    store<f64>(grad + off, (ad <= delta ? d : d > 0 ? delta : -delta) * inv);
  }
  return sum * inv;
}

/** Softmax + cross-entropy with integer labels (one per row, in y[rows]):
 *  L = (1/rows) Σ_r (logΣ_k e^{z_rk} − z_r,label);  dL/dz_rj = (p_rj − [j = label])/rows, with
 *  p = softmax(z) from the forward pass (log-sum-exp read off it, as softmaxCrossEntropy). */
export function sparseSoftmaxCrossEntropy(z: usize, p: usize, labels: usize, grad: usize, rows: i32, cols: i32): f64 {
  const invRows = 1.0 / <f64>rows;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const rowOff = <usize>r * <usize>cols << 3;
    const label = <i32>load<f64>(labels + (<usize>r << 3));
    total += rowLogSumExp(z, p, rowOff, cols) - load<f64>(z + rowOff + (<usize>label << 3));
    for (let j = 0; j < cols; j++) {
      const off = rowOff + (<usize>j << 3);
      store<f64>(grad + off, (load<f64>(p + off) - (j == label ? 1.0 : 0.0)) * invRows);
    }
  }
  return total * invRows;
}
