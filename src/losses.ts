// Loss names and options, which output activation each supports, and accuracy counting.
// The math is in assembly/losses.ts and src/backend/js.ts.
import type { ActivationName } from './activations';
import { LOSS_HUBER, LOSS_MAE, LOSS_MSE, LOSS_SIGMOID_BCE, LOSS_SOFTMAX_CE, LOSS_SPARSE_SOFTMAX_CE } from './backend/codes';
import { ConfigError } from './errors';
import { checkKeys, oneOf, positiveNumber, show } from './validate';

export const LOSSES = ['mse', 'mae', 'huber', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy'] as const;
/**
 * A loss by name: `'mse'`, `'mae'`, `'huber'` (any output); `'categoricalCrossentropy'`,
 * `'sparseCategoricalCrossentropy'` (softmax output); `'binaryCrossentropy'` (sigmoid output).
 */
export type LossName = (typeof LOSSES)[number];

/** A loss by name, or Huber with its threshold: `{ type: 'huber', delta: 1 }`. */
export type LossConfig =
  | LossName
  | {
      /** Huber: quadratic for |a − y| ≤ delta, linear beyond. */
      type: 'huber';
      /** The threshold δ, > 0. Default 1. */
      delta?: number;
    };

export interface ResolvedLoss {
  name: LossName;
  code: number;
  /** Huber's delta (0 for the others) */
  param: number;
}

export const LOSS_CODES: Record<LossName, number> = {
  mse: LOSS_MSE,
  mae: LOSS_MAE,
  huber: LOSS_HUBER,
  categoricalCrossentropy: LOSS_SOFTMAX_CE,
  sparseCategoricalCrossentropy: LOSS_SPARSE_SOFTMAX_CE,
  binaryCrossentropy: LOSS_SIGMOID_BCE,
};

export function resolveLoss(config: unknown): ResolvedLoss {
  if (config === undefined) {
    throw new ConfigError(`loss is required: one of ${LOSSES.map((l) => `"${l}"`).join(', ')}`);
  }
  if (typeof config === 'object' && config !== null) {
    const c = config as { type?: unknown; delta?: unknown };
    if (c.type !== 'huber') throw new ConfigError(`loss as an object must be { type: 'huber', delta }, got type ${show(c.type)}`);
    checkKeys(c, ['type', 'delta'], 'loss');
    return { name: 'huber', code: LOSS_HUBER, param: positiveNumber(c.delta ?? 1, 'loss.delta') };
  }
  const name = oneOf(config, 'loss', LOSSES);
  return { name, code: LOSS_CODES[name], param: name === 'huber' ? 1 : 0 };
}

/** Output activation each loss requires (undefined: any activation). The cross-entropies are
 *  fused with their activation, which makes dL/dz exact and cheap: (p·Σy − y)/n for softmax
 *  (exact for targets that do not sum to 1), (p − y)/n for sigmoid. */
const REQUIRED_OUTPUT: Record<LossName, ActivationName | undefined> = {
  mse: undefined,
  mae: undefined,
  huber: undefined,
  categoricalCrossentropy: 'softmax',
  sparseCategoricalCrossentropy: 'softmax',
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

/** Classification losses report accuracy; regression losses do not. */
export function isClassification(loss: LossName): boolean {
  return loss === 'categoricalCrossentropy' || loss === 'sparseCategoricalCrossentropy' || loss === 'binaryCrossentropy';
}

/** Target columns per row: one integer label for the sparse loss, else the output width. */
export function targetWidth(loss: LossName, outputSize: number): number {
  return loss === 'sparseCategoricalCrossentropy' ? 1 : outputSize;
}
