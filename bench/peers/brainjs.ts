// brain.js 1.6.1 (npm `latest`), `brain.NeuralNetwork`: pure JS, weights in Float32Arrays.
// What it does, measured as is: online (per-sample) SGD, i.e. one weight update per sample,
// whatever the workload's batch size; no shuffling (rows in data order); one activation for
// every layer (no softmax, no cross-entropy: its output delta is (t − o)·f'(o), the squared
// error's); a momentum term it always computes (it rejects momentum 0, so 1e-9 here). So it does
// not train the same model as the others: its rates are what `train()` achieves on the same
// shapes and data, and its loss column (its own mean squared error) is not comparable.
import { createRequire } from 'node:module';
import type * as Brain from 'brain.js';
import { inputs, outputs } from '../workloads';
import { packageVersion, withSeededRandom, type Peer } from './peer';

const require = createRequire(import.meta.url);
const VERSION = packageVersion(require, 'brain.js');
let lib: typeof Brain | null = null;
const brain = (): typeof Brain => (lib ??= require('brain.js') as typeof Brain);

/** The brain.js 1.6.1 internals used to size the network up front and copy in the shared initial
 *  weights (weights[layer][node][input], biases[layer][node]; layer 0 is the input). */
interface BrainInternals {
  sizes: number[] | null;
  initialize(): void;
  weights: Float32Array[][];
  biases: Float32Array[];
}

interface Sample {
  input: Float32Array;
  output: Float32Array;
}

/** brain.js checks that these lie in (0, 1): the smallest values that change nothing. */
const MOMENTUM = 1e-9;
const ERROR_THRESH = Number.MIN_VALUE;
const ACTIVATION = 'sigmoid';

export const brainjsPeer: Peer = {
  id: 'brainjs',
  label: 'brain.js',
  notes: [
    `brain.js: ${VERSION}, \`NeuralNetwork.train(data, { iterations: epochs, learningRate: lr, momentum: ${MOMENTUM} })\`: ` +
      '**online SGD, one update per sample** (no mini-batches: the batch size does not apply), rows in data order (no shuffling), ' +
      `${ACTIVATION} on every layer (brain.js 1.6 has one activation for all layers, no softmax/cross-entropy: squared-error deltas), ` +
      'momentum ≈ 0 (it rejects 0 but always computes the term); Float32Array weights, JS arithmetic, 1 thread; ' +
      'data pre-converted to { input, output } Float32Arrays outside the timing. Same shapes and data, not the same model: its loss is its own mse.',
  ],
  sameModel: () => false,
  batching: () => '1 (online)',
  async setup() {
    brain();
  },
  async build(w, init) {
    const { NeuralNetwork } = brain();
    const net = new NeuralNetwork({ hiddenLayers: w.sizes.slice(1, -1), activation: ACTIVATION });
    const inner = net as unknown as BrainInternals;
    inner.sizes = [...w.sizes];
    withSeededRandom(w.seed, () => inner.initialize());
    for (let layer = 1; layer < w.sizes.length; layer++) {
      const { weights, bias } = init[layer - 1]!;
      const units = w.sizes[layer]!;
      for (let node = 0; node < units; node++) {
        const row = inner.weights[layer]![node]!;
        for (let k = 0; k < row.length; k++) row[k] = weights[k * units + node]!;
        inner.biases[layer]![node] = bias[node]!;
      }
    }
    const [nIn, nOut] = [inputs(w), outputs(w)];
    const data: Sample[] = Array.from({ length: w.samples }, (_, r) => ({
      input: Float32Array.from(w.x.subarray(r * nIn, (r + 1) * nIn)),
      output: Float32Array.from(w.y.subarray(r * nOut, (r + 1) * nOut)),
    }));
    return {
      async train({ epochs, samples }) {
        const status = net.train(samples === w.samples ? data : data.slice(0, samples), {
          iterations: epochs,
          errorThresh: ERROR_THRESH,
          learningRate: w.learningRate,
          momentum: MOMENTUM,
          log: false,
        });
        return status.error;
      },
      async predict(x, rows) {
        const out = new Float64Array(rows * nOut);
        for (let r = 0; r < rows; r++) {
          const y = net.run(Array.from(x.subarray(r * nIn, (r + 1) * nIn))) as ArrayLike<number>;
          for (let c = 0; c < nOut; c++) out[r * nOut + c] = y[c]!;
        }
        return out;
      },
      info: () => ({ brainjs: VERSION, activation: ACTIVATION, momentum: MOMENTUM, sizes: inner.sizes }),
      dispose() {
        data.length = 0;
      },
    };
  },
};
