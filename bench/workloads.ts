// The four training workloads every library runs: shapes, losses, batch sizes and seeded data.
// Every library gets the same rows (as Float64Array here, converted once, outside the timing,
// into its own format) and starts from the same initial weights (a seeded wasmnet network's).
import { dense, Network, type ActivationName, type LayerWeights } from '../src/index';
import { Rng } from './stats';

export type WorkloadId = 'xor' | 'iris' | 'mnist' | 'wide' | 'digits';
export type WorkloadLoss = 'mse' | 'categoricalCrossentropy';

export interface Workload {
  id: WorkloadId;
  /** What it stands for ("XOR", "MNIST-shaped"). */
  name: string;
  /** Layer sizes, input first: [784, 128, 10]. */
  sizes: number[];
  /** One activation per layer after the input; the last is the output's ('softmax' with the
   *  cross-entropy, whose peers may fuse the two). */
  activations: ActivationName[];
  loss: WorkloadLoss;
  batchSize: number;
  samples: number;
  /** Plain SGD (no momentum, no weight decay). */
  learningRate: number;
  /** row-major [samples × sizes[0]] */
  x: Float64Array;
  /** row-major [samples × outputs]: one-hot for the cross-entropy */
  y: Float64Array;
  /** Batches of the unshuffled check run whose mean loss every library reports. */
  checkBatches: number;
  /** Seed of the wasmnet network whose initial weights every library copies, and of shuffles. */
  seed: number;
}

export const topology = (w: Pick<Workload, 'sizes'>): string => w.sizes.join('-');
export const inputs = (w: Pick<Workload, 'sizes'>): number => w.sizes[0]!;
export const outputs = (w: Pick<Workload, 'sizes'>): number => w.sizes[w.sizes.length - 1]!;

const LEARNING_RATE = 0.1;
const SEED = 42;

function oneHot(labels: ArrayLike<number>, classes: number): Float64Array {
  const y = new Float64Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) y[i * classes + labels[i]!] = 1;
  return y;
}

function xor(): Workload {
  return {
    id: 'xor',
    name: 'XOR',
    sizes: [2, 3, 1],
    activations: ['tanh', 'sigmoid'],
    loss: 'mse',
    batchSize: 4,
    samples: 4,
    learningRate: LEARNING_RATE,
    x: Float64Array.of(0, 0, 0, 1, 1, 0, 1, 1),
    y: Float64Array.of(0, 1, 1, 0),
    checkBatches: 1,
    seed: SEED,
  };
}

/** 150 samples, 4 features, 3 classes, like the iris data set: three noisy clusters. */
function irisLike(): Workload {
  const rng = new Rng(0x1415);
  const samples = 150;
  const centres = [
    [5.0, 3.4, 1.5, 0.2],
    [5.9, 2.8, 4.3, 1.3],
    [6.6, 3.0, 5.6, 2.0],
  ];
  const labels: number[] = [];
  const x = new Float64Array(samples * 4);
  for (let i = 0; i < samples; i++) {
    const label = i % 3;
    labels.push(label);
    for (let j = 0; j < 4; j++) x[i * 4 + j] = centres[label]![j]! + rng.uniform(-0.5, 0.5);
  }
  return {
    id: 'iris',
    name: 'iris-like',
    sizes: [4, 16, 3],
    activations: ['relu', 'softmax'],
    loss: 'categoricalCrossentropy',
    batchSize: 16,
    samples,
    learningRate: LEARNING_RATE,
    x,
    y: oneHot(labels, 3),
    checkBatches: 4,
    seed: SEED,
  };
}

/** Random "images" (pixels uniform in [0, 1)) with random labels: MNIST's shape, not its content. */
function mnistShaped(id: WorkloadId, name: string, hidden: number[], batchSize: number, checkBatches: number, seed: number): Workload {
  const rng = new Rng(seed);
  const samples = 2048;
  const labels = Array.from({ length: samples }, () => rng.int(10));
  return {
    id,
    name,
    sizes: [784, ...hidden, 10],
    activations: [...hidden.map((): ActivationName => 'relu'), 'softmax'],
    loss: 'categoricalCrossentropy',
    batchSize,
    samples,
    learningRate: LEARNING_RATE,
    x: rng.fill(samples * 784, 0, 1),
    y: oneHot(labels, 10),
    checkBatches,
    seed: SEED,
  };
}

/** The ids of `workloads()`, without building their data. */
export const WORKLOAD_IDS: readonly WorkloadId[] = ['xor', 'iris', 'mnist', 'wide'];

/** Tiny to large, in the order of the tables (ids: WORKLOAD_IDS). */
export function workloads(): Workload[] {
  return [
    xor(),
    irisLike(),
    mnistShaped('mnist', 'MNIST-shaped', [128], 32, 4, 0xda7a),
    mnistShaped('wide', 'MNIST-shaped, wide', [512, 512], 128, 1, 0xb16),
  ];
}

/** The wasmnet network of a workload, on either backend; `seed` fixes its initial weights. */
export function wasmnetNetwork(w: Workload, backend: 'wasm' | 'js', threads?: 'auto'): Network {
  return new Network({
    inputSize: inputs(w),
    layers: w.sizes.slice(1).map((units, i) => dense(units, { activation: w.activations[i]! })),
    loss: w.loss,
    optimizer: { type: 'sgd', learningRate: w.learningRate },
    seed: w.seed,
    backend,
    ...(threads ? { threads } : {}),
  });
}

/** The initial weights every library starts from: [inputs × units] row-major, and biases. */
export function initialWeights(w: Workload): LayerWeights[] {
  return wasmnetNetwork(w, 'js').getWeights();
}
