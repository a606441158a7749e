// Metrics: Keras 3 values (mostly the examples of Keras's docstrings), running means weighted by samples,
// masks, reset, and compile()'s resolution of metric names.
import { InputTypeError, ShapeError, ValueError } from '../../src/errors';
import {
  BinaryAccuracy,
  CategoricalAccuracy,
  MeanAbsoluteError,
  MeanSquaredError,
  Metric,
  SparseCategoricalAccuracy,
  getMetric,
} from '../../src/training/metrics';

function f32(values: number[]): Float32Array {
  return Float32Array.from(values);
}

describe('regression metrics', () => {
  test("MeanSquaredError: Keras's example [[0, 1], [0, 0]] vs [[1, 1], [0, 0]] gives 0.25", () => {
    const m = new MeanSquaredError();
    m.update(f32([0, 1, 0, 0]), f32([1, 1, 0, 0]), [2, 2]);
    expect(m.result()).toBeCloseTo(0.25, 10);
  });

  test("MeanAbsoluteError: Keras's example gives 0.25, and 0.5 with weights [1, 0]", () => {
    const m = new MeanAbsoluteError();
    m.update(f32([0, 1, 0, 0]), f32([1, 1, 0, 0]), [2, 2]);
    expect(m.result()).toBeCloseTo(0.25, 10);
    m.reset();
    m.update(f32([0, 1, 0, 0]), f32([1, 1, 0, 0]), [2, 2], f32([1, 0]));
    expect(m.result()).toBeCloseTo(0.5, 10);
  });

  test('the running mean weighs every sample alike across batches of different sizes', () => {
    const m = new MeanAbsoluteError();
    m.update(f32([0, 0]), f32([1, 3]), [2, 1]); // errors 1 and 3
    m.update(f32([0]), f32([8]), [1, 1]); // error 8
    expect(m.result()).toBeCloseTo((1 + 3 + 8) / 3, 10);
  });
});

describe('accuracies', () => {
  test("BinaryAccuracy: Keras's example gives 0.75, and 0.5 with weights [1, 0, 0, 1]", () => {
    const yTrue = f32([1, 1, 0, 0]);
    const yPred = f32([0.98, 1, 0, 0.6]);
    const m = new BinaryAccuracy();
    m.update(yTrue, yPred, [4, 1]);
    expect(m.result()).toBeCloseTo(0.75, 10);
    m.reset();
    m.update(yTrue, yPred, [4, 1], f32([1, 0, 0, 1]));
    expect(m.result()).toBeCloseTo(0.5, 10);
  });

  test('BinaryAccuracy counts a prediction as 1 only when it is above the threshold (0.5 is 0)', () => {
    const m = new BinaryAccuracy();
    m.update(f32([0, 1]), f32([0.5, 0.5]), [2, 1]);
    expect(m.result()).toBe(0.5);
    const strict = new BinaryAccuracy({ threshold: 0.9 });
    strict.update(f32([1, 1]), f32([0.95, 0.85]), [2, 1]);
    expect(strict.result()).toBe(0.5);
  });

  test('BinaryAccuracy with several outputs per sample averages over them', () => {
    const m = new BinaryAccuracy();
    // sample 1: 2 of 3 right; sample 2: 3 of 3
    m.update(f32([1, 0, 1, 0, 0, 1]), f32([0.9, 0.1, 0.2, 0.3, 0.4, 0.7]), [2, 3]);
    expect(m.result()).toBeCloseTo((2 / 3 + 1) / 2, 10);
  });

  test("CategoricalAccuracy: Keras's example gives 0.5, and 0.3 with weights [0.7, 0.3]", () => {
    const yTrue = f32([0, 0, 1, 0, 1, 0]);
    const yPred = f32([0.1, 0.9, 0.8, 0.05, 0.95, 0]);
    const m = new CategoricalAccuracy();
    m.update(yTrue, yPred, [2, 3]);
    expect(m.result()).toBeCloseTo(0.5, 10);
    m.reset();
    m.update(yTrue, yPred, [2, 3], f32([0.7, 0.3]));
    expect(m.result()).toBeCloseTo(0.3, 6);
  });

  test("SparseCategoricalAccuracy: Keras's example gives 0.5, and 0.3 with weights [0.7, 0.3]", () => {
    const yTrue = f32([2, 1]);
    const yPred = f32([0.1, 0.6, 0.3, 0.05, 0.95, 0]);
    const m = new SparseCategoricalAccuracy();
    m.update(yTrue, yPred, [2, 3]);
    expect(m.result()).toBeCloseTo(0.5, 10);
    m.reset();
    m.update(yTrue, yPred, [2, 3], f32([0.7, 0.3]));
    expect(m.result()).toBeCloseTo(0.3, 6);
  });

  test('argmax takes the first of tied maxima', () => {
    const m = new SparseCategoricalAccuracy();
    m.update(f32([0, 1]), f32([0.5, 0.5, 0.5, 0.5]), [2, 2]);
    expect(m.result()).toBe(0.5);
  });

  test('a 0/1 mask over timesteps counts only the unmasked steps', () => {
    const m = new SparseCategoricalAccuracy();
    // predShape (2, 3, 2); labels per (batch, timestep); right: yes, no, yes | yes, yes, no
    const yPred = f32([0.9, 0.1, 0.9, 0.1, 0.2, 0.8, 0.3, 0.7, 0.6, 0.4, 0.4, 0.6]);
    const yTrue = f32([0, 1, 1, 1, 0, 0]);
    m.update(yTrue, yPred, [2, 3, 2], f32([1, 1, 0, 1, 0, 0]));
    // unmasked: (0,0) right, (0,1) wrong, (1,0) right
    expect(m.result()).toBeCloseTo(2 / 3, 10);
  });
});

describe('reset and result', () => {
  test('result() is 0 before any update and again after reset()', () => {
    const m = new MeanSquaredError();
    expect(m.result()).toBe(0);
    m.update(f32([0]), f32([2]), [1, 1]);
    expect(m.result()).toBe(4);
    m.reset();
    expect(m.result()).toBe(0);
    m.update(f32([0]), f32([1]), [1, 1]);
    expect(m.result()).toBe(1);
  });

  test('all-zero weights leave the result at 0 (divide_no_nan)', () => {
    const m = new BinaryAccuracy();
    m.update(f32([1]), f32([0.9]), [1, 1], f32([0]));
    expect(m.result()).toBe(0);
  });
});

describe('errors', () => {
  test('yTrue of the wrong length is a ShapeError naming the metric', () => {
    expect(() => new CategoricalAccuracy().update(f32([1, 2]), f32([0, 1, 0, 1, 0, 0]), [2, 3])).toThrow(ShapeError);
    expect(() => new CategoricalAccuracy({ name: 'acc' }).update(f32([1, 2]), f32([0, 1, 0, 1, 0, 0]), [2, 3])).toThrow(/^acc: yTrue must have shape \(2, 3\)/);
  });

  test('an unknown option is a ValueError', () => {
    expect(() => new BinaryAccuracy({ thresold: 0.5 } as never)).toThrow(/unknown option 'thresold' \(did you mean 'threshold'\?\)/);
  });
});

describe('getMetric', () => {
  const context = (predShape: number[], trueShape: number[], lossName = 'mse') => ({ lossName, predShape, trueShape });

  test.each([
    ['binary when the predictions have a last axis of 1', [32, 1], [32, 1], BinaryAccuracy],
    ['binary even when the labels have a lower rank', [32, 1], [32], BinaryAccuracy],
    ['sparse categorical when the labels have a lower rank', [32, 5], [32], SparseCategoricalAccuracy],
    ['sparse categorical when the labels have a last axis of 1', [32, 5], [32, 1], SparseCategoricalAccuracy],
    ['sparse categorical for sequences of labels', [8, 10, 5], [8, 10], SparseCategoricalAccuracy],
    ['categorical for one-hot labels', [32, 5], [32, 5], CategoricalAccuracy],
  ])("'accuracy' resolves to %s", (_, predShape, trueShape, cls) => {
    const m = getMetric('accuracy', context(predShape as number[], trueShape as number[]));
    expect(m).toBeInstanceOf(cls);
    expect(m.name).toBe('accuracy');
  });

  test("'acc' and other spellings resolve the same way and keep their spelling as the log key", () => {
    const acc = getMetric('acc', context([4, 3], [4]));
    expect(acc).toBeInstanceOf(SparseCategoricalAccuracy);
    expect(acc.name).toBe('acc');
    const capital = getMetric('Accuracy', context([4, 1], [4, 1]));
    expect(capital).toBeInstanceOf(BinaryAccuracy);
    expect(capital.name).toBe('Accuracy');
  });

  test('Keras 3 decides from the shapes, not from the loss', () => {
    expect(getMetric('accuracy', context([4, 3], [4, 3], 'sparse_categorical_crossentropy'))).toBeInstanceOf(CategoricalAccuracy);
  });

  test.each([
    ['mae', MeanAbsoluteError],
    ['MAE', MeanAbsoluteError],
    ['mean_absolute_error', MeanAbsoluteError],
    ['MeanAbsoluteError', MeanAbsoluteError],
    ['mse', MeanSquaredError],
    ['mean_squared_error', MeanSquaredError],
    ['binary_accuracy', BinaryAccuracy],
    ['categorical_accuracy', CategoricalAccuracy],
    ['sparse_categorical_accuracy', SparseCategoricalAccuracy],
    ['SparseCategoricalAccuracy', SparseCategoricalAccuracy],
  ])("'%s' gives a %p logged under that name", (spec, cls) => {
    const m = getMetric(spec, context([4, 3], [4, 3]));
    expect(m).toBeInstanceOf(cls);
    expect(m.name).toBe(spec);
  });

  test('returns a Metric as it is, with its own name', () => {
    const m: Metric = new BinaryAccuracy({ threshold: 0.7 });
    expect(getMetric(m, context([4, 1], [4, 1]))).toBe(m);
    expect(m.name).toBe('binary_accuracy');
  });

  test('an unknown name is a ValueError listing the names (case-sensitive, as in Keras)', () => {
    expect(() => getMetric('Mae', context([4, 1], [4, 1]))).toThrow(ValueError);
    expect(() => getMetric('auc', context([4, 1], [4, 1]))).toThrow(/unknown metric "auc"; known metrics: accuracy, acc, mae/);
  });

  test('a spec that is neither a name nor a Metric is an InputTypeError', () => {
    expect(() => getMetric(7 as unknown as string, context([4, 1], [4, 1]))).toThrow(InputTypeError);
  });
});
