// plotHistory: a well-formed SVG whose curves have one point per epoch, inside the plot area.
import { describe, expect, it } from 'vitest';
import { Network, dense, plotHistory } from '../src/index';
import { irisSplit } from './helpers/data';

function polylines(svg: string): { x: number; y: number }[][] {
  return [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map((m) =>
    m[1]!.split(' ').map((p) => {
      const [x, y] = p.split(',').map(Number);
      return { x: x!, y: y! };
    }),
  );
}

describe('plotHistory', () => {
  it('draws loss and accuracy, training and validation, one point per epoch', async () => {
    const { trainX, trainY } = irisSplit();
    const net = new Network({
      inputSize: 4,
      layers: [dense(8, { activation: 'relu' }), dense(3, { activation: 'softmax' })],
      loss: 'categoricalCrossentropy',
      optimizer: { type: 'adam', learningRate: 0.01 },
      seed: 1,
    });
    const history = await net.fit(trainX, trainY, { epochs: 12, batchSize: 16, validationSplit: 0.2 });
    const svg = plotHistory(history, { title: 'iris <4-8-3>', width: 600, panelHeight: 200 });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="600" height="434"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('iris &#60;4-8-3&#62;'); // escaped
    const lines = polylines(svg);
    expect(lines).toHaveLength(4); // loss, valLoss, accuracy, valAccuracy
    for (const line of lines) {
      expect(line).toHaveLength(12);
      for (const { x, y } of line) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(600);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(y).toBeLessThanOrEqual(434);
      }
      // epochs run left to right
      expect(line.map((p) => p.x)).toEqual([...line.map((p) => p.x)].sort((a, b) => a - b));
    }
    // the loss falls, so its curve ends lower on the page (larger y) than it starts
    expect(lines[0]!.at(-1)!.y).toBeGreaterThan(lines[0]![0]!.y);
    // the tags balance: a crude well-formedness check
    const opened = (svg.match(/<g>/g) ?? []).length;
    expect((svg.match(/<\/g>/g) ?? []).length).toBe(opened);
  });

  it('handles a single epoch and a flat curve', () => {
    const svg = plotHistory({ epochs: 1, loss: [0.5], learningRate: [0.01] });
    const [line] = polylines(svg);
    expect(line).toHaveLength(1);
    expect(svg).toContain('<circle');
    expect(svg).not.toContain('NaN');
  });
});
