// The real-data line: 784-128-10 on MNIST digits (examples/mnist-data.ts: 8,000 training and
// 2,000 held-out test digits from the `mnist` package), the same epochs, batch 32, SGD lr 0.1,
// from the same initial weights, for each library: test accuracy reached and seconds of training.
// Epochs are interleaved across libraries (epoch 1 of each, then epoch 2 of each, …).
import { loadMnist } from '../examples/mnist-data';
import { argmaxRows, timeTrain, type Peer, type Trainer } from './peers/peer';
import { progress, type BenchPlan } from './stats';
import { initialWeights, topology, type Workload } from './workloads';

export interface MnistResult {
  peer: string;
  label: string;
  status: 'ok' | 'n/a';
  reason?: string;
  epochs: number;
  /** Training time only (evaluation excluded), summed over the epochs. */
  seconds?: number;
  secondsPerEpoch?: number[];
  samplesPerSecond?: number;
  /** Mean training loss of the last epoch. */
  trainLoss?: number;
  /** Fraction of the held-out digits classified correctly after the last epoch. */
  testAccuracy?: number;
  /** seconds(this) / seconds(wasmnet wasm). */
  timeRatio?: number;
}

export interface MnistLine {
  topology: string;
  trainCount: number;
  testCount: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  results: MnistResult[];
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 120);

export async function benchMnist(peers: Peer[], plan: BenchPlan): Promise<MnistLine> {
  progress('MNIST digits …');
  const data = loadMnist(8000, 2000, 1);
  const w: Workload = {
    id: 'digits',
    name: 'MNIST digits',
    sizes: [784, 128, 10],
    activations: ['relu', 'softmax'],
    loss: 'categoricalCrossentropy',
    batchSize: 32,
    samples: data.trainCount,
    learningRate: 0.1,
    x: data.trainX,
    y: data.trainY,
    checkBatches: 0,
    seed: 1, // `npm start`'s seed
  };
  const epochs = plan.mnistEpochs;
  const init = initialWeights(w);
  const entries: { peer: Peer; trainer?: Trainer; result: MnistResult; times: number[] }[] = peers.map((peer) => ({
    peer,
    times: [],
    result: { peer: peer.id, label: peer.label, status: 'ok', epochs },
  }));
  const fail = (e: (typeof entries)[number], reason: string): void => {
    e.result.status = 'n/a';
    e.result.reason = reason;
    e.trainer?.dispose();
    e.trainer = undefined;
  };
  for (const e of entries) {
    if (!e.peer.sameModel(w)) {
      fail(e, 'trains a different model (no softmax/cross-entropy)');
      continue;
    }
    try {
      await e.peer.setup?.();
      e.trainer = await e.peer.build(w, init);
    } catch (err) {
      fail(e, `error: ${errorText(err)}`);
    }
  }
  for (let epoch = 0; epoch < epochs; epoch++) {
    const live = entries.filter((e) => e.trainer);
    for (let i = 0; i < live.length; i++) {
      const e = live[(i + epoch) % live.length]!;
      progress(`  epoch ${epoch + 1}/${epochs} ${e.peer.id} …`);
      try {
        const timed = await timeTrain(e.trainer!, { epochs: 1, samples: w.samples, shuffle: true, loss: true });
        e.times.push(timed.ms);
        e.result.trainLoss = timed.loss;
      } catch (err) {
        fail(e, `error: ${errorText(err)}`);
      }
    }
  }
  const labels = argmaxRows(data.testY, data.testCount, 10);
  for (const e of entries) {
    if (!e.trainer) continue;
    try {
      const predicted = argmaxRows(await e.trainer.predict(data.testX, data.testCount), data.testCount, 10);
      let correct = 0;
      for (let i = 0; i < data.testCount; i++) if (predicted[i] === labels[i]) correct++;
      const seconds = e.times.reduce((a, b) => a + b, 0) / 1000;
      Object.assign(e.result, {
        seconds,
        secondsPerEpoch: e.times.map((t) => t / 1000),
        samplesPerSecond: (w.samples * epochs) / seconds,
        testAccuracy: correct / data.testCount,
      });
    } catch (err) {
      fail(e, `error: ${errorText(err)}`);
    }
    e.trainer?.dispose();
  }
  const base = entries.find((e) => e.peer.id === 'wasmnet-wasm')?.result.seconds;
  for (const e of entries) if (base && e.result.seconds) e.result.timeRatio = e.result.seconds / base;
  return {
    topology: topology(w),
    trainCount: data.trainCount,
    testCount: data.testCount,
    epochs,
    batchSize: w.batchSize,
    learningRate: w.learningRate,
    seed: w.seed,
    results: entries.map((e) => e.result),
  };
}
