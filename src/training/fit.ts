// The training loop: epochs of shuffled mini-batches, per-epoch logs and callbacks, and
// cooperative yielding so that progress can render while training runs.
import type { Rows } from '../data';
import type { Engine } from '../engine';
import { checkKeys, checkObject, positiveInteger, show } from '../validate';
import { ConfigError } from '../errors';

/** Metrics of one epoch, measured on the training batches as they were trained. */
export interface EpochLogs {
  /** Mean loss over the epoch's samples (each batch's loss before its update). */
  loss: number;
  /** Fraction of samples classified correctly (classification losses only). */
  accuracy?: number;
}

export interface FitOptions {
  /** Passes over the data. Default 1. */
  epochs?: number;
  /** Samples per gradient step; the last batch of an epoch may be smaller. Default 32
   *  (capped at the number of samples). */
  batchSize?: number;
  /** Reshuffle the samples (with the network's seeded generator) before each epoch. Default true. */
  shuffle?: boolean;
  /** Called after every epoch with its 0-based index; may return a promise, which is awaited. */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
  /** Yield to the event loop after an epoch once this many milliseconds of training have
   *  passed since the last yield, so UIs and progress bars can update. Default 16; 0 yields
   *  after every epoch; Infinity never yields. */
  yieldEvery?: number;
}

/** Per-epoch record of a `fit` call. */
export interface History {
  /** Number of epochs run. */
  epochs: number;
  loss: number[];
  /** Present for classification losses. */
  accuracy?: number[];
}

const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'onEpochEnd', 'yieldEvery'] as const;

interface FitSettings {
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  onEpochEnd: FitOptions['onEpochEnd'];
  yieldEvery: number;
}

/** Checks every option (before the data, before touching the network) and fills defaults. */
export function resolveFitOptions(options: FitOptions): FitSettings {
  checkObject(options, 'fit options');
  checkKeys(options, FIT_KEYS, 'fit options');
  const epochs = positiveInteger(options.epochs ?? 1, 'fit options.epochs');
  const batchSize = positiveInteger(options.batchSize ?? 32, 'fit options.batchSize');
  const shuffle = options.shuffle ?? true;
  if (typeof shuffle !== 'boolean') throw new ConfigError(`fit options.shuffle must be true or false, got ${show(shuffle)}`);
  const onEpochEnd = options.onEpochEnd;
  if (onEpochEnd !== undefined && typeof onEpochEnd !== 'function') {
    throw new ConfigError(`fit options.onEpochEnd must be a function, got ${show(onEpochEnd)}`);
  }
  const yieldEvery = options.yieldEvery ?? 16;
  if (typeof yieldEvery !== 'number' || Number.isNaN(yieldEvery) || yieldEvery < 0) {
    throw new ConfigError(`fit options.yieldEvery must be a number of milliseconds ≥ 0, got ${show(yieldEvery)}`);
  }
  return { epochs, batchSize, shuffle, onEpochEnd: onEpochEnd as FitOptions['onEpochEnd'], yieldEvery };
}

/** Runs the loop on an engine; the Network checked `input`, `target` and the settings. */
export async function fit(net: Engine, input: Rows, target: Rows, settings: FitSettings): Promise<History> {
  const { epochs, shuffle, onEpochEnd, yieldEvery } = settings;
  const samples = input.rows;
  const batchSize = Math.min(settings.batchSize, samples);
  const classification = net.loss !== 'mse';
  net.reserveRows(batchSize);
  const order = new Int32Array(samples);
  for (let i = 0; i < samples; i++) order[i] = i;
  const rng = net.rng;

  const history: History = { epochs: 0, loss: [] };
  if (classification) history.accuracy = [];
  let lastYield = now();

  for (let epoch = 0; epoch < epochs; epoch++) {
    if (shuffle) rng.shuffle(order);
    let correct = 0;
    net.takeLossSum();
    for (let start = 0, batch = 0; start < samples; start += batchSize, batch++) {
      const rows = Math.min(batchSize, samples - start);
      net.loadRows(input, target, start, rows, order);
      net.step(rows, epoch, batch);
      // Outputs of the forward pass are still in place: count them before the next batch.
      if (classification) correct += net.countCorrect(rows);
    }
    const logs: EpochLogs = { loss: net.takeLossSum() / samples };
    if (classification) logs.accuracy = correct / samples;
    history.loss.push(logs.loss);
    if (classification) history.accuracy!.push(logs.accuracy!);
    history.epochs = epoch + 1;
    if (onEpochEnd) {
      const pending = onEpochEnd(epoch, logs);
      if (pending && typeof (pending as Promise<void>).then === 'function') await pending;
    }
    if (now() - lastYield >= yieldEvery && epoch < epochs - 1) {
      await yieldToEventLoop();
      lastYield = now();
    }
  }
  return history;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** A macrotask turn (not a microtask), so timers, I/O and rendering get to run. */
function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (fn: () => void) => void };
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => g.setImmediate!(resolve));
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
