// rnnTrainForward: the forward pass of rnnForward, recording the tape (rnn-tape.ts) that
// rnnBackward reads. Written for clarity over speed: per step one GEMM (per gate when the gates
// have their own recurrent dropout masks), then the gate math over the whole batch. Without
// dropout its outputs equal rnnForward's (the tests check it); the inference path stays the fast one.
// Arguments are assumed valid (validate.ts).
import { applyActivation } from './activations';
import { gemmPacked, packB, sgemm, type PackedB } from './gemm';
import { tapeLength, tapeViews, type Tape } from './rnn-tape';
import { gateCount } from './validate';
import type { RnnTrainArgs, RnnTrainResult } from '../kernels';

/**
 * The input projection of every (sample, input step), rows b*T + t: x (or x * dropMask[k] for gate
 * k) @ kernel + the input bias (+ the recurrent bias of z and r for GRU with resetAfter).
 */
export function projectTrainInputs(a: RnnTrainArgs): Float32Array {
  const { batch: B, timesteps: T, inputDim: D, units: H } = a;
  const g = gateCount(a.cell);
  const gH = g * H;
  const P = new Float32Array(B * T * gH);
  if (a.dropMask === null) {
    sgemm(B * T, gH, D, 1, a.x, 0, D, a.kernel, 0, gH, 0, P, 0, gH);
  } else {
    const xk = new Float32Array(B * T * D);
    for (let k = 0; k < g; k++) {
      dropRows(a.x, a.dropMask, k, B, T, D, xk);
      sgemm(B * T, H, D, 1, xk, 0, D, a.kernel, k * H, gH, 0, P, k * H, gH);
    }
  }
  if (a.bias !== null) {
    const rowBias = a.bias.slice(0, gH);
    if (a.cell === 'gru' && a.resetAfter) for (let j = 0; j < 2 * H; j++) rowBias[j] += a.bias[gH + j];
    for (let row = 0; row < B * T; row++) for (let j = 0; j < gH; j++) P[row * gH + j] += rowBias[j];
  }
  return P;
}

/** out = x * mask[k], rows b*T + t: sample b's mask row applies at every step. */
export function dropRows(x: Float32Array, mask: Float32Array, k: number, B: number, T: number, D: number, out: Float32Array): void {
  for (let b = 0; b < B; b++) {
    const m = (k * B + b) * D;
    for (let t = 0; t < T; t++) {
      const row = (b * T + t) * D;
      for (let d = 0; d < D; d++) out[row + d] = x[row + d] * mask[m + d];
    }
  }
}

/** out (B, H) = h * recurrentDropMask[k] (or h itself without a mask). */
export function dropState(h: Float32Array, hOffset: number, mask: Float32Array | null, k: number, B: number, H: number, out: Float32Array): Float32Array {
  if (mask === null) return h.subarray(hOffset, hOffset + B * H);
  for (let i = 0; i < B * H; i++) out[i] = h[hOffset + i] * mask[k * B * H + i];
  return out;
}

/**
 * The recurrent kernel packed once per call (gemm.ts): its first `gates` gates' columns as one
 * block without recurrent dropout (one product per step), else one block per gate (each gate reads
 * h_prev through its own mask).
 */
function packRecurrent(a: RnnTrainArgs, gates: number): PackedB[] {
  const H = a.units;
  const gH = gateCount(a.cell) * H;
  if (a.recurrentDropMask === null) return [packB(H, gates * H, 1, a.recurrentKernel, 0, gH)];
  return Array.from({ length: gates }, (_, k) => packB(H, H, 1, a.recurrentKernel, k * H, gH));
}

/** acc (B, gH) columns of the packed gates = h_prev (at hOffset of h) @ their recurrent kernel. */
function recurrentProducts(a: RnnTrainArgs, packed: PackedB[], h: Float32Array, hOffset: number, acc: Float32Array, scratch: Float32Array): void {
  const { batch: B, units: H } = a;
  const gH = gateCount(a.cell) * H;
  if (a.recurrentDropMask === null) {
    gemmPacked(B, h, hOffset, H, packed[0], false, acc, 0, gH);
    return;
  }
  packed.forEach((pk, k) => {
    const hk = dropState(h, hOffset, a.recurrentDropMask, k, B, H, scratch);
    gemmPacked(B, hk, 0, H, pk, false, acc, k * H, gH);
  });
}

export function runRnnTrainForward(a: RnnTrainArgs): RnnTrainResult {
  const { batch: B, timesteps: T, units: H, mask } = a;
  const g = gateCount(a.cell);
  const gH = g * H;
  const tape = new Float32Array(tapeLength({ ...a, gates: g }));
  const v: Tape = tapeViews(tape, { ...a, gates: g });
  if (a.initialH !== null) v.h.set(a.initialH);
  if (v.c !== null && a.initialC !== null) v.c.set(a.initialC);

  const P = projectTrainInputs(a);
  const acc = new Float32Array(B * gH); // the step's sums, then the gates' values
  const scratch = new Float32Array(B * H);
  const actC = new Float32Array(H);
  const resetH = new Float32Array(B * H);
  const recH = new Float32Array(B * H);
  const recurrentBiasH = a.cell === 'gru' && a.resetAfter && a.bias !== null ? a.bias.subarray(gH + 2 * H, 2 * gH) : null;
  const recurrentGates = a.cell === 'gru' && !a.resetAfter ? 2 : g; // GRU before: U_h waits for r
  const packed = packRecurrent(a, recurrentGates);
  const packedUh = a.cell === 'gru' && !a.resetAfter ? packB(H, H, 1, a.recurrentKernel, 2 * H, gH) : null;

  const sequence = a.returnSequences ? new Float32Array(B * T * H) : null;
  const lastOutput = new Float32Array(B * H); // each sample's previous output (zeros before any)
  for (let s = 0; s < T; s++) {
    const t = a.goBackwards ? T - 1 - s : s;
    const hPrev = s * B * H;
    const hNext = (s + 1) * B * H;
    const preRow = s * B * gH;
    recurrentProducts(a, packed, v.h, hPrev, acc, scratch);
    // GRU's candidate takes its input part later (outside the reset gate's product).
    const inputCols = a.cell === 'gru' ? 2 * H : gH;
    for (let b = 0; b < B; b++) {
      const p = (b * T + t) * gH;
      for (let j = 0; j < inputCols; j++) acc[b * gH + j] += P[p + j];
    }
    if (a.cell === 'gru' && !a.resetAfter) {
      // z and r first; then (r * dropped h_prev) @ U_h for the candidate.
      for (let b = 0; b < B; b++) {
        const r0 = b * gH + H;
        for (let j = 0; j < H; j++) v.pre[preRow + b * gH + H + j] = acc[r0 + j];
        applyActivation(a.recurrentActivation, acc, r0, r0 + H);
      }
      const hh = dropState(v.h, hPrev, a.recurrentDropMask, 2, B, H, scratch);
      for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) resetH[b * H + j] = acc[b * gH + H + j] * hh[b * H + j];
      gemmPacked(B, resetH, 0, H, packedUh!, false, acc, 2 * H, gH);
      for (let b = 0; b < B; b++) {
        const p = (b * T + t) * gH;
        for (let j = 0; j < H; j++) acc[b * gH + 2 * H + j] += P[p + 2 * H + j];
        for (let j = 0; j < H; j++) v.pre[preRow + b * gH + j] = acc[b * gH + j]; // z's sum (r's was kept above)
        for (let j = 0; j < H; j++) v.pre[preRow + b * gH + 2 * H + j] = acc[b * gH + 2 * H + j];
      }
    } else if (a.cell === 'gru') {
      // resetAfter: the candidate's sum is x_h + r * (h_prev @ U_h + b_rh); keep the bracket.
      for (let b = 0; b < B; b++) {
        const row = b * gH;
        for (let j = 0; j < 2 * H; j++) v.pre[preRow + row + j] = acc[row + j];
        applyActivation(a.recurrentActivation, acc, row + H, row + 2 * H); // r
        const p = (b * T + t) * gH;
        for (let j = 0; j < H; j++) {
          const rec = acc[row + 2 * H + j] + (recurrentBiasH !== null ? recurrentBiasH[j] : 0);
          recH[b * H + j] = rec;
          acc[row + 2 * H + j] = P[p + 2 * H + j] + acc[row + H + j] * rec;
          v.pre[preRow + row + 2 * H + j] = acc[row + 2 * H + j];
        }
      }
      v.rec!.set(recH, s * B * H);
    } else {
      v.pre.set(acc, preRow);
    }

    for (let b = 0; b < B; b++) {
      const keep = mask === null || mask[b * T + t] !== 0;
      const st = b * H;
      const row = b * gH;
      if (!keep) {
        v.h.copyWithin(hNext + st, hPrev + st, hPrev + st + H);
        if (v.c !== null) v.c.copyWithin(hNext + st, hPrev + st, hPrev + st + H);
        continue;
      }
      if (a.cell === 'simple_rnn') {
        applyActivation(a.activation, acc, row, row + H);
        for (let j = 0; j < H; j++) v.h[hNext + st + j] = acc[row + j];
      } else if (a.cell === 'lstm') {
        const c = v.c!;
        applyActivation(a.recurrentActivation, acc, row, row + 2 * H); // i, f
        applyActivation(a.activation, acc, row + 2 * H, row + 3 * H); // candidate
        applyActivation(a.recurrentActivation, acc, row + 3 * H, row + 4 * H); // o
        for (let j = 0; j < H; j++) {
          const cell = acc[row + H + j] * c[hPrev + st + j] + acc[row + j] * acc[row + 2 * H + j];
          c[hNext + st + j] = cell;
          actC[j] = cell;
        }
        applyActivation(a.activation, actC, 0, H);
        for (let j = 0; j < H; j++) v.h[hNext + st + j] = acc[row + 3 * H + j] * actC[j];
      } else {
        applyActivation(a.recurrentActivation, acc, row, row + H); // z (r is done)
        applyActivation(a.activation, acc, row + 2 * H, row + 3 * H);
        for (let j = 0; j < H; j++) {
          const z = acc[row + j];
          v.h[hNext + st + j] = z * v.h[hPrev + st + j] + (1 - z) * acc[row + 2 * H + j];
        }
      }
    }

    for (let b = 0; b < B; b++) {
      const keep = mask === null || mask[b * T + t] !== 0;
      const st = b * H;
      if (keep) lastOutput.set(v.h.subarray(hNext + st, hNext + st + H), st);
      else if (a.zeroOutputForMask) lastOutput.fill(0, st, st + H);
      if (sequence !== null) sequence.set(lastOutput.subarray(st, st + H), (b * T + s) * H);
    }
  }
  const h = v.h.slice(T * B * H);
  const c = v.c !== null ? v.c.slice(T * B * H) : null;
  return { output: sequence ?? lastOutput, h, c, tape };
}
