// What a batch norm (or layer norm) layer costs in training: the same MLP with and without it,
// trained on the same seeded rows in one run, runs interleaved (plain, batch norm, layer norm,
// plain, …) so machine noise lands on all three. Reported as samples per second and as the
// cost relative to the plain network; never checked against a threshold.
import { Network, batchNorm, dense, layerNorm, type BackendName, type Layer } from '../src/index';
import { progress, Rng, series, timeAsync, type BenchPlan, type Series } from './stats';

export interface NormalizationResult {
  backend: BackendName;
  /** e.g. "64-256-256-10, batch 64" */
  shape: string;
  variant: 'plain' | 'batchNorm' | 'layerNorm';
  /** Training samples per second, per timed run. */
  rate: Series;
  /** median(plain) / median(this): 1.25 means this variant takes 25% longer per sample. */
  cost: number;
}

const INPUTS = 64;
const HIDDEN = 256;
const CLASSES = 10;
const BATCH = 64;
const SAMPLES = 2048;

function layers(variant: NormalizationResult['variant']): Layer[] {
  const block = (): Layer[] =>
    variant === 'plain' ? [dense(HIDDEN, { activation: 'relu' })]
    : variant === 'batchNorm' ? [dense(HIDDEN), batchNorm({ activation: 'relu' })]
    : [dense(HIDDEN), layerNorm({ activation: 'relu' })];
  return [...block(), ...block(), dense(CLASSES, { activation: 'softmax' })];
}

export async function benchNormalization(plan: BenchPlan): Promise<NormalizationResult[]> {
  const rng = new Rng(7);
  const x = rng.fill(SAMPLES * INPUTS, -1, 1);
  const y = new Float64Array(SAMPLES * CLASSES);
  for (let i = 0; i < SAMPLES; i++) y[i * CLASSES + rng.int(CLASSES)] = 1;
  const variants = ['plain', 'batchNorm', 'layerNorm'] as const;
  const results: NormalizationResult[] = [];
  for (const backend of ['wasm', 'js'] as const) {
    const nets = variants.map((v) => new Network({ inputSize: INPUTS, layers: layers(v), loss: 'categoricalCrossentropy', optimizer: { type: 'sgd', learningRate: 0.01 }, seed: 1, backend }));
    const epochs = async (net: Network, count: number) => timeAsync(() => net.fit(x, y, { epochs: count, batchSize: BATCH, yieldEvery: 0 }));
    // warm-up, then the epochs per run that last about plan.trainRunMs for the plain network
    for (const net of nets) await epochs(net, 1);
    const perEpoch = await epochs(nets[0]!, 1);
    const count = Math.max(1, Math.round(plan.trainRunMs / Math.max(perEpoch, 1)));
    const samples: number[][] = variants.map(() => []);
    for (let run = 0; run < plan.trainRuns; run++) {
      for (let v = 0; v < variants.length; v++) samples[v]!.push((count * SAMPLES) / ((await epochs(nets[v]!, count)) / 1000));
    }
    const rates = samples.map((s) => series(s));
    variants.forEach((variant, v) => results.push({ backend, shape: `${INPUTS}-${HIDDEN}-${HIDDEN}-${CLASSES}, batch ${BATCH}`, variant, rate: rates[v]!, cost: rates[0]!.median / rates[v]!.median }));
    progress(`normalization (${backend}): ${variants.map((v, i) => `${v} ${rates[i]!.median.toFixed(0)}/s`).join(', ')}`);
  }
  return results;
}

export function normalizationTable(results: NormalizationResult[]): string {
  const lines = [
    '### Normalization layers: training cost (the same MLP with and without, one run, interleaved)',
    '',
    '| backend | network | variant | samples/s (median) | cost vs plain |',
    '| --- | --- | --- | ---: | ---: |',
  ];
  for (const r of results) {
    const what = r.variant === 'plain' ? 'dense(relu) ×2' : r.variant === 'batchNorm' ? 'dense → batchNorm(relu) ×2' : 'dense → layerNorm(relu) ×2';
    lines.push(`| ${r.backend} | ${r.shape} | ${what} | ${r.rate.median.toFixed(0)} | ${r.cost.toFixed(2)}× |`);
  }
  return lines.join('\n');
}
