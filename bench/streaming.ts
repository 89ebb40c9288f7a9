// `node --expose-gc --import tsx bench/streaming.ts [--rows=700000] [--rounds=15] [--json=FILE] [--quick]`:
// fitDataset (training from a stream of batches) against resident fit, public API only.
//   1. Throughput: samples/s of `fit(x, y, { batchSize: 128, shuffle: false })` on MNIST-shaped
//      rows (784 inputs, 10 one-hot outputs, a 784-128-10 network) and of `fitDataset` over the
//      same batches in the same order (an async generator yielding views of the same arrays;
//      and one that generates each batch on the fly), interleaved round by round: medians, and
//      the median of each round's ratio (paired: both sides of a ratio ran seconds apart).
//      Both train the same bits: the bench checks the weights are equal.
//   2. Larger than the arena: one epoch of `fitDataset` over --rows MNIST-shaped rows generated
//      on the fly (700,000 rows: 4.45 GB as f64, over the 4 GiB a network's memory can hold),
//      with the process's RSS sampled every 100 batches.
// Timings are what this machine gave at the time (2 cores shared with other work): the ratio of
// interleaved rounds is the figure to read. --json writes the run to FILE.
import { writeFileSync } from 'node:fs';
import { Network, dense, init, type Batch } from '../src/index';
import { environment } from './report';
import { FULL_PLAN } from './stats';

const flag = (name: string) => process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const QUICK = process.argv.includes('--quick');
const BIG_ROWS = Number(flag('rows') ?? (QUICK ? 20_000 : 700_000));
const ROUNDS = Number(flag('rounds') ?? (QUICK ? 3 : 15));
const json = flag('json');
const INPUTS = 784;
const CLASSES = 10;
const BATCH = 128;
const ROWS = QUICK ? 1024 : 8192; // the throughput set: 64 batches of 128

await init();
const gc = (globalThis as { gc?: () => void }).gc;

/** Pixel-like values in [0, 1) from a cheap hash, row `first` on, into `x`; labels into one-hot `y`. */
function fill(x: Float64Array, y: Float64Array, first: number, rows: number): void {
  for (let r = 0; r < rows; r++) {
    const row = first + r;
    let s = Math.imul(row + 1, 2654435761) >>> 0;
    for (let j = 0, at = r * INPUTS; j < INPUTS; j++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      x[at + j] = (s >>> 24) / 256;
    }
    y.fill(0, r * CLASSES, (r + 1) * CLASSES);
    y[r * CLASSES + (row % CLASSES)] = 1;
  }
}

const build = () =>
  new Network({
    inputSize: INPUTS,
    layers: [dense(128, { activation: 'relu' }), dense(CLASSES, { activation: 'softmax' })],
    loss: 'categoricalCrossentropy',
    optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
    seed: 42,
  });
const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1]!;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

// ---- 1. throughput ---------------------------------------------------------------------------
const X = new Float64Array(ROWS * INPUTS);
const Y = new Float64Array(ROWS * CLASSES);
fill(X, Y, 0, ROWS);
async function* views(): AsyncGenerator<Batch> {
  for (let start = 0; start < ROWS; start += BATCH) {
    yield { x: X.subarray(start * INPUTS, (start + BATCH) * INPUTS), y: Y.subarray(start * CLASSES, (start + BATCH) * CLASSES) };
  }
}
async function* generated(rows: number, onBatch?: (batch: number) => void): AsyncGenerator<Batch> {
  for (let start = 0, batch = 0; start < rows; start += BATCH, batch++) {
    const n = Math.min(BATCH, rows - start);
    const x = new Float64Array(n * INPUTS);
    const y = new Float64Array(n * CLASSES);
    fill(x, y, start, n);
    onBatch?.(batch);
    yield { x, y };
  }
}
const nets = { resident: build(), streamed: build(), generated: build() };
const runs: Record<keyof typeof nets, () => Promise<unknown>> = {
  resident: () => nets.resident.fit(X, Y, { epochs: 1, batchSize: BATCH, shuffle: false, yieldEvery: Infinity }),
  streamed: () => nets.streamed.fitDataset(views, { yieldEvery: Infinity }),
  generated: () => nets.generated.fitDataset(() => generated(ROWS), { yieldEvery: Infinity }),
};
for (const run of Object.values(runs)) await run(); // warm-up
const times: Record<keyof typeof nets, number[]> = { resident: [], streamed: [], generated: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const name of Object.keys(runs) as (keyof typeof nets)[]) {
    gc?.();
    const t = performance.now();
    await runs[name]();
    times[name].push(performance.now() - t);
  }
}
const same = Buffer.from(nets.resident.toBytes()).equals(Buffer.from(nets.streamed.toBytes())) && Buffer.from(nets.resident.toBytes()).equals(Buffer.from(nets.generated.toBytes()));
const rate = (name: keyof typeof nets) => ROWS / (median(times[name]) / 1000);
const paired = (name: keyof typeof nets) => median(times.resident.map((t, i) => t / times[name][i]!));
const throughput = {
  rows: ROWS,
  batchSize: BATCH,
  rounds: ROUNDS,
  samplesPerSecond: { resident: rate('resident'), streamed: rate('streamed'), generated: rate('generated') },
  ratio: { streamed: rate('streamed') / rate('resident'), generated: rate('generated') / rate('resident') },
  pairedRatio: { streamed: paired('streamed'), generated: paired('generated') },
  sameWeights: same,
  roundsMs: times,
};
console.log(`throughput, 784-128-10, batches of ${BATCH}, ${ROWS} rows per epoch, medians of ${ROUNDS} interleaved rounds:`);
console.log(`  fit (resident arrays, shuffle: false)    ${rate('resident').toFixed(0)} samples/s`);
console.log(`  fitDataset (the same batches, async)     ${rate('streamed').toFixed(0)} samples/s: ${(throughput.ratio.streamed * 100).toFixed(1)} % of fit; paired rounds ${(throughput.pairedRatio.streamed * 100).toFixed(1)} % (target ≥ 80 %: ${Math.min(throughput.ratio.streamed, throughput.pairedRatio.streamed) >= 0.8 ? 'met' : 'not met'})`);
console.log(`  fitDataset (each batch generated)        ${rate('generated').toFixed(0)} samples/s: ${(throughput.ratio.generated * 100).toFixed(1)} % of fit; paired rounds ${(throughput.pairedRatio.generated * 100).toFixed(1)} % (generation included)`);
console.log(`  the three networks' weights and state are ${same ? 'identical, bit for bit' : 'DIFFERENT'}`);

// ---- 2. larger than the arena ---------------------------------------------------------------
const bytesAsF64 = BIG_ROWS * (INPUTS + CLASSES) * 8;
const big = build();
const rss: { batch: number; rss: number; heapUsed: number }[] = [];
const sample = (batch: number) => {
  const m = process.memoryUsage();
  rss.push({ batch, rss: m.rss, heapUsed: m.heapUsed });
};
gc?.();
sample(-1);
const started = performance.now();
const history = await big.fitDataset(generated(BIG_ROWS, (batch) => batch % 100 === 0 && sample(batch)), { yieldEvery: Infinity });
const seconds = (performance.now() - started) / 1000;
sample(Math.ceil(BIG_ROWS / BATCH));
const after = rss.slice(2); // from batch 100 on: the arena and the first batches are in place
const rssMin = Math.min(...after.map((s) => s.rss));
const rssMax = Math.max(...after.map((s) => s.rss));
const large = {
  rows: BIG_ROWS,
  bytesAsF64,
  over4GiB: bytesAsF64 > 2 ** 32,
  seconds,
  samplesPerSecond: BIG_ROWS / seconds,
  loss: history.loss[0],
  accuracy: history.accuracy?.[0],
  rssBefore: rss[0]!.rss,
  rssMin,
  rssMax,
  rssLast: rss.at(-1)!.rss,
  samples: rss,
};
console.log(`larger than the arena: ${BIG_ROWS} MNIST-shaped rows generated on the fly (${(bytesAsF64 / 1e9).toFixed(2)} GB as f64${large.over4GiB ? ', over the 4 GiB arena limit' : ''}), one epoch of fitDataset:`);
console.log(`  ${seconds.toFixed(1)} s, ${large.samplesPerSecond.toFixed(0)} samples/s, loss ${large.loss?.toFixed(4)}, accuracy ${large.accuracy?.toFixed(3)}`);
console.log(`  RSS before ${mb(large.rssBefore)}; from batch 100 to the end (${after.length} samples) between ${mb(rssMin)} and ${mb(rssMax)} (spread ${mb(rssMax - rssMin)}), at the end ${mb(large.rssLast)}`);

if (json) {
  const env = { ...environment(FULL_PLAN), command: `node --expose-gc --import tsx bench/streaming.ts ${process.argv.slice(2).join(' ')}`.trim(), gcExposed: gc !== undefined };
  writeFileSync(json, JSON.stringify({ environment: env, throughput, large }, null, 2) + '\n');
  console.log(`written to ${json}`);
}
