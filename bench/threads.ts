// `node --import tsx bench/threads.ts [threads=2] [rounds=5]`: threads vs one thread on the
// issue-14 workloads, interleaved in one run, medians. Prints ratios; never fails on timings.
import { Network, dense, init } from '../src/index';
import { loadThreads } from '../src/threads/request';

await init();
await loadThreads();
const T = Number(process.argv[2] ?? 2);
const ROUNDS = Number(process.argv[3] ?? 5);
const rand = (n: number) => Float64Array.from({ length: n }, (_, i) => ((Math.imul(i + 1, 2654435761) >>> 0) / 2 ** 32));
const oneHot = (rows: number) => { const y = new Float64Array(rows * 10); for (let i = 0; i < rows; i++) y[i * 10 + (i % 10)] = 1; return y; };
const build = (sizes: number[], threads: number) =>
  new Network({ inputSize: sizes[0]!, layers: [...sizes.slice(1, -1).map((u) => dense(u, { activation: 'relu' })), dense(sizes.at(-1)!, { activation: sizes.at(-1)! > 1 ? 'softmax' : 'sigmoid' })], loss: sizes.at(-1)! > 1 ? 'categoricalCrossentropy' : 'mse', optimizer: { type: 'sgd', learningRate: 0.1 }, seed: 42, threads });
const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1]!;
const cases = [
  { name: '784-512-512-10 fit batch 128', sizes: [784, 512, 512, 10], run: (n: Network, x: Float64Array, y: Float64Array) => n.fit(x, y, { epochs: 1, batchSize: 128, yieldEvery: Infinity }), rows: 1024 },
  { name: '784-128-10 fit batch 32', sizes: [784, 128, 10], run: (n: Network, x: Float64Array, y: Float64Array) => n.fit(x, y, { epochs: 1, batchSize: 32, yieldEvery: Infinity }), rows: 2048 },
  { name: 'predict 2,048 rows 784-512-512-10', sizes: [784, 512, 512, 10], run: async (n: Network, x: Float64Array) => n.predict(x), rows: 2048 },
  { name: 'iris-like 4-16-3 fit batch 16', sizes: [4, 16, 3], run: (n: Network, x: Float64Array, y: Float64Array) => n.fit(x, y.subarray(0, 150 * 3), { epochs: 200, batchSize: 16, yieldEvery: Infinity }), rows: 150 },
];
for (const c of cases) {
  const x = rand(c.rows * c.sizes[0]!);
  const y = c.sizes.at(-1) === 3 ? new Float64Array(c.rows * 3).map((_, i) => (i % 3 === 0 ? 1 : 0)) : oneHot(c.rows);
  const nets = [build(c.sizes, 1), build(c.sizes, T)];
  for (const n of nets) await c.run(n, x, y); // warm-up (and the pool's start)
  const times: number[][] = [[], []];
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < 2; i++) {
      const t = performance.now();
      await c.run(nets[i]!, x, y);
      times[i]!.push(performance.now() - t);
    }
  }
  const [a, b] = [median(times[0]!), median(times[1]!)];
  console.log(`${c.name}: 1 thread ${a.toFixed(1)} ms, ${nets[1]!.threads} threads ${b.toFixed(1)} ms, speedup ${(a / b).toFixed(2)}×`);
}
