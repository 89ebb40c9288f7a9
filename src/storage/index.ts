/**
 * `wasmnet/storage`: save a network to a destination and load one from a source, by name.
 *
 * | destination | save | load | where |
 * | --- | --- | --- | --- |
 * | `'indexeddb://name'` | ✓ (the model's bytes) | ✓ | browsers, Deno, workers with IndexedDB |
 * | `'localstorage://name'` | ✓ (its JSON) | ✓ | browsers |
 * | `'downloads://name'` | ✓ (a download of `name.wasmnet`) | — | browser pages |
 * | `'https://…'`, `'http://…'` | — | ✓ (fetch) | anywhere with `fetch` |
 * | a file path, `'file://…'` | ✓ | ✓ | Node, Bun, Deno |
 *
 * Loading recognises what it reads: wasmnet's own formats (`toBytes`, `toJSON`), a TensorFlow.js
 * `model.json` (its weight files are fetched or read relative to it) and an ONNX model (the
 * external data files it names too, from its folder). In a
 * browser, a path without a scheme is a URL relative to the page; in Node, Bun and Deno it is a
 * file path. Failures outside the model's content (not found, an HTTP status, a full quota, a
 * destination this runtime lacks) are an `IOError` naming the destination and the cause;
 * unreadable content is a `FormatError` naming the source.
 *
 * @example
 * ```ts
 * import { Network, dense } from 'wasmnet';
 * import { load, save } from 'wasmnet/storage';
 *
 * const net = new Network({ inputSize: 2, layers: [dense(1, { activation: 'sigmoid' })], loss: 'binaryCrossentropy', seed: 1 });
 * await save(net, 'model.wasmnet'); // a file here; 'indexeddb://xor' or 'localstorage://xor' in a page
 * const again = await load('model.wasmnet');
 * console.log(again.predict([[1, 0]])[0][0] === net.predict([[1, 0]])[0][0]); // true
 * ```
 * @module
 */
import { ConfigError, FormatError, IOError, Network, WasmnetError, type BackendName, type LossConfig, type OptimizerConfig } from 'wasmnet';
import { externalDataFiles, fromONNX } from 'wasmnet/onnx';
import { fromTfjs } from 'wasmnet/tfjs';

/** Where {@link save} writes and {@link load} reads: see the module's table. */
export type Destination = string | URL;

/** Options of {@link load}. */
export interface StorageLoadOptions {
  /** 'wasm' (default) or 'js': the backend of the loaded network. */
  backend?: BackendName;
  /** Threads of a network loaded from wasmnet's own format (after `initThreads()`; see `NetworkConfig.threads`). */
  threads?: number | 'auto';
  /** An imported (ONNX or tfjs) model's loss; default: the natural one for its output. */
  loss?: LossConfig;
  /** An imported (ONNX or tfjs) model's optimizer; default `{ type: 'sgd', learningRate: 0.01 }`. */
  optimizer?: OptimizerConfig;
  /** An imported (ONNX or tfjs) model's seed (shuffling and dropout when it trains). */
  seed?: number;
  /** The `fetch` to use for URLs (default: the global one), e.g. one that adds headers. */
  fetch?: typeof fetch;
}

/** What {@link save} did. */
export interface SaveResult {
  /** The destination, as given. */
  destination: string;
  /** Bytes written (characters, for localStorage). */
  size: number;
}

const STORE = { db: 'wasmnet', store: 'models' } as const;
const LOCAL_PREFIX = 'wasmnet/';
const MAX_NAME = 256;

type Target =
  | { kind: 'indexeddb' | 'localstorage' | 'downloads'; name: string }
  | { kind: 'url'; url: URL }
  | { kind: 'file'; path: string };

interface FsPromises {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
}

/** node:fs/promises where the runtime has Node's builtins (Node, Bun, Deno), found without an
 *  import so that browser bundles carry no node: specifier. */
function files(): { fs: FsPromises; fileURLToPath(url: URL): string; dirname(path: string): string; join(...parts: string[]): string } | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof p?.getBuiltinModule !== 'function') return undefined;
  const fs = (p.getBuiltinModule('fs') as { promises: FsPromises }).promises;
  const url = p.getBuiltinModule('url') as { fileURLToPath(url: URL): string };
  const path = p.getBuiltinModule('path') as { dirname(path: string): string; join(...parts: string[]): string };
  return { fs, fileURLToPath: url.fileURLToPath, dirname: path.dirname, join: path.join };
}

const shown = (d: Destination): string => (typeof d === 'string' ? (d.length > 200 ? `${d.slice(0, 200)}…` : d) : String(d));

function parse(destination: unknown): Target {
  if (destination instanceof URL) return fromUrl(destination, destination.href);
  if (typeof destination !== 'string' || destination.length === 0) {
    throw new ConfigError(`a destination must be a non-empty string or a URL, such as 'indexeddb://my-model' or 'model.wasmnet', got ${typeof destination === 'string' ? '""' : String(destination)}`);
  }
  const named = /^(indexeddb|localstorage|downloads):\/\/(.*)$/i.exec(destination);
  if (named) {
    const name = named[2]!;
    if (name.length === 0 || name.length > MAX_NAME) throw new ConfigError(`${shown(destination)}: the name after :// must have 1 to ${MAX_NAME} characters`);
    return { kind: named[1]!.toLowerCase() as 'indexeddb' | 'localstorage' | 'downloads', name };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(destination)) return fromUrl(new URL(destination), destination);
  if (files() !== undefined) return { kind: 'file', path: destination };
  const here = (globalThis as { location?: { href?: string } }).location?.href;
  if (here !== undefined) return { kind: 'url', url: new URL(destination, here) };
  throw new ConfigError(`${shown(destination)}: a path needs a file system (Node, Bun, Deno) or a page to resolve it against; use a URL`);
}

function fromUrl(url: URL, given: string): Target {
  if (url.protocol === 'http:' || url.protocol === 'https:') return { kind: 'url', url };
  if (url.protocol === 'file:') {
    const f = files();
    if (f === undefined) throw new IOError(`${shown(given)}: file URLs need a file system (Node, Bun, Deno)`, given);
    return { kind: 'file', path: f.fileURLToPath(url) };
  }
  throw new ConfigError(
    `${shown(given)}: unknown destination scheme ${url.protocol}//; expected indexeddb://, localstorage://, downloads://, http(s)://, file:// or a path`,
  );
}

/**
 * Saves `net` (weights, architecture and training state, bit for bit) to `destination`: a file
 * path or `file://` URL (Node, Bun, Deno), `'indexeddb://name'`, `'localstorage://name'` or
 * `'downloads://name'` (a page: the browser downloads `name.wasmnet`, or `name` if it has an
 * extension). Resolves once it is written.
 *
 * @throws ConfigError for an unknown scheme or a value that is not a Network.
 * @throws IOError when writing fails (a missing folder, a full quota, no IndexedDB here,
 * an http(s) URL), naming the destination and the cause.
 */
export async function save(net: Network, destination: Destination): Promise<SaveResult> {
  if (!(net instanceof Network)) throw new ConfigError(`save() needs a Network, got ${net === null ? 'null' : typeof net}`);
  const target = parse(destination);
  const where = shown(destination);
  switch (target.kind) {
    case 'file': {
      const bytes = net.toBytes();
      await files()!.fs.writeFile(target.path, bytes).catch((error: unknown) => {
        throw new IOError(`could not write ${where}: ${describe(error)}`, where, undefined, { cause: error });
      });
      return { destination: where, size: bytes.length };
    }
    case 'indexeddb': {
      const bytes = net.toBytes();
      await withStore(where, 'readwrite', (store) => store.put({ bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), saved: Date.now() }, target.name));
      return { destination: where, size: bytes.length };
    }
    case 'localstorage': {
      const storage = localStore(where);
      const text = JSON.stringify(net);
      try {
        storage.setItem(LOCAL_PREFIX + target.name, text);
      } catch (error) {
        const quota = (error as { name?: string }).name === 'QuotaExceededError';
        throw new IOError(
          quota
            ? `could not save to ${where}: localStorage's quota is exceeded (the model is ${text.length} characters; IndexedDB holds larger models)`
            : `could not save to ${where}: ${describe(error)}`,
          where,
          undefined,
          { cause: error },
        );
      }
      return { destination: where, size: text.length };
    }
    case 'downloads': {
      const doc = (globalThis as { document?: Document }).document;
      if (doc === undefined || typeof URL.createObjectURL !== 'function') throw new IOError(`cannot save to ${where}: downloads need a browser page`, where);
      const bytes = net.toBytes();
      const href = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
      const a = doc.createElement('a');
      a.href = href;
      a.download = /\.[a-z0-9]+$/i.test(target.name) ? target.name : `${target.name}.wasmnet`;
      a.style.display = 'none';
      doc.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 60_000);
      return { destination: where, size: bytes.length };
    }
    case 'url':
      throw new IOError(`cannot save to ${where}: save() writes files, IndexedDB, localStorage or downloads; to upload, send net.toBytes() yourself`, where);
  }
}

/**
 * Loads a network from `source`: a file path or `file://` URL (Node, Bun, Deno), an `http(s)`
 * URL (or, in a page, a URL relative to it), `'indexeddb://name'` or `'localstorage://name'`.
 * What it reads may be wasmnet's bytes or JSON (the network as saved, training state
 * included), a TensorFlow.js `model.json` (its weight files fetched or read relative to it) or
 * an ONNX model (both imported as `fromTfjs`/`fromONNX` do, with `loss`, `optimizer`, `seed`).
 *
 * @throws IOError when the source cannot be read: not found, an HTTP error status (`.status`),
 * no IndexedDB or localStorage in this runtime; the message names the source.
 * @throws FormatError when what was read is not a model wasmnet reads; the message names the source.
 */
export async function load(source: Destination, options: StorageLoadOptions = {}): Promise<Network> {
  if (typeof options !== 'object' || options === null) throw new ConfigError(`load options must be an object, got ${String(options)}`);
  const allowed = ['backend', 'threads', 'loss', 'optimizer', 'seed', 'fetch'];
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new ConfigError(`load options: unknown option "${key}"; expected one of ${allowed.map((k) => `"${k}"`).join(', ')}`);
  }
  const target = parse(source);
  const where = shown(source);
  switch (target.kind) {
    case 'indexeddb': {
      const record = await withStore(where, 'readonly', (store) => store.get(target.name));
      const bytes = (record as { bytes?: unknown } | undefined)?.bytes;
      if (!(bytes instanceof ArrayBuffer)) throw new IOError(`${where}: no model named "${target.name}" in IndexedDB (database "${STORE.db}")`, where);
      return named(where, () => Network.fromBytes(bytes, ownOptions(options)));
    }
    case 'localstorage': {
      const text = localStore(where).getItem(LOCAL_PREFIX + target.name);
      if (text === null) throw new IOError(`${where}: no model named "${target.name}" in localStorage`, where);
      return named(where, () => Network.fromJSON(text, ownOptions(options)));
    }
    case 'downloads':
      throw new ConfigError(`${where}: downloads:// is a destination for save(); load the downloaded file by its path or URL`);
    case 'file': {
      const f = files()!;
      const read = (path: string, shownPath: string) =>
        f.fs.readFile(path).catch((error: unknown) => {
          const missing = (error as { code?: string }).code === 'ENOENT';
          throw new IOError(`could not read ${shownPath}: ${missing ? 'no such file' : describe(error)}`, shownPath, undefined, { cause: error });
        });
      const bytes = await read(target.path, where);
      const dir = f.dirname(target.path);
      return decode(bytes, where, options, (path) => read(f.join(dir, path), f.join(dir, path)));
    }
    case 'url': {
      const get = options.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch;
      if (typeof get !== 'function') throw new IOError(`cannot load ${where}: no fetch in this runtime`, where);
      const bytes = await fetchBytes(get, target.url);
      return decode(bytes, target.url.href, options, (path) => fetchBytes(get, new URL(path, target.url)));
    }
  }
}

async function fetchBytes(get: typeof fetch, url: URL): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await get(url.href);
  } catch (error) {
    throw new IOError(`could not fetch ${url.href}: ${describe(error)}`, url.href, undefined, { cause: error });
  }
  if (!response.ok) {
    throw new IOError(`could not load ${url.href}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`, url.href, response.status);
  }
  return new Uint8Array(await response.arrayBuffer());
}

const MAGIC = [0x57, 0x4e, 0x45, 0x54]; // "WNET": Network.toBytes()

/** What `bytes` holds, loaded: wasmnet bytes or JSON, a tfjs model.json (its weight files read
 *  with `related`, relative to the source) or an ONNX model. */
async function decode(bytes: Uint8Array, where: string, options: StorageLoadOptions, related: (path: string) => Promise<Uint8Array>): Promise<Network> {
  if (MAGIC.every((b, i) => bytes[i] === b)) return named(where, () => Network.fromBytes(bytes, ownOptions(options)));
  let first = 0;
  while (first < bytes.length && (bytes[first] === 0x20 || bytes[first] === 0x0a || bytes[first] === 0x0d || bytes[first] === 0x09)) first++;
  if (bytes[first] === 0x3c /* < */) throw new FormatError(`${where} is an HTML or XML page, not a model (a wrong URL, or a server's error page?)`);
  if (bytes[first] === 0x7b /* { */) {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (error) {
      throw new FormatError(`${where} is not valid JSON: ${describe(error)}`);
    }
    const object = json as { format?: unknown; modelTopology?: unknown; weightsManifest?: unknown };
    if (object.format === 'wasmnet') return named(where, () => Network.fromJSON(json as never, ownOptions(options)));
    if (object.modelTopology !== undefined) {
      const manifest = Array.isArray(object.weightsManifest) ? (object.weightsManifest as { paths?: unknown }[]) : [];
      const paths = manifest.flatMap((group) => (Array.isArray(group?.paths) ? group.paths : []));
      if (paths.some((p) => typeof p !== 'string' || p.length === 0 || p.length > 1024)) throw new FormatError(`${where}: weightsManifest paths must be non-empty strings`);
      const shards: Uint8Array[] = [];
      for (const path of paths as string[]) shards.push(await related(path));
      return named(where, () => fromTfjs(json as never, shards, importOptions(options)));
    }
    throw new FormatError(`${where} is JSON but neither a wasmnet model (format "wasmnet") nor a TensorFlow.js model.json (modelTopology)`);
  }
  // an ONNX model whose weights are in files beside it (PyTorch 2.x's model.onnx.data)
  const names = named(where, () => externalDataFiles(bytes));
  if (names.length > MAX_EXTERNAL_FILES) throw new FormatError(`${where} names ${names.length} external data files; load() reads at most ${MAX_EXTERNAL_FILES}`);
  const externalData: Record<string, Uint8Array> = {};
  for (const name of names) {
    // onnxruntime's rule: a location is a path relative to the model's folder, inside it
    if (name === '' || name.length > 1024 || /^[a-z][a-z0-9+.-]*:|^[\\/]|\\/i.test(name) || name.split('/').includes('..')) {
      throw new FormatError(`${where}: external data location ${JSON.stringify(name.slice(0, 80))} is not a file name relative to the model's folder (no "..", no absolute path or URL)`);
    }
    externalData[name] = await related(name);
  }
  return named(where, () => fromONNX(bytes, { ...importOptions(options), ...(names.length > 0 ? { externalData } : {}) }));
}

/** External data files load() reads for one ONNX model (PyTorch writes one; onnx's
 *  save_model one per tensor with all_tensors_to_one_file=False). */
const MAX_EXTERNAL_FILES = 1000;

/** Runs a loader; a FormatError's message gets the source's name in front. */
function named<T>(where: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof FormatError && !error.message.startsWith(where)) throw new FormatError(`${where}: ${error.message}`);
    throw error;
  }
}

function ownOptions(options: StorageLoadOptions): { backend?: BackendName; threads?: number | 'auto' } {
  for (const key of ['loss', 'optimizer', 'seed'] as const) {
    if (options[key] !== undefined) throw new ConfigError(`load options: ${key} applies to ONNX and TensorFlow.js models; a wasmnet model keeps its own`);
  }
  const out: { backend?: BackendName; threads?: number | 'auto' } = {};
  if (options.backend !== undefined) out.backend = options.backend;
  if (options.threads !== undefined) out.threads = options.threads;
  return out;
}

function importOptions(options: StorageLoadOptions): { backend?: BackendName; loss?: LossConfig; optimizer?: OptimizerConfig; seed?: number } {
  if (options.threads !== undefined) throw new ConfigError('load options: threads applies to wasmnet models; for an imported one, Network.fromBytes(net.toBytes(), { threads })');
  const out: { backend?: BackendName; loss?: LossConfig; optimizer?: OptimizerConfig; seed?: number } = {};
  for (const key of ['backend', 'loss', 'optimizer', 'seed'] as const) if (options[key] !== undefined) (out as Record<string, unknown>)[key] = options[key];
  return out;
}

function localStore(where: string): Storage {
  let storage: Storage | undefined;
  try {
    storage = (globalThis as { localStorage?: Storage }).localStorage;
  } catch (error) {
    throw new IOError(`${where}: localStorage is not accessible here: ${describe(error)}`, where, undefined, { cause: error });
  }
  if (storage === undefined || storage === null) throw new IOError(`${where}: localStorage is not available in this runtime`, where);
  return storage;
}

/** Runs one request on the models store; resolves to its result. */
function withStore(where: string, mode: IDBTransactionMode, request: (store: IDBObjectStore) => IDBRequest): Promise<unknown> {
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (idb === undefined) return Promise.reject(new IOError(`${where}: IndexedDB is not available in this runtime`, where));
  const failed = (error: unknown) =>
    new IOError(
      (error as { name?: string } | null)?.name === 'QuotaExceededError'
        ? `could not save to ${where}: the storage quota is exceeded`
        : `${where}: IndexedDB failed: ${describe(error)}`,
      where,
      undefined,
      { cause: error },
    );
  return new Promise((resolve, reject) => {
    const open = idb.open(STORE.db, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE.store);
    open.onerror = () => reject(failed(open.error));
    open.onsuccess = () => {
      const db = open.result;
      try {
        const tx = db.transaction(STORE.store, mode);
        const req = request(tx.objectStore(STORE.store));
        tx.oncomplete = () => {
          db.close();
          resolve(req.result);
        };
        tx.onerror = tx.onabort = () => {
          db.close();
          reject(failed(tx.error ?? req.error));
        };
      } catch (error) {
        db.close();
        reject(failed(error));
      }
    };
  });
}

function describe(error: unknown): string {
  if (error instanceof WasmnetError) return error.message;
  const e = error as { message?: unknown; name?: unknown; code?: unknown; cause?: { message?: unknown; code?: unknown } } | null;
  const text = typeof e?.message === 'string' && e.message ? e.message : String(error);
  const cause = typeof e?.cause?.message === 'string' && e.cause.message !== text ? ` (${e.cause.message})` : '';
  return (text + cause).slice(0, 300);
}
