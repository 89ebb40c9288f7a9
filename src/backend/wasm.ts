// The WebAssembly backend: one instance of the core per network, so the arena (the instance's
// memory) is freed with the network. Offsets are f64 indices; the core takes byte pointers.
import { coreModule } from '../core/wasm';
import type { Kernels } from './kernels';

interface CoreExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  step(desc: number, rows: number, mode: number): number;
  gemmScratchSize(k: number, n: number): number;
  matmul(a: number, b: number, c: number, m: number, k: number, n: number, acc: number, scratch: number): void;
  matmulTransA(a: number, b: number, c: number, m: number, k: number, n: number, acc: number, scratch: number): void;
  matmulTransB(a: number, b: number, c: number, m: number, k: number, n: number, acc: number, scratch: number): void;
  addBias(c: number, bias: number, rows: number, cols: number): void;
  columnSums(a: number, out: number, rows: number, cols: number, acc: number): void;
  activate(act: number, z: number, a: number, rows: number, cols: number, alpha: number): void;
  activateBackward(act: number, z: number, a: number, dA: number, dZ: number, rows: number, cols: number, alpha: number): void;
  mse(a: number, y: number, grad: number, count: number): number;
  softmaxCrossEntropy(z: number, p: number, y: number, grad: number, rows: number, cols: number): number;
  sigmoidBinaryCrossEntropy(z: number, p: number, y: number, grad: number, count: number): number;
  sgd(params: number, grads: number, velocity: number, count: number, lr: number, momentum: number): number;
}

const PAGE_F64 = 65536 / 8;
/** wasm32 addresses 4 GiB; f64 offsets beyond 2²⁹ cannot be pointed at. */
const MAX_F64 = 2 ** 29;

export class WasmKernels implements Kernels {
  readonly name = 'wasm' as const;
  readonly base: number;
  heap: Float64Array;
  private readonly core: CoreExports;

  constructor() {
    this.core = new WebAssembly.Instance(coreModule(), {}).exports as unknown as CoreExports;
    this.base = this.core.heapBase() / 8;
    this.heap = new Float64Array(this.core.memory.buffer);
  }

  reserve(size: number): void {
    if (size <= this.heap.length) return;
    if (size > MAX_F64) throw new RangeError(`wasmnet: the network needs ${size * 8} bytes, more than WebAssembly's 4 GiB`);
    const pages = Math.ceil((size - this.heap.length) / PAGE_F64);
    this.core.memory.grow(pages);
    // Growing detaches the old ArrayBuffer: every view must be made anew.
    this.heap = new Float64Array(this.core.memory.buffer);
  }

  gemmScratchSize(k: number, n: number): number {
    return this.core.gemmScratchSize(k, n);
  }
  matmul(a: number, b: number, c: number, m: number, k: number, n: number, accumulate: boolean, scratch: number): void {
    this.core.matmul(a * 8, b * 8, c * 8, m, k, n, accumulate ? 1 : 0, scratch * 8);
  }
  matmulTransA(a: number, b: number, c: number, m: number, k: number, n: number, accumulate: boolean, scratch: number): void {
    this.core.matmulTransA(a * 8, b * 8, c * 8, m, k, n, accumulate ? 1 : 0, scratch * 8);
  }
  matmulTransB(a: number, b: number, c: number, m: number, k: number, n: number, accumulate: boolean, scratch: number): void {
    this.core.matmulTransB(a * 8, b * 8, c * 8, m, k, n, accumulate ? 1 : 0, scratch * 8);
  }
  addBias(c: number, bias: number, rows: number, cols: number): void {
    this.core.addBias(c * 8, bias * 8, rows, cols);
  }
  columnSums(a: number, out: number, rows: number, cols: number, accumulate: boolean): void {
    this.core.columnSums(a * 8, out * 8, rows, cols, accumulate ? 1 : 0);
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
  sgd(params: number, grads: number, velocity: number, count: number, lr: number, momentum: number): boolean {
    return this.core.sgd(params * 8, grads * 8, velocity * 8, count, lr, momentum) === 1;
  }
  step(desc: number, rows: number, mode: number): number {
    return this.core.step(desc * 8, rows, mode);
  }
}

/** The core's exported constants, for checking src/backend/codes.ts against assembly/codes.ts. */
export function coreConstants(): Record<string, number> {
  const exports = new WebAssembly.Instance(coreModule(), {}).exports;
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(exports)) {
    if (value instanceof WebAssembly.Global) out[name] = value.value as number;
  }
  return out;
}
