// bench/streaming.ts keeps working (its committed run is bench/results/streaming.json): a quick
// run measures fit and fitDataset on the same batches, finds their weights identical, and
// streams a generated dataset with RSS samples. Timings are written down, never asserted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('bench/streaming.ts', () => {
  it('--quick: both throughputs measured, the same weights, RSS sampled over a generated stream', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmnet-bench-streaming-'));
    try {
      const json = join(dir, 'streaming.json');
      const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/streaming.ts', '--quick', `--json=${json}`], {
        cwd: new URL('..', import.meta.url),
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(out).toContain("the three networks' weights and state are identical, bit for bit");
      const run = JSON.parse(readFileSync(json, 'utf8')) as {
        throughput: { samplesPerSecond: Record<string, number>; sameWeights: boolean; roundsMs: Record<string, number[]> };
        large: { rows: number; samples: { batch: number; rss: number }[]; loss: number };
      };
      expect(run.throughput.sameWeights).toBe(true);
      for (const name of ['resident', 'streamed', 'generated']) {
        expect(run.throughput.roundsMs[name]).toHaveLength(3);
        expect(run.throughput.samplesPerSecond[name]).toBeGreaterThan(0);
      }
      expect(run.large.rows).toBe(20_000);
      expect(run.large.samples.map((s) => s.batch)).toEqual([-1, 0, 100, 157]); // before, every 100 batches, after
      expect(Number.isFinite(run.large.loss)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
