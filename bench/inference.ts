// The inference bench (`npm run bench -- --only=inference`): per-call latency of `predict` at
// 1, 32 and 1,024 rows for the four networks, wasmnet (wasm, js) against a hand-written plain-JS
// forward pass, onnxruntime-web (wasm backend, 1 thread, f32 and f64 models of the same
// weights) and TensorFlow.js (wasm, cpu). Each library runs in its own worker thread
// (./peers/inference-host.ts); the main thread interleaves them in rounds, and every library
// first has to return the same outputs as wasmnet for the same input.
import { Worker } from 'node:worker_threads';
import { dense, Network, type LayerWeights } from '../src/index';
import { INFERENCE_LIBS, type InferenceLib, type InferenceNet } from './peers/inference-libs';
import { median, progress, Rng, type BenchPlan } from './stats';

export const INFERENCE_NETS: InferenceNet[] = [
  { id: '784-128-10', sizes: [784, 128, 10], activations: ['relu', 'softmax'] },
  { id: '784-512-512-10', sizes: [784, 512, 512, 10], activations: ['relu', 'relu', 'softmax'] },
  { id: '4-16-3', sizes: [4, 16, 3], activations: ['relu', 'softmax'] },
  { id: '2-3-1', sizes: [2, 3, 1], activations: ['tanh', 'sigmoid'] },
];
export const INFERENCE_ROWS = [1, 32, 1024];
/** Largest |difference| from wasmnet wasm's outputs each library may show (f32 rounding). */
const TOLERANCE = { f64: 1e-12, f32: 1e-4 };

export interface LatencyCell {
  /** median over rounds of each round's median per-call time, µs */
  median: number;
  /** 99th percentile of every sample, µs */
  p99: number;
  /** each round's median, µs */
  rounds: number[];
}

export interface InferenceResult {
  net: string;
  rows: number;
  /** lib id → latency */
  libs: Record<string, LatencyCell>;
}

export interface InferenceRun {
  libraries: { id: string; label: string; precision: string }[];
  /** net id → lib id → largest |output − wasmnet wasm's output| over the check rows */
  agreement: Record<string, Record<string, number>>;
  results: InferenceResult[];
}

/** One worker per library; `call` sends a request and resolves with its answer. */
function startWorker(lib: InferenceLib): { call<T>(op: string, args?: Record<string, unknown>): Promise<T>; close(): Promise<number> } {
  const worker = new Worker(new URL('./peers/inference-worker.mjs', import.meta.url), { workerData: { lib: lib.id } });
  let nextId = 0;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  worker.on('message', ({ id, value, error }: { id: number; value?: unknown; error?: string }) => {
    const p = pending.get(id)!;
    pending.delete(id);
    if (error !== undefined) p.reject(new Error(`${lib.id}: ${error}`));
    else p.resolve(value);
  });
  worker.on('error', (e) => pending.forEach((p) => p.reject(e)));
  return {
    call: <T>(op: string, args: Record<string, unknown> = {}) =>
      new Promise<T>((resolve, reject) => {
        const id = ++nextId;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        worker.postMessage({ id, op, ...args });
      }),
    close: () => worker.terminate(),
  };
}

/** Seeded weights (wasmnet's default initialisers, plus small random biases) and inputs. */
function netData(net: InferenceNet, seed: number): { weights: LayerWeights[]; inputs: Map<number, Float64Array> } {
  const model = new Network({ inputSize: net.sizes[0]!, layers: net.sizes.slice(1).map((u, i) => dense(u, { activation: net.activations[i]! })), loss: 'mse', seed });
  const rng = new Rng(seed);
  const weights = model.getWeights().map(({ weights, bias }) => ({ weights, bias: bias.map(() => (rng.next() - 0.5) * 0.2) }));
  const inputs = new Map<number, Float64Array>();
  for (const rows of INFERENCE_ROWS) inputs.set(rows, Float64Array.from({ length: rows * net.sizes[0]! }, () => rng.next()));
  return { weights, inputs };
}

function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

export async function benchInference(plan: BenchPlan, libs: InferenceLib[] = INFERENCE_LIBS): Promise<InferenceRun> {
  const rounds = plan.quick ? 2 : 7;
  const budgetMs = plan.quick ? 15 : 60;
  const workers = libs.map(startWorker);
  try {
    await Promise.all(workers.map((w) => w.call('setup')));
    const agreement: InferenceRun['agreement'] = {};
    const samples = new Map<string, number[][]>(); // `${net}|${rows}|${lib}` → per-round samples
    for (const [n, net] of INFERENCE_NETS.entries()) {
      const { weights, inputs } = netData(net, 1000 + n);
      await Promise.all(workers.map((w) => w.call('build', { net, weights })));
      // Same outputs first: every library predicts every input (which also prepares it).
      agreement[net.id] = {};
      const reference = new Map<number, Float64Array>();
      for (const rows of INFERENCE_ROWS) {
        const outs = await Promise.all(workers.map((w) => w.call<Float64Array>('predict', { net, x: inputs.get(rows), rows })));
        reference.set(rows, outs[0]!);
        libs.forEach((lib, i) => {
          let worst = 0;
          outs[i]!.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - outs[0]![j]!))));
          if (!(outs[i]!.length === outs[0]!.length && worst <= TOLERANCE[lib.precision])) {
            throw new Error(`inference bench: ${lib.id} disagrees with wasmnet on ${net.id} (${rows} rows): largest difference ${worst}`);
          }
          agreement[net.id]![lib.id] = Math.max(agreement[net.id]![lib.id] ?? 0, worst);
        });
      }
      for (let round = 0; round < rounds; round++) {
        progress(`inference ${net.id}: round ${round + 1}/${rounds}`);
        for (const rows of INFERENCE_ROWS) {
          // Rotate the order each round, so no library always runs right after another.
          for (let j = 0; j < libs.length; j++) {
            const i = (j + round) % libs.length;
            const times = await workers[i]!.call<number[]>('time', { net, rows, budgetMs });
            const key = `${net.id}|${rows}|${libs[i]!.id}`;
            if (!samples.has(key)) samples.set(key, []);
            samples.get(key)!.push(times);
          }
        }
      }
    }
    const results: InferenceResult[] = [];
    for (const net of INFERENCE_NETS) {
      for (const rows of INFERENCE_ROWS) {
        const cells: Record<string, LatencyCell> = {};
        for (const lib of libs) {
          const perRound = samples.get(`${net.id}|${rows}|${lib.id}`)!;
          const roundMedians = perRound.map((s) => median(s));
          cells[lib.id] = { median: median(roundMedians), p99: percentile(perRound.flat(), 0.99), rounds: roundMedians };
        }
        results.push({ net: net.id, rows, libs: cells });
      }
    }
    return { libraries: libs.map(({ id, label, precision }) => ({ id, label, precision })), agreement, results };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
}

/** Median over rounds of (other's time / wasmnet wasm's time) in the same round: > 1 means
 *  wasmnet is faster. */
export function speedRatio(r: InferenceResult, other: string, base = 'wasmnet-wasm'): number {
  const a = r.libs[base]!.rounds;
  const b = r.libs[other]!.rounds;
  return median(a.map((t, i) => b[i]! / t));
}

const fmt = (us: number): string => (us >= 1000 ? `${(us / 1000).toFixed(us >= 10_000 ? 1 : 2)} ms` : us >= 10 ? `${us.toFixed(0)} µs` : `${us.toFixed(2)} µs`);

/** The targets of issue 12: [net, rows, peer, wasmnet's speed must be at least this × the peer's]. */
export const INFERENCE_TARGETS: [string, number, string, number][] = [
  ['784-128-10', 1, 'ort-f32', 1.5],
  ['784-128-10', 1, 'ort-f64', 2],
  ['784-512-512-10', 1, 'ort-f32', 0.6],
  ['784-512-512-10', 1, 'ort-f64', 1.5],
  ['784-128-10', 1024, 'ort-f32', 0.7],
  ['784-128-10', 1024, 'ort-f64', 2.5],
  ['4-16-3', 1, 'plain-js', 1],
  ['4-16-3', 1, 'ort-f32', 10],
  ['4-16-3', 1, 'ort-f64', 10],
];

export function inferenceTable(run: InferenceRun): string {
  const libs = run.libraries;
  const lines = [
    '### Inference: per-call latency of predict, median (p99)',
    '',
    `| network | rows | ${libs.map((l) => l.label).join(' | ')} |`,
    `| --- | ---: | ${libs.map(() => '---:').join(' | ')} |`,
  ];
  for (const r of run.results) {
    lines.push(`| ${r.net} | ${r.rows.toLocaleString('en-US')} | ${libs.map((l) => `${fmt(r.libs[l.id]!.median)} (${fmt(r.libs[l.id]!.p99)})`).join(' | ')} |`);
  }
  const peers = libs.filter((l) => l.id !== 'wasmnet-wasm');
  lines.push('', '### wasmnet wasm\'s speed relative to each library (median over rounds of their time ÷ wasmnet\'s, same round)', '');
  lines.push(`| network | rows | ${peers.map((l) => l.label).join(' | ')} |`, `| --- | ---: | ${peers.map(() => '---:').join(' | ')} |`);
  for (const r of run.results) lines.push(`| ${r.net} | ${r.rows.toLocaleString('en-US')} | ${peers.map((l) => `${speedRatio(r, l.id).toFixed(2)}×`).join(' | ')} |`);
  const targets = INFERENCE_TARGETS.filter(([net, rows, peer]) => run.results.some((r) => r.net === net && r.rows === rows && r.libs[peer]));
  if (targets.length > 0) {
    // with threads too, where the run has them (the targets were set for one thread)
    const threaded = libs.some((l) => l.id === 'wasmnet-threads');
    lines.push(
      '',
      '### Targets (issue 12)',
      '',
      `| network | rows | against | target | measured${threaded ? ' | with threads' : ''} | met |`,
      `| --- | ---: | --- | ---: | ---:${threaded ? ' | ---:' : ''} | --- |`,
    );
    for (const [net, rows, peer, want] of targets) {
      const r = run.results.find((x) => x.net === net && x.rows === rows)!;
      const got = speedRatio(r, peer);
      const withThreads = threaded ? speedRatio(r, peer, 'wasmnet-threads') : 0;
      const met = got >= want ? 'yes' : withThreads >= want ? 'with threads' : '**no**';
      lines.push(`| ${net} | ${rows.toLocaleString('en-US')} | ${libs.find((l) => l.id === peer)!.label} | ≥ ${want}× | ${got.toFixed(2)}×${threaded ? ` | ${withThreads.toFixed(2)}×` : ''} | ${met} |`);
    }
  }
  lines.push(
    '',
    `Every library first returned wasmnet's outputs for the same inputs: largest difference ${libs
      .filter((l) => l.id !== 'wasmnet-wasm')
      .map((l) => `${l.id} ${Math.max(...Object.values(run.agreement).map((a) => a[l.id] ?? 0)).toExponential(1)}`)
      .join(', ')}. One worker thread per library; ${'rounds interleaved'}, each library's order rotated per round. A sample is one call, or the mean of a group of calls when a call takes under 20 µs.`,
  );
  return lines.join('\n');
}
