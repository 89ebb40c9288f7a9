// The inputs users have: typed arrays other than Float64Array (tfjs's dataSync(), onnxruntime and
// image pipelines hand out Float32Array and Uint8Array), one row passed without its brackets, and
// Keras/tfjs spellings of names, through the public API only.
import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, Network, ShapeError, dense, init, type NetworkConfig } from 'wasmnet';

await init();

const config = (extra: Partial<NetworkConfig> = {}): NetworkConfig => ({
  inputSize: 3,
  layers: [dense(5, { activation: 'tanh' }), dense(2, { activation: 'softmax' })],
  loss: 'categoricalCrossentropy',
  optimizer: { type: 'adam', learningRate: 0.01 },
  seed: 5,
  ...extra,
});

// float32 values (every one exact as an f64) and the same values as f64
const X32 = Float32Array.from({ length: 40 * 3 }, (_, i) => Math.sin(i * 0.7) * 3.3);
const X64 = Float64Array.from(X32);
const Y8 = Uint8Array.from({ length: 40 * 2 }, (_, i) => ((i >> 1) % 3 === 0) === (i % 2 === 0) ? 1 : 0);
const Y64 = Float64Array.from(Y8);
const bytes = (net: Network) => Buffer.from(net.toBytes()).toString('hex');

describe('typed arrays other than Float64Array', () => {
  for (const backend of ['wasm', 'js'] as const) {
    it(`${backend}: Float32Array x and Uint8Array y train exactly as their f64 values; predict returns a Float64Array`, async () => {
      const a = new Network(config({ backend }));
      const b = new Network(config({ backend }));
      const ha = await a.fit(X32, Y8, { epochs: 3, batchSize: 8, validationData: [X32, Y8] });
      const hb = await b.fit(X64, Y64, { epochs: 3, batchSize: 8, validationData: [X64, Y64] });
      expect(ha).toEqual(hb);
      expect(bytes(a)).toBe(bytes(b));
      const p = a.predict(X32);
      expect(p).toBeInstanceOf(Float64Array);
      expect(Array.from(p)).toEqual(Array.from(b.predict(X64)));
      expect(a.evaluate(X32, Y8)).toEqual(b.evaluate(X64, Y64));
      expect(a.trainBatch(X32.subarray(0, 24), Int16Array.from(Y8.subarray(0, 16)))).toBe(b.trainBatch(X64.subarray(0, 24), Y64.subarray(0, 16)));
      expect(bytes(a)).toBe(bytes(b));
    });
  }

  it('integer class labels as an Int32Array for sparseCategoricalCrossentropy', async () => {
    const labels = Int32Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const make = () => new Network(config({ loss: 'sparseCategoricalCrossentropy' }));
    const [a, b] = [make(), make()];
    await a.fit(X32, labels, { epochs: 2, batchSize: 10 });
    await b.fit(X64, Float64Array.from(labels), { epochs: 2, batchSize: 10 });
    expect(bytes(a)).toBe(bytes(b));
  });

  it('a non-finite float32 is a DataError naming its row and column; a BigInt64Array is refused by name', () => {
    const net = new Network(config());
    const bad = X32.slice();
    bad[7] = Number.NaN;
    expect(() => net.predict(bad)).toThrow(new DataError('x[2][1] is NaN; every value must be a finite number'));
    expect(() => net.evaluate(bad, Y8)).toThrow(new DataError('x[2][1] is NaN; every value must be a finite number'));
    expect(() => net.predict(new BigInt64Array(3) as never)).toThrow(
      new ShapeError('x: a BigInt64Array is not accepted (not every 64-bit integer is exact as a number); convert it to a Float64Array'),
    );
    expect(() => net.predict(new Float32Array(4))).toThrow(ShapeError);
  });
});

describe('one row without its brackets', () => {
  const net = new Network(config());
  it('predict([a, b, c]) says to wrap it', () => {
    expect(() => net.predict([1, 0, 2] as never)).toThrow(
      new ShapeError('x must be rows, one array per sample: got a flat array of 3 numbers. For one sample, wrap it: [[1, 0, 2]]'),
    );
    expect(net.predict([[1, 0, 2]])).toHaveLength(1);
  });
  it('a flat array of another length says how rows are written', () => {
    expect(() => net.evaluate([1, 0, 2, 4, 5, 6] as never, [[0, 1]])).toThrow(
      new ShapeError('x must be rows, one array per sample: got a flat array of 6 numbers. Wrap each sample of 3 values in its own array ([[…], […]]), or pass a row-major Float64Array'),
    );
  });
});

describe('Keras and TensorFlow.js spellings get "did you mean"', () => {
  const refused = (extra: Partial<NetworkConfig>): string => {
    try {
      new Network(config(extra));
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('accepted');
  };
  it.each([
    ['mean_squared_error', 'mse'],
    ['meanSquaredError', 'mse'],
    ['MeanAbsoluteError', 'mae'],
    ['binary_crossentropy', 'binaryCrossentropy'],
    ['categorical_crossentropy', 'categoricalCrossentropy'],
    ['sparse_categorical_crossentropy', 'sparseCategoricalCrossentropy'],
    ['huber_loss', 'huber'],
    ['categoricalCrossEntropy', 'categoricalCrossentropy'],
  ])('loss %s → %s', (given, meant) => {
    expect(refused({ loss: given as never })).toBe(
      `loss must be one of "mse", "mae", "huber", "categoricalCrossentropy", "sparseCategoricalCrossentropy", "binaryCrossentropy", got "${given}" (did you mean "${meant}"?)`,
    );
  });
  it.each([
    ['Adam', 'adam'],
    ['SGD', 'sgd'],
    ['RMSprop', 'rmsprop'],
    ['AdamW', 'adamw'],
    ['adagard', 'adagrad'],
  ])('optimizer %s → %s', (given, meant) => {
    expect(refused({ optimizer: given as never })).toMatch(new RegExp(`, got "${given}" \\(did you mean "${meant}"\\?\\)$`));
  });
  it.each([
    ['leaky_relu', 'leakyRelu'],
    ['ReLU', 'relu'],
    ['silu', 'swish'],
    ['sigmod', 'sigmoid'],
  ])('activation %s → %s', (given, meant) => {
    expect(() => dense(3, { activation: given as never })).toThrow(new RegExp(`, got "${given}" \\(did you mean "${meant}"\\?\\)$`));
  });
  it('no hint for a name that is nothing like any', () => {
    expect(refused({ loss: 'kullback' as never })).toMatch(/, got "kullback"$/);
  });
});
