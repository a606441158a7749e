// rnnBackward: backpropagation through time over the tape of rnnTrainForward (rnn-tape.ts).
//
// The loop runs the steps in reverse and does only what depends on the step before: per step, the
// gates' gradients from the tape's sums (the gate math's derivative, per sample), then one GEMM
// (per gate with recurrent dropout) carries the gradient into h_prev. Everything else is hoisted out
// of the loop into one GEMM each over all B*T rows, as the forward pass hoists the projection:
//   dKernel          = X^T @ dZx          (X: the inputs in processing order, dropped per gate)
//   dx               = dZx @ kernel^T
//   dRecurrentKernel = Hprev^T @ dZh      (Hprev: the tape's states before each step)
// dZx are the gradients of the gates' input sums and dZh of their recurrent sums: the same rows
// except GRU's candidate, whose recurrent part is scaled by the reset gate.
// A masked step passes the gradients of its states through unchanged and adds nothing to the
// weights; its output's gradient reaches the state only when the output was the state (Keras's
// masking: not after zeroOutputForMask, not before the sample's first kept step).
// Arguments are assumed valid (validate.ts).
import { applyActivation } from './activations';
import { activationDerivative } from './activation-derivatives';
import { gemmPacked, packB, sgemm } from './gemm';
import { tapeViews } from './rnn-tape';
import { transpose } from './transpose';
import { gateCount } from './validate';
import type { RnnBackwardArgs, RnnBackwardResult } from '../kernels';

/** keptBefore[s * B + b]: sample b kept a step among the processed steps before s. */
function keptBeforeSteps(a: RnnBackwardArgs): Uint8Array {
  const { batch: B, timesteps: T, mask } = a;
  const out = new Uint8Array(T * B);
  if (mask === null) {
    out.fill(1, B);
    return out;
  }
  for (let b = 0; b < B; b++) {
    let kept = 0;
    for (let s = 0; s < T; s++) {
      out[s * B + b] = kept;
      const t = a.goBackwards ? T - 1 - s : s;
      if (mask[b * T + t] !== 0) kept = 1;
    }
  }
  return out;
}

export function runRnnBackward(a: RnnBackwardArgs): RnnBackwardResult {
  const { batch: B, timesteps: T, inputDim: D, units: H, mask } = a;
  const g = gateCount(a.cell);
  const gH = g * H;
  const tape = tapeViews(a.tape, { ...a, gates: g });
  const isGru = a.cell === 'gru';
  const gruBefore = isGru && !a.resetAfter;
  const rm = a.recurrentDropMask;

  const dZx = new Float32Array(T * B * gH); // rows s*B + b
  const dZh = gruBefore ? dZx : isGru ? new Float32Array(T * B * gH) : dZx;
  const resetH = gruBefore ? new Float32Array(T * B * H) : null; // r * dropped h_prev, per step
  const UT = transpose(a.recurrentKernel, 0, H, gH, gH); // (gH, H)
  const keptBefore = keptBeforeSteps(a);

  const dh = new Float32Array(B * H); // d loss / d (state after the step being undone)
  const dc = a.cell === 'lstm' ? new Float32Array(B * H) : null;
  if (a.dH !== null) dh.set(a.dH);
  if (dc !== null && a.dC !== null) dc.set(a.dC);
  const gates = new Float32Array(gH); // the gates' values of one sample
  const actC = new Float32Array(H);
  const direct = new Float32Array(B * H); // GRU: dh * z, the update's direct path to h_prev
  const carried = new Float32Array(B * H);
  const product = new Float32Array(B * H);
  const dResetH = gruBefore ? new Float32Array(B * H) : null;
  const keep = new Uint8Array(B);
  // U^T packed once per call: the step's product dZh @ U^T (per gate with recurrent dropout).
  const recurrentGates = gruBefore ? 2 : g;
  const packedUT =
    rm === null
      ? [packB(recurrentGates * H, H, 1, UT, 0, H)]
      : Array.from({ length: recurrentGates }, (_, k) => packB(H, H, 1, UT, k * H * H, H));
  const packedUhT = gruBefore ? packB(H, H, 1, UT, 2 * H * H, H) : null;

  for (let s = T - 1; s >= 0; s--) {
    const t = a.goBackwards ? T - 1 - s : s;
    const hPrev = s * B * H;
    const hNext = (s + 1) * B * H;
    for (let b = 0; b < B; b++) {
      keep[b] = mask === null || mask[b * T + t] !== 0 ? 1 : 0;
      // The output's gradient joins the state's where the output was the state.
      const outputIsState = keep[b] !== 0 || (!a.zeroOutputForMask && keptBefore[s * B + b] !== 0);
      const from = a.returnSequences ? (b * T + s) * H : s === T - 1 ? b * H : -1;
      if (outputIsState && from >= 0) for (let j = 0; j < H; j++) dh[b * H + j] += a.dOutput[from + j];
    }

    for (let b = 0; b < B; b++) {
      if (keep[b] === 0) continue;
      const st = b * H;
      const pre = (s * B + b) * gH;
      const row = (s * B + b) * gH;
      gates.set(tape.pre.subarray(pre, pre + gH));
      if (a.cell === 'simple_rnn') {
        for (let j = 0; j < H; j++) {
          const y = tape.h[hNext + st + j];
          dZx[row + j] = dh[st + j] * activationDerivative(a.activation, tape.pre[pre + j], y);
        }
      } else if (a.cell === 'lstm') {
        const c = tape.c!;
        applyActivation(a.recurrentActivation, gates, 0, 2 * H);
        applyActivation(a.activation, gates, 2 * H, 3 * H);
        applyActivation(a.recurrentActivation, gates, 3 * H, 4 * H);
        actC.set(c.subarray(hNext + st, hNext + st + H));
        applyActivation(a.activation, actC, 0, H);
        for (let j = 0; j < H; j++) {
          const i = gates[j], f = gates[H + j], cand = gates[2 * H + j], o = gates[3 * H + j];
          const dhj = dh[st + j];
          const dcj = dc![st + j] + dhj * o * activationDerivative(a.activation, c[hNext + st + j], actC[j]);
          dZx[row + j] = dcj * cand * activationDerivative(a.recurrentActivation, tape.pre[pre + j], i);
          dZx[row + H + j] = dcj * c[hPrev + st + j] * activationDerivative(a.recurrentActivation, tape.pre[pre + H + j], f);
          dZx[row + 2 * H + j] = dcj * i * activationDerivative(a.activation, tape.pre[pre + 2 * H + j], cand);
          dZx[row + 3 * H + j] = dhj * actC[j] * activationDerivative(a.recurrentActivation, tape.pre[pre + 3 * H + j], o);
          dc![st + j] = dcj * f;
        }
      } else {
        applyActivation(a.recurrentActivation, gates, 0, 2 * H);
        applyActivation(a.activation, gates, 2 * H, 3 * H);
        for (let j = 0; j < H; j++) {
          const z = gates[j], r = gates[H + j], cand = gates[2 * H + j];
          const dhj = dh[st + j];
          const prev = tape.h[hPrev + st + j];
          const dCand = dhj * (1 - z) * activationDerivative(a.activation, tape.pre[pre + 2 * H + j], cand);
          dZx[row + j] = dhj * (prev - cand) * activationDerivative(a.recurrentActivation, tape.pre[pre + j], z);
          dZx[row + 2 * H + j] = dCand;
          direct[st + j] = dhj * z;
          if (!gruBefore) {
            const rec = tape.rec![s * B * H + st + j];
            dZx[row + H + j] = dCand * rec * activationDerivative(a.recurrentActivation, tape.pre[pre + H + j], r);
            dZh[row + j] = dZx[row + j];
            dZh[row + H + j] = dZx[row + H + j];
            dZh[row + 2 * H + j] = dCand * r;
          } else {
            const dropped = rm !== null ? prev * rm[(2 * B + b) * H + j] : prev;
            resetH![s * B * H + st + j] = r * dropped;
          }
        }
      }
    }

    if (gruBefore) {
      // d(r * Hh) = dCand @ U_h^T; then r's gradient, and the candidate's path into h_prev.
      gemmPacked(B, dZx, s * B * gH + 2 * H, gH, packedUhT!, false, dResetH!, 0, H);
      for (let b = 0; b < B; b++) {
        if (keep[b] === 0) continue;
        const st = b * H;
        const pre = (s * B + b) * gH;
        gates.set(tape.pre.subarray(pre + H, pre + 2 * H));
        applyActivation(a.recurrentActivation, gates, 0, H); // r
        for (let j = 0; j < H; j++) {
          const prev = tape.h[hPrev + st + j];
          const hh = rm !== null ? prev * rm[(2 * B + b) * H + j] : prev;
          const d = dResetH![st + j];
          dZx[pre + H + j] = d * hh * activationDerivative(a.recurrentActivation, tape.pre[pre + H + j], gates[j]);
          const dHh = d * gates[j];
          direct[st + j] += rm !== null ? dHh * rm[(2 * B + b) * H + j] : dHh;
        }
      }
    }

    // The recurrent sums' path into h_prev: dZh @ U^T, per gate when each has its own mask.
    if (rm === null) {
      gemmPacked(B, dZh, s * B * gH, gH, packedUT[0], false, carried, 0, H);
    } else {
      carried.fill(0);
      for (let k = 0; k < recurrentGates; k++) {
        gemmPacked(B, dZh, s * B * gH + k * H, gH, packedUT[k], false, product, 0, H);
        for (let i = 0; i < B * H; i++) carried[i] += product[i] * rm[k * B * H + i];
      }
    }
    for (let b = 0; b < B; b++) {
      if (keep[b] === 0) continue; // a masked step hands dh (and dc) through as they are
      const st = b * H;
      for (let j = 0; j < H; j++) dh[st + j] = carried[st + j] + (isGru ? direct[st + j] : 0);
    }
  }

  return {
    ...inputGradients(a, dZx),
    dRecurrentKernel: recurrentKernelGradient(a, tape.h, dZh, dZx, resetH),
    dBias: biasGradient(a, dZx, dZh),
    dInitialH: dh,
    dInitialC: dc,
  };
}

/** dKernel = X^T @ dZx and dx = dZx @ kernel^T, X the inputs in processing order (dropped per gate). */
function inputGradients(a: RnnBackwardArgs, dZx: Float32Array): { dx: Float32Array; dKernel: Float32Array } {
  const { batch: B, timesteps: T, inputDim: D, units: H } = a;
  const g = gateCount(a.cell);
  const gH = g * H;
  const rows = T * B;
  // X in processing order: row s*B + b is x[b, t(s)].
  const X = new Float32Array(rows * D);
  for (let s = 0; s < T; s++) {
    const t = a.goBackwards ? T - 1 - s : s;
    for (let b = 0; b < B; b++) X.set(a.x.subarray((b * T + t) * D, (b * T + t + 1) * D), (s * B + b) * D);
  }
  const dKernel = new Float32Array(D * gH);
  const dXs = new Float32Array(rows * D);
  const WT = transpose(a.kernel, 0, D, gH, gH); // (gH, D)
  const groups = a.dropMask === null ? [[0, g]] : Array.from({ length: g }, (_, k) => [k, k + 1]);
  const dropped = a.dropMask === null ? X : new Float32Array(rows * D);
  const product = a.dropMask === null ? dXs : new Float32Array(rows * D);
  for (const [k0, k1] of groups) {
    const cols = (k1 - k0) * H;
    if (a.dropMask !== null) {
      for (let s = 0; s < T; s++)
        for (let b = 0; b < B; b++)
          for (let d = 0; d < D; d++) dropped[(s * B + b) * D + d] = X[(s * B + b) * D + d] * a.dropMask[(k0 * B + b) * D + d];
    }
    const XT = transpose(dropped, 0, rows, D, D); // (D, rows)
    sgemm(D, cols, rows, 1, XT, 0, rows, dZx, k0 * H, gH, 0, dKernel, k0 * H, gH);
    sgemm(rows, D, cols, 1, dZx, k0 * H, gH, WT, k0 * H * D, D, 0, product, 0, D);
    if (a.dropMask !== null) {
      for (let s = 0; s < T; s++)
        for (let b = 0; b < B; b++)
          for (let d = 0; d < D; d++) dXs[(s * B + b) * D + d] += product[(s * B + b) * D + d] * a.dropMask[(k0 * B + b) * D + d];
    }
  }
  const dx = new Float32Array(B * T * D);
  for (let s = 0; s < T; s++) {
    const t = a.goBackwards ? T - 1 - s : s;
    for (let b = 0; b < B; b++) dx.set(dXs.subarray((s * B + b) * D, (s * B + b + 1) * D), (b * T + t) * D);
  }
  return { dx, dKernel };
}

/** dRecurrentKernel = Hprev^T @ dZh per group of gates that read the same dropped h_prev. */
function recurrentKernelGradient(
  a: RnnBackwardArgs,
  h: Float32Array,
  dZh: Float32Array,
  dZx: Float32Array,
  resetH: Float32Array | null,
): Float32Array {
  const { batch: B, timesteps: T, units: H } = a;
  const g = gateCount(a.cell);
  const gH = g * H;
  const rows = T * B;
  const rm = a.recurrentDropMask;
  const dU = new Float32Array(H * gH);
  const plainGates = resetH !== null ? 2 : g; // GRU before: the candidate reads r * Hh instead
  const groups = rm === null ? [[0, plainGates]] : Array.from({ length: plainGates }, (_, k) => [k, k + 1]);
  const dropped = new Float32Array(rows * H);
  for (const [k0, k1] of groups) {
    for (let i = 0; i < rows * H; i++) {
      const b = ((i / H) | 0) % B;
      dropped[i] = rm === null ? h[i] : h[i] * rm[(k0 * B + b) * H + (i % H)];
    }
    const HT = transpose(dropped, 0, rows, H, H);
    sgemm(H, (k1 - k0) * H, rows, 1, HT, 0, rows, dZh, k0 * H, gH, 0, dU, k0 * H, gH);
  }
  if (resetH !== null) {
    const RT = transpose(resetH, 0, rows, H, H);
    sgemm(H, H, rows, 1, RT, 0, rows, dZx, 2 * H, gH, 0, dU, 2 * H, gH);
  }
  return dU;
}

function biasGradient(a: RnnBackwardArgs, dZx: Float32Array, dZh: Float32Array): Float32Array | null {
  if (a.bias === null) return null;
  const gH = gateCount(a.cell) * a.units;
  const rows = a.timesteps * a.batch;
  const resetAfter = a.cell === 'gru' && a.resetAfter;
  const dBias = new Float32Array(resetAfter ? 2 * gH : gH);
  for (let r = 0; r < rows; r++) for (let j = 0; j < gH; j++) dBias[j] += dZx[r * gH + j];
  if (resetAfter) for (let r = 0; r < rows; r++) for (let j = 0; j < gH; j++) dBias[gH + j] += dZh[r * gH + j];
  return dBias;
}
