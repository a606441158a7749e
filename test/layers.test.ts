// Layer behaviour beyond Keras's golden cases: masks flowing between layers, stateful calls,
// initialisers and seeds, Dense over time, async prediction.
import {
  Bidirectional,
  Dense,
  Dropout,
  Embedding,
  GRU,
  Input,
  LSTM,
  Masking,
  Sequential,
  SimpleRNN,
  Tensor,
  tensor,
} from '../src';

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

function randomTensor(shape: number[], seed: number): Tensor {
  let s = seed >>> 0;
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  });
  return tensor(data, shape);
}

describe('masks flow from Embedding(maskZero) through recurrent layers', () => {
  const recurrent = [
    ['SimpleRNN', () => new SimpleRNN(5, { seed: 1 })],
    ['LSTM', () => new LSTM(5, { seed: 2 })],
    ['GRU', () => new GRU(5, { seed: 3 })],
    ['GRU resetAfter false', () => new GRU(5, { seed: 4, resetAfter: false })],
    ['Bidirectional LSTM', () => new Bidirectional(new LSTM(5, { seed: 5 }))],
  ] as const;

  test.each(recurrent)('%s: trailing padding ids 0 do not change the result', (_name, make) => {
    const model = new Sequential([new Embedding(20, 4, { maskZero: true, seed: 9 }), make(), new Dense(2, { seed: 11 })]);
    const padded = model.predict([[3, 5, 7, 0, 0], [1, 2, 3, 4, 5]]);
    const unpadded = model.predict([[3, 5, 7]]);
    expect(maxAbsDiff(padded.data.subarray(0, 2), unpadded.data)).toBeLessThanOrEqual(1e-6);
  });

  test('Masking(maskValue) masks all-equal steps for the next layer', () => {
    const model = new Sequential([new Masking({ maskValue: -1, inputShape: [null, 3] }), new LSTM(4, { seed: 6 })]);
    const real = [[0.1, 0.2, 0.3], [0.4, -0.5, 0.6]];
    const padded = model.predict([[...real, [-1, -1, -1], [-1, -1, -1]]]);
    const unpadded = model.predict([real]);
    expect(maxAbsDiff(padded.data, unpadded.data)).toBeLessThanOrEqual(1e-6);
  });

  test('returnSequences passes the mask on to the next recurrent layer', () => {
    const model = new Sequential([
      new Embedding(20, 4, { maskZero: true, seed: 9 }),
      new SimpleRNN(3, { returnSequences: true, seed: 1 }),
      new GRU(2, { seed: 2 }),
    ]);
    const padded = model.predict([[4, 8, 0, 0]]);
    const unpadded = model.predict([[4, 8]]);
    expect(maxAbsDiff(padded.data, unpadded.data)).toBeLessThanOrEqual(1e-6);
  });
});

describe('stateful layers', () => {
  test('two calls on halves of a sequence equal one call on the whole, until resetStates()', () => {
    const x = randomTensor([2, 6, 3], 42);
    const half = (from: number) => {
      const data = new Float32Array(2 * 3 * 3);
      for (let b = 0; b < 2; b++) data.set(x.data.subarray((b * 6 + from) * 3, (b * 6 + from + 3) * 3), b * 9);
      return tensor(data, [2, 3, 3]);
    };
    const whole = new LSTM(4, { seed: 3 });
    const stateful = new LSTM(4, { seed: 3, stateful: true });
    const expected = whole.apply(x) as Tensor;
    stateful.apply(half(0));
    const second = stateful.apply(half(3)) as Tensor;
    expect(maxAbsDiff(second.data, expected.data)).toBeLessThanOrEqual(1e-6);
    stateful.resetStates();
    const fresh = stateful.apply(half(3)) as Tensor;
    const reference = (new LSTM(4, { seed: 3 }).apply(half(3)) as Tensor).data;
    expect(maxAbsDiff(fresh.data, reference)).toBeLessThanOrEqual(1e-6);
  });
});

describe('weights', () => {
  test('getWeights is in Keras order with Keras shapes for each cell', () => {
    const shapes = (l: SimpleRNN | LSTM | GRU) => {
      l.build([null, 7, 5]);
      return l.weights.map((w) => `${w.name}${JSON.stringify(w.shape)}`);
    };
    expect(shapes(new SimpleRNN(3))).toEqual(['kernel[5,3]', 'recurrent_kernel[3,3]', 'bias[3]']);
    expect(shapes(new LSTM(3))).toEqual(['kernel[5,12]', 'recurrent_kernel[3,12]', 'bias[12]']);
    expect(shapes(new GRU(3))).toEqual(['kernel[5,9]', 'recurrent_kernel[3,9]', 'bias[2,9]']);
    expect(shapes(new GRU(3, { resetAfter: false }))).toEqual(['kernel[5,9]', 'recurrent_kernel[3,9]', 'bias[9]']);
    expect(shapes(new LSTM(3, { useBias: false }))).toEqual(['kernel[5,12]', 'recurrent_kernel[3,12]']);
  });

  test('the same seed gives the same weights; another seed, other weights', () => {
    const make = (seed: number) => {
      const l = new GRU(4, { seed });
      l.build([null, 2, 3]);
      return l.getWeights().flatMap((w) => Array.from(w.data));
    };
    expect(make(5)).toEqual(make(5));
    expect(make(5)).not.toEqual(make(6));
  });

  test('LSTM unitForgetBias sets the forget gate bias to 1 and the others to 0', () => {
    const l = new LSTM(2, { seed: 1 });
    l.build([null, 1, 1]);
    expect(Array.from(l.getWeights()[2].data)).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
  });

  test('glorot_uniform kernels stay within sqrt(6 / (fanIn + fanOut))', () => {
    const l = new SimpleRNN(30, { seed: 2 });
    l.build([null, 1, 20]);
    const limit = Math.sqrt(6 / 50);
    const kernel = l.getWeights()[0].data;
    expect(Math.max(...kernel.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...kernel.map(Math.abs))).toBeGreaterThan(limit * 0.8);
  });

  test('orthogonal recurrent kernels have orthonormal rows (R R^T = I)', () => {
    const l = new LSTM(6, { seed: 4 });
    l.build([null, 1, 2]);
    const r = l.getWeights()[1].data; // (6, 24)
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 6; j++) {
        let dot = 0;
        for (let k = 0; k < 24; k++) dot += r[i * 24 + k] * r[j * 24 + k];
        expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-5);
      }
    }
  });

  test('Bidirectional weights are the forward layer\'s then the backward layer\'s', () => {
    const bi = new Bidirectional(new SimpleRNN(2, { seed: 1 }));
    bi.build([null, 3, 4]);
    expect(bi.weights.map((w) => w.name)).toEqual([
      'forward_kernel',
      'forward_recurrent_kernel',
      'forward_bias',
      'backward_kernel',
      'backward_recurrent_kernel',
      'backward_bias',
    ]);
    expect(bi.forwardLayer.name).toMatch(/^forward_simple_rnn/);
    expect(bi.backwardLayer.goBackwards).toBe(true);
  });
});

describe('activations', () => {
  test('hard_sigmoid is Keras 3\'s by default; hard_sigmoid_keras2 is selectable and differs', () => {
    const x = randomTensor([2, 5, 3], 7);
    const run = (recurrentActivation: string) => {
      const l = new GRU(3, { seed: 8, recurrentActivation });
      return (l.apply(x) as Tensor).data;
    };
    expect(maxAbsDiff(run('hard_sigmoid'), run('hard_sigmoid_keras2'))).toBeGreaterThan(1e-4);
  });

  test('Dense softmax rows sum to 1', () => {
    const y = new Dense(5, { activation: 'softmax', seed: 2 }).apply(randomTensor([4, 3], 1)) as Tensor;
    for (let r = 0; r < 4; r++) expect(Math.abs(y.data.subarray(r * 5, r * 5 + 5).reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
  });
});

describe('Dense, Dropout and Input in sequences', () => {
  test('Dense on a 3-D input applies to every timestep, like on each 2-D slice', () => {
    const dense = new Dense(4, { activation: 'tanh', seed: 3 });
    const x = randomTensor([2, 3, 5], 9);
    const whole = dense.apply(x) as Tensor;
    expect(whole.shape).toEqual([2, 3, 4]);
    const flat = dense.apply(tensor(x.data, [6, 5])) as Tensor;
    expect(maxAbsDiff(whole.data, flat.data)).toBe(0);
  });

  test('Dropout passes inputs through at inference', () => {
    const x = randomTensor([2, 3], 1);
    expect((new Dropout(0.5).apply(x) as Tensor).data).toEqual(x.data);
  });

  test('Input([3, 1]) declares the model input like inputShape does', () => {
    const model = new Sequential([Input({ shape: [3, 1] }), new LSTM(20, { activation: 'relu' }), new Dense(5, { activation: 'relu' }), new Dense(1)]);
    expect(model.outputShape).toEqual([null, 1]);
    expect(model.layers.map((l) => l.countParams())).toEqual([1760, 105, 6]);
  });

  test('unroll is accepted and gives the same numbers', () => {
    const x = randomTensor([3, 4, 2], 5);
    const a = new LSTM(3, { seed: 1 }).apply(x) as Tensor;
    const b = new LSTM(3, { seed: 1, unroll: true }).apply(x) as Tensor;
    expect(maxAbsDiff(a.data, b.data)).toBe(0);
  });
});

describe('predictAsync', () => {
  const model = () =>
    new Sequential([new Bidirectional(new LSTM(6, { seed: 1, returnSequences: true }), { inputShape: [null, 4] }), new GRU(5, { seed: 2 }), new Dense(2, { seed: 3 })]);

  test('gives the same numbers as predict', async () => {
    const m = model();
    const x = randomTensor([9, 7, 4], 3);
    expect(maxAbsDiff((await m.predictAsync(x)).data, m.predict(x).data)).toBe(0);
  });

  test('many calls in flight at once all give their own correct results', async () => {
    const m = model();
    const inputs = Array.from({ length: 48 }, (_, i) => randomTensor([1 + (i % 5), 3 + (i % 4), 4], 100 + i));
    const expected = inputs.map((x) => m.predict(x).data);
    const results = await Promise.all(inputs.map((x) => m.predictAsync(x)));
    results.forEach((r, i) => expect(maxAbsDiff(r.data, expected[i])).toBe(0));
  });

  test('predict with batchSize gives the same numbers as one batch', () => {
    const m = model();
    const x = randomTensor([10, 5, 4], 8);
    expect(maxAbsDiff(m.predict(x, { batchSize: 3 }).data, m.predict(x).data)).toBeLessThanOrEqual(1e-6);
  });
});

describe('tensor()', () => {
  test('nested arrays round-trip through toArray()', () => {
    const values = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]];
    const t = tensor(values);
    expect(t.shape).toEqual([2, 2, 2]);
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(t.toArray()).toEqual(values);
  });

  test('integer typed arrays with a shape make Embedding ids', () => {
    const ids = tensor(Int32Array.from([1, 2, 3, 4]), [2, 2]);
    const y = new Embedding(5, 3).apply(ids) as Tensor;
    expect(y.shape).toEqual([2, 2, 3]);
  });

  test('a shape that does not match the data length is a ShapeError', () => {
    expect(() => tensor(new Float32Array(5), [2, 3])).toThrow(/shape \(2, 3\) needs 6 values, got 5/);
  });
});

describe('Embedding inputLength', () => {
  test('inputLength fixes the time dimension shown by the model', () => {
    const model = new Sequential([new Embedding(5000, 100, { inputLength: 30 }), new SimpleRNN(128)]);
    expect(model.layers[0].computeOutputShape([null, 30])).toEqual([null, 30, 100]);
    expect(model.summary({ printFn: () => {} })).toContain('(None, 30, 100)');
  });
});
