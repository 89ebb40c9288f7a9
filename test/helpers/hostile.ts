// Builders for hostile model files (written in code, no fixtures) and a meter for what an
// import costs: its time and the peak growth of the process's resident set while it ran.
// The protobuf writer is independent of src/onnx/protobuf.ts on purpose: a bug there must
// not shape the inputs that test it.
import { GCProfiler, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { expect } from 'vitest';
import { Network, WasmnetError } from 'wasmnet';
import { inMutationRun } from './mutation';

/** The CPU bound of one import: a second, ten in a mutation run (StrykerJS's instrumented
 *  copy of src/ counts coverage at every expression: one refusal measured 2.4 s there). A
 *  mutant that makes an import hang still fails it, or times out, which Stryker counts as
 *  killed. */
const CPU_LIMIT_MS = inMutationRun ? 10_000 : 1000;

// ---- protobuf -------------------------------------------------------------------------------

/** Bytes of a varint (non-negative integers below 2^53). */
export function varint(v: number): number[] {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** Concatenates byte arrays (and plain number arrays). */
export function cat(parts: readonly (Uint8Array | number[])[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `pattern` repeated `n` times. */
export function repeatBytes(pattern: readonly number[] | Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(pattern.length * n);
  for (let i = 0; i < n; i++) out.set(pattern, i * pattern.length);
  return out;
}

const utf8 = new TextEncoder();
/** A length-delimited field. */
export const bytesField = (field: number, data: Uint8Array | number[]): Uint8Array => cat([varint(field * 8 + 2), varint(data.length), data]);
export const strField = (field: number, s: string): Uint8Array => bytesField(field, utf8.encode(s));
export const intField = (field: number, v: number): Uint8Array => cat([varint(field * 8), varint(v)]);
export const floatField = (field: number, v: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v, true);
  return cat([varint(field * 8 + 5), b]);
};

/** list.push(...items) without an argument spread (which overflows the stack past ~100,000). */
export function add<T>(list: T[], items: readonly T[]): number {
  for (const item of items) list.push(item);
  return list.length;
}

// ---- ONNX (field numbers from onnx.proto) ---------------------------------------------------

export const FLOAT = 1;
export const INT64 = 7;

export function f32(values: readonly number[]): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setFloat32(i * 4, x, true));
  return b;
}

/** TensorProto: dims[1], data_type[2], name[8], raw_data[9], plus any extra fields. */
export function tensor(name: string, dims: readonly number[], raw: Uint8Array | undefined, dataType = FLOAT, extra: Uint8Array[] = []): Uint8Array {
  return cat([...dims.map((d) => intField(1, d)), intField(2, dataType), strField(8, name), ...(raw ? [bytesField(9, raw)] : []), ...extra]);
}

/** AttributeProto: name[1], f[2] (type FLOAT = 1) or i[3] (type INT = 2), type[20]. */
export const floatAttr = (name: string, f: number): Uint8Array => cat([strField(1, name), floatField(2, f), intField(20, 1)]);
export const intAttr = (name: string, i: number): Uint8Array => cat([strField(1, name), intField(3, i), intField(20, 2)]);

/** NodeProto: input[1], output[2], name[3], op_type[4], attribute[5]. */
export function node(op: string, inputs: readonly string[], outputs: readonly string[], attributes: Uint8Array[] = [], name = ''): Uint8Array {
  return cat([...inputs.map((i) => strField(1, i)), ...outputs.map((o) => strField(2, o)), strField(3, name), strField(4, op), ...attributes.map((a) => bytesField(5, a))]);
}

/** ValueInfoProto of a FLOAT tensor with the given dims (null: symbolic). */
export function value(name: string, dims: readonly (number | null)[]): Uint8Array {
  const shape = cat(dims.map((d) => bytesField(1, d === null ? strField(2, 'batch') : intField(1, d))));
  return cat([strField(1, name), bytesField(2, bytesField(1, cat([intField(1, FLOAT), bytesField(2, shape)])))]);
}

export interface GraphParts {
  nodes: Uint8Array[];
  initializers: Uint8Array[];
  inputs: Uint8Array[];
  outputs: Uint8Array[];
  /** more raw GraphProto fields */
  extra?: Uint8Array[];
}

/** ModelProto: ir_version[1], graph[7], opset_import[8]. */
export function model(g: GraphParts, { ir = 8, opset = 17 } = {}): Uint8Array {
  const graph = cat([
    ...g.nodes.map((n) => bytesField(1, n)),
    strField(2, 'hostile'),
    ...g.initializers.map((t) => bytesField(5, t)),
    ...g.inputs.map((v) => bytesField(11, v)),
    ...g.outputs.map((v) => bytesField(12, v)),
    ...(g.extra ?? []),
  ]);
  return cat([intField(1, ir), bytesField(7, graph), bytesField(8, cat([strField(1, ''), intField(2, opset)]))]);
}

/** A valid model: x [batch, 2] → Gemm(W [2, 1], b [1]) → y. Its parts, to extend. */
export function baseGraph(): GraphParts {
  return {
    nodes: [node('Gemm', ['x', 'W', 'b'], ['y'], [], 'dense')],
    initializers: [tensor('W', [2, 1], f32([0.5, -0.25])), tensor('b', [1], f32([0.125]))],
    inputs: [value('x', [null, 2])],
    outputs: [value('y', [null, 1])],
  };
}

// ---- tfjs -----------------------------------------------------------------------------------

/** A valid tfjs layers model.json (Sequential, `n` Dense layers of width 1 after a 2-wide input) and its weights. */
export function tfjsModel(n = 1): { modelJSON: { modelTopology: { class_name: string; config: { layers: { class_name: string; config: Record<string, unknown> }[] } }; weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[] }; weightData: Uint8Array } {
  const layers: { class_name: string; config: Record<string, unknown> }[] = [];
  const weights: { name: string; shape: number[]; dtype: string }[] = [];
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    layers.push({ class_name: 'Dense', config: { name: `dense_${i}`, units: 1, activation: 'linear', use_bias: true, ...(i === 0 ? { batch_input_shape: [null, 2] } : {}) } });
    weights.push({ name: `dense_${i}/kernel`, shape: [i === 0 ? 2 : 1, 1], dtype: 'float32' }, { name: `dense_${i}/bias`, shape: [1], dtype: 'float32' });
    values.push(...(i === 0 ? [0.5, -0.25] : [1]), 0);
  }
  return {
    modelJSON: { modelTopology: { class_name: 'Sequential', config: { layers } }, weightsManifest: [{ paths: ['weights.bin'], weights }] },
    weightData: f32(values),
  };
}

// ---- the meter ------------------------------------------------------------------------------

// A full garbage collection before each measurement, so that garbage left by earlier tests is
// neither counted as the import's nor reused silently: V8 exposes `gc` to contexts created
// after --expose-gc is set (this reads the function; no code from a file is evaluated).
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

let sampler: { worker: Worker; control: Int32Array; peak: Float64Array } | undefined;

async function startSampler() {
  const shared = new SharedArrayBuffer(16);
  const control = new Int32Array(shared, 0, 2);
  const peak = new Float64Array(shared, 8, 1);
  Atomics.store(control, 0, 1);
  const worker = new Worker(new URL('./rss-sampler.mjs', import.meta.url), { workerData: shared });
  while (Atomics.load(control, 1) !== 1) await new Promise((r) => setTimeout(r, 5));
  sampler = { worker, control, peak };
}

/** Stops the sampler thread (call from afterAll). */
export async function stopSampler(): Promise<void> {
  if (!sampler) return;
  Atomics.store(sampler.control, 0, 0);
  Atomics.notify(sampler.control, 0);
  await sampler.worker.terminate();
  sampler = undefined;
}

export interface Cost {
  /** what `run` threw (undefined if it returned) */
  error: unknown;
  /** wall-clock time */
  ms: number;
  /** CPU time of the process (all its threads, the collector's included) */
  cpuMs: number;
  /** the larger of the two peak growths below, in MB */
  growthMB: number;
  /** the peak of the resident set while `run` ran, minus the resident set before, in MB */
  rssMB: number;
  /** the peak of the V8 heap in use plus external memory (ArrayBuffers), minus that before, in MB */
  heapMB: number;
}

/**
 * Runs `run` (and awaits what it returns) and reports its time (wall-clock and CPU) and its peak memory growth after a full garbage
 * collection, measured two ways:
 * - the resident set, sampled every millisecond by another thread (the importing thread is
 *   busy): everything the process holds, but heap space that earlier garbage left committed
 *   can be reused without growing it;
 * - the V8 heap in use plus external memory (ArrayBuffers), at every garbage collection during
 *   the run (v8.GCProfiler: between collections it only grows, so its peak is just before one
 *   or at the end): exact for what JavaScript allocates, garbage included.
 */
export async function cost(run: () => unknown): Promise<Cost> {
  if (!sampler) await startSampler();
  collect();
  const before = process.memoryUsage.rss();
  sampler!.peak[0] = before;
  await new Promise((r) => setTimeout(r, 3)); // the sampler has seen `before`
  let error: unknown;
  const profiler = new GCProfiler();
  profiler.start();
  const h0 = getHeapStatistics();
  const cpu = process.cpuUsage();
  const start = performance.now();
  try {
    await run(); // (fromKeras returns a promise: its work is measured to the end)
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const h1 = getHeapStatistics();
  const gcs = profiler.stop()?.statistics ?? [];
  const rss = Math.max(sampler!.peak[0]!, process.memoryUsage.rss());
  let heap = h1.used_heap_size + h1.external_memory;
  for (const gc of gcs) heap = Math.max(heap, gc.beforeGC.heapStatistics.usedHeapSize + gc.beforeGC.heapStatistics.externalMemory);
  const rssMB = (rss - before) / 2 ** 20;
  const heapMB = (heap - h0.used_heap_size - h0.external_memory) / 2 ** 20;
  return { error, ms, cpuMs: (used.user + used.system) / 1000, growthMB: Math.max(rssMB, heapMB), rssMB, heapMB };
}

/**
 * Counts the operations `run` does on built-in data structures, deterministically (no clock):
 * every call of the Array, Map, Set and String methods below counts 1 plus the length of the
 * array or string it works on (so `includes`, `slice`, `filter`… over n items cost n), and every
 * step of an array, Map or Set iterator counts 1 (so `for…of`, `[...list, x]` and
 * `f(...list)` cost their length). Work in plain index loops and in native code (JSON.parse,
 * TextDecoder) is not counted. The methods are wrapped only while `run` runs. A WasmnetError
 * from `run` is expected of hostile inputs; any other error is rethrown.
 */
export function countOperations(run: () => unknown): number {
  let ops = 0;
  const restore: (() => void)[] = [];
  const wrap = (proto: object, name: string, linear: boolean) => {
    const original = Reflect.get(proto, name) as (...args: unknown[]) => unknown;
    const counted = function (this: unknown, ...args: unknown[]) {
      ops += 1 + (linear ? ((this as { length?: number } | null)?.length ?? 0) : 0);
      return original.apply(this, args);
    };
    Object.defineProperty(proto, name, { value: counted, configurable: true, writable: true });
    restore.push(() => Object.defineProperty(proto, name, { value: original, configurable: true, writable: true }));
  };
  const iterator = (it: object) => wrap(Object.getPrototypeOf(it), 'next', false);
  const linearArray = ['slice', 'filter', 'map', 'flatMap', 'some', 'every', 'find', 'findIndex', 'includes', 'indexOf', 'forEach', 'join', 'reduce', 'concat', 'reverse'];
  try {
    for (const m of linearArray) wrap(Array.prototype, m, true);
    wrap(Array.prototype, 'push', false);
    wrap(Array.prototype, 'pop', false);
    for (const m of ['get', 'set', 'has', 'delete']) wrap(Map.prototype, m, false);
    for (const m of ['add', 'has', 'delete']) wrap(Set.prototype, m, false);
    for (const m of ['split', 'endsWith', 'slice', 'replace']) wrap(String.prototype, m, true);
    wrap(String.prototype, 'charCodeAt', false);
    iterator([][Symbol.iterator]());
    iterator(new Map()[Symbol.iterator]());
    iterator(new Set()[Symbol.iterator]());
    try {
      run();
    } catch (error) {
      if (!(error instanceof WasmnetError)) throw error;
    }
  } finally {
    for (const undo of restore.reverse()) undo();
  }
  return ops;
}

/** The fastest of `runs` timings of `run`, in ms (a WasmnetError is expected of hostile
 *  inputs and ignored; any other error is rethrown). */
export function fastest(run: () => unknown, runs = 5): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    try {
      run();
    } catch (error) {
      if (!(error instanceof WasmnetError)) throw error;
    }
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

// ---- assertions -----------------------------------------------------------------------------

/** HOSTILE_VERBOSE=1 prints each import's time and memory growth, and each scaling ratio. */
export const verbose = process.env.HOSTILE_VERBOSE === '1';
export const report = (what: string): void => {
  if (verbose) console.log(`${expect.getState().currentTestName}: ${what}`);
};

/** Runs one import of a hostile input: a WasmnetError subclass (`type`, with a message matching
 *  `message`), in under a second of CPU time (`CPU_LIMIT_MS`), memory growing by under 100 MB (`cost`). CPU
 *  time, not wall-clock time: the tests share a 2-core machine with other work, and waiting
 *  for a core is not the import's cost. `run` may return a promise (fromKeras): it is awaited,
 *  and the meter covers the synchronous part and what the awaited work allocated. */
export async function refused(run: () => unknown, type: new (...args: never[]) => WasmnetError, message: RegExp): Promise<void> {
  const c = await cost(run);
  report(`${(c.error as Error)?.name} in ${c.cpuMs.toFixed(1)} ms CPU (${c.ms.toFixed(1)} ms wall), +${c.rssMB.toFixed(1)} MB resident, +${c.heapMB.toFixed(1)} MB heap`);
  expect(c.error, 'the import must throw').toBeInstanceOf(type);
  expect((c.error as Error).message).toMatch(message);
  expect(c.cpuMs, `took ${c.cpuMs.toFixed(0)} ms of CPU`).toBeLessThan(CPU_LIMIT_MS);
  expect(c.growthMB, `grew ${c.growthMB.toFixed(0)} MB`).toBeLessThan(100);
}

/** The same for a hostile but valid input: it loads, within the same bounds. */
export async function loads(run: () => unknown): Promise<Network> {
  const c = await cost(run);
  report(`loaded in ${c.cpuMs.toFixed(1)} ms CPU (${c.ms.toFixed(1)} ms wall), +${c.rssMB.toFixed(1)} MB resident, +${c.heapMB.toFixed(1)} MB heap`);
  expect(c.error).toBeUndefined();
  expect(c.cpuMs, `took ${c.cpuMs.toFixed(0)} ms of CPU`).toBeLessThan(CPU_LIMIT_MS);
  expect(c.growthMB, `grew ${c.growthMB.toFixed(0)} MB`).toBeLessThan(100);
  const net = await run();
  expect(net).toBeInstanceOf(Network);
  return net as Network;
}
