// The training metrics a step measures on its batch: twin of assembly/metrics.ts (same
// order of operations, so both backends give the same bits).
import { LOSS_SOFTMAX_CE, LOSS_SPARSE_SOFTMAX_CE } from './codes';

/** Correct predictions among `rows` rows of outputs p[rows×cols] against targets y: argmax
 *  match (first maximum wins) for softmax outputs, against the integer label at y[r] for the
 *  sparse loss; otherwise (sigmoid outputs) p ≥ 0.5 ⇔ y ≥ 0.5 per element, divided by cols. */
export function countCorrect(h: Float64Array, loss: number, p: number, y: number, rows: number, cols: number): number {
  if (loss === LOSS_SOFTMAX_CE || loss === LOSS_SPARSE_SOFTMAX_CE) {
    const sparse = loss === LOSS_SPARSE_SOFTMAX_CE;
    let correct = 0;
    for (let r = 0; r < rows; r++) {
      const row = r * cols;
      let bestP = 0;
      let bestY = 0;
      let maxP = h[p + row]!;
      let maxY = h[y + row]!;
      for (let j = 1; j < cols; j++) {
        const vp = h[p + row + j]!;
        if (vp > maxP) {
          maxP = vp;
          bestP = j;
        }
        if (!sparse) {
          const vy = h[y + row + j]!;
          if (vy > maxY) {
            maxY = vy;
            bestY = j;
          }
        }
      }
      if (sparse) bestY = h[y + r]! | 0;
      if (bestP === bestY) correct++;
    }
    return correct;
  }
  const count = rows * cols;
  let correct = 0;
  for (let i = 0; i < count; i++) if (h[p + i]! >= 0.5 === h[y + i]! >= 0.5) correct++;
  return correct / cols;
}

/** Σ |a − y| over a[rows×cols]; for the sparse loss y holds labels and the target row is
 *  their one-hot encoding. */
export function sumAbsError(h: Float64Array, loss: number, a: number, y: number, rows: number, cols: number): number {
  let sum = 0;
  if (loss === LOSS_SPARSE_SOFTMAX_CE) {
    for (let r = 0; r < rows; r++) {
      const label = h[y + r]! | 0;
      for (let j = 0; j < cols; j++) sum += Math.abs(h[a + r * cols + j]! - (j === label ? 1 : 0));
    }
    return sum;
  }
  const end = a + rows * cols;
  for (let i = a, j = y; i < end; i++, j++) sum += Math.abs(h[i]! - h[j]!);
  return sum;
}

/** Σ (a − y)² over a[rows×cols] (the mse metric); for the sparse loss the target row is the
 *  one-hot encoding of the label at y[r]. */
export function sumSquaredError(h: Float64Array, loss: number, a: number, y: number, rows: number, cols: number): number {
  let sum = 0;
  if (loss === LOSS_SPARSE_SOFTMAX_CE) {
    for (let r = 0; r < rows; r++) {
      const label = h[y + r]! | 0;
      for (let j = 0; j < cols; j++) {
        const d = h[a + r * cols + j]! - (j === label ? 1 : 0);
        sum += d * d;
      }
    }
    return sum;
  }
  const end = a + rows * cols;
  for (let i = a, j = y; i < end; i++, j++) {
    const d = h[i]! - h[j]!;
    sum += d * d;
  }
  return sum;
}
