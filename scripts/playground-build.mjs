// Builds the playground (examples/playground) into static files in examples/playground/dist:
// index.html, style.css, app.js (the page) and worker.js (the training worker, which bundles
// wasmnet from src/ with its WebAssembly core inlined). No server-side code: any static host
// serves the folder as it is.
//   node scripts/playground-build.mjs [--out dir] [--no-minify]
// Needs the generated core (src/core/wasm-inline.generated.ts); builds it first if missing.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const playgroundDir = join(root, 'examples', 'playground');
export const defaultOut = join(playgroundDir, 'dist');

/** Builds into `out`; resolves to { out, files: [{ name, bytes }], ms }. */
export async function buildPlayground({ out = defaultOut, minify = true, quiet = false } = {}) {
  const started = Date.now();
  if (!existsSync(join(root, 'src', 'core', 'wasm-inline.generated.ts'))) {
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
  const files = ['index.html', 'style.css', 'app.js', 'worker.js'].map((name) => ({ name, bytes: statSync(join(out, name)).size }));
  return { out, files, ms: Date.now() - started };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--out');
  const out = at >= 0 ? resolve(argv[at + 1]) : defaultOut;
  const { files, ms } = await buildPlayground({ out, minify: !argv.includes('--no-minify') });
  console.log(`playground: built ${relative(process.cwd(), out) || '.'} in ${ms} ms (${files.map((f) => `${f.name} ${(f.bytes / 1024).toFixed(1)} KB`).join(', ')})`);
}
