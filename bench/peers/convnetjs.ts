// convnetjs 0.3.0 (Karpathy): pure JS, f64 (Float64Array volumes). Its `Trainer` runs forward
// and backward one sample at a time (allocating a fresh output Vol per layer and sample) and
// accumulates the gradients; every `batch_size` samples it applies the averaged gradient, so
// with method 'sgd', momentum 0 and no weight decay one update is exactly a mini-batch SGD step.
import { createRequire } from 'node:module';
import type * as ConvNet from 'convnetjs';
import { Rng } from '../stats';
import { inputs, outputs, type Workload } from '../workloads';
import { packageVersion, rowOrder, withSeededRandom, type Peer } from './peer';

const require = createRequire(import.meta.url);
const VERSION = packageVersion(require, 'convnetjs');
let lib: typeof ConvNet | null = null;
const convnetjs = (): typeof ConvNet => (lib ??= require('convnetjs') as typeof ConvNet);

function buildNet(cn: typeof ConvNet, w: Workload): ConvNet.Net {
  const net = new cn.Net();
  const hidden = w.sizes.slice(1, -1).map((units, i): ConvNet.LayerDef => ({
    type: 'fc',
    num_neurons: units,
    activation: w.activations[i] as 'relu' | 'sigmoid' | 'tanh',
  }));
  const defs: ConvNet.LayerDef[] = [{ type: 'input', out_sx: 1, out_sy: 1, out_depth: inputs(w) }, ...hidden];
  if (w.loss === 'categoricalCrossentropy') {
    // 'softmax' adds the last fc layer itself: … fc(10) → softmax, loss −log p.
    defs.push({ type: 'softmax', num_classes: outputs(w) });
    net.makeLayers(defs);
  } else {
    // 'regression' adds a linear fc layer and an L2 loss; the sigmoid output goes in between.
    defs.push({ type: 'regression', num_neurons: outputs(w) });
    net.makeLayers(defs);
    const regression = net.layers.length - 1;
    if (w.activations[w.activations.length - 1] === 'sigmoid') {
      net.layers.splice(regression, 0, new cn.SigmoidLayer({ in_sx: 1, in_sy: 1, in_depth: outputs(w) }));
    }
  }
  return net;
}

export const convnetjsPeer: Peer = {
  id: 'convnetjs',
  label: 'convnetjs',
  notes: [
    `convnetjs: ${VERSION}, \`Trainer\` with method 'sgd', momentum 0, l2_decay 0, batch_size = the batch: ` +
      'per-sample forward/backward (a new Vol per layer and sample), the averaged gradient applied every batch_size samples ' +
      '(counted across epochs: where an epoch is not a whole number of batches, its batches straddle epochs); ' +
      'f64, 1 thread; data pre-converted to Vols outside the timing. ' +
      'mse: its regression loss is ½·(a−y)² per output, so its learning rate is 2·lr/outputs to take the same step.',
  ],
  sameModel: () => true,
  batching: (w) => `${w.batchSize} (per-sample fwd/bwd)`,
  unsupported: (w) =>
    w.loss === 'mse' && !['sigmoid', 'linear'].includes(w.activations[w.activations.length - 1]!) ? 'no such output layer' : null,
  async setup() {
    convnetjs();
  },
  async build(w, init) {
    const cn = convnetjs();
    const net = withSeededRandom(w.seed, () => buildNet(cn, w));
    const fc = net.layers.filter((l): l is ConvNet.FullyConnLayer => l.layer_type === 'fc');
    fc.forEach((layer, i) => {
      const { weights, bias } = init[i]!;
      const units = layer.filters.length;
      for (let u = 0; u < units; u++) {
        const filter = layer.filters[u]!.w;
        for (let k = 0; k < layer.num_inputs; k++) filter[k] = weights[k * units + u]!;
        layer.biases.w[u] = bias[u]!;
      }
    });
    const [nIn, nOut] = [inputs(w), outputs(w)];
    const classify = w.loss === 'categoricalCrossentropy';
    const trainer = new cn.Trainer(net, {
      method: 'sgd',
      learning_rate: classify ? w.learningRate : (2 * w.learningRate) / nOut,
      momentum: 0,
      l2_decay: 0,
      batch_size: w.batchSize,
    });
    const toVol = (x: Float64Array, row: number): ConvNet.Vol => {
      const v = new cn.Vol(1, 1, nIn, 0);
      v.w.set(x.subarray(row * nIn, (row + 1) * nIn));
      return v;
    };
    const vols = Array.from({ length: w.samples }, (_, row) => toVol(w.x, row));
    const targets: ConvNet.Target[] = Array.from({ length: w.samples }, (_, row) => {
      const y = w.y.subarray(row * nOut, (row + 1) * nOut);
      return classify ? y.indexOf(1) : Float64Array.from(y);
    });
    // convnetjs's regression loss reports 2·Σ(a−y)² per sample: back to the mean over outputs.
    const lossScale = classify ? 1 : 1 / (2 * nOut);
    const rng = new Rng(w.seed);
    return {
      async train({ epochs, samples, shuffle }) {
        let last = NaN;
        for (let epoch = 0; epoch < epochs; epoch++) {
          const order = rowOrder(rng, samples, shuffle);
          let sum = 0;
          for (let i = 0; i < samples; i++) {
            const row = order[i]!;
            sum += trainer.train(vols[row]!, targets[row]!).cost_loss;
          }
          last = (sum * lossScale) / samples;
        }
        return last;
      },
      async predict(x, rows) {
        const out = new Float64Array(rows * nOut);
        for (let r = 0; r < rows; r++) out.set(net.forward(toVol(x, r), false).w, r * nOut);
        return out;
      },
      info: () => ({ convnetjs: VERSION, layers: net.layers.map((l) => l.layer_type).join(' → ') }),
      dispose() {
        vols.length = 0;
      },
    };
  },
};
