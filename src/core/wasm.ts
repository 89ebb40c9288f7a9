// Loading the WebAssembly core. The module is compiled once per process (from the inlined
// bytes by default) and instantiated once per network, so each network owns its memory and
// the garbage collector reclaims it with the network: no dispose() needed.
//
// Where the default core comes from is decided at build time by ./default-core: the inlined
// hex bytes in the default entries, an imported `WebAssembly.Module` in the `workerd` and
// `edge-light` entries (Cloudflare Workers and deployed Next.js Edge code forbid compiling
// bytes). Nothing here imports a `node:` module or uses eval, so this file runs unchanged in
// Node, Bun, Deno, browsers, Workers and Next.js Edge routes.
import { InitError } from '../errors';
import { defaultCore } from './default-core';

declare global {
  // Lets the declarations below type-check in projects whose `lib` has no DOM and whose
  // @types/node declares no WebAssembly (Node-only projects with skipLibCheck off). It merges
  // with the real declaration (lib.dom, Deno, Bun and Workers types) wherever there is one.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace WebAssembly {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Module {}
  }
}

/** The .wasm bytes: an `ArrayBuffer` or a view of one (`Uint8Array`, Node's `Buffer`...). */
export type WasmBytes = ArrayBuffer | ArrayBufferView;

/** Anything `init` accepts: nothing (the bundled core), a compiled module, the .wasm bytes, a
 *  fetch `Response` (or a promise of one), or a URL to fetch. */
export type WasmSource = WebAssembly.Module | WasmBytes | Response | PromiseLike<Response> | URL | string;

let compiled: WebAssembly.Module | undefined;
let compiling: Promise<void> | undefined;

function tag(x: unknown): string {
  return Object.prototype.toString.call(x);
}

function isModule(x: unknown): x is WebAssembly.Module {
  // instanceof fails for modules from another realm (edge runtimes, iframes, vm contexts).
  return tag(x) === '[object WebAssembly.Module]';
}

function isBytes(x: unknown): x is BufferSource {
  return ArrayBuffer.isView(x) || tag(x) === '[object ArrayBuffer]' || tag(x) === '[object SharedArrayBuffer]';
}

/** Engines accept an ArrayBuffer or a typed array; V8 refuses a DataView, so view it as bytes. */
function asBytes(x: BufferSource): BufferSource {
  return ArrayBuffer.isView(x) && !(x instanceof Uint8Array) ? new Uint8Array(x.buffer, x.byteOffset, x.byteLength) : x;
}

function isUrl(x: unknown): x is URL | string {
  return typeof x === 'string' || tag(x) === '[object URL]';
}

async function compileFrom(source: unknown): Promise<WebAssembly.Module> {
  if (source === undefined) source = defaultCore();
  if (isModule(source)) return source;
  if (isBytes(source)) return WebAssembly.compile(asBytes(source));
  if (isUrl(source)) return compileFrom(fetchWasm(source));
  const response = (await source) as Response | null | undefined;
  if (typeof response?.arrayBuffer !== 'function') {
    throw new TypeError(`init() expects a WebAssembly.Module, the .wasm bytes, a Response or a URL, got ${describe(source)}`);
  }
  if (response.ok === false) {
    throw new Error(`fetching the core answered HTTP ${response.status}${response.url ? ` for ${response.url}` : ''}`);
  }
  const type = response.headers?.get('content-type') ?? '';
  // Only the bare type: Node's compileStreaming refuses `application/wasm; charset=…` and
  // other spellings that browsers accept; those are compiled from the bytes below instead.
  if (typeof WebAssembly.compileStreaming === 'function' && type.trim() === 'application/wasm') {
    return WebAssembly.compileStreaming(response);
  }
  // Await first, then compile: Next.js's dev sandbox wraps every `WebAssembly.compile(x)` in a
  // plain (non-async) function, so an `await` inside the argument is a SyntaxError there.
  const bytes = await response.arrayBuffer();
  return WebAssembly.compile(bytes);
}

async function fetchWasm(url: URL | string): Promise<Response> {
  try {
    return await fetch(url);
  } catch (error) {
    const hint = String(url).startsWith('file:')
      ? ' (this runtime cannot fetch file: URLs; read the file and pass the bytes, e.g. init(readFileSync(path)))'
      : '';
    throw new Error(`fetch(${String(url)}) failed: ${String(error)}${hint}`);
  }
}

function hintFor(error: unknown): string {
  return /disallowed|code generation/i.test(String(error))
    ? '; this runtime forbids compiling WebAssembly from bytes: pass init() an imported WebAssembly.Module (Workers: `import core from "wasmnet/core.wasm"`), or let the bundler pick the package\'s `workerd` or `edge-light` entry'
    : '';
}

/** Loads the WebAssembly core. Safe to call many times: once a call has succeeded (or while
 *  one is in flight) later calls return the same promise and ignore their argument. Without an
 *  argument it uses the bundled core (inlined bytes; an imported module in the `workerd`
 *  and `edge-light` entries). A failed call can be retried. */
export function init(source?: WasmSource): Promise<void> {
  if (compiled) return Promise.resolve();
  compiling ??= compileFrom(source).then(
    (module) => {
      compiled ??= module;
    },
    (error: unknown) => {
      compiling = undefined;
      throw new InitError(`could not load the wasmnet WebAssembly core: ${String(error)}${hintFor(error)}`);
    },
  );
  return compiling;
}

/** Synchronous `init` from a compiled module or the .wasm bytes (or, without an argument, the
 *  bundled core). A no-op once the core is loaded. */
export function initSync(source?: WebAssembly.Module | WasmBytes): void {
  if (compiled) return;
  if (source !== undefined && !isModule(source) && !isBytes(source)) {
    throw new InitError(`initSync expects a WebAssembly.Module or the .wasm bytes, got ${describe(source)}`);
  }
  const from = source ?? defaultCore();
  try {
    compiled = isModule(from) ? from : new WebAssembly.Module(asBytes(from));
  } catch (error) {
    throw new InitError(
      `could not compile the wasmnet WebAssembly core synchronously (${String(error)})${hintFor(error)}; ` +
        'or call `await init()` first',
    );
  }
}

/** The compiled core, compiling the bundled bytes on first use if `init` was not awaited. */
export function coreModule(): WebAssembly.Module {
  if (!compiled) initSync();
  return compiled!;
}

function describe(x: unknown): string {
  return x === null ? 'null' : typeof x === 'object' ? tag(x) : typeof x;
}
