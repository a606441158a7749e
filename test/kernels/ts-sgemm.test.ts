// The TypeScript backend's GEMM (src/backend/ts/gemm.ts) against a naive float64 triple loop.
import { sgemm } from '../../src/backend/ts/gemm';
import { Rng } from '../helpers/random';

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
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
    // Operands in [-1, 1), each from its own seed, so a failing shape reproduces.
    const a = new Rng(m * 7 + 1).float32Array(aOff + m * lda, 1);
    const b = new Rng(n * 11 + 2).float32Array(bOff + k * ldb, 1);
    for (const [alpha, beta] of [[1, 0], [0.5, 1], [-1.25, 0.3]]) {
      const c = new Rng(k * 13 + 3).float32Array(cOff + m * ldc + 4, 1);
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
