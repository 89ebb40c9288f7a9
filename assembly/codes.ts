// Numeric codes shared with src/backend/codes.ts (a test checks both sides agree).

export const ACT_LINEAR: i32 = 0;
export const ACT_SIGMOID: i32 = 1;
export const ACT_TANH: i32 = 2;
export const ACT_RELU: i32 = 3;
export const ACT_LEAKY_RELU: i32 = 4;
export const ACT_SOFTMAX: i32 = 5;
