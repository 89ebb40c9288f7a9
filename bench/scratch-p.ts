import { Network, dense, init } from '../src/index';
await init();
const sizes = (process.argv[2] ?? '784,128,10').split(',').map(Number);
const rowsList = (process.argv[3] ?? '1,32,1024').split(',').map(Number);
const backend = (process.argv[4] ?? 'wasm') as 'wasm' | 'js';
const net = new Network({ inputSize: sizes[0]!, layers: sizes.slice(1).map((u, i) => dense(u, { activation: i === sizes.length - 2 ? 'softmax' : 'relu' })), loss: 'mse', seed: 1, backend });
for (const rows of rowsList) {
  const x = new Float64Array(rows * sizes[0]!).map((_, i) => Math.sin(i));
  let flops = 0; for (let i = 1; i < sizes.length; i++) flops += 2 * rows * sizes[i - 1]! * sizes[i]!;
  const calls = Math.max(1, Math.round(2e5 / flops * 100));
  let best = Infinity;
  const t0 = performance.now();
  while (performance.now() - t0 < 1500) { const s = performance.now(); for (let i = 0; i < calls; i++) net.predict(x); best = Math.min(best, (performance.now() - s) / calls); }
  console.log(sizes.join('-'), rows, (best * 1000).toFixed(2), 'us', (flops / best / 1e6).toFixed(1), 'GF/s');
}
