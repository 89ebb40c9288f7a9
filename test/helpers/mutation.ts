// Set by vitest.mutation.config.ts, the test run of `npm run test:mutation`. There src/ is
// StrykerJS's instrumented copy (every expression counts its coverage and checks which mutant
// is active), so tests that measure the code itself in a child process (allocation counts)
// would measure the instrumentation, and a child process never sees the active mutant: those
// tests cannot kill a mutant and are left out of that run only (`npm test` runs them all).
export const inMutationRun = process.env.WASMNET_MUTATION_RUN === '1';
