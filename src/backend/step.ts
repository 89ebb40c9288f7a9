// The fused step in TypeScript: forward, loss, backward and update for one batch, driven by
// the network description in the arena (layout in codes.ts). It is the JS backend's `step`,
// and the line-by-line twin of assembly/step.ts (which the wasm backend runs in one call);
// tests run this one over the wasm kernels too and expect the very same bits.
import {
  DESC_HEADER, DESC_LAYER, D_BETA1, D_BETA2, D_CLIP_NORM, D_DA, D_DZ, D_EPSILON, D_GRADS, D_GRAD_NORM, D_LAYERS, D_LEARNING_RATE,
  D_LOSS, D_LOSS_PARAM, D_LOSS_VALUE, D_MOMENTUM, D_NESTEROV, D_OPTIMIZER, D_PARAMS, D_PARAM_COUNT, D_PENALTY, D_RHO, D_RNG,
  D_SCRATCH, D_STATE1, D_STATE2, D_STATUS, D_STEP_COUNT, D_WEIGHT_DECAY, D_X, D_Y, LAYER_DROPOUT, LOSS_HUBER, LOSS_MAE,
  LOSS_SIGMOID_BCE, LOSS_SOFTMAX_CE, LOSS_SPARSE_SOFTMAX_CE, L_A, L_ACT, L_ALPHA, L_B, L_DB, L_DW, L_INPUTS, L_KIND, L_L1,
  L_L2, L_RATE, L_UNITS, L_W, L_Z, OPT_ADAGRAD, OPT_ADAM, OPT_RMSPROP, STATUS_LOSS_NOT_FINITE, STATUS_OK,
  STATUS_UPDATE_NOT_FINITE, STEP_FORWARD, STEP_GRADIENTS, STEP_LOSS, STEP_TRAIN, D_METRICS, METRIC_ACCURACY, METRIC_MAE, METRIC_MSE, D_BATCH_SQ_ERROR, D_SQ_ERROR_SUM,
  D_BATCH_CORRECT, D_BATCH_ABS_ERROR, D_LOSS_SUM, D_CORRECT_SUM, D_ABS_ERROR_SUM, D_PACKED_VALID, FEW_ROWS, L_PACKED,
  LAYER_DENSE, LAYER_NORMALIZATION, L_STATS, LAYER_BATCH_NORM, LAYER_LAYER_NORM, L_AUX, L_EPSILON, L_MOMENTUM, L_UNBIASED,
} from './codes';
import type { Kernels } from './kernels';
import { countCorrect, sumAbsError, sumSquaredError } from './metrics';


/** Runs `mode` (forward; + loss; + gradients; + update) on `rows` loaded samples, writes the
 *  batch loss into the description (0 for a forward pass) and returns a STATUS_* code (also
 *  written there). With a loss, the metrics D_METRICS asks for are measured on the batch's
 *  outputs; a successful training step also adds its loss·rows and metrics to the running sums
 *  the host reads once per epoch. A failed one changes nothing that lasts (weights, optimizer
 *  state, step count, sums and the dropout generator stay as they were). */
export function runStep(k: Kernels, desc: number, rows: number, mode: number): number {
  const h = k.heap;
  // A refused update leaves the dropout generator where it was too: nothing of the batch stays.
  const r0 = h[desc + D_RNG]!, r1 = h[desc + D_RNG + 1]!, r2 = h[desc + D_RNG + 2]!, r3 = h[desc + D_RNG + 3]!;
  const status = run(k, desc, rows, mode);
  h[desc + D_STATUS] = status;
  if (status !== STATUS_OK) {
    h[desc + D_RNG] = r0;
    h[desc + D_RNG + 1] = r1;
    h[desc + D_RNG + 2] = r2;
    h[desc + D_RNG + 3] = r3;
  }
  if (mode === STEP_TRAIN && status === STATUS_OK) {
    const metrics = h[desc + D_METRICS]! | 0;
    h[desc + D_LOSS_SUM] = h[desc + D_LOSS_SUM]! + h[desc + D_LOSS_VALUE]! * rows;
    if (metrics & METRIC_ACCURACY) h[desc + D_CORRECT_SUM] = h[desc + D_CORRECT_SUM]! + h[desc + D_BATCH_CORRECT]!;
    if (metrics & METRIC_MAE) h[desc + D_ABS_ERROR_SUM] = h[desc + D_ABS_ERROR_SUM]! + h[desc + D_BATCH_ABS_ERROR]!;
    if (metrics & METRIC_MSE) h[desc + D_SQ_ERROR_SUM] = h[desc + D_SQ_ERROR_SUM]! + h[desc + D_BATCH_SQ_ERROR]!;
  }
  return status;
}

// Offsets, sizes and codes read from the description are truncated with `| 0`: the arena
// holds them as doubles, and V8 then does every index computation in the kernels in float64
// with a conversion per access; as int32 it does not (XOR's epoch 1171 → 931 ns, iris-like's
// 137 → 81 µs, interleaved A/B).
function run(k: Kernels, desc: number, rows: number, mode: number): number {
  const h = k.heap; // kernels never grow the arena, so this view stays valid
  const layers = h[desc + D_LAYERS]! | 0;
  const x = h[desc + D_X]! | 0;
  const scratch = h[desc + D_SCRATCH]! | 0;
  const training = mode === STEP_TRAIN;
  h[desc + D_LOSS_VALUE] = 0;
  h[desc + D_PENALTY] = 0;

  // Outside training, many-row products read each W from its packed copy (wasm only).
  const cached = !training && rows > FEW_ROWS;
  if (cached && h[desc + D_PACKED_VALID] === 0) {
    for (let l = 0, at = desc + DESC_HEADER; l < layers; l++, at += DESC_LAYER) {
      const packed = h[at + L_PACKED]! | 0;
      if (packed) k.packWeights(h[at + L_W]! | 0, h[at + L_INPUTS]! | 0, h[at + L_UNITS]! | 0, packed);
    }
    h[desc + D_PACKED_VALID] = 1;
  }
  let input = x;
  for (let l = 0, at = desc + DESC_HEADER; l < layers; l++, at += DESC_LAYER) {
    const a = h[at + L_A]! | 0;
    const units = h[at + L_UNITS]! | 0;
    const kind = h[at + L_KIND]! | 0;
    if (kind === LAYER_DROPOUT) {
      if (training) k.dropoutForward(input, a, h[at + L_Z]! | 0, rows * units, h[at + L_RATE]!, desc + D_RNG);
      else h.copyWithin(a, input, input + rows * units);
    } else if (kind === LAYER_NORMALIZATION) {
      const stats = h[at + L_STATS]! | 0;
      k.normalizeForward(input, stats, stats + units, a, rows, units);
    } else if (kind === LAYER_BATCH_NORM || kind === LAYER_LAYER_NORM) {
      const z = h[at + L_Z]! | 0;
      if (kind === LAYER_BATCH_NORM) k.batchNormForward(input, h[at + L_W]! | 0, h[at + L_B]! | 0, h[at + L_STATS]! | 0, h[at + L_AUX]! | 0, z, rows, units, h[at + L_EPSILON]!, training);
      else k.layerNormForward(input, h[at + L_W]! | 0, h[at + L_B]! | 0, h[at + L_AUX]! | 0, z, rows, units, h[at + L_EPSILON]!);
      k.activate(h[at + L_ACT]! | 0, z, a, rows, units, h[at + L_ALPHA]!);
    } else {
      k.denseForward(input, h[at + L_W]! | 0, h[at + L_B]! | 0, h[at + L_Z]! | 0, a, rows, h[at + L_INPUTS]! | 0, units, h[at + L_ACT]! | 0, h[at + L_ALPHA]!, scratch, cached ? h[at + L_PACKED]! | 0 : 0);
    }
    input = a;
  }
  if (mode === STEP_FORWARD) return STATUS_OK;

  const last = layers - 1;
  const lastAt = desc + DESC_HEADER + last * DESC_LAYER; // the last layer's slots
  const y = h[desc + D_Y]! | 0;
  const dA = h[desc + D_DA]! | 0;
  const dZ = h[desc + D_DZ]! | 0;
  const units = h[lastAt + L_UNITS]! | 0;
  const zOut = h[lastAt + L_Z]! | 0;
  const aOut = h[lastAt + L_A]! | 0;
  const lossKind = h[desc + D_LOSS]! | 0;
  let loss: number;
  if (lossKind === LOSS_SOFTMAX_CE) loss = k.softmaxCrossEntropy(zOut, aOut, y, dZ, rows, units);
  else if (lossKind === LOSS_SPARSE_SOFTMAX_CE) loss = k.sparseSoftmaxCrossEntropy(zOut, aOut, y, dZ, rows, units);
  else if (lossKind === LOSS_SIGMOID_BCE) loss = k.sigmoidBinaryCrossEntropy(zOut, aOut, y, dZ, rows * units);
  else {
    if (lossKind === LOSS_MAE) loss = k.mae(aOut, y, dA, rows * units);
    else if (lossKind === LOSS_HUBER) loss = k.huber(aOut, y, dA, rows * units, h[desc + D_LOSS_PARAM]!);
    else loss = k.mse(aOut, y, dA, rows * units);
    k.activateBackward(h[lastAt + L_ACT]! | 0, zOut, aOut, dA, dZ, rows, units, h[lastAt + L_ALPHA]!);
  }
  let penalty = 0;
  for (let l = 0, at = desc + DESC_HEADER; l < layers; l++, at += DESC_LAYER) {
    const l1 = h[at + L_L1]!;
    const l2 = h[at + L_L2]!;
    if (l1 !== 0 || l2 !== 0) penalty += k.weightPenalty(h[at + L_W]! | 0, 0, (h[at + L_INPUTS]! | 0) * (h[at + L_UNITS]! | 0), l1, l2, false);
  }
  loss += penalty;
  h[desc + D_PENALTY] = penalty;
  h[desc + D_LOSS_VALUE] = loss;
  const metrics = h[desc + D_METRICS]! | 0;
  if (metrics & METRIC_ACCURACY) h[desc + D_BATCH_CORRECT] = countCorrect(h, lossKind, aOut, y, rows, units);
  if (metrics & METRIC_MAE) h[desc + D_BATCH_ABS_ERROR] = sumAbsError(h, lossKind, aOut, y, rows, units);
  if (metrics & METRIC_MSE) h[desc + D_BATCH_SQ_ERROR] = sumSquaredError(h, lossKind, aOut, y, rows, units);
  if (mode === STEP_LOSS) return STATUS_OK;
  if (!Number.isFinite(loss)) return STATUS_LOSS_NOT_FINITE;

  // dZ holds ∂L/∂Z of layer l when l is dense, batch or layer norm; dA holds ∂L/∂(output of l)
  // when l is a dropout or a normalization.
  for (let l = last, at = desc + DESC_HEADER + last * DESC_LAYER; l >= 0; l--, at -= DESC_LAYER) {
    const prevA = l > 0 ? (h[at - DESC_LAYER + L_A]! | 0) : x;
    const kind = h[at + L_KIND]! | 0;
    if (kind === LAYER_DROPOUT) {
      // identity at inference; in training the gradient passes only where values did
      if (l > 0 && training) k.dropoutBackward(dA, h[at + L_Z]! | 0, rows * (h[at + L_UNITS]! | 0));
    } else if (kind === LAYER_BATCH_NORM) {
      k.batchNormBackward(prevA, h[at + L_W]! | 0, h[at + L_AUX]! | 0, dZ, h[at + L_DW]! | 0, h[at + L_DB]! | 0, l > 0 ? dA : -1, rows, h[at + L_UNITS]! | 0, training);
    } else if (kind === LAYER_LAYER_NORM) {
      k.layerNormBackward(prevA, h[at + L_W]! | 0, h[at + L_AUX]! | 0, dZ, h[at + L_DW]! | 0, h[at + L_DB]! | 0, l > 0 ? dA : -1, rows, h[at + L_UNITS]! | 0);
    } else if (kind === LAYER_NORMALIZATION) {
      if (l > 0) k.normalizeBackward(dA, (h[at + L_STATS]! | 0) + (h[at + L_UNITS]! | 0), rows, h[at + L_UNITS]! | 0);
    } else {
      k.denseBackward(prevA, h[at + L_W]! | 0, dZ, h[at + L_DW]! | 0, h[at + L_DB]! | 0, l > 0 ? dA : -1, rows, h[at + L_INPUTS]! | 0, h[at + L_UNITS]! | 0, scratch);
    }
    if (l > 0 && activated(h[at - DESC_LAYER + L_KIND]! | 0)) {
      k.activateBackward(h[at - DESC_LAYER + L_ACT]! | 0, h[at - DESC_LAYER + L_Z]! | 0, prevA, dA, dZ, rows, h[at - DESC_LAYER + L_UNITS]! | 0, h[at - DESC_LAYER + L_ALPHA]!);
    }
  }
  for (let l = 0, at = desc + DESC_HEADER; l < layers; l++, at += DESC_LAYER) {
    const l1 = h[at + L_L1]!;
    const l2 = h[at + L_L2]!;
    if (l1 !== 0 || l2 !== 0) k.weightPenalty(h[at + L_W]! | 0, h[at + L_DW]! | 0, (h[at + L_INPUTS]! | 0) * (h[at + L_UNITS]! | 0), l1, l2, true);
  }
  if (mode === STEP_GRADIENTS) return STATUS_OK;

  const params = h[desc + D_PARAMS]! | 0;
  const grads = h[desc + D_GRADS]! | 0;
  const count = h[desc + D_PARAM_COUNT]! | 0;
  const clip = h[desc + D_CLIP_NORM]!;
  if (clip > 0) h[desc + D_GRAD_NORM] = k.clipGlobalNorm(grads, count, clip);
  const lr = h[desc + D_LEARNING_RATE]!;
  const optimizer = h[desc + D_OPTIMIZER]! | 0;
  const t = h[desc + D_STEP_COUNT]! + 1;
  let applied: boolean;
  if (optimizer === OPT_ADAM) {
    applied = k.adam(params, grads, h[desc + D_STATE1]! | 0, h[desc + D_STATE2]! | 0, count, lr, h[desc + D_BETA1]!, h[desc + D_BETA2]!, h[desc + D_EPSILON]!, t, h[desc + D_WEIGHT_DECAY]!);
  } else if (optimizer === OPT_RMSPROP) {
    applied = k.rmsprop(params, grads, h[desc + D_STATE1]! | 0, h[desc + D_STATE2]! | 0, count, lr, h[desc + D_RHO]!, h[desc + D_EPSILON]!, h[desc + D_MOMENTUM]!);
  } else if (optimizer === OPT_ADAGRAD) {
    applied = k.adagrad(params, grads, h[desc + D_STATE1]! | 0, count, lr, h[desc + D_EPSILON]!);
  } else {
    applied = k.sgd(params, grads, h[desc + D_STATE1]! | 0, count, lr, h[desc + D_MOMENTUM]!, h[desc + D_NESTEROV] === 1);
  }
  if (!applied) return STATUS_UPDATE_NOT_FINITE;
  h[desc + D_STEP_COUNT] = t;
  h[desc + D_PACKED_VALID] = 0; // the weights changed: their packed copies are stale
  // batch norm's moving statistics move only with an applied update (a refused batch leaves them)
  for (let l = 0, at = desc + DESC_HEADER; l < layers; l++, at += DESC_LAYER) {
    if ((h[at + L_KIND]! | 0) !== LAYER_BATCH_NORM) continue;
    k.batchNormUpdate(h[at + L_STATS]! | 0, h[at + L_AUX]! | 0, h[at + L_UNITS]! | 0, h[at + L_MOMENTUM]!, rows, h[at + L_UNBIASED] !== 0);
  }
  return STATUS_OK;
}

/** Layer kinds with a pre-activation Z and an activation: their backward pass starts from dZ. */
const activated = (kind: number): boolean => kind === LAYER_DENSE || kind === LAYER_BATCH_NORM || kind === LAYER_LAYER_NORM;
