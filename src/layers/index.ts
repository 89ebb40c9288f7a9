// The layer kinds a Network accepts, and the check applied to each entry of `layers`.
import { ConfigError } from '../errors';
import { show } from '../validate';
import { resolveDense, type DenseLayer } from './dense';
import { checkDropout, type DropoutLayer } from './dropout';

/** A layer of a {@link NetworkConfig}: made by {@link dense} or {@link dropout}. */
export type Layer = DenseLayer | DropoutLayer;

/** Re-checks a layer given to a Network (it may be a hand-written or loaded object rather than
 *  the result of dense() or dropout()); returns a clean, frozen copy. */
export function checkLayer(layer: unknown, index: number): Layer {
  const where = `layers[${index}]`;
  if (typeof layer === 'object' && layer !== null) {
    const { type, units, ...options } = layer as Record<string, unknown>;
    if (type === 'dense') return resolveDense(units, options, where);
    if (type === 'dropout') return checkDropout(layer as { type: 'dropout' }, where);
  }
  throw new ConfigError(`${where} must be a layer made by dense(units, options) or dropout(rate), got ${show(layer)}`);
}
