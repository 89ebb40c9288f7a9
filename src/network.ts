// Network: the model. It owns one arena (wasm instance memory or Float64Array) laid out as
//   [ parameters | gradients | optimizer state | batch buffers (x, y, per-layer Z and A, deltas) ]
// The three slabs have the same layout, so an optimizer step is one kernel call. Batch buffers
// are sized for `capacity` rows and re-planned (parameters untouched) when a bigger batch comes.
import type { BackendName, Kernels } from './backend/kernels';
import { JsKernels } from './backend/js';
import { WasmKernels } from './backend/wasm';
import { checkSameRows, toNested, toRows, type Matrix, type Rows } from './data';
import { ConfigError, DataError, DivergenceError, ShapeError } from './errors';
import { defaultInitializer, initializeWeights } from './initializers';
import { activationBackward, denseBackward, denseForward, placeDense, type DenseLayer, type DenseSlots } from './layers/dense';
import { LOSSES, checkLossPair, countCorrect, isClassification, type LossName } from './losses';
import { resolveOptimizer, type OptimizerConfig, type ResolvedOptimizer } from './optimizers';
import { Random, randomSeed } from './random';
import { fit, type FitOptions, type History, type TrainingTarget } from './training/fit';
import { checkKeys, checkObject, oneOf, positiveInteger, show } from './validate';

export interface NetworkConfig {
  /** Number of input features. */
  inputSize: number;
  /** The layers, first to last; the last one's units are the output size. */
  layers: DenseLayer[];
  /** 'mse' (any output), 'categoricalCrossentropy' (softmax output), 'binaryCrossentropy' (sigmoid output). */
  loss: LossName;
  /** Default `{ type: 'sgd', learningRate: 0.01, momentum: 0 }`. */
  optimizer?: OptimizerConfig;
  /** Seeds initialisation and shuffling: the same seed gives the same run, bit for bit.
   *  Default: a random seed, readable afterwards as `net.seed`. */
  seed?: number;
  /** 'wasm' (default) or 'js' (pure TypeScript, same math). */
  backend?: BackendName;
}

/** One dense layer's parameters: `weights` is inputs×units row-major, `bias` has `units` values. */
export interface LayerWeights {
  weights: Float64Array;
  bias: Float64Array;
}

/** Mean loss over the samples, and accuracy (fraction correct) for classification losses. */
export interface Evaluation {
  loss: number;
  accuracy?: number;
}

/** The gradients of the mean batch loss with respect to every parameter. */
export interface Gradients {
  loss: number;
  gradients: LayerWeights[];
}

const CONFIG_KEYS = ['inputSize', 'layers', 'loss', 'optimizer', 'seed', 'backend'] as const;
/** Rows per forward pass when predicting or evaluating more rows than the batch buffers hold. */
const INFERENCE_CHUNK = 256;

const even = (n: number): number => n + (n & 1); // keeps every buffer 16-byte aligned

export class Network implements TrainingTarget {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly layers: readonly DenseLayer[];
  readonly loss: LossName;
  readonly optimizer: Readonly<ResolvedOptimizer>;
  readonly seed: number;
  readonly backend: BackendName;
  /** Total number of trainable values (weights and biases). */
  readonly paramCount: number;

  private readonly k: Kernels;
  private readonly slots: DenseSlots[];
  private readonly params: number;
  private readonly grads: number;
  private readonly velocity: number;
  private readonly batchStart: number;
  private readonly maxUnits: number;
  /** Random stream for shuffling (initialisation used the same stream first). */
  private readonly rng: Random;
  private capacity = 0;
  private xBuf = 0;
  private yBuf = 0;
  private dABuf = 0;
  private dZBuf = 0;

  constructor(config: NetworkConfig) {
    checkObject(config, 'Network config');
    checkKeys(config, CONFIG_KEYS, 'Network config');
    this.inputSize = positiveInteger(config.inputSize, 'inputSize');
    if (!Array.isArray(config.layers) || config.layers.length === 0) {
      throw new ConfigError(`layers must be a non-empty array of layers such as dense(8), got ${show(config.layers)}`);
    }
    config.layers.forEach((layer, i) => {
      if (typeof layer !== 'object' || layer === null || layer.type !== 'dense') {
        throw new ConfigError(`layers[${i}] must be a layer made by dense(units, options), got ${show(layer)}`);
      }
    });
    if (config.loss === undefined) {
      throw new ConfigError(`loss is required: one of ${LOSSES.map((l) => `"${l}"`).join(', ')}`);
    }
    this.loss = oneOf(config.loss, 'loss', LOSSES);
    const last = config.layers[config.layers.length - 1]!;
    checkLossPair(this.loss, last.activation);
    this.optimizer = Object.freeze(resolveOptimizer(config.optimizer));
    if (config.seed !== undefined && (typeof config.seed !== 'number' || !Number.isInteger(config.seed))) {
      throw new ConfigError(`seed must be an integer, got ${show(config.seed)}`);
    }
    this.seed = config.seed ?? randomSeed();
    this.backend = oneOf(config.backend ?? 'wasm', 'backend', ['wasm', 'js'] as const);
    this.layers = Object.freeze(config.layers.slice());
    this.outputSize = last.units;

    this.k = this.backend === 'wasm' ? new WasmKernels() : new JsKernels();
    // Parameter slab: W₀ b₀ W₁ b₁ … ; gradients and optimizer state mirror it.
    let inputs = this.inputSize;
    let count = 0;
    const offsets: number[] = [];
    for (const layer of this.layers) {
      offsets.push(count);
      count += (inputs + 1) * layer.units;
      inputs = layer.units;
    }
    this.paramCount = count;
    this.params = even(this.k.base);
    this.grads = this.params + even(count);
    this.velocity = this.grads + even(count);
    this.batchStart = this.velocity + even(count);
    inputs = this.inputSize;
    this.slots = this.layers.map((layer, i) => {
      const slot = placeDense(layer, inputs, this.params + offsets[i]!, this.grads + offsets[i]!);
      inputs = layer.units;
      return slot;
    });
    this.maxUnits = Math.max(...this.layers.map((l) => l.units));
    this.k.reserve(this.batchStart);

    this.rng = new Random(this.seed);
    const heap = this.k.heap;
    heap.fill(0, this.params, this.batchStart);
    this.slots.forEach((slot, i) => {
      const init = defaultInitializer(this.layers[i]!.activation);
      initializeWeights(heap, slot.w, slot.inputs, slot.units, init, this.rng);
    });
  }

  // ---- public API -------------------------------------------------------------------------

  /** Runs the network forward. number[][] in → number[][] out; Float64Array in → Float64Array out. */
  predict(x: number[][]): number[][];
  predict(x: Float64Array): Float64Array;
  predict(x: Matrix): number[][] | Float64Array;
  predict(x: Matrix): number[][] | Float64Array {
    const input = toRows(x, this.inputSize, 'x');
    const out = new Float64Array(input.rows * this.outputSize);
    const chunk = this.reserveRows(Math.min(input.rows, Math.max(this.capacity, INFERENCE_CHUNK)));
    const last = this.slots[this.slots.length - 1]!;
    for (let start = 0; start < input.rows; start += chunk) {
      const rows = Math.min(chunk, input.rows - start);
      this.loadRows(input, null, start, rows, null);
      this.forward(rows);
      out.set(this.k.heap.subarray(last.a, last.a + rows * this.outputSize), start * this.outputSize);
    }
    return input.typed ? out : toNested(out, input.rows, this.outputSize);
  }

  /** Mean loss over all samples (and accuracy for classification losses). Does not train. */
  evaluate(x: Matrix, y: Matrix): Evaluation {
    const { input, target } = this.checkData(x, y);
    const chunk = this.reserveRows(Math.min(input.rows, Math.max(this.capacity, INFERENCE_CHUNK)));
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < input.rows; start += chunk) {
      const rows = Math.min(chunk, input.rows - start);
      this.loadRows(input, target, start, rows, null);
      this.forward(rows);
      lossSum += this.lossAndGradient(rows) * rows;
      if (isClassification(this.loss)) correct += this.countCorrect(rows);
    }
    const result: Evaluation = { loss: lossSum / input.rows };
    if (isClassification(this.loss)) result.accuracy = correct / input.rows;
    return result;
  }

  /** Trains with mini-batch gradient descent; resolves to the per-epoch history. */
  fit(x: Matrix, y: Matrix, options: FitOptions = {}): Promise<History> {
    return fit(this, x, y, options);
  }

  /** One optimizer step on one batch (all rows of x and y); returns the batch loss before the step. */
  trainBatch(x: Matrix, y: Matrix): number {
    const { input, target } = this.checkData(x, y);
    this.reserveRows(input.rows);
    this.loadRows(input, target, 0, input.rows, null);
    return this.step(input.rows, -1, -1);
  }

  /** Backpropagation without an update: the mean loss over all rows and ∂loss/∂(every weight
   *  and bias), in the layout of `getWeights()`. For learners checking the math by hand. */
  computeGradients(x: Matrix, y: Matrix): Gradients {
    const { input, target } = this.checkData(x, y);
    this.reserveRows(input.rows);
    this.loadRows(input, target, 0, input.rows, null);
    this.forward(input.rows);
    const loss = this.lossAndGradient(input.rows);
    this.backward(input.rows);
    const heap = this.k.heap;
    const gradients = this.slots.map((s) => ({
      weights: heap.slice(s.dw, s.dw + s.inputs * s.units),
      bias: heap.slice(s.db, s.db + s.units),
    }));
    return { loss, gradients };
  }

  /** Copies of every layer's weights ([inputs×units] row-major) and biases. */
  getWeights(): LayerWeights[] {
    const heap = this.k.heap;
    return this.slots.map((s) => ({
      weights: heap.slice(s.w, s.w + s.inputs * s.units),
      bias: heap.slice(s.b, s.b + s.units),
    }));
  }

  /** Copies weights in. Every length and value is checked before anything changes. */
  setWeights(weights: readonly LayerWeights[]): void {
    if (!Array.isArray(weights) || weights.length !== this.slots.length) {
      throw new ShapeError(`setWeights expects an array of ${this.slots.length} { weights, bias } entries (one per layer), got ${show(weights)}`);
    }
    this.slots.forEach((s, i) => {
      const entry = weights[i];
      if (typeof entry !== 'object' || entry === null) {
        throw new ShapeError(`setWeights: entry ${i} must be { weights, bias }, got ${show(entry)}`);
      }
      checkVector(entry.weights, s.inputs * s.units, `setWeights: layer ${i} weights (${s.inputs}×${s.units})`);
      checkVector(entry.bias, s.units, `setWeights: layer ${i} bias`);
    });
    const heap = this.k.heap;
    this.slots.forEach((s, i) => {
      heap.set(weights[i]!.weights, s.w);
      heap.set(weights[i]!.bias, s.b);
    });
  }

  /** A table of layers, output shapes and parameter counts. */
  summary(): string {
    const lines = ['layer        activation   output     params'];
    let inputs = this.inputSize;
    this.layers.forEach((l, i) => {
      const params = (inputs + 1) * l.units;
      lines.push(`${`dense_${i}`.padEnd(13)}${l.activation.padEnd(13)}${`[*, ${l.units}]`.padEnd(11)}${params}`);
      inputs = l.units;
    });
    lines.push(`total params: ${this.paramCount}   loss: ${this.loss}   backend: ${this.backend}`);
    return lines.join('\n');
  }

  // ---- training internals (used by training/fit.ts) ---------------------------------------

  /** @internal */
  checkData(x: Matrix, y: Matrix): { input: Rows; target: Rows } {
    const input = toRows(x, this.inputSize, 'x');
    const target = toRows(y, this.outputSize, 'y');
    checkSameRows(input, target);
    return { input, target };
  }

  /** @internal Makes the batch buffers hold at least `rows` rows; returns the capacity. */
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
    this.k.reserve(at);
    this.capacity = rows;
    return rows;
  }

  /** @internal Copies `rows` samples (in `order`, or sequentially) from `start` into the batch buffers. */
  loadRows(input: Rows, target: Rows | null, start: number, rows: number, order: Int32Array | null): void {
    const heap = this.k.heap;
    copyRows(heap, this.xBuf, input, start, rows, order);
    if (target) copyRows(heap, this.yBuf, target, start, rows, order);
  }

  /** @internal Forward, loss, backward and update on the loaded batch; returns the loss. The
   *  update is skipped (and DivergenceError thrown) when the loss or a gradient is not finite. */
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
    if (!this.k.allFinite(this.grads, this.paramCount)) {
      throw new DivergenceError(
        `training diverged: the gradients overflowed${where} (loss ${loss}); the weights were left as they were before this batch (try a smaller learning rate)`,
        epoch,
        batch,
        loss,
      );
    }
    const { learningRate, momentum } = this.optimizer;
    this.k.sgd(this.params, this.grads, this.velocity, this.paramCount, learningRate, momentum);
    return loss;
  }

  /** @internal Correct predictions in the loaded batch (after forward). */
  countCorrect(rows: number): number {
    const last = this.slots[this.slots.length - 1]!;
    return countCorrect(this.loss, this.k.heap, last.a, this.k.heap, this.yBuf, rows, this.outputSize);
  }

  /** @internal The shuffling stream. */
  random(): Random {
    return this.rng;
  }

  // ---- forward and backward over the loaded batch -----------------------------------------

  private forward(rows: number): void {
    let input = this.xBuf;
    for (const s of this.slots) {
      denseForward(this.k, s, input, rows);
      input = s.a;
    }
  }

  /** Batch loss; leaves ∂loss/∂Z of the last layer in the dZ buffer. */
  private lossAndGradient(rows: number): number {
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
  private backward(rows: number): void {
    for (let l = this.slots.length - 1; l >= 0; l--) {
      const s = this.slots[l]!;
      const input = l > 0 ? this.slots[l - 1]!.a : this.xBuf;
      denseBackward(this.k, s, input, this.dZBuf, l > 0 ? this.dABuf : -1, rows);
      if (l > 0) activationBackward(this.k, this.slots[l - 1]!, this.dABuf, this.dZBuf, rows);
    }
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

function checkVector(value: unknown, length: number, name: string): void {
  if (!(value instanceof Float64Array) && !Array.isArray(value)) {
    throw new ShapeError(`${name} must be a Float64Array or number[] of length ${length}, got ${show(value)}`);
  }
  if (value.length !== length) throw new ShapeError(`${name} has length ${value.length}, expected ${length}`);
  for (let i = 0; i < length; i++) {
    if (typeof value[i] !== 'number' || !Number.isFinite(value[i])) {
      throw new DataError(`${name}[${i}] is ${show(value[i])}; weights must be finite numbers`);
    }
  }
}
