// The part of threading that is in the main entry: checking the `threads` option against the
// pool that `initThreads()` (wasmnet/threads) started. The main entry never imports the threads
// code itself (see registry.ts).
import { WasmKernels } from '../backend/wasm';
import { ConfigError, ThreadError } from '../errors';
import { show } from '../validate';
import { registration, type ThreadsRuntime } from './registry';

/** The threads a network will use for its `threads` option: 1 for the js backend, else at most
 *  the pool's size. A value that is neither a positive integer nor 'auto' is a ConfigError, and
 *  so is asking for more than one thread on the wasm backend before `initThreads()` resolved
 *  (a network silently on one thread would hide the missing call). */
export function resolveThreads(value: unknown, backend: string): number {
  if (value === undefined || value === 1) return 1;
  if (value !== 'auto' && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
    throw new ConfigError(`threads must be a positive integer or 'auto', got ${show(value)}`);
  }
  if (backend !== 'wasm') return 1;
  const pool = registration();
  if (pool === undefined) {
    throw new ConfigError(
      `threads: ${show(value)} needs the thread pool: call \`await initThreads()\` ` +
        `(import { initThreads } from 'wasmnet/threads') once before creating the network`,
    );
  }
  if (pool.threads === 0) {
    throw new ConfigError(`threads: ${show(value)}: initThreads() has not finished yet; await it before creating the network`);
  }
  return value === 'auto' ? pool.threads : Math.min(value, pool.threads);
}

/** The runtime networks with threads run on (resolveThreads returned > 1, so it exists). */
export function threadsRuntime(): ThreadsRuntime {
  return registration()!.runtime(WasmKernels, ThreadError);
}
