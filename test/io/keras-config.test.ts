// How Keras configs map onto rnnkit: the Keras version decides hard_sigmoid and GRU's default
// reset_after; cuDNN layers become LSTM / GRU with Keras's weight conversion; Functional configs
// of both generations reduce to their chain.
import { GRU, LSTM, Layer, ValueError } from '../../src';
import { fromCudnnGru, fromCudnnLstm } from '../../src/io/cudnn-weights';
import { KERAS2, KERAS3, dialectOf, layerFromConfig } from '../../src/io/keras-config';
import { modelSpecFromConfig } from '../../src/io/model-config';
import { expectError } from '../helpers/errors';

describe('the Keras version that wrote a file', () => {
  test.each([
    ['2.1.3', KERAS2],
    ['2.2.4-tf', KERAS2],
    ['2.15.0', KERAS2],
    ['tfjs-layers 4.22.0', KERAS2],
    ['3.0.0', KERAS3],
    ['3.16.0', KERAS3],
    [undefined, KERAS3],
  ])('%s reads hard_sigmoid as %j', (version, dialect) => {
    expect(dialectOf(version)).toBe(dialect);
  });

  test("hard_sigmoid means Keras 2's 0.2x + 0.5 in a Keras 2 file and Keras 3's x/6 + 0.5 in a Keras 3 one", () => {
    const spec = { class_name: 'LSTM', config: { units: 2, recurrent_activation: 'hard_sigmoid' } };
    expect((layerFromConfig(spec, KERAS2) as LSTM).recurrentActivation).toBe('hard_sigmoid_keras2');
    expect((layerFromConfig(spec, KERAS3) as LSTM).recurrentActivation).toBe('hard_sigmoid');
  });

  test('a GRU config without reset_after is reset-before in Keras 2 and reset-after in Keras 3', () => {
    const spec = { class_name: 'GRU', config: { units: 2 } };
    expect((layerFromConfig(spec, KERAS2) as GRU).resetAfter).toBe(false);
    expect((layerFromConfig(spec, KERAS3) as GRU).resetAfter).toBe(true);
  });

  test("Keras 3's serialized activation and dtype policy objects are read", () => {
    const layer = layerFromConfig({
      class_name: 'Dense',
      config: {
        units: 2,
        activation: { module: 'keras.activations', class_name: 'function', config: 'relu', registered_name: 'function' },
        dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null },
      },
    });
    expect((layer as unknown as { activation: string }).activation).toBe('relu');
  });

  test('regularizers, constraints and training-only fields are accepted; unknown initializers are dropped', () => {
    const layer = layerFromConfig({
      class_name: 'LSTM',
      config: {
        units: 2,
        kernel_regularizer: { class_name: 'L2', config: { l2: 0.01 } },
        bias_constraint: { class_name: 'NonNeg', config: {} },
        kernel_initializer: { class_name: 'MyCustomInit', config: {} },
        implementation: 2,
        use_cudnn: 'auto',
        recurrent_dropout: 0.2,
      },
    });
    expect(layer).toBeInstanceOf(LSTM);
  });
});

describe('CuDNNLSTM and CuDNNGRU', () => {
  test('CuDNNLSTM is an LSTM with tanh and sigmoid; CuDNNGRU a reset-after GRU', () => {
    const lstm = layerFromConfig({ class_name: 'CuDNNLSTM', config: { units: 3, return_sequences: true, kernel_initializer: 'glorot_uniform' } }, KERAS2) as LSTM;
    expect([lstm.className, lstm.activation, lstm.recurrentActivation, lstm.returnSequences]).toEqual(['LSTM', 'tanh', 'sigmoid', true]);
    const gru = layerFromConfig({ class_name: 'CuDNNGRU', config: { units: 3 } }, KERAS2) as GRU;
    expect([gru.className, gru.recurrentActivation, gru.resetAfter]).toEqual(['GRU', 'sigmoid', true]);
  });

  // Expected values: Keras 2.2.4's _convert_rnn_weights (from_cudnn=True) run in numpy on
  // kernel = arange(3 x 4*2), recurrent = 100 + arange(2 x 4*2), bias = 1000 + arange(2 * 4*2).
  test("weights are converted as Keras's _convert_rnn_weights does (LSTM: input 3, units 2)", () => {
    const kernel = Float32Array.from({ length: 24 }, (_, i) => i);
    const recurrent = Float32Array.from({ length: 16 }, (_, i) => 100 + i);
    const bias = Float32Array.from({ length: 16 }, (_, i) => 1000 + i);
    const out = fromCudnnLstm(kernel, recurrent, bias, 3, 2);
    expect(Array.from(out.kernel)).toEqual([0, 9, 2, 11, 4, 13, 6, 15, 1, 16, 3, 18, 5, 20, 7, 22, 8, 17, 10, 19, 12, 21, 14, 23]);
    expect(Array.from(out.recurrentKernel)).toEqual([100, 108, 102, 110, 104, 112, 106, 114, 101, 109, 103, 111, 105, 113, 107, 115]);
    expect(Array.from(out.bias)).toEqual([2008, 2010, 2012, 2014, 2016, 2018, 2020, 2022]);
  });

  test('GRU: the same kernel transforms, the bias kept as (2, 3 units)', () => {
    const kernel = Float32Array.from({ length: 18 }, (_, i) => i);
    const recurrent = Float32Array.from({ length: 12 }, (_, i) => 100 + i);
    const bias = Float32Array.from({ length: 12 }, (_, i) => 1000 + i);
    const out = fromCudnnGru(kernel, recurrent, bias, 3, 2);
    expect(Array.from(out.kernel)).toEqual([0, 7, 2, 9, 4, 11, 1, 12, 3, 14, 5, 16, 6, 13, 8, 15, 10, 17]);
    expect(Array.from(out.recurrentKernel)).toEqual([100, 106, 102, 108, 104, 110, 101, 107, 103, 109, 105, 111]);
    expect(Array.from(out.bias)).toEqual(Array.from(bias));
  });
});

describe('model configs', () => {
  const dense = (name: string, inbound: unknown) => ({ class_name: 'Dense', name, config: { name, units: 2 }, inbound_nodes: inbound });

  test('a Keras 2 Functional chain (nested-list inbound nodes) in file order or not', () => {
    const spec = modelSpecFromConfig({
      class_name: 'Model',
      config: {
        name: 'm',
        layers: [
          dense('second', [[['first', 0, 0, {}]]]),
          { class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_input_shape: [null, 3] }, inbound_nodes: [] },
          dense('first', [[['in', 0, 0, {}]]]),
        ],
        input_layers: [['in', 0, 0]],
        output_layers: [['second', 0, 0]],
      },
    });
    expect(spec.layers.map((l) => l.config.name)).toEqual(['first', 'second']);
    expect(spec.batchInputShape).toEqual([null, 3]);
  });

  test('a Keras 3 Functional chain (keras_history inbound nodes, single output as a flat list)', () => {
    const node = (from: string) => [{ args: [{ class_name: '__keras_tensor__', config: { shape: [null, 3], dtype: 'float32', keras_history: [from, 0, 0] } }], kwargs: {} }];
    const spec = modelSpecFromConfig({
      class_name: 'Functional',
      config: {
        name: 'f',
        layers: [
          { class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_shape: [null, 3] }, inbound_nodes: [] },
          dense('a', node('in')),
          dense('b', node('a')),
        ],
        input_layers: [['in', 0, 0]],
        output_layers: ['b', 0, 0],
      },
    });
    expect(spec.layers.map((l) => l.config.name)).toEqual(['a', 'b']);
  });

  test('a layer called with a mask or initial state from elsewhere is not a plain chain', () => {
    expectError(
      () =>
        modelSpecFromConfig({
          class_name: 'Model',
          config: {
            layers: [
              { class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_input_shape: [null, 3] }, inbound_nodes: [] },
              dense('a', [[['in', 0, 0, { initial_state: ['x'] }]]]),
            ],
            input_layers: [['in', 0, 0]],
            output_layers: [['a', 0, 0]],
          },
        }),
      ValueError,
      /called with initial_state/,
    );
  });

  test('a Keras 2.1 Sequential stored as a bare list of layers', () => {
    const spec = modelSpecFromConfig({ class_name: 'Sequential', config: [{ class_name: 'Dense', config: { name: 'd', units: 1, batch_input_shape: [null, 4] } }] });
    expect(spec.batchInputShape).toEqual([null, 4]);
    expect(spec.layers).toHaveLength(1);
  });

  test('TimeDistributed may wrap only a Dense', () => {
    expectError(() => layerFromConfig({ class_name: 'TimeDistributed', config: { layer: { class_name: 'LSTM', config: { units: 2 } } } }), ValueError, /must wrap a Dense/);
  });
});

test('every layer class rnnkit reads builds an rnnkit layer', () => {
  const specs = [
    { class_name: 'InputLayer', config: { batch_shape: [null, 3, 2] } },
    { class_name: 'Activation', config: { activation: 'relu' } },
    { class_name: 'ReLU', config: { max_value: 6, negative_slope: 0, threshold: 0 } },
    { class_name: 'Flatten', config: { data_format: 'channels_last' } },
    { class_name: 'TimeDistributed', config: { layer: { class_name: 'Dense', config: { units: 2 } } } },
    { class_name: 'Bidirectional', config: { layer: { class_name: 'SimpleRNN', config: { units: 2 } }, merge_mode: 'ave' } },
    { class_name: 'Masking', config: { mask_value: -1 } },
    { class_name: 'Dropout', config: { rate: 0.5, noise_shape: null, seed: null } },
    { class_name: 'Embedding', config: { input_dim: 5, output_dim: 2, mask_zero: true } },
  ];
  for (const s of specs) expect(layerFromConfig(s)).toBeInstanceOf(Layer);
});
