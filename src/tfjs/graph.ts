// TensorFlow.js graph models (`"format": "graph-model"`): what `tensorflowjs_converter` writes
// from a SavedModel or a Keras model with `--output_format tfjs_graph_model`. modelTopology is a
// GraphDef as JSON: `node` is a list of { name, op, input, attr }, the weights are Const nodes
// whose values the weights manifest holds under the node's name. An MLP is a chain from one
// Placeholder: MatMul (transpose_b allowed) + BiasAdd/Add/AddV2 of a constant + an activation,
// or the converter's fused form, `_FusedMatMul` with fused_ops ["BiasAdd"] or ["BiasAdd", act];
// Identity nodes pass through. Anything else is refused with the op's and the node's name: this
// reads these chains, it is not a graph engine.
import { FormatError, type ActivationName } from 'wasmnet';
import type { ImportedLayer } from '../interop/build';

interface Weight {
  shape: number[];
  values: Float64Array;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Graph activation ops → wasmnet's. */
const GRAPH_ACTIVATIONS: Record<string, ActivationName> = {
  Relu: 'relu', Relu6: 'relu6', Sigmoid: 'sigmoid', Tanh: 'tanh', Softmax: 'softmax', Elu: 'elu', Selu: 'selu', Softplus: 'softplus', LeakyRelu: 'leakyRelu',
};
/** The wasmnet activation of a graph op, or undefined: own properties only (an op named
 *  "constructor", "__proto__" or "toString" is not an activation). */
const graphActivation = (op: string): ActivationName | undefined => (Object.prototype.hasOwnProperty.call(GRAPH_ACTIVATIONS, op) ? GRAPH_ACTIVATIONS[op] : undefined);
/** Most nodes a graph may have (the chain an MLP needs is a few per layer). */
const MAX_NODES = 100_000;

interface GraphNode {
  name: string;
  op: string;
  inputs: string[];
  attr: Obj;
}

/** A tensor name as an input refers to it: "node", "node:0" → "node"; "^node" (a control
 *  dependency) → null. */
function source(input: string): string | null {
  if (input.startsWith('^')) return null;
  const colon = input.lastIndexOf(':');
  if (colon > 0 && input.slice(colon + 1) === '0') return input.slice(0, colon);
  return input; // "node:1", a second output, stays its own name: never an MLP's
}

const shown = (name: string): string => JSON.stringify(name.length > 120 ? `${name.slice(0, 120)}…` : name);

/** The converter writes attr strings as base64 of their bytes. */
function decodeString(value: unknown): string {
  if (typeof value !== 'string') return '';
  try {
    return atob(value);
  } catch {
    return value;
  }
}

const flag = (node: GraphNode, key: string): boolean => isObj(node.attr[key]) && (node.attr[key] as Obj).b === true;

/** The Placeholder's width: from its shape attr ([-1, n]), or null when it does not say ([-1, -1],
 *  or no shape). Any other shape is refused (MatMul is 2-D: an [n] input cannot feed it). */
function placeholderWidth(node: GraphNode): number | null {
  const shape = isObj(node.attr.shape) && isObj((node.attr.shape as Obj).shape) ? ((node.attr.shape as Obj).shape as Obj) : undefined;
  const dims = Array.isArray(shape?.dim) ? (shape!.dim as unknown[]) : undefined;
  if (!dims) return null;
  const sizes = dims.map((d) => (isObj(d) ? Number(d.size ?? -1) : Number.NaN));
  if (sizes.length === 2 && sizes[1] === -1) return null; // [batch, ?]: the first weight says
  if (sizes.length !== 2 || !(sizes[1]! > 0) || !Number.isInteger(sizes[1]!)) {
    const listed = sizes.length > 8 ? `${sizes.slice(0, 8).join(', ')}, … (${sizes.length} dimensions)` : sizes.join(', ');
    throw new FormatError(`graph model: input ${shown(node.name)} has shape [${listed}]; wasmnet reads [batch, features] inputs`);
  }
  return sizes[1]!;
}

/** A graph-model MLP → its input width and dense layers. */
export function planGraph(topology: unknown, weights: Map<string, Weight>): { inputSize: number; layers: ImportedLayer[] } {
  if (!isObj(topology) || !Array.isArray(topology.node)) throw new FormatError('graph model: modelTopology.node must be an array of nodes');
  const list = topology.node as unknown[];
  if (list.length > MAX_NODES) throw new FormatError(`graph model: ${list.length} nodes, over the limit of ${MAX_NODES}`);
  const nodes = new Map<string, GraphNode>();
  const consumers = new Map<string, GraphNode[]>();
  for (const [i, raw] of list.entries()) {
    if (!isObj(raw) || typeof raw.name !== 'string' || typeof raw.op !== 'string') throw new FormatError(`graph model: node ${i} must have a name and an op`);
    const inputs = Array.isArray(raw.input) ? raw.input : [];
    if (!inputs.every((s) => typeof s === 'string')) throw new FormatError(`graph model: node ${shown(raw.name)}'s inputs must be names`);
    const node: GraphNode = { name: raw.name, op: raw.op, inputs: (inputs as string[]).map(source).filter((s): s is string => s !== null), attr: isObj(raw.attr) ? raw.attr : {} };
    if (nodes.has(node.name)) throw new FormatError(`graph model: two nodes are named ${shown(node.name)}`);
    nodes.set(node.name, node);
  }
  for (const node of nodes.values()) {
    for (const input of node.inputs) {
      const list = consumers.get(input);
      if (!list) consumers.set(input, [node]);
      else if (list[list.length - 1] !== node) list.push(node); // (a node naming a tensor twice reads it once)
    }
  }
  const placeholders = [...nodes.values()].filter((n) => n.op === 'Placeholder');
  if (placeholders.length !== 1) throw new FormatError(`graph model: ${placeholders.length} Placeholder nodes; wasmnet reads networks with one input`);

  const constant = (name: string, where: GraphNode): Weight => {
    if (name === '') throw new FormatError(`graph model: ${where.op} node ${shown(where.name)} has no constant input (its weight or bias); wasmnet reads x·W + b with W and b Const nodes`);
    const node = nodes.get(name);
    if (!node || node.op !== 'Const') {
      throw new FormatError(`graph model: ${where.op} node ${shown(where.name)} takes ${shown(name)}${node ? ` (a ${node.op} node)` : ''} where wasmnet reads a constant`);
    }
    const w = weights.get(name);
    if (!w) throw new FormatError(`graph model: constant ${shown(name)} has no entry in the weights manifest`);
    return w;
  };

  let current = placeholders[0]!;
  let width = placeholderWidth(current);
  const inputName = current.name;
  let inputSize = width;
  const layers: ImportedLayer[] = [];
  /** the dense layer being assembled: its product is done, bias and activation may follow */
  let open: { units: number; weights: Float64Array; bias: Float64Array; biased: boolean; activation: ActivationName | null; alpha?: number } | null = null;
  const close = () => {
    if (open) layers.push({ type: 'dense', units: open.units, activation: open.activation ?? 'linear', weights: open.weights, bias: open.bias, ...(open.alpha === undefined ? {} : { alpha: open.alpha }) });
    open = null;
  };
  const product = (node: GraphNode) => {
    if (flag(node, 'transpose_a')) throw new FormatError(`graph model: ${node.op} node ${shown(node.name)} transposes its input (transpose_a); wasmnet reads x·W`);
    const w = constant(node.inputs[1] ?? '', node);
    if (w.shape.length !== 2) throw new FormatError(`graph model: ${node.op} node ${shown(node.name)}: its weight has shape [${w.shape.join(', ')}], expected a matrix`);
    const transposed = flag(node, 'transpose_b');
    const [rows, cols] = transposed ? [w.shape[1]!, w.shape[0]!] : [w.shape[0]!, w.shape[1]!];
    if (rows < 1 || cols < 1) throw new FormatError(`graph model: ${node.op} node ${shown(node.name)}: its weight has an empty shape [${w.shape.join(', ')}]`);
    if (width === null) width = inputSize = rows; // the input did not say: the first weight does
    if (rows !== width) throw new FormatError(`graph model: ${node.op} node ${shown(node.name)}: its weight takes ${rows} inputs, but ${width} arrive`);
    let values = w.values;
    if (transposed) {
      values = new Float64Array(rows * cols);
      for (let i = 0; i < cols; i++) for (let j = 0; j < rows; j++) values[j * cols + i] = w.values[i * rows + j]!;
    }
    close();
    open = { units: cols, weights: values, bias: new Float64Array(cols), biased: false, activation: null };
    width = cols;
  };
  const addBias = (node: GraphNode, name: string) => {
    const b = constant(name, node);
    if (!open || open.biased || open.activation !== null) throw new FormatError(`graph model: ${node.op} node ${shown(node.name)} adds a bias that does not follow a matrix product`);
    if (b.values.length !== open.units || b.shape.length > 1) throw new FormatError(`graph model: ${node.op} node ${shown(node.name)}: bias of shape [${b.shape.join(', ')}], expected [${open.units}]`);
    open.bias = Float64Array.from(b.values);
    open.biased = true;
  };
  const activate = (node: GraphNode, op: string) => {
    const activation = graphActivation(op);
    if (activation === undefined) {
      throw new FormatError(`graph model: ${op} (node ${shown(node.name)}) is not supported; wasmnet reads MatMul, BiasAdd/Add/AddV2, _FusedMatMul, Identity and ${Object.keys(GRAPH_ACTIVATIONS).join(', ')}`);
    }
    if (!open || open.activation !== null) throw new FormatError(`graph model: ${op} node ${shown(node.name)} does not follow a dense layer's product`);
    open.activation = activation;
    if (activation === 'leakyRelu') {
      const alpha = isObj(node.attr.alpha) ? Number((node.attr.alpha as Obj).f) : isObj(node.attr.leakyrelu_alpha) ? Number((node.attr.leakyrelu_alpha as Obj).f) : 0.2;
      if (!Number.isFinite(alpha)) throw new FormatError(`graph model: ${op} node ${shown(node.name)} has a non-finite alpha`);
      open.alpha = alpha;
    }
  };

  for (let steps = 0; ; steps++) {
    if (steps > nodes.size) throw new FormatError('graph model: the chain from the input does not end (a cycle)');
    const next = (consumers.get(current.name) ?? []).filter((n) => n.op !== 'NoOp');
    if (next.length === 0) break;
    if (next.length > 1) {
      throw new FormatError(`graph model: ${shown(current.name)} feeds ${next.length} nodes (${next.slice(0, 3).map((n) => `${n.op} ${shown(n.name)}`).join(', ')}); wasmnet reads a single chain`);
    }
    const node = next[0]!;
    const flowsFirst = node.inputs[0] === current.name;
    switch (node.op) {
      case 'Identity':
        break;
      case 'MatMul':
        if (!flowsFirst) throw new FormatError(`graph model: MatMul node ${shown(node.name)} multiplies a constant by the data; wasmnet reads x·W`);
        product(node);
        break;
      case 'BiasAdd':
      case 'Add':
      case 'AddV2': {
        const other = node.inputs.find((i) => i !== current.name);
        if (node.inputs.length !== 2 || other === undefined) throw new FormatError(`graph model: ${node.op} node ${shown(node.name)} must add a constant to the data`);
        addBias(node, other);
        break;
      }
      case '_FusedMatMul': {
        if (!flowsFirst) throw new FormatError(`graph model: _FusedMatMul node ${shown(node.name)} multiplies a constant by the data; wasmnet reads x·W`);
        const list = isObj(node.attr.fused_ops) && isObj((node.attr.fused_ops as Obj).list) ? ((node.attr.fused_ops as Obj).list as Obj).s : [];
        const ops = (Array.isArray(list) ? list : []).map(decodeString);
        if (ops[0] !== 'BiasAdd' || ops.length > 2 || node.inputs.length !== 3) {
          throw new FormatError(`graph model: _FusedMatMul node ${shown(node.name)} fuses [${ops.join(', ')}]; wasmnet reads [BiasAdd] or [BiasAdd, an activation]`);
        }
        product(node);
        addBias(node, node.inputs[2]!);
        if (ops[1] !== undefined) {
          if (ops[1] === 'LeakyRelu' && isObj(node.attr.leakyrelu_alpha)) node.attr.alpha = node.attr.leakyrelu_alpha;
          activate(node, ops[1]);
        }
        break;
      }
      default:
        if (graphActivation(node.op) !== undefined) activate(node, node.op);
        else {
          throw new FormatError(
            `graph model: ${node.op} (node ${shown(node.name)}) is not supported; wasmnet reads chains of MatMul, BiasAdd/Add/AddV2, _FusedMatMul, Identity and ${Object.keys(GRAPH_ACTIVATIONS).join(', ')}`,
          );
        }
    }
    current = node;
  }
  close();
  if (layers.length === 0) throw new FormatError(`graph model: no matrix product follows the input ${shown(inputName)}`);
  return { inputSize: inputSize!, layers };
}
