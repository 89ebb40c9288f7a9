// A tiny ONNX writer for the inference bench, and nothing more: it encodes a dense network
// (Gemm + activation per layer) as an ONNX ModelProto with f32 or f64 weights, so that
// onnxruntime-web runs exactly the weights wasmnet runs. Hand-rolled protobuf (varints,
// length-delimited fields), following onnx/onnx.proto's field numbers.

export type OnnxActivation = 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'linear';

export interface OnnxDense {
  /** inputs×units, row-major */
  weights: Float64Array;
  bias: Float64Array;
  inputs: number;
  units: number;
  activation: OnnxActivation;
}

const FLOAT = 1;
const DOUBLE = 11;
const OPS: Record<Exclude<OnnxActivation, 'linear'>, string> = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', softmax: 'Softmax' };

class Writer {
  private bytes: number[] = [];
  varint(value: number): this {
    let v = BigInt(value);
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      this.bytes.push(byte);
    } while (v > 0n);
    return this;
  }
  /** A varint field. */
  int(field: number, value: number): this {
    return this.varint(field * 8).varint(value);
  }
  /** A length-delimited field (bytes, a string or a nested message). */
  bytesField(field: number, data: Uint8Array | string | Writer): this {
    const raw = typeof data === 'string' ? new TextEncoder().encode(data) : data instanceof Writer ? data.finish() : data;
    this.varint(field * 8 + 2).varint(raw.length);
    for (const b of raw) this.bytes.push(b);
    return this;
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

function tensor(name: string, dims: number[], values: Float64Array, f64: boolean): Writer {
  const t = new Writer();
  for (const d of dims) t.int(1, d);
  t.int(2, f64 ? DOUBLE : FLOAT);
  t.bytesField(8, name);
  const raw = f64 ? new Float64Array(values) : Float32Array.from(values); // little-endian on every machine this runs on
  t.bytesField(9, new Uint8Array(raw.buffer));
  return t;
}

function valueInfo(name: string, width: number, f64: boolean): Writer {
  const shape = new Writer().bytesField(1, new Writer().bytesField(2, 'rows')).bytesField(1, new Writer().int(1, width));
  const tensorType = new Writer().int(1, f64 ? DOUBLE : FLOAT).bytesField(2, shape);
  return new Writer().bytesField(1, name).bytesField(2, new Writer().bytesField(1, tensorType));
}

function node(op: string, inputs: string[], output: string): Writer {
  const n = new Writer();
  for (const i of inputs) n.bytesField(1, i);
  n.bytesField(2, output).bytesField(3, output).bytesField(4, op);
  return n;
}

/** ONNX bytes (opset 13) computing the network's outputs from input "x" [rows × inputs] into
 *  "y", in f64 (`f64`) or f32. */
export function denseOnnx(layers: readonly OnnxDense[], f64: boolean): Uint8Array {
  const graph = new Writer();
  let input = 'x';
  layers.forEach((l, i) => {
    const z = `z${i}`;
    graph.bytesField(1, node('Gemm', [input, `w${i}`, `b${i}`], z));
    input = z;
    if (l.activation !== 'linear') {
      const a = `a${i}`;
      graph.bytesField(1, node(OPS[l.activation], [z], a));
      input = a;
    }
  });
  graph.bytesField(1, node('Identity', [input], 'y'));
  graph.bytesField(2, 'dense');
  layers.forEach((l, i) => {
    graph.bytesField(5, tensor(`w${i}`, [l.inputs, l.units], l.weights, f64));
    graph.bytesField(5, tensor(`b${i}`, [l.units], l.bias, f64));
  });
  graph.bytesField(11, valueInfo('x', layers[0]!.inputs, f64));
  graph.bytesField(12, valueInfo('y', layers[layers.length - 1]!.units, f64));
  const model = new Writer().int(1, 8).bytesField(2, 'wasmnet-bench').bytesField(7, graph).bytesField(8, new Writer().bytesField(1, '').int(2, 13));
  return model.finish();
}
