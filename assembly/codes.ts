// Every number the host and the core must agree on: activation, loss, optimizer and layer
// codes, and the layout of the network description the fused step reads. src/backend/codes.ts
// holds the same names; test/backends.test.ts compiles this file alone and checks each value.

// activations
export const ACT_LINEAR: i32 = 0;
export const ACT_SIGMOID: i32 = 1;
export const ACT_TANH: i32 = 2;
export const ACT_RELU: i32 = 3;
export const ACT_LEAKY_RELU: i32 = 4;
export const ACT_SOFTMAX: i32 = 5;
export const ACT_ELU: i32 = 6;
export const ACT_SELU: i32 = 7;
export const ACT_SOFTPLUS: i32 = 8;
export const ACT_GELU: i32 = 9;
export const ACT_SWISH: i32 = 10;
export const ACT_GELU_EXACT: i32 = 11; // x·Φ(x) with erf (gelu is the tanh approximation)
export const ACT_RELU6: i32 = 12; // min(max(0, z), 6)

// losses
export const LOSS_MSE: i32 = 0;
export const LOSS_SOFTMAX_CE: i32 = 1;
export const LOSS_SIGMOID_BCE: i32 = 2;
export const LOSS_MAE: i32 = 3;
export const LOSS_HUBER: i32 = 4;
export const LOSS_SPARSE_SOFTMAX_CE: i32 = 5;

// optimizers
export const OPT_SGD: i32 = 0;
export const OPT_ADAM: i32 = 1;
export const OPT_RMSPROP: i32 = 2;
export const OPT_ADAGRAD: i32 = 3;

// layers
export const LAYER_DENSE: i32 = 0;
export const LAYER_DROPOUT: i32 = 1;
export const LAYER_NORMALIZATION: i32 = 2; // fixed per-feature standardization (mean and variance at L_STATS)
export const LAYER_BATCH_NORM: i32 = 3; // batch normalization: γ at L_W, β at L_B, moving mean and variance at L_STATS
export const LAYER_LAYER_NORM: i32 = 4; // layer normalization: γ at L_W, β at L_B

// what a step does
export const STEP_FORWARD: i32 = 0; // inference forward pass
export const STEP_LOSS: i32 = 1; // + loss (with weight penalties)
export const STEP_GRADIENTS: i32 = 2; // + every gradient (inference mode: no dropout)
export const STEP_TRAIN: i32 = 3; // training forward (dropout on), loss, gradients, update

export const STATUS_OK: i32 = 0;
export const STATUS_LOSS_NOT_FINITE: i32 = 1;
export const STATUS_UPDATE_NOT_FINITE: i32 = 2;
export const STATUS_THREAD_FAILED: i32 = 3; // a worker thread failed (threads build): the step did nothing

// metrics a step measures (bits of D_METRICS)
export const METRIC_ACCURACY: i32 = 1;
export const METRIC_MAE: i32 = 2;
export const METRIC_MSE: i32 = 4;

// The network description: an f64 array; offsets in it count f64 elements of the arena.
export const DESC_HEADER: i32 = 53;
export const DESC_LAYER: i32 = 20;
// header slots
export const D_LAYERS: i32 = 0;
export const D_LOSS: i32 = 1;
export const D_X: i32 = 2;
export const D_Y: i32 = 3;
export const D_DA: i32 = 4;
export const D_DZ: i32 = 5;
export const D_SCRATCH: i32 = 6;
export const D_PARAMS: i32 = 7;
export const D_GRADS: i32 = 8;
export const D_STATE1: i32 = 9; // optimizer state slab 1 (momentum / Adam m / RMSprop and Adagrad accumulators)
export const D_STATE2: i32 = 10; // optimizer state slab 2 (Adam v / RMSprop momentum)
export const D_PARAM_COUNT: i32 = 11;
export const D_OPTIMIZER: i32 = 12;
export const D_LEARNING_RATE: i32 = 13;
export const D_MOMENTUM: i32 = 14;
export const D_NESTEROV: i32 = 15;
export const D_BETA1: i32 = 16;
export const D_BETA2: i32 = 17;
export const D_EPSILON: i32 = 18;
export const D_RHO: i32 = 19;
export const D_WEIGHT_DECAY: i32 = 20;
export const D_STEP_COUNT: i32 = 21; // updates applied so far (Adam's t)
export const D_CLIP_NORM: i32 = 22; // 0: no clipping
export const D_LOSS_PARAM: i32 = 23; // Huber's delta
export const D_RNG: i32 = 24; // 4 slots: the dropout generator's sfc32 state (uint32 values)
export const D_STATUS: i32 = 28; // written by the step
export const D_LOSS_VALUE: i32 = 29; // written by the step: batch loss incl. weight penalties
export const D_PENALTY: i32 = 30; // written by the step: the weight-penalty part of the loss
export const D_GRAD_NORM: i32 = 31; // written by the step: gradient norm before clipping
export const D_METRICS: i32 = 32; // which metrics a step measures: METRIC_ACCURACY | METRIC_MAE | METRIC_MSE
export const D_LOSS_SUM: i32 = 33; // Σ loss·rows over training steps (read and reset by the host)
export const D_CORRECT_SUM: i32 = 34; // Σ correct predictions over training steps (when measured)
export const D_ABS_ERROR_SUM: i32 = 35; // Σ |a − y| over training steps (when measured)
export const D_BATCH_CORRECT: i32 = 36; // written by the step: this batch's correct predictions
export const D_BATCH_ABS_ERROR: i32 = 37; // written by the step: this batch's Σ |a − y|
export const D_DATA_X: i32 = 38; // the resident training set's inputs [samples × inputs] (epoch)
export const D_DATA_Y: i32 = 39; // its targets [samples × target width]
export const D_ORDER: i32 = 40; // [samples] row order of the epoch (indices stored as f64)
export const D_TARGET_WIDTH: i32 = 41; // target columns per row (1 for integer labels)
export const D_FAILED_BATCH: i32 = 42; // written by the epoch: the batch whose step failed
export const D_SHUFFLE_RNG: i32 = 43; // 4 slots: the shuffling generator's sfc32 state during an epoch
export const D_INPUT_WIDTH: i32 = 47; // input columns per row
export const D_EPOCH_LOG: i32 = 48; // [epochs × 4]: each epoch's loss, correct, |error| and squared-error sums (multi-epoch calls)
export const D_FAILED_EPOCH: i32 = 49; // written by the epochs: the epoch (within the call) whose batch failed
/** Rows up to which X·W reads W in place, never packed (gemm.ts fewRows). */
export const FEW_ROWS: i32 = 4;
export const D_PACKED_VALID: i32 = 50; // 1 while every L_PACKED copy matches its W (a training update, setWeights and loads reset it)
export const D_SQ_ERROR_SUM: i32 = 51; // Σ (a − y)² over training steps (when measured)
export const D_BATCH_SQ_ERROR: i32 = 52; // written by the step: this batch's Σ (a − y)²
// per-layer slots (DESC_HEADER + layer·DESC_LAYER + slot)
export const L_KIND: i32 = 0;
export const L_INPUTS: i32 = 1;
export const L_UNITS: i32 = 2;
export const L_ACT: i32 = 3;
export const L_ALPHA: i32 = 4;
export const L_W: i32 = 5;
export const L_B: i32 = 6;
export const L_DW: i32 = 7;
export const L_DB: i32 = 8;
export const L_Z: i32 = 9; // dense: pre-activation; dropout: the mask
export const L_A: i32 = 10; // the layer's output
export const L_L1: i32 = 11;
export const L_L2: i32 = 12;
export const L_RATE: i32 = 13; // dropout rate
export const L_PACKED: i32 = 14; // dense: where W's packed copy goes (0: none; the js backend keeps none)
export const L_STATS: i32 = 15; // the layer's part of the statistics slab (normalization: mean [units], then variance [units]; batch norm: the moving ones)
export const L_AUX: i32 = 16; // batch norm: the batch's mean, variance and 1/√(variance + ε) [3×units]; layer norm: each row's mean, then 1/√(variance + ε) [2×rows]
export const L_EPSILON: i32 = 17; // batch and layer norm: ε
export const L_MOMENTUM: i32 = 18; // batch norm: the moving statistics' momentum
export const L_UNBIASED: i32 = 19; // batch norm: 1 to update the moving variance with the unbiased batch variance
