// The playground in a real browser (`npm run test:playground`): builds examples/playground,
// serves it on 127.0.0.1, and drives it in headless Chromium (Debian's, via playwright-core):
// loads the page, trains two spirals for a fixed number of epochs and checks the test accuracy
// the page reports, checks that the heat map is drawn and changes, that reset (same seed)
// repeats the run loss for loss, that a run paused at an epoch limit and resumed is the same
// run, that an exported model imported again predicts the same, that pause and step work, that
// the page stays responsive while training, that the wasm-vs-js speed readout appears, that
// the page is cross-origin isolated and a network with threads: 2 runs on two threads, giving
// the large preset the same losses and weights as one thread (also when switched mid-run), that
// without the isolation headers threads fall back to one and the control says why, that the
// other data sets learn, and that a diverging run and a file: page explain themselves.
// Screenshots go to test/playground/output/ (or --out), printed at the start.
//
// Usage: node test/playground/run.mjs [--json report.json] [--out dir] [--no-build]
// Writes a report scripts/ci-summary.mjs reads (the same shape as test/runtimes/run.mjs's).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Checks, parseArgs } from '../../scripts/package-tools.mjs';
import { CSP, ISOLATION_HEADERS, buildPlayground, defaultOut } from '../../scripts/playground-build.mjs';
import { serveStatic } from '../../scripts/playground-serve.mjs';
import { launch, openPage, settled, trainToLimit } from './browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
const out = resolve(typeof args.out === 'string' ? args.out : join(here, 'output'));
mkdirSync(out, { recursive: true });
const checks = new Checks('playground (Chromium)');
const started = Date.now();
const EPOCHS = 200;
/** The spiral run the test trains: every setting explicit, so the page's defaults may change. */
const SPIRALS = {
  dataset: 'spirals', samples: 400, noise: 0.05, testShare: 0.5, seed: 1, hiddenLayers: 3, units: 16, activation: 'relu',
  loss: 'binaryCrossentropy', optimizer: 'adam', learningRate: 0.01, batchSize: 16, backend: 'wasm', epochs: EPOCHS,
};
/** The large preset's run: epochs on one thread and on two (switched at the half in a third run). */
const LARGE_EPOCHS = 4;
const facts = {}; // numbers for the summary at the end

console.log(`== playground in Chromium (screenshots in ${relative(process.cwd(), out) || '.'})`);

// A hung browser must not hang CI: after 4 minutes, report a failure and stop.
const WATCHDOG_MS = 240_000;
setTimeout(() => {
  checks.results.push({ name: 'the whole run', ok: false, error: `did not finish within ${WATCHDOG_MS / 1000} s` });
  console.log(`  ✗ the whole run did not finish within ${WATCHDOG_MS / 1000} s`);
  checks.finish(args.json ? resolve(args.json) : undefined);
  process.exit(1);
}, WATCHDOG_MS).unref();

let session;
let page;
let problems = [];
const ok = await checks.check('build the playground and open it in Chromium', async () => {
  if (!args['no-build']) {
    const { files, ms } = await buildPlayground({ quiet: true });
    facts.build = `${ms} ms, ${files.map((f) => `${f.name} ${(f.bytes / 1024).toFixed(1)} KB`).join(', ')}`;
  }
  session = await launch(defaultOut);
  // Open on XOR, then pick Spirals with its button: the control → reset path is part of the test.
  const query = new URLSearchParams({ ...SPIRALS, dataset: 'xor' });
  ({ page, problems } = await openPage(session.browser, `${session.url}?${query}`));
  await page.click('[data-dataset="spirals"]');
  await waitFor(() => globalThis.playground.settings.dataset === 'spirals' && globalThis.playground.events.length === 2);
  await settled(page);
  await page.screenshot({ path: join(out, '1-loaded.png') });
  const version = session.browser.version();
  return `Chromium ${version}; playwright-core ${session.toolsNote}; ${facts.build ?? 'not rebuilt'}`;
});
if (!ok) await finish();

/** Page state through the read-only `playground` object main.ts exposes. */
const state = () => page.evaluate(() => {
  const p = globalThis.playground;
  return { epoch: p.epoch, batches: p.batches, running: p.running, history: p.history, last: p.last, events: p.events, errors: p.errors, speeds: p.speeds, settings: p.settings };
});
const text = (selector) => page.textContent(selector);
function waitFor(fn, arg, timeout = 30_000) {
  return page.waitForFunction(fn, arg, { timeout, polling: 50 });
}

/** Pixel statistics of the heat-map canvas: mean and standard deviation of the luminance, the
 *  number of distinct colours (quantised), and a 16×16 grid of mean colours. */
const pixels = () => page.evaluate(() => {
  const canvas = document.getElementById('heatmap');
  const { data, width, height } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let sum = 0;
  let sum2 = 0;
  const colours = new Set();
  const cells = new Float64Array(16 * 16 * 3);
  const counts = new Float64Array(16 * 16);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const l = 0.2126 * data[o] + 0.7152 * data[o + 1] + 0.0722 * data[o + 2];
      sum += l;
      sum2 += l * l;
      colours.add(((data[o] >> 4) << 8) | ((data[o + 1] >> 4) << 4) | (data[o + 2] >> 4));
      const c = Math.floor((y * 16) / height) * 16 + Math.floor((x * 16) / width);
      cells[c * 3] += data[o];
      cells[c * 3 + 1] += data[o + 1];
      cells[c * 3 + 2] += data[o + 2];
      counts[c] += 1;
    }
  }
  const n = width * height;
  const mean = sum / n;
  return {
    mean,
    std: Math.sqrt(Math.max(0, sum2 / n - mean * mean)),
    colours: colours.size,
    cells: Array.from(cells, (v, i) => v / counts[Math.floor(i / 3)]),
  };
});
const cellDistance = (a, b) => a.cells.reduce((s, v, i) => s + Math.abs(v - b.cells[i]), 0) / a.cells.length;

/** Clicks Export model; resolves to the downloaded file's text (also saved in `out`). */
async function exportModel() {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
  const file = join(out, download.suggestedFilename());
  await download.saveAs(file);
  return readFileSync(file, 'utf8');
}

const sameArray = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
function firstDifference(a, b) {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  const i = a.findIndex((v, j) => !Object.is(v, b[j]));
  return `entry ${i}: ${a[i]} vs ${b[i]}`;
}

// ---- the spiral run ---------------------------------------------------------------------------

let start; // pixels at epoch 0
let startGrid; // heat-map predictions at epoch 0
let first; // state after the first full run
await checks.check(`two spirals, ${EPOCHS} epochs: test accuracy ≥ 95% as the page reports it`, async () => {
  start = await pixels();
  startGrid = (await state()).last.grid;
  // Watch the main thread while the worker trains: the longest gap between 10 ms timer ticks
  // (and, for comparison, the same over half a second of doing nothing).
  const watchGaps = () => page.evaluate(() => {
    const w = globalThis;
    w.__gaps = { last: performance.now(), max: 0, id: setInterval(() => {
      const now = performance.now();
      w.__gaps.max = Math.max(w.__gaps.max, now - w.__gaps.last);
      w.__gaps.last = now;
    }, 10) };
  });
  const maxGap = () => page.evaluate(() => {
    clearInterval(globalThis.__gaps.id);
    return globalThis.__gaps.max;
  });
  await watchGaps();
  await page.waitForTimeout(500);
  facts.idleGap = await maxGap();
  await watchGaps();
  const t = Date.now();
  await trainToLimit(page);
  facts.trainMs = Date.now() - t;
  facts.maxGap = await maxGap();
  first = await state();
  if (first.epoch !== EPOCHS) throw new Error(`the run ended at epoch ${first.epoch}, expected ${EPOCHS}`);
  if (first.history.loss.length !== EPOCHS) throw new Error(`${first.history.loss.length} history entries for ${EPOCHS} epochs`);
  const shown = await text('#testAccuracy');
  const accuracy = Number.parseFloat(shown);
  facts.accuracy = shown;
  facts.trainAccuracy = await text('#trainAccuracy');
  await page.screenshot({ path: join(out, '2-trained-spirals.png') });
  if (!(accuracy >= 95)) throw new Error(`the page shows test accuracy ${shown} (${first.last.testAccuracy}), expected ≥ 95%`);
  if (Math.abs(accuracy - first.last.testAccuracy * 100) > 0.051) throw new Error(`the page shows ${shown} but its state says ${first.last.testAccuracy}`);
  return `test accuracy ${shown} (train ${facts.trainAccuracy}), test loss ${first.last.testLoss.toFixed(4)}, ${facts.trainMs} ms in the browser`;
});

await checks.check('heat map drawn: not blank, and changed between epoch 0 and the end', async () => {
  if (!first) throw new Error('no trained run');
  const end = await pixels();
  const change = cellDistance(start, end);
  facts.pixels = `epoch 0: mean ${start.mean.toFixed(1)}, sd ${start.std.toFixed(1)}, ${start.colours} colours; epoch ${EPOCHS}: mean ${end.mean.toFixed(1)}, sd ${end.std.toFixed(1)}, ${end.colours} colours; mean change per 16×16 cell and channel ${change.toFixed(1)}`;
  if (start.std < 5 || end.std < 5) throw new Error(`the canvas is nearly uniform: ${facts.pixels}`);
  if (end.colours < 50) throw new Error(`only ${end.colours} colours on the canvas: ${facts.pixels}`);
  if (change < 5) throw new Error(`the heat map barely changed: ${facts.pixels}`);
  return facts.pixels;
});

await checks.check('the page stayed responsive while training (main-thread timer gaps)', async () => {
  if (facts.maxGap === undefined) throw new Error('not measured');
  if (facts.maxGap > 300) throw new Error(`a 10 ms timer was delayed up to ${facts.maxGap.toFixed(0)} ms during training`);
  return `longest gap between 10 ms timer ticks: ${facts.maxGap.toFixed(0)} ms while training (${facts.idleGap.toFixed(0)} ms idle)`;
});

await checks.check('reset (same seed) repeats the run: same initial predictions and heat map, same loss values', async () => {
  if (!first) throw new Error('no trained run');
  await page.click('#reset');
  await waitFor(() => globalThis.playground.epoch === 0 && globalThis.playground.events.at(-1) === 'reset');
  await settled(page);
  // The predictions must be identical; the pixels nearly so (the browser's rasteriser may pick
  // another path for a canvas that has been read back, which moves a few pixel values by one).
  const again = await pixels();
  if (!sameArray(startGrid, (await state()).last.grid)) throw new Error('the epoch-0 predictions after reset differ from the first ones');
  if (cellDistance(start, again) > 0.5) throw new Error(`the heat map after reset differs from the first epoch-0 map by ${cellDistance(start, again)}`);
  await trainToLimit(page);
  const second = await state();
  if (!sameArray(first.history.loss, second.history.loss)) throw new Error(`training losses differ: ${firstDifference(first.history.loss, second.history.loss)}`);
  if (!sameArray(first.history.testLoss, second.history.testLoss)) throw new Error(`test losses differ: ${firstDifference(first.history.testLoss, second.history.testLoss)}`);
  if (!sameArray(first.last.grid, second.last.grid)) throw new Error('the final heat-map predictions differ');
  return `${second.history.loss.length} training and test losses identical, last ${second.history.loss.at(-1).toExponential(4)} / ${second.history.testLoss.at(-1).toExponential(4)}`;
});

await checks.check(`stopping at epoch ${EPOCHS / 2} and training on to ${EPOCHS} is the same run`, async () => {
  if (!first) throw new Error('no trained run');
  await page.click('#reset');
  await waitFor(() => globalThis.playground.epoch === 0 && globalThis.playground.events.at(-1) === 'reset');
  await page.fill('#epochs', String(EPOCHS / 2));
  await page.press('#epochs', 'Enter');
  await waitFor((n) => globalThis.playground.settings.epochs === n, EPOCHS / 2);
  await trainToLimit(page);
  const half = await state();
  if (half.epoch !== EPOCHS / 2) throw new Error(`stopped at epoch ${half.epoch}, expected ${EPOCHS / 2}`);
  if ((await text('#status')) !== 'done') throw new Error(`status shows "${await text('#status')}" at the limit`);
  await page.fill('#epochs', String(EPOCHS));
  await page.press('#epochs', 'Enter');
  await waitFor((n) => globalThis.playground.settings.epochs === n, EPOCHS);
  await trainToLimit(page);
  const whole = await state();
  if (!sameArray(first.history.loss, whole.history.loss)) throw new Error(`training losses differ: ${firstDifference(first.history.loss, whole.history.loss)}`);
  if (!sameArray(first.history.testLoss, whole.history.testLoss)) throw new Error(`test losses differ: ${firstDifference(first.history.testLoss, whole.history.testLoss)}`);
  return `${EPOCHS / 2} + ${EPOCHS / 2} epochs give the ${EPOCHS} losses of one run`;
});

await checks.check('export the model as JSON, reset, import it: the same predictions', async () => {
  if (!first) throw new Error('no trained run');
  const before = await state();
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
  const file = join(out, download.suggestedFilename());
  await download.saveAs(file);
  const model = JSON.parse(readFileSync(file, 'utf8'));
  if (model.config?.inputSize !== 2) throw new Error(`the exported file is not a 2-input wasmnet model: ${JSON.stringify(model).slice(0, 200)}`);
  await page.click('#reset');
  await waitFor(() => globalThis.playground.epoch === 0 && globalThis.playground.events.at(-1) === 'reset');
  await settled(page);
  const fresh = await state();
  if (sameArray(fresh.last.grid, before.last.grid)) throw new Error('reset did not change the predictions (the import would prove nothing)');
  await page.setInputFiles('#import-file', file);
  await waitFor(() => globalThis.playground.events.at(-1) === 'imported');
  await settled(page);
  const imported = await state();
  await page.screenshot({ path: join(out, '3-imported.png') });
  if (!sameArray(imported.last.grid, before.last.grid)) throw new Error(`the imported model's heat-map predictions differ: ${firstDifference(imported.last.grid, before.last.grid)}`);
  for (const key of ['testLoss', 'trainLoss', 'testAccuracy', 'trainAccuracy']) {
    if (!Object.is(imported.last[key], before.last[key])) throw new Error(`${key}: ${imported.last[key]} after import, ${before.last[key]} before export`);
  }
  if ((await text('#testAccuracy')) !== facts.accuracy) throw new Error(`the page shows ${await text('#testAccuracy')} after import, ${facts.accuracy} before`);
  return `${relative(process.cwd(), file)} (${(readFileSync(file).length / 1024).toFixed(1)} KB): ${imported.last.grid.length} heat-map predictions and test loss ${imported.last.testLoss.toFixed(6)} identical`;
});

await checks.check('pause stops training; step trains one batch', async () => {
  await page.fill('#epochs', '0'); // no limit
  await page.press('#epochs', 'Enter');
  await waitFor(() => globalThis.playground.settings.epochs === 0);
  const before = (await state()).epoch;
  await page.click('#train');
  await waitFor((e) => globalThis.playground.running && globalThis.playground.epoch >= e + 20, before);
  await page.click('#train'); // the button reads Pause while training
  await waitFor(() => !globalThis.playground.running && globalThis.playground.events.at(-1) === 'paused');
  const paused = await state();
  await page.waitForTimeout(300);
  const later = await state();
  if (later.epoch !== paused.epoch || later.running) throw new Error(`still training after pause: epoch ${paused.epoch} → ${later.epoch}`);
  if (!Number.isInteger(paused.epoch)) throw new Error(`paused mid-epoch at ${paused.epoch}: pause should land on an epoch boundary`);
  if ((await text('#status')) !== 'paused') throw new Error(`status shows "${await text('#status')}"`);
  await page.click('#step');
  await waitFor((n) => globalThis.playground.events.length > n && globalThis.playground.events.at(-1) === 'step', paused.events.length);
  const stepped = await state();
  const expected = paused.epoch + SPIRALS.batchSize / (SPIRALS.samples * (1 - SPIRALS.testShare));
  if (stepped.batches !== paused.batches + 1) throw new Error(`batches ${paused.batches} → ${stepped.batches} after one step`);
  if (Math.abs(stepped.epoch - expected) > 1e-9) throw new Error(`epoch ${paused.epoch} → ${stepped.epoch} after one step, expected ${expected}`);
  if (stepped.history.loss.length !== paused.history.loss.length + 1) throw new Error('the step added no history entry');
  await settled(page);
  return `paused at epoch ${paused.epoch} (from ${before}); one step: batch ${stepped.batches}, epoch ${(await text('#epoch'))}`;
});

await checks.check('wasm-vs-js speed readout after training on both backends', async () => {
  await page.click('[data-backend="js"]');
  await waitFor(() => globalThis.playground.settings.backend === 'js');
  const at = (await state()).epoch;
  const limit = Math.ceil(at) + 40;
  await page.fill('#epochs', String(limit));
  await page.press('#epochs', 'Enter');
  await waitFor((n) => globalThis.playground.settings.epochs === n, limit);
  await trainToLimit(page);
  const s = await state();
  if (s.last.backend !== 'js') throw new Error(`the network runs on ${s.last.backend} after switching to js`);
  const ratio = await page.getAttribute('#speed-note', 'data-ratio');
  const rows = await page.$$eval('#speed-table tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent.trim()).join(' ')));
  await page.screenshot({ path: join(out, '4-wasm-vs-js.png') });
  if (rows.length !== 2 || ratio === null) throw new Error(`no comparison shown: rows ${JSON.stringify(rows)}, note "${await text('#speed-note')}"`);
  if (!(s.last.testAccuracy >= 0.95)) throw new Error(`test accuracy fell to ${s.last.testAccuracy} after ${limit - at} epochs on js`);
  facts.speed = `${rows.join(', ')}; wasm/js ${Number(ratio).toFixed(2)}×`;
  return facts.speed;
});

await checks.check('served cross-origin isolated: the page and its worker report it; the threads control offers 1, 2, … and auto', async () => {
  const response = await fetch(session.url);
  await response.body?.cancel();
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) {
    if (response.headers.get(name) !== value) throw new Error(`${name}: ${response.headers.get(name)}`);
  }
  const csp = response.headers.get('content-security-policy');
  if (csp !== CSP || !/worker-src [^;]*blob:/.test(csp)) throw new Error(`the page's CSP does not allow blob: workers: ${csp}`);
  const page_ = await page.evaluate(() => ({ isolated: globalThis.crossOriginIsolated, worker: globalThis.playground.isolated, cores: globalThis.playground.cores }));
  if (page_.isolated !== true || page_.worker !== true) throw new Error(`crossOriginIsolated: page ${page_.isolated}, worker ${page_.worker}`);
  const options = await page.$$eval('#threads option', (os) => os.map((o) => o.value));
  const disabled = await page.isDisabled('#threads');
  const expected = [...Array.from({ length: Math.max(2, page_.cores) }, (_, i) => String(i + 1)), 'auto'];
  if (disabled || options.join() !== expected.join()) throw new Error(`threads control: options ${options.join(', ')}${disabled ? ', disabled' : ''}; expected ${expected.join(', ')}`);
  return `crossOriginIsolated in the page and its worker; CSP ${csp}; threads options ${options.join(', ')} (${page_.cores} cores reported)`;
});

await checks.check(`large preset (2-256-256-1, 2,000 points), ${LARGE_EPOCHS} epochs: 1 thread, 2 threads, and 2 switched to 1 at the half train the same network to the bit; samples/s shown for each`, async () => {
  const query = new URLSearchParams({ ...SPIRALS, epochs: LARGE_EPOCHS, threads: 1 });
  await page.goto(`${session.url}?${query}`);
  await settled(page);
  await page.click('[data-preset="large"]');
  await waitFor(() => globalThis.playground.settings.units === 256 && globalThis.playground.events.length === 2);
  await settled(page);
  const settings = (await state()).settings;
  if (settings.hiddenLayers !== 2 || settings.samples !== 2000) throw new Error(`the preset set ${JSON.stringify(settings)}`);
  const run = async (threads) => {
    await trainToLimit(page);
    const s = await state();
    if (s.epoch !== LARGE_EPOCHS) throw new Error(`the run ended at epoch ${s.epoch}`);
    if (s.last.threads !== threads) throw new Error(`the network runs on ${s.last.threads} threads (net.threads), expected ${threads}`);
    if (s.last.shape !== '2-256-256-1') throw new Error(`shape ${s.last.shape}`);
    return { ...s, model: await exportModel() };
  };
  const setThreads = async (threads) => {
    await page.selectOption('#threads', String(threads));
    await waitFor((n) => globalThis.playground.last.threads === n && globalThis.playground.events.at(-1) === 'threads', threads);
  };
  const resetPage = async () => {
    await page.click('#reset');
    await waitFor(() => globalThis.playground.epoch === 0 && globalThis.playground.events.at(-1) === 'reset');
    await settled(page);
  };
  const setLimit = async (epochs) => {
    await page.fill('#epochs', String(epochs));
    await page.press('#epochs', 'Enter');
    await waitFor((n) => globalThis.playground.settings.epochs === n, epochs);
  };
  const pool = () => page.workers().filter((w) => w.url().startsWith('blob:')).length;
  const one = await run(1);
  // the training worker starts the pool when it loads (await initThreads(), before 'ready'):
  // one blob: worker on 2 cores whatever a network's threads
  if (pool() !== 1) throw new Error(`${pool()} blob: workers after initThreads(), expected 1`);
  await setThreads(2);
  await resetPage();
  const two = await run(2);
  const workers = pool();
  if (workers !== 1) throw new Error(`${workers} thread-pool workers (blob: URLs) with threads 2, expected 1`);
  const same = (a, b, what) => {
    if (!sameArray(a.history.loss, b.history.loss)) throw new Error(`${what}: training losses differ: ${firstDifference(a.history.loss, b.history.loss)}`);
    if (!sameArray(a.history.testLoss, b.history.testLoss)) throw new Error(`${what}: test losses differ: ${firstDifference(a.history.testLoss, b.history.testLoss)}`);
    if (!sameArray(a.last.grid, b.last.grid)) throw new Error(`${what}: the heat-map predictions differ: ${firstDifference(a.last.grid, b.last.grid)}`);
    if (a.model !== b.model) throw new Error(`${what}: the exported models (weights and training state) differ`);
  };
  same(one, two, '1 and 2 threads');
  // The same run with 2 threads for the first half and 1 for the second (a live switch).
  await resetPage();
  await setLimit(LARGE_EPOCHS / 2);
  await trainToLimit(page);
  await setThreads(1);
  await setLimit(LARGE_EPOCHS);
  const mixed = await run(1);
  same(one, mixed, '2 then 1 threads');
  await page.screenshot({ path: join(out, '5-threads.png') });
  const rows = await page.$$eval('#speed-table tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent.trim())));
  const engines = rows.map(([engine]) => engine);
  const ratio = Number(await page.getAttribute('#speed-note', 'data-threads-ratio'));
  if (engines.join() !== 'wasm,wasm, 2 threads' || !rows.every(([, v]) => /^[\d,]+ samples\/s$/.test(v)) || !(ratio > 0)) {
    throw new Error(`speed readout: ${JSON.stringify(rows)}, note "${await text('#speed-note')}"`);
  }
  facts.threads = `${rows.map(([e, v]) => `${e} ${v}`).join(', ')}; 2 threads / 1: ${ratio.toFixed(2)}× (${await page.evaluate(() => navigator.hardwareConcurrency)} cores visible to Chromium)`;
  return `${LARGE_EPOCHS} training and test losses, ${two.last.grid.length} heat-map predictions and the exported model (${(one.model.length / 1024).toFixed(0)} KB) identical; ${workers} pool worker; ${facts.threads}`;
});

await checks.check('served without the isolation headers: the threads control is disabled and says why; threads 2 trains on 1 thread, no error', async () => {
  const plain = await serveStatic(defaultOut, { isolate: false });
  const { context, page: tab, problems: tabProblems } = await openPage(session.browser, `${plain.url}?${new URLSearchParams({ ...SPIRALS, threads: 2, epochs: 20 })}`);
  try {
    const isolated = await tab.evaluate(() => [globalThis.crossOriginIsolated, globalThis.playground.isolated]);
    if (isolated.some((v) => v !== false)) throw new Error(`crossOriginIsolated: page ${isolated[0]}, worker ${isolated[1]}`);
    const note = await tab.textContent('#threads-note');
    if (!(await tab.isDisabled('#threads')) || !/not cross-origin isolated/.test(note)) throw new Error(`threads control enabled or unexplained: "${note}"`);
    await trainToLimit(tab);
    const s = await tab.evaluate(() => ({ last: globalThis.playground.last, errors: globalThis.playground.errors, epoch: globalThis.playground.epoch }));
    if (s.errors.length > 0 || tabProblems.length > 0) throw new Error([...s.errors, ...tabProblems].join('\n'));
    if (s.epoch !== 20 || s.last.threads !== 1) throw new Error(`epoch ${s.epoch}, net.threads ${s.last.threads}`);
    if (!(s.last.testAccuracy > 0.5)) throw new Error(`test accuracy ${s.last.testAccuracy}`);
    return `"${note.slice(0, 60)}…"; 20 epochs on ${s.last.threads} thread, shown as "${await tab.textContent('#shape')}"`;
  } finally {
    await context.close();
    plain.server.close();
  }
});

await checks.check('the other data sets and losses learn (150 epochs each)', async () => {
  const runs = [
    ['xor', { activation: 'tanh', loss: 'mse', learningRate: 0.03, hiddenLayers: 2, units: 8 }],
    ['circles', { loss: 'sparseCategoricalCrossentropy', optimizer: 'momentum', learningRate: 0.03, hiddenLayers: 2, units: 8 }],
    ['blobs', { loss: 'huber', activation: 'swish', optimizer: 'rmsprop', learningRate: 0.01, hiddenLayers: 1, units: 4 }],
  ];
  const results = [];
  for (const [dataset, settings] of runs) {
    const query = new URLSearchParams({ ...SPIRALS, ...settings, dataset, epochs: 150 });
    await page.goto(`${session.url}?${query}`);
    await settled(page);
    await trainToLimit(page);
    const s = await state();
    results.push(`${dataset} ${(s.last.testAccuracy * 100).toFixed(1)}%`);
    if (!(s.last.testAccuracy >= 0.9)) throw new Error(`${dataset} with ${JSON.stringify(settings)}: test accuracy ${s.last.testAccuracy} after 150 epochs (${results.join(', ')})`);
  }
  await page.screenshot({ path: join(out, '6-blobs.png') });
  return results.join(', ');
});

await checks.check('a diverging run stops and shows the DivergenceError', async () => {
  const query = new URLSearchParams({ ...SPIRALS, hiddenLayers: 6, units: 64, optimizer: 'momentum', learningRate: 3, epochs: 300 });
  await page.goto(`${session.url}?${query}`);
  await settled(page);
  await page.click('#train');
  await waitFor(() => globalThis.playground.errors.length > 0 && !globalThis.playground.running);
  const message = await text('#message');
  const status = await text('#status');
  if (!/^DivergenceError: training diverged/.test(message)) throw new Error(`the page says "${message}"`);
  if (status !== 'error') throw new Error(`status "${status}" after the error`);
  return message.slice(0, 90) + '…';
});

await checks.check('opened from a file: URL, the page says to serve it over HTTP', async () => {
  const tab = await page.context().newPage();
  try {
    await tab.goto(pathToFileURL(join(defaultOut, 'index.html')).href);
    await tab.waitForFunction(() => globalThis.playground?.errors.length > 0, null, { timeout: 10_000 });
    const message = await tab.textContent('#message');
    if (!/Serve this folder over HTTP/.test(message)) throw new Error(`the page says "${message}"`);
    return message.slice(0, 90) + '…';
  } finally {
    await tab.close();
  }
});

await checks.check('no page errors, console errors or failed requests', () => {
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return 'none';
});

finish();

async function finish() {
  if (session) await session.close();
  console.log(`\n  screenshots and the exported model: ${out}`);
  console.log(`  total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const passed = checks.finish(args.json ? resolve(args.json) : undefined);
  writeFileSync(join(out, 'facts.json'), JSON.stringify(facts, null, 2));
  process.exit(passed ? 0 : 1);
}
