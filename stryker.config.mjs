// StrykerJS: mutation testing of src/ (npm run test:mutation; the report is in docs/mutation.md).
// Run one module with `npm run test:mutation -- --mutate src/losses.ts`. Incremental: a rerun
// reuses the results of mutants whose code and covering tests did not change
// (reports/stryker-incremental.json, kept out of git: see docs/mutation.md).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  // A static mutant (a module-level constant: a default table, a name list) is active from the
  // module's load, so Stryker reruns the whole test set for it (≈ 80 s here, each); those are
  // left out and their behaviour is pinned by test/references.test.ts instead (see
  // test/mutation/REPORT.md). MUTATION_STATIC=1 runs them too: affordable with a narrow
  // MUTATION_TESTS (vitest.mutation.config.ts), where "the whole test set" is a few files.
  ignoreStatic: process.env.MUTATION_STATIC !== '1',
  mutate: [
    'src/**/*.ts',
    // generated: the wasm core's bytes as hex
    '!src/core/wasm-inline.generated.ts',
    '!src/threads/core-inline.generated.ts',
    // declarations and the entry points' re-exports: nothing to mutate
    '!src/**/*.d.ts',
    '!src/index.ts',
    '!src/index.workerd.ts',
    '!src/index.edge-light.ts',
  ],
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  // a 2-core machine shared with others
  concurrency: 1,
  timeoutMS: 20_000,
  timeoutFactor: 2,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
