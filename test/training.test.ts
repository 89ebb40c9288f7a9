// fit's training features: validation (split and data), metrics, callbacks and their control
// object, stopping, early stopping, learning-rate schedules, abort signals, and the checks
// that refuse bad options without touching the network. Each test would fail if the option
// did nothing.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  ConfigError, DataError, Network, ShapeError, cosineDecay, dense, earlyStopping, exponentialDecay, init, learningRateScheduler,
  stepDecay, type Callback, type EpochLogs, type FitOptions, type History, type NetworkConfig, type TrainingControl,
} from '../src/index';
import { irisSplit, sineRegression } from './helpers/data';
import { inMutationRun } from './helpers/mutation';

await init();

const { trainX, trainY, testX, testY } = irisSplit(); // 102 training rows, 48 test rows
const flat = (rows: number[][]) => Float64Array.from(rows.flat());

const classifier = (backend: 'wasm' | 'js' = 'wasm', extra: Partial<NetworkConfig> = {}) =>
  new Network({
    inputSize: 4,
    layers: [dense(6, { activation: 'tanh' }), dense(3, { activation: 'softmax' })],
    loss: 'categoricalCrossentropy',
    optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9 },
    seed: 11,
    backend,
    ...extra,
  });

const regressor = (seed = 5) =>
  new Network({
    inputSize: 2,
    layers: [dense(8, { activation: 'tanh' }), dense(2)],
    loss: 'mse',
    optimizer: { type: 'sgd', learningRate: 0.05 },
    seed,
  });

/** Every weight and bias as raw 64-bit patterns: equality is bit for bit. */
const bits = (net: Network): bigint[] =>
  Array.from(new BigUint64Array(Float64Array.from(net.getWeights().flatMap((w) => [...w.weights, ...w.bias])).buffer));

/** trainBatch over consecutive batches of rows [from, to), as fit does without shuffling. */
function trainRange(net: Network, x: number[][], y: number[][], batchSize: number, batches = Infinity): number[] {
  const losses: number[] = [];
  for (let start = 0; start < x.length && losses.length < batches; start += batchSize) {
    const end = Math.min(start + batchSize, x.length);
    losses.push(net.trainBatch(x.slice(start, end), y.slice(start, end)) * (end - start));
  }
  return losses;
}

const argmax = (row: readonly number[]) => row.indexOf(Math.max(...row));

describe.each(['wasm', 'js'] as const)('validation on %s', (backend) => {
  it('validationSplit holds out the LAST rows (before shuffling): training equals fit on the first rows', async () => {
    const a = classifier(backend);
    const b = classifier(backend);
    const split = 0.25; // 102 rows → 76 train, 26 validation
    const cut = Math.floor(102 * (1 - split));
    const valX = trainX.slice(cut);
    const valY = trainY.slice(cut);
    const seen: number[][] = [];
    const history = await a.fit(trainX, trainY, {
      epochs: 4,
      batchSize: 10,
      validationSplit: split,
      onEpochEnd: () => {
        const e = a.evaluate(valX, valY);
        seen.push([e.loss, e.accuracy!]);
      },
    });
    const plain = await b.fit(trainX.slice(0, cut), trainY.slice(0, cut), { epochs: 4, batchSize: 10 });
    expect(bits(a)).toEqual(bits(b)); // same rows, same shuffles
    expect(history.loss).toEqual(plain.loss);
    expect(history.valLoss).toEqual(seen.map((s) => s[0]));
    expect(history.valAccuracy).toEqual(seen.map((s) => s[1]));
    expect(Object.keys(history).sort()).toEqual(['accuracy', 'epochs', 'learningRate', 'loss', 'valAccuracy', 'valLoss']);
  });

  it('validationSplit works on Float64Array data and brain.js samples alike', async () => {
    const a = classifier(backend);
    const b = classifier(backend);
    const c = classifier(backend);
    const options: FitOptions = { epochs: 2, batchSize: 16, validationSplit: 0.3, metrics: ['accuracy', 'mae'] };
    const h1 = await a.fit(trainX, trainY, options);
    const h2 = await b.fit(flat(trainX), flat(trainY), options);
    const h3 = await c.fit(trainX.map((input, i) => ({ input, output: trainY[i]! })), options);
    expect(h2).toEqual(h1);
    expect(h3).toEqual(h1);
    expect(bits(b)).toEqual(bits(a));
  });

  it('validationData ([x, y] or samples) is evaluated after every epoch and does not change training', async () => {
    const a = classifier(backend);
    const b = classifier(backend);
    const c = classifier(backend);
    const valLoss: number[] = [];
    const h = await a.fit(trainX, trainY, {
      epochs: 3,
      batchSize: 16,
      validationData: [testX, testY],
      onEpochEnd: () => void valLoss.push(a.evaluate(testX, testY).loss),
    });
    await b.fit(trainX, trainY, { epochs: 3, batchSize: 16 });
    const h3 = await c.fit(trainX, trainY, {
      epochs: 3,
      batchSize: 16,
      validationData: testX.map((input, i) => ({ input, output: testY[i]! })),
    });
    expect(bits(a)).toEqual(bits(b));
    expect(h.valLoss).toEqual(valLoss);
    expect(h3).toEqual(h);
    expect(h.valLoss![2]).toBeLessThan(h.valLoss![0]!);
  });
});

describe('the loop', () => {
  it('fit(2) then fit(3) trains exactly as fit(5): an epoch’s shuffle depends only on the generator', async () => {
    const a = classifier();
    await a.fit(trainX, trainY, { epochs: 5, batchSize: 20 });
    const b = classifier();
    await b.fit(trainX, trainY, { epochs: 2, batchSize: 20 });
    await b.fit(trainX, trainY, { epochs: 3, batchSize: 20 });
    expect(bits(b)).toEqual(bits(a));
  });
});

describe('metrics', () => {
  it('accuracy and mae equal a hand computation on the batches as they were trained, and on validation', async () => {
    const net = classifier('wasm');
    const twin = classifier('wasm');
    const cut = 80;
    const history = await net.fit(trainX, trainY, { epochs: 3, batchSize: 25, shuffle: false, validationSplit: 1 - cut / 102, metrics: ['accuracy', 'mae'] });
    const x = trainX.slice(0, cut);
    const y = trainY.slice(0, cut);
    const expected: Record<string, number[]> = { loss: [], accuracy: [], mae: [], valLoss: [], valAccuracy: [], valMae: [] };
    const measure = (px: number[][], py: number[][]) => {
      const out = twin.predict(px);
      let correct = 0;
      let abs = 0;
      out.forEach((row, r) => {
        if (argmax(row) === argmax(py[r]!)) correct++;
        row.forEach((v, j) => (abs += Math.abs(v - py[r]![j]!)));
      });
      return { correct, abs };
    };
    for (let epoch = 0; epoch < 3; epoch++) {
      let loss = 0;
      let correct = 0;
      let abs = 0;
      for (let start = 0; start < cut; start += 25) {
        const bx = x.slice(start, start + 25);
        const by = y.slice(start, start + 25);
        const m = measure(bx, by); // the batch's outputs before its update
        correct += m.correct;
        abs += m.abs;
        loss += twin.trainBatch(bx, by) * bx.length;
      }
      expected.loss!.push(loss / cut);
      expected.accuracy!.push(correct / cut);
      expected.mae!.push(abs / (cut * 3));
      const v = measure(trainX.slice(cut), trainY.slice(cut));
      expected.valLoss!.push(twin.evaluate(trainX.slice(cut), trainY.slice(cut)).loss);
      expected.valAccuracy!.push(v.correct / (102 - cut));
      expected.valMae!.push(v.abs / ((102 - cut) * 3));
    }
    expect(history.accuracy).toEqual(expected.accuracy);
    expect(history.valAccuracy).toEqual(expected.valAccuracy);
    expect(history.valLoss).toEqual(expected.valLoss);
    for (const key of ['loss', 'mae', 'valMae'] as const) {
      history[key]!.forEach((v, i) => expect(v).toBeCloseTo(expected[key]![i]!, 12));
    }
    expect(new Set(history.accuracy).size).toBeGreaterThan(1); // the values move: a real measurement
  });

  it('mae works for regression losses; accuracy is on by default only for classification', async () => {
    const { trainX: x, trainY: y } = sineRegression(40, 2);
    const net = regressor();
    const twin = regressor();
    const h = await net.fit(x, y, { epochs: 1, batchSize: x.length, metrics: ['mae'] });
    const out = twin.predict(x);
    const mae = out.flat().reduce((s, v, i) => s + Math.abs(v - y.flat()[i]!), 0) / (x.length * 2);
    expect(h.mae![0]).toBeCloseTo(mae, 12);
    expect(h.accuracy).toBeUndefined();
    expect((await regressor().fit(x, y, { epochs: 1 })).mae).toBeUndefined();
    expect((await classifier().fit(trainX, trainY)).accuracy).toHaveLength(1);
    const none = await classifier().fit(trainX, trainY, { metrics: [] });
    expect(none.accuracy).toBeUndefined();
    expect(Object.keys(none).sort()).toEqual(['epochs', 'learningRate', 'loss']);
  });
});

describe('callbacks', () => {
  it('run in order (option hooks, then the callbacks list) with the right counts and arguments', async () => {
    const events: string[] = [];
    const hooks = (name: string): Callback => ({
      onTrainBegin: (c) => void events.push(`${name}:trainBegin ${c.epochs}x${c.batchesPerEpoch} ${c.samples}+${c.validationSamples} [${c.logKeys.join(',')}]`),
      onEpochBegin: (e) => void events.push(`${name}:epochBegin ${e}`),
      onBatchEnd: (b, logs) => void events.push(`${name}:batchEnd ${b} ${logs.size}`),
      onEpochEnd: (e, logs) => void events.push(`${name}:epochEnd ${e} ${Object.keys(logs).join(',')}`),
      onTrainEnd: (h) => void events.push(`${name}:trainEnd ${h.epochs}`),
    });
    // a class instance: its methods are called on the instance
    class Counter implements Callback {
      batches = 0;
      onBatchEnd() {
        this.batches++;
      }
    }
    const counter = new Counter();
    const net = classifier();
    await net.fit(trainX.slice(0, 10), trainY.slice(0, 10), {
      epochs: 2,
      batchSize: 4,
      validationSplit: 0.2, // 8 train (batches of 4, 4), 2 validation
      ...hooks('opt'),
      callbacks: [hooks('a'), counter],
    });
    const both = (e: string) => [`opt:${e}`, `a:${e}`];
    const logKeys = 'loss,learningRate,accuracy,valLoss,valAccuracy';
    expect(events).toEqual([
      'opt:trainBegin 2x2 8+2 [loss,accuracy,valLoss,valAccuracy]',
      'a:trainBegin 2x2 8+2 [loss,accuracy,valLoss,valAccuracy]',
      ...[0, 1].flatMap((e) => [...both(`epochBegin ${e}`), ...both('batchEnd 0 4'), ...both('batchEnd 1 4'), ...both(`epochEnd ${e} ${logKeys}`)]),
      ...both('trainEnd 2'),
    ]);
    expect(counter.batches).toBe(4);
  });

  it('batch logs hold the batch loss (before its update) and batch metrics', async () => {
    const net = classifier();
    const twin = classifier();
    const seen: [number, number, number][] = [];
    await net.fit(trainX, trainY, {
      epochs: 1,
      batchSize: 30,
      shuffle: false,
      onBatchEnd: (b, logs) => void seen.push([logs.loss, logs.size, logs.accuracy!]),
    });
    const expected = [0, 30, 60, 90].map((start) => {
      const bx = trainX.slice(start, start + 30);
      const by = trainY.slice(start, start + 30);
      const correct = twin.predict(bx).filter((row, r) => argmax(row) === argmax(by[r]!)).length;
      return [twin.trainBatch(bx, by), bx.length, correct / bx.length];
    });
    expect(seen).toEqual(expected);
  });

  it('async callbacks are awaited in sequence: no batch starts before the previous callback settled', async () => {
    const net = classifier();
    const log: string[] = [];
    let busy = false;
    await net.fit(trainX.slice(0, 12), trainY.slice(0, 12), {
      epochs: 2,
      batchSize: 4,
      onBatchEnd: async (b) => {
        expect(busy).toBe(false);
        busy = true;
        await new Promise((r) => setTimeout(r, 1));
        log.push(`b${b}`);
        busy = false;
      },
      onEpochEnd: async (e) => {
        await new Promise((r) => setTimeout(r, 1));
        log.push(`e${e}`);
      },
    });
    expect(log).toEqual(['b0', 'b1', 'b2', 'e0', 'b0', 'b1', 'b2', 'e1']);
  });

  it('returning false from onEpochEnd stops after that epoch; every callback still sees it', async () => {
    const net = classifier();
    const twin = classifier();
    const later: number[] = [];
    let ended: History | undefined;
    const history = await net.fit(trainX, trainY, {
      epochs: 10,
      batchSize: 34,
      shuffle: false,
      onEpochEnd: (e) => e !== 2,
      callbacks: [{ onEpochEnd: (e) => void later.push(e), onTrainEnd: (h) => void (ended = h) }],
    });
    for (let e = 0; e < 3; e++) trainRange(twin, trainX, trainY, 34);
    expect(history.epochs).toBe(3);
    expect(history.loss).toHaveLength(3);
    expect(later).toEqual([0, 1, 2]);
    expect(ended).toBe(history);
    expect(bits(net)).toEqual(bits(twin));
  });

  it('control.stop() in onEpochEnd, or a promise of false, stops the same way', async () => {
    const a = await classifier().fit(trainX, trainY, { epochs: 10, onEpochEnd: (e, _logs, control) => void (e === 1 && control.stop()) });
    const b = await classifier().fit(trainX, trainY, { epochs: 10, onEpochEnd: async (e) => e !== 1 });
    expect(a.epochs).toBe(2);
    expect(b).toEqual(a);
  });

  it('stopping in onBatchEnd ends after that batch; the partial epoch is validated, logged and recorded', async () => {
    const net = classifier();
    const twin = classifier();
    const epochLogs: EpochLogs[] = [];
    const history = await net.fit(trainX, trainY, {
      epochs: 5,
      batchSize: 25, // 102 rows: 5 batches per epoch
      shuffle: false,
      validationData: [testX, testY],
      onBatchEnd: (b, _logs, control) => !(control.epoch === 1 && b === 1),
      onEpochEnd: (_e, logs) => void epochLogs.push(logs),
    });
    trainRange(twin, trainX, trainY, 25);
    const partial = trainRange(twin, trainX, trainY, 25, 2);
    expect(bits(net)).toEqual(bits(twin));
    expect(history.epochs).toBe(2);
    expect(history.loss[1]).toBeCloseTo((partial[0]! + partial[1]!) / 50, 14);
    expect(history.valLoss![1]).toBe(twin.evaluate(testX, testY).loss);
    expect(epochLogs).toHaveLength(2);
  });

  it('stop() from onEpochBegin skips that epoch; from onTrainBegin trains nothing (onTrainEnd still runs)', async () => {
    const net = classifier();
    const twin = classifier();
    const h = await net.fit(trainX, trainY, { epochs: 5, batchSize: 34, shuffle: false, onEpochBegin: (e, c) => void (e === 2 && c.stop()) });
    trainRange(twin, trainX, trainY, 34);
    trainRange(twin, trainX, trainY, 34);
    expect(h.epochs).toBe(2);
    expect(bits(net)).toEqual(bits(twin));

    const untouched = classifier();
    const before = bits(untouched);
    let endedWith: History | undefined;
    const none = await untouched.fit(trainX, trainY, { epochs: 3, onTrainBegin: (c) => c.stop(), onTrainEnd: (hist) => void (endedWith = hist) });
    expect(none.epochs).toBe(0);
    expect(none.loss).toEqual([]);
    expect(endedWith).toBe(none);
    expect(bits(untouched)).toEqual(before);
  });

  it('control.stop() called from outside (e.g. a Stop button) takes effect at the next batch boundary', async () => {
    const net = classifier();
    let control: TrainingControl | undefined;
    setTimeout(() => control!.stop(), 20);
    const h = await net.fit(trainX, trainY, { epochs: 1_000_000, batchSize: 8, yieldEvery: 0, onTrainBegin: (c) => void (control = c) });
    expect(h.epochs).toBeGreaterThan(0);
    expect(h.epochs).toBeLessThan(1_000_000);
    expect(control!.stopRequested).toBe(true);
  });

  it('control.snapshotWeights / restoreWeights copy every weight and bias exactly', async () => {
    const net = classifier();
    let saved: Float64Array | undefined;
    let savedBits: bigint[] = [];
    await net.fit(trainX, trainY, {
      epochs: 4,
      onEpochEnd: (e, _logs, c) => {
        if (e === 1) {
          saved = c.snapshotWeights();
          savedBits = bits(net);
        }
      },
      onTrainEnd: (_h, c) => {
        expect(() => c.restoreWeights(new Float64Array(3))).toThrow(ShapeError);
        c.restoreWeights(saved!);
      },
    });
    expect(saved).toHaveLength(net.paramCount);
    expect(bits(net)).toEqual(savedBits);
  });
});

describe('earlyStopping', () => {
  /** Drives the callback directly with a sequence of monitored values. */
  function drive(options: Parameters<typeof earlyStopping>[0], values: number[], keys: string[] = ['loss']) {
    const es = earlyStopping(options);
    const control = { logKeys: keys, snapshotWeights: () => new Float64Array(0), error: undefined } as unknown as TrainingControl;
    es.onTrainBegin!(control);
    let stoppedAt = -1;
    for (let e = 0; e < values.length && stoppedAt < 0; e++) {
      const logs = { loss: 0, learningRate: 0.1, [es.monitor]: values[e] } as EpochLogs;
      if (es.onEpochEnd!(e, logs, control) === false) stoppedAt = e;
    }
    return { es, stoppedAt };
  }

  it('stops at the right epoch on constructed sequences (patience, minDelta, mode)', () => {
    const values = [1.0, 0.8, 0.81, 0.79, 0.795, 0.8, 0.7];
    expect(drive({ patience: 2 }, values)).toMatchObject({ stoppedAt: 5, es: { bestEpoch: 3, best: 0.79, stoppedEpoch: 5 } });
    expect(drive({ patience: 2, minDelta: 0.02 }, values)).toMatchObject({ stoppedAt: 3, es: { bestEpoch: 1 } });
    expect(drive({ patience: 0 }, values).stoppedAt).toBe(2);
    expect(drive({ patience: 1 }, values).stoppedAt).toBe(2);
    expect(drive({ patience: 5 }, values).stoppedAt).toBe(-1);
    // accuracies: higher is better ('auto'), or forced with mode
    const acc = [0.5, 0.6, 0.6, 0.55, 0.7];
    expect(drive({ monitor: 'accuracy', patience: 2 }, acc, ['loss', 'accuracy'])).toMatchObject({ stoppedAt: 3, es: { bestEpoch: 1 } });
    expect(drive({ mode: 'max', patience: 2 }, acc).stoppedAt).toBe(3);
    expect(drive({ mode: 'min', patience: 2 }, acc).stoppedAt).toBe(2);
  });

  it('in fit: stops at the exact epoch of a constructed run (the learning rate drops to 0 after epoch 2)', async () => {
    // Full batches without shuffling: epoch e's loss is measured before its update, so with
    // updates only in epochs 0-2 the training loss improves until epoch 3 and is then constant
    // (epochs 4, 5 do not improve: patience 2 stops at epoch 5). valLoss is measured after the
    // update: it is constant from epoch 2 on, so monitoring it stops at epoch 4.
    const sgd = () => classifier('wasm', { optimizer: { type: 'sgd', learningRate: 0.1 } }); // no momentum: rate 0 freezes
    const options = (monitor?: 'loss' | 'valLoss'): FitOptions => ({
      epochs: 20,
      batchSize: 102,
      shuffle: false,
      learningRate: (e, initial) => (e < 3 ? initial : 0),
      callbacks: [earlyStopping({ patience: 2, monitor })],
    });
    const train = await sgd().fit(trainX, trainY, options());
    expect(train.epochs).toBe(6);
    expect(train.loss[4]).toBe(train.loss[3]);
    const es = earlyStopping({ patience: 2 });
    const val = await sgd().fit(trainX, trainY, { ...options(), validationData: [testX, testY], callbacks: [es] });
    expect(es.monitor).toBe('valLoss'); // the default
    expect(val.epochs).toBe(5);
    expect(es).toMatchObject({ bestEpoch: 2, stoppedEpoch: 4 });
    // without validation the default monitor falls back to loss
    const fallback = earlyStopping({ patience: 2 });
    await sgd().fit(trainX, trainY, { ...options(), callbacks: [fallback] });
    expect(fallback.monitor).toBe('loss');
    expect(fallback.stoppedEpoch).toBe(5);
  });

  it('restoreBestWeights puts back the best epoch’s weights bit for bit (and only with the option)', async () => {
    const { trainX: x, trainY: y } = sineRegression(60, 3);
    const run = async (restore: boolean) => {
      const net = new Network({
        inputSize: 2,
        layers: [dense(24, { activation: 'tanh' }), dense(2)],
        loss: 'mse',
        optimizer: { type: 'sgd', learningRate: 0.3, momentum: 0.9 },
        seed: 8,
      });
      const perEpoch: bigint[][] = [];
      const es = earlyStopping({ patience: 4, restoreBestWeights: restore });
      const history = await net.fit(x, y, {
        epochs: 300,
        batchSize: 4,
        validationSplit: 0.5,
        onEpochEnd: () => void perEpoch.push(bits(net)),
        callbacks: [es],
      });
      return { net, es, history, perEpoch };
    };
    const { net, es, history, perEpoch } = await run(true);
    const val = history.valLoss!;
    const best = val.indexOf(Math.min(...val));
    expect(es.bestEpoch).toBe(best);
    expect(es.stoppedEpoch).toBe(best + 4);
    expect(history.epochs).toBe(best + 5);
    expect(perEpoch[history.epochs - 1]).not.toEqual(perEpoch[best]); // restoring changes something
    expect(bits(net)).toEqual(perEpoch[best]);
    const plain = await run(false);
    expect(plain.history).toEqual(history);
    expect(bits(plain.net)).toEqual(perEpoch[history.epochs - 1]);
  });

  it('refuses a monitor the fit does not log, before training (network unchanged)', async () => {
    const net = classifier();
    const before = bits(net);
    await expect(net.fit(trainX, trainY, { callbacks: [earlyStopping({ monitor: 'valLoss' })] })).rejects.toThrow(
      /earlyStopping: monitor "valLoss" is not available.*validation data/,
    );
    await expect(net.fit(trainX, trainY, { validationSplit: 0.2, callbacks: [earlyStopping({ monitor: 'valMae' })] })).rejects.toThrow(
      /monitor "valMae".*mae metric/,
    );
    await expect(regressor().fit([[0, 0]], [[0, 0]], { callbacks: [earlyStopping({ monitor: 'accuracy' })] })).rejects.toThrow(ConfigError);
    expect(bits(net)).toEqual(before);
    expect(() => earlyStopping({ monitor: 'val_loss' as 'valLoss' })).toThrow(/earlyStopping options.monitor/);
    expect(() => earlyStopping({ patience: -1 })).toThrow(/earlyStopping options.patience/);
    expect(() => earlyStopping({ minDelta: -0.1 })).toThrow(/earlyStopping options.minDelta/);
    expect(() => earlyStopping({ mode: 'up' as 'max' })).toThrow(/earlyStopping options.mode/);
    expect(() => earlyStopping({ restoreBestWeights: 1 as unknown as boolean })).toThrow(/restoreBestWeights/);
    expect(() => earlyStopping({ patiense: 2 } as object)).toThrow(/unknown option "patiense"/);
  });
});

describe('learning-rate schedules', () => {
  const epochs = 7;
  const rates = (schedule: (e: number, initial: number, epochs: number) => number) =>
    Array.from({ length: epochs }, (_, e) => schedule(e, 0.1, epochs));

  it('compute their formulas', () => {
    expect(rates(stepDecay({ every: 3 }))).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025]);
    expect(rates(stepDecay({ every: 2, factor: 0.1 }))).toEqual([0, 0, 1, 1, 2, 2, 3].map((k) => 0.1 * 0.1 ** k));
    expect(rates(exponentialDecay({ rate: 0.9 }))).toEqual([0, 1, 2, 3, 4, 5, 6].map((e) => 0.1 * 0.9 ** e));
    expect(rates(exponentialDecay({ rate: 0.5, every: 2 }))[3]).toBeCloseTo(0.1 * 0.5 ** 1.5, 15);
    const cos = rates(cosineDecay({ minLearningRate: 0.01 }));
    expect(cos[0]).toBe(0.1);
    cos.forEach((r, e) => expect(r).toBeCloseTo(0.01 + (0.09 * (1 + Math.cos((Math.PI * e) / epochs))) / 2, 15));
    const short = rates(cosineDecay({ epochs: 4 }));
    expect(short[2]).toBeCloseTo(0.05, 15);
    expect(short.slice(4)).toEqual([0, 0, 0]); // stays at the minimum after its span
  });

  it('the rate each epoch trains with equals the formula (history, and control.learningRate during batches)', async () => {
    const schedule = stepDecay({ every: 2, factor: 0.5 });
    const seen = new Map<number, Set<number>>();
    const h = await classifier().fit(trainX, trainY, {
      epochs: 5,
      batchSize: 20,
      learningRate: schedule,
      onBatchEnd: (_b, _l, c) => void (seen.get(c.epoch) ?? seen.set(c.epoch, new Set()).get(c.epoch)!).add(c.learningRate),
    });
    const expected = [0.1, 0.1, 0.05, 0.05, 0.025];
    expect(h.learningRate).toEqual(expected);
    expect([...seen.values()].map((s) => [...s])).toEqual(expected.map((r) => [r]));
  });

  it('the scheduled rate is the one the updates use: same weights as one fit per epoch at that constant rate', async () => {
    const schedule = cosineDecay({ minLearningRate: 0.001 });
    const a = classifier();
    await a.fit(trainX, trainY, { epochs: 4, batchSize: 20, learningRate: schedule });
    const b = classifier();
    for (let e = 0; e < 4; e++) await b.fit(trainX, trainY, { epochs: 1, batchSize: 20, learningRate: schedule(e, 0.1, 4) });
    const c = classifier();
    await c.fit(trainX, trainY, { epochs: 4, batchSize: 20, callbacks: [learningRateScheduler(schedule)] });
    const plain = classifier();
    await plain.fit(trainX, trainY, { epochs: 4, batchSize: 20 });
    expect(bits(b)).toEqual(bits(a));
    expect(bits(c)).toEqual(bits(a));
    expect(bits(plain)).not.toEqual(bits(a));
  });

  it('fit puts the starting rate back when it ends (the next fit starts from it)', async () => {
    const net = classifier();
    await net.fit(trainX, trainY, { epochs: 3, learningRate: exponentialDecay({ rate: 0.5 }), onEpochEnd: (_e, _l, c) => void (c.learningRate = 7) });
    const next = await net.fit(trainX, trainY, { epochs: 1, onEpochBegin: (_e, c) => expect(c.initialLearningRate).toBe(0.1) });
    expect(next.learningRate).toEqual([0.1]);
  });

  it('a schedule giving a bad rate, or a bad rate set by a callback, is refused', async () => {
    const net = classifier();
    const before = bits(net);
    await expect(net.fit(trainX, trainY, { epochs: 3, learningRate: () => NaN })).rejects.toThrow(
      /fit options.learningRate: the schedule's rate for epoch 0 must be a finite learning rate ≥ 0, got NaN/,
    );
    await expect(net.fit(trainX, trainY, { learningRate: -1 })).rejects.toThrow(/fit options.learningRate/);
    expect(bits(net)).toEqual(before); // refused before any training
    // a later bad rate stops training as its epoch begins, keeping the epochs before it
    const ended: number[] = [];
    await expect(
      net.fit(trainX, trainY, { epochs: 5, learningRate: (e) => (e === 2 ? -1 : 0.1), onTrainEnd: (h) => void ended.push(h.epochs) }),
    ).rejects.toThrow(/the schedule's rate for epoch 2 must be a finite learning rate ≥ 0, got -1/);
    expect(ended).toEqual([2]);
    await expect(net.fit(trainX, trainY, { onEpochBegin: (_e, c) => void (c.learningRate = -0.1) })).rejects.toThrow(/control.learningRate/);
    expect(() => stepDecay({ every: 0 })).toThrow(/stepDecay options.every/);
    expect(() => stepDecay({ every: 2, factor: 1.5 })).toThrow(/stepDecay options.factor/);
    expect(() => exponentialDecay({ rate: 0 })).toThrow(/exponentialDecay options.rate/);
    expect(() => cosineDecay({ minLearningRate: -1 })).toThrow(/cosineDecay options.minLearningRate/);
    expect(() => learningRateScheduler(0.1 as unknown as () => number)).toThrow(ConfigError);
  });
});

describe('abort signal', () => {
  it('aborting stops at the next batch boundary and rejects with the reason; weights are those of the last batch', async () => {
    const net = classifier();
    const twin = classifier();
    const controller = new AbortController();
    const reason = new Error('user pressed cancel');
    let ended: unknown;
    const epochsEnded: number[] = [];
    const pending = net.fit(trainX, trainY, {
      epochs: 5,
      batchSize: 25,
      shuffle: false,
      signal: controller.signal,
      onBatchEnd: (b, _l, c) => void (c.epoch === 1 && b === 2 && controller.abort(reason)),
      onEpochEnd: (e) => void epochsEnded.push(e),
      onTrainEnd: (_h, c) => void (ended = c.error),
    });
    await expect(pending).rejects.toBe(reason);
    trainRange(twin, trainX, trainY, 25);
    trainRange(twin, trainX, trainY, 25, 3);
    expect(bits(net)).toEqual(bits(twin));
    expect(epochsEnded).toEqual([0]);
    expect(ended).toBe(reason);
  });

  it('an abort from outside while training (a timer) rejects with an AbortError', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const error = await classifier()
      .fit(trainX, trainY, { epochs: 1_000_000, yieldEvery: 0, signal: controller.signal })
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
  });

  it('an already-aborted signal rejects before anything runs; a signal without reason gives an AbortError', async () => {
    const net = classifier();
    const before = bits(net);
    const calls: string[] = [];
    const error = await net
      .fit(trainX, trainY, { signal: { aborted: true }, onTrainBegin: () => void calls.push('begin'), onTrainEnd: () => void calls.push('end') })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('AbortError');
    expect(calls).toEqual([]);
    expect(bits(net)).toEqual(before);
    // the generator was not advanced: the next fit equals a fresh network's
    await net.fit(trainX, trainY, { epochs: 2 });
    const fresh = classifier();
    await fresh.fit(trainX, trainY, { epochs: 2 });
    expect(bits(net)).toEqual(bits(fresh));
  });
});

describe('errors', () => {
  it('bad options are ConfigErrors naming the option, and leave the network unchanged', async () => {
    const net = classifier();
    const before = bits(net);
    const bad: [FitOptions, RegExp][] = [
      [{ validationSplit: 1.5 }, /fit options.validationSplit must be a fraction strictly between 0 and 1.*1.5/],
      [{ validationSplit: 0 }, /fit options.validationSplit/],
      [{ validationSplit: 0.2, validationData: [testX, testY] }, /validationSplit or validationData, not both/],
      [{ validationData: testX as unknown as [number[][], number[][]] }, /fit options.validationData must be \[x, y\]/],
      [{ metrics: ['acc' as 'accuracy'] }, /fit options.metrics: unknown metric "acc"/],
      [{ metrics: 'accuracy' as unknown as ['accuracy'] }, /fit options.metrics must be an array/],
      [{ callbacks: {} as unknown as Callback[] }, /fit options.callbacks must be an array/],
      [{ callbacks: [null as unknown as Callback] }, /fit options.callbacks\[0\] must be an object/],
      [{ callbacks: [{ onEpochEnd: 1 } as unknown as Callback] }, /fit options.callbacks\[0\].onEpochEnd must be a function/],
      [{ onBatchEnd: 'x' as unknown as Callback['onBatchEnd'] }, /fit options.onBatchEnd must be a function/],
      [{ signal: {} as AbortSignal }, /fit options.signal must be an AbortSignal/],
      [{ learningRate: 'fast' as unknown as number }, /fit options.learningRate/],
      [{ validationspl: 0.2 } as FitOptions, /unknown option "validationspl"/],
    ];
    for (const [options, message] of bad) {
      const error = await net.fit(trainX, trainY, options).catch((e: unknown) => e);
      expect(error, JSON.stringify(options)).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
    }
    await expect(regressor().fit([[0, 0]], [[0, 0]], { metrics: ['accuracy'] })).rejects.toThrow(/"accuracy" needs a classification loss/);
    await expect(net.fit(trainX.slice(0, 2), trainY.slice(0, 2), { validationSplit: 0.9 })).rejects.toThrow(
      /fit options.validationSplit 0.9 of 2 samples leaves 0 for training and 2 for validation/,
    );
    expect(bits(net)).toEqual(before);
  });

  it('bad validation data gets a ShapeError or DataError naming validationData', async () => {
    const net = classifier();
    const before = bits(net);
    await expect(net.fit(trainX, trainY, { validationData: [testX, testY.slice(1)] })).rejects.toThrow(ShapeError);
    await expect(net.fit(trainX, trainY, { validationData: [testX.map((r) => r.slice(1)), testY] })).rejects.toThrow(/validationData\[0\]\[0\] has 3 values, expected 4/);
    await expect(net.fit(trainX, trainY, { validationData: [[[1, 2, 3, NaN]], [[1, 0, 0]]] })).rejects.toThrow(DataError);
    await expect(net.fit(trainX, trainY, { validationData: [[[1, 2, 3, 4]], [[1, 0, NaN]]] })).rejects.toThrow(/validationData\[1\]\[0\]\[2\] is NaN/);
    await expect(net.fit(trainX, trainY, { validationData: [{ input: [1, 2, 3, 4], output: [1, 0] }] })).rejects.toThrow(/validationData\[\]\.output/);
    expect(bits(net)).toEqual(before);
    // integer labels for sparseCategoricalCrossentropy are checked too
    const sparse = new Network({ inputSize: 4, layers: [dense(3, { activation: 'softmax' })], loss: 'sparseCategoricalCrossentropy', seed: 1 });
    const labels = (rows: number[][]) => rows.map((r) => [r.indexOf(1)]);
    await expect(sparse.fit(trainX, labels(trainY), { validationData: [testX, [[5], ...labels(testY).slice(1)]] })).rejects.toThrow(
      /validationData\[1\]\[0\]\[0\] is 5; sparseCategoricalCrossentropy needs class indices/,
    );
    const h = await sparse.fit(trainX, labels(trainY), { validationData: [testX, labels(testY)] });
    expect(h.valAccuracy).toEqual([sparse.evaluate(testX, labels(testY)).accuracy]);
  });

  it('an error thrown by a callback rejects fit; onTrainEnd still runs and sees it', async () => {
    const boom = new Error('boom');
    let seen: unknown;
    await expect(
      classifier().fit(trainX, trainY, {
        epochs: 3,
        onEpochEnd: (e) => {
          if (e === 1) throw boom;
        },
        callbacks: [{ onTrainEnd: (_h, c) => void (seen = c.error) }],
      }),
    ).rejects.toBe(boom);
    expect(seen).toBe(boom);
  });
});

describe.skipIf(inMutationRun)('cost per batch', () => {
  // As in test/step.test.ts: a child process with a 1 MiB young generation trains one epoch of
  // N single-sample batches; here with a signal, validation, metrics, epoch callbacks, early
  // stopping, a schedule and a non-terminal progress bar. Anything allocated per batch would
  // show as a GC count growing with N (a no-op onBatchEnd makes it ≈ 220 at 10⁶).
  const probe = (samples: number): { collections: number } =>
    JSON.parse(
      execFileSync(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', 'test/fixtures/training-allocation-probe.ts', 'wasm', String(samples)], {
        encoding: 'utf8',
        cwd: new URL('..', import.meta.url),
      }),
    );

  it('the training features allocate nothing per batch when no batch callback is registered', () => {
    // One heap number (12 bytes) per batch would add ≈ 30 scavenges between these two runs;
    // unrelated collections (JIT, heap growth, a loaded machine) add a few at most.
    const few = probe(300_000);
    const many = probe(3_000_000);
    expect(many.collections - few.collections).toBeLessThanOrEqual(8);
  });
});
