import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { stripInternal: true } },
  platform: 'neutral',
  target: 'es2022',
  sourcemap: false,
  clean: false, // the build script empties dist/ first (parallel format builds race on clean)
  treeshake: true,
  external: [/^node:/],
  removeNodeProtocol: false,
});
