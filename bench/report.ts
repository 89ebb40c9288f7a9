// The run's environment and the markdown tables printed to stdout.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { KernelResult } from './kernels';
import { relativeSpread, type BenchPlan, type Series } from './stats';
import type { MnistLine } from './mnist';
import type { Peer } from './peers/index';
import type { LibraryResult, WorkloadResult } from './training';

export interface Environment {
  date: string;
  node: string;
  cpu: string;
  cores: number;
  platform: string;
  command: string;
  /** HEAD commit, with "+dirty" when the work tree has changes (bench/results/ aside); null
   *  outside a git checkout. */
  commit: string | null;
  /** 1-minute load average when the run started (the machine is shared: > cores means contention). */
  loadAverage: number;
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return match[1]!.trim();
  } catch {
    // Not Linux: fall through to os.cpus().
  }
  return os.cpus()[0]?.model.trim() ?? 'unknown';
}

function gitCommit(): string | null {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    // The bench's own output (bench/results/) does not make the measured code dirty.
    return git('status', '--porcelain', '--', '.', ':(exclude)bench/results') ? `${head}+dirty` : head;
  } catch {
    return null;
  }
}

/** `args`: the command-line arguments after `npm run bench --`. */
export function environment(plan: BenchPlan, args: string[] = plan.quick ? ['--quick'] : []): Environment {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpuModel(),
    cores: os.cpus().length,
    platform: `${process.platform} ${process.arch}`,
    command: `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
    commit: gitCommit(),
    loadAverage: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** "1.23 ±4%": the median and half the min–max range of the repetitions. */
function withSpread(s: Series, digits: number): string {
  const value = s.median.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${value} ±${Math.round(relativeSpread(s) * 100)}%`;
}

const ratio = (r: number): string => `${r.toFixed(2)}×`;

export function header(env: Environment, plan: BenchPlan): string {
  return [
    `# wasmnet benchmark${plan.quick ? ' (quick smoke run: few repetitions, numbers are rough)' : ''}`,
    '',
    `${env.date} · node ${env.node} · ${env.cpu} (${env.cores} logical cores, ${env.platform})` +
      `${env.commit ? ` · commit ${env.commit}` : ''} · load average ${env.loadAverage} at start · \`${env.command}\``,
  ].join('\n');
}

export function kernelTable(results: KernelResult[], plan: BenchPlan): string {
  const rows = results.map((r) => [
    `\`${r.form}\``,
    r.shape,
    `${r.m}×${r.k}×${r.n}`,
    withSpread(r.wasm, 2),
    withSpread(r.js, 2),
    ratio(r.ratio),
    r.maxAbsDiff.toExponential(1),
  ]);
  return [
    '## GEMM kernels (f64, GFLOP/s = 2·m·k·n / time)',
    '',
    `Median of ${plan.kernelReps} repetitions of ≥ ${plan.kernelRepMs} ms each (kernel called in a loop), ` +
      'after warm-up; wasm and js alternate. ± is half the min–max range. ' +
      'max |Δ| compares the two backends’ outputs on the same operands.',
    '',
    table(['kernel', 'shape', 'm×k×n', 'wasm GFLOP/s', 'js GFLOP/s', 'wasm/js', 'max abs Δ'], rows),
  ].join('\n');
}

/** A rate for the tables: 3 significant digits at least, thousands separated. */
function rate(r: number): string {
  const digits = r >= 100 ? 0 : r >= 10 ? 1 : 2;
  return r.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ratioCell(r: number | undefined): string {
  if (r === undefined) return '—';
  return `${r >= 100 ? Math.round(r).toLocaleString('en-US') : r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

function runCell(lib: LibraryResult, w: WorkloadResult): string {
  if (!lib.run) return '';
  const { epochs, samples } = lib.run;
  return samples === w.samples ? `${epochs.toLocaleString('en-US')} × ${samples}` : `${samples} of ${w.samples} rows`;
}

/** The issue's targets for wasmnet wasm, reported beside the measured ratios (never asserted). */
const TARGETS: Record<string, { peer: string; factor: number }[]> = {
  xor: [{ peer: 'tfjs-wasm', factor: 500 }, { peer: 'tfjs-cpu', factor: 500 }],
  iris: [{ peer: 'tfjs-wasm', factor: 500 }, { peer: 'tfjs-cpu', factor: 500 }],
  mnist: [{ peer: 'tfjs-wasm', factor: 5 }],
  wide: [{ peer: 'tfjs-wasm', factor: 8 }],
};

export function trainingTable(results: WorkloadResult[], peers: Peer[], plan: BenchPlan): string {
  const rows: string[][] = [];
  for (const w of results) {
    w.libraries.forEach((lib, i) => {
      const first = i === 0;
      const loss =
        lib.checkLoss === undefined || Number.isNaN(lib.checkLoss)
          ? '—'
          : `${lib.checkLoss.toPrecision(6)}${lib.sameModel ? '' : ' ‡'}`;
      rows.push([
        first ? `**${w.name}** ${w.topology}` : '',
        first ? `${w.activations}, ${w.loss === 'mse' ? 'mse' : 'CE'}` : '',
        lib.label,
        lib.batching,
        lib.status === 'ok' && lib.rate ? `${rate(lib.rate.median)} ±${Math.round(relativeSpread(lib.rate) * 100)}%` : `n/a (${lib.reason})`,
        ratioCell(lib.ratio),
        loss,
        runCell(lib, w),
      ]);
    });
  }
  const peerIds = [...new Set(results.flatMap((w) => w.libraries.map((l) => l.peer)))].filter((id) => id !== 'wasmnet-wasm');
  const labelOf = (id: string): string => results.flatMap((w) => w.libraries).find((l) => l.peer === id)?.label ?? id;
  const summary = results.map((w) => {
    const base = w.libraries.find((l) => l.peer === 'wasmnet-wasm');
    const targets = (TARGETS[w.id] ?? [])
      .map(({ peer, factor }) => {
        const lib = w.libraries.find((l) => l.peer === peer);
        if (!lib?.ratio) return null;
        return `≥ ${factor}× ${labelOf(peer)}: ${lib.ratio >= factor ? 'met' : 'not met'}`;
      })
      .filter((t): t is string => t !== null);
    return [
      `${w.name} ${w.topology}`,
      base?.rate ? rate(base.rate.median) : 'n/a',
      ...peerIds.map((id) => {
        const lib = w.libraries.find((l) => l.peer === id);
        return lib?.status === 'ok' ? ratioCell(lib.ratio) : 'n/a';
      }),
      targets.join('; ') || '—',
    ];
  });
  const notes = peers.flatMap((p) => p.notes.map((n) => `- ${n}`));
  const check = results.map((w) => `${w.name}: ${w.checkSamples}`).join(', ');
  return [
    '## Training: wasmnet against its peers (samples/s, plain SGD lr 0.1)',
    '',
    `Median of ${plan.trainRuns} timed runs per library (± is half the min–max range), each ≈ ${plan.trainRunMs} ms or at least one batch, ` +
      'after warm-up; runs interleaved across libraries (one run each per round, first library rotating). ' +
      'Each library runs in a worker thread of its own (own heap, GC and JIT state, as in a program using only it), one at a time; runs are timed inside it. ' +
      'Seeded data, identical for every library, and identical initial weights (copied from a seeded wasmnet network). ' +
      '*timed run*: epochs × rows per timed call, or, for a library too slow for a whole epoch within the run, whole batches of a partial epoch. ' +
      `*check loss*: mean loss of an unshuffled first run over the first rows (${check}), from the shared weights; ` +
      'the same value (to float32 rounding) means the same model is trained. ‡ brain.js trains a different model (see below): its value is its own mse.',
    '',
    table(['workload', 'activations, loss', 'library', 'batch', 'samples/s', 'wasmnet wasm ÷ this', 'check loss', 'timed run'], rows),
    '',
    '**Ratios** (wasmnet wasm samples/s ÷ each library\'s; issue 3\'s targets reported, not asserted):',
    '',
    table(['workload', 'wasmnet wasm samples/s', ...peerIds.map((id) => `÷ ${labelOf(id)}`), 'targets'], summary),
    '',
    'How each library trains:',
    '',
    ...notes,
  ].join('\n');
}

export function mnistTable(line: MnistLine): string {
  const rows = line.results.map((r) => [
    r.label,
    r.status === 'ok' && r.testAccuracy !== undefined ? `${(r.testAccuracy * 100).toFixed(2)}%` : `n/a (${r.reason})`,
    r.seconds !== undefined ? r.seconds.toFixed(2) : '—',
    r.samplesPerSecond !== undefined ? rate(r.samplesPerSecond) : '—',
    r.trainLoss !== undefined && !Number.isNaN(r.trainLoss) ? r.trainLoss.toFixed(4) : '—',
    ratioCell(r.timeRatio),
  ]);
  return [
    `## Real data: MNIST digits, ${line.topology} relu/softmax + cross-entropy`,
    '',
    `${line.trainCount.toLocaleString('en-US')} training and ${line.testCount.toLocaleString('en-US')} held-out test digits ` +
      `(examples/mnist-data.ts, seed ${line.seed}), ${line.epochs} epoch${line.epochs === 1 ? '' : 's'}, batch ${line.batchSize}, ` +
      `plain SGD lr ${line.learningRate}, shuffled every epoch, the same initial weights for every library; ` +
      'epochs interleaved across libraries, each library in its own worker thread. One run each (not a median): *seconds* is training time only.',
    '',
    table(['library', 'test accuracy', 'seconds', 'samples/s', 'last-epoch train loss', 'time ÷ wasmnet wasm'], rows),
  ].join('\n');
}
