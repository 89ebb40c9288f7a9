// Regression tests for the failures outside testing found (issue 11): each reproduces one
// failure on both backends. A refused call must throw a WasmnetError subclass and leave the
// network bit for bit as a same-seed twin that never saw the call — including when memory
// cannot grow.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigError,
  DivergenceError,
  FormatError,
  MemoryLimitError,
  Network,
  ShapeError,
  dense,
  dropout,
  init,
  plotHistory,
  type BackendName,
  type History,
  type NetworkConfig,
} from '../src/index';
import { JsKernels } from '../src/backend/js';
import { WasmKernels } from '../src/backend/wasm';

await init();

const BACKENDS: readonly BackendName[] = ['wasm', 'js'];
const LIMIT = 2 ** 32; // both backends cap an arena at 4 GiB

/** Bytes of the network's arena (the wasm memory, or the js backend's Float64Array). */
function arenaBytes(net: Network): number {
  return (net as unknown as { engine: { k: { heap: Float64Array } } }).engine.k.heap.byteLength;
}

function kernelsOf(net: Network): { heap: Float64Array; core?: { memory: WebAssembly.Memory }; allocate?: (n: number) => Float64Array } {
  return (net as unknown as { engine: { k: never } }).engine.k;
}

/** Makes the arena unable to grow, as a runtime out of memory would: wasm's memory.grow and
 *  the js backend's allocation throw the RangeError the runtime would. */
function cannotGrow(net: Network): void {
  const k = kernelsOf(net);
  if (k.core) {
    Object.defineProperty(k.core.memory, 'grow', {
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

async function expectSameAsTwin(net: Network, config: NetworkConfig, x: number[][], y: number[][]): Promise<void> {
  const twin = new Network(config);
  expect(net.toBytes()).toEqual(twin.toBytes());
  expect(net.predict(x)).toEqual(twin.predict(x));
  expect(net.trainBatch(x, y)).toBe(twin.trainBatch(x, y));
  expect(net.toBytes()).toEqual(twin.toBytes());
  expect(await net.fit(x, y, { epochs: 2, batchSize: 2 })).toEqual(await twin.fit(x, y, { epochs: 2, batchSize: 2 }));
  expect(net.toBytes()).toEqual(twin.toBytes());
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(BACKENDS)('issue 11 failures (%s backend)', (backend) => {
  const wide: NetworkConfig = { inputSize: 1, layers: [dense(1000, { activation: 'tanh' }), dense(1)], loss: 'mse', seed: 3, backend };

  it('1: a batch too large for memory leaves every offset and buffer as it was (the issue repro)', async () => {
    const net = new Network(wide);
    const before = net.predict([[0.5]]);
    const bytes = arenaBytes(net);
    expect(() => net.trainBatch(new Float64Array(1.2e6), new Float64Array(1.2e6))).toThrow(MemoryLimitError);
    expect(net.predict([[0.5]])).toEqual(before);
    expect(arenaBytes(net)).toBe(bytes);
    await expectSameAsTwin(net, wide, [[0.5], [-0.25], [1]], [[0.1], [0.2], [-0.3]]);
  });

  it('1: when memory cannot grow, trainBatch, computeGradients, fit and predict refuse with nothing moved', async () => {
    const config: NetworkConfig = { inputSize: 3, layers: [dense(16, { activation: 'relu' }), dropout(0.2), dense(2)], loss: 'mse', optimizer: { type: 'adam' }, seed: 9, backend };
    const net = new Network(config);
    const x = [[0.1, 0.2, 0.3], [0.4, -0.5, 0.6], [-0.7, 0.8, 0.9]];
    const y = [[1, 0], [0, 1], [0.5, 0.5]];
    net.predict(x); // batch buffers for 3 rows
    cannotGrow(net);
    const bytes = arenaBytes(net);
    const many = new Float64Array(3 * 4000).fill(0.5);
    const manyY = new Float64Array(2 * 4000).fill(0.5);
    for (const call of [() => net.trainBatch(many, manyY), () => net.computeGradients(many, manyY), () => net.evaluate(many, manyY)]) {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(MemoryLimitError);
      const e = error as MemoryLimitError;
      expect(e.message).toMatch(/^the network needs \d+ bytes \([\d.]+ MiB\) of memory, but the runtime refused to grow it beyond \d+ bytes/);
      expect(e.limit).toBe(bytes);
      expect(e.bytes).toBeGreaterThan(bytes);
      expect(arenaBytes(net)).toBe(bytes);
    }
    await expect(net.fit(many, manyY, { batchSize: 4000 })).rejects.toThrow(MemoryLimitError);
    expect(arenaBytes(net)).toBe(bytes);
    await expectSameAsTwin(net, config, x, y);
  });

  it('1: fit keeps training (batch by batch) when the resident set finds no room', async () => {
    const config: NetworkConfig = { inputSize: 2, layers: [dense(4, { activation: 'tanh' }), dense(1)], loss: 'mse', seed: 5, backend };
    // 2000 rows: too many to sit in the arena beside the batch buffers without growing it
    const x = Array.from({ length: 2000 }, (_, i) => [Math.sin(i), Math.cos(i)]);
    const y = x.map(([a, b]) => [a! * b!]);
    const net = new Network(config);
    net.predict(x.slice(0, 8)); // room for batches of 8, not for the whole set as well
    cannotGrow(net);
    const twin = new Network(config);
    expect(await net.fit(x, y, { epochs: 3, batchSize: 8 })).toEqual(await twin.fit(x, y, { epochs: 3, batchSize: 8 }));
    expect(net.toBytes()).toEqual(twin.toBytes());
  });

  it('2: size errors are MemoryLimitErrors naming the bytes needed and the limit', async () => {
    const huge = (): Network => new Network({ inputSize: 100000, layers: [dense(100000)], loss: 'mse', backend });
    expect(huge).toThrow(MemoryLimitError);
    // four slabs (weights, gradients, two optimizer states) of 100001·100000 f64s, at least
    expect(huge).toThrow(/^the network needs (\d+) bytes \([\d.]+ MiB\) of memory, more than the (wasm|js) backend's limit of 4294967296 bytes \(4 GiB\); use smaller layers or smaller batches$/);
    try {
      huge();
    } catch (e) {
      expect((e as MemoryLimitError).limit).toBe(LIMIT);
      expect((e as MemoryLimitError).bytes).toBeGreaterThanOrEqual(4 * 100001 * 100000 * 8);
      expect((e as MemoryLimitError).message).toContain(`needs ${(e as MemoryLimitError).bytes} bytes`);
    }
    const net = new Network(wide);
    const big = new Float64Array(1.2e6);
    expect(() => net.computeGradients(big, big)).toThrow(MemoryLimitError);
    await expect(net.fit(big, big, { batchSize: 1.2e6 })).rejects.toThrow(MemoryLimitError);
    await expectSameAsTwin(net, wide, [[0.5]], [[0.1]]);
  });

  it('2: a saved model too large for the memory there is throws a FormatError', () => {
    const net = new Network({ inputSize: 200, layers: [dense(300), dense(2)], loss: 'mse', seed: 1, backend });
    const json = JSON.stringify(net);
    const bytes = net.toBytes();
    // The runtime refuses every allocation: loading must say so as a FormatError.
    if (backend === 'wasm') {
      vi.spyOn(WebAssembly.Memory.prototype, 'grow').mockImplementation(() => {
        throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
      });
    } else {
      vi.spyOn(JsKernels.prototype, 'allocate').mockImplementation(() => {
        throw new RangeError('Array buffer allocation failed');
      });
    }
    expect(() => Network.fromJSON(json)).toThrow(FormatError);
    expect(() => Network.fromJSON(json)).toThrow(/^saved model is too large to load: the network needs \d+ bytes/);
    expect(() => Network.fromBytes(bytes)).toThrow(FormatError);
  });

  it('3: loading checks the declared sizes against the weights present before allocating anything', () => {
    const net = new Network({ inputSize: 2, layers: [dense(3, { activation: 'tanh' }), dense(1)], loss: 'mse', seed: 2, backend });
    // No arena may be allocated or grown: the spies fail the load if anything tries.
    const reserve = vi.spyOn(backend === 'wasm' ? WasmKernels.prototype : JsKernels.prototype, 'reserve').mockImplementation(() => {
      throw new Error('allocated before checking');
    });
    const saved = net.toJSON();
    const edited = { ...saved, config: { ...saved.config, inputSize: 5000, layers: [dense(5000, { activation: 'tanh' }), dense(1)] } };
    expect(() => Network.fromJSON(edited)).toThrow(FormatError);
    expect(() => Network.fromJSON(JSON.stringify(edited))).toThrow(
      'saved model: weights has 13 values, but its architecture has 25010001 parameters',
    );
    const bytes = editHeader(net.toBytes(), (head) => {
      (head.config as Record<string, unknown>).inputSize = 5000;
      (head.config as Record<string, unknown>).layers = [dense(5000, { activation: 'tanh' }), dense(1)];
    });
    expect(() => Network.fromBytes(bytes)).toThrow('saved model: weights has 13 values, but its architecture has 25010001 parameters');
    expect(reserve).not.toHaveBeenCalled();
  });

  it('4: samples with null or undefined input/output are ShapeErrors, not TypeErrors', async () => {
    const net = new Network({ inputSize: 2, layers: [dense(1)], loss: 'mse', seed: 4, backend });
    const good = { input: [1, 2], output: [3] };
    const cases: [unknown, string][] = [
      [[{ input: null, output: [1] }], 'samples[0].input must be an array of 2 numbers, got null'],
      [[good, { input: [1, 2], output: undefined }], 'samples[1].output must be an array of 1 numbers, got undefined'],
      [[good, { input: 7, output: [1] }], 'samples[1].input must be an array of 2 numbers, got 7'],
      [[good, { input: { length: 2 }, output: [1] }], 'samples[1].input must be an array of 2 numbers, got an object'],
      [[good, [1, 2]], 'samples[1] must be { input, output }, got an array of length 2'],
    ];
    for (const [samples, message] of cases) {
      await expect(net.fit(samples as never)).rejects.toThrow(new ShapeError(message));
    }
    await expect(net.fit([good], { validationData: [good, { input: undefined, output: [1] }] as never })).rejects.toThrow(
      new ShapeError('validationData[1].input must be an array of 2 numbers, got undefined'),
    );
    await expect(net.fit([good], { validationData: [{ input: [1, 2], output: null }] as never })).rejects.toThrow(
      new ShapeError('validationData[0].output must be an array of 1 numbers, got null'),
    );
    // typed arrays still work as sample vectors
    await net.fit([{ input: new Float64Array([1, 2]), output: new Float32Array([3]) as never }]);
  });

  it('4: fromBytes with a JSON header that is not an object is a FormatError', () => {
    const net = new Network({ inputSize: 2, layers: [dense(1)], loss: 'mse', seed: 4, backend });
    for (const header of ['null', '7', '"text"', '[1,2]']) {
      const bytes = rawModel(header, net.toBytes());
      expect(() => Network.fromBytes(bytes)).toThrow(FormatError);
      expect(() => Network.fromBytes(bytes)).toThrow(/^saved model is corrupted: its header must be a JSON object, got (null|number|string|object)$/);
    }
  });

  it('5: a trainBatch refused with DivergenceError moves nothing, not even the dropout generator', async () => {
    const config: NetworkConfig = {
      inputSize: 2,
      layers: [dense(8, { activation: 'relu' }), dropout(0.5), dense(1)],
      loss: 'mse',
      optimizer: { type: 'adam', learningRate: 0.01 },
      seed: 11,
      backend,
    };
    const net = new Network(config);
    const x = [[0.1, 0.2], [0.3, -0.4], [-0.5, 0.6]];
    const y = [[0.5], [-0.5], [0.25]];
    expect(() => net.trainBatch([[1e200, 1e200]], [[1e200]])).toThrow(DivergenceError);
    await expectSameAsTwin(net, config, x, y);
  });

  it('5: fit stopped by divergence leaves the dropout generator as after the last applied batch', async () => {
    const config: NetworkConfig = { inputSize: 1, layers: [dense(4), dropout(0.5), dense(1)], loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.1 }, seed: 8, backend };
    const x = [[0.5], [1e200]];
    const y = [[0.5], [1e200]];
    const net = new Network(config);
    // batch 0 = the finite row, batch 1 diverges (no shuffle): the network ends as a twin
    // trained on batch 0 only.
    await expect(net.fit(x, y, { epochs: 1, batchSize: 1, shuffle: false })).rejects.toThrow(DivergenceError);
    const twin = new Network(config);
    await twin.fit([[0.5]], [[0.5]], { epochs: 1, batchSize: 1, shuffle: false });
    const training = (n: Network) => (n.toJSON().training as { dropoutRandom: number[] }).dropoutRandom;
    expect(training(net)).toEqual(training(twin));
    expect(net.getWeights()).toEqual(twin.getWeights());
  });

  it('6: a learning rate set in onTrainEnd sticks, and net.optimizer and the saved model agree', async () => {
    const config: NetworkConfig = { inputSize: 2, layers: [dense(1)], loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.01, momentum: 0.5 }, seed: 6, backend };
    const net = new Network(config);
    const x = [[1, 2], [3, 4]];
    const y = [[1], [2]];
    const seen: number[] = [];
    await net.fit(x, y, {
      epochs: 2,
      learningRate: () => 0.05, // a schedule's rate is put back before onTrainEnd runs...
      onTrainEnd: (_h, control) => {
        seen.push(control.learningRate);
        control.learningRate = 0.003; // ...and a rate set here stays
      },
    });
    expect(seen).toEqual([0.01]);
    expect(net.optimizer.learningRate).toBe(0.003);
    const saved = net.toJSON();
    expect((saved.config.optimizer as { learningRate: number }).learningRate).toBe(0.003);
    expect(saved.training.learningRate).toBe(0.003);
    const loaded = Network.fromJSON(JSON.stringify(saved));
    expect(loaded.optimizer.learningRate).toBe(0.003);
    // The loaded copy trains on exactly as the original.
    expect(loaded.trainBatch(x, y)).toBe(net.trainBatch(x, y));
    expect(loaded.toBytes()).toEqual(net.toBytes());
    // Without onTrainEnd, fit ends with the rate it started with.
    const plain = new Network(config);
    await plain.fit(x, y, { epochs: 2, learningRate: () => 0.05 });
    expect(plain.optimizer.learningRate).toBe(0.01);
    expect(plain.toJSON().training.learningRate).toBe(0.01);
  });

  it('6: a network whose rate was set to 0 saves and loads (found by the fuzz)', async () => {
    const net = new Network({ inputSize: 2, layers: [dense(1)], loss: 'mse', seed: 6, backend });
    await net.fit([[1, 2]], [[1]], { onTrainEnd: (_h, control) => void (control.learningRate = 0) });
    expect(net.optimizer.learningRate).toBe(0);
    const loaded = Network.fromBytes(net.toBytes());
    expect(loaded.optimizer.learningRate).toBe(0);
    expect(loaded.toBytes()).toEqual(net.toBytes());
    expect(new Network({ inputSize: 2, layers: [dense(1)], loss: 'mse', optimizer: { type: 'adam', learningRate: 0 }, backend }).optimizer.learningRate).toBe(0);
  });
});

describe('7: plotHistory', () => {
  const coordinates = (svg: string): number[] =>
    [...svg.matchAll(/(?<![\w-])(?:x|y|x1|x2|y1|y2|cx|cy)="([^"]*)"/g), ...[...svg.matchAll(/points="([^"]*)"/g)].flatMap((m) => m[1]!.split(/[ ,]/).map((v) => [v, v]))]
      .map((m) => Number(m[1]));

  it('returns an SVG for one-ulp ranges and values near Number.MAX_VALUE', () => {
    const M = Number.MAX_VALUE;
    const histories: number[][] = [
      [0.1, 0.10000000000000002],
      [1, 1 + Number.EPSILON, 1],
      [M, M],
      [M, M * 0.9999999999999999],
      [-M, M],
      [M, 0, -M],
      [5e-324, 0],
      [-5e-324, 5e-324],
      [1e300, -1e-300],
      [],
      [Number.NaN, Infinity], // nothing finite to draw
    ];
    for (const loss of histories) {
      const svg = plotHistory({ epochs: loss.length, loss, valLoss: loss.slice().reverse(), learningRate: [] });
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.trim().endsWith('</svg>')).toBe(true);
      expect(svg).not.toMatch(/NaN|Infinity/);
      for (const v of coordinates(svg)) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(720);
      }
    }
  });

  it('draws a history far longer than a spread argument list allows', () => {
    const loss = Array.from({ length: 300000 }, (_, i) => 1 / (i + 1));
    expect(plotHistory({ epochs: loss.length, loss, learningRate: [] })).toContain('<polyline');
  });

  it('throws a ConfigError for malformed input', () => {
    const bad = (history: unknown, options?: unknown) => () => plotHistory(history as History, options as never);
    expect(bad(null)).toThrow(new ConfigError('plotHistory: history must be an object, got null'));
    expect(bad(undefined)).toThrow(new ConfigError('plotHistory: history must be an object, got undefined'));
    expect(bad([1, 2])).toThrow(ConfigError);
    expect(bad({ loss: 'abc' })).toThrow(new ConfigError('plotHistory: history.loss must be an array of numbers, got "abc"'));
    expect(bad({ loss: [1, '2'] })).toThrow(new ConfigError('plotHistory: history.loss must be an array of numbers, got an array of length 2'));
    expect(bad({ loss: [1], valLoss: [null] })).toThrow(new ConfigError('plotHistory: history.valLoss must be an array of numbers, got an array of length 1'));
    expect(bad({ loss: [1] }, { title: 5 })).toThrow(new ConfigError('plotHistory: options.title must be a string, got 5'));
    expect(bad({ loss: [1] }, null)).toThrow(new ConfigError('plotHistory: options must be an object, got null'));
    expect(bad({ loss: [1] }, { width: -1 })).toThrow(new ConfigError('plotHistory: options.width must be a number in [1, 100000], got -1'));
    expect(bad({ loss: [1] }, { panelHeight: 8.98846567431158e307 })).toThrow(ConfigError); // found by the fuzz: the height overflowed to Infinity
    expect(bad({ loss: [1] }, { panelHeight: Infinity })).toThrow(ConfigError);
    expect(bad({ loss: [1] }, { colour: 'red' })).toThrow(ConfigError);
  });
});

/** A bytes-format model whose JSON header `head` (the decoded object) was edited. */
function editHeader(bytes: Uint8Array, edit: (head: Record<string, unknown>) => void): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLength = view.getUint32(8, true);
  const head = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headLength))) as Record<string, unknown>;
  edit(head);
  return rawModel(JSON.stringify(head), bytes);
}

/** The bytes format with header text `header` and the body (slabs) of `from`. */
function rawModel(header: string, from: Uint8Array): Uint8Array {
  const view = new DataView(from.buffer, from.byteOffset, from.byteLength);
  const oldLength = view.getUint32(8, true);
  const body = from.subarray((12 + oldLength + 7) & ~7);
  const head = new TextEncoder().encode(header);
  const start = (12 + head.length + 7) & ~7;
  const out = new Uint8Array(start + body.length);
  out.set(from.subarray(0, 8));
  new DataView(out.buffer).setUint32(8, head.length, true);
  out.set(head, 12);
  out.set(body, start);
  return out;
}
