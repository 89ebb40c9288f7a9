// The `threads` option before and while `initThreads()` runs, in this process (vitest runs each
// test file in its own worker, so no pool exists until this file starts one). The README's
// threads section: `threads: n > 1` without `await initThreads()` is a ConfigError naming the
// call, never a silent one-thread network. test/threads.test.ts checks the same in a child
// process, where a mutation run's active mutant is not seen; this file lets
// `npm run test:mutation` see src/threads/request.ts's refusals (test/mutation/REPORT.md).
// The tests run in order: no pool, then a pool starting, then a pool started.
import { describe, expect, it } from 'vitest';
import { ConfigError, Network, dense, init, type NetworkConfig } from 'wasmnet';
import { initThreads } from 'wasmnet/threads';

await init();

const config = (threads: unknown, backend: 'wasm' | 'js' = 'wasm'): NetworkConfig => ({
  inputSize: 4,
  layers: [dense(2)],
  loss: 'mse',
  seed: 1,
  threads: threads as never,
  backend,
});

function refusal(threads: unknown): Error {
  let error: unknown;
  try {
    new Network(config(threads));
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  return error as Error;
}

describe('threads before initThreads()', () => {
  it('threads 1 or unset needs no pool; the js backend ignores threads', () => {
    expect(new Network(config(1)).threads).toBe(1);
    expect(new Network(config(undefined)).threads).toBe(1);
    expect(new Network(config(4, 'js')).threads).toBe(1);
  });

  it('threads 2 or "auto" with no pool is a ConfigError that names initThreads', () => {
    expect(refusal(2).message).toBe(
      "threads: 2 needs the thread pool: call `await initThreads()` (import { initThreads } from 'wasmnet/threads') once before creating the network",
    );
    expect(refusal('auto').message).toBe(
      'threads: "auto" needs the thread pool: call `await initThreads()` (import { initThreads } from \'wasmnet/threads\') once before creating the network',
    );
  });

  it('while initThreads() is starting the pool, threads 2 is a ConfigError saying to await it; after, it runs', async () => {
    const starting = initThreads({ threads: 2 });
    expect(refusal(2).message).toBe('threads: 2: initThreads() has not finished yet; await it before creating the network');
    const available = await starting;
    expect(available).toBeGreaterThanOrEqual(1);
    // the pool's size caps what a network gets (1 where workers cannot run)
    expect(new Network(config(2)).threads).toBe(Math.min(2, available));
    expect(new Network(config(1)).threads).toBe(1);
  });
});
