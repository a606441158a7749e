// Single-precision GEMM for row-major Float32Arrays, the TypeScript stand-in for OpenBLAS's sgemm:
//   C (m x n) = alpha * A (m x k) @ B (k x n) + beta * C
// Each operand is addressed by an offset and a leading dimension (row stride), so callers can
// work on sub-matrices (a column slice of a weight matrix, a row block of a sequence) in place.
//
// Loop order is i-k-j: the innermost loop walks one contiguous row of B and the matching rows
// of C, which V8 compiles to straight indexed loads and stores. Four rows of C are updated
// together (register tile over i) and four rows of B are consumed per pass (unrolled over k),
// so each C element is loaded and stored once per four multiply-adds instead of once per one.
// k and j are blocked so that the B block in use stays in L2 and the C rows in L1.

const K_BLOCK = 128;
const N_BLOCK = 512; // K_BLOCK * N_BLOCK * 4 bytes = 256 KiB of B per block

function checkOperand(
  name: string,
  array: Float32Array,
  offset: number,
  rows: number,
  cols: number,
  ld: number,
): void {
  if (rows === 0 || cols === 0) return;
  if (ld < cols) throw new RangeError(`sgemm: ld${name} must be >= ${cols}, got ${ld}`);
  const last = offset + (rows - 1) * ld + cols - 1;
  if (offset < 0 || last >= array.length) {
    throw new RangeError(
      `sgemm: ${name} (${rows} x ${cols}, offset ${offset}, ld ${ld}) needs ${last + 1} elements, has ${array.length}`,
    );
  }
}

/** C = beta * C over the m x n block; beta 0 overwrites, so NaNs already in C do not leak (BLAS rule). */
function scaleC(m: number, n: number, beta: number, c: Float32Array, cOffset: number, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const row = cOffset + i * ldc;
    if (beta === 0) c.fill(0, row, row + n);
    else for (let j = row; j < row + n; j++) c[j] *= beta;
  }
}

export function sgemm(
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  aOffset: number,
  lda: number,
  b: Float32Array,
  bOffset: number,
  ldb: number,
  beta: number,
  c: Float32Array,
  cOffset: number,
  ldc: number,
): void {
  checkOperand('A', a, aOffset, m, k, lda);
  checkOperand('B', b, bOffset, k, n, ldb);
  checkOperand('C', c, cOffset, m, n, ldc);
  if (m === 0 || n === 0) return;
  scaleC(m, n, beta, c, cOffset, ldc);
  if (alpha === 0 || k === 0) return;

  for (let j0 = 0; j0 < n; j0 += N_BLOCK) {
    const j1 = Math.min(j0 + N_BLOCK, n);
    for (let k0 = 0; k0 < k; k0 += K_BLOCK) {
      const k1 = Math.min(k0 + K_BLOCK, k);
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        addFourRows(i, j0, j1, k0, k1, alpha, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
      }
      for (; i < m; i++) {
        addOneRow(i, j0, j1, k0, k1, alpha, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
      }
    }
  }
}

/** C[i..i+3, j0..j1) += alpha * A[i..i+3, k0..k1) @ B[k0..k1, j0..j1). */
function addFourRows(
  i: number,
  j0: number,
  j1: number,
  k0: number,
  k1: number,
  alpha: number,
  a: Float32Array,
  aOffset: number,
  lda: number,
  b: Float32Array,
  bOffset: number,
  ldb: number,
  c: Float32Array,
  cOffset: number,
  ldc: number,
): void {
  const c0 = cOffset + i * ldc;
  const c1 = c0 + ldc;
  const c2 = c1 + ldc;
  const c3 = c2 + ldc;
  const a0 = aOffset + i * lda;
  const a1 = a0 + lda;
  const a2 = a1 + lda;
  const a3 = a2 + lda;
  let p = k0;
  for (; p + 4 <= k1; p += 4) {
    // sRK: alpha * A[row R of the tile, column p + K]
    const s00 = alpha * a[a0 + p], s01 = alpha * a[a0 + p + 1], s02 = alpha * a[a0 + p + 2], s03 = alpha * a[a0 + p + 3];
    const s10 = alpha * a[a1 + p], s11 = alpha * a[a1 + p + 1], s12 = alpha * a[a1 + p + 2], s13 = alpha * a[a1 + p + 3];
    const s20 = alpha * a[a2 + p], s21 = alpha * a[a2 + p + 1], s22 = alpha * a[a2 + p + 2], s23 = alpha * a[a2 + p + 3];
    const s30 = alpha * a[a3 + p], s31 = alpha * a[a3 + p + 1], s32 = alpha * a[a3 + p + 2], s33 = alpha * a[a3 + p + 3];
    const r0 = bOffset + p * ldb;
    const r1 = r0 + ldb;
    const r2 = r1 + ldb;
    const r3 = r2 + ldb;
    for (let j = j0; j < j1; j++) {
      const b0 = b[r0 + j], b1 = b[r1 + j], b2 = b[r2 + j], b3 = b[r3 + j];
      c[c0 + j] += s00 * b0 + s01 * b1 + s02 * b2 + s03 * b3;
      c[c1 + j] += s10 * b0 + s11 * b1 + s12 * b2 + s13 * b3;
      c[c2 + j] += s20 * b0 + s21 * b1 + s22 * b2 + s23 * b3;
      c[c3 + j] += s30 * b0 + s31 * b1 + s32 * b2 + s33 * b3;
    }
  }
  for (; p < k1; p++) {
    const s0 = alpha * a[a0 + p], s1 = alpha * a[a1 + p], s2 = alpha * a[a2 + p], s3 = alpha * a[a3 + p];
    const r = bOffset + p * ldb;
    for (let j = j0; j < j1; j++) {
      const bv = b[r + j];
      c[c0 + j] += s0 * bv;
      c[c1 + j] += s1 * bv;
      c[c2 + j] += s2 * bv;
      c[c3 + j] += s3 * bv;
    }
  }
}

/** The leftover rows (m not a multiple of 4): C[i, j0..j1) += alpha * A[i, k0..k1) @ B[k0..k1, j0..j1). */
function addOneRow(
  i: number,
  j0: number,
  j1: number,
  k0: number,
  k1: number,
  alpha: number,
  a: Float32Array,
  aOffset: number,
  lda: number,
  b: Float32Array,
  bOffset: number,
  ldb: number,
  c: Float32Array,
  cOffset: number,
  ldc: number,
): void {
  const c0 = cOffset + i * ldc;
  const a0 = aOffset + i * lda;
  let p = k0;
  for (; p + 4 <= k1; p += 4) {
    const s0 = alpha * a[a0 + p], s1 = alpha * a[a0 + p + 1], s2 = alpha * a[a0 + p + 2], s3 = alpha * a[a0 + p + 3];
    const r0 = bOffset + p * ldb;
    const r1 = r0 + ldb;
    const r2 = r1 + ldb;
    const r3 = r2 + ldb;
    for (let j = j0; j < j1; j++) {
      c[c0 + j] += s0 * b[r0 + j] + s1 * b[r1 + j] + s2 * b[r2 + j] + s3 * b[r3 + j];
    }
  }
  for (; p < k1; p++) {
    const s = alpha * a[a0 + p];
    const r = bOffset + p * ldb;
    for (let j = j0; j < j1; j++) c[c0 + j] += s * b[r + j];
  }
}
