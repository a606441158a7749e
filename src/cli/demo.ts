// `rnnkit demo`: the Keras RNN tutorial's examples, run by rnnkit: the inference ones and the
// LSTM it trains on 13 sequences.
import { backend } from '../backend';
import { Bidirectional } from '../layers/bidirectional';
import { Dense } from '../layers/dense';
import { Embedding } from '../layers/embedding';
import { LSTM } from '../layers/lstm';
import { SimpleRNN } from '../layers/simple-rnn';
import { Sequential } from '../models/sequential';
import { SeededRandom, setRandomSeed } from '../random';
import { EarlyStopping } from '../training/callbacks';
import { Tensor, tensor } from '../tensor';
import { formatShapeTuple, formatTensor } from './format';

type Print = (line: string) => void;

function heading(print: Print, title: string): void {
  print('');
  print(`### ${title}`);
}

function summaries(print: Print): void {
  heading(print, 'SimpleRNN(3) with inputShape [2, 10], batchInputShape [8, 2, 10], and returnSequences');
  let model = new Sequential();
  model.add(new SimpleRNN(3, { inputShape: [2, 10] }));
  model.summary({ printFn: print });
  model = new Sequential();
  model.add(new SimpleRNN(3, { batchInputShape: [8, 2, 10] }));
  model.summary({ printFn: print });
  model = new Sequential();
  model.add(new SimpleRNN(3, { batchInputShape: [8, 2, 10], returnSequences: true }));
  model.summary({ printFn: print });
}

/** The tutorial's numpy loop, and the same numbers from a SimpleRNN given its weights. */
function numpyRecurrence(print: Print): void {
  heading(print, 'The numpy recurrence h_t = tanh(Wx x_t + Wh h_{t-1} + b), timesteps 10, input_dim 4, hidden 8');
  const [timesteps, inputDim, hidden] = [10, 4, 8];
  const rng = new SeededRandom(2024);
  const random = (...shape: number[]) => tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.next()), shape);
  const inputs = random(timesteps, inputDim);
  const Wx = random(hidden, inputDim);
  const Wh = random(hidden, hidden);
  const b = random(hidden);
  print(`initial hidden state: ${formatTensor(tensor(new Float32Array(hidden), [hidden]))}`);
  print(`Wx ${formatShapeTuple(Wx.shape)}, Wh ${formatShapeTuple(Wh.shape)}, b ${formatShapeTuple(b.shape)}`);

  let state = new Float64Array(hidden);
  const loop = new Float32Array(timesteps * hidden);
  for (let t = 0; t < timesteps; t++) {
    const next = new Float64Array(hidden);
    for (let i = 0; i < hidden; i++) {
      let z = b.data[i];
      for (let j = 0; j < inputDim; j++) z += Wx.data[i * inputDim + j] * inputs.data[t * inputDim + j];
      for (let j = 0; j < hidden; j++) z += Wh.data[i * hidden + j] * state[j];
      next[i] = Math.tanh(z);
    }
    state = next;
    loop.set(next, t * hidden);
  }

  const transpose = (m: Tensor) => {
    const [r, c] = m.shape;
    return tensor(Float32Array.from({ length: r * c }, (_, k) => m.data[(k % r) * c + Math.floor(k / r)]), [c, r]);
  };
  const rnn = new SimpleRNN(hidden, { returnSequences: true });
  rnn.build([1, timesteps, inputDim]);
  rnn.setWeights([transpose(Wx), transpose(Wh), b]); // Keras's kernel is Wx transposed
  const out = rnn.apply(tensor(inputs.data, [1, timesteps, inputDim])) as Tensor;
  const states = tensor(out.data, [timesteps, hidden]);
  let diff = 0;
  for (let i = 0; i < loop.length; i++) diff = Math.max(diff, Math.abs(loop[i] - out.data[i]));
  print(`all hidden states ${formatShapeTuple(states.shape)}, from SimpleRNN(${hidden}, returnSequences):`);
  print(formatTensor(states));
  print(`max |SimpleRNN - numpy loop| = ${diff.toExponential(2)}`);
}

function deepAndBidirectional(print: Print): void {
  heading(print, 'Deep RNN: two SimpleRNN(8, returnSequences) over input_length 10, input_dim 5');
  const deep = new Sequential();
  deep.add(new SimpleRNN(8, { inputLength: 10, inputDim: 5, returnSequences: true }));
  deep.add(new SimpleRNN(8, { returnSequences: true }));
  deep.summary({ printFn: print });

  heading(print, 'Bidirectional(SimpleRNN(8, returnSequences)), inputShape [10, 5]');
  const bi = new Sequential();
  bi.add(new Bidirectional(new SimpleRNN(8, { returnSequences: true }), { inputShape: [10, 5] }));
  bi.summary({ printFn: print });

  heading(print, 'Deep bidirectional RNN: four Bidirectional(SimpleRNN(8, returnSequences))');
  const deepBi = new Sequential();
  deepBi.add(new Bidirectional(new SimpleRNN(8, { returnSequences: true }), { inputShape: [10, 5] }));
  for (let i = 0; i < 3; i++) deepBi.add(new Bidirectional(new SimpleRNN(8, { returnSequences: true })));
  deepBi.summary({ printFn: print });
}

function quiz(print: Print): void {
  heading(print, 'Quiz: Embedding(5000, 100) + SimpleRNN(128) + Dense(1, sigmoid)');
  const model = new Sequential();
  model.add(new Embedding(5000, 100));
  model.add(new SimpleRNN(128));
  model.add(new Dense(1, { activation: 'sigmoid' }));
  model.summary({ printFn: print });
}

function returnStates(print: Print): void {
  const trainX = tensor([
    [
      [0.1, 4.2, 1.5, 1.1, 2.8],
      [1.0, 3.1, 2.5, 0.7, 1.1],
      [0.3, 2.1, 1.5, 2.1, 0.1],
      [2.2, 1.4, 0.5, 0.9, 1.1],
    ],
  ]);
  const show = (label: string, t: Tensor) => print(`${label} : ${formatTensor(t)}, shape: ${formatShapeTuple(t.shape)}`);
  heading(print, `return_sequences / return_state on train_x ${formatShapeTuple(trainX.shape)} (seeded weights)`);

  print('SimpleRNN(3)');
  show('hidden state', new SimpleRNN(3, { seed: 1 }).apply(trainX) as Tensor);
  print('SimpleRNN(3, returnSequences)');
  show('hidden states', new SimpleRNN(3, { seed: 1, returnSequences: true }).apply(trainX) as Tensor);
  print('SimpleRNN(3, returnSequences, returnState)');
  let [a, b, c] = new SimpleRNN(3, { seed: 1, returnSequences: true, returnState: true }).apply(trainX) as Tensor[];
  show('hidden states', a);
  show('last hidden state', b);
  print('SimpleRNN(3, returnState)');
  [a, b] = new SimpleRNN(3, { seed: 1, returnState: true }).apply(trainX) as Tensor[];
  show('hidden state', a);
  show('last hidden state', b);
  print('LSTM(3, returnState)');
  [a, b, c] = new LSTM(3, { seed: 2, returnState: true }).apply(trainX) as Tensor[];
  show('hidden state', a);
  show('last hidden state', b);
  show('last cell state', c);
  print('LSTM(3, returnSequences, returnState)');
  [a, b, c] = new LSTM(3, { seed: 2, returnSequences: true, returnState: true }).apply(trainX) as Tensor[];
  show('hidden states', a);
  show('last hidden state', b);
  show('last cell state', c);
}

/** The tutorial's last example: LSTM(20, relu) -> Dense(5, relu) -> Dense(1), adam, mse, early stopping. */
async function training(print: Print): Promise<void> {
  heading(print, 'Training: LSTM(20, relu) -> Dense(5, relu) -> Dense(1), adam, mse, EarlyStopping(loss, patience 10)');
  const starts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40];
  const step = (start: number) => (start < 20 ? 1 : 10);
  const x = tensor(starts.map((s) => [0, 1, 2].map((i) => [s + i * step(s)])));
  const y = tensor(starts.map((s) => s + 3 * step(s)));
  print(`x ${formatShapeTuple(x.shape)}, y ${formatShapeTuple(y.shape)}: 13 sequences of three numbers and the next one`);
  setRandomSeed(2024); // the demo prints the same numbers every run
  const model = new Sequential();
  model.add(new LSTM(20, { activation: 'relu', inputShape: [3, 1] }));
  model.add(new Dense(5, { activation: 'relu' }));
  model.add(new Dense(1));
  model.compile({ optimizer: 'adam', loss: 'mse' });
  const started = Date.now();
  const history = await model.fit(x, y, {
    epochs: 1000,
    batchSize: 1,
    verbose: 0,
    callbacks: [new EarlyStopping({ monitor: 'loss', patience: 10, mode: 'auto' })],
  });
  const losses = history.history.loss;
  print(`stopped after ${losses.length} of 1000 epochs in ${((Date.now() - started) / 1000).toFixed(1)} s, final loss ${losses[losses.length - 1].toFixed(4)}`);
  const prediction = model.predict(tensor([[[25], [35], [45]]]));
  print(`prediction for [25, 35, 45]: ${formatTensor(prediction)} (the tutorial's Keras run printed 55.68; the sequence continues with 55)`);
}

export async function runDemo(print: Print = (line) => console.log(line)): Promise<void> {
  const info = backend();
  print(`rnnkit demo: the Keras RNN tutorial, on the ${info.name} backend (${info.threads} thread${info.threads > 1 ? 's' : ''})`);
  summaries(print);
  numpyRecurrence(print);
  deepAndBidirectional(print);
  quiz(print);
  returnStates(print);
  await training(print);
  print('');
  print(`backend: ${info.name} — ${info.reason}`);
}
