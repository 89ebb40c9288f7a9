// The test run StrykerJS uses (stryker.config.mjs): the whole suite but the files that cannot
// kill a mutant in Stryker's in-process runner or would make every mutant slow:
//   - test/fuzz.test.ts: minutes per run, and it checks "a typed error or a working network",
//     which the unit tests below pin more precisely;
//   - test/examples.test.ts, test/bench.test.ts, test/links.test.ts: child processes (which
//     run the code without Stryker's active mutant) or no library code at all;
//   - test/memory.test.ts: its churn tests build 10,000 networks per run;
//   - test/docs.test.ts, test/printed.test.ts: every docs block, each training real networks:
//     they cover nearly every mutant, so would run for nearly every mutant (and they chdir,
//     which worker threads cannot).
// Stryker's vitest runner uses worker threads, which take no --expose-gc: no execArgv here.
// Every one of these still runs in `npm test`.
//
// MUTATION_TESTS (optional): a comma-separated list of test files or globs, e.g.
//   MUTATION_TESTS="test/references.test.ts,test/contracts.test.ts" npm run test:mutation -- --mutate src/activations.ts
// runs only those files (minus the exclusions above), so a one-module run does not load and
// dry-run the whole suite. A mutant the chosen files miss counts as survived or not covered,
// never as killed: a narrow choice can only lower the score (test/mutation/REPORT.md).
import { defineConfig } from 'vitest/config';
import base from './vitest.config';

const chosen = (process.env.MUTATION_TESTS ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '');

// spread, not mergeConfig (which would concatenate execArgv)
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    ...(chosen.length > 0 ? { include: chosen } : {}),
    execArgv: [],
    env: { WASMNET_MUTATION_RUN: '1' }, // test/helpers/mutation.ts
    exclude: [
      'test/fuzz.test.ts',
      'test/examples.test.ts',
      'test/bench.test.ts',
      'test/bench-*.test.ts',
      'test/links.test.ts',
      'test/memory.test.ts',
      'test/docs.test.ts',
      'test/printed.test.ts',
      'test/runtimes/**',
      'test/playground/**',
      '**/node_modules/**',
    ],
  },
});
