// `rnnkit demo` reproduces the tutorial's inference examples and says which backend ran.
import { execFileSync } from 'child_process';
import * as path from 'path';
import { backend } from '../src';
import { runDemo } from '../src/cli/demo';
import { clearSession } from '../src/layers/naming';

let cached: string[] | null = null;
/** The demo's lines (run once: the training example takes a second). */
async function demoLines(): Promise<string[]> {
  if (cached === null) {
    clearSession();
    const lines: string[] = [];
    await runDemo((l) => lines.push(l));
    cached = lines;
  }
  return cached;
}

test('the demo shows the three SimpleRNN summaries with 42 params and their output shapes', async () => {
  const text = (await demoLines()).join('\n');
  for (const shape of ['(None, 3)', '(8, 3)', '(8, 2, 3)']) expect(text).toContain(`${shape}`);
  expect(text.match(/Total params: 42\n/g)).toHaveLength(3);
});

test('the demo shows the deep RNN (112 + 136 = 248), the bidirectional stacks and the quiz model (529,441)', async () => {
  const text = (await demoLines()).join('\n');
  expect(text).toMatch(/\(None, 10, 8\) +112/);
  expect(text).toMatch(/\(None, 10, 8\) +136/);
  expect(text).toContain('Total params: 248');
  expect(text).toContain('Total params: 224');
  expect(text).toContain('Total params: 1,424');
  expect(text).toContain('Total params: 529,441');
});

test('the demo checks SimpleRNN against the numpy loop and prints (10, 8) hidden states', async () => {
  const lines = await demoLines();
  expect(lines).toContain('all hidden states (10, 8), from SimpleRNN(8, returnSequences):');
  const diff = lines.find((l) => l.startsWith('max |SimpleRNN - numpy loop|'))!;
  expect(Number(diff.split('=')[1])).toBeLessThanOrEqual(1e-5);
});

test('the demo prints return_state outputs with their shapes and the backend that ran', async () => {
  const lines = await demoLines();
  expect(lines.filter((l) => l.startsWith('last cell state')).every((l) => l.endsWith('shape: (1, 3)'))).toBe(true);
  expect(lines.some((l) => l.startsWith('hidden states') && l.endsWith('shape: (1, 4, 3)'))).toBe(true);
  expect(lines[lines.length - 1]).toContain(`backend: ${backend().name}`);
});

test('the demo trains the tutorial LSTM, stops early and predicts about 55 for [25, 35, 45]', async () => {
  const lines = await demoLines();
  const stopped = lines.find((l) => l.startsWith('stopped after'))!;
  const epochs = Number(/stopped after (\d+) of 1000 epochs/.exec(stopped)![1]);
  expect(epochs).toBeGreaterThan(10);
  expect(epochs).toBeLessThan(1000);
  const prediction = lines.find((l) => l.startsWith('prediction for [25, 35, 45]'))!;
  const value = Number(/\[\[([-\d.e]+)\]\]/.exec(prediction)![1]);
  expect(Math.abs(value - 55)).toBeLessThan(5);
});

test('the compiled rnnkit command runs the demo', () => {
  const cli = path.join(__dirname, '..', 'lib', 'cli', 'index.js');
  const out = execFileSync(process.execPath, [cli, 'demo'], { encoding: 'utf8' });
  expect(out).toContain('Total params: 529,441');
  expect(out).toContain(`backend: ${backend().name}`);
});

test('an unknown command exits with status 2 and the usage', () => {
  const cli = path.join(__dirname, '..', 'lib', 'cli', 'index.js');
  let status = 0;
  let stderr = '';
  try {
    execFileSync(process.execPath, [cli, 'dmeo'], { encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    status = (err as { status: number }).status;
    stderr = String((err as { stderr: string }).stderr);
  }
  expect(status).toBe(2);
  expect(stderr).toContain("unknown command 'dmeo'");
});

describe('rnnkit inspect <file>', () => {
  const cli = path.join(__dirname, '..', 'lib', 'cli', 'index.js');
  const fixture = path.join(__dirname, 'fixtures', 'keras-models', 'rkeras24-gru-noresetafter', '20210115_200133_test_gru_AAPL_Slice2_01.hdf5');

  test('prints the format, the Keras version, the summary and where each weight came from', () => {
    const out = execFileSync(process.execPath, [cli, 'inspect', fixture], { encoding: 'utf8' });
    expect(out).toContain('Format: Keras legacy HDF5 (.h5), written by Keras 2.4.0');
    expect(out).toMatch(/gru_1 \(GRU\) +\(None, 32\) +3264/);
    expect(out).toContain('Total params: 3,297');
    expect(out).toMatch(/gru_1\/recurrent_kernel +\[32, 96\] +<- model_weights\/gru_1\/gru_1\/gru_cell_14\/recurrent_kernel:0/);
    expect(out).toMatch(/dense_1\/bias +\[1\] +<- model_weights\/dense_1\/dense_1\/bias:0/);
  });

  test('a file that is not a model exits with status 1 and says why', () => {
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, [cli, 'inspect', __filename], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      status = (err as { status: number }).status;
      stderr = String((err as { stderr: string }).stderr);
    }
    expect(status).toBe(1);
    expect(stderr).toContain('is not a model file');
  });
});
