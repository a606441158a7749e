// SimpleRNN: h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias).
import { BaseRNN, CellSpec, RNNOptions, RNN_OPTION_NAMES } from './rnn';

export type SimpleRNNOptions = RNNOptions;

/**
 * Fully-connected RNN where the output is fed back as the next step's input (keras.layers.SimpleRNN).
 * Weights: kernel (features, units), recurrent_kernel (units, units), bias (units).
 */
export class SimpleRNN extends BaseRNN {
  readonly className = 'SimpleRNN';
  protected readonly spec: CellSpec = { cell: 'simple_rnn', gates: 1, stateCount: 1 };

  constructor(units: number, options: SimpleRNNOptions = {}) {
    super('SimpleRNN', units, options, RNN_OPTION_NAMES);
  }

  cloneWith(overrides: Partial<SimpleRNNOptions>): SimpleRNN {
    return new SimpleRNN(this.units, { ...this.options, ...overrides });
  }
}
