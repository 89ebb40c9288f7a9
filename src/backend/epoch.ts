// One training epoch over the resident training set: twin of assembly/epoch.ts (the JS
// backend's `epoch`). Shuffles the row order with src/random.ts's shuffleOrder, gathers
// each batch's rows into the step's x and y buffers and runs the fused step on them.
import {
  D_ABS_ERROR_SUM, D_CORRECT_SUM, D_DATA_X, D_DATA_Y, D_EPOCH_LOG, D_FAILED_BATCH, D_FAILED_EPOCH, D_INPUT_WIDTH, D_LOSS_SUM,
  D_ORDER, D_SHUFFLE_RNG, D_SQ_ERROR_SUM, D_TARGET_WIDTH, D_X, D_Y, STATUS_OK, STEP_TRAIN,
} from './codes';
import type { Kernels } from './kernels';
import { shuffleOrder } from '../random';

/** Trains `count` epochs in one call (the JS backend's `epochs`): after each, the step's running
 *  sums move to the epoch log at D_EPOCH_LOG (four per epoch) and restart from 0; at the first
 *  failing batch it returns that step's status with D_FAILED_EPOCH and D_FAILED_BATCH set. */
export function runEpochs(k: Kernels, desc: number, samples: number, batchSize: number, shuffle: boolean, count: number): number {
  const h = k.heap;
  for (let e = 0, log = h[desc + D_EPOCH_LOG]! | 0; e < count; e++, log += 4) {
    const status = runEpoch(k, desc, samples, batchSize, shuffle);
    if (status !== STATUS_OK) {
      h[desc + D_FAILED_EPOCH] = e;
      return status;
    }
    h[log] = h[desc + D_LOSS_SUM]!;
    h[log + 1] = h[desc + D_CORRECT_SUM]!;
    h[log + 2] = h[desc + D_ABS_ERROR_SUM]!;
    h[log + 3] = h[desc + D_SQ_ERROR_SUM]!;
    h[desc + D_LOSS_SUM] = 0;
    h[desc + D_CORRECT_SUM] = 0;
    h[desc + D_ABS_ERROR_SUM] = 0;
    h[desc + D_SQ_ERROR_SUM] = 0;
  }
  return STATUS_OK;
}

/** Trains one epoch of `samples` resident rows in batches of `batchSize` (the last one
 *  shorter), shuffled from the identity when `shuffle` is set. Stops at the first batch whose
 *  step fails, writing its index to D_FAILED_BATCH and returning its status. */
function runEpoch(k: Kernels, desc: number, samples: number, batchSize: number, shuffle: boolean): number {
  const h = k.heap; // kernels never grow the arena, so this view stays valid
  const order = h[desc + D_ORDER]! | 0;
  for (let i = 0; i < samples; i++) h[order + i] = i;
  if (shuffle) shuffleOrder(h, order, samples, h, desc + D_SHUFFLE_RNG);
  const inputs = h[desc + D_INPUT_WIDTH]! | 0;
  const targets = h[desc + D_TARGET_WIDTH]! | 0;
  const dataX = h[desc + D_DATA_X]! | 0;
  const dataY = h[desc + D_DATA_Y]! | 0;
  const x = h[desc + D_X]! | 0;
  const y = h[desc + D_Y]! | 0;
  for (let start = 0, batch = 0; start < samples; start += batchSize, batch++) {
    const rows = Math.min(batchSize, samples - start);
    for (let r = 0; r < rows; r++) {
      // plain loops: copyWithin is a runtime call, slower than a few-element copy
      const row = h[order + start + r]! | 0;
      for (let j = 0, from = dataX + row * inputs, to = x + r * inputs; j < inputs; j++) h[to + j] = h[from + j]!;
      for (let j = 0, from = dataY + row * targets, to = y + r * targets; j < targets; j++) h[to + j] = h[from + j]!;
    }
    const status = k.step(desc, rows, STEP_TRAIN);
    if (status !== STATUS_OK) {
      h[desc + D_FAILED_BATCH] = batch;
      return status;
    }
  }
  return STATUS_OK;
}
