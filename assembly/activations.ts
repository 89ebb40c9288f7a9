// Activation functions a = f(z) and their backward pass dZ = dA ⊙ f'(z), elementwise except
// softmax (row-wise). Derivatives are written in terms of whichever of z or a is cheaper.
import {
  ACT_ELU, ACT_GELU, ACT_GELU_EXACT, ACT_LEAKY_RELU, ACT_RELU, ACT_RELU6, ACT_SELU, ACT_SIGMOID, ACT_SOFTMAX, ACT_SOFTPLUS, ACT_SWISH, ACT_TANH,
} from './codes';
import { erf, exp, tanh } from './math';
import { copyF64 } from './memory';

// SELU's constants (Klambauer et al. 2017) and GELU's tanh approximation (Hendrycks & Gimpel).
const SELU_LAMBDA: f64 = 1.0507009873554804934193349852946;
const SELU_ALPHA: f64 = 1.6732632423543772848170429916717;
const GELU_C: f64 = 0.7978845608028654; // √(2/π)
const GELU_K: f64 = 0.044715;
const SQRT1_2: f64 = 0.7071067811865476; // 1/√2
const INV_SQRT_2PI: f64 = 0.3989422804014327; // 1/√(2π)

@inline function sigmoid(z: f64): f64 {
  return 1.0 / (1.0 + exp(-z));
}

/** a = f(z) over a [rows×cols] matrix; a may alias z. `alpha` is leakyRelu's slope or elu's α.
 *  One loop per activation (the choice is made once, not per element). */
export function activate(kind: i32, z: usize, a: usize, rows: i32, cols: i32, alpha: f64): void {
  const end = <usize>(rows * cols) << 3;
  if (kind == ACT_SOFTMAX) {
    softmaxRows(z, a, rows, cols);
  } else if (kind == ACT_RELU) {
    for (let o: usize = 0; o < end; o += 8) { const v = load<f64>(z + o); store<f64>(a + o, v > 0 ? v : 0.0); } // max(0, z)
  } else if (kind == ACT_LEAKY_RELU) {
    for (let o: usize = 0; o < end; o += 8) { const v = load<f64>(z + o); store<f64>(a + o, v > 0 ? v : alpha * v); } // z > 0 ? z : α·z
  } else if (kind == ACT_RELU6) {
    for (let o: usize = 0; o < end; o += 8) { const v = load<f64>(z + o); store<f64>(a + o, v > 0 ? (v < 6 ? v : 6.0) : 0.0); } // min(max(0, z), 6)
  } else if (kind == ACT_SIGMOID) {
    for (let o: usize = 0; o < end; o += 8) store<f64>(a + o, sigmoid(load<f64>(z + o))); // 1 / (1 + e^−z)
  } else if (kind == ACT_TANH) {
    for (let o: usize = 0; o < end; o += 8) store<f64>(a + o, tanh(load<f64>(z + o)));
  } else if (kind == ACT_ELU) {
    for (let o: usize = 0; o < end; o += 8) { const v = load<f64>(z + o); store<f64>(a + o, v > 0 ? v : alpha * Math.expm1(v)); } // α(e^z − 1)
  } else if (kind == ACT_SELU) {
    for (let o: usize = 0; o < end; o += 8) { const v = load<f64>(z + o); store<f64>(a + o, SELU_LAMBDA * (v > 0 ? v : SELU_ALPHA * Math.expm1(v))); }
  } else if (kind == ACT_SOFTPLUS) {
    for (let o: usize = 0; o < end; o += 8) { const v = load<f64>(z + o); store<f64>(a + o, Math.max(v, 0) + Math.log1p(exp(-Math.abs(v)))); } // log(1 + e^z)
  } else if (kind == ACT_GELU) {
    for (let o: usize = 0; o < end; o += 8) { const v = load<f64>(z + o); store<f64>(a + o, 0.5 * v * (1.0 + tanh(GELU_C * (v + GELU_K * v * v * v)))); }
  } else if (kind == ACT_GELU_EXACT) {
    for (let o: usize = 0; o < end; o += 8) { const v = load<f64>(z + o); store<f64>(a + o, 0.5 * v * (1.0 + erf(v * SQRT1_2))); } // z·Φ(z)
  } else if (kind == ACT_SWISH) {
    for (let o: usize = 0; o < end; o += 8) { const v = load<f64>(z + o); store<f64>(a + o, v * sigmoid(v)); } // z·σ(z)
  } else if (a != z) {
    copyF64(a, z, rows * cols); // linear
  }
}

/** Row-wise softmax, shifted by the row maximum so exp never overflows. */
function softmaxRows(z: usize, a: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const zRow = z + (<usize>r * <usize>cols << 3);
    const aRow = a + (<usize>r * <usize>cols << 3);
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, load<f64>(zRow + (<usize>j << 3)));
    let sum: f64 = 0;
    for (let j = 0; j < cols; j++) {
      const e = exp(load<f64>(zRow + (<usize>j << 3)) - max);
      store<f64>(aRow + (<usize>j << 3), e);
      sum += e;
    }
    const inv = 1.0 / sum;
    for (let j = 0; j < cols; j++) {
      const p = aRow + (<usize>j << 3);
      store<f64>(p, load<f64>(p) * inv);
    }
  }
}

/** dZ = dA ⊙ f'(z) over [rows×cols]; dZ may alias dA. For softmax this is the Jacobian-vector
 *  product dZ = a ⊙ (dA − Σ_j dA_j·a_j), row by row. */
export function activateBackward(kind: i32, z: usize, a: usize, dA: usize, dZ: usize, rows: i32, cols: i32, alpha: f64): void {
  if (kind == ACT_SOFTMAX) {
    for (let r = 0; r < rows; r++) {
      const rowOff = <usize>r * <usize>cols << 3;
      let dot: f64 = 0;
      for (let j = 0; j < cols; j++) {
        const off = rowOff + (<usize>j << 3);
        dot += load<f64>(dA + off) * load<f64>(a + off);
      }
      for (let j = 0; j < cols; j++) {
        const off = rowOff + (<usize>j << 3);
        store<f64>(dZ + off, load<f64>(a + off) * (load<f64>(dA + off) - dot));
      }
    }
    return;
  }
  const end = <usize>(rows * cols) << 3;
  if (kind == ACT_RELU) {
    for (let o: usize = 0; o < end; o += 8) store<f64>(dZ + o, load<f64>(z + o) > 0 ? load<f64>(dA + o) : 0.0); // 1 where z > 0
  } else if (kind == ACT_LEAKY_RELU) {
    for (let o: usize = 0; o < end; o += 8) { const g = load<f64>(dA + o); store<f64>(dZ + o, load<f64>(z + o) > 0 ? g : alpha * g); } // 1 or α
  } else if (kind == ACT_RELU6) {
    for (let o: usize = 0; o < end; o += 8) { const v = load<f64>(z + o); store<f64>(dZ + o, v > 0 && v < 6 ? load<f64>(dA + o) : 0.0); } // 1 where 0 < z < 6
  } else if (kind == ACT_SIGMOID) {
    for (let o: usize = 0; o < end; o += 8) { const v = load<f64>(a + o); store<f64>(dZ + o, load<f64>(dA + o) * v * (1.0 - v)); } // a·(1 − a)
  } else if (kind == ACT_TANH) {
    for (let o: usize = 0; o < end; o += 8) { const v = load<f64>(a + o); store<f64>(dZ + o, load<f64>(dA + o) * (1.0 - v * v)); } // 1 − a²
  } else if (kind == ACT_ELU) {
    for (let o: usize = 0; o < end; o += 8) { const g = load<f64>(dA + o); store<f64>(dZ + o, load<f64>(z + o) > 0 ? g : g * (load<f64>(a + o) + alpha)); } // α·e^z = a + α
  } else if (kind == ACT_SELU) {
    for (let o: usize = 0; o < end; o += 8) {
      const g = load<f64>(dA + o);
      store<f64>(dZ + o, load<f64>(z + o) > 0 ? g * SELU_LAMBDA : g * (load<f64>(a + o) + SELU_LAMBDA * SELU_ALPHA));
    }
  } else if (kind == ACT_SOFTPLUS) {
    for (let o: usize = 0; o < end; o += 8) store<f64>(dZ + o, load<f64>(dA + o) * sigmoid(load<f64>(z + o))); // σ(z)
  } else if (kind == ACT_GELU) {
    for (let o: usize = 0; o < end; o += 8) {
      const v = load<f64>(z + o);
      const t = tanh(GELU_C * (v + GELU_K * v * v * v));
      store<f64>(dZ + o, load<f64>(dA + o) * (0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_K * v * v)));
    }
  } else if (kind == ACT_GELU_EXACT) {
    for (let o: usize = 0; o < end; o += 8) { // Φ(z) + z·φ(z), φ(z) = e^{−z²/2}/√(2π)
      const v = load<f64>(z + o);
      store<f64>(dZ + o, load<f64>(dA + o) * (0.5 * (1.0 + erf(v * SQRT1_2)) + v * INV_SQRT_2PI * exp(-0.5 * v * v)));
    }
  } else if (kind == ACT_SWISH) {
    for (let o: usize = 0; o < end; o += 8) {
      const v = load<f64>(z + o);
      const s = sigmoid(v);
      store<f64>(dZ + o, load<f64>(dA + o) * s * (1.0 + v * (1.0 - s))); // σ·(1 + z·(1 − σ))
    }
  } else if (dZ != dA) {
    copyF64(dZ, dA, rows * cols); // linear
  }
}
