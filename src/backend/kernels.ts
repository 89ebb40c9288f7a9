// The kernel interface both backends implement. Every buffer argument is an offset counted in
// f64 elements into the backend's arena (`heap`); matrices are row-major. Kernels never
// allocate. Shapes follow the names: C[m×n] = A[m×k]·B[k×n].

export type BackendName = 'wasm' | 'js';

export interface Kernels {
  readonly name: BackendName;
  /** The arena as f64s. Re-read after `reserve`, which may replace it. */
  readonly heap: Float64Array;
  /** First usable offset (the wasm module's static data sits below it). */
  readonly base: number;
  /** Make the arena hold at least `size` f64s (offsets 0 .. size-1). Keeps the contents. */
  reserve(size: number): void;

  /** f64s of scratch a matrix product with inner size k and n columns needs (0 for js). */
  gemmScratchSize(k: number, n: number): number;
  /** C[m×n] (+)= A[m×k] · B[k×n]; `scratch` holds gemmScratchSize(k, n) f64s */
  matmul(a: number, b: number, c: number, m: number, k: number, n: number, accumulate: boolean, scratch: number): void;
  /** C[m×n] (+)= A[k×m]ᵀ · B[k×n] */
  matmulTransA(a: number, b: number, c: number, m: number, k: number, n: number, accumulate: boolean, scratch: number): void;
  /** C[m×n] (+)= A[m×k] · B[n×k]ᵀ */
  matmulTransB(a: number, b: number, c: number, m: number, k: number, n: number, accumulate: boolean, scratch: number): void;
  /** C[r][j] += bias[j] */
  addBias(c: number, bias: number, rows: number, cols: number): void;
  /** out[j] (+)= Σ_r A[r][j] */
  columnSums(a: number, out: number, rows: number, cols: number, accumulate: boolean): void;

  /** a = f(z) (row-wise for softmax); a may alias z */
  activate(act: number, z: number, a: number, rows: number, cols: number, alpha: number): void;
  /** dZ = dA ⊙ f'(z) (Jacobian-vector product for softmax); dZ may alias dA */
  activateBackward(act: number, z: number, a: number, dA: number, dZ: number, rows: number, cols: number, alpha: number): void;

  /** mean((a − y)²); grad = dL/da */
  mse(a: number, y: number, grad: number, count: number): number;
  /** softmax + categorical cross-entropy from logits z and probabilities p; grad = dL/dz */
  softmaxCrossEntropy(z: number, p: number, y: number, grad: number, rows: number, cols: number): number;
  /** sigmoid + binary cross-entropy from logits z and probabilities p; grad = dL/dz */
  sigmoidBinaryCrossEntropy(z: number, p: number, y: number, grad: number, count: number): number;

  /** v = momentum·v − lr·g; θ += v (θ −= lr·g when momentum is 0) over the parameter slab.
   *  Returns false, changing nothing, when a gradient or an updated value would not be finite. */
  sgd(params: number, grads: number, velocity: number, count: number, lr: number, momentum: number): boolean;

  /** The fused step (assembly/step.ts, src/backend/step.ts) over the network description at
   *  `desc`: forward, + loss, + gradients, + update by `mode`. Writes the loss into the
   *  description's D_LOSS_VALUE slot and returns a STATUS_* code. */
  step(desc: number, rows: number, mode: number): number;
}
