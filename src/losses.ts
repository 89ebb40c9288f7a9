// Loss names, which output activation each supports, and classification accuracy.
// The math is in assembly/losses.ts and src/backend/js.ts.
import type { ActivationName } from './activations';
import { ConfigError } from './errors';

export const LOSSES = ['mse', 'categoricalCrossentropy', 'binaryCrossentropy'] as const;
export type LossName = (typeof LOSSES)[number];

/** Output activation each loss requires (undefined: any activation). The cross-entropies are
 *  fused with their activation, which makes dL/dz exact and cheap: (p − y)/n. */
const REQUIRED_OUTPUT: Record<LossName, ActivationName | undefined> = {
  mse: undefined,
  categoricalCrossentropy: 'softmax',
  binaryCrossentropy: 'sigmoid',
};

export function checkLossPair(loss: LossName, outputActivation: ActivationName): void {
  const required = REQUIRED_OUTPUT[loss];
  if (required !== undefined && outputActivation !== required) {
    throw new ConfigError(
      `loss "${loss}" needs a "${required}" output layer, but the last layer's activation is "${outputActivation}"`,
    );
  }
}

/** Classification losses report accuracy; regression (mse) does not. */
export function isClassification(loss: LossName): boolean {
  return loss !== 'mse';
}

/** Number of correct predictions among `rows` rows: argmax match for categorical outputs,
 *  p ≥ 0.5 ⇔ y ≥ 0.5 per element for binary outputs (then divided by cols by the caller). */
export function countCorrect(loss: LossName, pred: Float64Array, p: number, y: Float64Array, yOff: number, rows: number, cols: number): number {
  let correct = 0;
  if (loss === 'categoricalCrossentropy') {
    for (let r = 0; r < rows; r++) {
      let bestP = 0;
      let bestY = 0;
      for (let j = 1; j < cols; j++) {
        if (pred[p + r * cols + j]! > pred[p + r * cols + bestP]!) bestP = j;
        if (y[yOff + r * cols + j]! > y[yOff + r * cols + bestY]!) bestY = j;
      }
      if (bestP === bestY) correct++;
    }
    return correct;
  }
  for (let i = 0; i < rows * cols; i++) {
    if (pred[p + i]! >= 0.5 === y[yOff + i]! >= 0.5) correct++;
  }
  return correct / cols;
}
