// The subset of ONNX's ModelProto that dense networks use, decoded from and encoded to the
// protobuf wire format. Field numbers are onnx/onnx.proto's. Fields wasmnet does not need are
// skipped on reading (doc strings, metadata, value_info, ...) and never written.
import { BYTES, FIXED32, FIXED64, Reader, VARINT, Writer } from './protobuf';

/** TensorProto.DataType values wasmnet meets. */
export const FLOAT = 1;
export const INT32 = 6;
export const INT64 = 7;
export const STRING = 8;
export const DOUBLE = 11;

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  raw: Uint8Array | undefined;
  floatData: number[];
  doubleData: number[];
  int32Data: number[];
  int64Data: number[];
  /** data_location EXTERNAL, or external_data entries present */
  external: boolean;
}

export interface OnnxAttribute {
  name: string;
  f?: number;
  i?: number;
  s?: string;
  t?: OnnxTensor;
  ints: number[];
  floats: number[];
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
  /** false for sequences and maps (skl2onnx's ZipMap output) */
  isTensor: boolean;
  elemType: number;
  /** undefined when the shape is not given */
  dims: (number | null)[] | undefined;
}

export interface OnnxGraph {
  name: string;
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
  functions: number;
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
  const t: OnnxTensor = { name: '', dims: [], dataType: 0, raw: undefined, floatData: [], doubleData: [], int32Data: [], int64Data: [], external: false };
  message(r, (r, f, w) => {
    if (f === 1) r.repeated(w, VARINT, t.dims);
    else if (f === 2) t.dataType = int(r, w);
    else if (f === 4) r.repeated(w, FIXED32, t.floatData);
    else if (f === 5) r.repeated(w, VARINT, t.int32Data);
    else if (f === 7) r.repeated(w, VARINT, t.int64Data);
    else if (f === 8) t.name = str(r, w);
    else if (f === 9) {
      want(r, w, BYTES);
      const [s, e] = r.span();
      t.raw = r.buf.subarray(s, e);
    } else if (f === 10) r.repeated(w, FIXED64, t.doubleData);
    else if (f === 13) {
      sub(r, w);
      t.external = true;
    } else if (f === 14) {
      if (int(r, w) === 1) t.external = true; // always read the varint (no short-circuit)
    }    else return false;
    return true;
  });
  return t;
}

function attribute(r: Reader): OnnxAttribute {
  const a: OnnxAttribute = { name: '', ints: [], floats: [], graph: false };
  message(r, (r, f, w) => {
    if (f === 1) a.name = str(r, w);
    else if (f === 2) {
      want(r, w, FIXED32);
      a.f = r.fixed(4);
    } else if (f === 3) a.i = int(r, w);
    else if (f === 4) a.s = str(r, w);
    else if (f === 5) a.t = tensor(sub(r, w));
    else if (f === 6 || f === 11) {
      sub(r, w);
      a.graph = true;
    } else if (f === 7) r.repeated(w, FIXED32, a.floats);
    else if (f === 8) r.repeated(w, VARINT, a.ints);
    else return false;
    return true;
  });
  return a;
}

function node(r: Reader): OnnxNode {
  const n: OnnxNode = { input: [], output: [], name: '', opType: '', domain: '', attributes: new Map() };
  message(r, (r, f, w) => {
    if (f === 1) n.input.push(str(r, w));
    else if (f === 2) n.output.push(str(r, w));
    else if (f === 3) n.name = str(r, w);
    else if (f === 4) n.opType = str(r, w);
    else if (f === 5) {
      const a = attribute(sub(r, w));
      n.attributes.set(a.name, a);
    } else if (f === 7) n.domain = str(r, w);
    else return false;
    return true;
  });
  return n;
}

function valueInfo(r: Reader): OnnxValueInfo {
  const v: OnnxValueInfo = { name: '', isTensor: false, elemType: 0, dims: undefined };
  message(r, (r, f, w) => {
    if (f === 1) v.name = str(r, w);
    else if (f === 2) {
      // TypeProto: tensor_type[1] { elem_type[1], shape[2] { dim[1] { dim_value[1] | dim_param[2] } } }
      message(sub(r, w), (r, f, w) => {
        if (f !== 1) return false;
        v.isTensor = true;
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
  const g: OnnxGraph = { name: '', nodes: [], initializers: [], inputs: [], outputs: [], sparseInitializers: 0 };
  message(r, (r, f, w) => {
    if (f === 1) g.nodes.push(node(sub(r, w)));
    else if (f === 2) g.name = str(r, w);
    else if (f === 5) g.initializers.push(tensor(sub(r, w)));
    else if (f === 11) g.inputs.push(valueInfo(sub(r, w)));
    else if (f === 12) g.outputs.push(valueInfo(sub(r, w)));
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
  const m: OnnxModel = { irVersion: 0, opsets: [], producerName: '', producerVersion: '', graph: undefined, functions: 0 };
  message(new Reader(bytes), (r, f, w) => {
    if (f === 1) m.irVersion = int(r, w);
    else if (f === 2) m.producerName = str(r, w);
    else if (f === 3) m.producerVersion = str(r, w);
    else if (f === 7) m.graph = graph(sub(r, w));
    else if (f === 8) {
      const o = { domain: '', version: 0 };
      message(sub(r, w), (r, f, w) => {
        if (f === 1) o.domain = str(r, w);
        else if (f === 2) o.version = int(r, w);
        else return false;
        return true;
      });
      m.opsets.push(o);
    } else if (f === 25) {
      sub(r, w);
      m.functions++;
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
