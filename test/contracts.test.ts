// The documented contract of each option, at its edges: what is accepted, what is refused and
// the message that names it. Written from the docs and TSDoc, module by module, where mutation
// testing (npm run test:mutation, test/mutation/REPORT.md) showed the suite did not pin them.
import { describe, expect, it } from 'vitest';
import { ConfigError, Network, dense, init, type NetworkConfig } from 'wasmnet';

await init();

const base = (over: Record<string, unknown>): NetworkConfig => ({ inputSize: 2, layers: [dense(2)], loss: 'mse', seed: 1, ...over }) as NetworkConfig;
const refused = (over: Record<string, unknown>) => () => new Network(base(over));

describe('loss', () => {
  it.each([
    ['null', null, /^loss must be one of "mse", "mae", "huber", "categoricalCrossentropy", "sparseCategoricalCrossentropy", "binaryCrossentropy", got null$/],
    ['an object of another type', { type: 'mse' }, /^loss as an object must be \{ type: 'huber', delta \}, got type "mse"$/],
    ['an object without type', { delta: 1 }, /^loss as an object must be \{ type: 'huber', delta \}, got type undefined$/],
    ['huber with an unknown key', { type: 'huber', delta: 1, beta: 2 }, /^loss: unknown option "beta"; expected one of "type", "delta"$/],
    ['huber with delta 0', { type: 'huber', delta: 0 }, /^loss\.delta must be a finite number > 0, got 0$/],
    ['huber with delta −1', { type: 'huber', delta: -1 }, /^loss\.delta must be a finite number > 0, got -1$/],
    ['huber with delta "1"', { type: 'huber', delta: '1' }, /^loss\.delta must be a finite number > 0, got "1"$/],
    ['huber with delta Infinity', { type: 'huber', delta: Infinity }, /^loss\.delta must be a finite number > 0, got Infinity$/],
  ])('%s: a ConfigError naming it', (_, loss, message) => {
    expect(refused({ loss })).toThrow(ConfigError);
    expect(refused({ loss })).toThrow(message);
  });

  it('huber: any delta > 0 is accepted and read back (lossDelta)', () => {
    expect(new Network(base({ loss: { type: 'huber', delta: 1e-9 } })).lossDelta).toBe(1e-9);
    expect(new Network(base({ loss: { type: 'huber' } })).lossDelta).toBe(1);
    expect(new Network(base({ loss: 'huber' })).lossDelta).toBe(1);
    expect(new Network(base({ loss: 'mse' })).lossDelta).toBeUndefined();
  });
});
