// Installs the pinned runtimes of test/runtimes/tools (Node 24 LTS, Bun, Deno, wrangler +
// miniflare/workerd, playwright-core) with `npm ci` into a cache directory, once per version of
// the lock file, and returns that directory. Run directly, it prints the directory (.ci/run uses
// its Node 24 for the unit tests too).
//   WASMNET_RUNTIMES_DIR  install here instead of ~/.cache/wasmnet-runtimes/<lock hash>
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeFailure, npm, run } from '../../scripts/package-tools.mjs';

const spec = join(dirname(fileURLToPath(import.meta.url)), 'tools');

export function toolsDir() {
  const hash = createHash('sha256')
    .update(readFileSync(join(spec, 'package.json')))
    .update(readFileSync(join(spec, 'package-lock.json')))
    .digest('hex')
    .slice(0, 12);
  return process.env.WASMNET_RUNTIMES_DIR ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'wasmnet-runtimes', hash);
}

/** Resolves to { dir, note }; throws naming npm's error if the install fails. */
export async function ensureTools() {
  const dir = toolsDir();
  if (existsSync(join(dir, '.installed'))) return { dir, note: `cached in ${dir}` };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(spec, 'package.json'), join(dir, 'package.json'));
  cpSync(join(spec, 'package-lock.json'), join(dir, 'package-lock.json'));
  // Install scripts must run: bun, deno and workerd put their binaries in place in postinstall.
  const ci = await run(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, timeout: 600_000 });
  if (ci.code !== 0) throw new Error(describeFailure(ci, `npm ci in ${dir}`));
  writeFileSync(join(dir, '.installed'), new Date().toISOString());
  return { dir, note: `installed in ${dir} (${Math.round(ci.ms / 1000)} s)` };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const { dir, note } = await ensureTools();
    console.error(`runtimes: ${note}`);
    console.log(dir);
  } catch (error) {
    console.error(`runtimes: ${error.message}`);
    process.exit(1);
  }
}
