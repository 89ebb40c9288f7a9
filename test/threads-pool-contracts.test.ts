// The thread pool and the runtime that starts it (src/threads/pool.ts, src/threads/runtime.ts),
// as docs/threads.md and ARCHITECTURE.md ("Threads": Pool, Memory) describe them: initThreads
// starts `threads − 1` workers and resolves once every one has answered, each unref'd; Node and
// Deno use worker_threads from a data: URL, Bun and browsers Web Workers from a blob: URL; where
// workers are refused, cannot be created or shared memory is off, it resolves to 1 and networks
// run on one thread; a worker that fails (throws, traps, exits) makes the network's next call a
// ThreadError that says which and how (whole messages), the failed pool's workers are ended, and
// the call after runs on new workers that take part; a dropped network's memory is reused by the
// next network (at most 16 memories, 64 MiB in all), which starts as a new one.
// The mutation run of pool.ts and runtime.ts found these unasserted in-process
// (test/mutation/REPORT.md): test/threads.test.ts starts its one pool at its top level, before a
// mutant is switched on, and checks refusals and exiting in child processes, where no mutant is
// seen.
//
// Each test starts a pool of its own: a fresh copy of wasmnet/threads (vi.resetModules), whose
// initThreads registers it for the networks created after. The pool's workers are seen through
// worker_threads' Worker replaced by a subclass that records them, or through a global Web
// Worker made of one (what Bun and browsers have). Two or three workers, small networks.
import { resolveObjectURL } from 'node:buffer';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Worker as NodeWorker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { rows } from './helpers/data';
import { Network, ThreadError, dense, init, type NetworkConfig } from 'wasmnet';
import type { ThreadedKernels } from '../src/threads/runtime';

await init();

// V8 exposes `gc` to contexts created after --expose-gc is set (test/helpers/hostile.ts does the
// same): the mutation run's worker threads take no --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

type NodeWorkerClass = typeof NodeWorker;
const workerThreads = (process as unknown as { getBuiltinModule(id: string): { Worker: NodeWorkerClass } }).getBuiltinModule('worker_threads');
const RealWorker = workerThreads.Worker;

/** A worker_threads Worker the pool started. */
interface NodeRecord {
  worker: NodeWorker;
  url: string;
  /** 'ready' answers seen */
  answered: number;
  /** 'pong' answers seen (to settled()'s pings) */
  pongs: number;
  unrefs: number;
  exited: Promise<number>;
}

/** Every Node worker the tests' pools started (ended after each test). */
let live: NodeWorker[] = [];
/** The worker_threads Workers started in the current test, in order. */
let started: NodeRecord[] = [];

beforeEach(() => {
  const records: NodeRecord[] = [];
  started = records;
  workerThreads.Worker = class extends RealWorker {
    constructor(url: string | URL, options?: object) {
      super(url, options);
      live.push(this);
      const record: NodeRecord = { worker: this, url: String(url), answered: 0, pongs: 0, unrefs: 0, exited: new Promise((resolve) => this.once('exit', resolve)) };
      this.on('message', (m: { type?: string }) => {
        if (m.type === 'ready') record.answered++;
        if (m.type === 'pong') record.pongs++;
      });
      records.push(record);
    }

    override unref(): void {
      records.find((r) => r.worker === this)!.unrefs++;
      super.unref();
    }
  } as NodeWorkerClass;
});

afterEach(async () => {
  workerThreads.Worker = RealWorker;
  vi.unstubAllGlobals();
  const ending = live;
  live = [];
  await Promise.all(ending.map((w) => w.terminate()));
});

async function fresh(): Promise<typeof import('wasmnet/threads')> {
  vi.resetModules();
  return import('wasmnet/threads');
}

/** A Web Worker the pool started (the global Worker of Bun and browsers, made of a Node one). */
interface WebRecord {
  url: string;
  options: { type?: string } | undefined;
  unrefs: number;
  terminated: number;
  /** Tests: an error event, as a browser reports one (message undefined where it gives none). */
  error(message?: string): void;
}

/** Installs a global Web Worker. As in a browser: `type` is 'classic' or 'module', the URL must be
 *  a live blob: URL, and a worker script that is not JavaScript (its blob's type) is refused with
 *  an error event without a message, as is every worker with `refuse: 'load'` (a page whose CSP
 *  lacks `worker-src blob:`); `refuse: 'construct'` throws from the constructor. `unref`: Bun's
 *  Web Worker has unref(), a browser's has not. */
function installWebWorker(behaviour: { unref: boolean; refuse?: 'load' | 'construct' }): WebRecord[] {
  const records: WebRecord[] = [];
  class WebWorker {
    onmessage: ((event: { data: unknown }) => void) | null = null;
    onerror: ((event: { message?: string; preventDefault(): void }) => void) | null = null;
    node: NodeWorker | undefined;
    readonly record: WebRecord;
    private readonly queue: unknown[] = [];

    constructor(url: string, options?: { type?: string }) {
      if (options?.type !== undefined && options.type !== 'classic' && options.type !== 'module') {
        throw new TypeError(`Failed to construct 'Worker': The provided value '${options.type}' is not a valid enum value of type WorkerType.`);
      }
      if (behaviour.refuse === 'construct') throw new Error('workers are not allowed here');
      const blob = typeof url === 'string' ? resolveObjectURL(url) : undefined;
      if (blob === undefined) throw new TypeError(`Failed to construct 'Worker': no script at ${String(url)}`);
      const event = (message?: string) => ({ message, preventDefault() {} });
      this.record = { url, options, unrefs: 0, terminated: 0, error: (message) => this.onerror?.(event(message)) };
      records.push(this.record);
      void blob.text().then((source) => {
        if (behaviour.refuse === 'load' || !/^(text|application)\/javascript$/.test(blob.type)) {
          this.onerror?.(event(undefined));
          return;
        }
        if (this.record.terminated > 0) return;
        const node = new RealWorker(new URL(`data:text/javascript,${encodeURIComponent(source)}`));
        live.push(node);
        node.on('message', (data: unknown) => this.onmessage?.({ data }));
        node.on('error', (e: Error) => this.onerror?.(event(e.message)));
        node.unref(); // after the listeners (which ref it): the test process is never kept alive
        this.node = node;
        for (const m of this.queue.splice(0)) node.postMessage(m);
      });
    }

    postMessage(message: unknown): void {
      if (this.node) this.node.postMessage(message);
      else this.queue.push(message);
    }

    terminate(): void {
      this.record.terminated++;
      void this.node?.terminate();
    }
  }
  if (behaviour.unref) {
    (WebWorker.prototype as unknown as { unref(): void }).unref = function (this: WebWorker) {
      this.record.unrefs++;
    };
  }
  vi.stubGlobal('Worker', WebWorker);
  return records;
}

/** Runs `f` where `process.getBuiltinModule` is missing (a browser), until it settles. */
async function withoutBuiltinModule<T>(f: () => Promise<T>): Promise<T> {
  const p = process as unknown as { getBuiltinModule?: unknown };
  const saved = p.getBuiltinModule;
  p.getBuiltinModule = undefined;
  try {
    return await f();
  } finally {
    p.getBuiltinModule = saved;
  }
}


const INPUTS = 64;
// 128 rows · 64 inputs · 256 units ≥ 2¹⁷ multiply-adds: the first layer's products are split
const X = rows(128, INPUTS, 1);
const Y = rows(128, 4, 2);
const config = (threads: number | 'auto', seed = 3): NetworkConfig => ({
  inputSize: INPUTS,
  layers: [dense(256, { activation: 'relu' }), dense(4)],
  loss: 'mse',
  optimizer: 'adam',
  seed,
  threads,
});

const kernels = (net: Network): ThreadedKernels => (net as unknown as { engine: { threadedKernels: ThreadedKernels | null } }).engine.threadedKernels!;
const same = (a: Network, b: Network): boolean => Buffer.from(a.toBytes()).equals(Buffer.from(b.toBytes()));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** The ThreadError of a network whose pool stopped for `reason`. */
const stopped = (reason: string) =>
  `wasmnet's thread pool stopped: ${reason}. The network is as it was after its last completed batch; its next call starts new worker threads`;

/** Whether the pool's workers run blocks of `net`'s predictions (a worker that is starting or
 *  asleep may lose the first races: up to 100 calls, with pauses). */
async function workersTakePart(info: () => { workerBlocks: number }, net: Network): Promise<boolean> {
  const before = info().workerBlocks;
  for (let i = 0; i < 100 && info().workerBlocks === before; i++) {
    net.predict(X);
    if (i % 5 === 4) await pause(10);
  }
  return info().workerBlocks > before;
}

/** Collects the targets of `refs` (each must go), then lets the FinalizationRegistry callbacks
 *  of the pool run: they run in tasks after the collection, as this test's own registry's do. */
async function collect(refs: WeakRef<object>[]): Promise<void> {
  let pending = refs.length;
  const mine = new FinalizationRegistry(() => pending--);
  for (const r of refs) mine.register(r.deref()!, 0);
  for (let i = 0; i < 50 && pending > 0; i++) {
    await pause(i < 10 ? 0 : 10);
    gc();
  }
  expect(refs.every((r) => r.deref() === undefined)).toBe(true);
  expect(pending).toBe(0);
  await pause(10);
}

describe('initThreads starts the pool', () => {
  it('threadsInfo() before initThreads: no threads, no blocks; initThreads({ threads: 3 }) starts 2 workers from data: URLs and resolves once both answered, each unref\'d; 4 starts one more', { timeout: 60_000 }, async () => {
    const { initThreads, threadsInfo } = await fresh();
    expect(threadsInfo()).toEqual({ threads: 0, workerBlocks: 0 });
    expect(await initThreads({ threads: 3 })).toBe(3);
    expect(started.map((r) => [r.url.startsWith('data:text/javascript,'), r.answered, r.unrefs])).toEqual([
      [true, 1, 1],
      [true, 1, 1],
    ]);
    expect(await initThreads({ threads: 4 })).toBe(4);
    expect(started.map((r) => [r.answered, r.unrefs])).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    expect(threadsInfo().threads).toBe(4);
    const one = new Network(config(1));
    const four = new Network(config(4));
    expect(four.threads).toBe(4);
    for (const net of [one, four]) net.trainBatch(X, Y);
    expect(same(four, one)).toBe(true);
    expect(await workersTakePart(threadsInfo, four)).toBe(true);
  });

  it.each([
    ['Bun: a global Web Worker with unref()', { unref: true }, true],
    ['a browser: a Web Worker without unref(), no process.getBuiltinModule', { unref: false }, false],
  ])('%s: module workers from one blob: URL of JavaScript; networks train on them with the bits of one thread', { timeout: 60_000 }, async (_, behaviour, builtin) => {
    const web = installWebWorker(behaviour);
    const { initThreads, threadsInfo } = await fresh();
    const available = builtin ? await initThreads({ threads: 3 }) : await withoutBuiltinModule(() => initThreads({ threads: 3 }));
    expect(available).toBe(3);
    expect(started).toEqual([]); // no worker_threads Worker
    expect(web.length).toBe(2);
    expect(new Set(web.map((r) => r.url)).size).toBe(1);
    expect(web[0]!.url.startsWith('blob:')).toBe(true);
    expect(resolveObjectURL(web[0]!.url)!.type).toBe('text/javascript');
    expect(web.map((r) => r.unrefs)).toEqual(behaviour.unref ? [1, 1] : [0, 0]);
    const one = new Network(config(1));
    const many = new Network(config(3));
    expect(many.threads).toBe(3);
    for (let i = 0; i < 3; i++) for (const net of [one, many]) net.trainBatch(X, Y);
    expect(same(many, one)).toBe(true);
    expect(await workersTakePart(threadsInfo, many)).toBe(true);
  });

  it.each([
    ['Deno (a global Web Worker, which cannot be unref\'d): worker_threads', true, 1, 0],
    ['a Deno without process.getBuiltinModule: its Web Worker', false, 0, 1],
  ])('%s', { timeout: 60_000 }, async (_, builtin, nodeWorkers, webWorkers) => {
    const web = installWebWorker({ unref: false });
    vi.stubGlobal('Deno', {});
    const { initThreads } = await fresh();
    const available = builtin ? await initThreads({ threads: 2 }) : await withoutBuiltinModule(() => initThreads({ threads: 2 }));
    expect(available).toBe(2);
    expect([started.length, web.length]).toEqual([nodeWorkers, webWorkers]);
  });

  it.each([
    ['refused once created (a page whose CSP lacks worker-src blob:)', 'load' as const, [1, 1]],
    ['whose creation throws', 'construct' as const, []],
  ])('a Web Worker %s: initThreads resolves 1, the workers made are terminated, networks run on one thread', { timeout: 60_000 }, async (_, refuse, terminated) => {
    const web = installWebWorker({ unref: true, refuse });
    const { initThreads, threadsInfo } = await fresh();
    expect(await initThreads({ threads: 3 })).toBe(1);
    expect(threadsInfo()).toEqual({ threads: 1, workerBlocks: 0 });
    expect(web.map((r) => r.terminated)).toEqual(terminated);
    const one = new Network(config(1));
    const many = new Network(config(2));
    expect(many.threads).toBe(1);
    for (const net of [one, many]) net.trainBatch(X, Y);
    expect(same(many, one)).toBe(true);
  });

  /** A worker_threads Worker that cannot start: its creation throws (a process out of threads),
   *  or its script throws before it answers (an error event, then its exit). */
  const cannotStart = {
    construct: class {
      constructor() {
        throw new Error('ERR_WORKER_INIT_FAILED: out of threads');
      }
    } as unknown as NodeWorkerClass,
    run: class extends RealWorker {
      constructor(_url: string | URL, options?: object) {
        super(new URL('data:text/javascript,throw new Error("no threads left")'), options);
        live.push(this);
      }
    } as NodeWorkerClass,
  };

  it.each(['construct', 'run'] as const)('a pool in use that cannot grow (a new worker that cannot start: %s): initThreads resolves to the earlier count; the networks on the pool go on, on their workers', { timeout: 60_000 }, async (how) => {
    const { initThreads, threadsInfo } = await fresh();
    expect(await initThreads({ threads: 2 })).toBe(2);
    const one = new Network(config(1));
    const two = new Network(config(2));
    for (const net of [one, two]) net.trainBatch(X, Y);
    expect(await workersTakePart(threadsInfo, two)).toBe(true);
    workerThreads.Worker = cannotStart[how];
    expect(await initThreads({ threads: 4 })).toBe(2);
    expect(threadsInfo().threads).toBe(2);
    // no ThreadError: the pool did not fail, and its worker still runs blocks
    for (const net of [one, two]) net.trainBatch(X, Y);
    expect(same(two, one)).toBe(true);
    expect(await workersTakePart(threadsInfo, two)).toBe(true);
    expect(new Network(config(4)).threads).toBe(2);
  });

  it('a first pool whose second worker cannot be created: initThreads resolves to the threads before it, and networks use them', { timeout: 60_000 }, async () => {
    const Recording = workerThreads.Worker;
    let made = 0;
    workerThreads.Worker = class extends Recording {
      constructor(url: string | URL, options?: object) {
        if (++made === 2) throw new Error('ERR_WORKER_INIT_FAILED: out of threads');
        super(url, options);
      }
    } as NodeWorkerClass;
    const { initThreads, threadsInfo } = await fresh();
    expect(await initThreads({ threads: 4 })).toBe(2);
    expect(made).toBe(2); // no third worker is tried after one could not be created
    expect(started.map((r) => r.answered)).toEqual([1]);
    const one = new Network(config(1));
    const many = new Network(config('auto'));
    expect(many.threads).toBe(2);
    for (const net of [one, many]) net.trainBatch(X, Y);
    expect(same(many, one)).toBe(true);
    expect(await workersTakePart(threadsInfo, many)).toBe(true);
  });

  it('a started worker that fails while another is still starting: initThreads resolves 1 (not the count asked, and not never), and both workers are ended', { timeout: 60_000 }, async () => {
    const Recording = workerThreads.Worker;
    let made = 0;
    workerThreads.Worker = class extends Recording {
      constructor(url: string | URL, options?: object) {
        // the second worker never answers: its script only waits
        super(++made === 2 ? new URL('data:text/javascript,setInterval(() => {}, 1e9)') : url, options);
      }
    } as NodeWorkerClass;
    const { initThreads } = await fresh();
    const starting = initThreads({ threads: 3 });
    while (started[0]?.answered !== 1) await pause(5);
    expect(started.map((r) => r.answered)).toEqual([1, 0]);
    started[0]!.worker.emit('error', new Error('out of memory'));
    expect(await Promise.race([starting, pause(10_000).then(() => 'still pending after 10 s')])).toBe(1);
    expect(await Promise.all(started.map((r) => r.exited))).toEqual([1, 1]);
    expect(new Network(config(3)).threads).toBe(1);
  });

  it('where WebAssembly cannot make a shared memory, initThreads resolves 1 and networks run on one thread', { timeout: 60_000 }, async () => {
    const { initThreads, threadsInfo } = await fresh();
    const wasm = WebAssembly as unknown as { Memory: typeof WebAssembly.Memory };
    const Memory = wasm.Memory;
    wasm.Memory = class extends Memory {
      constructor(descriptor: WebAssembly.MemoryDescriptor) {
        if (descriptor.shared) throw new TypeError('WebAssembly.Memory(): shared memory is not enabled');
        super(descriptor);
      }
    };
    try {
      expect(await initThreads({ threads: 2 })).toBe(1);
    } finally {
      wasm.Memory = Memory;
    }
    expect(threadsInfo()).toEqual({ threads: 1, workerBlocks: 0 });
    expect(started).toEqual([]);
    expect(new Network(config(2)).threads).toBe(1);
  });
});

describe('a worker that fails', () => {
  it.each([
    ['throws (its error event)', (w: NodeWorker) => void w.emit('error', new Error('out of memory')), 'worker thread 1 failed: Error: out of memory'],
    ['exits', (w: NodeWorker) => void w.terminate(), 'worker thread 1 exited (code 1)'],
  ])('a worker that %s: the network\'s next call is a ThreadError naming it, nothing changed; the failed pool\'s workers end; the call after runs on new workers that take part', { timeout: 60_000 }, async (_, fail, reason) => {
    const { initThreads, threadsInfo } = await fresh();
    expect(await initThreads({ threads: 2 })).toBe(2);
    const one = new Network(config(1));
    const many = new Network(config(2));
    for (const net of [one, many]) net.trainBatch(X, Y);
    expect(await workersTakePart(threadsInfo, many)).toBe(true);
    const blocks = threadsInfo().workerBlocks;
    fail(started[0]!.worker);
    expect(await started[0]!.exited).toBe(1); // its own exit, or the pool ended it
    const error = thrown(() => many.trainBatch(X, Y));
    expect(error).toBeInstanceOf(ThreadError);
    expect((error as Error).message).toBe(stopped(reason));
    expect(same(many, one)).toBe(true);
    // the blocks the failed pool's workers ran still count
    expect(threadsInfo().workerBlocks).toBeGreaterThanOrEqual(blocks);
    for (const net of [one, many]) net.trainBatch(X, Y);
    expect(same(many, one)).toBe(true);
    expect(started.length).toBe(2);
    expect(await workersTakePart(threadsInfo, many)).toBe(true);
  });

  it('a worker that traps in a block: in the same synchronous run the next call says a worker failed in a block; once the worker\'s report has arrived, it names the worker and the trap', { timeout: 60_000 }, async () => {
    const { initThreads } = await fresh();
    expect(await initThreads({ threads: 2 })).toBe(2);
    for (const settle of [false, true]) {
      const one = new Network(config(1));
      const many = new Network(config(2));
      const k = kernels(many);
      many.predict(X);
      await k.settled();
      k.inject(1, 'trap');
      let error: unknown;
      // the trap fires in the worker's next block: train on until it has claimed one
      for (let i = 0; i < 400 && error === undefined; i++) {
        error = thrown(() => many.trainBatch(X, Y));
        if (error !== undefined) break;
        one.trainBatch(X, Y);
        if (settle) await k.settled(); // the worker's messages so far have been read
      }
      expect(error).toBeInstanceOf(ThreadError);
      // "unreachable": V8's message for the trap the test hook runs (assembly/threads/parallel.ts)
      expect((error as Error).message).toBe(stopped(settle ? 'worker thread 1 failed: unreachable' : 'a worker thread failed while running a block'));
      expect(same(many, one)).toBe(true);
      for (const net of [one, many]) net.trainBatch(X, Y);
      expect(same(many, one)).toBe(true);
    }
  });

  it.each([['a message', 'script error in the worker'], ['no message', undefined]])('a Web Worker that reports an error with %s after it started: the next call is a ThreadError naming it; its pool\'s workers are terminated', { timeout: 60_000 }, async (_, message) => {
    const web = installWebWorker({ unref: true });
    const { initThreads } = await fresh();
    expect(await initThreads({ threads: 2 })).toBe(2);
    const one = new Network(config(1));
    const many = new Network(config(2));
    for (const net of [one, many]) net.trainBatch(X, Y);
    web[0]!.error(message);
    expect(web[0]!.terminated).toBe(1);
    const error = thrown(() => many.trainBatch(X, Y));
    expect(error).toBeInstanceOf(ThreadError);
    expect((error as Error).message).toBe(stopped(`worker thread 1 failed: ${message ?? 'error'}`));
    expect(same(many, one)).toBe(true);
    for (const net of [one, many]) net.trainBatch(X, Y);
    expect(same(many, one)).toBe(true);
    expect(web.length).toBe(2); // a new worker
  });

  it('settled() (the wait the tests and the bench use) resolves once every worker has answered, and at once for a pool that failed', { timeout: 60_000 }, async () => {
    const { initThreads } = await fresh();
    expect(await initThreads({ threads: 3 })).toBe(3);
    const net = new Network(config(3));
    const k = kernels(net);
    await k.settled();
    expect(started.map((r) => r.pongs)).toEqual([1, 1]);
    void started[0]!.worker.terminate();
    await started[0]!.exited;
    await k.settled(); // its workers are gone: nothing to wait for
    expect(thrown(() => net.predict(X))).toBeInstanceOf(ThreadError);
  });
});

describe('memory', () => {
  /** `count` networks made by `make`, each trained a batch, and how many got one of the
   *  `previous` memories; the networks are only weakly held. */
  function build(count: number, make: (i: number) => Network, previous: WeakRef<WebAssembly.Memory>[] = []) {
    const old = new Set(previous.map((r) => r.deref()));
    const nets = Array.from({ length: count }, (_, i) => make(i));
    for (const net of nets) net.predict(X.subarray(0, 8 * INPUTS));
    const memories = nets.map((net) => kernels(net).memory);
    return {
      reused: memories.filter((m) => old.has(m)).length,
      sizes: memories.map((m) => m.buffer.byteLength),
      memories: memories.map((m) => new WeakRef(m)),
      nets: nets.map((net) => new WeakRef(net)),
    };
  }

  it('a dropped network\'s memory goes to the next network, which trains as a new network on one thread does', { timeout: 60_000 }, async () => {
    const { initThreads } = await fresh();
    expect(await initThreads({ threads: 2 })).toBe(2);
    const first = build(1, (i) => {
      const net = new Network(config(2, 40 + i));
      for (let j = 0; j < 3; j++) net.trainBatch(X, Y);
      return net;
    });
    await collect(first.nets);
    const next = new Network(config(2, 99));
    expect(kernels(next).memory).toBe(first.memories[0]!.deref());
    const one = new Network(config(1, 99));
    for (let j = 0; j < 3; j++) for (const net of [one, next]) net.trainBatch(X, Y);
    expect(same(next, one)).toBe(true);
  });

  it('at most 16 dropped memories are kept for the next networks; the others are let go', { timeout: 60_000 }, async () => {
    const { initThreads } = await fresh();
    expect(await initThreads({ threads: 2 })).toBe(2);
    const small = (i: number) => new Network({ inputSize: 8, layers: [dense(16, { activation: 'relu' }), dense(1)], loss: 'mse', seed: i, threads: 2 });
    const first = build(17, small);
    expect(first.sizes.reduce((a, b) => a + b)).toBeLessThan(64 * 1024 * 1024); // the count binds, not the bytes
    await collect(first.nets);
    gc();
    await pause(10);
    gc();
    expect(first.memories.filter((r) => r.deref() !== undefined).length).toBe(16);
    const second = build(17, small, first.memories);
    expect(second.reused).toBe(16);
  });

  it('dropped memories are kept up to 64 MiB in all, over rounds of networks', { timeout: 60_000 }, async () => {
    const { initThreads } = await fresh();
    expect(await initThreads({ threads: 2 })).toBe(2);
    // 256-1024-1: ≈ 10 MiB each (parameters, gradients, two optimizer slabs, the packed copy)
    const large = (i: number) => new Network({ inputSize: 256, layers: [dense(1024, { activation: 'relu' }), dense(1)], loss: 'mse', optimizer: 'sgd', seed: i, threads: 2 });
    const large8 = (i: number) => {
      const net = large(i);
      net.predict(new Float64Array(8 * 256));
      return net;
    };
    let round = build(8, large8);
    const size = round.sizes[0]!;
    expect(round.sizes.every((s) => s === size)).toBe(true);
    const kept = Math.min(16, Math.floor((64 * 1024 * 1024) / size));
    expect(kept).toBeLessThan(8); // the bytes bind, not the count
    expect(kept).toBeGreaterThan(0);
    for (let r = 0; r < 3; r++) {
      await collect(round.nets);
      const next = build(8, large8, round.memories);
      expect(next.reused, `round ${r + 2}`).toBe(kept);
      round = next;
    }
  });

  it('a network that moved to new workers after a failure gives its memory to the new pool when dropped', { timeout: 60_000 }, async () => {
    const { initThreads } = await fresh();
    expect(await initThreads({ threads: 2 })).toBe(2);
    const moved = async () => {
      const net = new Network(config(2));
      net.trainBatch(X, Y);
      void started[0]!.worker.terminate();
      await started[0]!.exited;
      expect(thrown(() => net.trainBatch(X, Y))).toBeInstanceOf(ThreadError);
      net.trainBatch(X, Y); // on the new pool
      return { memory: new WeakRef(kernels(net).memory), net: new WeakRef(net) };
    };
    const { memory, net } = await moved();
    await collect([net]);
    expect(kernels(new Network(config(2))).memory).toBe(memory.deref());
  });
});
