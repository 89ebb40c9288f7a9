// Inverted dropout: during training each value passing through is zeroed with probability
// `rate` and the survivors are scaled by 1/(1 − rate); at inference it passes values through
// unchanged. The masks come from the network's seed. Kernels: assembly/dropout.ts.
import { LAYER_DROPOUT } from '../backend/codes';
import { ConfigError } from '../errors';
import type { LayerSlots } from './dense';
import { show } from '../validate';

/** What {@link dropout} returns. */
export interface DropoutLayer {
  /** Always `'dropout'`. */
  readonly type: 'dropout';
  /** Probability of zeroing each value while training, in [0, 1). */
  readonly rate: number;
}

/** A dropout layer dropping each value with probability `rate` in [0, 1) while training. */
export function dropout(rate: number): DropoutLayer {
  return checkDropout({ type: 'dropout', rate }, 'dropout(rate)');
}

export function checkDropout(layer: { type: 'dropout'; rate?: unknown }, where: string): DropoutLayer {
  const extra = Object.keys(layer).filter((k) => k !== 'type' && k !== 'rate');
  if (extra.length > 0) throw new ConfigError(`${where}: unknown field "${extra[0]}"`);
  const rate = layer.rate;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate >= 1) {
    throw new ConfigError(`${where}: rate must be a number in [0, 1), got ${show(rate)}`);
  }
  return Object.freeze({ type: 'dropout', rate });
}

/** A dropout layer in the arena: no parameters; z holds its mask, a its output. */
export function placeDropout(layer: DropoutLayer, width: number): LayerSlots {
  return { kind: LAYER_DROPOUT, inputs: width, units: width, act: 0, alpha: 0, l1: 0, l2: 0, rate: layer.rate, w: 0, b: 0, dw: 0, db: 0, z: 0, a: 0, stats: 0, aux: 0, epsilon: 0, momentum: 0, unbiased: 0 };
}
