// Every library the training benchmark knows, in table order. Adding a peer: one file in this
// folder implementing `Peer` (./peer.ts), and one line here.
import { brainjsPeer } from './brainjs';
import { convnetjsPeer } from './convnetjs';
import { isolated } from './isolated';
import type { Peer } from './peer';
import { tfjsCpu, tfjsCpuFit, tfjsWasm, tfjsWasmFit } from './tfjs';
import { wasmnetJs, wasmnetThreads, wasmnetWasm } from './wasmnet';

/** Every peer as implemented, run in the current thread (inside its worker: ./worker-host.ts). */
export const LOCAL_PEERS: Peer[] = [wasmnetWasm, wasmnetThreads, wasmnetJs, tfjsWasm, tfjsCpu, convnetjsPeer, brainjsPeer, tfjsWasmFit, tfjsCpuFit];

/** What the bench runs: each library in a worker thread of its own (./isolated.ts). */
export const ALL_PEERS: Peer[] = LOCAL_PEERS.map(isolated);
const byId = (id: string): Peer => ALL_PEERS.find((p) => p.id === id)!;

/** The baseline of every ratio column; always measured. */
export const BASELINE = byId(wasmnetWasm.id);

/** Run by default. */
export const DEFAULT_PEERS: Peer[] = [wasmnetWasm, wasmnetThreads, wasmnetJs, tfjsWasm, tfjsCpu, convnetjsPeer, brainjsPeer].map((p) => byId(p.id));

/** Selectable with `--libs=`, not run by default (tfjs through `model.fit` instead of the manual loop). */
export const EXTRA_PEERS: Peer[] = [tfjsWasmFit, tfjsCpuFit].map((p) => byId(p.id));

export function findPeer(id: string): Peer | undefined {
  return ALL_PEERS.find((p) => p.id === id);
}

export type { Peer, Timed, Trainer, TrainRun } from './peer';
