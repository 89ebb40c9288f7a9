// Timing, statistics and seeded data shared by the benchmark modules. Nothing here asserts on
// time: the numbers are reported, never checked.
import { performance } from 'node:perf_hooks';

/** How long and how often to measure; `--quick` trades precision for a fast smoke run. */
export interface BenchPlan {
  quick: boolean;
  /** Timed repetitions per kernel and backend (after warm-up). */
  kernelReps: number;
  /** Minimum duration of one kernel repetition, in ms (the call is looped to reach it). */
  kernelRepMs: number;
  /** Timed training runs per workload and library (after warm-up), interleaved across libraries. */
  trainRuns: number;
  /** Target duration of one training run, in ms (epochs are repeated, or for a slow library a
   *  run is cut to whole batches of a partial epoch, to get near it). */
  trainRunMs: number;
  /** Minimum warm-up per library and workload, in ms of training, before the timed runs. */
  warmupMs: number;
  /** A library whose single batch takes longer than this (ms) is reported as "n/a (too slow)". */
  maxBatchMs: number;
  /** Peers (libraries other than wasmnet) are skipped on these workloads, to keep the run short. */
  skipPeersOn: string[];
  /** Epochs of the real-data MNIST line. */
  mnistEpochs: number;
  /** Libraries of the MNIST line. */
  mnistLibs: string[];
}

export const FULL_PLAN: BenchPlan = {
  quick: false,
  kernelReps: 9,
  kernelRepMs: 60,
  trainRuns: 9,
  trainRunMs: 500,
  warmupMs: 1_500,
  maxBatchMs: 10_000,
  skipPeersOn: [],
  mnistEpochs: 5,
  mnistLibs: ['wasmnet-wasm', 'wasmnet-threads', 'wasmnet-js', 'tfjs-wasm', 'tfjs-cpu', 'convnetjs'],
};
export const QUICK_PLAN: BenchPlan = {
  quick: true,
  kernelReps: 3,
  kernelRepMs: 15,
  trainRuns: 3,
  trainRunMs: 80,
  warmupMs: 150,
  maxBatchMs: 3_000,
  skipPeersOn: ['wide'],
  mnistEpochs: 1,
  mnistLibs: ['wasmnet-wasm', 'wasmnet-js', 'tfjs-wasm'],
};

/** Median and spread of one backend's repetitions (values are rates: higher is faster). */
export interface Series {
  median: number;
  min: number;
  max: number;
  /** Every repetition, in the order measured. */
  samples: number[];
}

export function series(samples: number[]): Series {
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), samples };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Half the min–max range relative to the median, as a rough ± for the tables. */
export function relativeSpread(s: Series): number {
  return s.median > 0 ? (s.max - s.min) / 2 / s.median : 0;
}

export function timeSync(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

export async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Smallest repeat count (roughly) whose run lasts at least `targetMs`. The probing runs double
 *  as warm-up, so the JIT has compiled the code before anything is timed. */
export async function calibrate(run: (count: number) => Promise<number>, targetMs: number): Promise<number> {
  let count = 1;
  for (;;) {
    const ms = await run(count);
    if (ms >= targetMs) return count;
    // Overshoot by 20% so that later (often faster, fully optimised) runs still reach the target.
    count = ms < 1 ? count * 10 : Math.max(count + 1, Math.ceil((count * targetMs * 1.2) / ms));
  }
}

/** mulberry32: a tiny seeded PRNG, so every run benchmarks the same data. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** `count` values uniform in [lo, hi). */
  fill(count: number, lo: number, hi: number): Float64Array {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = this.uniform(lo, hi);
    return out;
  }
}

/** Progress goes to stderr so stdout carries only the markdown report. */
export function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}
