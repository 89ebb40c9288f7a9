// progressBar(): the redrawn bar on a terminal (throttled, fits the width, ETA), plain lines
// otherwise, and the default streams (process.stderr, Deno.stderr, console in browsers),
// all through fake streams and a fake clock.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, Network, dense, earlyStopping, init, progressBar, type Callback, type ProgressStream } from '../src/index';
import { formatDuration, formatNumber } from '../src/training/progress';
import { irisSplit } from './helpers/data';

await init();
const { trainX, trainY, testX, testY } = irisSplit(); // 102 training rows

const classifier = () =>
  new Network({
    inputSize: 4,
    layers: [dense(6, { activation: 'tanh' }), dense(3, { activation: 'softmax' })],
    loss: 'categoricalCrossentropy',
    optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9 },
    seed: 11,
  });

/** A stream that records what was written, and at which (fake) time. */
function fakeStream(isTTY: boolean, columns?: number) {
  const writes: { text: string; at: number }[] = [];
  let time = 0;
  const stream: ProgressStream & { columns?: number } = { isTTY, columns, write: (text: string) => void writes.push({ text, at: time }) };
  return {
    stream,
    writes,
    now: () => time,
    /** a callback, placed before the bar, that advances the clock by `ms` per batch */
    tick: (ms: number): Callback => ({ onBatchEnd: () => void (time += ms) }),
    advance: (ms: number) => void (time += ms),
  };
}

/** The visible text of one bar redraw. */
const visible = (text: string) => text.replace(/^\r/, '').replace(/\x1b\[K$/, '');

describe('progressBar on a terminal', () => {
  it('redraws one line in place with epoch, percentage, ETA and metrics, then ends it with a newline', async () => {
    const fake = fakeStream(true, 120);
    // 5 epochs × 4 batches of 26, 100 ms per batch; interval 0 redraws after every batch
    await classifier().fit(trainX, trainY, {
      epochs: 5,
      batchSize: 26,
      validationData: [testX, testY],
      callbacks: [fake.tick(100), progressBar({ stream: fake.stream, interval: 0, now: fake.now })],
    });
    const draws = fake.writes.filter((w) => w.text.startsWith('\r'));
    expect(fake.writes.map((w) => w.text).join('')).not.toMatch(/\n(?!$)/); // one line: the only newline is the last
    expect(fake.writes.at(-1)!.text).toBe('\n');
    for (const d of draws) expect(d.text).toMatch(/^\r[^\r\n]*\x1b\[K$/);
    // batch 10 of 20: half done after 1 s, so 1 s to go
    const half = visible(draws.find((d) => d.at === 1000)!.text);
    expect(half).toMatch(/^epoch 3\/5 \[█+░+\]  50%  eta 1\.0s  loss \d\.\d{4}  acc \d\.\d{4}  val loss \d\.\d{4}  val acc \d\.\d{4}$/);
    expect(visible(draws.find((d) => d.at === 500)!.text)).toMatch(/^epoch 2\/5 \[[█░]+\]  25%  eta 1\.5s  loss/);
    // the bar is 30 wide when there is room, and fills with the fraction done
    expect(half).toContain(`[${'█'.repeat(15)}${'░'.repeat(15)}]`);
    const last = visible(draws.at(-1)!.text);
    expect(last).toMatch(/^epoch 5\/5 \[█{30}\] 100%  2\.0s total  loss/);
  });

  it('redraws at most once per interval (plus the last epoch and the final line)', async () => {
    const fake = fakeStream(true, 100);
    // 10 epochs × 4 batches, 30 ms per batch: 1.2 s in all, so ≤ 12 timed redraws at 100 ms
    await classifier().fit(trainX, trainY, {
      epochs: 10,
      batchSize: 26,
      callbacks: [fake.tick(30), progressBar({ stream: fake.stream, interval: 100, now: fake.now })],
    });
    const draws = fake.writes.filter((w) => w.text.startsWith('\r'));
    const timed = draws.slice(0, -2);
    for (let i = 1; i < timed.length; i++) expect(timed[i]!.at - timed[i - 1]!.at).toBeGreaterThanOrEqual(100);
    expect(draws.length).toBeLessThanOrEqual(12 + 2);
    expect(draws.length).toBeGreaterThanOrEqual(10);
  });

  it('fits the terminal width: a narrower bar, then truncation, never a wrapped line', async () => {
    for (const columns of [60, 40]) {
      const fake = fakeStream(true, columns);
      await classifier().fit(trainX, trainY, {
        epochs: 2,
        validationSplit: 0.2,
        metrics: ['accuracy', 'mae'],
        callbacks: [fake.tick(50), progressBar({ stream: fake.stream, interval: 0, now: fake.now })],
      });
      const lines = fake.writes.filter((w) => w.text.startsWith('\r')).map((w) => visible(w.text));
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(columns - 1);
      expect(lines.at(-1)).toMatch(/^epoch 2\/2 \[█{10}\] 100%/); // the bar's minimum width
    }
  });

  it('marks a run ended by a stop, and writes nothing when nothing was trained', async () => {
    const fake = fakeStream(true, 200);
    await classifier().fit(trainX, trainY, {
      epochs: 10,
      onEpochEnd: (e) => e < 1,
      callbacks: [progressBar({ stream: fake.stream, interval: 0, now: fake.now })],
    });
    expect(visible(fake.writes.at(-2)!.text)).toMatch(/^epoch 2\/10 \[█{6}░{24}\]  20%  0\.0s total \(stopped\)  loss/);
    const idle = fakeStream(true, 200);
    await classifier().fit(trainX, trainY, { onTrainBegin: (c) => c.stop(), callbacks: [progressBar({ stream: idle.stream })] });
    expect(idle.writes).toEqual([]);
  });
});

describe('progressBar when not a terminal', () => {
  it('writes one plain line per epoch with the history’s keys, the epoch time and the ETA', async () => {
    const fake = fakeStream(false);
    const bar = progressBar({ stream: fake.stream, now: fake.now });
    expect(bar.onBatchEnd).toBeUndefined(); // no per-batch call at all
    const history = await classifier().fit(trainX, trainY, {
      epochs: 3,
      validationSplit: 0.25,
      metrics: ['accuracy', 'mae'],
      onEpochBegin: () => fake.advance(2000),
      callbacks: [bar],
    });
    const text = fake.writes.map((w) => w.text).join('');
    expect(text).not.toContain('\r');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const f = (key: 'loss' | 'accuracy' | 'mae' | 'valLoss' | 'valAccuracy' | 'valMae', e: number) => history[key]![e]!.toFixed(4);
    expect(lines[0]).toBe(
      `epoch 1/3  loss ${f('loss', 0)}  accuracy ${f('accuracy', 0)}  mae ${f('mae', 0)}  valLoss ${f('valLoss', 0)}  valAccuracy ${f('valAccuracy', 0)}  valMae ${f('valMae', 0)}  0.0s  eta 4.0s`,
    );
    expect(lines[2]).toMatch(/^epoch 3\/3  loss [0-9.]+ .* valMae [0-9.]+  0\.0s$/);
  });

  it('says when training was stopped early', async () => {
    const fake = fakeStream(false);
    await classifier().fit(trainX, trainY, {
      epochs: 50,
      learningRate: 0, // nothing improves after the first epoch
      shuffle: false,
      callbacks: [earlyStopping({ patience: 2 }), progressBar({ stream: fake.stream, now: fake.now })],
    });
    const lines = fake.writes.map((w) => w.text);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('stopped after epoch 3/50 (0.0s total)\n');
  });
});

describe('progressBar default streams', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('Node and Bun: process.stderr', async () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await classifier().fit(trainX, trainY, { epochs: 2, callbacks: [progressBar()] });
      const text = write.mock.calls.map((c) => String(c[0])).join('');
      expect(text).toMatch(/epoch 2\/2/);
    } finally {
      write.mockRestore();
    }
  });

  it('Deno: Deno.stderr (bytes), its isTerminal() and consoleSize()', async () => {
    const chunks: Uint8Array[] = [];
    vi.stubGlobal('Deno', {
      stderr: {
        isTerminal: () => true,
        // writes at most 7 bytes per call, as writeSync may: the bar must loop
        writeSync: (bytes: Uint8Array) => {
          chunks.push(bytes.slice(0, 7));
          return Math.min(7, bytes.length);
        },
      },
      consoleSize: () => ({ columns: 50 }),
    });
    const bar = progressBar({ interval: 0 });
    vi.unstubAllGlobals();
    await classifier().fit(trainX, trainY, { epochs: 2, callbacks: [bar] });
    const text = new TextDecoder().decode(Uint8Array.from(chunks.flatMap((c) => [...c])));
    const lines = text.split(/\r|\x1b\[K|\n/).filter(Boolean);
    expect(lines.at(-1)).toMatch(/^epoch 2\/2 \[█+\] 100%  [0-9.]+s total/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(49);
  });

  it('a browser (no process, no Deno): one console.log line per epoch', async () => {
    vi.stubGlobal('process', undefined);
    let bar: Callback;
    try {
      bar = progressBar();
    } finally {
      vi.unstubAllGlobals();
    }
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await classifier().fit(trainX, trainY, { epochs: 3, callbacks: [bar] });
      expect(log.mock.calls.map((c) => c[0])).toEqual([expect.stringMatching(/^epoch 1\/3  loss /), expect.stringMatching(/^epoch 2\/3 /), expect.stringMatching(/^epoch 3\/3 /)]);
    } finally {
      log.mockRestore();
    }
  });
});

describe('progressBar default clock (milliseconds, faked through the globals a user has)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  /** A terminal stream, and a callback that moves `clock` on by `ms` per batch. */
  function terminal() {
    const writes: string[] = [];
    return { writes, stream: { isTTY: true, columns: 120, write: (text: string) => void writes.push(text) } };
  }

  it('performance.now(): 100 ms per batch shows as an ETA of 1.0s at half way and 2.0s total', async () => {
    let time = 5_000;
    vi.spyOn(performance, 'now').mockImplementation(() => time);
    const { writes, stream } = terminal();
    await classifier().fit(trainX, trainY, {
      epochs: 5,
      batchSize: 26,
      callbacks: [{ onBatchEnd: () => void (time += 100) }, progressBar({ stream, interval: 0 })],
    });
    const draws = writes.filter((w) => w.startsWith('\r')).map(visible);
    expect(draws).toContainEqual(expect.stringMatching(/^epoch 3\/5 \[█{15}░{15}\]  50%  eta 1\.0s  loss/));
    expect(draws.at(-1)).toMatch(/^epoch 5\/5 \[█{30}\] 100%  2\.0s total  loss/);
  });

  it('Date.now() where there is no performance: the same times', async () => {
    vi.stubGlobal('performance', undefined);
    let time = 1_700_000_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => time);
    const { writes, stream } = terminal();
    await classifier().fit(trainX, trainY, {
      epochs: 5,
      batchSize: 26,
      callbacks: [{ onBatchEnd: () => void (time += 100) }, progressBar({ stream, interval: 0 })],
    });
    const draws = writes.filter((w) => w.startsWith('\r')).map(visible);
    expect(draws).toContainEqual(expect.stringMatching(/^epoch 3\/5 \[█{15}░{15}\]  50%  eta 1\.0s  loss/));
    expect(draws.at(-1)).toMatch(/^epoch 5\/5 \[█{30}\] 100%  2\.0s total  loss/);
  });

  it('the default interval is 100 ms: with 30 ms batches, redraws at least 100 ms apart', async () => {
    let time = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => time);
    const writes: { text: string; at: number }[] = [];
    const stream = { isTTY: true, columns: 120, write: (text: string) => void writes.push({ text, at: time }) };
    // 10 epochs × 4 batches × 30 ms = 1.2 s: at most 12 timed redraws (and the last two lines)
    await classifier().fit(trainX, trainY, { epochs: 10, batchSize: 26, callbacks: [{ onBatchEnd: () => void (time += 30) }, progressBar({ stream })] });
    const timed = writes.filter((w) => w.text.startsWith('\r')).slice(0, -2);
    for (let i = 1; i < timed.length; i++) expect(timed[i]!.at - timed[i - 1]!.at).toBeGreaterThanOrEqual(100);
    expect(timed.length).toBeGreaterThanOrEqual(8);
    expect(timed.length).toBeLessThanOrEqual(12);
  });
});

describe('progressBar: what the bar shows', () => {
  it('the running loss, accuracy and mae of the epoch so far: means weighted by batch size', async () => {
    const fake = fakeStream(true, 200);
    const batches: { loss: number; size: number; accuracy?: number; mae?: number }[] = [];
    // 102 rows in batches of 40: 40, 40, 22
    await classifier().fit(trainX, trainY, {
      epochs: 1,
      batchSize: 40,
      metrics: ['accuracy', 'mae'],
      shuffle: false,
      callbacks: [{ onBatchEnd: (_, logs) => void batches.push({ ...logs }) }, progressBar({ stream: fake.stream, interval: 0, now: fake.now })],
    });
    expect(batches.map((b) => b.size)).toEqual([40, 40, 22]);
    const draws = fake.writes.filter((w) => w.text.startsWith('\r')).map((w) => visible(w.text));
    const mean = (key: 'loss' | 'accuracy' | 'mae', n: number) => batches.slice(0, n).reduce((s, b) => s + b[key]! * b.size, 0) / batches.slice(0, n).reduce((s, b) => s + b.size, 0);
    for (const n of [1, 2]) {
      expect(draws[n - 1]).toContain(`loss ${mean('loss', n).toFixed(4)}  acc ${mean('accuracy', n).toFixed(4)}  mae ${mean('mae', n).toFixed(4)}`);
    }
  });

  it('a stream without columns is taken as 80 wide', async () => {
    const writes: string[] = [];
    await classifier().fit(trainX, trainY, {
      epochs: 2,
      validationSplit: 0.2,
      metrics: ['accuracy', 'mae'],
      callbacks: [progressBar({ stream: { isTTY: true, write: (t: string) => void writes.push(t) }, interval: 0 })],
    });
    const lines = writes.filter((w) => w.startsWith('\r')).map(visible);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(79);
    expect(lines.some((line) => line.length === 79)).toBe(true); // truncated to fit, not wrapped
  });

  it("a fit that fails ends the bar with '(failed)'", async () => {
    const fake = fakeStream(true, 200);
    const boom = new Error('boom');
    await expect(
      classifier().fit(trainX, trainY, {
        epochs: 5,
        callbacks: [progressBar({ stream: fake.stream, interval: 0, now: fake.now }), { onEpochEnd: (e) => { if (e === 1) throw boom; } }],
      }),
    ).rejects.toBe(boom);
    expect(visible(fake.writes.at(-2)!.text)).toMatch(/^epoch 2\/5 \[█{12}░{18}\]  40%  0\.0s total \(failed\)  loss/);
    expect(fake.writes.at(-1)!.text).toBe('\n');
  });

  it('lines (not a terminal) say nothing more when a fit fails, and nothing about stopping when it ran all its epochs', async () => {
    const fake = fakeStream(false);
    await expect(
      classifier().fit(trainX, trainY, { epochs: 3, callbacks: [progressBar({ stream: fake.stream, now: fake.now }), { onEpochEnd: (e) => { if (e === 1) throw new Error('boom'); } }] }),
    ).rejects.toThrow('boom');
    expect(fake.writes.map((w) => w.text)).toEqual([expect.stringMatching(/^epoch 1\/3 /), expect.stringMatching(/^epoch 2\/3 /)]);
    const full = fakeStream(false);
    await classifier().fit(trainX, trainY, { epochs: 2, onEpochEnd: (e) => e < 5, callbacks: [progressBar({ stream: full.stream, now: full.now })] });
    expect(full.writes).toHaveLength(2);
  });
});

describe('progressBar pieces', () => {
  it('formats numbers and durations compactly', () => {
    expect([0, 0.12345, 12.3, 1.23e-5, 123456].map(formatNumber)).toEqual(['0.0000', '0.1235', '12.3000', '1.23e-5', '1.23e+5']);
    expect([0, 420, 12_400, 185_000, 7_620_000].map(formatDuration)).toEqual(['0.0s', '0.4s', '12s', '3m05s', '2h07m']);
    // the edges of each form
    expect([-5, 9_940, 10_000, 59_400, 60_000, 3_599_000, 3_600_000].map(formatDuration)).toEqual(['0.0s', '9.9s', '10s', '59s', '1m00s', '59m59s', '1h00m']);
    expect([0.001, -0.0002, 99_999, 100_000, -123_456].map(formatNumber)).toEqual(['0.0010', '-2.00e-4', '99999.0000', '1.00e+5', '-1.23e+5']);
  });

  it('bad options are ConfigErrors', () => {
    expect(() => progressBar({ stream: {} as ProgressStream })).toThrow(ConfigError);
    expect(() => progressBar({ interval: -1 })).toThrow(/progressBar options.interval/);
    expect(() => progressBar({ colour: true } as object)).toThrow(/unknown option "colour"/);
    expect(() => progressBar({ stream: { write: 1 } as never })).toThrow(/^progressBar options\.stream must have a write\(text\) method, got an object$/);
    expect(() => progressBar({ interval: NaN })).toThrow(/^progressBar options\.interval must be a number of milliseconds ≥ 0, got NaN$/);
    expect(() => progressBar({ interval: '100' as never })).toThrow(/^progressBar options\.interval must be a number of milliseconds ≥ 0, got "100"$/);
    expect(() => progressBar({ now: 5 as never })).toThrow(/^progressBar options\.now must be a function, got 5$/);
    expect(() => progressBar(null as never)).toThrow(/^progressBar options must be an object, got null$/);
    expect(() => progressBar({ interval: 0 })).not.toThrow();
  });
});
