// Saving and loading: bit-exact weights, the same predictions, and training that continues
// exactly as if the network had never been saved; clear errors for anything unreadable.
import { describe, expect, it } from 'vitest';
import { FormatError, Network, dense, dropout, init, type NetworkConfig, type SavedModel } from '../src/index';
import { irisSplit } from './helpers/data';

await init();
const { trainX, trainY, testX } = irisSplit();

const CONFIGS: [string, NetworkConfig][] = [
  [
    'adam + dropout + L2 + relu/softmax',
    {
      inputSize: 4,
      layers: [dense(16, { activation: 'relu', kernelRegularizer: { l2: 1e-3 } }), dropout(0.2), dense(3, { activation: 'softmax' })],
      loss: 'categoricalCrossentropy',
      optimizer: { type: 'adam', learningRate: 0.01, clipNorm: 5 },
      seed: 21,
    },
  ],
  [
    'sgd nesterov + huber + leakyRelu',
    {
      inputSize: 4,
      layers: [dense(8, { activation: 'leakyRelu', alpha: 0.05 }), dense(3)],
      loss: { type: 'huber', delta: 0.5 },
      optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true },
      seed: 22,
    },
  ],
  [
    'rmsprop with momentum + selu (lecunNormal)',
    {
      inputSize: 4,
      layers: [dense(8, { activation: 'selu' }), dense(3, { activation: 'softmax' })],
      loss: 'categoricalCrossentropy',
      optimizer: { type: 'rmsprop', learningRate: 0.005, momentum: 0.5 },
      seed: 23,
    },
  ],
  [
    'adagrad',
    {
      inputSize: 4,
      layers: [dense(6, { activation: 'tanh' }), dense(3, { activation: 'softmax' })],
      loss: 'categoricalCrossentropy',
      optimizer: 'adagrad',
      seed: 24,
    },
  ],
];

describe.each(['wasm', 'js'] as const)('save and load (%s)', (backend) => {
  it.each(CONFIGS)('%s: train 5, save, load, train 5 = train 10 (JSON and bytes)', async (_name, config) => {
    const straight = new Network({ ...config, backend });
    const interrupted = new Network({ ...config, backend });
    const fit = (net: Network) => net.fit(trainX, trainY, { epochs: 5, batchSize: 16 });
    await fit(straight);
    await fit(straight);
    await fit(interrupted);

    const viaJson = Network.fromJSON(JSON.stringify(interrupted));
    const viaBytes = Network.fromBytes(interrupted.toBytes());
    for (const loaded of [viaJson, viaBytes]) {
      expect(loaded.getWeights()).toEqual(interrupted.getWeights());
      expect(loaded.predict(testX)).toEqual(interrupted.predict(testX));
      expect(loaded.backend).toBe(backend);
      expect(loaded.summary()).toBe(interrupted.summary());
      await fit(loaded);
      expect(loaded.getWeights()).toEqual(straight.getWeights());
    }
  });
});

describe('save format', () => {
  const net = () => new Network({ ...CONFIGS[0]![1], backend: 'wasm' });

  it('keeps every f64 bit (NaN-free extremes, subnormals, −0)', () => {
    const a = net();
    const w = a.getWeights();
    w[0]!.weights.set([Number.MIN_VALUE, -0, 1e308, -1e-308, 0.1 + 0.2, Math.PI]);
    a.setWeights(w);
    const b = Network.fromJSON(a.toJSON());
    const c = Network.fromBytes(a.toBytes());
    for (const loaded of [b, c]) {
      const got = loaded.getWeights()[0]!.weights;
      expect(Object.is(got[1], -0)).toBe(true);
      expect(got).toEqual(w[0]!.weights);
    }
  });

  it('can load onto the other backend', () => {
    const a = net();
    const b = Network.fromJSON(a.toJSON(), { backend: 'js' });
    expect(b.backend).toBe('js');
    expect(b.getWeights()).toEqual(a.getWeights());
  });

  it('bytes are smaller than JSON', () => {
    const a = net();
    expect(a.toBytes().length).toBeLessThan(JSON.stringify(a).length);
  });

  const saved = (): SavedModel => JSON.parse(JSON.stringify(net()));
  it.each([
    ['not JSON', () => Network.fromJSON('{"format":'), /not a saved wasmnet model: the string is not valid JSON/],
    ['another format', () => Network.fromJSON({ ...saved(), format: 'keras' as 'wasmnet' }), /not a saved wasmnet model: expected an object with format "wasmnet"/],
    ['a newer version', () => Network.fromJSON({ ...saved(), version: 3 }), /format version 3, newer than this wasmnet reads \(up to 2\); upgrade wasmnet/],
    ['truncated weights', () => Network.fromJSON({ ...saved(), weights: saved().weights.slice(0, 40) }), /"weights" is (truncated|not valid base64)|weights has \d+ values, but its architecture has 131 parameters/],
    ['weights of another shape', () => {
      const other = new Network({ inputSize: 4, layers: [dense(15, { activation: 'relu' }), dense(3, { activation: 'softmax' })], loss: 'categoricalCrossentropy' });
      return Network.fromJSON({ ...saved(), weights: other.toJSON().weights });
    }, /weights has 123 values, but its architecture has 131 parameters/],
    ['an invalid config', () => Network.fromJSON({ ...saved(), config: { ...saved().config, loss: 'hinge' } }), /saved model has an invalid config: loss must be one of/],
    ['bytes with a bad magic', () => Network.fromBytes(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])), /do not start with "WNET"/],
    ['truncated bytes', () => Network.fromBytes(net().toBytes().slice(0, -8)), /saved model is truncated: 131 weights need \d+ bytes, there are \d+/],
    ['bytes of a newer version', () => {
      const b = net().toBytes();
      new DataView(b.buffer).setUint32(4, 7, true);
      return Network.fromBytes(b);
    }, /format version 7, newer than this wasmnet reads/],
  ])('%s → FormatError naming the problem', (_name, load, message) => {
    expect(load).toThrow(FormatError);
    expect(load).toThrow(message);
  });
});
