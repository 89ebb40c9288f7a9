// wasmnet/keras against files in Keras's own layouts. Keras cannot be installed here, so the
// fixtures are written by scripts/fixtures/keras.py with h5py and zipfile exactly as Keras 3's
// saving_lib and Keras 2's legacy hdf5_format write them, and each one's expected output is that
// script's float64 numpy evaluation of the same weights (independent of wasmnet). toKeras's output
// is re-read by that script with h5py (`keras.py check`); the test below pins toKeras to the
// checked bytes. Hostile files: truncations, huge declared sizes, a zip bomb, B-tree and
// continuation cycles, byte-mutation fuzzing; each must end in a WasmnetError.
import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, dense, FormatError, Network, WasmnetError } from 'wasmnet';
import { fromKeras, HDF5_LIMITS, toKeras, ZIP_LIMITS } from 'wasmnet/keras';
import { H5File } from '../src/keras/hdf5';
import { writeHDF5, type H5Node } from '../src/keras/h5write';
import { crc32, readZipDirectory, readZipEntry, writeZip } from '../src/keras/zip';
import { refused, stopSampler } from './helpers/hostile';
import { tokerasNetwork } from './helpers/keras-network';

const dir = new URL('./fixtures/keras/', import.meta.url);
/** fast-check's seed and run multiplier (FUZZ_SEED, FUZZ_RUNS as in test/fuzz.test.ts). */
const FUZZ = { seed: Number(process.env.FUZZ_SEED ?? 2026_24), runs: Number(process.env.FUZZ_RUNS ?? 1) };
// A floor on the runs: FUZZ_RUNS=0 (or a typo) would turn the fuzz below into a no-op that passes.
if (!Number.isInteger(FUZZ.runs) || FUZZ.runs < 1) throw new Error(`FUZZ_RUNS must be a whole number ≥ 1, got ${JSON.stringify(process.env.FUZZ_RUNS)}`);
const file = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, dir)));
const { 'h5-dense.h5': dense5, ...expected } = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as Record<string, { input: number[][]; output: number[][] }> & {
  'h5-dense.h5': { links: string[]; attributes: Record<string, string | string[] | number[]> };
};

function maxRelError(a: number[][], b: number[][]): number {
  let worst = 0;
  b.forEach((row, i) => row.forEach((v, j) => { worst = Math.max(worst, Math.abs(a[i]![j]! - v) / Math.max(1, Math.abs(v))); }));
  return worst;
}

/** The entries of a .keras zip, by name. */
async function unzip(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const [name, entry] of readZipDirectory(bytes)) out.set(name, await readZipEntry(bytes, entry));
  return out;
}
/** A .keras file with one entry replaced (a valid zip: CRCs recomputed). */
async function withEntry(keras: Uint8Array, name: string, data: Uint8Array): Promise<Uint8Array> {
  const entries = await unzip(keras);
  entries.set(name, data);
  return writeZip([...entries].map(([n, d]) => ({ name: n, data: d })));
}
/** A .keras whose config.json is 64 MiB of zeros deflated (≈ 64 KB) declaring 4096 bytes. */
function zipBomb(entries: Map<string, Uint8Array>): Uint8Array {
  const bomb = deflateRawSync(new Uint8Array(64 * 1024 * 1024));
  const zip = writeZip([{ name: 'config.json', data: bomb }, { name: 'model.weights.h5', data: entries.get('model.weights.h5')! }]);
  const view = new DataView(zip.buffer);
  view.setUint16(8, 8, true); // local header: deflate
  view.setUint32(22, 4096, true); // declared uncompressed size
  const central = zip.length - 22 - (46 + 11) - (46 + 16);
  view.setUint16(central + 10, 8, true);
  view.setUint32(central + 24, 4096, true);
  return zip;
}
/** `rejects` under the hostile-file meter (test/helpers/hostile.ts): a WasmnetError matching
 *  `message` in under a second of CPU time, memory growing by under 100 MB. */
const rejectsMetered = (bytes: Uint8Array, message: RegExp): Promise<void> => refused(() => fromKeras(bytes), WasmnetError, message);
afterAll(stopSampler);
async function rejects(bytes: Uint8Array, message?: RegExp): Promise<WasmnetError> {
  const error = await fromKeras(bytes).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(WasmnetError);
  if (message) expect((error as Error).message).toMatch(message);
  return error as WasmnetError;
}

describe('fromKeras: files in Keras 3 and Keras 2 layouts predict as numpy does', () => {
  it.each(Object.keys(expected))('%s', async (name) => {
    const net = await fromKeras(file(name));
    expect(net).toBeInstanceOf(Network);
    const { input, output } = expected[name]!;
    expect(maxRelError(net.predict(input) as number[][], output)).toBeLessThanOrEqual(1e-12);
  });

  it('reads the layers: Flatten and Activation folded, Dropout kept, natural loss', async () => {
    const net = await fromKeras(file('k3-sequential.keras'));
    expect(net.inputSize).toBe(4);
    expect(net.layers.map((l) => (l.type === 'dense' ? `${l.units}:${l.activation}` : l.type === 'dropout' ? `dropout:${l.rate}` : l.type))).toEqual(['8:relu', 'dropout:0.25', '6:tanh', '3:softmax']);
    const h5 = await fromKeras(file('k2-sequential.h5'));
    expect(h5.layers.map((l) => (l.type === 'dense' ? `${l.units}:${l.activation}` : l.type))).toEqual(['7:softplus', '1:linear']);
  });

  it('takes ArrayBuffer, typed-array views and the import options', async () => {
    const bytes = file('k2-functional-chunked.h5');
    const fromBuffer = await fromKeras(bytes.slice().buffer, { loss: 'mse', seed: 3, backend: 'js' });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const fromView = await fromKeras(view);
    expect(fromBuffer.predict([[1, 2, 3, 4]])).toEqual(fromView.predict([[1, 2, 3, 4]]));
    await expect(fromKeras(bytes, { lossy: 1 } as never)).rejects.toThrow(ConfigError);
    await expect(fromKeras(bytes, { lossy: 1 } as never)).rejects.toThrow(/fromKeras options: unknown option "lossy"/);
  });
});

describe('without DecompressionStream (node:zlib through process.getBuiltinModule)', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('inflates deflated zip entries and HDF5 chunks the same, and stops a zip bomb', async () => {
    vi.stubGlobal('DecompressionStream', undefined);
    expect(typeof DecompressionStream).toBe('undefined');
    for (const name of ['k3-functional-latest.keras', 'k2-functional-chunked.h5']) {
      const net = await fromKeras(file(name));
      expect(maxRelError(net.predict(expected[name]!.input) as number[][], expected[name]!.output)).toBeLessThanOrEqual(1e-12);
    }
    await rejects(zipBomb(await unzip(file('k3-sequential.keras'))), /inflates to more than the 4096 bytes it declares/);
  });
});

describe('the HDF5 reader', () => {
  it('reads dense storage: 40 links in a fractal heap with an indirect root block, 62 attributes', () => {
    const h5 = new H5File(file('h5-dense.h5'));
    expect([...h5.children(h5.get('g')!).keys()].sort()).toEqual([...dense5.links].sort());
    const attributes = h5.attributes(h5.get('/')!);
    expect(Object.fromEntries([...attributes].map(([k, v]) => [k, v instanceof Float64Array ? Array.from(v) : v]))).toEqual(dense5.attributes);
  });
});

describe('fromKeras refuses what wasmnet does not have, naming it', () => {
  it('an unsupported layer: its class and name', async () => {
    const error = await rejects(file('k3-conv.keras'));
    expect(error).toBeInstanceOf(FormatError);
    expect(error.message).toMatch(/Conv2D layer "conv" is not supported/);
  });

  it('an unknown activation, a branching Functional model', async () => {
    const keras = file('k3-sequential.keras');
    const config = new TextDecoder().decode((await unzip(keras)).get('config.json'));
    await rejects(await withEntry(keras, 'config.json', new TextEncoder().encode(config.replace('"relu"', '"hard_sigmoid"'))), /Dense layer "dense" has activation "hard_sigmoid"/);
    const functional = file('k3-functional-latest.keras');
    const fconfig = new TextDecoder().decode((await unzip(functional)).get('config.json'));
    await rejects(await withEntry(functional, 'config.json', new TextEncoder().encode(fconfig.replace('"keras_history": ["hidden"', '"keras_history": ["features"'))), /Dense layer "out" takes input from "features"/);
  });

  it('files that are not Keras models: a weights-only .h5, npz weights, neither zip nor HDF5, bad JSON', async () => {
    const weightsOnly = writeHDF5(new Map<string, H5Node>([['dense', { group: new Map() }]]));
    await rejects(weightsOnly, /no model_config attribute/);
    const keras = file('k3-sequential.keras');
    const entries = await unzip(keras);
    const npz = writeZip([{ name: 'config.json', data: entries.get('config.json')! }, { name: 'model.weights.npz', data: new Uint8Array(8) }]);
    await rejects(npz, /model\.weights\.npz/);
    await rejects(new TextEncoder().encode('{"class_name": "Sequential"}'), /neither/);
    await rejects(await withEntry(keras, 'config.json', new TextEncoder().encode('{"class_name": ')), /config\.json is not valid JSON/);
    await rejects(await withEntry(keras, 'config.json', new TextEncoder().encode('['.repeat(100_000))), /KERAS_LIMITS\.jsonDepth/);
    await expect(fromKeras('model.keras' as never)).rejects.toThrow(FormatError);
  });

  it('weights that do not fit the config: shape, missing dataset, float64 that float32 cannot hold', async () => {
    const keras = file('k3-sequential.keras');
    const config = new TextDecoder().decode((await unzip(keras)).get('config.json'));
    await rejects(await withEntry(keras, 'config.json', new TextEncoder().encode(config.replace('"units": 8', '"units": 9'))), /^Dense "dense": kernel has shape \[4, 8\], expected \[inputs, 9\] for its 9 units$/);
    const h5 = (groups: Map<string, H5Node>) => writeHDF5(new Map<string, H5Node>([['layers', { group: groups }], ['vars', { group: new Map() }]]));
    await rejects(await withEntry(keras, 'model.weights.h5', h5(new Map())), /Dense layer "dense": model\.weights\.h5 has no group layers\/dense\/vars/);
  });
});

describe('toKeras: Keras 3 layout, read back by h5py and by fromKeras', () => {
  it('writes the bytes scripts/fixtures/keras.py check verified with h5py (config, every weight bit for bit)', () => {
    expect(toKeras(tokerasNetwork())).toEqual(file('wasmnet-tokeras.keras'));
    // the float32 values the script compared with the file bit for bit are the network's, rounded
    const checked = JSON.parse(readFileSync(new URL('wasmnet-tokeras.weights.json', dir), 'utf8')) as ({ kind: 'Dense'; weights: number[]; bias: number[] } | { kind: string; vars: number[][] })[];
    const net = tokerasNetwork();
    const f32 = (v: Float64Array | undefined): number[] => Array.from(v!, Math.fround);
    expect(checked.map((c) => c.kind)).toEqual(net.layers.filter((l) => l.type !== 'dropout' && l.type !== 'normalization').map((l) => (l.type === 'dense' ? 'Dense' : l.type === 'batchNorm' ? 'BatchNormalization' : 'LayerNormalization')));
    net.getWeights().forEach((w, l) => {
      const c = checked[l]!;
      if ('vars' in c) expect(c.vars).toEqual([f32(w.weights), f32(w.bias), ...(w.movingMean ? [f32(w.movingMean), f32(w.movingVariance)] : [])]);
      else expect([c.weights, c.bias]).toEqual([f32(w.weights), f32(w.bias)]);
    });
  });

  it('predicts what the fixture script computes in numpy float64 from that file (config and weights alone)', async () => {
    const { input, output } = JSON.parse(readFileSync(new URL('wasmnet-tokeras.expected.json', dir), 'utf8')) as { input: number[][]; output: number[][] };
    const net = await fromKeras(file('wasmnet-tokeras.keras'));
    expect(maxRelError(net.predict(input) as number[][], output)).toBeLessThanOrEqual(1e-12);
  });

  it('round trip: fromKeras(toKeras(net)) has the same layers and predicts as net with float32 weights, bit for bit', async () => {
    const net = tokerasNetwork();
    const back = await fromKeras(toKeras(net));
    expect(back.layers).toEqual(net.layers);
    const rounded = tokerasNetwork();
    const round = (v: Float64Array): Float64Array => v.map(Math.fround);
    rounded.setWeights(rounded.getWeights().map((w) => ({ weights: round(w.weights), bias: round(w.bias), ...(w.movingMean ? { movingMean: round(w.movingMean), movingVariance: round(w.movingVariance!) } : {}) })));
    const x = [[0.3, -1.2, 2], [1, 0, -0.5]];
    expect(back.predict(x)).toEqual(rounded.predict(x));
    const config = JSON.parse(new TextDecoder().decode((await unzip(toKeras(net))).get('config.json'))) as { config: { layers: { class_name: string }[] } };
    expect(config.config.layers.map((l) => l.class_name)).toEqual([
      'InputLayer', 'Normalization', 'Dense', 'BatchNormalization', 'Activation', 'Dropout', 'Dense', 'LeakyReLU', 'Dense', 'ELU', 'Dense',
      'LayerNormalization', 'LeakyReLU', 'Dense', 'Dense',
    ]);
  });

  it('refuses gelu (the tanh approximation) and what is not a network', () => {
    const net = new Network({ inputSize: 2, layers: [dense(2, { activation: 'gelu' })], loss: 'mse' });
    expect(() => toKeras(net)).toThrow(ConfigError);
    expect(() => toKeras(net)).toThrow(/dense layer 0 uses gelu/);
    expect(() => toKeras({} as Network)).toThrow(/toKeras expects a Network/);
  });
});

describe('hostile files: each a WasmnetError', () => {
  const fixtures = ['k3-sequential.keras', 'k3-functional-latest.keras', 'k2-sequential.h5', 'k2-functional-chunked.h5', 'k3-deep-latest.keras', 'k2-deep-latest.h5', 'k2-functional-chunked-latest.h5', 'k3-norm.keras', 'k2-norm.h5'];

  it('truncated anywhere (the .h5 files, and the weights inside the .keras files)', async () => {
    for (const name of fixtures) {
      const bytes = file(name);
      const inner = name.endsWith('.keras') ? (await unzip(bytes)).get('model.weights.h5')! : bytes;
      for (let cut = 0; cut < inner.length; cut += Math.max(1, Math.floor(inner.length / 150))) {
        const piece = inner.subarray(0, cut);
        await rejects(name.endsWith('.keras') ? await withEntry(bytes, 'model.weights.h5', piece) : piece);
      }
      for (let cut = 0; cut < bytes.length; cut += Math.max(1, Math.floor(bytes.length / 60))) await rejects(bytes.subarray(0, cut));
    }
  });

  it('a zip bomb stops at the size its entry declares', async () => {
    await rejectsMetered(zipBomb(await unzip(file('k3-sequential.keras'))), /inflates to more than the 4096 bytes it declares/);
  });

  it('huge declared sizes: a zip entry, an HDF5 dataset', async () => {
    const keras = file('k3-sequential.keras');
    const zip = await withEntry(keras, 'model.weights.h5', new Uint8Array(10));
    const view = new DataView(zip.buffer);
    // the central directory entry of model.weights.h5: its declared size (config.json has a smaller limit, KERAS_LIMITS.configBytes)
    const text = Array.from(zip, (b) => String.fromCharCode(b)).join('');
    const at = text.indexOf('PK\x01\x02');
    const entries = readZipDirectory(zip);
    const target = [...entries.keys()].indexOf('model.weights.h5');
    let p = at;
    for (let i = 0; i < target; i++) p += 46 + view.getUint16(p + 28, true) + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
    view.setUint32(p + 24, 0xfffffff0, true);
    await rejectsMetered(zip, new RegExp(`over the limit of ${ZIP_LIMITS.entryBytes} \\(ZIP_LIMITS\\.entryBytes\\)`));

    const vars = (kernel: number[]): H5Node => ({ group: new Map([['vars', { group: new Map<string, H5Node>([['0', { shape: kernel, values: [1] }], ['1', { shape: [kernel[1]!], values: [1] }]]) }]]) });
    const huge = writeHDF5(new Map<string, H5Node>([['layers', { group: new Map([['dense', vars([65536, 65536])]]) }], ['vars', { group: new Map() }]]));
    await rejectsMetered(await withEntry(keras, 'model.weights.h5', huge), /HDF5_LIMITS\.datasetValues/);
    expect(HDF5_LIMITS.datasetValues).toBe(2 ** 28);
  });

  it('cycles: a group B-tree node that is its own child, an object header that continues into itself', async () => {
    const h5 = file('k2-sequential.h5');
    const view = new DataView(h5.buffer, h5.byteOffset, h5.byteLength);
    // superblock 0: the root group's symbol table entry (at 56) holds its object header's
    // address (at 64) and, in its scratch pad, its B-tree's (at 80)
    const root = Number(view.getBigUint64(64, true));
    const btree = Number(view.getBigUint64(80, true));
    const cyclic = h5.slice();
    const cv = new DataView(cyclic.buffer);
    cv.setUint8(btree + 5, 1); // level 1: its children are B-tree nodes
    cv.setBigUint64(btree + 8 + 16 + 8, BigInt(btree), true); // child 0 = itself
    await rejectsMetered(cyclic, /reached twice \(a cycle\)/);

    // h5py's root object header (v1) starts with a continuation message: point it at its own block
    expect(view.getUint16(root + 16, true)).toBe(0x10);
    const looping = h5.slice();
    const lv = new DataView(looping.buffer);
    lv.setBigUint64(root + 24, BigInt(root + 16), true);
    lv.setBigUint64(root + 32, BigInt(view.getUint32(root + 8, true)), true);
    await rejectsMetered(looping, /continues into a block it already read/);
  });

  it('a chunk listed twice in a chunk B-tree (each chunk is inflated and copied once)', async () => {
    const h5 = file('k2-functional-chunked.h5');
    const text = Array.from(h5, (b) => String.fromCharCode(b)).join('');
    const messages: string[] = [];
    for (let node = text.indexOf('TREE'); node >= 0; node = text.indexOf('TREE', node + 4)) {
      if (h5[node + 4] !== 1 || h5[node + 5] !== 0 || h5[node + 6]! < 2) continue; // chunk leaves with ≥ 2 chunks
      for (const rank of [1, 2]) {
        const keySize = 8 + 8 * (rank + 1);
        const k0 = node + 8 + 16;
        const k1 = k0 + keySize + 8;
        const copy = h5.slice();
        copy.copyWithin(k1 + 8, k0 + 8, k0 + keySize); // chunk 1 gets chunk 0's offsets
        messages.push((await rejects(copy)).message);
      }
    }
    expect(messages.some((m) => /is listed twice/.test(m))).toBe(true);
  });

  it('CRC-32 mismatches and unknown compression methods are refused', async () => {
    const keras = file('k3-sequential.keras');
    const bad = keras.slice();
    const entries = readZipDirectory(bad);
    const config = entries.get('config.json')!;
    const start = config.localOffset + 30 + new DataView(bad.buffer).getUint16(config.localOffset + 26, true) + new DataView(bad.buffer).getUint16(config.localOffset + 28, true);
    bad[start + 5] = bad[start + 5]! ^ 1;
    expect(crc32(bad.subarray(start, start + config.size))).not.toBe(config.crc);
    await rejects(bad, /fails its CRC-32 check/);
    const weights = readZipDirectory(keras).get('model.weights.h5')!;
    const viaConfig = keras.slice();
    const dv = new DataView(viaConfig.buffer);
    // the central directory entries follow each other: metadata.json, config.json, model.weights.h5
    const centralStart = viaConfig.length - 22 - (46 + 13) - (46 + 11) - (46 + 16);
    dv.setUint16(centralStart + (46 + 13) + 10, 12, true); // config.json: method 12 (bzip2)
    await rejects(viaConfig, /zip entry "config\.json" uses compression method 12/);
    expect(weights.method).toBe(0);
  });

  it('byte mutations (fuzz): every result is a network or a WasmnetError', async () => {
    for (const name of fixtures) {
      const bytes = file(name);
      const inner = name.endsWith('.keras') ? (await unzip(bytes)).get('model.weights.h5')! : bytes;
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(fc.nat(inner.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), async (edits) => {
          const mutated = inner.slice();
          for (const [at, value] of edits) mutated[at] = value;
          const input = name.endsWith('.keras') ? await withEntry(bytes, 'model.weights.h5', mutated) : mutated;
          const result = await fromKeras(input).then((net) => net, (e: unknown) => e);
          if (!(result instanceof Network)) expect(result).toBeInstanceOf(WasmnetError);
        }),
        { seed: FUZZ.seed, numRuns: 150 * FUZZ.runs },
      );
    }
    // dense storage, read directly (not a model): links and attributes of mutated files
    const denseFile = file('h5-dense.h5');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(denseFile.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (edits) => {
        const mutated = denseFile.slice();
        for (const [at, value] of edits) mutated[at] = value;
        try {
          const h5 = new H5File(mutated);
          h5.attributes(h5.get('/')!);
          const g = h5.get('g');
          if (g !== undefined) h5.children(g);
        } catch (error) {
          expect(error).toBeInstanceOf(WasmnetError);
        }
      }),
      { seed: FUZZ.seed, numRuns: 300 * FUZZ.runs },
    );
  });
});
