// The fused training step: forward, loss, backward and the optimizer update for one batch in
// a single call, driven by a network description the host writes into memory. Crossing from
// JavaScript into wasm once per batch (instead of ~10 times per layer) is what makes small
// networks fast. Mirrors src/backend/step.ts, which does the same with the JS kernels.
//
// The description is an array of f64 (offsets are counted in f64 elements):
//   header  [layers, loss, x, y, dA, dZ, scratch, params, grads, velocity, paramCount,
//            learningRate, momentum, status, optimizer, lossValue]   (last two written here)
//   then per layer [inputs, units, activation, alpha, w, b, dW, db, z, a]
import { activateBackward } from './activations';
import { denseBackward, denseForward } from './dense';
import { mse, sigmoidBinaryCrossEntropy, softmaxCrossEntropy } from './losses';
import { sgd } from './optimizers';

export const DESC_HEADER: i32 = 16;
export const DESC_LAYER: i32 = 10;

export const LOSS_MSE: i32 = 0;
export const LOSS_SOFTMAX_CE: i32 = 1;
export const LOSS_SIGMOID_BCE: i32 = 2;

export const STEP_FORWARD: i32 = 0;
export const STEP_LOSS: i32 = 1;
export const STEP_GRADIENTS: i32 = 2;
export const STEP_TRAIN: i32 = 3;

export const STATUS_OK: i32 = 0;
export const STATUS_LOSS_NOT_FINITE: i32 = 1;
export const STATUS_UPDATE_NOT_FINITE: i32 = 2;

@inline function slot(desc: usize, i: i32): f64 {
  return load<f64>(desc + (<usize>i << 3));
}
@inline function int(desc: usize, i: i32): i32 {
  return <i32>slot(desc, i);
}
@inline function ptr(desc: usize, i: i32): usize {
  return <usize>slot(desc, i) << 3;
}
@inline function layerField(desc: usize, layer: i32, field: i32): i32 {
  return DESC_HEADER + layer * DESC_LAYER + field;
}

// per-layer fields
const INPUTS = 0, UNITS = 1, ACT = 2, ALPHA = 3, W = 4, B = 5, DW = 6, DB = 7, Z = 8, A = 9;

/** Runs `mode` (forward; + loss; + gradients; + update) on `rows` loaded samples, writes the
 *  batch loss into the header (0 for a forward pass) and returns a STATUS_* code. The loss
 *  goes through memory rather than the return value so that the JavaScript caller never has
 *  to box a double (which would allocate on every batch). */
export function step(desc: usize, rows: i32, mode: i32): i32 {
  const status = run(desc, rows, mode);
  store<f64>(desc + (13 << 3), <f64>status);
  return status;
}

@inline function setLoss(desc: usize, loss: f64): void {
  store<f64>(desc + (15 << 3), loss);
}

function run(desc: usize, rows: i32, mode: i32): i32 {
  const layers = int(desc, 0);
  const x = ptr(desc, 2);
  const scratch = ptr(desc, 6);
  setLoss(desc, 0);

  // forward
  let input = x;
  for (let l = 0; l < layers; l++) {
    const z = ptr(desc, layerField(desc, l, Z));
    const a = ptr(desc, layerField(desc, l, A));
    denseForward(input, ptr(desc, layerField(desc, l, W)), ptr(desc, layerField(desc, l, B)), z, a, rows,
      int(desc, layerField(desc, l, INPUTS)), int(desc, layerField(desc, l, UNITS)),
      int(desc, layerField(desc, l, ACT)), slot(desc, layerField(desc, l, ALPHA)), scratch);
    input = a;
  }
  if (mode == STEP_FORWARD) return STATUS_OK;

  // loss, leaving ∂loss/∂Z of the last layer in dZ
  const last = layers - 1;
  const y = ptr(desc, 3);
  const dA = ptr(desc, 4);
  const dZ = ptr(desc, 5);
  const units = int(desc, layerField(desc, last, UNITS));
  const zOut = ptr(desc, layerField(desc, last, Z));
  const aOut = ptr(desc, layerField(desc, last, A));
  const lossKind = int(desc, 1);
  let loss: f64;
  if (lossKind == LOSS_SOFTMAX_CE) {
    loss = softmaxCrossEntropy(zOut, aOut, y, dZ, rows, units);
  } else if (lossKind == LOSS_SIGMOID_BCE) {
    loss = sigmoidBinaryCrossEntropy(zOut, aOut, y, dZ, rows * units);
  } else {
    loss = mse(aOut, y, dA, rows * units);
    activateBackward(int(desc, layerField(desc, last, ACT)), zOut, aOut, dA, dZ, rows, units, slot(desc, layerField(desc, last, ALPHA)));
  }
  setLoss(desc, loss);
  if (mode == STEP_LOSS) return STATUS_OK;
  if (!isFinite(loss)) return STATUS_LOSS_NOT_FINITE;

  // backward: dW = Xᵀ·dZ, db = Σ dZ, dA_prev = dZ·Wᵀ, dZ_prev = dA_prev ⊙ f'(Z_prev)
  for (let l = last; l >= 0; l--) {
    const prevA = l > 0 ? ptr(desc, layerField(desc, l - 1, A)) : x;
    denseBackward(prevA, ptr(desc, layerField(desc, l, W)), dZ, ptr(desc, layerField(desc, l, DW)), ptr(desc, layerField(desc, l, DB)),
      l > 0 ? dA : 0, rows, int(desc, layerField(desc, l, INPUTS)), int(desc, layerField(desc, l, UNITS)), scratch);
    if (l > 0) {
      activateBackward(int(desc, layerField(desc, l - 1, ACT)), ptr(desc, layerField(desc, l - 1, Z)), prevA, dA, dZ, rows,
        int(desc, layerField(desc, l - 1, UNITS)), slot(desc, layerField(desc, l - 1, ALPHA)));
    }
  }
  if (mode == STEP_GRADIENTS) return STATUS_OK;

  // update (refused, changing nothing, if any new value would not be finite)
  if (!sgd(ptr(desc, 7), ptr(desc, 8), ptr(desc, 9), int(desc, 10), slot(desc, 11), slot(desc, 12))) {
    return STATUS_UPDATE_NOT_FINITE;
  }
  return STATUS_OK;
}
