// End-to-end training throughput: `Network.fit` as a user calls it (shuffling, batch copies,
// divergence checks included), wasm backend against js backend on identical data and seeds.
import { dense, Network, type BackendName, type NetworkConfig } from '../src/index';
import { calibrate, progress, Rng, series, timeAsync, type BenchPlan, type Series } from './stats';

export interface TrainingCase {
  name: string;
  /** Layer sizes, input first ("784-128-10"). */
  topology: string;
  samples: number;
  batchSize: number;
  config: Omit<NetworkConfig, 'backend'>;
  x: Float64Array;
  y: Float64Array;
}

export interface TrainingResult {
  name: string;
  topology: string;
  samples: number;
  batchSize: number;
  loss: string;
  /** Samples per second per run. */
  wasm: Series;
  js: Series;
  /** Epochs per timed run (chosen so a run lasts long enough to measure). */
  epochsPerRun: { wasm: number; js: number };
  /** median(wasm) / median(js) */
  ratio: number;
  /** Mean loss of each fresh network's first epoch: equal (up to rounding) when both backends
   *  train the same model on the same data, which is what makes the rates comparable. */
  firstEpochLoss: { wasm: number; js: number };
}

const SEED = 42;
const SGD = { type: 'sgd', learningRate: 0.1 } as const;

function oneHot(labels: number[], classes: number): Float64Array {
  const y = new Float64Array(labels.length * classes);
  labels.forEach((label, i) => (y[i * classes + label] = 1));
  return y;
}

/** 2048 random "images" with pixels in [0, 1) and random labels: the shape of MNIST, not its content. */
function mnistLike(rng: Rng): TrainingCase {
  const samples = 2048;
  const labels = Array.from({ length: samples }, () => rng.int(10));
  return {
    name: 'MNIST-shaped',
    topology: '784-128-10',
    samples,
    batchSize: 32,
    config: {
      inputSize: 784,
      layers: [dense(128, { activation: 'relu' }), dense(10, { activation: 'softmax' })],
      loss: 'categoricalCrossentropy',
      optimizer: SGD,
      seed: SEED,
    },
    x: rng.fill(samples * 784, 0, 1),
    y: oneHot(labels, 10),
  };
}

function xor(): TrainingCase {
  return {
    name: 'XOR',
    topology: '2-3-1',
    samples: 4,
    batchSize: 4,
    config: {
      inputSize: 2,
      layers: [dense(3, { activation: 'tanh' }), dense(1, { activation: 'sigmoid' })],
      loss: 'mse',
      optimizer: SGD,
      seed: SEED,
    },
    x: Float64Array.of(0, 0, 0, 1, 1, 0, 1, 1),
    y: Float64Array.of(0, 1, 1, 0),
  };
}

/** 150 samples, 4 features, 3 classes, like the iris data set: three noisy clusters. */
function irisLike(rng: Rng): TrainingCase {
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
    name: 'iris-like',
    topology: '4-16-3',
    samples,
    batchSize: 16,
    config: {
      inputSize: 4,
      layers: [dense(16, { activation: 'relu' }), dense(3, { activation: 'softmax' })],
      loss: 'categoricalCrossentropy',
      optimizer: SGD,
      seed: SEED,
    },
    x,
    y: oneHot(labels, 3),
  };
}

export function trainingCases(): TrainingCase[] {
  const rng = new Rng(0xda7a);
  return [mnistLike(rng), irisLike(rng), xor()];
}

async function benchTraining(kase: TrainingCase, plan: BenchPlan): Promise<TrainingResult> {
  const net = (backend: BackendName): Network => new Network({ ...kase.config, backend });
  const nets = { wasm: net('wasm'), js: net('js') };
  const lastLoss = { wasm: NaN, js: NaN };
  // yieldEvery: Infinity keeps event-loop turns out of the measurement.
  const run = (backend: BackendName, epochs: number): Promise<number> =>
    timeAsync(async () => {
      const history = await nets[backend].fit(kase.x, kase.y, { epochs, batchSize: kase.batchSize, yieldEvery: Infinity });
      lastLoss[backend] = history.loss[history.loss.length - 1]!;
    });

  await run('wasm', 1);
  await run('js', 1);
  const firstEpochLoss = { ...lastLoss };

  const epochs = {
    wasm: await calibrate((count) => run('wasm', count), plan.trainRunMs),
    js: await calibrate((count) => run('js', count), plan.trainRunMs),
  };
  // One untimed run each at the final epoch count finishes the warm-up.
  await run('wasm', epochs.wasm);
  await run('js', epochs.js);

  const rate = (epochCount: number, ms: number): number => (kase.samples * epochCount * 1000) / ms;
  const wasmRates: number[] = [];
  const jsRates: number[] = [];
  for (let i = 0; i < plan.trainRuns; i++) {
    wasmRates.push(rate(epochs.wasm, await run('wasm', epochs.wasm)));
    jsRates.push(rate(epochs.js, await run('js', epochs.js)));
  }
  const wasm = series(wasmRates);
  const js = series(jsRates);
  return {
    name: kase.name,
    topology: kase.topology,
    samples: kase.samples,
    batchSize: kase.batchSize,
    loss: kase.config.loss,
    wasm,
    js,
    epochsPerRun: epochs,
    ratio: wasm.median / js.median,
    firstEpochLoss,
  };
}

export async function benchTrainings(plan: BenchPlan): Promise<TrainingResult[]> {
  const results: TrainingResult[] = [];
  for (const kase of trainingCases()) {
    progress(`training ${kase.name} ${kase.topology} …`);
    results.push(await benchTraining(kase, plan));
  }
  return results;
}
