// Property-based fuzzing of the public API (fast-check), on both backends and on the wasm
// backend with `threads: 2` (against twins on one thread; the shared memory of a threaded
// network is what cannot grow there). For random and
// near-valid configs, data of every wrong shape and type, fit options and callbacks, and
// mutated saved models:
//  - every call succeeds or throws a WasmnetError subclass (or, from fit, the very error a
//    user callback threw, or the AbortError of an aborted signal): never a TypeError,
//    RangeError or any other class;
//  - after a refused call the network's saved bytes equal those before the call, its memory
//    did not grow, and it trains on exactly as a same-seed twin that never saw the call.
// The seed is fixed (FUZZ_SEED overrides it) and printed; a failure prints fast-check's shrunk
// counterexample and the seed and path that replay it.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { initThreads } from 'wasmnet/threads';
import {
  DivergenceError,
  MemoryLimitError,
  Network,
  WasmnetError,
  batchNorm,
  dense,
  dropout,
  init,
  layerNorm,
  normalization,
  plotHistory,
  type BackendName,
  type Callback,
  type FitOptions,
  type NetworkConfig,
} from '../src/index';

await init();

const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
// A floor on the runs: FUZZ_RUNS=0 (or a typo) would turn every property below into a no-op that passes.
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`FUZZ_RUNS must be a whole number ≥ 1, got ${JSON.stringify(process.env.FUZZ_RUNS)}`);
/** Counts the cases that took each branch of a property, so a test can assert that every branch
 *  ran: a property whose every case took the early exit of one branch would pass having checked
 *  nothing on the other. */
function branches<K extends string>(...names: K[]): Record<K, number> & { check(): void } {
  const counts = Object.fromEntries(names.map((n) => [n, 0])) as Record<K, number>;
  return Object.assign(counts, {
    check() {
      for (const n of names) expect(counts[n], `cases that took the "${n}" branch`).toBeGreaterThan(0);
    },
  });
}
console.log(`fuzz: fast-check seed ${SEED} (set FUZZ_SEED to change it, FUZZ_RUNS=n for n× the runs)`);
/** The backends, and the wasm backend with `threads: 2` (its twins run on one thread: refusals,
 *  failed growth of the shared memory and every result must be those of one thread). */
const VARIANTS: readonly { name: string; backend: BackendName; threads?: number }[] = [
  { name: 'wasm backend', backend: 'wasm' },
  { name: 'js backend', backend: 'js' },
  { name: 'wasm backend, threads: 2', backend: 'wasm', threads: 2 },
];
await initThreads({ threads: 2 }); // as the README says, before networks with threads

/** fast-check parameters: fixed seed, and the counterexample printed on failure. */
const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns: numRuns * RUNS, verbose: 0 });

/** Bytes of the network's arena: the wasm memory, or the js backend's Float64Array. */
function arenaBytes(net: Network): number {
  const k = (net as unknown as { engine: { k: { heap: Float64Array; core?: { memory: WebAssembly.Memory } } } }).engine.k;
  return k.core ? k.core.memory.buffer.byteLength : k.heap.byteLength;
}

/** Makes the arena unable to grow, as a runtime out of memory would: wasm's memory.grow and
 *  the js backend's allocation throw the runtime's RangeError. */
function cannotGrow(net: Network): void {
  const k = (net as unknown as { engine: { k: { core?: { memory: WebAssembly.Memory }; allocate?: unknown } } }).engine.k;
  if (k.core) {
    patched.push(k.core.memory);
    Object.defineProperty(k.core.memory, 'grow', {
      configurable: true,
      value: () => {
        throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
      },
    });
  } else {
    k.allocate = () => {
      throw new RangeError('Array buffer allocation failed');
    };
  }
}

/** Memories made unable to grow: a threaded network's shared memory goes back to the pool when
 *  the network is dropped and serves the next one, so each property run puts `grow` back. */
const patched: WebAssembly.Memory[] = [];
function restoreGrow(): void {
  for (const memory of patched.splice(0)) delete (memory as { grow?: unknown }).grow;
}

/** About how many f64s a config's arena needs (its four parameter slabs), or 0 when the
 *  config is not well-formed enough to say. */
function arenaEstimate(config: Record<string, unknown>): number {
  if (typeof config.inputSize !== 'number' || !Array.isArray(config.layers)) return 0;
  let width = config.inputSize;
  let count = 0;
  for (const layer of config.layers as unknown[]) {
    const units = (layer as { units?: unknown } | null)?.units;
    if (typeof units !== 'number' || !(units > 0)) continue;
    count += (width + 1) * units;
    width = units;
  }
  return 4 * count;
}

/** An error thrown by a fuzz-made callback (fit must pass it on as it is). */
class UserError extends Error {}

/** How often each outcome happened (printed at the end: what the runs exercised). */
const tally = new Map<string, number>();
const count = (error: unknown): void => {
  const key = error === undefined ? 'ok' : error instanceof UserError ? 'callback error' : (error as Error).name;
  tally.set(key, (tally.get(key) ?? 0) + 1);
};
afterEach((context) => {
  console.log(`${context.task.name}: ${[...tally].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  tally.clear();
});

/** fit with an aborted signal rejects with the signal's reason, or an Error named
 *  AbortError when it has none (as fetch does): the one non-WasmnetError it may throw. */
const isAbort = (error: unknown): boolean => error instanceof Error && error.name === 'AbortError' && error.message === 'training was aborted';

/** Runs `call`; returns the error it threw (undefined when none). Asserts the class. */
function outcome(call: () => unknown): unknown {
  try {
    call();
    count(undefined);
    return undefined;
  } catch (error) {
    if (!(error instanceof WasmnetError) && !(error instanceof UserError)) throw error; // fails the property with the real error
    count(error);
    return error;
  }
}

async function outcomeAsync(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
    count(undefined);
    return undefined;
  } catch (error) {
    if (!(error instanceof WasmnetError) && !(error instanceof UserError) && !isAbort(error)) throw error;
    count(error);
    return error;
  }
}

// ---- values of every kind -------------------------------------------------------------------

const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, undefined, Number.NaN, Infinity, -Infinity, -1, 0, 0.5, 1.5, -0, 2 ** 31, 2 ** 53, 1e300, '', 'relu', 'adam', true, false, [], {}, [[]], [1], () => 1),
  fc.anything({ maxDepth: 2, withNullPrototype: true, withBigInt: true, withTypedArray: true, withSparseArray: true, withBoxedValues: true }),
  fc.double(),
  fc.integer({ min: -3, max: 1e9 }),
  fc.string({ maxLength: 6 }),
);

/** A sometimes-valid value: `valid` mostly, otherwise something weird. */
const maybe = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: weird });

// ---- configs --------------------------------------------------------------------------------

/** Small sizes, and a few far beyond the 4 GiB cap (refused before anything is allocated). */
const size = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 6 }) }, { weight: 1, arbitrary: fc.constantFrom(2 ** 30, 1e9, 2 ** 31 - 1, 2 ** 53) });
const activation = fc.constantFrom('linear', 'relu', 'tanh', 'sigmoid', 'softmax', 'elu', 'selu', 'leakyRelu', 'gelu', 'swish', 'softplus', 'geluExact', 'bogus');

const denseLayer = fc.record(
  {
    type: fc.constant('dense'),
    units: maybe(size),
    activation: maybe(activation),
    kernelRegularizer: maybe(fc.constantFrom({ l2: 1e-3 }, { l1: 0.01, l2: 0 }, { l1: -1 })),
    kernelInitializer: maybe(fc.constantFrom('glorotUniform', 'heNormal', 'zeros', 'bogus')),
  },
  { requiredKeys: ['type', 'units'] },
);
const dropoutLayer = fc.record({ type: fc.constant('dropout'), rate: maybe(fc.constantFrom(0, 0.2, 0.5, 0.99, 1)) });
const statistics = fc.oneof(fc.array(fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), fc.constantFrom(0, -1, Number.NaN, Infinity)), { maxLength: 7 }), weird);
const normalizationLayer = fc.record({ type: fc.constant('normalization'), mean: maybe(statistics), variance: maybe(statistics) }, { requiredKeys: ['type'] });
const batchNormLayer = fc.record(
  { type: fc.constant('batchNorm'), momentum: maybe(fc.constantFrom(0, 0.9, 0.99, 1, 1.5, -0.1)), epsilon: maybe(fc.constantFrom(1e-5, 1e-3, 0, -1)), unbiasedVariance: maybe(fc.oneof(fc.boolean(), weird)), activation: maybe(activation) },
  { requiredKeys: ['type'] },
);
const layerNormLayer = fc.record({ type: fc.constant('layerNorm'), epsilon: maybe(fc.constantFrom(1e-5, 1e-3, 0, Number.NaN)), activation: maybe(activation) }, { requiredKeys: ['type'] });
const layers = fc.oneof({ weight: 6, arbitrary: fc.array(fc.oneof({ weight: 3, arbitrary: denseLayer }, dropoutLayer, normalizationLayer, batchNormLayer, layerNormLayer, weird), { minLength: 1, maxLength: 4 }) }, weird);
const loss = maybe(fc.constantFrom('mse', 'mae', 'huber', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy', { type: 'huber', delta: 0.5 }, { type: 'huber', delta: -1 }, 'bogus'));
const optimizer = maybe(
  fc.oneof(
    fc.constantFrom('sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', 'bogus'),
    fc.record(
      {
        type: fc.constantFrom('sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'),
        learningRate: maybe(fc.constantFrom(0, 0.01, 0.1, 1e308)),
        momentum: maybe(fc.constantFrom(0, 0.9)),
        clipNorm: maybe(fc.constantFrom(0.5, 1)),
        weightDecay: maybe(fc.constantFrom(0, 0.01)),
      },
      { requiredKeys: ['type'] },
    ),
  ),
);
const randomConfig = fc.record(
  { inputSize: maybe(size), layers, loss, optimizer, seed: maybe(fc.integer()), backend: maybe(fc.constantFrom('wasm', 'js')), threads: maybe(fc.oneof(fc.constantFrom(1, 2, 'auto'), weird)), extra: weird },
  { requiredKeys: ['inputSize', 'layers', 'loss'] },
);

/** A valid config (small sizes, a loss with an output activation it accepts)... */
const validConfig = fc
  .record({
    inputSize: fc.integer({ min: 1, max: 6 }),
    hidden: fc.array(fc.oneof(
      fc.record({ type: fc.constant('dense'), units: fc.integer({ min: 1, max: 6 }), activation: fc.constantFrom('relu', 'tanh', 'sigmoid', 'elu', 'gelu', 'geluExact', 'linear') }),
      fc.record({ type: fc.constant('dropout'), rate: fc.constantFrom(0, 0.5) }),
      fc.record({ type: fc.constant('batchNorm'), momentum: fc.constantFrom(0.9, 0.99), epsilon: fc.constantFrom(1e-5, 1e-3), unbiasedVariance: fc.boolean(), activation: fc.constantFrom('relu', 'linear') }),
      fc.record({ type: fc.constant('layerNorm'), epsilon: fc.constantFrom(1e-5, 1e-3), activation: fc.constantFrom('tanh', 'linear') }),
    ), { maxLength: 3 }),
    head: fc.constantFrom(['mse', 'linear'], ['mae', 'tanh'], ['huber', 'relu'], ['categoricalCrossentropy', 'softmax'], ['sparseCategoricalCrossentropy', 'softmax'], ['binaryCrossentropy', 'sigmoid']),
    units: fc.integer({ min: 1, max: 4 }),
    optimizer: fc.record({ type: fc.constantFrom('sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'), learningRate: fc.constantFrom(0, 0.01, 1) }),
    seed: fc.integer(),
  })
  .map(({ inputSize, hidden, head, units, optimizer: o, seed }) => ({
    inputSize,
    layers: [...hidden, { type: 'dense', units, activation: head[1] }] as unknown[],
    loss: head[0] as unknown,
    optimizer: o as unknown,
    seed,
  }));

/** ...with (mostly) one thing changed: a key, a layer's field, or an unknown key. */
const nearValidConfig = fc.oneof(
  validConfig,
  fc.tuple(validConfig, fc.constantFrom('inputSize', 'layers', 'loss', 'optimizer', 'seed', 'backend', 'threads', '__proto__', 'bogus'), fc.oneof(weird, size)).map(([c, key, v]) => {
    const out: Record<string, unknown> = { ...c };
    Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  }),
  fc.tuple(validConfig, fc.nat(), fc.constantFrom('type', 'units', 'activation', 'rate', 'alpha', 'kernelInitializer', 'kernelRegularizer', 'momentum', 'epsilon', 'unbiasedVariance', 'mean', 'variance', 'bogus'), fc.oneof(weird, size)).map(([c, i, field, v]) => {
    const layers = c.layers.slice();
    layers[i % layers.length] = { ...(layers[i % layers.length] as object), [field]: v };
    return { ...c, layers };
  }),
  fc.tuple(validConfig, fc.constantFrom('type', 'learningRate', 'momentum', 'beta1', 'epsilon', 'clipNorm', 'weightDecay', 'rho', 'nesterov', 'bogus'), fc.oneof(weird, size)).map(([c, field, v]) => ({ ...c, optimizer: { ...(c.optimizer as object), [field]: v } })),
);
const config = fc.oneof(randomConfig, { weight: 3, arbitrary: nearValidConfig });

// ---- networks the operations run on -----------------------------------------------------------

interface Fixture {
  config: NetworkConfig;
  /** target columns (1 for the sparse loss's labels) */
  targets: number;
  /** a valid target value for row r, column j */
  target: (r: number, j: number) => number;
}

const FIXTURES: readonly (Omit<Fixture, 'config'> & { make: (b: BackendName) => NetworkConfig })[] = [
  {
    make: (backend) => ({ inputSize: 3, layers: [dense(5, { activation: 'tanh' }), dropout(0.3), dense(2)], loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 }, seed: 1, backend }),
    targets: 2,
    target: (r, j) => Math.sin(r + j),
  },
  {
    make: (backend) => ({ inputSize: 3, layers: [dense(4, { activation: 'relu', kernelRegularizer: { l2: 1e-3 } }), dense(3, { activation: 'softmax' })], loss: 'categoricalCrossentropy', optimizer: 'adam', seed: 2, backend }),
    targets: 3,
    target: (r, j) => (r % 3 === j ? 1 : 0),
  },
  {
    make: (backend) => ({ inputSize: 3, layers: [dense(4, { activation: 'elu' }), dropout(0.5), dense(3, { activation: 'softmax' })], loss: 'sparseCategoricalCrossentropy', optimizer: { type: 'rmsprop', momentum: 0.5 }, seed: 3, backend }),
    targets: 1,
    target: (r) => r % 3,
  },
  {
    make: (backend) => ({ inputSize: 3, layers: [dense(2, { activation: 'sigmoid' })], loss: 'binaryCrossentropy', optimizer: { type: 'adagrad', clipNorm: 1 }, seed: 4, backend }),
    targets: 2,
    target: (r, j) => (r + j) % 2,
  },
  {
    make: (backend) => ({ inputSize: 3, layers: [dense(3, { activation: 'gelu' }), dense(2)], loss: { type: 'huber', delta: 0.5 }, optimizer: { type: 'adamw', weightDecay: 0.01 }, seed: 5, backend }),
    targets: 2,
    target: (r, j) => r - j,
  },
  {
    make: (backend) => ({
      inputSize: 3,
      layers: [normalization({ mean: [0.1, 0, -1], variance: [2, 0, 0.5] }), dense(4), batchNorm({ activation: 'relu' }), dense(3), layerNorm({ activation: 'tanh' }), dense(2)],
      loss: 'mse',
      optimizer: 'adam',
      seed: 6,
      backend,
    }),
    targets: 2,
    target: (r, j) => Math.cos(r * j),
  },
];

const fixture = (i: number, backend: BackendName): Fixture => ({ ...FIXTURES[i]!, config: FIXTURES[i]!.make(backend) });

const validX = (rows: number): number[][] => Array.from({ length: rows }, (_, r) => [0.1 * r, -0.2 + r / 7, Math.cos(r)]);
const validY = (f: Fixture, rows: number): number[][] => Array.from({ length: rows }, (_, r) => Array.from({ length: f.targets }, (_, j) => f.target(r, j)));

/** A matrix argument of `n` rows (1 to 6 when not given): valid, or wrong in one of many ways.
 *  `cols` is the valid width. */
function matrix(cols: number, value: (r: number, j: number) => number, n?: number): fc.Arbitrary<unknown> {
  const rows = n === undefined ? fc.integer({ min: 1, max: 6 }) : fc.constant(n);
  const valid = rows.map((k) => Array.from({ length: k }, (_, r) => Array.from({ length: cols }, (_, j) => value(r, j))));
  return fc.oneof(
    { weight: 8, arbitrary: valid },
    { weight: 3, arbitrary: valid.map((m) => new Float64Array(m.flat())) },
    // finite but huge: the loss overflows (DivergenceError)
    { weight: 1, arbitrary: valid.map((m) => m.map((row) => row.map((v) => v * 1e200 + 1e200))) },
    // one cell replaced by something weird
    { weight: 2, arbitrary: fc.tuple(valid, fc.nat(), fc.nat(), weird).map(([m, r, j, v]) => { const out = m.map((row) => row.slice() as unknown[]); out[r % out.length]![j % cols] = v; return out; }) },
    // one row replaced (ragged, missing, a typed array, ...)
    { weight: 1, arbitrary: fc.tuple(valid, fc.nat(), weird).map(([m, r, v]) => { const out = m.slice() as unknown[]; out[r % out.length] = v; return out; }) },
    // wrong width
    fc.tuple(rows, fc.integer({ min: 0, max: 5 })).map(([k, c]) => Array.from({ length: k }, (_, r) => Array.from({ length: c }, (_, j) => value(r, j)))),
    // typed arrays of the wrong length or holding non-finite values
    fc.array(fc.oneof(fc.double({ min: -2, max: 2, noNaN: true }), fc.constantFrom(Number.NaN, Infinity)), { maxLength: 13 }).map((a) => new Float64Array(a)),
    fc.constantFrom([], [[]], new Float64Array(0), new Float32Array(cols), new Int32Array(cols), [new Float64Array(cols)]),
    weird,
  );
}

/** Inputs and targets, mostly of one row count: a few rows, or enough to need more memory
 *  than a few-row call reserved (see the noGrow operation). */
function data(f: Fixture): fc.Arbitrary<[unknown, unknown]> {
  const x = (r: number, j: number) => Math.sin(r * 3 + j);
  return fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 6 }) }, { weight: 1, arbitrary: fc.integer({ min: 100, max: 2000 }) }).chain((n) =>
    fc.oneof(
      { weight: 5, arbitrary: fc.tuple(matrix(3, x, n), matrix(f.targets, f.target, n)) },
      { weight: 1, arbitrary: fc.tuple(matrix(3, x), matrix(f.targets, f.target)) },
    ),
  );
}

/** brain.js-style samples, valid or not. */
function samples(f: Fixture): fc.Arbitrary<unknown> {
  const n = fc.integer({ min: 1, max: 5 });
  const sample = (r: number) => ({ input: validX(r + 1)[r]!, output: validY(f, r + 1)[r]! });
  return fc.oneof(
    n.map((k) => Array.from({ length: k }, (_, r) => sample(r))),
    fc.tuple(n, fc.nat(), fc.constantFrom('input', 'output'), weird).map(([k, r, field, v]) => {
      const list: unknown[] = Array.from({ length: k }, (_, i) => sample(i));
      list[r % k] = { ...sample(r % k), [field]: v };
      return list;
    }),
    fc.tuple(n, fc.nat(), weird).map(([k, r, v]) => {
      const list: unknown[] = Array.from({ length: k }, (_, i) => sample(i));
      if (r % k > 0) list[r % k] = v; // the first stays a sample, so the list is taken as samples
      return list;
    }),
  );
}

// ---- fit options and callbacks ----------------------------------------------------------------

/** What a fuzz-made hook does when called (at `epoch`, or every time with -1). */
type HookPlan = { action: 'noop' | 'throw' | 'stop' | 'false' | 'rate' | 'restore' | 'async'; epoch: number; value: unknown };
const hookPlan: fc.Arbitrary<HookPlan> = fc.record({
  action: fc.constantFrom('noop', 'throw', 'stop', 'false', 'rate', 'restore', 'async'),
  epoch: fc.integer({ min: -1, max: 2 }),
  value: maybe(fc.constantFrom(0, 0.001, 0.5)),
});
const HOOK_NAMES = ['onTrainBegin', 'onEpochBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'] as const;

interface OptionsPlan {
  options: Record<string, unknown>;
  hooks: Partial<Record<(typeof HOOK_NAMES)[number], HookPlan | { weird: unknown }>>;
  callbacks: { plans: OptionsPlan['hooks'][] } | { weird: unknown };
  schedule: { badAt: number; value: unknown } | null;
}

function optionsPlan(f: Fixture): fc.Arbitrary<OptionsPlan> {
  // Mostly valid plans (so that training runs, diverges, calls back, stops...), and plans with
  // one option, hook or callback list replaced by something weird.
  const validHooks = fc.record(Object.fromEntries(HOOK_NAMES.map((h) => [h, hookPlan])), { requiredKeys: [] }) as fc.Arbitrary<OptionsPlan['hooks']>;
  const classification = ['categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy'].includes(f.config.loss as string);
  const validOptions = fc
    .tuple(
      fc.record(
        {
          epochs: fc.integer({ min: 1, max: 3 }),
          batchSize: fc.integer({ min: 1, max: 8 }),
          shuffle: fc.boolean(),
          metrics: fc.constantFrom(...(classification ? [[], ['accuracy'], ['mae'], ['accuracy', 'mae']] : [[], ['mae']])),
          learningRate: fc.constantFrom(0.01, 0, 0.5, 1e308),
          signal: fc.constantFrom({ aborted: true }, { aborted: false }, { aborted: false }, { aborted: false }),
          yieldEvery: fc.constantFrom(0, 16),
        },
        { requiredKeys: [] },
      ),
      // validation: none, a split, or data (not both)
      fc.oneof(fc.constant({}), fc.record({ validationSplit: fc.constantFrom(0.25, 0.5) }), fc.record({ validationData: fc.oneof(data(f), samples(f)) })),
    )
    .map(([o, v]) => ({ ...o, ...v }));
  const valid = fc.record({
    options: validOptions as fc.Arbitrary<Record<string, unknown>>,
    hooks: validHooks,
    callbacks: fc.array(validHooks, { maxLength: 2 }).map((plans) => ({ plans })) as fc.Arbitrary<OptionsPlan['callbacks']>,
    schedule: fc.option(fc.record({ badAt: fc.integer({ min: -1, max: 2 }), value: maybe(fc.constantFrom(0.1, 1e308)) })),
  });
  const key = fc.constantFrom('epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'metrics', 'learningRate', 'signal', 'yieldEvery', 'bogusOption');
  return fc.oneof(
    { weight: 3, arbitrary: valid },
    fc.tuple(valid, key, weird).map(([plan, k, w]) => ({ ...plan, options: { ...plan.options, [k]: w } })),
    fc.tuple(valid, fc.constantFrom(...HOOK_NAMES), weird).map(([plan, h, w]) => ({ ...plan, hooks: { ...plan.hooks, [h]: { weird: w } } })),
    fc.tuple(valid, weird).map(([plan, w]) => ({ ...plan, callbacks: { weird: w } })),
  );
}

/** Builds fresh options from a plan (fresh functions each time, so the twin gets its own).
 *  `started` records whether anything ran that may have trained (past the start checks). */
function buildOptions(plan: OptionsPlan, started: { value: boolean; hooked?: boolean }): FitOptions {
  const hook = (name: string, p: HookPlan | { weird: unknown }) => {
    if ('weird' in p) return p.weird;
    return (...args: unknown[]) => {
      started.hooked = true; // fit accepted the call (its batch buffers are reserved by now)
      // Past onTrainBegin the call was accepted: what follows may train (or, in onTrainEnd, set
      // a rate that stays), so the twin replays it instead of the state being compared to before.
      if (name !== 'onTrainBegin') started.value = true;
      const control = args.at(-1) as { stop(): void; learningRate: number; snapshotWeights(): Float64Array; restoreWeights(w: unknown): void };
      const epoch = name === 'onEpochBegin' || name === 'onEpochEnd' ? (args[0] as number) : -1;
      if (p.epoch !== -1 && epoch !== -1 && epoch !== p.epoch) return undefined;
      switch (p.action) {
        case 'throw':
          throw new UserError(`${name} threw`);
        case 'stop':
          control.stop();
          return undefined;
        case 'false':
          return false;
        case 'rate':
          control.learningRate = p.value as number;
          return undefined;
        case 'restore':
          control.restoreWeights(typeof p.value === 'number' ? control.snapshotWeights() : p.value);
          return undefined;
        case 'async':
          return Promise.resolve(p.value === 0 ? false : undefined);
        default:
          return undefined;
      }
    };
  };
  const options: Record<string, unknown> = { ...plan.options };
  for (const [name, p] of Object.entries(plan.hooks)) options[name] = hook(name, p!);
  if ('plans' in plan.callbacks) {
    options.callbacks = plan.callbacks.plans.map((cb) => Object.fromEntries(Object.entries(cb).map(([name, p]) => [name, hook(name, p!)])));
  } else if (plan.callbacks.weird !== undefined) options.callbacks = plan.callbacks.weird;
  if (plan.schedule) {
    const { badAt, value } = plan.schedule;
    options.learningRate = (epoch: number, initial: number) => {
      if (epoch > 0) started.value = true;
      return epoch === badAt ? value : initial / (epoch + 1);
    };
  }
  return options as FitOptions;
}

// ---- operations -----------------------------------------------------------------------------

type Op =
  | { kind: 'predict' | 'evaluate' | 'trainBatch' | 'computeGradients'; x: unknown; y: unknown }
  | { kind: 'fit'; x: unknown; y: unknown; plan: OptionsPlan }
  | { kind: 'fitSamples'; samples: unknown; plan: OptionsPlan }
  | { kind: 'setWeights'; weights: unknown }
  | { kind: 'summary' }
  /** From here on the arena cannot grow (as when the runtime is out of memory). */
  | { kind: 'noGrow' };

function op(f: Fixture): fc.Arbitrary<Op> {
  const pair = data(f).map(([x, y]) => ({ x, y }));
  return fc.oneof(
    fc.tuple(fc.constantFrom('predict', 'evaluate', 'trainBatch', 'computeGradients'), pair).map(([kind, d]) => ({ kind, ...d }) as Op),
    { weight: 3, arbitrary: fc.tuple(pair, optionsPlan(f)).map(([d, plan]) => ({ kind: 'fit', ...d, plan }) as Op) },
    fc.record({ kind: fc.constant('fitSamples'), samples: samples(f), plan: optionsPlan(f) }) as fc.Arbitrary<Op>,
    { weight: 3, arbitrary: fc.constant({ kind: 'noGrow' } as Op) },
    fc.record({ kind: fc.constant('setWeights'), weights: fc.oneof(weird, fc.array(fc.record({ weights: weird, bias: weird }), { maxLength: 3 })) }) as fc.Arbitrary<Op>,
  );
}

/** Runs one operation; returns what it threw and whether it may have trained before throwing. */
async function run(net: Network, o: Op): Promise<{ error: unknown; started: boolean; hooked: boolean }> {
  const started: { value: boolean; hooked?: boolean } = { value: false };
  let error: unknown;
  switch (o.kind) {
    case 'predict':
      error = outcome(() => net.predict(o.x as never));
      break;
    case 'evaluate':
      error = outcome(() => net.evaluate(o.x as never, o.y as never));
      break;
    case 'trainBatch':
      error = outcome(() => net.trainBatch(o.x as never, o.y as never));
      break;
    case 'computeGradients':
      error = outcome(() => net.computeGradients(o.x as never, o.y as never));
      break;
    case 'fit':
      error = await outcomeAsync(() => net.fit(o.x as never, o.y as never, buildOptions(o.plan, started)));
      break;
    case 'fitSamples':
      error = await outcomeAsync(() => net.fit(o.samples as never, buildOptions(o.plan, started)));
      break;
    case 'setWeights':
      error = outcome(() => net.setWeights(o.weights as never));
      break;
    default:
      error = outcome(() => net.summary());
  }
  return { error, started: started.value || error instanceof DivergenceError, hooked: started.hooked === true };
}

describe.each(VARIANTS)('fuzz ($name)', ({ backend, threads }) => {
  /** The variant's config: with its threads (the twin keeps the fixture's one thread). */
  const threaded = (c: NetworkConfig): NetworkConfig => (threads ? { ...c, threads } : c);

  it('Network configs: a network or a WasmnetError', () => {
    const seen = branches('refused', 'accepted');
    fc.assert(
      fc.property(config, (c: Record<string, unknown>) => {
        const cfg = { ...('backend' in c ? c : { ...c, backend }), ...(threads && !('threads' in c) ? { threads } : {}) };
        // A valid network of more than a few MB would really be allocated (up to the 4 GiB cap):
        // skip those; refusals above the cap cost nothing and stay in.
        const f64s = arenaEstimate(cfg);
        fc.pre(f64s < 2 ** 18 || f64s > 2 ** 30);
        let net: Network | undefined;
        const error = outcome(() => (net = new Network(cfg as unknown as NetworkConfig)));
        if (error !== undefined) {
          expect(error).toBeInstanceOf(WasmnetError);
          seen.refused++;
          return;
        }
        seen.accepted++;
        // A network it accepted works: predict, one training step (or a DivergenceError), save.
        const x = Array.from({ length: 3 }, (_, r) => Array.from({ length: net!.inputSize }, (_, j) => Math.sin(r + j)));
        outcome(() => net!.predict(x));
        const width = net!.loss === 'sparseCategoricalCrossentropy' ? 1 : net!.outputSize;
        outcome(() => net!.trainBatch(x, Array.from({ length: 3 }, () => Array(width).fill(0))));
        expect(Network.fromBytes(net!.toBytes()).toBytes()).toEqual(net!.toBytes());
      }),
      params(400),
    );
    seen.check();
  });

  it('calls with data, options and callbacks of every kind: refused calls change nothing', async () => {
    const seen = branches('ran', 'refused');
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: FIXTURES.length - 1 }).chain((i) => {
          return fc.tuple(fc.constant(i), fc.array(op(fixture(i, backend)), { minLength: 1, maxLength: 4 }));
        }),
        async ([i, ops]) => {
          const f = fixture(i, backend);
          const net = new Network(threaded(f.config));
          const twin = new Network(f.config);
          expect(net.threads).toBe(backend === 'wasm' ? (threads ?? 1) : 1);
          try {
            for (const o of ops) {
              if (o.kind === 'noGrow') {
                cannotGrow(net); // the twin keeps growing: results must not differ
                continue;
              }
              const before = net.toBytes();
              const memory = arenaBytes(net);
              const { error, started, hooked } = await run(net, o);
              if (error === undefined || started) {
                // It ran (perhaps partly, until a callback threw or training diverged): the twin
                // runs the same call and must end the same way.
                const again = await run(twin, o);
                expect(String(again.error)).toBe(String(error));
                seen.ran++;
                continue;
              }
              seen.refused++;
              if (!isAbort(error)) expect(error).toBeInstanceOf(error instanceof UserError ? UserError : WasmnetError);
              expect(net.toBytes()).toEqual(before);
              // A refusal from the checks does not grow memory (an error from inside a callback
              // comes after fit accepted the call and reserved its batch buffers).
              if (error instanceof WasmnetError && !hooked) expect(arenaBytes(net)).toBe(memory);
            }
            expect(net.toBytes()).toEqual(twin.toBytes());
            const x = validX(4);
            const y = validY(f, 4);
            // (an accepted call may have trained the weights huge: then both diverge alike)
            let loss: unknown;
            let twinLoss: unknown;
            expect(String(outcome(() => (loss = net.trainBatch(x, y))))).toBe(String(outcome(() => (twinLoss = twin.trainBatch(x, y)))));
            expect(loss).toBe(twinLoss);
            expect(net.toBytes()).toEqual(twin.toBytes());
          } finally {
            restoreGrow();
          }
        },
      ),
      params(120),
    );
    seen.check();
  });

  it('memory that cannot grow: a MemoryLimitError that changes nothing, or the same result as a twin', async () => {
    const seen = branches('refused', 'ran');
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: FIXTURES.length - 1 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 50, max: 1500 }),
        fc.constantFrom('predict', 'evaluate', 'trainBatch', 'computeGradients', 'fit', 'fitValidation'),
        fc.integer({ min: 1, max: 2000 }),
        async (i, few, many, kind, batchSize) => {
          const f = fixture(i, backend);
          const net = new Network(threaded(f.config));
          const twin = new Network(f.config);
          for (const n of [net, twin]) n.trainBatch(validX(few), validY(f, few)); // room for `few` rows
          cannotGrow(net);
          try {
            const memory = arenaBytes(net);
            const before = net.toBytes();
            const x = new Float64Array(validX(many).flat());
            const y = new Float64Array(validY(f, many).flat());
            const call = async (n: Network) => {
              if (kind === 'predict') return n.predict(x);
              if (kind === 'evaluate') return n.evaluate(x, y);
              if (kind === 'trainBatch') return n.trainBatch(x, y);
              if (kind === 'computeGradients') return n.computeGradients(x, y);
              if (kind === 'fit') return n.fit(x, y, { batchSize, epochs: 2 });
              return n.fit(validX(few), validY(f, few), { validationData: [x, y] });
            };
            let result: unknown;
            const error = await outcomeAsync(async () => void (result = await call(net)));
            if (error instanceof MemoryLimitError) {
              expect(net.toBytes()).toEqual(before);
              expect(arenaBytes(net)).toBe(memory);
              seen.refused++;
              return;
            }
            seen.ran++;
            // It ran (batch by batch where the resident set found no room): as the twin does.
            let twinResult: unknown;
            const twinError = await outcomeAsync(async () => void (twinResult = await call(twin)));
            expect(String(error)).toBe(String(twinError));
            expect(result).toEqual(twinResult);
            expect(net.toBytes()).toEqual(twin.toBytes());
          } finally {
            restoreGrow();
          }
        },
      ),
      params(40),
    );
    seen.check();
  });

  it('mutated saved models: a network that works, or a FormatError', () => {
    const seen = branches('refused', 'loaded');
    const nets = FIXTURES.map((_, i) => {
      const net = new Network(fixture(i, backend).config);
      net.trainBatch(validX(3), validY(fixture(i, backend), 3)); // so the optimizer state is not all zeros
      return net;
    });
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), bits: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
      fc.record({ kind: fc.constant('edit' as const), path: fc.array(fc.constantFrom('config', 'layers', '0', '1', 'units', 'inputSize', 'training', 'stepCount', 'learningRate', 'optimizer', 'type', 'loss', 'shuffleRandom', 'dropoutRandom', 'slabs', 'weights', 'state1', 'format', 'version', 'seed', 'backend', 'rate', 'activation', 'stats', 'mean', 'variance', 'momentum', 'epsilon', '5'), { minLength: 1, maxLength: 4 }), value: fc.oneof(weird, size) }),
      // a size edited (without the weights to match): refused before anything is allocated
      fc.record({ kind: fc.constant('edit' as const), path: fc.constantFrom(['config', 'inputSize'], ['config', 'layers', '0', 'units'], ['config', 'layers', '1', 'units'], ['config', 'layers', '2', 'units']), value: fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(5000, 2 ** 20, 2 ** 28, 2 ** 30, 1e9)) }),
      fc.record({ kind: fc.constant('proto' as const), where: fc.constantFrom('{', '"config":{', '"training":{', '"layers":[{', '"optimizer":{'), value: fc.constantFrom('{"inputSize":5000}', '{"polluted":true}', 'null', '[1,2]', '"x"') }),
    );
    fc.assert(
      fc.property(fc.nat(nets.length - 1), fc.boolean(), mutation, maybe(fc.constantFrom({}, { backend: 'js' }, { backend: 'wasm' })), (i, asBytes, m, loadOptions) => {
        const source = nets[i]!;
        let loaded: Network | undefined;
        const error = outcome(() => {
          loaded = asBytes
            ? Network.fromBytes(mutateBytes(source.toBytes(), m), loadOptions as never)
            : Network.fromJSON(mutateText(JSON.stringify(source), m) as never, loadOptions as never);
        });
        if (error !== undefined) {
          expect(error).toBeInstanceOf(WasmnetError);
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          seen.refused++;
          return;
        }
        seen.loaded++;
        // Whatever loaded must work: predict, train a step (or refuse with a WasmnetError), save.
        const net = loaded!;
        const rows = validX(2).map((r) => r.slice(0, net.inputSize).concat(Array(Math.max(0, net.inputSize - 3)).fill(0)));
        outcome(() => net.predict(rows));
        outcome(() => net.trainBatch(rows, Array.from({ length: 2 }, () => Array(net.outputSize).fill(0))));
        expect(Network.fromBytes(net.toBytes()).toBytes()).toEqual(net.toBytes());
      }),
      params(500),
    );
    seen.check();
  });
});

it('plotHistory: an SVG for any history of numbers, a ConfigError for anything else', () => {
  const seen = branches('refused', 'drawn');
  const series = fc.oneof({ weight: 6, arbitrary: fc.array(fc.double(), { maxLength: 12 }) }, { weight: 1, arbitrary: weird });
  const history = fc.oneof(
    { weight: 6, arbitrary: fc.record({ epochs: fc.nat(), loss: series, valLoss: series, accuracy: series, valAccuracy: series, mae: series, valMae: series, learningRate: series }, { requiredKeys: [] }) },
    weird,
  );
  const options = fc.oneof(fc.record({ width: maybe(fc.integer({ min: 1, max: 2000 })), panelHeight: maybe(fc.double({ min: 1, max: 1e6 })), title: maybe(fc.string()) }, { requiredKeys: [] }), weird);
  fc.assert(
    fc.property(history, options, (h, o) => {
      let svg: string | undefined;
      const error = outcome(() => (svg = plotHistory(h as never, o as never)));
      if (error !== undefined) {
        expect(error).toBeInstanceOf(WasmnetError);
        seen.refused++;
        return;
      }
      seen.drawn++;
      expect(svg).toMatch(/^<svg [^]*<\/svg>$/);
      expect(svg).not.toMatch(/NaN|Infinity/);
    }),
    params(1000),
  );
  seen.check();
});

// ---- mutations of saved models ----------------------------------------------------------------

type Mutation =
  | { kind: 'flip'; bits: number[] }
  | { kind: 'truncate'; at: number }
  | { kind: 'append'; bytes: Uint8Array }
  | { kind: 'edit'; path: readonly string[]; value: unknown }
  | { kind: 'proto'; where: string; value: string };

function mutateBytes(bytes: Uint8Array, m: Mutation): Uint8Array {
  if (m.kind === 'flip') {
    const out = bytes.slice();
    for (const b of m.bits) out[(b >> 3) % out.length]! ^= 1 << (b & 7);
    return out;
  }
  if (m.kind === 'truncate') return bytes.slice(0, m.at % bytes.length);
  if (m.kind === 'append') {
    const out = new Uint8Array(bytes.length + m.bytes.length);
    out.set(bytes);
    out.set(m.bytes, bytes.length);
    return out;
  }
  // edit the JSON header, keep the body
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLength = view.getUint32(8, true);
  const head = new TextDecoder().decode(bytes.subarray(12, 12 + headLength));
  const body = bytes.subarray((12 + headLength + 7) & ~7);
  const text = new TextEncoder().encode(mutateText(head, m));
  const start = (12 + text.length + 7) & ~7;
  const out = new Uint8Array(start + body.length);
  out.set(bytes.subarray(0, 8));
  new DataView(out.buffer).setUint32(8, text.length, true);
  out.set(text, 12);
  out.set(body, start);
  return out;
}

function mutateText(text: string, m: Mutation): string {
  if (m.kind === 'flip') {
    const chars = [...text];
    for (const b of m.bits) {
      const i = (b >> 3) % chars.length;
      chars[i] = String.fromCharCode(chars[i]!.charCodeAt(0) ^ (1 << (b & 7)));
    }
    return chars.join('');
  }
  if (m.kind === 'truncate') return text.slice(0, m.at % text.length);
  if (m.kind === 'append') return text + String.fromCharCode(...m.bytes);
  if (m.kind === 'proto') return text.replace(m.where, `${m.where}"__proto__":${m.value},`);
  // set the value at a path (created as needed)
  const json = JSON.parse(text) as Record<string, unknown>;
  let node: Record<string, unknown> = json;
  for (const key of m.path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[m.path.at(-1)!] = m.value;
  return JSON.stringify(json, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
}
