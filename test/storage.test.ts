// wasmnet/storage in Node: files (paths and file:// URLs) and URLs served by a local HTTP server
// (wasmnet bytes and JSON, a tfjs model.json with its weight file beside it, an ONNX model), and
// the errors that name the destination and the cause. The browser destinations (IndexedDB,
// localStorage, downloads) are tested in Chromium by the runtime matrix (test/runtimes).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, FormatError, IOError, Network, dense, init } from 'wasmnet';
import { externalDataFiles, fromONNX } from 'wasmnet/onnx';
import { load, save } from 'wasmnet/storage';
import { toTfjs } from 'wasmnet/tfjs';

await init();

const dir = mkdtempSync(join(tmpdir(), 'wasmnet-storage-'));
const X = [[0.5, -1, 2], [3, 0.25, -0.75]];
const make = () =>
  new Network({ inputSize: 3, layers: [dense(4, { activation: 'tanh' }), dense(2, { activation: 'softmax' })], loss: 'categoricalCrossentropy', optimizer: 'adam', seed: 3 });
const hex = (net: Network) => Buffer.from(net.toBytes()).toString('hex');
/** The weights as a tfjs model stores them: float32. */
const f32 = (net: Network) => net.getWeights().map(({ weights, bias }) => ({ weights: weights.map(Math.fround), bias: bias.map(Math.fround) }));

// PyTorch 2.x's export with its weights in a file beside it (test/onnx-external.test.ts)
const EXTERNAL = new URL('./fixtures/onnx/external/', import.meta.url);
const externalModel = readFileSync(new URL('mlp-external.onnx', EXTERNAL));
const externalWeights = readFileSync(new URL('mlp-external.onnx.data', EXTERNAL));
const DATA_NAME = 'mlp-external.onnx.data';
/** The same model naming another file (a name of the same length, so the protobuf stays whole). */
function renamed(location: string): Uint8Array {
  expect(location.length).toBe(DATA_NAME.length);
  const out = Buffer.from(externalModel);
  const from = Buffer.from(DATA_NAME);
  let hits = 0;
  for (let at = out.indexOf(from); at >= 0; at = out.indexOf(from, at + 1), hits++) out.write(location, at, 'latin1');
  expect(hits).toBeGreaterThan(0);
  expect(externalDataFiles(out)).toEqual([location]);
  return out;
}
const reference = fromONNX(externalModel, { externalData: { [DATA_NAME]: externalWeights } });

async function trained(): Promise<Network> {
  const net = make();
  await net.fit(X, [[1, 0], [0, 1]], { epochs: 3, batchSize: 1 });
  return net;
}

/** The IOError (or other error) a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('files (Node)', () => {
  it('save to a path and load it back: the same bits, training state included', async () => {
    const net = await trained();
    const path = join(dir, 'model.wasmnet');
    const result = await save(net, path);
    expect(result).toEqual({ destination: path, size: net.toBytes().length });
    expect(Buffer.from(readFileSync(path)).equals(Buffer.from(net.toBytes()))).toBe(true);
    const again = await load(path);
    expect(hex(again)).toBe(hex(net));
    expect(again.predict(X)).toEqual(net.predict(X));
    const viaUrl = await load(pathToFileURL(path), { backend: 'js' });
    expect(viaUrl.backend).toBe('js');
    expect(viaUrl.getWeights()).toEqual(net.getWeights());
    expect(viaUrl.toJSON().training).toEqual(net.toJSON().training);
  });

  it('loads wasmnet JSON, a tfjs model.json with its weight file, and an ONNX model from files', async () => {
    const net = await trained();
    writeFileSync(join(dir, 'model.json'), JSON.stringify(net));
    expect(hex(await load(join(dir, 'model.json')))).toBe(hex(net));
    const { modelJSON, weightData } = toTfjs(net);
    mkdirSync(join(dir, 'tfjs'), { recursive: true });
    writeFileSync(join(dir, 'tfjs', 'model.json'), JSON.stringify(modelJSON));
    writeFileSync(join(dir, 'tfjs', 'weights.bin'), new Uint8Array(weightData));
    const fromTfjsFile = await load(join(dir, 'tfjs', 'model.json'));
    expect(fromTfjsFile.getWeights()).toEqual(f32(net));
    const onnxBytes = readFileSync(new URL('../docs/data/mlp.onnx', import.meta.url));
    writeFileSync(join(dir, 'mlp.onnx'), onnxBytes);
    const a = await load(join(dir, 'mlp.onnx'), { loss: 'mse' });
    const b = fromONNX(onnxBytes, { loss: 'mse' });
    expect(a.loss).toBe('mse');
    expect(a.getWeights()).toEqual(b.getWeights());
  });

  it('a missing file, a missing folder and a tfjs weight file that is not there are IOErrors naming the path', async () => {
    const missing = join(dir, 'nope.wasmnet');
    const error = await rejection(load(missing));
    expect(error).toBeInstanceOf(IOError);
    expect(error.message).toBe(`could not read ${missing}: no such file`);
    expect((error as IOError).destination).toBe(missing);
    const folder = join(dir, 'no-such-folder', 'model.wasmnet');
    const write = await rejection(save(make(), folder));
    expect(write).toBeInstanceOf(IOError);
    expect(write.message).toMatch(new RegExp(`^could not write ${folder.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: ENOENT`));
    mkdirSync(join(dir, 'no-weights'), { recursive: true });
    writeFileSync(join(dir, 'no-weights', 'model.json'), JSON.stringify(toTfjs(make()).modelJSON));
    const shard = await rejection(load(join(dir, 'no-weights', 'model.json')));
    expect(shard).toBeInstanceOf(IOError);
    expect(shard.message).toBe(`could not read ${join(dir, 'no-weights', 'weights.bin')}: no such file`);
  });
});

describe('ONNX external data (PyTorch 2.x writes model.onnx.data beside model.onnx)', () => {
  it('load() reads the files the model names from its folder, and predicts as fromONNX with them', async () => {
    mkdirSync(join(dir, 'torch', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'torch', 'model.onnx'), externalModel);
    writeFileSync(join(dir, 'torch', DATA_NAME), externalWeights);
    const net = await load(join(dir, 'torch', 'model.onnx'), { seed: 9 });
    expect(net.seed).toBe(9);
    expect(net.getWeights()).toEqual(reference.getWeights());
    const rows = (JSON.parse(readFileSync(new URL('mlp-external.json', EXTERNAL), 'utf8')) as { input: number[][] }).input;
    expect(net.predict(rows)).toEqual(reference.predict(rows));
    // a file: URL, and a location in a subfolder of the model's
    expect((await load(pathToFileURL(join(dir, 'torch', 'model.onnx')))).getWeights()).toEqual(reference.getWeights());
    writeFileSync(join(dir, 'torch', 'in-sub.onnx'), renamed('sub/weights-file.bin__'));
    writeFileSync(join(dir, 'torch', 'sub', 'weights-file.bin__'), externalWeights);
    expect((await load(join(dir, 'torch', 'in-sub.onnx'))).getWeights()).toEqual(reference.getWeights());
  });

  it('a data file that is not there is an IOError naming its path', async () => {
    mkdirSync(join(dir, 'torch-alone'), { recursive: true });
    writeFileSync(join(dir, 'torch-alone', 'model.onnx'), externalModel);
    const error = await rejection(load(join(dir, 'torch-alone', 'model.onnx')));
    expect(error).toBeInstanceOf(IOError);
    expect(error.message).toBe(`could not read ${join(dir, 'torch-alone', DATA_NAME)}: no such file`);
  });

  it('a location outside the model\'s folder (.., an absolute path, a URL, a backslash) is a FormatError, nothing read', async () => {
    // a file the hostile names would reach if they were followed
    writeFileSync(join(dir, 'aaaaaaaaaaaaaaaaaaa'), externalWeights);
    for (const location of ['../aaaaaaaaaaaaaaaaaaa', `/${'a'.repeat(21)}`, 'file:///aaaaaaaaaaaaaa', 'C:/aaaaaaaaaaaaaaaaaaa', 'sub\\aaaaaaaaaaaaaaaaaa', 'x/../aaaaaaaaaaaaaaaaa']) {
      const path = join(dir, 'torch', 'hostile.onnx');
      writeFileSync(path, renamed(location));
      const error = await rejection(load(path));
      expect(error).toBeInstanceOf(FormatError);
      expect(error.message).toBe(`${path}: external data location ${JSON.stringify(location)} is not a file name relative to the model's folder (no "..", no absolute path or URL)`);
    }
  });
});

describe('URLs (a local HTTP server)', () => {
  let server: Server;
  let base = '';
  const routes = new Map<string, { status?: number; type?: string; body: Uint8Array | string }>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const route = routes.get(req.url ?? '');
      if (!route) return void res.writeHead(404, 'Not Found').end('not found');
      res.writeHead(route.status ?? 200, { 'content-type': route.type ?? 'application/octet-stream' }).end(route.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('loads wasmnet bytes and JSON, a tfjs model.json whose weights are fetched relative to it, and ONNX', async () => {
    const net = await trained();
    routes.set('/m/model.wasmnet', { body: net.toBytes() });
    routes.set('/m/model.json', { type: 'application/json', body: JSON.stringify(net) });
    const { modelJSON, weightData } = toTfjs(net);
    routes.set('/tfjs/v1/model.json', { type: 'application/json', body: JSON.stringify(modelJSON) });
    routes.set('/tfjs/v1/weights.bin', { body: new Uint8Array(weightData) });
    const onnxBytes = readFileSync(new URL('../docs/data/mlp.onnx', import.meta.url));
    routes.set('/mlp.onnx', { body: onnxBytes });
    expect(hex(await load(`${base}/m/model.wasmnet`))).toBe(hex(net));
    expect(hex(await load(new URL(`${base}/m/model.json`)))).toBe(hex(net));
    expect((await load(`${base}/tfjs/v1/model.json`)).getWeights()).toEqual(f32(net));
    expect((await load(`${base}/mlp.onnx`)).getWeights()).toEqual(fromONNX(onnxBytes).getWeights());
  });

  it("an ONNX model's external data is fetched relative to its URL; a missing one is an IOError with the URL", async () => {
    routes.set('/torch/v2/model.onnx', { body: externalModel });
    routes.set(`/torch/v2/${DATA_NAME}`, { body: externalWeights });
    expect((await load(`${base}/torch/v2/model.onnx`)).getWeights()).toEqual(reference.getWeights());
    routes.set('/torch/v3/model.onnx', { body: externalModel });
    const error = await rejection(load(`${base}/torch/v3/model.onnx`));
    expect(error).toBeInstanceOf(IOError);
    expect(error.message).toBe(`could not load ${base}/torch/v3/${DATA_NAME}: HTTP 404 Not Found`);
    expect((error as IOError).status).toBe(404);
  });

  it('an HTTP 404 is an IOError with the URL and the status; so is a missing tfjs weight file', async () => {
    const error = await rejection(load(`${base}/missing/model.json`));
    expect(error).toBeInstanceOf(IOError);
    expect(error.message).toBe(`could not load ${base}/missing/model.json: HTTP 404 Not Found`);
    expect((error as IOError).status).toBe(404);
    routes.set('/lonely/model.json', { type: 'application/json', body: JSON.stringify(toTfjs(make()).modelJSON) });
    const shard = await rejection(load(`${base}/lonely/model.json`));
    expect(shard).toBeInstanceOf(IOError);
    expect(shard.message).toBe(`could not load ${base}/lonely/weights.bin: HTTP 404 Not Found`);
  });

  it('content that is not a model is a FormatError naming the URL', async () => {
    routes.set('/page', { type: 'text/html', body: '<!doctype html><title>Sign in</title>' });
    routes.set('/broken.json', { type: 'application/json', body: '{"format":"wasmnet",' });
    routes.set('/other.json', { type: 'application/json', body: '{"name":"not a model"}' });
    routes.set('/noise', { body: new Uint8Array([1, 2, 3, 4, 5]) });
    const cases: [string, string | RegExp][] = [
      ['/page', `${base}/page is an HTML or XML page, not a model (a wrong URL, or a server's error page?)`],
      ['/broken.json', new RegExp(`^${base}/broken\\.json is not valid JSON: `)],
      ['/other.json', `${base}/other.json is JSON but neither a wasmnet model (format "wasmnet") nor a TensorFlow.js model.json (modelTopology)`],
      ['/noise', new RegExp(`^${base}/noise: `)],
    ];
    for (const [path, message] of cases) {
      const error = await rejection(load(`${base}${path}`));
      expect(error, path).toBeInstanceOf(FormatError);
      if (typeof message === 'string') expect(error.message).toBe(message);
      else expect(error.message).toMatch(message);
    }
  });

  it('a server that cannot be reached is an IOError naming the URL', async () => {
    const error = await rejection(load('http://127.0.0.1:9/model.json'));
    expect(error).toBeInstanceOf(IOError);
    expect(error.message).toMatch(/^could not fetch http:\/\/127\.0\.0\.1:9\/model\.json: /);
  });
});

describe('destinations and options', () => {
  it('where a destination does not exist here, an IOError says so; unknown schemes and options are ConfigErrors', async () => {
    const net = make();
    const cases: [Promise<unknown>, abstract new (...args: never[]) => Error, string][] = [
      [save(net, 'indexeddb://m'), IOError, 'indexeddb://m: IndexedDB is not available in this runtime'],
      [load('indexeddb://m'), IOError, 'indexeddb://m: IndexedDB is not available in this runtime'],
      [save(net, 'downloads://m'), IOError, 'cannot save to downloads://m: downloads need a browser page'],
      [save(net, 'https://example.com/m'), IOError, 'cannot save to https://example.com/m: save() writes files, IndexedDB, localStorage or downloads; to upload, send net.toBytes() yourself'],
      [load('downloads://m'), ConfigError, 'downloads://m: downloads:// is a destination for save(); load the downloaded file by its path or URL'],
      [save(net, 'ftp://host/m'), ConfigError, 'ftp://host/m: unknown destination scheme ftp://; expected indexeddb://, localstorage://, downloads://, http(s)://, file:// or a path'],
      [save(net, 'indexeddb://'), ConfigError, 'indexeddb://: the name after :// must have 1 to 256 characters'],
      [save({} as Network, 'x'), ConfigError, 'save() needs a Network, got object'],
      [load(join(dir, 'x'), { lr: 1 } as never), ConfigError, 'load options: unknown option "lr"; expected one of "backend", "threads", "loss", "optimizer", "seed", "fetch"'],
    ];
    if (typeof (globalThis as { localStorage?: unknown }).localStorage === 'undefined') {
      cases.push([save(net, 'localstorage://m'), IOError, 'localstorage://m: localStorage is not available in this runtime']);
    }
    for (const [promise, type, message] of cases) {
      const error = await rejection(promise);
      expect(error, message).toBeInstanceOf(type);
      expect(error.message).toBe(message);
    }
  });

  it('loss, optimizer and seed apply to imported models only', async () => {
    const path = join(dir, 'own.wasmnet');
    await save(make(), path);
    const error = await rejection(load(path, { loss: 'mse' }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe('load options: loss applies to ONNX and TensorFlow.js models; a wasmnet model keeps its own');
  });
});
