// Weight penalties and gradient clipping, applied by the fused step over raw slabs.

/** Adds the L1/L2 penalty's gradient to dW (dW += l1·sign(W) + 2·l2·W) when `withGradient`,
 *  and returns the penalty l1·Σ|W| + l2·ΣW² (added to the loss, as in Keras). */
export function weightPenalty(w: usize, dw: usize, count: i32, l1: f64, l2: f64, withGradient: bool): f64 {
  let sumAbs: f64 = 0;
  let sumSq: f64 = 0;
  for (let i = 0; i < count; i++) {
    const off = <usize>i << 3;
    const wi = load<f64>(w + off);
    sumAbs += Math.abs(wi);
    sumSq += wi * wi;
    if (withGradient) {
      const sign: f64 = wi > 0 ? 1.0 : wi < 0 ? -1.0 : 0.0;
      store<f64>(dw + off, load<f64>(dw + off) + l1 * sign + 2.0 * l2 * wi);
    }
  }
  return l1 * sumAbs + l2 * sumSq;
}

/** Scales the gradients so their global L2 norm is at most maxNorm; returns the norm before. */
export function clipGlobalNorm(g: usize, count: i32, maxNorm: f64): f64 {
  let sumSq: f64 = 0;
  for (let i = 0; i < count; i++) {
    const v = load<f64>(g + (<usize>i << 3));
    sumSq += v * v;
  }
  const norm = Math.sqrt(sumSq);
  if (norm > maxNorm) {
    const scale = maxNorm / norm;
    for (let i = 0; i < count; i++) {
      const off = <usize>i << 3;
      store<f64>(g + off, load<f64>(g + off) * scale);
    }
  }
  return norm;
}
