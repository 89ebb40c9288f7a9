import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

const shared = {
  platform: 'neutral',
  target: 'es2022',
  sourcemap: false,
  clean: false, // the build script empties dist/ first (parallel builds race on clean)
  treeshake: true,
  // Not minified: dist/ is what users step through and read in stack traces (`at resolveConfig
  // (…/dist/index.js:812:11)`, `ConfigError: …`), and their own bundler minifies it for their
  // app, which is the size they pay (check-package budgets exactly that: an app bundled with
  // esbuild --minify). No source maps: dist/ is the sources' code with types stripped, readable
  // as it is, and maps would double the files for no gain in a stack trace.
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

/** The `workerd` and `edge-light` builds of wasmnet/threads: src/threads/runtime.none.ts in place
 *  of ./runtime (no Worker there, so no threads core to carry). */
const noThreadsRuntime: EsbuildPlugin = {
  name: 'wasmnet-no-threads-runtime',
  setup(build) {
    build.onResolve({ filter: /^\.\/runtime$/ }, (args) =>
      args.importer.endsWith(join('threads', 'index.ts')) ? { path: join(args.resolveDir, 'runtime.none.ts') } : undefined,
    );
  },
};

export default defineConfig([
  {
    ...shared,
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { stripInternal: true } },
  },
  // The subpath entries (wasmnet/onnx, wasmnet/tfjs, wasmnet/threads, wasmnet/storage, wasmnet/keras) import the library by its
  // own package name, kept external: with the main entry they load one copy of wasmnet and one
  // core (ESM, CJS and workerd conditions alike), and an imported network is `instanceof
  // Network`. One config each, so that each is one file per format (the small shared part of
  // onnx and tfjs, src/interop/, is copied into both) with no shared declaration chunk. The
  // main entry never imports wasmnet/threads (src/threads/registry.ts says how they meet).
  ...(['onnx', 'tfjs', 'threads', 'storage', 'keras'] as const).map((name) => ({
    ...shared,
    entry: { [name]: `src/${name}/index.ts` },
    format: ['esm', 'cjs'] as Options['format'],
    // wasmnet/storage loads ONNX and tfjs models through those entries, by name as well
    external: [/^node:/, 'wasmnet', 'wasmnet/onnx', 'wasmnet/tfjs'],
    dts: true,
  })),
  {
    ...shared,
    // ESM only, like the entries it goes with. Its types are dist/threads.d.ts.
    entry: { 'threads.edge': 'src/threads/index.ts' },
    format: ['esm'],
    external: [/^node:/, 'wasmnet'],
    dts: false,
    esbuildPlugins: [noThreadsRuntime],
  },
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
