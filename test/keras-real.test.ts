// Real Keras 3 files written by Keras itself in a public project (test/fixtures/keras/real/
// SOURCES.md): fromKeras loads each and predicts what a float64 numpy evaluation of the same file
// predicts (scripts/fixtures/keras-real.py), to 1e-12 relative.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromKeras } from 'wasmnet/keras';

const DIR = new URL('./fixtures/keras/real/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('expected.json', DIR), 'utf8')) as Record<string, { input: number[][]; output: number[][] }>;

describe('real .keras files (Keras 3, from a public repository)', () => {
  it('there are fixtures to check', () => {
    expect(Object.keys(expected).sort()).toEqual(['flownet-25-06.keras', 'flownet-final_model.keras']);
  });
  for (const [name, { input, output }] of Object.entries(expected)) {
    it(`${name} predicts as numpy float64 does`, async () => {
      const net = await fromKeras(readFileSync(new URL(name, DIR)));
      const y = net.predict(input);
      let worst = 0;
      output.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(y[i]![j]! - v) / Math.max(1, Math.abs(v))))));
      expect(worst).toBeLessThanOrEqual(1e-12);
    });
  }
});
