// Minimal types for the parts of convnetjs 0.3.0 (no types of its own) the benchmark uses.
// brain.js ships its own index.d.ts; the few internals its adapter touches are typed there.
declare module 'convnetjs' {
  /** A 3-d volume; the dense networks here use 1×1×depth. `w` values, `dw` gradients. */
  export class Vol {
    constructor(sx: number, sy: number, depth: number, fill?: number);
    constructor(values: number[]);
    sx: number;
    sy: number;
    depth: number;
    w: Float64Array;
    dw: Float64Array;
  }

  export interface LayerDef {
    type: 'input' | 'fc' | 'softmax' | 'regression' | 'relu' | 'sigmoid' | 'tanh';
    out_sx?: number;
    out_sy?: number;
    out_depth?: number;
    num_neurons?: number;
    num_classes?: number;
    activation?: 'relu' | 'sigmoid' | 'tanh';
    bias_pref?: number;
  }

  /** What a layer constructor reads: its input's dimensions. */
  export interface LayerInput {
    in_sx: number;
    in_sy: number;
    in_depth: number;
  }

  export interface Layer {
    layer_type: string;
    out_sx: number;
    out_sy: number;
    out_depth: number;
    forward(V: Vol, isTraining?: boolean): Vol;
  }

  export interface FullyConnLayer extends Layer {
    layer_type: 'fc';
    num_inputs: number;
    /** One Vol of `num_inputs` weights per output unit. */
    filters: Vol[];
    biases: Vol;
  }

  export class SigmoidLayer implements Layer {
    constructor(opt: LayerInput);
    layer_type: string;
    out_sx: number;
    out_sy: number;
    out_depth: number;
    forward(V: Vol, isTraining?: boolean): Vol;
  }

  /** softmax: a class index; regression: the targets. */
  export type Target = number | number[] | Float64Array;

  export class Net {
    layers: Layer[];
    makeLayers(defs: LayerDef[]): void;
    forward(V: Vol, isTraining?: boolean): Vol;
    backward(y: Target): number;
  }

  export interface TrainerOptions {
    method?: 'sgd' | 'adagrad' | 'adadelta' | 'windowgrad';
    learning_rate?: number;
    momentum?: number;
    batch_size?: number;
    l1_decay?: number;
    l2_decay?: number;
  }

  export interface TrainStats {
    loss: number;
    cost_loss: number;
  }

  export class Trainer {
    constructor(net: Net, options?: TrainerOptions);
    /** Forward and backward for one sample; every `batch_size` calls, the update. */
    train(x: Vol, y: Target): TrainStats;
    batch_size: number;
    /** Samples seen so far (the update happens when k % batch_size === 0). */
    k: number;
  }
}
