// The fused step in TypeScript: forward, loss, backward and update for one batch, driven by
// the network description in the arena. It is the JS backend's `step`, and the twin of
// assembly/step.ts (which the wasm backend runs in a single call); tests run this one over
// the wasm kernels too and expect the very same bits as the fused wasm step.
import {
  DESC_HEADER, DESC_LAYER, D_DA, D_DZ, D_GRADS, D_LAYERS, D_LEARNING_RATE, D_LOSS, D_LOSS_VALUE, D_MOMENTUM, D_PARAMS,
  D_PARAM_COUNT, D_SCRATCH, D_STATUS, D_VELOCITY, D_X, D_Y, LOSS_SIGMOID_BCE, LOSS_SOFTMAX_CE, L_A, L_ACT, L_ALPHA,
  L_B, L_DB, L_DW, L_INPUTS, L_UNITS, L_W, L_Z, STATUS_LOSS_NOT_FINITE, STATUS_OK, STATUS_UPDATE_NOT_FINITE,
  STEP_FORWARD, STEP_GRADIENTS, STEP_LOSS,
} from './codes';
import { denseBackward, denseForward } from '../layers/dense';
import type { Kernels } from './kernels';

function layerField(h: Float64Array, desc: number, layer: number, f: number): number {
  return h[desc + DESC_HEADER + layer * DESC_LAYER + f]!;
}

/** Runs `mode` (forward; + loss; + gradients; + update) on `rows` loaded samples, writes the
 *  batch loss into the description (0 for a forward pass) and returns a STATUS_* code (also
 *  written there). */
export function runStep(k: Kernels, desc: number, rows: number, mode: number): number {
  const status = run(k, desc, rows, mode);
  k.heap[desc + D_STATUS] = status;
  return status;
}

function run(k: Kernels, desc: number, rows: number, mode: number): number {
  const h = k.heap; // kernels never grow the arena, so this view stays valid
  const layers = h[desc + D_LAYERS]!;
  const x = h[desc + D_X]!;
  const scratch = h[desc + D_SCRATCH]!;
  h[desc + D_LOSS_VALUE] = 0;

  let input = x;
  for (let l = 0; l < layers; l++) {
    denseForward(k, input, layerField(h, desc, l, L_W), layerField(h, desc, l, L_B), layerField(h, desc, l, L_Z), layerField(h, desc, l, L_A), rows, layerField(h, desc, l, L_INPUTS), layerField(h, desc, l, L_UNITS), layerField(h, desc, l, L_ACT), layerField(h, desc, l, L_ALPHA), scratch);
    input = layerField(h, desc, l, L_A);
  }
  if (mode === STEP_FORWARD) return STATUS_OK;

  const last = layers - 1;
  const y = h[desc + D_Y]!;
  const dA = h[desc + D_DA]!;
  const dZ = h[desc + D_DZ]!;
  const units = layerField(h, desc, last, L_UNITS);
  const zOut = layerField(h, desc, last, L_Z);
  const aOut = layerField(h, desc, last, L_A);
  const lossKind = h[desc + D_LOSS]!;
  let loss: number;
  if (lossKind === LOSS_SOFTMAX_CE) loss = k.softmaxCrossEntropy(zOut, aOut, y, dZ, rows, units);
  else if (lossKind === LOSS_SIGMOID_BCE) loss = k.sigmoidBinaryCrossEntropy(zOut, aOut, y, dZ, rows * units);
  else {
    loss = k.mse(aOut, y, dA, rows * units);
    k.activateBackward(layerField(h, desc, last, L_ACT), zOut, aOut, dA, dZ, rows, units, layerField(h, desc, last, L_ALPHA));
  }
  h[desc + D_LOSS_VALUE] = loss;
  if (mode === STEP_LOSS) return STATUS_OK;
  if (!Number.isFinite(loss)) return STATUS_LOSS_NOT_FINITE;

  // dW = Xᵀ·dZ, db = Σ dZ, dA_prev = dZ·Wᵀ, dZ_prev = dA_prev ⊙ f'(Z_prev)
  for (let l = last; l >= 0; l--) {
    const inputs = layerField(h, desc, l, L_INPUTS);
    const prevA = l > 0 ? layerField(h, desc, l - 1, L_A) : x;
    denseBackward(k, prevA, layerField(h, desc, l, L_W), dZ, layerField(h, desc, l, L_DW), layerField(h, desc, l, L_DB), l > 0 ? dA : -1, rows, inputs, layerField(h, desc, l, L_UNITS), scratch);
    if (l > 0) k.activateBackward(layerField(h, desc, l - 1, L_ACT), layerField(h, desc, l - 1, L_Z), prevA, dA, dZ, rows, inputs, layerField(h, desc, l - 1, L_ALPHA));
  }
  if (mode === STEP_GRADIENTS) return STATUS_OK;

  const applied = k.sgd(h[desc + D_PARAMS]!, h[desc + D_GRADS]!, h[desc + D_VELOCITY]!, h[desc + D_PARAM_COUNT]!, h[desc + D_LEARNING_RATE]!, h[desc + D_MOMENTUM]!);
  return applied ? STATUS_OK : STATUS_UPDATE_NOT_FINITE;
}
