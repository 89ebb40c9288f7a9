// The training loop and the API's data forms: fit is exactly a sequence of trainBatch steps,
// callbacks see what history records, yielding is controlled by yieldEvery.
import { describe, expect, it } from 'vitest';
import { Network, dense, init, type NetworkConfig } from '../src/index';
import { irisSplit, seeded } from './helpers/data';

await init();

const make = (backend: 'wasm' | 'js', extra: Partial<NetworkConfig> = {}) =>
  new Network({
    inputSize: 4,
    layers: [dense(6, { activation: 'tanh' }), dense(3, { activation: 'softmax' })],
    loss: 'categoricalCrossentropy',
    optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9 },
    seed: 11,
    backend,
    ...extra,
  });

const { trainX, trainY } = irisSplit();
const flat = (rows: number[][]) => Float64Array.from(rows.flat());

describe.each(['wasm', 'js'] as const)('fit on %s', (backend) => {
  it('without shuffling, fit is exactly trainBatch over consecutive batches (last one smaller)', async () => {
    const a = make(backend);
    const b = make(backend);
    const history = await a.fit(trainX, trainY, { epochs: 3, batchSize: 25, shuffle: false });
    const losses: number[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      let sum = 0;
      for (let start = 0; start < trainX.length; start += 25) {
        const end = Math.min(start + 25, trainX.length); // 102 rows: 25, 25, 25, 25, 2
        sum += b.trainBatch(trainX.slice(start, end), trainY.slice(start, end)) * (end - start);
      }
      losses.push(sum / trainX.length);
    }
    expect(b.getWeights()).toEqual(a.getWeights());
    expect(history.loss).toEqual(losses);
    expect(history.epochs).toBe(3);
  });

  it('number[][] and row-major Float64Array inputs train identically; predict answers in the same form', async () => {
    const a = make(backend);
    const b = make(backend);
    await a.fit(trainX, trainY, { epochs: 2, batchSize: 10 });
    await b.fit(flat(trainX), flat(trainY), { epochs: 2, batchSize: 10 });
    expect(b.getWeights()).toEqual(a.getWeights());
    const nested = a.predict(trainX.slice(0, 5));
    const typed = a.predict(flat(trainX.slice(0, 5)));
    expect(Array.isArray(nested)).toBe(true);
    expect(typed).toBeInstanceOf(Float64Array);
    expect(Float64Array.from(nested.flat())).toEqual(typed);
    expect(a.evaluate(trainX, trainY)).toEqual(a.evaluate(flat(trainX), flat(trainY)));
  });

  it('onEpochEnd sees every epoch with the logs history records; async callbacks are awaited', async () => {
    const net = make(backend);
    const seen: [number, number, number][] = [];
    let pending = 0;
    const history = await net.fit(trainX, trainY, {
      epochs: 5,
      batchSize: 16,
      onEpochEnd: async (epoch, logs) => {
        pending++;
        await new Promise((r) => setTimeout(r, 1));
        seen.push([epoch, logs.loss, logs.accuracy!]);
        pending--;
      },
    });
    expect(pending).toBe(0);
    expect(seen.map((s) => s[0])).toEqual([0, 1, 2, 3, 4]);
    expect(seen.map((s) => s[1])).toEqual(history.loss);
    expect(seen.map((s) => s[2])).toEqual(history.accuracy);
    expect(history.loss[4]!).toBeLessThan(history.loss[0]!);
  });

  it('a batch size above the sample count trains on the full batch', async () => {
    const a = make(backend);
    const b = make(backend);
    await a.fit(trainX, trainY, { epochs: 2, batchSize: 1000, shuffle: false });
    b.trainBatch(trainX, trainY);
    b.trainBatch(trainX, trainY);
    expect(a.getWeights()).toEqual(b.getWeights());
  });

  it('trainBatch returns the loss before its update, as evaluate measures it', () => {
    const net = make(backend);
    const expected = net.evaluate(trainX, trainY).loss;
    expect(net.trainBatch(trainX, trainY)).toBeCloseTo(expected, 14);
    expect(net.evaluate(trainX, trainY).loss).toBeLessThan(expected);
  });

  it('predict and evaluate handle more rows than the batch buffers (chunked) with the same answers', () => {
    const net = make(backend);
    const rand = seeded(4);
    const many = Array.from({ length: 1000 }, () => [rand(), rand(), rand(), rand()]);
    const all = net.predict(many);
    const oneByOne = many.slice(0, 300).map((row) => net.predict([row])[0]!);
    expect(all.slice(0, 300)).toEqual(oneByOne);
    expect(all).toHaveLength(1000);
  });
});

describe('yielding to the event loop', () => {
  // Counts macrotask turns taken while fit runs: with yieldEvery 0, one per epoch boundary.
  async function turnsDuring(yieldEvery: number, epochs: number): Promise<number> {
    const net = make('wasm');
    let turns = 0;
    let running = true;
    const tick = () => {
      if (!running) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    await net.fit(trainX.slice(0, 8), trainY.slice(0, 8), { epochs, batchSize: 8, yieldEvery });
    running = false;
    return turns;
  }

  it('yieldEvery: 0 yields after every epoch but the last', async () => {
    expect(await turnsDuring(0, 50)).toBeGreaterThanOrEqual(49);
  });

  it('yieldEvery: Infinity never yields (the whole fit runs in one turn)', async () => {
    expect(await turnsDuring(Infinity, 50)).toBe(0);
  });
});

describe('summary and gradients', () => {
  it('summary lists layers and parameter counts', () => {
    const net = make('wasm');
    expect(net.paramCount).toBe(4 * 6 + 6 + 6 * 3 + 3);
    const text = net.summary();
    expect(text).toContain('tanh');
    expect(text).toContain('softmax');
    expect(text).toContain(`total params: ${net.paramCount}`);
  });

  it('computeGradients does not change the weights', () => {
    const net = make('js');
    const before = net.getWeights();
    const { gradients } = net.computeGradients(trainX, trainY);
    expect(gradients.map((g) => g.weights.length)).toEqual([24, 18]);
    expect(net.getWeights()).toEqual(before);
  });
});
