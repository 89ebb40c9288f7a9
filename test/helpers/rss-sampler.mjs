// A worker thread that samples the process's resident set size every millisecond while the main
// thread runs a synchronous import, and keeps the largest value seen in shared memory: the main
// thread cannot sample itself while it is busy. Control (Int32Array over the shared buffer):
// [0] = 1 while sampling should go on; the peak is a Float64 at byte 8.
import { workerData } from 'node:worker_threads';

const control = new Int32Array(workerData, 0, 2);
const peak = new Float64Array(workerData, 8, 1);
Atomics.store(control, 1, 1); // ready
while (Atomics.load(control, 0) === 1) {
  const rss = process.memoryUsage.rss();
  if (rss > peak[0]) peak[0] = rss;
  Atomics.wait(control, 0, 1, 1);
}
