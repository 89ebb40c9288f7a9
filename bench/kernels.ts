// GEMM throughput of the two backends, kernel by kernel. Both backends get the same operands
// and are timed in alternation (wasm, js, wasm, js, …) so that machine noise (frequency
// changes, other processes) lands on both sides instead of biasing one of them.
import { JsKernels } from '../src/backend/js';
import type { Kernels } from '../src/backend/kernels';
import { WasmKernels } from '../src/backend/wasm';
import { calibrate, progress, Rng, series, timeSync, type BenchPlan, type Series } from './stats';

export type GemmForm = 'matmul' | 'matmulTransA' | 'matmulTransB';

export interface KernelCase {
  form: GemmForm;
  /** What the shape stands for ("square", or the MNIST layer product it mirrors). */
  shape: string;
  m: number;
  k: number;
  n: number;
}

export interface KernelResult extends KernelCase {
  /** 2·m·k·n floating-point operations per call. */
  flops: number;
  /** GFLOP/s per repetition. */
  wasm: Series;
  js: Series;
  /** Kernel calls looped inside one timed repetition. */
  callsPerRep: { wasm: number; js: number };
  /** median(wasm) / median(js) */
  ratio: number;
  /** Largest |C_wasm − C_js| on the same operands: both sides computed the same product. */
  maxAbsDiff: number;
}

const FORMS: { form: GemmForm; mnist: Omit<KernelCase, 'form'> }[] = [
  // The three products one training step of the 784-128-10 network's first layer runs (batch 32).
  { form: 'matmul', mnist: { shape: 'MNIST forward X·W', m: 32, k: 784, n: 128 } },
  { form: 'matmulTransA', mnist: { shape: 'MNIST weight grad Xᵀ·dZ', m: 784, k: 32, n: 128 } },
  { form: 'matmulTransB', mnist: { shape: 'MNIST input grad dZ·Wᵀ', m: 32, k: 128, n: 784 } },
];
const SQUARE_SIZES = [64, 128, 256];

export const KERNEL_CASES: KernelCase[] = FORMS.flatMap(({ form, mnist }) => [
  ...SQUARE_SIZES.map((s) => ({ form, shape: 'square', m: s, k: s, n: s })),
  { form, ...mnist },
]);

/** A backend with A, B and C placed in its arena and filled with the given operands. */
interface Operands {
  kernels: Kernels;
  a: number;
  b: number;
  c: number;
  scratch: number;
}

/** Cache-line (8 f64) alignment, so neither backend is measured on a split-line layout. */
const align = (offset: number): number => Math.ceil(offset / 8) * 8;

function place(kernels: Kernels, a: Float64Array, b: Float64Array, cSize: number, k: number, n: number): Operands {
  const aAt = align(kernels.base);
  const bAt = align(aAt + a.length);
  const cAt = align(bAt + b.length);
  const scratch = align(cAt + cSize);
  kernels.reserve(scratch + kernels.gemmScratchSize(k, n));
  const heap = kernels.heap; // read after reserve, which may replace the arena
  heap.set(a, aAt);
  heap.set(b, bAt);
  heap.fill(0, cAt, cAt + cSize);
  return { kernels, a: aAt, b: bAt, c: cAt, scratch };
}

function runCalls(op: Operands, kase: KernelCase, calls: number): number {
  const { kernels, a, b, c, scratch } = op;
  const { form, m, k, n } = kase;
  return timeSync(() => {
    for (let i = 0; i < calls; i++) kernels[form](a, b, c, m, k, n, false, scratch);
  });
}

export async function benchKernel(kase: KernelCase, plan: BenchPlan, rng: Rng): Promise<KernelResult> {
  const { m, k, n } = kase;
  // Every form reads m·k values of A and k·n of B (transposed or not) and writes m·n of C.
  const a = rng.fill(m * k, -1, 1);
  const b = rng.fill(k * n, -1, 1);
  const wasm = place(new WasmKernels(), a, b, m * n, k, n);
  const js = place(new JsKernels(), a, b, m * n, k, n);

  runCalls(wasm, kase, 1);
  runCalls(js, kase, 1);
  let maxAbsDiff = 0;
  for (let i = 0; i < m * n; i++) {
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(wasm.kernels.heap[wasm.c + i]! - js.kernels.heap[js.c + i]!));
  }

  const calls = {
    wasm: await calibrate(async (count) => runCalls(wasm, kase, count), plan.kernelRepMs),
    js: await calibrate(async (count) => runCalls(js, kase, count), plan.kernelRepMs),
  };
  // One untimed repetition each at the final call count finishes the warm-up.
  runCalls(wasm, kase, calls.wasm);
  runCalls(js, kase, calls.js);

  const flops = 2 * m * k * n;
  const gflops = (calls: number, ms: number): number => (flops * calls) / (ms * 1e6);
  const wasmRates: number[] = [];
  const jsRates: number[] = [];
  for (let rep = 0; rep < plan.kernelReps; rep++) {
    wasmRates.push(gflops(calls.wasm, runCalls(wasm, kase, calls.wasm)));
    jsRates.push(gflops(calls.js, runCalls(js, kase, calls.js)));
  }
  const result: KernelResult = {
    ...kase,
    flops,
    wasm: series(wasmRates),
    js: series(jsRates),
    callsPerRep: calls,
    ratio: 0,
    maxAbsDiff,
  };
  result.ratio = result.wasm.median / result.js.median;
  return result;
}

export async function benchKernels(plan: BenchPlan): Promise<KernelResult[]> {
  const rng = new Rng(0x5eed);
  const results: KernelResult[] = [];
  for (const kase of KERNEL_CASES) {
    progress(`kernel ${kase.form} ${kase.m}×${kase.k}×${kase.n} …`);
    results.push(await benchKernel(kase, plan, rng));
  }
  return results;
}
