// wasmnet itself, through the public API only: `Network.fit` as a user calls it (seeded
// shuffling, batch copies, loss/accuracy bookkeeping and divergence checks included).
import { init, type BackendName } from '../../src/index';
import { initThreads } from '../../src/threads/index';
import { inputs, outputs, wasmnetNetwork } from '../workloads';
import type { Peer } from './peer';

/** Epochs per `fit` call: a user training XOR for a million epochs would rather not keep a
 *  million-entry history (its arrays' growth dominates such a run on machines with slow page
 *  faults); the weights evolve exactly as in one long call. */
const EPOCHS_PER_FIT = 10_000;

/** `threads`: the network's `threads` option ('auto': every core), wasm backend only. */
function wasmnetPeer(backend: BackendName, threads?: 'auto'): Peer {
  return {
    id: threads ? 'wasmnet-threads' : `wasmnet-${backend}`,
    label: threads ? 'wasmnet wasm, threads' : `wasmnet ${backend}`,
    notes: [
      threads
        ? "wasmnet wasm, threads: the same `Network.fit` with `threads: 'auto'` (every core: the machine's available parallelism); bit for bit the weights of 1 thread."
        : backend === 'wasm'
        ? 'wasmnet wasm: `Network.fit(x, y, { epochs, batchSize, yieldEvery: Infinity })` (mini-batch SGD, seeded shuffle, f64), WebAssembly backend, 1 thread; ' +
          `at most ${EPOCHS_PER_FIT.toLocaleString('en-US')} epochs per \`fit\` call (a run of the tiny nets is ~10⁶ epochs, and a history that long costs ` +
          'more than their training on this VM, where a fresh memory page faults in ≈ 14 µs).'
        : 'wasmnet js: the same `Network.fit` on the pure-TypeScript backend (`backend: \'js\'`), f64, 1 thread, the same epochs per call.',
    ],
    sameModel: () => true,
    async setup() {
      if (backend === 'wasm') await init();
      if (threads) await initThreads(); // as the README says, before networks with threads
    },
    async build(w, initial) {
      const net = wasmnetNetwork(w, backend, threads);
      net.setWeights(initial);
      const [nIn, nOut] = [inputs(w), outputs(w)];
      return {
        async train({ epochs, samples, shuffle }) {
          const all = samples === w.samples;
          const x = all ? w.x : w.x.subarray(0, samples * nIn);
          const y = all ? w.y : w.y.subarray(0, samples * nOut);
          // yieldEvery: Infinity keeps event-loop turns out of the measurement. Consecutive
          // fit calls train exactly as one call over all their epochs.
          let loss = NaN;
          for (let done = 0; done < epochs; done += EPOCHS_PER_FIT) {
            const history = await net.fit(x, y, { epochs: Math.min(EPOCHS_PER_FIT, epochs - done), batchSize: w.batchSize, shuffle, yieldEvery: Infinity });
            loss = history.loss[history.loss.length - 1]!;
          }
          return loss;
        },
        async predict(x) {
          return net.predict(x);
        },
        info: () => ({ backend, seed: net.seed, threads: net.threads }),
        dispose() {
          // Nothing to free: the network's memory goes with the garbage collector.
        },
      };
    },
  };
}

export const wasmnetWasm = wasmnetPeer('wasm');
export const wasmnetJs = wasmnetPeer('js');
export const wasmnetThreads = wasmnetPeer('wasm', 'auto');
