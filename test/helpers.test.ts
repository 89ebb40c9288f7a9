// The data helpers (oneHot, argMax, shuffle, trainTestSplit, confusionMatrix) through the public
// entry: values computed by hand, exact errors, and seeded orders checked against an independent
// implementation (the expected permutations were produced by a separate Python splitmix32 +
// sfc32 + Fisher–Yates with rejection sampling, not by this code).
import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, Network, ShapeError, argMax, confusionMatrix, dense, init, oneHot, shuffle, trainTestSplit } from 'wasmnet';

await init();

describe('oneHot', () => {
  it('encodes number[] labels as rows and typed labels as one row-major Float64Array', () => {
    expect(oneHot([0, 2, 1], 3)).toEqual([[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
    const typed = oneHot(Uint8Array.of(1, 0, 1), 2);
    expect(typed).toBeInstanceOf(Float64Array);
    expect(Array.from(typed)).toEqual([0, 1, 1, 0, 0, 1]);
    expect(oneHot([], 4)).toEqual([]);
  });

  it('refuses bad labels and class counts with typed errors naming them', () => {
    expect(() => oneHot([0, 3], 3)).toThrow(new DataError('oneHot: labels[1] is 3; labels must be integers in [0, 3)'));
    expect(() => oneHot([0.5], 3)).toThrow(new DataError('oneHot: labels[0] is 0.5; labels must be integers in [0, 3)'));
    expect(() => oneHot([-1], 3)).toThrow(DataError);
    expect(() => oneHot([NaN], 3)).toThrow(new DataError('oneHot: labels[0] is NaN; labels must be integers in [0, 3)'));
    expect(() => oneHot([0], 0)).toThrow(new ConfigError('oneHot: classes must be a positive integer (the number of classes), got 0'));
    expect(() => oneHot([0], 2.5)).toThrow(ConfigError);
    expect(() => oneHot('012' as unknown as number[], 3)).toThrow(
      new ShapeError('oneHot: labels must be an array of class indices (number[] or a typed array), got "012"'),
    );
  });
});

describe('argMax', () => {
  it('finds the first largest value of a vector, of each row, and of each row of a typed matrix', () => {
    expect(argMax([0.1, 0.7, 0.2])).toBe(1);
    expect(argMax([3, 5, 5, 1])).toBe(1); // first maximum wins
    expect(argMax([-Infinity, -5])).toBe(1);
    expect(argMax(Float32Array.of(2, 9, 4))).toBe(1);
    expect(argMax([[0.9, 0.1], [0.3, 0.7], [0.5, 0.5]])).toEqual([0, 1, 0]);
    expect(argMax(Float64Array.of(0.9, 0.1, 0.3, 0.7), 2)).toEqual([0, 1]);
  });

  it('turns predict outputs into classes', () => {
    const net = new Network({ inputSize: 2, layers: [dense(3, { activation: 'softmax' })], loss: 'categoricalCrossentropy', seed: 3 });
    const rows = net.predict([[1, 2], [-2, 0.5]]);
    const typed = net.predict(Float64Array.of(1, 2, -2, 0.5));
    const expected = rows.map((row) => row.indexOf(Math.max(...row)));
    expect(argMax(rows)).toEqual(expected);
    expect(argMax(typed, 3)).toEqual(expected);
  });

  it('refuses empty, ragged, NaN and misshapen input with typed errors', () => {
    expect(() => argMax([])).toThrow(new ShapeError('argMax: the vector is empty'));
    expect(() => argMax([[1, 2], [3]])).toThrow(new ShapeError('argMax: row 1 has 1 values, but row 0 has 2'));
    expect(() => argMax([[]])).toThrow(new ShapeError('argMax: row 0 is empty'));
    expect(() => argMax([1, NaN])).toThrow(new DataError('argMax: value 1 is NaN; argMax needs numbers'));
    expect(() => argMax([[1, 2], [0, NaN]])).toThrow(new DataError('argMax: row 1: value 1 is NaN; argMax needs numbers'));
    expect(() => argMax(Float64Array.of(1, 2, 3), 2)).toThrow(
      new ShapeError('argMax: a Float64Array of length 3 is not a whole number of rows of 2 values'),
    );
    expect(() => argMax(Float64Array.of(1, 2), 0)).toThrow(ConfigError);
    expect(() => argMax([[1, 2]] as unknown as Float64Array, 2)).toThrow(ShapeError);
  });
});

describe('shuffle', () => {
  it('reorders in the seeded Fisher–Yates order (checked against an independent sfc32)', () => {
    expect(shuffle([0, 1, 2, 3], { seed: 7 })).toEqual([1, 2, 0, 3]);
    expect(shuffle(['a', 'b', 'c', 'd', 'e', 'f'], { seed: 3 })).toEqual(['b', 'd', 'a', 'c', 'f', 'e']);
    expect(shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { seed: 42 })).toEqual([8, 3, 2, 1, 6, 4, 5, 0, 7, 9]);
  });

  it('shuffles x and y together, copies (the input is unchanged), and keeps typed rows whole', () => {
    const x = [[0], [1], [2], [3], [4], [5]];
    const y = [10, 11, 12, 13, 14, 15];
    const [xs, ys] = shuffle(x, y, { seed: 3 });
    expect(xs).toEqual([[1], [3], [0], [2], [5], [4]]);
    expect(ys).toEqual([11, 13, 10, 12, 15, 14]);
    expect(x).toEqual([[0], [1], [2], [3], [4], [5]]);
    const typed = Float32Array.of(0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5); // 6 rows of 2
    const labels = Uint8Array.of(0, 1, 2, 3, 4, 5);
    const [tx, ty] = shuffle(typed, labels, { seed: 3, samples: 6 });
    expect(tx).toBeInstanceOf(Float32Array);
    expect(Array.from(tx)).toEqual([1, 1.5, 3, 3.5, 0, 0.5, 2, 2.5, 5, 5.5, 4, 4.5]);
    expect(ty).toBeInstanceOf(Uint8Array);
    expect(Array.from(ty)).toEqual([1, 3, 0, 2, 5, 4]);
    // an array partner gives the typed array's sample count
    const [tx2] = shuffle(typed, y, { seed: 3 });
    expect(Array.from(tx2)).toEqual(Array.from(tx));
  });

  it('refuses mismatched or unknowable sample counts and bad options', () => {
    expect(() => shuffle([1, 2], [1], { seed: 1 })).toThrow(new ShapeError('shuffle: y has 1 samples, but x has 2'));
    expect(() => shuffle(Float64Array.of(1, 2), Float64Array.of(1))).toThrow(
      new ShapeError('shuffle: with only typed arrays the number of samples is unknown; pass it as options.samples'),
    );
    expect(() => shuffle(Float64Array.of(1, 2, 3), [1, 2])).toThrow(
      new ShapeError('shuffle: x is a Float64Array of length 3, not a whole number of rows for 2 samples'),
    );
    expect(() => shuffle([1], { seed: 1.5 })).toThrow(new ConfigError('shuffle options.seed must be an integer, got 1.5'));
    expect(() => shuffle([1], { sed: 1 } as never)).toThrow(new ConfigError('shuffle options: unknown option "sed"; expected one of "seed", "samples"'));
    expect(() => shuffle([])).toThrow(new ShapeError('shuffle: there are no samples'));
  });
});

describe('trainTestSplit', () => {
  it('shuffles with the seed, then tests on the last testSize (rounded up)', () => {
    const x = [[0], [1], [2], [3], [4], [5], [6], [7], [8], [9]];
    const y = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    // order for seed 42: 8 3 2 1 6 4 5 0 | 7 9
    const split = trainTestSplit(x, y, { testSize: 0.2, seed: 42 });
    expect(split.yTrain).toEqual([8, 3, 2, 1, 6, 4, 5, 0]);
    expect(split.yTest).toEqual([7, 9]);
    expect(split.xTrain).toEqual([[8], [3], [2], [1], [6], [4], [5], [0]]);
    expect(split.xTest).toEqual([[7], [9]]);
    expect(trainTestSplit(x, y, { testSize: 0.11, seed: 42 }).yTest).toEqual([7, 9]); // ceil(1.1) = 2
    expect(trainTestSplit(x, y, { testSize: 0.21, seed: 42 }).yTest).toEqual([0, 7, 9]); // ceil(2.1) = 3
  });

  it('counts, no shuffling, one list of samples, typed arrays', () => {
    const y = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(trainTestSplit(y, { testSize: 3, shuffle: false })).toEqual({ train: [0, 1, 2, 3, 4, 5, 6], test: [7, 8, 9] });
    expect(trainTestSplit(y, { seed: 42 }).test).toEqual([0, 7, 9]); // default 0.25: ceil(2.5) = 3
    const samples = [{ input: [0], output: [0] }, { input: [1], output: [1] }, { input: [2], output: [0] }, { input: [3], output: [1] }];
    const { train, test } = trainTestSplit(samples, { testSize: 1, shuffle: false });
    expect(train).toEqual(samples.slice(0, 3));
    expect(test[0]).toBe(samples[3]);
    const images = Uint8Array.from({ length: 20 }, (_, i) => i); // 10 rows of 2
    const labels = Uint8Array.from(y);
    const typed = trainTestSplit(images, labels, { testSize: 0.2, seed: 42, samples: 10 });
    expect(Array.from(typed.yTest)).toEqual([7, 9]);
    expect(Array.from(typed.xTest)).toEqual([14, 15, 18, 19]);
    expect(typed.xTrain).toBeInstanceOf(Uint8Array);
    expect(typed.xTrain.length).toBe(16);
  });

  it('refuses splits that leave a part empty, and bad options, before anything', () => {
    expect(() => trainTestSplit([1, 2], { testSize: 2 })).toThrow(
      new ConfigError('trainTestSplit options.testSize 2 of 2 samples leaves 0 for training; both parts need at least one'),
    );
    expect(() => trainTestSplit([1, 2, 3], { testSize: 0.9 })).toThrow(ConfigError); // ceil(2.7) = 3
    expect(() => trainTestSplit([1, 2, 3], { testSize: 1.5 })).toThrow(
      new ConfigError('trainTestSplit options.testSize must be a fraction in (0, 1) or a whole number of samples ≥ 1, got 1.5'),
    );
    expect(() => trainTestSplit([1, 2, 3], { testSize: 0 })).toThrow(ConfigError);
    expect(() => trainTestSplit([1, 2, 3], { shuffle: 'yes' } as never)).toThrow(
      new ConfigError('trainTestSplit options.shuffle must be true or false, got "yes"'),
    );
    expect(() => trainTestSplit([1, 2, 3], [1, 2], {})).toThrow(new ShapeError('trainTestSplit: y has 2 samples, but x has 3'));
    expect(() => trainTestSplit({ length: 3 } as never)).toThrow(ShapeError);
  });
});

describe('confusionMatrix', () => {
  it('counts actual × predicted with per-class precision, recall, F1 and support (by hand)', () => {
    const cm = confusionMatrix([0, 0, 1, 1, 2], [0, 1, 1, 1, 2]);
    expect(cm.matrix).toEqual([[1, 1, 0], [0, 2, 0], [0, 0, 1]]);
    expect(cm.classes).toBe(3);
    expect(cm.precision).toEqual([1, 2 / 3, 1]);
    expect(cm.recall).toEqual([0.5, 1, 1]);
    // F1 = 2pr / (p + r): class 0: 2·1·0.5/1.5 = 2/3; class 1: 2·(2/3)·1/(5/3) = 0.8
    expect(cm.f1[0]).toBeCloseTo(2 / 3, 15);
    expect(cm.f1[1]).toBeCloseTo(0.8, 15);
    expect(cm.f1[2]).toBe(1);
    expect(cm.support).toEqual([2, 2, 1]);
    expect(cm.accuracy).toBe(0.8);
  });

  it('takes rows of scores (argMax), sigmoid rows (≥ 0.5), typed labels and a class count', () => {
    const oneHotY = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1]];
    const scores = [[0.7, 0.2, 0.1], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8], [0.2, 0.5, 0.3]];
    expect(confusionMatrix(oneHotY, scores).matrix).toEqual([[1, 0, 0], [1, 0, 0], [0, 1, 1]]);
    const binary = confusionMatrix([[1], [0], [1], [0]], [[0.5], [0.49], [0.2], [0.9]]);
    expect(binary.matrix).toEqual([[1, 1], [1, 1]]);
    const wide = confusionMatrix(Uint8Array.of(0, 1), Int32Array.of(0, 0), { classes: 4 });
    expect(wide.matrix).toEqual([[1, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
    // a class never predicted has precision 0; a class with no samples has recall 0; both: F1 0
    expect(wide.precision).toEqual([0.5, 0, 0, 0]);
    expect(wide.recall).toEqual([1, 0, 0, 0]);
    expect(wide.f1).toEqual([2 / 3, 0, 0, 0]);
    expect(wide.support).toEqual([1, 1, 0, 0]);
  });

  it('refuses different lengths, bad labels and bad options', () => {
    expect(() => confusionMatrix([0, 1], [0])).toThrow(
      new ShapeError('confusionMatrix: actual has 2 samples but predicted has 1; give one prediction per sample'),
    );
    expect(() => confusionMatrix([], [])).toThrow(new ShapeError('confusionMatrix: actual is empty'));
    expect(() => confusionMatrix([0, 1.5], [0, 1])).toThrow(new DataError('confusionMatrix: actual[1] is 1.5; labels must be integers in [0, 2)'));
    expect(() => confusionMatrix([0, 2], [0, 1], { classes: 2 })).toThrow(
      new DataError('confusionMatrix: actual[1] is 2; labels must be integers in [0, 2)'),
    );
    expect(() => confusionMatrix([0, -1], [0, 1])).toThrow(new DataError('confusionMatrix: actual[1] is -1; labels must be integers in [0, 2)'));
    expect(() => confusionMatrix([[0, 1], [1]], [0, 1])).toThrow(new ShapeError('confusionMatrix: actual: argMax: row 1 has 1 values, but row 0 has 2'));
    expect(() => confusionMatrix([0], [0], { classes: 0 })).toThrow(ConfigError);
    expect(() => confusionMatrix('01' as never, [0, 1])).toThrow(ShapeError);
  });
});
