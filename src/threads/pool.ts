// The thread pool: one per process (or page, or worker that loads wasmnet), started by
// `initThreads()` and shared by every network with `threads` > 1. Workers are `worker_threads`
// (Node, Deno) or Web Workers (browsers, Bun), started from the source text in
// worker-source.ts; outside browsers they are unref'd once started: they never keep a process
// alive (a starting one does, for the moment it takes to start). Each network registers its
// shared memory; every worker instantiates the threads core over it, and a network's step
// rings the bell when a large product starts (assembly/threads/parallel.ts). The pool only
// grows; idle workers sleep in Atomics.wait.
//
// Failures: a worker that throws (a trap in a block; its block is run again by the main
// thread) or exits once started marks the pool failed: networks report it once, as a ThreadError
// on their next call (Engine), and move to a new pool. A worker that cannot start (its creation
// throws, or it fails before it answers: a page's CSP refuses it, the process is out of threads)
// is not a failure: no network has run a block on it (blocks are claimed, and it never claimed
// one), so it is ended with the workers started after it, and the pool keeps the threads before
// it. initThreads resolves to the threads whose workers did start: 1 where none could, the
// earlier count when a larger pool cannot grow, and networks already on the pool go on.
import { WORKER_SOURCE } from './worker-source';

const RING = 0;
const NET = 1;
/** blocks run by the workers, over every network */
const BLOCKS = 2;
const MAIL = 8;
/** Most threads a network uses (the board has room for 64). */
export const MAX_THREADS = 64;
const MAX_PAGES = 65536;
/** Dropped networks' memories kept for new networks: at most this many, of this many bytes. */
const FREE_COUNT = 16;
const FREE_BYTES = 64 * 1024 * 1024;

interface WorkerHandle {
  post(message: unknown, transfer?: unknown[]): void;
  terminate(): void;
}

interface NodeWorker {
  postMessage(message: unknown): void;
  terminate(): Promise<number>;
  unref(): void;
  on(event: string, listener: (value: never) => void): void;
}

type WorkerCtor = new (url: URL | string, options?: object) => NodeWorker;

/** `worker_threads`' Worker where the pool uses it: Node (which has no Web Worker) and Deno
 *  (whose Web Worker cannot be unref'd and would keep a script running forever; its
 *  `worker_threads` Worker can). Browsers and Bun use the Web Worker (Bun's has `unref()`, and
 *  its `worker_threads` Worker does not start from a data: URL). */
function nodeWorkerClass(): WorkerCtor | undefined {
  const g = globalThis as { Worker?: unknown; Deno?: unknown; process?: { getBuiltinModule?: (id: string) => unknown } };
  const p = g.process;
  if (typeof p?.getBuiltinModule !== 'function') return undefined;
  if (typeof g.Worker === 'function' && typeof g.Deno !== 'object') return undefined;
  return (p.getBuiltinModule('worker_threads') as { Worker: WorkerCtor }).Worker;
}

let blobUrl: string | undefined;

export class Pool {
  readonly bell = new Int32Array(new SharedArrayBuffer(4 * (MAIL + MAX_THREADS)));
  /** workers[i - 1] is thread i (thread 0 is the main thread) */
  private readonly workers: WorkerHandle[] = [];
  /** Every memory the workers have an instance over, by id: networks' and free ones. */
  private readonly memories = new Map<number, WebAssembly.Memory>();
  /** Memories of dropped networks, for the next networks (their workers' instances stay). */
  private free: number[] = [];
  private freeBytes = 0;
  private nextId = 1;
  private pongs: (() => void)[] = [];
  private waitingPongs = 0;
  /** Why the pool stopped working (a worker failed), or null. */
  failure: string | null = null;
  /** started[i - 1]: worker i has answered its init message */
  private readonly started: boolean[] = [];
  /** Waiting for a number of started workers: resolved with that number once they have
   *  started, with fewer if a worker cannot start (the workers before it), 0 if the pool fails. */
  private waiters: { count: number; resolve: (started: number) => void }[] = [];
  private readonly dropper = new FinalizationRegistry<number>((id) => this.release(id));

  /** `board`: the byte address of the board in every network's memory. */
  constructor(
    private readonly module: WebAssembly.Module,
    private readonly board: number,
  ) {}

  /** Resolves once `count` workers have started (answered their init message) to `count`; to
   *  the workers left, fewer, if one of them cannot start (a page's CSP without `worker-src
   *  blob:`, a creation that throws); to 0 if the pool fails first. */
  ready(count: number): Promise<number> {
    return new Promise((resolve) => {
      this.waiters.push({ count, resolve });
      this.settle();
    });
  }

  /** Resolves the waiters that can be answered now. */
  private settle(): void {
    const startedCount = this.started.filter(Boolean).length;
    this.waiters = this.waiters.filter((w) => {
      const count = Math.min(w.count, this.workers.length);
      if (this.failure === null && startedCount < count) return true;
      w.resolve(this.failure === null ? count : 0);
      return false;
    });
  }

  /** Blocks the workers have run, over every network. */
  blocks(): number {
    return Atomics.load(this.bell, BLOCKS);
  }

  /** Starts workers until `threads` threads (main included) can take part, or until one cannot
   *  be created. */
  grow(threads: number): void {
    while (this.workers.length < threads - 1 && this.failure === null) {
      try {
        this.spawn(this.workers.length + 1);
      } catch {
        this.notStarted(this.workers.length + 1);
        return;
      }
    }
  }

  /** Worker `index` cannot start: end it and the workers after it (none has run a block). */
  private notStarted(index: number): void {
    for (const w of this.workers.splice(index - 1)) w.terminate();
    this.started.length = this.workers.length;
    this.settle();
  }

  private spawn(index: number): void {
    const NodeWorker = nodeWorkerClass();
    // A worker keeps the process alive until it has started (so that awaiting its start works
    // in a script: initThreads does), then never again: unref'd once it answers
    // (after its listeners were added: adding a 'message' listener refs a Node worker again).
    let unref: () => void;
    let handle: WorkerHandle;
    // (a worker ended by notStarted may still report: its index may be another worker's by then)
    const ended = () => this.workers[index - 1] !== handle;
    // an error or exit of a worker that has not answered yet: it cannot start (not a failure)
    const failed = (reason: string) => {
      if (ended()) return;
      if (this.started[index - 1]) this.fail(reason);
      else this.notStarted(index);
    };
    const onMessage = (m: { type: string; message?: string }) => {
      if (m.type === 'ready') {
        unref();
        if (ended()) return;
        this.started[index - 1] = true;
        this.settle();
      } else if (m.type === 'failed') failed(`worker thread ${index} failed: ${m.message}`);
      else if (m.type === 'pong' && --this.waitingPongs === 0) {
        const done = this.pongs;
        this.pongs = [];
        for (const f of done) f();
      }
    };
    if (NodeWorker) {
      const w = new NodeWorker(new URL(`data:text/javascript,${encodeURIComponent(WORKER_SOURCE)}`));
      w.on('message', onMessage as (value: never) => void);
      w.on('error', ((e: unknown) => failed(`worker thread ${index} failed: ${String(e)}`)) as (value: never) => void);
      w.on('exit', ((code: number) => failed(`worker thread ${index} exited (code ${code})`)) as (value: never) => void);
      unref = () => w.unref();
      handle = { post: (m) => w.postMessage(m), terminate: () => void w.terminate() };
    } else {
      blobUrl ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
      const w = new Worker(blobUrl, { type: 'module' });
      w.onmessage = (e: MessageEvent) => onMessage(e.data);
      w.onerror = (e: ErrorEvent) => {
        e.preventDefault?.();
        failed(`worker thread ${index} failed: ${e.message ?? 'error'}`);
      };
      // Bun's Web Worker has unref(); a browser's never keeps anything alive
      unref = () => (w as Worker & { unref?: () => void }).unref?.();
      handle = { post: (m) => w.postMessage(m), terminate: () => w.terminate() };
    }
    this.workers.push(handle);
    this.started.push(false);
    this.post(index, { type: 'init', bell: this.bell, index, module: this.module });
    for (const [id, memory] of this.memories) this.post(index, { type: 'add', id, memory, board: this.board });
  }

  /** Posts a message to thread `index` and rings, so that a worker blocked on the bell reads it. */
  private post(index: number, message: unknown): void {
    this.workers[index - 1]!.post(message);
    Atomics.add(this.bell, MAIL + index, 1);
    Atomics.add(this.bell, RING, 1);
    Atomics.notify(this.bell, RING);
  }

  /** A shared memory for a network, and its id: a dropped network's (the workers already have
   *  an instance over it; its contents are stale) or a new one of one page (the engine grows
   *  either to its arena). The memory returns to the pool when `owner` is garbage-collected. */
  acquire(owner: object): { id: number; memory: WebAssembly.Memory } {
    let id = this.free.pop();
    let memory: WebAssembly.Memory;
    if (id !== undefined) {
      memory = this.memories.get(id)!;
      this.freeBytes -= memory.buffer.byteLength;
    } else {
      memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
      id = this.adopt(memory);
    }
    this.dropper.register(owner, id);
    return { id, memory };
  }

  /** Registers a memory with every worker; returns its id. */
  adopt(memory: WebAssembly.Memory, owner?: object): number {
    const id = this.nextId++;
    this.memories.set(id, memory);
    for (let i = 1; i <= this.workers.length; i++) this.post(i, { type: 'add', id, memory, board: this.board });
    if (owner) this.dropper.register(owner, id);
    return id;
  }

  /** A network was dropped: keep its memory for the next one (up to FREE_BYTES in all), or let
   *  the workers drop their instance over it. */
  private release(id: number): void {
    const memory = this.memories.get(id);
    if (memory === undefined || this.failure !== null) return;
    const size = memory.buffer.byteLength;
    if (this.free.length < FREE_COUNT && this.freeBytes + size <= FREE_BYTES) {
      this.free.push(id);
      this.freeBytes += size;
      return;
    }
    this.memories.delete(id);
    for (let i = 1; i <= this.workers.length; i++) this.post(i, { type: 'drop', id });
  }

  /** The main thread of network `id` started a region: wake the workers. */
  ring(id: number): void {
    Atomics.store(this.bell, NET, id);
    Atomics.add(this.bell, RING, 1);
    Atomics.notify(this.bell, RING);
  }

  /** Resolves once every worker has read every message posted so far (tests, bench). */
  settled(): Promise<void> {
    if (this.workers.length === 0 || this.failure !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.pongs.push(resolve);
      if (this.pongs.length > 1) return; // a ping round is already under way
      this.waitingPongs = this.workers.length;
      for (let i = 1; i <= this.workers.length; i++) this.post(i, { type: 'ping' });
    });
  }

  /** Tests: worker `index` traps in its next block (`trap`) or exits while idle (`exit`). */
  inject(index: number, kind: 'exit'): void {
    this.post(index, { type: kind });
  }

  fail(reason: string): void {
    if (this.failure !== null) return;
    this.failure = reason;
    this.settle();
    for (const w of this.workers) w.terminate();
    const done = this.pongs;
    this.pongs = [];
    for (const f of done) f();
  }
}
