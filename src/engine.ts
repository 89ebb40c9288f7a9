// The engine behind a Network: one arena (wasm instance memory or Float64Array) laid out as
//   [ parameters | gradients | optimizer state | batch buffers (x, y, per-layer Z and A, deltas) ]
// The three slabs share one layout, so an optimizer step is one kernel call. Batch buffers are
// sized for `capacity` rows and re-planned (parameters untouched) when a bigger batch comes.
// Nothing here validates user input: Network does that before calling in.
import type { BackendName, Kernels } from './backend/kernels';
import { JsKernels } from './backend/js';
import { WasmKernels } from './backend/wasm';
import type { Rows } from './data';
import { DivergenceError } from './errors';
import { defaultInitializer, initializeWeights } from './initializers';
import { activationBackward, denseBackward, denseForward, placeDense, type DenseLayer, type DenseSlots } from './layers/dense';
import { countCorrect, type LossName } from './losses';
import type { ResolvedOptimizer } from './optimizers';
import type { Random } from './random';

const even = (n: number): number => n + (n & 1); // keeps every buffer 16-byte aligned

export class Engine {
  readonly paramCount: number;
  readonly slots: DenseSlots[];
  readonly k: Kernels;
  private readonly params: number;
  private readonly grads: number;
  private readonly velocity: number;
  private readonly batchStart: number;
  private readonly maxUnits: number;
  private capacity = 0;
  private xBuf = 0;
  private yBuf = 0;
  private dABuf = 0;
  private dZBuf = 0;
  private scratch = 0;

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
    this.batchStart = this.velocity + even(count);
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

  forward(rows: number): void {
    let input = this.xBuf;
    for (const s of this.slots) {
      denseForward(this.k, s, input, rows, this.scratch);
      input = s.a;
    }
  }

  /** Batch loss; leaves ∂loss/∂Z of the last layer in the dZ buffer. */
  lossAndGradient(rows: number): number {
    const out = this.slots[this.slots.length - 1]!;
    const count = rows * out.units;
    switch (this.loss) {
      case 'categoricalCrossentropy':
        return this.k.softmaxCrossEntropy(out.z, out.a, this.yBuf, this.dZBuf, rows, out.units);
      case 'binaryCrossentropy':
        return this.k.sigmoidBinaryCrossEntropy(out.z, out.a, this.yBuf, this.dZBuf, count);
      case 'mse': {
        const loss = this.k.mse(out.a, this.yBuf, this.dABuf, count);
        activationBackward(this.k, out, this.dABuf, this.dZBuf, rows);
        return loss;
      }
    }
  }

  /** From ∂loss/∂Z of the last layer (dZ buffer) to every parameter gradient. */
  backward(rows: number): void {
    for (let l = this.slots.length - 1; l >= 0; l--) {
      const s = this.slots[l]!;
      const input = l > 0 ? this.slots[l - 1]!.a : this.xBuf;
      denseBackward(this.k, s, input, this.dZBuf, l > 0 ? this.dABuf : -1, rows, this.scratch);
      if (l > 0) activationBackward(this.k, this.slots[l - 1]!, this.dABuf, this.dZBuf, rows);
    }
  }

  /** Forward, loss, backward and update on the loaded batch; returns the loss. The update is
   *  skipped (and DivergenceError thrown) when the loss or a gradient is not finite. */
  step(rows: number, epoch: number, batch: number): number {
    this.forward(rows);
    const loss = this.lossAndGradient(rows);
    const where = epoch >= 0 ? ` at epoch ${epoch} (0-based), batch ${batch}` : '';
    if (!Number.isFinite(loss)) {
      throw new DivergenceError(
        `training diverged: the loss is ${loss}${where}; the weights were left as they were before this batch (try a smaller learning rate, or scale the inputs)`,
        epoch,
        batch,
        loss,
      );
    }
    this.backward(rows);
    const { learningRate, momentum } = this.optimizer;
    if (!this.k.sgd(this.params, this.grads, this.velocity, this.paramCount, learningRate, momentum)) {
      throw new DivergenceError(
        `training diverged: the gradients or the updated weights overflowed${where} (loss ${loss}); the weights were left as they were before this batch (try a smaller learning rate)`,
        epoch,
        batch,
        loss,
      );
    }
    return loss;
  }

  /** Correct predictions in the loaded batch (after forward). */
  countCorrect(rows: number): number {
    const last = this.slots[this.slots.length - 1]!;
    return countCorrect(this.loss, this.k.heap, last.a, this.k.heap, this.yBuf, rows, last.units);
  }
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
