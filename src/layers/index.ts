// The layer kinds a Network accepts, and the check applied to each entry of `layers`.
import { ConfigError } from '../errors';
import { oneOf, show } from '../validate';
import { resolveDense, type DenseLayer } from './dense';
import { checkDropout, type DropoutLayer } from './dropout';
import { checkBatchNorm, checkLayerNorm, checkNormalization, type BatchNormLayer, type LayerNormLayer, type NormalizationLayer } from './normalization';

/** A layer of a {@link NetworkConfig}: made by {@link dense}, {@link dropout},
 *  {@link normalization}, {@link batchNorm} or {@link layerNorm}. */
export type Layer = DenseLayer | DropoutLayer | NormalizationLayer | BatchNormLayer | LayerNormLayer;

const LAYER_TYPES = ['dense', 'dropout', 'normalization', 'batchNorm', 'layerNorm'] as const;

/** Re-checks a layer given to a Network (it may be a hand-written or loaded object rather than
 *  the result of dense() or dropout()); returns a clean, frozen copy. */
export function checkLayer(layer: unknown, index: number): Layer {
  const where = `layers[${index}]`;
  if (typeof layer === 'object' && layer !== null) {
    const { type, units, ...options } = layer as Record<string, unknown>;
    if (type === 'dense') return resolveDense(units, options, where);
    if (type === 'dropout') return checkDropout(layer as { type: 'dropout' }, where);
    if (type === 'normalization') return checkNormalization(layer as Record<string, unknown>, where);
    if (type === 'batchNorm') return checkBatchNorm(layer as Record<string, unknown>, where);
    if (type === 'layerNorm') return checkLayerNorm(layer as Record<string, unknown>, where);
    // a type wasmnet has not (or misspelt): named, with the nearest kind when there is one
    if (type !== undefined) oneOf(type, `${where} type`, LAYER_TYPES);
  }
  throw new ConfigError(`${where} must be a layer made by dense(units, options), dropout(rate), normalization(options), batchNorm(options) or layerNorm(options), got ${show(layer)}`);
}

/** Values of the statistics slab (non-trained state) a layer of width `width` owns. */
export function statsOf(layer: Layer, width: number): number {
  return layer.type === 'normalization' || layer.type === 'batchNorm' ? 2 * width : 0;
}

/** Trainable values (parameter slab) a layer owns, and the width after it. */
export function paramsOf(layer: Layer, width: number): { params: number; width: number } {
  if (layer.type === 'dense') return { params: (width + 1) * layer.units, width: layer.units };
  return { params: layer.type === 'batchNorm' || layer.type === 'layerNorm' ? 2 * width : 0, width };
}
