// Where the main entry finds the thread pool that `initThreads()` (the `wasmnet/threads` entry)
// started. The two entries share no module: the main entry never imports the threads code (so
// that an app without threads does not bundle it), and the threads entry may be loaded as
// another format than the main one (ESM beside CJS). They meet through one global slot, keyed
// by a registered symbol; the threads entry builds its kernels on the main entry's own classes
// (`runtime(Base, Failure)`), so that one WasmKernels and one ThreadError exist per copy.
import type { WasmKernels } from '../backend/wasm';
import type { ThreadError } from '../errors';
import type { ThreadedKernels } from './runtime';

const SLOT = Symbol.for('wasmnet.threads');

/** What a network gets its threaded kernels from. */
export interface ThreadsRuntime {
  /** Kernels for `threads` threads (≤ the pool's size) over a new or reused shared memory, zeroed. */
  kernels(threads: number): ThreadedKernels;
}

/** The pool as `initThreads` left it. */
export interface ThreadsRegistration {
  /** 0 while initThreads is starting the pool; then the threads networks can use (main thread
   *  included): 1 where no worker can run here. */
  readonly threads: number;
  /** The runtime over the main entry's classes (made once per pair). */
  runtime(Base: typeof WasmKernels, Failure: typeof ThreadError): ThreadsRuntime;
}

export function registration(): ThreadsRegistration | undefined {
  return (globalThis as { [SLOT]?: ThreadsRegistration })[SLOT];
}

export function register(value: ThreadsRegistration): void {
  (globalThis as { [SLOT]?: ThreadsRegistration })[SLOT] = value;
}
