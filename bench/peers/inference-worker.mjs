// A worker thread's entry for the inference bench (see ../inference.ts): TypeScript through
// tsx, which a worker does not inherit from the main thread's `--import tsx`.
import { register } from 'tsx/esm/api';

register();
await import('./inference-host.ts');
