// Activation codes shared with assembly/codes.ts; test/backends.test.ts checks they agree.
export const ACT_LINEAR = 0;
export const ACT_SIGMOID = 1;
export const ACT_TANH = 2;
export const ACT_RELU = 3;
export const ACT_LEAKY_RELU = 4;
export const ACT_SOFTMAX = 5;
