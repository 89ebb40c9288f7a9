// Initial weights, drawn from the network's seeded generator. Names and scales follow Keras:
// fan-scaled uniform U(−limit, limit) with limit = √(3·scale/fan), or a normal with
// stddev = √(scale/fan) truncated at two deviations (Keras's VarianceScaling divides by
// 0.8796… so the truncated draw keeps that variance), where
//   glorot: scale 1, fan = (fanIn + fanOut)/2;  he: scale 2, fan = fanIn;  lecun: scale 1, fan = fanIn.
import type { ActivationName } from './activations';
import { ConfigError } from './errors';
import type { Random } from './random';
import { checkKeys, oneOf, show } from './validate';
import { exp } from './backend/math';

export const INITIALIZERS = ['glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'lecunUniform', 'lecunNormal', 'zeros', 'ones'] as const;
/**
 * An initialiser by name: `'glorotUniform'`, `'glorotNormal'`, `'heUniform'`, `'heNormal'`,
 * `'lecunUniform'`, `'lecunNormal'` (the normals truncated at 2σ, as in Keras), `'zeros'` or `'ones'`.
 */
export type InitializerName = (typeof INITIALIZERS)[number];
/** A name, or `{ type: 'constant', value }`. */
export type InitializerConfig =
  | InitializerName
  | {
      /** Every value starts at `value`. */
      type: 'constant';
      /** The starting value, a finite number. */
      value: number;
    };

export type ResolvedInitializer = { type: InitializerName } | { type: 'constant'; value: number };

/** Glorot for sigmoid, tanh, linear, softmax and the smooth ones; He for the ReLU family;
 *  LeCun normal for selu (what makes it self-normalising). */
export function defaultInitializer(activation: ActivationName): ResolvedInitializer {
  if (activation === 'relu' || activation === 'leakyRelu' || activation === 'elu') return { type: 'heUniform' };
  if (activation === 'selu') return { type: 'lecunNormal' };
  return { type: 'glorotUniform' };
}

export function resolveInitializer(config: unknown, name: string): ResolvedInitializer {
  if (typeof config === 'object' && config !== null && !Array.isArray(config)) {
    const c = config as { type?: unknown; value?: unknown };
    if (c.type !== 'constant') {
      // { type: name } is the resolved form a layer stores (and a saved model carries)
      checkKeys(c, ['type'], name);
      return { type: oneOf(c.type, `${name}.type`, INITIALIZERS) };
    }
    checkKeys(c, ['type', 'value'], name);
    if (typeof c.value !== 'number' || !Number.isFinite(c.value)) throw new ConfigError(`${name}.value must be a finite number, got ${show(c.value)}`);
    return { type: 'constant', value: c.value };
  }
  return { type: oneOf(config, name, INITIALIZERS) };
}

/** Keras's correction: the stddev of a standard normal truncated to [−2, 2]. */
const TRUNCATED_STDDEV = 0.87962566103423978;

/** Fills count = fanIn·fanOut values (or a bias of fanOut values, fanIn = 0) at `offset`. */
export function initialize(out: Float64Array, offset: number, count: number, fanIn: number, fanOut: number, init: ResolvedInitializer, rng: Random): void {
  if (init.type === 'constant') {
    out.fill(init.value, offset, offset + count);
    return;
  }
  const { type } = init;
  if (type === 'zeros' || type === 'ones') {
    out.fill(type === 'zeros' ? 0 : 1, offset, offset + count);
    return;
  }
  const family = type.startsWith('glorot') ? 'glorot' : type.startsWith('he') ? 'he' : 'lecun';
  const fan = family === 'glorot' ? (fanIn + fanOut) / 2 : fanIn;
  const scale = (family === 'he' ? 2 : 1) / Math.max(1, fan);
  if (type.endsWith('Uniform')) {
    const limit = Math.sqrt(3 * scale);
    for (let i = 0; i < count; i++) out[offset + i] = rng.uniform(-limit, limit);
  } else {
    const stddev = Math.sqrt(scale) / TRUNCATED_STDDEV;
    for (let i = 0; i < count; i++) out[offset + i] = stddev * truncatedNormal(rng);
  }
}

/** A standard normal draw conditioned on [−2, 2], by rejection from U(−2, 2): accept x with
 *  probability e^(−x²/2) (≈ 60% accepted). Only uniform draws and one exp per proposal, the
 *  library's own (src/backend/math.ts, not the engine's), so it is the same in every engine. */
function truncatedNormal(rng: Random): number {
  for (;;) {
    const x = rng.uniform(-2, 2);
    if (rng.nextFloat() < exp(-0.5 * x * x)) return x;
  }
}
