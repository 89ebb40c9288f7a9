// Every number the host and the core must agree on (mirror of assembly/codes.ts, where each
// is explained); test/backends.test.ts checks each value against the core's exports.

// activations
export const ACT_LINEAR = 0;
export const ACT_SIGMOID = 1;
export const ACT_TANH = 2;
export const ACT_RELU = 3;
export const ACT_LEAKY_RELU = 4;
export const ACT_SOFTMAX = 5;
export const ACT_ELU = 6;
export const ACT_SELU = 7;
export const ACT_SOFTPLUS = 8;
export const ACT_GELU = 9;
export const ACT_SWISH = 10;
export const ACT_GELU_EXACT = 11;
export const ACT_RELU6 = 12; // min(max(0, z), 6)

// losses
export const LOSS_MSE = 0;
export const LOSS_SOFTMAX_CE = 1;
export const LOSS_SIGMOID_BCE = 2;
export const LOSS_MAE = 3;
export const LOSS_HUBER = 4;
export const LOSS_SPARSE_SOFTMAX_CE = 5;

// optimizers
export const OPT_SGD = 0;
export const OPT_ADAM = 1;
export const OPT_RMSPROP = 2;
export const OPT_ADAGRAD = 3;

// layers
export const LAYER_DENSE = 0;
export const LAYER_DROPOUT = 1;
export const LAYER_NORMALIZATION = 2; // fixed per-feature standardization (mean and variance at L_STATS)
export const LAYER_BATCH_NORM = 3; // batch normalization: γ at L_W, β at L_B, moving mean and variance at L_STATS
export const LAYER_LAYER_NORM = 4; // layer normalization: γ at L_W, β at L_B

// what a step does
export const STEP_FORWARD = 0; // inference forward pass
export const STEP_LOSS = 1; // + loss (with weight penalties)
export const STEP_GRADIENTS = 2; // + every gradient (inference mode: no dropout)
export const STEP_TRAIN = 3; // training forward (dropout on), loss, gradients, update

export const STATUS_OK = 0;
export const STATUS_LOSS_NOT_FINITE = 1;
export const STATUS_UPDATE_NOT_FINITE = 2;
export const STATUS_THREAD_FAILED = 3; // a worker thread failed (threads build): the step did nothing

// metrics a step measures (bits of D_METRICS)
export const METRIC_ACCURACY = 1;
export const METRIC_MAE = 2;
export const METRIC_MSE = 4;

// The network description: an f64 array; offsets in it count f64 elements of the arena.
export const DESC_HEADER = 53;
export const DESC_LAYER = 20;
// header slots
export const D_LAYERS = 0;
export const D_LOSS = 1;
export const D_X = 2;
export const D_Y = 3;
export const D_DA = 4;
export const D_DZ = 5;
export const D_SCRATCH = 6;
export const D_PARAMS = 7;
export const D_GRADS = 8;
export const D_STATE1 = 9; // optimizer state slab 1 (momentum / Adam m / RMSprop and Adagrad accumulators)
export const D_STATE2 = 10; // optimizer state slab 2 (Adam v / RMSprop momentum)
export const D_PARAM_COUNT = 11;
export const D_OPTIMIZER = 12;
export const D_LEARNING_RATE = 13;
export const D_MOMENTUM = 14;
export const D_NESTEROV = 15;
export const D_BETA1 = 16;
export const D_BETA2 = 17;
export const D_EPSILON = 18;
export const D_RHO = 19;
export const D_WEIGHT_DECAY = 20;
export const D_STEP_COUNT = 21; // updates applied so far (Adam's t)
export const D_CLIP_NORM = 22; // 0: no clipping
export const D_LOSS_PARAM = 23; // Huber's delta
export const D_RNG = 24; // 4 slots: the dropout generator's sfc32 state (uint32 values)
export const D_STATUS = 28; // written by the step
export const D_LOSS_VALUE = 29; // written by the step: batch loss incl. weight penalties
export const D_PENALTY = 30; // written by the step: the weight-penalty part of the loss
export const D_GRAD_NORM = 31; // written by the step: gradient norm before clipping
export const D_METRICS = 32; // which metrics a step measures: METRIC_ACCURACY | METRIC_MAE | METRIC_MSE
export const D_LOSS_SUM = 33; // Σ loss·rows over training steps (read and reset by the host)
export const D_CORRECT_SUM = 34; // Σ correct predictions over training steps (when measured)
export const D_ABS_ERROR_SUM = 35; // Σ |a − y| over training steps (when measured)
export const D_BATCH_CORRECT = 36; // written by the step: this batch's correct predictions
export const D_BATCH_ABS_ERROR = 37; // written by the step: this batch's Σ |a − y|
export const D_DATA_X = 38; // the resident training set's inputs [samples × inputs] (epoch)
export const D_DATA_Y = 39; // its targets [samples × target width]
export const D_ORDER = 40; // [samples] row order of the epoch (indices stored as f64)
export const D_TARGET_WIDTH = 41; // target columns per row (1 for integer labels)
export const D_FAILED_BATCH = 42; // written by the epoch: the batch whose step failed
export const D_SHUFFLE_RNG = 43; // 4 slots: the shuffling generator's sfc32 state during an epoch
export const D_INPUT_WIDTH = 47; // input columns per row
export const D_EPOCH_LOG = 48; // [epochs × 4]: each epoch's loss, correct, |error| and squared-error sums (multi-epoch calls)
export const D_FAILED_EPOCH = 49; // written by the epochs: the epoch (within the call) whose batch failed
/** Rows up to which X·W reads W in place, never packed (gemm.ts fewRows). */
export const FEW_ROWS = 4;
export const D_PACKED_VALID = 50; // 1 while every L_PACKED copy matches its W (a training update, setWeights and loads reset it)
export const D_SQ_ERROR_SUM = 51; // Σ (a − y)² over training steps (when measured)
export const D_BATCH_SQ_ERROR = 52; // written by the step: this batch's Σ (a − y)²
// per-layer slots (DESC_HEADER + layer·DESC_LAYER + slot)
export const L_KIND = 0;
export const L_INPUTS = 1;
export const L_UNITS = 2;
export const L_ACT = 3;
export const L_ALPHA = 4;
export const L_W = 5;
export const L_B = 6;
export const L_DW = 7;
export const L_DB = 8;
export const L_Z = 9; // dense: pre-activation; dropout: the mask
export const L_A = 10; // the layer's output
export const L_L1 = 11;
export const L_L2 = 12;
export const L_RATE = 13; // dropout rate
export const L_PACKED = 14; // dense: where W's packed copy goes (0: none; the js backend keeps none)
export const L_STATS = 15; // the layer's part of the statistics slab (normalization: mean [units], then variance [units]; batch norm: the moving ones)
export const L_AUX = 16; // batch norm: the batch's mean, variance and 1/√(variance + ε) [3×units]; layer norm: each row's mean, then 1/√(variance + ε) [2×rows]
export const L_EPSILON = 17; // batch and layer norm: ε
export const L_MOMENTUM = 18; // batch norm: the moving statistics' momentum
export const L_UNBIASED = 19; // batch norm: 1 to update the moving variance with the unbiased batch variance
