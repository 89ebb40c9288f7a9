import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { entryPoints } from './scripts/entry-points.mjs';

export default defineConfig({
  resolve: {
    // `import … from 'wasmnet'` (and 'wasmnet/onnx', …) in the docs' code blocks resolves to the
    // sources (test/docs.test.ts runs those blocks); so do the interop sources' own imports of
    // 'wasmnet' (one copy of the library in tests too)
    alias: Object.entries(entryPoints).map(([name, file]) => ({
      find: new RegExp(`^${name.replace('/', '\\/')}$`),
      replacement: fileURLToPath(new URL(file, import.meta.url)),
    })),
  },
  test: {
    include: ['test/**/*.test.ts'],
    // globalThis.gc for the tests that assert a dropped network is collected (test/memory.test.ts)
    execArgv: ['--expose-gc'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
