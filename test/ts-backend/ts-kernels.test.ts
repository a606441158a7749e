// The TypeScript backend's building blocks and cells on small cases worked out by hand.
import * as ts from '../../src/backend/ts';
import { applyActivation } from '../../src/backend/ts/activations';
import { sgemm } from '../../src/backend/ts/gemm';
import type { ActivationName, RnnForwardArgs } from '../../src/backend/kernels';

const sig = (v: number) => 1 / (1 + Math.exp(-v));

/** Deterministic values in [-1, 1) so failures reproduce. */
function pseudoRandom(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) {
      throw new Error(`element ${i}: got ${actual[i]}, expected ${expected[i]} (tolerance ${tolerance})`);
    }
  }
}

describe('sgemm', () => {
  // [m, n, k]: odd sizes, sizes around the 4-row tile and 4-deep k unroll, and past the k (128) and j (512) blocks.
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 7],
    [4, 4, 4],
    [5, 3, 2],
    [9, 13, 11],
    [7, 530, 133],
    [6, 3, 300],
  ];
  test.each(shapes)('m=%i n=%i k=%i with offsets, padded leading dims, alpha and beta', (m, n, k) => {
    const [lda, ldb, ldc] = [k + 3, n + 2, n + 5];
    const [aOff, bOff, cOff] = [5, 2, 9];
    const a = pseudoRandom(aOff + m * lda, m * 7 + 1);
    const b = pseudoRandom(bOff + k * ldb, n * 11 + 2);
    for (const [alpha, beta] of [[1, 0], [0.5, 1], [-1.25, 0.3]]) {
      const c = pseudoRandom(cOff + m * ldc + 4, k * 13 + 3);
      const expected = Float64Array.from(c);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let p = 0; p < k; p++) sum += a[aOff + i * lda + p] * b[bOff + p * ldb + j];
          const at = cOff + i * ldc + j;
          expected[at] = alpha * sum + beta * c[at];
        }
      }
      sgemm(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      // expected also holds the elements outside the m x n block (offset, padding, tail): they must not change.
      expectClose(c, expected, 1e-5 * Math.sqrt(k));
    }
  });

  test('beta 0 overwrites C, so NaN already there does not leak (BLAS rule)', () => {
    const c = new Float32Array(4).fill(NaN);
    sgemm(2, 2, 1, 1, Float32Array.of(1, 2), 0, 1, Float32Array.of(3, 4), 0, 2, 0, c, 0, 2);
    expect(Array.from(c)).toEqual([3, 4, 6, 8]);
  });

  test('an operand too short for its shape is a RangeError, not a silent NaN', () => {
    const a = new Float32Array(6);
    expect(() => sgemm(2, 2, 3, 1, a, 1, 3, new Float32Array(6), 0, 2, 0, new Float32Array(4), 0, 2)).toThrow(RangeError);
  });
});

describe('activations', () => {
  const points = [-1000, -3, -1, -0.5, 0, 1, 2.5, 7, 1000];
  const formulas: Record<ActivationName, (v: number) => number> = {
    linear: (v) => v,
    tanh: Math.tanh,
    sigmoid: (v) => (v < -700 ? 0 : 1 / (1 + Math.exp(-v))),
    hard_sigmoid: (v) => Math.min(Math.max(v / 6 + 0.5, 0), 1),
    hard_sigmoid_keras2: (v) => Math.min(Math.max(0.2 * v + 0.5, 0), 1),
    relu: (v) => Math.max(v, 0),
    relu6: (v) => Math.min(Math.max(v, 0), 6),
    elu: (v) => (v > 0 ? v : Math.exp(v) - 1),
    selu: (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.exp(v) - 1)),
    softplus: (v) => (v > 30 ? v : Math.log(1 + Math.exp(v))),
    softsign: (v) => v / (1 + Math.abs(v)),
    exponential: Math.exp,
    silu: (v) => (v < -700 ? 0 : v / (1 + Math.exp(-v))),
  };

  test.each(Object.keys(formulas) as ActivationName[])('%s matches its formula', (name) => {
    const values = Float32Array.from(points);
    applyActivation(name, values, 0, values.length);
    const expected = Float32Array.from(points, formulas[name]);
    for (let i = 0; i < points.length; i++) {
      if (!Number.isFinite(expected[i])) expect(values[i]).toBe(expected[i]); // exponential(1000) = Infinity
      else expect(values[i]).toBeCloseTo(expected[i], 6);
    }
  });

  test('hard_sigmoid: Keras 3 (x/6 + 0.5) and Keras 2 (0.2x + 0.5) differ', () => {
    const keras3 = Float32Array.of(1, -3, 3, 2.5);
    const keras2 = Float32Array.of(1, -3, 3, 2.5);
    applyActivation('hard_sigmoid', keras3, 0, 4);
    applyActivation('hard_sigmoid_keras2', keras2, 0, 4);
    expect(keras3[0]).toBeCloseTo(0.6666667, 7);
    expect(keras2[0]).toBeCloseTo(0.7, 7);
    expect(Array.from(keras3.subarray(1))).toEqual([0, 1, Math.fround(2.5 / 6 + 0.5)]);
    expect(Array.from(keras2.subarray(1))).toEqual([0, 1, 1]);
  });

  test('sigmoid, softplus and silu stay finite at extreme inputs', () => {
    const values = Float32Array.of(-1e30, 1e30);
    for (const name of ['sigmoid', 'softplus', 'silu'] as const) {
      const v = values.slice();
      applyActivation(name, v, 0, 2);
      expect(v.every((e) => !Number.isNaN(e))).toBe(true);
    }
  });

  test('only [start, end) is touched', () => {
    const values = Float32Array.of(-1, -2, -3, -4);
    applyActivation('relu', values, 1, 3);
    expect(Array.from(values)).toEqual([-1, 0, 0, -4]);
  });
});

/** Defaults for the hand-computed cases: one sample, one step, one input, one unit, no options. */
function rnn(overrides: Partial<RnnForwardArgs> & Pick<RnnForwardArgs, 'cell' | 'kernel' | 'recurrentKernel'>) {
  return ts.rnnForward({
    batch: 1,
    timesteps: 1,
    inputDim: 1,
    units: 1,
    x: Float32Array.of(1),
    bias: null,
    activation: 'tanh',
    recurrentActivation: 'sigmoid',
    resetAfter: true,
    goBackwards: false,
    returnSequences: false,
    zeroOutputForMask: false,
    initialH: null,
    initialC: null,
    mask: null,
    ...overrides,
  });
}

describe('cells, by hand', () => {
  test('SimpleRNN, two steps: h1 = tanh(0.5*1 + 0.1), h2 = tanh(0.5*2 + 0.1 + 0.25*h1)', () => {
    const result = rnn({
      cell: 'simple_rnn',
      timesteps: 2,
      x: Float32Array.of(1, 2),
      kernel: Float32Array.of(0.5),
      recurrentKernel: Float32Array.of(0.25),
      bias: Float32Array.of(0.1),
      returnSequences: true,
    });
    const h1 = Math.tanh(0.6);
    const h2 = Math.tanh(1.1 + 0.25 * h1);
    expectClose(result.output, [h1, h2]);
    expectClose(result.h, [h2]);
    expect(result.c).toBeNull();
  });

  test('LSTM, one step from initial states h = 0.5, c = 0.25 (gates i, f, c, o)', () => {
    const result = rnn({
      cell: 'lstm',
      kernel: Float32Array.of(0.1, 0.2, 0.3, 0.4),
      recurrentKernel: Float32Array.of(0.5, 0.6, 0.7, 0.8),
      bias: Float32Array.of(0.01, 0.02, 0.03, 0.04),
      initialH: Float32Array.of(0.5),
      initialC: Float32Array.of(0.25),
    });
    const i = sig(0.1 + 0.5 * 0.5 + 0.01);
    const f = sig(0.2 + 0.6 * 0.5 + 0.02);
    const candidate = Math.tanh(0.3 + 0.7 * 0.5 + 0.03);
    const o = sig(0.4 + 0.8 * 0.5 + 0.04);
    const c = f * 0.25 + i * candidate;
    expectClose(result.c!, [c]);
    expectClose(result.h, [o * Math.tanh(c)]);
    expectClose(result.output, [o * Math.tanh(c)]);
  });

  test('GRU resetAfter true: r scales (h @ U_h + recurrent bias); two bias rows', () => {
    const h0 = 0.5;
    const result = rnn({
      cell: 'gru',
      kernel: Float32Array.of(0.1, 0.2, 0.3),
      recurrentKernel: Float32Array.of(0.4, 0.5, 0.6),
      bias: Float32Array.of(0.01, 0.02, 0.03, 0.04, 0.05, 0.06), // input row, then recurrent row
      initialH: Float32Array.of(h0),
      resetAfter: true,
    });
    const z = sig(0.1 + 0.01 + 0.4 * h0 + 0.04);
    const r = sig(0.2 + 0.02 + 0.5 * h0 + 0.05);
    const hh = Math.tanh(0.3 + 0.03 + r * (0.6 * h0 + 0.06));
    expectClose(result.h, [z * h0 + (1 - z) * hh]);
    expect(result.c).toBeNull();
  });

  test('GRU resetAfter false with 2 units: r scales h before it meets U_h', () => {
    const [h0, h1] = [0.5, -0.3];
    // kernel (1, 6) and recurrentKernel (2, 6), columns z0 z1 r0 r1 h0 h1
    const k = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
    const u = [
      [0.7, -0.1, 0.2, 0.3, -0.4, 0.5],
      [0.6, 0.8, -0.2, 0.1, 0.9, -0.7],
    ];
    const b = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06];
    const args = {
      cell: 'gru' as const,
      units: 2,
      kernel: Float32Array.from(k),
      recurrentKernel: Float32Array.from(u.flat()),
      bias: Float32Array.from(b),
      initialH: Float32Array.of(h0, h1),
      resetAfter: false,
    };
    const pre = (col: number, a0: number, a1: number) => k[col] + b[col] + a0 * u[0][col] + a1 * u[1][col];
    const z = [sig(pre(0, h0, h1)), sig(pre(1, h0, h1))];
    const r = [sig(pre(2, h0, h1)), sig(pre(3, h0, h1))];
    const hh = [Math.tanh(pre(4, r[0] * h0, r[1] * h1)), Math.tanh(pre(5, r[0] * h0, r[1] * h1))];
    const expected = [z[0] * h0 + (1 - z[0]) * hh[0], z[1] * h1 + (1 - z[1]) * hh[1]];
    expectClose(rnn(args).h, expected);
    // Same weights with resetAfter true (and no bias) must give a different answer: the two really differ.
    const after = rnn({ ...args, bias: null, resetAfter: true }).h;
    expect(Math.abs(after[0] - rnn({ ...args, bias: null }).h[0])).toBeGreaterThan(1e-4);
  });
});

/** A linear SimpleRNN with kernel 1 and recurrent kernel 1: h_t = x_t + h_prev, a running sum. */
function runningSumArgs(x: number[][], options: Partial<RnnForwardArgs> = {}): RnnForwardArgs {
  return {
    cell: 'simple_rnn',
    batch: x.length,
    timesteps: x[0].length,
    inputDim: 1,
    units: 1,
    x: Float32Array.from(x.flat()),
    kernel: Float32Array.of(1),
    recurrentKernel: Float32Array.of(1),
    bias: null,
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

function runningSum(x: number[][], options: Partial<RnnForwardArgs>) {
  return ts.rnnForward(runningSumArgs(x, options));
}

describe('mask and goBackwards, by hand (running sum)', () => {
  const x = [
    [1, 2, 3],
    [4, 5, 6],
  ];
  const mask = Uint8Array.of(1, 0, 1, 0, 1, 1);

  test('masked steps keep the state and repeat the previous output; zeros before the first step, not initialH', () => {
    const result = runningSum(x, { mask, initialH: Float32Array.of(0, 10) });
    // sample 0: 1, (masked) 1, 1+3; sample 1: (masked first) 0, 10+5, 15+6
    expect(Array.from(result.output)).toEqual([1, 1, 4, 0, 15, 21]);
    expect(Array.from(result.h)).toEqual([4, 21]);
  });

  test('zeroOutputForMask puts zeros at masked steps', () => {
    const result = runningSum(x, { mask, zeroOutputForMask: true });
    expect(Array.from(result.output)).toEqual([1, 0, 4, 0, 5, 11]);
  });

  test('returnSequences false returns the last processed output after masking', () => {
    const lastMasked = Uint8Array.of(1, 1, 0, 1, 1, 0);
    expect(Array.from(runningSum(x, { mask: lastMasked, returnSequences: false }).output)).toEqual([3, 9]);
    expect(Array.from(runningSum(x, { mask: lastMasked, returnSequences: false, zeroOutputForMask: true }).output)).toEqual([0, 0]);
  });

  test('goBackwards processes t = T-1..0 and returns the sequence in processing order', () => {
    expect(Array.from(runningSum(x, { goBackwards: true }).output)).toEqual([3, 5, 6, 6, 11, 15]);
  });

  test('goBackwards with a mask: the mask stays in input time order', () => {
    // sample 0 processes x[2]=3, x[1] masked, x[0]=1; sample 1 processes 6, 5, then x[0] masked
    const result = runningSum(x, { goBackwards: true, mask: Uint8Array.of(1, 0, 1, 0, 1, 1) });
    expect(Array.from(result.output)).toEqual([3, 3, 4, 6, 11, 11]);
    expect(Array.from(result.h)).toEqual([4, 11]);
  });

  test('the inputs are not modified', () => {
    const initialH = Float32Array.of(0, 10);
    runningSum(x, { initialH });
    expect(Array.from(initialH)).toEqual([0, 10]);
  });
});

describe('dense and async', () => {
  test('denseForward: relu(x @ kernel + bias), by hand', () => {
    const y = ts.denseForward({
      rows: 2,
      inputDim: 2,
      units: 2,
      x: Float32Array.of(1, 2, 3, 4),
      kernel: Float32Array.of(1, -1, 0.5, 2),
      bias: Float32Array.of(0.5, -10),
      activation: 'relu',
    });
    // row 0: [1 + 1 + 0.5, -1 + 4 - 10]; row 1: [3 + 2 + 0.5, -3 + 8 - 10]
    expect(Array.from(y)).toEqual([2.5, 0, 5.5, 0]);
  });

  test('the async variants resolve, on a later tick, to what the sync ones return', async () => {
    const args = {
      rows: 1,
      inputDim: 1,
      units: 1,
      x: Float32Array.of(2),
      kernel: Float32Array.of(3),
      bias: null,
      activation: 'linear' as const,
    };
    let settled = false;
    const pending = ts.denseForwardAsync(args).then((y) => {
      settled = true;
      return y;
    });
    expect(settled).toBe(false);
    expect(Array.from(await pending)).toEqual([6]);
    const masked = { mask: Uint8Array.of(1, 0, 1) };
    const asyncResult = await ts.rnnForwardAsync(runningSumArgs([[1, 2, 3]], masked));
    expect(Array.from(asyncResult.output)).toEqual(Array.from(runningSum([[1, 2, 3]], masked).output));
  });
});
