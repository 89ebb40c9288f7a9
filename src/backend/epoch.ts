// One training epoch over the resident training set: twin of assembly/epoch.ts (the JS
// backend's `epoch`). Shuffles the row order with src/random.ts's shuffleOrder, gathers
// each batch's rows into the step's x and y buffers and runs the fused step on them.
import {
  D_DATA_X, D_DATA_Y, D_FAILED_BATCH, D_INPUT_WIDTH, D_ORDER, D_SHUFFLE_RNG, D_TARGET_WIDTH, D_X, D_Y, STATUS_OK, STEP_TRAIN,
} from './codes';
import type { Kernels } from './kernels';
import { shuffleOrder } from '../random';

/** Trains one epoch of `samples` resident rows in batches of `batchSize` (the last one
 *  shorter), shuffled from the identity when `shuffle` is set. Stops at the first batch whose
 *  step fails, writing its index to D_FAILED_BATCH and returning its status. */
export function runEpoch(k: Kernels, desc: number, samples: number, batchSize: number, shuffle: boolean): number {
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
