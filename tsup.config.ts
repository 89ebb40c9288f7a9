import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

const shared = {
  platform: 'neutral',
  target: 'es2022',
  sourcemap: false,
  clean: false, // the build script empties dist/ first (parallel builds race on clean)
  treeshake: true,
  // Whitespace, comments and local names; arithmetic is never rewritten (minifySyntax may fold
  // expressions, so it stays off). Exported names are kept, and every error class names itself
  // with a string literal, so `error.name` and `instanceof` are unchanged; only internal
  // function names in stack traces get short. Whitespace saves ≈ 3 KB gzipped, local names
  // ≈ 3.7 KB more (40.8 → 37.2 KB for dist/index.js, measured when hardening's checks landed).
  minifyWhitespace: true,
  minifyIdentifiers: true,
  external: [/^node:/],
  removeNodeProtocol: false,
} satisfies Options;

/** The builds whose core is an imported module: src/core/default-core.ts (the inlined base64
 *  core) is swapped for default-core.<variant>.ts, whose import of `./core.wasm` (workerd) or
 *  `./core.wasm?module` (edge-light, Next.js's spelling) stays an import of the dist/core.wasm
 *  that sits beside the built entry. */
function importedCore(variant: 'workerd' | 'edge-light'): EsbuildPlugin {
  return {
    name: `wasmnet-${variant}-core`,
    setup(build) {
      build.onResolve({ filter: /^\.\/default-core$/ }, (args) => ({
        path: join(args.resolveDir, `default-core.${variant}.ts`),
      }));
      build.onResolve({ filter: /^\.\/core\.wasm(\?module)?$/ }, (args) => ({ path: args.path, external: true }));
    },
  };
}

export default defineConfig([
  {
    ...shared,
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { stripInternal: true } },
  },
  // The interop entries (wasmnet/onnx, wasmnet/tfjs) import the library by its own package
  // name, kept external: with the main entry they load one copy of wasmnet and one core (ESM,
  // CJS and workerd conditions alike), and an imported network is `instanceof Network`. One
  // config each, so that each is one file per format (their small shared part, src/interop/,
  // is copied into both) with no shared declaration chunk.
  ...(['onnx', 'tfjs'] as const).map((name) => ({
    ...shared,
    entry: { [name]: `src/${name}/index.ts` },
    format: ['esm', 'cjs'] as Options['format'],
    external: [/^node:/, 'wasmnet'],
    dts: true,
  })),
  {
    ...shared,
    // ESM only: Workers load ES modules. Its types are dist/index.d.ts (the same API).
    entry: { 'index.workerd': 'src/index.workerd.ts' },
    format: ['esm'],
    dts: false,
    esbuildPlugins: [importedCore('workerd')],
  },
  {
    ...shared,
    // ESM only: Next.js bundles Edge code from ES modules. Its types are dist/index.d.ts.
    entry: { 'index.edge-light': 'src/index.edge-light.ts' },
    format: ['esm'],
    dts: false,
    esbuildPlugins: [importedCore('edge-light')],
  },
]);
