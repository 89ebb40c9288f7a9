// The layer kinds a Network accepts, and the check applied to each entry of `layers`.
import { ConfigError } from '../errors';
import { show } from '../validate';
import { resolveDense, type DenseLayer } from './dense';
import { checkDropout, type DropoutLayer } from './dropout';
import { checkNormalization, type NormalizationLayer } from './normalization';

/** A layer of a {@link NetworkConfig}: made by {@link dense}, {@link dropout} or {@link normalization}. */
export type Layer = DenseLayer | DropoutLayer | NormalizationLayer;

/** Re-checks a layer given to a Network (it may be a hand-written or loaded object rather than
 *  the result of dense() or dropout()); returns a clean, frozen copy. */
export function checkLayer(layer: unknown, index: number): Layer {
  const where = `layers[${index}]`;
  if (typeof layer === 'object' && layer !== null) {
    const { type, units, ...options } = layer as Record<string, unknown>;
    if (type === 'dense') return resolveDense(units, options, where);
    if (type === 'dropout') return checkDropout(layer as { type: 'dropout' }, where);
    if (type === 'normalization') return checkNormalization(layer as Record<string, unknown>, where);
  }
  throw new ConfigError(`${where} must be a layer made by dense(units, options), dropout(rate) or normalization(options), got ${show(layer)}`);
}

/** Values of the statistics slab (non-trained state) a layer of width `width` owns. */
export function statsOf(layer: Layer, width: number): number {
  return layer.type === 'normalization' ? 2 * width : 0;
}

/** Trainable values (parameter slab) a layer owns, and the width after it. */
export function paramsOf(layer: Layer, width: number): { params: number; width: number } {
  return layer.type === 'dense' ? { params: (width + 1) * layer.units, width: layer.units } : { params: 0, width };
}
