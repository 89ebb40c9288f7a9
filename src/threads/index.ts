/**
 * `wasmnet/threads`: the thread pool that networks with `threads` > 1 run on.
 *
 * Threads start explicitly, as in onnxruntime-web and tfjs-wasm: await {@link initThreads} once,
 * then create networks with `threads`. The main entry never loads this code, so an app without
 * threads does not carry it.
 *
 * @example
 * ```ts
 * import { Network, dense } from 'wasmnet';
 * import { initThreads } from 'wasmnet/threads';
 *
 * const threads = await initThreads(); // the cores this runtime gives (1 where threads cannot run)
 * const net = new Network({ inputSize: 784, layers: [dense(256, { activation: 'relu' }), dense(10, { activation: 'softmax' })], loss: 'categoricalCrossentropy', threads: 'auto' });
 * console.log(threads, net.threads); // e.g. 2 2 on two cores: the same weights, bit for bit, as on one
 * ```
 * @module
 */
import { ConfigError } from 'wasmnet';
import { register } from './registry';
import { runtimeFor, startPool, workerBlocks } from './runtime';

/** Options of {@link initThreads}. */
export interface ThreadsOptions {
  /** Threads to make available, the main thread included (1–64). Default: the machine's
   *  available parallelism (`os.availableParallelism()`, `navigator.hardwareConcurrency`). */
  threads?: number;
}

/** What {@link threadsInfo} reports. */
export interface ThreadsInfo {
  /** Threads networks can use now (main thread included): 0 before {@link initThreads} has
   *  resolved, 1 where threads cannot run. */
  threads: number;
  /** Blocks of work the pool's workers have run, over every network, since the pool started:
   *  it grows while a network with `threads` > 1 trains or predicts on products large enough
   *  to be split, which shows that the workers take part. */
  workerBlocks: number;
}

const MAX_THREADS = 64;

/** Shared memory, atomics and workers: a browser page must be cross-origin isolated;
 *  Cloudflare Workers and Edge functions have no Worker. */
function threadsSupported(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown; process?: { getBuiltinModule?: unknown } };
  return (
    typeof SharedArrayBuffer === 'function' &&
    typeof Atomics === 'object' &&
    g.crossOriginIsolated !== false &&
    (typeof g.Worker === 'function' || typeof g.process?.getBuiltinModule === 'function')
  );
}

function availableParallelism(): number {
  const g = globalThis as { navigator?: { hardwareConcurrency?: number }; process?: { getBuiltinModule?: (id: string) => unknown } };
  const os = g.process?.getBuiltinModule?.('os') as { availableParallelism?: () => number } | undefined;
  return os?.availableParallelism?.() ?? g.navigator?.hardwareConcurrency ?? 1;
}

let available = 0;
let starting: Promise<number> | undefined;
let asked = 0;

/**
 * Starts the thread pool and resolves, once every worker is ready, to the threads networks can
 * use (the main thread included). Call it once, before creating networks with `threads` > 1 (or
 * `'auto'`); without it such a network is a `ConfigError` that names this function. A network's
 * `threads` is capped at this number (`'auto'` is this number), and its results are the same
 * bits for any count.
 *
 * Resolves to 1, and networks then run on one thread, where threads cannot run: no
 * `SharedArrayBuffer` (a page that is not cross-origin isolated), no Worker (Cloudflare Workers,
 * Next.js Edge), or workers refused (a Content-Security-Policy without `worker-src blob:`).
 * Calling it again returns the same promise, or grows the pool if more threads are asked for.
 * Workers that cannot start are not an error: it resolves to the threads whose workers did
 * start (the earlier count when the pool cannot grow; networks already on it go on).
 * The pool never keeps a Node, Bun or Deno process alive.
 *
 * @throws ConfigError if `options.threads` is not an integer from 1 to 64.
 */
export function initThreads(options: ThreadsOptions = {}): Promise<number> {
  if (typeof options !== 'object' || options === null) throw new ConfigError(`initThreads options must be an object, got ${String(options)}`);
  const value = options.threads;
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_THREADS)) {
    throw new ConfigError(`initThreads: threads must be an integer from 1 to ${MAX_THREADS}, got ${String(value)}`);
  }
  const wanted = threadsSupported() ? Math.max(1, Math.min(MAX_THREADS, Math.floor(value ?? availableParallelism()))) : 1;
  if (starting !== undefined && wanted <= asked) return starting;
  asked = Math.max(asked, wanted);
  const previous = starting;
  publish();
  starting = (async () => {
    if (previous !== undefined) await previous;
    const threads = await startPool(asked);
    available = Math.max(available, threads);
    publish();
    return available;
  })();
  return starting;
}

/** The pool's state: threads available and the blocks its workers have run. */
export function threadsInfo(): ThreadsInfo {
  return { threads: available, workerBlocks: workerBlocks() };
}

function publish(): void {
  register({ threads: available, runtime: runtimeFor });
}
