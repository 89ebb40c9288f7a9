// The threads chunk of the `workerd` entry: Cloudflare Workers have no Worker, so networks
// there run on one thread (tsup.config.ts puts this file in place of ./index).
import type { ThreadsRuntime } from './index';

export async function load(): Promise<ThreadsRuntime | null> {
  return null;
}
