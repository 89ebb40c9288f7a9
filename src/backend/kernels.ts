// The kernel interface both backends implement. Every buffer argument is an offset counted in
// f64 elements into the backend's arena (`heap`); matrices are row-major. Kernels never
// allocate. Shapes follow the names: C[m×n] = A[m×k]·B[k×n].

import { MemoryLimitError } from '../errors';

/**
 * Which backend does the arithmetic: `'wasm'` (the WebAssembly core, the default) or `'js'`
 * (the same math in plain TypeScript; needs no WebAssembly).
 */
export type BackendName = 'wasm' | 'js';

/** Most f64s an arena holds on either backend: 4 GiB, WebAssembly's 32-bit address space (the
 *  js backend keeps the same cap, so both refuse the same networks and batches). */
export const MAX_ARENA_F64 = 2 ** 29;

/** The MemoryLimitError for an arena of `size` f64s that could not be had: over the cap, or
 *  (with `refused`, the runtime's own error) refused by the runtime at `granted` f64s. */
export function arenaError(backend: BackendName, size: number, granted: number, refused?: unknown): MemoryLimitError {
  const limit = (refused === undefined ? MAX_ARENA_F64 : granted) * 8;
  const why = refused === undefined ? `more than the ${backend} backend's limit of ${limit} bytes (4 GiB)` : `but the runtime refused to grow it beyond ${limit} bytes (${mib(limit)}): ${String(refused)}`;
  return new MemoryLimitError(`the network needs ${size * 8} bytes (${mib(size * 8)}) of memory, ${why}; use smaller layers or smaller batches`, size * 8, limit);
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export interface Kernels {
  readonly name: BackendName;
  /** The arena as f64s. Re-read after `reserve`, which may replace it. */
  readonly heap: Float64Array;
  /** First usable offset (the wasm module's static data sits below it). */
  readonly base: number;
  /** Make the arena hold at least `size` f64s (offsets 0 .. size-1). Keeps the contents. Throws
   *  a MemoryLimitError (from `arenaError`), changing nothing, when it cannot. */
  reserve(size: number): void;

  /** f64s of scratch a matrix product with inner size k and n columns needs (0 for js). */
  gemmScratchSize(k: number, n: number): number;
  /** C[m×n] (+)= A[m×k] · B[k×n]; `scratch` holds gemmScratchSize(k, n) f64s */
  matmul(a: number, b: number, c: number, m: number, k: number, n: number, accumulate: boolean, scratch: number): void;
  /** C[m×n] (+)= A[k×m]ᵀ · B[k×n] */
  matmulTransA(a: number, b: number, c: number, m: number, k: number, n: number, accumulate: boolean, scratch: number): void;
  /** C[m×n] (+)= A[m×k] · B[n×k]ᵀ */
  matmulTransB(a: number, b: number, c: number, m: number, k: number, n: number, accumulate: boolean, scratch: number): void;
  /** Index of the first non-finite value among `count` f64s at `at`, or -1. */
  firstNonFinite(at: number, count: number): number;
  /** f64s a packed copy of a k×n weight matrix takes (0: this backend keeps none, js). */
  packedSize(k: number, n: number): number;
  /** Packs W[k×n] at `dst` (packedSize(k, n) f64s) for forward passes over many rows. */
  packWeights(w: number, k: number, n: number, dst: number): void;
  /** A dense layer's forward pass: Z = X·W + b (Z starts at b, then accumulates X·W), A = f(Z).
   *  x is [rows×inputs], w [inputs×units], b [units], z and a [rows×units]. `packed` > 0: W's
   *  current packed copy (packWeights), which many-row products then read instead of packing. */
  denseForward(x: number, w: number, b: number, z: number, a: number, rows: number, inputs: number, units: number, act: number, alpha: number, scratch: number, packed: number): void;
  /** Its backward pass, given dZ = ∂L/∂Z [rows×units]: dW = Xᵀ·dZ, db = Σ_rows dZ and, when
   *  dX ≥ 0, dX = dZ·Wᵀ [rows×inputs]. */
  denseBackward(x: number, w: number, dZ: number, dW: number, db: number, dX: number, rows: number, inputs: number, units: number, scratch: number): void;

  /** a = f(z) (row-wise for softmax); a may alias z */
  activate(act: number, z: number, a: number, rows: number, cols: number, alpha: number): void;
  /** dZ = dA ⊙ f'(z) (Jacobian-vector product for softmax); dZ may alias dA */
  activateBackward(act: number, z: number, a: number, dA: number, dZ: number, rows: number, cols: number, alpha: number): void;

  /** mean((a − y)²); grad = dL/da */
  mse(a: number, y: number, grad: number, count: number): number;
  /** softmax + categorical cross-entropy from logits z and p = softmax(z) as `activate` computes
   *  it (the log-sum-exp is read off p, not recomputed); grad = dL/dz */
  softmaxCrossEntropy(z: number, p: number, y: number, grad: number, rows: number, cols: number): number;
  /** sigmoid + binary cross-entropy from logits z and probabilities p; grad = dL/dz */
  sigmoidBinaryCrossEntropy(z: number, p: number, y: number, grad: number, count: number): number;

  /** mean(|a − y|); grad = dL/da */
  mae(a: number, y: number, grad: number, count: number): number;
  /** mean Huber loss with threshold delta; grad = dL/da */
  huber(a: number, y: number, grad: number, count: number, delta: number): number;
  /** softmax + cross-entropy with integer labels (one per row at `labels`), z and p as for
   *  softmaxCrossEntropy; grad = dL/dz */
  sparseSoftmaxCrossEntropy(z: number, p: number, labels: number, grad: number, rows: number, cols: number): number;

  // Optimizer updates over the parameter slab (assembly/optimizers.ts has the formulas). Each
  // returns false, changing nothing, when a gradient or an updated value would not be finite.
  sgd(params: number, grads: number, velocity: number, count: number, lr: number, momentum: number, nesterov: boolean): boolean;
  adam(params: number, grads: number, m: number, v: number, count: number, lr: number, beta1: number, beta2: number, epsilon: number, t: number, weightDecay: number): boolean;
  rmsprop(params: number, grads: number, s: number, u: number, count: number, lr: number, rho: number, epsilon: number, momentum: number): boolean;
  adagrad(params: number, grads: number, s: number, count: number, lr: number, epsilon: number): boolean;

  /** returns l1·Σ|w| + l2·Σw² and, with `withGradient`, adds l1·sign(w) + 2·l2·w to dw */
  weightPenalty(w: number, dw: number, count: number, l1: number, l2: number, withGradient: boolean): number;
  /** scales g so that its L2 norm is at most maxNorm; returns the norm before */
  clipGlobalNorm(g: number, count: number, maxNorm: number): number;
  /** out = x ⊙ mask with a fresh inverted-dropout mask drawn from the sfc32 state at `state` */
  dropoutForward(x: number, out: number, mask: number, count: number, rate: number, state: number): void;
  /** d ⊙= mask */
  dropoutBackward(d: number, mask: number, count: number): void;
  /** out = (x − mean) / max(√variance, 1e-7), per column of x, out [rows×cols] (mean, variance [cols]) */
  normalizeForward(x: number, mean: number, variance: number, out: number, rows: number, cols: number): void;
  /** g /= max(√variance, 1e-7) per column, in place (the gradient through normalizeForward) */
  normalizeBackward(g: number, variance: number, rows: number, cols: number): void;
  /** Batch normalization into z [rows×units]: z = γ·(x − μ)·s + β, s = 1/√(σ² + ε), with the
   *  batch's μ and biased σ² when `training`, else the moving ones at `stats` (μ, then σ²);
   *  writes μ, σ², s into aux [3×units]. */
  batchNormForward(x: number, gamma: number, beta: number, stats: number, aux: number, z: number, rows: number, units: number, epsilon: number, training: boolean): void;
  /** Its backward pass from dZ: dγ, dβ and, when dX ≥ 0, dX (through the batch statistics when `training`). */
  batchNormBackward(x: number, gamma: number, aux: number, dZ: number, dGamma: number, dBeta: number, dX: number, rows: number, units: number, training: boolean): void;
  /** moving = m·moving + (1 − m)·batch for μ and σ² (σ²·n/(n − 1) when `unbiased` and n > 1). */
  batchNormUpdate(stats: number, aux: number, units: number, momentum: number, rows: number, unbiased: boolean): void;
  /** Layer normalization into z: per row, z = γ·(x − μ)·s + β; aux [2×rows] gets each row's μ, then s. */
  layerNormForward(x: number, gamma: number, beta: number, aux: number, z: number, rows: number, units: number, epsilon: number): void;
  /** Its backward pass from dZ: dγ, dβ (summed over rows) and, when dX ≥ 0, dX. */
  layerNormBackward(x: number, gamma: number, aux: number, dZ: number, dGamma: number, dBeta: number, dX: number, rows: number, units: number): void;

  /** The fused step (assembly/step.ts, src/backend/step.ts) over the network description at
   *  `desc`: forward, + loss, + gradients, + update by `mode`. Writes the loss into the
   *  description's D_LOSS_VALUE slot and returns a STATUS_* code. */
  step(desc: number, rows: number, mode: number): number;
  /** `count` training epochs over the resident training set the description points at
   *  (D_DATA_X, D_DATA_Y, D_ORDER): each shuffles (if asked), then gathers and steps each batch,
   *  and logs its sums at D_EPOCH_LOG. Returns a STATUS_* code; on failure the failing epoch
   *  (within the call) and batch are in D_FAILED_EPOCH and D_FAILED_BATCH. */
  epochs(desc: number, samples: number, batchSize: number, shuffle: boolean, count: number): number;

  /** Correct predictions among p[rows×cols] against targets y (labels for the sparse loss). */
  countCorrect(loss: number, p: number, y: number, rows: number, cols: number): number;
  /** Σ |a − y| (against one-hot labels for the sparse loss). */
  sumAbsError(loss: number, a: number, y: number, rows: number, cols: number): number;
}
