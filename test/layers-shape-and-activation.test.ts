// Activation, ReLU, Flatten and TimeDistributed (read from Keras model files): values, shapes,
// masks and summaries as Keras gives them.
import { Activation, Dense, Embedding, Flatten, Input, LSTM, ReLU, Sequential, Tensor, TimeDistributed, ValueError, tensor } from '../src';
import { expectError } from './helpers/errors';

const values = (t: Tensor | Tensor[]): number[] => Array.from((t as Tensor).data);

describe('Activation', () => {
  test('applies the activation elementwise to any shape', () => {
    const out = new Activation('relu').apply(tensor([[[-1, 2], [3, -4]]])) as Tensor;
    expect(out.shape).toEqual([1, 2, 2]);
    expect(values(out)).toEqual([0, 2, 3, 0]);
  });

  test('softmax runs over the last axis', () => {
    const out = values(new Activation('softmax').apply(tensor([[0, Math.log(3)]])));
    expect(out[0]).toBeCloseTo(0.25, 6);
    expect(out[1]).toBeCloseTo(0.75, 6);
  });

  test('an unknown activation is a ValueError naming the known ones', () => {
    expectError(() => new Activation('gelu'), ValueError, /unknown activation 'gelu'/, /tanh/);
  });
});

describe('ReLU', () => {
  test("Keras's formula: max_value cap, negative_slope below the threshold", () => {
    const layer = new ReLU({ maxValue: 2, negativeSlope: 0.5, threshold: 1 });
    expect(values(layer.apply(tensor([[-1, 0.5, 1, 1.5, 3]])))).toEqual([-1, -0.25, 1, 1.5, 2]);
  });

  test('defaults to max(x, 0)', () => {
    expect(values(new ReLU().apply(tensor([[-2, 0, 2]])))).toEqual([0, 0, 2]);
  });

  test('a negative maxValue is refused', () => {
    expectError(() => new ReLU({ maxValue: -1 }), ValueError, /maxValue must be a number >= 0/);
  });
});

describe('Flatten', () => {
  test('keeps row-major order and the batch', () => {
    const out = new Flatten().apply(tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])) as Tensor;
    expect(out.shape).toEqual([2, 4]);
    expect(values(out)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test('summary shows (None, timesteps * features)', () => {
    const model = new Sequential([Input({ shape: [5, 3] }), new LSTM(4, { returnSequences: true }), new Flatten(), new Dense(1)]);
    expect(model.outputShape).toEqual([null, 1]);
    expect(model.layers[1].computeOutputShape([null, 5, 4])).toEqual([null, 20]);
    expect(model.countParams()).toBe(4 * 4 * (3 + 4 + 1) + 21);
  });

  test("channels_first would reorder the values: refused", () => {
    expectError(() => new Flatten({ dataFormat: 'channels_first' as never }), ValueError, /channels_last/);
  });
});

describe('TimeDistributed(Dense)', () => {
  test('applies the same Dense to every timestep', () => {
    const dense = new Dense(2, { seed: 1 });
    const wrapped = new TimeDistributed(dense);
    const x = tensor([[[1, 2, 3], [4, 5, 6]]]);
    const out = wrapped.apply(x) as Tensor;
    expect(out.shape).toEqual([1, 2, 2]);
    const step0 = dense.apply(tensor([[1, 2, 3]])) as Tensor;
    const step1 = dense.apply(tensor([[4, 5, 6]])) as Tensor;
    expect(values(out)).toEqual([...values(step0), ...values(step1)]);
  });

  test("its weights are the wrapped layer's: setWeights reaches the Dense", () => {
    const wrapped = new TimeDistributed(new Dense(1, { useBias: false }));
    wrapped.build([null, 2, 2]);
    wrapped.setWeights([tensor([[1], [10]])]);
    expect(values(wrapped.apply(tensor([[[1, 2], [3, 4]]])))).toEqual([21, 43]);
    expect(wrapped.countParams()).toBe(2);
  });

  test('passes the mask on: padded steps change nothing after it', () => {
    const model = new Sequential([
      new Embedding(10, 3, { maskZero: true, inputLength: 4, seed: 2 }),
      new TimeDistributed(new Dense(3, { seed: 3 })),
      new LSTM(2, { seed: 4 }),
    ]);
    const padded = model.predict(tensor([[5, 6, 0, 0]]));
    const model2 = new Sequential([
      new Embedding(10, 3, { inputLength: 2, seed: 2 }),
      new TimeDistributed(new Dense(3, { seed: 3 })),
      new LSTM(2, { seed: 4 }),
    ]);
    model2.layers.forEach((l, i) => l.setWeights(model.layers[i].getWeights()));
    expect(Math.max(...values(padded).map((v, i) => Math.abs(v - values(model2.predict(tensor([[5, 6]])))[i])))).toBeLessThan(1e-6);
  });
});
