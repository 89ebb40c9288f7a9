// wasmnet's batch norm, layer norm and normalization layers trained against PyTorch's own:
// float64 fixtures of a few SGD and Adam steps (scripts/fixtures/norm-torch.py), every weight
// and running statistic after each step to 1e-10 on both backends; the trained models'
// eval outputs through PyTorch's ONNX export and fromONNX to 1e-12. (The two backends' own
// agreement: their normalization kernels are compared bit for bit in normalization.test.ts.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Network, batchNorm, dense, init, layerNorm, normalization, type LayerWeights, type NetworkConfig } from 'wasmnet';
import { fromONNX } from 'wasmnet/onnx';

await init();

interface Entry { weights: number[]; bias: number[]; movingMean?: number[]; movingVariance?: number[] }
interface Fixture {
  note: string;
  standardize: { mean: number[]; std: number[] } | null;
  initial: Entry[];
  batches: { x: number[][]; y: number[][] }[];
  losses: number[];
  after: Entry[][];
  probe: number[][];
  eval: number[][];
  onnx_ops: string[];
}
const DIR = new URL('./fixtures/normalization/', import.meta.url);
const load = (name: string) => JSON.parse(readFileSync(new URL(`torch-${name}.json`, DIR), 'utf8')) as Fixture;

const ADAM = { type: 'adam', learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-30 } as const;
const SGD = { type: 'sgd', learningRate: 0.1 } as const;

const CASES: [string, (f: Fixture) => Omit<NetworkConfig, 'backend'>][] = [
  ['batchnorm-sgd', () => ({ inputSize: 4, layers: [dense(6), batchNorm({ convention: 'pytorch', activation: 'relu' }), dense(2)], loss: 'mse', optimizer: SGD })],
  ['batchnorm-adam', () => ({ inputSize: 4, layers: [dense(6, { activation: 'relu' }), batchNorm({ convention: 'pytorch' }), dense(2)], loss: 'mse', optimizer: ADAM })],
  ['layernorm-adam', () => ({ inputSize: 4, layers: [dense(6), layerNorm({ epsilon: 1e-5, activation: 'tanh' }), dense(2)], loss: 'mse', optimizer: ADAM })],
  ['standardized-sgd', (f) => ({
    inputSize: 4,
    layers: [normalization({ mean: f.standardize!.mean, variance: f.standardize!.std.map((s) => s * s) }), dense(6, { activation: 'relu' }), dense(2)],
    loss: 'mse',
    optimizer: SGD,
  })],
];

const toWeights = (entries: Entry[]): LayerWeights[] => entries.map((e) => ({
  weights: Float64Array.from(e.weights),
  bias: Float64Array.from(e.bias),
  ...(e.movingMean ? { movingMean: Float64Array.from(e.movingMean), movingVariance: Float64Array.from(e.movingVariance!) } : {}),
}));

function worst(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let w = 0;
  for (let i = 0; i < expected.length; i++) w = Math.max(w, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
  return w;
}

describe.each(CASES)('PyTorch float64: %s', (name, config) => {
  const f = load(name);

  it.each(['wasm', 'js'] as const)('every weight (and running statistic) after each step to 1e-10, %s backend', (backend) => {
    const net = new Network({ ...config(f), backend, seed: 1 });
    net.setWeights(toWeights(f.initial));
    f.batches.forEach(({ x, y }, step) => {
      const loss = net.trainBatch(x, y);
      expect(Math.abs(loss - f.losses[step]!)).toBeLessThanOrEqual(1e-10 * Math.max(1, f.losses[step]!));
      const got = net.getWeights();
      const want = f.after[step]!;
      expect(got.length).toBe(want.length);
      got.forEach((g, i) => {
        const w = want[i]!;
        expect(worst(g.weights, w.weights)).toBeLessThanOrEqual(1e-10);
        expect(worst(g.bias, w.bias)).toBeLessThanOrEqual(1e-10);
        if (w.movingMean) {
          expect(worst(g.movingMean!, w.movingMean)).toBeLessThanOrEqual(1e-10);
          expect(worst(g.movingVariance!, w.movingVariance!)).toBeLessThanOrEqual(1e-10);
        }
      });
    });
    // and the trained network in eval mode (moving statistics) predicts what PyTorch's does
    expect(worst(net.predict(f.probe).flat(), f.eval.flat())).toBeLessThanOrEqual(1e-10);
  });

  it(`the trained model exported by PyTorch to ONNX (${f.onnx_ops.join(', ')}) loads and predicts its eval outputs to 1e-12`, () => {
    const net = fromONNX(readFileSync(new URL(`torch-${name}.onnx`, DIR)));
    expect(worst(net.predict(f.probe).flat(), f.eval.flat())).toBeLessThanOrEqual(1e-12);
  });
});

describe('PyTorch LayerNorm below opset 17 (written out: ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add)', () => {
  it('loads as a layerNorm layer with its activation and predicts PyTorch\'s eval outputs to 1e-12', () => {
    const f = JSON.parse(readFileSync(new URL('torch-layernorm-op13.json', DIR), 'utf8')) as { probe: number[][]; eval: number[][]; onnx_ops: string[] };
    expect(f.onnx_ops).toContain('ReduceMean');
    const net = fromONNX(readFileSync(new URL('torch-layernorm-op13.onnx', DIR)));
    expect(net.layers.map((l) => l.type)).toEqual(['dense', 'layerNorm', 'dense']);
    expect(net.layers[1]).toEqual({ type: 'layerNorm', epsilon: 1e-5, activation: 'relu' });
    expect(worst(net.predict(f.probe).flat(), f.eval.flat())).toBeLessThanOrEqual(1e-12);
  });
});
