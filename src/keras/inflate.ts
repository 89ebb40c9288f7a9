// Deflate decompression with a hard cap on the output, from the platform: DecompressionStream
// (browsers, Deno, Bun, Workers, Node ≥ 18) or, where a runtime lacks it, node:zlib through
// process.getBuiltinModule (no static `node:` import, so bundlers for the web see none).
import { FormatError } from 'wasmnet';

/** 'deflate-raw' for zip entries, 'deflate' (zlib-wrapped) for HDF5's deflate filter. */
export type DeflateFormat = 'deflate-raw' | 'deflate';

/** Deflate's largest expansion: a 258-byte match costs at least 2 bits, so ≈ 1032:1. */
export const DEFLATE_MAX_RATIO = 1032;
/** The most `length` bytes of deflate data can inflate to (with headers' slack). */
export const maxInflated = (length: number): number => length * DEFLATE_MAX_RATIO + 64;

type Zlib = { inflateRawSync(b: Uint8Array, o: object): Uint8Array; inflateSync(b: Uint8Array, o: object): Uint8Array };

/**
 * Inflates `input`, which must decompress to exactly `expected` bytes (the size its container
 * declared): more is a FormatError as soon as the output passes `expected` (a zip bomb stops
 * there), less too. The output grows with what is inflated (doubling, up to `expected`: while
 * it grows, old and new buffers together are under twice `expected`), so a size declared but
 * not there costs nothing: 600 KB claiming 512 MiB allocates what those bytes inflate to.
 */
export async function inflate(input: Uint8Array, format: DeflateFormat, expected: number, what: string): Promise<Uint8Array> {
  if (expected > maxInflated(input.length)) {
    throw new FormatError(`${what} declares ${expected} bytes, more than deflate can make of ${input.length} (at most ${DEFLATE_MAX_RATIO}:1)`);
  }
  let out = new Uint8Array(Math.min(expected, 1 << 16));
  let length = 0;
  if (typeof DecompressionStream === 'function') {
    const stream = new Blob([input as BlobPart]).stream().pipeThrough(new DecompressionStream(format));
    const reader = stream.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (length + value.length > expected) {
          throw new FormatError(`${what} inflates to more than the ${expected} bytes it declares`);
        }
        if (length + value.length > out.length) {
          const grown = new Uint8Array(Math.min(expected, Math.max(2 * out.length, length + value.length)));
          grown.set(out.subarray(0, length));
          out = grown;
        }
        out.set(value, length);
        length += value.length;
      }
    } catch (error) {
      await reader.cancel().catch(() => undefined);
      if (error instanceof FormatError) throw error;
      throw new FormatError(`${what} is not valid ${format} data: ${(error as Error).message}`);
    }
  } else {
    const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
    // 'zlib', not 'node:zlib': the same module, and no node: specifier for bundlers to trip on
    const zlib = getBuiltin?.('zlib') as Zlib | undefined;
    if (!zlib) throw new FormatError(`${what} is deflate-compressed and this runtime has neither DecompressionStream nor node:zlib`);
    let result: Uint8Array;
    try {
      const options = { maxOutputLength: Math.max(1, expected) };
      result = format === 'deflate-raw' ? zlib.inflateRawSync(input, options) : zlib.inflateSync(input, options);
    } catch (error) {
      const e = error as { code?: string; message: string };
      if (e.code === 'ERR_BUFFER_TOO_LARGE') throw new FormatError(`${what} inflates to more than the ${expected} bytes it declares`);
      throw new FormatError(`${what} is not valid ${format} data: ${e.message}`);
    }
    if (result.length === expected) {
      out = new Uint8Array(expected);
      out.set(result);
    }
    length = result.length;
  }
  if (length !== expected) throw new FormatError(`${what} inflates to ${length} bytes but declares ${expected}`);
  return out;
}
