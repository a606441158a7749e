// Tiny cases worked out by hand or with inline Math, run on both kernel backends (ggml
// test-backend-ops style). Parity over many random shapes is test/backend-parity.test.ts.
import type { RnnForwardArgs } from '../../src/backend/kernels';
import { ACTIVATION_FORMULAS, ACTIVATION_NAMES } from '../helpers/activation-formulas';
import { KERNEL_BACKENDS } from '../helpers/backends';
import { denseArgs, expectSameResult, randomRnnArgs, rnnArgs } from '../helpers/kernel-args';
import { Rng } from '../helpers/random';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** |got - want| <= tolerance * max(1, |want|) for every element: absolute up to 1, relative above. */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tolerance: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i]));
    if (!(err <= tolerance)) throw new Error(`element ${i}: got ${got[i]}, want ${want[i]} (tolerance ${tolerance})`);
  }
}

// SimpleRNN with inputDim 1, units 1, kernel 1, recurrentKernel 1, bias 0.5 and linear activation:
// h_t = x_t + 0.5 + h_{t-1}, a running sum that is easy to follow by hand. x holds one row per sample.
function runningSum(x: number[][], options: Partial<RnnForwardArgs> = {}): RnnForwardArgs {
  return rnnArgs({
    batch: x.length,
    timesteps: x[0].length,
    x: Float32Array.from(x.flat()),
    kernel: Float32Array.of(1),
    recurrentKernel: Float32Array.of(1),
    bias: Float32Array.of(0.5),
    activation: 'linear',
    returnSequences: true,
    ...options,
  });
}

interface RunningSumCase {
  spec: string;
  x: number[][];
  options: Partial<RnnForwardArgs>;
  output: number[];
  h: number[];
}

const RUNNING_SUM_CASES: RunningSumCase[] = [
  { spec: 'returnSequences gives every step: the running sums', x: [[1, 2, 3]], options: {}, output: [1.5, 4, 7.5], h: [7.5] },
  { spec: 'returnSequences false gives the last output only', x: [[1, 2, 3]], options: { returnSequences: false }, output: [7.5], h: [7.5] },
  {
    spec: 'goBackwards processes 3, 2, 1 and returns the sequence in processing order',
    x: [[1, 2, 3]],
    options: { goBackwards: true },
    output: [3.5, 6, 7.5],
    h: [7.5],
  },
  { spec: 'initialH is the state before the first step', x: [[1, 2]], options: { initialH: Float32Array.of(10) }, output: [11.5, 14], h: [14] },
  {
    spec: 'a masked step repeats the previous output and keeps the state',
    x: [[1, 2, 3]],
    options: { mask: Uint8Array.of(1, 0, 1) },
    output: [1.5, 1.5, 5],
    h: [5],
  },
  {
    spec: 'zeroOutputForMask gives zeros at masked steps',
    x: [[1, 2, 3]],
    options: { mask: Uint8Array.of(1, 0, 1), zeroOutputForMask: true },
    output: [1.5, 0, 5],
    h: [5],
  },
  {
    spec: 'a masked first step outputs zeros, not initialH, and keeps initialH',
    x: [[1, 2, 3]],
    options: { mask: Uint8Array.of(0, 1, 1), initialH: Float32Array.of(10) },
    output: [0, 12.5, 16],
    h: [16],
  },
  {
    spec: 'returnSequences false with a masked last step returns the last unmasked output',
    x: [[1, 2, 3]],
    options: { mask: Uint8Array.of(1, 1, 0), returnSequences: false },
    output: [4],
    h: [4],
  },
  {
    spec: 'returnSequences false with a masked last step and zeroOutputForMask returns zeros',
    x: [[1, 2, 3]],
    options: { mask: Uint8Array.of(1, 1, 0), returnSequences: false, zeroOutputForMask: true },
    output: [0],
    h: [4],
  },
  {
    // sample 0: input step 2 (processed first) masked; sample 1: input step 0 (processed last) masked
    spec: 'under goBackwards the mask stays in input time order',
    x: [
      [1, 2, 3],
      [4, 5, 6],
    ],
    options: { mask: Uint8Array.of(1, 1, 0, 0, 1, 1), goBackwards: true },
    output: [0, 2.5, 4, 6.5, 12, 12],
    h: [4, 12],
  },
  {
    spec: 'each sample of a batch has its own mask and state',
    x: [
      [1, 2, 3],
      [10, 20, 30],
    ],
    options: { mask: Uint8Array.of(1, 1, 1, 0, 1, 0), initialH: Float32Array.of(0, 100) },
    output: [1.5, 4, 7.5, 0, 120.5, 120.5],
    h: [7.5, 120.5],
  },
  {
    spec: 'any nonzero mask byte means keep',
    x: [[1, 2, 3]],
    options: { mask: Uint8Array.of(2, 255, 1) },
    output: [1.5, 4, 7.5],
    h: [7.5],
  },
];

/** Column k of v @ W, for W (v.length, cols) row-major. */
function dot(v: ArrayLike<number>, W: Float32Array, cols: number, k: number): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * W[i * cols + k];
  return s;
}

describe.each(KERNEL_BACKENDS)('%s backend', (_name, kernels) => {
  describe('SimpleRNN running sum by hand (h_t = x_t + 0.5 + h_{t-1})', () => {
    test.each(RUNNING_SUM_CASES)('$spec', ({ x, options, output, h }) => {
      const r = kernels().rnnForward(runningSum(x, options));
      expect(Array.from(r.output)).toEqual(output);
      expect(Array.from(r.h)).toEqual(h);
      expect(r.c).toBeNull();
    });

    test('the argument arrays are not modified', () => {
      const args = runningSum([[1, 2, 3], [4, 5, 6]], { mask: Uint8Array.of(1, 0, 1, 0, 1, 1), initialH: Float32Array.of(0, 10) });
      const arrays = () => [args.x, args.kernel!, args.recurrentKernel!, args.bias!, args.initialH!, args.mask!].map((a) => Array.from(a));
      const before = arrays();
      kernels().rnnForward(args);
      expect(arrays()).toEqual(before);
    });
  });

  describe('each cell against inline Math', () => {
    // inputDim 2, units 2, batch 1, one step, with initial states so that the recurrent part counts.
    const D = 2, H = 2;
    const x = Float32Array.of(0.3, -0.7);
    const h0 = Float32Array.of(0.2, -0.4);
    const TOLERANCE = 1e-6; // every value here is below 1 in magnitude: an absolute bound

    test('SimpleRNN with tanh, two steps: h1 = tanh(0.5*1 + 0.1), h2 = tanh(0.5*2 + 0.1 + 0.25*h1)', () => {
      const r = kernels().rnnForward(rnnArgs({
        timesteps: 2,
        x: Float32Array.of(1, 2),
        kernel: Float32Array.of(0.5),
        recurrentKernel: Float32Array.of(0.25),
        bias: Float32Array.of(0.1),
        returnSequences: true,
      }));
      const h1 = Math.tanh(0.6);
      const h2 = Math.tanh(1.1 + 0.25 * h1);
      expectClose(r.output, [h1, h2], TOLERANCE);
      expectClose(r.h, [h2], TOLERANCE);
      expect(r.c).toBeNull();
    });

    test('LSTM: gates i, f, c, o; c = f*c0 + i*tanh(z_c), h = o*tanh(c)', () => {
      const rng = new Rng('hand-computed/lstm');
      const W = rng.float32Array(D * 4 * H, 0.5), U = rng.float32Array(H * 4 * H, 0.5), b = rng.float32Array(4 * H, 0.5);
      const c0 = Float32Array.of(0.5, -0.1);
      const z = (k: number) => dot(x, W, 4 * H, k) + b[k] + dot(h0, U, 4 * H, k);
      const c: number[] = [], h: number[] = [];
      for (let j = 0; j < H; j++) {
        const i = sigmoid(z(j)), f = sigmoid(z(H + j)), cc = Math.tanh(z(2 * H + j)), o = sigmoid(z(3 * H + j));
        c[j] = f * c0[j] + i * cc;
        h[j] = o * Math.tanh(c[j]);
      }
      const r = kernels().rnnForward(rnnArgs({ cell: 'lstm', inputDim: D, units: H, x, kernel: W, recurrentKernel: U, bias: b, initialH: h0, initialC: c0 }));
      expectClose(r.output, h, TOLERANCE);
      expectClose(r.h, h, TOLERANCE);
      expectClose(r.c!, c, TOLERANCE);
    });

    test.each([true, false])('GRU with resetAfter %s: gates z, r, h', (resetAfter) => {
      const rng = new Rng(`hand-computed/gru/${resetAfter}`);
      const G = 3 * H;
      const W = rng.float32Array(D * G, 0.5), U = rng.float32Array(H * G, 0.5), b = rng.float32Array((resetAfter ? 2 : 1) * G, 0.5);
      const xp = (k: number) => dot(x, W, G, k) + b[k];
      const brec = (k: number) => (resetAfter ? b[G + k] : 0); // resetAfter: bias row 1 is the recurrent bias
      const z: number[] = [], rg: number[] = [], h: number[] = [];
      for (let j = 0; j < H; j++) {
        z[j] = sigmoid(xp(j) + dot(h0, U, G, j) + brec(j));
        rg[j] = sigmoid(xp(H + j) + dot(h0, U, G, H + j) + brec(H + j));
      }
      for (let j = 0; j < H; j++) {
        const k = 2 * H + j;
        const hh = resetAfter
          ? Math.tanh(xp(k) + rg[j] * (dot(h0, U, G, k) + b[G + k])) // r scales h @ U_h + recurrent bias
          : Math.tanh(xp(k) + dot(h0.map((v, i) => v * rg[i]), U, G, k)); // r scales h before U_h
        h[j] = z[j] * h0[j] + (1 - z[j]) * hh;
      }
      const r = kernels().rnnForward(rnnArgs({ cell: 'gru', inputDim: D, units: H, x, kernel: W, recurrentKernel: U, bias: b, resetAfter, initialH: h0 }));
      expectClose(r.output, h, TOLERANCE);
      expectClose(r.h, h, TOLERANCE);
      expect(r.c).toBeNull();
    });

    test('GRU resetAfter true and false differ for the same weights', () => {
      const rng = new Rng('hand-computed/gru/differ');
      const args = { cell: 'gru' as const, inputDim: D, units: H, x, kernel: rng.float32Array(D * 3 * H, 1), recurrentKernel: rng.float32Array(H * 3 * H, 1), initialH: h0 };
      const after = kernels().rnnForward(rnnArgs({ ...args, resetAfter: true })).h;
      const before = kernels().rnnForward(rnnArgs({ ...args, resetAfter: false })).h;
      expect(Math.abs(after[0] - before[0])).toBeGreaterThan(1e-4);
    });
  });

  describe('denseForward', () => {
    test('relu(x @ kernel + bias) by hand', () => {
      const y = kernels().denseForward({
        rows: 2,
        inputDim: 3,
        units: 2,
        x: Float32Array.of(1, 2, 3, -1, 0, 1),
        kernel: Float32Array.of(1, 0, 0, 1, 1, -1),
        bias: Float32Array.of(0.5, 0.25),
        activation: 'relu',
      });
      // row 0: [1 + 3 + 0.5, 2 - 3 + 0.25]; row 1: [-1 + 1 + 0.5, 0 - 1 + 0.25]
      expect(Array.from(y)).toEqual([4.5, 0, 0.5, 0]);
    });

    const xs = [-40, -7, -2.5, -1, -0.3, 0, 1e-4, 0.4, 1, 2.9, 6.5, 20];
    test.each(ACTIVATION_NAMES)('activation %s matches its formula', (activation) => {
      const y = kernels().denseForward(denseArgs({ rows: xs.length, x: Float32Array.from(xs), kernel: Float32Array.of(1), activation }));
      expectClose(y, Float32Array.from(xs, ACTIVATION_FORMULAS[activation]), 2e-6);
    });
  });

  describe('typed array views', () => {
    test('arrays with a byteOffset are read from their offset and give what fresh arrays give', () => {
      const args = randomRnnArgs('hand-computed/views', { cell: 'lstm', batch: 3 });
      const view = <T extends Float32Array | Uint8Array>(a: T, fill: number): T => {
        const big = new (a.constructor as new (n: number) => T)(a.length + 10).fill(fill);
        big.set(a, 7);
        return big.subarray(7, 7 + a.length) as T;
      };
      const viewed = kernels().rnnForward({
        ...args,
        x: view(args.x, NaN),
        kernel: view(args.kernel!, NaN),
        recurrentKernel: view(args.recurrentKernel!, NaN),
        bias: view(args.bias!, NaN),
        initialH: view(args.initialH!, NaN),
        initialC: view(args.initialC!, NaN),
        mask: view(args.mask!, 0),
      });
      expectSameResult(viewed, kernels().rnnForward(args));
    });
  });

  describe('async', () => {
    test('the async variants settle after the caller\'s synchronous code, with what the sync calls return', async () => {
      let settled = false;
      const pending = kernels()
        .denseForwardAsync(denseArgs({ x: Float32Array.of(2), kernel: Float32Array.of(3) }))
        .then((y) => {
          settled = true;
          return y;
        });
      expect(settled).toBe(false);
      expect(Array.from(await pending)).toEqual([6]);
      const masked = runningSum([[1, 2, 3]], { mask: Uint8Array.of(1, 0, 1) });
      expectSameResult(await kernels().rnnForwardAsync(masked), kernels().rnnForward(masked));
    });
  });
});
