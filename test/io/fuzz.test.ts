// Damaged files: thousands of truncated and bit-flipped variants of real model files either load
// (and then predict) or fail with a ModelFileError. None may crash the process, hang, or throw
// anything untyped. The variants are drawn from a fixed seed, so a failure reproduces. Parsing
// does not depend on the backend, so the suite runs once, in the native pass (where a corrupt
// weight reaching C++ would hurt most).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Bidirectional, Dense, Embedding, GRU, Input, LSTM, ModelFileError, Sequential, backend, tensor } from '../../src';
import { readModelFile } from '../../src/io/load-model';
import { kerasFileBytes } from '../../src/io/save-model';

const fixtures = path.join(__dirname, '..', 'fixtures', 'keras-models');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnkit-fuzz-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const VARIANTS_PER_FILE = 400;
const describeOnce = backend().name === 'native' ? describe : describe.skip;

function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** One third truncations at a random length, two thirds 1-8 random bit flips. */
function* variants(bytes: Uint8Array, seed: number): Generator<Uint8Array> {
  const random = generator(seed);
  for (let i = 0; i < VARIANTS_PER_FILE; i++) {
    if (i % 3 === 0) {
      yield bytes.slice(0, Math.floor(random() * bytes.length));
      continue;
    }
    const v = Uint8Array.from(bytes);
    const flips = 1 + Math.floor(random() * 8);
    for (let k = 0; k < flips; k++) v[Math.floor(random() * v.length)] ^= 1 << Math.floor(random() * 8);
    yield v;
  }
}

interface Tally {
  loaded: number;
  refused: number;
  untyped: string[];
}

function attempt(load: () => ReturnType<typeof readModelFile>, tally: Tally): void {
  try {
    const { model } = load();
    // What loads must also run: predict on an input of the model's shape.
    const shape = model.inputShape!.map((d, i) => (i === 0 ? 1 : (d ?? 2)));
    model.predict(tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape));
    tally.loaded++;
  } catch (e) {
    if (e instanceof ModelFileError) tally.refused++;
    else tally.untyped.push(`${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
  }
}

const legacy = [
  'dl4j-keras213-lstm/simple_flatten_lstm_tf_keras_2_model.h5',
  'dl4j-tfkeras224-stacked-bilstm/rnn_29.h5',
  'rkeras24-gru-noresetafter/20210115_200133_test_gru_AAPL_Slice2_01.hdf5',
];

describeOnce(`${VARIANTS_PER_FILE} damaged variants per file load or fail with a ModelFileError`, () => {
  test.each(legacy)('legacy .h5 %s', (file) => {
    const tally: Tally = { loaded: 0, refused: 0, untyped: [] };
    for (const v of variants(new Uint8Array(fs.readFileSync(path.join(fixtures, file))), file.length)) attempt(() => readModelFile(v), tally);
    expect(tally.untyped).toEqual([]);
    expect(tally.refused).toBeGreaterThan(0);
    expect(tally.loaded + tally.refused).toBe(VARIANTS_PER_FILE);
  });

  test('.keras written by rnnkit (Embedding, Bidirectional(GRU), LSTM, Dense)', async () => {
    const model = new Sequential([
      Input({ shape: [6] }),
      new Embedding(30, 4, { seed: 1 }),
      new Bidirectional(new GRU(3, { seed: 2, returnSequences: true })),
      new LSTM(3, { seed: 3 }),
      new Dense(2, { seed: 4 }),
    ]);
    const bytes = await kerasFileBytes(model);
    const tally: Tally = { loaded: 0, refused: 0, untyped: [] };
    for (const v of variants(bytes, 7)) attempt(() => readModelFile(v), tally);
    expect(tally.untyped).toEqual([]);
    expect(tally.refused).toBeGreaterThan(0);
  });

  test.each(['model.json', 'weights.bin'])('TF.js directory with a damaged %s', (damaged) => {
    const source = path.join(fixtures, 'tfjs-embed-gru-gobackwards');
    const dir = path.join(tmp, `tfjs-${damaged}`);
    fs.mkdirSync(dir);
    for (const f of ['model.json', 'weights.bin']) fs.copyFileSync(path.join(source, f), path.join(dir, f));
    const tally: Tally = { loaded: 0, refused: 0, untyped: [] };
    for (const v of variants(new Uint8Array(fs.readFileSync(path.join(source, damaged))), damaged.length)) {
      fs.writeFileSync(path.join(dir, damaged), v);
      attempt(() => readModelFile(dir), tally);
    }
    expect(tally.untyped).toEqual([]);
    expect(tally.refused).toBeGreaterThan(0);
  });
});
