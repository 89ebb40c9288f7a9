// Networks need no dispose(): each wasm network owns a WebAssembly instance whose memory the
// garbage collector reclaims when the network is dropped.
import { describe, expect, it } from 'vitest';
import { Network, dense, init } from '../src/index';

await init();

const x = new Float64Array([0, 0, 0, 1, 1, 0, 1, 1]);
const y = new Float64Array([0, 1, 1, 0]);

function churn(count: number, backend: 'wasm' | 'js', hidden: number): void {
  for (let i = 0; i < count; i++) {
    const net = new Network({
      inputSize: 2,
      layers: [dense(hidden, { activation: 'tanh' }), dense(1, { activation: 'sigmoid' })],
      loss: 'mse',
      seed: i,
      backend,
    });
    net.trainBatch(x, y);
    net.predict(x);
  }
}

const MB = 1024 * 1024;

/** globalThis.gc: vitest runs the tests with --expose-gc (vitest.config.ts). */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') throw new Error('run with --expose-gc (vitest.config.ts passes it)');
  gc();
}

/** Whether every target of `refs` is collected once nothing refers to it: gc, then a new
 *  task (a WeakRef keeps its target alive until the task that created it ends), a few times. */
async function collected(refs: WeakRef<object>[]): Promise<boolean> {
  for (let i = 0; i < 10 && refs.some((r) => r.deref() !== undefined); i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
  }
  return refs.every((r) => r.deref() === undefined);
}

describe('memory lifecycle', () => {
  it.each(['wasm', 'js'] as const)('creating, training and dropping 10,000 networks does not grow memory without bound (%s)', (backend) => {
    churn(1000, backend, 3); // warm-up: let the heap and the engine's caches settle
    const before = process.memoryUsage().rss;
    churn(10_000, backend, 3);
    const growth = process.memoryUsage().rss - before;
    // A leak of the smallest wasm memory (one 64 KiB page) per network would be ≥ 625 MiB.
    expect(growth).toBeLessThan(150 * MB);
  });

  it('large networks are reclaimed too (each arena ≈ 0.8 MiB; 1,000 of them would be 800 MiB)', () => {
    churn(50, 'wasm', 8192);
    const before = process.memoryUsage().rss;
    churn(1000, 'wasm', 8192);
    expect(process.memoryUsage().rss - before).toBeLessThan(300 * MB);
  });
});

describe('a dropped network is collected (WeakRef + gc)', () => {
  const config = (backend: 'wasm' | 'js') =>
    ({ inputSize: 2, layers: [dense(4, { activation: 'tanh' }), dense(1, { activation: 'sigmoid' })], loss: 'mse', seed: 1, backend }) as const;
  const rows = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const targets = [[0], [1], [1], [0]];

  /** Builds networks in a function of its own, so no local of the test keeps them alive. */
  async function weakly(make: () => Promise<object[]>): Promise<WeakRef<object>[]> {
    return (await make()).map((o) => new WeakRef(o));
  }

  it.each(['wasm', 'js'] as const)('every way of making and using a network (%s)', async (backend) => {
    // the WebAssembly instances (and so their memories) too, seen through the WebAssembly global
    const instances: WeakRef<object>[] = [];
    const RealInstance = WebAssembly.Instance;
    WebAssembly.Instance = new Proxy(RealInstance, {
      construct(target, args, newTarget) {
        const instance = Reflect.construct(target, args, newTarget) as WebAssembly.Instance;
        instances.push(new WeakRef(instance), new WeakRef(instance.exports.memory as WebAssembly.Memory));
        return instance;
      },
    });
    const refs = await weakly(async () => {
      const made = new Network(config(backend));
      made.trainBatch(x, y);
      made.predict(rows);
      made.evaluate(rows, targets);
      made.computeGradients(rows, targets);
      made.getWeights();
      const fitted = new Network(config(backend));
      await fitted.fit(rows, targets, { epochs: 3, validationData: [rows, targets], onBatchEnd: () => undefined });
      const fromJSON = Network.fromJSON(JSON.stringify(made));
      fromJSON.predict(rows);
      const fromBytes = Network.fromBytes(made.toBytes(), { backend });
      fromBytes.trainBatch(x, y);
      // a fit that was stopped, and one that rejected
      const stopped = new Network(config(backend));
      await stopped.fit(rows, targets, { epochs: 5, onEpochEnd: () => false });
      const rejected = new Network(config(backend));
      await rejected.fit(rows, targets, { onTrainBegin: () => { throw new Error('no'); } }).catch(() => undefined);
      return [made, fitted, fromJSON, fromBytes, stopped, rejected];
    }).finally(() => {
      WebAssembly.Instance = RealInstance;
    });
    expect(refs).toHaveLength(6);
    expect(instances).toHaveLength(backend === 'wasm' ? 12 : 0);
    expect(await collected([...refs, ...instances])).toBe(true);
  });

  it('the check can fail: a network something still refers to is not collected', async () => {
    const kept: Network[] = [];
    const refs = await weakly(async () => {
      const net = new Network(config('js'));
      kept.push(net);
      return [net];
    });
    expect(await collected(refs)).toBe(false);
    expect(kept).toHaveLength(1);
  });
});
