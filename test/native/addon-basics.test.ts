// Small hand-checkable cases for the native addon, plus async, threads and worker_threads.
// (Cross-backend parity over many shapes lives elsewhere.)
import { Worker } from 'worker_threads';
import type { ActivationName, RnnForwardArgs, RnnForwardResult } from '../../src/backend/kernels';
import { loaded, native } from '../helpers/native';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** Deterministic values in [-scale, scale). */
function values(n: number, seed: number, scale = 0.5): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 * scale - scale;
  });
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tolerance = 1e-5): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i]));
    if (!(err <= tolerance)) throw new Error(`element ${i}: got ${got[i]}, want ${want[i]}`);
  }
}

// SimpleRNN with units 1, inputDim 1, kernel 1, recurrentKernel 1, bias 0.5 and linear activation:
// h_t = x_t + 0.5 + h_{t-1}, a running sum that is easy to follow by hand.
function sumRnn(x: number[], options: Partial<RnnForwardArgs> = {}): RnnForwardArgs {
  return {
    cell: 'simple_rnn',
    batch: 1,
    timesteps: x.length,
    inputDim: 1,
    units: 1,
    x: Float32Array.from(x),
    kernel: Float32Array.of(1),
    recurrentKernel: Float32Array.of(1),
    bias: Float32Array.of(0.5),
    activation: 'linear',
    recurrentActivation: 'sigmoid',
    resetAfter: false,
    goBackwards: false,
    returnSequences: true,
    zeroOutputForMask: false,
    initialH: null,
    initialC: null,
    mask: null,
    ...options,
  };
}

/** A random call of the given cell: the shapes of every array follow from the dimensions. */
function randomArgs(cell: RnnForwardArgs['cell'], batch: number, seed: number, options: Partial<RnnForwardArgs> = {}): RnnForwardArgs {
  const timesteps = 4, inputDim = 3, units = 5;
  const g = cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
  const resetAfter = options.resetAfter ?? true;
  return {
    cell, batch, timesteps, inputDim, units,
    x: values(batch * timesteps * inputDim, seed, 1),
    kernel: values(inputDim * g * units, seed + 1),
    recurrentKernel: values(units * g * units, seed + 2),
    bias: values((cell === 'gru' && resetAfter ? 2 : 1) * g * units, seed + 3),
    activation: 'tanh',
    recurrentActivation: 'sigmoid',
    resetAfter,
    goBackwards: false,
    returnSequences: true,
    zeroOutputForMask: false,
    initialH: values(batch * units, seed + 4),
    initialC: cell === 'lstm' ? values(batch * units, seed + 5) : null,
    mask: Uint8Array.from({ length: batch * timesteps }, (_, i) => (i % 3 === 1 ? 0 : 1)),
    ...options,
  };
}

function expectSameResult(a: RnnForwardResult, b: RnnForwardResult): void {
  expect(Array.from(a.output)).toEqual(Array.from(b.output));
  expect(Array.from(a.h)).toEqual(Array.from(b.h));
  expect(a.c === null ? null : Array.from(a.c)).toEqual(b.c === null ? null : Array.from(b.c));
}

describe('exports', () => {
  test('the binding.d.ts surface and implementation "native"', () => {
    const k = native();
    expect(Object.keys(k).sort()).toEqual(
      ['denseForward', 'denseForwardAsync', 'getThreads', 'implementation', 'rnnForward', 'rnnForwardAsync', 'setThreads'].sort(),
    );
    expect(k.implementation).toBe('native');
    expect(loaded.file).toMatch(/\.node$/);
    // Under scripts/asan-native.sh, make sure the sanitized build is the one under test.
    if (process.env.RNNKIT_NATIVE_ROOT) expect(loaded.file!.startsWith(process.env.RNNKIT_NATIVE_ROOT)).toBe(true);
  });
});

describe('SimpleRNN by hand (h_t = x_t + 0.5 + h_{t-1})', () => {
  test('returnSequences gives the running sums', () => {
    const r = native().rnnForward(sumRnn([1, 2, 3]));
    expect(Array.from(r.output)).toEqual([1.5, 4, 7.5]);
    expect(Array.from(r.h)).toEqual([7.5]);
    expect(r.c).toBeNull();
  });

  test('returnSequences false gives the last output only', () => {
    const r = native().rnnForward(sumRnn([1, 2, 3], { returnSequences: false }));
    expect(Array.from(r.output)).toEqual([7.5]);
  });

  test('goBackwards processes 3, 2, 1 and returns the sequence in processing order', () => {
    const r = native().rnnForward(sumRnn([1, 2, 3], { goBackwards: true }));
    expect(Array.from(r.output)).toEqual([3.5, 6, 7.5]);
  });

  test('initialH starts the sum', () => {
    expect(Array.from(native().rnnForward(sumRnn([1, 2], { initialH: Float32Array.of(10) })).output)).toEqual([11.5, 14]);
  });

  test('a masked step repeats the previous output and keeps the state', () => {
    const r = native().rnnForward(sumRnn([1, 2, 3], { mask: Uint8Array.of(1, 0, 1) }));
    expect(Array.from(r.output)).toEqual([1.5, 1.5, 5]);
    expect(Array.from(r.h)).toEqual([5]);
  });

  test('zeroOutputForMask gives zeros at masked steps', () => {
    const r = native().rnnForward(sumRnn([1, 2, 3], { mask: Uint8Array.of(1, 0, 1), zeroOutputForMask: true }));
    expect(Array.from(r.output)).toEqual([1.5, 0, 5]);
  });

  test('a masked first step outputs zeros and keeps initialH', () => {
    const r = native().rnnForward(sumRnn([1, 2, 3], { mask: Uint8Array.of(0, 1, 1), initialH: Float32Array.of(10) }));
    expect(Array.from(r.output)).toEqual([0, 12.5, 16]);
    expect(Array.from(r.h)).toEqual([16]);
  });

  test('returnSequences false with a masked last step returns the last unmasked output', () => {
    const r = native().rnnForward(sumRnn([1, 2, 3], { mask: Uint8Array.of(1, 1, 0), returnSequences: false }));
    expect(Array.from(r.output)).toEqual([4]);
    expect(Array.from(r.h)).toEqual([4]);
  });

  test('the mask is in input time order under goBackwards', () => {
    const r = native().rnnForward(sumRnn([1, 2, 3], { mask: Uint8Array.of(1, 1, 0), goBackwards: true }));
    expect(Array.from(r.output)).toEqual([0, 2.5, 4]);
  });

  test('each sample of a batch has its own mask and state', () => {
    const args = sumRnn([], {
      batch: 2,
      timesteps: 3,
      x: Float32Array.of(1, 2, 3, 10, 20, 30),
      mask: Uint8Array.of(1, 1, 1, 0, 1, 0),
      initialH: Float32Array.of(0, 100),
    });
    const r = native().rnnForward(args);
    expect(Array.from(r.output)).toEqual([1.5, 4, 7.5, 0, 120.5, 120.5]);
    expect(Array.from(r.h)).toEqual([7.5, 120.5]);
  });
});

describe('one step of LSTM and GRU against inline Math', () => {
  // inputDim 2, units 2, batch 1, timesteps 1, with initial states so the recurrent part counts.
  const D = 2, H = 2;
  const x = Float32Array.of(0.3, -0.7);
  const h0 = Float32Array.of(0.2, -0.4);
  /** Column k of (x @ W) for W (rows, cols) row-major. */
  const dot = (v: ArrayLike<number>, W: Float32Array, cols: number, k: number) => {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i] * W[i * cols + k];
    return s;
  };

  test('LSTM: i, f, c, o gates', () => {
    const W = values(D * 4 * H, 11), U = values(H * 4 * H, 12), b = values(4 * H, 13);
    const c0 = Float32Array.of(0.5, -0.1);
    const z = (k: number) => dot(x, W, 4 * H, k) + b[k] + dot(h0, U, 4 * H, k);
    const c: number[] = [], h: number[] = [];
    for (let j = 0; j < H; j++) {
      const i = sigmoid(z(j)), f = sigmoid(z(H + j)), cc = Math.tanh(z(2 * H + j)), o = sigmoid(z(3 * H + j));
      c[j] = f * c0[j] + i * cc;
      h[j] = o * Math.tanh(c[j]);
    }
    const r = native().rnnForward({
      ...sumRnn([]), cell: 'lstm', timesteps: 1, inputDim: D, units: H, x, kernel: W, recurrentKernel: U, bias: b,
      activation: 'tanh', recurrentActivation: 'sigmoid', initialH: h0, initialC: c0,
    });
    expectClose(r.output, h);
    expectClose(r.h, h);
    expectClose(r.c!, c);
  });

  test.each([true, false])('GRU with resetAfter %s: z, r, h gates', (resetAfter) => {
    const W = values(D * 3 * H, 21), U = values(H * 3 * H, 22), b = values((resetAfter ? 2 : 1) * 3 * H, 23);
    const G = 3 * H;
    const xp = (k: number) => dot(x, W, G, k) + b[k];
    const h: number[] = [];
    const z: number[] = [], rg: number[] = [];
    for (let j = 0; j < H; j++) {
      const brec = (k: number) => (resetAfter ? b[G + k] : 0);
      z[j] = sigmoid(xp(j) + dot(h0, U, G, j) + brec(j));
      rg[j] = sigmoid(xp(H + j) + dot(h0, U, G, H + j) + brec(H + j));
    }
    for (let j = 0; j < H; j++) {
      const k = 2 * H + j;
      const hh = resetAfter
        ? Math.tanh(xp(k) + rg[j] * (dot(h0, U, G, k) + b[G + k]))
        : Math.tanh(xp(k) + dot(h0.map((v, i) => v * rg[i]), U, G, k));
      h[j] = z[j] * h0[j] + (1 - z[j]) * hh;
    }
    const r = native().rnnForward({
      ...sumRnn([]), cell: 'gru', timesteps: 1, inputDim: D, units: H, x, kernel: W, recurrentKernel: U, bias: b,
      activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter, initialH: h0,
    });
    expectClose(r.output, h);
    expectClose(r.h, h);
    expect(r.c).toBeNull();
  });
});

describe('denseForward', () => {
  test('relu(x @ kernel + bias) by hand', () => {
    const y = native().denseForward({
      rows: 2, inputDim: 3, units: 2,
      x: Float32Array.of(1, 2, 3, -1, 0, 1),
      kernel: Float32Array.of(1, 0, 0, 1, 1, -1),
      bias: Float32Array.of(0.5, 0.25),
      activation: 'relu',
    });
    expect(Array.from(y)).toEqual([4.5, 0, 0.5, 0]);
  });

  const formulas: Record<ActivationName, (v: number) => number> = {
    linear: (v) => v,
    tanh: Math.tanh,
    sigmoid,
    hard_sigmoid: (v) => Math.min(Math.max(v / 6 + 0.5, 0), 1),
    hard_sigmoid_keras2: (v) => Math.min(Math.max(0.2 * v + 0.5, 0), 1),
    relu: (v) => Math.max(v, 0),
    relu6: (v) => Math.min(Math.max(v, 0), 6),
    elu: (v) => (v > 0 ? v : Math.exp(v) - 1),
    selu: (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.exp(v) - 1)),
    softplus: (v) => Math.log(1 + Math.exp(v)),
    softsign: (v) => v / (1 + Math.abs(v)),
    exponential: Math.exp,
    silu: (v) => v * sigmoid(v),
  };
  const xs = [-40, -7, -2.5, -1, -0.3, 0, 1e-4, 0.4, 1, 2.9, 6.5, 20];
  test.each(Object.keys(formulas) as ActivationName[])('activation %s matches its formula', (activation) => {
    const y = native().denseForward({
      rows: xs.length, inputDim: 1, units: 1, x: Float32Array.from(xs), kernel: Float32Array.of(1), bias: null, activation,
    });
    expectClose(y, Float32Array.from(xs, formulas[activation]), 2e-6);
  });
});

describe('typed array views', () => {
  test('inputs with a byteOffset give the same result as fresh arrays', () => {
    const args = randomArgs('lstm', 3, 40);
    const view = (a: Float32Array) => {
      const big = values(a.length + 7, 99);
      big.set(a, 5);
      return big.subarray(5, 5 + a.length);
    };
    const mask = new Uint8Array(args.mask!.length + 3);
    mask.set(args.mask!, 3);
    const viewed = native().rnnForward({
      ...args, x: view(args.x), kernel: view(args.kernel), recurrentKernel: view(args.recurrentKernel),
      bias: view(args.bias!), initialH: view(args.initialH!), initialC: view(args.initialC!), mask: mask.subarray(3),
    });
    expectSameResult(viewed, native().rnnForward(args));
  });
});

describe('async', () => {
  test.each(['simple_rnn', 'lstm', 'gru'] as const)('rnnForwardAsync equals rnnForward (%s)', async (cell) => {
    const args = randomArgs(cell, 5, 7);
    expectSameResult(await native().rnnForwardAsync(args), native().rnnForward(args));
  });

  test('denseForwardAsync equals denseForward', async () => {
    const args = { rows: 9, inputDim: 4, units: 3, x: values(36, 1), kernel: values(12, 2), bias: values(3, 3), activation: 'silu' as const };
    expect(Array.from(await native().denseForwardAsync(args))).toEqual(Array.from(native().denseForward(args)));
  });

  test('64 concurrent rnnForwardAsync calls are all correct', async () => {
    const calls = Array.from({ length: 64 }, (_, i) => randomArgs((['simple_rnn', 'lstm', 'gru'] as const)[i % 3], 1 + (i % 6), 100 + i, { resetAfter: i % 2 === 0 }));
    const want = calls.map((args) => native().rnnForward(args));
    const got = await Promise.all(calls.map((args) => native().rnnForwardAsync(args)));
    got.forEach((r, i) => expectSameResult(r, want[i]));
  });
});

describe('threads', () => {
  const initial = native().getThreads();
  afterAll(() => native().setThreads(initial));

  test('getThreads starts at an integer >= 1 and follows setThreads', () => {
    expect(Number.isInteger(initial) && initial >= 1).toBe(true);
    native().setThreads(3);
    expect(native().getThreads()).toBe(3);
    native().setThreads(1);
    expect(native().getThreads()).toBe(1);
  });

  test.each(['simple_rnn', 'lstm', 'gru'] as const)('threads 1 and 2 give identical results (%s)', (cell) => {
    for (const resetAfter of [true, false]) {
      const args = randomArgs(cell, 7, 55, { resetAfter, goBackwards: true });
      native().setThreads(1);
      const one = native().rnnForward(args);
      native().setThreads(2);
      expectSameResult(native().rnnForward(args), one);
      native().setThreads(4); // more threads than cores, still 7 samples in 4 chunks
      expectSameResult(native().rnnForward(args), one);
    }
  });
});

describe('worker_threads', () => {
  test('the addon loads and runs in several workers and the main thread at once', async () => {
    const args = randomArgs('gru', 4, 77);
    const want = native().rnnForward(args);
    const code = `
      const { parentPort, workerData } = require('worker_threads');
      const k = require(workerData.file);
      k.rnnForwardAsync(workerData.args).then((r) => parentPort.postMessage(Array.from(r.output)));`;
    const runWorker = () =>
      new Promise<number[]>((resolve, reject) => {
        const w = new Worker(code, { eval: true, workerData: { file: loaded.file, args } });
        w.once('message', (m) => { resolve(m as number[]); void w.terminate(); });
        w.once('error', reject);
      });
    const [a, b, main] = await Promise.all([runWorker(), runWorker(), native().rnnForwardAsync(args)]);
    expect(a).toEqual(Array.from(want.output));
    expect(b).toEqual(Array.from(want.output));
    expectSameResult(main, want);
  });
});
