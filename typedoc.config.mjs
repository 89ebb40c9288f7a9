// `npm run docs`: the API reference, generated from the TSDoc comments into docs/api/ (not
// committed). Every public entry point whose source exists is documented (scripts/entry-points.mjs),
// so wasmnet/onnx and wasmnet/tfjs join the reference as soon as their index files exist.
// Warnings are errors, and an undocumented export is a warning: CI runs this.
import { existsSync } from 'node:fs';
import { entryPoints } from './scripts/entry-points.mjs';

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: 'wasmnet',
  entryPoints: Object.values(entryPoints).filter((file) => existsSync(file)),
  out: 'docs/api',
  tsconfig: 'tsconfig.json',
  readme: 'none',
  excludePrivate: true,
  excludeInternal: true,
  // Internal names that public types refer to: the name lists behind ActivationName & co. (whose
  // comments list the names), the filled-in forms of the optimizer and initialiser options, the
  // saved training state and the bytes half of WasmSource (described where they are used).
  intentionallyNotExported: ['ACTIVATIONS', 'INITIALIZERS', 'LOSSES', 'OPTIMIZERS', 'WasmBytes', 'ResolvedOptimizer', 'ResolvedInitializer', 'SavedTraining'],
  treatWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, notDocumented: true },
};
