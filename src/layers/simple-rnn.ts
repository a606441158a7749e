// SimpleRNN: h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias).
import { BaseRNN, RNNOptions, RNN_OPTION_NAMES } from './rnn';

export type SimpleRNNOptions = RNNOptions;

/**
 * Fully-connected RNN where the output is fed back as the next step's input (keras.layers.SimpleRNN).
 * Weights: kernel (features, units), recurrent_kernel (units, units), bias (units).
 */
export class SimpleRNN extends BaseRNN {
  readonly className = 'SimpleRNN';
  constructor(units: number, options: SimpleRNNOptions = {}) {
    super('SimpleRNN', units, options, RNN_OPTION_NAMES, { cell: 'simple_rnn', gates: 1, stateCount: 1 });
  }

  cloneWith(overrides: Partial<SimpleRNNOptions>): SimpleRNN {
    return new SimpleRNN(this.units, { ...this.options, ...overrides });
  }
}
