// TensorFlow.js's tutorial "Make predictions from 2D data" (cars: horsepower → miles per gallon),
// ported to wasmnet: the inputs are standardized inside the model (a normalization layer adapted
// to the training set), so the saved model takes raw horsepower; the data is split with a seeded
// trainTestSplit, the model is saved to a file and loaded back with wasmnet/storage, and the
// held-out error is printed. Run: node --import tsx examples/cars.ts
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Network, dense, normalization, progressBar, trainTestSplit } from 'wasmnet';
import { load, save } from 'wasmnet/storage';

// (horsepower, miles per gallon) of 40 cars from the Auto MPG data the tutorial uses
const cars = [
  [130, 18], [165, 15], [150, 18], [150, 16], [140, 17], [198, 15], [220, 14], [215, 14], [225, 14], [190, 15],
  [170, 15], [160, 14], [150, 15], [225, 14], [95, 24], [95, 22], [97, 18], [85, 21], [88, 27], [46, 26],
  [87, 25], [90, 24], [95, 25], [113, 26], [90, 21], [215, 10], [200, 10], [210, 11], [193, 9], [88, 27],
  [90, 28], [95, 25], [100, 19], [105, 16], [100, 17], [88, 19], [100, 18], [165, 14], [175, 14], [153, 14],
];
const horsepower = cars.map(([hp]) => [hp!]);
const mpg = cars.map(([, m]) => [m!]);
const { xTrain, yTrain, xTest, yTest } = trainTestSplit(horsepower, mpg, { testSize: 0.25, seed: 3 });

const net = new Network({
  inputSize: 1,
  layers: [normalization({ adapt: xTrain }), dense(16, { activation: 'sigmoid' }), dense(1)],
  loss: 'mse',
  optimizer: { type: 'adam', learningRate: 0.05 },
  seed: 1,
});
await net.fit(xTrain, yTrain, { epochs: 150, batchSize: 8, callbacks: [progressBar()] });

const file = join(mkdtempSync(join(tmpdir(), 'wasmnet-cars-')), 'cars.wasmnet');
await save(net, file);
const loaded = await load(file); // the statistics travel with the model: it takes raw horsepower
const predicted = loaded.predict(xTest);
const mae = predicted.reduce((sum, [p], i) => sum + Math.abs(p! - yTest[i]![0]!), 0) / xTest.length;
console.log(`held-out mean absolute error: ${mae.toFixed(2)} mpg on ${xTest.length} cars`);
for (const hp of [60, 120, 210]) console.log(`${hp} hp → ${loaded.predict([[hp]])[0]![0]!.toFixed(1)} mpg`);
