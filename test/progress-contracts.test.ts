// progressBar's documented behaviour, through public imports and the clock a user has
// (performance.now / Date.now, faked with spies): the refusals, the bar's exact width on every
// terminal size, when it redraws, the ETA and totals of plain lines, stops and failures, the
// running mse, fitDataset's unknown batch count, and the default streams of Deno, Node and
// browsers. The mutation run of src/training/progress.ts found these unasserted
// (test/mutation/REPORT.md).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, Network, dense, init, progressBar, type Callback } from 'wasmnet';

await init();

// 24 rows in batches of 8: 3 batches per epoch
const X = Array.from({ length: 24 }, (_, i) => [Math.sin(i), Math.cos(3 * i)]);
const Y = X.map(([a, b]) => [a! * b!, a! - b!]);
const net = () => new Network({ inputSize: 2, layers: [dense(4, { activation: 'tanh' }), dense(2)], loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.05 }, seed: 3 });

/** The clock progressBar reads by default (performance.now), moved by hand. */
function fakeClock(start = 5_000) {
  let time = start;
  vi.spyOn(performance, 'now').mockImplementation(() => time);
  return {
    /** a callback (placed before the bar) that moves the clock on at each batch and epoch end */
    ticks: (perBatch: number, perEpoch = 0): Callback => ({ onBatchEnd: () => void (time += perBatch), onEpochEnd: () => void (time += perEpoch) }),
  };
}
function recorder(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns, write: (text: string) => void writes.push(text) } };
}
const visible = (text: string) => text.replace(/^\r/, '').replace(/\x1b\[K$/, '');
const draws = (writes: string[]) => writes.filter((w) => w.startsWith('\r')).map(visible);

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('progressBar options', () => {
  it('refuses what it cannot use, naming it', () => {
    const cases: [unknown, string][] = [
      [5, 'progressBar options must be an object, got 5'],
      [null, 'progressBar options must be an object, got null'],
      [{ colour: 'red' }, 'progressBar options: unknown option "colour"; expected one of "stream", "interval", "now"'],
      [{ stream: 5 }, 'progressBar options.stream must have a write(text) method, got 5'],
      [{ stream: {} }, 'progressBar options.stream must have a write(text) method, got an object'],
      [{ interval: -1 }, 'progressBar options.interval must be a number of milliseconds ≥ 0, got -1'],
      [{ interval: NaN }, 'progressBar options.interval must be a number of milliseconds ≥ 0, got NaN'],
      [{ interval: '5' }, 'progressBar options.interval must be a number of milliseconds ≥ 0, got "5"'],
    ];
    for (const [options, message] of cases) expect(() => progressBar(options as never)).toThrow(new ConfigError(message));
  });
});

describe('progressBar on a terminal', () => {
  it('fits the terminal: the bar takes what the text leaves (10 to 30 cells), and a line is cut only when even 10 cells do not fit', async () => {
    let middle = 0;
    for (let columns = 12; columns <= 110; columns += 7) {
      fakeClock();
      const { writes, stream } = recorder(true, columns);
      await net().fit(X, Y, { epochs: 2, batchSize: 8, metrics: ['mae'], callbacks: [progressBar({ stream, interval: 0 })] });
      const lines = draws(writes);
      expect(lines.length).toBeGreaterThan(3);
      for (const line of lines) {
        const [, head, bar, tail] = line.match(/^(epoch \d\/2 )\[([█░]*)\](.*)$/) ?? line.match(/^(epoch \d\/2 )\[([█░]*)()/) ?? [];
        expect(bar, `${columns} columns: ${line}`).toBeDefined();
        if (/  mae \d\.\d{4}$/.test(line)) {
          // whole: the bar fills the width the text leaves (2 for its brackets, 1 column spare)
          expect(bar!.length, `${columns} columns: ${line}`).toBe(Math.max(10, Math.min(30, columns - 3 - head!.length - tail!.length)));
          expect(line.length).toBeLessThanOrEqual(columns - 1);
          if (bar!.length > 10 && bar!.length < 30) middle++;
        } else {
          // cut: only at the narrowest bar (itself cut on the narrowest terminals), to exactly the width
          expect(bar!.length, `${columns} columns: ${line}`).toBeLessThanOrEqual(10);
          if (columns > 30) expect(bar!.length).toBe(10);
          expect(line.length).toBe(columns - 1);
        }
      }
      vi.restoreAllMocks();
    }
    expect(middle).toBeGreaterThan(10); // the widths between the two limits were seen
    // wide: the bar stops at 30 cells, the line is shorter than the terminal
    fakeClock();
    const { writes, stream } = recorder(true, 200);
    await net().fit(X, Y, { epochs: 2, batchSize: 8, callbacks: [progressBar({ stream, interval: 0 })] });
    expect(draws(writes).at(-1)).toMatch(/^epoch 2\/2 \[█{30}\] 100%  0\.0s total  loss \d\.\d{4}$/);
  });

  it('a terminal that reports 0 columns is taken as 80 wide', async () => {
    fakeClock();
    const { writes, stream } = recorder(true, 0);
    await net().fit(X, Y, { epochs: 2, batchSize: 8, metrics: ['mae', 'mse'], callbacks: [progressBar({ stream, interval: 0 })] });
    for (const line of draws(writes)) expect(line.length).toBe(79);
  });

  it('redraws at an epoch end once the interval has passed (with the ETA), always at the last epoch, then the total', async () => {
    const clock = fakeClock();
    const { writes, stream } = recorder(true, 120);
    // batches take no time; each epoch end takes 100 ms: with interval 100, the first batch
    // draws, then every epoch end exactly 100 ms after the previous draw
    await net().fit(X, Y, { epochs: 3, batchSize: 8, callbacks: [clock.ticks(0, 100), progressBar({ stream, interval: 100 })] });
    const lines = draws(writes);
    expect(lines.map((l) => l.replace(/\[[█░]+\]/, '[]').replace(/  loss \d\.\d{4}$/, ''))).toEqual([
      'epoch 1/3 []  11%  eta 0.0s', // the first batch
      'epoch 1/3 []  33%  eta 0.2s', // the end of epoch 1, at 100 ms
      'epoch 2/3 []  66%  eta 0.1s', // the end of epoch 2, at 200 ms
      'epoch 3/3 [] 100%  eta 0.0s', // the last epoch, whatever the interval
      'epoch 3/3 [] 100%  0.3s total',
    ]);
    expect(writes.at(-1)).toBe('\n');
    // a long interval: the first batch, the last epoch and the total only
    const quiet = recorder(true, 120);
    await net().fit(X, Y, { epochs: 3, batchSize: 8, callbacks: [clock.ticks(10, 10), progressBar({ stream: quiet.stream, interval: 1e9 })] });
    expect(draws(quiet.writes).map((l) => l.slice(0, 10))).toEqual(['epoch 1/3 ', 'epoch 3/3 ', 'epoch 3/3 ']);
  });

  it('the running mse of the epoch so far: a mean weighted by batch size', async () => {
    fakeClock();
    const { writes, stream } = recorder(true, 200);
    const batches: { mse: number; size: number }[] = [];
    // 24 rows in batches of 10: 10, 10, 4
    await net().fit(X, Y, {
      batchSize: 10,
      shuffle: false,
      metrics: ['mse'],
      callbacks: [{ onBatchEnd: (_, logs) => void batches.push({ mse: logs.mse!, size: logs.size }) }, progressBar({ stream, interval: 0 })],
    });
    const mean = (n: number) => batches.slice(0, n).reduce((s, b) => s + b.mse * b.size, 0) / batches.slice(0, n).reduce((s, b) => s + b.size, 0);
    const lines = draws(writes);
    for (const n of [1, 2, 3]) expect(lines[n - 1]).toMatch(new RegExp(`  mse ${mean(n).toFixed(4).replace('.', '\\.')}$`));
  });

  it("fitDataset's first epoch, whose batch count is not known yet: 0% and no ETA, then the count from the first epoch", async () => {
    fakeClock();
    const { writes, stream } = recorder(true, 120);
    const batches = [0, 8, 16].map((i) => ({ x: X.slice(i, i + 8), y: Y.slice(i, i + 8) }));
    await net().fitDataset(() => batches, { epochs: 2, callbacks: [progressBar({ stream, interval: 0 })] });
    const lines = draws(writes);
    expect(lines[0]).toMatch(/^epoch 1\/2 \[░{30}\]   0%  eta -  loss /);
    expect(lines.some((l) => l.includes('NaN'))).toBe(false);
    expect(lines[4]).toMatch(/^epoch 2\/2 \[█{20}░{10}\]  66%  eta /); // the second epoch's first batch
  });
});

describe('progressBar lines (not a terminal)', () => {
  it('each line has the epoch time and the ETA from the mean epoch so far; the last has no ETA', async () => {
    const clock = fakeClock();
    const { writes, stream } = recorder(false);
    // 3 batches of 200 ms and 400 ms more at each epoch end: 1 s per epoch
    await net().fit(X, Y, { epochs: 4, batchSize: 8, callbacks: [clock.ticks(200, 400), progressBar({ stream })] });
    expect(writes.map((w) => w.replace(/  loss \d\.\d{4}/, ''))).toEqual([
      'epoch 1/4  1.0s  eta 3.0s\n',
      'epoch 2/4  1.0s  eta 2.0s\n',
      'epoch 3/4  1.0s  eta 1.0s\n',
      'epoch 4/4  1.0s\n',
    ]);
  });

  it('a stop before the last epoch is said, with the total time; a stop at the last epoch or a failure is not', async () => {
    const clock = fakeClock();
    const stopped = recorder(false);
    await net().fit(X, Y, { epochs: 5, batchSize: 8, callbacks: [clock.ticks(250), progressBar({ stream: stopped.stream }), { onEpochEnd: (e) => e < 1 }] });
    expect(stopped.writes.at(-1)).toBe('stopped after epoch 2/5 (1.5s total)\n');
    const atLast = recorder(false);
    await net().fit(X, Y, { epochs: 2, batchSize: 8, callbacks: [progressBar({ stream: atLast.stream }), { onEpochEnd: (e) => e < 1 }] });
    expect(atLast.writes.map((w) => w.slice(0, 10))).toEqual(['epoch 1/2 ', 'epoch 2/2 ']);
    const failed = recorder(false);
    const boom = new Error('boom');
    await expect(
      net().fit(X, Y, {
        epochs: 5,
        batchSize: 8,
        callbacks: [progressBar({ stream: failed.stream }), { onEpochEnd: (_, __, c) => { c.stop(); throw boom; } }],
      }),
    ).rejects.toBe(boom);
    expect(failed.writes.map((w) => w.slice(0, 10))).toEqual(['epoch 1/5 ']);
  });
});

describe('progressBar default streams', () => {
  /** A Deno global whose stderr collects bytes; `extra` replaces parts of it. */
  function deno(extra: { isTerminal?: () => boolean; consoleSize?: () => { columns: number } } = {}) {
    const bytes: number[] = [];
    const stderr: Record<string, unknown> = { writeSync: (b: Uint8Array) => (bytes.push(...b), b.length) };
    if ('isTerminal' in extra) stderr.isTerminal = extra.isTerminal;
    vi.stubGlobal('Deno', { stderr, ...('consoleSize' in extra ? { consoleSize: extra.consoleSize } : {}) });
    const bar = progressBar({ interval: 0 });
    vi.unstubAllGlobals();
    return { bar, text: () => new TextDecoder().decode(Uint8Array.from(bytes)) };
  }

  it('Deno without isTerminal(), or one that throws: plain lines', async () => {
    for (const d of [deno(), deno({ isTerminal: () => { throw new Error('no tty here'); } })]) {
      await net().fit(X, Y, { epochs: 2, batchSize: 8, callbacks: [d.bar] });
      expect(d.text()).toMatch(/^epoch 1\/2  loss \d\.\d{4}  [0-9.]+s  eta [0-9.]+s\nepoch 2\/2  loss \d\.\d{4}  [0-9.]+s\n$/);
    }
  });

  it('Deno whose consoleSize() throws: a terminal 80 wide', async () => {
    fakeClock();
    const d = deno({ isTerminal: () => true, consoleSize: () => { throw new Error('not a console'); } });
    await net().fit(X, Y, { epochs: 2, batchSize: 8, metrics: ['mae', 'mse'], callbacks: [d.bar] });
    const lines = d.text().split(/\r|\x1b\[K|\n/).filter(Boolean);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line.length).toBe(79);
  });

  it('a Deno global without stderr (a shim): process.stderr', async () => {
    vi.stubGlobal('Deno', {});
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const bar = progressBar();
    vi.unstubAllGlobals();
    await net().fit(X, Y, { epochs: 2, batchSize: 8, callbacks: [bar] });
    expect(write.mock.calls.map((c) => String(c[0])).join('')).toMatch(/epoch 2\/2/);
  });

  it('a process without a usable stderr (a browser shim): console.log, one line per epoch without its newline', async () => {
    for (const shim of [{ env: {} }, { env: {}, stderr: {} }]) {
      vi.stubGlobal('process', shim);
      let bar: Callback;
      try {
        bar = progressBar();
      } finally {
        vi.unstubAllGlobals();
      }
      const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
      await net().fit(X, Y, { epochs: 2, batchSize: 8, callbacks: [bar] });
      const logged = log.mock.calls.map((c) => String(c[0]));
      log.mockRestore();
      expect(logged).toHaveLength(2);
      expect(logged[0]).toMatch(/^epoch 1\/2  loss \d\.\d{4}  [0-9.]+s  eta [0-9.]+s$/);
      expect(logged[1]).toMatch(/^epoch 2\/2  loss \d\.\d{4}  [0-9.]+s$/);
    }
  });
});
