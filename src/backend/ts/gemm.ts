// Single-precision GEMM for row-major Float32Arrays, the TypeScript stand-in for OpenBLAS's sgemm:
//   C (m x n) = alpha * A (m x k) @ B (k x n) + beta * C
// Each operand is addressed by an offset and a leading dimension (row stride), so callers can
// work on sub-matrices (a column slice of a weight matrix, a row block of a sequence) in place.
//
// Structure (GotoBLAS, scaled down to what V8 compiles well):
// - B is packed into column panels NR = 8 wide, k-blocked by KC: panel q of the block starting at
//   row k0 holds B[k0 .. k0+kc, 8q .. 8q+8) row after row (zero-padded past n), in a Float64Array,
//   so the micro-kernel's loads need no float32 -> float64 conversion. A matrix used many times (a
//   recurrent kernel, once per timestep) is packed once by the caller (packB) and passed to
//   gemmPacked; sgemm packs per call, into a buffer it keeps for the next call of the same size.
// - A is packed per call in blocks of MC rows into row panels MR = 4 high (p-major, 4 values per
//   step of k), also float64.
// - The micro-kernel keeps a 4 x 8 tile of C in 32 local doubles across a whole KC block: per step
//   of k, 12 loads feed 32 multiply-adds, and C is read and written once per block.
// - A single row of A (batch 1: the recurrent step's vector-matrix product) goes to a 1 x 8 kernel
//   over the same panels, reading A directly. sgemm with fewer than 4 rows does not pack at all: a
//   1 x 8 kernel reads B in place.
// Accumulation is in float64 within a k block; C is rounded to float32 when stored.
//
// V8 notes, measured: index arithmetic in the kernels is written `(i + d) | 0`, so that TurboFan
// emits plain int32 adds without overflow checks; and the kernels use the literals 4 and 8 rather
// than MR and NR, since a module-level constant read in a hot loop is a context load plus a hole
// check on every use. Other tiles (4 x 4, 2 x 8, 3 x 8, 4 x 6, 4 x 12, 4 x 16: TurboFan schedules
// all the products of a step before the sums, so wide tiles spill), a k-unrolled 4 x 8, JS arrays
// of doubles and the unpacked i-k-j loop measured no faster.

const MR = 4; // rows of the register tile (rows of a packed A panel)
const NR = 8; // columns of the register tile (columns of a packed B panel)
const KC = 256; // depth of a k block: an A panel (KC*MR) and a B panel (KC*NR) stay in L1
const MC = 128; // rows of A packed at once: MC*KC doubles = 256 KiB, in L2

/** B (k x n), packed as described above. data.length = panels * NR * k. */
export interface PackedB {
  readonly k: number;
  readonly n: number;
  readonly panels: number; // ceil(n / NR)
  readonly data: Float64Array;
}

// Scratch reused by every call (JavaScript runs one call at a time; nothing here yields).
let packedA: Float64Array | null = null; // MC*KC, allocated on first use
// sgemm's packed B, kept for the next call of the same size (a layer called again and again packs
// its kernel into the same buffer, instead of allocating and faulting in a new one every time).
let sgemmPacked: PackedB | undefined;
const KEEP_PACKED_MAX = 1 << 18; // doubles (2 MiB): larger packs are not kept
const edgeTile = new Float64Array(MR * NR);

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
  if (alpha === 0 || k === 0) {
    scaleC(m, n, beta, c, cOffset, ldc);
    return;
  }
  if (beta !== 0) scaleC(m, n, beta, c, cOffset, ldc);
  if (m < MR) {
    // Too few rows for packing B to pay for itself: one vector-matrix product per row, on B as it is.
    for (let i = 0; i < m; i++) {
      gemvRowMajor(k, n, alpha, a, aOffset + i * lda, b, bOffset, ldb, c, cOffset + i * ldc, beta !== 0);
    }
    return;
  }
  const packed = packB(k, n, alpha, b, bOffset, ldb, sgemmPacked);
  sgemmPacked = packed.data.length <= KEEP_PACKED_MAX ? packed : undefined;
  gemmPacked(m, a, aOffset, lda, packed, beta !== 0, c, cOffset, ldc);
}

/** Packs alpha * B (k x n, row-major at bOffset with row stride ldb) into panels; reuses `into` when it fits. */
export function packB(
  k: number,
  n: number,
  alpha: number,
  b: Float32Array,
  bOffset: number,
  ldb: number,
  into?: PackedB,
): PackedB {
  const panels = ((n + NR - 1) / NR) | 0;
  const size = panels * NR * k;
  const data = into !== undefined && into.data.length === size ? into.data : new Float64Array(size);
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = k - k0 < KC ? k - k0 : KC;
    const blockBase = k0 * panels * NR;
    for (let q = 0; q < panels; q++) {
      const j0 = q * NR;
      const width = n - j0 < NR ? n - j0 : NR;
      let dst = blockBase + q * kc * NR;
      let src = bOffset + k0 * ldb + j0;
      if (width === 8 && alpha === 1) {
        // The common case, unrolled (the literal 8 is NR: a module constant in a hot loop is a context load).
        for (let p = 0; p < kc; p++) {
          data[dst] = b[src];
          data[dst + 1] = b[src + 1];
          data[dst + 2] = b[src + 2];
          data[dst + 3] = b[src + 3];
          data[dst + 4] = b[src + 4];
          data[dst + 5] = b[src + 5];
          data[dst + 6] = b[src + 6];
          data[dst + 7] = b[src + 7];
          dst += 8;
          src += ldb;
        }
        continue;
      }
      for (let p = 0; p < kc; p++) {
        let j = 0;
        for (; j < width; j++) data[dst + j] = alpha * b[src + j];
        for (; j < NR; j++) data[dst + j] = 0;
        dst += NR;
        src += ldb;
      }
    }
  }
  return { k, n, panels, data };
}

/**
 * C (m x n) = A (m x k) @ B, or C += A @ B when accumulate; B packed by packB (k and n from it).
 * Nothing is checked here: callers pass operands that fit.
 */
export function gemmPacked(
  m: number,
  a: Float32Array,
  aOffset: number,
  lda: number,
  b: PackedB,
  accumulate: boolean,
  c: Float32Array,
  cOffset: number,
  ldc: number,
): void {
  const { k, n, panels, data } = b;
  const ap = m === 1 ? null : (packedA ??= new Float64Array(MC * KC));
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = k - k0 < KC ? k - k0 : KC;
    const add = accumulate || k0 > 0;
    const blockBase = k0 * panels * NR;
    if (ap === null) {
      gemvPacked(kc, a, aOffset + k0, data, blockBase, panels, n, c, cOffset, add);
      continue;
    }
    for (let i0 = 0; i0 < m; i0 += MC) {
      const mc = m - i0 < MC ? m - i0 : MC;
      packA(mc, kc, a, aOffset + i0 * lda + k0, lda, ap);
      for (let q = 0; q < panels; q++) {
        const j0 = q * NR;
        const cols = n - j0 < NR ? n - j0 : NR;
        const bIdx = blockBase + q * kc * NR;
        for (let ip = 0; ip < mc; ip += MR) {
          const rows = mc - ip < MR ? mc - ip : MR;
          kernel4x8(kc, ap, ip * kc, data, bIdx, c, cOffset + (i0 + ip) * ldc + j0, ldc, add, rows, cols);
        }
      }
    }
  }
}

/** Rows [0, mc) x columns [0, kc) of A into MR-high panels: panel r/MR at (r/MR)*MR*kc, value (p, r%MR) at p*MR + r%MR. */
function packA(mc: number, kc: number, a: Float32Array, aOffset: number, lda: number, ap: Float64Array): void {
  for (let i = 0; i < mc; i += MR) {
    const base = i * kc;
    const rows = mc - i < MR ? mc - i : MR;
    for (let r = 0; r < MR; r++) {
      let dst = base + r;
      if (r < rows) {
        let src = aOffset + (i + r) * lda;
        for (let p = 0; p < kc; p++) {
          ap[dst] = a[src++];
          dst += 4; // MR
        }
      } else {
        for (let p = 0; p < kc; p++) {
          ap[dst] = 0;
          dst += 4; // MR
        }
      }
    }
  }
}

/** C[4 x 8 tile at cIdx] (+)= the packed A panel at aIdx @ the packed B panel at bIdx, over kc steps of k; rows x cols of the tile exist. */
function kernel4x8(
  kc: number,
  ap: Float64Array,
  aIdx: number,
  bp: Float64Array,
  bIdx: number,
  c: Float32Array,
  cIdx: number,
  ldc: number,
  accumulate: boolean,
  rows: number,
  cols: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c06 = 0, c07 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0, c16 = 0, c17 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c24 = 0, c25 = 0, c26 = 0, c27 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0, c34 = 0, c35 = 0, c36 = 0, c37 = 0;
  let ia = aIdx | 0;
  let ib = bIdx | 0;
  for (let p = 0; p < kc; p = (p + 1) | 0) {
    const a0 = ap[ia], a1 = ap[(ia + 1) | 0], a2 = ap[(ia + 2) | 0], a3 = ap[(ia + 3) | 0];
    const b0 = bp[ib];
    c00 += a0 * b0; c10 += a1 * b0; c20 += a2 * b0; c30 += a3 * b0;
    const b1 = bp[(ib + 1) | 0];
    c01 += a0 * b1; c11 += a1 * b1; c21 += a2 * b1; c31 += a3 * b1;
    const b2 = bp[(ib + 2) | 0];
    c02 += a0 * b2; c12 += a1 * b2; c22 += a2 * b2; c32 += a3 * b2;
    const b3 = bp[(ib + 3) | 0];
    c03 += a0 * b3; c13 += a1 * b3; c23 += a2 * b3; c33 += a3 * b3;
    const b4 = bp[(ib + 4) | 0];
    c04 += a0 * b4; c14 += a1 * b4; c24 += a2 * b4; c34 += a3 * b4;
    const b5 = bp[(ib + 5) | 0];
    c05 += a0 * b5; c15 += a1 * b5; c25 += a2 * b5; c35 += a3 * b5;
    const b6 = bp[(ib + 6) | 0];
    c06 += a0 * b6; c16 += a1 * b6; c26 += a2 * b6; c36 += a3 * b6;
    const b7 = bp[(ib + 7) | 0];
    c07 += a0 * b7; c17 += a1 * b7; c27 += a2 * b7; c37 += a3 * b7;
    ia = (ia + 4) | 0;
    ib = (ib + 8) | 0;
  }
  if (rows === 4 && cols === 8) {
    if (accumulate) {
      let o = cIdx;
      c[o] += c00; c[(o + 1) | 0] += c01; c[(o + 2) | 0] += c02; c[(o + 3) | 0] += c03; c[(o + 4) | 0] += c04; c[(o + 5) | 0] += c05; c[(o + 6) | 0] += c06; c[(o + 7) | 0] += c07;
      o = (o + ldc) | 0;
      c[o] += c10; c[(o + 1) | 0] += c11; c[(o + 2) | 0] += c12; c[(o + 3) | 0] += c13; c[(o + 4) | 0] += c14; c[(o + 5) | 0] += c15; c[(o + 6) | 0] += c16; c[(o + 7) | 0] += c17;
      o = (o + ldc) | 0;
      c[o] += c20; c[(o + 1) | 0] += c21; c[(o + 2) | 0] += c22; c[(o + 3) | 0] += c23; c[(o + 4) | 0] += c24; c[(o + 5) | 0] += c25; c[(o + 6) | 0] += c26; c[(o + 7) | 0] += c27;
      o = (o + ldc) | 0;
      c[o] += c30; c[(o + 1) | 0] += c31; c[(o + 2) | 0] += c32; c[(o + 3) | 0] += c33; c[(o + 4) | 0] += c34; c[(o + 5) | 0] += c35; c[(o + 6) | 0] += c36; c[(o + 7) | 0] += c37;
    } else {
      let o = cIdx;
      c[o] = c00; c[(o + 1) | 0] = c01; c[(o + 2) | 0] = c02; c[(o + 3) | 0] = c03; c[(o + 4) | 0] = c04; c[(o + 5) | 0] = c05; c[(o + 6) | 0] = c06; c[(o + 7) | 0] = c07;
      o = (o + ldc) | 0;
      c[o] = c10; c[(o + 1) | 0] = c11; c[(o + 2) | 0] = c12; c[(o + 3) | 0] = c13; c[(o + 4) | 0] = c14; c[(o + 5) | 0] = c15; c[(o + 6) | 0] = c16; c[(o + 7) | 0] = c17;
      o = (o + ldc) | 0;
      c[o] = c20; c[(o + 1) | 0] = c21; c[(o + 2) | 0] = c22; c[(o + 3) | 0] = c23; c[(o + 4) | 0] = c24; c[(o + 5) | 0] = c25; c[(o + 6) | 0] = c26; c[(o + 7) | 0] = c27;
      o = (o + ldc) | 0;
      c[o] = c30; c[(o + 1) | 0] = c31; c[(o + 2) | 0] = c32; c[(o + 3) | 0] = c33; c[(o + 4) | 0] = c34; c[(o + 5) | 0] = c35; c[(o + 6) | 0] = c36; c[(o + 7) | 0] = c37;
    }
    return;
  }
  // An edge tile: park the accumulators, then store the rows x cols block that exists.
  const t = edgeTile;
  t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03; t[4] = c04; t[5] = c05; t[6] = c06; t[7] = c07;
  t[8] = c10; t[9] = c11; t[10] = c12; t[11] = c13; t[12] = c14; t[13] = c15; t[14] = c16; t[15] = c17;
  t[16] = c20; t[17] = c21; t[18] = c22; t[19] = c23; t[20] = c24; t[21] = c25; t[22] = c26; t[23] = c27;
  t[24] = c30; t[25] = c31; t[26] = c32; t[27] = c33; t[28] = c34; t[29] = c35; t[30] = c36; t[31] = c37;
  storeEdge(t, c, cIdx, ldc, accumulate, rows, cols);
}

function storeEdge(
  t: Float64Array,
  c: Float32Array,
  cIdx: number,
  ldc: number,
  accumulate: boolean,
  rows: number,
  cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    const o = cIdx + r * ldc;
    for (let j = 0; j < cols; j++) {
      if (accumulate) c[o + j] += t[r * 8 + j]; // NR
      else c[o + j] = t[r * 8 + j];
    }
  }
}

/** c[0, n) (+)= x[0, kc) @ the kc-deep block of packed B at bIdx: a vector-matrix product, 8 columns at a time. */
function gemvPacked(
  kc: number,
  x: Float32Array,
  xIdx: number,
  bp: Float64Array,
  bIdx: number,
  panels: number,
  n: number,
  c: Float32Array,
  cIdx: number,
  accumulate: boolean,
): void {
  let ib = bIdx | 0;
  for (let q = 0; q < panels; q++) {
    let c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0;
    let ix = xIdx | 0;
    for (let p = 0; p < kc; p = (p + 1) | 0) {
      const xv = x[ix];
      c0 += xv * bp[ib]; c1 += xv * bp[(ib + 1) | 0]; c2 += xv * bp[(ib + 2) | 0]; c3 += xv * bp[(ib + 3) | 0];
      c4 += xv * bp[(ib + 4) | 0]; c5 += xv * bp[(ib + 5) | 0]; c6 += xv * bp[(ib + 6) | 0]; c7 += xv * bp[(ib + 7) | 0];
      ix = (ix + 1) | 0;
      ib = (ib + 8) | 0; // NR
    }
    const j0 = q * NR;
    const o = cIdx + j0;
    if (n - j0 >= NR) {
      if (accumulate) {
        c[o] += c0; c[o + 1] += c1; c[o + 2] += c2; c[o + 3] += c3; c[o + 4] += c4; c[o + 5] += c5; c[o + 6] += c6; c[o + 7] += c7;
      } else {
        c[o] = c0; c[o + 1] = c1; c[o + 2] = c2; c[o + 3] = c3; c[o + 4] = c4; c[o + 5] = c5; c[o + 6] = c6; c[o + 7] = c7;
      }
    } else {
      const t = edgeTile;
      t[0] = c0; t[1] = c1; t[2] = c2; t[3] = c3; t[4] = c4; t[5] = c5; t[6] = c6; t[7] = c7;
      storeEdge(t, c, o, 0, accumulate, 1, n - j0);
    }
  }
}

/** c[0, n) (+)= alpha * x[0, k) @ B (k x n, row-major, row stride ldb), 8 columns at a time, B read in place. */
function gemvRowMajor(
  k: number,
  n: number,
  alpha: number,
  x: Float32Array,
  xIdx: number,
  b: Float32Array,
  bOffset: number,
  ldb: number,
  c: Float32Array,
  cIdx: number,
  accumulate: boolean,
): void {
  const t = edgeTile;
  for (let j0 = 0; j0 < n; j0 += NR) {
    let c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0;
    const o = cIdx + j0;
    if (n - j0 >= NR) {
      let ib = (bOffset + j0) | 0;
      let ix = xIdx | 0;
      for (let p = 0; p < k; p = (p + 1) | 0) {
        const xv = x[ix];
        c0 += xv * b[ib]; c1 += xv * b[(ib + 1) | 0]; c2 += xv * b[(ib + 2) | 0]; c3 += xv * b[(ib + 3) | 0];
        c4 += xv * b[(ib + 4) | 0]; c5 += xv * b[(ib + 5) | 0]; c6 += xv * b[(ib + 6) | 0]; c7 += xv * b[(ib + 7) | 0];
        ix = (ix + 1) | 0;
        ib = (ib + ldb) | 0;
      }
      t[0] = c0; t[1] = c1; t[2] = c2; t[3] = c3; t[4] = c4; t[5] = c5; t[6] = c6; t[7] = c7;
    } else {
      // The last, narrower group of columns: one dot product per column.
      for (let j = 0; j < n - j0; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += x[xIdx + p] * b[bOffset + p * ldb + j0 + j];
        t[j] = s;
      }
    }
    const cols = n - j0 < NR ? n - j0 : NR;
    for (let j = 0; j < cols; j++) {
      if (accumulate) c[o + j] += alpha * t[j];
      else c[o + j] = alpha * t[j];
    }
  }
}
