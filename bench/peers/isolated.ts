// Each library trains in a worker thread of its own: its own heap, garbage collector and JIT
// state, as in a program that uses only that library. Sharing one isolate skews the later
// libraries: the earlier ones leave polymorphic call sites and garbage behind (wasmnet's JS
// backend ran XOR ≈ 10% slower after its wasm backend had trained in the same isolate). The
// main thread still runs one library at a time and interleaves their runs; each run is timed
// inside its worker, so the messages around it are not counted. Host side: ./worker-host.ts.
import { Worker } from 'node:worker_threads';
import type { Peer, Timed, Trainer } from './peer';

interface Reply {
  id: number;
  value?: unknown;
  error?: string;
}

/** `peer`, with its setup and trainers running in a worker thread started by `setup`. */
export function isolated(peer: Peer): Peer {
  let worker: Worker | null = null;
  let nextId = 0;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const call = <T>(op: string, args: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (worker === null) throw new Error(`${peer.id}: setup() has not started its worker`);
      const id = ++nextId;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, op, ...args });
    });

  return {
    ...peer,
    async setup() {
      if (worker !== null) return; // already running (the training and MNIST sections share it)
      worker = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: { peer: peer.id } });
      worker.on('message', ({ id, value, error }: Reply) => {
        const p = pending.get(id);
        pending.delete(id);
        if (error !== undefined) p?.reject(new Error(error));
        else p?.resolve(value);
      });
      worker.on('error', (error) => {
        for (const p of pending.values()) p.reject(error);
        pending.clear();
      });
      await call('setup');
    },
    async close() {
      await worker?.terminate();
      worker = null;
    },
    async build(w, init) {
      const handle = await call<number>('build', { w, init });
      let info: Record<string, unknown> | undefined;
      const trainer: Trainer = {
        async timedTrain(run) {
          const timed = await call<Timed & { info?: Record<string, unknown> }>('train', { handle, run });
          info = timed.info;
          return { ms: timed.ms, loss: timed.loss };
        },
        async train(run) {
          return (await trainer.timedTrain!(run)).loss;
        },
        predict: (x, rows) => call<Float64Array>('predict', { handle, x, rows }),
        info: () => info ?? {},
        dispose() {
          call('dispose', { handle }).catch(() => {});
        },
      };
      return trainer;
    },
  };
}
