// Network: the model users build, train and query. It checks every input, then hands the
// work to its Engine (src/engine.ts), which owns the arena and runs the kernels.
import { LAYER_BATCH_NORM, LAYER_DENSE, LAYER_LAYER_NORM } from './backend/codes';
import type { BackendName } from './backend/kernels';
import { asFloat64, checkRows, checkSameRows, checkShape, fromSamples, isSampleList, toRows, type Matrix, type NumericArray, type Rows, type Sample } from './data';
import { Engine } from './engine';
import { ConfigError, DataError, FormatError, MemoryLimitError, ShapeError } from './errors';
import { decodeBytes, decodeJSON, encodeBytes, encodeJSON, type ModelData, type SavedModel } from './io/format';
import { checkLayer, paramsOf, statsOf, type Layer } from './layers/index';
import { checkLossPair, isClassification, resolveLoss, targetWidth, type LossConfig, type LossName, type ResolvedLoss } from './losses';
import { optimizerConfigOf, resolveOptimizer, type OptimizerConfig, type ResolvedOptimizer } from './optimizers';
import { Random, randomSeed } from './random';
import { fit, resolveFitOptions, type FitOptions, type History } from './training/fit';
import { checkBatch, fitDataset, resolveDatasetOptions, type Dataset, type FitDatasetOptions } from './training/stream';
import { checkKeys, checkObject, oneOf, positiveInteger, show } from './validate';
import { resolveThreads } from './threads/request';

/**
 * What `new Network(config)` takes: the input width, the layers, the loss, and optionally the
 * optimizer, seed and backend. Unknown keys (a typo such as `learningrate`) are a `ConfigError`.
 */
export interface NetworkConfig {
  /** Number of input features. */
  inputSize: number;
  /** dense(), dropout() and normalization() layers, first to last; the last must be dense,
   *  and its units are the output size. */
  layers: readonly Layer[];
  /** 'mse', 'mae', 'huber' (or `{ type: 'huber', delta }`) with any output;
   *  'categoricalCrossentropy' or 'sparseCategoricalCrossentropy' (integer labels) with a
   *  softmax output; 'binaryCrossentropy' with a sigmoid output. */
  loss: LossConfig;
  /** 'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad' or an object with options; default
   *  `{ type: 'sgd', learningRate: 0.01 }`. */
  optimizer?: OptimizerConfig;
  /** Seeds initialisation and shuffling: the same seed gives the same run, bit for bit.
   *  Default: a random seed, readable afterwards as `net.seed`. */
  seed?: number;
  /** 'wasm' (default) or 'js' (pure TypeScript, same math). */
  backend?: BackendName;
  /** Threads for training and prediction: a positive integer, or 'auto'; default 1. Needs the
   *  thread pool: `await initThreads()` from 'wasmnet/threads' first (without it, more than one
   *  thread is a ConfigError that says so). The network uses at most the threads initThreads
   *  made available ('auto': all of them; 1 where threads cannot run: Cloudflare Workers, a page
   *  that is not cross-origin isolated or whose CSP refuses `blob:` workers) and 1 on the js
   *  backend; `net.threads` says how many. Results are the same to the bit for any number. */
  threads?: number | 'auto';
}

/** One layer's parameters. getWeights/setWeights/computeGradients have one entry per layer
 *  with parameters, in order: dense layers (`weights` inputs×units row-major, `bias` one per
 *  unit), batch and layer norm (`weights` is γ and `bias` is β, one per feature); dropout and
 *  normalization layers have none. */
export interface LayerWeights {
  /** The weight matrix, inputs×units, row-major: `weights[i * units + j]` joins input i to
   *  unit j (batch and layer norm: γ, one per feature). */
  weights: Float64Array;
  /** One bias per unit (batch and layer norm: β). */
  bias: Float64Array;
  /** batchNorm entries of getWeights: the moving mean and variance (not trained). In
   *  setWeights optional: given, they replace the moving statistics; absent, these stay. */
  movingMean?: Float64Array;
  /** See movingMean. */
  movingVariance?: Float64Array;
}

/** Mean loss over the samples, and accuracy (fraction correct) for classification losses. */
export interface Evaluation {
  /** Mean loss over the samples (weight penalties included). */
  loss: number;
  /** Fraction of samples classified correctly; present for the cross-entropy losses. */
  accuracy?: number;
}

/** Options for Network.fromJSON / fromBytes. */
export interface LoadOptions {
  /** Run the loaded network on this backend instead of the one it was saved with. */
  backend?: BackendName;
  /** Threads for the loaded network (see NetworkConfig.threads); default 1. */
  threads?: number | 'auto';
}

/** The gradients of the mean batch loss with respect to every parameter. */
export interface Gradients {
  /** Mean loss over the batch (weight penalties included). */
  loss: number;
  /** ∂loss/∂weights and ∂loss/∂bias, one entry per layer with parameters (dense, batchNorm, layerNorm; no moving statistics), shaped like {@link Network.getWeights}. */
  gradients: LayerWeights[];
}

const CONFIG_KEYS = ['inputSize', 'layers', 'loss', 'optimizer', 'seed', 'backend', 'threads'] as const;

/**
 * A dense feed-forward network: build it from a {@link NetworkConfig}, train it with
 * {@link Network.fit} (or {@link Network.trainBatch}), query it with {@link Network.predict},
 * save it with {@link Network.toJSON} / {@link Network.toBytes}. Each network owns its memory
 * (one WebAssembly instance, or plain arrays on the JS backend); there is nothing to dispose.
 *
 * @example
 * ```ts
 * import { Network, dense } from 'wasmnet';
 *
 * const net = new Network({
 *   inputSize: 2,
 *   layers: [dense(3, { activation: 'tanh' }), dense(1, { activation: 'sigmoid' })],
 *   loss: 'mse',
 *   optimizer: { type: 'sgd', learningRate: 0.5 },
 *   seed: 42,
 * });
 * await net.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]], { epochs: 2000, batchSize: 4 });
 * net.predict([[1, 0]]); // [[0.96…]]
 * ```
 */
export class Network {
  /** Number of input features (columns of x). */
  readonly inputSize: number;
  /** Number of outputs: the last dense layer's units. */
  readonly outputSize: number;
  /** The layers as configured, first to last. */
  readonly layers: readonly Layer[];
  /** The loss's name. */
  readonly loss: LossName;
  /** Huber's delta (undefined for the other losses). */
  readonly lossDelta: number | undefined;
  /** The optimizer with every option filled in (defaults included). `learningRate` is the
   *  rate the next update uses: the configured one, or the one a callback set in `onTrainEnd`
   *  (fit puts back the rate it started with when training ends, before `onTrainEnd` runs).
   *  It is what toJSON saves. */
  get optimizer(): Readonly<ResolvedOptimizer> {
    const rate = this.engine.learningRate;
    if (rate !== this.resolvedOptimizer.learningRate) this.resolvedOptimizer = Object.freeze({ ...this.resolvedOptimizer, learningRate: rate });
    return this.resolvedOptimizer;
  }
  private resolvedOptimizer: Readonly<ResolvedOptimizer>;
  /** The seed the network was built with (a random one when none was given). */
  readonly seed: number;
  /** The backend doing the arithmetic: `'wasm'` or `'js'`. */
  readonly backend: BackendName;
  /** Total number of trainable values (weights and biases). */
  readonly paramCount: number;
  private readonly engine: Engine;
  private readonly resolvedLoss: ResolvedLoss;

  /** Builds and initialises a network; throws a `ConfigError` naming any bad option. */
  constructor(config: NetworkConfig) {
    const c = resolveConfig(config);
    this.inputSize = c.inputSize;
    this.resolvedLoss = c.loss;
    this.loss = c.loss.name;
    this.lossDelta = this.loss === 'huber' ? c.loss.param : undefined;
    this.resolvedOptimizer = c.optimizer;
    this.seed = c.seed;
    this.backend = c.backend;
    const threads = resolveThreads(config.threads, this.backend);
    this.layers = c.layers;
    this.outputSize = c.outputSize;
    this.engine = new Engine(
      this.backend,
      this.inputSize,
      this.layers,
      this.resolvedLoss,
      targetWidth(this.loss, this.outputSize),
      c.optimizer,
      new Random(this.seed),
      threads,
    );
    this.paramCount = this.engine.paramCount;
  }

  /** Threads this network uses: 1 unless `threads` asked for more and they can run here. */
  get threads(): number {
    return this.engine.threads;
  }

  /** Runs the network forward. number[][] in → number[][] out; a row-major typed array in
   *  (Float64Array, Float32Array, …) → Float64Array out. Allocates nothing but its result for
   *  number[][] and Float64Array (other typed arrays are converted to f64 once): the rows go
   *  straight into the network's memory, up to 256 at a time. One call over many rows costs far
   *  less per row than a call per row. One sample is one row: `predict([[1, 0]])`. */
  predict(x: number[][]): number[][];
  predict(x: NumericArray): Float64Array;
  predict(x: Matrix): number[][] | Float64Array;
  predict(input: Matrix): number[][] | Float64Array {
    const x = asFloat64(input, this.inputSize, 'x') as number[][] | Float64Array;
    // A Float64Array's values are checked by the engine as it copies them in (one pass
    // fewer over the caller's memory); nothing observable changes before that check.
    const rows = x instanceof Float64Array ? checkShape(x, this.inputSize, 'x') : checkRows(x, this.inputSize, 'x');
    return this.engine.predict(x, rows);
  }

  /** Mean loss over all samples (and accuracy for classification losses). Does not train. */
  evaluate(x: Matrix, y: Matrix): Evaluation {
    const { input, target } = this.checkData(x, y);
    const { loss, correct } = this.engine.evaluateRows(input, target);
    const result: Evaluation = { loss };
    if (isClassification(this.loss)) result.accuracy = correct / input.rows;
    return result;
  }

  /** Trains with mini-batch gradient descent; resolves to the per-epoch history. Data is
   *  either x and y matrices, or brain.js-style samples `[{ input: [...], output: [...] }]`. */
  fit(x: Matrix, y: Matrix, options?: FitOptions): Promise<History>;
  fit(samples: readonly Sample[], options?: FitOptions): Promise<History>;
  async fit(...args: [Matrix, Matrix, FitOptions?] | [readonly Sample[], FitOptions?]): Promise<History> {
    const pairs = isSampleList(args[0]);
    const options = pairs ? args[1] : args[2];
    const settings = resolveFitOptions(options === undefined ? {} : (options as FitOptions));
    const data = pairs
      ? fromSamples(args[0] as readonly Sample[], this.inputSize, targetWidth(this.loss, this.outputSize))
      : this.checkData(args[0] as Matrix, args[1] as Matrix);
    if (pairs) this.checkLabels(data.target, 'samples[].output');
    const { input, target } = data;
    return fit(this.engine, input, target, settings);
  }

  /**
   * Trains on a stream of batches (tfjs's `fitDataset`, Keras's generators): the data never has
   * to be in memory at once. The dataset yields `{ x, y }` batches from an array, a generator, an
   * async generator (a file read line by line, a database cursor, `fetch`), or is a function
   * that returns a new such source for each epoch. Options are `fit`'s (callbacks, early
   * stopping, schedules, metrics, an abort signal, progress), except that the dataset decides
   * the batches (no `batchSize`, `shuffle` or `validationSplit`); `validationData` may be a
   * dataset too. Given the same batches in the same order, it trains exactly as `fit`, bit for
   * bit. Each batch is checked as it arrives: a bad one rejects with a ShapeError or DataError
   * naming its epoch and batch, and the network keeps the weights of the batches before it.
   *
   * @example
   * ```ts
   * import { Network, dense } from 'wasmnet';
   *
   * const net = new Network({ inputSize: 1, layers: [dense(1)], loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.1 }, seed: 1 });
   * async function* batches() {
   *   for (let i = 0; i < 100; i++) {
   *     const x = [[Math.random()], [Math.random()]];
   *     yield { x, y: x.map(([v]) => [2 * v! + 1]) }; // y = 2x + 1
   *   }
   * }
   * const history = await net.fitDataset(() => batches(), { epochs: 5 });
   * history.loss; // five decreasing numbers
   * ```
   */
  fitDataset(dataset: Dataset, options: FitDatasetOptions = {}): Promise<History> {
    // options are checked before the dataset is touched (a rejected promise, like fit's)
    return (async () => {
      const settings = resolveDatasetOptions(options);
      const width = targetWidth(this.loss, this.outputSize);
      return fitDataset(this.engine, dataset, settings, (x, y, where) => {
        const data = checkBatch(x, y, this.inputSize, width, where);
        this.checkLabels(data.target, `${where}: y`);
        return data;
      });
    })();
  }

  /** One optimizer step on one batch (all rows of x and y); returns the batch loss before the step. */
  trainBatch(x: Matrix, y: Matrix): number {
    const { input, target } = this.checkData(x, y);
    this.engine.reserveRows(input.rows);
    this.engine.loadRows(input, target, 0, input.rows, null);
    this.engine.step(input.rows, -1, -1);
    return this.engine.lastLoss();
  }

  /** Backpropagation without an update: the mean loss over all rows and ∂loss/∂(every weight
   *  and bias), in the layout of `getWeights()`. For learners checking the math by hand. */
  computeGradients(x: Matrix, y: Matrix): Gradients {
    const { input, target } = this.checkData(x, y);
    const e = this.engine;
    e.reserveRows(input.rows);
    e.loadRows(input, target, 0, input.rows, null);
    const loss = e.gradients(input.rows);
    const heap = e.k.heap;
    const gradients = this.paramSlots().map((s) => ({
      weights: heap.slice(s.dw, s.dw + weightCount(s)),
      bias: heap.slice(s.db, s.db + s.units),
    }));
    return { loss, gradients };
  }

  /** Copies of every layer's weights ([inputs×units] row-major) and biases. */
  getWeights(): LayerWeights[] {
    const heap = this.engine.k.heap;
    return this.paramSlots().map((s) => {
      const entry: LayerWeights = { weights: heap.slice(s.w, s.w + weightCount(s)), bias: heap.slice(s.b, s.b + s.units) };
      if (s.kind === LAYER_BATCH_NORM) {
        entry.movingMean = heap.slice(s.stats, s.stats + s.units);
        entry.movingVariance = heap.slice(s.stats + s.units, s.stats + 2 * s.units);
      }
      return entry;
    });
  }

  /** Copies weights in. Every length and value is checked before anything changes. */
  setWeights(weights: readonly LayerWeights[]): void {
    const slots = this.paramSlots();
    if (!Array.isArray(weights) || weights.length !== slots.length) {
      throw new ShapeError(`setWeights expects an array of ${slots.length} { weights, bias } entries (one per layer with parameters: dense, batchNorm, layerNorm), got ${show(weights)}`);
    }
    slots.forEach((s, i) => {
      const entry = weights[i];
      if (typeof entry !== 'object' || entry === null) {
        throw new ShapeError(`setWeights: entry ${i} must be { weights, bias }, got ${show(entry)}`);
      }
      const dense = s.kind === LAYER_DENSE;
      checkVector(entry.weights, weightCount(s), dense ? `setWeights: layer ${i} weights (${s.inputs}×${s.units})` : `setWeights: layer ${i} weights (γ)`);
      checkVector(entry.bias, s.units, `setWeights: layer ${i} bias`);
      if (s.kind === LAYER_BATCH_NORM) {
        if ((entry.movingMean === undefined) !== (entry.movingVariance === undefined)) throw new ShapeError(`setWeights: layer ${i} (batchNorm) needs movingMean and movingVariance together`);
        if (entry.movingMean !== undefined) checkVector(entry.movingMean, s.units, `setWeights: layer ${i} movingMean`);
        if (entry.movingVariance !== undefined) {
          checkVector(entry.movingVariance, s.units, `setWeights: layer ${i} movingVariance`);
          const bad = Array.from(entry.movingVariance as ArrayLike<number>).findIndex((v) => v < 0);
          if (bad >= 0) throw new DataError(`setWeights: layer ${i} movingVariance[${bad}] is ${entry.movingVariance[bad]}; a variance must be ≥ 0`);
        }
      } else if (entry.movingMean !== undefined || entry.movingVariance !== undefined) {
        throw new ShapeError(`setWeights: layer ${i} is not a batchNorm layer; movingMean and movingVariance are batchNorm's`);
      }
    });
    slots.forEach((s, i) => {
      const e = weights[i]!;
      this.engine.writeLayer(s, e.weights, e.bias);
      if (e.movingMean !== undefined && e.movingVariance !== undefined) this.engine.writeStats(s.stats, e.movingMean, e.movingVariance);
    });
  }

  /** A table of layers, output shapes and parameter counts. */
  summary(): string {
    const lines = ['layer        kind      activation   output       params'];
    let width = this.inputSize;
    this.layers.forEach((l, i) => {
      const name = `${l.type}_${i}`.padEnd(13);
      if (l.type === 'dense') {
        lines.push(`${name}${'dense'.padEnd(10)}${l.activation.padEnd(13)}${`[*, ${l.units}]`.padEnd(13)}${(width + 1) * l.units}`);
        width = l.units;
      } else if (l.type === 'normalization') {
        lines.push(`${name}${'normalize'.padEnd(10)}${'(x−μ)/σ'.padEnd(13)}${`[*, ${width}]`.padEnd(13)}0`);
      } else if (l.type === 'batchNorm' || l.type === 'layerNorm') {
        lines.push(`${name}${l.type.padEnd(10)}${l.activation.padEnd(13)}${`[*, ${width}]`.padEnd(13)}${2 * width}`);
      } else {
        lines.push(`${name}${`dropout`.padEnd(10)}${`rate ${l.rate}`.padEnd(13)}${`[*, ${width}]`.padEnd(13)}0`);
      }
    });
    const o = this.optimizer;
    lines.push(`total params: ${this.paramCount}   loss: ${this.loss}   optimizer: ${o.type} (learning rate ${o.learningRate})   backend: ${this.backend}`);
    return lines.join('\n');
  }

  // ---- saving and loading --------------------------------------------------------------------

  /**
   * The whole model as a JSON-ready object: architecture, options, weights (bit-exact
   * base64) and training state. `JSON.stringify(net)` uses it.
   *
   * @example
   * ```ts
   * import { Network, dense } from 'wasmnet';
   *
   * const net = new Network({ inputSize: 3, layers: [dense(2)], loss: 'mse', seed: 1 });
   * const copy = Network.fromJSON(JSON.stringify(net));
   * copy.predict([[1, 2, 3]]); // exactly net.predict([[1, 2, 3]])
   * ```
   */
  toJSON(): SavedModel {
    return encodeJSON(this.modelData());
  }

  /** The same content as `toJSON`, compactly: a header and raw little-endian f64s. */
  toBytes(): Uint8Array {
    return encodeBytes(this.modelData());
  }

  /** Rebuilds a network saved by `toJSON` (the object, or its JSON string). It predicts and
   *  continues training exactly as the original would. `backend` overrides the saved one. */
  static fromJSON(json: SavedModel | string, options: LoadOptions = {}): Network {
    return Network.fromModelData(decodeJSON(json), options);
  }

  /** Rebuilds a network saved by `toBytes`. */
  static fromBytes(bytes: Uint8Array | ArrayBuffer, options: LoadOptions = {}): Network {
    return Network.fromModelData(decodeBytes(bytes), options);
  }

  private modelData(): ModelData {
    const state = this.engine.exportState();
    return {
      config: {
        inputSize: this.inputSize,
        layers: this.layers,
        loss: this.loss === 'huber' ? { type: 'huber', delta: this.lossDelta } : this.loss,
        optimizer: optimizerConfigOf(this.optimizer),
        seed: this.seed,
        backend: this.backend,
      },
      params: this.engine.snapshotParams(),
      stats: this.engine.exportStats(),
      state1: state.state1,
      state2: state.state2,
      training: {
        stepCount: state.stepCount,
        learningRate: state.learningRate,
        shuffleRandom: state.shuffleRandom,
        dropoutRandom: state.dropoutRandom,
      },
    };
  }

  private static fromModelData(data: ModelData, options: LoadOptions): Network {
    checkObject(options, 'load options');
    checkKeys(options, ['backend', 'threads'], 'load options');
    const backend = (options.backend ?? data.config.backend) as BackendName;
    resolveThreads(options.threads, 'js'); // a bad value is a ConfigError, not a FormatError
    const config = { ...(data.config as unknown as NetworkConfig), backend, threads: (options as LoadOptions).threads };
    // Everything is checked against the data actually present before the arena is allocated:
    // a few edited bytes must not make a small file claim gigabytes.
    let resolved: ResolvedConfig;
    try {
      resolved = resolveConfig(config);
    } catch (error) {
      if (error instanceof ConfigError) throw new FormatError(`saved model has an invalid config: ${error.message}`);
      throw error;
    }
    const paramCount = countParams(resolved.inputSize, resolved.layers);
    const statsCount = countStats(resolved.inputSize, resolved.layers);
    if (data.stats.length !== statsCount) {
      throw new FormatError(`saved model: stats has ${data.stats.length} values, but its architecture has ${statsCount} statistics`);
    }
    const badStat = data.stats.findIndex((v) => !Number.isFinite(v));
    if (badStat >= 0) throw new FormatError(`saved model: stats[${badStat}] is ${data.stats[badStat]}; saved values must be finite`);
    for (const [name, slab] of [['weights', data.params], ['training.state1', data.state1], ['training.state2', data.state2]] as const) {
      if (slab.length !== paramCount) {
        throw new FormatError(`saved model: ${name} has ${slab.length} values, but its architecture has ${paramCount} parameters`);
      }
      const bad = slab.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new FormatError(`saved model: ${name}[${bad}] is ${slab[bad]}; saved values must be finite`);
    }
    let net: Network;
    try {
      net = new Network(config);
    } catch (error) {
      if (error instanceof MemoryLimitError) throw new FormatError(`saved model is too large to load: ${error.message}`);
      throw error;
    }
    net.engine.restoreParams(data.params);
    // A normalization layer's mean and variance are also in the config: the slab is checked
    // against it, so an edited file cannot make the two disagree. (Batch norm's moving
    // statistics are only in the slab.)
    const rebuilt = net.engine.exportStats();
    const fixed = net.engine.constantStats();
    const differs = rebuilt.findIndex((v, i) => fixed[i] === 1 && v !== data.stats[i]);
    if (differs >= 0) throw new FormatError(`saved model: stats[${differs}] is ${data.stats[differs]}, but the layers' config says ${rebuilt[differs]}`);
    const negative = data.stats.findIndex((v, i) => fixed[i] === 2 && v < 0);
    if (negative >= 0) throw new FormatError(`saved model: stats[${negative}] is ${data.stats[negative]}, a batchNorm moving variance; a variance must be ≥ 0`);
    net.engine.importStats(data.stats);
    net.engine.importState({ ...data.training, state1: data.state1, state2: data.state2 });
    return net;
  }

  /** The layers with parameters (dense, batch and layer norm), in order. */
  private paramSlots() {
    return this.engine.slots.filter((s) => s.kind === LAYER_DENSE || s.kind === LAYER_BATCH_NORM || s.kind === LAYER_LAYER_NORM);
  }

  private checkData(x: Matrix, y: Matrix): { input: Rows; target: Rows } {
    const input = toRows(x, this.inputSize, 'x');
    const target = toRows(y, targetWidth(this.loss, this.outputSize), 'y');
    checkSameRows(input, target);
    this.checkLabels(target, 'y');
    return { input, target };
  }

  /** sparseCategoricalCrossentropy targets are class indices: integers in [0, outputSize). */
  private checkLabels(target: Rows, name: string): void {
    if (this.loss !== 'sparseCategoricalCrossentropy') return;
    for (let r = 0; r < target.rows; r++) {
      const label = target.data[r]!;
      if (!Number.isInteger(label) || label < 0 || label >= this.outputSize) {
        throw new DataError(`${name}[${r}][0] is ${label}; sparseCategoricalCrossentropy needs class indices, integers in [0, ${this.outputSize})`);
      }
    }
  }
}

interface ResolvedConfig {
  inputSize: number;
  layers: readonly Layer[];
  outputSize: number;
  loss: ResolvedLoss;
  optimizer: Readonly<ResolvedOptimizer>;
  seed: number;
  backend: BackendName;
}

/** Checks a Network config (ConfigError naming the bad option) and resolves its defaults,
 *  allocating nothing. */
function resolveConfig(config: NetworkConfig): ResolvedConfig {
  checkObject(config, 'Network config');
  checkKeys(config, CONFIG_KEYS, 'Network config');
  const inputSize = positiveInteger(config.inputSize, 'inputSize');
  if (!Array.isArray(config.layers) || config.layers.length === 0) {
    throw new ConfigError(`layers must be a non-empty array of layers such as dense(8), got ${show(config.layers)}`);
  }
  const layers = Object.freeze(config.layers.map((layer, i) => checkLayer(layer, i)));
  let width = inputSize;
  layers.forEach((layer, i) => {
    if (layer.type === 'normalization' && layer.mean.length !== width) {
      throw new ConfigError(`layers[${i}] (normalization) has statistics for ${layer.mean.length} feature${layer.mean.length === 1 ? '' : 's'}, but its input has ${width} column${width === 1 ? '' : 's'}`);
    }
    width = paramsOf(layer, width).width;
  });
  const last = layers[layers.length - 1]!;
  if (last.type !== 'dense') {
    throw new ConfigError(`the last layer must be dense (it produces the output), got a ${last.type} layer`);
  }
  const loss = resolveLoss(config.loss);
  checkLossPair(loss.name, last.activation);
  const optimizer = Object.freeze(resolveOptimizer(config.optimizer));
  if (config.seed !== undefined && (typeof config.seed !== 'number' || !Number.isInteger(config.seed))) {
    throw new ConfigError(`seed must be an integer, got ${show(config.seed)}`);
  }
  const seed = config.seed ?? randomSeed();
  const backend = oneOf(config.backend ?? 'wasm', 'backend', ['wasm', 'js'] as const);
  return { inputSize, layers, outputSize: last.units, loss, optimizer, seed, backend };
}

/** Weights and biases of the dense layers (what Engine lays out as the parameter slab). */
function countParams(inputSize: number, layers: readonly Layer[]): number {
  let width = inputSize;
  let count = 0;
  for (const layer of layers) {
    const p = paramsOf(layer, width);
    count += p.params;
    width = p.width;
  }
  return count;
}

/** Values of the statistics slab (what Engine lays out after the optimizer state). */
function countStats(inputSize: number, layers: readonly Layer[]): number {
  let width = inputSize;
  let count = 0;
  for (const layer of layers) {
    count += statsOf(layer, width);
    width = paramsOf(layer, width).width;
  }
  return count;
}

/** Values of a layer's `weights`: W (inputs×units) of a dense layer, γ (units) of a norm layer. */
const weightCount = (s: { kind: number; inputs: number; units: number }): number => (s.kind === LAYER_DENSE ? s.inputs * s.units : s.units);

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
