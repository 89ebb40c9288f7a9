// progressBar(): a terminal progress display for fit, with no dependencies and no `node:`
// imports. On a terminal (Node, Bun, Deno) one bar on stderr, redrawn in place at most every
// `interval` ms: epoch, percentage, loss and metrics, ETA. When stderr is not a terminal
// (a pipe, CI, a log file) one plain line per epoch. In browsers (no stderr) the lines go to
// console.log.
import { ConfigError } from '../errors';
import { checkKeys, checkObject, show } from '../validate';
import type { BatchLogs, Callback, EpochLogs, LogKey, TrainingControl } from './types';

/** Where the progress is written: anything with `write(text)`; `isTTY` selects the redrawn bar,
 *  `columns` (read at every redraw) its width. Node's and Bun's `process.stderr` are such streams. */
export interface ProgressStream {
  /** Writes text as it is (the bar redraws with `\r`; lines end with `\n`). */
  write(text: string): unknown;
  /** True for a terminal: the bar is redrawn in place instead of one line per epoch. */
  readonly isTTY?: boolean;
  /** Terminal width in characters; the bar fits into it (80 when absent). */
  readonly columns?: number;
}

/** Options of {@link progressBar}; every one is optional. */
export interface ProgressBarOptions {
  /** Default: stderr (`Deno.stderr` in Deno, `process.stderr` in Node and Bun); in a browser,
   *  lines through console.log. */
  stream?: ProgressStream;
  /** Least milliseconds between two redraws of the bar. Default 100 (≤ 10 redraws a second). */
  interval?: number;
  /** @internal clock for tests (milliseconds) */
  now?: () => number;
}

/** Labels on the bar (short, so it fits 80 columns) and in lines (the history's keys). */
const SHORT: Record<LogKey, string> = { loss: 'loss', accuracy: 'acc', mae: 'mae', mse: 'mse', valLoss: 'val loss', valAccuracy: 'val acc', valMae: 'val mae', valMse: 'val mse' };
const FULL: Record<LogKey, string> = { loss: 'loss', accuracy: 'accuracy', mae: 'mae', mse: 'mse', valLoss: 'valLoss', valAccuracy: 'valAccuracy', valMae: 'valMae', valMse: 'valMse' };
const BAR_MIN = 10;
const BAR_MAX = 30;

/**
 * A callback that shows training progress: a bar on a terminal, one line per epoch otherwise.
 *
 * @example
 * ```ts
 * import { Network, dense, progressBar } from 'wasmnet';
 *
 * const net = new Network({ inputSize: 2, layers: [dense(4, { activation: 'tanh' }), dense(1)], loss: 'mse', seed: 1 });
 * await net.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]], { epochs: 20, callbacks: [progressBar()] });
 * ```
 */
export function progressBar(options: ProgressBarOptions = {}): Callback {
  checkObject(options, 'progressBar options');
  checkKeys(options, ['stream', 'interval', 'now'], 'progressBar options');
  const stream = (options.stream ?? defaultStream()) as ProgressStream;
  if (typeof (stream as Partial<ProgressStream> | null)?.write !== 'function') {
    throw new ConfigError(`progressBar options.stream must have a write(text) method, got ${show(stream)}`);
  }
  const interval = options.interval ?? 100;
  if (typeof interval !== 'number' || Number.isNaN(interval) || interval < 0) {
    throw new ConfigError(`progressBar options.interval must be a number of milliseconds ≥ 0, got ${show(interval)}`);
  }
  const now = (options.now ?? clock) as () => number;
  if (typeof now !== 'function') throw new ConfigError(`progressBar options.now must be a function, got ${show(now)}`);
  const tty = stream.isTTY === true;

  let epochs = 1;
  let batches = 1;
  let keys: readonly LogKey[] = ['loss'];
  let started = 0;
  let epochStarted = 0;
  let epoch = 0;
  let batchesDone = 0; // in the current epoch
  let epochsDone = 0;
  let lastDraw = -Infinity;
  let drawn = false;
  // running sums of the current epoch's batches, then the epoch's logs
  let seen = 0;
  let lossSum = 0;
  let accuracySum = 0;
  let maeSum = 0;
  let mseSum = 0;
  const shown: Partial<Record<LogKey, number>> = {};

  const metricsText = (labels: Record<LogKey, string>, sep: string): string =>
    keys
      .filter((k) => shown[k] !== undefined)
      .map((k) => `${labels[k]} ${formatNumber(shown[k]!)}`)
      .join(sep);

  const draw = (t: number, end: string): void => {
    lastDraw = t;
    drawn = true;
    // fitDataset knows its batches per epoch once the first epoch has ended (NaN before)
    const part = batches > 0 ? Math.min(1, batchesDone / batches) : 0;
    const fraction = Math.min(1, (epochsDone + (epochsDone > epoch ? 0 : part)) / epochs);
    const elapsed = t - started;
    const timing = end
      ? `${formatDuration(elapsed)}${end}`
      : fraction > 0
        ? `eta ${formatDuration((elapsed * (1 - fraction)) / fraction)}`
        : 'eta -';
    const head = `epoch ${Math.min(epoch + 1, epochs)}/${epochs} `;
    const tail = ` ${`${Math.floor(fraction * 100)}%`.padStart(4)}  ${timing}  ${metricsText(SHORT, '  ')}`;
    const columns = typeof stream.columns === 'number' && stream.columns > 0 ? stream.columns : 80;
    const width = Math.max(BAR_MIN, Math.min(BAR_MAX, columns - 1 - head.length - tail.length - 2));
    const filled = Math.round(fraction * width);
    const line = `${head}[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]${tail}`;
    stream.write(`\r${line.length > columns - 1 ? line.slice(0, columns - 1) : line}\x1b[K`);
  };

  const callback: Callback = {
    onTrainBegin(control: TrainingControl) {
      epochs = control.epochs;
      batches = control.batchesPerEpoch;
      keys = control.logKeys;
      started = now();
      epochsDone = 0;
      lastDraw = -Infinity;
      drawn = false;
      for (const k of Object.keys(shown)) delete shown[k as LogKey];
    },
    onEpochBegin(e: number, control: TrainingControl) {
      epoch = e;
      batches = control.batchesPerEpoch;
      batchesDone = 0;
      seen = lossSum = accuracySum = maeSum = mseSum = 0;
      epochStarted = now();
    },
    onEpochEnd(e: number, logs: EpochLogs) {
      epochsDone = e + 1;
      for (const k of keys) shown[k] = logs[k];
      const t = now();
      if (tty) {
        if (t - lastDraw >= interval || epochsDone === epochs) draw(t, '');
        return;
      }
      const timing = `${formatDuration(t - epochStarted)}${epochsDone < epochs ? `  eta ${formatDuration(((t - started) / epochsDone) * (epochs - epochsDone))}` : ''}`;
      stream.write(`epoch ${epochsDone}/${epochs}  ${metricsText(FULL, '  ')}  ${timing}\n`);
    },
    onTrainEnd(_history, control: TrainingControl) {
      if (!tty) {
        if (control.error === undefined && control.stopRequested && epochsDone < epochs) {
          stream.write(`stopped after epoch ${epochsDone}/${epochs} (${formatDuration(now() - started)} total)\n`);
        }
        return;
      }
      if (!drawn) return;
      const how = control.error !== undefined ? ' (failed)' : control.stopRequested ? ' (stopped)' : '';
      draw(now(), ` total${how}`);
      stream.write('\n');
    },
  };
  if (tty) {
    // Only the bar needs batch updates: lines are written per epoch, so a pipe costs no
    // per-batch call at all.
    callback.onBatchEnd = (batch: number, logs: BatchLogs) => {
      batchesDone = batch + 1;
      seen += logs.size;
      lossSum += logs.loss * logs.size;
      shown.loss = lossSum / seen;
      if (logs.accuracy !== undefined) shown.accuracy = (accuracySum += logs.accuracy * logs.size) / seen;
      if (logs.mae !== undefined) shown.mae = (maeSum += logs.mae * logs.size) / seen;
      if (logs.mse !== undefined) shown.mse = (mseSum += logs.mse * logs.size) / seen;
      const t = now();
      if (t - lastDraw >= interval) draw(t, '');
    };
  }
  return callback;
}

/** 0.1234, 12.3400, 1.23e-5 */
export function formatNumber(value: number): string {
  const a = Math.abs(value);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? value.toExponential(2) : value.toFixed(4);
}

/** 0.4s, 12s, 3m05s, 2h07m */
export function formatDuration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const total = Math.round(s);
  if (total < 3600) return `${Math.floor(total / 60)}m${String(total % 60).padStart(2, '0')}s`;
  return `${Math.floor(total / 3600)}h${String(Math.floor((total % 3600) / 60)).padStart(2, '0')}m`;
}

function clock(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

interface DenoLike {
  stderr: { writeSync(bytes: Uint8Array): number; isTerminal?(): boolean };
  consoleSize?(): { columns: number };
}

/** stderr where there is one (feature-detected, no imports); console lines otherwise. */
function defaultStream(): ProgressStream {
  const g = globalThis as { Deno?: DenoLike; process?: { stderr?: ProgressStream } };
  const deno = g.Deno;
  if (deno && typeof deno.stderr?.writeSync === 'function') {
    const encoder = new TextEncoder();
    let isTTY = false;
    try {
      isTTY = deno.stderr.isTerminal?.() === true;
    } catch {
      // not a terminal, then
    }
    return {
      isTTY,
      get columns() {
        try {
          return deno.consoleSize?.().columns;
        } catch {
          return undefined;
        }
      },
      write(text: string) {
        const bytes = encoder.encode(text);
        for (let at = 0; at < bytes.length; ) at += deno.stderr.writeSync(bytes.subarray(at));
      },
    };
  }
  const stderr = g.process?.stderr;
  if (stderr && typeof stderr.write === 'function') return stderr;
  return {
    isTTY: false,
    write(text: string) {
      const line = text.endsWith('\n') ? text.slice(0, -1) : text;
      if (line) console.log(line);
    },
  };
}
