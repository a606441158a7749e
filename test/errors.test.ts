// Bad input gets a typed error whose message names what was expected and what came,
// before any kernel runs.
import {
  Bidirectional,
  Dense,
  Embedding,
  GRU,
  InputTypeError,
  LSTM,
  Sequential,
  ShapeError,
  SimpleRNN,
  StateError,
  ValueError,
  tensor,
} from '../src';
import { expectError } from './helpers/errors';

const zeros = (...shape: number[]) => tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);

describe('input shape errors of a built layer', () => {
  test('a 2-D input to an RNN is a ShapeError naming the expected rank and the shape that came', () => {
    const rnn = new SimpleRNN(3, { inputShape: [2, 10] });
    expectError(() => rnn.apply(zeros(2, 10)), ShapeError, '3-D input', '(2, 10)');
  });

  test('a wrong feature size is a ShapeError naming both sizes', () => {
    const rnn = new LSTM(3, { inputShape: [2, 10] });
    expectError(() => rnn.apply(zeros(1, 2, 7)), ShapeError, '10 features', '(1, 2, 7)');
  });

  test('Sequential.predict with the wrong rank names the model input shape', () => {
    const model = new Sequential([new SimpleRNN(3, { inputShape: [2, 10] })]);
    expectError(() => model.predict(zeros(4, 10)), ShapeError, '(None, 2, 10)', '(4, 10)');
  });

  test('Sequential.predict with another timestep count than the declared input shape is a ShapeError', () => {
    const model = new Sequential([new SimpleRNN(3, { inputShape: [2, 10] })]);
    expectError(() => model.predict(zeros(4, 5, 10)), ShapeError, '(None, 2, 10)', '(4, 5, 10)');
  });

  test('an empty batch is a ShapeError', () => {
    const rnn = new GRU(2, { inputShape: [3, 4] });
    expectError(() => rnn.apply(zeros(0, 3, 4)), ShapeError, 'batch must be at least 1', '(0, 3, 4)');
  });

  test('zero timesteps is a ShapeError', () => {
    const rnn = new GRU(2);
    expectError(() => rnn.apply(zeros(2, 0, 4)), ShapeError, 'timesteps must be at least 1', '(2, 0, 4)');
  });

  test('a ragged nested array is a ShapeError naming where', () => {
    expectError(() => new SimpleRNN(2).apply([[[1, 2]], [[1]]]), ShapeError, 'ragged', '[1][0]');
  });

  test('a mask of the wrong shape is a ShapeError', () => {
    const rnn = new SimpleRNN(2);
    expectError(() => rnn.apply(zeros(2, 3, 4), { mask: [[1, 1, 1]] }), ShapeError, 'mask must have shape (2, 3)', '(1, 3)');
  });

  test('initial states of the wrong shape are a ShapeError', () => {
    const rnn = new LSTM(4);
    expectError(() => rnn.apply(zeros(2, 3, 5), { initialState: [zeros(2, 4)] }), ShapeError, 'initialState must hold 2 states');
    expectError(() => rnn.apply(zeros(2, 3, 5), { initialState: [zeros(2, 4), zeros(2, 3)] }), ShapeError, '(2, 4)', '(2, 3)');
  });
});

describe('input type errors', () => {
  test('a string input is an InputTypeError', () => {
    expectError(() => new SimpleRNN(2).apply('abc' as never), InputTypeError, 'expected a Tensor or a nested array', 'string');
  });

  test('a typed array without a shape is an InputTypeError', () => {
    expectError(() => new SimpleRNN(2).apply(new Float32Array(6) as never), InputTypeError, 'needs a shape');
  });

  test('a non-number inside the nested array is an InputTypeError', () => {
    expectError(() => new SimpleRNN(2).apply([[[1, 'x']]] as never), InputTypeError, 'expected a number', '[0][0][1]');
  });

  test('predict on an object is an InputTypeError', () => {
    const model = new Sequential([new Dense(1, { inputShape: [3] })]);
    expectError(() => model.predict({ a: 1 } as never), InputTypeError, 'object');
  });
});

describe('setWeights', () => {
  test('the wrong count is a ShapeError listing the expected weights', () => {
    const rnn = new SimpleRNN(3, { inputShape: [2, 10] });
    rnn.build([null, 2, 10]);
    expectError(() => rnn.setWeights([zeros(10, 3)]), ShapeError, 'expects 3 weights', 'recurrent_kernel (3, 3)', 'got 1');
  });

  test('a wrong shape is a ShapeError naming the weight and both shapes', () => {
    const rnn = new GRU(2);
    rnn.build([null, 4, 5]);
    expectError(() => rnn.setWeights([zeros(5, 6), zeros(2, 6), zeros(6)]), ShapeError, 'bias', '(2, 6)', '(6,)');
  });

  test('Sequential.setWeights with the wrong total count is a ShapeError', () => {
    const model = new Sequential([new SimpleRNN(3, { inputShape: [2, 10] }), new Dense(1)]);
    expectError(() => model.setWeights([zeros(10, 3)]), ShapeError, 'expects 5 weights', 'got 1');
  });

  test('Bidirectional.setWeights with the wrong count names the forward and backward weights', () => {
    const bi = new Bidirectional(new SimpleRNN(2), { inputShape: [3, 4] });
    bi.build([null, 3, 4]);
    expectError(() => bi.setWeights([zeros(4, 2)]), ShapeError, 'expects 6 weights', 'backward_kernel');
  });
});

describe('options', () => {
  test('an unknown option is a ValueError that suggests the right name', () => {
    expectError(() => new SimpleRNN(3, { retrunSequences: true } as never), ValueError, "unknown option 'retrunSequences'", "did you mean 'returnSequences'");
  });

  test('a snake_case Keras option name is a ValueError pointing to its camelCase form', () => {
    expectError(() => new LSTM(3, { return_sequences: true } as never), ValueError, "did you mean 'returnSequences'");
  });

  test('an unknown activation is a ValueError listing the known ones', () => {
    expectError(() => new SimpleRNN(3, { activation: 'tanhh' }), ValueError, "unknown activation 'tanhh'", 'tanh', 'hard_sigmoid');
    expectError(() => new Dense(3, { activation: 'softmaxx' }), ValueError, "unknown activation 'softmaxx'");
  });

  test('softmax as a recurrent activation is a ValueError', () => {
    expectError(() => new GRU(3, { recurrentActivation: 'softmax' }), ValueError, 'softmax');
  });

  test('units must be a positive integer', () => {
    expectError(() => new SimpleRNN(0), ValueError, 'units must be an integer >= 1', '0');
    expectError(() => new Dense(2.5), ValueError, 'units must be an integer >= 1', '2.5');
  });

  test('an unknown initializer is a ValueError', () => {
    expectError(() => new LSTM(3, { kernelInitializer: 'glorot_unifrom' }), ValueError, "unknown initializer 'glorot_unifrom'");
  });

  test('an unknown mergeMode is a ValueError', () => {
    expectError(() => new Bidirectional(new SimpleRNN(2), { mergeMode: 'max' as never }), ValueError, 'mergeMode', 'max');
  });

  test('a backward layer going the same way as the forward layer is a ValueError', () => {
    expectError(() => new Bidirectional(new SimpleRNN(2), { backwardLayer: new SimpleRNN(2) }), ValueError, 'goBackwards true');
  });

  test('an unknown apply option is a ValueError', () => {
    expectError(() => new SimpleRNN(2).apply(zeros(1, 2, 3), { initialStates: [] } as never), ValueError, "unknown apply option 'initialStates'");
  });

  test('a mask with values other than 0/1 is a ValueError', () => {
    expectError(() => new SimpleRNN(2).apply(zeros(1, 2, 3), { mask: [[1, 2]] }), ValueError, 'mask values must be 0/1', '2');
  });
});

describe('Embedding ids', () => {
  test('an id out of range is a ValueError naming the range and the id', () => {
    const emb = new Embedding(10, 4);
    expectError(() => emb.apply([[1, 2, 10]]), ValueError, '[0, 10)', 'got 10');
    expectError(() => emb.apply([[-1]]), ValueError, 'got -1');
  });

  test('a non-integer id is a ValueError', () => {
    expectError(() => new Embedding(10, 4).apply([[1.5]]), ValueError, 'integers', '1.5');
  });

  test('a NaN id is a ValueError', () => {
    expectError(() => new Embedding(10, 4).apply([[NaN]]), ValueError, 'integers', 'NaN');
  });
});

describe('model state', () => {
  test('summary() of a model without an input shape is a StateError that says what to do', () => {
    const model = new Sequential([new SimpleRNN(3)]);
    expectError(() => model.summary({ printFn: () => {} }), StateError, 'not yet been built', 'inputShape');
  });

  test('countParams() of an unbuilt layer is a StateError', () => {
    expectError(() => new SimpleRNN(3).countParams(), StateError, 'not built');
  });

  test('a returnState layer inside Sequential is a ValueError', () => {
    const model = new Sequential([new LSTM(3, { inputShape: [2, 4], returnState: true })]);
    expectError(() => model.add(new Dense(1)), ValueError, 'one output', 'returns 3');
  });

  test('a stateful layer called with another batch size is a ShapeError', () => {
    const rnn = new SimpleRNN(2, { stateful: true });
    rnn.apply(zeros(2, 3, 4));
    expectError(() => rnn.apply(zeros(3, 3, 4)), ShapeError, 'batch of 2', 'batch of 3', 'resetStates');
  });
});
