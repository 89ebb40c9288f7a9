// The documented contract of each option, at its edges: what is accepted, what is refused and
// the message that names it. Written from the docs and TSDoc, module by module, where mutation
// testing (npm run test:mutation, test/mutation/REPORT.md) showed the suite did not pin them.
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  FormatError,
  Network,
  cosineDecay,
  dense,
  earlyStopping,
  exponentialDecay,
  init,
  learningRateScheduler,
  stepDecay,
  type EarlyStoppingOptions,
  type EpochLogs,
  type History,
  type LogKey,
  type NetworkConfig,
  type TrainingControl,
} from 'wasmnet';

await init();

const base = (over: Record<string, unknown>): NetworkConfig => ({ inputSize: 2, layers: [dense(2)], loss: 'mse', seed: 1, ...over }) as NetworkConfig;
const refused = (over: Record<string, unknown>) => () => new Network(base(over));

describe('loss', () => {
  it.each([
    ['null', null, /^loss must be one of "mse", "mae", "huber", "categoricalCrossentropy", "sparseCategoricalCrossentropy", "binaryCrossentropy", got null$/],
    ['an object of another type', { type: 'mse' }, /^loss as an object must be \{ type: 'huber', delta \}, got type "mse"$/],
    ['an object without type', { delta: 1 }, /^loss as an object must be \{ type: 'huber', delta \}, got type undefined$/],
    ['huber with an unknown key', { type: 'huber', delta: 1, beta: 2 }, /^loss: unknown option "beta"; expected one of "type", "delta"$/],
    ['huber with delta 0', { type: 'huber', delta: 0 }, /^loss\.delta must be a finite number > 0, got 0$/],
    ['huber with delta −1', { type: 'huber', delta: -1 }, /^loss\.delta must be a finite number > 0, got -1$/],
    ['huber with delta "1"', { type: 'huber', delta: '1' }, /^loss\.delta must be a finite number > 0, got "1"$/],
    ['huber with delta Infinity', { type: 'huber', delta: Infinity }, /^loss\.delta must be a finite number > 0, got Infinity$/],
  ])('%s: a ConfigError naming it', (_, loss, message) => {
    expect(refused({ loss })).toThrow(ConfigError);
    expect(refused({ loss })).toThrow(message);
  });

  it('huber: any delta > 0 is accepted and read back (lossDelta)', () => {
    expect(new Network(base({ loss: { type: 'huber', delta: 1e-9 } })).lossDelta).toBe(1e-9);
    expect(new Network(base({ loss: { type: 'huber' } })).lossDelta).toBe(1);
    expect(new Network(base({ loss: 'huber' })).lossDelta).toBe(1);
    expect(new Network(base({ loss: 'mse' })).lossDelta).toBeUndefined();
  });
});

describe('optimizer', () => {
  it.each([
    ['null', null, /^optimizer must be an object such as \{ type: 'adam', learningRate: 0\.001 \} or a name, got null$/],
    ['an array', ['adam'], /^optimizer must be an object such as \{ type: 'adam', learningRate: 0\.001 \} or a name, got an array of length 1$/],
    ['a type that is not a string', { type: 1 }, /^optimizer\.type must be one of "sgd", "adam", "adamw", "rmsprop", "adagrad", got 1$/],
    ['nesterov "yes"', { type: 'sgd', nesterov: 'yes' }, /^optimizer\.nesterov must be true or false, got "yes"$/],
    ['beta1 1', { type: 'adam', beta1: 1 }, /^optimizer\.beta1 must be a number in \[0, 1\), got 1$/],
    ['beta2 1', { type: 'adamw', beta2: 1 }, /^optimizer\.beta2 must be a number in \[0, 1\), got 1$/],
    ['beta1 −0.1', { type: 'adam', beta1: -0.1 }, /^optimizer\.beta1 must be a number in \[0, 1\), got -0\.1$/],
    ['rho 1', { type: 'rmsprop', rho: 1 }, /^optimizer\.rho must be a number in \[0, 1\), got 1$/],
    ['rmsprop momentum 1', { type: 'rmsprop', momentum: 1 }, /^optimizer\.momentum must be a number in \[0, 1\), got 1$/],
    ['epsilon 0', { type: 'adam', epsilon: 0 }, /^optimizer\.epsilon must be a finite number > 0, got 0$/],
    ['weightDecay 1.5', { type: 'adamw', weightDecay: 1.5 }, /^optimizer\.weightDecay must be a number in \[0, 1\], got 1\.5$/],
    ['weightDecay −0.1', { type: 'adamw', weightDecay: -0.1 }, /^optimizer\.weightDecay must be a number in \[0, 1\], got -0\.1$/],
    ['initialAccumulatorValue −1', { type: 'adagrad', initialAccumulatorValue: -1 }, /^optimizer\.initialAccumulatorValue must be a finite number ≥ 0, got -1$/],
    ['initialAccumulatorValue Infinity', { type: 'adagrad', initialAccumulatorValue: Infinity }, /^optimizer\.initialAccumulatorValue must be a finite number ≥ 0, got Infinity$/],
    ['clipNorm 0', { type: 'sgd', clipNorm: 0 }, /^optimizer\.clipNorm must be a finite number > 0, got 0$/],
    ['an sgd option on adagrad', { type: 'adagrad', momentum: 0.5 }, /^optimizer \(adagrad\): unknown option "momentum"; expected one of "type", "clipNorm", "learningRate", "initialAccumulatorValue", "epsilon"$/],
    ['an adamw option on adam', { type: 'adam', weightDecay: 0.1 }, /^optimizer \(adam\): unknown option "weightDecay"; expected one of "type", "clipNorm", "learningRate", "beta1", "beta2", "epsilon"$/],
    ['a momentum option on adam', { type: 'rmsprop', nesterov: true }, /^optimizer \(rmsprop\): unknown option "nesterov"; expected one of "type", "clipNorm", "learningRate", "rho", "momentum", "epsilon"$/],
  ])('%s: a ConfigError naming it', (_, optimizer, message) => {
    expect(refused({ optimizer })).toThrow(ConfigError);
    expect(refused({ optimizer })).toThrow(message);
  });

  it('the edges of each range are accepted: learningRate 0, momentum/betas/rho 0, weightDecay 0 and 1, initialAccumulatorValue 0', () => {
    for (const optimizer of [
      { type: 'sgd', learningRate: 0, momentum: 0 },
      { type: 'adam', beta1: 0, beta2: 0 },
      { type: 'adamw', weightDecay: 0 },
      { type: 'adamw', weightDecay: 1 },
      { type: 'rmsprop', rho: 0, momentum: 0 },
      { type: 'adagrad', initialAccumulatorValue: 0 },
    ]) {
      expect(() => new Network(base({ optimizer })), JSON.stringify(optimizer)).not.toThrow();
    }
  });

  it('net.optimizer: every hyperparameter filled in, 0 for those the type does not use', () => {
    const zeros = { momentum: 0, nesterov: false, beta1: 0, beta2: 0, epsilon: 0, rho: 0, weightDecay: 0, initialAccumulatorValue: 0, clipNorm: 0 };
    expect(new Network(base({ optimizer: { type: 'sgd', momentum: 0.5, nesterov: true } })).optimizer).toEqual({ ...zeros, type: 'sgd', learningRate: 0.01, momentum: 0.5, nesterov: true });
    expect(new Network(base({ optimizer: 'adam' })).optimizer).toEqual({ ...zeros, type: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(new Network(base({ optimizer: 'adamw' })).optimizer).toEqual({ ...zeros, type: 'adamw', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.004 });
    expect(new Network(base({ optimizer: { type: 'rmsprop', momentum: 0.3 } })).optimizer).toEqual({ ...zeros, type: 'rmsprop', learningRate: 0.001, rho: 0.9, momentum: 0.3, epsilon: 1e-7 });
    expect(new Network(base({ optimizer: { type: 'adagrad', clipNorm: 2 } })).optimizer).toEqual({ ...zeros, type: 'adagrad', learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7, clipNorm: 2 });
  });

  it('a saved model keeps the smallest config that resolves to the same optimizer (clipNorm only when set)', () => {
    const saved = (optimizer: unknown) => new Network(base({ optimizer })).toJSON().config.optimizer;
    expect(saved('sgd')).toEqual({ type: 'sgd', learningRate: 0.01, momentum: 0, nesterov: false });
    expect(saved({ type: 'adamw', clipNorm: 0.5 })).toEqual({ type: 'adamw', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.004, clipNorm: 0.5 });
    expect(saved('adagrad')).toEqual({ type: 'adagrad', learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 });
    expect(saved('rmsprop')).toEqual({ type: 'rmsprop', learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7 });
  });

  it.each(['wasm', 'js'] as const)('clipNorm rescales the gradients to that global norm, by hand (%s)', (backend) => {
    // 1 → 1 linear, w = 0.5, b = 0, mse at x = 2, y = 0: g = (dW, db) = (4, 2), norm √20
    const step = (clipNorm?: number) => {
      const net = new Network({
        inputSize: 1,
        layers: [dense(1, { kernelInitializer: { type: 'constant', value: 0.5 } })],
        loss: 'mse',
        optimizer: { type: 'sgd', learningRate: 0.1, ...(clipNorm === undefined ? {} : { clipNorm }) },
        seed: 1,
        backend,
      });
      net.trainBatch([[2]], [[0]]);
      const [l] = net.getWeights();
      return [l!.weights[0]!, l!.bias[0]!];
    };
    const scale = 1 / Math.sqrt(20);
    const [w, b] = step(1);
    expect(w).toBeCloseTo(0.5 - 0.1 * 4 * scale, 15);
    expect(b).toBeCloseTo(-0.1 * 2 * scale, 15);
    // a norm already within clipNorm is left alone
    expect(step(5)).toEqual(step());
    expect(step(5)[0]).toBeCloseTo(0.5 - 0.4, 15);
  });
});

describe('initialisers', () => {
  it.each([
    ['an unknown name', { kernelInitializer: 'bogus' }, /^dense\(\) kernelInitializer must be one of "glorotUniform", "glorotNormal", "heUniform", "heNormal", "lecunUniform", "lecunNormal", "zeros", "ones", got "bogus"$/],
    ['an array', { kernelInitializer: ['zeros'] }, /^dense\(\) kernelInitializer must be one of .*, got an array of length 1$/],
    ['null', { kernelInitializer: null }, /^dense\(\) kernelInitializer must be one of .*, got null$/],
    ['an object of an unknown type', { kernelInitializer: { type: 'bogus' } }, /^dense\(\) kernelInitializer\.type must be one of "glorotUniform", .*, got "bogus"$/],
    ['a named type with a value', { kernelInitializer: { type: 'zeros', value: 2 } }, /^dense\(\) kernelInitializer: unknown option "value"; expected one of "type"$/],
    ['a constant with another key', { biasInitializer: { type: 'constant', value: 1, x: 2 } }, /^dense\(\) biasInitializer: unknown option "x"; expected one of "type", "value"$/],
    ['a constant without a value', { biasInitializer: { type: 'constant' } }, /^dense\(\) biasInitializer\.value must be a finite number, got undefined$/],
    ['a constant NaN', { kernelInitializer: { type: 'constant', value: NaN } }, /^dense\(\) kernelInitializer\.value must be a finite number, got NaN$/],
    ['a constant "1"', { kernelInitializer: { type: 'constant', value: '1' } }, /^dense\(\) kernelInitializer\.value must be a finite number, got "1"$/],
  ])('%s: a ConfigError naming it', (_, options, message) => {
    expect(() => dense(2, options as never)).toThrow(ConfigError);
    expect(() => dense(2, options as never)).toThrow(message);
  });

  it('the resolved form { type: name } (what a layer stores) is accepted, and kept on the layer', () => {
    expect(dense(2, { kernelInitializer: { type: 'heNormal' } as never }).kernelInitializer).toEqual({ type: 'heNormal' });
    expect(dense(2, { biasInitializer: { type: 'constant', value: -2 } }).biasInitializer).toEqual({ type: 'constant', value: -2 });
  });

  const weightsOf = (inputs: number, units: number, options: Parameters<typeof dense>[1], backend: 'wasm' | 'js' = 'wasm') =>
    new Network({ inputSize: inputs, layers: [dense(units, options)], loss: 'mse', seed: 9, backend }).getWeights()[0]!;
  const maxAbs = (w: Float64Array) => w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const std = (w: Float64Array) => Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
  const mean = (w: Float64Array) => w.reduce((s, v) => s + v, 0) / w.length;

  it('constant, zeros and ones fill every value', () => {
    const l = weightsOf(3, 4, { kernelInitializer: { type: 'constant', value: -0.25 }, biasInitializer: 'ones' });
    expect([...l.weights]).toEqual(Array(12).fill(-0.25));
    expect([...l.bias]).toEqual([1, 1, 1, 1]);
    const z = weightsOf(3, 4, { kernelInitializer: 'zeros', biasInitializer: { type: 'constant', value: 3 } });
    expect([...z.weights]).toEqual(Array(12).fill(0));
    expect([...z.bias]).toEqual([3, 3, 3, 3]);
  });

  // The documented draws (docs/layers-and-optimizers.md, Initialisers), on 60 inputs × 40 units
  it.each([
    ['glorotUniform', { limit: Math.sqrt(6 / 100) }],
    ['heUniform', { limit: Math.sqrt(6 / 60) }],
    ['lecunUniform', { limit: Math.sqrt(3 / 60) }],
    ['glorotNormal', { stddev: Math.sqrt(2 / 100) }],
    ['heNormal', { stddev: Math.sqrt(2 / 60) }],
    ['lecunNormal', { stddev: Math.sqrt(1 / 60) }],
  ] as const)('%s', (name, expected) => {
    const w = weightsOf(60, 40, { kernelInitializer: name }).weights;
    expect(Math.abs(mean(w))).toBeLessThan(0.1 * ('limit' in expected ? expected.limit : expected.stddev));
    if ('limit' in expected) {
      expect(maxAbs(w)).toBeLessThanOrEqual(expected.limit);
      expect(maxAbs(w)).toBeGreaterThan(0.98 * expected.limit);
      expect(std(w) / (expected.limit / Math.sqrt(3))).toBeGreaterThan(0.95);
      expect(std(w) / (expected.limit / Math.sqrt(3))).toBeLessThan(1.05);
    } else {
      // truncated at 2σ' with σ' = σ/0.8796 (so that the truncated draw keeps deviation σ)
      const bound = (2 * expected.stddev) / 0.87962566103423978;
      expect(maxAbs(w)).toBeLessThanOrEqual(bound + 1e-15);
      expect(maxAbs(w)).toBeGreaterThan(0.95 * bound);
      expect(std(w) / expected.stddev).toBeGreaterThan(0.95);
      expect(std(w) / expected.stddev).toBeLessThan(1.05);
    }
  });

  it('a bias initialiser has fanIn 0: heUniform draws within √(6/1) (the fan is at least 1), glorotUniform within √(6/units)', () => {
    const he = weightsOf(2, 400, { biasInitializer: 'heUniform' }).bias;
    expect(maxAbs(he)).toBeLessThanOrEqual(Math.sqrt(6));
    expect(maxAbs(he)).toBeGreaterThan(0.97 * Math.sqrt(6));
    const glorot = weightsOf(2, 400, { biasInitializer: 'glorotUniform' }).bias;
    expect(maxAbs(glorot)).toBeLessThanOrEqual(Math.sqrt(6 / 400));
    expect(maxAbs(glorot)).toBeGreaterThan(0.97 * Math.sqrt(6 / 400));
  });

  it('the draws are the same on both backends (the seed drives them, not the engine)', () => {
    for (const name of ['heNormal', 'glorotUniform'] as const) {
      expect(weightsOf(5, 7, { kernelInitializer: name }, 'js')).toEqual(weightsOf(5, 7, { kernelInitializer: name }, 'wasm'));
    }
  });
});

describe('learning-rate schedules (docs/training.md, by hand)', () => {
  it('stepDecay: initial · factor^⌊epoch / every⌋', () => {
    const s = stepDecay({ every: 3, factor: 0.1 });
    const got = [0, 1, 2, 3, 4, 5, 6, 7].map((e) => s(e, 2, 100));
    const want = [2, 2, 2, 0.2, 0.2, 0.2, 0.02, 0.02];
    for (let e = 0; e < 8; e++) expect(got[e]).toBeCloseTo(want[e]!, 15);
    expect(stepDecay({ every: 2 })(2, 1, 10)).toBe(0.5);
    expect(stepDecay({ every: 1, factor: 1 })(50, 0.3, 100)).toBe(0.3);
  });

  it('exponentialDecay: initial · rate^(epoch / every)', () => {
    const s = exponentialDecay({ rate: 0.25, every: 2 });
    expect(s(0, 3, 10)).toBe(3);
    expect(s(1, 3, 10)).toBeCloseTo(1.5, 15); // 3 · 0.25^0.5
    expect(s(2, 3, 10)).toBeCloseTo(0.75, 15);
    expect(s(5, 3, 10)).toBeCloseTo(3 * 0.25 ** 2.5, 15);
  });

  it('cosineDecay: min + (initial − min)(1 + cos(π·min(epoch, epochs)/epochs))/2, over its own epochs or fit’s', () => {
    const s = cosineDecay({ epochs: 4, minLearningRate: 0.1 });
    expect(s(0, 1, 100)).toBe(1);
    expect(s(1, 1, 100)).toBeCloseTo(0.1 + (0.9 * (1 + Math.SQRT1_2)) / 2, 15);
    expect(s(2, 1, 100)).toBeCloseTo(0.55, 15);
    expect(s(4, 1, 100)).toBeCloseTo(0.1, 15);
    expect(s(9, 1, 100)).toBeCloseTo(0.1, 15); // stays at the minimum after its epochs
    const fits = cosineDecay();
    expect(fits(5, 2, 10)).toBeCloseTo(1, 15); // half way through fit's 10 epochs, down to 0
    expect(fits(10, 2, 10)).toBeCloseTo(0, 15);
  });

  it('learningRateScheduler(schedule) sets the rate before each epoch, like the fit option', async () => {
    const net = new Network({ inputSize: 1, layers: [dense(1)], loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.4 }, seed: 1 });
    const history = await net.fit([[0], [1]], [[1], [3]], { epochs: 3, callbacks: [learningRateScheduler((epoch, initial, epochs) => initial / (epoch + 1) + epochs)] });
    expect(history.learningRate).toEqual([0.4 + 3, 0.2 + 3, 0.4 / 3 + 3]);
  });

  it.each([
    ['stepDecay without every', () => stepDecay({} as never), /^stepDecay options\.every must be a positive integer, got undefined$/],
    ['stepDecay every 0', () => stepDecay({ every: 0 }), /^stepDecay options\.every must be a positive integer, got 0$/],
    ['stepDecay factor 0', () => stepDecay({ every: 1, factor: 0 }), /^stepDecay options\.factor must be a number in \(0, 1\], got 0$/],
    ['stepDecay factor 1.5', () => stepDecay({ every: 1, factor: 1.5 }), /^stepDecay options\.factor must be a number in \(0, 1\], got 1\.5$/],
    ['stepDecay factor "0.5"', () => stepDecay({ every: 1, factor: '0.5' as never }), /^stepDecay options\.factor must be a number in \(0, 1\], got "0\.5"$/],
    ['stepDecay with an unknown key', () => stepDecay({ every: 1, gamma: 0.5 } as never), /^stepDecay options: unknown option "gamma"; expected one of "every", "factor"$/],
    ['stepDecay options null', () => stepDecay(null as never), /^stepDecay options must be an object, got null$/],
    ['exponentialDecay rate 0', () => exponentialDecay({ rate: 0 }), /^exponentialDecay options\.rate must be a number in \(0, 1\], got 0$/],
    ['exponentialDecay rate NaN', () => exponentialDecay({ rate: NaN }), /^exponentialDecay options\.rate must be a number in \(0, 1\], got NaN$/],
    ['exponentialDecay every 1.5', () => exponentialDecay({ rate: 0.5, every: 1.5 }), /^exponentialDecay options\.every must be a positive integer, got 1\.5$/],
    ['exponentialDecay with an unknown key', () => exponentialDecay({ rate: 0.5, steps: 2 } as never), /^exponentialDecay options: unknown option "steps"; expected one of "rate", "every"$/],
    ['exponentialDecay options a number', () => exponentialDecay(0.5 as never), /^exponentialDecay options must be an object, got 0\.5$/],
    ['cosineDecay epochs 0', () => cosineDecay({ epochs: 0 }), /^cosineDecay options\.epochs must be a positive integer, got 0$/],
    ['cosineDecay minLearningRate −0.1', () => cosineDecay({ minLearningRate: -0.1 }), /^cosineDecay options\.minLearningRate must be a finite number ≥ 0, got -0\.1$/],
    ['cosineDecay minLearningRate Infinity', () => cosineDecay({ minLearningRate: Infinity }), /^cosineDecay options\.minLearningRate must be a finite number ≥ 0, got Infinity$/],
    ['cosineDecay minLearningRate "0"', () => cosineDecay({ minLearningRate: '0' as never }), /^cosineDecay options\.minLearningRate must be a finite number ≥ 0, got "0"$/],
    ['cosineDecay with an unknown key', () => cosineDecay({ warmup: 2 } as never), /^cosineDecay options: unknown option "warmup"; expected one of "epochs", "minLearningRate"$/],
    ['cosineDecay options an array', () => cosineDecay([] as never), /^cosineDecay options must be an object, got an array of length 0$/],
    ['learningRateScheduler of a number', () => learningRateScheduler(0.1 as never), /^learningRateScheduler expects a function \(epoch, initialRate, epochs\) => rate, got 0\.1$/],
  ])('%s: a ConfigError naming it', (_, make, message) => {
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(message);
  });

  it('the edges accepted: factor 1, rate 1, minLearningRate 0', () => {
    expect(stepDecay({ every: 1, factor: 1 })(3, 0.5, 9)).toBe(0.5);
    expect(exponentialDecay({ rate: 1 })(3, 0.5, 9)).toBe(0.5);
    expect(cosineDecay({ minLearningRate: 0, epochs: 2 })(2, 0.5, 9)).toBeCloseTo(0, 15);
  });
});

describe('earlyStopping (its hooks driven with scripted epoch logs)', () => {
  /** Runs the callback's hooks over `values` of `key` as fit would; returns the epochs trained. */
  function drive(stopper: ReturnType<typeof earlyStopping>, values: number[], key: LogKey = 'loss', logKeys: LogKey[] = ['loss', 'valLoss', 'accuracy', 'valAccuracy', 'mae', 'valMae'], error?: unknown) {
    let weights = 0;
    const restored: number[] = [];
    const control = {
      logKeys,
      error,
      snapshotWeights: () => new Float64Array([weights]),
      restoreWeights: (w: Float64Array) => void restored.push(w[0]!),
    } as unknown as TrainingControl;
    stopper.onTrainBegin!(control);
    let epochs = 0;
    for (let e = 0; e < values.length; e++) {
      weights = 100 + e; // the weights "after epoch e"
      epochs++;
      const logs = Object.fromEntries(logKeys.map((k) => [k, k === key ? values[e]! : 0])) as unknown as EpochLogs;
      if (stopper.onEpochEnd!(e, logs, control) === false) break;
    }
    stopper.onTrainEnd!({} as History, control);
    return { epochs, restored };
  }

  it("defaults: valLoss when the fit has it (else loss), 'min', patience 0, minDelta 0, no restoring", () => {
    const s = earlyStopping();
    expect(drive(s, [3, 2, 2, 1], 'valLoss')).toEqual({ epochs: 3, restored: [] });
    expect([s.monitor, s.bestEpoch, s.best, s.stoppedEpoch]).toEqual(['valLoss', 1, 2, 2]);
    expect(drive(s, [3, 2, 2.5], 'loss', ['loss'])).toEqual({ epochs: 3, restored: [] });
    expect(s.monitor).toBe('loss');
  });

  it("'auto' watches accuracies for a rise and losses for a fall; 'max' and 'min' force it", () => {
    const acc = earlyStopping({ monitor: 'valAccuracy' });
    expect(drive(acc, [0.5, 0.6, 0.55], 'valAccuracy').epochs).toBe(3);
    expect([acc.bestEpoch, acc.best]).toEqual([1, 0.6]);
    expect(drive(earlyStopping({ monitor: 'accuracy' }), [0.5, 0.6, 0.7, 0.7], 'accuracy').epochs).toBe(4);
    expect(drive(earlyStopping({ monitor: 'loss', mode: 'max' }), [1, 2, 1], 'loss').epochs).toBe(3);
    expect(drive(earlyStopping({ monitor: 'valAccuracy', mode: 'min' }), [0.5, 0.4, 0.6], 'valAccuracy').epochs).toBe(3);
    const mae = earlyStopping({ monitor: 'mae' });
    expect(drive(mae, [1, 0.5, 0.7], 'mae').epochs).toBe(3);
    expect(mae.best).toBe(0.5);
  });

  it('patience: that many epochs in a row without improvement (0 and 1 alike); an improvement resets the count', () => {
    expect(drive(earlyStopping({ patience: 0 }), [1, 1, 1], 'valLoss').epochs).toBe(2);
    expect(drive(earlyStopping({ patience: 1 }), [1, 1, 1], 'valLoss').epochs).toBe(2);
    expect(drive(earlyStopping({ patience: 3 }), [5, 6, 4, 6, 6, 6, 6], 'valLoss').epochs).toBe(6);
    const s = earlyStopping({ patience: 2 });
    expect(drive(s, [5, 5, 4, 4, 4, 1], 'valLoss').epochs).toBe(5);
    expect([s.bestEpoch, s.stoppedEpoch]).toEqual([2, 4]);
    const never = earlyStopping({ patience: 2 });
    expect(drive(never, [3, 2, 1], 'valLoss').epochs).toBe(3);
    expect(never.stoppedEpoch).toBe(-1);
  });

  it('minDelta: a change smaller than it is no improvement', () => {
    expect(drive(earlyStopping({ minDelta: 0.1 }), [1, 0.95], 'valLoss').epochs).toBe(2);
    expect(drive(earlyStopping({ minDelta: 0.1, patience: 5 }), [1, 0.85, 0.8, 0.8, 0.8, 0.8, 0.8, 0.7], 'valLoss').epochs).toBe(7);
    const up = earlyStopping({ monitor: 'valAccuracy', minDelta: 0.05 });
    expect(drive(up, [0.5, 0.52], 'valAccuracy').epochs).toBe(2);
    expect(up.best).toBe(0.5);
  });

  it('restoreBestWeights: the best epoch’s weights come back when training ends, not when fit fails', () => {
    expect(drive(earlyStopping({ restoreBestWeights: true, patience: 2 }), [3, 1, 2, 2], 'valLoss').restored).toEqual([101]);
    expect(drive(earlyStopping({ restoreBestWeights: true, patience: 9 }), [3, 2, 1], 'valLoss').restored).toEqual([102]);
    expect(drive(earlyStopping({ restoreBestWeights: true }), [3, 1, 2], 'valLoss', undefined, new Error('aborted')).restored).toEqual([]);
    // a later fit starts afresh
    const s = earlyStopping({ restoreBestWeights: true });
    drive(s, [1, 2], 'valLoss');
    expect(drive(s, [9, 8, 8], 'valLoss')).toEqual({ epochs: 3, restored: [101] });
    expect([s.bestEpoch, s.best, s.stoppedEpoch]).toEqual([1, 8, 2]);
  });

  it.each([
    ['valLoss without validation data', {}, ['loss'], /^earlyStopping: monitor "valLoss" is not available in this fit \(its logs have "loss"\); it needs validation data \(validationSplit or validationData\)$/],
    ['valAccuracy without validation or the metric', { monitor: 'valAccuracy' }, ['loss'], /^earlyStopping: monitor "valAccuracy" is not available in this fit \(its logs have "loss"\); it needs validation data \(validationSplit or validationData\) and the accuracy metric$/],
    ['accuracy without the metric', { monitor: 'accuracy' }, ['loss', 'valLoss'], /^earlyStopping: monitor "accuracy" is not available in this fit \(its logs have "loss", "valLoss"\); it needs the accuracy metric$/],
    // (the fit has validation data: only the metric is missing)
    ['valMae without the metric', { monitor: 'valMae' }, ['loss', 'valLoss'], /^earlyStopping: monitor "valMae" is not available in this fit \(its logs have "loss", "valLoss"\); it needs the mae metric$/],
    ['mae without the metric', { monitor: 'mae' }, ['loss'], /^earlyStopping: monitor "mae" is not available in this fit \(its logs have "loss"\); it needs the mae metric$/],
  ] as const)('%s: a ConfigError from onTrainBegin', (_, options, logKeys, message) => {
    const s = earlyStopping(options as EarlyStoppingOptions);
    // the default falls back to loss; an explicit valLoss does not
    const begin = () => s.onTrainBegin!({ logKeys } as unknown as TrainingControl);
    if (Object.keys(options).length === 0) {
      expect(begin).not.toThrow();
      expect(s.monitor).toBe('loss');
    } else {
      expect(begin).toThrow(ConfigError);
      expect(begin).toThrow(message);
    }
  });

  it('an explicit valLoss without validation data is refused', () => {
    const s = earlyStopping({ monitor: 'valLoss' });
    expect(() => s.onTrainBegin!({ logKeys: ['loss'] } as unknown as TrainingControl)).toThrow(
      /^earlyStopping: monitor "valLoss" is not available in this fit \(its logs have "loss"\); it needs validation data \(validationSplit or validationData\)$/,
    );
  });

  it.each([
    ['monitor "val_loss"', { monitor: 'val_loss' }, /^earlyStopping options\.monitor must be one of "loss", "accuracy", "mae", "mse", "valLoss", "valAccuracy", "valMae", "valMse", got "val_loss" \(did you mean "valLoss"\?\)$/],
    ['patience −1', { patience: -1 }, /^earlyStopping options\.patience must be a non-negative integer, got -1$/],
    ['patience 1.5', { patience: 1.5 }, /^earlyStopping options\.patience must be a non-negative integer, got 1\.5$/],
    ['minDelta −0.1', { minDelta: -0.1 }, /^earlyStopping options\.minDelta must be a finite number ≥ 0, got -0\.1$/],
    ['minDelta NaN', { minDelta: NaN }, /^earlyStopping options\.minDelta must be a finite number ≥ 0, got NaN$/],
    ['minDelta "0"', { minDelta: '0' }, /^earlyStopping options\.minDelta must be a finite number ≥ 0, got "0"$/],
    ['mode "up"', { mode: 'up' }, /^earlyStopping options\.mode must be one of "min", "max", "auto", got "up"$/],
    ['restoreBestWeights 1', { restoreBestWeights: 1 }, /^earlyStopping options\.restoreBestWeights must be true or false, got 1$/],
    ['an unknown key', { patient: 3 }, /^earlyStopping options: unknown option "patient"; expected one of "monitor", "patience", "minDelta", "mode", "restoreBestWeights"$/],
    ['options null', null, /^earlyStopping options must be an object, got null$/],
  ])('%s: a ConfigError naming it', (_, options, message) => {
    expect(() => earlyStopping(options as never)).toThrow(ConfigError);
    expect(() => earlyStopping(options as never)).toThrow(message);
  });

  it('a fit stopped before its first epoch leaves bestEpoch −1 and stoppedEpoch −1, whatever an earlier fit left', async () => {
    const s = earlyStopping();
    const net = new Network({ inputSize: 1, layers: [dense(1)], loss: 'mse', seed: 1 });
    await net.fit([[0], [1]], [[1], [3]], { epochs: 3, callbacks: [s] });
    expect(s.bestEpoch).toBeGreaterThanOrEqual(0);
    const history = await net.fit([[0], [1]], [[1], [3]], { epochs: 3, callbacks: [s, { onTrainBegin: (control) => control.stop() }] });
    expect(history.epochs).toBe(0);
    expect([s.monitor, s.bestEpoch, s.best, s.stoppedEpoch]).toEqual(['loss', -1, Infinity, -1]);
  });

  it('before any fit: monitor loss, bestEpoch −1, best NaN, stoppedEpoch −1', () => {
    const s = earlyStopping();
    expect([s.monitor, s.bestEpoch, s.best, s.stoppedEpoch]).toEqual(['loss', -1, NaN, -1]);
  });
});

describe('saved models: the documented layout (src/io/format.ts), read by hand', () => {
  // A trained adam network, so the optimizer slabs and the counters are not zeros.
  const trained = () => {
    const net = new Network({ inputSize: 3, layers: [dense(4, { activation: 'tanh' }), dense(2)], loss: { type: 'huber', delta: 0.5 }, optimizer: 'adam', seed: 21 });
    net.trainBatch([[1, 2, 3], [0, -1, 0.5]], [[1, 0], [0, 1]]);
    net.trainBatch([[1, 2, 3], [0, -1, 0.5]], [[1, 0], [0, 1]]);
    return net;
  };
  const paramsOf = (net: Network) => net.getWeights().flatMap((l) => [...l.weights, ...l.bias]);

  it('bytes: "WNET", u32 version 2, u32 header length, the JSON header, zero padding to 8, then params, state1, state2 and the statistics as little-endian f64s', () => {
    const net = trained();
    const bytes = net.toBytes();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect([...bytes.subarray(0, 4)]).toEqual([0x57, 0x4e, 0x45, 0x54]);
    expect(view.getUint32(4, true)).toBe(2);
    const headLength = view.getUint32(8, true);
    const head = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headLength))) as Record<string, unknown>;
    expect(Object.keys(head).sort()).toEqual(['config', 'format', 'slabs', 'stats', 'training', 'version']);
    expect([head.format, head.version, head.stats]).toEqual(['wasmnet', 2, 0]); // no normalization layer: no statistics
    const params = paramsOf(net);
    expect(head.slabs).toBe(params.length);
    const bodyStart = Math.ceil((12 + headLength) / 8) * 8;
    expect([...bytes.subarray(12 + headLength, bodyStart)].every((b) => b === 0)).toBe(true);
    expect(bytes.length).toBe(bodyStart + 3 * params.length * 8);
    const slab = (s: number) => Array.from({ length: params.length }, (_, i) => view.getFloat64(bodyStart + (s * params.length + i) * 8, true));
    expect(slab(0)).toEqual(params);
    // adam's m and v after two steps: non-zero, and v ≥ 0
    expect(slab(1).some((v) => v !== 0)).toBe(true);
    expect(slab(2).every((v) => v >= 0) && slab(2).some((v) => v > 0)).toBe(true);
    // the JSON form holds the same slabs, base64 of the same little-endian bytes
    const json = net.toJSON();
    const b64 = (values: number[]) => {
      const out = new Uint8Array(values.length * 8);
      const v = new DataView(out.buffer);
      values.forEach((x, i) => v.setFloat64(i * 8, x, true));
      return Buffer.from(out).toString('base64');
    };
    expect(json.weights).toBe(b64(params));
    expect(json.training.state1).toBe(b64(slab(1)));
    expect(json.training.state2).toBe(b64(slab(2)));
    expect(head.training).toEqual({ stepCount: 2, learningRate: 0.001, shuffleRandom: json.training.shuffleRandom, dropoutRandom: json.training.dropoutRandom });
    expect(head.config).toEqual(json.config);
    expect(json.config.loss).toEqual({ type: 'huber', delta: 0.5 });
  });

  it('a network of more than 4,096 parameters (several base64 chunks) round-trips bit for bit', () => {
    const net = new Network({ inputSize: 100, layers: [dense(60)], loss: 'mse', seed: 2 });
    const again = Network.fromJSON(JSON.stringify(net));
    expect(paramsOf(again)).toEqual(paramsOf(net));
    expect(Network.fromBytes(net.toBytes().slice().buffer).toBytes()).toEqual(net.toBytes());
  });

  /** toBytes with its header replaced (and the body kept, re-aligned). */
  const withHeader = (bytes: Uint8Array, edit: (head: Record<string, unknown>) => unknown, extra = 0) => {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headLength = view.getUint32(8, true);
    const body = bytes.subarray(Math.ceil((12 + headLength) / 8) * 8);
    const head = new TextEncoder().encode(JSON.stringify(edit(JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headLength))))));
    const start = Math.ceil((12 + head.length) / 8) * 8;
    const out = new Uint8Array(start + body.length + extra);
    out.set(bytes.subarray(0, 12));
    new DataView(out.buffer).setUint32(8, head.length, true);
    out.set(head, 12);
    out.set(body, start);
    return out;
  };

  it.each([
    ['not bytes', () => 'WNET', /^fromBytes expects a Uint8Array or an ArrayBuffer, got string$/],
    ['fewer than 12 bytes', () => new Uint8Array([0x57, 0x4e, 0x45, 0x54, 1, 0, 0, 0]), /^not a saved wasmnet model: the bytes do not start with "WNET"$/],
    ['exactly 12 bytes (an empty header)', () => new Uint8Array([0x57, 0x4e, 0x45, 0x54, 2, 0, 0, 0, 0, 0, 0, 0]), /^saved model is corrupted: its header is not valid JSON$/],
    ['the header and nothing after it', (b: Uint8Array) => b.slice(0, 12 + new DataView(b.buffer, b.byteOffset).getUint32(8, true)), /^saved model is truncated: 26 weights need \d+ bytes, there are \d+$/],
    ['a slab length of 0', (b: Uint8Array) => withHeader(b, (h) => ({ ...h, slabs: 0 })), /^saved model is corrupted: 0 weights need \d+ bytes, there are \d+$/],
    ['another magic', (b: Uint8Array) => Object.assign(b.slice(), { 3: 0x55 }), /^not a saved wasmnet model: the bytes do not start with "WNET"$/],
    ['version 3', (b: Uint8Array) => Object.assign(b.slice(), { 4: 3 }), /^saved model uses format version 3, newer than this wasmnet reads \(up to 2\); upgrade wasmnet to load it$/],
    ['version 0', (b: Uint8Array) => Object.assign(b.slice(), { 4: 0 }), /^saved model has no valid format version \(got 0\)$/],
    ['a header longer than the bytes', (b: Uint8Array) => Object.assign(b.slice(), { 10: 1 }), /^saved model is truncated: its header needs \d+ bytes, there are \d+$/],
    ['a header that is not JSON', (b: Uint8Array) => Object.assign(b.slice(), { 12: 0x7d }), /^saved model is corrupted: its header is not valid JSON$/],
    ['a header that is null', (b: Uint8Array) => withHeader(b, () => null), /^saved model is corrupted: its header must be a JSON object, got null$/],
    ['a header that is an array', (b: Uint8Array) => withHeader(b, () => []), /^saved model is corrupted: its header must be a JSON object, got object$/],
    ['no slab length', (b: Uint8Array) => withHeader(b, (h) => ({ ...h, slabs: undefined })), /^saved model is corrupted: the slab length is missing$/],
    ['a negative slab length', (b: Uint8Array) => withHeader(b, (h) => ({ ...h, slabs: -1 })), /^saved model is corrupted: the slab length is missing$/],
    ['a fractional slab length', (b: Uint8Array) => withHeader(b, (h) => ({ ...h, slabs: 1.5 })), /^saved model is corrupted: the slab length is missing$/],
    ['one byte short', (b: Uint8Array) => b.slice(0, -1), /^saved model is truncated: 26 weights need \d+ bytes, there are \d+$/],
    ['one byte too many', (b: Uint8Array) => withHeader(b, (h) => h, 1), /^saved model is corrupted: 26 weights need \d+ bytes, there are \d+$/],
    ['no config', (b: Uint8Array) => withHeader(b, (h) => ({ ...h, config: null })), /^saved model: "config" is missing$/],
    ['no training', (b: Uint8Array) => withHeader(b, (h) => ({ ...h, training: undefined })), /^saved model: "training" is missing$/],
  ])('fromBytes, %s: a FormatError naming it', (_, make, message) => {
    const bytes = new Network({ inputSize: 3, layers: [dense(4), dense(2)], loss: 'mse', seed: 1 }).toBytes(); // 26 parameters
    expect(() => Network.fromBytes(make(bytes) as never)).toThrow(FormatError);
    expect(() => Network.fromBytes(make(bytes) as never)).toThrow(message);
  });

  const saved = () => JSON.parse(JSON.stringify(new Network({ inputSize: 3, layers: [dense(4), dense(2)], loss: 'mse', seed: 1 }))) as Record<string, any>;
  it.each([
    ['text that is not JSON', () => '{"format":', /^not a saved wasmnet model: the string is not valid JSON \(.+\)$/],
    ['null', () => null, /^not a saved wasmnet model: expected an object with format "wasmnet"$/],
    ['another format', () => ({ ...saved(), format: 'keras' }), /^not a saved wasmnet model: expected an object with format "wasmnet"$/],
    ['version "1"', () => ({ ...saved(), version: '1' }), /^saved model has no valid format version \(got "1"\)$/],
    ['version 1.5', () => ({ ...saved(), version: 1.5 }), /^saved model has no valid format version \(got 1\.5\)$/],
    ['version 3', () => ({ ...saved(), version: 3 }), /^saved model uses format version 3, newer than this wasmnet reads \(up to 2\)/],
    ['no training', () => ({ ...saved(), training: null }), /^saved model: "training" is missing$/],
    ['no config', () => ({ ...saved(), config: 'x' }), /^saved model: "config" is missing$/],
    ['weights not a string', () => ({ ...saved(), weights: [1, 2] }), /^saved model: "weights" must be a base64 string$/],
    ['weights not base64', () => ({ ...saved(), weights: '***' }), /^saved model: "weights" is not valid base64$/],
    ['weights of 7 bytes', () => ({ ...saved(), weights: Buffer.from([1, 2, 3, 4, 5, 6, 7]).toString('base64') }), /^saved model: "weights" is truncated \(7 bytes is not a whole number of f64 values\)$/],
    ['state1 not a string', () => { const s = saved(); s.training.state1 = 5; return s; }, /^saved model: "training\.state1" must be a base64 string$/],
    ['state2 not base64', () => { const s = saved(); s.training.state2 = '!'; return s; }, /^saved model: "training\.state2" is not valid base64$/],
    ['stepCount −1', () => { const s = saved(); s.training.stepCount = -1; return s; }, /^saved model: training\.stepCount must be a finite number ≥ 0, got -1$/],
    ['learningRate NaN', () => { const s = saved(); s.training.learningRate = 'x'; return s; }, /^saved model: training\.learningRate must be a finite number ≥ 0, got "x"$/],
    ['shuffleRandom of 3 words', () => { const s = saved(); s.training.shuffleRandom = [1, 2, 3]; return s; }, /^saved model: training\.shuffleRandom must be 4 unsigned 32-bit integers$/],
    ['dropoutRandom with 2³²', () => { const s = saved(); s.training.dropoutRandom = [1, 2, 3, 4294967296]; return s; }, /^saved model: training\.dropoutRandom must be 4 unsigned 32-bit integers$/],
    ['dropoutRandom with −1', () => { const s = saved(); s.training.dropoutRandom = [1, 2, 3, -1]; return s; }, /^saved model: training\.dropoutRandom must be 4 unsigned 32-bit integers$/],
    ['shuffleRandom with 0.5', () => { const s = saved(); s.training.shuffleRandom = [1, 2, 3, 0.5]; return s; }, /^saved model: training\.shuffleRandom must be 4 unsigned 32-bit integers$/],
  ])('fromJSON, %s: a FormatError naming it', (_, make, message) => {
    expect(() => Network.fromJSON(make() as never)).toThrow(FormatError);
    expect(() => Network.fromJSON(make() as never)).toThrow(message);
  });

  it('the edges accepted: generator words 0 and 2³² − 1, stepCount 0, learningRate 0', () => {
    const s = saved();
    s.training.shuffleRandom = [0, 4294967295, 1, 2];
    s.training.learningRate = 0;
    s.training.stepCount = 0;
    expect(Network.fromJSON(s as never).toJSON().training.shuffleRandom).toEqual([0, 4294967295, 1, 2]);
  });
});
