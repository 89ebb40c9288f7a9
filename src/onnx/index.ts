// wasmnet/onnx: ONNX models in and out. The codec: protobuf.ts (wire format), model.ts (the
// ModelProto subset), import.ts (graph → dense layers), export.ts (dense layers → graph).
import type { Network } from 'wasmnet';
import { buildNetwork, type ImportOptions } from '../interop/build';
import { exportONNX, type ToONNXOptions } from './export';
import { planONNX } from './import';
import { FormatError } from 'wasmnet';

export type { ImportOptions } from '../interop/build';
export type { ToONNXOptions } from './export';

/**
 * Loads a dense network from an ONNX model (the bytes of a `.onnx` file): PyTorch's
 * `torch.onnx.export` of `nn.Sequential` MLPs, skl2onnx's MLPClassifier/MLPRegressor, tf2onnx's
 * Keras Dense models, and wasmnet's own `toONNX`, with their input standardization (skl2onnx's
 * `Scaler`, `Sub`/`Div`/`Mul` by constants), `BatchNormalization` and `LayerNormalization` (or
 * LayerNorm written out). Opsets 9 to 22, IR 3 to 10, FLOAT or DOUBLE.
 * Everything is checked before anything is allocated; anything else (a `Conv`, a branch,
 * external data, a non-2-D input, malformed bytes) is a `FormatError` naming the operator and node.
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
export function fromONNX(bytes: Uint8Array | ArrayBuffer | ArrayBufferView, options?: ImportOptions): Network {
  let view: Uint8Array;
  if (bytes instanceof Uint8Array) view = bytes;
  else if (bytes instanceof ArrayBuffer) view = new Uint8Array(bytes);
  else if (ArrayBuffer.isView(bytes)) view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  else throw new FormatError(`fromONNX expects the model's bytes (Uint8Array, ArrayBuffer or another view), got ${bytes === null ? 'null' : typeof bytes}`);
  const plan = planONNX(view);
  return buildNetwork(plan.inputSize, plan.layers, options, 'fromONNX');
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
