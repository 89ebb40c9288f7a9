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
  treatWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, notDocumented: true },
};
