// The training worker: owns the data and the network, trains with the library's own `fit`, and
// streams progress to the page. The page never blocks on training.
//
// Pausing and live changes (learning rate, batch size, backend, threads, epoch limit) take
// effect at an epoch boundary: `onEpochEnd` returns false, `fit` resolves, and the loop calls
// `fit` again with the new options. wasmnet's epochs depend only on the generator's state
// ("fit(a) then fit(b) trains exactly as fit(a + b)"), so a paused and resumed run is the same
// run, and a reset (same seed) repeats it exactly. A network moves to another backend or thread
// count through toJSON/fromJSON, which keeps its whole training state; with threads the result
// is the same to the bit, so switching threads mid-run does not change the run either.
import { Network, dense, init, type BackendName, type EpochLogs, type FitOptions, type OptimizerConfig } from '../../../src/index';
import { initThreads } from '../../../src/threads/index';
import { generate, split, type Split } from './datasets';
import { GRID, VIEW, type FromWorker, type HistoryChunk, type ProgressMessage, type Settings, type Speed, type ToWorker } from './protocol';

/** The worker global, typed here so that this file also type-checks with only the DOM lib. */
interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = globalThis as unknown as WorkerScope;

/** Progress goes to the page at most this often while training (ms), or less often when
 *  computing it (mostly the heat-map grid) is slow, so it stays under about a fifth of the time. */
const POST_EVERY = 80;
let postInterval = POST_EVERY;

interface Session {
  generation: number;
  settings: Settings;
  data: Split;
  trainY: Float64Array;
  testY: Float64Array;
  net: Network;
  /** the `threads` option `net` was created with (net.threads is what it got) */
  threads: Settings['threads'];
  /** optimizer steps and samples trained so far */
  batches: number;
  samples: number;
  /** history, and how much of it the page has */
  epoch: number[];
  loss: number[];
  testLoss: number[];
  sent: number;
  /** training time not yet reported, for samples/s */
  speedSamples: number;
  speedMs: number;
}

let session: Session | null = null;
/** The running training loop, if any. */
let training: Promise<void> | null = null;
/** Set to end the running fit at the next epoch boundary: 'pause' stops, 'restart' re-enters
 *  fit with the new live settings. */
let interrupt: 'pause' | 'restart' | null = null;
/** Messages that need the network idle run one after another. */
let queue: Promise<void> = Promise.resolve();

const ready = init();

scope.onmessage = (event) => {
  const message = event.data;
  switch (message.type) {
    case 'pause':
      if (training) interrupt = 'pause';
      return;
    case 'live':
      if (!session) return;
      Object.assign(session.settings, message.settings);
      if (training) interrupt ??= 'restart';
      else enqueue(async () => switchEngine(session!));
      return;
    case 'export':
      // Between epochs (fit yields only there), so the snapshot is consistent even mid-run.
      if (session) scope.postMessage({ type: 'model', json: JSON.stringify(session.net), name: modelName(session) });
      return;
    default:
      enqueue(() => handle(message));
  }
};

function enqueue(task: () => Promise<void> | void): void {
  queue = queue.then(task).catch(report);
}

function report(error: unknown): void {
  scope.postMessage({ type: 'error', generation: session?.generation ?? -1, message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
}

async function handle(message: ToWorker): Promise<void> {
  await ready;
  switch (message.type) {
    case 'reset': {
      await stopTraining();
      session = createSession(message.generation, message.settings);
      const { data } = session;
      scope.postMessage({ type: 'data', generation: session.generation, trainX: data.train.x, trainY: data.train.y, testX: data.test.x, testY: data.test.y });
      post(session, false, 'reset');
      return;
    }
    case 'train':
      if (session && !training) {
        const s = session;
        training = train(s)
          .catch((error: unknown) => {
            // e.g. DivergenceError: the weights are those before the failing batch, so the
            // network can still be shown; the page learns why training stopped.
            interrupt = null;
            report(error);
            post(s, false, 'paused');
          })
          .finally(() => {
            training = null;
          });
      }
      return;
    case 'step':
      await stopTraining();
      if (session) await step(session);
      return;
    case 'import': {
      await stopTraining();
      if (!session) return;
      importModel(session, message.generation, message.json, message.name);
      return;
    }
  }
}

async function stopTraining(): Promise<void> {
  if (!training) return;
  interrupt = 'pause';
  await training;
}

// ---- setting up ------------------------------------------------------------------------------

function createSession(generation: number, settings: Settings): Session {
  const data = split(generate(settings.dataset, settings.samples, settings.noise, settings.seed), settings.testShare);
  return {
    generation,
    settings: { ...settings },
    data,
    trainY: Float64Array.from(data.train.y),
    testY: Float64Array.from(data.test.y),
    net: createNetwork(settings),
    threads: settings.threads,
    batches: 0,
    samples: 0,
    epoch: [],
    loss: [],
    testLoss: [],
    sent: 0,
    speedSamples: 0,
    speedMs: 0,
  };
}

function createNetwork(s: Settings): Network {
  const softmax = s.loss === 'sparseCategoricalCrossentropy';
  return new Network({
    inputSize: 2,
    layers: [
      ...Array.from({ length: s.hiddenLayers }, () => dense(s.units, { activation: s.activation })),
      softmax ? dense(2, { activation: 'softmax' }) : dense(1, { activation: 'sigmoid' }),
    ],
    loss: s.loss,
    optimizer: optimizerConfig(s),
    seed: s.seed,
    backend: s.backend,
    threads: s.threads,
  });
}

function optimizerConfig(s: Settings): OptimizerConfig {
  const learningRate = s.learningRate;
  if (s.optimizer === 'momentum') return { type: 'sgd', learningRate, momentum: 0.9 };
  return { type: s.optimizer, learningRate };
}

/** Moves the network to the backend and threads of the settings, keeping weights and training
 *  state (via toJSON). */
function switchEngine(s: Session): void {
  const { backend, threads } = s.settings;
  if (s.net.backend === backend && s.threads === threads) return;
  const event = s.net.backend === backend ? 'threads' : 'backend';
  s.net = Network.fromJSON(s.net.toJSON(), { backend, threads });
  s.threads = threads;
  post(s, false, event);
}

// ---- training --------------------------------------------------------------------------------

function fitOptions(s: Session, epochs: number): FitOptions {
  return {
    epochs,
    batchSize: s.settings.batchSize,
    learningRate: s.settings.learningRate,
    validationData: [s.data.test.x, s.testY],
    metrics: [], // accuracy is measured on the whole sets when progress is posted
  };
}

/** Records one history entry from fit's epoch logs. */
function record(s: Session, logs: EpochLogs, samples: number): void {
  s.samples += samples;
  s.batches += Math.ceil(samples / Math.min(s.settings.batchSize, s.data.train.count));
  s.epoch.push(s.samples / s.data.train.count);
  s.loss.push(logs.loss);
  s.testLoss.push(logs.valLoss!);
}

async function train(s: Session): Promise<void> {
  interrupt = null;
  post(s, true, 'started');
  let finished = false;
  while (interrupt !== 'pause') {
    interrupt = null;
    switchEngine(s);
    const limit = s.settings.epochs;
    const remaining = limit > 0 ? Math.ceil(limit - s.samples / s.data.train.count - 1e-9) : 1_000_000;
    if (remaining <= 0) {
      finished = true;
      break;
    }
    let lastPost = performance.now();
    let segment = performance.now(); // start of the training time not yet counted
    await s.net.fit(s.data.train.x, s.trainY, {
      ...fitOptions(s, remaining),
      onEpochEnd: (_epoch, logs) => {
        record(s, logs, s.data.train.count);
        s.speedSamples += s.data.train.count;
        const now = performance.now();
        if (now - lastPost >= postInterval) {
          s.speedMs += now - segment;
          post(s, true);
          lastPost = segment = performance.now(); // the time spent posting is not training time
          postInterval = Math.max(POST_EVERY, 4 * (lastPost - now));
        }
        return interrupt === null;
      },
    });
    s.speedMs += performance.now() - segment;
    if (interrupt === null) {
      finished = true; // fit ran all its epochs: the limit is reached
      break;
    }
  }
  interrupt = null;
  post(s, false, finished ? 'done' : 'paused');
}

/** One batch: a fit of one epoch that onBatchEnd stops after its first batch (the library then
 *  validates and records that partial epoch). */
async function step(s: Session): Promise<void> {
  switchEngine(s);
  let size = 0;
  await s.net.fit(s.data.train.x, s.trainY, {
    ...fitOptions(s, 1),
    onBatchEnd: (_batch, logs) => {
      size = logs.size;
      return false;
    },
    onEpochEnd: (_epoch, logs) => record(s, logs, size),
  });
  post(s, false, 'step'); // (a single batch is not counted in samples/s: fit's setup would dominate)
}

// ---- import and export -----------------------------------------------------------------------

function modelName(s: Session): string {
  return `wasmnet-${s.settings.dataset}-${shape(s.net)}-epoch${Math.round(s.samples / s.data.train.count)}.json`;
}

function shape(net: Network): string {
  return [net.inputSize, ...net.layers.flatMap((l) => (l.type === 'dense' ? [l.units] : []))].join('-');
}

function importModel(s: Session, generation: number, json: string, name: string): void {
  const net = Network.fromJSON(json, { backend: s.settings.backend, threads: s.settings.threads });
  const dense = net.layers.filter((l) => l.type === 'dense');
  const out = dense[dense.length - 1]!;
  const binary = out.units === 1 && out.activation === 'sigmoid';
  const softmax = out.units === 2 && out.activation === 'softmax' && net.loss === 'sparseCategoricalCrossentropy';
  if (net.inputSize !== 2 || !(binary || softmax)) {
    throw new Error(
      `${name} is a ${shape(net)} network with a ${out.activation} output and ${net.loss} loss; the playground needs 2 inputs and either one sigmoid output or two softmax outputs with sparseCategoricalCrossentropy`,
    );
  }
  const hidden = dense.slice(0, -1);
  const settings: Partial<Settings> = {
    hiddenLayers: hidden.length,
    loss: net.loss as Settings['loss'],
    learningRate: net.optimizer.learningRate,
    // not the model's seed: the data on screen keeps the seed it was generated from
  };
  const notes: string[] = [];
  if (hidden.length > 0) {
    settings.units = hidden[0]!.units;
    settings.activation = hidden[0]!.activation;
    if (hidden.some((l) => l.units !== hidden[0]!.units || l.activation !== hidden[0]!.activation)) {
      notes.push('its hidden layers differ in width or activation; the controls show the first');
    }
  }
  if (net.layers.some((l) => l.type === 'dropout')) notes.push('it has dropout layers');
  const o = net.optimizer as { type: string; momentum?: number; nesterov?: boolean };
  settings.optimizer = (o.type === 'sgd' && (o.momentum ?? 0) > 0 ? 'momentum' : o.type) as Settings['optimizer'];
  if (!['mse', 'huber', 'binaryCrossentropy', 'sparseCategoricalCrossentropy'].includes(net.loss)) notes.push(`its loss is ${net.loss}`);
  s.generation = generation;
  s.net = net;
  s.threads = s.settings.threads;
  Object.assign(s.settings, settings);
  s.batches = 0;
  s.samples = 0;
  s.epoch = [];
  s.loss = [];
  s.testLoss = [];
  s.sent = 0;
  s.speedSamples = 0;
  s.speedMs = 0;
  scope.postMessage({ type: 'imported', generation, name, settings, note: notes.join('; ') });
  post(s, false, 'imported');
}

// ---- progress --------------------------------------------------------------------------------

/** P(class 1) for every row of x. */
function probabilities(net: Network, x: Float64Array): Float64Array {
  const out = net.predict(x);
  if (net.outputSize === 1) return out.map((p) => Math.min(1, Math.max(0, p)));
  const p = new Float64Array(out.length / 2);
  for (let i = 0; i < p.length; i++) p[i] = out[i * 2 + 1]!;
  return p;
}

function accuracy(p: Float64Array, labels: Uint8Array): number {
  let correct = 0;
  for (let i = 0; i < p.length; i++) if ((p[i]! >= 0.5 ? 1 : 0) === labels[i]) correct++;
  return correct / p.length;
}

const gridX = new Float64Array(GRID * GRID * 2);
for (let row = 0; row < GRID; row++) {
  for (let col = 0; col < GRID; col++) {
    const i = (row * GRID + col) * 2;
    gridX[i] = -VIEW + ((col + 0.5) / GRID) * 2 * VIEW;
    gridX[i + 1] = VIEW - ((row + 0.5) / GRID) * 2 * VIEW;
  }
}

function post(s: Session, running: boolean, event?: ProgressMessage['event']): void {
  const { net, data } = s;
  const history: HistoryChunk = {
    from: s.sent,
    epoch: s.epoch.slice(s.sent),
    loss: s.loss.slice(s.sent),
    testLoss: s.testLoss.slice(s.sent),
  };
  s.sent = s.epoch.length;
  const test = net.evaluate(data.test.x, s.testY);
  const train = net.evaluate(data.train.x, s.trainY);
  let speed: Speed | undefined;
  if (s.speedSamples > 0 && s.speedMs > 0) {
    speed = { backend: net.backend, threads: net.threads, job: job(s), samples: s.speedSamples, ms: s.speedMs };
    s.speedSamples = 0;
    s.speedMs = 0;
  }
  const grid = probabilities(net, gridX);
  const message: ProgressMessage = {
    type: 'progress',
    generation: s.generation,
    running,
    event,
    epoch: s.samples / data.train.count,
    batches: s.batches,
    history,
    trainAccuracy: accuracy(probabilities(net, data.train.x), data.train.y),
    testAccuracy: accuracy(probabilities(net, data.test.x), data.test.y),
    trainLoss: train.loss,
    testLoss: test.loss,
    grid,
    speed,
    backend: net.backend as BackendName,
    threads: net.threads,
    shape: shape(net),
    params: net.paramCount,
  };
  scope.postMessage(message, [grid.buffer]);
}

/** What a samples/s figure measured: the same job on both backends, or on any number of
 *  threads, is comparable. */
function job(s: Session): string {
  return `${shape(s.net)} ${s.net.layers[0]?.type === 'dense' ? s.net.layers[0].activation : ''}, ${s.data.train.count} samples, batch ${Math.min(s.settings.batchSize, s.data.train.count)}`;
}

const here = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
// The thread pool starts before the page hears 'ready' (it sends nothing before that), so every
// network made here may use threads; where they cannot run this resolves to 1.
void initThreads().then(() =>
  scope.postMessage({ type: 'ready', isolated: here.crossOriginIsolated === true, cores: here.navigator?.hardwareConcurrency ?? 1 }),
);
