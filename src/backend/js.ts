// The pure-TypeScript backend: the same kernels as assembly/, over a Float64Array arena.
// It is the reference the wasm core is checked against, the benchmark baseline, and the
// fallback where WebAssembly is unavailable. Loops run in cache-friendly order (i-p-j) and
// no kernel allocates.
import { ACT_LEAKY_RELU, ACT_RELU, ACT_SIGMOID, ACT_SOFTMAX, ACT_TANH } from './codes';
import type { Kernels } from './kernels';
import { runStep } from './step';

export class JsKernels implements Kernels {
  readonly name = 'js' as const;
  readonly base = 0;
  heap = new Float64Array(1024);

  reserve(size: number): void {
    if (size <= this.heap.length) return;
    const grown = new Float64Array(Math.max(size, this.heap.length * 2));
    grown.set(this.heap);
    this.heap = grown;
  }

  /** The JS loops read their operands in place: no scratch. */
  gemmScratchSize(_k: number, _n: number): number {
    return 0;
  }

  // The matrix products take four steps of the shared dimension per pass over a row of C,
  // so each C element is loaded and stored a quarter as often (≈ 2.5× faster in V8 than the
  // plain i-p-j loop, measured at 256³).

  matmul(a: number, b: number, c: number, m: number, k: number, n: number, accumulate: boolean, _scratch?: number): void {
    const h = this.heap;
    if (!accumulate) h.fill(0, c, c + m * n);
    const k4 = k - (k % 4);
    for (let i = 0; i < m; i++) {
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
    const h = this.heap;
    if (!accumulate) h.fill(0, c, c + m * n);
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
    }
    for (; p < k; p++) {
      const aRow = a + p * m;
      const bRow = b + p * n;
      for (let i = 0; i < m; i++) {
        const api = h[aRow + i]!;
        const cRow = c + i * n;
        for (let j = 0; j < n; j++) h[cRow + j] = h[cRow + j]! + api * h[bRow + j]!;
      }
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

  addBias(c: number, bias: number, rows: number, cols: number): void {
    const h = this.heap;
    for (let r = 0; r < rows; r++) {
      const cRow = c + r * cols;
      for (let j = 0; j < cols; j++) h[cRow + j] = h[cRow + j]! + h[bias + j]!;
    }
  }

  columnSums(a: number, out: number, rows: number, cols: number, accumulate: boolean): void {
    const h = this.heap;
    if (!accumulate) h.fill(0, out, out + cols);
    for (let r = 0; r < rows; r++) {
      const aRow = a + r * cols;
      for (let j = 0; j < cols; j++) h[out + j] = h[out + j]! + h[aRow + j]!;
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
          const e = Math.exp(h[zRow + j]! - max);
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
      if (act === ACT_SIGMOID) ai = 1 / (1 + Math.exp(-zi));
      else if (act === ACT_TANH) ai = Math.tanh(zi);
      else if (act === ACT_RELU) ai = zi > 0 ? zi : 0;
      else if (act === ACT_LEAKY_RELU) ai = zi > 0 ? zi : alpha * zi;
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
      else d = g;
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
      let max = -Infinity;
      for (let j = 0; j < cols; j++) max = Math.max(max, h[z + o + j]!);
      let sumExp = 0;
      let ySum = 0;
      for (let j = 0; j < cols; j++) {
        sumExp += Math.exp(h[z + o + j]! - max);
        ySum += h[y + o + j]!;
      }
      const logSumExp = max + Math.log(sumExp);
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
      total += Math.max(zi, 0) - zi * yi + Math.log1p(Math.exp(-Math.abs(zi)));
      h[grad + i] = (h[p + i]! - yi) * invCount;
    }
    return total * invCount;
  }

  sgd(params: number, grads: number, velocity: number, count: number, lr: number, momentum: number): boolean {
    const h = this.heap;
    let check = 0;
    if (momentum === 0) {
      for (let i = 0; i < count; i++) {
        const p = h[params + i]! - lr * h[grads + i]!;
        check += p - p;
      }
      if (check !== 0) return false;
      for (let i = 0; i < count; i++) h[params + i] = h[params + i]! - lr * h[grads + i]!;
      return true;
    }
    for (let i = 0; i < count; i++) {
      const p = h[params + i]! + (momentum * h[velocity + i]! - lr * h[grads + i]!);
      check += p - p;
    }
    if (check !== 0) return false;
    for (let i = 0; i < count; i++) {
      const v = momentum * h[velocity + i]! - lr * h[grads + i]!;
      h[velocity + i] = v;
      h[params + i] = h[params + i]! + v;
    }
    return true;
  }

  step(desc: number, rows: number, mode: number): number {
    return runStep(this, desc, rows, mode);
  }
}
