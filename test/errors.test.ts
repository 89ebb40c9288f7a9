// Every bad input is rejected with the exported error class and a message that names the
// offending value and what was expected, and a rejected call leaves the network exactly as it
// was: same weights, same optimizer state (momentum), same shuffling stream. The last part is
// checked against an untouched twin network built with the same seed.
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DataError,
  DivergenceError,
  Network,
  ShapeError,
  WasmnetError,
  dense,
  type BackendName,
  type LayerWeights,
  type NetworkConfig,
} from '../src/index';

const BACKENDS: readonly BackendName[] = ['wasm', 'js'];

type ErrorClass = typeof ConfigError | typeof ShapeError | typeof DataError | typeof DivergenceError;

/** Lets a test pass a value of the wrong type on purpose. */
const bad = <T>(value: unknown): T => value as T;

// ---- a small network and data it accepts ----------------------------------------------------

const X: number[][] = [
  [0.1, -0.2, 0.3],
  [0.5, 0.4, -0.6],
  [-0.7, 0.8, 0.9],
  [1.0, -1.1, 0.2],
  [0.3, 0.3, -0.3],
  [-0.5, 0.0, 0.5],
];
const Y: number[][] = [
  [0.2, -0.1],
  [0.4, 0.6],
  [-0.3, 0.1],
  [0.9, -0.8],
  [0.0, 0.1],
  [-0.2, 0.3],
];

/** 3 → 4 (tanh) → 2 (linear), mse, SGD with momentum so that optimizer state matters. */
function makeNet(backend: BackendName): Network {
  return new Network({
    inputSize: 3,
    layers: [dense(4, { activation: 'tanh' }), dense(2)],
    loss: 'mse',
    optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
    seed: 1234,
    backend,
  });
}

const copyRows = (m: number[][]): unknown[][] => m.map((r) => r.slice());
const withValue = (m: number[][], r: number, c: number, v: unknown): unknown[][] => {
  const out = copyRows(m);
  out[r]![c] = v;
  return out;
};
const f64 = (m: number[][]): Float64Array => new Float64Array(m.flat());

function allFinite(weights: LayerWeights[]): boolean {
  return weights.every((l) => l.weights.every(Number.isFinite) && l.bias.every(Number.isFinite));
}

/** The network still holds `before`, and training it from here is bit-for-bit the same as
 *  training an untouched twin (same seed): weights, momentum and the shuffle stream unchanged. */
async function expectUntouched(net: Network, before: LayerWeights[], backend: BackendName): Promise<void> {
  expect(net.getWeights()).toEqual(before);
  const twin = makeNet(backend);
  expect(net.getWeights()).toEqual(twin.getWeights());
  expect(net.trainBatch(X, Y)).toBe(twin.trainBatch(X, Y));
  expect(net.getWeights()).toEqual(twin.getWeights());
  const [h1, h2] = [await net.fit(X, Y, { epochs: 2, batchSize: 4 }), await twin.fit(X, Y, { epochs: 2, batchSize: 4 })];
  expect(h1).toEqual(h2);
  expect(net.getWeights()).toEqual(twin.getWeights());
}

function expectThrows(fn: () => unknown, cls: ErrorClass, message: RegExp): void {
  expect(fn).toThrow(cls);
  expect(fn).toThrow(message);
}

/** fit must not throw synchronously: it returns a promise that rejects. */
async function expectRejects(fn: () => Promise<unknown>, cls: ErrorClass, message: RegExp): Promise<void> {
  let promise: Promise<unknown> | undefined;
  expect(() => {
    promise = fn();
  }).not.toThrow();
  expect(promise).toBeInstanceOf(Promise);
  await expect(promise).rejects.toThrow(cls);
  await expect(promise).rejects.toThrow(message);
}

// ---- network configuration ------------------------------------------------------------------

interface ConfigCase {
  name: string;
  config: (backend: BackendName) => unknown;
  message: RegExp;
}

const base = (backend: BackendName): NetworkConfig => ({
  inputSize: 3,
  layers: [dense(4, { activation: 'relu' }), dense(2)],
  loss: 'mse',
  seed: 1,
  backend,
});

const configCases: ConfigCase[] = [
  { name: 'config is undefined', config: () => undefined, message: /Network config must be an object, got undefined/ },
  { name: 'config is a string', config: () => 'mse', message: /Network config must be an object, got "mse"/ },
  {
    name: 'inputSize missing',
    config: (b) => ({ ...base(b), inputSize: undefined }),
    message: /inputSize must be a positive integer, got undefined/,
  },
  { name: 'inputSize 0', config: (b) => ({ ...base(b), inputSize: 0 }), message: /inputSize must be a positive integer, got 0/ },
  { name: 'inputSize -3', config: (b) => ({ ...base(b), inputSize: -3 }), message: /inputSize must be a positive integer, got -3/ },
  { name: 'inputSize 2.5', config: (b) => ({ ...base(b), inputSize: 2.5 }), message: /inputSize must be a positive integer, got 2\.5/ },
  { name: 'inputSize NaN', config: (b) => ({ ...base(b), inputSize: NaN }), message: /inputSize must be a positive integer, got NaN/ },
  { name: 'inputSize "3"', config: (b) => ({ ...base(b), inputSize: '3' }), message: /inputSize must be a positive integer, got "3"/ },
  {
    name: 'layers empty',
    config: (b) => ({ ...base(b), layers: [] }),
    message: /layers must be a non-empty array of layers such as dense\(8\), got an array of length 0/,
  },
  { name: 'layers missing', config: (b) => ({ ...base(b), layers: undefined }), message: /layers must be a non-empty array.*got undefined/ },
  {
    name: 'layers is a single layer, not an array',
    config: (b) => ({ ...base(b), layers: dense(2) }),
    message: /layers must be a non-empty array.*got an object/,
  },
  {
    name: 'a number in layers',
    config: (b) => ({ ...base(b), layers: [dense(4), 4] }),
    message: /layers\[1\] must be a layer made by dense\(units, options\), dropout\(rate\), normalization\(options\), batchNorm\(options\) or layerNorm\(options\), got 4/,
  },
  {
    name: 'the dense function itself (not called) in layers',
    config: (b) => ({ ...base(b), layers: [dense] }),
    message: /layers\[0\] must be a layer made by dense\(units, options\), dropout\(rate\), normalization\(options\), batchNorm\(options\) or layerNorm\(options\), got a function/,
  },
  {
    name: 'a string in layers',
    config: (b) => ({ ...base(b), layers: [dense(4), 'dense'] }),
    message: /layers\[1\] must be a layer made by dense\(units, options\), dropout\(rate\), normalization\(options\), batchNorm\(options\) or layerNorm\(options\), got "dense"/,
  },
  {
    name: 'null in layers',
    config: (b) => ({ ...base(b), layers: [null, dense(2)] }),
    message: /layers\[0\] must be a layer made by dense\(units, options\), dropout\(rate\), normalization\(options\), batchNorm\(options\) or layerNorm\(options\), got null/,
  },
  {
    name: 'an object without type in layers',
    config: (b) => ({ ...base(b), layers: [{ units: 4, activation: 'relu' }, dense(2)] }),
    message: /layers\[0\] must be a layer made by dense\(units, options\), dropout\(rate\), normalization\(options\), batchNorm\(options\) or layerNorm\(options\), got an object/,
  },
  // Hand-written layer objects (DenseLayer is an exported interface) bypass dense()'s checks.
  {
    name: 'hand-written layer object with units 0',
    config: (b) => ({ ...base(b), layers: [{ type: 'dense', units: 0, activation: 'relu', alpha: 0.01 }] }),
    message: /layers\[0\].*units.*got 0/,
  },
  {
    name: 'hand-written layer object with units 2.5',
    config: (b) => ({ ...base(b), layers: [{ type: 'dense', units: 2.5, activation: 'relu', alpha: 0.01 }] }),
    message: /layers\[0\].*units.*got 2\.5/,
  },
  {
    name: 'hand-written layer object with activation "relu7"',
    config: (b) => ({ ...base(b), layers: [{ type: 'dense', units: 2, activation: 'relu7', alpha: 0.01 }] }),
    message: /layers\[0\].*activation.*"relu".*got "relu7" \(did you mean "relu"\?\)/,
  },
  {
    name: 'unknown loss name',
    config: (b) => ({ ...base(b), loss: 'crossentropy' }),
    message: /loss must be one of "mse", "mae", "huber", "categoricalCrossentropy", "sparseCategoricalCrossentropy", "binaryCrossentropy", got "crossentropy"/,
  },
  { name: 'loss name in the wrong case', config: (b) => ({ ...base(b), loss: 'MSE' }), message: /loss must be one of "mse".*got "MSE"/ },
  {
    name: 'loss missing',
    config: (b) => ({ ...base(b), loss: undefined }),
    message: /loss is required: one of "mse", "mae", "huber", "categoricalCrossentropy", "sparseCategoricalCrossentropy", "binaryCrossentropy"/,
  },
  {
    name: 'categoricalCrossentropy with a sigmoid output',
    config: (b) => ({ ...base(b), layers: [dense(4), dense(2, { activation: 'sigmoid' })], loss: 'categoricalCrossentropy' }),
    message: /loss "categoricalCrossentropy" needs a "softmax" output layer, but the last layer's activation is "sigmoid"/,
  },
  {
    name: 'categoricalCrossentropy with a linear output',
    config: (b) => ({ ...base(b), loss: 'categoricalCrossentropy' }),
    message: /loss "categoricalCrossentropy" needs a "softmax" output layer, but the last layer's activation is "linear"/,
  },
  {
    name: 'binaryCrossentropy with a softmax output',
    config: (b) => ({ ...base(b), layers: [dense(4), dense(2, { activation: 'softmax' })], loss: 'binaryCrossentropy' }),
    message: /loss "binaryCrossentropy" needs a "sigmoid" output layer, but the last layer's activation is "softmax"/,
  },
  {
    name: 'optimizer "nadam" (by name, not supported)',
    config: (b) => ({ ...base(b), optimizer: 'nadam' }),
    message: /optimizer\.type must be one of "sgd", "adam", "adamw", "rmsprop", "adagrad", got "nadam"/,
  },
  {
    name: 'optimizer { type: "adam", momentum } (an SGD option)',
    config: (b) => ({ ...base(b), optimizer: { type: 'adam', learningRate: 0.001, momentum: 0.9 } as never }),
    message: /optimizer \(adam\): unknown option "momentum"; expected one of "type", "clipNorm", "learningRate", "beta1", "beta2", "epsilon"/,
  },
  {
    name: 'optimizer without type',
    config: (b) => ({ ...base(b), optimizer: { learningRate: 0.1 } }),
    message: /optimizer\.type must be one of "sgd", "adam", "adamw", "rmsprop", "adagrad", got undefined/,
  },
  {
    name: 'optimizer is a number',
    config: (b) => ({ ...base(b), optimizer: 0.1 }),
    message: /optimizer must be an object such as \{ type: 'adam', learningRate: 0\.001 \} or a name, got 0\.1/,
  },
  ...[-0.1, NaN, Infinity, -Infinity].map(
    (lr): ConfigCase => ({
      name: `learningRate ${lr}`,
      config: (b) => ({ ...base(b), optimizer: { type: 'sgd', learningRate: lr } }),
      message: new RegExp(`optimizer\\.learningRate must be a finite number ≥ 0, got ${String(lr)}`),
    }),
  ),
  {
    name: 'learningRate "0.1"',
    config: (b) => ({ ...base(b), optimizer: { type: 'sgd', learningRate: '0.1' } }),
    message: /optimizer\.learningRate must be a finite number ≥ 0, got "0\.1"/,
  },
  ...[1, -0.1, 1.5, NaN].map(
    (m): ConfigCase => ({
      name: `momentum ${m}`,
      config: (b) => ({ ...base(b), optimizer: { type: 'sgd', learningRate: 0.1, momentum: m } }),
      message: new RegExp(`optimizer\\.momentum must be a number in \\[0, 1\\), got ${String(m).replace('.', '\\.')}`),
    }),
  ),
  {
    name: 'typo "learningrate" in optimizer',
    config: (b) => ({ ...base(b), optimizer: { type: 'sgd', learningrate: 0.1 } }),
    message: /optimizer \(sgd\): unknown option "learningrate"; expected one of "type", "clipNorm", "learningRate", "momentum", "nesterov"/,
  },
  {
    name: 'typo "bakend" in config',
    config: (b) => ({ ...base(b), bakend: 'js' }),
    message: /Network config: unknown option "bakend"; expected one of .*"backend"/,
  },
  {
    name: 'typo "layer" in config',
    config: (b) => ({ ...base(b), layer: [dense(2)] }),
    message: /Network config: unknown option "layer"; expected one of .*"layers"/,
  },
  { name: 'seed 1.5', config: (b) => ({ ...base(b), seed: 1.5 }), message: /seed must be an integer, got 1\.5/ },
  { name: 'seed NaN', config: (b) => ({ ...base(b), seed: NaN }), message: /seed must be an integer, got NaN/ },
  { name: 'seed "42"', config: (b) => ({ ...base(b), seed: '42' }), message: /seed must be an integer, got "42"/ },
  { name: 'backend "webgpu"', config: (b) => ({ ...base(b), backend: 'webgpu' }), message: /backend must be one of "wasm", "js", got "webgpu"/ },
  { name: 'backend "WASM"', config: (b) => ({ ...base(b), backend: 'WASM' }), message: /backend must be one of "wasm", "js", got "WASM"/ },
];

describe.each(BACKENDS)('Network config errors (%s)', (backend) => {
  it('the base config is accepted (control)', () => {
    expect(() => new Network(base(backend))).not.toThrow();
  });

  it.each(configCases)('$name → ConfigError', ({ config, message }) => {
    const make = () => new Network(bad<NetworkConfig>(config(backend)));
    expectThrows(make, ConfigError, message);
  });
});

describe('dense() errors', () => {
  const cases: { name: string; make: () => unknown; message: RegExp }[] = [
    { name: 'dense(0)', make: () => dense(0), message: /dense\(\) units must be a positive integer, got 0/ },
    { name: 'dense(2.5)', make: () => dense(2.5), message: /dense\(\) units must be a positive integer, got 2\.5/ },
    { name: 'dense(-1)', make: () => dense(-1), message: /dense\(\) units must be a positive integer, got -1/ },
    { name: 'dense(NaN)', make: () => dense(NaN), message: /dense\(\) units must be a positive integer, got NaN/ },
    { name: 'dense("4")', make: () => dense(bad('4')), message: /dense\(\) units must be a positive integer, got "4"/ },
    { name: 'dense()', make: () => bad<(u?: number) => unknown>(dense)(), message: /dense\(\) units must be a positive integer, got undefined/ },
    {
      name: 'activation "relu8"',
      make: () => dense(4, { activation: bad('relu8') }),
      message: /dense\(\) activation must be one of "linear", "sigmoid", "tanh", "relu", "leakyRelu", "softmax", "elu", "selu", "softplus", "gelu", "swish", "geluExact", "relu6", got "relu8" \(did you mean "relu"\?\)/,
    },
    { name: 'activation "ReLU"', make: () => dense(4, { activation: bad('ReLU') }), message: /dense\(\) activation must be one of .*"relu".*got "ReLU"/ },
    {
      name: 'typo "activaton"',
      make: () => dense(4, bad({ activaton: 'relu' })),
      message: /dense\(\): unknown option "activaton"; expected one of "activation", "alpha"/,
    },
    {
      name: 'alpha with relu',
      make: () => dense(4, { activation: 'relu', alpha: 0.2 }),
      message: /alpha only applies to activations "leakyRelu" and "elu", not "relu"/,
    },
    {
      name: 'alpha with the default (linear) activation',
      make: () => dense(4, { alpha: 0.2 }),
      message: /alpha only applies to activations "leakyRelu" and "elu", not "linear"/,
    },
    {
      name: 'alpha NaN with leakyRelu',
      make: () => dense(4, { activation: 'leakyRelu', alpha: NaN }),
      message: /dense\(\) alpha must be a finite number, got NaN/,
    },
    {
      name: 'alpha "0.1" with leakyRelu',
      make: () => dense(4, { activation: 'leakyRelu', alpha: bad('0.1') }),
      message: /dense\(\) alpha must be a finite number, got "0\.1"/,
    },
    { name: 'options as a string', make: () => dense(4, bad('relu')), message: /dense\(\) options must be an object, got "relu"/ },
    { name: 'options null', make: () => dense(4, bad(null)), message: /dense\(\) options must be an object, got null/ },
  ];

  it('valid layers are accepted (control)', () => {
    expect(dense(4, { activation: 'leakyRelu', alpha: 0.2 })).toMatchObject({ type: 'dense', units: 4, activation: 'leakyRelu', alpha: 0.2 });
  });

  it.each(cases)('$name → ConfigError', ({ make, message }) => {
    expectThrows(make, ConfigError, message);
  });
});

// ---- data errors for predict, evaluate, trainBatch, fit, computeGradients -------------------

interface DataCase {
  name: string;
  x: unknown;
  y: unknown;
  error: ErrorClass;
  message: RegExp;
  /** the error comes from x, so predict(x) must reject it too */
  badX: boolean;
}

const dataCases: DataCase[] = [
  { name: 'x rows ≠ y rows', x: X, y: Y.slice(0, 5), error: ShapeError, message: /x has 6 rows but y has 5/, badX: false },
  { name: 'x rows ≠ y rows (Float64Array)', x: f64(X), y: f64(Y.slice(0, 4)), error: ShapeError, message: /x has 6 rows but y has 4/, badX: false },
  { name: 'x rows ≠ y rows (mixed)', x: f64(X.slice(0, 3)), y: Y, error: ShapeError, message: /x has 3 rows but y has 6/, badX: false },
  { name: 'x with 2 columns, expected 3', x: X.map((r) => r.slice(0, 2)), y: Y, error: ShapeError, message: /x\[0\] has 2 values, expected 3/, badX: true },
  { name: 'x with 4 columns, expected 3', x: X.map((r) => [...r, 1]), y: Y, error: ShapeError, message: /x\[0\] has 4 values, expected 3/, badX: true },
  {
    name: 'x Float64Array of length 17 (not a multiple of 3)',
    x: new Float64Array(X.flat().slice(0, 17)),
    y: Y,
    error: ShapeError,
    message: /x: a Float64Array of length 17 is not a whole number of rows of 3 values \(expected a positive multiple of 3\)/,
    badX: true,
  },
  {
    name: 'y Float64Array of length 11 (not a multiple of 2)',
    x: X,
    y: new Float64Array(Y.flat().slice(0, 11)),
    error: ShapeError,
    message: /y: a Float64Array of length 11 is not a whole number of rows of 2 values/,
    badX: false,
  },
  { name: 'y with 3 columns, expected 2', x: X, y: Y.map((r) => [...r, 0]), error: ShapeError, message: /y\[0\] has 3 values?, expected 2/, badX: false },
  { name: 'y with 1 column, expected 2', x: X, y: Y.map((r) => [r[0]]), error: ShapeError, message: /y\[0\] has 1 values?, expected 2/, badX: false },
  {
    name: 'ragged x (row 3 has 2 values)',
    x: X.map((r, i) => (i === 3 ? r.slice(0, 2) : r)),
    y: Y,
    error: ShapeError,
    message: /x\[3\] has 2 values, expected 3/,
    badX: true,
  },
  {
    name: 'ragged y (row 5 has 3 values)',
    x: X,
    y: Y.map((r, i) => (i === 5 ? [...r, 1] : r)),
    error: ShapeError,
    message: /y\[5\] has 3 values, expected 2/,
    badX: false,
  },
  { name: 'x row 1 is a number', x: X.map((r, i) => (i === 1 ? 5 : r)), y: Y, error: ShapeError, message: /x\[1\] must be an array of 3 numbers, got 5/, badX: true },
  { name: 'x is a flat number[]', x: X.flat(), y: Y, error: ShapeError, message: /x must be rows, one array per sample: got a flat array of 18 numbers/, badX: true },
  { name: 'NaN in x[2][1]', x: withValue(X, 2, 1, NaN), y: Y, error: DataError, message: /x\[2\]\[1\] is NaN/, badX: true },
  { name: 'Infinity in x[0][2]', x: withValue(X, 0, 2, Infinity), y: Y, error: DataError, message: /x\[0\]\[2\] is Infinity/, badX: true },
  { name: '-Infinity in y[4][0]', x: X, y: withValue(Y, 4, 0, -Infinity), error: DataError, message: /y\[4\]\[0\] is -Infinity/, badX: false },
  { name: 'NaN in y[0][1]', x: X, y: withValue(Y, 0, 1, NaN), error: DataError, message: /y\[0\]\[1\] is NaN/, badX: false },
  { name: 'a string in x[1][0]', x: withValue(X, 1, 0, '0.5'), y: Y, error: DataError, message: /x\[1\]\[0\] is "0\.5"/, badX: true },
  { name: 'a string in y[2][1]', x: X, y: withValue(Y, 2, 1, 'one'), error: DataError, message: /y\[2\]\[1\] is "one"/, badX: false },
  { name: 'null in x[4][0]', x: withValue(X, 4, 0, null), y: Y, error: DataError, message: /x\[4\]\[0\] is null/, badX: true },
  { name: 'null in y[3][1]', x: X, y: withValue(Y, 3, 1, null), error: DataError, message: /y\[3\]\[1\] is null/, badX: false },
  { name: 'undefined in x[5][1]', x: withValue(X, 5, 1, undefined), y: Y, error: DataError, message: /x\[5\]\[1\] is undefined/, badX: true },
  { name: 'true in x[0][0]', x: withValue(X, 0, 0, true), y: Y, error: DataError, message: /x\[0\]\[0\] is true/, badX: true },
  {
    name: 'NaN in a Float64Array x (index 7 = [2][1])',
    x: (() => {
      const a = f64(X);
      a[7] = NaN;
      return a;
    })(),
    y: Y,
    error: DataError,
    message: /x\[2\]\[1\] is NaN/,
    badX: true,
  },
  {
    name: 'Infinity in a Float64Array y (index 9 = [4][1])',
    x: X,
    y: (() => {
      const a = f64(Y);
      a[9] = Infinity;
      return a;
    })(),
    error: DataError,
    message: /y\[4\]\[1\] is Infinity/,
    badX: false,
  },
  { name: 'x is []', x: [], y: Y, error: ShapeError, message: /x has no rows/, badX: true },
  { name: 'y is []', x: X, y: [], error: ShapeError, message: /y has no rows/, badX: false },
  {
    name: 'x is an empty Float64Array',
    x: new Float64Array(0),
    y: Y,
    error: ShapeError,
    message: /x: a Float64Array of length 0 is not a whole number of rows of 3 values/,
    badX: true,
  },
  {
    name: 'x is a string',
    x: 'abc',
    y: Y,
    error: ShapeError,
    message: /x must be a number\[\]\[\] or a row-major typed array \(Float64Array, Float32Array, …\), got "abc"/,
    badX: true,
  },
  { name: 'x is an object', x: { data: X }, y: Y, error: ShapeError, message: /x must be a number\[\]\[\] or a row-major typed array \(Float64Array, Float32Array, …\), got an object/, badX: true },
  { name: 'x is undefined', x: undefined, y: Y, error: ShapeError, message: /x must be a number\[\]\[\] or a row-major typed array \(Float64Array, Float32Array, …\), got undefined/, badX: true },
  {
    name: 'x is a Float32Array of a wrong length',
    x: new Float32Array(17),
    y: Y,
    error: ShapeError,
    message: /x: a Float32Array of length 17 is not a whole number of rows of 3 values \(expected a positive multiple of 3\)/,
    badX: true,
  },
  {
    name: 'x is a BigInt64Array',
    x: new BigInt64Array(18),
    y: Y,
    error: ShapeError,
    message: /x: a BigInt64Array is not accepted/,
    badX: true,
  },
  { name: 'y is null', x: X, y: null, error: ShapeError, message: /y must be a number\[\]\[\] or a row-major typed array \(Float64Array, Float32Array, …\), got null/, badX: false },
  { name: 'y is a string', x: X, y: 'labels', error: ShapeError, message: /y must be a number\[\]\[\] or a row-major typed array \(Float64Array, Float32Array, …\), got "labels"/, badX: false },
];

type Method = 'predict' | 'evaluate' | 'trainBatch' | 'computeGradients' | 'fit';
const METHODS: Method[] = ['predict', 'evaluate', 'trainBatch', 'computeGradients', 'fit'];

function callMethod(net: Network, method: Method, x: unknown, y: unknown): unknown {
  switch (method) {
    case 'predict':
      return net.predict(bad<Float64Array>(x));
    case 'evaluate':
      return net.evaluate(bad(x), bad(y));
    case 'trainBatch':
      return net.trainBatch(bad(x), bad(y));
    case 'computeGradients':
      return net.computeGradients(bad(x), bad(y));
    case 'fit':
      return net.fit(bad(x), bad(y), { epochs: 1, batchSize: 2 });
  }
}

describe.each(BACKENDS)('data errors (%s)', (backend) => {
  describe.each(METHODS)('%s', (method) => {
    it('accepts the valid data (control)', async () => {
      const net = makeNet(backend);
      await callMethod(net, method, X, Y);
      await callMethod(net, method, f64(X), f64(Y));
    });

    const cases = method === 'predict' ? dataCases.filter((c) => c.badX) : dataCases;
    it.each(cases)('$name → $error.name, network unchanged', async ({ x, y, error, message }) => {
      const net = makeNet(backend);
      const before = net.getWeights();
      if (method === 'fit') {
        let onEpochEndCalls = 0;
        await expectRejects(
          () => net.fit(bad(x), bad(y), { epochs: 1, batchSize: 2, onEpochEnd: () => void onEpochEndCalls++ }),
          error,
          message,
        );
        expect(onEpochEndCalls).toBe(0);
      } else {
        expectThrows(() => callMethod(net, method, x, y), error, message);
      }
      await expectUntouched(net, before, backend);
    });
  });
});

// ---- fit options ----------------------------------------------------------------------------

describe.each(BACKENDS)('fit option errors (%s)', (backend) => {
  const cases: { name: string; options: unknown; message: RegExp }[] = [
    { name: 'batchSize 0', options: { batchSize: 0 }, message: /fit options\.batchSize must be a positive integer, got 0/ },
    { name: 'batchSize -1', options: { batchSize: -1 }, message: /fit options\.batchSize must be a positive integer, got -1/ },
    { name: 'batchSize 1.5', options: { batchSize: 1.5 }, message: /fit options\.batchSize must be a positive integer, got 1\.5/ },
    { name: 'batchSize NaN', options: { batchSize: NaN }, message: /fit options\.batchSize must be a positive integer, got NaN/ },
    { name: 'batchSize "8"', options: { batchSize: '8' }, message: /fit options\.batchSize must be a positive integer, got "8"/ },
    { name: 'epochs 0', options: { epochs: 0 }, message: /fit options\.epochs must be a positive integer, got 0/ },
    { name: 'epochs -2', options: { epochs: -2 }, message: /fit options\.epochs must be a positive integer, got -2/ },
    { name: 'epochs 2.5', options: { epochs: 2.5 }, message: /fit options\.epochs must be a positive integer, got 2\.5/ },
    { name: 'epochs Infinity', options: { epochs: Infinity }, message: /fit options\.epochs must be a positive integer, got Infinity/ },
    {
      name: 'unknown key "epoch"',
      options: { epoch: 3 },
      message: /fit options: unknown option "epoch"; expected one of "epochs", "batchSize", "shuffle", "onEpochEnd", "yieldEvery"/,
    },
    { name: 'unknown key "batchsize"', options: { batchsize: 8 }, message: /fit options: unknown option "batchsize"; expected one of .*"batchSize"/ },
    { name: 'onEpochEnd "log"', options: { onEpochEnd: 'log' }, message: /fit options\.onEpochEnd must be a function, got "log"/ },
    { name: 'onEpochEnd an object', options: { onEpochEnd: {} }, message: /fit options\.onEpochEnd must be a function, got an object/ },
    { name: 'yieldEvery -1', options: { yieldEvery: -1 }, message: /fit options\.yieldEvery must be a number of milliseconds ≥ 0, got -1/ },
    { name: 'yieldEvery NaN', options: { yieldEvery: NaN }, message: /fit options\.yieldEvery must be a number of milliseconds ≥ 0, got NaN/ },
    { name: 'yieldEvery "16"', options: { yieldEvery: '16' }, message: /fit options\.yieldEvery must be a number of milliseconds ≥ 0, got "16"/ },
    { name: 'shuffle "yes"', options: { shuffle: 'yes' }, message: /fit options\.shuffle must be true or false, got "yes"/ },
    { name: 'options null', options: null, message: /fit options must be an object, got null/ },
    { name: 'options a number', options: 10, message: /fit options must be an object, got 10/ },
  ];

  it.each(cases)('$name → rejects with ConfigError, network unchanged', async ({ options, message }) => {
    const net = makeNet(backend);
    const before = net.getWeights();
    await expectRejects(() => net.fit(X, Y, bad(options)), ConfigError, message);
    await expectUntouched(net, before, backend);
  });

  it('bad options and bad data together: rejects (either error may win), network unchanged', async () => {
    const net = makeNet(backend);
    const before = net.getWeights();
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = net.fit(bad('abc'), Y, { batchSize: 0 });
    }).not.toThrow();
    const err = await promise!.catch((e: unknown) => e);
    expect(err instanceof ConfigError || err instanceof ShapeError).toBe(true);
    expect((err as Error).message).toMatch(/batchSize must be a positive integer, got 0|x must be a number\[\]\[\] or a row-major typed array \(Float64Array, Float32Array, …\), got "abc"/);
    await expectUntouched(net, before, backend);
  });
});

// ---- setWeights -----------------------------------------------------------------------------

describe.each(BACKENDS)('setWeights errors (%s)', (backend) => {
  // makeNet: layer 0 is 3×4 (12 weights, 4 biases), layer 1 is 4×2 (8 weights, 2 biases).
  const fresh = (): LayerWeights[] => [
    { weights: new Float64Array(12).fill(0.5), bias: new Float64Array(4).fill(0.25) },
    { weights: new Float64Array(8).fill(-0.5), bias: new Float64Array(2).fill(-0.25) },
  ];
  const modified = (layer: number, key: 'weights' | 'bias', value: unknown): unknown[] => {
    const w: Record<string, unknown>[] = fresh().map((l) => ({ ...l }));
    w[layer]![key] = value;
    return w;
  };
  const withNumber = (layer: number, key: 'weights' | 'bias', index: number, value: unknown): unknown[] => {
    const arr: unknown[] = Array.from(fresh()[layer]![key]);
    arr[index] = value;
    return modified(layer, key, arr);
  };
  const withF64 = (layer: number, key: 'weights' | 'bias', index: number, value: number): unknown[] => {
    const arr = fresh()[layer]![key].slice();
    arr[index] = value;
    return modified(layer, key, arr);
  };

  it('valid weights are copied in (control)', () => {
    const net = makeNet(backend);
    net.setWeights(fresh());
    expect(net.getWeights()).toEqual(fresh());
  });

  const cases: { name: string; weights: () => unknown; error: ErrorClass; message: RegExp }[] = [
    {
      name: 'one layer instead of two',
      weights: () => fresh().slice(0, 1),
      error: ShapeError,
      message: /setWeights expects an array of 2 \{ weights, bias \} entries \(one per layer with parameters: dense, batchNorm, layerNorm\), got an array of length 1/,
    },
    {
      name: 'three layers instead of two',
      weights: () => [...fresh(), fresh()[0]],
      error: ShapeError,
      message: /setWeights expects an array of 2 .*got an array of length 3/,
    },
    { name: 'not an array (object)', weights: () => ({ 0: fresh()[0] }), error: ShapeError, message: /setWeights expects an array of 2 .*got an object/ },
    { name: 'null', weights: () => null, error: ShapeError, message: /setWeights expects an array of 2 .*got null/ },
    { name: 'entry 1 is null', weights: () => [fresh()[0], null], error: ShapeError, message: /setWeights: entry 1 must be \{ weights, bias \}, got null/ },
    {
      name: 'layer 0 weights of length 11, expected 12',
      weights: () => modified(0, 'weights', new Float64Array(11)),
      error: ShapeError,
      message: /setWeights: layer 0 weights \(3×4\) has length 11, expected 12/,
    },
    {
      name: 'layer 1 weights of length 9, expected 8',
      weights: () => modified(1, 'weights', new Float64Array(9)),
      error: ShapeError,
      message: /setWeights: layer 1 weights \(4×2\) has length 9, expected 8/,
    },
    {
      name: 'layer 1 bias of length 3, expected 2',
      weights: () => modified(1, 'bias', new Float64Array(3)),
      error: ShapeError,
      message: /setWeights: layer 1 bias has length 3, expected 2/,
    },
    {
      name: 'layer 0 bias missing',
      weights: () => modified(0, 'bias', undefined),
      error: ShapeError,
      message: /setWeights: layer 0 bias must be a Float64Array or number\[\] of length 4, got undefined/,
    },
    {
      name: 'layer 1 weights as a Float32Array',
      weights: () => modified(1, 'weights', new Float32Array(8)),
      error: ShapeError,
      message: /setWeights: layer 1 weights \(4×2\) must be a Float64Array or number\[\] of length 8, got a Float32Array/,
    },
    {
      name: 'NaN in layer 1 weights[5]',
      weights: () => withF64(1, 'weights', 5, NaN),
      error: DataError,
      message: /setWeights: layer 1 weights \(4×2\)\[5\] is NaN; weights must be finite numbers/,
    },
    {
      name: 'Infinity in layer 0 bias[2]',
      weights: () => withF64(0, 'bias', 2, Infinity),
      error: DataError,
      message: /setWeights: layer 0 bias\[2\] is Infinity/,
    },
    {
      name: 'a string in layer 1 bias[1] (number[])',
      weights: () => withNumber(1, 'bias', 1, '0.5'),
      error: DataError,
      message: /setWeights: layer 1 bias\[1\] is "0\.5"/,
    },
    {
      name: 'null in layer 0 weights[0] (number[])',
      weights: () => withNumber(0, 'weights', 0, null),
      error: DataError,
      message: /setWeights: layer 0 weights \(3×4\)\[0\] is null/,
    },
  ];

  it.each(cases)('$name → $error.name, network unchanged (layer 0 too)', async ({ weights, error, message }) => {
    const net = makeNet(backend);
    const before = net.getWeights();
    // Layer 0 of the rejected argument is valid and different (when present): it must not be copied in.
    expectThrows(() => net.setWeights(bad(weights())), error, message);
    await expectUntouched(net, before, backend);
  });

  it('a failure in the LAST layer leaves the FIRST layer unchanged', () => {
    const net = makeNet(backend);
    const before = net.getWeights();
    const attempt = withF64(1, 'bias', 1, NaN) as LayerWeights[];
    expect(attempt[0]!.weights).not.toEqual(before[0]!.weights);
    expect(() => net.setWeights(attempt)).toThrow(DataError);
    expect(net.getWeights()[0]).toEqual(before[0]);
    expect(net.getWeights()).toEqual(before);
  });
});

// ---- divergence -----------------------------------------------------------------------------

describe.each(BACKENDS)('divergence (%s)', (backend) => {
  it('fit with learning rate 1e6 (relu net, mse, large targets) rejects with DivergenceError; weights stay finite', async () => {
    const make = () =>
      new Network({
        inputSize: 2,
        layers: [dense(8, { activation: 'relu' }), dense(1)],
        loss: 'mse',
        optimizer: { type: 'sgd', learningRate: 1e6 },
        seed: 7,
        backend,
      });
    const x: number[][] = [];
    const y: number[][] = [];
    for (let i = 0; i < 64; i++) {
      const a = (i % 8) - 3.5;
      const b = Math.floor(i / 8) - 3.5;
      x.push([a, b]);
      y.push([1e3 * a - 5e2 * b]);
    }
    const net = make();
    const epochsSeen: number[] = [];
    const promise = net.fit(x, y, { epochs: 50, batchSize: 8, onEpochEnd: (e) => void epochsSeen.push(e) });
    await expect(promise).rejects.toThrow(DivergenceError);
    await expect(promise).rejects.toThrow(/training diverged: .* at epoch \d+ \(0-based\), batch \d+/);
    const err = (await promise.catch((e: unknown) => e)) as DivergenceError;
    expect(err).toBeInstanceOf(WasmnetError);
    expect(err.name).toBe('DivergenceError');
    expect(Number.isInteger(err.epoch) && err.epoch >= 0).toBe(true);
    expect(Number.isInteger(err.batch) && err.batch >= 0 && err.batch < 8).toBe(true);
    expect(err.message).toContain(`at epoch ${err.epoch} (0-based), batch ${err.batch}`);
    expect(epochsSeen).toEqual(Array.from({ length: err.epoch }, (_, i) => i));
    expect(allFinite(net.getWeights())).toBe(true);
    // Deterministic: a twin with the same seed diverges at the same place with the same weights.
    const twin = make();
    const twinErr = (await twin.fit(x, y, { epochs: 50, batchSize: 8 }).catch((e: unknown) => e)) as DivergenceError;
    expect(twinErr).toBeInstanceOf(DivergenceError);
    expect([twinErr.epoch, twinErr.batch]).toEqual([err.epoch, err.batch]);
    expect(twin.getWeights()).toEqual(net.getWeights());
  });

  it('divergence at a later epoch names that epoch, and the failing update is not applied', async () => {
    const make = () =>
      new Network({ inputSize: 1, layers: [dense(1)], loss: 'mse', optimizer: { type: 'sgd', learningRate: 10 }, seed: 3, backend });
    const x = [-3, -2, -1, 0, 1, 2, 3].map((v) => [v]);
    const y = x.map(([v]) => [2 * v! + 1]);
    const net = make();
    let calls = 0;
    const err = (await net.fit(x, y, { epochs: 1000, batchSize: 7, onEpochEnd: () => void calls++ }).catch((e: unknown) => e)) as DivergenceError;
    expect(err).toBeInstanceOf(DivergenceError);
    expect(err.epoch).toBeGreaterThan(0);
    expect(err.batch).toBe(0);
    expect(Number.isFinite(err.loss)).toBe(false);
    expect(err.message).toMatch(new RegExp(`the loss is (Infinity|NaN) at epoch ${err.epoch} \\(0-based\\), batch 0`));
    expect(calls).toBe(err.epoch);
    expect(allFinite(net.getWeights())).toBe(true);
    // One batch per epoch: the weights are exactly those after `err.epoch` clean epochs.
    const twin = make();
    await twin.fit(x, y, { epochs: err.epoch, batchSize: 7 });
    expect(net.getWeights()).toEqual(twin.getWeights());
  });

  it('trainBatch divergence (non-finite loss) outside fit: epoch -1, batch -1, network unchanged', async () => {
    const net = makeNet(backend);
    const twin = makeNet(backend);
    // One clean step first, so that momentum state is non-zero and must also survive.
    expect(net.trainBatch(X, Y)).toBe(twin.trainBatch(X, Y));
    const before = net.getWeights();
    const huge = Y.map((r) => r.map((v) => (v + 1) * 1e200));
    expect(() => net.trainBatch(X, huge)).toThrow(DivergenceError);
    expect(() => net.trainBatch(X, huge)).toThrow(/training diverged: the loss is Infinity; the weights were left as they were before this batch/);
    const err = (() => {
      try {
        net.trainBatch(X, huge);
      } catch (e) {
        return e as DivergenceError;
      }
      throw new Error('no error');
    })();
    expect(err.epoch).toBe(-1);
    expect(err.batch).toBe(-1);
    expect(err.loss).toBe(Infinity);
    expect(err.message).not.toMatch(/epoch/);
    expect(net.getWeights()).toEqual(before);
    expect(net.trainBatch(X, Y)).toBe(twin.trainBatch(X, Y));
    expect(net.getWeights()).toEqual(twin.getWeights());
    expect(await net.fit(X, Y, { epochs: 2, batchSize: 4 })).toEqual(await twin.fit(X, Y, { epochs: 2, batchSize: 4 }));
    expect(net.getWeights()).toEqual(twin.getWeights());
  });

  // A single linear unit with w = 1, b = 0 and x = 1e154: the loss (1e154)² = 1e308 is finite,
  // the weight gradient 2·1e154·1e154 = 2e308 overflows.
  const linear = (learningRate: number, momentum = 0) =>
    new Network({ inputSize: 1, layers: [dense(1)], loss: 'mse', optimizer: { type: 'sgd', learningRate, momentum }, seed: 5, backend });

  it('trainBatch divergence (finite loss, overflowing gradients): DivergenceError, network unchanged', () => {
    const net = linear(0.1, 0.5);
    const twin = linear(0.1, 0.5);
    const start = [{ weights: new Float64Array([1]), bias: new Float64Array([0]) }];
    net.setWeights(start);
    twin.setWeights(start);
    // Target -3 pulls w below 1 (to 0.2), so that x·a overflows while a² does not.
    expect(net.trainBatch([[1]], [[-3]])).toBe(twin.trainBatch([[1]], [[-3]]));
    const before = net.getWeights();
    const x = [[1e154 / before[0]!.weights[0]!]];
    expect(() => net.trainBatch(x, [[0]])).toThrow(DivergenceError);
    expect(() => net.trainBatch(x, [[0]])).toThrow(/training diverged: the gradients or the updated weights overflowed \(loss [0-9.e+]+\); the weights were left as they were/);
    expect(net.getWeights()).toEqual(before);
    expect(net.trainBatch([[1]], [[-3]])).toBe(twin.trainBatch([[1]], [[-3]]));
    expect(net.getWeights()).toEqual(twin.getWeights());
  });

  // Loss 2.5e299 and gradient 1e300 are finite, but learningRate·gradient = 1e310 is not: the
  // update itself overflows. "The failing update is never applied" requires checking it.
  it('trainBatch whose update overflows (finite loss and gradients, lr·grad = ∞) is rejected, network unchanged', () => {
    const net = linear(1e10);
    net.setWeights([{ weights: new Float64Array([0.5]), bias: new Float64Array([0]) }]);
    const before = net.getWeights();
    expect(() => net.trainBatch([[1e150]], [[0]])).toThrow(DivergenceError);
    expect(allFinite(net.getWeights())).toBe(true);
    expect(net.getWeights()).toEqual(before);
  });

  it('fit whose update overflows rejects with DivergenceError and leaves every weight finite', async () => {
    const net = linear(1e10);
    net.setWeights([{ weights: new Float64Array([0.5]), bias: new Float64Array([0]) }]);
    const promise = net.fit([[1e150], [1]], [[0], [0]], { epochs: 1, batchSize: 1, shuffle: false });
    await expect(promise).rejects.toThrow(DivergenceError);
    expect(allFinite(net.getWeights())).toBe(true);
    // Batch 0 is the one whose update overflows; it is the one to report.
    await expect(promise).rejects.toThrow(/at epoch 0 \(0-based\), batch 0/);
  });
});

describe('error names survive minification', () => {
  it('each class names itself with a string, not the (minifiable) class name', async () => {
    const { ConfigError, ShapeError, DataError, DivergenceError, InitError, FormatError, WasmnetError } = await import('../src/index');
    expect(new ConfigError('m').name).toBe('ConfigError');
    expect(new ShapeError('m').name).toBe('ShapeError');
    expect(new DataError('m').name).toBe('DataError');
    expect(new DivergenceError('m', 1, 2, NaN).name).toBe('DivergenceError');
    expect(new InitError('m').name).toBe('InitError');
    expect(new FormatError('m').name).toBe('FormatError');
    expect(new WasmnetError('m').name).toBe('WasmnetError');
    const source = (await import('node:fs')).readFileSync(new URL('../src/errors.ts', import.meta.url), 'utf8');
    expect(source).not.toContain('new.target.name');
  });
});
