// Small checks for user-supplied options; each throws a ConfigError naming the option.
import { ConfigError } from './errors';

export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'function') return 'a function';
  return Object.prototype.toString.call(value) === '[object Object]' ? 'an object' : Object.prototype.toString.call(value);
}

/** Rejects keys that are not in `allowed` (catches typos such as `learningrate`). */
export function checkKeys(options: object, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new ConfigError(`${where}: unknown option "${key}"; expected one of ${allowed.map((k) => `"${k}"`).join(', ')}`);
    }
  }
}

export function checkObject(value: unknown, name: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${name} must be an object, got ${show(value)}`);
  }
}

export function positiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConfigError(`${name} must be a positive integer, got ${show(value)}`);
  }
  return value;
}

export function nonNegativeInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ConfigError(`${name} must be a non-negative integer, got ${show(value)}`);
  }
  return value;
}

export function positiveNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`${name} must be a finite number > 0, got ${show(value)}`);
  }
  return value;
}

export function nonNegativeNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(`${name} must be a finite number ≥ 0, got ${show(value)}`);
  }
  return value;
}

export function numberInRange(value: unknown, name: string, min: number, max: number, maxInclusive: boolean): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && (maxInclusive ? value <= max : value < max);
  if (!ok) {
    throw new ConfigError(`${name} must be a number in [${min}, ${max}${maxInclusive ? ']' : ')'}, got ${show(value)}`);
  }
  return value as number;
}

export function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    const hint = typeof value === 'string' ? suggest(value, allowed) : undefined;
    throw new ConfigError(`${name} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${show(value)}${hint ? ` (did you mean "${hint}"?)` : ''}`);
  }
  return value as T;
}

/** Keras and TensorFlow.js names whose letters differ from wasmnet's (the others differ only in
 *  case and underscores: 'binary_crossentropy', 'Adam', 'leaky_relu'), normalized. */
const ALIASES: Record<string, string> = {
  meansquarederror: 'mse',
  meanabsoluteerror: 'mae',
  huberloss: 'huber',
  silu: 'swish',
};

const normalize = (name: string): string => name.toLowerCase().replace(/[\s_-]/g, '');

/** The allowed name `value` most likely meant: the same letters ignoring case, `_` and `-`
 *  (Keras's and tfjs's spellings), a known alias, or a typo of at most two edits. */
function suggest(value: string, allowed: readonly string[]): string | undefined {
  if (value.length > 64) return undefined;
  const key = normalize(value);
  const alias = Object.prototype.hasOwnProperty.call(ALIASES, key) ? ALIASES[key] : undefined;
  if (alias !== undefined && allowed.includes(alias)) return alias;
  const same = allowed.find((a) => normalize(a) === key);
  if (same !== undefined) return same;
  let best: string | undefined;
  let bestDistance = 3;
  for (const a of allowed) {
    const d = distance(key, normalize(a));
    if (d < bestDistance) [best, bestDistance] = [a, d];
  }
  return best;
}

/** Levenshtein distance (short strings only). */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}
