import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromKeras } from 'wasmnet/keras';

const dir = new URL('./fixtures/keras/', import.meta.url);
const file = (name: string): Uint8Array => readFileSync(new URL(name, dir));
const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as Record<string, { input: number[][]; output: number[][] }>;

describe('smoke', () => {
  for (const name of Object.keys(expected)) {
    it(name, async () => {
      const net = await fromKeras(file(name));
      const out = net.predict(expected[name]!.input) as number[][];
      const want = expected[name]!.output;
      let worst = 0;
      out.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - want[i]![j]!) / Math.max(1, Math.abs(want[i]![j]!))))));
      expect(worst).toBeLessThanOrEqual(1e-12);
    });
  }
});
