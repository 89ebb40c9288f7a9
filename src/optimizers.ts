// Optimizer configuration. The update rule runs over the whole parameter slab in one kernel
// call (assembly/optimizers.ts, src/backend/js.ts).
import { ConfigError } from './errors';
import { checkKeys, numberInRange, positiveNumber, show } from './validate';

export const OPTIMIZERS = ['sgd'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Mini-batch stochastic gradient descent: v = momentum·v − learningRate·g; θ += v. */
export interface SgdConfig {
  type: 'sgd';
  /** Step size, > 0. Default 0.01. */
  learningRate?: number;
  /** In [0, 1). 0 (the default) is plain SGD. */
  momentum?: number;
}

export type OptimizerConfig = SgdConfig | OptimizerName;

export interface ResolvedOptimizer {
  type: 'sgd';
  learningRate: number;
  momentum: number;
}

export function resolveOptimizer(config: OptimizerConfig | undefined): ResolvedOptimizer {
  if (config === undefined) return { type: 'sgd', learningRate: 0.01, momentum: 0 };
  if (typeof config === 'string') config = { type: config } as SgdConfig;
  if (typeof config !== 'object' || config === null) {
    throw new ConfigError(`optimizer must be an object such as { type: 'sgd', learningRate: 0.1 } or a name, got ${show(config)}`);
  }
  if (config.type !== 'sgd') {
    throw new ConfigError(`optimizer.type must be one of ${OPTIMIZERS.map((o) => `"${o}"`).join(', ')}, got ${show(config.type)}`);
  }
  checkKeys(config, ['type', 'learningRate', 'momentum'], 'optimizer');
  return {
    type: 'sgd',
    learningRate: positiveNumber(config.learningRate ?? 0.01, 'optimizer.learningRate'),
    momentum: numberInRange(config.momentum ?? 0, 'optimizer.momentum', 0, 1, false),
  };
}
