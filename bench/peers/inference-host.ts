// Inside one library's worker thread of the inference bench (../inference.ts): builds its
// predictors and times their calls on request from the main thread, so that each library has
// its own heap, garbage collector and JIT state, as in a program that uses only it.
import { parentPort, workerData } from 'node:worker_threads';
import type { LayerWeights } from '../../src/index';
import { INFERENCE_LIBS, type InferenceNet, type Predictor } from './inference-libs';

const lib = INFERENCE_LIBS.find((l) => l.id === (workerData as { lib: string }).lib)!;
const predictors = new Map<string, { predictor: Predictor; inputs: Map<number, unknown>; async: boolean }>();

interface Request {
  id: number;
  op: 'setup' | 'build' | 'predict' | 'time';
  net?: InferenceNet;
  weights?: LayerWeights[];
  x?: Float64Array;
  rows?: number;
  budgetMs?: number;
}

/** Per-call times in µs: each sample is one call, or the mean of a group of calls when one
 *  call takes under 20 µs (so that reading the clock does not dominate). */
async function time(entry: { predictor: Predictor; inputs: Map<number, unknown>; async: boolean }, rows: number, budgetMs: number): Promise<number[]> {
  const x = entry.inputs.get(rows)!;
  const p = entry.predictor;
  const run = async (calls: number): Promise<number> => {
    const t0 = performance.now();
    if (entry.async) for (let i = 0; i < calls; i++) await p.predict(x, rows);
    else for (let i = 0; i < calls; i++) p.predict(x, rows);
    return (performance.now() - t0) / calls;
  };
  for (let i = 0; i < 3; i++) await run(1); // warm
  const group = Math.max(1, Math.ceil(0.02 / Math.max(await run(1), 1e-5)));
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 3 || (performance.now() - start < budgetMs && samples.length < 4000)) samples.push((await run(group)) * 1000);
  return samples;
}

async function answer(r: Request): Promise<unknown> {
  const key = r.net?.id ?? '';
  switch (r.op) {
    case 'setup':
      return lib.setup?.();
    case 'build': {
      const predictor = await lib.build(r.net!, r.weights!);
      predictors.set(key, { predictor, inputs: new Map(), async: false });
      return undefined;
    }
    case 'predict': {
      const entry = predictors.get(key)!;
      const x = entry.predictor.prepare(r.x!, r.rows!);
      entry.inputs.set(r.rows!, x);
      const out = entry.predictor.predict(x, r.rows!);
      entry.async = out instanceof Promise;
      return Float64Array.from(await out);
    }
    case 'time':
      return time(predictors.get(key)!, r.rows!, r.budgetMs!);
  }
}

parentPort!.on('message', (request: Request) => {
  answer(request).then(
    (value) => parentPort!.postMessage({ id: request.id, value }),
    (error: unknown) => parentPort!.postMessage({ id: request.id, error: error instanceof Error ? error.stack ?? error.message : String(error) }),
  );
});
