// The interface every library in the training benchmark implements: one file per library in
// bench/peers/, registered in bench/peers/index.ts. A peer builds a trainer for a workload; the
// bench times `train` calls, interleaved across libraries.
import type { LayerWeights } from '../../src/index';
import { Rng, timeAsync } from '../stats';
import type { Workload } from '../workloads';

export interface TrainRun {
  /** Passes over the first `samples` rows of the workload's data. */
  epochs: number;
  /** `workload.samples`, or (for a slow library) fewer: a whole number of batches. */
  samples: number;
  /** Reshuffle the rows before each pass (seeded); false: rows in order (the check run). */
  shuffle: boolean;
  /** Report the mean loss of the last pass; a library that can skip computing it when not
   *  asked (tfjs) may return NaN otherwise. */
  loss: boolean;
}

/** One timed run: milliseconds of training and the loss `train` returned. */
export interface Timed {
  ms: number;
  loss: number;
}

export interface Trainer {
  /** Called outside the timing before each run (tfjs: select this trainer's backend). */
  activate?(): Promise<void>;
  /** Trains; resolves to the mean loss over the last pass's samples, each batch's loss taken
   *  before its update (NaN when not computed). */
  train(run: TrainRun): Promise<number>;
  /** `activate`, then `train` timed where it runs (an isolated trainer times it inside its
   *  worker thread); without it, the caller times `train`. */
  timedTrain?(run: TrainRun): Promise<Timed>;
  /** Outputs (row-major [rows × outputs]) for the accuracy of the MNIST line. */
  predict(x: Float64Array, rows: number): Promise<Float64Array>;
  /** Anything worth keeping in the JSON (backend, threads, leaked tensors …). */
  info?(): Record<string, unknown>;
  dispose(): void;
}

export interface Peer {
  /** Stable id used by `--libs=` and in the JSON: "tfjs-wasm". */
  id: string;
  /** Column/row label: "tfjs 4.22.0 (wasm)". */
  label: string;
  /** How this library trains (batching, threads, API, precision): printed under the table. */
  notes: string[];
  /** The batch it really trains with, when not the workload's ("1 (online)"). */
  batching?: (w: Workload) => string;
  /** False when the library cannot train the workload's exact model (its loss is not comparable). */
  sameModel: (w: Workload) => boolean;
  /** Loads the library (dynamic imports, backends); called once, before the first build. */
  setup?(): Promise<void>;
  /** Releases what setup started (an isolated peer's worker thread). */
  close?(): Promise<void>;
  /** null when the library can train the workload, otherwise why not. */
  unsupported?(w: Workload): string | null;
  /** A fresh trainer starting from `init` (the shared initial weights). */
  build(w: Workload, init: LayerWeights[]): Promise<Trainer>;
}

/** One `train` call, timed where it runs (`timedTrain`) or here, after `activate` (which is
 *  not timed). */
export async function timeTrain(trainer: Trainer, run: TrainRun): Promise<Timed> {
  if (trainer.timedTrain) return trainer.timedTrain(run);
  await trainer.activate?.();
  let loss = NaN;
  const ms = await timeAsync(async () => {
    loss = await trainer.train(run);
  });
  return { ms, loss };
}

/** A seeded order of `count` row indices: shuffled, or in order. */
export function rowOrder(rng: Rng, count: number, shuffle: boolean): Int32Array {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  if (shuffle) {
    for (let i = count - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
  }
  return order;
}

/** Index of the largest value in each row of a row-major matrix. */
export function argmaxRows(values: ArrayLike<number>, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (values[r * cols + c]! > values[r * cols + best]!) best = c;
    out[r] = best;
  }
  return out;
}

/** Runs `fn` with Math.random replaced by a seeded generator (for libraries that initialise
 *  from Math.random; their initial weights are overwritten anyway, but their builds stay
 *  reproducible). */
export function withSeededRandom<T>(seed: number, fn: () => T): T {
  const original = Math.random;
  const rng = new Rng(seed);
  Math.random = () => rng.next();
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}

/** The installed version of a package, read from its package.json. */
export function packageVersion(require: NodeJS.Require, name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return '?';
  }
}
