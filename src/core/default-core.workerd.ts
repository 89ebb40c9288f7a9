// The `workerd` entry's default core: Cloudflare Workers forbid compiling WebAssembly from
// bytes ("Wasm code generation disallowed by embedder"), but they hand a `.wasm` module import
// to the worker already compiled. tsup keeps `./core.wasm` as an import of dist/core.wasm, which
// wrangler (and miniflare's CompiledWasm rule) uploads beside the worker. This entry therefore
// carries no inlined (hex) copy of the core.
import core from './core.wasm';

export function defaultCore(): WebAssembly.Module | Uint8Array<ArrayBuffer> {
  return core;
}
