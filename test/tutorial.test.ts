// The Keras RNN tutorial notes (shared/seeds) as specifications: the same shapes, names,
// parameter counts, summary tables and behaviour in rnnkit.
import {
  Bidirectional,
  Dense,
  Embedding,
  LSTM,
  Sequential,
  SimpleRNN,
  Tensor,
  clearSession,
  tensor,
} from '../src';

const silent = { printFn: () => {} };

// tf.keras 2.x summary tables as the notes show them (their '=' rules were eaten by Markdown).
const table = (name: string, rows: [string, string, string][], total: string): string =>
  [
    `Model: "${name}"`,
    '_'.repeat(65),
    ' Layer (type)                Output Shape              Param #   ',
    '='.repeat(65),
    ...rows.flatMap(([layer, shape, params]) => [` ${layer.padEnd(27)} ${shape.padEnd(25)} ${params.padEnd(10)}`, ' '.repeat(65)]),
    '='.repeat(65),
    `Total params: ${total}`,
    `Trainable params: ${total}`,
    'Non-trainable params: 0',
    '_'.repeat(65),
  ].join('\n');

// The tutorial's 1 x 4 x 5 train_x.
const trainX = [
  [
    [0.1, 4.2, 1.5, 1.1, 2.8],
    [1.0, 3.1, 2.5, 0.7, 1.1],
    [0.3, 2.1, 1.5, 2.1, 0.1],
    [2.2, 1.4, 0.5, 0.9, 1.1],
  ],
];

beforeEach(() => clearSession());

describe('SimpleRNN summaries', () => {
  test('SimpleRNN(3, inputShape [2, 10]) has output (None, 3) and 42 params', () => {
    const model = new Sequential();
    model.add(new SimpleRNN(3, { inputShape: [2, 10] }));
    expect(model.summary(silent)).toBe(table('sequential', [['simple_rnn (SimpleRNN)', '(None, 3)', '42']], '42'));
    expect(model.countParams()).toBe(42);
  });

  test('inputLength 2 + inputDim 10 is the same as inputShape [2, 10]', () => {
    const model = new Sequential();
    model.add(new SimpleRNN(3, { inputLength: 2, inputDim: 10 }));
    expect(model.outputShape).toEqual([null, 3]);
    expect(model.countParams()).toBe(42);
  });

  test('batchInputShape [8, 2, 10] gives output (8, 3)', () => {
    new Sequential(); // the notes' second model is sequential_1
    const model = new Sequential();
    model.add(new SimpleRNN(3, { batchInputShape: [8, 2, 10] }));
    expect(model.summary(silent)).toBe(table('sequential_1', [['simple_rnn (SimpleRNN)', '(8, 3)', '42']], '42'));
  });

  test('returnSequences with batchInputShape [8, 2, 10] gives output (8, 2, 3)', () => {
    const model = new Sequential();
    model.add(new SimpleRNN(3, { batchInputShape: [8, 2, 10], returnSequences: true }));
    expect(model.summary(silent)).toBe(table('sequential', [['simple_rnn (SimpleRNN)', '(8, 2, 3)', '42']], '42'));
  });

  test('summary() prints the table it returns', () => {
    const model = new Sequential([new SimpleRNN(3, { inputShape: [2, 10] })]);
    const lines: string[] = [];
    const text = model.summary({ printFn: (l) => lines.push(l) });
    expect(lines.join('\n')).toBe(text);
  });

  test('successive layers are named simple_rnn, simple_rnn_1, simple_rnn_2', () => {
    expect([new SimpleRNN(3).name, new SimpleRNN(3).name, new SimpleRNN(3).name]).toEqual(['simple_rnn', 'simple_rnn_1', 'simple_rnn_2']);
  });
});

describe('the numpy recurrence h_t = tanh(Wx x_t + Wh h_{t-1} + b)', () => {
  test('SimpleRNN(8) with kernel Wx^T, recurrent kernel Wh^T, bias b reproduces the loop over 10 steps', () => {
    const timesteps = 10;
    const inputDim = 4;
    const hidden = 8;
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647); // np.random.random stand-in
    const inputs = Array.from({ length: timesteps }, () => Array.from({ length: inputDim }, random));
    const Wx = Array.from({ length: hidden }, () => Array.from({ length: inputDim }, random));
    const Wh = Array.from({ length: hidden }, () => Array.from({ length: hidden }, random));
    const b = Array.from({ length: hidden }, random);

    // The tutorial's loop, transcribed.
    let state = new Array<number>(hidden).fill(0);
    const total: number[][] = [];
    for (const x of inputs) {
      state = state.map((_, i) => Math.tanh(Wx[i].reduce((s, w, j) => s + w * x[j], 0) + Wh[i].reduce((s, w, j) => s + w * state[j], 0) + b[i]));
      total.push(state);
    }

    const rnn = new SimpleRNN(hidden, { returnSequences: true });
    rnn.build([1, timesteps, inputDim]);
    const transpose = (m: number[][]) => m[0].map((_, j) => m.map((row) => row[j]));
    rnn.setWeights([transpose(Wx), transpose(Wh), b]);
    const out = rnn.apply([inputs]) as Tensor;
    expect(out.shape).toEqual([1, timesteps, hidden]);
    const got = out.toArray() as number[][][];
    total.forEach((row, t) => row.forEach((v, i) => expect(Math.abs(got[0][t][i] - v)).toBeLessThanOrEqual(1e-5)));
  });
});

describe('deep and bidirectional stacks', () => {
  test('two stacked SimpleRNN(8) over (10, 5) have 112 + 136 = 248 params', () => {
    const model = new Sequential();
    model.add(new SimpleRNN(8, { inputLength: 10, inputDim: 5, returnSequences: true }));
    model.add(new SimpleRNN(8, { returnSequences: true }));
    expect(model.summary(silent)).toBe(
      table('sequential', [['simple_rnn (SimpleRNN)', '(None, 10, 8)', '112'], ['simple_rnn_1 (SimpleRNN)', '(None, 10, 8)', '136']], '248'),
    );
  });

  test('a deep RNN added without input shapes builds on first predict', () => {
    const model = new Sequential();
    model.add(new SimpleRNN(8, { returnSequences: true }));
    model.add(new SimpleRNN(8, { returnSequences: true }));
    expect(model.built).toBe(false);
    const y = model.predict(tensor(new Float32Array(2 * 10 * 5), [2, 10, 5]));
    expect(y.shape).toEqual([2, 10, 8]);
    expect(model.countParams()).toBe(248);
  });

  test('Bidirectional(SimpleRNN(8, returnSequences), inputShape [10, 5]) outputs (None, 10, 16) with 224 params', () => {
    const model = new Sequential();
    model.add(new Bidirectional(new SimpleRNN(8, { returnSequences: true }), { inputShape: [10, 5] }));
    // Keras wraps a name longer than its column onto the next line, pushing the row right by one.
    expect(model.summary(silent).split('\n').slice(4, 7)).toEqual([
      ' bidirectional (Bidirectiona  (None, 10, 16)           224       ',
      ' l)                                                              ',
      ' '.repeat(65),
    ]);
    expect(model.countParams()).toBe(224);
  });

  test('four stacked Bidirectional(SimpleRNN(8)) have 224 + 3 x 400 params', () => {
    const model = new Sequential();
    model.add(new Bidirectional(new SimpleRNN(8, { returnSequences: true }), { inputShape: [10, 5] }));
    for (let i = 0; i < 3; i++) model.add(new Bidirectional(new SimpleRNN(8, { returnSequences: true })));
    expect(model.layers.map((l) => l.countParams())).toEqual([224, 400, 400, 400]);
    expect(model.countParams()).toBe(1424);
    expect(model.outputShape).toEqual([null, 10, 16]);
  });

  test('the input shape may be given to the wrapped layer, as in the notes', () => {
    const model = new Sequential();
    model.add(new Bidirectional(new SimpleRNN(8, { returnSequences: true, inputShape: [10, 5] })));
    expect(model.outputShape).toEqual([null, 10, 16]);
    expect(model.countParams()).toBe(224);
  });
});

describe('the quiz model', () => {
  test('Embedding(5000, 100) + SimpleRNN(128) + Dense(1, sigmoid) has 529,441 params', () => {
    const model = new Sequential();
    model.add(new Embedding(5000, 100));
    model.add(new SimpleRNN(128));
    model.add(new Dense(1, { activation: 'sigmoid' }));
    expect(model.summary(silent)).toBe(
      table(
        'sequential',
        [
          ['embedding (Embedding)', '(None, None, 100)', '500000'],
          ['simple_rnn (SimpleRNN)', '(None, 128)', '29312'],
          ['dense (Dense)', '(None, 1)', '129'],
        ],
        '529,441',
      ),
    );
  });

  test('it scores a batch of 30-id sequences with probabilities', () => {
    const model = new Sequential([new Embedding(5000, 100), new SimpleRNN(128), new Dense(1, { activation: 'sigmoid' })]);
    const ids = Array.from({ length: 4 }, (_, b) => Array.from({ length: 30 }, (_, t) => (b * 977 + t * 131) % 5000));
    const y = model.predict(ids);
    expect(y.shape).toEqual([4, 1]);
    for (const p of y.data) expect(p > 0 && p < 1).toBe(true);
  });
});

describe('return_sequences and return_state on train_x (1 x 4 x 5)', () => {
  test('SimpleRNN(3) returns the last hidden state, shape (1, 3)', () => {
    const out = new SimpleRNN(3).apply(trainX) as Tensor;
    expect(out.shape).toEqual([1, 3]);
  });

  test('SimpleRNN(3, returnSequences) returns every step, shape (1, 4, 3), its last step being the final state', () => {
    const rnn = new SimpleRNN(3, { returnSequences: true, returnState: true });
    const [seq, last] = rnn.apply(trainX) as Tensor[];
    expect(seq.shape).toEqual([1, 4, 3]);
    expect(last.shape).toEqual([1, 3]);
    expect(Array.from(seq.data.subarray(9, 12))).toEqual(Array.from(last.data));
  });

  test('SimpleRNN(3, returnState) without sequences returns the same tensor twice', () => {
    const [h, last] = new SimpleRNN(3, { returnState: true }).apply(trainX) as Tensor[];
    expect(h.shape).toEqual([1, 3]);
    expect(Array.from(h.data)).toEqual(Array.from(last.data));
  });

  test('LSTM(3, returnState) returns [hidden, last hidden, last cell], each (1, 3)', () => {
    const [h, lastH, lastC] = new LSTM(3, { returnState: true }).apply(trainX) as Tensor[];
    expect([h.shape, lastH.shape, lastC.shape]).toEqual([[1, 3], [1, 3], [1, 3]]);
    expect(Array.from(h.data)).toEqual(Array.from(lastH.data));
    expect(Array.from(lastC.data)).not.toEqual(Array.from(lastH.data));
  });

  test('LSTM(3, returnSequences, returnState) returns (1, 4, 3), (1, 3), (1, 3)', () => {
    const [seq, lastH, lastC] = new LSTM(3, { returnSequences: true, returnState: true }).apply(trainX) as Tensor[];
    expect([seq.shape, lastH.shape, lastC.shape]).toEqual([[1, 4, 3], [1, 3], [1, 3]]);
    expect(Array.from(seq.data.subarray(9, 12))).toEqual(Array.from(lastH.data));
  });
});
