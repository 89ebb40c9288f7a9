// Builds the playground (examples/playground) into static files in examples/playground/dist:
// index.html, style.css, app.js (the page) and worker.js (the training worker, which bundles
// wasmnet from src/ with its WebAssembly cores inlined), and _headers (the headers that make the
// page cross-origin isolated, so that threads run, in the format Netlify and Cloudflare Pages
// read). No server-side code: any static host serves the folder as it is (without the headers,
// on one thread).
//   node scripts/playground-build.mjs [--out dir] [--no-minify]
// Needs the generated cores (src/core/wasm-inline.generated.ts, src/threads/core-inline.generated.ts);
// builds them first if missing.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const playgroundDir = join(root, 'examples', 'playground');
export const defaultOut = join(playgroundDir, 'dist');

/** The headers that make a page cross-origin isolated (`crossOriginIsolated`: shared memory,
 *  and so threads). A static host must send them with every file of the playground; without
 *  them the page still works, on one thread. */
export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/** The Content-Security-Policy of the page and its worker: WebAssembly but no eval (wasmnet
 *  needs none), and workers from this origin (the training worker) or from blob: URLs (the
 *  threads' workers start from one). Sent with worker.js too, so that the policy the browser
 *  applies to the training worker, where the threads' workers are started, is this one. */
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; img-src 'self' data: blob:";

/** Builds into `out`; resolves to { out, files: [{ name, bytes }], ms }. */
export async function buildPlayground({ out = defaultOut, minify = true, quiet = false } = {}) {
  const started = Date.now();
  const cores = [join(root, 'src', 'core', 'wasm-inline.generated.ts'), join(root, 'src', 'threads', 'core-inline.generated.ts')];
  if (!cores.every((file) => existsSync(file))) {
    if (!quiet) console.log('playground: building the wasm core first (npm run build:wasm)');
    execFileSync(process.execPath, [join(root, 'scripts', 'build-wasm.mjs')], { cwd: root, stdio: quiet ? 'pipe' : 'inherit' });
  }
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: { app: join(playgroundDir, 'src', 'main.ts'), worker: join(playgroundDir, 'src', 'worker.ts') },
    outdir: out,
    bundle: true,
    format: 'iife', // classic scripts: a classic worker works in every browser with workers
    platform: 'browser',
    target: 'es2022',
    minify,
    keepNames: true, // wasmnet's errors take their name from their class (DivergenceError, ...)
    sourcemap: minify ? false : 'inline',
    legalComments: 'none',
    logLevel: 'warning',
    tsconfig: join(playgroundDir, 'tsconfig.json'),
  });
  for (const file of ['index.html', 'style.css']) copyFileSync(join(playgroundDir, file), join(out, file));
  writeFileSync(join(out, '_headers'), headersFile());
  const files = ['index.html', 'style.css', 'app.js', 'worker.js'].map((name) => ({ name, bytes: statSync(join(out, name)).size }));
  return { out, files, ms: Date.now() - started };
}

/** `_headers` (Netlify, Cloudflare Pages): the isolation headers and the CSP for every file. */
function headersFile() {
  const lines = Object.entries({ ...ISOLATION_HEADERS, 'content-security-policy': CSP }).map(([name, value]) => `  ${name}: ${value}`);
  return ['# Serve every file of the playground with these headers: cross-origin isolation lets its', '# networks run on several threads (see docs/playground.md).', '/*', ...lines, ''].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--out');
  const out = at >= 0 ? resolve(argv[at + 1]) : defaultOut;
  const { files, ms } = await buildPlayground({ out, minify: !argv.includes('--no-minify') });
  console.log(`playground: built ${relative(process.cwd(), out) || '.'} in ${ms} ms (${files.map((f) => `${f.name} ${(f.bytes / 1024).toFixed(1)} KB`).join(', ')})`);
}
