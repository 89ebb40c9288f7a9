// The page: settings, buttons and drawing. All training happens in worker.ts; this side only
// sends commands and draws what comes back, so the page stays responsive while a network trains.
import type { BackendName } from '../../../src/index';
import { generate } from './datasets';
import { LIVE_SETTINGS, type DatasetName, type FromWorker, type ProgressMessage, type Settings, type Speed, type ToWorker } from './protocol';
import { drawChart, drawHeatmap, drawThumbnail, type PointSet } from './render';

const DEFAULTS: Settings = {
  dataset: 'spirals',
  samples: 400,
  noise: 0.05,
  testShare: 0.5,
  seed: 1,
  hiddenLayers: 3,
  units: 16,
  activation: 'relu',
  loss: 'binaryCrossentropy',
  optimizer: 'adam',
  learningRate: 0.01,
  batchSize: 16,
  backend: 'wasm',
  threads: 1,
  epochs: 300,
};
/** Network presets: the default small network, and one large enough for threads to matter (its
 *  256×256 products, 32 rows × 256 × 256 ≈ 2.1 million multiply-adds a batch, are far above the
 *  2^17 from which wasmnet splits a product across threads). */
const PRESETS = {
  small: { hiddenLayers: 3, units: 16, samples: 400, batchSize: 16, learningRate: 0.01 },
  large: { hiddenLayers: 2, units: 256, samples: 2000, batchSize: 32, learningRate: 0.003 },
} satisfies Record<string, Partial<Settings>>;
type PresetName = keyof typeof PRESETS;
/** Most threads a network uses (wasmnet's limit). */
const MAX_THREADS = 64;
const DATASETS: readonly DatasetName[] = ['xor', 'circles', 'spirals', 'blobs'];

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element as T;
};

/** Elements matching a selector, as an array (no DOM.Iterable needed). */
const all = (selector: string): HTMLButtonElement[] => Array.from(document.querySelectorAll<HTMLButtonElement>(selector));

// ---- state -----------------------------------------------------------------------------------

const settings: Settings = readQuery();
let generation = 0;
let running = false;
let data: { train: PointSet; test: PointSet } | null = null;
let last: ProgressMessage | null = null;
const curves = { epoch: [] as number[], loss: [] as number[], testLoss: [] as number[] };
/** Throughput measurements per job and engine (the most recent ones): job → engine → list, where
 *  the engine is the backend and thread count (engineName). */
const speeds = new Map<string, Map<string, Speed[]>>();
let currentJob = '';
let rate: { engine: string; value: number } | null = null;
/** What the worker found: whether it is cross-origin isolated (threads can run), and its cores. */
let isolated = globalThis.crossOriginIsolated === true;
let cores = Math.max(1, Math.min(MAX_THREADS, navigator.hardwareConcurrency || 1));
/** For tests and the screenshot script: counts of what arrived and what was drawn. */
let received = 0;
let drawn = 0;
const events: string[] = [];
const errors: string[] = [];
/** The last command failed (e.g. training diverged); cleared when a new run starts. */
let failed = false;
let ready = false;

const worker = startWorker();
const send = (message: ToWorker) => worker?.postMessage(message);

function startWorker(): Worker | null {
  try {
    return new Worker('worker.js');
  } catch (error) {
    // Typically a page opened from a file: URL, where browsers refuse to start workers.
    const reason = error instanceof Error ? error.message : String(error);
    errors.push(reason);
    failed = true;
    queueMicrotask(() =>
      say(`The training worker could not start (${reason}). Serve this folder over HTTP, e.g. with \`npm run playground\` or any static file server.`, true),
    );
    return null;
  }
}

// ---- settings <-> controls and URL -------------------------------------------------------------

function readQuery(): Settings {
  const s: Settings = { ...DEFAULTS };
  const q = new URLSearchParams(location.search);
  const num = (key: keyof Settings, lo: number, hi: number, integer = true) => {
    const raw = q.get(key);
    if (raw === null || raw.trim() === '') return;
    const v = Number(raw);
    if (Number.isFinite(v) && v >= lo && v <= hi && (!integer || Number.isInteger(v))) (s as unknown as Record<string, number>)[key] = v;
  };
  const pick = <K extends keyof Settings>(key: K, id: string) => {
    const raw = q.get(key);
    const options = Array.from($<HTMLSelectElement>(id).options, (o) => o.value);
    if (raw !== null && options.includes(raw)) (s as unknown as Record<string, string>)[key] = raw;
  };
  const dataset = q.get('dataset');
  if (dataset && (DATASETS as readonly string[]).includes(dataset)) s.dataset = dataset as DatasetName;
  num('samples', 10, 5000);
  num('noise', 0, 0.5, false);
  num('testShare', 0.1, 0.9, false);
  num('seed', 0, 4294967295);
  num('hiddenLayers', 0, 6);
  num('units', 1, 256);
  num('learningRate', 1e-6, 10, false);
  num('batchSize', 1, 4096);
  num('epochs', 0, 1e6);
  pick('activation', 'activation');
  pick('loss', 'loss');
  pick('optimizer', 'optimizer');
  const backend = q.get('backend');
  if (backend === 'wasm' || backend === 'js') s.backend = backend;
  const threads = q.get('threads');
  if (threads === 'auto') s.threads = 'auto';
  else num('threads', 1, MAX_THREADS);
  return s;
}

function writeQuery(): void {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(settings)) {
    if (value !== DEFAULTS[key as keyof Settings]) q.set(key, String(value));
  }
  const search = q.toString();
  history.replaceState(null, '', search ? `?${search}` : location.pathname);
}

/** Adds an option for a value the list lacks (from the URL or an imported model). */
function selectValue(select: HTMLSelectElement, value: string): void {
  if (!Array.from(select.options).some((o) => o.value === value)) select.add(new Option(value, value));
  select.value = value;
}

function showSettings(): void {
  for (const button of all('#datasets button')) {
    button.classList.toggle('selected', button.dataset.dataset === settings.dataset);
  }
  $<HTMLInputElement>('noise').value = String(Math.round(settings.noise * 100));
  $('noise-out').textContent = `${Math.round(settings.noise * 100)}%`;
  $<HTMLInputElement>('testShare').value = String(Math.round(settings.testShare * 100));
  $('testShare-out').textContent = `${Math.round(settings.testShare * 100)}%`;
  selectValue($<HTMLSelectElement>('samples'), String(settings.samples));
  $<HTMLInputElement>('seed').value = String(settings.seed);
  $<HTMLInputElement>('hiddenLayers').value = String(settings.hiddenLayers);
  $<HTMLInputElement>('units').value = String(settings.units);
  $<HTMLInputElement>('units').disabled = settings.hiddenLayers === 0;
  $<HTMLSelectElement>('activation').disabled = settings.hiddenLayers === 0;
  selectValue($<HTMLSelectElement>('activation'), settings.activation);
  selectValue($<HTMLSelectElement>('loss'), settings.loss);
  selectValue($<HTMLSelectElement>('optimizer'), settings.optimizer);
  selectValue($<HTMLSelectElement>('learningRate'), String(settings.learningRate));
  selectValue($<HTMLSelectElement>('batchSize'), String(settings.batchSize));
  for (const button of all('#backend button')) {
    const on = button.dataset.backend === settings.backend;
    button.classList.toggle('selected', on);
    button.setAttribute('aria-checked', String(on));
  }
  for (const button of all('#presets button')) {
    const preset = PRESETS[button.dataset.preset as PresetName];
    button.classList.toggle('selected', Object.entries(preset).every(([k, v]) => settings[k as keyof Settings] === v));
  }
  showThreads();
  $<HTMLInputElement>('epochs').value = String(settings.epochs);
}

/** The threads control: 1 … the worker's cores (at least 2, so that one core still shows what
 *  threads cost there), and 'auto'; disabled, with the reason, where threads cannot run (the
 *  network then runs on one thread, never an error). */
function showThreads(): void {
  const select = $<HTMLSelectElement>('threads');
  const most = Math.max(2, cores);
  const options = [...Array.from({ length: most }, (_, i) => String(i + 1)), 'auto'];
  if (select.options.length !== options.length || select.options[most]?.value !== 'auto') {
    select.replaceChildren(...options.map((v) => new Option(v === 'auto' ? `auto (${cores})` : v, v)));
  }
  selectValue(select, String(settings.threads));
  select.disabled = !isolated;
  const note = $('threads-note');
  if (!isolated) {
    note.textContent =
      'One thread: this page is not cross-origin isolated. Served with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp, it trains on several.';
  } else if (settings.backend === 'js') {
    note.textContent = 'The js backend runs on one thread; threads apply to wasm.';
  } else {
    note.textContent = 'The same result on any number of threads. Only large products are split: try 2-256-256-1.';
  }
  note.classList.toggle('warning', !isolated);
}

function drawThumbnails(): void {
  for (const button of all('#datasets button')) {
    const points = generate(button.dataset.dataset as DatasetName, 200, settings.noise, settings.seed);
    drawThumbnail(button.querySelector('canvas')!, points);
  }
}

/** A setting changed: live ones go to the running network, the others start a new one. */
function change(update: Partial<Settings>): void {
  const changed = (Object.keys(update) as (keyof Settings)[]).filter((k) => update[k] !== settings[k]);
  if (changed.length === 0) return;
  Object.assign(settings, update);
  showSettings();
  writeQuery();
  if (changed.some((k) => k === 'noise' || k === 'seed')) drawThumbnails();
  if (changed.every((k) => (LIVE_SETTINGS as readonly string[]).includes(k))) {
    const { learningRate, batchSize, backend, threads, epochs } = settings;
    send({ type: 'live', settings: { learningRate, batchSize, backend, threads, epochs } });
  } else {
    reset();
  }
}

function reset(): void {
  generation += 1;
  running = false;
  data = null;
  last = null;
  curves.epoch.length = curves.loss.length = curves.testLoss.length = 0;
  say('');
  send({ type: 'reset', generation, settings: { ...settings } });
  showStatus();
}

function bindControls(): void {
  for (const button of all('#datasets button')) {
    button.addEventListener('click', () => change({ dataset: button.dataset.dataset as DatasetName }));
  }
  for (const button of all('#backend button')) {
    button.addEventListener('click', () => change({ backend: button.dataset.backend as BackendName }));
  }
  for (const button of all('#presets button')) {
    button.addEventListener('click', () => change({ ...PRESETS[button.dataset.preset as PresetName] }));
  }
  $<HTMLSelectElement>('threads').addEventListener('change', () => {
    const value = $<HTMLSelectElement>('threads').value;
    change({ threads: value === 'auto' ? 'auto' : Number(value) });
  });
  const range = (id: 'noise' | 'testShare') => {
    const input = $<HTMLInputElement>(id);
    input.addEventListener('input', () => ($(`${id}-out`).textContent = `${input.value}%`));
    input.addEventListener('change', () => change({ [id]: Number(input.value) / 100 }));
  };
  range('noise');
  range('testShare');
  const integer = (id: 'seed' | 'hiddenLayers' | 'units' | 'epochs', lo: number, hi: number) => {
    const input = $<HTMLInputElement>(id);
    input.addEventListener('change', () => {
      const v = Math.round(Number(input.value));
      if (Number.isFinite(v) && v >= lo && v <= hi) change({ [id]: v });
      else input.value = String(settings[id]);
    });
  };
  integer('seed', 0, 4294967295);
  integer('hiddenLayers', 0, 6);
  integer('units', 1, 256);
  integer('epochs', 0, 1_000_000);
  const select = (id: 'samples' | 'learningRate' | 'batchSize' | 'activation' | 'loss' | 'optimizer', numeric: boolean) => {
    const input = $<HTMLSelectElement>(id);
    input.addEventListener('change', () => change({ [id]: numeric ? Number(input.value) : input.value }));
  };
  select('samples', true);
  select('learningRate', true);
  select('batchSize', true);
  select('activation', false);
  select('loss', false);
  select('optimizer', false);
  $<HTMLInputElement>('showTest').addEventListener('change', scheduleDraw);

  $('train').addEventListener('click', toggleTraining);
  $('step').addEventListener('click', () => send({ type: 'step' }));
  $('reset').addEventListener('click', reset);
  $('export').addEventListener('click', () => send({ type: 'export' }));
  $('import').addEventListener('click', () => $<HTMLInputElement>('import-file').click());
  $<HTMLInputElement>('import-file').addEventListener('change', async () => {
    const input = $<HTMLInputElement>('import-file');
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    send({ type: 'import', generation: generation + 1, json: await file.text(), name: file.name });
  });
  document.addEventListener('keydown', (event) => {
    const target = event.target as HTMLElement;
    if (event.code === 'Space' && !['INPUT', 'SELECT', 'BUTTON', 'TEXTAREA'].includes(target.tagName)) {
      event.preventDefault();
      toggleTraining();
    }
  });
  addEventListener('resize', scheduleDraw);
}

function toggleTraining(): void {
  if (!ready) return;
  if (running) {
    send({ type: 'pause' });
    return;
  }
  if (settings.epochs > 0 && (last?.epoch ?? 0) >= settings.epochs - 1e-9) {
    say(`Reached the limit of ${settings.epochs} epochs: raise "Stop at epoch" (or set it to 0 for no limit) to train on.`);
    return;
  }
  running = true; // until the worker says otherwise
  showStatus();
  send({ type: 'train' });
}

// ---- messages from the worker ----------------------------------------------------------------

if (worker) worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'ready':
      ready = true;
      isolated = message.isolated;
      cores = Math.max(1, Math.min(MAX_THREADS, message.cores));
      showThreads();
      reset();
      return;
    case 'data':
      if (message.generation !== generation) return;
      data = { train: { x: message.trainX, y: message.trainY }, test: { x: message.testX, y: message.testY } };
      scheduleDraw();
      return;
    case 'progress':
      if (message.generation !== generation) return;
      progress(message);
      return;
    case 'model':
      download(message.name, message.json);
      say(`Exported ${message.name} (${(message.json.length / 1024).toFixed(1)} KB): load it with Network.fromJSON, or with Import model.`);
      return;
    case 'imported':
      generation = message.generation;
      Object.assign(settings, message.settings);
      curves.epoch.length = curves.loss.length = curves.testLoss.length = 0;
      showSettings();
      writeQuery();
      say(`Imported ${message.name}${message.note ? ` (${message.note})` : ''}. Training continues from its weights on the current data.`);
      return;
    case 'error':
      errors.push(message.message);
      failed = true;
      running = false;
      say(message.message, true);
      showStatus();
      return;
  }
};
if (worker) worker.onerror = (event) => {
  errors.push(`worker: ${event.message}`);
  say(`The training worker failed: ${event.message}`, true);
};

function progress(m: ProgressMessage): void {
  received += 1;
  if (m.event) events.push(m.event);
  if (m.event === 'reset' || m.event === 'started' || m.event === 'step' || m.event === 'imported') failed = false;
  running = m.running;
  const h = m.history;
  if (h.from < curves.epoch.length) {
    curves.epoch.length = curves.loss.length = curves.testLoss.length = h.from;
  }
  curves.epoch.push(...h.epoch);
  curves.loss.push(...h.loss);
  curves.testLoss.push(...h.testLoss);
  last = m;
  if (m.speed) addSpeed(m.speed);
  if (m.event === 'done') say(`Trained to epoch ${formatEpoch(m.epoch)}: test accuracy ${percent(m.testAccuracy)}.`);
  showNumbers();
  showStatus();
  scheduleDraw();
}

/** "wasm", "wasm, 2 threads" or "js": what a speed was measured on. */
function engineName(backend: BackendName, threads: number): string {
  return threads > 1 ? `${backend}, ${threads} threads` : backend;
}

function addSpeed(speed: Speed): void {
  const byEngine = speeds.get(speed.job) ?? new Map<string, Speed[]>();
  const engine = engineName(speed.backend, speed.threads);
  const list = byEngine.get(engine) ?? [];
  list.push(speed);
  if (list.length > 100) list.splice(0, list.length - 100);
  byEngine.set(engine, list);
  speeds.set(speed.job, byEngine);
  currentJob = speed.job;
  rate = { engine, value: recentRate(list) };
}

/** samples/s over about the last second of training in a list of measurements: recent enough
 *  to follow changes, long enough to be steady, and past the engine's warm-up (V8 first runs
 *  WebAssembly with its baseline compiler and swaps in optimised code while it runs). */
function recentRate(list: readonly Speed[]): number {
  let samples = 0;
  let ms = 0;
  for (let i = list.length - 1; i >= 0 && ms < 1000; i--) {
    samples += list[i]!.samples;
    ms += list[i]!.ms;
  }
  return (samples / ms) * 1000;
}

// ---- display ---------------------------------------------------------------------------------

const percent = (v: number) => `${(v * 100).toFixed(1)}%`;
const formatEpoch = (e: number) => (Math.abs(e - Math.round(e)) < 1e-9 ? String(Math.round(e)) : e.toFixed(2));
const formatRate = (v: number) => `${Math.round(v).toLocaleString('en-US')} samples/s`;

function say(text: string, error = false): void {
  const p = $('message');
  p.textContent = text;
  p.classList.toggle('error', error);
}

function showStatus(): void {
  const badge = $('status');
  const state = failed && !running ? 'error' : !ready ? 'loading' : running ? 'training' : last?.event === 'done' ? 'done' : (last?.epoch ?? 0) > 0 ? 'paused' : 'ready';
  badge.textContent = state;
  badge.className = `badge ${state === 'training' ? 'running' : state}`;
  $('train').querySelector('.icon')!.textContent = running ? '❚❚' : '▶';
  $('train').querySelector('.label')!.textContent = running ? 'Pause' : 'Train';
  $('epoch').textContent = formatEpoch(last?.epoch ?? 0);
  $('batches').textContent = (last?.batches ?? 0).toLocaleString('en-US');
}

function showNumbers(): void {
  if (!last) return;
  $('testAccuracy').textContent = percent(last.testAccuracy);
  $('trainAccuracy').textContent = percent(last.trainAccuracy);
  $('testLoss').textContent = last.testLoss.toFixed(4);
  $('trainLoss').textContent = last.trainLoss.toFixed(4);
  const threads = `${last.threads} thread${last.threads === 1 ? '' : 's'}`;
  $('shape').textContent = `${last.shape} network · ${last.params.toLocaleString('en-US')} parameters · ${last.backend} backend · ${threads}`;
  $('rate').textContent = rate ? `${formatRate(rate.value)} (${rate.engine})` : '–';

  // One row per engine measured on the current job: wasm on 1, 2, … threads, then js.
  const job = speeds.get(currentJob) ?? new Map<string, Speed[]>();
  const engines = [...job.entries()].sort(([, a], [, b]) => (a[0]!.backend === b[0]!.backend ? a[0]!.threads - b[0]!.threads : a[0]!.backend === 'wasm' ? -1 : 1));
  const rows = $('speed-table').querySelector('tbody')!;
  rows.replaceChildren();
  for (const [engine, list] of engines) {
    const tr = document.createElement('tr');
    tr.innerHTML = '<td></td><td class="num"></td>';
    tr.cells[0]!.textContent = engine;
    tr.cells[1]!.textContent = formatRate(recentRate(list));
    rows.append(tr);
  }
  const note = $('speed-note');
  const sentences: string[] = [];
  const wasm = job.get('wasm');
  const js = job.get('js');
  if (wasm && js) {
    const ratio = recentRate(wasm) / recentRate(js);
    sentences.push(`wasm trains ${ratio.toFixed(1)}× ${ratio >= 1 ? 'faster' : 'as fast'} than js`);
    note.dataset.ratio = String(ratio);
  } else {
    delete note.dataset.ratio;
  }
  // Threads against one thread: the most threads measured on this job.
  const threaded = engines.filter(([, list]) => list[0]!.backend === 'wasm' && list[0]!.threads > 1).at(-1);
  if (wasm && threaded) {
    const ratio = recentRate(threaded[1]) / recentRate(wasm);
    sentences.push(`${threaded[1][0]!.threads} threads train ${ratio.toFixed(2)}× as fast as 1`);
    note.dataset.threadsRatio = String(ratio);
  } else {
    delete note.dataset.threadsRatio;
  }
  if (sentences.length > 0) {
    note.textContent = `On this job (${currentJob}; the last second of training on each): ${sentences.join('; ')}.`;
  } else if (engines.length > 0) {
    note.textContent = `Training throughput of fit (validation included) on ${currentJob}. Switch the backend or the threads while it trains to compare.`;
  } else {
    note.textContent = '';
  }
}

let drawQueued = false;
function scheduleDraw(): void {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => {
    drawQueued = false;
    drawHeatmap($<HTMLCanvasElement>('heatmap'), last?.grid ?? null, data?.train ?? null, data?.test ?? null, $<HTMLInputElement>('showTest').checked);
    drawChart($<HTMLCanvasElement>('chart'), curves);
    drawn = received;
  });
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// ---- a read-only view for automation (test/playground, the README screenshot) ----------------

(globalThis as unknown as { playground: unknown }).playground = {
  get ready() {
    return ready && last !== null && drawn === received;
  },
  get running() {
    return running;
  },
  get generation() {
    return generation;
  },
  get settings() {
    return { ...settings };
  },
  get epoch() {
    return last?.epoch ?? 0;
  },
  get batches() {
    return last?.batches ?? 0;
  },
  get history() {
    return { epoch: [...curves.epoch], loss: [...curves.loss], testLoss: [...curves.testLoss] };
  },
  get last() {
    return last && { ...last, grid: Array.from(last.grid) };
  },
  get received() {
    return received;
  },
  get drawn() {
    return drawn;
  },
  get events() {
    return [...events];
  },
  get errors() {
    return [...errors];
  },
  get speeds() {
    return Object.fromEntries([...speeds].map(([job, byEngine]) => [job, Object.fromEntries([...byEngine].map(([engine, list]) => [engine, recentRate(list)]))]));
  },
  /** the training worker's crossOriginIsolated, and the cores it reported */
  get isolated() {
    return isolated;
  },
  get cores() {
    return cores;
  },
};

showSettings();
bindControls();
drawThumbnails();
showStatus();
drawChart($<HTMLCanvasElement>('chart'), curves);
