// LSTM (Hochreiter 1997), Keras's gate order i, f, c, o.
import { getInitializer, Initializer } from './initializers';
import { BaseRNN, RNNOptions, RNN_OPTION_NAMES } from './rnn';
import { ActivationSpec } from './activations';
import { checkBoolean } from './options';

export interface LSTMOptions extends RNNOptions {
  /** Activation of the i, f, o gates (default sigmoid). */
  recurrentActivation?: ActivationSpec;
  /** Add 1 to the forget gate's bias at initialisation (default true), as Keras does. */
  unitForgetBias?: boolean;
}

/**
 * Long Short-Term Memory layer (keras.layers.LSTM).
 * Weights: kernel (features, 4*units), recurrent_kernel (units, 4*units), bias (4*units),
 * gates ordered i, f, c, o. States: [h, c].
 */
export class LSTM extends BaseRNN {
  readonly className = 'LSTM';
  readonly recurrentActivation: string;
  readonly unitForgetBias: boolean;

  constructor(units: number, options: LSTMOptions = {}) {
    super('LSTM', units, options, [...RNN_OPTION_NAMES, 'recurrentActivation', 'unitForgetBias'], {
      cell: 'lstm',
      gates: 4,
      stateCount: 2,
      recurrentActivation: options.recurrentActivation,
    });
    this.recurrentActivation = options.recurrentActivation === undefined ? 'sigmoid' : (options.recurrentActivation ?? 'linear');
    this.unitForgetBias = checkBoolean('LSTM', 'unitForgetBias', options.unitForgetBias, true);
  }

  /** Keras: bias_initializer for i, ones for f, bias_initializer for c and o. */
  protected override biasInitial(init: Initializer): Initializer {
    if (!this.unitForgetBias) return init;
    const ones = getInitializer('ones');
    const units = this.units;
    return (_shape, rng) => {
      const out = new Float32Array(4 * units);
      out.set(init([units], rng), 0);
      out.set(ones([units], rng), units);
      out.set(init([2 * units], rng), 2 * units);
      return out;
    };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation, unitForgetBias: this.unitForgetBias };
  }

  cloneWith(overrides: Partial<LSTMOptions>): LSTM {
    return new LSTM(this.units, { ...(this.options as LSTMOptions), ...overrides });
  }
}
