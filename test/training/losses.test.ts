// Losses: Keras 3 values (per-sample mean over the last axis, or sum over classes, then the mean over the
// rest), gradients by hand and by central finite differences, masked weights, names and errors.
import { InputTypeError, ShapeError, ValueError } from '../../src/errors';
import {
  BinaryCrossentropy,
  CategoricalCrossentropy,
  Huber,
  Loss,
  MeanAbsoluteError,
  MeanSquaredError,
  SparseCategoricalCrossentropy,
  getLoss,
} from '../../src/training/losses';

function f32(values: number[]): Float32Array {
  return Float32Array.from(values);
}

function expectValues(actual: Float32Array, expected: number[], digits = 6): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, digits));
}

/** Central differences of the loss value; the step actually taken is what float32 storage allows. */
function finiteDifferenceGrad(loss: Loss, yTrue: Float32Array, yPred: Float32Array, shape: number[], weights: Float32Array | null = null): number[] {
  const h = 1e-4;
  return Array.from(yPred, (p, i) => {
    const up = Float32Array.from(yPred);
    const down = Float32Array.from(yPred);
    up[i] = p + h;
    down[i] = p - h;
    return (loss.compute(yTrue, up, shape, weights).loss - loss.compute(yTrue, down, shape, weights).loss) / (up[i] - down[i]);
  });
}

function expectGradMatchesFiniteDifferences(loss: Loss, yTrue: Float32Array, yPred: Float32Array, shape: number[], weights: Float32Array | null = null): void {
  const { grad } = loss.compute(yTrue, yPred, shape, weights);
  const numeric = finiteDifferenceGrad(loss, yTrue, yPred, shape, weights);
  numeric.forEach((n, i) => expect(Math.abs(grad[i] - n)).toBeLessThan(1e-4 * Math.max(1, Math.abs(n))));
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

describe('MeanSquaredError', () => {
  test("Keras's example: [1, 0, 1] vs [0.9, 0.1, 0.8] gives 0.02", () => {
    expect(new MeanSquaredError().compute(f32([1, 0, 1]), f32([0.9, 0.1, 0.8]), [1, 3]).loss).toBeCloseTo(0.02, 7);
  });

  test('averages the squares over the last axis, then over the samples; gradient 2 (p - t) / size', () => {
    const { loss, grad } = new MeanSquaredError().compute(f32([1, 2, 3, 4]), f32([1.5, 2, 2, 5]), [2, 2]);
    // samples: (0.25 + 0) / 2 = 0.125 and (1 + 1) / 2 = 1
    expect(loss).toBeCloseTo((0.125 + 1) / 2, 10);
    expectValues(grad, [(2 * 0.5) / 4, 0, (2 * -1) / 4, (2 * 1) / 4]);
  });

  test('the gradient matches finite differences', () => {
    expectGradMatchesFiniteDifferences(new MeanSquaredError(), f32([0.3, -1, 2, 0.5, 0, 1]), f32([0.1, -0.4, 2.5, 1.5, -0.2, 0.7]), [3, 2]);
  });
});

describe('MeanAbsoluteError', () => {
  test("Keras's example: [1, 0.3, 1] vs [1.9, 0.3, 1.8] gives 0.5666667", () => {
    expect(new MeanAbsoluteError().compute(f32([1, 0.3, 1]), f32([1.9, 0.3, 1.8]), [1, 3]).loss).toBeCloseTo(0.5666667, 6);
  });

  test('the gradient is sign(p - t) / size, 0 where they are equal', () => {
    const { grad } = new MeanAbsoluteError().compute(f32([1, 0.5, 1, 0]), f32([2, 0.5, 0, 0.25]), [2, 2]);
    expectValues(grad, [1 / 4, 0, -1 / 4, 1 / 4]);
  });

  test('the gradient matches finite differences', () => {
    expectGradMatchesFiniteDifferences(new MeanAbsoluteError(), f32([0.3, -1, 2, 0.5]), f32([0.1, -0.4, 2.5, 1.5]), [2, 2]);
  });
});

describe('Huber', () => {
  test("Keras's example: [[0, 1], [0, 0]] vs [[0.6, 0.4], [0.4, 0.6]] gives 0.155", () => {
    expect(new Huber().compute(f32([0, 1, 0, 0]), f32([0.6, 0.4, 0.4, 0.6]), [2, 2]).loss).toBeCloseTo(0.155, 7);
  });

  test('is quadratic up to delta and linear beyond: delta |e| - delta^2 / 2, gradient delta sign(e)', () => {
    const delta = 0.5;
    const { loss, grad } = new Huber({ delta }).compute(f32([0, 0]), f32([2, 0.25]), [1, 2]);
    expect(loss).toBeCloseTo((delta * 2 - 0.5 * delta * delta + 0.5 * 0.25 * 0.25) / 2, 10);
    expectValues(grad, [delta / 2, 0.25 / 2]);
  });

  test('the gradient matches finite differences on both sides of delta', () => {
    expectGradMatchesFiniteDifferences(new Huber({ delta: 0.7 }), f32([0, 1, 2, -1]), f32([0.3, -0.5, 2.1, 1]), [2, 2]);
  });

  test('a delta that is not a finite number > 0 is rejected', () => {
    expect(() => new Huber({ delta: 0 })).toThrow(ValueError);
    expect(() => new Huber({ delta: '1' as unknown as number })).toThrow(InputTypeError);
  });
});

describe('BinaryCrossentropy', () => {
  test("Keras's example: [[0, 1], [0, 0]] vs [[0.6, 0.4], [0.4, 0.6]] gives the mean of 0.916 and 0.714", () => {
    const sample1 = (-Math.log(0.4) - Math.log(0.4)) / 2;
    const sample2 = (-Math.log(0.6) - Math.log(0.4)) / 2;
    const { loss } = new BinaryCrossentropy().compute(f32([0, 1, 0, 0]), f32([0.6, 0.4, 0.4, 0.6]), [2, 2]);
    expect(sample1).toBeCloseTo(0.916, 3);
    expect(sample2).toBeCloseTo(0.714, 3);
    expect(loss).toBeCloseTo((sample1 + sample2) / 2, 6);
  });

  test('the gradient is (-t / p + (1 - t) / (1 - p)) / size', () => {
    const { grad } = new BinaryCrossentropy().compute(f32([1, 0, 0.25]), f32([0.8, 0.3, 0.5]), [3, 1]);
    expectValues(grad, [-1 / 0.8 / 3, 1 / 0.7 / 3, (-0.25 / 0.5 + 0.75 / 0.5) / 3]);
  });

  test('clips probabilities to [1e-7, 1 - 1e-7], with a zero gradient outside', () => {
    const { loss, grad } = new BinaryCrossentropy().compute(f32([1, 1]), f32([0, 1]), [2, 1]);
    expect(loss).toBeCloseTo((-Math.log(1e-7) - Math.log(1 - 1e-7)) / 2, 6);
    expectValues(grad, [0, 0]);
  });

  test("from logits: Keras's example [0, 1, 0, 0] vs [-18.6, 0.51, 2.94, -12.8] gives 0.8654", () => {
    const { loss } = new BinaryCrossentropy({ fromLogits: true }).compute(f32([0, 1, 0, 0]), f32([-18.6, 0.51, 2.94, -12.8]), [1, 4]);
    expect(loss).toBeCloseTo(0.8654, 3);
    const softplus = (x: number): number => Math.log(1 + Math.exp(x));
    // t = 0: softplus(x); t = 1: softplus(-x)
    expect(loss).toBeCloseTo((softplus(-18.6) + softplus(-0.51) + softplus(2.94) + softplus(-12.8)) / 4, 6);
  });

  test('from logits uses the stable formula (no clipping) and the gradient sigmoid(x) - t', () => {
    const bce = new BinaryCrossentropy({ fromLogits: true });
    const { loss, grad } = bce.compute(f32([0, 1]), f32([100, 0.5]), [2, 1]);
    // x = 100, t = 0: max(x, 0) - x t + log(1 + exp(-|x|)) = 100; clipped probabilities would cap it at 16.1.
    expect(loss).toBeCloseTo((100 + Math.log(1 + Math.exp(-0.5))) / 2, 6);
    expectValues(grad, [(sigmoid(100) - 0) / 2, (sigmoid(0.5) - 1) / 2]);
  });

  test('the gradient matches finite differences, with probabilities and with logits', () => {
    const t = f32([0, 1, 1, 0, 0.3, 1]);
    expectGradMatchesFiniteDifferences(new BinaryCrossentropy(), t, f32([0.2, 0.7, 0.4, 0.9, 0.5, 0.05]), [2, 3]);
    expectGradMatchesFiniteDifferences(new BinaryCrossentropy({ fromLogits: true }), t, f32([-2, 0.7, 3, -0.4, 0, 5]), [2, 3]);
  });
});

describe('CategoricalCrossentropy', () => {
  test("Keras's example: [[0, 1, 0], [0, 0, 1]] vs [[0.05, 0.95, 0], [0.1, 0.8, 0.1]] gives the mean of -log 0.95 and -log 0.1", () => {
    const { loss } = new CategoricalCrossentropy().compute(f32([0, 1, 0, 0, 0, 1]), f32([0.05, 0.95, 0, 0.1, 0.8, 0.1]), [2, 3]);
    expect(loss).toBeCloseTo((-Math.log(0.95) - Math.log(0.1)) / 2, 6);
  });

  test('divides the predictions by their sum first; the gradient is -t_i / y_i + sum(t) / sum(y)', () => {
    const { loss, grad } = new CategoricalCrossentropy().compute(f32([0, 1, 0]), f32([2, 6, 2]), [1, 3]);
    expect(loss).toBeCloseTo(-Math.log(6 / 10), 6);
    expectValues(grad, [1 / 10, -1 / 6 + 1 / 10, 1 / 10]);
  });

  test('clips the normalised probabilities, with a zero gradient outside [1e-7, 1 - 1e-7]', () => {
    const cce = new CategoricalCrossentropy();
    const missed = cce.compute(f32([1, 0, 0]), f32([0, 1, 0]), [1, 3]);
    expect(missed.loss).toBeCloseTo(-Math.log(1e-7), 6);
    expectValues(missed.grad, [0, 0, 0]);
  });

  test('from logits: -sum t log softmax(x), gradient softmax(x) sum(t) - t', () => {
    const x = [1, 2, 3];
    const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    const { loss, grad } = new CategoricalCrossentropy({ fromLogits: true }).compute(f32([0, 0, 1]), f32(x), [1, 3]);
    expect(loss).toBeCloseTo(Math.log(z) - 3, 6);
    expectValues(grad, [Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z - 1]);
  });

  test('from logits stays finite for large logits', () => {
    const { loss } = new CategoricalCrossentropy({ fromLogits: true }).compute(f32([1, 0]), f32([1000, 0]), [1, 2]);
    expect(loss).toBeCloseTo(0, 10);
  });

  test('the gradient matches finite differences, with probabilities and with logits', () => {
    const t = f32([0, 1, 0, 0.2, 0.3, 0.5]);
    expectGradMatchesFiniteDifferences(new CategoricalCrossentropy(), t, f32([0.2, 0.5, 0.3, 0.6, 0.3, 0.4]), [2, 3]);
    expectGradMatchesFiniteDifferences(new CategoricalCrossentropy({ fromLogits: true }), t, f32([0.2, -1, 2, 0.6, 0.3, -0.4]), [2, 3]);
  });
});

describe('SparseCategoricalCrossentropy', () => {
  const probs = f32([0.05, 0.95, 0, 0.1, 0.8, 0.1]);

  test("Keras's example: labels [1, 2] give the mean of -log 0.95 and -log 0.1", () => {
    expect(new SparseCategoricalCrossentropy().compute(f32([1, 2]), probs, [2, 3]).loss).toBeCloseTo((-Math.log(0.95) - Math.log(0.1)) / 2, 6);
  });

  test('divides by the sum first; the gradient is -1 / y_label + 1 / sum(y)', () => {
    const { loss, grad } = new SparseCategoricalCrossentropy().compute(f32([1]), f32([2, 6, 2]), [1, 3]);
    expect(loss).toBeCloseTo(-Math.log(0.6), 6);
    expectValues(grad, [1 / 10, -1 / 6 + 1 / 10, 1 / 10]);
  });

  test('from logits: logsumexp(x) - x_label, gradient softmax(x) - onehot(label)', () => {
    const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    const { loss, grad } = new SparseCategoricalCrossentropy({ fromLogits: true }).compute(f32([0]), f32([1, 2, 3]), [1, 3]);
    expect(loss).toBeCloseTo(Math.log(z) - 1, 6);
    expectValues(grad, [Math.exp(1) / z - 1, Math.exp(2) / z, Math.exp(3) / z]);
  });

  test('over timesteps, each (batch, timestep) label is one sample of the mean', () => {
    // predShape (1, 2, 2): two timesteps, labels [1, 0]
    const { loss } = new SparseCategoricalCrossentropy().compute(f32([1, 0]), f32([0.25, 0.75, 0.5, 0.5]), [1, 2, 2]);
    expect(loss).toBeCloseTo((-Math.log(0.75) - Math.log(0.5)) / 2, 6);
  });

  test('the gradient matches finite differences, with probabilities and with logits', () => {
    const labels = f32([2, 0, 1]);
    expectGradMatchesFiniteDifferences(new SparseCategoricalCrossentropy(), labels, f32([0.2, 0.5, 0.3, 0.6, 0.3, 0.4, 0.1, 0.1, 0.8]), [3, 3]);
    expectGradMatchesFiniteDifferences(new SparseCategoricalCrossentropy({ fromLogits: true }), labels, f32([0.2, -1, 2, 0.6, 0.3, -0.4, 0, 1, 0]), [3, 3]);
  });

  test.each([
    [3, 1],
    [-1, 1],
    [1.5, 1],
    [NaN, 1],
  ])('label %p at index %p is a ValueError naming both', (bad, index) => {
    const labels = f32([0, bad]);
    expect(() => new SparseCategoricalCrossentropy().compute(labels, probs, [2, 3])).toThrow(ValueError);
    expect(() => new SparseCategoricalCrossentropy().compute(labels, probs, [2, 3])).toThrow(
      new RegExp(`labels must be integers in \\[0, 3\\), got ${String(bad).replace('.', '\\.')} at index ${index}`),
    );
  });
});

describe('masked weights', () => {
  test('the loss is sum(weight * sample loss) / sum(weight), and masked samples get no gradient', () => {
    // predShape (2, 3, 1): (batch, timesteps) weights from a mask
    const yTrue = f32([0, 0, 0, 0, 0, 0]);
    const yPred = f32([1, 2, 3, 4, 5, 6]);
    const weights = f32([1, 1, 0, 1, 0, 0]);
    const { loss, grad } = new MeanSquaredError().compute(yTrue, yPred, [2, 3, 1], weights);
    expect(loss).toBeCloseTo((1 + 4 + 16) / 3, 10);
    expectValues(grad, [(2 * 1) / 3, (2 * 2) / 3, 0, (2 * 4) / 3, 0, 0]);
  });

  test('weights apply to the per-sample values of the crossentropies', () => {
    const { loss } = new SparseCategoricalCrossentropy().compute(f32([1, 2]), f32([0.05, 0.95, 0, 0.1, 0.8, 0.1]), [2, 3], f32([0, 1]));
    expect(loss).toBeCloseTo(-Math.log(0.1), 6);
  });

  test('all weights 0 give loss 0 and a zero gradient (divide_no_nan)', () => {
    const { loss, grad } = new BinaryCrossentropy().compute(f32([1, 0]), f32([0.3, 0.6]), [2, 1], f32([0, 0]));
    expect(loss).toBe(0);
    expectValues(grad, [0, 0]);
  });

  test('the weighted gradient matches finite differences', () => {
    expectGradMatchesFiniteDifferences(
      new CategoricalCrossentropy({ fromLogits: true }),
      f32([1, 0, 0, 1, 0.5, 0.5]),
      f32([0.3, -0.2, 1, 0.4, -1, 2]),
      [1, 3, 2],
      f32([1, 0.5, 0]),
    );
  });

  test('weights of the wrong length are a ShapeError', () => {
    expect(() => new MeanSquaredError().compute(f32([0, 0, 0, 0]), f32([1, 1, 1, 1]), [2, 2], f32([1, 1, 1, 1]))).toThrow(
      /weights must have one weight per per-sample value, shape \(2,\) \(2 values\), got a Float32Array of length 4/,
    );
  });
});

describe('shape and option errors', () => {
  test('yTrue of the wrong length is a ShapeError naming the loss, the expected shape and what came', () => {
    expect(() => new MeanSquaredError().compute(f32([1, 2, 3]), f32([1, 2, 3, 4]), [2, 2])).toThrow(ShapeError);
    expect(() => new MeanSquaredError().compute(f32([1, 2, 3]), f32([1, 2, 3, 4]), [2, 2])).toThrow(
      /mean_squared_error: yTrue must have shape \(2, 2\) \(4 values\) like the predictions, got a Float32Array of length 3/,
    );
    expect(() => new SparseCategoricalCrossentropy().compute(f32([1, 2, 0, 0]), f32([1, 2, 3, 4]), [2, 2])).toThrow(
      /sparse_categorical_crossentropy: yTrue must hold one label per sample, shape \(2,\) or \(2, 1\)/,
    );
  });

  test('yPred that does not fill predShape is a ShapeError', () => {
    expect(() => new Huber().compute(f32([1, 2]), f32([1, 2]), [2, 2])).toThrow(/huber_loss: yPred must have 4 values for shape \(2, 2\)/);
  });

  test('a predShape without a batch and a last axis is a ShapeError', () => {
    expect(() => new MeanSquaredError().compute(f32([1, 2]), f32([1, 2]), [2])).toThrow(ShapeError);
  });

  test('arrays that are not Float32Arrays are an InputTypeError', () => {
    expect(() => new MeanSquaredError().compute([1, 2] as unknown as Float32Array, f32([1, 2]), [1, 2])).toThrow(InputTypeError);
  });

  test('unknown options (Keras options rnnkit does not have) are a ValueError listing the known ones', () => {
    expect(() => new BinaryCrossentropy({ labelSmoothing: 0.1 } as never)).toThrow(/unknown option 'labelSmoothing'.*known options: fromLogits, name/);
    expect(() => new MeanSquaredError({ reduction: 'sum' } as never)).toThrow(ValueError);
  });

  test('fromLogits that is not a boolean is an InputTypeError', () => {
    expect(() => new CategoricalCrossentropy({ fromLogits: 1 as unknown as boolean })).toThrow(InputTypeError);
  });
});

describe('getLoss and configs', () => {
  test.each([
    ['mse', MeanSquaredError, 'mean_squared_error'],
    ['MSE', MeanSquaredError, 'mean_squared_error'],
    ['mean_squared_error', MeanSquaredError, 'mean_squared_error'],
    ['MeanSquaredError', MeanSquaredError, 'mean_squared_error'],
    ['mae', MeanAbsoluteError, 'mean_absolute_error'],
    ['MAE', MeanAbsoluteError, 'mean_absolute_error'],
    ['mean_absolute_error', MeanAbsoluteError, 'mean_absolute_error'],
    ['huber', Huber, 'huber'],
    ['Huber', Huber, 'huber_loss'],
    ['binary_crossentropy', BinaryCrossentropy, 'binary_crossentropy'],
    ['bce', BinaryCrossentropy, 'binary_crossentropy'],
    ['categorical_crossentropy', CategoricalCrossentropy, 'categorical_crossentropy'],
    ['sparse_categorical_crossentropy', SparseCategoricalCrossentropy, 'sparse_categorical_crossentropy'],
    ['SparseCategoricalCrossentropy', SparseCategoricalCrossentropy, 'sparse_categorical_crossentropy'],
  ])('%s gives a %p named %s', (spec, cls, name) => {
    const loss = getLoss(spec as string);
    expect(loss).toBeInstanceOf(cls);
    expect(loss.name).toBe(name);
  });

  test("names resolved by getLoss use Keras's defaults: huber delta 1, no logits", () => {
    expect((getLoss('huber') as Huber).delta).toBe(1);
    expect((getLoss('binary_crossentropy') as BinaryCrossentropy).fromLogits).toBe(false);
  });

  test('returns a Loss as it is', () => {
    const loss = new CategoricalCrossentropy({ fromLogits: true });
    expect(getLoss(loss)).toBe(loss);
  });

  test('an unknown name is a ValueError listing the names (lookup is case-sensitive, as in Keras)', () => {
    expect(() => getLoss('Mse')).toThrow(ValueError);
    expect(() => getLoss('hinge')).toThrow(/unknown loss "hinge"; known losses: mean_squared_error, mse/);
  });

  test('a spec that is neither a name nor a Loss is an InputTypeError', () => {
    expect(() => getLoss(42 as unknown as string)).toThrow(InputTypeError);
  });

  test('getConfig uses Keras config names', () => {
    expect(new BinaryCrossentropy({ fromLogits: true }).getConfig()).toEqual({
      name: 'binary_crossentropy',
      reduction: 'sum_over_batch_size',
      from_logits: true,
      label_smoothing: 0,
      axis: -1,
    });
    expect(new Huber({ delta: 2 }).getConfig()).toEqual({ name: 'huber_loss', reduction: 'sum_over_batch_size', delta: 2 });
    expect(new MeanSquaredError().getConfig()).toEqual({ name: 'mean_squared_error', reduction: 'sum_over_batch_size' });
  });
});
