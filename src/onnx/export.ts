// wasmnet → ONNX: opset 17 (IR 8), which every onnxruntime since 1.12 (2022) runs. One Gemm
// (transB = 0: wasmnet's [inputs×units] weights are Gemm's B as they are) per dense layer,
// then its activation. Opset 17 has no Gelu or Swish operator, so those are decomposed
// (0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))), geluExact as 0.5·z·(1 + erf(z·(1/√2))) with
// Erf, and z·σ(z), or z / (1 + e^−z) in float64). In float64 exports leakyRelu, elu,
// selu and softplus are decomposed too, because onnxruntime's CPU kernels for LeakyRelu, Elu,
// Selu and Softplus are float-only. Dropout layers are left out (an inference graph); a
// normalization layer is Sub(mean) then Div(max(√variance, 1e-7)) (normalization.ts).
import { ConfigError, Network, type ActivationName } from 'wasmnet';
import { version } from '../../package.json';
import { DOUBLE, encodeModel, FLOAT, type NodeSpec, type TensorSpec } from './model';
import { exportNorm, exportNormalization } from './normalization';

/** The opset and IR version toONNX writes. */
export const EXPORT_OPSET = 17;
export const EXPORT_IR = 8;

const SELU_LAMBDA = 1.0507009873554804934193349852946;
const SELU_ALPHA = 1.6732632423543772848170429916717;
const GELU_C = 0.7978845608028654;
const GELU_K = 0.044715;

/** Options for `toONNX`. */
export interface ToONNXOptions {
  /** Element type of the weights, input and output: 'float32' (default; what most runtimes
   *  and accelerators expect) or 'float64' (exact: re-imported, it predicts bit for bit the same). */
  dtype?: 'float32' | 'float64';
}

export function exportONNX(net: Network, options: ToONNXOptions = {}): Uint8Array {
  if (!(net instanceof Network)) throw new ConfigError(`toONNX expects a Network, got ${net === null ? 'null' : typeof net}`);
  if (typeof options !== 'object' || options === null) throw new ConfigError('toONNX options must be an object');
  for (const key of Object.keys(options)) if (key !== 'dtype') throw new ConfigError(`toONNX options: unknown option "${key}" (expected dtype)`);
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new ConfigError(`toONNX dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
  const f64 = dtype === 'float64';
  const type = f64 ? DOUBLE : FLOAT;
  const encode = (values: ArrayLike<number>): Uint8Array => {
    const bytes = new Uint8Array(values.length * (f64 ? 8 : 4));
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) {
      if (f64) view.setFloat64(i * 8, values[i]!, true);
      else view.setFloat32(i * 4, values[i]!, true);
    }
    return bytes;
  };

  const nodes: NodeSpec[] = [];
  const initializers: TensorSpec[] = [];
  const weights = net.getWeights();
  let cur = 'input';
  let width = net.inputSize;
  let d = 0;
  let n = 0;
  for (const layer of net.layers) {
    if (layer.type === 'normalization') {
      const p = `normalization_${n++}`;
      cur = exportNormalization(layer.mean, layer.variance, cur, p, nodes, (name, values) => {
        initializers.push({ name: `${p}.${name}`, dims: [values.length], dataType: type, raw: encode(values) });
        return `${p}.${name}`;
      });
      continue;
    }
    if (layer.type === 'batchNorm' || layer.type === 'layerNorm') {
      // BatchNormalization (inference form) or LayerNormalization, then the activation
      const p = `${layer.type === 'batchNorm' ? 'batch_norm' : 'layer_norm'}_${n++}`;
      const e = weights[d++]!;
      const z = exportNorm(layer, e.weights, e.bias, e.movingMean ? { mean: e.movingMean, variance: e.movingVariance! } : undefined, cur, p, nodes, (name, values) => {
        initializers.push({ name: `${p}.${name}`, dims: [values.length], dataType: type, raw: encode(values) });
        return `${p}.${name}`;
      });
      const scalars = new Set<string>();
      cur = activation(layer.activation, layer.alpha, z, p, f64, nodes, (name, value) => {
        if (!scalars.has(name)) initializers.push({ name: `${p}.${name}`, dims: [], dataType: type, raw: encode([value]) });
        scalars.add(name);
        return `${p}.${name}`;
      });
      continue;
    }
    if (layer.type !== 'dense') continue;
    const p = `dense_${d}`;
    const { weights: w, bias: b } = weights[d]!;
    initializers.push({ name: `${p}.weight`, dims: [width, layer.units], dataType: type, raw: encode(w) });
    initializers.push({ name: `${p}.bias`, dims: [layer.units], dataType: type, raw: encode(b) });
    const z = `${p}/z`;
    nodes.push({ op: 'Gemm', name: `/${p}/Gemm`, input: [cur, `${p}.weight`, `${p}.bias`], output: [z] });
    const scalars = new Set<string>();
    cur = activation(layer.activation, layer.alpha, z, p, f64, nodes, (name, value) => {
      if (!scalars.has(name)) initializers.push({ name: `${p}.${name}`, dims: [], dataType: type, raw: encode([value]) });
      scalars.add(name);
      return `${p}.${name}`;
    });
    width = layer.units;
    d++;
  }
  // The graph output is named "output": rename the last tensor through an Identity.
  nodes.push({ op: 'Identity', name: '/output/Identity', input: [cur], output: ['output'] });
  return encodeModel({
    irVersion: EXPORT_IR,
    opset: EXPORT_OPSET,
    producerName: 'wasmnet',
    producerVersion: version,
    graphName: 'wasmnet',
    nodes,
    initializers,
    inputs: [{ name: 'input', elemType: type, dims: ['batch', net.inputSize] }],
    outputs: [{ name: 'output', elemType: type, dims: ['batch', net.outputSize] }],
  });
}

/** Appends the activation's nodes after tensor z; returns the activation's output tensor. */
function activation(
  act: ActivationName,
  alpha: number | undefined,
  z: string,
  p: string,
  f64: boolean,
  nodes: NodeSpec[],
  scalar: (name: string, value: number) => string,
): string {
  let n = 0;
  const op = (type: string, input: string[], attributes?: NodeSpec['attributes']): string => {
    const out = `${p}/${type.toLowerCase()}${n++}`;
    nodes.push({ op: type, name: `/${p}/${type}_${n}`, input, output: [out], ...(attributes ? { attributes } : {}) });
    return out;
  };
  // relu(z) + α·(e^min(z, 0) − 1): elu without Elu (and selu with λ around it)
  const eluOf = (a: number) => op('Add', [op('Relu', [z]), op('Mul', [scalar('alpha', a), op('Sub', [op('Exp', [op('Min', [z, scalar('zero', 0)])]), scalar('one', 1)])])]);
  switch (act) {
    case 'linear': return z;
    case 'relu': return op('Relu', [z]);
    case 'relu6': return op('Clip', [z, scalar('zero', 0), scalar('six', 6)]); // as PyTorch writes ReLU6
    case 'sigmoid': return op('Sigmoid', [z]);
    case 'tanh': return op('Tanh', [z]);
    case 'softmax': return op('Softmax', [z], { axis: { i: 1 } });
    case 'swish':
      // onnxruntime fuses z·Sigmoid(z) into its float-only QuickGelu: f64 writes z / (1 + e^−z)
      return f64 ? op('Div', [z, op('Add', [scalar('one', 1), op('Exp', [op('Neg', [z])])])]) : op('Mul', [z, op('Sigmoid', [z])]);
    case 'gelu': {
      // 0.5·z·(1 + tanh(c·(z + k·z³)))
      const cube = op('Mul', [z, op('Mul', [z, z])]);
      const inner = op('Mul', [scalar('gelu_c', GELU_C), op('Add', [z, op('Mul', [scalar('gelu_k', GELU_K), cube])])]);
      return op('Mul', [scalar('half', 0.5), op('Mul', [z, op('Add', [scalar('one', 1), op('Tanh', [inner])])])]);
    }
    case 'geluExact':
      // 0.5·z·(1 + erf(z/√2)), PyTorch's own decomposition of nn.GELU() but for the Mul by 1/√2
      return op('Mul', [scalar('half', 0.5), op('Mul', [z, op('Add', [scalar('one', 1), op('Erf', [op('Mul', [z, scalar('sqrt1_2', Math.SQRT1_2)])])])])]);
    case 'leakyRelu':
      if (!f64) return op('LeakyRelu', [z], { alpha: { f: alpha! } });
      // relu(z) − α·relu(−z)
      return op('Sub', [op('Relu', [z]), op('Mul', [scalar('alpha', alpha!), op('Relu', [op('Neg', [z])])])]);
    case 'elu':
      return f64 ? eluOf(alpha!) : op('Elu', [z], { alpha: { f: alpha! } });
    case 'selu':
      return f64 ? op('Mul', [scalar('lambda', SELU_LAMBDA), eluOf(SELU_ALPHA)]) : op('Selu', [z]);
    case 'softplus':
      // relu(z) + log(1 + e^−|z|)
      return f64 ? op('Add', [op('Relu', [z]), op('Log', [op('Add', [scalar('one', 1), op('Exp', [op('Neg', [op('Abs', [z])])])])])]) : op('Softplus', [z]);
  }
}
