// Makes the example model `rnnkit serve` uses when given no --model: a small sequence classifier,
// LSTM(16) -> Dense(1, sigmoid), that says whether a series of any length trends up (1) or down (0).
// Trained here with a fixed seed on synthetic noisy series; run with `node scripts/make-example-model.js`
// after `npm run build`. Its output, models/trend-classifier/model.keras, ships with the package.
const path = require('path');
const { Sequential, Input, LSTM, Dense, setRandomSeed, tensor } = require('../lib');

setRandomSeed(7);
let s = 12345;
const random = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);

function series(n, steps) {
  const x = new Float32Array(n * steps);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const up = random() < 0.5;
    const slope = (up ? 1 : -1) * (0.05 + 0.1 * random());
    let v = random() * 2 - 1;
    for (let t = 0; t < steps; t++) {
      v += slope + (random() - 0.5) * 0.2;
      x[i * steps + t] = v;
    }
    y[i] = up ? 1 : 0;
  }
  return { x: tensor(x, [n, steps, 1]), y: tensor(y, [n, 1]) };
}

(async () => {
  const model = new Sequential([Input({ shape: [null, 1] }), new LSTM(16), new Dense(1, { activation: 'sigmoid' })], { name: 'trend_classifier' });
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
  // Lengths take turns, so the model learns series of any length.
  for (let round = 0; round < 12; round++) {
    for (const steps of [6, 12, 24]) {
      const { x, y } = series(512, steps);
      await model.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0 });
    }
  }
  for (const steps of [8, 30]) {
    const { x, y } = series(500, steps);
    const [loss, acc] = await model.evaluate(x, y);
    console.log(`held-out series of ${steps} steps: loss ${loss.toFixed(4)}, accuracy ${(acc * 100).toFixed(1)} %`);
  }
  const file = path.join(__dirname, '..', 'models', 'trend-classifier', 'model.keras');
  await model.save(file);
  console.log(`saved ${file}`);
})();
