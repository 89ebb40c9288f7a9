import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

const shared = {
  platform: 'neutral',
  target: 'es2022',
  sourcemap: false,
  clean: false, // the build script empties dist/ first (parallel builds race on clean)
  treeshake: true,
  // Whitespace and comments only: names stay readable in stack traces, and arithmetic is not
  // rewritten (minifySyntax may fold expressions). Saves ≈ 3 KB gzipped (see check-package.mjs).
  minifyWhitespace: true,
  external: [/^node:/],
  removeNodeProtocol: false,
} satisfies Options;

/** The workerd build: src/core/default-core.ts (the inlined base64 core) is swapped for
 *  default-core.workerd.ts, whose `import core from './core.wasm'` stays an import of the
 *  dist/core.wasm that sits beside the built entry. */
const workerdCore: EsbuildPlugin = {
  name: 'wasmnet-workerd-core',
  setup(build) {
    build.onResolve({ filter: /^\.\/default-core$/ }, (args) => ({
      path: join(args.resolveDir, 'default-core.workerd.ts'),
    }));
    build.onResolve({ filter: /^\.\/core\.wasm$/ }, () => ({ path: './core.wasm', external: true }));
  },
};

/** The threads chunk (src/threads/index.ts: the threads core and the pool) is its own file,
 *  dist/threads.js / threads.cjs, which the main entry imports dynamically on first use, so that
 *  programs without threads never load it (and the main entry stays within its budget). */
const threadsChunk: EsbuildPlugin = {
  name: 'wasmnet-threads-chunk',
  setup(build) {
    const file = build.initialOptions.format === 'cjs' ? './threads.cjs' : './threads.js';
    build.onResolve({ filter: /^\.\/index$/ }, (args) =>
      args.importer.endsWith(join('threads', 'request.ts')) ? { path: file, external: true } : undefined,
    );
  },
};

/** The workerd entry has no threads chunk (Workers have no Worker). */
const noThreads: EsbuildPlugin = {
  name: 'wasmnet-no-threads',
  setup(build) {
    build.onResolve({ filter: /^\.\/index$/ }, (args) =>
      args.importer.endsWith(join('threads', 'request.ts')) ? { path: join(args.resolveDir, 'none.ts') } : undefined,
    );
  },
};

export default defineConfig([
  {
    ...shared,
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { stripInternal: true } },
    esbuildPlugins: [threadsChunk],
  },
  {
    ...shared,
    entry: { threads: 'src/threads/index.ts' },
    format: ['esm', 'cjs'],
    dts: false,
  },
  {
    ...shared,
    // ESM only: Workers load ES modules. Its types are dist/index.d.ts (the same API).
    entry: { 'index.workerd': 'src/index.workerd.ts' },
    format: ['esm'],
    dts: false,
    esbuildPlugins: [workerdCore, noThreads],
  },
]);
