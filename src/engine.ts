// The engine behind a Network: one arena (wasm instance memory or Float64Array) laid out as
//   [ parameters | gradients | optimizer state | batch buffers (x, y, per-layer Z and A, deltas) ]
// The three slabs share one layout, so an optimizer step is one kernel call. Between the slabs
// and the batch buffers sits the network description that the fused step reads (layer
// shapes, activations, buffer offsets, loss, learning rate): forward, loss, backward and
// update for a batch are ONE call into the backend. Batch buffers are sized for `capacity`
// rows and re-planned (parameters untouched) when a bigger batch comes.
// Nothing here validates user input: Network does that before calling in.
import {
  DESC_HEADER, DESC_LAYER, D_DA, D_DZ, D_GRADS, D_LAYERS, D_LEARNING_RATE, D_LOSS, D_LOSS_VALUE, D_MOMENTUM, D_OPTIMIZER, D_PARAMS,
  D_PARAM_COUNT, D_SCRATCH, D_STATUS, D_VELOCITY, D_X, D_Y, LOSS_MSE, LOSS_SIGMOID_BCE, LOSS_SOFTMAX_CE, L_A, L_ACT,
  L_ALPHA, L_B, L_DB, L_DW, L_INPUTS, L_UNITS, L_W, L_Z, STATUS_LOSS_NOT_FINITE, STATUS_OK, STEP_FORWARD,
  STEP_GRADIENTS, STEP_LOSS, STEP_TRAIN,
} from './backend/codes';
import type { BackendName, Kernels } from './backend/kernels';
import { JsKernels } from './backend/js';
import { WasmKernels } from './backend/wasm';
import type { Rows } from './data';
import { DivergenceError } from './errors';
import { defaultInitializer, initializeWeights } from './initializers';
import { placeDense, type DenseLayer, type DenseSlots } from './layers/dense';
import { countCorrect, type LossName } from './losses';
import type { ResolvedOptimizer } from './optimizers';
import type { Random } from './random';

const even = (n: number): number => n + (n & 1); // keeps every buffer 16-byte aligned
/** Rows per forward pass when predicting or evaluating many rows. */
export const INFERENCE_CHUNK = 256;

export class Engine {
  readonly paramCount: number;
  readonly slots: DenseSlots[];
  readonly k: Kernels;
  private readonly params: number;
  private readonly grads: number;
  private readonly velocity: number;
  private readonly desc: number;
  private readonly batchStart: number;
  private readonly maxUnits: number;
  private capacity = 0;
  private xBuf = 0;
  private yBuf = 0;
  private dABuf = 0;
  private dZBuf = 0;
  private scratch = 0;
  /** Σ loss·rows over the steps since `takeLossSum` (kept here, not returned per batch:
   *  returning a double from every step would allocate a heap number per batch). */
  private lossSum = 0;

  constructor(
    backend: BackendName,
    readonly inputSize: number,
    layers: readonly DenseLayer[],
    readonly loss: LossName,
    readonly optimizer: Readonly<ResolvedOptimizer>,
    /** Draws the initial weights here, then the shuffles in fit. */
    readonly rng: Random,
  ) {
    this.k = backend === 'wasm' ? new WasmKernels() : new JsKernels();
    // Parameter slab: W₀ b₀ W₁ b₁ … ; gradients and optimizer state mirror it.
    let inputs = inputSize;
    let count = 0;
    const offsets: number[] = [];
    for (const layer of layers) {
      offsets.push(count);
      count += (inputs + 1) * layer.units;
      inputs = layer.units;
    }
    this.paramCount = count;
    this.params = even(this.k.base);
    this.grads = this.params + even(count);
    this.velocity = this.grads + even(count);
    this.desc = this.velocity + even(count);
    this.batchStart = this.desc + even(DESC_HEADER + DESC_LAYER * layers.length);
    inputs = inputSize;
    this.slots = layers.map((layer, i) => {
      const slot = placeDense(layer, inputs, this.params + offsets[i]!, this.grads + offsets[i]!);
      inputs = layer.units;
      return slot;
    });
    this.maxUnits = Math.max(...layers.map((l) => l.units));
    this.k.reserve(this.batchStart);

    const heap = this.k.heap;
    heap.fill(0, this.params, this.batchStart);
    this.slots.forEach((slot, i) => {
      initializeWeights(heap, slot.w, slot.inputs, slot.units, defaultInitializer(layers[i]!.activation), rng);
    });
    this.writeDescription();
  }

  /** Writes the network description the fused step reads (again after buffers move). */
  private writeDescription(): void {
    const h = this.k.heap;
    const d = this.desc;
    h[d + D_LAYERS] = this.slots.length;
    h[d + D_LOSS] = this.loss === 'categoricalCrossentropy' ? LOSS_SOFTMAX_CE : this.loss === 'binaryCrossentropy' ? LOSS_SIGMOID_BCE : LOSS_MSE;
    h[d + D_X] = this.xBuf;
    h[d + D_Y] = this.yBuf;
    h[d + D_DA] = this.dABuf;
    h[d + D_DZ] = this.dZBuf;
    h[d + D_SCRATCH] = this.scratch;
    h[d + D_PARAMS] = this.params;
    h[d + D_GRADS] = this.grads;
    h[d + D_VELOCITY] = this.velocity;
    h[d + D_PARAM_COUNT] = this.paramCount;
    h[d + D_LEARNING_RATE] = this.optimizer.learningRate;
    h[d + D_MOMENTUM] = this.optimizer.momentum;
    h[d + D_STATUS] = STATUS_OK;
    h[d + D_OPTIMIZER] = 0; // sgd
    this.slots.forEach((s, l) => {
      const at = d + DESC_HEADER + l * DESC_LAYER;
      h[at + L_INPUTS] = s.inputs;
      h[at + L_UNITS] = s.units;
      h[at + L_ACT] = s.act;
      h[at + L_ALPHA] = s.alpha;
      h[at + L_W] = s.w;
      h[at + L_B] = s.b;
      h[at + L_DW] = s.dw;
      h[at + L_DB] = s.db;
      h[at + L_Z] = s.z;
      h[at + L_A] = s.a;
    });
  }

  get outputSize(): number {
    return this.slots[this.slots.length - 1]!.units;
  }

  /** Makes the batch buffers hold at least `rows` rows; returns the capacity. */
  reserveRows(rows: number): number {
    if (rows <= this.capacity) return this.capacity;
    let at = this.batchStart;
    const take = (size: number): number => {
      const start = at;
      at += even(size);
      return start;
    };
    this.xBuf = take(rows * this.inputSize);
    this.yBuf = take(rows * this.outputSize);
    for (const s of this.slots) {
      s.z = take(rows * s.units);
      s.a = take(rows * s.units);
    }
    this.dABuf = take(rows * this.maxUnits);
    this.dZBuf = take(rows * this.maxUnits);
    // The matrix products' workspace: enough for every (k, n) a step uses — forward X·W
    // (k = inputs, n = units), dW = Xᵀ·dZ (k = rows, n = units), dX = dZ·Wᵀ (k = units, n = inputs).
    let scratch = 0;
    for (const s of this.slots) {
      scratch = Math.max(scratch, this.k.gemmScratchSize(s.inputs, s.units), this.k.gemmScratchSize(rows, s.units), this.k.gemmScratchSize(s.units, s.inputs));
    }
    this.scratch = take(scratch);
    this.k.reserve(at);
    this.capacity = rows;
    this.writeDescription();
    return rows;
  }

  /** Copies `rows` samples (in `order`, or sequentially) from `start` into the batch buffers. */
  loadRows(input: Rows, target: Rows | null, start: number, rows: number, order: Int32Array | null): void {
    const heap = this.k.heap;
    copyRows(heap, this.xBuf, input, start, rows, order);
    if (target) copyRows(heap, this.yBuf, target, start, rows, order);
  }

  /** The last layer's activations for the loaded batch, after `forward`. */
  output(rows: number): Float64Array {
    const last = this.slots[this.slots.length - 1]!;
    return this.k.heap.subarray(last.a, last.a + rows * last.units);
  }

  /** Forward pass over the loaded batch (outputs readable with `output`). */
  forward(rows: number): void {
    this.k.step(this.desc, rows, STEP_FORWARD);
  }

  /** Forward pass and batch loss, no gradients. */
  evaluateBatch(rows: number): number {
    this.k.step(this.desc, rows, STEP_LOSS);
    return this.k.heap[this.desc + D_LOSS_VALUE]!;
  }

  /** Forward, loss and every parameter gradient (left in the gradient slab); no update. */
  gradients(rows: number): number {
    this.k.step(this.desc, rows, STEP_GRADIENTS);
    return this.k.heap[this.desc + D_LOSS_VALUE]!;
  }

  /** Forward, loss, backward and update on the loaded batch in one backend call; returns the
   *  loss. The update is refused (and DivergenceError thrown) when the loss, a gradient or an
   *  updated weight is not finite, so the weights stay as they were before the batch. */
  step(rows: number, epoch: number, batch: number): void {
    const status = this.k.step(this.desc, rows, STEP_TRAIN);
    const loss = this.k.heap[this.desc + D_LOSS_VALUE]!;
    if (status !== STATUS_OK) throw divergence(status === STATUS_LOSS_NOT_FINITE, loss, epoch, batch);
    this.lossSum += loss * rows;
  }

  /** The loss of the last step's batch (before its update). */
  lastLoss(): number {
    return this.k.heap[this.desc + D_LOSS_VALUE]!;
  }

  /** Σ loss·rows of the steps since the last call, and restarts the sum. */
  takeLossSum(): number {
    const sum = this.lossSum;
    this.lossSum = 0;
    return sum;
  }

  /** Σ |a − y| over the loaded batch's outputs (after a forward pass): the mae metric's sum. */
  sumAbsError(rows: number): number {
    const last = this.slots[this.slots.length - 1]!;
    const h = this.k.heap;
    let sum = 0;
    for (let i = 0; i < rows * last.units; i++) sum += Math.abs(h[last.a + i]! - h[this.yBuf + i]!);
    return sum;
  }

  /** Loss (mean), correct-prediction count and Σ|a − y| over every row, in inference mode,
   *  a chunk of rows at a time. */
  evaluateRows(input: Rows, target: Rows): { loss: number; correct: number; absError: number } {
    const chunk = this.reserveRows(Math.min(input.rows, INFERENCE_CHUNK));
    const classification = this.loss !== 'mse';
    let lossSum = 0;
    let correct = 0;
    let absError = 0;
    for (let start = 0; start < input.rows; start += chunk) {
      const rows = Math.min(chunk, input.rows - start);
      this.loadRows(input, target, start, rows, null);
      lossSum += this.evaluateBatch(rows) * rows;
      if (classification) correct += this.countCorrect(rows);
      absError += this.sumAbsError(rows);
    }
    return { loss: lossSum / input.rows, correct, absError };
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
  }

  /** Correct predictions in the loaded batch (after forward). */
  countCorrect(rows: number): number {
    const last = this.slots[this.slots.length - 1]!;
    return countCorrect(this.loss, this.k.heap, last.a, this.k.heap, this.yBuf, rows, last.units);
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

function copyRows(heap: Float64Array, dst: number, src: Rows, start: number, rows: number, order: Int32Array | null): void {
  const cols = src.cols;
  const data = src.data;
  for (let i = 0; i < rows; i++) {
    const from = (order ? order[start + i]! : start + i) * cols;
    const to = dst + i * cols;
    for (let j = 0; j < cols; j++) heap[to + j] = data[from + j]!;
  }
}
