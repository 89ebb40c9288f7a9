// The fused training step: forward, loss, backward and the optimizer update for one batch in
// a single call, driven by a network description the host writes into memory (layout in
// codes.ts). Crossing from JavaScript into wasm once per batch, instead of ~10 times per
// layer, is what makes small networks fast. Mirrors src/backend/step.ts, which does the same
// with the JS kernels.
import { activate, activateBackward } from './activations';
import {
  D_CLIP_NORM, D_DA, D_DZ, D_GRADS, D_GRAD_NORM, D_LAYERS, D_LOSS, D_LOSS_PARAM, D_LOSS_VALUE, D_PARAM_COUNT,
  D_PENALTY, D_RNG, D_SCRATCH, D_STATUS, D_STEP_COUNT, D_X, D_Y, LAYER_DROPOUT, LOSS_HUBER, LOSS_MAE,
  LOSS_SIGMOID_BCE, LOSS_SOFTMAX_CE, LOSS_SPARSE_SOFTMAX_CE, L_A, L_ACT, L_ALPHA, L_B, L_DB, L_DW, L_INPUTS,
  L_KIND, L_L1, L_L2, L_RATE, L_UNITS, L_W, L_Z, STATUS_LOSS_NOT_FINITE, STATUS_OK, STATUS_UPDATE_NOT_FINITE,
  STATUS_THREAD_FAILED, STEP_FORWARD, STEP_GRADIENTS, STEP_LOSS, STEP_TRAIN, D_METRICS, METRIC_ACCURACY,
  METRIC_MAE, METRIC_MSE, D_BATCH_SQ_ERROR, D_SQ_ERROR_SUM, D_BATCH_CORRECT, D_BATCH_ABS_ERROR, D_LOSS_SUM, D_CORRECT_SUM, D_ABS_ERROR_SUM, D_PACKED_VALID,
  FEW_ROWS, L_PACKED, LAYER_DENSE, LAYER_NORMALIZATION, L_STATS, LAYER_BATCH_NORM, LAYER_LAYER_NORM, L_AUX, L_EPSILON, L_MOMENTUM, L_UNBIASED,
} from './codes';
import { denseBackward, denseForward } from './dense';
import { packWeights } from './gemm';
import { dropoutBackward, dropoutForward } from './dropout';
import { batchNormBackward, batchNormForward, batchNormUpdate, layerNormBackward, layerNormForward, normalizeBackward, normalizeForward } from './normalization';
import { copyF64 } from './memory';
import { countCorrect, sumAbsError, sumSquaredError } from './metrics';
import { huber, mae, mse, sigmoidBinaryCrossEntropy, softmaxCrossEntropy, sparseSoftmaxCrossEntropy } from './losses';
import { UPDATE_BOTH, updateRange } from './optimizers';
import { clipGlobalNorm, weightPenalty } from './regularizers';
import { int, lf, ptr, setSlot, slot } from './description';
import { parallelUpdate, threadFault } from './threads/parallel';

/** Runs `mode` (forward; + loss; + gradients; + update) on `rows` loaded samples, writes the
 *  batch loss into the description (0 for a forward pass) and returns a STATUS_* code. The loss
 *  goes through memory rather than the return value so that the JavaScript caller never has
 *  to box a double (which would allocate on every batch). With a loss, the metrics D_METRICS
 *  asks for are measured on the batch's outputs; a successful training step also adds its
 *  loss·rows and metrics to the running sums the host reads once per epoch. A failed one changes
 *  nothing that lasts (weights, optimizer state, step count, sums and the dropout generator). */
export function step(desc: usize, rows: i32, mode: i32): i32 {
  // A refused update leaves the dropout generator where it was too: nothing of the batch stays.
  const r0 = slot(desc, D_RNG), r1 = slot(desc, D_RNG + 1), r2 = slot(desc, D_RNG + 2), r3 = slot(desc, D_RNG + 3);
  // threads build: a worker failed since the last step; do nothing (src/threads reports it)
  const status = ASC_FEATURE_THREADS && threadFault() ? STATUS_THREAD_FAILED : run(desc, rows, mode);
  setSlot(desc, D_STATUS, <f64>status);
  if (status != STATUS_OK) {
    setSlot(desc, D_RNG, r0);
    setSlot(desc, D_RNG + 1, r1);
    setSlot(desc, D_RNG + 2, r2);
    setSlot(desc, D_RNG + 3, r3);
  }
  if (mode == STEP_TRAIN && status == STATUS_OK) {
    const metrics = int(desc, D_METRICS);
    setSlot(desc, D_LOSS_SUM, slot(desc, D_LOSS_SUM) + slot(desc, D_LOSS_VALUE) * <f64>rows);
    if (metrics & METRIC_ACCURACY) setSlot(desc, D_CORRECT_SUM, slot(desc, D_CORRECT_SUM) + slot(desc, D_BATCH_CORRECT));
    if (metrics & METRIC_MAE) setSlot(desc, D_ABS_ERROR_SUM, slot(desc, D_ABS_ERROR_SUM) + slot(desc, D_BATCH_ABS_ERROR));
    if (metrics & METRIC_MSE) setSlot(desc, D_SQ_ERROR_SUM, slot(desc, D_SQ_ERROR_SUM) + slot(desc, D_BATCH_SQ_ERROR));
  }
  return status;
}

function run(desc: usize, rows: i32, mode: i32): i32 {
  const layers = int(desc, D_LAYERS);
  const x = ptr(desc, D_X);
  const scratch = ptr(desc, D_SCRATCH);
  const training = mode == STEP_TRAIN;
  setSlot(desc, D_LOSS_VALUE, 0);
  setSlot(desc, D_PENALTY, 0);

  // forward. Outside training, many-row products read each W from its packed copy (L_PACKED,
  // packed here when D_PACKED_VALID says the copies are stale); a training step's update
  // makes them stale. Packed or not, the bits are the same (gemm.ts).
  const cached = !training && rows > FEW_ROWS;
  if (cached && slot(desc, D_PACKED_VALID) == 0) {
    for (let l = 0; l < layers; l++) {
      const packed = ptr(desc, lf(l, L_PACKED));
      if (packed) packWeights(ptr(desc, lf(l, L_W)), int(desc, lf(l, L_INPUTS)), int(desc, lf(l, L_UNITS)), packed);
    }
    setSlot(desc, D_PACKED_VALID, 1);
  }
  let input = x;
  for (let l = 0; l < layers; l++) {
    const a = ptr(desc, lf(l, L_A));
    const units = int(desc, lf(l, L_UNITS));
    const kind = int(desc, lf(l, L_KIND));
    if (kind == LAYER_DROPOUT) {
      if (training) dropoutForward(input, a, ptr(desc, lf(l, L_Z)), rows * units, slot(desc, lf(l, L_RATE)), desc + (<usize>D_RNG << 3));
      else copyF64(a, input, rows * units);
    } else if (kind == LAYER_NORMALIZATION) {
      const stats = ptr(desc, lf(l, L_STATS));
      normalizeForward(input, stats, stats + (<usize>units << 3), a, rows, units);
    } else if (kind == LAYER_BATCH_NORM || kind == LAYER_LAYER_NORM) {
      const z = ptr(desc, lf(l, L_Z));
      if (kind == LAYER_BATCH_NORM) {
        batchNormForward(input, ptr(desc, lf(l, L_W)), ptr(desc, lf(l, L_B)), ptr(desc, lf(l, L_STATS)), ptr(desc, lf(l, L_AUX)), z, rows, units, slot(desc, lf(l, L_EPSILON)), training);
      } else {
        layerNormForward(input, ptr(desc, lf(l, L_W)), ptr(desc, lf(l, L_B)), ptr(desc, lf(l, L_AUX)), z, rows, units, slot(desc, lf(l, L_EPSILON)));
      }
      activate(int(desc, lf(l, L_ACT)), z, a, rows, units, slot(desc, lf(l, L_ALPHA)));
    } else {
      denseForward(input, ptr(desc, lf(l, L_W)), ptr(desc, lf(l, L_B)), ptr(desc, lf(l, L_Z)), a, rows,
        int(desc, lf(l, L_INPUTS)), units, int(desc, lf(l, L_ACT)), slot(desc, lf(l, L_ALPHA)), scratch, cached ? ptr(desc, lf(l, L_PACKED)) : 0);
    }
    input = a;
  }
  if (mode == STEP_FORWARD) return STATUS_OK;

  // loss, leaving ∂loss/∂Z of the last layer (always dense) in dZ
  const last = layers - 1;
  const y = ptr(desc, D_Y);
  const dA = ptr(desc, D_DA);
  const dZ = ptr(desc, D_DZ);
  const units = int(desc, lf(last, L_UNITS));
  const zOut = ptr(desc, lf(last, L_Z));
  const aOut = ptr(desc, lf(last, L_A));
  const lossKind = int(desc, D_LOSS);
  let loss: f64;
  if (lossKind == LOSS_SOFTMAX_CE) {
    loss = softmaxCrossEntropy(zOut, aOut, y, dZ, rows, units);
  } else if (lossKind == LOSS_SPARSE_SOFTMAX_CE) {
    loss = sparseSoftmaxCrossEntropy(zOut, aOut, y, dZ, rows, units);
  } else if (lossKind == LOSS_SIGMOID_BCE) {
    loss = sigmoidBinaryCrossEntropy(zOut, aOut, y, dZ, rows * units);
  } else {
    if (lossKind == LOSS_MAE) loss = mae(aOut, y, dA, rows * units);
    else if (lossKind == LOSS_HUBER) loss = huber(aOut, y, dA, rows * units, slot(desc, D_LOSS_PARAM));
    else loss = mse(aOut, y, dA, rows * units);
    activateBackward(int(desc, lf(last, L_ACT)), zOut, aOut, dA, dZ, rows, units, slot(desc, lf(last, L_ALPHA)));
  }
  // weight penalties (their gradients are added after backpropagation, below)
  let penalty: f64 = 0;
  for (let l = 0; l < layers; l++) {
    const l1 = slot(desc, lf(l, L_L1));
    const l2 = slot(desc, lf(l, L_L2));
    if (l1 != 0 || l2 != 0) {
      penalty += weightPenalty(ptr(desc, lf(l, L_W)), 0, int(desc, lf(l, L_INPUTS)) * int(desc, lf(l, L_UNITS)), l1, l2, false);
    }
  }
  loss += penalty;
  setSlot(desc, D_PENALTY, penalty);
  setSlot(desc, D_LOSS_VALUE, loss);
  const metrics = int(desc, D_METRICS);
  if (metrics & METRIC_ACCURACY) setSlot(desc, D_BATCH_CORRECT, countCorrect(lossKind, aOut, y, rows, units));
  if (metrics & METRIC_MAE) setSlot(desc, D_BATCH_ABS_ERROR, sumAbsError(lossKind, aOut, y, rows, units));
  if (metrics & METRIC_MSE) setSlot(desc, D_BATCH_SQ_ERROR, sumSquaredError(lossKind, aOut, y, rows, units));
  if (mode == STEP_LOSS) return STATUS_OK;
  if (!isFinite(loss)) return STATUS_LOSS_NOT_FINITE;

  // backward. dZ holds ∂L/∂Z of layer l when l is dense, batch or layer norm (the layers with
  // an activation); dA holds ∂L/∂(output of layer l) when l is a dropout or a normalization.
  // Dense: dW = Xᵀ·dZ, db = Σ dZ, dA ← dZ·Wᵀ. Batch and layer norm: dγ, dβ, dA ← ∂L/∂X.
  // Dropout: dA ⊙= mask. Normalization: dA /= its denominators.
  // Then, if the layer below has an activation: dZ ← dA ⊙ f'(Z) of that layer.
  for (let l = last; l >= 0; l--) {
    const prevA = l > 0 ? ptr(desc, lf(l - 1, L_A)) : x;
    const kind = int(desc, lf(l, L_KIND));
    if (kind == LAYER_DROPOUT) {
      // identity at inference; in training the gradient passes only where values did
      if (l > 0 && training) dropoutBackward(dA, ptr(desc, lf(l, L_Z)), rows * int(desc, lf(l, L_UNITS)));
    } else if (kind == LAYER_BATCH_NORM) {
      batchNormBackward(prevA, ptr(desc, lf(l, L_W)), ptr(desc, lf(l, L_AUX)), dZ, ptr(desc, lf(l, L_DW)), ptr(desc, lf(l, L_DB)), l > 0 ? dA : 0, rows, int(desc, lf(l, L_UNITS)), training);
    } else if (kind == LAYER_LAYER_NORM) {
      layerNormBackward(prevA, ptr(desc, lf(l, L_W)), ptr(desc, lf(l, L_AUX)), dZ, ptr(desc, lf(l, L_DW)), ptr(desc, lf(l, L_DB)), l > 0 ? dA : 0, rows, int(desc, lf(l, L_UNITS)));
    } else if (kind == LAYER_NORMALIZATION) {
      if (l > 0) {
        const width = int(desc, lf(l, L_UNITS));
        normalizeBackward(dA, ptr(desc, lf(l, L_STATS)) + (<usize>width << 3), rows, width);
      }
    } else {
      denseBackward(prevA, ptr(desc, lf(l, L_W)), dZ, ptr(desc, lf(l, L_DW)), ptr(desc, lf(l, L_DB)),
        l > 0 ? dA : 0, rows, int(desc, lf(l, L_INPUTS)), int(desc, lf(l, L_UNITS)), scratch);
    }
    if (l > 0 && activated(int(desc, lf(l - 1, L_KIND)))) {
      activateBackward(int(desc, lf(l - 1, L_ACT)), ptr(desc, lf(l - 1, L_Z)), prevA, dA, dZ, rows,
        int(desc, lf(l - 1, L_UNITS)), slot(desc, lf(l - 1, L_ALPHA)));
    }
  }
  for (let l = 0; l < layers; l++) {
    const l1 = slot(desc, lf(l, L_L1));
    const l2 = slot(desc, lf(l, L_L2));
    if (l1 != 0 || l2 != 0) {
      weightPenalty(ptr(desc, lf(l, L_W)), ptr(desc, lf(l, L_DW)), int(desc, lf(l, L_INPUTS)) * int(desc, lf(l, L_UNITS)), l1, l2, true);
    }
  }
  if (mode == STEP_GRADIENTS) return STATUS_OK;

  // update (refused, changing nothing, if any new value would not be finite)
  const grads = ptr(desc, D_GRADS);
  const count = int(desc, D_PARAM_COUNT);
  const clip = slot(desc, D_CLIP_NORM);
  if (clip > 0) setSlot(desc, D_GRAD_NORM, clipGlobalNorm(grads, count, clip));
  const t = slot(desc, D_STEP_COUNT) + 1;
  // threads build: a large slab's update in ranges across the pool (-1: not split)
  let applied = ASC_FEATURE_THREADS ? parallelUpdate(desc, count) : -1;
  if (applied < 0) applied = updateRange(desc, 0, count, UPDATE_BOTH);
  if (!applied) return STATUS_UPDATE_NOT_FINITE;
  setSlot(desc, D_STEP_COUNT, t);
  setSlot(desc, D_PACKED_VALID, 0); // the weights changed: their packed copies are stale
  // batch norm's moving statistics move only with an applied update (a refused batch leaves them)
  for (let l = 0; l < layers; l++) {
    if (int(desc, lf(l, L_KIND)) != LAYER_BATCH_NORM) continue;
    batchNormUpdate(ptr(desc, lf(l, L_STATS)), ptr(desc, lf(l, L_AUX)), int(desc, lf(l, L_UNITS)), slot(desc, lf(l, L_MOMENTUM)), rows, slot(desc, lf(l, L_UNBIASED)) != 0);
  }
  return STATUS_OK;
}

/** Layer kinds with a pre-activation Z and an activation: their backward pass starts from dZ. */
@inline function activated(kind: i32): bool {
  return kind == LAYER_DENSE || kind == LAYER_BATCH_NORM || kind == LAYER_LAYER_NORM;
}
