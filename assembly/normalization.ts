// The normalization layer's kernels (keras.layers.Normalization): out = (x − mean) / d with
// d = max(√variance, 1e-7) per column, so a constant column (variance 0) gives 0 at its mean
// rather than NaN, as Keras does. Mirrors src/backend/js.ts (normalizeForward,
// normalizeBackward); every argument is a byte pointer or a size.

/** Keras's backend.epsilon(): the smallest denominator (a column's √variance below it is raised to it). */
const FLOOR: f64 = 1e-7;

/** out[r, j] = (x[r, j] − mean[j]) / max(√variance[j], 1e-7) for x, out [rows×cols]. */
export function normalizeForward(x: usize, mean: usize, variance: usize, out: usize, rows: i32, cols: i32): void {
  for (let j = 0; j < cols; j++) {
    const off = <usize>j << 3;
    const m = load<f64>(mean + off);
    const d = max(sqrt(load<f64>(variance + off)), FLOOR);
    for (let r = 0; r < rows; r++) {
      const at = off + ((<usize>r * <usize>cols) << 3);
      store<f64>(out + at, (load<f64>(x + at) - m) / d);
    }
  }
}

/** d[r, j] /= max(√variance[j], 1e-7): the gradient through the layer, in place. */
export function normalizeBackward(g: usize, variance: usize, rows: i32, cols: i32): void {
  for (let j = 0; j < cols; j++) {
    const off = <usize>j << 3;
    const d = max(sqrt(load<f64>(variance + off)), FLOOR);
    for (let r = 0; r < rows; r++) {
      const at = off + ((<usize>r * <usize>cols) << 3);
      store<f64>(g + at, load<f64>(g + at) / d);
    }
  }
}

// ---- batch normalization ------------------------------------------------------------------
// z = γ·(x − μ)·s + β per column, s = 1/√(σ² + ε). Training: μ and σ² are the batch's
// (σ² biased, Σ(x − μ)²/n); otherwise the moving ones. `aux` [3×units] receives μ, σ² and s,
// which the backward pass and the moving-statistics update read. stats: moving μ, then σ².

/** The batch normalization forward pass into z (the step applies the activation after).
 *  Row by row, each column's sums accumulating in aux: the same additions in the same order as
 *  column by column, without walking down columns (a stride of units·8 bytes, a power of two
 *  for the usual widths, which maps every row of a column to the same two cache sets). */
export function batchNormForward(x: usize, gamma: usize, beta: usize, stats: usize, aux: usize, z: usize, rows: i32, units: i32, epsilon: f64, training: bool): void {
  const u = <usize>units << 3;
  const meanAt = aux, varAt = aux + u, sAt = aux + 2 * u;
  if (training) {
    for (let j = 0; j < units; j++) {
      store<f64>(meanAt + (<usize>j << 3), 0);
      store<f64>(varAt + (<usize>j << 3), 0);
    }
    for (let r = 0; r < rows; r++) {
      const row = x + <usize>r * u;
      for (let j = 0; j < units; j++) {
        const off = <usize>j << 3;
        store<f64>(meanAt + off, load<f64>(meanAt + off) + load<f64>(row + off));
      }
    }
    for (let j = 0; j < units; j++) store<f64>(meanAt + (<usize>j << 3), load<f64>(meanAt + (<usize>j << 3)) / <f64>rows);
    for (let r = 0; r < rows; r++) {
      const row = x + <usize>r * u;
      for (let j = 0; j < units; j++) {
        const off = <usize>j << 3;
        const d = load<f64>(row + off) - load<f64>(meanAt + off);
        store<f64>(varAt + off, load<f64>(varAt + off) + d * d);
      }
    }
    for (let j = 0; j < units; j++) store<f64>(varAt + (<usize>j << 3), load<f64>(varAt + (<usize>j << 3)) / <f64>rows);
  } else {
    for (let j = 0; j < units; j++) {
      const off = <usize>j << 3;
      store<f64>(meanAt + off, load<f64>(stats + off));
      store<f64>(varAt + off, load<f64>(stats + u + off));
    }
  }
  for (let j = 0; j < units; j++) {
    const off = <usize>j << 3;
    store<f64>(sAt + off, 1.0 / sqrt(load<f64>(varAt + off) + epsilon));
  }
  for (let r = 0; r < rows; r++) {
    const at = <usize>r * u;
    for (let j = 0; j < units; j++) {
      const off = <usize>j << 3;
      store<f64>(z + at + off, load<f64>(gamma + off) * ((load<f64>(x + at + off) - load<f64>(meanAt + off)) * load<f64>(sAt + off)) + load<f64>(beta + off));
    }
  }
}

/** Given dZ: dγ = Σ dZ·x̂, dβ = Σ dZ and, when dX ≠ 0, dX = γ·s·(dZ − Σ dZ/n − x̂·Σ(dZ·x̂)/n)
 *  in training (the batch's statistics depend on x), γ·s·dZ otherwise. Row by row, the sums
 *  accumulating in dγ and dβ (the same order as column by column). */
export function batchNormBackward(x: usize, gamma: usize, aux: usize, dZ: usize, dGamma: usize, dBeta: usize, dX: usize, rows: i32, units: i32, training: bool): void {
  const u = <usize>units << 3;
  const meanAt = aux, sAt = aux + 2 * u;
  const n = <f64>rows;
  for (let j = 0; j < units; j++) {
    store<f64>(dBeta + (<usize>j << 3), 0);
    store<f64>(dGamma + (<usize>j << 3), 0);
  }
  for (let r = 0; r < rows; r++) {
    const at = <usize>r * u;
    for (let j = 0; j < units; j++) {
      const off = <usize>j << 3;
      const d = load<f64>(dZ + at + off);
      store<f64>(dBeta + off, load<f64>(dBeta + off) + d);
      store<f64>(dGamma + off, load<f64>(dGamma + off) + d * ((load<f64>(x + at + off) - load<f64>(meanAt + off)) * load<f64>(sAt + off)));
    }
  }
  if (dX == 0) return;
  for (let r = 0; r < rows; r++) {
    const at = <usize>r * u;
    for (let j = 0; j < units; j++) {
      const off = <usize>j << 3;
      const s = load<f64>(sAt + off);
      const gs = load<f64>(gamma + off) * s;
      if (training) {
        const xhat = (load<f64>(x + at + off) - load<f64>(meanAt + off)) * s;
        store<f64>(dX + at + off, gs * (load<f64>(dZ + at + off) - load<f64>(dBeta + off) / n - xhat * (load<f64>(dGamma + off) / n)));
      } else {
        store<f64>(dX + at + off, gs * load<f64>(dZ + at + off));
      }
    }
  }
}

/** After a successful training step: moving = m·moving + (1 − m)·batch, the variance ×
 *  n/(n − 1) when `unbiased` (PyTorch's running_var) and n > 1. */
export function batchNormUpdate(stats: usize, aux: usize, units: i32, momentum: f64, rows: i32, unbiased: bool): void {
  const u = <usize>units << 3;
  const keep = 1.0 - momentum;
  const correction = unbiased && rows > 1 ? <f64>rows / <f64>(rows - 1) : 1.0;
  for (let j = 0; j < units; j++) {
    const off = <usize>j << 3;
    store<f64>(stats + off, momentum * load<f64>(stats + off) + keep * load<f64>(aux + off));
    store<f64>(stats + u + off, momentum * load<f64>(stats + u + off) + keep * (load<f64>(aux + u + off) * correction));
  }
}

// ---- layer normalization ------------------------------------------------------------------
// Per row: z = γ·(x − μ)·s + β, μ and σ² (biased) over the row's units, s = 1/√(σ² + ε); the
// same in training and inference. aux [2×rows]: each row's μ, then each row's s.

/** The layer normalization forward pass into z (the step applies the activation after). */
export function layerNormForward(x: usize, gamma: usize, beta: usize, aux: usize, z: usize, rows: i32, units: i32, epsilon: f64): void {
  const n = <f64>units;
  for (let r = 0; r < rows; r++) {
    const row = (<usize>r * <usize>units) << 3;
    let sum: f64 = 0;
    for (let j = 0; j < units; j++) sum += load<f64>(x + row + (<usize>j << 3));
    const mean = sum / n;
    let sq: f64 = 0;
    for (let j = 0; j < units; j++) {
      const d = load<f64>(x + row + (<usize>j << 3)) - mean;
      sq += d * d;
    }
    const s = 1.0 / sqrt(sq / n + epsilon);
    store<f64>(aux + (<usize>r << 3), mean);
    store<f64>(aux + (<usize>(rows + r) << 3), s);
    for (let j = 0; j < units; j++) {
      const off = <usize>j << 3;
      store<f64>(z + row + off, load<f64>(gamma + off) * ((load<f64>(x + row + off) - mean) * s) + load<f64>(beta + off));
    }
  }
}

/** Given dZ: dγ = Σ_rows dZ·x̂, dβ = Σ_rows dZ and, when dX ≠ 0, per row with g = dZ·γ:
 *  dX = s·(g − mean(g) − x̂·mean(g·x̂)). */
export function layerNormBackward(x: usize, gamma: usize, aux: usize, dZ: usize, dGamma: usize, dBeta: usize, dX: usize, rows: i32, units: i32): void {
  const n = <f64>units;
  for (let j = 0; j < units; j++) {
    store<f64>(dGamma + (<usize>j << 3), 0);
    store<f64>(dBeta + (<usize>j << 3), 0);
  }
  for (let r = 0; r < rows; r++) {
    const row = (<usize>r * <usize>units) << 3;
    const mean = load<f64>(aux + (<usize>r << 3));
    const s = load<f64>(aux + (<usize>(rows + r) << 3));
    let sumG: f64 = 0, sumGX: f64 = 0;
    for (let j = 0; j < units; j++) {
      const off = <usize>j << 3;
      const d = load<f64>(dZ + row + off);
      const xhat = (load<f64>(x + row + off) - mean) * s;
      store<f64>(dBeta + off, load<f64>(dBeta + off) + d);
      store<f64>(dGamma + off, load<f64>(dGamma + off) + d * xhat);
      const g = d * load<f64>(gamma + off);
      sumG += g;
      sumGX += g * xhat;
    }
    if (dX == 0) continue;
    const meanG = sumG / n, meanGX = sumGX / n;
    for (let j = 0; j < units; j++) {
      const off = <usize>j << 3;
      const xhat = (load<f64>(x + row + off) - mean) * s;
      store<f64>(dX + row + off, s * (load<f64>(dZ + row + off) * load<f64>(gamma + off) - meanG - xhat * meanGX));
    }
  }
}
