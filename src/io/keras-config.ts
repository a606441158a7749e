// Builds rnnkit layers from Keras layer configs ({ class_name, config } as in config.json,
// model_config or a TF.js modelTopology). Every config field is accounted for: it becomes an
// rnnkit option, is known to change no numbers (regularizers, constraints, implementation), or
// must hold the one value rnnkit computes (time_major false, no LoRA, ...). Anything else is an
// error, so a file never loads into a model that computes something different.
import { ValueError, describeValue } from '../errors';
import { Activation } from '../layers/activation';
import { Bidirectional } from '../layers/bidirectional';
import { Dense } from '../layers/dense';
import { Dropout } from '../layers/dropout';
import { Embedding } from '../layers/embedding';
import { Flatten } from '../layers/flatten';
import { GRU } from '../layers/gru';
import { getInitializer } from '../layers/initializers';
import { InputLayer } from '../layers/input-layer';
import { Layer } from '../layers/layer';
import { LSTM } from '../layers/lstm';
import { Masking } from '../layers/masking';
import { ReLU } from '../layers/relu';
import { BaseRNN } from '../layers/rnn';
import { SimpleRNN } from '../layers/simple-rnn';
import { TimeDistributed } from '../layers/time-distributed';

export interface KerasLayerConfig {
  class_name: string;
  config: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * What differs between the Keras versions that wrote a config. Keras 1/2, tf.keras 2 and TF.js
 * define hard_sigmoid as clip(0.2x + 0.5, 0, 1); Keras 3 as clip(x / 6 + 0.5, 0, 1).
 */
export interface KerasDialect {
  hardSigmoid: 'hard_sigmoid' | 'hard_sigmoid_keras2';
}

export const KERAS3: KerasDialect = { hardSigmoid: 'hard_sigmoid' };
export const KERAS2: KerasDialect = { hardSigmoid: 'hard_sigmoid_keras2' };

/** The dialect of a file from its keras_version ('2.1.3', '2.2.4-tf', '3.6.0', 'tfjs-layers 4.2.0'). */
export function dialectOf(kerasVersion: string | undefined): KerasDialect {
  if (kerasVersion === undefined) return KERAS3;
  const major = /^(\d+)\./.exec(kerasVersion.trim());
  if (major) return Number(major[1]) >= 3 ? KERAS3 : KERAS2;
  return KERAS2; // tfjs-layers and other pre-3 writers
}

/** A field rule: an rnnkit option name, 'ignore' (changes no numbers), or a check of the value. */
type FieldRule = string | 'ignore' | { mustBe: (v: unknown) => boolean; expected: string };

const isNullish = (v: unknown): boolean => v === null || v === undefined;
const isFalsy = (v: unknown): boolean => v === null || v === undefined || v === false;
const NO_LORA: FieldRule = { mustBe: (v) => isNullish(v) || v === 0, expected: 'null (rnnkit has no LoRA weights)' };

const COMMON: Record<string, FieldRule> = {
  name: 'name',
  trainable: 'trainable',
  dtype: { mustBe: (v) => isFloat32Policy(v), expected: "'float32' (rnnkit computes in float32)" },
  batch_input_shape: 'batchInputShape',
  batch_shape: 'batchInputShape',
  batch_size: 'ignore',
  input_dtype: 'ignore',
  activity_regularizer: 'ignore',
  // Keras 1/2 could store initial weights in a config; the file's weights replace them anyway.
  weights: { mustBe: isNullish, expected: 'null (weights come from the weight file)' },
};

const REGULARIZERS_AND_CONSTRAINTS = [
  'kernel_regularizer',
  'recurrent_regularizer',
  'bias_regularizer',
  'embeddings_regularizer',
  'kernel_constraint',
  'recurrent_constraint',
  'bias_constraint',
  'embeddings_constraint',
];

const INITIALIZERS = ['kernel_initializer', 'recurrent_initializer', 'bias_initializer', 'embeddings_initializer'];

const RNN_FIELDS: Record<string, FieldRule> = {
  activation: 'activation',
  use_bias: 'useBias',
  dropout: 'dropout',
  recurrent_dropout: 'recurrentDropout',
  return_sequences: 'returnSequences',
  return_state: 'returnState',
  go_backwards: 'goBackwards',
  stateful: 'stateful',
  unroll: 'unroll',
  zero_output_for_mask: 'zeroOutputForMask',
  input_dim: 'inputDim',
  input_length: 'inputLength',
  seed: 'seed',
  implementation: 'ignore',
  use_cudnn: 'ignore',
  time_major: { mustBe: isFalsy, expected: 'false (rnnkit takes batch-major input)' },
};

const FIELDS: Record<string, Record<string, FieldRule>> = {
  SimpleRNN: RNN_FIELDS,
  LSTM: { ...RNN_FIELDS, recurrent_activation: 'recurrentActivation', unit_forget_bias: 'unitForgetBias' },
  GRU: { ...RNN_FIELDS, recurrent_activation: 'recurrentActivation', reset_after: 'resetAfter' },
  CuDNNLSTM: {
    return_sequences: 'returnSequences',
    return_state: 'returnState',
    go_backwards: 'goBackwards',
    stateful: 'stateful',
    unit_forget_bias: 'unitForgetBias',
  },
  CuDNNGRU: { return_sequences: 'returnSequences', return_state: 'returnState', go_backwards: 'goBackwards', stateful: 'stateful' },
  Bidirectional: { merge_mode: 'mergeMode' },
  Embedding: {
    mask_zero: 'maskZero',
    input_length: 'inputLength',
    sparse: { mustBe: isFalsy, expected: 'false' },
    lora_rank: NO_LORA,
    lora_alpha: 'ignore',
    seed: 'seed',
  },
  Dense: {
    activation: 'activation',
    use_bias: 'useBias',
    input_dim: 'inputDim',
    lora_rank: NO_LORA,
    lora_alpha: 'ignore',
    quantization_config: { mustBe: isNullish, expected: 'null (rnnkit runs float32 weights)' },
  },
  Dropout: { noise_shape: 'noiseShape', seed: 'seed' },
  Masking: { mask_value: 'maskValue' },
  Activation: {},
  ReLU: { max_value: 'maxValue', negative_slope: 'negativeSlope', threshold: 'threshold' },
  Flatten: { data_format: 'dataFormat' },
  TimeDistributed: {},
  InputLayer: {
    dtype: 'ignore', // the input's type (int32 ids for an Embedding); computation stays float32
    sparse: { mustBe: isFalsy, expected: 'false' },
    ragged: { mustBe: isFalsy, expected: 'false' },
    optional: { mustBe: isFalsy, expected: 'false' },
    input_tensor: { mustBe: isNullish, expected: 'null' },
  },
};

/** The fields a class takes as constructor arguments rather than options. */
const POSITIONAL: Record<string, string[]> = {
  SimpleRNN: ['units'],
  LSTM: ['units', 'recurrent_activation'],
  GRU: ['units', 'recurrent_activation'],
  CuDNNLSTM: ['units'],
  CuDNNGRU: ['units'],
  Bidirectional: ['layer', 'backward_layer'],
  Embedding: ['input_dim', 'output_dim'],
  Dense: ['units'],
  Dropout: ['rate'],
  Activation: ['activation'],
  TimeDistributed: ['layer'],
};

export const SUPPORTED_LAYERS = Object.keys(FIELDS);

function isFloat32Policy(v: unknown): boolean {
  if (v === null || v === undefined || v === 'float32') return true;
  // Keras 3: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } }
  if (typeof v === 'object' && v !== null) {
    const config = (v as { config?: { name?: unknown } }).config;
    return config?.name === 'float32';
  }
  return false;
}

/** A Keras activation as stored: 'tanh', or Keras 3's serialized function object. */
function activationName(value: unknown, dialect: KerasDialect): unknown {
  let name = value;
  if (value && typeof value === 'object') {
    const v = value as { class_name?: unknown; config?: unknown };
    name = typeof v.config === 'string' ? v.config : v.class_name;
  }
  if (name === 'hard_sigmoid') return dialect.hardSigmoid;
  return name;
}

/**
 * Keras 3 may store a number as a serialized tensor ({ class_name: '__tensor__', config: { value } },
 * Masking's mask_value): a one-element tensor is that number; more would be per-feature, unsupported.
 */
function scalarValue(className: string, key: string, value: unknown): unknown {
  if (!value || typeof value !== 'object' || (value as { class_name?: unknown }).class_name !== '__tensor__') return value;
  const v = (value as { config?: { value?: unknown } }).config?.value;
  const flat = Array.isArray(v) ? v.flat(Infinity) : [v];
  if (flat.length === 1 && typeof flat[0] === 'number') return flat[0];
  throw new ValueError(`${className} field '${key}' must be one number, got a tensor of ${flat.length} values`);
}

/** An initializer rnnkit knows is kept (it matters only for training from scratch); others are dropped. */
function initializerOption(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  try {
    getInitializer(value as Parameters<typeof getInitializer>[0]);
    return value;
  } catch {
    return undefined;
  }
}

const camel = (key: string): string => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Keras config -> rnnkit options for one class, checking every field. */
function optionsFor(className: string, config: Record<string, unknown>, dialect: KerasDialect): Record<string, unknown> {
  const rules = { ...COMMON, ...FIELDS[className] };
  const positional = POSITIONAL[className] ?? [];
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (positional.includes(key)) continue;
    if (REGULARIZERS_AND_CONSTRAINTS.includes(key)) continue;
    if (INITIALIZERS.includes(key)) {
      const init = initializerOption(value);
      if (init !== undefined && className !== 'CuDNNLSTM' && className !== 'CuDNNGRU') options[camel(key)] = init;
      continue;
    }
    const rule = rules[key];
    if (rule === undefined) {
      throw new ValueError(`${className} field '${key}' (${describeValue(value)}) is not supported by rnnkit, which would compute something else`);
    }
    if (rule === 'ignore') continue;
    if (typeof rule === 'object') {
      if (!rule.mustBe(value)) throw new ValueError(`${className} field '${key}' must be ${rule.expected}, got ${describeValue(value)}`);
      continue;
    }
    if (value === null && rule !== 'mergeMode' && rule !== 'maxValue' && rule !== 'noiseShape') continue; // null = the default
    options[rule] = rule === 'activation' ? activationName(value, dialect) : scalarValue(className, key, value);
  }
  return options;
}

function layerSpec(value: unknown, owner: string): KerasLayerConfig {
  if (!value || typeof value !== 'object' || typeof (value as KerasLayerConfig).class_name !== 'string') {
    throw new ValueError(`${owner}: expected a wrapped layer config { class_name, config }, got ${describeValue(value)}`);
  }
  return value as KerasLayerConfig;
}

function rnnFromConfig(spec: KerasLayerConfig, dialect: KerasDialect, owner: string): BaseRNN {
  const layer = layerFromConfig(spec, dialect);
  if (!(layer instanceof BaseRNN)) {
    throw new ValueError(`${owner} must wrap a recurrent layer (SimpleRNN, LSTM or GRU), got ${spec.class_name}`);
  }
  return layer;
}

/** Creates an rnnkit layer from a Keras { class_name, config }; the dialect defaults to Keras 3. */
export function layerFromConfig(spec: KerasLayerConfig, dialect: KerasDialect = KERAS3): Layer {
  if (!spec || typeof spec !== 'object' || typeof spec.class_name !== 'string') {
    throw new ValueError(`expected a Keras layer config { class_name, config }, got ${describeValue(spec)}`);
  }
  const className = spec.class_name;
  const config = (spec.config ?? {}) as Record<string, unknown>;
  if (typeof config !== 'object' || Array.isArray(config)) {
    throw new ValueError(`${className}: config must be an object, got ${describeValue(config)}`);
  }
  if (className === 'Lambda') {
    throw new ValueError('Lambda layers hold Python code; rnnkit never runs code from a model file. Rebuild that step in JavaScript');
  }
  if (!(className in FIELDS)) {
    throw new ValueError(`unsupported layer class '${className}'; rnnkit reads ${SUPPORTED_LAYERS.join(', ')}`);
  }
  const options = optionsFor(className, config, dialect);
  const recurrent = activationName(config.recurrent_activation, dialect);
  switch (className) {
    case 'SimpleRNN':
      return new SimpleRNN(config.units as number, options);
    case 'LSTM':
      return new LSTM(config.units as number, { ...options, ...(recurrent !== undefined ? { recurrentActivation: recurrent as string } : {}) });
    case 'GRU':
      return new GRU(config.units as number, {
        // Keras 2.x GRU configs may predate reset_after (TF.js's never have it): reset before.
        resetAfter: dialect === KERAS3,
        ...options,
        ...(recurrent !== undefined ? { recurrentActivation: recurrent as string } : {}),
      });
    // cuDNN's LSTM and GRU are the standard ones with tanh / sigmoid (GRU with the reset gate after
    // the recurrent product); their weights are converted on loading (see cudnn-weights.ts).
    case 'CuDNNLSTM':
      return new LSTM(config.units as number, { ...options, activation: 'tanh', recurrentActivation: 'sigmoid' });
    case 'CuDNNGRU':
      return new GRU(config.units as number, { ...options, activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: true });
    case 'Bidirectional': {
      const forward = rnnFromConfig(layerSpec(config.layer, 'Bidirectional'), dialect, 'Bidirectional');
      const backward =
        config.backward_layer === undefined || config.backward_layer === null
          ? undefined
          : rnnFromConfig(layerSpec(config.backward_layer, 'Bidirectional'), dialect, 'Bidirectional');
      return new Bidirectional(forward, { ...options, ...(backward ? { backwardLayer: backward } : {}) });
    }
    case 'Embedding':
      return new Embedding(config.input_dim as number, config.output_dim as number, options);
    case 'Dense':
      return new Dense(config.units as number, options);
    case 'Dropout':
      return new Dropout(config.rate as number, options);
    case 'Masking':
      return new Masking(options);
    case 'Activation':
      return new Activation(activationName(config.activation, dialect) as string, options);
    case 'ReLU':
      return new ReLU(options);
    case 'Flatten':
      return new Flatten(options);
    case 'TimeDistributed': {
      const inner = layerSpec(config.layer, 'TimeDistributed');
      if (inner.class_name !== 'Dense') {
        throw new ValueError(`TimeDistributed must wrap a Dense layer in rnnkit, got ${inner.class_name}`);
      }
      return new TimeDistributed(layerFromConfig(inner, dialect), options);
    }
    case 'InputLayer': {
      const { batchInputShape, name } = options as { batchInputShape?: (number | null)[]; name?: string };
      return new InputLayer({ batchInputShape, ...(name ? { name } : {}) });
    }
    default:
      throw new ValueError(`unsupported layer class '${className}'`);
  }
}
