// TensorFlow.js 4 (@tensorflow/tfjs) on its two Node backends that need no native addon: `cpu`
// (plain JS kernels) and `wasm` (@tensorflow/tfjs-backend-wasm, XNNPACK). float32 throughout.
//
// The timed path is a manual training loop, the fast idiomatic way to train a tf.LayersModel:
// per batch, `tf.gather` the (shuffled) rows, then `optimizer.minimize` over the model's
// variables, all in a `tf.tidy`. `model.fit` is the other idiomatic path; it does the same math
// with per-batch callbacks, logs and event-loop yields on top: measured on this bench (2-core
// EPYC, Node 20), the loop is ≈ 1.5–1.7× faster than fit on XOR and iris and within noise of it
// on the 784-input networks, so the loop is the headline and fit is the opt-in peer
// `tfjs-wasm-fit` / `tfjs-cpu-fit` (`--libs=`). Both tfjs backends live in one process: every
// trainer is built and run with its own backend selected (`activate`, outside the timing), and `info()` checks that its weights
// never migrated to the other backend and that no tensor leaked.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import type { LayerWeights } from '../../src/index';
import { Rng } from '../stats';
import { inputs, outputs, type Workload } from '../workloads';
import { packageVersion, rowOrder, type Peer, type Trainer } from './peer';

type Tf = typeof TF;
type BackendId = 'cpu' | 'wasm';

const require = createRequire(import.meta.url);
const VERSION = packageVersion(require, '@tensorflow/tfjs');

let loaded: Promise<Tf> | null = null;
/** Threads and binary of the wasm backend, read after it initialised. */
const wasmSetup = { threads: NaN, simd: false, path: '' };

/** Imports tfjs and the wasm backend once, and points the backend at its .wasm files. */
function loadTf(): Promise<Tf> {
  loaded ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // Production mode: no debug checks, and no "install tfjs-node" banner on stdout.
    tf.enableProdMode();
    // A plain file path (trailing slash: it is a prefix) works in Node: the emscripten loader
    // reads it with fs. node_modules/@tensorflow/tfjs-backend-wasm/dist/ holds the three binaries.
    wasmSetup.path = `${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/')}`;
    wasm.setWasmPaths(wasmSetup.path);
    // One thread, like every other library here (Node offers the threaded binary no workers anyway).
    wasm.setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise');
    wasmSetup.threads = wasm.getThreadsCount();
    wasmSetup.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') as boolean;
    if (!(await tf.setBackend('cpu'))) throw new Error('tfjs cpu backend failed to initialise');
    return tf;
  })();
  return loaded;
}

async function use(tf: Tf, backend: BackendId): Promise<void> {
  if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`tfjs: cannot select backend ${backend}`);
}

/** Dense layers with the shared initial weights; the last layer emits logits for the
 *  cross-entropy (`fused`: tf.losses.softmaxCrossEntropy then applies the softmax), or its own
 *  activation otherwise. */
function buildModel(tf: Tf, w: Workload, init: LayerWeights[], fused: boolean): TF.Sequential {
  const model = tf.sequential();
  const layers = w.sizes.length - 1;
  for (let i = 0; i < layers; i++) {
    const last = i === layers - 1;
    const activation = last && fused && w.loss === 'categoricalCrossentropy' ? 'linear' : w.activations[i]!;
    model.add(
      tf.layers.dense({
        units: w.sizes[i + 1]!,
        activation: activation as 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax',
        inputShape: i === 0 ? [inputs(w)] : undefined,
        kernelInitializer: 'zeros',
      }),
    );
  }
  tf.tidy(() =>
    model.layers.forEach((layer, i) => {
      const { weights, bias } = init[i]!;
      layer.setWeights([tf.tensor2d(Float32Array.from(weights), [w.sizes[i]!, w.sizes[i + 1]!]), tf.tensor1d(Float32Array.from(bias))]);
    }),
  );
  return model;
}

type Mode = 'minimize' | 'fit';

function tfjsPeer(backend: BackendId, mode: Mode): Peer {
  const id = `tfjs-${backend}${mode === 'fit' ? '-fit' : ''}`;
  const how =
    mode === 'minimize'
      ? 'manual loop: per batch `tf.gather` of the shuffled rows + `optimizer.minimize(loss, false, modelVars)` in a `tf.tidy` ' +
        `(≈ 1.5–1.7× faster than \`model.fit\` on the tiny nets, the same on the others: see \`--libs=${id}-fit\`)`
      : '`model.fit(x, y, { batchSize, epochs, shuffle })`';
  const where =
    backend === 'wasm'
      ? 'wasm backend (XNNPACK; the SIMD binary, 1 thread via `setThreadsCount(1)`, `.wasm` files loaded from node_modules/@tensorflow/tfjs-backend-wasm/dist/ via `setWasmPaths`)'
      : 'cpu backend (plain JS kernels, 1 thread)';
  return {
    id,
    label: `tfjs ${backend}${mode === 'fit' ? ' (fit)' : ''}`,
    notes: [
      `${id}: tfjs ${VERSION}, ${where}; ${how}; \`tf.sequential\` of dense layers, \`tf.train.sgd(lr)\`, ` +
        'float32; cross-entropy as a linear last layer + `tf.losses.softmaxCrossEntropy` (fused, mean over the batch)' +
        (mode === 'fit' ? ' (fit: softmax layer + `categoricalCrossentropy`)' : '') +
        ', mse as `tf.losses.meanSquaredError`.',
    ],
    sameModel: () => true,
    async setup() {
      await use(await loadTf(), backend);
    },
    async build(w, init) {
      const tf = await loadTf();
      await use(tf, backend);
      const model = buildModel(tf, w, init, mode === 'minimize');
      const optimizer = tf.train.sgd(w.learningRate);
      const [nIn, nOut] = [inputs(w), outputs(w)];
      const xs = tf.tensor2d(Float32Array.from(w.x), [w.samples, nIn]);
      const ys = tf.tensor2d(Float32Array.from(w.y), [w.samples, nOut]);
      const vars = model.trainableWeights.map((v) => v.read() as TF.Variable);
      const lossOf = (labels: TF.Tensor, out: TF.Tensor): TF.Scalar =>
        w.loss === 'categoricalCrossentropy' ? tf.losses.softmaxCrossEntropy(labels, out) : tf.losses.meanSquaredError(labels, out);
      if (mode === 'fit') model.compile({ optimizer, loss: w.loss === 'mse' ? 'meanSquaredError' : 'categoricalCrossentropy' });
      const rng = new Rng(w.seed);
      let leaked = 0;

      const minimizeEpochs = ({ epochs, samples, shuffle, loss }: Parameters<Trainer['train']>[0]): number => {
        let last = NaN;
        for (let epoch = 0; epoch < epochs; epoch++) {
          const order = rowOrder(rng, samples, shuffle);
          let sum = 0;
          for (let start = 0; start < samples; start += w.batchSize) {
            const end = Math.min(samples, start + w.batchSize);
            const cost = tf.tidy((): TF.Scalar | undefined => {
              const rows = tf.tensor1d(order.subarray(start, end), 'int32');
              const xb = tf.gather(xs, rows);
              const yb = tf.gather(ys, rows);
              return optimizer.minimize(() => lossOf(yb, model.apply(xb, { training: true }) as TF.Tensor), loss, vars) ?? undefined;
            });
            if (cost) {
              sum += cost.dataSync()[0]! * (end - start);
              cost.dispose();
            }
          }
          last = loss ? sum / samples : NaN;
        }
        return last;
      };

      const fitEpochs = async ({ epochs, samples, shuffle }: Parameters<Trainer['train']>[0]): Promise<number> => {
        const all = samples === w.samples;
        const x = all ? xs : xs.slice(0, samples);
        const y = all ? ys : ys.slice(0, samples);
        try {
          const history = await model.fit(x, y, { epochs, batchSize: w.batchSize, shuffle, verbose: 0 });
          const losses = history.history.loss as number[];
          return losses[losses.length - 1]!;
        } finally {
          if (!all) tf.dispose([x, y]);
        }
      };

      return {
        activate: () => use(tf, backend),
        async train(run) {
          const start = tf.memory().numTensors;
          const loss = mode === 'minimize' ? minimizeEpochs(run) : await fitEpochs(run);
          leaked += tf.memory().numTensors - start;
          return loss;
        },
        async predict(x, rows) {
          await use(tf, backend);
          const out = tf.tidy(() => {
            const scores = model.predict(tf.tensor2d(Float32Array.from(x), [rows, nIn])) as TF.Tensor;
            return mode === 'minimize' && w.loss === 'categoricalCrossentropy' ? tf.softmax(scores) : scores;
          });
          const values = Float64Array.from(await out.data());
          out.dispose();
          return values;
        },
        info() {
          // Engine internals (tfjs 4): which backend holds each weight's data.
          const state = (tf.engine() as unknown as { state: { tensorInfo: WeakMap<object, { backend: unknown }> } }).state;
          const home = tf.findBackend(backend);
          const stayed = vars.every((v) => state.tensorInfo.get(v.dataId)?.backend === home);
          return {
            backend,
            mode,
            tfjs: VERSION,
            ...(backend === 'wasm' ? { threads: wasmSetup.threads, simd: wasmSetup.simd, wasmPaths: wasmSetup.path } : {}),
            weightsStayedOnBackend: stayed,
            tensorsLeakedWhileTraining: leaked,
          };
        },
        dispose() {
          model.dispose();
          optimizer.dispose();
          tf.dispose([xs, ys]);
        },
      };
    },
  };
}

export const tfjsCpu = tfjsPeer('cpu', 'minimize');
export const tfjsWasm = tfjsPeer('wasm', 'minimize');
/** Opt-in (`--libs=tfjs-wasm-fit`): the same, trained with `model.fit`. */
export const tfjsWasmFit = tfjsPeer('wasm', 'fit');
export const tfjsCpuFit = tfjsPeer('cpu', 'fit');
