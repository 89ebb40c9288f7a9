// The package's public entry points and the source file each one is built from. The docs test
// (test/docs.test.ts) resolves `import ... from 'wasmnet/…'` in Markdown code blocks with this
// map, and TypeDoc (typedoc.config.mjs) documents the ones whose source file exists.
export const entryPoints = {
  wasmnet: 'src/index.ts',
  'wasmnet/onnx': 'src/onnx/index.ts',
  'wasmnet/tfjs': 'src/tfjs/index.ts',
  'wasmnet/threads': 'src/threads/index.ts',
  'wasmnet/storage': 'src/storage/index.ts',
  'wasmnet/keras': 'src/keras/index.ts',
};
