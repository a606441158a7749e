// rnnForwardMany / rnnForwardManyAsync and matmul (docs/KERNELS.md "Several layers at once" and
// "matmul") on both kernel backends: a list gives exactly what rnnForward gives per element, the async
// variant what the sync one gives, matmul what a naive float64 loop gives, and the validation rules.
import { types } from 'util';
import type { RnnForwardArgs } from '../../src/backend/kernels';
import { KERNEL_BACKENDS } from '../helpers/backends';
import { expectKernelError, expectSameResult, randomRnnArgs, rnnArgs } from '../helpers/kernel-args';
import { Rng } from '../helpers/random';

type Loose = Record<string, (...args: unknown[]) => unknown>;

/** A mixed list: every cell, both GRU variants, batch 1 and larger, both directions, masks, sequences. */
function mixedList(seed: string): RnnForwardArgs[] {
  return [
    randomRnnArgs(`${seed}/0`, { cell: 'lstm', batch: 3, goBackwards: true }),
    randomRnnArgs(`${seed}/1`, { cell: 'gru', batch: 1, resetAfter: false, units: 7 }),
    randomRnnArgs(`${seed}/2`, { cell: 'simple_rnn', batch: 6, returnSequences: false, zeroOutputForMask: true }),
    randomRnnArgs(`${seed}/3`, { cell: 'gru', batch: 2, resetAfter: true, timesteps: 9, inputDim: 17, units: 33 }),
    randomRnnArgs(`${seed}/4`, { cell: 'lstm', batch: 1, mask: null, initialH: null, initialC: null, units: 19 }),
  ];
}

/** The two directions of a Bidirectional LSTM: the same input, one of them goBackwards. */
function bidirectional(seed: string, batch: number): RnnForwardArgs[] {
  const forward = randomRnnArgs(`${seed}/fw`, { cell: 'lstm', batch, timesteps: 12, inputDim: 10, units: 24, mask: null });
  const backward = randomRnnArgs(`${seed}/bw`, { cell: 'lstm', batch, timesteps: 12, inputDim: 10, units: 24, mask: null, goBackwards: true });
  return [forward, { ...backward, x: forward.x }];
}

/** C = A @ B in float64, and for each element the sum of |a_ik * b_kj| (the scale of its rounding error). */
function naiveMatmul(m: number, n: number, k: number, a: Float32Array, b: Float32Array): { c: Float64Array; scale: Float64Array } {
  const c = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let t = 0;
      for (let p = 0; p < k; p++) {
        const v = a[i * k + p] * b[p * n + j];
        s += v;
        t += Math.abs(v);
      }
      c[i * n + j] = s;
      scale[i * n + j] = t;
    }
  }
  return { c, scale };
}

describe.each(KERNEL_BACKENDS)('%s backend', (_backendName, kernels) => {
  describe('rnnForwardMany', () => {
    const initialThreads = kernels().getThreads();
    afterAll(() => kernels().setThreads(initialThreads));

    test.each([1, 2, 3])('a mixed list equals rnnForward per element, bit for bit (threads %i)', (threads) => {
      kernels().setThreads(threads);
      const list = mixedList('many/mixed');
      const got = kernels().rnnForwardMany(list);
      expect(got).toHaveLength(list.length);
      got.forEach((r, i) => expectSameResult(r, kernels().rnnForward(list[i])));
    });

    test.each([1, 2])('the two directions of a Bidirectional layer, batch 1 and 5, equal rnnForward (threads %i)', (threads) => {
      kernels().setThreads(threads);
      for (const batch of [1, 5]) {
        const list = bidirectional(`many/bidirectional/${batch}`, batch);
        const got = kernels().rnnForwardMany(list);
        got.forEach((r, i) => expectSameResult(r, kernels().rnnForward(list[i])));
      }
    });

    test('a one-element list equals rnnForward, and the same arguments twice give the same result twice', () => {
      const args = randomRnnArgs('many/one', { cell: 'gru', batch: 4 });
      const [one] = kernels().rnnForwardMany([args]);
      expectSameResult(one, kernels().rnnForward(args));
      const [a, b] = kernels().rnnForwardMany([args, args]);
      expectSameResult(a, one);
      expectSameResult(b, one);
      expect(a.output).not.toBe(b.output); // every element gets arrays of its own
    });

    test('rnnForwardManyAsync equals rnnForwardMany', async () => {
      const list = [...mixedList('many/async'), ...bidirectional('many/async/bidirectional', 2)];
      const want = kernels().rnnForwardMany(list);
      const got = await kernels().rnnForwardManyAsync(list);
      expect(got).toHaveLength(list.length);
      got.forEach((r, i) => expectSameResult(r, want[i]));
    });

    test('several rnnForwardManyAsync calls in flight at once are all correct', async () => {
      const lists = Array.from({ length: 8 }, (_, i) => bidirectional(`many/inflight/${i}`, 1 + (i % 3)));
      const want = lists.map((list) => kernels().rnnForwardMany(list));
      const got = await Promise.all(lists.map((list) => kernels().rnnForwardManyAsync(list)));
      got.forEach((results, i) => results.forEach((r, j) => expectSameResult(r, want[i][j])));
    });
  });

  describe('rnnForwardMany validation', () => {
    const many = (...callArgs: unknown[]) => () => (kernels() as unknown as Loose).rnnForwardMany(...callArgs);
    const manyAsync = (...callArgs: unknown[]) => () => (kernels() as unknown as Loose).rnnForwardManyAsync(...callArgs);

    test.each([
      ['no argument', []],
      ['undefined', [undefined]],
      ['null', [null]],
      ['an object', [rnnArgs()]],
      ['a string', ['lstm']],
      ['a Float32Array', [new Float32Array(2)]],
    ])('called with %s: TypeError asking for an array', (_what, callArgs) => {
      expectKernelError(many(...callArgs), 'TypeError', 'rnnForwardMany: args must be an array of rnnForward arguments, got');
    });

    test('an empty list is a RangeError', () => {
      expectKernelError(many([]), 'RangeError', 'rnnForwardMany: args must hold at least 1 element, got 0');
    });

    test('a bad element fails the whole call, its message naming its index', () => {
      const good = rnnArgs();
      expectKernelError(many([good, { ...good, units: 0 }]), 'RangeError', 'rnnForwardMany: args[1]: units must be an integer >= 1, got 0');
      expectKernelError(many([good, good, { ...good, x: new Float64Array(1) }]), 'TypeError', 'rnnForwardMany: args[2]: x must be a Float32Array', 'got Float64Array');
      expectKernelError(many([{ ...good, kernel: new Float32Array(2) }, good]), 'RangeError', 'rnnForwardMany: args[0]: kernel must have inputDim*units = 1 elements (Float32Array), got 2');
      expectKernelError(many([good, { ...good, cell: 'rnn' }]), 'RangeError', "rnnForwardMany: args[1]: cell must be one of 'simple_rnn', 'lstm', 'gru'", "got 'rnn'");
      expectKernelError(many([good, { ...good, initialC: new Float32Array(1) }]), 'TypeError', 'rnnForwardMany: args[1]: initialC must be null');
    });

    test.each([
      ['null', null],
      ['a number', 3],
      ['undefined', undefined],
    ])('an element that is %s is a TypeError naming its index', (_what, element) => {
      expectKernelError(many([rnnArgs(), element]), 'TypeError', 'rnnForwardMany: args[1]: ');
    });

    test('rnnForwardManyAsync throws the same errors synchronously, naming itself', () => {
      expectKernelError(manyAsync({}), 'TypeError', 'rnnForwardManyAsync: args must be an array of rnnForward arguments');
      expectKernelError(manyAsync([]), 'RangeError', 'rnnForwardManyAsync: args must hold at least 1 element, got 0');
      expectKernelError(manyAsync([rnnArgs(), { ...rnnArgs(), batch: 2.5 }]), 'RangeError', 'rnnForwardManyAsync: args[1]: batch must be an integer >= 1, got 2.5');
    });
  });

  describe('matmul', () => {
    const initialThreads = kernels().getThreads();
    afterAll(() => kernels().setThreads(initialThreads));

    // [m, n, k]: 1s, odd sizes, sizes around 16-row blocks and 16/32-wide vectors, and k past 256.
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [3, 5, 7],
      [1, 37, 19],
      [17, 33, 9],
      [31, 16, 1],
      [65, 7, 129],
      [100, 130, 70],
      [33, 65, 300],
    ];
    test.each(shapes)('m=%i n=%i k=%i equals a naive float64 loop', (m, n, k) => {
      const rng = new Rng(`matmul/${m}x${n}x${k}`);
      const a = rng.float32Array(m * k, 1);
      const b = rng.float32Array(k * n, 1);
      const got = kernels().matmul({ m, n, k, a, b });
      expect(types.isFloat32Array(got)).toBe(true); // by internal type: the addon's arrays are of another realm
      expect(got).toHaveLength(m * n);
      const { c, scale } = naiveMatmul(m, n, k, a, b);
      for (let i = 0; i < m * n; i++) {
        const bound = 1e-6 * Math.max(1, scale[i]);
        if (!(Math.abs(got[i] - c[i]) <= bound)) {
          throw new Error(`element ${i} (row ${Math.floor(i / n)}, column ${i % n}): got ${got[i]}, want ${c[i]} (tolerance ${bound})`);
        }
      }
    });

    test('threads 1 and 2 give identical results, in a new array each call', () => {
      const rng = new Rng('matmul/threads');
      const [m, n, k] = [70, 45, 33];
      const args = { m, n, k, a: rng.float32Array(m * k), b: rng.float32Array(k * n) };
      kernels().setThreads(1);
      const one = kernels().matmul(args);
      kernels().setThreads(2);
      const two = kernels().matmul(args);
      expect(Array.from(two)).toEqual(Array.from(one));
      expect(two).not.toBe(one);
      expect(two.buffer).not.toBe(args.a.buffer);
    });
  });

  describe('matmul validation', () => {
    const valid = () => ({ m: 2, n: 3, k: 4, a: new Float32Array(8), b: new Float32Array(12) });
    const matmul = (args: unknown) => () => (kernels() as unknown as Loose).matmul(args);

    test.each(['m', 'n', 'k'])('%s missing is a TypeError, %s = 0 or 1.5 a RangeError', (field) => {
      expectKernelError(matmul({ ...valid(), [field]: undefined }), 'TypeError', `matmul: ${field} must be an integer >= 1`, 'got undefined');
      expectKernelError(matmul({ ...valid(), [field]: 0 }), 'RangeError', `matmul: ${field} must be an integer >= 1, got 0`);
      expectKernelError(matmul({ ...valid(), [field]: 1.5 }), 'RangeError', `matmul: ${field} must be an integer >= 1, got 1.5`);
    });

    test('a and b must be Float32Arrays of m*k and k*n elements', () => {
      expectKernelError(matmul({ ...valid(), a: new Float64Array(8) }), 'TypeError', 'matmul: a must be a Float32Array', 'got Float64Array');
      expectKernelError(matmul({ ...valid(), b: null }), 'TypeError', 'matmul: b must be a Float32Array', 'got null');
      expectKernelError(matmul({ ...valid(), a: new Float32Array(7) }), 'RangeError', 'matmul: a must have m*k = 8 elements (Float32Array), got 7');
      expectKernelError(matmul({ ...valid(), b: new Float32Array(13) }), 'RangeError', 'matmul: b must have k*n = 12 elements (Float32Array), got 13');
    });

    test('no arguments object is a TypeError', () => {
      expectKernelError(matmul(null), 'TypeError', 'matmul: ');
      expectKernelError(matmul(5), 'TypeError', 'matmul: ');
    });
  });
});
