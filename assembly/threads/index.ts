// The threads build's exports (build/core-threads.wasm, asc --enable threads --importMemory
// --sharedMemory): everything the one-thread core exports, built from the same sources, where
// the step's large matrix products run across a pool of workers (parallel.ts), plus the entry
// points the pool uses. With one thread (no board set) it computes exactly as the core.
export * from '../index';
export { setBoard, work, threadFault } from './parallel';
