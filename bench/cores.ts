// What this machine gives threads at this moment, two readings that bench/threads.ts records
// beside each of its ratios (`node --import tsx bench/cores.ts [threads=2] [seconds=5]` prints
// them once a second):
// - coreScaling: bench/peak.ts's register loop (independent f64x2 multiply + add chains, no
//   memory traffic) on one thread, then on `threads` threads at once, interleaved, medians: the
//   most any threaded product could gain right now. On the 2-core CI VM it read 1.85–2.0× for
//   minutes, then 1.3× (as if both vCPUs shared one physical core).
// - handoff: reading and rewriting 512 KiB that the other core has just written, against the
//   same when this core wrote it (in its own cache): what a step pays each time data written by
//   one thread is next used by another (the batch, Z, dZ, dW, the weights after an update).
import { Worker } from 'node:worker_threads';
import asc from 'assemblyscript/asc';

const CHAINS = 8;
const ITERS = 1_000_000; // ≈ 2–3 ms a call

let module: WebAssembly.Module | undefined;
const workers: { worker: Worker; board: Int32Array }[] = [];

/** AssemblyScript source of `peak(iters, x)`: `n` independent f64x2 multiply-then-add chains
 *  held in registers (bench/peak.ts runs it with 8 and 12 chains on one thread). */
export function chainsSource(n: number): string {
  const names = Array.from({ length: n }, (_, i) => `c${i}`);
  const operands = ['a, b', 'a, d', 'b, d', 'a, a'];
  return `export function peak(iters: i32, x: f64): f64 {
  const a = f64x2.splat(x), b = f64x2.splat(1.0000001), d = f64x2.splat(0.9999999);
  let ${names.map((c) => `${c} = f64x2.splat(0)`).join(', ')};
  for (let i = 0; i < iters; i++) {
    ${names.map((c, i) => `${c} = f64x2.add(${c}, f64x2.mul(${operands[i % 4]}));`).join('\n    ')}
  }
  let s = f64x2.splat(0);
  ${names.map((c) => `s = f64x2.add(s, ${c});`).join(' ')}
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}`;
}

async function compile(): Promise<WebAssembly.Module> {
  const { binary, stderr } = await asc.compileString(chainsSource(CHAINS), { optimizeLevel: 3, enable: ['simd'], runtime: 'stub' });
  if (!binary) throw new Error(String(stderr));
  return new WebAssembly.Module(new Uint8Array(binary));
}

// A worker runs one call each time its board's word 0 changes, then counts it in word 1.
const WORKER = `
const { workerData } = require('node:worker_threads');
const peak = new WebAssembly.Instance(workerData.module, {}).exports.peak;
const board = new Int32Array(workerData.board);
for (let seen = 0; ; ) {
  Atomics.wait(board, 0, seen);
  seen = Atomics.load(board, 0);
  if (seen < 0) break;
  peak(workerData.iters, 1);
  Atomics.add(board, 1, 1);
  Atomics.notify(board, 1);
}`;

const median = (v: number[]): number => [...v].sort((p, q) => p - q)[v.length >> 1]!;

/** Waits for a worker, whose board's word 0 this thread just advanced, to count its call. */
function wake(board: Int32Array, done: number): void {
  Atomics.add(board, 0, 1);
  Atomics.notify(board, 0);
  while (Atomics.load(board, 1) === done) Atomics.wait(board, 1, done, 50);
}

const TOUCH = `export function touch(p: usize, n: i32): void {
  const one = f64x2.splat(1);
  for (let o: usize = 0; o < (<usize>n << 3); o += 16) v128.store(p + o, f64x2.add(v128.load(p + o), one));
}`;
const HANDOFF_WORKER = `
const { workerData } = require('node:worker_threads');
const touch = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory } }).exports.touch;
const board = new Int32Array(workerData.board);
for (let seen = 0; ; ) {
  Atomics.wait(board, 0, seen);
  seen = Atomics.load(board, 0);
  if (seen < 0) break;
  touch(workerData.at, board[2]);
  Atomics.add(board, 1, 1);
  Atomics.notify(board, 1);
}`;
let handoffParts: { touch: (p: number, n: number) => void; board: Int32Array } | undefined;

/** µs to read and rewrite `kib` KiB (f64x2) just written by this core (`local`) and by another
 *  (`moved`), medians of interleaved calls for about `seconds`; `ratio` = moved / local. */
export async function handoff(kib = 512, seconds = 0.5): Promise<{ local: number; moved: number; ratio: number }> {
  const n = (kib * 1024) / 8;
  const at = 65536;
  if (handoffParts === undefined) {
    const { binary, stderr } = await asc.compileString(TOUCH, { optimizeLevel: 3, enable: ['simd', 'threads'], runtime: 'stub', importMemory: true, sharedMemory: true, initialMemory: 64, maximumMemory: 64 });
    if (!binary) throw new Error(String(stderr));
    const touchModule = new WebAssembly.Module(new Uint8Array(binary));
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 64, shared: true });
    const board = new Int32Array(new SharedArrayBuffer(12));
    const worker = new Worker(HANDOFF_WORKER, { eval: true, workerData: { module: touchModule, memory, board: board.buffer, at } });
    worker.unref();
    const touch = new WebAssembly.Instance(touchModule, { env: { memory } }).exports.touch as (p: number, n: number) => void;
    handoffParts = { touch, board };
  }
  const { touch, board } = handoffParts;
  if (kib > 2048) throw new RangeError('handoff: at most 2048 KiB');
  board[2] = n; // what the worker touches
  const local: number[] = [];
  const moved: number[] = [];
  for (let i = 0; i < 5; i++) touch(at, n);
  for (const end = performance.now() + seconds * 1000; performance.now() < end || local.length < 5; ) {
    touch(at, n); // now in this core's cache
    let t = performance.now();
    touch(at, n);
    local.push((performance.now() - t) * 1000);
    wake(board, Atomics.load(board, 1)); // the other core writes it
    t = performance.now();
    touch(at, n);
    moved.push((performance.now() - t) * 1000);
  }
  const [a, b] = [median(local), median(moved)];
  return { local: a, moved: b, ratio: b / a };
}

/** GFLOP/s of one thread and of `threads` threads together, and their ratio, measured for about
 *  `seconds` (interleaved pairs of calls). */
export async function coreScaling(threads: number, seconds = 0.5): Promise<{ one: number; all: number; ratio: number }> {
  module ??= await compile();
  let fresh = workers.length < threads - 1;
  while (workers.length < threads - 1) {
    const board = new Int32Array(new SharedArrayBuffer(8));
    const worker = new Worker(WORKER, { eval: true, workerData: { module, board: board.buffer, iters: ITERS } });
    worker.unref();
    workers.push({ worker, board });
  }
  const peak = new WebAssembly.Instance(module, {}).exports.peak as (iters: number, x: number) => number;
  for (const end = performance.now() + (fresh ? 200 : 10); performance.now() < end; ) peak(ITERS, 1); // V8's optimizing tier
  const one: number[] = [];
  const all: number[] = [];
  const flops = ITERS * CHAINS * 4;
  for (const end = performance.now() + seconds * 1000; performance.now() < end || one.length < 5; ) {
    let t = performance.now();
    peak(ITERS, 1);
    one.push(flops / (performance.now() - t) / 1e6);
    const used = workers.slice(0, threads - 1);
    const done = used.map((w) => Atomics.load(w.board, 1));
    t = performance.now();
    for (const w of used) {
      Atomics.add(w.board, 0, 1);
      Atomics.notify(w.board, 0);
    }
    peak(ITERS, 1);
    used.forEach((w, i) => {
      while (Atomics.load(w.board, 1) === done[i]) Atomics.wait(w.board, 1, done[i]!, 50);
    });
    if (fresh) { // the workers' first calls (their optimizing tier): not counted
      fresh = false;
      one.length = 0;
      all.length = 0;
    }
    all.push((threads * flops) / (performance.now() - t) / 1e6);
  }
  const [a, b] = [median(one), median(all)];
  return { one: a, all: b, ratio: b / a };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const threads = Number(process.argv[2] ?? 2);
  const seconds = Number(process.argv[3] ?? 5);
  await coreScaling(threads, 1); // (the workers' start and V8's tiers: not printed, as in bench/threads.ts)
  for (let s = 0; s < seconds; s++) {
    const c = await coreScaling(threads, 0.5);
    const h = await handoff(512, 0.5);
    console.log(`register compute: 1 thread ${c.one.toFixed(1)} GFLOP/s, ${threads} threads ${c.all.toFixed(1)} GFLOP/s: ${c.ratio.toFixed(2)}×; 512 KiB written by another core: ${h.moved.toFixed(0)} µs to rewrite, by this one: ${h.local.toFixed(0)} µs (${h.ratio.toFixed(1)}×)`);
  }
  process.exit(0);
}
