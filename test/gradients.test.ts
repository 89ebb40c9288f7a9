// Gradient check: the analytic gradients of `computeGradients` against central finite
// differences of the loss, on both backends, for every activation (hidden and output), every
// loss/output pair, 1–3 hidden layers, batches of 1 and several rows, and odd layer sizes
// (which exercise the scalar tails after the f64x2 loops in assembly/gemm.ts).
import { describe, expect, it } from 'vitest';
import { Network, dense, type LayerWeights } from '../src/index';
import type { ActivationName } from '../src/activations';
import type { BackendName } from '../src/backend/kernels';
import type { LossName } from '../src/losses';
import { seeded } from './helpers/data';

// ---- deterministic data -----------------------------------------------------------------

/** mulberry32 (test/helpers/data.ts): a tiny seeded PRNG, uniform in [0, 1). */
const mulberry32 = seeded;

type Targets = 'regression' | 'unit' | 'oneHot' | 'soft' | 'binary' | 'binarySoft';

interface LayerSpec {
  units: number;
  activation: ActivationName;
  alpha?: number;
}

interface Case {
  name: string;
  inputSize: number;
  layers: LayerSpec[];
  loss: LossName;
  rows: number;
  targets: Targets;
}

function makeTargets(kind: Targets, rows: number, cols: number, rand: () => number): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    if (kind === 'oneHot') {
      y[r * cols + Math.floor(rand() * cols)] = 1;
      continue;
    }
    for (let j = 0; j < cols; j++) {
      const u = rand();
      y[r * cols + j] =
        kind === 'regression' ? 2 * u - 1 // any real target
        : kind === 'binary' ? (u < 0.5 ? 0 : 1)
        : u; // 'unit', 'soft', 'binarySoft': values in [0, 1)
    }
  }
  return y;
}

/** Random weights with a scale that keeps pre-activations O(1) (no saturation, so gradients
 *  stay well above the finite-difference noise), and non-zero biases so bias gradients and
 *  relu kinks are exercised in general position. */
function randomWeights(inputSize: number, layers: LayerSpec[], rand: () => number): LayerWeights[] {
  let inputs = inputSize;
  return layers.map((l) => {
    const scale = 1.6 / Math.sqrt(inputs);
    const weights = new Float64Array(inputs * l.units).map(() => scale * (2 * rand() - 1));
    const bias = new Float64Array(l.units).map(() => 0.5 * (2 * rand() - 1));
    inputs = l.units;
    return { weights, bias };
  });
}

// ---- an independent forward pass, only to locate relu/leakyRelu kinks ----------------------

/** Signs (z > 0, exactly the kernels' test) of every pre-activation of every relu/leakyRelu
 *  layer, as a string; two parameter values with the same string lie on one linear piece. */
function kinkPattern(x: Float64Array, rows: number, inputSize: number, layers: LayerSpec[], w: LayerWeights[]): string {
  let a = x;
  let inputs = inputSize;
  let pattern = '';
  layers.forEach((l, li) => {
    const { weights, bias } = w[li]!;
    const z = new Float64Array(rows * l.units);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < l.units; j++) {
        let s = 0;
        for (let p = 0; p < inputs; p++) s += a[r * inputs + p]! * weights[p * l.units + j]!;
        z[r * l.units + j] = s + bias[j]!;
      }
    }
    const next = new Float64Array(rows * l.units);
    if (l.activation === 'relu' || l.activation === 'leakyRelu') {
      const alpha = l.activation === 'relu' ? 0 : (l.alpha ?? 0.01);
      for (let i = 0; i < z.length; i++) {
        pattern += z[i]! > 0 ? '+' : '-';
        next[i] = z[i]! > 0 ? z[i]! : alpha * z[i]!;
      }
    } else if (l.activation === 'softmax') {
      for (let r = 0; r < rows; r++) {
        let max = -Infinity;
        for (let j = 0; j < l.units; j++) max = Math.max(max, z[r * l.units + j]!);
        let sum = 0;
        for (let j = 0; j < l.units; j++) sum += (next[r * l.units + j] = Math.exp(z[r * l.units + j]! - max));
        for (let j = 0; j < l.units; j++) next[r * l.units + j]! /= sum;
      }
    } else {
      for (let i = 0; i < z.length; i++) {
        const v = z[i]!;
        next[i] = l.activation === 'sigmoid' ? 1 / (1 + Math.exp(-v)) : l.activation === 'tanh' ? Math.tanh(v) : v;
      }
    }
    a = next;
    inputs = l.units;
  });
  return pattern;
}

// ---- the check --------------------------------------------------------------------------

const H = 1e-5;
const TOLERANCE = 1e-6;
/** Error measure: |a − n| / max(|a|, |n|, FLOOR). Above FLOOR this is the plain relative error
 *  the issue asks for (< 1e-6). A gradient that is (near) zero has no meaningful relative
 *  error: the central difference carries an absolute error of about ε·|L|/h + h²·|L'''|/6
 *  ≈ 2e-11·|L| + 2e-11·|L'''| no matter how small the true gradient is, so below FLOOR the
 *  criterion becomes an absolute one, |a − n| < 1e-6·FLOOR = 1e-9: still two orders of
 *  magnitude above that noise and seven below the smallest gradient errors a wrong formula
 *  would produce at these scales (a missing factor, a wrong derivative, a dropped row). */
const FLOOR = 1e-3;

interface CheckResult {
  total: number;
  checked: number;
  skippedKinks: number;
  /** how many checked parameters had |gradient| ≥ FLOOR (judged purely relatively) */
  relative: number;
  worst: number;
  failures: string[];
  /** error measure of the skipped parameters (not asserted; shows why they are skipped) */
  kinkErrors: number[];
}

/** `adjust` may move the random weights before the check (used to plant a kink). */
function gradientCheck(
  backend: BackendName,
  c: Case,
  seed: number,
  adjust?: (w: LayerWeights[], x: Float64Array) => void,
): CheckResult {
  const rand = mulberry32(seed);
  const net = new Network({
    inputSize: c.inputSize,
    layers: c.layers.map((l) => dense(l.units, l.alpha === undefined ? { activation: l.activation } : { activation: l.activation, alpha: l.alpha })),
    loss: c.loss,
    seed,
    backend,
  });
  const w = randomWeights(c.inputSize, c.layers, rand);
  const x = new Float64Array(c.rows * c.inputSize).map(() => 2 * rand() - 1);
  const y = makeTargets(c.targets, c.rows, c.layers[c.layers.length - 1]!.units, rand);
  adjust?.(w, x);
  net.setWeights(w);

  const analytic = net.computeGradients(x, y);
  // The loss computeGradients reports is the loss being differentiated.
  const base = net.evaluate(x, y).loss;
  expect(Math.abs(analytic.loss - base)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(base)));
  expect(analytic.gradients.length).toBe(c.layers.length);

  const hasKinks = c.layers.some((l) => l.activation === 'relu' || l.activation === 'leakyRelu');
  const basePattern = hasKinks ? kinkPattern(x, c.rows, c.inputSize, c.layers, w) : '';
  const result: CheckResult = { total: 0, checked: 0, skippedKinks: 0, relative: 0, worst: 0, failures: [], kinkErrors: [] };

  w.forEach((layer, li) => {
    for (const part of ['weights', 'bias'] as const) {
      const values = layer[part];
      const grads = analytic.gradients[li]![part];
      expect(grads.length).toBe(values.length);
      for (let i = 0; i < values.length; i++) {
        result.total++;
        const original = values[i]!;
        const plus = original + H;
        const minus = original - H;
        values[i] = plus;
        net.setWeights(w);
        const lossPlus = net.evaluate(x, y).loss;
        const patternPlus = hasKinks ? kinkPattern(x, c.rows, c.inputSize, c.layers, w) : '';
        values[i] = minus;
        net.setWeights(w);
        const lossMinus = net.evaluate(x, y).loss;
        const patternMinus = hasKinks ? kinkPattern(x, c.rows, c.inputSize, c.layers, w) : '';
        values[i] = original;
        const numeric = (lossPlus - lossMinus) / (plus - minus); // the exact step taken
        const a = grads[i]!;
        const scale = Math.max(Math.abs(a), Math.abs(numeric));
        const err = Math.abs(a - numeric) / Math.max(scale, FLOOR);
        if (patternPlus !== basePattern || patternMinus !== basePattern) {
          // θ ± h crosses a relu/leakyRelu kink: the loss is not differentiable on that
          // interval and the central difference means nothing there.
          result.skippedKinks++;
          result.kinkErrors.push(err);
          continue;
        }
        result.checked++;
        if (scale >= FLOOR) result.relative++;
        result.worst = Math.max(result.worst, err);
        if (!(err < TOLERANCE)) {
          result.failures.push(`layer ${li} ${part}[${i}]: analytic ${a}, numeric ${numeric}, error ${err.toExponential(2)}`);
        }
      }
    }
  });
  net.setWeights(w);
  return result;
}

// ---- the cases --------------------------------------------------------------------------

const HIDDEN: { name: string; activation: ActivationName; alpha?: number }[] = [
  { name: 'sigmoid', activation: 'sigmoid' },
  { name: 'tanh', activation: 'tanh' },
  { name: 'relu', activation: 'relu' },
  { name: 'leakyRelu', activation: 'leakyRelu' },
  { name: 'leakyRelu α=0.3', activation: 'leakyRelu', alpha: 0.3 },
  { name: 'linear', activation: 'linear' },
  { name: 'softmax', activation: 'softmax' },
];

const cases: Case[] = [];

// Every hidden activation, one hidden layer (odd widths 5 → 7 → 3), batch 1 and batch 6.
for (const h of HIDDEN) {
  for (const rows of [1, 6]) {
    cases.push({
      name: `hidden ${h.name}, 5→7→3 linear, mse, ${rows} row(s)`,
      inputSize: 5,
      layers: [{ units: 7, activation: h.activation, alpha: h.alpha }, { units: 3, activation: 'linear' }],
      loss: 'mse',
      rows,
      targets: 'regression',
    });
  }
  // Two hidden layers of the same activation feeding a softmax/cross-entropy output.
  cases.push({
    name: `hidden ${h.name} ×2, 4→5→3→4 softmax, categoricalCrossentropy, 5 rows`,
    inputSize: 4,
    layers: [
      { units: 5, activation: h.activation, alpha: h.alpha },
      { units: 3, activation: h.activation, alpha: h.alpha },
      { units: 4, activation: 'softmax' },
    ],
    loss: 'categoricalCrossentropy',
    rows: 5,
    targets: 'oneHot',
  });
}

// Every output activation with mse, with and without a hidden layer.
const OUTPUTS: { name: string; activation: ActivationName; alpha?: number; targets: Targets }[] = [
  { name: 'linear', activation: 'linear', targets: 'regression' },
  { name: 'sigmoid', activation: 'sigmoid', targets: 'unit' },
  { name: 'tanh', activation: 'tanh', targets: 'regression' },
  { name: 'relu', activation: 'relu', targets: 'unit' },
  { name: 'leakyRelu', activation: 'leakyRelu', targets: 'regression' },
  { name: 'leakyRelu α=0.2', activation: 'leakyRelu', alpha: 0.2, targets: 'regression' },
  { name: 'softmax', activation: 'softmax', targets: 'unit' },
];
for (const o of OUTPUTS) {
  cases.push({
    name: `mse + ${o.name} output, no hidden layer, 3→5, 7 rows`,
    inputSize: 3,
    layers: [{ units: 5, activation: o.activation, alpha: o.alpha }],
    loss: 'mse',
    rows: 7,
    targets: o.targets,
  });
  cases.push({
    name: `mse + ${o.name} output, 6→3 tanh→1, 1 row`,
    inputSize: 6,
    layers: [{ units: 3, activation: 'tanh' }, { units: o.activation === 'softmax' ? 3 : 1, activation: o.activation, alpha: o.alpha }],
    loss: 'mse',
    rows: 1,
    targets: o.targets,
  });
}

// Cross-entropies: one-hot and soft (row sums ≠ 1) targets; 0/1 and fractional BCE targets.
for (const targets of ['oneHot', 'soft'] as const) {
  for (const rows of [1, 5]) {
    cases.push({
      name: `categoricalCrossentropy, ${targets} targets, 7→5 sigmoid→3 softmax, ${rows} row(s)`,
      inputSize: 7,
      layers: [{ units: 5, activation: 'sigmoid' }, { units: 3, activation: 'softmax' }],
      loss: 'categoricalCrossentropy',
      rows,
      targets,
    });
  }
  cases.push({
    name: `categoricalCrossentropy, ${targets} targets, no hidden layer 2→7 softmax, 4 rows`,
    inputSize: 2,
    layers: [{ units: 7, activation: 'softmax' }],
    loss: 'categoricalCrossentropy',
    rows: 4,
    targets,
  });
}
for (const targets of ['binary', 'binarySoft'] as const) {
  for (const rows of [1, 6]) {
    cases.push({
      name: `binaryCrossentropy, ${targets} targets, 3→7 leakyRelu→3 sigmoid, ${rows} row(s)`,
      inputSize: 3,
      layers: [{ units: 7, activation: 'leakyRelu' }, { units: 3, activation: 'sigmoid' }],
      loss: 'binaryCrossentropy',
      rows,
      targets,
    });
  }
  cases.push({
    name: `binaryCrossentropy, ${targets} targets, no hidden layer 5→1 sigmoid, 5 rows`,
    inputSize: 5,
    layers: [{ units: 1, activation: 'sigmoid' }],
    loss: 'binaryCrossentropy',
    rows: 5,
    targets,
  });
}

// Three hidden layers with every activation mixed in, and a single-unit-everywhere chain.
cases.push({
  name: 'three hidden layers 5→7 relu→3 tanh→5 softmax→2 sigmoid, binaryCrossentropy, 7 rows',
  inputSize: 5,
  layers: [
    { units: 7, activation: 'relu' },
    { units: 3, activation: 'tanh' },
    { units: 5, activation: 'softmax' },
    { units: 2, activation: 'sigmoid' },
  ],
  loss: 'binaryCrossentropy',
  rows: 7,
  targets: 'binarySoft',
});
cases.push({
  name: 'three hidden layers 3→5 leakyRelu(α=0.25)→7 sigmoid→3 linear→5 softmax, categoricalCrossentropy soft, 3 rows',
  inputSize: 3,
  layers: [
    { units: 5, activation: 'leakyRelu', alpha: 0.25 },
    { units: 7, activation: 'sigmoid' },
    { units: 3, activation: 'linear' },
    { units: 5, activation: 'softmax' },
  ],
  loss: 'categoricalCrossentropy',
  rows: 3,
  targets: 'soft',
});
cases.push({
  name: 'three hidden layers 9→4 tanh→2 relu→8 sigmoid→3 tanh, mse, 2 rows',
  inputSize: 9,
  layers: [
    { units: 4, activation: 'tanh' },
    { units: 2, activation: 'relu' },
    { units: 8, activation: 'sigmoid' },
    { units: 3, activation: 'tanh' },
  ],
  loss: 'mse',
  rows: 2,
  targets: 'regression',
});
cases.push({
  name: 'all widths 1: 1→1 tanh→1 sigmoid→1 linear, mse, 3 rows',
  inputSize: 1,
  layers: [
    { units: 1, activation: 'tanh' },
    { units: 1, activation: 'sigmoid' },
    { units: 1, activation: 'linear' },
  ],
  loss: 'mse',
  rows: 3,
  targets: 'regression',
});

// The exact (erf) GELU, hidden and at the output (appended last: each case's seed is its index).
for (const rows of [1, 6]) {
  cases.push({
    name: `hidden geluExact, 5→7→3 linear, mse, ${rows} row(s)`,
    inputSize: 5,
    layers: [{ units: 7, activation: 'geluExact' }, { units: 3, activation: 'linear' }],
    loss: 'mse',
    rows,
    targets: 'regression',
  });
}
cases.push({
  name: 'hidden geluExact ×2, 4→5→3→4 softmax, categoricalCrossentropy, 5 rows',
  inputSize: 4,
  layers: [{ units: 5, activation: 'geluExact' }, { units: 3, activation: 'geluExact' }, { units: 4, activation: 'softmax' }],
  loss: 'categoricalCrossentropy',
  rows: 5,
  targets: 'oneHot',
});
cases.push({
  name: 'mse + geluExact output, 6→3 tanh→2 geluExact, 4 rows',
  inputSize: 6,
  layers: [{ units: 3, activation: 'tanh' }, { units: 2, activation: 'geluExact' }],
  loss: 'mse',
  rows: 4,
  targets: 'regression',
});

// ---- the tests --------------------------------------------------------------------------

describe.each(['wasm', 'js'] as const)('gradients match central finite differences (%s backend)', (backend) => {
  it.each(cases.map((c, i) => [c.name, c, 1000 + i] as const))('%s', (_name, c, seed) => {
    const r = gradientCheck(backend, c, seed);
    expect(r.failures).toEqual([]);
    expect(r.worst).toBeLessThan(TOLERANCE);
    expect(r.checked + r.skippedKinks).toBe(r.total);
    // Almost every parameter is checked (kinks are skipped only where θ ± h crosses one)…
    expect(r.checked).toBeGreaterThanOrEqual(Math.ceil(0.9 * r.total));
    const smooth = !c.layers.some((l) => l.activation === 'relu' || l.activation === 'leakyRelu');
    if (smooth) expect(r.skippedKinks).toBe(0);
    // …and a good share are judged by the pure relative criterion, not the near-zero floor
    // (dead relu units and saturated sigmoids legitimately have tiny gradients).
    expect(r.relative).toBeGreaterThanOrEqual(Math.ceil(0.4 * r.checked));
  });

  it('checks the parameter count it claims, across all cases', () => {
    let total = 0;
    let checked = 0;
    let relative = 0;
    for (const [i, c] of cases.entries()) {
      const r = gradientCheck(backend, c, 1000 + i);
      total += r.total;
      checked += r.checked;
      relative += r.relative;
    }
    expect(relative).toBeGreaterThanOrEqual(Math.ceil(0.8 * checked));
    let expected = 0;
    for (const c of cases) {
      let inputs = c.inputSize;
      for (const l of c.layers) {
        expected += (inputs + 1) * l.units;
        inputs = l.units;
      }
    }
    expect(total).toBe(expected);
    expect(checked).toBeGreaterThanOrEqual(Math.ceil(0.97 * total));
  });

  it('skips exactly the parameters whose ±h step crosses a planted relu kink, and checks the rest', () => {
    const c: Case = {
      name: 'planted kink',
      inputSize: 5,
      layers: [{ units: 7, activation: 'relu' }, { units: 3, activation: 'linear' }],
      loss: 'mse',
      rows: 1,
      targets: 'regression',
    };
    // Move bias 0 of the relu layer so that unit 0's pre-activation is 0.4·h: stepping that
    // bias by −h crosses the kink (and so does stepping W[p][0] when |x_p| > 0.4).
    const plant = (w: LayerWeights[], x: Float64Array): void => {
      const { weights, bias } = w[0]!;
      let z = bias[0]!;
      for (let p = 0; p < 5; p++) z += x[p]! * weights[p * 7]!;
      bias[0] = bias[0]! - z + 0.4 * H;
    };
    const r = gradientCheck(backend, c, 4242, plant);
    expect(r.failures).toEqual([]);
    expect(r.skippedKinks).toBeGreaterThanOrEqual(1);
    expect(r.skippedKinks).toBeLessThanOrEqual(6); // b[0] and at most the five W[p][0]
    expect(r.checked).toBe(r.total - r.skippedKinks);
    // The skip is needed: across the kink the central difference is badly wrong.
    expect(Math.max(...r.kinkErrors)).toBeGreaterThan(1e-3);
  });

  it('soft categorical targets really do not sum to 1 (so the Σy ≠ 1 path is exercised)', () => {
    const rand = mulberry32(7);
    const y = makeTargets('soft', 4, 7, rand);
    for (let r = 0; r < 4; r++) {
      let s = 0;
      for (let j = 0; j < 7; j++) s += y[r * 7 + j]!;
      expect(Math.abs(s - 1)).toBeGreaterThan(0.1);
    }
  });

  it('detects a wrong gradient (the check is not vacuous)', () => {
    // Same check machinery on a deliberately wrong "analytic" value must fail: perturb the
    // analytic gradient by 1e-5 relative and confirm the error measure exceeds the tolerance.
    const c = cases[0]!;
    const rand = mulberry32(99);
    const net = new Network({ inputSize: c.inputSize, layers: c.layers.map((l) => dense(l.units, { activation: l.activation })), loss: c.loss, seed: 1, backend });
    const w = randomWeights(c.inputSize, c.layers, rand);
    net.setWeights(w);
    const x = new Float64Array(c.rows * c.inputSize).map(() => 2 * rand() - 1);
    const y = makeTargets(c.targets, c.rows, 3, rand);
    const g = net.computeGradients(x, y).gradients[1]!.bias[0]!;
    const b = w[1]!.bias;
    const original = b[0]!;
    b[0] = original + H;
    net.setWeights(w);
    const lp = net.evaluate(x, y).loss;
    b[0] = original - H;
    net.setWeights(w);
    const lm = net.evaluate(x, y).loss;
    const numeric = (lp - lm) / (original + H - (original - H));
    const err = (a: number): number => Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric), FLOOR);
    expect(Math.abs(g)).toBeGreaterThan(FLOOR);
    expect(err(g)).toBeLessThan(TOLERANCE);
    expect(err(g * (1 + 1e-5))).toBeGreaterThan(TOLERANCE);
  });
});
