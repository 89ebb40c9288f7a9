// The threads runtime, behind `initThreads()` (src/threads/index.ts, the wasmnet/threads entry):
// the threads build of the core (assembly/threads/, inlined as base64), the pool, and the
// kernels a network with `threads` > 1 runs on: an instance of the threads core over a shared
// memory, whose step splits large matrix products across the pool (see ARCHITECTURE.md,
// "Threads"). It imports nothing at run time from the main entry's modules: the main entry hands
// it the classes it builds on (`runtimeFor`), so that one WasmKernels and one ThreadError exist.
import type { CoreExports, WasmKernels } from '../backend/wasm';
import type { ThreadError } from '../errors';
import { threadsCoreBase64 } from './core-inline.generated';
import { Pool } from './pool';
import type { ThreadsRuntime } from './registry';

// The board's fields (bytes from its start; assembly/threads/parallel.ts has the layout).
const THREADS = 128;
const CAN_BLOCK = 132;
const FAULT = 136;
const SCRATCH = 144;
const SCRATCH_STRIDE = 148;
const INJECT = 152;
const WORKER_BLOCKS = 156;
/** f64s the engine reserves for the board (BOARD_BYTES / 8). */
export const BOARD_F64 = 128;

const PAGE_BYTES = 65536;
const MAX_PAGES = 65536;

interface ThreadsExports extends CoreExports {
  setBoard(at: number): void;
}

let module: WebAssembly.Module | undefined;
let pool: Pool | undefined;
let canBlock = false;
/** blocks run by the workers of failed pools */
let retiredBlocks = 0;
/** byte address of every network's board */
let board = 0;

/** The pool networks join now: the current one, or a new one if it failed. */
function currentPool(threads: number): Pool {
  if (pool === undefined || pool.failure !== null) {
    retiredBlocks += pool?.blocks() ?? 0;
    pool = new Pool(module!, board);
  }
  pool.grow(threads);
  return pool;
}

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
function mayBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kernels over a shared memory whose step runs its large products across the pool. */
export interface ThreadedKernels extends WasmKernels {
  readonly threads: number;
  readonly memory: WebAssembly.Memory;
  readonly board: number;
  /** Where the threads' matrix-product workspaces are (f64 offsets): set when the engine lays
   *  out its buffers, and again whenever they move. */
  configure(scratch: number, scratchSize: number): void;
  /** Throws a ThreadError if a worker failed since the last call (once; the network then
   *  moves to a new pool, and its next call runs on new workers). */
  check(): void;
  /** Tests: blocks run by workers so far on this network. */
  workerBlocks(): number;
  /** Tests: make worker `index` trap in its next block, or exit. */
  inject(index: number, kind: 'trap' | 'exit'): void;
  /** Tests and bench: resolves once the pool's workers have read every message so far. */
  settled(): Promise<void>;
}


/** Compiles the threads core and starts the pool's workers for `threads` threads (main thread
 *  included); resolves to the threads networks can use: `threads` once every worker has
 *  started, 1 where threads cannot run (no shared memory) or workers are refused or fail to
 *  start (a page whose Content-Security-Policy lacks `worker-src blob:`). */
export async function startPool(threads: number): Promise<number> {
  if (module === undefined) {
    const binary = atob(threadsCoreBase64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    try {
      const compiled = await WebAssembly.compile(bytes);
      const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true }); // throws where shared memory is off
      const probe = new WebAssembly.Instance(compiled, { env: { memory, wake() {} } }).exports as unknown as CoreExports;
      board = (probe.heapBase() + 15) & ~15; // the engine's even(base) in bytes (heapBase is 16-byte aligned already)
      module = compiled;
    } catch {
      return 1;
    }
    canBlock = mayBlock();
  }
  if (threads < 2) return 1;
  const p = currentPool(threads);
  return 1 + (await p.ready(threads - 1));
}

/** Blocks the pool's workers have run, over every network, since the pool started. */
export function workerBlocks(): number {
  return retiredBlocks + (pool?.blocks() ?? 0);
}

const runtimes = new WeakMap<typeof WasmKernels, ThreadsRuntime>();

/** The runtime over the main entry's classes (once per class). */
export function runtimeFor(Base: typeof WasmKernels, Failure: typeof ThreadError): ThreadsRuntime {
  let runtime = runtimes.get(Base);
  if (runtime === undefined) runtimes.set(Base, (runtime = makeRuntime(Base, Failure)));
  return runtime;
}

function makeRuntime(Base: typeof WasmKernels, Failure: typeof ThreadError): ThreadsRuntime {
    /** Kernels over a shared memory whose step runs its large products across the pool. */
    const ThreadedKernels = class extends Base {
      readonly memory: WebAssembly.Memory;
      /** byte address of the board */
      readonly board: number;
      private pool: Pool;
      private id: number;
      private readonly owner: object;
      /** The board's words, made once: a shared memory's buffer is never detached by growth, so
       *  this view stays valid (no allocation per call in check()). */
      private readonly words: Int32Array;

      /** The board is where the engine puts it with threads: the first 16-byte-aligned address
       *  after the core's static data, the same in every network (the pool's workers keep it per
       *  memory). */
      constructor(readonly threads: number) {
        const self: { k?: { ring(): void } } = {};
        const owner = {}; // collected with these kernels (the instance refers to them; this does not)
        const pool = currentPool(threads);
        const { id, memory } = pool.acquire(owner);
        const wake = (): void => self.k!.ring();
        super(new WebAssembly.Instance(module!, { env: { memory, wake } }).exports as unknown as CoreExports);
        self.k = this;
        this.memory = memory;
        this.pool = pool;
        this.id = id;
        this.owner = owner;
        this.board = board;
        this.words = new Int32Array(memory.buffer, board, BOARD_F64 * 2);
        (this.core as ThreadsExports).setBoard(board);
      }

      /** Where the threads' matrix-product workspaces are (f64 offsets): set when the engine lays
       *  out its buffers, and again whenever they move. */
      configure(scratch: number, scratchSize: number): void {
        const words = this.words;
        words[THREADS >> 2] = this.threads;
        words[CAN_BLOCK >> 2] = canBlock ? 1 : 0;
        words[SCRATCH >> 2] = scratch * 8;
        words[SCRATCH_STRIDE >> 2] = scratchSize * 8;
      }

      ring(): void {
        this.pool.ring(this.id);
      }

      /** Throws a ThreadError if a worker failed since the last call (once; the network then
       *  moves to a new pool, and its next call runs on new workers). */
      check(): void {
        const fault = Atomics.load(this.words, FAULT >> 2) !== 0;
        if (this.pool.failure === null && !fault) return;
        if (this.pool.failure === null) this.pool.fail('a worker thread failed while running a block');
        const reason = this.pool.failure!;
        Atomics.store(this.words, FAULT >> 2, 0);
        this.pool = currentPool(this.threads);
        this.id = this.pool.adopt(this.memory, this.owner);
        throw new Failure(
          `wasmnet's thread pool stopped: ${reason}. The network is as it was after its last completed batch; ` +
            'its next call starts new worker threads',
        );
      }

      /** Tests: blocks run by workers so far on this network. */
      workerBlocks(): number {
        return Atomics.load(this.words, WORKER_BLOCKS >> 2);
      }

      /** Tests: make worker `index` trap in its next block, or exit. */
      inject(index: number, kind: 'trap' | 'exit'): void {
        if (kind === 'trap') Atomics.store(this.words, INJECT >> 2, index + 1);
        else this.pool.inject(index, kind);
      }

      /** Tests and bench: resolves once the pool's workers have read every message so far. */
      settled(): Promise<void> {
        return this.pool.settled();
      }
    }


  return {
    kernels(threads) {
      const k = new ThreadedKernels(threads);
      k.heap.fill(0, k.base); // a reused memory holds a dropped network's data
      return k;
    },
  };
}
