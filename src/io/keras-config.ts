// Builds layers from Keras layer configs (snake_case, as in config.json / model_config), so that
// Keras's own test cases and saved models map onto rnnkit's layers.
import { ValueError, describeValue } from '../errors';
import { Bidirectional } from '../layers/bidirectional';
import { Dense } from '../layers/dense';
import { Dropout } from '../layers/dropout';
import { Embedding } from '../layers/embedding';
import { GRU } from '../layers/gru';
import { Layer } from '../layers/layer';
import { LSTM } from '../layers/lstm';
import { Masking } from '../layers/masking';
import { BaseRNN } from '../layers/rnn';
import { SimpleRNN } from '../layers/simple-rnn';

export interface KerasLayerConfig {
  class_name: string;
  config: Record<string, unknown>;
}

// Keys that change nothing at inference (regularizers, constraints, implementation details).
const IGNORED = new Set([
  'kernel_regularizer',
  'recurrent_regularizer',
  'bias_regularizer',
  'activity_regularizer',
  'embeddings_regularizer',
  'kernel_constraint',
  'recurrent_constraint',
  'bias_constraint',
  'embeddings_constraint',
  'implementation',
  'time_major',
  'dtype',
  'noise_shape',
  'lora_rank',
  'lora_alpha',
  'quantization_config',
  'sparse',
]);

const camel = (key: string): string => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** snake_case Keras config -> camelCase rnnkit options, dropping what has no effect here. */
export function kerasOptions(config: Record<string, unknown>, positional: string[]): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (positional.includes(key) || IGNORED.has(key)) continue;
    if (key === 'seed' && value === null) continue;
    if (key === 'batch_input_shape' || key === 'batch_shape') {
      options.batchInputShape = value;
      continue;
    }
    options[camel(key)] = value;
  }
  return options;
}

function rnnFromConfig(className: string, config: Record<string, unknown>): BaseRNN {
  const options = kerasOptions(config, ['units']);
  const units = config.units as number;
  switch (className) {
    case 'SimpleRNN':
      return new SimpleRNN(units, options);
    case 'LSTM':
      return new LSTM(units, options);
    case 'GRU':
      return new GRU(units, options);
    default:
      throw new ValueError(`expected a recurrent layer config (SimpleRNN, LSTM or GRU), got class_name ${describeValue(className)}`);
  }
}

/** Creates an rnnkit layer from a Keras { class_name, config }. */
export function layerFromConfig(spec: KerasLayerConfig): Layer {
  if (!spec || typeof spec !== 'object' || typeof spec.class_name !== 'string') {
    throw new ValueError(`expected a Keras layer config { class_name, config }, got ${describeValue(spec)}`);
  }
  const config = spec.config ?? {};
  switch (spec.class_name) {
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU':
      return rnnFromConfig(spec.class_name, config);
    case 'Bidirectional': {
      const inner = config.layer as KerasLayerConfig;
      const backward = config.backward_layer as KerasLayerConfig | undefined;
      const options = kerasOptions(config, ['layer', 'backward_layer']);
      return new Bidirectional(rnnFromConfig(inner.class_name, inner.config), {
        ...options,
        ...(backward ? { backwardLayer: rnnFromConfig(backward.class_name, backward.config) } : {}),
      });
    }
    case 'Embedding':
      return new Embedding(config.input_dim as number, config.output_dim as number, kerasOptions(config, ['input_dim', 'output_dim']));
    case 'Dense':
      return new Dense(config.units as number, kerasOptions(config, ['units']));
    case 'Dropout':
      return new Dropout(config.rate as number, kerasOptions(config, ['rate']));
    case 'Masking':
      return new Masking(kerasOptions(config, []));
    default:
      throw new ValueError(
        `unsupported Keras layer '${spec.class_name}'; rnnkit supports SimpleRNN, LSTM, GRU, Bidirectional, Embedding, Dense, Dropout, Masking`,
      );
  }
}
