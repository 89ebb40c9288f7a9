// The run's environment and the markdown tables printed to stdout.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { KernelResult } from './kernels';
import { relativeSpread, type BenchPlan, type Series } from './stats';
import type { TrainingResult } from './training';

export interface Environment {
  date: string;
  node: string;
  cpu: string;
  cores: number;
  platform: string;
  command: string;
  /** HEAD commit, with "+dirty" when the work tree has changes; null outside a git checkout. */
  commit: string | null;
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
    return git('status', '--porcelain') ? `${head}+dirty` : head;
  } catch {
    return null;
  }
}

export function environment(plan: BenchPlan): Environment {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpuModel(),
    cores: os.cpus().length,
    platform: `${process.platform} ${process.arch}`,
    command: plan.quick ? 'npm run bench -- --quick' : 'npm run bench',
    commit: gitCommit(),
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
      `${env.commit ? ` · commit ${env.commit}` : ''} · \`${env.command}\``,
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

export function trainingTable(results: TrainingResult[], plan: BenchPlan): string {
  const rows = results.map((r) => [
    r.name,
    r.topology,
    r.loss,
    `${r.batchSize} (of ${r.samples})`,
    withSpread(r.wasm, 0),
    withSpread(r.js, 0),
    ratio(r.ratio),
  ]);
  return [
    '## Training (`Network.fit`, sgd lr 0.1, samples/s)',
    '',
    `Median of ${plan.trainRuns} runs of ≥ ${plan.trainRunMs} ms each (whole epochs), after warm-up; ` +
      'wasm and js alternate. Seeded random data.',
    '',
    table(['network', 'topology', 'loss', 'batch', 'wasm samples/s', 'js samples/s', 'wasm/js'], rows),
  ].join('\n');
}
