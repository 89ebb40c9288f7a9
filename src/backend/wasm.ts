// The WebAssembly backend: one instance of the core per network, so the arena (the instance's
// memory) is freed with the network. Offsets are f64 indices; the core takes byte pointers.
import { coreModule } from '../core/wasm';
import { MAX_ARENA_F64, arenaError, type Kernels } from './kernels';

export interface CoreExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  step(desc: number, rows: number, mode: number): number;
  epochs(desc: number, samples: number, batchSize: number, shuffle: number, count: number): number;
  countCorrect(loss: number, p: number, y: number, rows: number, cols: number): number;
  sumAbsError(loss: number, a: number, y: number, rows: number, cols: number): number;
  gemmScratchSize(k: number, n: number): number;
  matmul(a: number, b: number, c: number, m: number, k: number, n: number, acc: number, scratch: number, packed: number): void;
  matmulTransA(a: number, b: number, c: number, m: number, k: number, n: number, acc: number, scratch: number): void;
  matmulTransB(a: number, b: number, c: number, m: number, k: number, n: number, acc: number, scratch: number): void;
  firstNonFinite(p: number, count: number): number;
  packedSize(k: number, n: number): number;
  packWeights(w: number, k: number, n: number, dst: number): void;
  denseForward(x: number, w: number, b: number, z: number, a: number, rows: number, inputs: number, units: number, act: number, alpha: number, scratch: number, packed: number): void;
  denseBackward(x: number, w: number, dZ: number, dW: number, db: number, dX: number, rows: number, inputs: number, units: number, scratch: number): void;
  activate(act: number, z: number, a: number, rows: number, cols: number, alpha: number): void;
  activateBackward(act: number, z: number, a: number, dA: number, dZ: number, rows: number, cols: number, alpha: number): void;
  mse(a: number, y: number, grad: number, count: number): number;
  softmaxCrossEntropy(z: number, p: number, y: number, grad: number, rows: number, cols: number): number;
  sigmoidBinaryCrossEntropy(z: number, p: number, y: number, grad: number, count: number): number;
  mae(a: number, y: number, grad: number, count: number): number;
  huber(a: number, y: number, grad: number, count: number, delta: number): number;
  sparseSoftmaxCrossEntropy(z: number, p: number, labels: number, grad: number, rows: number, cols: number): number;
  sgd(params: number, grads: number, velocity: number, count: number, lr: number, momentum: number, nesterov: number): number;
  adam(params: number, grads: number, m: number, v: number, count: number, lr: number, beta1: number, beta2: number, epsilon: number, t: number, weightDecay: number): number;
  rmsprop(params: number, grads: number, s: number, u: number, count: number, lr: number, rho: number, epsilon: number, momentum: number): number;
  adagrad(params: number, grads: number, s: number, count: number, lr: number, epsilon: number): number;
  weightPenalty(w: number, dw: number, count: number, l1: number, l2: number, withGradient: number): number;
  clipGlobalNorm(g: number, count: number, maxNorm: number): number;
  dropoutForward(x: number, out: number, mask: number, count: number, rate: number, state: number): void;
  dropoutBackward(d: number, mask: number, count: number): void;
  normalizeForward(x: number, mean: number, variance: number, out: number, rows: number, cols: number): void;
  normalizeBackward(g: number, variance: number, rows: number, cols: number): void;
  batchNormForward(x: number, gamma: number, beta: number, stats: number, aux: number, z: number, rows: number, units: number, epsilon: number, training: number): void;
  batchNormBackward(x: number, gamma: number, aux: number, dZ: number, dGamma: number, dBeta: number, dX: number, rows: number, units: number, training: number): void;
  batchNormUpdate(stats: number, aux: number, units: number, momentum: number, rows: number, unbiased: number): void;
  layerNormForward(x: number, gamma: number, beta: number, aux: number, z: number, rows: number, units: number, epsilon: number): void;
  layerNormBackward(x: number, gamma: number, aux: number, dZ: number, dGamma: number, dBeta: number, dX: number, rows: number, units: number): void;
}

const PAGE_F64 = 65536 / 8;

export class WasmKernels implements Kernels {
  readonly name = 'wasm' as const;
  readonly base: number;
  heap: Float64Array;
  protected readonly core: CoreExports;

  /** `core`: an instance's exports to run on (the threads build's, over a shared memory);
   *  by default a new instance of the core. */
  constructor(core?: CoreExports) {
    this.core = core ?? (new WebAssembly.Instance(coreModule(), {}).exports as unknown as CoreExports);
    this.base = this.core.heapBase() / 8;
    this.heap = new Float64Array(this.core.memory.buffer);
  }

  reserve(size: number): void {
    if (size <= this.heap.length) return;
    // wasm32 addresses 4 GiB: f64 offsets beyond 2²⁹ cannot be pointed at.
    if (size > MAX_ARENA_F64) throw arenaError('wasm', size, MAX_ARENA_F64);
    const pages = Math.ceil((size - this.heap.length) / PAGE_F64);
    try {
      this.core.memory.grow(pages); // all or nothing: a refused grow leaves the memory as it was
    } catch (error) {
      throw arenaError('wasm', size, this.heap.length, error);
    }
    // Growing detaches the old ArrayBuffer: every view must be made anew.
    this.heap = new Float64Array(this.core.memory.buffer);
  }

  gemmScratchSize(k: number, n: number): number {
    return this.core.gemmScratchSize(k, n);
  }
  matmul(a: number, b: number, c: number, m: number, k: number, n: number, accumulate: boolean, scratch: number): void {
    this.core.matmul(a * 8, b * 8, c * 8, m, k, n, accumulate ? 1 : 0, scratch * 8, 0);
  }
  matmulTransA(a: number, b: number, c: number, m: number, k: number, n: number, accumulate: boolean, scratch: number): void {
    this.core.matmulTransA(a * 8, b * 8, c * 8, m, k, n, accumulate ? 1 : 0, scratch * 8);
  }
  matmulTransB(a: number, b: number, c: number, m: number, k: number, n: number, accumulate: boolean, scratch: number): void {
    this.core.matmulTransB(a * 8, b * 8, c * 8, m, k, n, accumulate ? 1 : 0, scratch * 8);
  }
  firstNonFinite(at: number, count: number): number {
    return this.core.firstNonFinite(at * 8, count);
  }
  packedSize(k: number, n: number): number {
    return this.core.packedSize(k, n);
  }
  packWeights(w: number, k: number, n: number, dst: number): void {
    this.core.packWeights(w * 8, k, n, dst * 8);
  }
  denseForward(x: number, w: number, b: number, z: number, a: number, rows: number, inputs: number, units: number, act: number, alpha: number, scratch: number, packed: number): void {
    this.core.denseForward(x * 8, w * 8, b * 8, z * 8, a * 8, rows, inputs, units, act, alpha, scratch * 8, packed * 8);
  }
  denseBackward(x: number, w: number, dZ: number, dW: number, db: number, dX: number, rows: number, inputs: number, units: number, scratch: number): void {
    this.core.denseBackward(x * 8, w * 8, dZ * 8, dW * 8, db * 8, dX < 0 ? 0 : dX * 8, rows, inputs, units, scratch * 8);
  }
  activate(act: number, z: number, a: number, rows: number, cols: number, alpha: number): void {
    this.core.activate(act, z * 8, a * 8, rows, cols, alpha);
  }
  activateBackward(act: number, z: number, a: number, dA: number, dZ: number, rows: number, cols: number, alpha: number): void {
    this.core.activateBackward(act, z * 8, a * 8, dA * 8, dZ * 8, rows, cols, alpha);
  }
  mse(a: number, y: number, grad: number, count: number): number {
    return this.core.mse(a * 8, y * 8, grad * 8, count);
  }
  softmaxCrossEntropy(z: number, p: number, y: number, grad: number, rows: number, cols: number): number {
    return this.core.softmaxCrossEntropy(z * 8, p * 8, y * 8, grad * 8, rows, cols);
  }
  sigmoidBinaryCrossEntropy(z: number, p: number, y: number, grad: number, count: number): number {
    return this.core.sigmoidBinaryCrossEntropy(z * 8, p * 8, y * 8, grad * 8, count);
  }
  mae(a: number, y: number, grad: number, count: number): number {
    return this.core.mae(a * 8, y * 8, grad * 8, count);
  }
  huber(a: number, y: number, grad: number, count: number, delta: number): number {
    return this.core.huber(a * 8, y * 8, grad * 8, count, delta);
  }
  sparseSoftmaxCrossEntropy(z: number, p: number, labels: number, grad: number, rows: number, cols: number): number {
    return this.core.sparseSoftmaxCrossEntropy(z * 8, p * 8, labels * 8, grad * 8, rows, cols);
  }
  sgd(params: number, grads: number, velocity: number, count: number, lr: number, momentum: number, nesterov: boolean): boolean {
    return this.core.sgd(params * 8, grads * 8, velocity * 8, count, lr, momentum, nesterov ? 1 : 0) === 1;
  }
  adam(params: number, grads: number, m: number, v: number, count: number, lr: number, beta1: number, beta2: number, epsilon: number, t: number, weightDecay: number): boolean {
    return this.core.adam(params * 8, grads * 8, m * 8, v * 8, count, lr, beta1, beta2, epsilon, t, weightDecay) === 1;
  }
  rmsprop(params: number, grads: number, s: number, u: number, count: number, lr: number, rho: number, epsilon: number, momentum: number): boolean {
    return this.core.rmsprop(params * 8, grads * 8, s * 8, u * 8, count, lr, rho, epsilon, momentum) === 1;
  }
  adagrad(params: number, grads: number, s: number, count: number, lr: number, epsilon: number): boolean {
    return this.core.adagrad(params * 8, grads * 8, s * 8, count, lr, epsilon) === 1;
  }
  weightPenalty(w: number, dw: number, count: number, l1: number, l2: number, withGradient: boolean): number {
    return this.core.weightPenalty(w * 8, dw * 8, count, l1, l2, withGradient ? 1 : 0);
  }
  clipGlobalNorm(g: number, count: number, maxNorm: number): number {
    return this.core.clipGlobalNorm(g * 8, count, maxNorm);
  }
  dropoutForward(x: number, out: number, mask: number, count: number, rate: number, state: number): void {
    this.core.dropoutForward(x * 8, out * 8, mask * 8, count, rate, state * 8);
  }
  dropoutBackward(d: number, mask: number, count: number): void {
    this.core.dropoutBackward(d * 8, mask * 8, count);
  }
  normalizeForward(x: number, mean: number, variance: number, out: number, rows: number, cols: number): void {
    this.core.normalizeForward(x * 8, mean * 8, variance * 8, out * 8, rows, cols);
  }
  normalizeBackward(g: number, variance: number, rows: number, cols: number): void {
    this.core.normalizeBackward(g * 8, variance * 8, rows, cols);
  }
  batchNormForward(x: number, gamma: number, beta: number, stats: number, aux: number, z: number, rows: number, units: number, epsilon: number, training: boolean): void {
    this.core.batchNormForward(x * 8, gamma * 8, beta * 8, stats * 8, aux * 8, z * 8, rows, units, epsilon, training ? 1 : 0);
  }
  batchNormBackward(x: number, gamma: number, aux: number, dZ: number, dGamma: number, dBeta: number, dX: number, rows: number, units: number, training: boolean): void {
    this.core.batchNormBackward(x * 8, gamma * 8, aux * 8, dZ * 8, dGamma * 8, dBeta * 8, dX < 0 ? 0 : dX * 8, rows, units, training ? 1 : 0);
  }
  batchNormUpdate(stats: number, aux: number, units: number, momentum: number, rows: number, unbiased: boolean): void {
    this.core.batchNormUpdate(stats * 8, aux * 8, units, momentum, rows, unbiased ? 1 : 0);
  }
  layerNormForward(x: number, gamma: number, beta: number, aux: number, z: number, rows: number, units: number, epsilon: number): void {
    this.core.layerNormForward(x * 8, gamma * 8, beta * 8, aux * 8, z * 8, rows, units, epsilon);
  }
  layerNormBackward(x: number, gamma: number, aux: number, dZ: number, dGamma: number, dBeta: number, dX: number, rows: number, units: number): void {
    this.core.layerNormBackward(x * 8, gamma * 8, aux * 8, dZ * 8, dGamma * 8, dBeta * 8, dX < 0 ? 0 : dX * 8, rows, units);
  }
  step(desc: number, rows: number, mode: number): number {
    return this.core.step(desc * 8, rows, mode);
  }
  epochs(desc: number, samples: number, batchSize: number, shuffle: boolean, count: number): number {
    return this.core.epochs(desc * 8, samples, batchSize, shuffle ? 1 : 0, count);
  }
  countCorrect(loss: number, p: number, y: number, rows: number, cols: number): number {
    return this.core.countCorrect(loss, p * 8, y * 8, rows, cols);
  }
  sumAbsError(loss: number, a: number, y: number, rows: number, cols: number): number {
    return this.core.sumAbsError(loss, a * 8, y * 8, rows, cols);
  }
}
