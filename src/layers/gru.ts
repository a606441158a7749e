// GRU (Cho 2014), Keras's gate order z, r, h, with resetAfter true (Keras 2/3 default, cuDNN
// compatible) or false (the original formulation).
import { ActivationSpec } from './activations';
import { BaseRNN, RNNOptions, RNN_OPTION_NAMES } from './rnn';
import { checkBoolean } from './options';

export interface GRUOptions extends RNNOptions {
  /** Activation of the z and r gates (default sigmoid). */
  recurrentActivation?: ActivationSpec;
  /** Apply the reset gate after the recurrent matrix multiplication (default true). */
  resetAfter?: boolean;
}

/**
 * Gated Recurrent Unit layer (keras.layers.GRU).
 * Weights: kernel (features, 3*units), recurrent_kernel (units, 3*units), bias (2, 3*units) with
 * resetAfter (input bias row, recurrent bias row) or (3*units) without.
 */
export class GRU extends BaseRNN {
  readonly className = 'GRU';
  readonly recurrentActivation: string;
  readonly resetAfter: boolean;

  constructor(units: number, options: GRUOptions = {}) {
    super('GRU', units, options, [...RNN_OPTION_NAMES, 'recurrentActivation', 'resetAfter'], {
      cell: 'gru',
      gates: 3,
      stateCount: 1,
      recurrentActivation: options.recurrentActivation,
      resetAfter: checkBoolean('GRU', 'resetAfter', options.resetAfter, true),
    });
    this.recurrentActivation = options.recurrentActivation === undefined ? 'sigmoid' : (options.recurrentActivation ?? 'linear');
    this.resetAfter = this.spec.resetAfter!;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation, resetAfter: this.resetAfter };
  }

  cloneWith(overrides: Partial<GRUOptions>): GRU {
    return new GRU(this.units, { ...(this.options as GRUOptions), ...overrides });
  }
}
