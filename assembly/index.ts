// The wasm core's exports: kernels over raw byte pointers into this module's memory.
// The host (src/backend/wasm.ts) lays out every buffer; nothing here allocates.

export { matmul, matmulTransA, matmulTransB, gemmScratchSize } from './gemm';
export { addBias, columnSums } from './rows';
export { activate, activateBackward } from './activations';
export { mse, softmaxCrossEntropy, sigmoidBinaryCrossEntropy } from './losses';
export { sgd } from './optimizers';
export { ACT_LINEAR, ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_LEAKY_RELU, ACT_SOFTMAX } from './codes';

/** First byte after the module's static data: the host's arena starts here (16-byte aligned). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}
export {
  step,
  DESC_HEADER, DESC_LAYER,
  LOSS_MSE, LOSS_SOFTMAX_CE, LOSS_SIGMOID_BCE,
  STEP_FORWARD, STEP_LOSS, STEP_GRADIENTS, STEP_TRAIN,
  STATUS_OK, STATUS_LOSS_NOT_FINITE, STATUS_UPDATE_NOT_FINITE,
} from './step';
