// A worker thread's entry (see ./isolated.ts): TypeScript through tsx, which a worker does not
// inherit from the main thread's `--import tsx`.
import { register } from 'tsx/esm/api';

register();
await import('./worker-host.ts');
