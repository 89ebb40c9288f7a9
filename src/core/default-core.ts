// The core that `init()` and `initSync()` use when given nothing: the bytes inlined as hex by
// scripts/build-wasm.mjs, so that a plain `import` works with no .wasm file to serve or copy.
// Hex, not base64: two characters per byte keep the wasm's byte patterns visible to gzip,
// which then packs the inlined core 2.5 KB smaller (11.8 vs 14.3 KB for a 25 KB core), though
// the raw text is larger. The `workerd` build replaces this file with ./default-core.workerd.ts
// (see tsup.config.ts).
import { wasmHex } from './wasm-inline.generated';

/** '0'–'9' → 0–9, 'a'–'f' → 10–15 */
const nibble = (c: number): number => (c & 15) + (c >> 6) * 9;

export function defaultCore(): WebAssembly.Module | Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(new ArrayBuffer(wasmHex.length >> 1));
  for (let i = 0; i < bytes.length; i++) bytes[i] = (nibble(wasmHex.charCodeAt(2 * i)) << 4) | nibble(wasmHex.charCodeAt(2 * i + 1));
  return bytes;
}
