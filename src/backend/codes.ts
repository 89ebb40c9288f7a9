// Activation codes shared with assembly/codes.ts; test/backends.test.ts checks they agree.
export const ACT_LINEAR = 0;
export const ACT_SIGMOID = 1;
export const ACT_TANH = 2;
export const ACT_RELU = 3;
export const ACT_LEAKY_RELU = 4;
export const ACT_SOFTMAX = 5;

// The fused step's network description (assembly/step.ts): an f64 array in the arena.
export const DESC_HEADER = 16;
export const DESC_LAYER = 10;
/** header slots */
export const D_LAYERS = 0;
export const D_LOSS = 1;
export const D_X = 2;
export const D_Y = 3;
export const D_DA = 4;
export const D_DZ = 5;
export const D_SCRATCH = 6;
export const D_PARAMS = 7;
export const D_GRADS = 8;
export const D_VELOCITY = 9;
export const D_PARAM_COUNT = 10;
export const D_LEARNING_RATE = 11;
export const D_MOMENTUM = 12;
export const D_STATUS = 13;
export const D_OPTIMIZER = 14;
/** written by the step: the batch loss */
export const D_LOSS_VALUE = 15;
/** per-layer slots, after the header, DESC_LAYER each */
export const L_INPUTS = 0;
export const L_UNITS = 1;
export const L_ACT = 2;
export const L_ALPHA = 3;
export const L_W = 4;
export const L_B = 5;
export const L_DW = 6;
export const L_DB = 7;
export const L_Z = 8;
export const L_A = 9;

export const LOSS_MSE = 0;
export const LOSS_SOFTMAX_CE = 1;
export const LOSS_SIGMOID_BCE = 2;

export const STEP_FORWARD = 0;
export const STEP_LOSS = 1;
export const STEP_GRADIENTS = 2;
export const STEP_TRAIN = 3;

export const STATUS_OK = 0;
export const STATUS_LOSS_NOT_FINITE = 1;
export const STATUS_UPDATE_NOT_FINITE = 2;
