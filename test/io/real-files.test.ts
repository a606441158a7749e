// Real model files written by Keras 2.x, tf.keras 2.x and TF.js (test/fixtures/keras-models, each
// folder's SOURCE.md names the repository, commit and license) load, and predict what their
// authors recorded Keras predicting.
import * as fs from 'fs';
import * as path from 'path';
import { Tensor, loadModel, readModelFile, tensor } from '../../src';
import { Hdf5Reader } from '../../src/io/containers/hdf5-reader';
import type { GRU } from '../../src/layers/gru';
import { denseReference, rnnReference } from '../reference/rnn-reference';

const dir = path.join(__dirname, '..', 'fixtures', 'keras-models');
const fixture = (p: string): string => path.join(dir, p);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function recorded(file: string, dataset: string): Tensor {
  const h5 = Hdf5Reader.open(new Uint8Array(fs.readFileSync(fixture(file))), file);
  const { shape, values } = h5.readNumbers(dataset);
  return tensor(Float32Array.from(values), shape);
}

describe('files with predictions recorded by their authors', () => {
  test.each([
    ['Keras 2.1.3 SimpleRNN(50) -> Dense(1)', 'dl4j-keras213-simplernn', 'simple_rnn_tf_keras_2', 'simple_rnn_1'],
    ['Keras 2.1.3 LSTM(50, hard_sigmoid) -> Dense(1)', 'dl4j-keras213-lstm', 'simple_flatten_lstm_tf_keras_2', 'lstm_1'],
  ])('%s: predictions and the recurrent layer activations match Keras to 1e-5', async (_name, folder, stem, rnnName) => {
    const model = await loadModel(fixture(`${folder}/${stem}_model.h5`));
    const io = `${folder}/${stem}_inputs_and_outputs.h5`;
    const x = recorded(io, `inputs/${rnnName}_input`);
    const expected = recorded(io, 'predictions/dense_1');
    expect(model.predict(x).shape).toEqual(expected.shape);
    expect(maxAbsDiff(model.predict(x).data, expected.data)).toBeLessThan(1e-5);
    // The first layer alone reproduces Keras's recorded activations.
    const hidden = model.layers[0].apply(x) as Tensor;
    expect(maxAbsDiff(hidden.data, recorded(io, `activations/${rnnName}`).data)).toBeLessThan(1e-5);
  });

  test('TF.js Embedding -> GRU(go_backwards, reset before): the tfjs e2e test values to 1e-5', async () => {
    const model = await loadModel(fixture('tfjs-embed-gru-gobackwards/model.json'));
    const out = model.predict(tensor([[86, 11, 62, 40, 36, 75, 82, 94, 67, 75]]));
    const expected = [-0.003578941337764263, 0.0028922036290168762, -0.002957976423203945, 0.00955402385443449];
    expect(out.shape).toEqual([1, 4]);
    expect(maxAbsDiff(out.data, expected)).toBeLessThan(1e-5);
  });
});

describe('Keras 3 .keras files and a tf.keras 2.9 .h5 with recorded predictions', () => {
  interface Expected {
    input: number[];
    input_shape: number[];
    output: number[];
  }
  const expected = (folder: string): Expected => JSON.parse(fs.readFileSync(fixture(`${folder}/expected.json`), 'utf8'));

  test('Keras 3.9.2 LSTM(50, relu) -> Dropout -> Dense(1): 100 recorded predictions to 1e-5', async () => {
    const e = expected('keras392-lstm-relu-btc');
    const model = await loadModel(fixture('keras392-lstm-relu-btc/lstm_model.keras'));
    const out = model.predict(tensor(Float32Array.from(e.input.flat(Infinity) as number[]), e.input_shape));
    expect(out.shape).toEqual([100, 1]);
    expect(maxAbsDiff(out.data, e.output.flat(Infinity) as number[])).toBeLessThan(1e-5);
  });

  test('tf.keras 2.9.0 LSTM(64) -> Dense(16) -> Dense(1): the first printed prediction to 1e-5', async () => {
    const e = expected('tfkeras290-lstm-dense');
    const model = await loadModel(fixture('tfkeras290-lstm-dense/model1.h5'));
    const out = model.predict(tensor(Float32Array.from(e.input.flat(Infinity) as number[]), e.input_shape));
    expect(maxAbsDiff(out.data, e.output.flat(Infinity) as number[])).toBeLessThan(1e-5);
  });

  test('Keras 3.9.2 GRU(32, returnSequences) -> GRU(16) -> Dense(3, softmax) equals a float64 reference loop', async () => {
    const model = await loadModel(fixture('keras392-stacked-gru/gru_model.keras'));
    const x = Float32Array.from({ length: 2 * 4 }, (_, i) => Math.sin(i));
    const out = model.predict(tensor(x, [2, 4, 1]));
    // The same weights through the plain reference: every GRU reads its (2, 3 units) bias rows.
    const [g1, g2] = model.layers as GRU[];
    const gru = (layer: GRU, input: Float32Array, inputDim: number, returnSequences: boolean) => {
      const [kernel, recurrentKernel, bias] = layer.getWeights().map((w) => w.data);
      return Float32Array.from(
        rnnReference({
          cell: 'gru', batch: 2, timesteps: 4, inputDim, units: layer.units, x: input, kernel, recurrentKernel, bias,
          activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: true, goBackwards: false, returnSequences,
          zeroOutputForMask: false, initialH: null, initialC: null, mask: null,
        }).output,
      );
    };
    const h = gru(g2, gru(g1, x, 1, true), 32, false);
    const [kernel, bias] = model.layers[2].getWeights().map((w) => w.data);
    const logits = denseReference({ rows: 2, inputDim: 16, units: 3, x: h, kernel, bias, activation: 'linear' });
    const softmax = [0, 1].flatMap((r) => {
      const row = logits.slice(3 * r, 3 * r + 3);
      const sum = row.reduce((a, v) => a + Math.exp(v), 0);
      return row.map((v) => Math.exp(v) / sum);
    });
    expect(maxAbsDiff(out.data, softmax)).toBeLessThan(1e-5);
  });

  test('Keras 3.8.0 Masking (mask_value stored as a tensor) -> LSTM(1): masked steps are skipped', async () => {
    const model = await loadModel(fixture('keras380-masking-lstm/model.keras'));
    // The input Keras's masking_test.py built the model with.
    const out = model.predict(tensor([[[0, 0], [1, 2], [0, 0]], [[2, 2], [0, 0], [2, 1]]]));
    const lstm = model.layers[1];
    const alone = [lstm.apply(tensor([[[1, 2]]])), lstm.apply(tensor([[[2, 2], [2, 1]]]))] as Tensor[];
    expect(maxAbsDiff(out.data, [alone[0].data[0], alone[1].data[0]])).toBeLessThan(1e-6);
  });
});

// No recorded predictions: compared with an independent float64 numpy re-implementation made when
// the files were surveyed (SOURCE.md, "Secondary reference"), and with properties that must hold.
describe('files checked against an independent re-implementation', () => {
  test('Keras 2.2.0 Masking -> LSTM(32): the masked steps are skipped', async () => {
    const model = await loadModel(fixture('dl4j-keras220-masking-lstm/masking_zero_lstm.h5'));
    const x = new Float32Array(420).map((_, i) => Math.sin(0.1 * i));
    x.fill(0, 7 * 42);
    const out = model.predict(tensor(x, [1, 10, 42]));
    const numpy = [
      -0.00628584, -0.1551633, -0.03549488, 0.0003429, -0.00826813, -0.0698525, -0.07961025, -0.08130395, 0.08645356, 0.02278806, 0.00804907,
      0.01829372, -0.06004663, -0.15770506, -0.01566991, 0.04506427, -0.14183878, 0.10806951, -0.02630073, -0.07005612, 0.02156318, 0.12598667,
      -0.06574196, -0.04409112, 0.05577879, -0.13958461, 0.11944329, 0.02881283, -0.0091173, 0.01468685, 0.11600068, 0.04812722,
    ];
    expect(maxAbsDiff(out.data, numpy)).toBeLessThan(1e-5);
    // Masked steps carry the state: the same as the first 7 steps alone (through the LSTM layer).
    const first7 = model.layers[1].apply(tensor(x.slice(0, 7 * 42), [1, 7, 42])) as Tensor;
    expect(maxAbsDiff(out.data, first7.data)).toBeLessThan(1e-6);
  });

  test('tf.keras 2.2.4 functional Bidirectional(LSTM) -> ReLU -> Bidirectional(LSTM) -> ReLU', async () => {
    const model = await loadModel(fixture('dl4j-tfkeras224-stacked-bilstm/rnn_29.h5'));
    const x = Float32Array.from({ length: 12 }, (_, i) => -1 + (2 * i) / 11);
    const out = model.predict(tensor(x, [1, 3, 4]));
    const numpy = [
      [0.00281175, 0.00228327, 0, 0.00703852, 0, 0, 0, 0],
      [0.01015421, 0.00117115, 0.02287536, 0.01109233, 0, 0.00711831, 0.00501227, 0.002516],
      [0.00488323, 0, 0.04727635, 0.02210861, 0, 0.00541918, 0, 0.00428978],
    ].flat();
    expect(out.shape).toEqual([1, 3, 8]);
    expect(maxAbsDiff(out.data, numpy)).toBeLessThan(1e-5);
  });

  test('tf.keras 2.4 (R keras) functional GRU(reset_after false, hard_sigmoid) -> Dropout -> Dense', async () => {
    const model = await loadModel(fixture('rkeras24-gru-noresetafter/20210115_200133_test_gru_AAPL_Slice2_01.hdf5'));
    const out = model.predict(tensor([[[0.1], [0.2], [0.3], [0.4]]]));
    expect(Math.abs(out.data[0] - 0.79989819)).toBeLessThan(1e-5);
  });

  test('TF.js (converter, Keras 2.1.5) LSTM(128) -> Dense(57) -> softmax with two weight groups', async () => {
    const model = await loadModel(fixture('tfjs-keras215-lstm-textgen'));
    const x = new Float32Array(40 * 57);
    for (let t = 0; t < 40; t++) x[t * 57 + ((7 * t + 3) % 57)] = 1;
    const out = model.predict(tensor(x, [1, 40, 57]));
    const numpy = [
      2.61602942e-3, 8.5394853e-3, 3.70844012e-3, 2.51859246e-3, 3.3937728e-4, 9.73594865e-10, 4.3410539e-5, 2.06707962e-2, 1.57126116e-2,
      6.57054764e-3, 4.81146762e-13, 5.82446098e-4, 3.13574462e-5, 1.94342702e-8, 1.55338301e-8, 2.69510817e-9, 2.11558322e-10, 3.22941726e-12,
      5.85118167e-9, 3.09432329e-10, 2.34287415e-3, 2.14037547e-3, 4.2912948e-8, 2.88896464e-3, 3.97516902e-5, 4.12655688e-7, 1.58243148e-4,
      1.25943208e-1, 6.94123957e-2, 2.44734137e-4, 6.33468293e-4, 5.12735758e-1, 8.87427399e-3, 3.83550239e-4, 1.5800382e-3, 4.33927959e-2,
      5.3171243e-4, 5.69761608e-4, 7.82386372e-2, 6.65512889e-3, 3.71701504e-3, 1.45512422e-2, 2.71021003e-2, 6.72254708e-8, 2.1690363e-3,
      1.91046827e-3, 7.16462857e-5, 4.07121883e-3, 3.65799231e-7, 1.95709701e-4, 1.97498163e-9, 2.81118472e-2, 1.37071463e-8, 4.12256842e-18,
      3.87141645e-18, 4.26210242e-18, 4.70021799e-18,
    ];
    expect(maxAbsDiff(out.data, numpy)).toBeLessThan(1e-5);
    expect(Array.from(out.data).indexOf(Math.max(...out.data))).toBe(31);
    expect(out.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});

describe('what loading reports', () => {
  test.each([
    ['dl4j-keras213-simplernn/simple_rnn_tf_keras_2_model.h5', 'h5', '2.1.3', 5],
    ['dl4j-tfkeras224-stacked-bilstm/rnn_29.h5', 'h5', '2.2.4-tf', 12],
    ['rkeras24-gru-noresetafter/20210115_200133_test_gru_AAPL_Slice2_01.hdf5', 'h5', '2.4.0', 5],
    ['tfjs-embed-gru-gobackwards', 'tfjs', 'tfjs-layers 0.0.0', 4],
    ['tfjs-keras215-lstm-textgen/model.json', 'tfjs', '2.1.5', 5],
    ['keras392-stacked-gru/gru_model.keras', 'keras', '3.9.2', 8],
    ['tfkeras290-lstm-dense/model1.h5', 'h5', '2.9.0', 7],
  ])('%s: format %s, Keras %s, %i weights each with its place in the file', (file, format, version, count) => {
    const loaded = readModelFile(fixture(file));
    expect(loaded.format).toBe(format);
    expect(loaded.kerasVersion).toBe(version);
    expect(loaded.weights).toHaveLength(count);
    for (const w of loaded.weights) expect(w.source).toMatch(/kernel|bias|embeddings|vars\/\d$/);
  });

  test('legacy .h5 weights are read in weight_names order from the datasets they name', () => {
    const loaded = readModelFile(fixture('rkeras24-gru-noresetafter/20210115_200133_test_gru_AAPL_Slice2_01.hdf5'));
    expect(loaded.weights.slice(0, 3).map((w) => w.source)).toEqual([
      'model_weights/gru_1/gru_1/gru_cell_14/kernel:0',
      'model_weights/gru_1/gru_1/gru_cell_14/recurrent_kernel:0',
      'model_weights/gru_1/gru_1/gru_cell_14/bias:0',
    ]);
  });

  test('Keras 2 files get Keras 2 hard_sigmoid; the file content decides the format, not the name', async () => {
    const bytes = fs.readFileSync(fixture('dl4j-keras213-lstm/simple_flatten_lstm_tf_keras_2_model.h5'));
    const model = await loadModel(new Uint8Array(bytes));
    expect((model.layers[0] as unknown as { recurrentActivation: string }).recurrentActivation).toBe('hard_sigmoid_keras2');
  });
});
