// Weight initialisation from the network's seeded generator. Biases start at zero.
import type { ActivationName } from './activations';
import type { Random } from './random';

export type InitializerName = 'glorotUniform' | 'heUniform';

/** Glorot/Xavier for sigmoid, tanh, linear and softmax; He for the ReLU family. */
export function defaultInitializer(activation: ActivationName): InitializerName {
  return activation === 'relu' || activation === 'leakyRelu' ? 'heUniform' : 'glorotUniform';
}

/** Fills `out` (a fanIn×fanOut weight matrix) with U(−limit, limit), where
 *  glorotUniform: limit = √(6 / (fanIn + fanOut)), heUniform: limit = √(6 / fanIn). */
export function initializeWeights(out: Float64Array, offset: number, fanIn: number, fanOut: number, name: InitializerName, rng: Random): void {
  const limit = name === 'heUniform' ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
  const count = fanIn * fanOut;
  for (let i = 0; i < count; i++) out[offset + i] = rng.uniform(-limit, limit);
}
