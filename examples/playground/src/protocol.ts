// Messages between the page (main.ts) and the training worker (worker.ts), and the settings
// both sides share. Every message that changes what is being trained carries a `generation`
// chosen by the page; the worker stamps its answers with it, so the page can drop answers
// still in flight from before a reset or an import.
import type { ActivationName, BackendName } from '../../../src/index';

export type DatasetName = 'xor' | 'circles' | 'spirals' | 'blobs';
/** Losses offered for the two classes: a sigmoid output for binaryCrossentropy, mse and huber
 *  (targets 0/1), two softmax outputs for sparseCategoricalCrossentropy (class indices). */
export type LossChoice = 'binaryCrossentropy' | 'sparseCategoricalCrossentropy' | 'mse' | 'huber';
/** 'momentum' is SGD with momentum 0.9. */
export type OptimizerChoice = 'adam' | 'adamw' | 'sgd' | 'momentum' | 'rmsprop' | 'adagrad';

export interface Settings {
  dataset: DatasetName;
  /** points in the data set (train + test) */
  samples: number;
  /** jitter added to every point, as a fraction of the data's extent (0–0.5) */
  noise: number;
  /** share of the points held out for testing (0.1–0.9) */
  testShare: number;
  /** seeds the data generator and the network (initial weights, shuffles) */
  seed: number;
  hiddenLayers: number;
  units: number;
  activation: ActivationName;
  loss: LossChoice;
  optimizer: OptimizerChoice;
  learningRate: number;
  batchSize: number;
  backend: BackendName;
  /** the network's `threads` option: a count, or 'auto' (the machine's cores). The network uses
   *  fewer where threads cannot run (not cross-origin isolated, js backend); the result is the
   *  same to the bit for any count. */
  threads: number | 'auto';
  /** training stops at this epoch (0: no limit) */
  epochs: number;
}

/** Settings that apply to the running network without a reset (at the next epoch boundary). */
export const LIVE_SETTINGS = ['learningRate', 'batchSize', 'backend', 'threads', 'epochs'] as const;

/** Side of the square grid on which the worker evaluates the network for the heat map. */
export const GRID = 80;
/** The part of the plane the heat map shows: [-VIEW, VIEW]² (the data lies in about [-1, 1]²). */
export const VIEW = 1.2;

export type ToWorker =
  /** New data and a new network from the settings' seed; history cleared. */
  | { type: 'reset'; generation: number; settings: Settings }
  /** Train until the settings' epoch limit (or until paused). */
  | { type: 'train' }
  /** Stop at the end of the current epoch. */
  | { type: 'pause' }
  /** Train one batch (a fit call stopped after its first batch). */
  | { type: 'step' }
  /** Change learning rate, batch size, backend, threads or epoch limit without a reset. */
  | { type: 'live'; settings: Pick<Settings, (typeof LIVE_SETTINGS)[number]> }
  /** Ask for the model as JSON (answered with 'model'). */
  | { type: 'export' }
  /** Replace the network with a saved one (its history starts anew). */
  | { type: 'import'; generation: number; json: string; name: string };

export interface DataMessage {
  type: 'data';
  generation: number;
  /** rows of (x, y), row-major */
  trainX: Float64Array;
  trainY: Uint8Array;
  testX: Float64Array;
  testY: Uint8Array;
}

/** History entries since the previous progress message. */
export interface HistoryChunk {
  /** index of the first entry */
  from: number;
  /** position of each entry in epochs: samples trained so far / training samples */
  epoch: number[];
  loss: number[];
  testLoss: number[];
}

export interface Speed {
  backend: BackendName;
  /** threads the network used (net.threads) */
  threads: number;
  /** identifies what was trained (architecture, data size, batch size), so backends and
   *  thread counts are compared on the same job */
  job: string;
  samples: number;
  ms: number;
}

export interface ProgressMessage {
  type: 'progress';
  generation: number;
  running: boolean;
  /** why this message was sent when it is not a periodic update */
  event?: 'reset' | 'started' | 'paused' | 'done' | 'step' | 'imported' | 'backend' | 'threads';
  /** samples trained / training samples */
  epoch: number;
  /** optimizer steps so far */
  batches: number;
  history: HistoryChunk;
  trainAccuracy: number;
  testAccuracy: number;
  trainLoss: number;
  testLoss: number;
  /** P(class 1) on a GRID×GRID grid over [-VIEW, VIEW]², row by row from the top */
  grid: Float64Array;
  /** training throughput since the previous message (absent if nothing was trained) */
  speed?: Speed;
  backend: BackendName;
  /** threads the network uses (net.threads) */
  threads: number;
  /** network shape, e.g. "2-16-16-16-1", and parameter count */
  shape: string;
  params: number;
}

export interface ModelMessage {
  type: 'model';
  json: string;
  name: string;
}

export interface ImportedMessage {
  type: 'imported';
  generation: number;
  name: string;
  /** the settings the imported model corresponds to, where the page can show them */
  settings: Partial<Settings>;
  /** what the page's controls cannot show (e.g. layers of different widths) */
  note: string;
}

export interface ErrorMessage {
  type: 'error';
  generation: number;
  message: string;
}

/** The worker has loaded. `isolated`: its `crossOriginIsolated` (threads can run only where it
 *  is true); `cores`: navigator.hardwareConcurrency there, what threads: 'auto' uses. */
export interface ReadyMessage {
  type: 'ready';
  isolated: boolean;
  cores: number;
}

export type FromWorker = DataMessage | ProgressMessage | ModelMessage | ImportedMessage | ErrorMessage | ReadyMessage;
