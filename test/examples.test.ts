// The README points at these scripts: they must run and print what the README says.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const run = (file: string): string =>
  execFileSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', cwd: new URL('..', import.meta.url) });

describe('examples', () => {
  it('examples/xor.ts learns XOR', () => {
    const out = run('examples/xor.ts');
    expect(out).toMatch(/0 xor 0 = [0-9.]+ → 0/);
    expect(out).toMatch(/0 xor 1 = [0-9.]+ → 1/);
    expect(out).toMatch(/1 xor 0 = [0-9.]+ → 1/);
    expect(out).toMatch(/1 xor 1 = [0-9.]+ → 0/);
  });

  it('examples/cars.ts (tfjs\'s cars tutorial, ported): normalization inside the model, saved and loaded, a small held-out error, mpg falling with horsepower', () => {
    const out = run('examples/cars.ts');
    const mae = Number(/held-out mean absolute error: ([0-9.]+) mpg on 10 cars/.exec(out)?.[1]);
    expect(mae).toBeLessThan(3.5); // predicting the training mean is 4.72 mpg off on these 10 cars
    // the figure the README's examples table prints (seeded: the same bits every run)
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`held-out error ${mae.toFixed(2)} mpg`);
    const mpg = [60, 120, 210].map((hp) => Number(new RegExp(`${hp} hp → ([0-9.]+) mpg`).exec(out)?.[1]));
    expect(mpg[0]).toBeGreaterThan(mpg[1]!);
    expect(mpg[1]).toBeGreaterThan(mpg[2]!);
  });

  it('examples/iris.ts reaches ≥ 95% held-out accuracy', () => {
    const out = run('examples/iris.ts');
    const accuracy = Number(/held-out accuracy: ([0-9.]+)%/.exec(out)?.[1]);
    expect(accuracy).toBeGreaterThanOrEqual(95);
  });

  it('examples/csv-stream.ts trains from CSV files read line by line to a validation mae under 12 k$', () => {
    const out = run('examples/csv-stream.ts');
    expect(out).toMatch(/^epoch 1: loss [0-9.]+, validation mae [0-9.]+ k\$$/m);
    expect(out).toMatch(/^epoch 4: /m);
    expect(out).toContain('40000 rows × 4 epochs streamed from CSV');
    const mae = Number(/validation mean absolute error: ([0-9.]+) k\$/.exec(out)?.[1]);
    expect(mae).toBeGreaterThan(0);
    expect(mae).toBeLessThan(12);
  });

  it('examples/mnist.ts (the `npm start` job) prints the test accuracy the README gives, after the README’s epochs', () => {
    // README, Quick start: "ends with a line like `test accuracy: 93.00% on 2000 held-out
    // digits` (10 epochs of plain SGD, …, seed 1 …)". The run is reproducible from the seed, so
    // the line is asserted exactly as printed there.
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    const claim = /`(test accuracy: [0-9.]+% on (\d+) held-out digits)` \((\d+) epochs of plain SGD, learning rate ([0-9.]+), batch (\d+), seed (\d+);/.exec(readme);
    expect(claim, 'the README’s `npm start` sentence').not.toBeNull();
    const [, line, digits, epochs, rate, batch, seed] = claim!;
    // what the README says the script does is what it does
    const source = readFileSync(new URL('../examples/mnist.ts', import.meta.url), 'utf8');
    expect(source).toContain(`epochs: { type: 'string', default: '${epochs}' }`);
    expect(source).toContain(`seed: { type: 'string', default: '${seed}' }`);
    expect(source).toContain(`optimizer: { type: 'sgd', learningRate: ${rate} }`);
    expect(source).toContain(`batchSize: ${batch},`);
    const out = run('examples/mnist.ts');
    expect(out).toContain(`8000 training digits, ${digits} test digits`);
    expect(out).toContain(`trained ${epochs} epochs`);
    expect(out).toContain(`${line} (loss `);
  });
});
