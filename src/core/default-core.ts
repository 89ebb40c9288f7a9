// The core that `init()` and `initSync()` use when given nothing: the bytes inlined as base64
// by scripts/build-wasm.mjs, so that a plain `import` works with no .wasm file to serve or copy.
// The `workerd` build replaces this file with ./default-core.workerd.ts (see tsup.config.ts).
import { wasmBase64 } from './wasm-inline.generated';

export function defaultCore(): WebAssembly.Module | Uint8Array<ArrayBuffer> {
  const binary = atob(wasmBase64);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
