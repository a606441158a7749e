// rnnkit layers -> Keras layer configs: Keras 3's form for config.json (module / class_name /
// config / registered_name, DTypePolicy, batch_shape) and the Keras 2 form TF.js reads
// (class_name / config, batch_input_shape). Only keys the Keras (or TF.js) constructor accepts.
import { ModelFileError } from '../errors';
import { Activation } from '../layers/activation';
import { Bidirectional } from '../layers/bidirectional';
import { Dense } from '../layers/dense';
import { Dropout } from '../layers/dropout';
import { Embedding } from '../layers/embedding';
import { Flatten } from '../layers/flatten';
import { GRU } from '../layers/gru';
import { Layer } from '../layers/layer';
import { LSTM } from '../layers/lstm';
import { Masking } from '../layers/masking';
import { ReLU } from '../layers/relu';
import { BaseRNN } from '../layers/rnn';
import { Shape } from '../layers/shapes';
import { TimeDistributed } from '../layers/time-distributed';

export type ConfigStyle = 'keras3' | 'tfjs';

const PASCAL: Record<string, string> = {
  uniform: 'RandomUniform',
  normal: 'RandomNormal',
  zero: 'Zeros',
  one: 'Ones',
};

function pascal(name: string): string {
  const snake = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  return PASCAL[snake] ?? snake.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

function initializer(spec: unknown, style: ConfigStyle): unknown {
  let name: string;
  let config: Record<string, unknown> = {};
  if (typeof spec === 'string') name = spec;
  else {
    const s = spec as { className?: string; class_name?: string; config?: Record<string, unknown> };
    name = s.className ?? s.class_name ?? 'GlorotUniform';
    config = { ...(s.config ?? {}) };
  }
  const className = pascal(name);
  if (style === 'tfjs') return { class_name: className, config };
  return { module: 'keras.initializers', class_name: className, config, registered_name: null };
}

/** An activation name as the target reads it: rnnkit's hard_sigmoid_keras2 is TF.js's hard_sigmoid. */
function activation(file: string, layer: string, name: string, style: ConfigStyle): string {
  if (style === 'tfjs') {
    if (name === 'hard_sigmoid') {
      throw new ModelFileError(file, layer, "TF.js has only Keras 2's hard_sigmoid (0.2x + 0.5); this layer uses Keras 3's (x/6 + 0.5)");
    }
    if (name === 'hard_sigmoid_keras2') return 'hard_sigmoid';
  }
  return name;
}

function dtype(style: ConfigStyle): unknown {
  return style === 'keras3' ? { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null } : 'float32';
}

function base(layer: Layer, style: ConfigStyle, batchShape: Shape | null): Record<string, unknown> {
  const out: Record<string, unknown> = { name: layer.name, trainable: layer.trainable, dtype: dtype(style) };
  if (batchShape && style === 'tfjs') out.batch_input_shape = batchShape;
  return out;
}

function rnnConfig(file: string, layer: BaseRNN, style: ConfigStyle, batchShape: Shape | null): Record<string, unknown> {
  const c = layer.getConfig();
  const out: Record<string, unknown> = {
    ...base(layer, style, batchShape),
    return_sequences: layer.returnSequences,
    return_state: layer.returnState,
    go_backwards: layer.goBackwards,
    stateful: layer.stateful,
    unroll: layer.unroll,
    zero_output_for_mask: layer.zeroOutputForMask,
    units: layer.units,
    activation: activation(file, layer.name, layer.activation, style),
  };
  if (layer instanceof LSTM || layer instanceof GRU) out.recurrent_activation = activation(file, layer.name, layer.recurrentActivation, style);
  out.use_bias = layer.useBias;
  out.kernel_initializer = initializer(c.kernelInitializer, style);
  out.recurrent_initializer = initializer(c.recurrentInitializer, style);
  out.bias_initializer = initializer(c.biasInitializer, style);
  if (layer instanceof LSTM) out.unit_forget_bias = layer.unitForgetBias;
  out.dropout = layer.dropout;
  out.recurrent_dropout = layer.recurrentDropout;
  if (layer instanceof GRU) out.reset_after = layer.resetAfter;
  if (style === 'tfjs') delete out.zero_output_for_mask;
  return out;
}

export interface SerializedLayer {
  class_name: string;
  config: Record<string, unknown>;
  [key: string]: unknown;
}

function wrap(className: string, config: Record<string, unknown>, style: ConfigStyle, inputShape: Shape | null): SerializedLayer {
  if (style === 'tfjs') return { class_name: className, config };
  return {
    module: 'keras.layers',
    class_name: className,
    config,
    registered_name: null,
    ...(inputShape ? { build_config: { input_shape: inputShape } } : {}),
  };
}

/**
 * One layer's config. `inputShape` is the layer's built input shape; `batchShape` is set on the
 * first layer of a TF.js model (which has no InputLayer).
 */
export function layerToConfig(file: string, layer: Layer, style: ConfigStyle, inputShape: Shape | null, batchShape: Shape | null = null): SerializedLayer {
  const b = base(layer, style, batchShape);
  if (layer instanceof BaseRNN) return wrap(layer.className, rnnConfig(file, layer, style, batchShape), style, inputShape);
  if (layer instanceof Bidirectional) {
    const forward = layer.forwardLayer;
    // Keras names the wrapped layer without the forward_ prefix it adds itself.
    const inner = layerToConfig(file, forward, style, null);
    inner.config.name = forward.name.replace(/^forward_/, '');
    const backward = layerToConfig(file, layer.backwardLayer, style, null);
    backward.config.name = layer.backwardLayer.name.replace(/^backward_/, '');
    // Keras 3 re-creates a given backward layer exactly; TF.js derives it from the forward one.
    const config: Record<string, unknown> = { ...b, layer: inner, merge_mode: layer.mergeMode };
    if (style === 'keras3') config.backward_layer = backward;
    return wrap('Bidirectional', config, style, inputShape);
  }
  if (layer instanceof Dense) {
    const c = layer.getConfig();
    return wrap(
      'Dense',
      {
        ...b,
        units: layer.units,
        activation: activation(file, layer.name, layer.activation, style),
        use_bias: layer.useBias,
        kernel_initializer: initializer(c.kernelInitializer, style),
        bias_initializer: initializer(c.biasInitializer, style),
      },
      style,
      inputShape,
    );
  }
  if (layer instanceof Embedding) {
    const c = layer.getConfig();
    const config: Record<string, unknown> = {
      ...b,
      input_dim: layer.inputDim,
      output_dim: layer.outputDim,
      embeddings_initializer: initializer(c.embeddingsInitializer, style),
      mask_zero: layer.maskZero,
    };
    // Keras 3 accepts (and ignores, with a warning) input_length; it keeps the summary's shape here.
    if (style === 'tfjs' || layer.inputLength !== null) config.input_length = layer.inputLength;
    return wrap('Embedding', config, style, inputShape);
  }
  if (layer instanceof Dropout) return wrap('Dropout', { ...b, rate: layer.rate, noise_shape: layer.noiseShape, seed: null }, style, inputShape);
  if (layer instanceof Masking) return wrap('Masking', { ...b, mask_value: layer.maskValue }, style, inputShape);
  if (layer instanceof Activation) return wrap('Activation', { ...b, activation: activation(file, layer.name, layer.activation, style) }, style, inputShape);
  if (layer instanceof ReLU) {
    return wrap('ReLU', { ...b, max_value: layer.maxValue, negative_slope: layer.negativeSlope, threshold: layer.threshold }, style, inputShape);
  }
  if (layer instanceof Flatten) return wrap('Flatten', { ...b, data_format: 'channels_last' }, style, inputShape);
  if (layer instanceof TimeDistributed) {
    const innerShape = inputShape ? [inputShape[0], ...inputShape.slice(2)] : null;
    return wrap('TimeDistributed', { ...b, layer: layerToConfig(file, layer.layer, style, innerShape) }, style, inputShape);
  }
  throw new ModelFileError(file, layer.name, `rnnkit cannot save a ${layer.className} layer`);
}
