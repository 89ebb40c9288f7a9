// Threads: a network with `threads` > 1 computes exactly the bits of `threads: 1` (every call,
// every optimizer, dropout, penalties, clipping, metrics), really uses its workers, fails
// cleanly when a worker fails, falls back to one thread where threads cannot run, and frees
// what it used. Timing is measured in bench/, never here.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rows } from './helpers/data';
import { ConfigError, DivergenceError, Network, ThreadError, batchNorm, dense, dropout, init, layerNorm, normalization, type NetworkConfig, type OptimizerConfig } from '../src/index';
import { initThreads, threadsInfo } from 'wasmnet/threads';
import type { ThreadedKernels } from '../src/threads/runtime';

await init();
// 4 threads on any machine (the pool may have more workers than cores): the bits are compared
// for 1–4 threads.
const AVAILABLE = await initThreads({ threads: 4 });

// Shapes that divide into neither the 4×4 tiles nor the blocks, with products on both sides
// of the split threshold, split by rows and by columns (forward, dW and dX).
const INPUTS = 101;
const CLASSES = 7;

function oneHot(count: number, seed: number): Float64Array {
  const labels = rows(count, 1, seed);
  const y = new Float64Array(count * CLASSES);
  for (let i = 0; i < count; i++) y[i * CLASSES + Math.floor((labels[i]! + 0.5) * CLASSES)] = 1;
  return y;
}
const X = rows(301, INPUTS, 1);
const Y = oneHot(301, 2);

function config(optimizer: OptimizerConfig, extra: Partial<NetworkConfig> = {}): NetworkConfig {
  return {
    inputSize: INPUTS,
    layers: [
      dense(67, { activation: 'relu', kernelRegularizer: { l2: 1e-4 } }),
      dropout(0.2),
      dense(45, { activation: 'tanh', kernelRegularizer: { l1: 1e-5 } }),
      dense(CLASSES, { activation: 'softmax' }),
    ],
    loss: 'categoricalCrossentropy',
    optimizer,
    seed: 7,
    ...extra,
  };
}

const kernels = (net: Network): ThreadedKernels | null => (net as unknown as { engine: { threadedKernels: ThreadedKernels | null } }).engine.threadedKernels;

/** Every bit a user can observe after some training: weights, optimizer state, generators
 *  (toBytes), predictions, evaluation and gradients. */
function fingerprint(net: Network): string {
  const hex = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
  const g = net.computeGradients(X.subarray(0, 130 * INPUTS), Y.subarray(0, 130 * CLASSES));
  return [
    Buffer.from(net.toBytes()).toString('hex'),
    hex(net.predict(X)),
    JSON.stringify(net.evaluate(X, Y)),
    g.loss,
    g.gradients.map((l) => hex(l.weights) + hex(l.bias)).join(),
  ].join('|');
}

async function trained(threads: number, optimizer: OptimizerConfig, batchCallbacks: boolean): Promise<{ net: Network; history: string }> {
  const net = new Network(config(optimizer, { threads }));
  const history = await net.fit(X, Y, {
    epochs: 3,
    batchSize: 50,
    metrics: ['accuracy', 'mae'],
    validationSplit: 0.2,
    ...(batchCallbacks ? { onBatchEnd: () => undefined } : {}),
  });
  net.trainBatch(X.subarray(0, 130 * INPUTS), Y.subarray(0, 130 * CLASSES));
  return { net, history: JSON.stringify(history) };
}

const OPTIMIZERS: OptimizerConfig[] = [
  { type: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true, clipNorm: 0.5 },
  { type: 'adam', learningRate: 0.01 },
  { type: 'adamw', learningRate: 0.01, weightDecay: 0.01 },
  { type: 'rmsprop', learningRate: 0.01, momentum: 0.5 },
  { type: 'adagrad', learningRate: 0.05, clipNorm: 1 },
];

describe('threads: the same bits as one thread', () => {
  it.each(OPTIMIZERS.map((o, i) => [(o as { type: string }).type, o, i % 2 === 1] as const))(
    '%s: fit (metrics, validation, dropout, L1/L2), trainBatch, predict, evaluate, computeGradients for 1–4 threads',
    async (_name, optimizer, batchCallbacks) => {
      const one = await trained(1, optimizer, batchCallbacks);
      const expected = fingerprint(one.net);
      for (const threads of [2, 3, 4]) {
        const { net, history } = await trained(threads, optimizer, batchCallbacks);
        expect(net.threads).toBe(threads);
        expect(history).toBe(one.history);
        expect(fingerprint(net)).toBe(expected);
        const k = kernels(net)!;
        // the workers took part (a block of a later product, at least)
        for (let i = 0; i < 50 && k.workerBlocks() === 0; i++) net.predict(X);
        expect(k.workerBlocks()).toBeGreaterThan(0);
      }
    },
  );

  // 83-403-dropout-90-7: 70,849 parameters (an odd count), so the optimizer update is split
  // across the threads too (from 2¹⁵; assembly/threads/parallel.ts), in ranges that cut through
  // layers, weights and biases.
  const wide = (optimizer: OptimizerConfig, threads: number): Network =>
    new Network({
      inputSize: 83,
      layers: [
        dense(403, { activation: 'relu', kernelRegularizer: { l2: 1e-4 } }),
        dropout(0.1),
        dense(90, { activation: 'tanh', kernelRegularizer: { l1: 1e-5 } }),
        dense(CLASSES, { activation: 'softmax' }),
      ],
      loss: 'categoricalCrossentropy',
      optimizer,
      seed: 11,
      threads,
    });
  const wideX = rows(200, 83, 4);
  const wideY = oneHot(200, 5);

  it.each(OPTIMIZERS.map((o) => [(o as { type: string }).type, o] as const))(
    '%s: the optimizer update split across the threads: the bits of one thread',
    async (_name, optimizer) => {
      const one = wide(optimizer, 1);
      const history = JSON.stringify(await one.fit(wideX, wideY, { epochs: 2, batchSize: 50 }));
      one.trainBatch(wideX.subarray(0, 83), wideY.subarray(0, CLASSES));
      for (const threads of [2, 3, 4]) {
        const net = wide(optimizer, threads);
        expect(net.threads).toBe(threads);
        expect(JSON.stringify(await net.fit(wideX, wideY, { epochs: 2, batchSize: 50 }))).toBe(history);
        net.trainBatch(wideX.subarray(0, 83), wideY.subarray(0, CLASSES));
        expect(Buffer.from(net.toBytes()).equals(Buffer.from(one.toBytes()))).toBe(true);
        // one row: no product is split (83·403 weights < 2¹⁷), so blocks run by workers are the
        // update's (a worker asleep when a step starts finds its parts taken: a few steps)
        const k = kernels(net)!;
        const before = k.workerBlocks();
        for (let i = 0; i < 500 && k.workerBlocks() === before; i++) net.trainBatch(wideX.subarray(0, 83), wideY.subarray(0, CLASSES));
        expect(k.workerBlocks()).toBeGreaterThan(before);
      }
    },
  );

  it('a split update that would not be finite is refused as on one thread: DivergenceError, nothing written', async () => {
    // |gradients| > 1 (inputs × 100) times the largest finite rate overflow in the first update
    const x = wideX.map((v) => v * 100);
    const run = async (threads: number) => {
      const net = wide({ type: 'sgd', learningRate: Number.MAX_VALUE, momentum: 0.5 }, threads);
      const before = JSON.stringify(net.getWeights().map((l) => [Array.from(l.weights), Array.from(l.bias)]));
      const error = await net.fit(x, wideY, { epochs: 1, batchSize: 50 }).then(() => null, (e: unknown) => e);
      return { net, before, error };
    };
    const a = await run(1);
    const b = await run(2);
    expect(a.error).toBeInstanceOf(DivergenceError);
    expect(String(b.error)).toBe(String(a.error));
    expect(Buffer.from(b.net.toBytes()).equals(Buffer.from(a.net.toBytes()))).toBe(true);
    expect(String(a.error)).toContain('epoch 0 (0-based), batch 0'); // the first update was refused
    const weights = (n: Network) => JSON.stringify(n.getWeights().map((l) => [Array.from(l.weights), Array.from(l.bias)]));
    expect(weights(b.net)).toBe(b.before);
  });

  it('predict at 1–5, 32, 301 and 600 rows: the bits of one thread, products split by columns (W read in place, packed panels, panels packed per block) and by rows', async () => {
    // 300·530 multiply-adds per row: split from one row on; blocks of columns straddle the
    // packed copy's 512-column blocks for some thread counts
    const make = (threads: number) =>
      new Network({ inputSize: 300, layers: [dense(530, { activation: 'relu' }), dense(CLASSES, { activation: 'softmax' })], loss: 'categoricalCrossentropy', seed: 5, threads });
    const one = make(1);
    const x = rows(600, 300, 9);
    for (const threads of [2, 3, 4]) {
      const net = make(threads);
      const k = kernels(net)!;
      for (const count of [1, 2, 3, 4, 5, 32, 301, 600]) {
        const before = k.workerBlocks();
        let same = true;
        // a worker may still be asleep for the first calls (or busy: the machine is shared):
        // repeat until one took part, for up to 10 s
        const until = Date.now() + 10_000;
        for (let i = 0; i === 0 || (k.workerBlocks() === before && Date.now() < until); i++) {
          same &&= Buffer.from(net.predict(x.subarray(0, count * 300)).buffer).equals(Buffer.from(one.predict(x.subarray(0, count * 300)).buffer));
        }
        expect(same, `${threads} threads, ${count} rows`).toBe(true);
        expect(k.workerBlocks(), `${threads} threads, ${count} rows`).toBeGreaterThan(before);
      }
    }
  });

  it('a network is on the threads from its first call: a synchronous predict right after the constructor runs blocks on the workers', () => {
    const before = threadsInfo().workerBlocks;
    const net = new Network({ inputSize: 784, layers: [dense(512, { activation: 'relu' }), dense(10)], loss: 'mse', seed: 3, threads: 2 });
    const out = net.predict(new Float64Array(512 * 784).map((_, i) => Math.sin(i)));
    expect(out.length).toBe(512 * 10);
    expect(kernels(net)).not.toBeNull();
    // a 512×784 · 784×512 product is split into blocks that the main thread and the worker
    // claim; the worker sleeps until rung, so it may lose a few races, never all of them: one
    // predict call holds two regions of several blocks each, and more calls follow if needed
    for (let i = 0; i < 20 && threadsInfo().workerBlocks === before; i++) net.predict(new Float64Array(512 * 784).fill(i / 20));
    expect(threadsInfo().workerBlocks).toBeGreaterThan(before);
  });

  it('normalization, batch norm and layer norm layers: fit, predict, evaluate and gradients, the bits of one thread', async () => {
    const make = (threads: number) =>
      new Network({
        inputSize: INPUTS,
        layers: [
          normalization({ adapt: Array.from({ length: 50 }, (_, r) => Array.from(X.subarray(r * INPUTS, (r + 1) * INPUTS))) }),
          dense(300),
          batchNorm({ activation: 'relu' }),
          dense(200),
          layerNorm({ activation: 'tanh' }),
          dense(CLASSES, { activation: 'softmax' }),
        ],
        loss: 'categoricalCrossentropy',
        optimizer: 'adam',
        seed: 9,
        threads,
      });
    const one = make(1);
    const expected = JSON.stringify(await one.fit(X, Y, { epochs: 2, batchSize: 64, validationSplit: 0.2 }));
    for (const threads of [2, 4]) {
      const before = threadsInfo().workerBlocks;
      const net = make(threads);
      expect(net.threads).toBe(threads);
      expect(JSON.stringify(await net.fit(X, Y, { epochs: 2, batchSize: 64, validationSplit: 0.2 }))).toBe(expected);
      expect(fingerprint(net)).toBe(fingerprint(one));
      expect(threadsInfo().workerBlocks).toBeGreaterThan(before);
    }
  });

  it('saved and loaded with threads, training continues bit for bit', async () => {
    const a = (await trained(1, 'adam', false)).net;
    const b = Network.fromBytes(a.toBytes(), { threads: 2 });
    const c = Network.fromBytes(a.toBytes());
    expect(b.threads).toBe(2);
    await b.fit(X, Y, { epochs: 2, batchSize: 64 });
    await c.fit(X, Y, { epochs: 2, batchSize: 64 });
    expect(fingerprint(b)).toBe(fingerprint(c));
  });
});

describe('threads: faults behave as with one thread', () => {
  async function both<T>(run: (net: Network) => Promise<T>, optimizer: OptimizerConfig = 'adam'): Promise<[PromiseSettledResult<T>, PromiseSettledResult<T>, Network, Network]> {
    const one = new Network(config(optimizer));
    const many = new Network(config(optimizer, { threads: 2 }));
    const r1 = await Promise.allSettled([run(one)]);
    const r2 = await Promise.allSettled([run(many)]);
    return [r1[0]!, r2[0]!, one, many];
  }

  it('DivergenceError: same epoch, batch and weights left', async () => {
    const build = (threads: number) =>
      new Network({
        inputSize: INPUTS,
        layers: [dense(67, { activation: 'relu' }), dense(45, { activation: 'linear' }), dense(CLASSES)],
        loss: 'mse',
        optimizer: { type: 'sgd', learningRate: 0.3, momentum: 0.9 },
        seed: 3,
        threads,
      });
    const run = (net: Network) => net.fit(X.map((v) => v * 40), Y, { epochs: 5, batchSize: 50 }).then(() => null, (e: unknown) => e);
    const [one, many] = [build(1), build(2)];
    const [e1, e2] = [await run(one), await run(many)];
    expect(e1).toBeInstanceOf(DivergenceError);
    expect(e2).toBeInstanceOf(DivergenceError);
    const [d1, d2] = [e1 as DivergenceError, e2 as DivergenceError];
    expect([d2.epoch, d2.batch, d2.message]).toEqual([d1.epoch, d1.batch, d1.message]);
    expect(net2hex(many)).toBe(net2hex(one));
    expect(kernels(many)).not.toBeNull();
  });

  it('AbortSignal, a throwing callback and control.stop() stop at the same batch', async () => {
    for (const stopAt of ['abort', 'throw', 'stop'] as const) {
      const [a, b, one, many] = await both((net) => {
        const controller = new AbortController();
        return net.fit(X, Y, {
          epochs: 3,
          batchSize: 40,
          signal: controller.signal,
          onBatchEnd: (batch, _logs, control) => {
            if (batch !== 4) return;
            if (stopAt === 'abort') controller.abort(new Error('aborted here'));
            if (stopAt === 'throw') throw new Error('callback failed');
            if (stopAt === 'stop') control.stop();
          },
        });
      });
      expect(b.status).toBe(a.status);
      if (a.status === 'rejected') expect(String((b as PromiseRejectedResult).reason)).toBe(String(a.reason));
      else expect(JSON.stringify((b as PromiseFulfilledResult<unknown>).value)).toBe(JSON.stringify(a.value));
      expect(fingerprint(many)).toBe(fingerprint(one));
    }
  });

  /** Trains batch after batch on `many` until a call throws (or `limit` batches); `one`
   *  trains the batches `many` completed. */
  function trainUntilFailure(one: Network, many: Network, limit: number): unknown {
    for (let i = 0; i < limit; i++) {
      const from = (i * 60) % 240;
      const x = X.subarray(from * INPUTS, (from + 60) * INPUTS);
      const y = Y.subarray(from * CLASSES, (from + 60) * CLASSES);
      try {
        many.trainBatch(x, y);
      } catch (error) {
        return error;
      }
      one.trainBatch(x, y);
    }
    return undefined;
  }

  it('a worker that traps in a block: its block is run again, the next call rejects with a ThreadError, and the call after runs on new workers', async () => {
    const one = new Network(config('sgd'));
    const many = new Network(config('sgd', { threads: 2 }));
    many.predict(X);
    await kernels(many)!.settled();
    kernels(many)!.inject(1, 'trap');
    const error = trainUntilFailure(one, many, 400);
    expect(error).toBeInstanceOf(ThreadError);
    expect((error as Error).message).toMatch(/^wasmnet's thread pool stopped: .*worker thread.*last completed batch; its next call starts new worker threads$/);
    expect(fingerprint(many)).toBe(fingerprint(one)); // the weights of the last completed batch
    expect(trainUntilFailure(one, many, 5)).toBeUndefined(); // new workers
    expect(fingerprint(many)).toBe(fingerprint(one));
  });

  it('a worker that exits: the next call rejects with a ThreadError, nothing changed, then new workers', async () => {
    const one = new Network(config('rmsprop'));
    const many = new Network(config('rmsprop', { threads: 3 }));
    trainUntilFailure(one, many, 2);
    await kernels(many)!.settled();
    kernels(many)!.inject(2, 'exit');
    await new Promise((resolve) => setTimeout(resolve, 200)); // the exit event arrives
    const error = trainUntilFailure(one, many, 1);
    expect(error).toBeInstanceOf(ThreadError);
    expect((error as Error).message).toMatch(/worker thread 2 exited \(code 1\)/);
    expect(fingerprint(many)).toBe(fingerprint(one));
    await many.fit(X, Y, { epochs: 1, batchSize: 50 });
    await one.fit(X, Y, { epochs: 1, batchSize: 50 });
    expect(fingerprint(many)).toBe(fingerprint(one));
  });

  it('a fit whose worker fails rejects at the next batch, with the weights of the batch before', async () => {
    const one = new Network(config('adam'));
    const many = new Network(config('adam', { threads: 2 }));
    many.predict(X);
    await kernels(many)!.settled();
    let batches = 0;
    let failed: unknown = null;
    // the trap fires in the worker's next block: on a very busy machine the worker may claim
    // none for a while, so train on (up to 5 × 20 epochs, the same as one long fit) until it does
    for (let round = 0; round < 5 && failed === null; round++) {
      failed = await many
        .fit(X, Y, {
          epochs: 20,
          batchSize: 50,
          onBatchEnd: () => {
            batches++;
            if (batches === 2) kernels(many)!.inject(1, 'trap');
          },
        })
        .then(
          () => null,
          (e: unknown) => e,
        );
    }
    expect(failed).toBeInstanceOf(ThreadError);
    // one thread, the same completed batches
    let seen = 0;
    await one.fit(X, Y, { epochs: 100, batchSize: 50, onBatchEnd: (_b, _l, control) => (++seen === batches ? control.stop() : undefined) });
    expect(net2hex(many)).toBe(net2hex(one));
  });
});

const net2hex = (net: Network) => Buffer.from(net.toBytes()).toString('hex');

describe('threads: option, fallback and lifecycle', () => {
  it('threads must be a positive integer or "auto"; a network gets at most what initThreads started', () => {
    for (const bad of [0, -1, 1.5, '2', 'all', null, Number.NaN]) {
      expect(() => new Network(config('sgd', { threads: bad as never }))).toThrow(ConfigError);
    }
    expect(() => new Network(config('sgd', { threads: 0 }))).toThrow("threads must be a positive integer or 'auto', got 0");
    expect(AVAILABLE).toBe(4);
    expect(threadsInfo().threads).toBe(4);
    expect(new Network(config('sgd', { threads: 'auto' })).threads).toBe(4);
    expect(new Network(config('sgd', { threads: 9 })).threads).toBe(4);
    expect(new Network(config('sgd')).threads).toBe(1);
    expect(new Network(config('sgd', { threads: 4, backend: 'js' })).threads).toBe(1);
  });

  it('initThreads options: threads must be an integer from 1 to 64', () => {
    for (const bad of [0, 65, 1.5, '2', Number.NaN]) {
      expect(() => initThreads({ threads: bad as never })).toThrow(ConfigError);
    }
    expect(() => initThreads({ threads: 0 })).toThrow('initThreads: threads must be an integer from 1 to 64, got 0');
    expect(() => initThreads(null as never)).toThrow(ConfigError);
  });

  const child = (code: string, args: string[] = []) =>
    spawnSync(process.execPath, [...args, '--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      timeout: 90_000,
    });

  it('threads > 1 before initThreads() resolved is a ConfigError that names it (never a silent one-thread run)', () => {
    const r = child(`
      import { Network, dense } from './src/index.ts';
      import { initThreads } from './src/threads/index.ts';
      const make = (threads, backend) => new Network({ inputSize: 4, layers: [dense(2)], loss: 'mse', threads, backend });
      const message = (f) => { try { f(); return 'no error'; } catch (e) { return e.name + ': ' + e.message; } };
      const out = { two: message(() => make(2)), auto: message(() => make('auto')), one: make(1).threads, js: make(2, 'js').threads };
      const starting = initThreads({ threads: 2 });
      out.starting = message(() => make(2));
      out.resolved = await starting;
      out.after = make(2).threads;
      console.log(JSON.stringify(out));
    `);
    expect(r.stderr).toBe('');
    const call = "call `await initThreads()` (import { initThreads } from 'wasmnet/threads') once before creating the network";
    expect(JSON.parse(r.stdout)).toEqual({
      two: `ConfigError: threads: 2 needs the thread pool: ${call}`,
      auto: `ConfigError: threads: "auto" needs the thread pool: ${call}`,
      one: 1,
      js: 1,
      starting: 'ConfigError: threads: 2: initThreads() has not finished yet; await it before creating the network',
      resolved: 2,
      after: 2,
    });
  });

  it('where threads cannot run (a page that is not cross-origin isolated) initThreads resolves to 1 and networks run on one thread', () => {
    const r = child(`
      globalThis.crossOriginIsolated = false;
      const { Network, dense } = await import('./src/index.ts');
      const { initThreads, threadsInfo } = await import('./src/threads/index.ts');
      const available = await initThreads({ threads: 4 });
      const net = new Network({ inputSize: 200, layers: [dense(300, { activation: 'relu' }), dense(2)], loss: 'mse', seed: 1, threads: 4 });
      console.log(JSON.stringify({ available, threads: net.threads, info: threadsInfo() }));
    `);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ available: 1, threads: 1, info: { threads: 1, workerBlocks: 0 } });
  });

  it('a script that trains with threads exits by itself', () => {
    const r = child(`
      import { Network, dense } from './src/index.ts';
      import { initThreads, threadsInfo } from './src/threads/index.ts';
      await initThreads({ threads: 3 });
      const net = new Network({ inputSize: 200, layers: [dense(300, { activation: 'relu' }), dense(2)], loss: 'mse', seed: 1, threads: 3 });
      const x = new Float64Array(200 * 200).map((_, i) => Math.sin(i));
      await net.fit(x, new Float64Array(400), { epochs: 5, batchSize: 100 });
      console.log('trained on', net.threads, 'threads; workers ran blocks:', threadsInfo().workerBlocks > 0);
    `);
    expect(r.error).toBeUndefined(); // not killed by the timeout
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('trained on 3 threads; workers ran blocks: true');
    expect(r.status).toBe(0);
  });

  it('a script exits by itself when initThreads ran long before its first threaded network, or no network ever used the pool', () => {
    for (const train of [true, false]) {
      const r = child(`
        import { Network, dense } from './src/index.ts';
        import { initThreads } from './src/threads/index.ts';
        await initThreads({ threads: 2 });
        await new Promise((resolve) => setTimeout(resolve, 300));
        if (${train}) {
          const net = new Network({ inputSize: 200, layers: [dense(300, { activation: 'relu' }), dense(2)], loss: 'mse', seed: 1, threads: 2 });
          await net.fit(new Float64Array(200 * 200).map((_, i) => Math.sin(i)), new Float64Array(400), { epochs: 2, batchSize: 100 });
        }
        console.log('done');
      `);
      expect(r.error).toBeUndefined(); // not killed by the timeout
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('done');
      expect(r.status).toBe(0);
    }
  });

  it.each([
    ['refused after it is created (a page whose CSP lacks worker-src blob:)', 'setTimeout(() => this.onerror?.({ message: undefined, preventDefault() {} }), 0);'],
    ['that cannot be created (the constructor throws)', "throw new Error('workers are not allowed here');"],
  ])('where a worker is %s, initThreads resolves to 1 and networks train on one thread, with the same bits', (_, refuse) => {
    // a Web Worker (the path browsers and Bun take) that never starts
    const r = child(`
      globalThis.Worker = class { constructor() { ${refuse} } postMessage() {} terminate() {} };
      const { Network, dense } = await import('./src/index.ts');
      const { initThreads } = await import('./src/threads/index.ts');
      const available = await initThreads({ threads: 2 });
      const make = (threads) => new Network({ inputSize: 200, layers: [dense(300, { activation: 'relu' }), dense(2)], loss: 'mse', seed: 1, threads });
      const x = new Float64Array(200 * 200).map((_, i) => Math.sin(i));
      const [one, many] = [make(1), make(2)];
      for (const net of [one, many]) await net.fit(x, new Float64Array(400), { epochs: 3, batchSize: 100 });
      const bytes = (net) => Buffer.from(net.toBytes()).toString('hex');
      console.log(JSON.stringify({ available, threads: many.threads, same: bytes(one) === bytes(many) }));
    `);
    expect(r.error).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ available: 1, threads: 1, same: true });
    expect(r.status).toBe(0);
  });

  it('creating, training and dropping 1,000 threaded networks keeps memory flat', () => {
    const r = child(
      `
      import { Network, dense } from './src/index.ts';
      import { initThreads } from './src/threads/index.ts';
      await initThreads({ threads: 2 });
      const x = new Float64Array(64 * 100).map((_, i) => Math.cos(i));
      async function churn(n) {
        for (let i = 0; i < n; i++) {
          const net = new Network({ inputSize: 100, layers: [dense(400, { activation: 'relu' }), dense(1)], loss: 'mse', seed: i, threads: 2 });
          net.trainBatch(x, new Float64Array(64));
          if (i % 20 === 19) { globalThis.gc(); await new Promise((r) => setTimeout(r, 5)); }
        }
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 100));
      }
      await churn(100);
      const before = process.memoryUsage().rss;
      await churn(1000);
      console.log(JSON.stringify({ growth: process.memoryUsage().rss - before }));
    `,
      ['--expose-gc'],
    );
    expect(r.stderr).toBe('');
    const { growth } = JSON.parse(r.stdout) as { growth: number };
    // each network's arena is ≈ 0.7 MiB (its shared memory ≥ 1 MiB): 1,000 kept would be ≥ 1 GiB
    expect(growth).toBeLessThan(150 * 1024 * 1024);
  });
});
