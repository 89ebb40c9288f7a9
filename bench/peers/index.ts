// Every library the training benchmark knows, in table order. Adding a peer: one file in this
// folder implementing `Peer` (./peer.ts), and one line here.
import { brainjsPeer } from './brainjs';
import { convnetjsPeer } from './convnetjs';
import type { Peer } from './peer';
import { tfjsCpu, tfjsCpuFit, tfjsWasm, tfjsWasmFit } from './tfjs';
import { wasmnetJs, wasmnetWasm } from './wasmnet';

/** The baseline of every ratio column; always measured. */
export const BASELINE = wasmnetWasm;

/** Run by default. */
export const DEFAULT_PEERS: Peer[] = [wasmnetWasm, wasmnetJs, tfjsWasm, tfjsCpu, convnetjsPeer, brainjsPeer];

/** Selectable with `--libs=`, not run by default (tfjs through `model.fit` instead of the manual loop). */
export const EXTRA_PEERS: Peer[] = [tfjsWasmFit, tfjsCpuFit];

export const ALL_PEERS: Peer[] = [...DEFAULT_PEERS, ...EXTRA_PEERS];

export function findPeer(id: string): Peer | undefined {
  return ALL_PEERS.find((p) => p.id === id);
}

export type { Peer, Trainer, TrainRun } from './peer';
