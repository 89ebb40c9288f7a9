// Activation names users write, the kernel codes they map to, and their defaults. The math
// is in assembly/activations.ts and src/backend/js.ts.
import {
  ACT_ELU, ACT_GELU, ACT_GELU_EXACT, ACT_LEAKY_RELU, ACT_LINEAR, ACT_RELU, ACT_RELU6, ACT_SELU, ACT_SIGMOID, ACT_SOFTMAX, ACT_SOFTPLUS, ACT_SWISH, ACT_TANH,
} from './backend/codes';

export const ACTIVATIONS = ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'softmax', 'elu', 'selu', 'softplus', 'gelu', 'swish', 'geluExact', 'relu6'] as const;
/**
 * An activation by name: `'linear'`, `'sigmoid'`, `'tanh'`, `'relu'`, `'leakyRelu'`,
 * `'softmax'`, `'elu'`, `'selu'`, `'softplus'`, `'gelu'` (the tanh approximation: PyTorch's
 * `GELU(approximate='tanh')`, Keras's `gelu(approximate=True)`), `'swish'` or `'geluExact'`
 * (x·Φ(x) with erf: PyTorch's default `nn.GELU()`, Keras's default `"gelu"`) or `'relu6'`
 * (min(max(0, x), 6): Keras's and tfjs's `relu6`, PyTorch's `ReLU6`, ONNX `Clip(0, 6)`).
 */
export type ActivationName = (typeof ACTIVATIONS)[number];

export const ACTIVATION_CODES: Record<ActivationName, number> = {
  linear: ACT_LINEAR,
  sigmoid: ACT_SIGMOID,
  tanh: ACT_TANH,
  relu: ACT_RELU,
  leakyRelu: ACT_LEAKY_RELU,
  softmax: ACT_SOFTMAX,
  elu: ACT_ELU,
  selu: ACT_SELU,
  softplus: ACT_SOFTPLUS,
  gelu: ACT_GELU,
  swish: ACT_SWISH,
  geluExact: ACT_GELU_EXACT,
  relu6: ACT_RELU6,
};

/** Activations that take an `alpha`, and its default: leakyRelu's slope for z < 0 and elu's α. */
export const ALPHA_DEFAULTS: Partial<Record<ActivationName, number>> = {
  leakyRelu: 0.01,
  elu: 1,
};
