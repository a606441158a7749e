// The TypeScript backend's GEMM (src/backend/ts/gemm.ts) against a naive float64 triple loop: sgemm
// (which packs B per call, or for fewer than 4 rows reads B in place), and the packed path the
// recurrent loop uses (packB once, gemmPacked per step, a one-row A taking the vector-matrix loop).
import { gemmPacked, packB, sgemm } from '../../src/backend/ts/gemm';
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
  // [m, n, k]: odd sizes; m around the 4-row tile (1 to 3 rows take the in-place vector-matrix
  // loop); n around the 8-column panel; k past the 256-deep k block; m past the 128-row A block.
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [2, 9, 300],
    [3, 5, 7],
    [4, 4, 4],
    [4, 8, 1],
    [5, 3, 2],
    [9, 13, 11],
    [7, 530, 133],
    [6, 3, 300],
    [131, 17, 9],
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
    // The same through the packed path (4 rows or more), full and edge tiles.
    const a = Float32Array.of(1, 2, 3, 4, 5);
    const b = Float32Array.from({ length: 9 }, (_, j) => j + 1);
    const c5 = new Float32Array(5 * 9).fill(NaN);
    sgemm(5, 9, 1, 1, a, 0, 1, b, 0, 9, 0, c5, 0, 9);
    expect(Array.from(c5)).toEqual(Array.from({ length: 45 }, (_, i) => a[Math.floor(i / 9)] * b[i % 9]));
  });

  test('an operand too short for its shape is a RangeError, not a silent NaN', () => {
    const a = new Float32Array(6);
    expect(() => sgemm(2, 2, 3, 1, a, 1, 3, new Float32Array(6), 0, 2, 0, new Float32Array(4), 0, 2)).toThrow(RangeError);
  });

  describe('packed B (packB once, gemmPacked per use)', () => {
    /** C (m x n, row stride ldc, at cOff) of A (m x k, row stride lda, at aOff) @ B (k x n), in float64. */
    function naive(m: number, n: number, k: number, a: Float32Array, aOff: number, lda: number, b: Float32Array): Float64Array {
      const out = new Float64Array(m * n);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let p = 0; p < k; p++) sum += a[aOff + i * lda + p] * b[p * n + j];
          out[i * n + j] = sum;
        }
      }
      return out;
    }

    // [m, n, k]: m = 1 (the vector-matrix loop), tile edges in m and n, k past one and two k blocks.
    const packedShapes: [number, number, number][] = [
      [1, 1, 1],
      [1, 8, 3],
      [1, 13, 257],
      [1, 64, 600],
      [2, 7, 5],
      [3, 9, 256],
      [4, 8, 16],
      [5, 17, 257],
      [12, 24, 40],
      [130, 10, 33],
    ];
    test.each(packedShapes)('m=%i n=%i k=%i: overwrite and accumulate into a strided C', (m, n, k) => {
      const rng = new Rng(`packed ${m} ${n} ${k}`);
      const [lda, ldc, aOff, cOff] = [k + 2, n + 3, 3, 5];
      const a = rng.float32Array(aOff + m * lda, 1);
      const b = rng.float32Array(k * n, 1);
      const packed = packB(k, n, 1, b, 0, n);
      expect(packed.data.length % 8).toBe(0);
      const want = naive(m, n, k, a, aOff, lda, b);
      const tolerance = 1e-6 * Math.sqrt(k) + 1e-6;

      const start = rng.float32Array(cOff + m * ldc + 2, 1);
      const c = start.slice();
      gemmPacked(m, a, aOff, lda, packed, false, c, cOff, ldc);
      const overwritten = Float64Array.from(start);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) overwritten[cOff + i * ldc + j] = want[i * n + j];
      expectClose(c, overwritten, tolerance);

      const c2 = start.slice();
      gemmPacked(m, a, aOff, lda, packed, true, c2, cOff, ldc);
      const accumulated = Float64Array.from(start);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) accumulated[cOff + i * ldc + j] += want[i * n + j];
      expectClose(c2, accumulated, tolerance);
    });

    test('a one-row A (the vector-matrix loop) gives what the same row gets inside a 4-row tile', () => {
      const [n, k] = [37, 300];
      const rng = new Rng('gemv vs tile');
      const a = rng.float32Array(4 * k, 1);
      const packed = packB(k, n, 1, rng.float32Array(k * n, 1), 0, n);
      const tile = new Float32Array(4 * n);
      gemmPacked(4, a, 0, k, packed, false, tile, 0, n);
      for (let row = 0; row < 4; row++) {
        const single = new Float32Array(n);
        gemmPacked(1, a, row * k, k, packed, false, single, 0, n);
        expectClose(single, tile.subarray(row * n, (row + 1) * n), 1e-6 * Math.sqrt(k));
      }
    });

    test('packB packs a column slice of a wider matrix, scales by alpha, zero-pads the last panel and reuses `into`', () => {
      // B (3 x 10) inside a 3 x 16 matrix at column 4: panels of 8 columns, the second 2 wide + 6 zeros.
      const wide = Float32Array.from({ length: 3 * 16 }, (_, i) => i + 1);
      const packed = packB(3, 10, 2, wide, 4, 16);
      expect(packed.panels).toBe(2);
      expect(packed.data.length).toBe(2 * 8 * 3);
      for (let p = 0; p < 3; p++) {
        for (let j = 0; j < 8; j++) expect(packed.data[p * 8 + j]).toBe(2 * wide[p * 16 + 4 + j]);
        for (let j = 0; j < 8; j++) expect(packed.data[3 * 8 + p * 8 + j]).toBe(j < 2 ? 2 * wide[p * 16 + 12 + j] : 0);
      }
      const again = packB(3, 10, 1, wide, 4, 16, packed);
      expect(again.data).toBe(packed.data);
      expect(again.data[0]).toBe(wide[4]);
      expect(packB(3, 16, 1, wide, 0, 16, packed).data).toBe(packed.data); // 2 panels again: same size
      expect(packB(2, 10, 1, wide, 0, 16, packed).data).not.toBe(packed.data); // another size: a new buffer
    });
  });
});
