// `npm run bench` keeps working: a quick training run of wasmnet's two backends (each in its
// worker thread, as every library runs) measures all four workloads, and both backends start
// from the same weights and train the same model (equal check losses, to rounding).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKLOAD_IDS } from '../bench/workloads';

interface Library {
  peer: string;
  status: string;
  checkLoss: number;
  rate: { median: number; samples: number[] };
  ratio: number;
}

describe('the bench', () => {
  it('runs wasmnet wasm and js in worker threads on the four workloads, training the same model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmnet-bench-'));
    try {
      const json = join(dir, 'bench.json');
      const markdown = execFileSync(process.execPath, ['--import', 'tsx', 'bench/index.ts', '--quick', '--only=training', '--libs=wasmnet-js', `--json=${json}`], {
        cwd: new URL('..', import.meta.url),
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 240_000,
      });
      const results = JSON.parse(readFileSync(json, 'utf8')) as { training: { id: string; libraries: Library[] }[] };
      expect(results.training.map((w) => w.id)).toEqual([...WORKLOAD_IDS]);
      for (const w of results.training) {
        const [wasm, js] = w.libraries;
        expect([wasm?.peer, js?.peer, wasm?.status, js?.status]).toEqual(['wasmnet-wasm', 'wasmnet-js', 'ok', 'ok']);
        for (const lib of [wasm!, js!]) {
          expect(lib.rate.samples.length).toBeGreaterThanOrEqual(3);
          expect(lib.rate.median).toBeGreaterThan(0);
        }
        expect(Math.abs(wasm!.checkLoss - js!.checkLoss), w.id).toBeLessThanOrEqual(1e-12 * Math.abs(wasm!.checkLoss));
        expect(js!.ratio).toBeCloseTo(wasm!.rate.median / js!.rate.median, 10);
      }
      expect(markdown).toContain('| **XOR** 2-3-1 |');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it('measures batch and layer norm against the same network without them, in one run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmnet-bench-'));
    try {
      const json = join(dir, 'bench.json');
      const markdown = execFileSync(process.execPath, ['--import', 'tsx', 'bench/index.ts', '--quick', '--only=normalization', `--json=${json}`], {
        cwd: new URL('..', import.meta.url),
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 240_000,
      });
      const results = JSON.parse(readFileSync(json, 'utf8')) as { normalization: { backend: string; variant: string; rate: { median: number; samples: number[] }; cost: number }[] };
      expect(results.normalization.map((r) => `${r.backend} ${r.variant}`)).toEqual(['wasm plain', 'wasm batchNorm', 'wasm layerNorm', 'js plain', 'js batchNorm', 'js layerNorm']);
      for (const r of results.normalization) {
        expect(r.rate.samples.length).toBeGreaterThanOrEqual(3);
        expect(r.rate.median).toBeGreaterThan(0);
        expect(r.cost).toBeGreaterThan(0);
      }
      expect(markdown).toContain('dense → batchNorm(relu) ×2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
