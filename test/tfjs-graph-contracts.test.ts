// fromTfjs on graph models (src/tfjs/graph.ts): the refusals, each with its whole message, and
// the layouts the reader documents (control dependencies, "node:0" names, a Placeholder that
// does not give its width, Identity and NoOp nodes, the fused LeakyRelu's alpha). Small graphs
// built in code in the layout tensorflowjs_converter writes (see tfjs-graph.test.ts, where the
// same layout is checked against tfjs's own loader).
import { describe, expect, it } from 'vitest';
import { FormatError } from 'wasmnet';
import { fromTfjs, type TfjsModelJSON } from 'wasmnet/tfjs';

const dims = (shape: number[]) => ({ dim: shape.map((d) => ({ size: String(d) })) });

/** A graph: constants (given values, float32) go to the manifest, nodes to modelTopology.node. */
function graph(shape: number[] | null = [-1, 2]) {
  const nodes: unknown[] = [];
  const specs: { name: string; shape: number[]; dtype: 'float32' }[] = [];
  const values: number[] = [];
  if (shape) nodes.push({ name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dims(shape) } } });
  const g = {
    nodes,
    constant(name: string, shape: number[], v?: number[], manifest = true) {
      const count = shape.reduce((a, b) => a * b, 1);
      const data = v ?? Array.from({ length: count }, (_, i) => (i + 1) / 8);
      if (manifest) {
        values.push(...data);
        specs.push({ name, shape, dtype: 'float32' });
      }
      nodes.push({ name, op: 'Const', attr: { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(shape) } }, dtype: { type: 'DT_FLOAT' } } });
      return name;
    },
    node(name: string, op: string, input: string[], attr: object = {}) {
      nodes.push({ name, op, input, attr: { T: { type: 'DT_FLOAT' }, ...attr } });
      return name;
    },
    json(): TfjsModelJSON {
      return {
        format: 'graph-model',
        modelTopology: { node: nodes, library: {}, versions: { producer: 1645 } },
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: specs }],
      } as unknown as TfjsModelJSON;
    },
    load() {
      return fromTfjs(g.json(), new Float32Array(values).buffer);
    },
  };
  return g;
}

const fused = (ops: unknown[], extra: object = {}) => ({ transpose_a: { b: false }, transpose_b: { b: false }, fused_ops: { list: { s: ops.map((o) => (typeof o === 'string' ? btoa(o) : o)) } }, ...extra });
const refused = (g: ReturnType<typeof graph>, message: string) => expect(() => g.load()).toThrow(new FormatError(message));

/** x (2 features) → MatMul by W = [[1, 2], [3, 4]] (2 units). */
function matmul(g: ReturnType<typeof graph>, input = 'x', name = 'm') {
  return g.node(name, 'MatMul', [input, g.constant(`${name}/w`, [2, 2], [1, 2, 3, 4])]);
}

describe('graph models: what the reader accepts', () => {
  it('control dependencies ("^name") are not data: a Const that waits on the input, a BiasAdd with one', () => {
    const g = graph();
    g.node('init', 'NoOp', ['^x']);
    const m = matmul(g);
    g.node('b', 'BiasAdd', [m, g.constant('bias', [2], [10, 20]), '^init']);
    g.nodes.push({ name: 'late', op: 'Const', input: ['^x'], attr: {} });
    const net = g.load();
    expect(net.predict([[1, 1]])).toEqual([[14, 26]]);
  });

  it('"node:0" names the node; "0" is a node\'s name, not an output index', () => {
    const g = graph();
    g.constant('0', [2, 2], [1, 0, 0, 1]);
    g.node('m', 'MatMul', ['x:0', '0']);
    g.node('b', 'AddV2', ['m:0', g.constant('bias', [2], [1, 2])]);
    expect(g.load().predict([[3, 5]])).toEqual([[4, 7]]);
  });

  it('a second output ("w:1") is not the node itself', () => {
    const g = graph();
    g.constant('w', [2, 2]);
    g.node('m', 'MatMul', ['x', 'w:1']);
    refused(g, 'graph model: MatMul node "m" takes "w:1" where wasmnet reads a constant');
    const h = graph();
    h.constant('w', [2, 2]);
    h.node('m', 'MatMul', ['x', ':0']);
    refused(h, 'graph model: MatMul node "m" takes ":0" where wasmnet reads a constant');
  });

  it('a Placeholder without a width takes the first weight\'s rows: no shape attr, dims without sizes, [-1, -1]', () => {
    for (const attr of [{}, { shape: { shape: { dim: [{}, {}] } } }, { shape: { shape: dims([-1, -1]) } }, { shape: {} }]) {
      const g = graph(null);
      g.nodes.push({ name: 'x', op: 'Placeholder', attr });
      matmul(g);
      expect(g.load().predict([[1, 1]])).toEqual([[4, 6]]);
    }
  });

  it('a Placeholder\'s own width is checked against the weight', () => {
    const g = graph([-1, 3]);
    matmul(g);
    refused(g, 'graph model: MatMul node "m": its weight takes 2 inputs, but 3 arrive');
  });

  it('100 000 nodes are read (the limit itself)', () => {
    const g = graph();
    matmul(g);
    while (g.nodes.length < 100_000) g.nodes.push({ name: `unused${g.nodes.length}`, op: 'Const' });
    expect(g.load().predict([[1, 1]])).toEqual([[4, 6]]);
  });

  it('Identity passes through; a NoOp reading the output is not part of the chain', () => {
    const g = graph();
    const m = matmul(g, g.node('id', 'Identity', ['x']));
    g.node('done', 'NoOp', [g.node('out', 'Identity', [m])]);
    expect(g.load().predict([[1, 0]])).toEqual([[1, 2]]);
  });

  it('one feature in, one unit out', () => {
    const g = graph([-1, 1]);
    g.node('m', 'MatMul', ['x', g.constant('w', [1, 1], [3])]);
    expect(g.load().predict([[2]])).toEqual([[6]]);
  });

  it('transpose_b: the weight is read transposed', () => {
    const g = graph();
    g.node('m', 'MatMul', ['x', g.constant('w', [3, 2], [1, 2, 3, 4, 5, 6])], { transpose_b: { b: true } });
    expect(g.load().predict([[1, 10]])).toEqual([[21, 43, 65]]);
  });

  it('the fused LeakyRelu: its leakyrelu_alpha wins, else its alpha, else 0.2', () => {
    const alphaOf = (extra: object) => {
      const g = graph();
      g.node('f', '_FusedMatMul', ['x', g.constant('w', [2, 2], [1, 0, 0, 1]), g.constant('b', [2], [0, 0])], fused(['BiasAdd', 'LeakyRelu'], extra));
      return g.load().predict([[-1, -2]])[0]![0]! / -1;
    };
    expect(alphaOf({ leakyrelu_alpha: { f: 0.25 }, alpha: { f: 0.5 } })).toBeCloseTo(0.25, 12);
    expect(alphaOf({ alpha: { f: 0.5 } })).toBeCloseTo(0.5, 12);
    expect(alphaOf({})).toBeCloseTo(0.2, 12);
  });
});

describe('graph models: refusals, whole messages', () => {
  it('the topology and its nodes', () => {
    const bad = (topology: unknown) => () => fromTfjs({ format: 'graph-model', modelTopology: topology, weightsManifest: [] } as unknown as TfjsModelJSON, new ArrayBuffer(0));
    expect(bad({ node: {} })).toThrow(new FormatError('graph model: modelTopology.node must be an array of nodes'));
    expect(bad({ node: [null] })).toThrow(new FormatError('graph model: node 0 must have a name and an op'));
    expect(bad({ node: [{ name: 'x', op: 'Placeholder' }, { name: 'y' }] })).toThrow(new FormatError('graph model: node 1 must have a name and an op'));
    expect(bad({ node: [{ name: 'x', op: 'Placeholder' }, { name: 'y', op: 'Relu', input: ['x', 3] }] })).toThrow(new FormatError('graph model: node "y"\'s inputs must be names'));
    expect(bad({ node: [{ name: 'x', op: 'Placeholder' }, { name: 'x', op: 'Relu' }] })).toThrow(new FormatError('graph model: two nodes are named "x"'));
    expect(bad({ node: [{ name: 'w', op: 'Const' }] })).toThrow(new FormatError('graph model: 0 Placeholder nodes; wasmnet reads networks with one input'));
    expect(bad({ node: [{ name: 'x', op: 'Placeholder' }, { name: 'y', op: 'Placeholder' }] })).toThrow(new FormatError('graph model: 2 Placeholder nodes; wasmnet reads networks with one input'));
    expect(bad({ node: Array.from({ length: 100_001 }, () => 0) })).toThrow(new FormatError('graph model: 100001 nodes, over the limit of 100000'));
  });

  it('a long node name is cut at 120 characters (120 are shown whole)', () => {
    const g120 = graph();
    g120.node('m'.repeat(120), 'Square', ['x']);
    refused(g120, `graph model: Square (node "${'m'.repeat(120)}") is not supported; wasmnet reads chains of MatMul, BiasAdd/Add/AddV2, _FusedMatMul, Identity and Relu, Relu6, Sigmoid, Tanh, Softmax, Elu, Selu, Softplus, LeakyRelu`);
    const name = 'n'.repeat(200);
    const g = graph();
    g.node(name, 'Square', ['x']);
    refused(g, `graph model: Square (node "${'n'.repeat(120)}…") is not supported; wasmnet reads chains of MatMul, BiasAdd/Add/AddV2, _FusedMatMul, Identity and Relu, Relu6, Sigmoid, Tanh, Softmax, Elu, Selu, Softplus, LeakyRelu`);
  });

  it('the Placeholder\'s shape: [batch, features] only', () => {
    for (const [shape, listed] of [[[-1, 0], '-1, 0'], [[-1, 2, 3], '-1, 2, 3'], [[-1, -1, 3], '-1, -1, 3'], [[5], '5'], [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], '1, 2, 3, 4, 5, 6, 7, 8, … (10 dimensions)'], [[-1, 1, 1, 1, 1, 1, 1, 1], '-1, 1, 1, 1, 1, 1, 1, 1']] as const) {
      const g = graph([...shape]);
      matmul(g);
      refused(g, `graph model: input "x" has shape [${listed}]; wasmnet reads [batch, features] inputs`);
    }
    const g = graph(null);
    g.nodes.push({ name: 'x', op: 'Placeholder', attr: { shape: { shape: { dim: [{ size: '-1' }, { size: '2.5' }] } } } });
    matmul(g);
    refused(g, 'graph model: input "x" has shape [-1, 2.5]; wasmnet reads [batch, features] inputs');
  });

  it('the constants of a product', () => {
    const g1 = graph();
    g1.node('m', 'MatMul', ['x']);
    refused(g1, 'graph model: MatMul node "m" has no constant input (its weight or bias); wasmnet reads x·W + b with W and b Const nodes');
    const g2 = graph();
    g2.node('m', 'MatMul', ['x', 'nowhere']);
    refused(g2, 'graph model: MatMul node "m" takes "nowhere" where wasmnet reads a constant');
    const g3 = graph();
    g3.node('m', 'MatMul', ['x', g3.node('wi', 'Identity', [g3.constant('w', [2, 2])])]);
    refused(g3, 'graph model: MatMul node "m" takes "wi" (a Identity node) where wasmnet reads a constant');
    const g4 = graph();
    g4.node('m', 'MatMul', ['x', g4.constant('w', [2, 2], undefined, false)]);
    refused(g4, 'graph model: constant "w" has no entry in the weights manifest');
    const g5 = graph();
    g5.node('m', 'MatMul', ['x', g5.constant('w', [2, 2])], { transpose_a: { b: true } });
    refused(g5, 'graph model: MatMul node "m" transposes its input (transpose_a); wasmnet reads x·W');
    const g6 = graph();
    g6.node('m', 'MatMul', ['x', g6.constant('w', [2, 2, 1])]);
    refused(g6, 'graph model: MatMul node "m": its weight has shape [2, 2, 1], expected a matrix');
    const g7 = graph([-1, -1]);
    g7.node('m', 'MatMul', ['x', g7.constant('w', [0, 2], [])]);
    refused(g7, 'graph model: MatMul node "m": its weight has an empty shape [0, 2]');
    const g8 = graph();
    g8.node('m', 'MatMul', ['x', g8.constant('w', [2, 0], [])]);
    refused(g8, 'graph model: MatMul node "m": its weight has an empty shape [2, 0]');
    const g9 = graph();
    g9.node('m', 'MatMul', [g9.constant('w', [2, 2]), 'x']);
    refused(g9, 'graph model: MatMul node "m" multiplies a constant by the data; wasmnet reads x·W');
  });

  it('biases', () => {
    const g1 = graph();
    g1.node('b', 'BiasAdd', ['x', g1.constant('bias', [2])]);
    refused(g1, 'graph model: BiasAdd node "b" adds a bias that does not follow a matrix product');
    const g2 = graph();
    g2.node('b2', 'BiasAdd', [g2.node('b1', 'BiasAdd', [matmul(g2), g2.constant('c1', [2])]), g2.constant('c2', [2])]);
    refused(g2, 'graph model: BiasAdd node "b2" adds a bias that does not follow a matrix product');
    const g3 = graph();
    g3.node('b', 'Add', [g3.node('r', 'Relu', [matmul(g3)]), g3.constant('c', [2])]);
    refused(g3, 'graph model: Add node "b" adds a bias that does not follow a matrix product');
    const g4 = graph();
    g4.node('b', 'BiasAdd', [matmul(g4), g4.constant('c', [3])]);
    refused(g4, 'graph model: BiasAdd node "b": bias of shape [3], expected [2]');
    const g5 = graph();
    g5.node('b', 'BiasAdd', [matmul(g5), g5.constant('c', [1, 2])]);
    refused(g5, 'graph model: BiasAdd node "b": bias of shape [1, 2], expected [2]');
    const g6 = graph();
    const m6 = matmul(g6);
    g6.node('b', 'AddV2', [m6, m6]);
    refused(g6, 'graph model: AddV2 node "b" must add a constant to the data');
    const g7 = graph();
    g7.node('b', 'BiasAdd', [matmul(g7)]);
    refused(g7, 'graph model: BiasAdd node "b" must add a constant to the data');
    const g8 = graph();
    g8.node('b', 'BiasAdd', [matmul(g8), g8.constant('c', [2]), g8.constant('d', [2])]);
    refused(g8, 'graph model: BiasAdd node "b" must add a constant to the data');
  });

  it('activations', () => {
    const g1 = graph();
    g1.node('r', 'Relu', ['x']);
    refused(g1, 'graph model: Relu node "r" does not follow a dense layer\'s product');
    const g2 = graph();
    g2.node('t', 'Tanh', [g2.node('r', 'Relu', [matmul(g2)])]);
    refused(g2, 'graph model: Tanh node "t" does not follow a dense layer\'s product');
    const g3 = graph();
    g3.node('l', 'LeakyRelu', [matmul(g3)], { alpha: { f: 'wide' } });
    refused(g3, 'graph model: LeakyRelu node "l" has a non-finite alpha');
  });

  it('_FusedMatMul', () => {
    const fusedNode = (ops: unknown[] | null, inputs?: (g: ReturnType<typeof graph>) => string[]) => {
      const g = graph();
      g.node('f', '_FusedMatMul', inputs ? inputs(g) : ['x', g.constant('w', [2, 2]), g.constant('b', [2])], ops ? fused(ops) : {});
      return g;
    };
    refused(fusedNode(['BiasAdd', 'Gelu']), 'graph model: Gelu (node "f") is not supported; wasmnet reads MatMul, BiasAdd/Add/AddV2, _FusedMatMul, Identity and Relu, Relu6, Sigmoid, Tanh, Softmax, Elu, Selu, Softplus, LeakyRelu');
    refused(fusedNode(null), 'graph model: _FusedMatMul node "f" fuses []; wasmnet reads [BiasAdd] or [BiasAdd, an activation]');
    refused(fusedNode([7]), 'graph model: _FusedMatMul node "f" fuses []; wasmnet reads [BiasAdd] or [BiasAdd, an activation]');
    refused(fusedNode(['BiasAdd'], (g) => ['x', g.constant('w', [2, 2])]), 'graph model: _FusedMatMul node "f" fuses [BiasAdd]; wasmnet reads [BiasAdd] or [BiasAdd, an activation]');
    refused(fusedNode(['BiasAdd'], (g) => [g.constant('w', [2, 2]), 'x', g.constant('b', [2])]), 'graph model: _FusedMatMul node "f" multiplies a constant by the data; wasmnet reads x·W');
    for (const fusedOps of [{ list: 'BiasAdd' }, { list: { s: btoa('BiasAdd') } }]) {
      const g = graph();
      g.node('f', '_FusedMatMul', ['x', g.constant('w', [2, 2]), g.constant('b', [2])], { fused_ops: fusedOps });
      refused(g, 'graph model: _FusedMatMul node "f" fuses []; wasmnet reads [BiasAdd] or [BiasAdd, an activation]');
    }
  });

  it('the chain: a cycle, several consumers, no product', () => {
    const g1 = graph();
    g1.node('a', 'Identity', ['x', 'b']);
    g1.node('b', 'Identity', ['a']);
    refused(g1, 'graph model: the chain from the input does not end (a cycle)');
    const g2 = graph();
    for (const name of ['p', 'q', 'r', 's']) g2.node(name, 'Relu', ['x']);
    refused(g2, 'graph model: "x" feeds 4 nodes (Relu "p", Relu "q", Relu "r"); wasmnet reads a single chain');
    const g3 = graph();
    g3.node('id', 'Identity', ['x']);
    refused(g3, 'graph model: no matrix product follows the input "x"');
  });
});
