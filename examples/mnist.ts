// Trains a 784-128-10 network on 8,000 real MNIST digits and tests it on 2,000 others.
//   npm start                       (wasm backend, 10 epochs)
//   npm start -- --backend js --epochs 5
// Writes the training curves to examples/output/mnist-history.svg (--plot to change it).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Network, dense, init, plotHistory, progressBar } from '../src/index';
import { loadMnist } from './mnist-data';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    epochs: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    plot: { type: 'string', default: fileURLToPath(new URL('output/mnist-history.svg', import.meta.url)) },
  },
});
const backend = values.backend as 'wasm' | 'js';
const epochs = Number(values.epochs);

await init();
const data = loadMnist(8000, 2000);
console.log(`MNIST: ${data.trainCount} training digits, ${data.testCount} test digits (from the \`mnist\` package)`);

const net = new Network({
  inputSize: 784,
  layers: [dense(128, { activation: 'relu' }), dense(10, { activation: 'softmax' })],
  loss: 'categoricalCrossentropy',
  optimizer: { type: 'sgd', learningRate: 0.1 },
  seed: Number(values.seed),
  backend,
});
console.log(net.summary());

const started = performance.now();
// A bar on stderr in a terminal; one line per epoch when stderr is a pipe or a log file.
// The test digits double as validation data (as in Keras's examples): each epoch reports
// valLoss/valAccuracy and the plot shows both curves. Nothing is tuned on them.
const history = await net.fit(data.trainX, data.trainY, {
  epochs,
  batchSize: 32,
  validationData: [data.testX, data.testY],
  callbacks: [progressBar()],
});
const seconds = (performance.now() - started) / 1000;

const test = net.evaluate(data.testX, data.testY);
console.log(`trained ${epochs} epochs in ${seconds.toFixed(1)} s on the ${backend} backend`);
mkdirSync(dirname(values.plot), { recursive: true });
writeFileSync(values.plot, plotHistory(history, { title: `MNIST 784-128-10, ${backend} backend` }));
console.log(`training curves: ${relative(process.cwd(), values.plot)}`);
console.log(`test accuracy: ${(test.accuracy! * 100).toFixed(2)}% on ${data.testCount} held-out digits (loss ${test.loss.toFixed(4)})`);
