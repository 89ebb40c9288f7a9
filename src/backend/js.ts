// The pure-TypeScript backend: the same kernels as assembly/, over a Float64Array arena.
// It is the reference the wasm core is checked against, the benchmark baseline, and the
// fallback where WebAssembly is unavailable. Loops run in cache-friendly order (i-p-j) and
// no kernel allocates.
import {
  ACT_ELU, ACT_GELU, ACT_GELU_EXACT, ACT_LEAKY_RELU, ACT_RELU, ACT_RELU6, ACT_SELU, ACT_SIGMOID, ACT_SOFTMAX, ACT_SOFTPLUS, ACT_SWISH, ACT_TANH,
} from './codes';
import { MAX_ARENA_F64, arenaError, type Kernels } from './kernels';
import { runEpochs } from './epoch';
import { erf, exp, tanh } from './math';
import { countCorrect, sumAbsError } from './metrics';
import { runStep } from './step';

const SELU_LAMBDA = 1.0507009873554804934193349852946;
const SELU_ALPHA = 1.6732632423543772848170429916717;
const GELU_C = 0.7978845608028654; // √(2/π)
const GELU_K = 0.044715;
/** The normalization layer's smallest denominator (Keras's backend.epsilon()). */
const NORM_FLOOR = 1e-7;
const INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π)
const sigmoid = (z: number): number => 1 / (1 + exp(-z));

/** base^t for a whole t ≥ 0, by squaring: as assembly/optimizers.ts computes Adam's bias
 *  corrections, so both backends agree bit for bit. */
function powi(base: number, t: number): number {
  let result = 1;
  let square = base;
  for (let n = t; n > 0; n = Math.floor(n / 2)) {
    if (n % 2 === 1) result *= square;
    square *= square;
  }
  return result;
}

/** logΣ_k e^{z_k} of the row at `o`, read off its softmax p from the forward pass: p at the
 *  row's (first) largest logit m is exactly 1/Σ_k e^{z_k − m}, so the sum is m − log p_m. */
function rowLogSumExp(h: Float64Array, z: number, p: number, o: number, cols: number): number {
  let max = h[z + o]!;
  let at = o;
  for (let j = 1; j < cols; j++) {
    const v = h[z + o + j]!;
    if (v > max) {
      max = v;
      at = o + j;
    }
  }
  return max - Math.log(h[p + at]!);
}

/** h[at .. at+count) = 0: a loop for the small buffers of small networks (TypedArray.fill is a
 *  builtin call that costs more than the loop below a few dozen elements), fill above. */
function zero(h: Float64Array, at: number, count: number): void {
  if (count > 64) h.fill(0, at, at + count);
  else for (let i = at, end = at + count; i < end; i++) h[i] = 0;
}

export class JsKernels implements Kernels {
  readonly name = 'js' as const;
  readonly base = 0;
  heap = new Float64Array(1024);

  reserve(size: number): void {
    if (size <= this.heap.length) return;
    if (size > MAX_ARENA_F64) throw arenaError('js', size, MAX_ARENA_F64);
    let grown: Float64Array<ArrayBuffer>;
    try {
      grown = this.allocate(Math.min(Math.max(size, this.heap.length * 2), MAX_ARENA_F64));
    } catch {
      // Doubling asked for more than needed: try the exact size before giving up.
      try {
        grown = this.allocate(size);
      } catch (error) {
        throw arenaError('js', size, this.heap.length, error);
      }
    }
    grown.set(this.heap);
    this.heap = grown;
  }

  /** A new zeroed arena of `size` f64s (the one place the js backend allocates memory; the
   *  runtime throws a RangeError when it cannot). */
  allocate(size: number): Float64Array<ArrayBuffer> {
    return new Float64Array(size);
  }

  /** The JS loops read their operands in place: no scratch. */
  gemmScratchSize(_k: number, _n: number): number {
    return 0;
  }

  // The matrix products take four steps of the shared dimension per pass over a row of C,
  // so each C element is loaded and stored a quarter as often (≈ 2.5× faster in V8 than the
  // plain i-p-j loop, measured at 256³).

  matmul(a: number, b: number, c: number, m: number, k: number, n: number, accumulate: boolean, _scratch?: number): void {
    if (!accumulate) zero(this.heap, c, m * n);
    this.addProduct(a, b, c, m, k, n);
  }

  firstNonFinite(at: number, count: number): number {
    const h = this.heap;
    for (let i = 0; i < count; i++) {
      const v = h[at + i]!;
      if (v - v !== 0) return i; // NaN for NaN and ±Infinity
    }
    return -1;
  }

  /** The JS products read W in place: no packed copies. */
  packedSize(_k: number, _n: number): number {
    return 0;
  }
  packWeights(_w: number, _k: number, _n: number, _dst: number): void {}

  /** Z = X·W + b (Z starts at b: no separate pass to add it), A = f(Z). */
  denseForward(x: number, w: number, b: number, z: number, a: number, rows: number, inputs: number, units: number, act: number, alpha: number, _scratch?: number, _packed?: number): void {
    const h = this.heap;
    for (let r = 0, zRow = z; r < rows; r++, zRow += units) {
      for (let j = 0; j < units; j++) h[zRow + j] = h[b + j]!;
    }
    this.addProduct(x, w, z, rows, inputs, units);
    this.activate(act, z, a, rows, units, alpha);
  }

  /** C[m×n] += A[m×k]·B[k×n]: two rows of A at a time share each load of B (B is read
   *  half as often); every element sums the same terms in the same order as row by row. */
  private addProduct(a: number, b: number, c: number, m: number, k: number, n: number): void {
    const h = this.heap;
    const k4 = k - (k % 4);
    let i = 0;
    for (; i + 2 <= m; i += 2) {
      const cRow = c + i * n;
      const dRow = cRow + n;
      const aRow = a + i * k;
      const eRow = aRow + k;
      let p = 0;
      for (; p < k4; p += 4) {
        const a0 = h[aRow + p]!;
        const a1 = h[aRow + p + 1]!;
        const a2 = h[aRow + p + 2]!;
        const a3 = h[aRow + p + 3]!;
        const e0 = h[eRow + p]!;
        const e1 = h[eRow + p + 1]!;
        const e2 = h[eRow + p + 2]!;
        const e3 = h[eRow + p + 3]!;
        const b0 = b + p * n;
        const b1 = b0 + n;
        const b2 = b1 + n;
        const b3 = b2 + n;
        for (let j = 0; j < n; j++) {
          const w0 = h[b0 + j]!;
          const w1 = h[b1 + j]!;
          const w2 = h[b2 + j]!;
          const w3 = h[b3 + j]!;
          h[cRow + j] = h[cRow + j]! + (a0 * w0 + a1 * w1 + a2 * w2 + a3 * w3);
          h[dRow + j] = h[dRow + j]! + (e0 * w0 + e1 * w1 + e2 * w2 + e3 * w3);
        }
      }
      for (; p < k; p++) {
        const aip = h[aRow + p]!;
        const eip = h[eRow + p]!;
        const bRow = b + p * n;
        for (let j = 0; j < n; j++) {
          const w = h[bRow + j]!;
          h[cRow + j] = h[cRow + j]! + aip * w;
          h[dRow + j] = h[dRow + j]! + eip * w;
        }
      }
    }
    if (i < m) {
      const cRow = c + i * n;
      const aRow = a + i * k;
      let p = 0;
      for (; p < k4; p += 4) {
        const a0 = h[aRow + p]!;
        const a1 = h[aRow + p + 1]!;
        const a2 = h[aRow + p + 2]!;
        const a3 = h[aRow + p + 3]!;
        const b0 = b + p * n;
        const b1 = b0 + n;
        const b2 = b1 + n;
        const b3 = b2 + n;
        for (let j = 0; j < n; j++) {
          h[cRow + j] = h[cRow + j]! + (a0 * h[b0 + j]! + a1 * h[b1 + j]! + a2 * h[b2 + j]! + a3 * h[b3 + j]!);
        }
      }
      for (; p < k; p++) {
        const aip = h[aRow + p]!;
        const bRow = b + p * n;
        for (let j = 0; j < n; j++) h[cRow + j] = h[cRow + j]! + aip * h[bRow + j]!;
      }
    }
  }

  matmulTransA(a: number, b: number, c: number, m: number, k: number, n: number, accumulate: boolean, _scratch?: number): void {
    if (!accumulate) zero(this.heap, c, m * n);
    this.addProductTransA(a, b, c, -1, m, k, n);
  }

  /** dW = Xᵀ·dZ and db = Σ_rows dZ in one pass over dZ; dX = dZ·Wᵀ when dX ≥ 0. */
  denseBackward(x: number, w: number, dZ: number, dW: number, db: number, dX: number, rows: number, inputs: number, units: number, _scratch?: number): void {
    const h = this.heap;
    zero(h, dW, inputs * units);
    zero(h, db, units);
    this.addProductTransA(x, dZ, dW, db, inputs, rows, units);
    if (dX >= 0) this.matmulTransB(dZ, w, dX, rows, units, inputs, false);
  }

  /** C[m×n] += A[k×m]ᵀ·B[k×n] and, when sums ≥ 0, sums[j] += Σ_p B[p][j] (in row order). */
  private addProductTransA(a: number, b: number, c: number, sums: number, m: number, k: number, n: number): void {
    const h = this.heap;
    const k4 = k - (k % 4);
    let p = 0;
    for (; p < k4; p += 4) {
      const r0 = a + p * m;
      const r1 = r0 + m;
      const r2 = r1 + m;
      const r3 = r2 + m;
      const b0 = b + p * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      for (let i = 0; i < m; i++) {
        const a0 = h[r0 + i]!;
        const a1 = h[r1 + i]!;
        const a2 = h[r2 + i]!;
        const a3 = h[r3 + i]!;
        const cRow = c + i * n;
        for (let j = 0; j < n; j++) {
          h[cRow + j] = h[cRow + j]! + (a0 * h[b0 + j]! + a1 * h[b1 + j]! + a2 * h[b2 + j]! + a3 * h[b3 + j]!);
        }
      }
      if (sums >= 0) for (let j = 0; j < n; j++) h[sums + j] = h[sums + j]! + h[b0 + j]! + h[b1 + j]! + h[b2 + j]! + h[b3 + j]!;
    }
    for (; p < k; p++) {
      const aRow = a + p * m;
      const bRow = b + p * n;
      for (let i = 0; i < m; i++) {
        const api = h[aRow + i]!;
        const cRow = c + i * n;
        for (let j = 0; j < n; j++) h[cRow + j] = h[cRow + j]! + api * h[bRow + j]!;
      }
      if (sums >= 0) for (let j = 0; j < n; j++) h[sums + j] = h[sums + j]! + h[bRow + j]!;
    }
  }

  matmulTransB(a: number, b: number, c: number, m: number, k: number, n: number, accumulate: boolean, _scratch?: number): void {
    const h = this.heap;
    const k4 = k - (k % 4);
    for (let i = 0; i < m; i++) {
      const aRow = a + i * k;
      const cRow = c + i * n;
      for (let j = 0; j < n; j++) {
        const bRow = b + j * k;
        // four independent partial sums keep the multiply-adds from waiting on each other
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let p = 0;
        for (; p < k4; p += 4) {
          s0 += h[aRow + p]! * h[bRow + p]!;
          s1 += h[aRow + p + 1]! * h[bRow + p + 1]!;
          s2 += h[aRow + p + 2]! * h[bRow + p + 2]!;
          s3 += h[aRow + p + 3]! * h[bRow + p + 3]!;
        }
        for (; p < k; p++) s0 += h[aRow + p]! * h[bRow + p]!;
        const sum = s0 + s1 + (s2 + s3);
        h[cRow + j] = accumulate ? h[cRow + j]! + sum : sum;
      }
    }
  }

  activate(act: number, z: number, a: number, rows: number, cols: number, alpha: number): void {
    const h = this.heap;
    if (act === ACT_SOFTMAX) {
      for (let r = 0; r < rows; r++) {
        const zRow = z + r * cols;
        const aRow = a + r * cols;
        let max = -Infinity;
        for (let j = 0; j < cols; j++) max = Math.max(max, h[zRow + j]!);
        let sum = 0;
        for (let j = 0; j < cols; j++) {
          const e = exp(h[zRow + j]! - max);
          h[aRow + j] = e;
          sum += e;
        }
        const inv = 1 / sum;
        for (let j = 0; j < cols; j++) h[aRow + j] = h[aRow + j]! * inv;
      }
      return;
    }
    const count = rows * cols;
    for (let i = 0; i < count; i++) {
      const zi = h[z + i]!;
      let ai: number;
      if (act === ACT_SIGMOID) ai = sigmoid(zi);
      else if (act === ACT_TANH) ai = tanh(zi);
      else if (act === ACT_RELU) ai = zi > 0 ? zi : 0;
      else if (act === ACT_LEAKY_RELU) ai = zi > 0 ? zi : alpha * zi;
      else if (act === ACT_RELU6) ai = zi > 0 ? (zi < 6 ? zi : 6) : 0; // min(max(0, z), 6)
      else if (act === ACT_ELU) ai = zi > 0 ? zi : alpha * Math.expm1(zi);
      else if (act === ACT_SELU) ai = SELU_LAMBDA * (zi > 0 ? zi : SELU_ALPHA * Math.expm1(zi));
      else if (act === ACT_SOFTPLUS) ai = Math.max(zi, 0) + Math.log1p(exp(-Math.abs(zi)));
      else if (act === ACT_GELU) ai = 0.5 * zi * (1 + tanh(GELU_C * (zi + GELU_K * zi * zi * zi)));
      else if (act === ACT_GELU_EXACT) ai = 0.5 * zi * (1 + erf(zi * Math.SQRT1_2));
      else if (act === ACT_SWISH) ai = zi * sigmoid(zi);
      else ai = zi;
      h[a + i] = ai;
    }
  }

  activateBackward(act: number, z: number, a: number, dA: number, dZ: number, rows: number, cols: number, alpha: number): void {
    const h = this.heap;
    if (act === ACT_SOFTMAX) {
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        let dot = 0;
        for (let j = 0; j < cols; j++) dot += h[dA + o + j]! * h[a + o + j]!;
        for (let j = 0; j < cols; j++) h[dZ + o + j] = h[a + o + j]! * (h[dA + o + j]! - dot);
      }
      return;
    }
    const count = rows * cols;
    for (let i = 0; i < count; i++) {
      const g = h[dA + i]!;
      let d: number;
      if (act === ACT_SIGMOID) {
        const ai = h[a + i]!;
        d = g * ai * (1 - ai);
      } else if (act === ACT_TANH) {
        const ai = h[a + i]!;
        d = g * (1 - ai * ai);
      } else if (act === ACT_RELU) d = h[z + i]! > 0 ? g : 0;
      else if (act === ACT_LEAKY_RELU) d = h[z + i]! > 0 ? g : alpha * g;
      else if (act === ACT_RELU6) d = h[z + i]! > 0 && h[z + i]! < 6 ? g : 0; // 1 where 0 < z < 6
      else if (act === ACT_ELU) d = h[z + i]! > 0 ? g : g * (h[a + i]! + alpha);
      else if (act === ACT_SELU) d = h[z + i]! > 0 ? g * SELU_LAMBDA : g * (h[a + i]! + SELU_LAMBDA * SELU_ALPHA);
      else if (act === ACT_SOFTPLUS) d = g * sigmoid(h[z + i]!);
      else if (act === ACT_GELU) {
        const zi = h[z + i]!;
        const t = tanh(GELU_C * (zi + GELU_K * zi * zi * zi));
        d = g * (0.5 * (1 + t) + 0.5 * zi * (1 - t * t) * GELU_C * (1 + 3 * GELU_K * zi * zi));
      } else if (act === ACT_GELU_EXACT) { // Φ(z) + z·φ(z)
        const zi = h[z + i]!;
        d = g * (0.5 * (1 + erf(zi * Math.SQRT1_2)) + zi * INV_SQRT_2PI * exp(-0.5 * zi * zi));
      } else if (act === ACT_SWISH) {
        const zi = h[z + i]!;
        const sg = sigmoid(zi);
        d = g * sg * (1 + zi * (1 - sg));
      } else d = g;
      h[dZ + i] = d;
    }
  }

  mse(a: number, y: number, grad: number, count: number): number {
    const h = this.heap;
    const scale = 2 / count;
    let sum = 0;
    for (let i = 0; i < count; i++) {
      const diff = h[a + i]! - h[y + i]!;
      sum += diff * diff;
      h[grad + i] = scale * diff;
    }
    return sum / count;
  }

  softmaxCrossEntropy(z: number, p: number, y: number, grad: number, rows: number, cols: number): number {
    const h = this.heap;
    const invRows = 1 / rows;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const logSumExp = rowLogSumExp(h, z, p, o, cols);
      let ySum = 0;
      for (let j = 0; j < cols; j++) ySum += h[y + o + j]!;
      for (let j = 0; j < cols; j++) {
        const yj = h[y + o + j]!;
        if (yj !== 0) total += yj * (logSumExp - h[z + o + j]!);
        h[grad + o + j] = (h[p + o + j]! * ySum - yj) * invRows;
      }
    }
    return total * invRows;
  }

  sigmoidBinaryCrossEntropy(z: number, p: number, y: number, grad: number, count: number): number {
    const h = this.heap;
    const invCount = 1 / count;
    let total = 0;
    for (let i = 0; i < count; i++) {
      const zi = h[z + i]!;
      const yi = h[y + i]!;
      total += Math.max(zi, 0) - zi * yi + Math.log1p(exp(-Math.abs(zi)));
      h[grad + i] = (h[p + i]! - yi) * invCount;
    }
    return total * invCount;
  }

  mae(a: number, y: number, grad: number, count: number): number {
    const h = this.heap;
    const inv = 1 / count;
    let sum = 0;
    for (let i = 0; i < count; i++) {
      const diff = h[a + i]! - h[y + i]!;
      sum += Math.abs(diff);
      h[grad + i] = diff > 0 ? inv : diff < 0 ? -inv : 0;
    }
    return sum * inv;
  }

  huber(a: number, y: number, grad: number, count: number, delta: number): number {
    const h = this.heap;
    const inv = 1 / count;
    let sum = 0;
    for (let i = 0; i < count; i++) {
      const d = h[a + i]! - h[y + i]!;
      const ad = Math.abs(d);
      sum += ad <= delta ? 0.5 * d * d : delta * (ad - 0.5 * delta);
      h[grad + i] = (ad <= delta ? d : d > 0 ? delta : -delta) * inv;
    }
    return sum * inv;
  }

  sparseSoftmaxCrossEntropy(z: number, p: number, labels: number, grad: number, rows: number, cols: number): number {
    const h = this.heap;
    const invRows = 1 / rows;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const label = h[labels + r]!;
      total += rowLogSumExp(h, z, p, o, cols) - h[z + o + label]!;
      for (let j = 0; j < cols; j++) h[grad + o + j] = (h[p + o + j]! - (j === label ? 1 : 0)) * invRows;
    }
    return total * invRows;
  }

  // Optimizers: the rules of assembly/optimizers.ts (see there), with the same check-then-write
  // passes so that an update producing a non-finite value changes nothing. The checking pass
  // returns at the first non-finite value (x − x !== 0 only for ±Infinity and NaN): a branch
  // never taken, rather than a sum whose additions would chain one after another.

  sgd(params: number, grads: number, velocity: number, count: number, lr: number, momentum: number, nesterov: boolean): boolean {
    const h = this.heap;
    if (momentum === 0) {
      for (let i = 0; i < count; i++) {
        const p = h[params + i]! - lr * h[grads + i]!;
        if (p - p !== 0) return false;
      }
      for (let i = 0; i < count; i++) h[params + i] = h[params + i]! - lr * h[grads + i]!;
      return true;
    }
    for (let i = 0; i < count; i++) {
      const g = h[grads + i]!;
      const v = momentum * h[velocity + i]! - lr * g;
      const p = h[params + i]! + (nesterov ? momentum * v - lr * g : v);
      if (p - p !== 0 || v - v !== 0) return false;
    }
    for (let i = 0; i < count; i++) {
      const g = h[grads + i]!;
      const v = momentum * h[velocity + i]! - lr * g;
      h[velocity + i] = v;
      h[params + i] = h[params + i]! + (nesterov ? momentum * v - lr * g : v);
    }
    return true;
  }

  adam(params: number, grads: number, m: number, v: number, count: number, lr: number, beta1: number, beta2: number, epsilon: number, t: number, weightDecay: number): boolean {
    const h = this.heap;
    const lrT = (lr * Math.sqrt(1 - powi(beta2, t))) / (1 - powi(beta1, t));
    const decay = lr * weightDecay;
    for (let i = 0; i < count; i++) {
      const g = h[grads + i]!;
      const mi = beta1 * h[m + i]! + (1 - beta1) * g;
      const vi = beta2 * h[v + i]! + (1 - beta2) * g * g;
      const p0 = h[params + i]!;
      const p = p0 - decay * p0 - (lrT * mi) / (Math.sqrt(vi) + epsilon);
      if (p - p !== 0 || vi - vi !== 0) return false;
    }
    for (let i = 0; i < count; i++) {
      const g = h[grads + i]!;
      const mi = beta1 * h[m + i]! + (1 - beta1) * g;
      const vi = beta2 * h[v + i]! + (1 - beta2) * g * g;
      h[m + i] = mi;
      h[v + i] = vi;
      const p0 = h[params + i]!;
      h[params + i] = p0 - decay * p0 - (lrT * mi) / (Math.sqrt(vi) + epsilon);
    }
    return true;
  }

  rmsprop(params: number, grads: number, s: number, u: number, count: number, lr: number, rho: number, epsilon: number, momentum: number): boolean {
    const h = this.heap;
    for (let i = 0; i < count; i++) {
      const g = h[grads + i]!;
      const si = rho * h[s + i]! + (1 - rho) * g * g;
      let step = (lr * g) / (Math.sqrt(si) + epsilon);
      if (momentum !== 0) step += momentum * h[u + i]!;
      const p = h[params + i]! - step;
      if (p - p !== 0 || si - si !== 0) return false;
    }
    for (let i = 0; i < count; i++) {
      const g = h[grads + i]!;
      const si = rho * h[s + i]! + (1 - rho) * g * g;
      h[s + i] = si;
      let step = (lr * g) / (Math.sqrt(si) + epsilon);
      if (momentum !== 0) {
        step += momentum * h[u + i]!;
        h[u + i] = step;
      }
      h[params + i] = h[params + i]! - step;
    }
    return true;
  }

  adagrad(params: number, grads: number, s: number, count: number, lr: number, epsilon: number): boolean {
    const h = this.heap;
    for (let i = 0; i < count; i++) {
      const g = h[grads + i]!;
      const si = h[s + i]! + g * g;
      const p = h[params + i]! - (lr * g) / (Math.sqrt(si) + epsilon);
      if (p - p !== 0 || si - si !== 0) return false;
    }
    for (let i = 0; i < count; i++) {
      const g = h[grads + i]!;
      const si = h[s + i]! + g * g;
      h[s + i] = si;
      h[params + i] = h[params + i]! - (lr * g) / (Math.sqrt(si) + epsilon);
    }
    return true;
  }

  weightPenalty(w: number, dw: number, count: number, l1: number, l2: number, withGradient: boolean): number {
    const h = this.heap;
    let sumAbs = 0;
    let sumSq = 0;
    for (let i = 0; i < count; i++) {
      const wi = h[w + i]!;
      sumAbs += Math.abs(wi);
      sumSq += wi * wi;
      if (withGradient) h[dw + i] = h[dw + i]! + l1 * (wi > 0 ? 1 : wi < 0 ? -1 : 0) + 2 * l2 * wi;
    }
    return l1 * sumAbs + l2 * sumSq;
  }

  clipGlobalNorm(g: number, count: number, maxNorm: number): number {
    const h = this.heap;
    let sumSq = 0;
    for (let i = 0; i < count; i++) sumSq += h[g + i]! * h[g + i]!;
    const norm = Math.sqrt(sumSq);
    if (norm > maxNorm) {
      const scale = maxNorm / norm;
      for (let i = 0; i < count; i++) h[g + i] = h[g + i]! * scale;
    }
    return norm;
  }

  dropoutForward(x: number, out: number, mask: number, count: number, rate: number, state: number): void {
    const h = this.heap;
    const threshold = rate * 4294967296;
    const keep = 1 / (1 - rate);
    // sfc32 (as in src/random.ts) over the state stored in the network description
    let a = h[state]! | 0;
    let b = h[state + 1]! | 0;
    let c = h[state + 2]! | 0;
    let d = h[state + 3]! | 0;
    for (let i = 0; i < count; i++) {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      const m = t >>> 0 < threshold ? 0 : keep;
      h[mask + i] = m;
      h[out + i] = h[x + i]! * m;
    }
    h[state] = a >>> 0;
    h[state + 1] = b >>> 0;
    h[state + 2] = c >>> 0;
    h[state + 3] = d >>> 0;
  }

  dropoutBackward(d: number, mask: number, count: number): void {
    const h = this.heap;
    for (let i = 0; i < count; i++) h[d + i] = h[d + i]! * h[mask + i]!;
  }

  // The normalization layer (assembly/normalization.ts): out = (x − mean) / max(√variance, 1e-7)
  // per column, and the gradient through it, g /= the same denominator.
  normalizeForward(x: number, mean: number, variance: number, out: number, rows: number, cols: number): void {
    const h = this.heap;
    for (let j = 0; j < cols; j++) {
      const m = h[mean + j]!;
      const d = Math.max(Math.sqrt(h[variance + j]!), NORM_FLOOR);
      for (let r = 0, at = j; r < rows; r++, at += cols) h[out + at] = (h[x + at]! - m) / d;
    }
  }

  normalizeBackward(g: number, variance: number, rows: number, cols: number): void {
    const h = this.heap;
    for (let j = 0; j < cols; j++) {
      const d = Math.max(Math.sqrt(h[variance + j]!), NORM_FLOOR);
      for (let r = 0, at = g + j; r < rows; r++, at += cols) h[at] = h[at]! / d;
    }
  }

  // Batch and layer normalization (assembly/normalization.ts has the formulas), the same
  // operations in the same order.
  batchNormForward(x: number, gamma: number, beta: number, stats: number, aux: number, z: number, rows: number, units: number, epsilon: number, training: boolean): void {
    const h = this.heap;
    const meanAt = aux;
    const varAt = aux + units;
    const sAt = aux + 2 * units;
    if (training) {
      for (let j = 0; j < units; j++) {
        h[meanAt + j] = 0;
        h[varAt + j] = 0;
      }
      for (let r = 0, row = x; r < rows; r++, row += units) {
        for (let j = 0; j < units; j++) h[meanAt + j] = h[meanAt + j]! + h[row + j]!;
      }
      for (let j = 0; j < units; j++) h[meanAt + j] = h[meanAt + j]! / rows;
      for (let r = 0, row = x; r < rows; r++, row += units) {
        for (let j = 0; j < units; j++) {
          const d = h[row + j]! - h[meanAt + j]!;
          h[varAt + j] = h[varAt + j]! + d * d;
        }
      }
      for (let j = 0; j < units; j++) h[varAt + j] = h[varAt + j]! / rows;
    } else {
      for (let j = 0; j < units; j++) {
        h[meanAt + j] = h[stats + j]!;
        h[varAt + j] = h[stats + units + j]!;
      }
    }
    for (let j = 0; j < units; j++) h[sAt + j] = 1 / Math.sqrt(h[varAt + j]! + epsilon);
    for (let r = 0, at = 0; r < rows; r++, at += units) {
      for (let j = 0; j < units; j++) h[z + at + j] = h[gamma + j]! * ((h[x + at + j]! - h[meanAt + j]!) * h[sAt + j]!) + h[beta + j]!;
    }
  }

  batchNormBackward(x: number, gamma: number, aux: number, dZ: number, dGamma: number, dBeta: number, dX: number, rows: number, units: number, training: boolean): void {
    const h = this.heap;
    const meanAt = aux;
    const sAt = aux + 2 * units;
    for (let j = 0; j < units; j++) {
      h[dBeta + j] = 0;
      h[dGamma + j] = 0;
    }
    for (let r = 0, at = 0; r < rows; r++, at += units) {
      for (let j = 0; j < units; j++) {
        const d = h[dZ + at + j]!;
        h[dBeta + j] = h[dBeta + j]! + d;
        h[dGamma + j] = h[dGamma + j]! + d * ((h[x + at + j]! - h[meanAt + j]!) * h[sAt + j]!);
      }
    }
    if (dX < 0) return;
    for (let r = 0, at = 0; r < rows; r++, at += units) {
      for (let j = 0; j < units; j++) {
        const s = h[sAt + j]!;
        const gs = h[gamma + j]! * s;
        if (training) {
          const xhat = (h[x + at + j]! - h[meanAt + j]!) * s;
          h[dX + at + j] = gs * (h[dZ + at + j]! - h[dBeta + j]! / rows - xhat * (h[dGamma + j]! / rows));
        } else {
          h[dX + at + j] = gs * h[dZ + at + j]!;
        }
      }
    }
  }

  batchNormUpdate(stats: number, aux: number, units: number, momentum: number, rows: number, unbiased: boolean): void {
    const h = this.heap;
    const keep = 1 - momentum;
    const correction = unbiased && rows > 1 ? rows / (rows - 1) : 1;
    for (let j = 0; j < units; j++) {
      h[stats + j] = momentum * h[stats + j]! + keep * h[aux + j]!;
      h[stats + units + j] = momentum * h[stats + units + j]! + keep * (h[aux + units + j]! * correction);
    }
  }

  layerNormForward(x: number, gamma: number, beta: number, aux: number, z: number, rows: number, units: number, epsilon: number): void {
    const h = this.heap;
    for (let r = 0; r < rows; r++) {
      const row = r * units;
      let sum = 0;
      for (let j = 0; j < units; j++) sum += h[x + row + j]!;
      const mean = sum / units;
      let sq = 0;
      for (let j = 0; j < units; j++) {
        const d = h[x + row + j]! - mean;
        sq += d * d;
      }
      const s = 1 / Math.sqrt(sq / units + epsilon);
      h[aux + r] = mean;
      h[aux + rows + r] = s;
      for (let j = 0; j < units; j++) h[z + row + j] = h[gamma + j]! * ((h[x + row + j]! - mean) * s) + h[beta + j]!;
    }
  }

  layerNormBackward(x: number, gamma: number, aux: number, dZ: number, dGamma: number, dBeta: number, dX: number, rows: number, units: number): void {
    const h = this.heap;
    for (let j = 0; j < units; j++) {
      h[dGamma + j] = 0;
      h[dBeta + j] = 0;
    }
    for (let r = 0; r < rows; r++) {
      const row = r * units;
      const mean = h[aux + r]!;
      const s = h[aux + rows + r]!;
      let sumG = 0;
      let sumGX = 0;
      for (let j = 0; j < units; j++) {
        const d = h[dZ + row + j]!;
        const xhat = (h[x + row + j]! - mean) * s;
        h[dBeta + j] = h[dBeta + j]! + d;
        h[dGamma + j] = h[dGamma + j]! + d * xhat;
        const g = d * h[gamma + j]!;
        sumG += g;
        sumGX += g * xhat;
      }
      if (dX < 0) continue;
      const meanG = sumG / units;
      const meanGX = sumGX / units;
      for (let j = 0; j < units; j++) {
        const xhat = (h[x + row + j]! - mean) * s;
        h[dX + row + j] = s * (h[dZ + row + j]! * h[gamma + j]! - meanG - xhat * meanGX);
      }
    }
  }

  step(desc: number, rows: number, mode: number): number {
    return runStep(this, desc, rows, mode);
  }

  epochs(desc: number, samples: number, batchSize: number, shuffle: boolean, count: number): number {
    return runEpochs(this, desc, samples, batchSize, shuffle, count);
  }

  countCorrect(loss: number, p: number, y: number, rows: number, cols: number): number {
    return countCorrect(this.heap, loss, p, y, rows, cols);
  }

  sumAbsError(loss: number, a: number, y: number, rows: number, cols: number): number {
    return sumAbsError(this.heap, loss, a, y, rows, cols);
  }
}
