// ONNX weights in an external file (external_data), as PyTorch 2.x's exporter writes them even
// for small models: the fixture is a PyTorch export saved with onnx's external-data helper
// (scripts/fixtures/torch-onnx.py), its weights in mlp-external.onnx.data beside it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, FormatError } from 'wasmnet';
import { externalDataFiles, fromONNX } from 'wasmnet/onnx';

const DIR = new URL('./fixtures/onnx/external/', import.meta.url);
const model = readFileSync(new URL('mlp-external.onnx', DIR));
const data = readFileSync(new URL('mlp-external.onnx.data', DIR));
const ref = JSON.parse(readFileSync(new URL('mlp-external.json', DIR), 'utf8')) as { input: number[][]; output: number[][] };

describe('fromONNX with external data', () => {
  it('reads the weights from the file the caller passes, and predicts what PyTorch did (f64, 1e-12)', () => {
    const net = fromONNX(model, { externalData: { 'mlp-external.onnx.data': data }, seed: 4 });
    expect(net.seed).toBe(4);
    const y = net.predict(ref.input);
    ref.output.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(y[i]![j]! - v)).toBeLessThanOrEqual(1e-12)));
    const viaBuffer = fromONNX(model, { externalData: { 'mlp-external.onnx.data': data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) } });
    expect(viaBuffer.getWeights()).toEqual(net.getWeights());
  });

  it('without the file, the message names it and says how to pass it', () => {
    expect(() => fromONNX(model)).toThrow(
      new FormatError('tensor "0.weight" keeps its data in the external file "mlp-external.onnx.data"; pass that file\'s bytes: fromONNX(bytes, { externalData: { "mlp-external.onnx.data": bytes } })'),
    );
    expect(() => fromONNX(model, { externalData: { 'other.data': data } })).toThrow(/keeps its data in the external file "mlp-external\.onnx\.data"/);
  });

  it('a file too short for the offsets is a FormatError; a bad externalData option a ConfigError', () => {
    expect(() => fromONNX(model, { externalData: { 'mlp-external.onnx.data': data.subarray(0, 100) } })).toThrow(
      new FormatError('tensor "0.weight": bytes 0 to 192 of "mlp-external.onnx.data", which has 100'),
    );
    expect(() => fromONNX(model, { externalData: 'x' as never })).toThrow(ConfigError);
    expect(() => fromONNX(model, { externalData: { 'mlp-external.onnx.data': [1, 2] as never } })).toThrow(
      new ConfigError('fromONNX options: externalData["mlp-external.onnx.data"] must be a Uint8Array or an ArrayBuffer'),
    );
  });

  it('externalDataFiles names the files to pass, each once; [] for a model with its weights inside', () => {
    expect(externalDataFiles(model)).toEqual(['mlp-external.onnx.data']);
    expect(externalDataFiles(new Uint8Array(model).buffer)).toEqual(['mlp-external.onnx.data']);
    expect(externalDataFiles(readFileSync(new URL('../../../../docs/data/mlp.onnx', DIR)))).toEqual([]);
    expect(() => externalDataFiles(new Uint8Array([0xff, 0xff, 0xff]))).toThrow(FormatError);
    expect(() => externalDataFiles('model.onnx' as never)).toThrow(new FormatError("externalDataFiles expects the model's bytes (Uint8Array, ArrayBuffer or another view), got string"));
  });
});
