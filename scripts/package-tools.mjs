// Helpers shared by scripts/check-package.mjs and test/runtimes/run.mjs: building, packing,
// running a command with a time limit, and a list of named checks that ends as a report
// scripts/ci-summary.mjs can read ({ numPassedTests, numFailedTests, numTotalTests, success }).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs a command; resolves to { code, stdout, stderr, ms }. Never rejects on a non-zero exit;
 *  on a time-out it stops the command and its process group (SIGTERM, then SIGKILL) and
 *  reports code null. */
export function run(command, args, { cwd = root, env = {}, timeout = 120_000, input } = {}) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const kill = (signal) => {
      try {
        process.kill(-child.pid, signal); // the whole group: browsers, workerd, ...
      } catch {
        child.kill(signal);
      }
    };
    let killer;
    const timer = setTimeout(() => {
      timedOut = true;
      kill('SIGTERM'); // lets playwright and miniflare close what they started
      killer = setTimeout(() => kill('SIGKILL'), 5_000);
    }, timeout);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: `${stderr}${error.message}`, ms: Date.now() - started, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(killer);
      resolve({ code: timedOut ? null : code, stdout, stderr, ms: Date.now() - started, timedOut });
    });
    child.stdin.on('error', () => {}); // a command that exits without reading its input
    child.stdin.end(input ?? '');
  });
}

/** The last lines of a command's output, for an error message. */
export function tail(text, lines = 15) {
  return text.trim().split('\n').filter((l) => !/Unknown user config "nodedir"/.test(l)).slice(-lines).join('\n');
}

export function describeFailure(result, what) {
  if (result.code === -1) return `could not start ${what}: ${tail(result.stderr, 3)}`;
  if (result.timedOut) return `${what} timed out after ${Math.round(result.ms / 1000)} s\n${tail(result.stdout + result.stderr)}`;
  const output = tail(result.stderr || result.stdout);
  const first = output.split('\n').find((line) => /\b[A-Z]\w*Error\b|\berror\b|✘|✗/i.test(line) && !/^\s*at /.test(line));
  return `${what} exited with ${result.code}${first ? `: ${first.trim()}` : ''}\n${output}`;
}

/** `npm run build` in the repository. Throws with the build's output on failure. */
export async function build() {
  const result = await run(npm, ['run', 'build'], { timeout: 300_000 });
  if (result.code !== 0) throw new Error(describeFailure(result, 'npm run build'));
  return result;
}

/** `npm pack` into `dir`; returns the tarball's path and npm's list of its files. */
export async function pack(dir) {
  mkdirSync(dir, { recursive: true });
  const result = await run(npm, ['pack', '--json', '--pack-destination', dir]);
  if (result.code !== 0) throw new Error(describeFailure(result, 'npm pack'));
  const [info] = JSON.parse(result.stdout.slice(result.stdout.indexOf('[')));
  return { tarball: join(dir, info.filename), files: info.files.map((f) => f.path), size: info.size };
}

/** Named pass/fail checks, printed as they finish and written as a CI report. */
export class Checks {
  constructor(title) {
    this.title = title;
    this.results = [];
  }

  /** Runs `fn`; a throw fails the check with the error's message. `fn` may return a string to
   *  print beside the tick. */
  async check(name, fn) {
    const started = Date.now();
    try {
      const note = await fn();
      const ms = Date.now() - started;
      this.results.push({ name, ok: true, ms, note });
      console.log(`  ✓ ${name}${note ? `  ${note}` : ''}  (${ms} ms)`);
      return true;
    } catch (error) {
      const ms = Date.now() - started;
      const message = error instanceof Error ? error.message : String(error);
      this.results.push({ name, ok: false, ms, error: message });
      console.log(`  ✗ ${name}: ${message.split('\n').join('\n      ')}`);
      return false;
    }
  }

  get failed() {
    return this.results.filter((r) => !r.ok);
  }

  /** Prints the failures again (so they are the last thing read) and writes the report. */
  finish(jsonPath) {
    const passed = this.results.length - this.failed.length;
    if (this.failed.length > 0) {
      console.log(`\n${this.title}: FAILED`);
      for (const f of this.failed) console.log(`  ✗ ${f.name}: ${f.error.split('\n').slice(0, 3).join('\n      ')}`);
    }
    console.log(`${this.title}: ${passed} of ${this.results.length} checks passed`);
    if (jsonPath) {
      mkdirSync(dirname(jsonPath), { recursive: true });
      writeFileSync(
        jsonPath,
        JSON.stringify(
          {
            title: this.title,
            numPassedTests: passed,
            numFailedTests: this.failed.length,
            numTotalTests: this.results.length,
            success: this.failed.length === 0 && this.results.length > 0,
            checks: this.results,
          },
          null,
          2,
        ),
      );
    }
    return this.failed.length === 0 && this.results.length > 0;
  }
}

/** Parses `--flag`, `--key value` and `--key=value` arguments. */
export function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const [key, value] = arg.slice(2).split('=', 2);
    if (value !== undefined) args[key] = value;
    else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) args[key] = argv[++i];
    else args[key] = true;
  }
  return args;
}
