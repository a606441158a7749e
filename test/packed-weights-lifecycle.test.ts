// Recurrent layers pack their weights once per set of weights (binding.d.ts packRnnWeights), not on
// every call: the kernels seen by the layers are wrapped here to count packRnnWeights calls.
import type { Kernels } from '../src/backend/kernels';

const counts = { pack: 0 };
let swapped: Kernels | null = null;

jest.mock('../src/backend', () => {
  const actual = jest.requireActual('../src/backend');
  let wrapped: Kernels | null = null;
  const wrap = (k: Kernels): Kernels => ({
    ...k,
    packRnnWeights: (args) => {
      counts.pack++;
      return k.packRnnWeights(args);
    },
  });
  return {
    ...actual,
    kernels: (): Kernels => swapped ?? (wrapped ??= wrap(actual.kernels())),
  };
});

import { Bidirectional, GRU, LSTM, Sequential, SimpleRNN, Tensor } from '../src';

function input(batch: number, steps: number, features: number, offset = 0): Tensor {
  return new Tensor(Float32Array.from({ length: batch * steps * features }, (_, i) => Math.sin(i * 0.37 + offset)), [batch, steps, features]);
}

beforeEach(() => {
  counts.pack = 0;
  swapped = null;
});

test.each([
  ['SimpleRNN', () => new SimpleRNN(6, { seed: 1 })],
  ['LSTM', () => new LSTM(6, { seed: 1 })],
  ['GRU', () => new GRU(6, { seed: 1 })],
  ['GRU resetAfter false', () => new GRU(6, { seed: 1, resetAfter: false })],
])('a %s layer packs its weights once for many calls, sync and async', async (_name, make) => {
  const layer = make();
  for (let i = 0; i < 3; i++) layer.apply(input(2, 4, 3, i));
  for (let i = 0; i < 3; i++) await layer.applyAsync(input(1, 5, 3, i));
  expect(counts.pack).toBe(1);
});

test('setWeights makes the next call pack the new weights, and use them', () => {
  const layer = new LSTM(5, { seed: 2 });
  const x = input(3, 4, 2);
  const before = layer.apply(x) as Tensor;
  const other = new LSTM(5, { seed: 3 });
  const want = other.apply(x) as Tensor;
  layer.setWeights(other.getWeights());
  const after = layer.apply(x) as Tensor;
  expect(counts.pack).toBe(3); // layer, other, layer again
  expect(Array.from(after.data)).toEqual(Array.from(want.data));
  expect(Array.from(after.data)).not.toEqual(Array.from(before.data));
});

test('a Sequential model packs each recurrent layer once over many predict calls', async () => {
  const model = new Sequential();
  model.add(new LSTM(4, { inputShape: [6, 3], returnSequences: true, seed: 4 }));
  model.add(new Bidirectional(new GRU(3, { seed: 5 })));
  for (let i = 0; i < 4; i++) model.predict(input(2, 6, 3, i));
  await model.predictAsync(input(5, 6, 3));
  expect(counts.pack).toBe(3); // the LSTM and the two directions of the Bidirectional GRU
});

test('model.setWeights re-packs every recurrent layer once', () => {
  const model = new Sequential();
  model.add(new SimpleRNN(4, { inputShape: [6, 3], returnSequences: true, seed: 6 }));
  model.add(new LSTM(2, { seed: 7 }));
  model.predict(input(1, 6, 3));
  model.setWeights(model.getWeights());
  model.predict(input(1, 6, 3));
  model.predict(input(1, 6, 3));
  expect(counts.pack).toBe(4);
});

test('a layer packs again for another backend, since a handle works only with the backend that made it', () => {
  const layer = new SimpleRNN(3, { seed: 8 });
  const x = input(2, 3, 2);
  const first = layer.apply(x) as Tensor;
  const real: Kernels = jest.requireActual('../src/backend').kernels(); // not the counting wrapper
  swapped = { ...real, packRnnWeights: (args) => (counts.pack++, real.packRnnWeights(args)) };
  const second = layer.apply(x) as Tensor;
  expect(counts.pack).toBe(2);
  expect(Array.from(second.data)).toEqual(Array.from(first.data));
});
