// The threads runtime of the `workerd` and `edge-light` builds of wasmnet/threads: Cloudflare
// Workers and Edge functions have no Worker, so `initThreads()` resolves to 1 there and the
// threads build of the core (≈ 25 KB gzipped) is not shipped to them (tsup.config.ts puts this
// file in place of ./runtime).
import type { ThreadsRuntime } from './registry';

export async function startPool(): Promise<number> {
  return 1;
}

export function workerBlocks(): number {
  return 0;
}

export function runtimeFor(): ThreadsRuntime {
  throw new Error('wasmnet: no threads runtime in this build'); // unreachable: the pool has 1 thread
}
