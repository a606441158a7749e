// Saving and loading again gives the same model: the same layers and options, bit-identical
// weights, the same predictions; through Keras 3's .keras and through a TF.js directory.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  Activation,
  Bidirectional,
  Dense,
  Dropout,
  Embedding,
  Flatten,
  GRU,
  Input,
  LSTM,
  Masking,
  ModelFileError,
  ReLU,
  Sequential,
  SimpleRNN,
  Tensor,
  TimeDistributed,
  loadModel,
  tensor,
} from '../../src';
import { readZip } from '../../src/io/containers/zip';
import { Hdf5Reader } from '../../src/io/containers/hdf5-reader';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnkit-roundtrip-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function randomTensor(shape: number[], seed: number, scale = 1): Tensor {
  let s = seed >>> 0;
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 4294967296 - 0.5) * scale;
  });
  return tensor(data, shape);
}

const ids = (shape: number[], vocab: number, seed: number): Tensor =>
  tensor(Float32Array.from(randomTensor(shape, seed).data, (v) => Math.floor((v + 0.5) * vocab)), shape);

interface Case {
  name: string;
  build: () => Sequential;
  input: () => Tensor;
}

const cases: Case[] = [
  {
    name: 'SimpleRNN -> Dense',
    build: () => new Sequential([Input({ shape: [5, 3] }), new SimpleRNN(4, { seed: 1 }), new Dense(2, { seed: 2, activation: 'softmax' })]),
    input: () => randomTensor([3, 5, 3], 1),
  },
  {
    name: 'stacked LSTM (returnSequences, hard_sigmoid_keras2) -> TimeDistributed(Dense)',
    build: () =>
      new Sequential([
        Input({ shape: [6, 2] }),
        new LSTM(5, { seed: 3, returnSequences: true, recurrentActivation: 'hard_sigmoid_keras2', unitForgetBias: false }),
        new LSTM(4, { seed: 4, returnSequences: true, goBackwards: true }),
        new TimeDistributed(new Dense(3, { seed: 5, activation: 'tanh' })),
      ]),
    input: () => randomTensor([2, 6, 2], 2),
  },
  {
    name: 'Embedding(maskZero) -> GRU (both reset modes) -> Dense',
    build: () =>
      new Sequential([
        new Embedding(20, 4, { seed: 6, maskZero: true, inputLength: 7 }),
        new GRU(5, { seed: 7, returnSequences: true }),
        new GRU(3, { seed: 8, resetAfter: false, activation: 'relu' }),
        new Dense(1, { seed: 9, activation: 'sigmoid' }),
      ]),
    input: () => ids([4, 7], 20, 3),
  },
  {
    name: 'Masking -> Bidirectional(LSTM, sum) -> Dropout -> ReLU -> Flatten -> Dense',
    build: () =>
      new Sequential([
        Input({ shape: [4, 3] }),
        new Masking({ maskValue: 0 }),
        new Bidirectional(new LSTM(3, { seed: 10, returnSequences: true }), { mergeMode: 'sum' }),
        new Dropout(0.3),
        new ReLU({ maxValue: 0.5, negativeSlope: 0.1 }),
        new Flatten(),
        new Dense(2, { seed: 11, useBias: false }),
        new Activation('softmax'),
      ]),
    input: () => {
      const x = randomTensor([3, 4, 3], 4);
      x.data.fill(0, 9, 12); // sample 0, step 3 masked
      return x;
    },
  },
  {
    name: 'Bidirectional(GRU, concat) with a different backward layer',
    build: () =>
      new Sequential([
        Input({ shape: [5, 2] }),
        new Bidirectional(new GRU(3, { seed: 12 }), { backwardLayer: new GRU(3, { seed: 13, goBackwards: true, activation: 'relu' }) }),
      ]),
    input: () => randomTensor([2, 5, 2], 5),
  },
];

// Initializers come back in Keras's spelling ('glorot_uniform' -> { class_name: 'GlorotUniform' }).
const ALIASES: Record<string, string> = { uniform: 'random_uniform', normal: 'random_normal' };
function canonicalInitializer(spec: unknown): unknown {
  const s = spec as { className?: string; class_name?: string; config?: Record<string, unknown> };
  const name = typeof spec === 'string' ? spec : (s.className ?? s.class_name ?? '');
  const snake = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  const config = Object.fromEntries(Object.entries(typeof spec === 'string' ? {} : (s.config ?? {})).filter(([, v]) => v !== null));
  return { name: ALIASES[snake] ?? snake, config };
}
// The seed only draws initial weights, which the file replaces: files do not keep it.
function canonicalConfig(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).filter(([k]) => k !== 'seed').map(([k, v]) => [
      k,
      k.endsWith('Initializer') ? canonicalInitializer(v) : v && typeof v === 'object' && !Array.isArray(v) ? canonicalConfig(v as Record<string, unknown>) : v,
    ]),
  );
}

function expectSameModel(a: Sequential, b: Sequential, x: Tensor): void {
  expect(b.layers.map((l) => [l.name, l.className])).toEqual(a.layers.map((l) => [l.name, l.className]));
  expect(b.layers.map((l) => canonicalConfig(l.getConfig()))).toEqual(a.layers.map((l) => canonicalConfig(l.getConfig())));
  const wa = a.getWeights();
  const wb = b.getWeights();
  expect(wb.map((w) => w.shape)).toEqual(wa.map((w) => w.shape));
  wa.forEach((w, i) => expect(Buffer.from(wb[i].data.buffer).equals(Buffer.from(w.data.buffer))).toBe(true));
  expect(Array.from(b.predict(x).data)).toEqual(Array.from(a.predict(x).data));
}

describe('save to .keras and load again', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const model = c.build();
    const file = path.join(tmp, `${c.name.replace(/\W+/g, '_')}.keras`);
    await model.save(file);
    expectSameModel(model, await loadModel(file), c.input());
  });

  test("the file has Keras 3's layout: metadata.json, config.json, model.weights.h5 with layers/<class>/.../vars/<i>", async () => {
    const model = cases[1].build();
    const file = path.join(tmp, 'layout.keras');
    await model.save(file);
    const members = readZip(new Uint8Array(fs.readFileSync(file)), file, () => true, 1e8);
    expect([...members.keys()]).toEqual(['metadata.json', 'config.json', 'model.weights.h5']);
    const metadata = JSON.parse(Buffer.from(members.get('metadata.json')!).toString());
    expect(metadata.keras_version).toMatch(/^3\./);
    const config = JSON.parse(Buffer.from(members.get('config.json')!).toString());
    expect(config.class_name).toBe('Sequential');
    expect(config.config.layers.map((l: { class_name: string }) => l.class_name)).toEqual(['InputLayer', 'LSTM', 'LSTM', 'TimeDistributed']);
    expect(config.config.layers[0].config.batch_shape).toEqual([null, 6, 2]);
    const h5 = Hdf5Reader.open(members.get('model.weights.h5')!, 'model.weights.h5');
    expect(h5.keys('layers')).toEqual(['lstm', 'lstm_1', 'time_distributed']);
    expect(h5.keys('layers/lstm/cell/vars')).toEqual(['0', '1', '2']);
    expect(h5.datasetShape('layers/lstm_1/cell/vars/1')).toEqual([4, 16]);
    expect(h5.keys('layers/time_distributed/layer/vars')).toEqual(['0', '1']);
    expect(h5.keys('layers/lstm/vars')).toEqual([]);
  });

  test('saving twice gives the same weights file', async () => {
    const model = cases[0].build();
    await model.save(path.join(tmp, 'a.keras'));
    await model.save(path.join(tmp, 'b.keras'));
    const weights = (f: string) => readZip(new Uint8Array(fs.readFileSync(path.join(tmp, f))), f, () => true, 1e8).get('model.weights.h5')!;
    expect(Buffer.from(weights('a.keras')).equals(Buffer.from(weights('b.keras')))).toBe(true);
  });
});

describe('save to a TF.js directory and load again', () => {
  test.each(cases.filter((c) => !c.name.includes('different backward')).map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const model = c.build();
    const dir = path.join(tmp, `tfjs_${c.name.replace(/\W+/g, '_')}`);
    await model.save(dir, { format: 'tfjs' });
    expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    expectSameModel(model, await loadModel(dir), c.input());
  });

  test("a file:// URL saves a TF.js directory, as tfjs-node's model.save does", async () => {
    const model = cases[0].build();
    const dir = path.join(tmp, 'url-saved');
    await model.save(`file://${dir}`);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual(
      model.layers.flatMap((l) => l.weights.map((w) => `${l.name}/${w.name}`)),
    );
  });

  test("Keras 3's hard_sigmoid cannot be written for TF.js, whose hard_sigmoid is Keras 2's", async () => {
    const model = new Sequential([Input({ shape: [2, 2] }), new LSTM(2, { recurrentActivation: 'hard_sigmoid' })]);
    await expect(model.save(path.join(tmp, 'hs'), { format: 'tfjs' })).rejects.toThrow(ModelFileError);
  });
});

describe('save refuses what it cannot write', () => {
  test('an unbuilt model', async () => {
    await expect(new Sequential([new LSTM(2)]).save(path.join(tmp, 'x.keras'))).rejects.toThrow(/build the model/);
  });

  test('a legacy .h5 or unknown extension, naming the formats it writes', async () => {
    const model = cases[0].build();
    await expect(model.save(path.join(tmp, 'x.h5'))).rejects.toThrow(/\.keras/);
    await expect(model.save(path.join(tmp, 'x.bin'))).rejects.toThrow(ModelFileError);
  });
});

test('layers built after a load (or a failed load) still draw their initial weights', async () => {
  const file = path.join(tmp, 'init.keras');
  await cases[0].build().save(file);
  await loadModel(file);
  await expect(loadModel(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2]))).rejects.toThrow(ModelFileError);
  const fresh = new LSTM(3, { seed: 5 });
  fresh.build([null, 2, 2]);
  expect(fresh.getWeights()[0].data.some((v) => v !== 0)).toBe(true);
});

test("what save writes in config.json is what Keras 3.9.2 itself writes for those classes (keys a subset of a real file's)", async () => {
  const realFile = path.join(__dirname, '..', 'fixtures', 'keras-models', 'keras392-lstm-relu-btc', 'lstm_model.keras');
  const gruFile = path.join(__dirname, '..', 'fixtures', 'keras-models', 'keras392-stacked-gru', 'gru_model.keras');
  const configOf = (bytes: Uint8Array) => JSON.parse(Buffer.from(readZip(bytes, 'f', () => true, 1e8).get('config.json')!).toString());
  const real = [configOf(new Uint8Array(fs.readFileSync(realFile))), configOf(new Uint8Array(fs.readFileSync(gruFile)))];
  const realKeys = new Map<string, Set<string>>();
  for (const c of real) for (const l of c.config.layers) realKeys.set(l.class_name, new Set(Object.keys(l.config)));
  const model = new Sequential([Input({ shape: [3, 2] }), new LSTM(2, { returnSequences: true }), new GRU(2), new Dropout(0.2), new Dense(1)]);
  const file = path.join(tmp, 'keys.keras');
  await model.save(file);
  const ours = configOf(new Uint8Array(fs.readFileSync(file)));
  expect(Object.keys(ours.config).sort()).toEqual(Object.keys(real[0].config).sort());
  for (const l of ours.config.layers) {
    const allowed = realKeys.get(l.class_name)!;
    expect(Object.keys(l.config).filter((k) => !allowed.has(k))).toEqual([]);
  }
});

test("a real Keras 3.9.2 file saved again by rnnkit has the same weight paths, shapes and values as Keras wrote", async () => {
  const realFile = path.join(__dirname, '..', 'fixtures', 'keras-models', 'keras392-stacked-gru', 'gru_model.keras');
  const file = path.join(tmp, 'resaved.keras');
  await (await loadModel(realFile)).save(file);
  const weightsOf = (f: string) => Hdf5Reader.open(readZip(new Uint8Array(fs.readFileSync(f)), f, () => true, 1e8).get('model.weights.h5')!, f);
  const paths = (h5: Hdf5Reader, p: string): string[] =>
    h5.isDataset(p) ? [p] : h5.keys(p).flatMap((k) => paths(h5, p ? `${p}/${k}` : k));
  const real = weightsOf(realFile);
  const ours = weightsOf(file);
  const layerPaths = paths(real, 'layers');
  // Same set of paths (HDF5 lists links in name or creation order, which h5py lookups ignore).
  expect(paths(ours, 'layers').sort()).toEqual([...layerPaths].sort());
  for (const p of layerPaths) {
    expect(ours.datasetShape(p)).toEqual(real.datasetShape(p));
    expect(Array.from(ours.readFloat32(p, null))).toEqual(Array.from(real.readFloat32(p, null)));
    const group = p.slice(0, p.lastIndexOf('/'));
    expect(ours.attr(group, 'name')).toBe(real.attr(group, 'name'));
  }
});
