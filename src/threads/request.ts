// The part of threading that is in the main entry: the `threads` option, whether this runtime
// can run threads at all, and loading the threads chunk (./index: the threads core and the
// pool) on first use, so that programs that never ask for threads never load it.
import { WasmKernels } from '../backend/wasm';
import { ConfigError, ThreadError } from '../errors';
import { show } from '../validate';
import type { ThreadsRuntime } from './index';

/** Most threads a network uses. */
const MAX_THREADS = 64;

/** Threads available here: shared memory, atomics and workers (a browser page must be
 *  cross-origin isolated; Cloudflare Workers have no Worker). */
export function threadsSupported(): boolean {
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

/** The threads a network will use for its `threads` option: 1 for the js backend and where
 *  threads cannot run, at most 64. A value that is neither a positive integer nor 'auto' is a
 *  ConfigError. */
export function resolveThreads(value: unknown, backend: string): number {
  if (value === undefined) return 1;
  if (value !== 'auto' && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
    throw new ConfigError(`threads must be a positive integer or 'auto', got ${show(value)}`);
  }
  if (backend !== 'wasm' || !threadsSupported()) return 1;
  const n = value === 'auto' ? availableParallelism() : value;
  return Math.max(1, Math.min(MAX_THREADS, Math.floor(n)));
}

let runtime: ThreadsRuntime | null | undefined;
let loading: Promise<ThreadsRuntime | null> | undefined;

/** The threads runtime: undefined while the chunk loads (the first call starts loading it),
 *  null if it could not load (networks then run on one thread). */
export function threadsRuntime(): ThreadsRuntime | null | undefined {
  loadThreads();
  return runtime;
}

/** Loads the threads chunk (once). */
export function loadThreads(): Promise<ThreadsRuntime | null> {
  loading ??= import('./index').then(
    (m) => m.load(WasmKernels, ThreadError),
  ).then(
    (r) => (runtime = r),
    () => (runtime = null),
  );
  return loading;
}
