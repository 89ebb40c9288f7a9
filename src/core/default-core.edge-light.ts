// The `edge-light` entry's default core. Next.js bundles an Edge route's `import x from
// './file.wasm?module'` (webpack and Turbopack alike) as a `WebAssembly.Module` that the edge
// runtime compiles from the deployed file, whereas deployed edge runtimes refuse to compile
// bytes at run time. tsup keeps `./core.wasm?module` as an import of the dist/core.wasm that
// sits beside the built entry. This entry therefore carries no inlined (hex) copy of the core.
import core from './core.wasm?module';

export function defaultCore(): WebAssembly.Module | Uint8Array<ArrayBuffer> {
  return core;
}
