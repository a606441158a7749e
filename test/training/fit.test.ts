// Sequential.compile / fit / evaluate: the training loop's behaviour, its wiring to the optimizer
// and the callbacks, and its errors.
import {
  Bidirectional,
  Dense,
  EarlyStopping,
  Embedding,
  GRU,
  LSTM,
  SGD,
  Sequential,
  ShapeError,
  SimpleRNN,
  StateError,
  Tensor,
  ValueError,
  setRandomSeed,
  tensor,
} from '../../src';
import type { Layer } from '../../src/layers/layer';
import { Rng } from '../helpers/random';

/** Sequences of 5 steps of 2 features; the target is the mean of the first feature. */
function regressionData(n: number, seed: string): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const x = rng.float32Array(n * 5 * 2, 1);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < 5; t++) s += x[(i * 5 + t) * 2];
    y[i] = s / 5;
  }
  return { x: new Tensor(x, [n, 5, 2]), y: new Tensor(y, [n, 1]) };
}

function model(layers: Layer[]): Sequential {
  const m = new Sequential();
  for (const l of layers) m.add(l);
  return m;
}

describe('fit trains every recurrent layer: the loss falls on a small regression task', () => {
  const makers: [string, () => Layer][] = [
    ['SimpleRNN', () => new SimpleRNN(8, { inputShape: [5, 2], seed: 1 })],
    ['LSTM', () => new LSTM(8, { inputShape: [5, 2], seed: 2 })],
    ['GRU', () => new GRU(8, { inputShape: [5, 2], seed: 3 })],
    ['GRU resetAfter false', () => new GRU(8, { inputShape: [5, 2], seed: 4, resetAfter: false })],
    ['Bidirectional LSTM', () => new Bidirectional(new LSTM(4, { seed: 5 }), { inputShape: [5, 2] })],
  ];
  test.each(makers)('%s', async (_name, make) => {
    setRandomSeed(7);
    const { x, y } = regressionData(64, 'regression');
    const m = model([make(), new Dense(1, { seed: 6 })]);
    m.compile({ optimizer: 'adam', loss: 'mse' });
    const before = (await m.evaluate(x, y)) as number;
    const history = await m.fit(x, y, { epochs: 40, batchSize: 16, verbose: 0 });
    const after = (await m.evaluate(x, y)) as number;
    expect(history.history.loss).toHaveLength(40);
    expect(after).toBeLessThan(before * 0.3);
  });
});

test('one SGD step on a Dense model moves the weights by -lr times the hand-computed MSE gradient', async () => {
  const x = tensor([[1, 2], [3, -1], [0.5, 0.25]]);
  const y = tensor([[1], [0], [2]]);
  const m = model([new Dense(1, { inputShape: [2], seed: 1 })]);
  const [w0, b0] = m.getWeights().map((t) => Array.from(t.data));
  m.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: 'mse' });
  await m.fit(x, y, { epochs: 1, batchSize: 3, shuffle: false, verbose: 0 });
  // mse = mean((xW + b - y)^2): d/dW = 2/N * X^T r, d/db = 2/N * sum(r)
  const rows = [[1, 2], [3, -1], [0.5, 0.25]];
  const r = rows.map((row, i) => row[0] * w0[0] + row[1] * w0[1] + b0[0] - [1, 0, 2][i]);
  const dW = [0, 1].map((j) => (2 / 3) * rows.reduce((s, row, i) => s + row[j] * r[i], 0));
  const db = (2 / 3) * r.reduce((a, b) => a + b, 0);
  const [w1, b1] = m.getWeights().map((t) => Array.from(t.data));
  expect(w1[0]).toBeCloseTo(w0[0] - 0.1 * dW[0], 5);
  expect(w1[1]).toBeCloseTo(w0[1] - 0.1 * dW[1], 5);
  expect(b1[0]).toBeCloseTo(b0[0] - 0.1 * db, 5);
});

test('fit is reproducible with setRandomSeed: the same history and weights, dropout and shuffling included', async () => {
  const run = async () => {
    setRandomSeed(123);
    const { x, y } = regressionData(32, 'reproducible');
    const m = model([new LSTM(4, { inputShape: [5, 2], dropout: 0.2, recurrentDropout: 0.2 }), new Dense(1)]);
    m.compile({ optimizer: 'rmsprop', loss: 'mae' });
    const h = await m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });
    return { loss: h.history.loss, weights: m.getWeights().map((t) => Array.from(t.data)) };
  };
  const a = await run();
  const b = await run();
  expect(b).toEqual(a);
});

test('History holds loss and metrics per epoch, and val_ ones with validationSplit', async () => {
  setRandomSeed(1);
  const { x, y } = regressionData(20, 'history');
  const m = model([new SimpleRNN(4, { inputShape: [5, 2] }), new Dense(1)]);
  m.compile({ optimizer: 'adam', loss: 'mse', metrics: ['mae'] });
  const h = await m.fit(x, y, { epochs: 3, batchSize: 4, validationSplit: 0.25, verbose: 0 });
  expect(Object.keys(h.history).sort()).toEqual(['loss', 'mae', 'val_loss', 'val_mae']);
  expect(h.epoch).toEqual([0, 1, 2]);
  for (const values of Object.values(h.history)) expect(values.every((v) => Number.isFinite(v))).toBe(true);
});

test('validation loss is the evaluate() loss of the held-out last samples', async () => {
  setRandomSeed(2);
  const { x, y } = regressionData(10, 'validation');
  const m = model([new SimpleRNN(3, { inputShape: [5, 2] }), new Dense(1)]);
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  const h = await m.fit(x, y, { epochs: 1, batchSize: 10, validationSplit: 0.2, verbose: 0 });
  const last = new Tensor(x.data.slice(8 * 10), [2, 5, 2]);
  const lastY = new Tensor(y.data.slice(8), [2, 1]);
  expect(h.history.val_loss[0]).toBeCloseTo((await m.evaluate(last, lastY)) as number, 6);
});

test('evaluate returns the loss, or [loss, ...metrics], computed as Keras does', async () => {
  const m = model([new Dense(1, { inputShape: [1], activation: 'sigmoid', seed: 3 })]);
  m.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
  const x = tensor([[-2], [-1], [1], [2]]);
  const y = tensor([[0], [1], [1], [1]]);
  const p = Array.from(m.predict(x).data);
  const bce = -[0, 1, 1, 1].reduce((s, t, i) => s + (t * Math.log(p[i]) + (1 - t) * Math.log(1 - p[i])), 0) / 4;
  const accuracy = [0, 1, 1, 1].filter((t, i) => (p[i] > 0.5 ? 1 : 0) === t).length / 4;
  const [loss, acc] = (await m.evaluate(x, y)) as number[];
  expect(loss).toBeCloseTo(bce, 5);
  expect(acc).toBeCloseTo(accuracy, 6);
  m.compile({ optimizer: 'adam', loss: 'binary_crossentropy' });
  expect(typeof (await m.evaluate(x, y))).toBe('number');
});

test('labels of shape (n,) are expanded for an output of shape (n, 1), as the tutorial passes them', async () => {
  const m = model([new Dense(1, { inputShape: [2], seed: 4 })]);
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  const x = tensor([[1, 2], [3, 4]]);
  const flat = (await m.evaluate(x, tensor([1, 2]))) as number;
  expect(flat).toBeCloseTo((await m.evaluate(x, tensor([[1], [2]]))) as number, 6);
});

test('an Embedding + SimpleRNN + sigmoid classifier learns a separable token task (sparse Embedding updates)', async () => {
  setRandomSeed(5);
  const rng = new Rng('tokens');
  const n = 64;
  const ids: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const positive = i % 2 === 0;
    ids.push(Array.from({ length: 6 }, () => (positive ? rng.int(1, 4) : rng.int(5, 9))));
    labels.push(positive ? 1 : 0);
  }
  const m = model([new Embedding(10, 4, { inputLength: 6 }), new SimpleRNN(8), new Dense(1, { activation: 'sigmoid' })]);
  m.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
  const h = await m.fit(tensor(ids), tensor(labels), { epochs: 15, batchSize: 8, verbose: 0 });
  expect(h.history.accuracy[h.history.accuracy.length - 1]).toBe(1);
});

test('EarlyStopping(restoreBestWeights) ends fit and puts back the best epoch\'s weights', async () => {
  setRandomSeed(6);
  const { x, y } = regressionData(16, 'early');
  const m = model([new SimpleRNN(4, { inputShape: [5, 2] }), new Dense(1)]);
  // A learning rate this large makes the loss diverge after the first steps.
  m.compile({ optimizer: new SGD({ learningRate: 3 }), loss: 'mse' });
  const snapshots: number[][][] = [];
  const h = await m.fit(x, y, {
    epochs: 50,
    batchSize: 16,
    verbose: 0,
    callbacks: [
      { onEpochEnd: () => void snapshots.push(m.getWeights().map((t) => Array.from(t.data))) },
      new EarlyStopping({ monitor: 'loss', patience: 2, restoreBestWeights: true }),
    ],
  });
  const losses = h.history.loss;
  expect(losses.length).toBeLessThan(50);
  const best = losses.indexOf(Math.min(...losses));
  expect(m.getWeights().map((t) => Array.from(t.data))).toEqual(snapshots[best]);
});

test('initialEpoch resumes the epoch count', async () => {
  const { x, y } = regressionData(8, 'resume');
  const m = model([new GRU(2, { inputShape: [5, 2] }), new Dense(1)]);
  m.compile({ loss: 'huber' });
  const h = await m.fit(x, y, { epochs: 5, initialEpoch: 2, verbose: 0 });
  expect(h.epoch).toEqual([2, 3, 4]);
});

test('callback objects get onEpochBegin/End and onBatchEnd with the running logs, in order', async () => {
  const { x, y } = regressionData(10, 'callbacks');
  const m = model([new SimpleRNN(2, { inputShape: [5, 2] }), new Dense(1)]);
  m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mse'] });
  const calls: string[] = [];
  await m.fit(x, y, {
    epochs: 2,
    batchSize: 4,
    verbose: 0,
    callbacks: [
      {
        onEpochBegin: (e: number) => void calls.push(`begin ${e}`),
        onBatchEnd: (b: number, logs?: Record<string, number>) => void calls.push(`batch ${b} ${Object.keys(logs ?? {}).join(',')}`),
        onEpochEnd: (e: number) => void calls.push(`end ${e}`),
      },
    ],
  });
  expect(calls).toEqual([
    'begin 0', 'batch 0 loss,mse', 'batch 1 loss,mse', 'batch 2 loss,mse', 'end 0',
    'begin 1', 'batch 0 loss,mse', 'batch 1 loss,mse', 'batch 2 loss,mse', 'end 1',
  ]);
});

test('the event loop keeps running during fit (timers fire between batches)', async () => {
  const { x, y } = regressionData(64, 'loop');
  const m = model([new LSTM(16, { inputShape: [5, 2] }), new Dense(1)]);
  m.compile({ optimizer: 'adam', loss: 'mse' });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  let ticksAtEnd = -1;
  try {
    await m.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [{ onTrainEnd: () => void (ticksAtEnd = ticks) }] });
  } finally {
    clearInterval(timer); // also when fit fails: a live interval would keep jest from exiting
  }
  expect(ticksAtEnd).toBeGreaterThan(10);
});

test('verbose 2 prints one line per epoch with the logs', async () => {
  const { x, y } = regressionData(8, 'verbose');
  const m = model([new SimpleRNN(2, { inputShape: [5, 2] }), new Dense(1)]);
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 2 });
  } finally {
    spy.mockRestore();
  }
  const text = written.join('');
  expect(text).toContain('Epoch 1/2');
  expect(text).toContain('Epoch 2/2');
  expect(text.match(/2\/2 - .* - loss: [\d.e-]+/g)).toHaveLength(2);
});

describe('bad input gets typed errors', () => {
  const x = tensor([[[1], [2]], [[3], [4]]]);
  const y = tensor([[1], [2]]);
  const fresh = () => model([new SimpleRNN(2, { inputShape: [2, 1] }), new Dense(1)]);

  test('fit before compile', async () => {
    await expect(fresh().fit(x, y)).rejects.toThrow(StateError);
    await expect(fresh().fit(x, y)).rejects.toThrow(/must be compiled first/);
  });

  test('unknown optimizer, loss and compile option names', () => {
    expect(() => fresh().compile({ optimizer: 'adamw', loss: 'mse' })).toThrow(ValueError);
    expect(() => fresh().compile({ optimizer: 'adam', loss: 'mean_squared_errr' })).toThrow(ValueError);
    expect(() => fresh().compile({ optimizer: 'adam', loss: 'mse', metric: ['mae'] } as never)).toThrow(/unknown option 'metric'/);
  });

  test('x and y with different numbers of samples', async () => {
    const m = fresh();
    m.compile({ optimizer: 'adam', loss: 'mse' });
    await expect(m.fit(x, tensor([[1], [2], [3]]))).rejects.toThrow(ShapeError);
    await expect(m.fit(x, tensor([[1], [2], [3]]))).rejects.toThrow(/same number of samples.*\(2\).*\(3\)/);
  });

  test('labels of the wrong shape for the loss', async () => {
    const m = fresh();
    m.compile({ optimizer: 'adam', loss: 'mse' });
    await expect(m.fit(x, tensor([[1, 2], [3, 4]]))).rejects.toThrow(/expects labels of shape \(None, 1\).*got y \(2, 2\)/);
    m.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    await expect(m.fit(x, tensor([[[1]], [[2]]]))).rejects.toThrow(ShapeError);
  });

  test('unknown fit options and bad values', async () => {
    const m = fresh();
    m.compile({ optimizer: 'adam', loss: 'mse' });
    await expect(m.fit(x, y, { epoch: 3 } as never)).rejects.toThrow(/unknown option 'epoch'/);
    await expect(m.fit(x, y, { batchSize: 0 })).rejects.toThrow(/batchSize must be an integer >= 1/);
    await expect(m.fit(x, y, { validationSplit: 1 })).rejects.toThrow(/validationSplit/);
    await expect(m.fit(tensor([[[NaN], [2]], [[3], [4]]]), y)).rejects.toThrow(/finite numbers/);
  });
});
