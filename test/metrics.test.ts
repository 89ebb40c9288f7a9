// The mse metric in fit's logs: equal to a hand computation on the batches as they were trained
// (each batch before its update) and on the validation data, the same bits on both backends and
// on every path fit takes (resident epochs, many epochs per call, batch by batch), and refused
// names listed in the error.
import { describe, expect, it } from 'vitest';
import { ConfigError, Network, dense, earlyStopping, init, type BatchLogs, type NetworkConfig } from 'wasmnet';
import { irisSplit, sineRegression } from './helpers/data';

await init();

const regressor = (backend: 'wasm' | 'js' = 'wasm') =>
  new Network({
    inputSize: 2,
    layers: [dense(8, { activation: 'tanh' }), dense(2)],
    loss: 'huber',
    optimizer: { type: 'sgd', learningRate: 0.05 },
    seed: 5,
    backend,
  });

const sparse = (backend: 'wasm' | 'js' = 'wasm', extra: Partial<NetworkConfig> = {}) =>
  new Network({
    inputSize: 4,
    layers: [dense(6, { activation: 'tanh' }), dense(3, { activation: 'softmax' })],
    loss: 'sparseCategoricalCrossentropy',
    optimizer: { type: 'adam', learningRate: 0.01 },
    seed: 9,
    backend,
    ...extra,
  });

/** Σ (p − y)² over every output. */
const sq = (p: number[][], y: number[][]) => p.reduce((s, row, r) => s + row.reduce((t, v, j) => t + (v - y[r]![j]!) ** 2, 0), 0);

describe('the mse metric', () => {
  it('equals a hand computation on the batches as trained and on the validation data', async () => {
    const { trainX: x, trainY: y } = sineRegression(75, 3); // 60 rows: 45 to train on, 15 to validate
    const net = regressor();
    const twin = regressor();
    const valX = x.slice(45);
    const valY = y.slice(45);
    const trainX = x.slice(0, 45);
    const trainY = y.slice(0, 45);
    const history = await net.fit(trainX, trainY, { epochs: 3, batchSize: 10, shuffle: false, validationData: [valX, valY], metrics: ['mse', 'mae'] });
    const expected = { mse: [] as number[], valMse: [] as number[] };
    for (let epoch = 0; epoch < 3; epoch++) {
      let sum = 0;
      for (let start = 0; start < 45; start += 10) {
        const bx = trainX.slice(start, start + 10);
        const by = trainY.slice(start, start + 10);
        sum += sq(twin.predict(bx), by); // the batch's outputs before its update
        twin.trainBatch(bx, by);
      }
      expected.mse.push(sum / (45 * 2));
      expected.valMse.push(sq(twin.predict(valX), valY) / (valX.length * 2));
    }
    history.mse!.forEach((v, i) => expect(v).toBeCloseTo(expected.mse[i]!, 13));
    history.valMse!.forEach((v, i) => expect(v).toBeCloseTo(expected.valMse[i]!, 13));
    expect(Object.keys(history)).toEqual(['epochs', 'loss', 'mae', 'mse', 'valLoss', 'valMae', 'valMse', 'learningRate']);
    expect(history.mse![2]).toBeLessThan(history.mse![0]!); // a real measurement: it moves as the network learns
    expect(history.mse![0]).not.toBe(history.loss[0]); // huber, not the mse loss
  });

  it('measures a sparse classifier against the one-hot rows of its labels, in batch logs too', async () => {
    const { trainX, trainY } = irisSplit();
    const labels = trainY.map((row) => [row.indexOf(1)]);
    const net = sparse();
    const twin = sparse();
    const batches: BatchLogs[] = [];
    const history = await net.fit(trainX, labels, { epochs: 1, batchSize: 51, shuffle: false, metrics: ['accuracy', 'mse'], onBatchEnd: (_, logs) => void batches.push(logs) });
    const first = sq(twin.predict(trainX.slice(0, 51)), trainY.slice(0, 51));
    twin.trainBatch(trainX.slice(0, 51), labels.slice(0, 51));
    const second = sq(twin.predict(trainX.slice(51)), trainY.slice(51));
    expect(batches.map((b) => b.mse)).toEqual([expect.closeTo(first / (51 * 3), 13), expect.closeTo(second / (51 * 3), 13)]);
    expect(history.mse![0]).toBeCloseTo((first + second) / (102 * 3), 13);
  });

  it('gives the same bits on both backends and on every path fit takes', async () => {
    const { trainX, trainY } = irisSplit();
    const labels = trainY.map((row) => [row.indexOf(1)]);
    const run = async (backend: 'wasm' | 'js', extra: object) =>
      (await sparse(backend).fit(trainX, labels, { epochs: 4, batchSize: 16, metrics: ['mse'], ...extra })).mse!;
    const many = await run('wasm', {}); // resident, many epochs per backend call
    const validated = await run('wasm', { validationData: [trainX.slice(0, 10), labels.slice(0, 10)] }); // an epoch per call
    const batched = await run('wasm', { onBatchEnd: () => {} }); // batch by batch from JavaScript
    expect(new Set(many).size).toBe(4);
    expect(validated).toEqual(many);
    expect(batched).toEqual(many);
    expect(await run('js', {})).toEqual(many);
    expect(await run('js', { onBatchEnd: () => {} })).toEqual(many);
  });

  it('early stopping can monitor it; unknown metric names list mse', async () => {
    const { trainX: x, trainY: y } = sineRegression(40, 2);
    const h = await regressor().fit(x, y, { epochs: 50, validationSplit: 0.25, metrics: ['mse'], callbacks: [earlyStopping({ monitor: 'valMse', patience: 0, minDelta: 1 })] });
    expect(h.epochs).toBe(2); // no improvement of ≥ 1 after the first epoch: stopped after one more
    await expect(regressor().fit(x, y, { metrics: ['rmse' as 'mse'] })).rejects.toThrow(
      new ConfigError('fit options.metrics: unknown metric "rmse"; expected one of "accuracy", "mae", "mse"'),
    );
    await expect(regressor().fit(x, y, { callbacks: [earlyStopping({ monitor: 'mse' })] })).rejects.toThrow(
      /earlyStopping: monitor "mse" is not available in this fit \(its logs have "loss"\); it needs the mse metric/,
    );
  });
});
