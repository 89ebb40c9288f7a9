// The subset of ONNX's ModelProto that dense networks use, decoded from and encoded to the
// protobuf wire format. Field numbers are onnx/onnx.proto's. Fields wasmnet does not need are
// skipped on reading (doc strings, metadata, value_info, ...) and never written.
import { FormatError } from 'wasmnet';
import { BYTES, FIXED32, FIXED64, Reader, VARINT, Writer } from './protobuf';

/** TensorProto.DataType values wasmnet meets. */
export const FLOAT = 1;
export const UINT8 = 2;
export const INT8 = 3;
export const INT32 = 6;
export const INT64 = 7;
export const STRING = 8;
export const DOUBLE = 11;

/** What wasmnet reads at most from one ONNX file; more is a FormatError naming the limit, found
 *  while decoding, before the graph is walked (docs/interop.md, "Limits"). */
export const LIMITS = {
  /** nodes in the graph */
  nodes: 50_000,
  /** initializers in the graph */
  initializers: 100_000,
  /** graph inputs, and graph outputs (an IR 3 model lists its initializers as inputs too) */
  graphValues: 10_000,
  /** inputs of one node */
  nodeInputs: 1_024,
  /** outputs of one node */
  nodeOutputs: 1_024,
  /** attributes of one node */
  attributes: 1_024,
  /** attributes, all nodes together */
  allAttributes: 200_000,
  /** node inputs and outputs, all nodes together */
  edges: 250_000,
  /** dimensions of one tensor or value shape */
  dims: 64,
  /** opset imports */
  opsets: 1_024,
} as const;

/** The values of a repeated scalar field (float_data, int64_data, an attribute's floats…),
 *  counted while decoding but decoded only on request, once their tensor's size is checked:
 *  a packed run is never turned into one JS number per byte before anything is known. */
export class Repeated {
  /** how many values the field holds */
  count = 0;
  private constructor(
    private readonly source: { buf: Uint8Array; start: number; end: number; field: number; wire: number } | undefined,
    private readonly list: readonly number[],
  ) {}

  /** Values given directly (a Constant's value_float). */
  static of(list: readonly number[]): Repeated {
    const r = new Repeated(undefined, list);
    r.count = list.length;
    return r;
  }

  /** Field `field` (scalars of wire type `wire`) of the message in [start, end) of `buf`. */
  static field(buf: Uint8Array, start: number, end: number, field: number, wire: number): Repeated {
    return new Repeated({ buf, start, end, field, wire }, []);
  }

  /** Counts one occurrence of the field (the reader is just past its key). */
  add(r: Reader, wire: number): void {
    this.count += r.count(wire, this.source!.wire);
  }

  /** All values as f64 (f32 values widen exactly; int64 values are read as numbers). */
  read(): Float64Array {
    const out = new Float64Array(this.count);
    if (!this.source) {
      out.set(this.list);
      return out;
    }
    const { buf, start, end, field, wire } = this.source;
    const value = (r: Reader) => (wire === VARINT ? r.varint() : r.fixed(wire === FIXED32 ? 4 : 8));
    let at = 0;
    message(new Reader(buf, start, end), (r, f, w) => {
      if (f !== field) return false;
      if (w === BYTES) {
        const [s, e] = r.span();
        const run = new Reader(buf, s, e);
        while (!run.done()) out[at++] = value(run);
      } else out[at++] = value(r);
      return true;
    });
    return out;
  }
}

function limit(r: Reader, count: number, max: number, what: string): void {
  if (count > max) r.over(`more than ${max} ${what}`);
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  raw: Uint8Array | undefined;
  floatData: Repeated;
  doubleData: Repeated;
  int32Data: Repeated;
  int64Data: Repeated;
  /** data_location EXTERNAL, or external_data entries present */
  external: boolean;
  /** external_data's entries (`location`, `offset`, `length`, …), when present */
  externalData?: Map<string, string>;
}

export interface OnnxAttribute {
  name: string;
  f?: number;
  i?: number;
  s?: string;
  t?: OnnxTensor;
  ints: Repeated;
  floats: Repeated;
  /** how many strings the attribute lists (`strings`, e.g. classlabels_strings), not their text */
  strings: number;
  /** a subgraph (If/Loop bodies): never supported */
  graph: boolean;
}

export interface OnnxNode {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  attributes: Map<string, OnnxAttribute>;
}

/** A graph input or output: its element type and shape (null dims are symbolic or unknown). */
export interface OnnxValueInfo {
  name: string;
  /** the tensor's element type; 0 for sequences and maps (skl2onnx's ZipMap output) */
  elemType: number;
  /** undefined when the shape is not given */
  dims: (number | null)[] | undefined;
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  sparseInitializers: number;
}

export interface OnnxModel {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  graph: OnnxGraph | undefined;
}

type FieldReader = (r: Reader, field: number, wire: number) => boolean;

/** Reads the message in [start, end), calling `on` per field; unknown fields are skipped. */
function message(r: Reader, on: FieldReader): void {
  while (!r.done()) {
    const [field, wire] = r.key();
    if (!on(r, field, wire)) r.skip(wire);
  }
}

function sub(r: Reader, wire: number): Reader {
  want(r, wire, BYTES);
  const [s, e] = r.span();
  return new Reader(r.buf, s, e);
}

function want(r: Reader, wire: number, expected: number): void {
  if (wire !== expected) r.fail(`wire type ${wire} where ${expected} was expected`);
}

function str(r: Reader, wire: number): string {
  want(r, wire, BYTES);
  return r.string();
}

function int(r: Reader, wire: number): number {
  want(r, wire, VARINT);
  return r.varint();
}

function tensor(r: Reader): OnnxTensor {
  const field = (f: number, wire: number) => Repeated.field(r.buf, r.pos, r.end, f, wire);
  const t: OnnxTensor = { name: '', dims: [], dataType: 0, raw: undefined, floatData: field(4, FIXED32), doubleData: field(10, FIXED64), int32Data: field(5, VARINT), int64Data: field(7, VARINT), external: false };
  message(r, (r, f, w) => {
    if (f === 1) r.repeated(w, VARINT, t.dims, LIMITS.dims, 'dimensions in a tensor');
    else if (f === 2) t.dataType = int(r, w);
    else if (f === 4) t.floatData.add(r, w);
    else if (f === 5) t.int32Data.add(r, w);
    else if (f === 7) t.int64Data.add(r, w);
    else if (f === 8) t.name = str(r, w);
    else if (f === 9) {
      want(r, w, BYTES);
      const [s, e] = r.span();
      t.raw = r.buf.subarray(s, e);
    } else if (f === 10) t.doubleData.add(r, w);
    else if (f === 13) {
      // StringStringEntryProto { key = 1, value = 2 }: the file, and where the bytes are in it
      const entry = sub(r, w);
      let key = '';
      let value = '';
      message(entry, (r, f, w) => {
        if (f === 1) key = str(r, w);
        else if (f === 2) value = str(r, w);
        else return false;
        return true;
      });
      t.externalData ??= new Map();
      if (t.externalData.size >= 16) throw new FormatError('a tensor has more than 16 external_data entries (the limit)');
      t.externalData.set(key, value);
      t.external = true;
    } else if (f === 14) {
      if (int(r, w) === 1) t.external = true; // always read the varint (no short-circuit)
    }    else return false;
    return true;
  });
  return t;
}

/** The ints or floats of an attribute that has none (shared; never added to). */
const NO_VALUES = Repeated.of([]);

function attribute(r: Reader, names: Names): OnnxAttribute {
  const start = r.pos;
  const a: OnnxAttribute = { name: '', ints: NO_VALUES, floats: NO_VALUES, strings: 0, graph: false };
  message(r, (r, f, w) => {
    if (f === 1) a.name = name(names, str(r, w));
    else if (f === 2) {
      want(r, w, FIXED32);
      a.f = r.fixed(4);
    } else if (f === 3) a.i = int(r, w);
    else if (f === 4) a.s = str(r, w);
    else if (f === 5) a.t = tensor(sub(r, w));
    else if (f === 6 || f === 11) {
      sub(r, w);
      a.graph = true;
    } else if (f === 7) {
      if (a.floats === NO_VALUES) a.floats = Repeated.field(r.buf, start, r.end, 7, FIXED32);
      a.floats.add(r, w);
    } else if (f === 8) {
      if (a.ints === NO_VALUES) a.ints = Repeated.field(r.buf, start, r.end, 8, VARINT);
      a.ints.add(r, w);
    } else if (f === 9) {
      want(r, w, BYTES);
      r.span(); // counted, not decoded (class labels: only their number matters)
      a.strings++;
    }
    else return false;
    return true;
  });
  return a;
}

/** The attributes of every node that has none (one shared Map: 100,000 nodes need not hold
 *  100,000 empty Maps; nothing adds to a node's attributes after decoding). */
const NO_ATTRIBUTES: Map<string, OnnxAttribute> = new Map();

/** One string object per distinct tensor name: the name a node writes and the names that read
 *  it are then the same object (half the memory; equal at a pointer's cost in every Map). */
type Names = Map<string, string>;
function name(names: Names, s: string): string {
  const known = names.get(s);
  if (known !== undefined) return known;
  names.set(s, s);
  return s;
}

function node(r: Reader, budget: { edges: number; attributes: number; names: Names }): OnnxNode {
  const n: OnnxNode = { input: [], output: [], name: '', opType: '', domain: '', attributes: NO_ATTRIBUTES };
  let attributes = 0;
  message(r, (r, f, w) => {
    if (f === 1 || f === 2) limit(r, ++budget.edges, LIMITS.edges, 'node inputs and outputs in all');
    if (f === 1) {
      limit(r, n.input.length + 1, LIMITS.nodeInputs, 'inputs of one node');
      n.input.push(name(budget.names, str(r, w)));
    } else if (f === 2) {
      limit(r, n.output.length + 1, LIMITS.nodeOutputs, 'outputs of one node');
      n.output.push(name(budget.names, str(r, w)));
    } else if (f === 3) n.name = str(r, w);
    else if (f === 4) n.opType = str(r, w);
    else if (f === 5) {
      limit(r, ++attributes, LIMITS.attributes, 'attributes of one node');
      limit(r, ++budget.attributes, LIMITS.allAttributes, 'attributes in all');
      const a = attribute(sub(r, w), budget.names);
      if (n.attributes === NO_ATTRIBUTES) n.attributes = new Map();
      n.attributes.set(a.name, a);
    } else if (f === 7) n.domain = str(r, w);
    else return false;
    return true;
  });
  // (arrays grown by push keep room for 17 items: exact copies hold 100,000 nodes in far less)
  n.input = n.input.slice();
  n.output = n.output.slice();
  return n;
}

function valueInfo(r: Reader): OnnxValueInfo {
  const v: OnnxValueInfo = { name: '', elemType: 0, dims: undefined };
  message(r, (r, f, w) => {
    if (f === 1) v.name = str(r, w);
    else if (f === 2) {
      // TypeProto: tensor_type[1] { elem_type[1], shape[2] { dim[1] { dim_value[1] | dim_param[2] } } }
      message(sub(r, w), (r, f, w) => {
        if (f !== 1) return false;
        message(sub(r, w), (r, f, w) => {
          if (f === 1) v.elemType = int(r, w);
          else if (f === 2) {
            v.dims = [];
            message(sub(r, w), (r, f, w) => {
              if (f !== 1) return false;
              let dim: number | null = null;
              message(sub(r, w), (r, f, w) => {
                if (f === 1) dim = int(r, w);
                else return false;
                return true;
              });
              limit(r, v.dims!.length + 1, LIMITS.dims, 'dimensions in a value shape');
              v.dims!.push(dim);
              return true;
            });
          } else return false;
          return true;
        });
        return true;
      });
    } else return false;
    return true;
  });
  return v;
}

function graph(r: Reader): OnnxGraph {
  const g: OnnxGraph = { nodes: [], initializers: [], inputs: [], outputs: [], sparseInitializers: 0 };
  const budget = { edges: 0, attributes: 0, names: new Map<string, string>() };
  message(r, (r, f, w) => {
    if (f === 1) {
      limit(r, g.nodes.length + 1, LIMITS.nodes, 'nodes');
      g.nodes.push(node(sub(r, w), budget));
    } else if (f === 5) {
      limit(r, g.initializers.length + 1, LIMITS.initializers, 'initializers');
      g.initializers.push(tensor(sub(r, w)));
    } else if (f === 11) {
      limit(r, g.inputs.length + 1, LIMITS.graphValues, 'graph inputs');
      g.inputs.push(valueInfo(sub(r, w)));
    } else if (f === 12) {
      limit(r, g.outputs.length + 1, LIMITS.graphValues, 'graph outputs');
      g.outputs.push(valueInfo(sub(r, w)));
    }
    else if (f === 15) {
      sub(r, w);
      g.sparseInitializers++;
    } else return false;
    return true;
  });
  return g;
}

/** Decodes a ModelProto (the parts above); malformed bytes throw FormatError. */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  const m: OnnxModel = { irVersion: 0, opsets: [], producerName: '', producerVersion: '', graph: undefined };
  message(new Reader(bytes), (r, f, w) => {
    if (f === 1) m.irVersion = int(r, w);
    else if (f === 2) m.producerName = str(r, w);
    else if (f === 3) m.producerVersion = str(r, w);
    else if (f === 7) m.graph = graph(sub(r, w));
    else if (f === 8) {
      limit(r, m.opsets.length + 1, LIMITS.opsets, 'opset imports');
      const o = { domain: '', version: 0 };
      message(sub(r, w), (r, f, w) => {
        if (f === 1) o.domain = str(r, w);
        else if (f === 2) o.version = int(r, w);
        else return false;
        return true;
      });
      m.opsets.push(o);
    } else return false;
    return true;
  });
  return m;
}

// ---- writing --------------------------------------------------------------------------------

/** An attribute to write: a float, an int, or a string. */
export type AttributeValue = { f: number } | { i: number } | { s: string };

export interface NodeSpec {
  op: string;
  name: string;
  input: string[];
  output: string[];
  attributes?: Record<string, AttributeValue>;
}

/** An initializer to write: raw little-endian data of `dataType` (FLOAT, DOUBLE or INT64). */
export interface TensorSpec {
  name: string;
  dims: number[];
  dataType: number;
  raw: Uint8Array;
}

export interface ValueSpec {
  name: string;
  elemType: number;
  /** a string is a symbolic dimension (dim_param) */
  dims: (number | string)[];
}

export interface ModelSpec {
  irVersion: number;
  opset: number;
  producerName: string;
  producerVersion: string;
  graphName: string;
  nodes: NodeSpec[];
  initializers: TensorSpec[];
  inputs: ValueSpec[];
  outputs: ValueSpec[];
}

function encodeValue(v: ValueSpec): Writer {
  const shape = new Writer();
  for (const d of v.dims) shape.message(1, typeof d === 'string' ? new Writer().string(2, d) : new Writer().varint(1, d));
  const tensorType = new Writer().varint(1, v.elemType).message(2, shape);
  return new Writer().string(1, v.name).message(2, new Writer().message(1, tensorType));
}

/** Encodes a ModelProto. Attribute types: FLOAT = 1, INT = 2, STRING = 3. */
export function encodeModel(m: ModelSpec): Uint8Array {
  const g = new Writer();
  for (const n of m.nodes) {
    const w = new Writer();
    for (const i of n.input) w.string(1, i);
    for (const o of n.output) w.string(2, o);
    w.string(3, n.name).string(4, n.op);
    for (const [name, value] of Object.entries(n.attributes ?? {})) {
      const a = new Writer().string(1, name);
      if ('f' in value) a.float(2, value.f).varint(20, 1);
      else if ('i' in value) a.varint(3, value.i).varint(20, 2);
      else a.string(4, value.s).varint(20, 3);
      w.message(5, a);
    }
    g.message(1, w);
  }
  g.string(2, m.graphName);
  for (const t of m.initializers) {
    const w = new Writer();
    for (const d of t.dims) w.varint(1, d);
    g.message(5, w.varint(2, t.dataType).string(8, t.name).bytes(9, t.raw));
  }
  for (const v of m.inputs) g.message(11, encodeValue(v));
  for (const v of m.outputs) g.message(12, encodeValue(v));
  return new Writer()
    .varint(1, m.irVersion)
    .string(2, m.producerName)
    .string(3, m.producerVersion)
    .message(7, g)
    .message(8, new Writer().string(1, '').varint(2, m.opset))
    .finish();
}
