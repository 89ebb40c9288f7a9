// wasmnet/onnx: ONNX models in and out. The codec: protobuf.ts (wire format), model.ts (the
// ModelProto subset), import.ts (graph → dense layers), export.ts (dense layers → graph).
import type { Network } from 'wasmnet';
import { buildNetwork, type ImportOptions } from '../interop/build';
import { exportONNX, type ToONNXOptions } from './export';
import { externalFiles, planONNX } from './import';
import { ConfigError, FormatError } from 'wasmnet';

export type { ImportOptions } from '../interop/build';
export type { ToONNXOptions } from './export';

/** Options of {@link fromONNX}: {@link ImportOptions}, and the model's external data files. */
export interface ONNXImportOptions extends ImportOptions {
  /** The files an ONNX model keeps its weights in (`external_data` locations, e.g.
   *  `model.onnx.data`, which PyTorch 2.x's exporter writes even for small models), by the name
   *  the model gives them. */
  externalData?: Record<string, Uint8Array | ArrayBuffer>;
}

/**
 * Loads a dense network from an ONNX model (the bytes of a `.onnx` file): PyTorch's
 * `torch.onnx.export` of `nn.Sequential` MLPs, skl2onnx's MLPClassifier/MLPRegressor, tf2onnx's
 * Keras Dense models, and wasmnet's own `toONNX`, with their input standardization (skl2onnx's
 * `Scaler`, `Sub`/`Div`/`Mul` by constants), `BatchNormalization` and `LayerNormalization` (or
 * LayerNorm written out), onnxruntime's dynamic quantization (`quantize_dynamic`: INT8/UINT8
 * weights dequantized at load) and scikit-learn's `LinearClassifier`/`LinearRegressor`.
 * Opsets 9 to 22, IR 3 to 10, FLOAT or DOUBLE.
 * Weights kept in external files (`external_data`) are read from `options.externalData`.
 * Everything is checked before anything is allocated; anything else (a `Conv`, a branch, a
 * missing external file, an input that is not [batch, features] or flattened to it, malformed
 * bytes) is a `FormatError` naming the operator and node, or the file.
 *
 * The result is an ordinary trainable {@link Network}: without `options.loss` it gets the
 * natural loss for its output (softmax → categoricalCrossentropy, sigmoid → binaryCrossentropy,
 * otherwise mse), so `fit` fine-tunes it at once.
 *
 * @example
 * <!-- fragment -->
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { fromONNX } from 'wasmnet/onnx';
 *
 * const net = fromONNX(await readFile('model.onnx'));
 * net.predict([[0.1, 0.2, 0.3, 0.4]]);
 * ```
 */
export function fromONNX(bytes: Uint8Array | ArrayBuffer | ArrayBufferView, options?: ONNXImportOptions): Network {
  const view = modelBytes(bytes, 'fromONNX');
  const { externalData, ...rest } = (options ?? {}) as ONNXImportOptions;
  let files: Map<string, Uint8Array> | undefined;
  if (externalData !== undefined) {
    if (typeof externalData !== 'object' || externalData === null || Array.isArray(externalData)) {
      throw new ConfigError(`fromONNX options: externalData must be an object of { [file name]: bytes }, got ${String(externalData)}`);
    }
    files = new Map();
    for (const [name, data] of Object.entries(externalData)) {
      if (!(data instanceof Uint8Array) && !(data instanceof ArrayBuffer)) throw new ConfigError(`fromONNX options: externalData[${JSON.stringify(name)}] must be a Uint8Array or an ArrayBuffer`);
      files.set(name, data instanceof Uint8Array ? data : new Uint8Array(data));
    }
  }
  const plan = planONNX(view, files);
  // (options that are not an object go to buildNetwork as they are, which names them)
  const other = options === undefined || typeof options !== 'object' || options === null || Array.isArray(options) ? options : rest;
  return buildNetwork(plan.inputSize, plan.layers, other, 'fromONNX');
}

/**
 * The external data files an ONNX model's weights are in, by the names `fromONNX`'s
 * `externalData` takes (each once; `[]` when every weight is inside the model). PyTorch 2.x's
 * exporter writes `model.onnx.data` beside `model.onnx`; this says what to fetch or read:
 *
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { externalDataFiles, fromONNX } from 'wasmnet/onnx';
 *
 * const bytes = await readFile('mlp-external.onnx'); // a PyTorch 2.x export
 * const externalData: Record<string, Uint8Array> = {};
 * for (const name of externalDataFiles(bytes)) externalData[name] = await readFile(name); // 'mlp-external.onnx.data'
 * const net = fromONNX(bytes, { externalData });
 * ```
 * (`load('model.onnx')` from `wasmnet/storage` does this for files and URLs.)
 * @throws FormatError when the bytes are not an ONNX model.
 */
export function externalDataFiles(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): string[] {
  return externalFiles(modelBytes(bytes, 'externalDataFiles'));
}

function modelBytes(bytes: Uint8Array | ArrayBuffer | ArrayBufferView, fn: string): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new FormatError(`${fn} expects the model's bytes (Uint8Array, ArrayBuffer or another view), got ${bytes === null ? 'null' : typeof bytes}`);
}

/**
 * Writes a network as an ONNX model (opset 17, IR 8) that onnxruntime and other ONNX runtimes
 * run: input "input" [batch, inputSize], output "output" [batch, outputSize] with a dynamic
 * batch dimension, one `Gemm` per dense layer and its activation's operator(s); a normalization
 * layer as `Sub` and `Div`, batchNorm as `BatchNormalization`, layerNorm as
 * `LayerNormalization`; dropout layers are left out. `producer_name` is "wasmnet". With `dtype: 'float64'` the weights are exact, and
 * `fromONNX` of the result predicts bit for bit like `net`.
 */
export function toONNX(net: Network, options?: ToONNXOptions): Uint8Array {
  return exportONNX(net, options);
}
