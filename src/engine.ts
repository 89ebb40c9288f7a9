// The engine behind a Network: one arena (wasm instance memory or Float64Array) laid out as
//   [ parameters | gradients | optimizer state 1 | optimizer state 2 | statistics | description | packed W | batch buffers ]
// The four slabs share one layout (W₀ b₀ W₁ b₁ …), so an optimizer step is one kernel call.
// The statistics slab holds what layers keep but do not train (a normalization layer's mean
// and variance): the optimizer never walks it.
// The network description is what the fused step reads (layer kinds and shapes, activations,
// buffer offsets, loss, optimizer and its hyperparameters, step count, dropout generator):
// forward, loss, backward and update for a batch are ONE call into the backend. Batch buffers
// (x, y, each layer's Z and A, two delta buffers, the matrix products' workspace) are sized
// for `capacity` rows and re-planned (slabs untouched) when a bigger batch comes. The wasm
// backend keeps a packed copy of each W for inference over many rows (`packed W`), packed by
// the first such forward pass after the weights change (D_PACKED_VALID).
// Nothing here validates user input: Network does that before calling in.
import {
  DESC_HEADER, DESC_LAYER, D_ABS_ERROR_SUM, D_BATCH_ABS_ERROR, D_BATCH_CORRECT, D_CORRECT_SUM, D_DATA_X, D_DATA_Y,
  D_EPOCH_LOG, D_FAILED_BATCH, D_FAILED_EPOCH, D_INPUT_WIDTH, D_LOSS_SUM, D_METRICS, D_ORDER, D_SHUFFLE_RNG, D_TARGET_WIDTH, METRIC_ACCURACY, METRIC_MAE, METRIC_MSE, D_SQ_ERROR_SUM, D_BATCH_SQ_ERROR,
  D_BETA1, D_BETA2, D_CLIP_NORM, D_DA, D_DZ, D_EPSILON, D_GRADS, D_LAYERS, D_LEARNING_RATE, D_LOSS,
  D_LOSS_PARAM, D_LOSS_VALUE, D_MOMENTUM, D_NESTEROV, D_OPTIMIZER, D_PARAMS, D_PARAM_COUNT, D_RHO, D_RNG, D_SCRATCH, D_STATE1,
  D_STATE2, D_STATUS, D_STEP_COUNT, D_WEIGHT_DECAY, D_X, D_Y, LAYER_DENSE, L_A, L_ACT, L_ALPHA, L_B, L_DB, L_DW, L_INPUTS,
  L_KIND, L_L1, L_L2, L_PACKED, L_RATE, L_STATS, L_AUX, L_EPSILON, L_MOMENTUM, L_UNBIASED, LAYER_BATCH_NORM, LAYER_LAYER_NORM, LAYER_NORMALIZATION, L_UNITS, L_W, L_Z, D_PACKED_VALID, STATUS_LOSS_NOT_FINITE, STATUS_OK, STATUS_THREAD_FAILED, STEP_FORWARD, STEP_GRADIENTS, STEP_LOSS,
  STEP_TRAIN,
} from './backend/codes';
import { MAX_ARENA_F64, type BackendName, type Kernels } from './backend/kernels';
import { JsKernels } from './backend/js';
import { WasmKernels } from './backend/wasm';
import { notFinite, type Rows } from './data';
import { DivergenceError, MemoryLimitError } from './errors';
import { threadsRuntime } from './threads/request';
import type { ThreadedKernels } from './threads/runtime';
import { defaultInitializer, initialize } from './initializers';
import { placeDense, type LayerSlots } from './layers/dense';
import { placeDropout } from './layers/dropout';
import { paramsOf, statsOf, type Layer } from './layers/index';
import { placeBatchNorm, placeLayerNorm, placeNormalization } from './layers/normalization';
import { isClassification, type LossName, type ResolvedLoss } from './losses';
import { OPTIMIZER_CODES, type ResolvedOptimizer } from './optimizers';
import { Random } from './random';

const even = (n: number): number => n + (n & 1); // keeps every buffer 16-byte aligned
/** Rows per forward pass when predicting or evaluating many rows. */
export const INFERENCE_CHUNK = 256;
/** Values up to which predict copies with a loop rather than a view and set(). */
const COPY_LOOP = 1024;
/** Largest training set (f64s of inputs, targets and row order) fit copies into the arena to
 *  run whole epochs in one call: 8 MiB. Larger sets are loaded batch by batch, which costs
 *  little next to their batches' arithmetic, and the arena (which cannot shrink) stays small. */
export const RESIDENT_LIMIT = 1 << 20;
/** Most epochs one `trainEpochs` call runs (its log holds four f64s per epoch). */
export const EPOCH_LOG_SIZE = 1024;
/** f64s of the thread pool's board (assembly/threads/parallel.ts: BOARD_BYTES / 8). */
const BOARD_F64 = 128;

/** Everything that changes during training, besides the weights: what save/load carries. */
export interface TrainingState {
  /** optimizer state slabs (momentum, Adam's m and v, accumulators), each paramCount long */
  state1: Float64Array;
  state2: Float64Array;
  /** updates applied so far (Adam's t) */
  stepCount: number;
  learningRate: number;
  /** sfc32 states of the shuffling and the dropout generators */
  shuffleRandom: number[];
  dropoutRandom: number[];
}

export class Engine {
  readonly paramCount: number;
  readonly slots: LayerSlots[];
  /** The backend's kernels: threaded kernels (over a shared memory) with threads. */
  readonly k: Kernels;
  /** Threads the network uses (1: none). */
  readonly threads: number;
  private readonly threaded: ThreadedKernels | null;
  /** The thread pool's board (threads > 1): BOARD_F64 f64s before the parameters. */
  private readonly board: number;
  private scratchSize = 0;
  readonly loss: LossName;
  private readonly params: number;
  private readonly grads: number;
  private readonly state1: number;
  private readonly state2: number;
  /** The statistics slab (non-trained layer state) and its length. */
  private readonly stats: number;
  readonly statsCount: number;
  private readonly desc: number;
  private readonly batchStart: number;
  /** widest layer input or output: the delta buffers' row width */
  private readonly maxWidth: number;
  private readonly targetWidth: number;
  private capacity = 0;
  private xBuf = 0;
  private yBuf = 0;
  private dABuf = 0;
  private dZBuf = 0;
  private scratch = 0;
  /** End of the batch buffers: where a resident training set goes. */
  private batchEnd = 0;
  /** Where the resident training set sits ([inputs | targets | order], after the batch
   *  buffers) and which rows it holds; `null` when none is loaded (or a larger batch moved
   *  the batch buffers over it). */
  private resident: { input: Rows; target: Rows } | null = null;
  /** The epoch's sums, as `takeSums` or `epochSums` last read them (fields, not a fresh object per epoch). */
  readonly sums = { loss: 0, correct: 0, absError: 0, sqError: 0 };

  constructor(
    backend: BackendName,
    readonly inputSize: number,
    layers: readonly Layer[],
    lossConfig: ResolvedLoss,
    targetWidth: number,
    readonly optimizer: Readonly<ResolvedOptimizer>,
    /** Draws the initial weights, then the dropout generator's seed, then the shuffles. */
    readonly rng: Random,
    /** Threads to use (resolved by Network; > 1 only for the wasm backend where threads run). */
    threads = 1,
  ) {
    // With threads (resolveThreads returned > 1 only once initThreads has started the pool):
    // threaded kernels from the start, over a shared memory the pool's workers can see.
    this.threaded = threads > 1 ? threadsRuntime().kernels(threads) : null;
    this.k = this.threaded ?? (backend === 'wasm' ? new WasmKernels() : new JsKernels());
    this.loss = lossConfig.name;
    this.targetWidth = targetWidth;
    // Parameter slab: W₀ b₀ W₁ b₁ … (dropout and normalization layers have none); the other
    // slabs mirror it. Statistics slab: each normalization layer's mean and variance, in order.
    let width = inputSize;
    let count = 0;
    let statsCount = 0;
    const offsets: number[] = [];
    const statOffsets: number[] = [];
    for (const layer of layers) {
      offsets.push(count);
      statOffsets.push(statsCount);
      statsCount += statsOf(layer, width);
      const p = paramsOf(layer, width);
      count += p.params;
      width = p.width;
    }
    this.paramCount = count;
    this.statsCount = statsCount;
    // With threads, the pool's board comes first, at the same address in every network's memory.
    this.board = even(this.k.base);
    this.params = this.board + (threads > 1 ? BOARD_F64 : 0);
    this.grads = this.params + even(count);
    this.state1 = this.grads + even(count);
    this.state2 = this.state1 + even(count);
    this.stats = this.state2 + even(count);
    this.desc = this.stats + even(statsCount);
    width = inputSize;
    let maxWidth = inputSize;
    let packedAt = this.desc + even(DESC_HEADER + DESC_LAYER * layers.length);
    const packed: number[] = [];
    this.slots = layers.map((layer, i) => {
      const at = offsets[i]!;
      const slot = layer.type === 'dense' ? placeDense(layer, width, this.params + at, this.grads + at)
        : layer.type === 'normalization' ? placeNormalization(width, this.stats + statOffsets[i]!)
        : layer.type === 'batchNorm' ? placeBatchNorm(layer, width, this.params + at, this.grads + at, this.stats + statOffsets[i]!)
        : layer.type === 'layerNorm' ? placeLayerNorm(layer, width, this.params + at, this.grads + at)
        : placeDropout(layer, width);
      const size = layer.type === 'dense' ? this.k.packedSize(width, slot.units) : 0;
      packed.push(size > 0 ? packedAt : 0);
      packedAt += even(size);
      width = slot.units;
      maxWidth = Math.max(maxWidth, width);
      return slot;
    });
    this.batchStart = packedAt;
    this.maxWidth = maxWidth;
    this.threads = threads;
    this.k.reserve(this.batchStart);

    const h = this.k.heap;
    h.fill(0, this.board, this.batchStart);
    this.slots.forEach((slot, i) => {
      const layer = layers[i]!;
      if (layer.type === 'normalization') {
        h.set(layer.mean, slot.stats);
        h.set(layer.variance, slot.stats + slot.units);
      }
      // γ starts at 1 (β at 0); batch norm's moving variance at 1 (its moving mean at 0)
      if (layer.type === 'batchNorm' || layer.type === 'layerNorm') h.fill(1, slot.w, slot.w + slot.units);
      if (layer.type === 'batchNorm') h.fill(1, slot.stats + slot.units, slot.stats + 2 * slot.units);
      if (layer.type !== 'dense') return;
      initialize(h, slot.w, slot.inputs * slot.units, slot.inputs, slot.units, layer.kernelInitializer ?? defaultInitializer(layer.activation), rng);
      initialize(h, slot.b, slot.units, 0, slot.units, layer.biasInitializer ?? { type: 'zeros' }, rng);
    });
    if (optimizer.type === 'adagrad') h.fill(optimizer.initialAccumulatorValue, this.state1, this.state1 + count);

    // The settings part of the description (the layout part follows in writeLayout).
    const d = this.desc;
    h[d + D_LAYERS] = this.slots.length;
    h[d + D_LOSS] = lossConfig.code;
    h[d + D_LOSS_PARAM] = lossConfig.param;
    h[d + D_PARAMS] = this.params;
    h[d + D_GRADS] = this.grads;
    h[d + D_STATE1] = this.state1;
    h[d + D_STATE2] = this.state2;
    h[d + D_PARAM_COUNT] = count;
    h[d + D_OPTIMIZER] = OPTIMIZER_CODES[optimizer.type];
    h[d + D_LEARNING_RATE] = optimizer.learningRate;
    h[d + D_MOMENTUM] = optimizer.momentum;
    h[d + D_NESTEROV] = optimizer.nesterov ? 1 : 0;
    h[d + D_BETA1] = optimizer.beta1;
    h[d + D_BETA2] = optimizer.beta2;
    h[d + D_EPSILON] = optimizer.epsilon;
    h[d + D_RHO] = optimizer.rho;
    h[d + D_WEIGHT_DECAY] = optimizer.weightDecay;
    h[d + D_CLIP_NORM] = optimizer.clipNorm;
    h[d + D_STEP_COUNT] = 0;
    h[d + D_STATUS] = STATUS_OK;
    h[d + D_INPUT_WIDTH] = inputSize;
    h[d + D_TARGET_WIDTH] = targetWidth;
    for (let i = 0; i < 4; i++) h[d + D_RNG + i] = rng.nextUint32();
    this.slots.forEach((s, l) => {
      const at = d + DESC_HEADER + l * DESC_LAYER;
      h[at + L_KIND] = s.kind;
      h[at + L_INPUTS] = s.inputs;
      h[at + L_UNITS] = s.units;
      h[at + L_ACT] = s.act;
      h[at + L_ALPHA] = s.alpha;
      h[at + L_L1] = s.l1;
      h[at + L_L2] = s.l2;
      h[at + L_RATE] = s.rate;
      h[at + L_W] = s.w;
      h[at + L_B] = s.b;
      h[at + L_DW] = s.dw;
      h[at + L_DB] = s.db;
      h[at + L_PACKED] = packed[l]!;
      h[at + L_STATS] = s.stats;
      h[at + L_EPSILON] = s.epsilon;
      h[at + L_MOMENTUM] = s.momentum;
      h[at + L_UNBIASED] = s.unbiased;
    });
    this.writeLayout();
  }

  /** Writes the batch buffers' offsets into the description (after they move). */
  private writeLayout(): void {
    const h = this.k.heap;
    const d = this.desc;
    h[d + D_X] = this.xBuf;
    h[d + D_Y] = this.yBuf;
    h[d + D_DA] = this.dABuf;
    h[d + D_DZ] = this.dZBuf;
    h[d + D_SCRATCH] = this.scratch;
    this.slots.forEach((s, l) => {
      const at = d + DESC_HEADER + l * DESC_LAYER;
      h[at + L_Z] = s.z;
      h[at + L_A] = s.a;
      h[at + L_AUX] = s.aux;
    });
  }

  /** Which metrics each step measures on its batch (fit sets them; D_METRICS). */
  setMetrics(accuracy: boolean, mae: boolean, mse = false): void {
    this.k.heap[this.desc + D_METRICS] = (accuracy ? METRIC_ACCURACY : 0) | (mae ? METRIC_MAE : 0) | (mse ? METRIC_MSE : 0);
  }

  get outputSize(): number {
    return this.slots[this.slots.length - 1]!.units;
  }

  /** Makes the batch buffers hold at least `rows` rows; returns the capacity. Transactional:
   *  the new layout is planned in locals, the arena grown, and only then are the offsets
   *  committed, so when growing fails (a MemoryLimitError) every offset, buffer and the
   *  resident set stay as they were. */
  reserveRows(rows: number): number {
    return rows <= this.capacity ? this.capacity : this.growRows(rows);
  }

  /** reserveRows's growing path, a method of its own: its closure's context would otherwise be
   *  allocated on every call, growing or not (V8 13.6, Node 24: 64 bytes per predict call). */
  private growRows(rows: number): number {
    let at = this.batchStart;
    const take = (size: number): number => {
      const start = at;
      at += even(size);
      return start;
    };
    const xBuf = take(rows * this.inputSize);
    const yBuf = take(rows * this.targetWidth);
    // Z, A, and the per-batch statistics of batch norm [3×units] and layer norm [2×rows]
    const za = this.slots.map((s) => [take(rows * s.units), take(rows * s.units), take(s.kind === LAYER_BATCH_NORM ? 3 * s.units : s.kind === LAYER_LAYER_NORM ? 2 * rows : 0)] as const);
    const dABuf = take(rows * this.maxWidth);
    const dZBuf = take(rows * this.maxWidth);
    // The matrix products' workspace: enough for every (k, n) a step uses — forward X·W
    // (k = inputs, n = units), dW = Xᵀ·dZ (k = rows, n = units), dX = dZ·Wᵀ (k = units, n = inputs).
    let scratchSize = 0;
    for (const s of this.slots) {
      if (s.kind !== LAYER_DENSE) continue;
      scratchSize = Math.max(scratchSize, this.k.gemmScratchSize(s.inputs, s.units), this.k.gemmScratchSize(Math.min(rows, MAX_ARENA_F64), s.units), this.k.gemmScratchSize(s.units, s.inputs));
    }
    // each thread packs its blocks of a product into a workspace of its own
    const scratch = take(even(scratchSize) * this.threads);
    this.k.reserve(at); // may throw: nothing above has touched the engine yet
    this.xBuf = xBuf;
    this.yBuf = yBuf;
    this.slots.forEach((s, i) => {
      s.z = za[i]![0];
      s.a = za[i]![1];
      s.aux = za[i]![2];
    });
    this.dABuf = dABuf;
    this.dZBuf = dZBuf;
    this.scratch = scratch;
    this.scratchSize = even(scratchSize);
    this.capacity = rows;
    this.batchEnd = at;
    this.resident = null; // the resident set sat right after the old batch buffers
    this.writeLayout();
    this.threaded?.configure(this.scratch, this.scratchSize);
    return rows;
  }

  /** Threads: runs before every call into the backend; throws a ThreadError if a worker failed
   *  since the last call. */
  prepare(): void {
    this.threaded?.check();
  }

  /** Tests: the threaded kernels (threads > 1). */
  get threadedKernels(): ThreadedKernels | null {
    return this.threaded;
  }

  /** The step's status, with a failed worker reported as a ThreadError. */
  private run(rows: number, mode: number): number {
    this.prepare();
    const status = this.k.step(this.desc, rows, mode);
    if (status === STATUS_THREAD_FAILED) this.threaded!.check();
    return status;
  }

  /** The optimizer state, step count, learning rate and generator states (for saving). */
  exportState(): TrainingState {
    const h = this.k.heap;
    return {
      state1: h.slice(this.state1, this.state1 + this.paramCount),
      state2: h.slice(this.state2, this.state2 + this.paramCount),
      stepCount: h[this.desc + D_STEP_COUNT]!,
      learningRate: h[this.desc + D_LEARNING_RATE]!,
      shuffleRandom: this.rng.getState(),
      dropoutRandom: Array.from(h.subarray(this.desc + D_RNG, this.desc + D_RNG + 4)),
    };
  }

  /** A copy of the statistics slab (non-trained layer state, saved with the model). */
  exportStats(): Float64Array {
    return this.k.heap.slice(this.stats, this.stats + this.statsCount);
  }

  /** Puts back a statistics slab saved by exportStats (length checked by the caller). */
  importStats(stats: Float64Array): void {
    this.k.heap.set(stats, this.stats);
  }

  /** For each value of the statistics slab: 1 where it is a constant of the config (a
   *  normalization layer's), 2 where it is a batch norm moving variance, 0 otherwise. */
  constantStats(): Uint8Array {
    const kinds = new Uint8Array(this.statsCount);
    for (const s of this.slots) {
      const at = s.stats - this.stats;
      if (s.kind === LAYER_NORMALIZATION) kinds.fill(1, at, at + 2 * s.units);
      if (s.kind === LAYER_BATCH_NORM) kinds.fill(2, at + s.units, at + 2 * s.units);
    }
    return kinds;
  }

  /** Writes a batch norm layer's moving mean and variance (checked by the caller). */
  writeStats(at: number, mean: ArrayLike<number>, variance: ArrayLike<number>): void {
    const h = this.k.heap;
    h.set(mean, at);
    h.set(variance, at + mean.length);
  }

  /** Puts back what exportState returned (lengths checked by the caller). */
  importState(state: TrainingState): void {
    const h = this.k.heap;
    h.set(state.state1, this.state1);
    h.set(state.state2, this.state2);
    h[this.desc + D_STEP_COUNT] = state.stepCount;
    h[this.desc + D_LEARNING_RATE] = state.learningRate;
    this.rng.setState(state.shuffleRandom);
    h.set(state.dropoutRandom, this.desc + D_RNG);
  }

  /** Copies `rows` samples (in `order`, or sequentially) from `start` into the batch buffers,
   *  from their row `at` on (fitDataset gathers validation rows across batches). */
  loadRows(input: Rows, target: Rows | null, start: number, rows: number, order: Float64Array | null, at = 0): void {
    const heap = this.k.heap;
    copyRows(heap, this.xBuf + at * this.inputSize, input, start, rows, order);
    if (target) copyRows(heap, this.yBuf + at * this.targetWidth, target, start, rows, order);
  }

  /** The last layer's activations for the loaded batch, after `forward`. */
  output(rows: number): Float64Array {
    const last = this.slots[this.slots.length - 1]!;
    return this.k.heap.subarray(last.a, last.a + rows * last.units);
  }

  /** The outputs for `rows` rows of x (checked by the caller, except a Float64Array's values,
   *  checked here chunk by chunk as they arrive: a non-finite one throws the DataError
   *  checkRows would, and nothing observable has changed by then) (Float64Array in, Float64Array out; number[][]
   *  in, number[][] out): inference, INFERENCE_CHUNK rows per call into the backend, copied
   *  from x straight into the arena. Allocates the result (and, for Float64Array rows beyond a
   *  thousand values, a typed-array view per chunk to copy them with set()). */
  predict(x: Float64Array | number[][], rows: number): Float64Array | number[][] {
    const chunk = this.reserveRows(Math.min(rows, INFERENCE_CHUNK));
    this.prepare();
    const k = this.k;
    const h = k.heap; // the step never grows the arena
    const cols = this.inputSize;
    const last = this.slots[this.slots.length - 1]!;
    const width = last.units;
    const typed = x instanceof Float64Array;
    const out = typed ? new Float64Array(rows * width) : new Array<number[]>(rows);
    const xBuf = this.xBuf;
    const a = last.a;
    for (let start = 0; start < rows; start += chunk) {
      const n = Math.min(chunk, rows - start);
      if (typed) {
        // A loop for a few values; set() (a memcpy, ≈ 10× faster per value, but a view to make)
        // for more.
        const from = start * cols;
        const end = n * cols;
        if (end <= COPY_LOOP) for (let i = 0; i < end; i++) h[xBuf + i] = x[from + i]!;
        else h.set(x.subarray(from, from + end), xBuf);
        const bad = k.firstNonFinite(xBuf, end);
        if (bad >= 0) throw notFinite(x, from + bad, cols, 'x');
      } else {
        for (let r = 0; r < n; r++) {
          const row = x[start + r]!;
          for (let j = 0, to = xBuf + r * cols; j < cols; j++) h[to + j] = row[j]!;
        }
      }
      if (k.step(this.desc, n, STEP_FORWARD) === STATUS_THREAD_FAILED) this.threaded!.check(); // throws
      if (typed) {
        const o = out as Float64Array;
        const to = start * width;
        const end = n * width;
        if (end <= COPY_LOOP) for (let i = 0; i < end; i++) o[to + i] = h[a + i]!;
        else o.set(h.subarray(a, a + end), to);
      } else {
        for (let r = 0; r < n; r++) {
          const row = new Array<number>(width);
          for (let j = 0, from = a + r * width; j < width; j++) row[j] = h[from + j]!;
          (out as number[][])[start + r] = row;
        }
      }
    }
    return out;
  }

  /** Forward pass over the loaded batch (outputs readable with `output`). */
  forward(rows: number): void {
    this.run(rows, STEP_FORWARD);
  }

  /** Forward pass and batch loss, no gradients. */
  evaluateBatch(rows: number): number {
    this.run(rows, STEP_LOSS);
    return this.k.heap[this.desc + D_LOSS_VALUE]!;
  }

  /** Forward, loss and every parameter gradient (left in the gradient slab); no update. */
  gradients(rows: number): number {
    this.run(rows, STEP_GRADIENTS);
    return this.k.heap[this.desc + D_LOSS_VALUE]!;
  }

  /** Forward, loss, backward and update on the loaded batch in one backend call. The update
   *  is refused (and DivergenceError thrown) when the loss, a gradient or an updated weight is
   *  not finite, so the weights stay as they were before the batch. The step adds the batch's
   *  loss·rows and metrics to the sums `takeSums` reads. */
  step(rows: number, epoch: number, batch: number): void {
    const status = this.run(rows, STEP_TRAIN);
    if (status !== STATUS_OK) throw divergence(status === STATUS_LOSS_NOT_FINITE, this.lastLoss(), epoch, batch);
  }

  /** Copies a training set of at most RESIDENT_LIMIT f64s into the arena (after the batch
   *  buffers, sized for `batchSize` rows) so that `trainEpochs` runs whole epochs in one call.
   *  Returns false, loading nothing, when the set is larger: fit then loads batch by batch. */
  loadResident(input: Rows, target: Rows, batchSize: number): boolean {
    if (this.resident !== null && this.resident.input === input && this.resident.target === target) return true;
    const rows = input.rows;
    if (rows * (input.cols + target.cols + 1) > RESIDENT_LIMIT) return false;
    this.reserveRows(batchSize);
    const at = this.batchEnd;
    const dataY = at + even(rows * input.cols);
    const order = dataY + even(rows * target.cols);
    const log = order + even(rows);
    try {
      this.k.reserve(log + 4 * EPOCH_LOG_SIZE);
    } catch (error) {
      // No room for the set: fit loads it batch by batch instead (same results).
      if (error instanceof MemoryLimitError) return false;
      throw error;
    }
    const h = this.k.heap;
    copyRows(h, at, input, 0, rows, null);
    copyRows(h, dataY, target, 0, rows, null);
    h[this.desc + D_DATA_X] = at;
    h[this.desc + D_DATA_Y] = dataY;
    h[this.desc + D_ORDER] = order;
    h[this.desc + D_EPOCH_LOG] = log;
    this.resident = { input, target };
    return true;
  }

  /** Trains `count` (≤ EPOCH_LOG_SIZE) epochs over the resident set (see loadResident;
   *  reloaded here if a larger batch has since moved the batch buffers over it) in one backend
   *  call: each epoch's row order is shuffled inside with this engine's generator, exactly as
   *  `Random.shuffle` would, and its sums are logged for `epochSums`. Returns how many epochs
   *  completed: `count`, or fewer when a batch diverged (then `epochsFailure` describes it). */
  trainEpochs(input: Rows, target: Rows, batchSize: number, shuffle: boolean, count: number): number {
    this.loadResident(input, target, batchSize);
    const d = this.desc;
    this.prepare();
    this.takeSums(); // the epochs' sums start from 0
    this.rng.saveState(this.k.heap, d + D_SHUFFLE_RNG);
    const status = this.k.epochs(d, input.rows, batchSize, shuffle, count);
    const h = this.k.heap;
    this.rng.loadState(h, d + D_SHUFFLE_RNG);
    if (status === STATUS_THREAD_FAILED) this.threaded!.check(); // throws (the epochs' sums are not taken)
    return status === STATUS_OK ? count : h[d + D_FAILED_EPOCH]!;
  }

  /** The sums of epoch `i` of the last `trainEpochs` call. Fills and returns `sums`. */
  epochSums(i: number): { loss: number; correct: number; absError: number; sqError: number } {
    const h = this.k.heap;
    const at = h[this.desc + D_EPOCH_LOG]! + 4 * i;
    const sums = this.sums;
    sums.loss = h[at]!;
    sums.correct = h[at + 1]!;
    sums.absError = h[at + 2]!;
    sums.sqError = h[at + 3]!;
    return sums;
  }

  /** The DivergenceError of the batch that stopped the last `trainEpochs` call, whose first
   *  epoch was fit's epoch `firstEpoch`. */
  epochsFailure(firstEpoch: number): DivergenceError {
    const h = this.k.heap;
    const d = this.desc;
    return divergence(h[d + D_STATUS] === STATUS_LOSS_NOT_FINITE, this.lastLoss(), firstEpoch + h[d + D_FAILED_EPOCH]!, h[d + D_FAILED_BATCH]!);
  }

  /** Reads and restarts the sums of the training steps since the last call: Σ loss·rows and,
   *  when measured (setMetrics), Σ correct predictions, Σ|a − y| and Σ(a − y)². Fills and returns `sums`. */
  takeSums(): { loss: number; correct: number; absError: number; sqError: number } {
    const h = this.k.heap;
    const d = this.desc;
    const sums = this.sums;
    sums.loss = h[d + D_LOSS_SUM]!;
    sums.correct = h[d + D_CORRECT_SUM]!;
    sums.absError = h[d + D_ABS_ERROR_SUM]!;
    sums.sqError = h[d + D_SQ_ERROR_SUM]!;
    h[d + D_LOSS_SUM] = 0;
    h[d + D_CORRECT_SUM] = 0;
    h[d + D_ABS_ERROR_SUM] = 0;
    h[d + D_SQ_ERROR_SUM] = 0;
    return sums;
  }

  /** The loss of the last step's batch (before its update). */
  lastLoss(): number {
    return this.k.heap[this.desc + D_LOSS_VALUE]!;
  }

  /** Correct predictions in the last step's batch (when accuracy is measured). */
  batchCorrect(): number {
    return this.k.heap[this.desc + D_BATCH_CORRECT]!;
  }

  /** Σ |a − y| over the last step's batch (when mae is measured). */
  batchAbsError(): number {
    return this.k.heap[this.desc + D_BATCH_ABS_ERROR]!;
  }

  /** Σ (a − y)² over the last step's batch (when mse is measured). */
  batchSqError(): number {
    return this.k.heap[this.desc + D_BATCH_SQ_ERROR]!;
  }

  /** Loss (mean), correct-prediction count, Σ|a − y| and Σ(a − y)² over every row, in
   *  inference mode, a chunk of rows at a time. */
  evaluateRows(input: Rows, target: Rows): { loss: number; correct: number; absError: number; sqError: number } {
    const chunk = this.reserveRows(Math.min(input.rows, INFERENCE_CHUNK));
    const h = this.k.heap;
    const d = this.desc;
    const classification = isClassification(this.loss);
    const measuring = h[d + D_METRICS]!;
    h[d + D_METRICS] = (classification ? METRIC_ACCURACY : 0) | METRIC_MAE | METRIC_MSE;
    let lossSum = 0;
    let correct = 0;
    let absError = 0;
    let sqError = 0;
    for (let start = 0; start < input.rows; start += chunk) {
      const rows = Math.min(chunk, input.rows - start);
      this.loadRows(input, target, start, rows, null);
      lossSum += this.evaluateBatch(rows) * rows;
      if (classification) correct += this.batchCorrect();
      absError += this.batchAbsError();
      sqError += this.batchSqError();
    }
    h[d + D_METRICS] = measuring;
    return { loss: lossSum / input.rows, correct, absError, sqError };
  }

  /** The learning rate the next update uses (schedules change it between epochs). */
  get learningRate(): number {
    return this.k.heap[this.desc + D_LEARNING_RATE]!;
  }

  set learningRate(value: number) {
    this.k.heap[this.desc + D_LEARNING_RATE] = value;
  }

  /** A copy of every weight and bias (the parameter slab). */
  snapshotParams(): Float64Array {
    return this.k.heap.slice(this.params, this.params + this.paramCount);
  }

  /** Puts back a copy made by `snapshotParams`. */
  restoreParams(snapshot: Float64Array): void {
    this.k.heap.set(snapshot, this.params);
    this.weightsChanged();
  }

  /** Copies one dense layer's weights and bias in (checked by the caller). */
  writeLayer(slot: LayerSlots, weights: ArrayLike<number>, bias: ArrayLike<number>): void {
    const h = this.k.heap;
    h.set(weights, slot.w);
    h.set(bias, slot.b);
    this.weightsChanged();
  }

  /** Every way weights change outside a training step (which does this itself) ends here: the
   *  packed copies of W are stale until the next many-row forward pass repacks them. */
  private weightsChanged(): void {
    this.k.heap[this.desc + D_PACKED_VALID] = 0;
  }

}

function divergence(lossNotFinite: boolean, loss: number, epoch: number, batch: number): DivergenceError {
  const where = epoch >= 0 ? ` at epoch ${epoch} (0-based), batch ${batch}` : '';
  const what = lossNotFinite ? `the loss is ${loss}${where}` : `the gradients or the updated weights overflowed${where} (loss ${loss})`;
  const hint = lossNotFinite ? 'try a smaller learning rate, or scale the inputs' : 'try a smaller learning rate';
  return new DivergenceError(
    `training diverged: ${what}; the weights were left as they were before this batch (${hint})`,
    epoch,
    batch,
    loss,
  );
}

function copyRows(heap: Float64Array, dst: number, src: Rows, start: number, rows: number, order: Float64Array | null): void {
  const cols = src.cols;
  const data = src.data;
  for (let i = 0; i < rows; i++) {
    const from = (order ? order[start + i]! | 0 : start + i) * cols;
    const to = dst + i * cols;
    for (let j = 0; j < cols; j++) heap[to + j] = data[from + j]!;
  }
}
