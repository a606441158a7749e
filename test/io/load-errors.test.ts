// Files that are not models, are damaged, or ask for what rnnkit does not compute: each gets a
// ModelFileError naming the file, the layer (when there is one) and the problem.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Dense, Input, InputTypeError, LSTM, ModelFileError, Sequential, loadModel, readModelFile } from '../../src';
import { writeHdf5 } from '../../src/io/containers/hdf5-writer';
import { readZip, writeZip } from '../../src/io/containers/zip';
import { kerasFileBytes } from '../../src/io/save-model';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnkit-load-errors-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function expectFileError(load: () => unknown, layer: string | null, ...fragments: (string | RegExp)[]): ModelFileError {
  let thrown: unknown;
  try {
    load();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ModelFileError);
  const err = thrown as ModelFileError;
  expect(err.layer).toBe(layer);
  for (const f of fragments) expect(err.message).toMatch(f);
  return err;
}

let good: Uint8Array;
beforeAll(async () => {
  const model = new Sequential([Input({ shape: [3, 2] }), new LSTM(4, { name: 'lstm', seed: 1 }), new Dense(1, { name: 'dense', seed: 2 })]);
  good = await kerasFileBytes(model);
});

/** The .keras file with its config.json edited. */
function withConfig(edit: (config: any) => void): Uint8Array {
  const members = readZip(good, 'good.keras', () => true, 1e8);
  const config = JSON.parse(Buffer.from(members.get('config.json')!).toString());
  edit(config);
  return writeZip([...members.entries()].map(([k, v]) => [k, k === 'config.json' ? JSON.stringify(config) : v]));
}

const layerConfig = (config: any, i: number): Record<string, unknown> => config.config.layers[i].config;

describe('not a model', () => {
  test('random bytes', () => {
    expectFileError(() => readModelFile(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])), null, /^<buffer>: /, /not a model file/, /\.keras/, /\.h5/, /model\.json/);
  });

  test('an empty buffer', () => {
    expectFileError(() => readModelFile(new Uint8Array(0)), null, /is empty/);
  });

  test('a missing file names the path', () => {
    const file = path.join(tmp, 'nope.keras');
    const err = expectFileError(() => readModelFile(file), null, /cannot read the file/);
    expect(err.file).toBe(file);
  });

  test('a directory without model.json', () => {
    expectFileError(() => readModelFile(tmp), null, /directory without a model\.json/);
  });

  test('an HDF5 file without model_config (weights only)', async () => {
    const bytes = await writeHdf5({ dense: { kernel: { shape: [1, 1], values: new Float32Array(1) } } });
    expectFileError(() => readModelFile(bytes), null, /no model_config attribute/);
  });

  test('a zip without config.json', () => {
    expectFileError(() => readModelFile(writeZip([['hello.txt', 'hi']])), null, /no config\.json/);
  });

  test('JSON that is not a TF.js model', () => {
    expectFileError(() => readModelFile(new TextEncoder().encode('{"hello": 1}')), null, /no modelTopology/);
  });

  test('config.json that is not JSON', () => {
    const members = readZip(good, 'good.keras', () => true, 1e8);
    const broken = writeZip([...members.entries()].map(([k, v]) => [k, k === 'config.json' ? '{"class_name": "Sequ' : v]));
    expectFileError(() => readModelFile(broken), null, /config\.json is not valid JSON/);
  });

  test('neither a path nor a buffer', async () => {
    await expect(loadModel(42 as unknown as string)).rejects.toThrow(InputTypeError);
  });

  test('a file over maxBytes', () => {
    expectFileError(() => readModelFile(good, { maxBytes: 100 }), null, /over the 100-byte limit/);
  });
});

describe('layers and options rnnkit does not compute', () => {
  test('a Lambda layer is refused: it holds code', () => {
    const bytes = withConfig((c) => {
      c.config.layers.splice(2, 0, { module: 'keras.layers', class_name: 'Lambda', config: { name: 'lambda', function: { class_name: '__lambda__', config: { code: 'ZZZ' } } } });
    });
    expectFileError(() => readModelFile(bytes), 'lambda', /Lambda layers hold Python code/, /never runs code/);
  });

  test('an unknown layer class names the layers rnnkit reads', () => {
    const bytes = withConfig((c) => {
      c.config.layers[2].class_name = 'Conv1D';
    });
    expectFileError(() => readModelFile(bytes), 'dense', /unsupported layer class 'Conv1D'/, /LSTM/);
  });

  test('a field that changes the numbers: time_major', () => {
    const bytes = withConfig((c) => {
      layerConfig(c, 1).time_major = true;
    });
    expectFileError(() => readModelFile(bytes), 'lstm', /time_major/, /batch-major/);
  });

  test('a field rnnkit does not know', () => {
    const bytes = withConfig((c) => {
      layerConfig(c, 1).peephole = true;
    });
    expectFileError(() => readModelFile(bytes), 'lstm', /field 'peephole'/);
  });

  test('an activation rnnkit does not have', () => {
    const bytes = withConfig((c) => {
      layerConfig(c, 2).activation = 'gelu';
    });
    expectFileError(() => readModelFile(bytes), 'dense', /unknown activation 'gelu'/);
  });

  test('a mixed-precision dtype policy', () => {
    const bytes = withConfig((c) => {
      layerConfig(c, 1).dtype = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'mixed_float16' } };
    });
    expectFileError(() => readModelFile(bytes), 'lstm', /dtype/, /float32/);
  });

  test('a Functional model that branches is not a single chain', () => {
    const tensorRef = (name: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 3], dtype: 'float32', keras_history: [name, 0, 0] } });
    const node = (...names: string[]) => [{ args: names.map(tensorRef), kwargs: {} }];
    const bytes = withConfig((c) => {
      c.class_name = 'Functional';
      c.config = {
        name: 'branchy',
        layers: [
          { class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_shape: [null, 3] }, inbound_nodes: [] },
          { class_name: 'Dense', name: 'a', config: { name: 'a', units: 2 }, inbound_nodes: node('in') },
          { class_name: 'Dense', name: 'b', config: { name: 'b', units: 2 }, inbound_nodes: node('in') },
          { class_name: 'Add', name: 'sum', config: { name: 'sum' }, inbound_nodes: node('a', 'b') },
        ],
        input_layers: [['in', 0, 0]],
        output_layers: [['sum', 0, 0]],
      };
    });
    expectFileError(() => readModelFile(bytes), null, /'sum' has 2 inputs/, /single-chain/);
  });
});

describe('weights that do not fit the config', () => {
  test('a different unit count: the shapes do not match', () => {
    const bytes = withConfig((c) => {
      layerConfig(c, 1).units = 5;
    });
    expectFileError(() => readModelFile(bytes), 'lstm', /\[2, 20\]/, /\[2, 16\]/);
  });

  test('a missing variable', async () => {
    const bytes = withConfig(() => {});
    const members = readZip(bytes, 'x', () => true, 1e8);
    const weights = await writeHdf5({ layers: { lstm: { vars: {}, cell: { vars: { 0: { shape: [2, 16], values: new Float32Array(32) } } } }, dense: { vars: {} } }, vars: {} });
    const broken = writeZip([...members.entries()].map(([k, v]) => [k, k === 'model.weights.h5' ? weights : v]));
    expectFileError(() => readModelFile(broken), 'lstm', /expected 3 variables in 'layers\/lstm\/cell\/vars'/, /the file has 0$/);
  });

  test('a config asking for far more weights than the file holds is refused before allocating', () => {
    const bytes = withConfig((c) => {
      layerConfig(c, 1).units = 1_000_000;
    });
    const started = Date.now();
    expectFileError(() => readModelFile(bytes), 'lstm', /asks for up to/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('NaN weights', async () => {
    const nan = new Float32Array(16).fill(NaN);
    const members = readZip(good, 'x', () => true, 1e8);
    const weights = await writeHdf5({
      layers: {
        lstm: { vars: {}, cell: { vars: { 0: { shape: [2, 16], values: new Float32Array(32) }, 1: { shape: [4, 16], values: new Float32Array(64) }, 2: { shape: [16], values: nan } } } },
        dense: { vars: { 0: { shape: [4, 1], values: new Float32Array(4) }, 1: { shape: [1], values: new Float32Array(1) } } },
      },
      vars: {},
    });
    const broken = writeZip([...members.entries()].map(([k, v]) => [k, k === 'model.weights.h5' ? weights : v]));
    expectFileError(() => readModelFile(broken), 'lstm', /holds NaN/);
  });
});

describe('TF.js directories', () => {
  function writeTfjs(name: string, manifest: unknown, shards: Record<string, Uint8Array> = {}): string {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir, { recursive: true });
    const modelTopology = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'd', units: 1, batch_input_shape: [null, 2] } }] } };
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ modelTopology, weightsManifest: manifest }));
    for (const [f, b] of Object.entries(shards)) fs.writeFileSync(path.join(dir, f), b);
    return dir;
  }
  const denseEntries = [
    { name: 'd/kernel', shape: [2, 1], dtype: 'float32' },
    { name: 'd/bias', shape: [1], dtype: 'float32' },
  ];

  test('a shard path outside the model directory is refused', () => {
    const dir = writeTfjs('escape', [{ paths: ['../secret.bin'], weights: denseEntries }]);
    expectFileError(() => readModelFile(dir), null, /must be a file name next to model\.json/);
  });

  test('a missing shard', () => {
    const dir = writeTfjs('missing', [{ paths: ['w.bin'], weights: denseEntries }]);
    expectFileError(() => readModelFile(dir), null, /w\.bin/, /cannot read the file/);
  });

  test('a shard shorter than its manifest', () => {
    const dir = writeTfjs('short', [{ paths: ['w.bin'], weights: denseEntries }], { 'w.bin': new Uint8Array(8) });
    expectFileError(() => readModelFile(dir), null, /holds 8 bytes, its manifest needs 12/);
  });

  test('a model.json given as a buffer cannot reach its shards', () => {
    const dir = writeTfjs('frombuffer', [{ paths: ['w.bin'], weights: denseEntries }], { 'w.bin': new Uint8Array(12) });
    expectFileError(() => readModelFile(fs.readFileSync(path.join(dir, 'model.json'))), null, /from memory/);
  });

  test('a layer without its weights in the manifest', () => {
    const dir = writeTfjs('noweights', [{ paths: ['w.bin'], weights: [denseEntries[0]] }], { 'w.bin': new Uint8Array(8) });
    expectFileError(() => readModelFile(dir), 'd', /no weight for bias/);
  });
});
