/**
 * wasmnet: dense neural networks for every JavaScript runtime, with f64 WebAssembly kernels
 * and a pure-TypeScript twin backend. Start with {@link Network}, {@link dense} and
 * {@link Network.fit}; the guides are in the repository's docs/ folder.
 *
 * @module wasmnet
 */
export { init, initSync, type WasmSource } from './core/wasm';
export { Network, type NetworkConfig, type LayerWeights, type Evaluation, type Gradients, type LoadOptions } from './network';
export type { SavedModel } from './io/format';
export { dense, type DenseLayer, type DenseOptions } from './layers/dense';
export { dropout, type DropoutLayer } from './layers/dropout';
export { normalization, batchNorm, layerNorm, type NormalizationLayer, type NormalizationOptions, type BatchNormLayer, type BatchNormOptions, type LayerNormLayer, type LayerNormOptions } from './layers/normalization';
export type { Layer } from './layers/index';
export type { InitializerName, InitializerConfig } from './initializers';
export type { ActivationName } from './activations';
export type { LossName, LossConfig } from './losses';
export type { OptimizerConfig, OptimizerName, SgdConfig, AdamConfig, AdamWConfig, RmspropConfig, AdagradConfig } from './optimizers';
export type { FitOptions, History, EpochLogs } from './training/fit';
export type { BatchLogs, Callback, CallbackResult, TrainingControl, LogKey, MetricName, LearningRateSchedule, AbortSignalLike } from './training/fit';
export { earlyStopping, type EarlyStopping, type EarlyStoppingOptions } from './training/callbacks';
export { stepDecay, exponentialDecay, cosineDecay, learningRateScheduler, type StepDecayOptions, type ExponentialDecayOptions, type CosineDecayOptions } from './training/schedules';
export { progressBar, type ProgressBarOptions, type ProgressStream } from './training/progress';
export type { BackendName } from './backend/kernels';
export type { Matrix, NumericArray, Sample } from './data';
export { WasmnetError, ConfigError, ShapeError, DataError, DivergenceError, InitError, FormatError, MemoryLimitError, ThreadError, IOError } from './errors';
export { plotHistory, type PlotOptions } from './plot';
export {
  oneHot, argMax, shuffle, trainTestSplit, confusionMatrix,
  type ShuffleOptions, type SplitOptions, type Split, type SampleSplit, type SampleArray, type ConfusionMatrix, type ConfusionMatrixOptions,
} from './helpers';
export type { Batch, BatchSource, Dataset, FitDatasetOptions } from './training/stream';
