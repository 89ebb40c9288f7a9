// wasmnet: dense neural networks for every JavaScript runtime, with f64 WebAssembly kernels.
export { init, initSync, type WasmSource } from './core/wasm';
export { Network, type NetworkConfig, type LayerWeights, type Evaluation, type Gradients } from './network';
export { dense, type DenseLayer, type DenseOptions } from './layers/dense';
export type { ActivationName } from './activations';
export type { LossName } from './losses';
export type { OptimizerConfig, SgdConfig } from './optimizers';
export type { FitOptions, History, EpochLogs } from './training/fit';
export type { BackendName } from './backend/kernels';
export type { Matrix, Sample } from './data';
export { WasmnetError, ConfigError, ShapeError, DataError, DivergenceError, InitError } from './errors';
