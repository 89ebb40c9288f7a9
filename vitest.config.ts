import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // The subpath entries import the library as 'wasmnet' (one copy when bundled); in tests
    // every name resolves to the sources.
    alias: [
      { find: /^wasmnet$/, replacement: src('index.ts') },
      { find: /^wasmnet\/onnx$/, replacement: src('onnx/index.ts') },
      { find: /^wasmnet\/tfjs$/, replacement: src('tfjs/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
