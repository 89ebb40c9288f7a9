// Loading the WebAssembly core. The module is compiled once per process (from the inlined
// bytes by default) and instantiated once per network, so each network owns its memory and
// the garbage collector reclaims it with the network: no dispose() needed.
import { InitError } from '../errors';
import { wasmBase64 } from './wasm-inline.generated';

/** Anything `init` accepts: nothing (the inlined core), a compiled module, the .wasm bytes, a
 *  fetch `Response` (or a promise of one), or a URL to fetch. */
export type WasmSource = WebAssembly.Module | BufferSource | Response | PromiseLike<Response> | URL | string;

let compiled: WebAssembly.Module | undefined;
let compiling: Promise<void> | undefined;

function isModule(x: unknown): boolean {
  // instanceof fails for modules from another realm (edge runtimes, iframes).
  return Object.prototype.toString.call(x) === '[object WebAssembly.Module]';
}

function isBufferSource(x: unknown): boolean {
  return x instanceof ArrayBuffer || ArrayBuffer.isView(x);
}

function inlineBytes(): Uint8Array<ArrayBuffer> {
  const binary = atob(wasmBase64);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function compileFrom(source: unknown): Promise<WebAssembly.Module> {
  if (source === undefined) return WebAssembly.compile(inlineBytes());
  if (isModule(source)) return source as WebAssembly.Module;
  if (isBufferSource(source)) return WebAssembly.compile(source as BufferSource);
  if (typeof source === 'string' || (source as object) instanceof URL) return compileFrom(fetch(source as string | URL));
  const response = (await source) as unknown as Response;
  if (typeof response?.arrayBuffer !== 'function') {
    throw new TypeError(`init() expects a WebAssembly.Module, the .wasm bytes, a Response or a URL, got ${describe(source)}`);
  }
  if (typeof WebAssembly.compileStreaming === 'function' && response.headers?.get('content-type') === 'application/wasm') {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/** Loads the WebAssembly core. Safe to call many times (later calls are no-ops). Without an
 *  argument it compiles the inlined bytes; pass a `WebAssembly.Module` where compiling bytes is
 *  forbidden (Cloudflare Workers). */
export function init(source?: WasmSource): Promise<void> {
  if (compiled) return Promise.resolve();
  compiling ??= compileFrom(source).then(
    (module) => {
      compiled = module;
    },
    (error: unknown) => {
      compiling = undefined;
      throw new InitError(`could not load the wasmnet WebAssembly core: ${String(error)}`);
    },
  );
  return compiling;
}

/** Synchronous `init` from a compiled module or the .wasm bytes (or the inlined core). */
export function initSync(source?: WebAssembly.Module | BufferSource): void {
  if (compiled) return;
  if (source !== undefined && !isModule(source) && !isBufferSource(source)) {
    throw new InitError(`initSync expects a WebAssembly.Module or the .wasm bytes, got ${describe(source)}`);
  }
  try {
    compiled =
      source === undefined
        ? new WebAssembly.Module(inlineBytes())
        : isModule(source)
          ? (source as WebAssembly.Module)
          : new WebAssembly.Module(source as BufferSource);
  } catch (error) {
    throw new InitError(
      `could not compile the wasmnet WebAssembly core synchronously (${String(error)}); ` +
        'call `await init()` first, or `init(module)` with an imported WebAssembly.Module where compiling bytes is forbidden',
    );
  }
}

/** The compiled core, compiling the inlined bytes on first use if `init` was not awaited. */
export function coreModule(): WebAssembly.Module {
  if (!compiled) initSync();
  return compiled!;
}

function describe(x: unknown): string {
  return x === null ? 'null' : typeof x === 'object' ? Object.prototype.toString.call(x) : typeof x;
}
