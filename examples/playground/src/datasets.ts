// Seeded 2-D data sets with two classes (labels 0 and 1), in about [-1, 1]². The same
// (name, samples, noise, seed) always gives the same points, in every browser.

import type { DatasetName } from './protocol';

/** sfc32 seeded through splitmix32: 32-bit integer operations only, so identical everywhere. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

export interface Points {
  /** rows of (x, y) */
  x: Float64Array;
  /** class of each row, 0 or 1 */
  y: Uint8Array;
  count: number;
}

export interface Split {
  train: Points;
  test: Points;
}

/** `samples` points of a data set (half of each class), shuffled, `noise` ∈ [0, 0.5]. */
export function generate(name: DatasetName, samples: number, noise: number, seed: number): Points {
  const rand = random(seed);
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * rand();
  // Box–Muller from the same generator.
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const jitter = () => uniform(-1, 1) * noise;
  const x = new Float64Array(samples * 2);
  const y = new Uint8Array(samples);
  for (let i = 0; i < samples; i++) {
    const label = i % 2;
    let px = 0;
    let py = 0;
    switch (name) {
      case 'xor': {
        // Quadrants: class 1 where x·y > 0. A small margin keeps the classes apart before noise.
        const pad = 0.06;
        px = uniform(pad, 1) * (rand() < 0.5 ? -1 : 1);
        py = uniform(pad, 1) * Math.sign(px) * (label === 1 ? 1 : -1);
        break;
      }
      case 'circles': {
        // Class 1 inside radius 0.45, class 0 on a ring from 0.65 to 1.
        const r = label === 1 ? 0.45 * Math.sqrt(rand()) : uniform(0.65, 1);
        const angle = uniform(0, 2 * Math.PI);
        px = r * Math.cos(angle);
        py = r * Math.sin(angle);
        break;
      }
      case 'spirals': {
        // Two interleaved arms of 1.75 turns each, the second rotated by half a turn.
        const t = Math.floor(i / 2) / Math.ceil(samples / 2);
        const r = 0.05 + 0.9 * t;
        const angle = 1.75 * t * 2 * Math.PI + label * Math.PI;
        px = r * Math.sin(angle);
        py = r * Math.cos(angle);
        break;
      }
      case 'blobs': {
        // Two Gaussian clusters; noise also widens them.
        const sd = 0.2 + noise * 0.6;
        const [cx, cy] = label === 1 ? [0.4, 0.35] : [-0.4, -0.35];
        px = cx + sd * normal();
        py = cy + sd * normal();
        break;
      }
    }
    x[i * 2] = px + jitter();
    x[i * 2 + 1] = py + jitter();
    y[i] = label;
  }
  // Fisher–Yates, so that any prefix is a fair sample (the test set is the tail).
  for (let i = samples - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const tx = x[i * 2]!;
    const ty = x[i * 2 + 1]!;
    x[i * 2] = x[j * 2]!;
    x[i * 2 + 1] = x[j * 2 + 1]!;
    x[j * 2] = tx;
    x[j * 2 + 1] = ty;
    const tl = y[i]!;
    y[i] = y[j]!;
    y[j] = tl;
  }
  return { x, y, count: samples };
}

/** The first (1 − testShare) of the points for training, the rest for testing. */
export function split(points: Points, testShare: number): Split {
  const testCount = Math.min(points.count - 1, Math.max(1, Math.round(points.count * testShare)));
  const trainCount = points.count - testCount;
  return {
    train: { x: points.x.slice(0, trainCount * 2), y: points.y.slice(0, trainCount), count: trainCount },
    test: { x: points.x.slice(trainCount * 2), y: points.y.slice(trainCount), count: testCount },
  };
}
