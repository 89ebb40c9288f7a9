// The libraries of the inference bench (bench/inference.ts), each run in a worker thread of its
// own (./inference-worker.mjs): wasmnet (wasm and js backends), a hand-written plain-JS f64
// forward pass, onnxruntime-web (wasm backend, 1 thread) given the same weights as an f32 and
// an f64 ONNX model, and TensorFlow.js (wasm and cpu backends, f32). Every `predict` is what a
// user's per-request call does: input in, outputs read back as a typed array.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { dense, init, Network, type LayerWeights } from '../../src/index';
import { initThreads } from '../../src/threads/index';
import { denseOnnx, type OnnxActivation } from './onnx-model';
import { packageVersion } from './peer';

const require = createRequire(import.meta.url);

/** A network of the inference bench: layer sizes (input first) and each layer's activation. */
export interface InferenceNet {
  id: string;
  sizes: number[];
  activations: OnnxActivation[];
}

export interface Predictor {
  /** One call as a user makes it: x is [rows × inputs] row-major (already in the library's
   *  input precision, made by `prepare`); resolves to the outputs. */
  predict(x: unknown, rows: number): Float64Array | Float32Array | Promise<Float64Array | Float32Array>;
  /** The library's input for these rows (f32 libraries get a Float32Array), made once, untimed. */
  prepare(x: Float64Array, rows: number): unknown;
}

export interface InferenceLib {
  id: string;
  label: string;
  /** 'f64' or 'f32' arithmetic */
  precision: 'f64' | 'f32';
  setup?(): Promise<void>;
  build(net: InferenceNet, weights: LayerWeights[]): Promise<Predictor>;
}

const same = (x: Float64Array): Float64Array => x;

/** `threads`: the network's `threads` option ('auto': every core; wasm only). */
function wasmnetLib(backend: 'wasm' | 'js', threads?: 'auto'): InferenceLib {
  return {
    id: threads ? 'wasmnet-threads' : `wasmnet-${backend}`,
    label: threads ? 'wasmnet wasm, threads' : `wasmnet ${backend}`,
    precision: 'f64',
    async setup() {
      if (backend === 'wasm') await init();
      if (threads) await initThreads(); // as the README says, before networks with threads
    },
    async build(net, weights) {
      const model = new Network({
        inputSize: net.sizes[0]!,
        layers: net.sizes.slice(1).map((units, i) => dense(units, { activation: net.activations[i]! })),
        loss: 'mse',
        backend,
        ...(threads ? { threads } : {}),
      });
      model.setWeights(weights);
      return { prepare: same, predict: (x) => model.predict(x as Float64Array) };
    },
  };
}

/** The forward pass as one writes it by hand in plain JavaScript: f64, row-major W, a fresh
 *  output array per layer, the bias first, then the products in p order (cache-friendly
 *  p-then-j loops), then the activation. */
const plainJs: InferenceLib = {
  id: 'plain-js',
  label: 'hand-written JS (f64)',
  precision: 'f64',
  async build(net, weights) {
    const layers = weights.map((l, i) => ({ w: l.weights, b: l.bias, k: net.sizes[i]!, n: net.sizes[i + 1]!, act: net.activations[i]! }));
    return {
      prepare: same,
      predict(x0) {
        let x = x0 as Float64Array;
        const rows = x.length / layers[0]!.k;
        for (const { w, b, k, n, act } of layers) {
          const out = new Float64Array(rows * n);
          for (let r = 0; r < rows; r++) {
            const o = r * n;
            for (let j = 0; j < n; j++) out[o + j] = b[j]!;
            for (let p = 0; p < k; p++) {
              const xp = x[r * k + p]!;
              const wRow = p * n;
              for (let j = 0; j < n; j++) out[o + j] = out[o + j]! + xp * w[wRow + j]!;
            }
            if (act === 'softmax') {
              let max = -Infinity;
              for (let j = 0; j < n; j++) max = Math.max(max, out[o + j]!);
              let sum = 0;
              for (let j = 0; j < n; j++) sum += out[o + j] = Math.exp(out[o + j]! - max);
              for (let j = 0; j < n; j++) out[o + j] = out[o + j]! / sum;
            } else if (act !== 'linear') {
              for (let j = 0; j < n; j++) {
                const z = out[o + j]!;
                out[o + j] = act === 'relu' ? (z > 0 ? z : 0) : act === 'tanh' ? Math.tanh(z) : 1 / (1 + Math.exp(-z));
              }
            }
          }
          x = out;
        }
        return x;
      },
    };
  },
};

/** onnxruntime-web's exports map hides its package.json: read it beside the resolved entry. */
function ortVersion(): string {
  try {
    let dir = dirname(require.resolve('onnxruntime-web'));
    while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

type Ort = typeof import('onnxruntime-web');
let ortLoaded: Promise<Ort> | null = null;
function loadOrt(): Promise<Ort> {
  ortLoaded ??= (async () => {
    const ort = (await import('onnxruntime-web/wasm')) as unknown as Ort;
    ort.env.wasm.numThreads = 1; // two threads fail at session creation under Node
    return ort;
  })();
  return ortLoaded;
}

function ortLib(f64: boolean): InferenceLib {
  const version = ortVersion();
  return {
    id: `ort-${f64 ? 'f64' : 'f32'}`,
    label: `onnxruntime-web ${version} ${f64 ? 'f64' : 'f32'}`,
    precision: f64 ? 'f64' : 'f32',
    async setup() {
      await loadOrt();
    },
    async build(net, weights) {
      const ort = await loadOrt();
      const layers = weights.map((l, i) => ({ ...l, inputs: net.sizes[i]!, units: net.sizes[i + 1]!, activation: net.activations[i]! }));
      const session = await ort.InferenceSession.create(denseOnnx(layers, f64), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
      const k = net.sizes[0]!;
      return {
        prepare: (x, rows) => new ort.Tensor(f64 ? 'float64' : 'float32', f64 ? new Float64Array(x) : Float32Array.from(x), [rows, k]),
        async predict(x) {
          const out = await session.run({ x: x as InstanceType<Ort['Tensor']> });
          return out.y!.data as Float64Array | Float32Array;
        },
      };
    },
  };
}

type Tf = typeof TF;
let tfLoaded: Promise<Tf> | null = null;
function loadTf(): Promise<Tf> {
  tfLoaded ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    tf.enableProdMode();
    wasm.setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/')}`);
    wasm.setThreadsCount(1);
    return tf;
  })();
  return tfLoaded;
}

function tfjsLib(backend: 'wasm' | 'cpu'): InferenceLib {
  const version = packageVersion(require, '@tensorflow/tfjs');
  return {
    id: `tfjs-${backend}`,
    label: `tfjs ${version} (${backend})`,
    precision: 'f32',
    async setup() {
      const tf = await loadTf();
      if (!(await tf.setBackend(backend))) throw new Error(`tfjs: cannot select backend ${backend}`);
    },
    async build(net, weights) {
      const tf = await loadTf();
      const model = tf.sequential();
      net.sizes.slice(1).forEach((units, i) => {
        model.add(tf.layers.dense({ units, activation: net.activations[i]!, inputShape: i === 0 ? [net.sizes[0]!] : undefined }));
      });
      tf.tidy(() =>
        model.layers.forEach((layer, i) => {
          layer.setWeights([tf.tensor2d(Float32Array.from(weights[i]!.weights), [net.sizes[i]!, net.sizes[i + 1]!]), tf.tensor1d(Float32Array.from(weights[i]!.bias))]);
        }),
      );
      const k = net.sizes[0]!;
      return {
        prepare: (x) => Float32Array.from(x),
        predict(x, rows) {
          const input = tf.tensor2d(x as Float32Array, [rows, k]);
          const y = model.predict(input) as TF.Tensor;
          const data = y.dataSync() as Float32Array;
          input.dispose();
          y.dispose();
          return data;
        },
      };
    },
  };
}

/** Every library, in table order. */
export const INFERENCE_LIBS: InferenceLib[] = [wasmnetLib('wasm'), wasmnetLib('wasm', 'auto'), wasmnetLib('js'), plainJs, ortLib(false), ortLib(true), tfjsLib('wasm'), tfjsLib('cpu')];
