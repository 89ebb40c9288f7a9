// wasmnet itself, through the public API only: `Network.fit` as a user calls it (seeded
// shuffling, batch copies, loss/accuracy bookkeeping and divergence checks included).
import { init, type BackendName } from '../../src/index';
import { inputs, outputs, wasmnetNetwork } from '../workloads';
import type { Peer } from './peer';

function wasmnetPeer(backend: BackendName): Peer {
  return {
    id: `wasmnet-${backend}`,
    label: `wasmnet ${backend}`,
    notes: [
      backend === 'wasm'
        ? 'wasmnet wasm: `Network.fit(x, y, { epochs, batchSize, yieldEvery: Infinity })` (mini-batch SGD, seeded shuffle, f64), WebAssembly backend, 1 thread.'
        : 'wasmnet js: the same `Network.fit` on the pure-TypeScript backend (`backend: \'js\'`), f64, 1 thread.',
    ],
    sameModel: () => true,
    async setup() {
      if (backend === 'wasm') await init();
    },
    async build(w, initial) {
      const net = wasmnetNetwork(w, backend);
      net.setWeights(initial);
      const [nIn, nOut] = [inputs(w), outputs(w)];
      return {
        async train({ epochs, samples, shuffle }) {
          const all = samples === w.samples;
          const x = all ? w.x : w.x.subarray(0, samples * nIn);
          const y = all ? w.y : w.y.subarray(0, samples * nOut);
          // yieldEvery: Infinity keeps event-loop turns out of the measurement.
          const history = await net.fit(x, y, { epochs, batchSize: w.batchSize, shuffle, yieldEvery: Infinity });
          return history.loss[history.loss.length - 1]!;
        },
        async predict(x) {
          return net.predict(x);
        },
        info: () => ({ backend, seed: net.seed }),
        dispose() {
          // Nothing to free: the network's memory goes with the garbage collector.
        },
      };
    },
  };
}

export const wasmnetWasm = wasmnetPeer('wasm');
export const wasmnetJs = wasmnetPeer('js');
