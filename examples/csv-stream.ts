// Training from a CSV file read line by line: the rows never sit in memory all at once. A
// first streaming pass measures each column's mean and spread, then `fitDataset` trains from
// batches parsed as the file is read (csv-parse does the parsing), validating on a second file.
//   node --import tsx examples/csv-stream.ts [--rows 40000] [--epochs 4]
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { Network, dense, init, type Batch } from '../src/index'; // from 'wasmnet' in your project

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const ROWS = arg('rows', 40_000);
const EPOCHS = arg('epochs', 4);
const FEATURES = ['area', 'rooms', 'age', 'distance'];

// The data: house prices (k$) from four features, written as CSV files so that the example
// runs anywhere. Your files would come from elsewhere.
const dir = mkdtempSync(join(tmpdir(), 'wasmnet-csv-'));
function writeHouses(path: string, rows: number, seed: number): void {
  let s = seed;
  const random = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const lines = [`${FEATURES.join(',')},price`];
  for (let i = 0; i < rows; i++) {
    const area = 40 + random() * 160; // m²
    const rooms = 1 + Math.floor(area / 30 + random() * 2);
    const age = Math.floor(random() * 80); // years
    const distance = random() * 30; // km to the centre
    const price = 2.1 * area + 15 * rooms - 0.8 * age + 300 * Math.exp(-distance / 8) + (random() - 0.5) * 20;
    lines.push(`${area.toFixed(1)},${rooms},${age},${distance.toFixed(2)},${price.toFixed(1)}`);
  }
  writeFileSync(path, lines.join('\n') + '\n');
}
const trainFile = join(dir, 'train.csv');
const validFile = join(dir, 'valid.csv');
writeHouses(trainFile, ROWS, 1);
writeHouses(validFile, Math.ceil(ROWS / 10), 2);

/** The file's records, one at a time, as numbers (csv-parse reads the file in chunks). */
function records(path: string): AsyncIterable<Record<string, number>> {
  return createReadStream(path).pipe(parse({ columns: true, cast: true }));
}

// Pass 1: each column's mean and standard deviation, streaming (Welford's method).
const stats = [...FEATURES, 'price'].map(() => ({ n: 0, mean: 0, m2: 0 }));
for await (const record of records(trainFile)) {
  [...FEATURES, 'price'].forEach((name, j) => {
    const st = stats[j]!;
    const v = record[name]!;
    st.n++;
    const d = v - st.mean;
    st.mean += d / st.n;
    st.m2 += d * (v - st.mean);
  });
}
const mean = stats.map((st) => st.mean);
const std = stats.map((st) => Math.sqrt(st.m2 / st.n));

/** Batches of standardised rows, parsed as the file is read, in one pair of arrays refilled for
 *  every batch (fitDataset has copied a batch before it asks for the next). */
async function* batches(path: string, batchSize = 256): AsyncGenerator<Batch> {
  const x = new Float64Array(batchSize * FEATURES.length);
  const y = new Float64Array(batchSize);
  let n = 0;
  for await (const record of records(path)) {
    FEATURES.forEach((name, j) => (x[n * FEATURES.length + j] = (record[name]! - mean[j]!) / std[j]!));
    y[n] = (record.price! - mean[4]!) / std[4]!;
    if (++n === batchSize) {
      yield { x, y };
      n = 0;
    }
  }
  if (n > 0) yield { x: x.subarray(0, n * FEATURES.length), y: y.subarray(0, n) };
}

await init();
const net = new Network({
  inputSize: FEATURES.length,
  layers: [dense(32, { activation: 'relu' }), dense(16, { activation: 'relu' }), dense(1)],
  loss: 'mse',
  optimizer: { type: 'adam', learningRate: 0.003 },
  seed: 1,
});
const started = performance.now();
const history = await net.fitDataset(() => batches(trainFile), {
  epochs: EPOCHS,
  validationData: () => batches(validFile),
  metrics: ['mae'],
  onEpochEnd: (epoch, logs) => {
    const k$ = logs.valMae! * std[4]!;
    console.log(`epoch ${epoch + 1}: loss ${logs.loss.toFixed(4)}, validation mae ${k$.toFixed(1)} k$`);
  },
});
const seconds = (performance.now() - started) / 1000;
console.log(`${ROWS} rows × ${EPOCHS} epochs streamed from CSV in ${seconds.toFixed(1)} s`);
console.log(`validation mean absolute error: ${(history.valMae!.at(-1)! * std[4]!).toFixed(1)} k$ (prices average ${mean[4]!.toFixed(0)} k$)`);
rmSync(dir, { recursive: true });
