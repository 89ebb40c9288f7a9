// Corrupt copies of an ONNX file (truncated at every length, random bit flips): each must load
// as a network or be refused with a FormatError, never fail with another error.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { FormatError, Network } from 'wasmnet';
import { fromONNX } from 'wasmnet/onnx';

function onlyFormatErrors(bytes: Uint8Array): void {
  try {
    expect(fromONNX(bytes)).toBeInstanceOf(Network); // a flip in a weight or a name can still be a valid model
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
  }
}

/** Registers one test of `base`'s truncations and bit flips (300 runs of 1–6 flips, seed 23). */
export function corruptCopiesTest(name: string, base: Uint8Array): void {
  test(`${name}: truncation at every length and random bit flips: a FormatError or a valid network, never another error`, () => {
    // (a cut after the graph, in the last opset import, can leave a valid model)
    for (let n = 0; n < base.length; n++) onlyFormatErrors(base.subarray(0, n));
    fc.assert(fc.property(fc.array(fc.nat(base.length * 8 - 1), { minLength: 1, maxLength: 6 }), (bits) => {
      const copy = base.slice();
      for (const b of bits) copy[b >> 3]! ^= 1 << (b & 7);
      onlyFormatErrors(copy);
    }), { numRuns: 300, seed: 23 });
  });
}
