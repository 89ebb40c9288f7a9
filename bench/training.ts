// End-to-end training throughput of every library on the four workloads: same data, same initial
// weights, same shapes, batch size and learning rate. Each library first trains an unshuffled
// check run whose mean loss shows that it trains the same model; then, after warm-up, timed runs
// are interleaved across libraries (rotating who goes first) so machine noise lands on all.
import { BASELINE, type Peer, type Timed, type Trainer, type TrainRun } from './peers/index';
import { timeTrain } from './peers/peer';
import { progress, series, type BenchPlan, type Series } from './stats';
import { initialWeights, topology, workloads, type Workload } from './workloads';

export interface LibraryResult {
  peer: string;
  label: string;
  /** 'n/a': could not be measured; `reason` says why. */
  status: 'ok' | 'n/a';
  reason?: string;
  /** The batch it trains with ("32", or "1 (online)" for brain.js). */
  batching: string;
  /** Samples per second, one value per timed run. */
  rate?: Series;
  /** What one timed run trains: `epochs` passes over `samples` rows. */
  run?: { epochs: number; samples: number };
  /** Mean loss of the unshuffled check run (the first `checkSamples` rows, from the shared
   *  initial weights): equal across libraries (f32 rounding aside) when they train the same model. */
  checkLoss?: number;
  /** False when the library trains a different model (brain.js: no softmax/cross-entropy). */
  sameModel: boolean;
  /** median(wasmnet wasm) / median(this). */
  ratio?: number;
  info?: Record<string, unknown>;
}

export interface WorkloadResult {
  id: string;
  name: string;
  topology: string;
  activations: string;
  loss: string;
  batchSize: number;
  samples: number;
  learningRate: number;
  checkSamples: number;
  libraries: LibraryResult[];
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 120);

interface Contender {
  peer: Peer;
  result: LibraryResult;
  trainer?: Trainer;
  run?: TrainRun;
  rates: number[];
}

/** The run whose length is about `targetMs` at `rate` samples/s: whole epochs, or for a slow
 *  library whole batches of a partial epoch (at least one batch). */
function runFor(w: Workload, rate: number, targetMs: number): TrainRun {
  const want = (rate * targetMs * 1.2) / 1000; // overshoot: later (optimised) runs are faster
  if (want >= w.samples) return { epochs: Math.max(1, Math.round(want / w.samples)), samples: w.samples, shuffle: true, loss: false };
  const batches = Math.max(1, Math.round(want / w.batchSize));
  return { epochs: 1, samples: Math.min(w.samples, batches * w.batchSize), shuffle: true, loss: false };
}

/** Milliseconds of one `train` call (the backend switch before it is not timed), and its loss. */
const timeRun = (c: Contender, run: TrainRun): Promise<Timed> => timeTrain(c.trainer!, run);

const runSamples = (run: TrainRun): number => run.epochs * run.samples;

async function benchWorkload(w: Workload, peers: Peer[], plan: BenchPlan): Promise<WorkloadResult> {
  const init = initialWeights(w);
  const checkSamples = Math.min(w.samples, w.checkBatches * w.batchSize);
  const contenders: Contender[] = peers.map((peer) => ({
    peer,
    rates: [],
    result: { peer: peer.id, label: peer.label, status: 'ok', batching: peer.batching?.(w) ?? String(w.batchSize), sameModel: peer.sameModel(w) },
  }));
  const fail = (c: Contender, reason: string): void => {
    c.result.status = 'n/a';
    c.result.reason = reason;
    c.trainer?.dispose();
    c.trainer = undefined;
  };
  const live = (): Contender[] => contenders.filter((c) => c.result.status === 'ok');

  // Build, check run (doubles as the first warm-up), and calibration, one library at a time.
  for (const c of contenders) {
    const skip = plan.skipPeersOn.includes(w.id) && !c.peer.id.startsWith('wasmnet') ? 'skipped in --quick' : c.peer.unsupported?.(w);
    if (skip) {
      fail(c, skip);
      continue;
    }
    progress(`  ${c.peer.id} …`);
    try {
      c.trainer = await c.peer.build(w, init);
      const check = await timeRun(c, { epochs: 1, samples: checkSamples, shuffle: false, loss: true });
      const checkMs = check.ms;
      c.result.checkLoss = check.loss;
      let perBatch = checkMs / Math.ceil(checkSamples / w.batchSize);
      // The check run is the library's first (cold) one: confirm a slow verdict on a warm batch.
      if (perBatch > plan.maxBatchMs) perBatch = (await timeRun(c, { epochs: 1, samples: w.batchSize, shuffle: true, loss: false })).ms;
      if (perBatch > plan.maxBatchMs) {
        fail(c, `too slow: ${(perBatch / 1000).toFixed(1)} s per batch, over the ${plan.maxBatchMs / 1000} s cap`);
        continue;
      }
      let rate = (checkSamples * 1000) / checkMs;
      // Warm-up runs at the estimated length, for at least plan.warmupMs (the JIT of a JS
      // library keeps improving for a while) and until a run lasts long enough to trust its rate.
      let warm = checkMs;
      for (let i = 0; i < 20; i++) {
        const run = runFor(w, rate, plan.trainRunMs);
        const { ms } = await timeRun(c, run);
        warm += ms;
        rate = (runSamples(run) * 1000) / ms;
        if (warm >= plan.warmupMs && (ms >= plan.trainRunMs * 0.7 || run.samples < w.samples)) break;
      }
      c.run = runFor(w, rate, plan.trainRunMs);
      c.result.run = { epochs: c.run.epochs, samples: c.run.samples };
    } catch (e) {
      fail(c, `error: ${errorText(e)}`);
    }
  }

  // Timed runs, interleaved: every library once per round, the first one rotating.
  for (let round = 0; round < plan.trainRuns; round++) {
    const order = live();
    for (let i = 0; i < order.length; i++) {
      const c = order[(i + round) % order.length]!;
      try {
        const { ms } = await timeRun(c, c.run!);
        c.rates.push((runSamples(c.run!) * 1000) / ms);
      } catch (e) {
        fail(c, `error: ${errorText(e)}`);
      }
    }
  }

  for (const c of contenders) {
    if (c.result.status === 'ok') c.result.rate = series(c.rates);
    try {
      c.result.info = c.trainer?.info?.();
    } catch {
      // diagnostics only
    }
    c.trainer?.dispose();
  }
  const base = contenders.find((c) => c.peer.id === BASELINE.id)?.result.rate?.median;
  for (const c of contenders) {
    if (base !== undefined && c.result.rate) c.result.ratio = base / c.result.rate.median;
  }
  return {
    id: w.id,
    name: w.name,
    topology: topology(w),
    activations: w.activations.join('/'),
    loss: w.loss,
    batchSize: w.batchSize,
    samples: w.samples,
    learningRate: w.learningRate,
    checkSamples,
    libraries: contenders.map((c) => c.result),
  };
}

/** Trains every workload (or those whose id is in `only`) with every peer. */
export async function benchTrainings(peers: Peer[], plan: BenchPlan, only: string[] | null = null): Promise<WorkloadResult[]> {
  for (const peer of peers) await peer.setup?.();
  const results: WorkloadResult[] = [];
  for (const w of workloads()) {
    if (only !== null && !only.includes(w.id)) continue;
    progress(`training ${w.name} ${topology(w)} (batch ${w.batchSize}) …`);
    results.push(await benchWorkload(w, peers, plan));
  }
  return results;
}
