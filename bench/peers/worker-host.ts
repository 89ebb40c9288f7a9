// Inside a library's worker thread (see ./isolated.ts): builds its trainers and times their
// runs on request from the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import type { Workload } from '../workloads';
import type { LayerWeights } from '../../src/index';
import { LOCAL_PEERS } from './index';
import { timeTrain, type Trainer, type TrainRun } from './peer';

const peer = LOCAL_PEERS.find((p) => p.id === (workerData as { peer: string }).peer)!;
const trainers = new Map<number, Trainer>();
let nextHandle = 0;

interface Request {
  id: number;
  op: 'setup' | 'build' | 'train' | 'predict' | 'dispose';
  handle?: number;
  w?: Workload;
  init?: LayerWeights[];
  run?: TrainRun;
  x?: Float64Array;
  rows?: number;
}

async function answer(request: Request): Promise<unknown> {
  const trainer = request.handle === undefined ? undefined : trainers.get(request.handle);
  switch (request.op) {
    case 'setup':
      return peer.setup?.();
    case 'build':
      trainers.set(++nextHandle, await peer.build(request.w!, request.init!));
      return nextHandle;
    case 'train': {
      const { ms, loss } = await timeTrain(trainer!, request.run!); // activate, untimed, then train
      return { ms, loss, info: trainer!.info?.() };
    }
    case 'predict':
      return trainer!.predict(request.x!, request.rows!);
    case 'dispose':
      trainer?.dispose();
      trainers.delete(request.handle!);
      return undefined;
  }
}

parentPort!.on('message', (request: Request) => {
  answer(request).then(
    (value) => parentPort!.postMessage({ id: request.id, value }),
    (error: unknown) => parentPort!.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
