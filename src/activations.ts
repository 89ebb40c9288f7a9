// Activation names users write, the kernel codes they map to, and the initialiser each one
// defaults to. The math itself is in assembly/activations.ts and src/backend/js.ts.
import { ACT_LEAKY_RELU, ACT_LINEAR, ACT_RELU, ACT_SIGMOID, ACT_SOFTMAX, ACT_TANH } from './backend/codes';

export const ACTIVATIONS = ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'softmax'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export const ACTIVATION_CODES: Record<ActivationName, number> = {
  linear: ACT_LINEAR,
  sigmoid: ACT_SIGMOID,
  tanh: ACT_TANH,
  relu: ACT_RELU,
  leakyRelu: ACT_LEAKY_RELU,
  softmax: ACT_SOFTMAX,
};

/** Slope for z < 0 of leakyRelu when none is given. */
export const DEFAULT_LEAKY_ALPHA = 0.01;
