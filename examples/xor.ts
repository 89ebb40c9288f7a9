// XOR with a 2-3-1 network: the "hello world" of neural networks.
//   node --import tsx examples/xor.ts
import { Network, dense, init } from '../src/index'; // from 'wasmnet' in your project

await init();

const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
const y = [[0], [1], [1], [0]];

const net = new Network({
  inputSize: 2,
  layers: [dense(3, { activation: 'tanh' }), dense(1, { activation: 'sigmoid' })],
  loss: 'mse',
  optimizer: { type: 'sgd', learningRate: 0.5 },
  seed: 42,
});

const history = await net.fit(x, y, { epochs: 2000, batchSize: 4 });
console.log(`loss: ${history.loss[0]!.toFixed(4)} → ${history.loss.at(-1)!.toFixed(6)}`);
for (const [i, [p]] of net.predict(x).entries()) {
  console.log(`${x[i]!.join(' xor ')} = ${p!.toFixed(3)} → ${p! >= 0.5 ? 1 : 0}`);
}
