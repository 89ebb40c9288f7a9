// initThreads(), as documented on it: its refusals, the count it resolves to (clamped, one where
// threads cannot run: no SharedArrayBuffer, no Atomics, a page that is not cross-origin
// isolated, no Worker), the same promise for a call that asks no more, and a pool that grows
// when more is asked. Each case loads a fresh copy of wasmnet/threads (vi.resetModules), the
// globals faked the way a runtime without them looks. The mutation run of src/threads/index.ts
// found these unasserted (test/mutation/REPORT.md).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { availableParallelism } from 'node:os';
import { ConfigError } from 'wasmnet';

async function fresh(): Promise<typeof import('wasmnet/threads')> {
  vi.resetModules();
  return import('wasmnet/threads');
}

afterEach(() => vi.unstubAllGlobals());

describe('initThreads', () => {
  it('refuses options that are not an object and thread counts that are not integers from 1 to 64', async () => {
    const { initThreads } = await fresh();
    expect(() => initThreads(null as never)).toThrow(new ConfigError('initThreads options must be an object, got null'));
    expect(() => initThreads(5 as never)).toThrow(new ConfigError('initThreads options must be an object, got 5'));
    for (const bad of [0, -1, 65, 1.5, NaN, '2']) {
      expect(() => initThreads({ threads: bad as never }), String(bad)).toThrow(new ConfigError(`initThreads: threads must be an integer from 1 to 64, got ${String(bad)}`));
    }
  });

  it('a call that asks no more returns the same promise; asking more grows the pool', async () => {
    const { initThreads, threadsInfo } = await fresh();
    const one = initThreads({ threads: 1 });
    expect(initThreads({ threads: 1 })).toBe(one);
    expect(await one).toBe(1);
    expect(threadsInfo().threads).toBe(1);
    const two = initThreads({ threads: 2 });
    expect(two).not.toBe(one);
    expect(initThreads({ threads: 2 })).toBe(two);
    expect(initThreads({ threads: 1 })).toBe(two); // fewer: the pool stays
    expect(await two).toBe(2);
    expect(threadsInfo().threads).toBe(2);
  });

  it('resolves to 1 where threads cannot run', async () => {
    const cases: [string, () => void][] = [
      ['no SharedArrayBuffer', () => vi.stubGlobal('SharedArrayBuffer', undefined)],
      ['no Atomics', () => vi.stubGlobal('Atomics', undefined)],
      ['a page that is not cross-origin isolated', () => vi.stubGlobal('crossOriginIsolated', false)],
      ['no Worker and no process.getBuiltinModule', () => {
        vi.stubGlobal('Worker', undefined);
        vi.stubGlobal('process', { ...process, getBuiltinModule: undefined });
      }],
    ];
    for (const [name, stub] of cases) {
      const { initThreads } = await fresh();
      stub();
      const threads = initThreads({ threads: 2 });
      vi.unstubAllGlobals();
      expect(await threads, name).toBe(1);
    }
    // and with them all there, as in Node: 2
    const { initThreads } = await fresh();
    vi.stubGlobal('crossOriginIsolated', true);
    expect(await initThreads({ threads: 2 })).toBe(2);
  });

  it('without a count, the machine’s available parallelism (capped at 64)', async () => {
    const { initThreads } = await fresh();
    expect(await initThreads()).toBe(Math.min(64, availableParallelism()));
  });
});
