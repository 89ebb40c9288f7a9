// The training metrics a step measures on its batch (the host asks through D_METRICS), so
// that fit never reads a batch's outputs back in JavaScript. Twin: src/backend/metrics.ts.
import { LOSS_SOFTMAX_CE, LOSS_SPARSE_SOFTMAX_CE } from './codes';

/** Correct predictions among `rows` rows of outputs p[rows×cols] against targets y: argmax
 *  match (first maximum wins) for softmax outputs, against the integer label at y[r] for the
 *  sparse loss; otherwise (sigmoid outputs) p ≥ 0.5 ⇔ y ≥ 0.5 per element, divided by cols. */
export function countCorrect(loss: i32, p: usize, y: usize, rows: i32, cols: i32): f64 {
  if (loss == LOSS_SOFTMAX_CE || loss == LOSS_SPARSE_SOFTMAX_CE) {
    const sparse = loss == LOSS_SPARSE_SOFTMAX_CE;
    let correct: i32 = 0;
    for (let r = 0; r < rows; r++) {
      const row = <usize>r * <usize>cols << 3;
      let bestP = 0;
      let bestY = 0;
      let maxP = load<f64>(p + row);
      let maxY = load<f64>(y + row);
      for (let j = 1; j < cols; j++) {
        const at = row + (<usize>j << 3);
        const vp = load<f64>(p + at);
        if (vp > maxP) { maxP = vp; bestP = j; }
        if (!sparse) {
          const vy = load<f64>(y + at);
          if (vy > maxY) { maxY = vy; bestY = j; }
        }
      }
      if (sparse) bestY = <i32>load<f64>(y + (<usize>r << 3));
      if (bestP == bestY) correct++;
    }
    return <f64>correct;
  }
  const count = rows * cols;
  let correct: i32 = 0;
  for (let i = 0; i < count; i++) {
    const at = <usize>i << 3;
    if ((load<f64>(p + at) >= 0.5) == (load<f64>(y + at) >= 0.5)) correct++;
  }
  return <f64>correct / <f64>cols;
}

/** Σ |a − y| over a[rows×cols]; for the sparse loss y holds labels and the target row is
 *  their one-hot encoding. */
export function sumAbsError(loss: i32, a: usize, y: usize, rows: i32, cols: i32): f64 {
  let sum: f64 = 0;
  if (loss == LOSS_SPARSE_SOFTMAX_CE) {
    for (let r = 0; r < rows; r++) {
      const label = <i32>load<f64>(y + (<usize>r << 3));
      const row = a + (<usize>r * <usize>cols << 3);
      for (let j = 0; j < cols; j++) sum += Math.abs(load<f64>(row + (<usize>j << 3)) - (j == label ? 1.0 : 0.0));
    }
    return sum;
  }
  const end = <usize>(rows * cols) << 3;
  for (let o: usize = 0; o < end; o += 8) sum += Math.abs(load<f64>(a + o) - load<f64>(y + o));
  return sum;
}

/** Σ (a − y)² over a[rows×cols] (the mse metric); for the sparse loss the target row is the
 *  one-hot encoding of the label at y[r]. */
export function sumSquaredError(loss: i32, a: usize, y: usize, rows: i32, cols: i32): f64 {
  let sum: f64 = 0;
  if (loss == LOSS_SPARSE_SOFTMAX_CE) {
    for (let r = 0; r < rows; r++) {
      const label = <i32>load<f64>(y + (<usize>r << 3));
      const row = a + (<usize>r * <usize>cols << 3);
      for (let j = 0; j < cols; j++) {
        const d = load<f64>(row + (<usize>j << 3)) - (j == label ? 1.0 : 0.0);
        sum += d * d;
      }
    }
    return sum;
  }
  const end = <usize>(rows * cols) << 3;
  for (let o: usize = 0; o < end; o += 8) {
    const d = load<f64>(a + o) - load<f64>(y + o);
    sum += d * d;
  }
  return sum;
}
