// The pool's worker, as source text: it is started from a data: URL (`worker_threads`: Node,
// Deno) or a blob: URL (Web Workers: browsers, Bun), so that it works from any bundle with
// nothing to copy or configure.
// It runs no code it is sent: it instantiates the threads core (a compiled WebAssembly.Module
// it receives) over each network's shared memory, then waits on the pool's bell and runs
// `work`, which claims blocks of the region in progress (assembly/threads/parallel.ts).
//
// Protocol (src/threads/pool.ts): main → worker messages `init {bell, index, module}`,
// `add {id, memory, board}`, `drop {id}`, `ping`, `exit` (tests); worker → main `ready`,
// `pong`, `failed {message}`. The main thread counts the messages it posted to each worker in
// the bell (MAIL + index) and rings; a worker blocked on the bell goes back to its event loop
// whenever it has unread messages, and waits on the bell again once it has read them all.
// Bell slots: 0 ring count, 1 the network that rang, 2 blocks run by the workers, MAIL + i
// messages posted to worker i.
// Board offsets: parallel.ts (DONE 64, FAULT 136, REDO_COUNT 140, REDO 192, CURRENT 448).
export const WORKER_SOURCE = `
const RING = 0, NET = 1, BLOCKS = 2, MAIL = 8, SPIN_MS = 2;
const node = typeof self === 'undefined';
const port = node ? process.getBuiltinModule('worker_threads').parentPort : self;
const nets = new Map();
let bell = null, index = 0, module = null, read = 0, dead = false;

function fail(net, error) {
  dead = true;
  const m = new Int32Array(net.memory.buffer), b = net.board >> 2;
  const current = Atomics.load(m, b + 112 + index);
  Atomics.store(m, b + 34, 1);
  if (current >= 0) {
    Atomics.store(m, b + 112 + index, -1);
    Atomics.store(m, b + 48 + Atomics.add(m, b + 35, 1), current);
    Atomics.add(m, b + 16, 1);
    Atomics.notify(m, b + 16);
  }
  port.postMessage({ type: 'failed', index, message: String(error && error.message || error) });
}

function serve() {
  for (;;) {
    if (dead || read !== Atomics.load(bell, MAIL + index)) return;
    const seen = Atomics.load(bell, RING);
    const net = nets.get(Atomics.load(bell, NET));
    if (net !== undefined) {
      try {
        const ran = net.work(net.board, index);
        if (ran > 0) Atomics.add(bell, BLOCKS, ran);
      } catch (error) {
        fail(net, error);
        return;
      }
    }
    // spin for SPIN_MS before sleeping: the next region of a training step starts within that
    // (after the optimizer update — ≈ 1–2 ms for 784-512-512-10's 669k weights — and the next
    // batch's copy), and waking a sleeping thread costs tens to hundreds of µs on a VM. On the
    // 2-core VM, 784-128-10 batch 32 on 2 threads (bench/threads.ts, medians of 3–10 noisy runs):
    // spinning ≈ 0.3–1 ms 1.25×, 0.5 ms 1.33×, 2 ms 1.40×, ≈ 4.5 ms 1.48×. The cost: after its
    // last region a worker keeps a core busy for up to SPIN_MS.
    for (let i = 0, until = 0; Atomics.load(bell, RING) === seen; i++) {
      if ((i & 1023) !== 0) continue;
      const now = performance.now();
      if (i === 0) until = now + SPIN_MS;
      else if (now > until) Atomics.wait(bell, RING, seen);
    }
  }
}

function receive(m) {
  if (m.type === 'init') {
    bell = m.bell;
    index = m.index;
    module = m.module;
    port.postMessage({ type: 'ready', index });
  } else if (m.type === 'add') {
    const exports = new WebAssembly.Instance(module, { env: { memory: m.memory, wake() {} } }).exports;
    nets.set(m.id, { work: exports.work, board: m.board, memory: m.memory });
  } else if (m.type === 'drop') {
    nets.delete(m.id);
    // This thread allocates almost nothing, so its garbage collector would rarely run and the
    // dropped memory would stay mapped: a large (never touched) buffer counts as external
    // memory and prompts a collection.
    try { new ArrayBuffer(64 * 1024 * 1024); } catch {}
  } else if (m.type === 'ping') {
    port.postMessage({ type: 'pong', index });
  } else if (m.type === 'exit') {
    if (node) process.exit(1);
    else self.close();
  }
  read++;
  serve();
}

if (node) port.on('message', receive);
else self.onmessage = (event) => receive(event.data);
`;
