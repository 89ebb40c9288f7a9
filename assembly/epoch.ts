// One training epoch in one call, over a training set the host copied into memory once per
// fit: the row order is shuffled here (sfc32, exactly as src/random.ts shuffles), each batch's
// rows are gathered into the step's x and y buffers, and the fused step trains on them. For
// small networks this removes the per-batch round trip to JavaScript (copying rows, shuffling,
// the call itself), which costs as much as the batch's arithmetic. Twin: src/backend/epoch.ts.
import {
  D_ABS_ERROR_SUM, D_CORRECT_SUM, D_DATA_X, D_DATA_Y, D_EPOCH_LOG, D_FAILED_BATCH, D_FAILED_EPOCH, D_INPUT_WIDTH, D_LOSS_SUM,
  D_ORDER, D_SHUFFLE_RNG, D_SQ_ERROR_SUM, D_TARGET_WIDTH, D_X, D_Y, STATUS_OK, STEP_TRAIN,
} from './codes';
import { copyF64 } from './memory';
import { ptr, setSlot, slot } from './description';
import { step } from './step';

/** Fisher–Yates shuffle of the f64-held indices order[0..count), from the end, as
 *  Random.shuffle: each j is a uniform draw in [0, i] without modulo bias (Random.nextInt's
 *  rejection), from the sfc32 state words held as f64s at `state`, kept in locals meanwhile.
 *  Draws below 2³² − n are always accepted, so the exact limit (a 64-bit division) is only
 *  computed for the rare draws above it. */
function shuffleOrder(order: usize, count: i32, state: usize): void {
  let a = <u32>load<f64>(state);
  let b = <u32>load<f64>(state, 8);
  let c = <u32>load<f64>(state, 16);
  let d = <u32>load<f64>(state, 24);
  for (let i = count - 1; i > 0; i--) {
    const n = <u32>(i + 1);
    const sure: u32 = 0 - n; // 2³² − n ≤ the limit 2³² − (2³² mod n)
    let t: u32;
    do {
      t = a + b + d;
      d = d + 1;
      a = b ^ (b >>> 9);
      b = c + (c << 3);
      c = (c << 21) | (c >>> 11);
      c = c + t;
    } while (t >= sure && <u64>t >= 4294967296 - 4294967296 % <u64>n);
    const pi = order + (<usize>i << 3);
    const pj = order + (<usize>(t % n) << 3);
    const swap = load<f64>(pi);
    store<f64>(pi, load<f64>(pj));
    store<f64>(pj, swap);
  }
  store<f64>(state, <f64>a);
  store<f64>(state, <f64>b, 8);
  store<f64>(state, <f64>c, 16);
  store<f64>(state, <f64>d, 24);
}

/** Trains `count` epochs (see `epoch`) in one call, for a fit with nothing to do between
 *  epochs: after each, the step's running sums (loss·rows, correct predictions, |error|) move
 *  to the epoch log at D_EPOCH_LOG (four f64s per epoch: loss·rows, correct, |error|, squared error) and restart from 0. At the first
 *  failing batch it stops and returns that step's status, with D_FAILED_EPOCH (counted from
 *  this call's first) and D_FAILED_BATCH saying where; the epochs before it are logged. */
export function epochs(desc: usize, samples: i32, batchSize: i32, shuffle: i32, count: i32): i32 {
  let log = ptr(desc, D_EPOCH_LOG);
  for (let e = 0; e < count; e++, log += 32) {
    const status = epoch(desc, samples, batchSize, shuffle);
    if (status != STATUS_OK) {
      setSlot(desc, D_FAILED_EPOCH, <f64>e);
      return status;
    }
    store<f64>(log, slot(desc, D_LOSS_SUM));
    store<f64>(log, slot(desc, D_CORRECT_SUM), 8);
    store<f64>(log, slot(desc, D_ABS_ERROR_SUM), 16);
    store<f64>(log, slot(desc, D_SQ_ERROR_SUM), 24);
    setSlot(desc, D_LOSS_SUM, 0);
    setSlot(desc, D_CORRECT_SUM, 0);
    setSlot(desc, D_ABS_ERROR_SUM, 0);
    setSlot(desc, D_SQ_ERROR_SUM, 0);
  }
  return STATUS_OK;
}

/** Trains one epoch of `samples` resident rows in batches of `batchSize` (the last one
 *  shorter), in shuffled order when `shuffle` is set (from the identity each epoch, as fit
 *  does). Stops at the first batch whose step fails: its index goes to D_FAILED_BATCH and its
 *  status is returned, the batches before it having been applied. */
function epoch(desc: usize, samples: i32, batchSize: i32, shuffle: i32): i32 {
  const order = ptr(desc, D_ORDER);
  for (let i = 0; i < samples; i++) store<f64>(order + (<usize>i << 3), <f64>i);
  if (shuffle) shuffleOrder(order, samples, desc + (<usize>D_SHUFFLE_RNG << 3));
  const inputs = <i32>slot(desc, D_INPUT_WIDTH);
  const targets = <i32>slot(desc, D_TARGET_WIDTH);
  const dataX = ptr(desc, D_DATA_X);
  const dataY = ptr(desc, D_DATA_Y);
  const x = ptr(desc, D_X);
  const y = ptr(desc, D_Y);
  for (let start = 0, batch = 0; start < samples; start += batchSize, batch++) {
    const rows = min(batchSize, samples - start);
    for (let r = 0; r < rows; r++) {
      const row = <i32>load<f64>(order + (<usize>(start + r) << 3));
      copyF64(x + (<usize>(r * inputs) << 3), dataX + (<usize>row * <usize>inputs << 3), inputs);
      copyF64(y + (<usize>(r * targets) << 3), dataY + (<usize>row * <usize>targets << 3), targets);
    }
    const status = step(desc, rows, STEP_TRAIN);
    if (status != STATUS_OK) {
      store<f64>(desc + (<usize>D_FAILED_BATCH << 3), <f64>batch);
      return status;
    }
  }
  return STATUS_OK;
}
