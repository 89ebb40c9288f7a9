// The thread pool's side of the threads build (assembly/threads/index.ts): a large matrix
// product of the fused step is cut into blocks of whole rows or whole columns of its result,
// and the main thread and the pool's workers (each with its own instance of this module over
// the network's shared memory) claim blocks until none is left.
//
// Why the result is the same to the bit for any number of threads: each element of a product
// is computed by exactly one block, with the same packed kernel (gemm.ts) and so the same
// sums in the same order as the one-thread product; which thread runs a block, and where a
// block starts, changes nothing in how its elements are summed. Every reduction (bias
// gradients when the rows are split, the loss, the metrics, the gradient norm) stays on the
// main thread, in the one-thread order. Blocks are claimed, not assigned: the main thread
// takes part and can finish a region alone, so a worker that is slow to start, busy or gone
// only costs speed, and a slower core (a busy vCPU, an efficiency core) runs fewer blocks.
// (Blocks pinned to threads, so that each core would keep its part of W, dW and the
// optimizer state in its cache across steps, measured slower on the 2-core VM: its two vCPUs
// often run at different speeds, and the main thread then waited ≈ 150 µs per region for the
// slower one's blocks. ARCHITECTURE.md, "Threads".)
//
// The board: a few cache lines of the network's memory (the host reserves them and passes
// their address to setBoard and to every worker's `work`):
import { ACT_SOFTMAX } from '../codes';
import { activate } from '../activations';
import { copyF64 } from '../memory';
import { fewRows, gemm, matmulTransAColumnSums, matmulTransB, packedColumns, SMALL } from '../gemm';
import { FEW_ROWS } from '../codes';
import { UPDATE_APPLY, UPDATE_CHECK, updateRange } from '../optimizers';

const CLAIM = 0; // i64: region generation (high 32 bits) | blocks (16) | next unclaimed block (16)
const DONE = 64; // i32: blocks finished in the current region
const THREADS = 128; // i32: threads that may take part (main thread included)
const CAN_BLOCK = 132; // i32: 1 if the main thread may wait32 (not in a browser's main thread)
const FAULT = 136; // i32: set by a worker that failed; the next step reports STATUS_THREAD_FAILED
const REDO_COUNT = 140; // i32: blocks a failed worker left for the main thread to run again
const SCRATCH = 144; // i32: byte address of thread 0's matrix-product workspace
const SCRATCH_STRIDE = 148; // i32: bytes between two threads' workspaces
const INJECT = 152; // i32: tests only: the worker with this thread index + 1 traps on its next block
const WORKER_BLOCKS = 156; // i32: blocks run by workers, ever (tests check that workers took part)
const UPDATE_FAILED = 160; // i32: set by a block of an update's checking pass that found a value that would not be finite
const REDO = 192; // i32[64]: the blocks to run again
const CURRENT = 448; // i32[64]: per thread, the block it is running (-1: none)
// the region's job: i32 op, i32 split (0 columns, 1 rows), i32 extent (the columns, rows or
// parameters split), i32 parts (the blocks that share the extent out), then f64 args
const JOB = 704;
const ARGS = JOB + 16;
/** Bytes the host reserves for the board. */
export const BOARD_BYTES: i32 = 1024;

const OP_FORWARD = 1;
const OP_WEIGHTS = 2;
const OP_INPUTS = 3;
const OP_UPDATE = 4;

/** A product is split only from this many multiply-adds (≈ 10 µs on one thread): below it,
 *  waking the workers costs more than they save. */
const SPLIT_MIN: i64 = 1 << 17;
/** A few rows (≤ FEW_ROWS: a prediction, a tiny batch) are split by the size of W instead:
 *  their products are bound by reading W (or writing dW), which pays to share between cores
 *  once W outgrows a core's own cache. From 2¹⁷ weights (1 MiB): 784×512 (3.2 MB) splits, one
 *  row 1.3× faster on 2 threads, one block per thread; 784×128 (0.8 MB) measured slower split. */
const SPLIT_MIN_FEW_ROWS: i64 = 1 << 17;
/** The optimizer update is split from this many parameters (784-128-10 has 101,770): it reads
 *  the slab twice (check, then apply), ≈ 10–15% of a one-thread step at batch 32 there, and with
 *  threads it was the largest part of a step left on the main thread. */
const UPDATE_SPLIT_MIN: i32 = 1 << 15;
/** Blocks per thread in a split: a thread that runs slower (a busy vCPU, an efficiency core)
 *  or starts late runs fewer of them. */
const PER_THREAD = 3;
/** A block is at least this many rows or columns (multiples of the 4×4 micro-tile). */
const MIN_BLOCK = 16;

let board: usize = 0; // this instance's board (the main thread's instance; 0 until setBoard)
let generation: u32 = 0;

@external('env', 'wake') declare function wake(): void;

/** Whether a dense layer's products (rows·inputs·units multiply-adds each, forward and
 *  backward alike) are large enough to split at all: checked inline before any call, so that
 *  tiny networks pay nothing for the threads build. */
@inline export function splittable(rows: i32, inputs: i32, units: i32): bool {
  return rows <= FEW_ROWS ? <i64>inputs * units >= SPLIT_MIN_FEW_ROWS : <i64>rows * inputs * units >= SPLIT_MIN;
}

/** Points the main thread's instance at its board. */
export function setBoard(at: usize): void {
  board = at;
}

@inline function i32At(offset: i32): i32 {
  return load<i32>(board + <usize>offset);
}
@inline function arg(i: i32): f64 {
  return load<f64>(board + <usize>(ARGS + (i << 3)));
}
@inline function setArg(i: i32, v: f64): void {
  store<f64>(board + <usize>(ARGS + (i << 3)), v);
}

/** A failed worker stops the network's next step (src/threads reports it). */
export function threadFault(): bool {
  return board != 0 && atomic.load<i32>(board + FAULT) != 0;
}

/** How a product of an m×n result with m·k·n multiply-adds is cut: 0 blocks (do not split),
 *  else the number of blocks, with the split (columns or rows) stored in the job: the longer
 *  side, PER_THREAD blocks per thread of at least MIN_BLOCK. `few`: the forward product of a few
 *  rows (its own threshold, one block per thread: each streams its columns of W, and wider is
 *  faster). */
function plan(m: i32, k: i32, n: i32, few: bool = false): i32 {
  if (board == 0) return 0;
  const threads = i32At(THREADS);
  const size = <i64>m * k * n;
  if (threads < 2 || (few ? <i64>k * n < SPLIT_MIN_FEW_ROWS : size < SPLIT_MIN) || size < SMALL) return 0;
  const byColumns = n >= m;
  const extent = byColumns ? n : m;
  const blocks = min(few ? threads : threads * PER_THREAD, extent / MIN_BLOCK);
  if (blocks < 2) return 0;
  setJob(byColumns ? 0 : 1, extent, blocks);
  return blocks;
}

@inline function setJob(split: i32, extent: i32, parts: i32): void {
  store<i32>(board + JOB + 4, split);
  store<i32>(board + JOB + 8, extent);
  store<i32>(board + JOB + 12, parts);
}

/** Where part i of `parts` of `extent` columns or rows starts: whole 4-wide tiles of the result
 *  (parameter pairs for an update), shared out as evenly as they go. */
@inline function partStart(i: i32, parts: i32, extent: i32): i32 {
  const tiles = (extent + 3) >> 2;
  return min(extent, <i32>((<i64>i * tiles / parts) << 2));
}

/** Z = X·W + b, A = f(Z) (dense.ts's denseForward) across the threads; false (nothing done) when
 *  the product is too small to split. `packed` ≠ 0: W as gemm.ts's packWeights left it (blocks
 *  of rows read it, blocks of columns their panels of it where its layout allows; see runBlock). */
export function parallelDenseForward(x: usize, w: usize, b: usize, z: usize, a: usize, rows: i32, inputs: i32, units: i32, act: i32, alpha: f64, packed: usize): bool {
  const blocks = plan(rows, inputs, units, rows <= FEW_ROWS);
  if (blocks == 0) return false;
  setArg(0, <f64>x); setArg(1, <f64>w); setArg(2, <f64>b); setArg(3, <f64>z); setArg(4, <f64>a);
  setArg(5, <f64>rows); setArg(6, <f64>inputs); setArg(7, <f64>units); setArg(8, <f64>act); setArg(9, alpha); setArg(10, <f64>packed);
  run(OP_FORWARD, blocks);
  // softmax needs whole rows: after a split by columns it runs here, as on one thread
  if (act == ACT_SOFTMAX && i32At(JOB + 4) == 0) activate(act, z, a, rows, units, alpha);
  return true;
}

/** dW = Xᵀ·dZ, db = Σ dZ and dX = dZ·Wᵀ (dense.ts's denseBackward), each product across the
 *  threads when large enough and as on one thread otherwise; false when neither is split. */
export function parallelDenseBackward(x: usize, w: usize, dZ: usize, dW: usize, db: usize, dX: usize, rows: i32, inputs: i32, units: i32, scratch: usize): bool {
  const weightBlocks = plan(inputs, rows, units);
  const inputBlocks = dX != 0 ? plan(rows, units, inputs) : 0;
  if (weightBlocks == 0 && inputBlocks == 0) return false;
  if (weightBlocks == 0) {
    matmulTransAColumnSums(x, dZ, dW, db, inputs, rows, units, scratch);
  } else {
    plan(inputs, rows, units); // the job's split for this product
    setArg(0, <f64>x); setArg(1, <f64>dZ); setArg(2, <f64>dW); setArg(3, <f64>db);
    setArg(5, <f64>rows); setArg(6, <f64>inputs); setArg(7, <f64>units);
    run(OP_WEIGHTS, weightBlocks);
    if (i32At(JOB + 4) == 1) columnSums(dZ, db, rows, units, 0, units); // by rows: db here, in row order
  }
  if (dX == 0) return true;
  if (inputBlocks == 0) {
    matmulTransB(dZ, w, dX, rows, units, inputs, 0, scratch);
  } else {
    plan(rows, units, inputs);
    setArg(0, <f64>dZ); setArg(1, <f64>w); setArg(2, <f64>dX);
    setArg(5, <f64>rows); setArg(6, <f64>inputs); setArg(7, <f64>units);
    run(OP_INPUTS, inputBlocks);
  }
  return true;
}

/** The optimizer update (optimizers.ts updateRange) of a slab of `count` parameters across the
 *  threads, in contiguous ranges: first every range's checking pass (no writes), then, if every
 *  new value is finite, every range's writing pass. Returns 1 (applied), 0 (refused: nothing
 *  written) or -1 (too small to split: not done). Each element's new value is computed by the
 *  same lane arithmetic as on one thread, wherever its range starts, so the bits are the same. */
export function parallelUpdate(desc: usize, count: i32): i32 {
  if (board == 0 || count < UPDATE_SPLIT_MIN) return -1;
  const threads = i32At(THREADS);
  if (threads < 2) return -1;
  const blocks = threads * PER_THREAD;
  setJob(0, count, blocks);
  setArg(0, <f64>desc);
  atomic.store<i32>(board + UPDATE_FAILED, 0);
  setArg(1, <f64>UPDATE_CHECK);
  run(OP_UPDATE, blocks);
  if (atomic.load<i32>(board + UPDATE_FAILED) != 0) return 0;
  setArg(1, <f64>UPDATE_APPLY);
  run(OP_UPDATE, blocks);
  return 1;
}

/** out[j] = Σ_r A[r][j] for j in [j0, j1) over rows in order, A's rows `ld` f64s apart: the same
 *  sums as rows.ts's columnSums. */
function columnSums(a: usize, out: usize, rows: i32, ld: i32, j0: i32, j1: i32): void {
  for (let j = j0; j < j1; j++) store<f64>(out + (<usize>j << 3), 0.0);
  for (let r = 0; r < rows; r++) {
    const aRow = a + ((<usize>r * <usize>ld) << 3);
    for (let j = j0; j < j1; j++) {
      const p = out + (<usize>j << 3);
      store<f64>(p, load<f64>(p) + load<f64>(aRow + (<usize>j << 3)));
    }
  }
}

/** Runs a region of `blocks` blocks of the job `op`: publishes it, wakes the workers, claims
 *  blocks itself until none is left, waits for the blocks workers claimed, then runs again
 *  any block a failed worker left (a worker fails only at a block's start, before it writes:
 *  an update's writing pass run again over a half-written range would apply it twice). */
function run(op: i32, blocks: i32): void {
  store<i32>(board + JOB, op);
  atomic.store<i32>(board + DONE, 0);
  generation++;
  atomic.store<i64>(board + CLAIM, (<i64>generation << 32) | (<i64>blocks << 16));
  wake();
  serve(board, 0);
  const canBlock = i32At(CAN_BLOCK) != 0;
  for (let spins = 0; ; spins++) {
    const done = atomic.load<i32>(board + DONE);
    if (done >= blocks) break;
    if (canBlock && spins > 2000) memory.atomic.wait32(board + DONE, done, 1000000); // ≤ 1 ms, then look again
  }
  const redo = atomic.load<i32>(board + REDO_COUNT);
  if (redo > 0) {
    for (let i = 0; i < redo; i++) runBlock(board, load<i32>(board + REDO + (<usize>i << 2)), 0);
    atomic.store<i32>(board + REDO_COUNT, 0);
  }
}

/** Claims and runs blocks of the current region until none is left; returns how many it ran. */
function serve(at: usize, thread: i32): i32 {
  let ran = 0;
  for (;;) {
    const word = atomic.load<i64>(at + CLAIM);
    const next = <i32>(word & 0xffff);
    const blocks = <i32>((word >> 16) & 0xffff);
    if (next >= blocks) return ran;
    if (atomic.cmpxchg<i64>(at + CLAIM, word, word + 1) != word) continue;
    const current = at + CURRENT + (<usize>thread << 2);
    store<i32>(current, next);
    if (thread > 0 && load<i32>(at + INJECT) == thread + 1) {
      store<i32>(at + INJECT, 0);
      unreachable(); // tests: a worker that fails in the middle of a region
    }
    runBlock(at, next, thread);
    store<i32>(current, -1);
    ran++;
    if (thread > 0) atomic.add<i32>(at + WORKER_BLOCKS, 1);
    if (atomic.add<i32>(at + DONE, 1) + 1 == blocks) atomic.notify(at + DONE, 1);
  }
  return ran; // (not reached)
}

/** A worker's entry: runs blocks of the region in progress on the network whose board is at
 *  `at`, if this worker (thread index ≥ 1) is one of the threads that network uses. */
export function work(at: usize, thread: i32): i32 {
  if (thread >= atomic.load<i32>(at + THREADS)) return 0;
  return serve(at, thread);
}

/** Block `index` of the job on the board at `at`, run by thread `thread` (its own workspace). */
function runBlock(at: usize, index: i32, thread: i32): void {
  const op = load<i32>(at + JOB);
  const byRows = load<i32>(at + JOB + 4) != 0;
  const extent = load<i32>(at + JOB + 8);
  const parts = load<i32>(at + JOB + 12);
  const from = partStart(index, parts, extent);
  const count = partStart(index + 1, parts, extent) - from;
  const scratch = <usize>load<i32>(at + SCRATCH) + <usize>load<i32>(at + SCRATCH_STRIDE) * <usize>thread;
  const args = at + ARGS;
  const rows = <i32>load<f64>(args, 40);
  const inputs = <i32>load<f64>(args, 48);
  const units = <i32>load<f64>(args, 56);
  if (op == OP_UPDATE) {
    // parameters [from, from + count) of the slab, in the phase the region runs
    if (updateRange(<usize>load<f64>(args), from, count, <i32>load<f64>(args, 8)) == 0) atomic.store<i32>(at + UPDATE_FAILED, 1);
    return;
  }
  if (op == OP_FORWARD) {
    // Z = b in every row, then Z += X·W, A = f(Z), over the block's columns or rows
    const x = <usize>load<f64>(args), w = <usize>load<f64>(args, 8), b = <usize>load<f64>(args, 16);
    const z = <usize>load<f64>(args, 24), a = <usize>load<f64>(args, 32);
    const act = <i32>load<f64>(args, 64);
    const alpha = load<f64>(args, 72);
    const packed = <usize>load<f64>(args, 80);
    if (byRows) {
      const zAt = z + ((<usize>from * <usize>units) << 3);
      for (let r = 0; r < count; r++) copyF64(zAt + ((<usize>r * <usize>units) << 3), b, units);
      gemm(false, false, x + ((<usize>from * <usize>inputs) << 3), w, zAt, count, inputs, units, 1, scratch, packed, inputs, units, units);
      activate(act, zAt, a + ((<usize>from * <usize>units) << 3), count, units, alpha);
    } else {
      const col = <usize>from << 3;
      for (let r = 0; r < rows; r++) copyF64(z + ((<usize>r * <usize>units) << 3) + col, b + col, count);
      // as on one thread: a few rows read W in place; more read its packed copy when there is
      // one (predict) and its panels for these columns are laid out as gemm reads them
      if (rows <= FEW_ROWS) fewRows(x, w + col, z + col, rows, inputs, count, 1, units, units);
      else gemm(false, false, x, w + col, z + col, rows, inputs, count, 1, scratch, packed ? packedColumns(packed, inputs, units, from, count) : 0, inputs, units, units);
      if (act != ACT_SOFTMAX) {
        for (let r = 0; r < rows; r++) {
          const off = ((<usize>r * <usize>units) << 3) + col;
          activate(act, z + off, a + off, 1, count, alpha);
        }
      }
    }
  } else if (op == OP_WEIGHTS) {
    // dW [inputs×units] = Xᵀ·dZ (X is rows×inputs, dZ rows×units); db with a split by columns
    const x = <usize>load<f64>(args), dZ = <usize>load<f64>(args, 8), dW = <usize>load<f64>(args, 16), db = <usize>load<f64>(args, 24);
    if (byRows) {
      gemm(true, false, x + (<usize>from << 3), dZ, dW + ((<usize>from * <usize>units) << 3), count, rows, units, 0, scratch, 0, inputs, units, units);
    } else {
      const col = <usize>from << 3;
      gemm(true, false, x, dZ + col, dW + col, inputs, rows, count, 0, scratch, 0, inputs, units, units);
      columnSums(dZ, db, rows, units, from, from + count);
    }
  } else {
    // dX [rows×inputs] = dZ·Wᵀ (dZ is rows×units, W inputs×units)
    const dZ = <usize>load<f64>(args), w = <usize>load<f64>(args, 8), dX = <usize>load<f64>(args, 16);
    if (byRows) {
      gemm(false, true, dZ + ((<usize>from * <usize>units) << 3), w, dX + ((<usize>from * <usize>inputs) << 3), count, units, inputs, 0, scratch, 0, units, units, inputs);
    } else {
      gemm(false, true, dZ, w + ((<usize>from * <usize>units) << 3), dX + (<usize>from << 3), rows, units, count, 0, scratch, 0, units, units, inputs);
    }
  }
}
