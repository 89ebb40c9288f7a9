// The wasm core's exports: kernels over raw byte pointers into this module's memory.
// The host (src/backend/wasm.ts) lays out every buffer; nothing here allocates.

export { matmul, matmulTransA, matmulTransB, gemmScratchSize, packedSize, packWeights } from './gemm';
export { denseForward, denseBackward } from './dense';
export { activate, activateBackward } from './activations';
export { mse, mae, huber, softmaxCrossEntropy, sparseSoftmaxCrossEntropy, sigmoidBinaryCrossEntropy } from './losses';
export { sgd, adam, rmsprop, adagrad } from './optimizers';
export { weightPenalty, clipGlobalNorm } from './regularizers';
export { dropoutForward, dropoutBackward } from './dropout';
export { normalizeForward, normalizeBackward, batchNormForward, batchNormBackward, batchNormUpdate, layerNormForward, layerNormBackward } from './normalization';
export { step } from './step';
export { epochs } from './epoch';
export { countCorrect, sumAbsError } from './metrics';
export { firstNonFinite } from './memory';
export { erf, exp, tanh } from './math'; // the activations' erf, exp and tanh (exported for the accuracy test)

/** First byte after the module's static data: the host's arena starts here (16-byte aligned). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}
