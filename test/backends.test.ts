// The wasm core and its pure-TypeScript twin must compute the same numbers: kernel by kernel
// (and against naive references written here), and end to end through a Network (forward,
// gradients, 100 training steps). Also: src/backend/codes.ts agrees with assembly/codes.ts as compiled.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Network, dense, type LayerWeights } from '../src/index';
import type { ActivationName } from '../src/activations';
import * as codes from '../src/backend/codes';
import { JsKernels } from '../src/backend/js';
import { erf as jsErf, exp as jsExp, tanh as jsTanh } from '../src/backend/math';
import type { Kernels } from '../src/backend/kernels';
import { WasmKernels } from '../src/backend/wasm';
import { coreModule } from '../src/core/wasm';
import type { LossName } from '../src/losses';
import type { OptimizerConfig } from '../src/optimizers';
import { seeded } from './helpers/data';
import tanhReference from './fixtures/tanh-reference.json';
import erfReference from './fixtures/erf-reference.json';

// ---- helpers ----------------------------------------------------------------------------

/** mulberry32 (test/helpers/data.ts): a tiny seeded PRNG, uniform in [0, 1). */
const mulberry32 = seeded;

function randomArray(n: number, rand: () => number, lo = -1, hi = 1): Float64Array {
  return new Float64Array(n).map(() => lo + (hi - lo) * rand());
}

/** Agreement criterion: |a − b| ≤ 1e-12·max(1, |a|, |b|).
 *  Relative (1e-12 of the larger magnitude) for values above 1, absolute 1e-12 below. Exact
 *  equality is too strong: the two backends use different libm code (AssemblyScript's
 *  Math.exp/tanh/log vs V8's, each within an ulp or so of the truth) and the wasm dot product
 *  in matmulTransB sums even and odd terms in two f64x2 lanes, a different order than the
 *  JS loop. Reordering a k-term sum of products changes it by at most ≈ k·ε·Σ|aₚbₚ|; with the
 *  O(1) data used here (k ≤ 17, |entries| ≤ 1 … a few) that is below ~1e-13, and a
 *  few-ulp libm difference is ~1e-15 relative. The floor of 1 (rather than pure relative
 *  error) is needed because a value near 0 can be the result of cancellation, where a
 *  reordering error of 1e-16 is a large *relative* error of a tiny result. Any real bug
 *  (a wrong index, a missed tail element, a wrong derivative) is orders of magnitude larger. */
const TOL = 1e-12;
function close(a: number, b: number, tol = TOL): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

function mismatches(got: ArrayLike<number>, want: ArrayLike<number>, tol = TOL): string[] {
  const out: string[] = [];
  if (got.length !== want.length) return [`length ${got.length} vs ${want.length}`];
  for (let i = 0; i < got.length; i++) {
    if (!close(got[i]!, want[i]!, tol)) out.push(`[${i}] ${got[i]} vs ${want[i]} (diff ${Math.abs(got[i]! - want[i]!).toExponential(2)})`);
    if (out.length >= 10) break;
  }
  return out;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol = TOL): void {
  expect(mismatches(got, want, tol), what).toEqual([]);
}

// ---- kernel level -----------------------------------------------------------------------

describe('kernels: WasmKernels vs JsKernels vs naive references', () => {
  const wasm = new WasmKernels();
  const js = new JsKernels();
  const both: Kernels[] = [wasm, js];
  // A common working region above the wasm module's static data; the JS arena is given the
  // same size so every offset means the same thing in both.
  const START = wasm.base + 16;
  const SIZE = 160_000;
  // The matrix products' workspace sits past the checked region (its contents are undefined).
  const SCRATCH = START + SIZE + 16;
  const SCRATCH_SIZE = wasm.gemmScratchSize(4096, 4096);
  for (const k of both) k.reserve(SCRATCH + SCRATCH_SIZE);
  const rand = mulberry32(0xc0ffee);

  /** Fills the whole working region of both arenas with the same random garbage (so stale
   *  values from an earlier test can never make a wrong kernel look right). */
  function scramble(): void {
    const junk = randomArray(SIZE, rand, -9, 9);
    for (const k of both) k.heap.set(junk, START);
  }
  function put(at: number, values: ArrayLike<number>): void {
    for (const k of both) k.heap.set(values, at);
  }
  function region(k: Kernels): Float64Array {
    return k.heap.slice(START, START + SIZE);
  }
  /** Runs `call` on both backends and checks that nothing outside [out, out + len) pairs changed. */
  function run(call: (k: Kernels) => void, outputs: [number, number][]): void {
    for (const k of both) {
      const before = region(k);
      call(k);
      const after = region(k);
      const changed: number[] = [];
      for (let i = 0; i < SIZE; i++) {
        const at = START + i;
        if (outputs.some(([o, n]) => at >= o && at < o + n)) continue;
        if (!Object.is(before[i], after[i])) changed.push(at);
      }
      expect(changed, `${k.name} wrote outside its outputs`).toEqual([]);
    }
  }
  function read(k: Kernels, at: number, n: number): Float64Array {
    return k.heap.slice(at, at + n);
  }
  function agree(at: number, n: number, what: string, reference?: ArrayLike<number>, refTol = TOL): void {
    const w = read(wasm, at, n);
    const j = read(js, at, n);
    expectClose(w, j, `${what}: wasm vs js`);
    if (reference) {
      expectClose(w, reference, `${what}: wasm vs reference`, refTol);
      expectClose(j, reference, `${what}: js vs reference`, refTol);
    }
  }

  it('both arenas cover the working region and WasmKernels.base is past the static data', () => {
    expect(wasm.base).toBeGreaterThan(0);
    expect(Number.isInteger(wasm.base)).toBe(true);
    expect(js.base).toBe(0);
    for (const k of both) expect(k.heap.length).toBeGreaterThanOrEqual(START + SIZE);
  });

  const SHAPES: [number, number, number][] = [
    [1, 1, 1],
    [1, 1, 5],
    [1, 4, 1],
    [3, 1, 2],
    [2, 3, 1],
    [5, 7, 3],
    [7, 5, 9],
    [4, 6, 8],
    [3, 2, 7],
    [13, 11, 17],
    // Large enough for the packed path (m·k·n ≥ 4096): full and partial 4×4 tiles, k > 256
    // (several k-blocks), n > 512 (several column blocks).
    [64, 64, 64],
    [5, 260, 7],
    [37, 300, 29],
    [9, 20, 600],
    [6, 270, 515],
  ];
  type Form = 'matmul' | 'matmulTransA' | 'matmulTransB';
  /** naive triple loop: C (+)= op(A)·op(B) */
  function reference(form: Form, A: Float64Array, B: Float64Array, C0: Float64Array, m: number, k: number, n: number, acc: boolean): Float64Array {
    const C = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const a = form === 'matmulTransA' ? A[p * m + i]! : A[i * k + p]!;
          const b = form === 'matmulTransB' ? B[j * k + p]! : B[p * n + j]!;
          s += a * b;
        }
        C[i * n + j] = acc ? C0[i * n + j]! + s : s;
      }
    }
    return C;
  }

  for (const form of ['matmul', 'matmulTransA', 'matmulTransB'] as const) {
    for (const accumulate of [false, true]) {
      for (const shift of [0, 1]) {
        it(`${form}, accumulate=${accumulate}, ${shift ? 'odd (8-byte-aligned)' : 'even (16-byte-aligned)'} offsets, m,k,n ∈ {1, odd, even}`, () => {
          for (const [m, k, n] of SHAPES) {
            scramble();
            const A = randomArray(m * k, rand);
            const B = randomArray(k * n, rand);
            const C0 = randomArray(m * n, rand);
            const a = START + shift;
            const b = a + m * k + 1;
            const c = b + k * n + 1;
            put(a, A);
            put(b, B);
            put(c, C0);
            run((kk) => kk[form](a, b, c, m, k, n, accumulate, SCRATCH), [[c, m * n]]);
            agree(c, m * n, `${form} ${m}×${k}×${n}`, reference(form, A, B, C0, m, k, n, accumulate));
          }
        });
      }
    }
  }

  it('matmul: C may start right after A and B with no gap (tails do not overrun into neighbours)', () => {
    for (const [m, k, n] of SHAPES) {
      scramble();
      const A = randomArray(m * k, rand);
      const B = randomArray(k * n, rand);
      const a = START + 1;
      const b = a + m * k;
      const c = b + k * n;
      put(a, A);
      put(b, B);
      run((kk) => kk.matmul(a, b, c, m, k, n, false, SCRATCH), [[c, m * n]]);
      agree(c, m * n, `matmul packed ${m}×${k}×${n}`, reference('matmul', A, B, new Float64Array(m * n), m, k, n, false));
      expectClose(read(wasm, a, m * k), A, 'A untouched');
      expectClose(read(wasm, b, k * n), B, 'B untouched');
    }
  });

  // The dense layer's two kernels over the same shapes (rows, inputs, units), so both the
  // small-product loops and the packed path are crossed, at odd and even offsets.
  for (const shift of [0, 1]) {
    it(`denseForward: Z = X·W + b and A = f(Z) (${shift ? 'odd' : 'even'} offsets)`, () => {
      for (const act of [codes.ACT_LINEAR, codes.ACT_TANH, codes.ACT_RELU, codes.ACT_SOFTMAX]) {
        for (const [rows, inputs, units] of SHAPES) {
          scramble();
          const X = randomArray(rows * inputs, rand);
          const W = randomArray(inputs * units, rand);
          const B = randomArray(units, rand);
          const x = START + shift;
          const w = x + rows * inputs + 1;
          const b = w + inputs * units; // b follows W, as in a network's parameter slab
          const z = b + units + 3;
          const a = z + rows * units + 1;
          put(x, X);
          put(w, W);
          put(b, B);
          const Z = reference('matmul', X, W, new Float64Array(rows * units), rows, inputs, units, false).map((v, i) => v + B[i % units]!);
          run((k) => k.denseForward(x, w, b, z, a, rows, inputs, units, act, 0, SCRATCH, 0), [[z, rows * units], [a, rows * units]]);
          agree(z, rows * units, `denseForward Z ${rows}×${inputs}×${units}`, Z);
          agree(a, rows * units, `denseForward A ${rows}×${inputs}×${units} act ${act}`, refActivate(act, Z, rows, units), 1e-11);
        }
      }
    });

    it(`denseBackward: dW = Xᵀ·dZ, db = Σ dZ, dX = dZ·Wᵀ, and no dX for the first layer (${shift ? 'odd' : 'even'} offsets)`, () => {
      // W and dW both take inputs·units: the shapes whose buffers fit in the working region
      // (all but 6×270×515), still crossing the packed path.
      const fitting = SHAPES.filter(([r, i, u]) => 2 * i * u + r * (i + u) * 2 + u + 8 < SIZE);
      expect(fitting.filter(([r, i, u]) => r * i * u >= 4096).length).toBeGreaterThanOrEqual(4);
      for (const withDX of [true, false]) {
        for (const [rows, inputs, units] of fitting) {
          scramble();
          const X = randomArray(rows * inputs, rand);
          const W = randomArray(inputs * units, rand);
          const DZ = randomArray(rows * units, rand);
          const x = START + shift;
          const w = x + rows * inputs + 1;
          const dz = w + inputs * units + 1;
          const dw = dz + rows * units + 2;
          const db = dw + inputs * units; // db follows dW, as in a network's gradient slab
          const dx = db + units + 1;
          put(x, X);
          put(w, W);
          put(dz, DZ);
          const zeros = (n: number): Float64Array => new Float64Array(n);
          const wantDB = new Float64Array(units);
          for (let j = 0; j < units; j++) for (let r = 0; r < rows; r++) wantDB[j] = wantDB[j]! + DZ[r * units + j]!;
          const outputs: [number, number][] = [[dw, inputs * units], [db, units]];
          if (withDX) outputs.push([dx, rows * inputs]);
          run((k) => k.denseBackward(x, w, dz, dw, db, withDX ? dx : -1, rows, inputs, units, SCRATCH), outputs);
          const what = `denseBackward ${rows}×${inputs}×${units}`;
          agree(dw, inputs * units, `${what} dW`, reference('matmulTransA', X, DZ, zeros(inputs * units), inputs, rows, units, false));
          agree(db, units, `${what} db`, wantDB);
          if (withDX) agree(dx, rows * inputs, `${what} dX`, reference('matmulTransB', DZ, W, zeros(rows * inputs), rows, units, inputs, false));
        }
      }
    });
  }

  it('sgd refuses a non-finite step: NaN / ±Infinity planted in the gradients, or an overflowing update, changes nothing', () => {
    // (This guard replaced the former allFinite kernel: sgd itself checks every new value.)
    const count = 9;
    const lr = 0.1;
    for (const momentum of [0, 0.9]) {
      const th = randomArray(count, rand);
      const gr = randomArray(count, rand);
      const ve = randomArray(count, rand);
      const t = START + 1;
      const g = t + count;
      const v = g + count + 1;
      const plant = (values: [number, number][]): void => {
        scramble();
        put(t, th);
        put(g, gr);
        put(v, ve);
        for (const [at, value] of values) for (const k of both) k.heap[g + at] = value;
      };
      const refuse = (what: string, rate = lr): void => {
        const results: boolean[] = [];
        run((k) => results.push(k.sgd(t, g, v, count, rate, momentum, false)), []); // nothing may change
        expect(results, `${what}, momentum ${momentum}`).toEqual([false, false]);
      };
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const at of [0, 1, 4, count - 2, count - 1]) {
          plant([[at, bad]]);
          refuse(`${bad} at gradient ${at}`);
        }
      }
      plant([[2, Infinity], [3, -Infinity]]);
      refuse('+Inf and −Inf together (must not cancel)');
      // Finite gradients, but lr·g overflows (2 × 1e308 = Infinity), so the new θ would not be finite.
      plant([[count - 1, 1e308]]);
      refuse('overflowing update', 2);
      // A bad value just past the slab is not looked at: the step is applied as usual.
      plant([[count, NaN]]);
      const results: boolean[] = [];
      const outputs: [number, number][] = momentum === 0 ? [[t, count]] : [[t, count], [v, count]];
      run((k) => results.push(k.sgd(t, g, v, count, lr, momentum, false)), outputs);
      expect(results).toEqual([true, true]);
      const vNew = momentum === 0 ? gr.map((x) => -lr * x) : ve.map((x, i) => momentum * x - lr * gr[i]!);
      agree(t, count, `sgd after a NaN past the range, momentum ${momentum}`, th.map((x, i) => x + vNew[i]!));
    }
  });

  // Reference activations (from the definitions, not from either backend).
  const ALPHA = 0.2;
  const SELU_L = 1.0507009873554805;
  const SELU_A = 1.6732632423543772;
  /** d/dv of 0.5·v·(1 + tanh(u)), u = c·(v + k·v³): 0.5(1 + tanh u) + 0.5·v·sech²u·c·(1 + 3k·v²) */
  function geluSlope(v: number): number {
    const c = Math.sqrt(2 / Math.PI);
    const u = c * (v + 0.044715 * v ** 3);
    return 0.5 * (1 + Math.tanh(u)) + 0.5 * v * (1 / Math.cosh(u) ** 2) * c * (1 + 3 * 0.044715 * v * v);
  }
  /** erf(x) = (2/√π)·e^{−x²}·Σ_n x·(2x²)^n / (1·3·…·(2n+1)): every term positive, so no
   *  cancellation (an independent formula, not the backends' fits). Beyond 6, erf rounds to ±1
   *  (erfc(6) ≈ 2e−17) and the series would need hundreds of terms. */
  function refErf(x: number): number {
    if (Math.abs(x) > 6) return Math.sign(x);
    let term = Math.abs(x);
    let sum = term;
    for (let n = 1; n < 200 && term > 1e-18 * sum; n++) sum += term *= (2 * x * x) / (2 * n + 1);
    return Math.sign(x) * Math.min(1, (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum);
  }
  function refActivate(act: number, z: Float64Array, rows: number, cols: number): Float64Array {
    const a = new Float64Array(z.length);
    if (act === codes.ACT_SOFTMAX) {
      for (let r = 0; r < rows; r++) {
        let max = -Infinity;
        for (let j = 0; j < cols; j++) max = Math.max(max, z[r * cols + j]!);
        let sum = 0;
        for (let j = 0; j < cols; j++) sum += Math.exp(z[r * cols + j]! - max);
        for (let j = 0; j < cols; j++) a[r * cols + j] = Math.exp(z[r * cols + j]! - max) / sum;
      }
      return a;
    }
    for (let i = 0; i < z.length; i++) {
      const v = z[i]!;
      a[i] =
        act === codes.ACT_LINEAR ? v
        : act === codes.ACT_SIGMOID ? 1 / (1 + Math.exp(-v))
        : act === codes.ACT_TANH ? Math.tanh(v)
        : act === codes.ACT_RELU ? Math.max(v, 0)
        : act === codes.ACT_LEAKY_RELU ? (v > 0 ? v : ALPHA * v)
        : act === codes.ACT_ELU ? (v > 0 ? v : ALPHA * (Math.exp(v) - 1))
        : act === codes.ACT_SELU ? SELU_L * (v > 0 ? v : SELU_A * (Math.exp(v) - 1))
        : act === codes.ACT_SOFTPLUS ? Math.log(1 + Math.exp(v))
        : act === codes.ACT_GELU ? 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))
        : act === codes.ACT_GELU_EXACT ? 0.5 * v * (1 + refErf(v / Math.SQRT2))
        : act === codes.ACT_SWISH ? v / (1 + Math.exp(-v))
        : act === codes.ACT_RELU6 ? Math.min(Math.max(v, 0), 6)
        : NaN;
    }
    return a;
  }
  function refBackward(act: number, z: Float64Array, a: Float64Array, dA: Float64Array, rows: number, cols: number): Float64Array {
    const d = new Float64Array(z.length);
    if (act === codes.ACT_SOFTMAX) {
      // full Jacobian: ∂a_i/∂z_j = a_i(δ_ij − a_j);  dZ_j = Σ_i dA_i ∂a_i/∂z_j
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < cols; j++) {
          let s = 0;
          for (let i = 0; i < cols; i++) {
            const ai = a[r * cols + i]!;
            const aj = a[r * cols + j]!;
            s += dA[r * cols + i]! * ai * ((i === j ? 1 : 0) - aj);
          }
          d[r * cols + j] = s;
        }
      }
      return d;
    }
    for (let i = 0; i < z.length; i++) {
      const v = z[i]!;
      const slope =
        act === codes.ACT_LINEAR ? 1
        : act === codes.ACT_SIGMOID ? a[i]! * (1 - a[i]!)
        : act === codes.ACT_TANH ? 1 - a[i]! * a[i]!
        : act === codes.ACT_RELU ? (v > 0 ? 1 : 0)
        : act === codes.ACT_LEAKY_RELU ? (v > 0 ? 1 : ALPHA)
        : act === codes.ACT_ELU ? (v > 0 ? 1 : ALPHA * Math.exp(v))
        : act === codes.ACT_SELU ? (v > 0 ? SELU_L : SELU_L * SELU_A * Math.exp(v))
        : act === codes.ACT_SOFTPLUS ? 1 / (1 + Math.exp(-v))
        : act === codes.ACT_GELU ? geluSlope(v)
        : act === codes.ACT_GELU_EXACT ? 0.5 * (1 + refErf(v / Math.SQRT2)) + (v * Math.exp(-v * v / 2)) / Math.sqrt(2 * Math.PI) // Φ + v·φ
        : act === codes.ACT_SWISH ? (1 + Math.exp(-v)) ** -1 * (1 + v * (1 - (1 + Math.exp(-v)) ** -1))
        : act === codes.ACT_RELU6 ? (v > 0 && v < 6 ? 1 : 0)
        : NaN;
      d[i] = dA[i]! * slope;
    }
    return d;
  }

  const ACT_CODES = Object.entries(codes).filter(([name]) => name.startsWith('ACT_')) as [string, number][];

  it('codes.ts lists the thirteen activations', () => {
    expect(ACT_CODES.map(([n]) => n).sort()).toEqual(
      ['ACT_ELU', 'ACT_GELU', 'ACT_GELU_EXACT', 'ACT_LEAKY_RELU', 'ACT_LINEAR', 'ACT_RELU', 'ACT_RELU6', 'ACT_SELU', 'ACT_SIGMOID', 'ACT_SOFTMAX', 'ACT_SOFTPLUS', 'ACT_SWISH', 'ACT_TANH'],
    );
  });

  for (const [name, act] of ACT_CODES) {
    it(`activate / activateBackward: ${name}`, () => {
      for (const [rows, cols] of [[1, 1], [1, 4], [3, 5], [4, 2], [2, 7]] as const) {
        const n = rows * cols;
        scramble();
        const zv = randomArray(n, rand, -4, 4);
        zv[0] = 0; // exactly at the relu kink: both backends use z > 0
        if (n > 3) {
          zv[1] = -30; // saturation
          zv[2] = 30;
          zv[3] = 6; // relu6's upper kink: both backends use z < 6
        }
        const dAv = randomArray(n, rand);
        const z = START + 1;
        const a = z + n + 1;
        const dA = a + n + 3;
        const dZ = dA + n;
        put(z, zv);
        put(dA, dAv);
        run((k) => k.activate(act, z, a, rows, cols, ALPHA), [[a, n]]);
        const aRef = refActivate(act, zv, rows, cols);
        agree(a, n, `${name} activate ${rows}×${cols}`, aRef);

        run((k) => k.activateBackward(act, z, a, dA, dZ, rows, cols, ALPHA), [[dZ, n]]);
        agree(dZ, n, `${name} activateBackward ${rows}×${cols}`, refBackward(act, zv, read(js, a, n), dAv, rows, cols));
        const dZwasm = read(wasm, dZ, n);

        // In place (documented aliasing): a = z, then dZ = dA.
        run((k) => k.activate(act, z, z, rows, cols, ALPHA), [[z, n]]);
        agree(z, n, `${name} activate in place`, aRef);
        put(z, zv);
        run((k) => k.activateBackward(act, z, a, dA, dA, rows, cols, ALPHA), [[dA, n]]);
        agree(dA, n, `${name} activateBackward in place`, dZwasm);
      }
    });
  }

  it('leakyRelu uses the alpha it is given (not a default)', () => {
    scramble();
    const zv = new Float64Array([-2, -0.5, 1, -3, 0.25]);
    const z = START;
    const a = START + 8;
    put(z, zv);
    for (const alpha of [0.01, 0.3, -0.1]) {
      run((k) => k.activate(codes.ACT_LEAKY_RELU, z, a, 1, 5, alpha), [[a, 5]]);
      agree(a, 5, `leakyRelu α=${alpha}`, zv.map((v) => (v > 0 ? v : alpha * v)));
    }
  });

  it('mse', () => {
    for (const count of [1, 2, 7, 12]) {
      scramble();
      const av = randomArray(count, rand, -2, 2);
      const yv = randomArray(count, rand, -2, 2);
      const a = START + 1;
      const y = a + count;
      const g = y + count + 1;
      put(a, av);
      put(y, yv);
      const losses: number[] = [];
      run((k) => losses.push(k.mse(a, y, g, count)), [[g, count]]);
      let sum = 0;
      for (let i = 0; i < count; i++) sum += (av[i]! - yv[i]!) ** 2;
      expect(close(losses[0]!, losses[1]!), `mse loss ${losses}`).toBe(true);
      expect(close(losses[0]!, sum / count), `mse loss vs reference`).toBe(true);
      agree(g, count, `mse grad ${count}`, av.map((v, i) => (2 * (v - yv[i]!)) / count));
    }
  });

  it('softmaxCrossEntropy: one-hot and unnormalised soft targets', () => {
    for (const [rows, cols] of [[1, 1], [1, 3], [3, 5], [4, 2], [2, 7]] as const) {
      for (const kind of ['oneHot', 'soft'] as const) {
        const n = rows * cols;
        scramble();
        const zv = randomArray(n, rand, -5, 5);
        const pv = refActivate(codes.ACT_SOFTMAX, zv, rows, cols);
        const yv = new Float64Array(n);
        for (let r = 0; r < rows; r++) {
          if (kind === 'oneHot') yv[r * cols + Math.floor(rand() * cols)] = 1;
          else for (let j = 0; j < cols; j++) yv[r * cols + j] = rand() < 0.2 ? 0 : 2 * rand();
        }
        const z = START + 1;
        const p = z + n;
        const y = p + n + 1;
        const g = y + n + 2;
        put(z, zv);
        put(p, pv);
        put(y, yv);
        const losses: number[] = [];
        run((k) => losses.push(k.softmaxCrossEntropy(z, p, y, g, rows, cols)), [[g, n]]);
        let loss = 0;
        const grad = new Float64Array(n);
        for (let r = 0; r < rows; r++) {
          let ySum = 0;
          for (let j = 0; j < cols; j++) ySum += yv[r * cols + j]!;
          for (let j = 0; j < cols; j++) {
            const i = r * cols + j;
            if (yv[i]! !== 0) loss -= yv[i]! * Math.log(pv[i]!);
            grad[i] = (pv[i]! * ySum - yv[i]!) / rows;
          }
        }
        loss /= rows;
        expect(close(losses[0]!, losses[1]!), `CE loss wasm ${losses[0]} vs js ${losses[1]}`).toBe(true);
        expect(close(losses[0]!, loss, 1e-10), `CE loss ${losses[0]} vs reference ${loss}`).toBe(true);
        agree(g, n, `CE grad ${rows}×${cols} ${kind}`, grad);
      }
    }
  });

  it('sigmoidBinaryCrossEntropy: 0/1 and fractional targets, including large |z|', () => {
    for (const count of [1, 2, 7, 10]) {
      scramble();
      const zv = randomArray(count, rand, -5, 5);
      if (count > 2) {
        zv[0] = 40;
        zv[1] = -40;
      }
      const pv = refActivate(codes.ACT_SIGMOID, zv, 1, count);
      const yv = new Float64Array(count).map((_, i) => (i % 3 === 0 ? (rand() < 0.5 ? 0 : 1) : rand()));
      const z = START;
      const p = z + count + 1;
      const y = p + count;
      const g = y + count + 1;
      put(z, zv);
      put(p, pv);
      put(y, yv);
      const losses: number[] = [];
      run((k) => losses.push(k.sigmoidBinaryCrossEntropy(z, p, y, g, count)), [[g, count]]);
      let loss = 0;
      for (let i = 0; i < count; i++) {
        // −[y·log σ(z) + (1 − y)·log(1 − σ(z))] with log σ(z) = −log(1 + e^−z) written stably
        const v = zv[i]!;
        const logP = -(Math.max(-v, 0) + Math.log1p(Math.exp(-Math.abs(v))));
        const log1mP = -(Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))));
        loss -= yv[i]! * logP + (1 - yv[i]!) * log1mP;
      }
      loss /= count;
      expect(close(losses[0]!, losses[1]!), `BCE loss wasm ${losses[0]} vs js ${losses[1]}`).toBe(true);
      expect(close(losses[0]!, loss, 1e-10), `BCE loss ${losses[0]} vs reference ${loss}`).toBe(true);
      agree(g, count, `BCE grad ${count}`, pv.map((v, i) => (v - yv[i]!) / count));
    }
  });

  it('sgd: momentum 0 (velocity untouched) and momentum > 0', () => {
    for (const count of [1, 5, 8]) {
      for (const momentum of [0, 0.9]) {
        scramble();
        const th = randomArray(count, rand);
        const gr = randomArray(count, rand);
        const ve = randomArray(count, rand);
        const lr = 0.05;
        const t = START + 1;
        const gOff = t + count;
        const v = gOff + count + 1;
        put(t, th);
        put(gOff, gr);
        put(v, ve);
        const outputs: [number, number][] = momentum === 0 ? [[t, count]] : [[t, count], [v, count]];
        const results: boolean[] = [];
        run((k) => results.push(k.sgd(t, gOff, v, count, lr, momentum, false)), outputs);
        expect(results).toEqual([true, true]);
        if (momentum === 0) {
          agree(t, count, `sgd plain ${count}`, th.map((x, i) => x - lr * gr[i]!));
        } else {
          const vNew = ve.map((x, i) => momentum * x - lr * gr[i]!);
          agree(v, count, `sgd velocity ${count}`, vNew);
          agree(t, count, `sgd params ${count}`, th.map((x, i) => x + vNew[i]!));
        }
      }
    }
  });

  // Every optimizer with its formula written out independently (Keras's), per element.
  type Update = { p: number; s1: number; s2: number };
  const OPTIMIZERS: {
    name: string;
    call: (k: Kernels, t: number, g: number, s1: number, s2: number, count: number) => boolean;
    ref: (p: number, g: number, s1: number, s2: number) => Update;
    /** which state slabs it writes */
    writes: [boolean, boolean];
  }[] = [
    { name: 'sgd', call: (k, t, g, s1, _s2, n) => k.sgd(t, g, s1, n, 0.05, 0, false), ref: (p, g, s1, s2) => ({ p: p - 0.05 * g, s1, s2 }), writes: [false, false] },
    {
      name: 'sgd momentum',
      call: (k, t, g, s1, _s2, n) => k.sgd(t, g, s1, n, 0.05, 0.9, false),
      ref: (p, g, s1, s2) => { const v = 0.9 * s1 - 0.05 * g; return { p: p + v, s1: v, s2 }; },
      writes: [true, false],
    },
    {
      name: 'sgd nesterov',
      call: (k, t, g, s1, _s2, n) => k.sgd(t, g, s1, n, 0.05, 0.9, true),
      ref: (p, g, s1, s2) => { const v = 0.9 * s1 - 0.05 * g; return { p: p + 0.9 * v - 0.05 * g, s1: v, s2 }; },
      writes: [true, false],
    },
    {
      name: 'adamw (t = 3)',
      call: (k, t, g, s1, s2, n) => k.adam(t, g, s1, s2, n, 0.01, 0.9, 0.999, 1e-7, 3, 0.004),
      ref: (p, g, m, v) => {
        const m1 = 0.9 * m + 0.1 * g;
        const v1 = 0.999 * v + 0.001 * g * g;
        const lrT = (0.01 * Math.sqrt(1 - 0.999 ** 3)) / (1 - 0.9 ** 3);
        return { p: p - 0.01 * 0.004 * p - (lrT * m1) / (Math.sqrt(v1) + 1e-7), s1: m1, s2: v1 };
      },
      writes: [true, true],
    },
    {
      name: 'rmsprop',
      call: (k, t, g, s1, s2, n) => k.rmsprop(t, g, s1, s2, n, 0.01, 0.9, 1e-7, 0),
      ref: (p, g, s, u) => { const s1 = 0.9 * s + 0.1 * g * g; return { p: p - (0.01 * g) / (Math.sqrt(s1) + 1e-7), s1, s2: u }; },
      writes: [true, false],
    },
    {
      name: 'rmsprop momentum',
      call: (k, t, g, s1, s2, n) => k.rmsprop(t, g, s1, s2, n, 0.01, 0.9, 1e-7, 0.5),
      ref: (p, g, s, u) => {
        const s1 = 0.9 * s + 0.1 * g * g;
        const u1 = (0.01 * g) / (Math.sqrt(s1) + 1e-7) + 0.5 * u;
        return { p: p - u1, s1, s2: u1 };
      },
      writes: [true, true],
    },
    {
      name: 'adagrad',
      call: (k, t, g, s1, _s2, n) => k.adagrad(t, g, s1, n, 0.1, 1e-7),
      ref: (p, g, s) => { const s1 = s + g * g; return { p: p - (0.1 * g) / (Math.sqrt(s1) + 1e-7), s1, s2: 0 }; },
      writes: [true, false],
    },
  ];

  describe.each(OPTIMIZERS)('optimizer $name', ({ call, ref, writes }) => {
    /** Slabs at odd offsets (8- but not 16-byte aligned), one spare f64 between them. */
    const layout = (count: number) => {
      const t = START + 1;
      const g = t + count + 1;
      const s1 = g + count + 1;
      const s2 = s1 + count + 1;
      return { t, g, s1, s2 };
    };
    const fill = (count: number) => {
      scramble();
      const values = { p: randomArray(count, rand), g: randomArray(count, rand), s1: randomArray(count, rand, 0, 1), s2: randomArray(count, rand, 0, 1) };
      const { t, g, s1, s2 } = layout(count);
      put(t, values.p);
      put(g, values.g);
      put(s1, values.s1);
      put(s2, values.s2);
      return values;
    };

    it.each([1, 2, 7, 10])('updates as its formula, wasm and js alike (%i values)', (count) => {
      const v = fill(count);
      const { t, g, s1, s2 } = layout(count);
      const outputs: [number, number][] = [[t, count]];
      if (writes[0]) outputs.push([s1, count]);
      if (writes[1]) outputs.push([s2, count]);
      const results: boolean[] = [];
      run((k) => results.push(call(k, t, g, s1, s2, count)), outputs);
      expect(results).toEqual([true, true]);
      const want = Array.from(v.p, (p, i) => ref(p, v.g[i]!, v.s1[i]!, v.s2[i]!));
      agree(t, count, 'parameters', want.map((u) => u.p));
      if (writes[0]) agree(s1, count, 'state 1', want.map((u) => u.s1));
      if (writes[1]) agree(s2, count, 'state 2', want.map((u) => u.s2));
    });

    it('refuses a non-finite update wherever it is (first, middle, the odd last element), changing nothing', () => {
      const count = 7;
      const { t, g, s1, s2 } = layout(count);
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const at of [0, 3, 5, 6]) {
          fill(count);
          for (const k of both) k.heap[g + at] = bad;
          const results: boolean[] = [];
          run((k) => results.push(call(k, t, g, s1, s2, count)), []); // nothing may change
          expect(results, `${bad} at gradient ${at}`).toEqual([false, false]);
        }
      }
      // A bad value just past the slabs is not looked at.
      fill(count);
      for (const k of both) k.heap[g + count] = NaN;
      const results: boolean[] = [];
      run((k) => results.push(call(k, t, g, s1, s2, count)), [[t, count], [s1, count], [s2, count]]);
      expect(results).toEqual([true, true]);
    });
  });

  it("both backends' exp (sigmoid, softmax, the cross-entropies) is within 1 ulp of V8's, their tanh within 1 ulp of the truth", () => {
    const core = new WebAssembly.Instance(coreModule(), {}).exports as unknown as { exp(x: number): number; tanh(x: number): number };
    const f = new Float64Array(1);
    const bits = new BigInt64Array(f.buffer);
    const ordinal = (x: number): bigint => {
      f[0] = x;
      return bits[0]! < 0n ? -(bits[0]! & 0x7fffffffffffffffn) : bits[0]!; // monotonic in x
    };
    const ulps = (a: number, b: number): number => (Number.isNaN(a) || Number.isNaN(b) ? (Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity) : Math.abs(Number(ordinal(a) - ordinal(b))));
    const rand = mulberry32(0xe4b);
    const worst = (fn: (x: number) => number, ref: (x: number) => number, xs: number[]): { ulps: number; at: number } => {
      let w = { ulps: 0, at: NaN };
      for (const x of xs) {
        const d = ulps(fn(x), ref(x));
        if (d > w.ulps) w = { ulps: d, at: x };
      }
      return w;
    };
    const specials = [0, -0, Infinity, -Infinity, NaN, 5e-324, -5e-324, 2.2e-308, 1e-300, -1e-20];
    const expPoints = [...specials, 709.78, 709.79, -745.1, -745.2, ...Array.from({ length: 100_000 }, () => -745 + 1455 * rand()), ...Array.from({ length: 50_000 }, () => 2 * rand() - 1)];
    const tanhPoints = [...specials, 0.2554, 0.5493, 0.5494, 19.99, 20.01, ...Array.from({ length: 100_000 }, () => 50 * rand() - 25), ...Array.from({ length: 50_000 }, () => (2 * rand() - 1) * 1e-3)];
    for (const [name, exp] of [['wasm', core.exp], ['js', jsExp]] as const) {
      const e = worst(exp, Math.exp, expPoints);
      expect(e.ulps, `${name} exp differs from V8's by ${e.ulps} ulp at ${e.at}`).toBeLessThanOrEqual(1);
      expect([exp(0), exp(-0), exp(Infinity), exp(-Infinity), exp(1000), exp(-1000)]).toEqual([1, 1, Infinity, 0, Infinity, 0]);
      expect(Number.isNaN(exp(NaN))).toBe(true);
    }
    // tanh against correctly rounded values (scripts/tanh-reference.py; V8's Math.tanh is 2 ulp
    // off on some of them), and against V8 (so within 3 of it) over a wider sweep.
    const truth = new Map(tanhReference.x.map((x, i) => [x, tanhReference.tanh[i]!]));
    for (const [name, tanh] of [['wasm', core.tanh], ['js', jsTanh]] as const) {
      const r = worst(tanh, (x) => truth.get(x)!, tanhReference.x);
      expect(r.ulps, `${name} tanh is ${r.ulps} ulp off the truth at ${r.at}`).toBeLessThanOrEqual(1);
      const t = worst(tanh, Math.tanh, tanhPoints);
      expect(t.ulps, `${name} tanh differs from V8's by ${t.ulps} ulp at ${t.at}`).toBeLessThanOrEqual(3);
      expect(Object.is(tanh(-0), -0)).toBe(true);
      expect(Number.isNaN(tanh(NaN))).toBe(true);
      for (const x of [20.5, 22.5, 700, Infinity]) expect([tanh(x), tanh(-x)]).toEqual([1, -1]);
      for (const x of tanhPoints.slice(0, 2000)) expect(Object.is(tanh(-x), -tanh(x))).toBe(true); // odd
    }
  });

  it("both backends' erf (the exact GELU's) is within 1 ulp of the truth, odd, and the same bits in both", () => {
    const core = new WebAssembly.Instance(coreModule(), {}).exports as unknown as { erf(x: number): number };
    const f = new Float64Array(1);
    const bits = new BigInt64Array(f.buffer);
    const ordinal = (x: number): bigint => {
      f[0] = x;
      return bits[0]! < 0n ? -(bits[0]! & 0x7fffffffffffffffn) : bits[0]!;
    };
    const ulps = (a: number, b: number): number => Math.abs(Number(ordinal(a) - ordinal(b)));
    // scripts/erf-reference.py: correctly rounded values (mpmath), log-uniform, uniform and
    // at the branch points 1, 2, 3.5, 6.
    for (const [name, erf] of [['wasm', core.erf], ['js', jsErf]] as const) {
      let worst = { ulps: 0, at: NaN };
      erfReference.x.forEach((x, i) => {
        const d = ulps(erf(x), erfReference.erf[i]!);
        if (d > worst.ulps) worst = { ulps: d, at: x };
      });
      expect(worst.ulps, `${name} erf is ${worst.ulps} ulp off the truth at ${worst.at}`).toBeLessThanOrEqual(1);
      expect(Object.is(erf(-0), -0) && Object.is(erf(0), 0)).toBe(true);
      expect(Number.isNaN(erf(NaN))).toBe(true);
      expect([erf(6), erf(30), erf(Infinity), erf(-Infinity)]).toEqual([1, 1, 1, -1]);
      for (const x of erfReference.x) expect(Object.is(erf(-x), -erf(x))).toBe(true);
    }
    const rand = mulberry32(0xe2f);
    for (let i = 0; i < 100_000; i++) {
      const x = 16 * rand() - 8;
      if (!Object.is(core.erf(x), jsErf(x))) expect([x, core.erf(x)]).toEqual([x, jsErf(x)]);
    }
  });

  it("src/backend/codes.ts equals assembly/codes.ts as compiled, name for name", () => {
    // The core uses these as compile-time constants and does not export them (they would cost
    // ≈ 1 KB of the package): compile assembly/codes.ts alone, which exports each one.
    const dir = mkdtempSync(join(tmpdir(), 'wasmnet-codes-'));
    const core: Record<string, number> = {};
    try {
      const out = join(dir, 'codes.wasm');
      const asc = join(dirname(createRequire(import.meta.url).resolve('assemblyscript/package.json')), 'bin', 'asc.js');
      execFileSync(process.execPath, [asc, 'assembly/codes.ts', '--runtime', 'stub', '-o', out], { cwd: new URL('..', import.meta.url), stdio: 'pipe' });
      const exports = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(out)), {}).exports;
      for (const [name, value] of Object.entries(exports)) if (value instanceof WebAssembly.Global) core[name] = value.value as number;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const ours = Object.entries(codes) as [string, number][];
    expect(Object.keys(core).sort()).toEqual(ours.map(([n]) => n).sort());
    for (const [name, value] of ours) expect(core[name], name).toBe(value);
    // codes within each family are distinct
    for (const prefix of ['ACT_', 'LOSS_', 'OPT_', 'LAYER_', 'STEP_', 'STATUS_', 'D_', 'L_']) {
      const values = ours.filter(([n]) => n.startsWith(prefix) && !n.startsWith('DESC_')).map(([, v]) => v);
      expect(new Set(values).size, prefix).toBe(values.length);
    }
  });
});

// ---- network level ----------------------------------------------------------------------

interface Arch {
  name: string;
  inputSize: number;
  layers: { units: number; activation: ActivationName; alpha?: number }[];
  loss: LossName;
  optimizer: OptimizerConfig;
  targets: 'regression' | 'oneHot' | 'binary' | 'soft';
}

const ARCHS: Arch[] = [
  {
    name: 'mse, tanh 5→7→3 tanh, plain sgd',
    inputSize: 5,
    layers: [{ units: 7, activation: 'tanh' }, { units: 3, activation: 'tanh' }],
    loss: 'mse',
    optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0 },
    targets: 'regression',
  },
  {
    name: 'categoricalCrossentropy, 6→9 relu→5 relu→4 softmax, momentum 0.9',
    inputSize: 6,
    layers: [{ units: 9, activation: 'relu' }, { units: 5, activation: 'relu' }, { units: 4, activation: 'softmax' }],
    loss: 'categoricalCrossentropy',
    optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
    targets: 'oneHot',
  },
  {
    name: 'binaryCrossentropy, 3→5 leakyRelu(α=0.1)→1 sigmoid, momentum 0.5',
    inputSize: 3,
    layers: [{ units: 5, activation: 'leakyRelu', alpha: 0.1 }, { units: 1, activation: 'sigmoid' }],
    loss: 'binaryCrossentropy',
    optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.5 },
    targets: 'binary',
  },
  {
    name: 'mse, 1→3 softmax→2 sigmoid→1 linear, momentum 0.3',
    inputSize: 1,
    layers: [{ units: 3, activation: 'softmax' }, { units: 2, activation: 'sigmoid' }, { units: 1, activation: 'linear' }],
    loss: 'mse',
    optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.3 },
    targets: 'regression',
  },
  {
    name: 'categoricalCrossentropy soft targets, 8→7 leakyRelu→3 softmax, plain sgd',
    inputSize: 8,
    layers: [{ units: 7, activation: 'leakyRelu' }, { units: 3, activation: 'softmax' }],
    loss: 'categoricalCrossentropy',
    optimizer: { type: 'sgd', learningRate: 0.02 },
    targets: 'soft',
  },
];

function makeData(arch: Arch, rows: number, rand: () => number): { x: Float64Array; y: Float64Array } {
  const out = arch.layers[arch.layers.length - 1]!.units;
  const x = randomArray(rows * arch.inputSize, rand);
  const y = new Float64Array(rows * out);
  for (let r = 0; r < rows; r++) {
    if (arch.targets === 'oneHot') y[r * out + Math.floor(rand() * out)] = 1;
    else for (let j = 0; j < out; j++) y[r * out + j] = arch.targets === 'regression' ? 2 * rand() - 1 : arch.targets === 'binary' ? (rand() < 0.5 ? 0 : 1) : rand();
  }
  return { x, y };
}

function build(arch: Arch, backend: 'wasm' | 'js', seed: number): Network {
  return new Network({
    inputSize: arch.inputSize,
    layers: arch.layers.map((l) => dense(l.units, l.alpha === undefined ? { activation: l.activation } : { activation: l.activation, alpha: l.alpha })),
    loss: arch.loss,
    optimizer: arch.optimizer,
    seed,
    backend,
  });
}

function flatten(ws: LayerWeights[]): Float64Array {
  const parts: number[] = [];
  for (const w of ws) parts.push(...w.weights, ...w.bias);
  return Float64Array.from(parts);
}

describe.each(ARCHS.map((a, i) => [a.name, a, 77 + i] as const))('network, wasm vs js: %s', (_name, arch, seed) => {
  it('same initial weights, same predictions (1, 7 and 300 rows: more than one inference chunk)', () => {
    const w = build(arch, 'wasm', seed);
    const j = build(arch, 'js', seed);
    // Initialisation happens in TypeScript from the seed: identical, bit for bit.
    expect(flatten(w.getWeights())).toEqual(flatten(j.getWeights()));
    const rand = mulberry32(seed);
    for (const rows of [1, 7, 300]) {
      const { x } = makeData(arch, rows, rand);
      const pw = w.predict(x);
      const pj = j.predict(x);
      expect(pw.length).toBe(rows * w.outputSize);
      expectClose(pw, pj, `predict ${rows} rows`);
    }
    // nested-array input gives the same numbers as typed input
    const { x } = makeData(arch, 3, rand);
    const nested = Array.from({ length: 3 }, (_, r) => Array.from(x.subarray(r * arch.inputSize, (r + 1) * arch.inputSize)));
    expectClose(w.predict(nested).flat(), j.predict(x), 'predict nested vs typed');
  });

  it('same gradients and losses (computeGradients, evaluate), 1 and 5 rows', () => {
    const w = build(arch, 'wasm', seed);
    const j = build(arch, 'js', seed);
    const rand = mulberry32(seed + 1);
    for (const rows of [1, 5]) {
      const { x, y } = makeData(arch, rows, rand);
      const gw = w.computeGradients(x, y);
      const gj = j.computeGradients(x, y);
      expect(close(gw.loss, gj.loss), `loss ${gw.loss} vs ${gj.loss}`).toBe(true);
      const fw = flatten(gw.gradients);
      const fj = flatten(gj.gradients);
      expect(fw.length).toBe(w.paramCount);
      expectClose(fw, fj, `gradients ${rows} rows`);
      // not trivially zero: the comparison means something
      expect(Math.max(...fw.map(Math.abs))).toBeGreaterThan(1e-3);
      const ew = w.evaluate(x, y);
      const ej = j.evaluate(x, y);
      expect(close(ew.loss, ej.loss)).toBe(true);
      expect(ew.accuracy).toBe(ej.accuracy);
    }
  });

  it('same weights after 100 trainBatch steps (batches of 1 to 8 rows)', () => {
    const w = build(arch, 'wasm', seed);
    const j = build(arch, 'js', seed);
    const rand = mulberry32(seed + 2);
    const initial = flatten(w.getWeights());
    const sizes = [1, 3, 8, 5, 2, 7];
    let worstLoss = 0;
    for (let step = 0; step < 100; step++) {
      const { x, y } = makeData(arch, sizes[step % sizes.length]!, rand);
      const lw = w.trainBatch(x, y);
      const lj = j.trainBatch(x, y);
      expect(close(lw, lj), `step ${step}: loss ${lw} vs ${lj}`).toBe(true);
      worstLoss = Math.max(worstLoss, Math.abs(lw - lj));
    }
    const fw = flatten(w.getWeights());
    const fj = flatten(j.getWeights());
    expectClose(fw, fj, 'weights after 100 steps');
    // Training did move the weights (so agreement is not just "both unchanged").
    let moved = 0;
    for (let i = 0; i < fw.length; i++) moved = Math.max(moved, Math.abs(fw[i]! - initial[i]!));
    expect(moved).toBeGreaterThan(1e-2);
    const { x } = makeData(arch, 9, rand);
    expectClose(w.predict(x), j.predict(x), 'predictions after training');
  });
});
