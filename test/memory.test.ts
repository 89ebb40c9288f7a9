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
