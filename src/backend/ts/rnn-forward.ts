// SimpleRNN, LSTM and GRU forward over a whole batch, with the native kernel's structure
// (docs/KERNELS.md): one GEMM projects every timestep of every sample, then each step runs one
// GEMM for the recurrent part (two for GRU with resetAfter false) and fused gate math per sample.
// Arguments are assumed valid (validate.ts).
//
// The weights come from the call's arguments or from a packRnnWeights handle (packed-weights.ts):
// weightsOf resolves which, and the rest of the loop reads them only through its result. Without a
// handle, the recurrent kernel is packed once per call (gemm.ts packB) and reused by all T steps; a
// handle holds it packed the same way, so the result is bit for bit the same.
//
// The projection P (B*T rows, row b*T + t for sample b at input step t) is also where the step's
// recurrent product lands: the step's GEMM adds h_prev @ U into rows b*T + t (row stride T*gH), and
// the gate math reads those rows. A row is used by its step only, so updating it in place is safe
// (a masked sample's row gets the product too and is never read). GRU with resetAfter keeps its
// recurrent product apart (the reset gate scales it), in a (B, gH) scratch.
// Batch 1 goes through the same calls: gemmPacked turns a one-row product into a vector-matrix loop.
// Nothing is allocated per step, and the internal buffers (P, the recurrent kernel packed per call)
// are kept for the next call of the same sizes: JavaScript runs one call at a time and none of them
// escapes. A handle's packed buffers are its own and never enter that cache.
import { applyActivation, sigmoid, tanh } from './activations';
import { gemmPacked, sgemm, type PackedB } from './gemm';
import { packRecurrentKernel, packedWeightsOf, type RnnWeights } from './packed-weights';
import { gateCount } from './validate';
import type { ActivationName, RnnForwardArgs, RnnForwardResult } from '../kernels';

/** Buffers kept from the last call; each is replaced by a call that needs another size. */
const kept: { projection?: Float32Array; recurrent?: PackedB; recurrentH?: PackedB } = {};
// Only small buffers are kept (latency shapes, where allocating and faulting in pages per call shows);
// for larger ones the allocation is noise next to the work. At most about 5 MiB stay held.
const KEEP_MAX = 1 << 18; // elements (1 MiB of floats, 2 MiB of doubles)

function keptProjection(size: number): Float32Array {
  const held = kept.projection;
  if (held !== undefined && held.length === size) return held;
  const fresh = new Float32Array(size);
  kept.projection = size <= KEEP_MAX ? fresh : undefined;
  return fresh;
}

/** A small packed buffer to keep for the next call, or undefined to let it go. */
function keepable(packed: PackedB | null): PackedB | undefined {
  return packed !== null && packed.data.length <= KEEP_MAX ? packed : undefined;
}

/**
 * The weights of this call: the handle's when args.packed is one (validated), else the args' arrays
 * with the recurrent kernel packed now, into the kept buffers.
 */
function weightsOf(args: RnnForwardArgs): RnnWeights {
  const handle = args.packed ?? null;
  if (handle !== null) return packedWeightsOf(handle)!;
  // Without a handle, validation made kernel and recurrentKernel Float32Arrays.
  const kernel = args.kernel as Float32Array;
  const recurrentKernel = args.recurrentKernel as Float32Array;
  const packed = packRecurrentKernel(args.cell, args.resetAfter, args.units, recurrentKernel, kept);
  kept.recurrent = keepable(packed.recurrent);
  if (packed.recurrentH !== null) kept.recurrentH = keepable(packed.recurrentH);
  return { kernel, recurrentKernel, bias: args.bias, ...packed };
}

/** Runs one step: input step t, keep[b] = 0 for a masked sample (keep null: no mask). */
type Step = (t: number, keep: Uint8Array | null) => void;

/** True when this pair gets the fused loop with inlined sigmoid and tanh (the Keras defaults). */
function isDefaultPair(activation: ActivationName, recurrentActivation: ActivationName): boolean {
  return activation === 'tanh' && recurrentActivation === 'sigmoid';
}

/**
 * P = X (B*T, D) @ kernel (D, gH) + the input bias. For GRU with resetAfter, bias row 1 (the
 * recurrent bias) of the z and r gates is added too: z and r take it outside the reset product.
 */
function projectInputs(args: RnnForwardArgs, w: RnnWeights, gH: number): Float32Array {
  const rows = args.batch * args.timesteps;
  const projection = keptProjection(rows * gH); // every element is written: beta 0
  sgemm(rows, gH, args.inputDim, 1, args.x, 0, args.inputDim, w.kernel, 0, gH, 0, projection, 0, gH);
  const bias = w.bias;
  if (bias !== null) {
    let rowBias: Float32Array = bias;
    if (args.cell === 'gru' && args.resetAfter) {
      rowBias = bias.slice(0, gH);
      for (let j = 0; j < 2 * args.units; j++) rowBias[j] += bias[gH + j];
    }
    for (let row = 0; row < rows; row++) {
      const base = row * gH;
      for (let j = 0; j < gH; j++) projection[base + j] += rowBias[j];
    }
  }
  return projection;
}

// In the step functions: `z` is the first column of sample b's projection row for the step
// (b*T + t) * gH, `s` the first column of its state row b * H. The packed recurrent kernel is w's.

function simpleRnnStep(args: RnnForwardArgs, w: RnnWeights, P: Float32Array, h: Float32Array): Step {
  const { batch: B, timesteps: T, units: H, activation } = args;
  const U = w.recurrent;
  const rowStride = T * H;
  const fused = activation === 'tanh';
  return (t, keep) => {
    gemmPacked(B, h, 0, H, U, true, P, t * H, rowStride);
    for (let b = 0; b < B; b++) {
      if (keep !== null && keep[b] === 0) continue;
      const z = t * H + b * rowStride;
      const s = b * H;
      if (fused) {
        for (let j = 0; j < H; j++) h[s + j] = tanh(P[z + j]);
      } else {
        applyActivation(activation, P, z, z + H);
        for (let j = 0; j < H; j++) h[s + j] = P[z + j];
      }
    }
  };
}

// Gates i, f, c, o: c = f * c_prev + i * act(z_c); h = o * act(c)
function lstmStep(args: RnnForwardArgs, w: RnnWeights, P: Float32Array, h: Float32Array, c: Float32Array): Step {
  const { batch: B, timesteps: T, units: H, activation, recurrentActivation } = args;
  const gH = 4 * H;
  const U = w.recurrent;
  const rowStride = T * gH;
  const fused = isDefaultPair(activation, recurrentActivation);
  const actC = fused ? null : new Float32Array(H);
  return (t, keep) => {
    gemmPacked(B, h, 0, H, U, true, P, t * gH, rowStride);
    for (let b = 0; b < B; b++) {
      if (keep !== null && keep[b] === 0) continue;
      const z = t * gH + b * rowStride;
      const s = b * H;
      if (actC === null) lstmRowDefault(P, z, H, h, c, s);
      else lstmRowGeneric(P, z, H, h, c, s, actC, activation, recurrentActivation);
    }
  };
}

/** One sample's LSTM update with sigmoid gates and tanh, all in one pass. */
function lstmRowDefault(P: Float32Array, z: number, H: number, h: Float32Array, c: Float32Array, s: number): void {
  const f0 = z + H;
  const c0 = z + 2 * H;
  const o0 = z + 3 * H;
  for (let j = 0; j < H; j++) {
    const cell = sigmoid(P[f0 + j]) * c[s + j] + sigmoid(P[z + j]) * tanh(P[c0 + j]);
    c[s + j] = cell;
    h[s + j] = sigmoid(P[o0 + j]) * tanh(cell);
  }
}

function lstmRowGeneric(
  P: Float32Array,
  z: number,
  H: number,
  h: Float32Array,
  c: Float32Array,
  s: number,
  actC: Float32Array,
  activation: ActivationName,
  recurrentActivation: ActivationName,
): void {
  const f0 = z + H;
  const c0 = z + 2 * H;
  const o0 = z + 3 * H;
  applyActivation(recurrentActivation, P, z, c0); // i and f are adjacent
  applyActivation(activation, P, c0, o0);
  applyActivation(recurrentActivation, P, o0, o0 + H);
  for (let j = 0; j < H; j++) {
    const cell = P[f0 + j] * c[s + j] + P[z + j] * P[c0 + j];
    c[s + j] = cell;
    actC[j] = cell;
  }
  applyActivation(activation, actC, 0, H);
  for (let j = 0; j < H; j++) h[s + j] = P[o0 + j] * actC[j];
}

// resetAfter true (bias (2, 3H)): z = ract(xz + mz), r = ract(xr + mr), hh = act(xh + r * mh),
// with m = h_prev @ U + b_rec. P holds x (+ b_in, + b_rec for z and r); R holds h_prev @ U.
function gruResetAfterStep(args: RnnForwardArgs, w: RnnWeights, P: Float32Array, h: Float32Array): Step {
  const { batch: B, timesteps: T, units: H, activation, recurrentActivation } = args;
  const { bias } = w;
  const gH = 3 * H;
  const U = w.recurrent;
  const R = new Float32Array(B * gH);
  const recurrentBiasH = bias !== null ? bias.slice(gH + 2 * H, 2 * gH) : new Float32Array(H);
  const rowStride = T * gH;
  const fused = isDefaultPair(activation, recurrentActivation);
  return (t, keep) => {
    gemmPacked(B, h, 0, H, U, false, R, 0, gH);
    for (let b = 0; b < B; b++) {
      if (keep !== null && keep[b] === 0) continue;
      const z = t * gH + b * rowStride;
      const r = b * gH;
      const s = b * H;
      if (fused) {
        for (let j = 0; j < H; j++) {
          const update = sigmoid(P[z + j] + R[r + j]);
          const reset = sigmoid(P[z + H + j] + R[r + H + j]);
          const candidate = tanh(P[z + 2 * H + j] + reset * (R[r + 2 * H + j] + recurrentBiasH[j]));
          h[s + j] = update * h[s + j] + (1 - update) * candidate;
        }
      } else {
        for (let j = 0; j < 2 * H; j++) R[r + j] += P[z + j];
        applyActivation(recurrentActivation, R, r, r + 2 * H); // z, r
        for (let j = 0; j < H; j++) {
          R[r + 2 * H + j] = P[z + 2 * H + j] + R[r + H + j] * (R[r + 2 * H + j] + recurrentBiasH[j]);
        }
        applyActivation(activation, R, r + 2 * H, r + gH);
        for (let j = 0; j < H; j++) {
          const update = R[r + j];
          h[s + j] = update * h[s + j] + (1 - update) * R[r + 2 * H + j];
        }
      }
    }
  };
}

// resetAfter false (bias (3H)): the reset gate scales h_prev before it meets U_h, so U_h has its own
// GEMM. Both GEMMs add into P: columns [0, 2H) get h_prev @ U_zr, columns [2H, 3H) (r * h_prev) @ U_h.
function gruResetBeforeStep(args: RnnForwardArgs, w: RnnWeights, P: Float32Array, h: Float32Array): Step {
  const { batch: B, timesteps: T, units: H, activation, recurrentActivation } = args;
  const gH = 3 * H;
  const Uzr = w.recurrent;
  const Uh = w.recurrentH!; // packed apart for this cell (packRecurrentKernel)
  const resetH = new Float32Array(B * H);
  const rowStride = T * gH;
  const fused = isDefaultPair(activation, recurrentActivation);
  return (t, keep) => {
    gemmPacked(B, h, 0, H, Uzr, true, P, t * gH, rowStride);
    for (let b = 0; b < B; b++) {
      // A masked sample's row of the next GEMM is computed from stale scratch but never read.
      if (keep !== null && keep[b] === 0) continue;
      const z = t * gH + b * rowStride;
      const s = b * H;
      if (fused) {
        for (let j = 0; j < 2 * H; j++) P[z + j] = sigmoid(P[z + j]);
      } else {
        applyActivation(recurrentActivation, P, z, z + 2 * H); // z, r
      }
      for (let j = 0; j < H; j++) resetH[s + j] = P[z + H + j] * h[s + j];
    }
    gemmPacked(B, resetH, 0, H, Uh, true, P, t * gH + 2 * H, rowStride);
    for (let b = 0; b < B; b++) {
      if (keep !== null && keep[b] === 0) continue;
      const z = t * gH + b * rowStride;
      const s = b * H;
      if (fused) {
        for (let j = 0; j < H; j++) {
          const update = P[z + j];
          h[s + j] = update * h[s + j] + (1 - update) * tanh(P[z + 2 * H + j]);
        }
      } else {
        applyActivation(activation, P, z + 2 * H, z + gH);
        for (let j = 0; j < H; j++) {
          const update = P[z + j];
          h[s + j] = update * h[s + j] + (1 - update) * P[z + 2 * H + j];
        }
      }
    }
  };
}

export function runRnnForward(args: RnnForwardArgs): RnnForwardResult {
  const { batch: B, timesteps: T, units: H, mask, returnSequences, zeroOutputForMask } = args;
  const gH = gateCount(args.cell) * H;
  const w = weightsOf(args);
  const P = projectInputs(args, w, gH);
  const h = args.initialH !== null ? args.initialH.slice() : new Float32Array(B * H);
  let c: Float32Array | null = null;
  let step: Step;
  switch (args.cell) {
    case 'simple_rnn':
      step = simpleRnnStep(args, w, P, h);
      break;
    case 'lstm':
      c = args.initialC !== null ? args.initialC.slice() : new Float32Array(B * H);
      step = lstmStep(args, w, P, h, c);
      break;
    case 'gru':
      step = args.resetAfter ? gruResetAfterStep(args, w, P, h) : gruResetBeforeStep(args, w, P, h);
      break;
    default: {
      const unknown: never = args.cell;
      throw new RangeError(`unknown cell ${String(unknown)}`);
    }
  }

  const sequence = returnSequences ? new Float32Array(B * T * H) : null;
  // With a mask: which samples the step keeps, and each sample's previous processed step's output
  // (zeros before the first step, not initialH). Without one every step's output is h.
  const keep = mask !== null ? new Uint8Array(B) : null;
  const lastOutput = mask !== null ? new Float32Array(B * H) : null;
  for (let s = 0; s < T; s++) {
    const t = args.goBackwards ? T - 1 - s : s;
    if (keep !== null) for (let b = 0; b < B; b++) keep[b] = mask![b * T + t] !== 0 ? 1 : 0;
    step(t, keep);
    if (keep === null || lastOutput === null) {
      if (sequence !== null) {
        for (let b = 0; b < B; b++) copyRow(h, b * H, sequence, (b * T + s) * H, H);
      }
      continue;
    }
    for (let b = 0; b < B; b++) {
      const row = b * H;
      if (keep[b] !== 0) copyRow(h, row, lastOutput, row, H);
      else if (zeroOutputForMask) lastOutput.fill(0, row, row + H);
      // otherwise a masked step repeats the previous output, already in lastOutput
      if (sequence !== null) copyRow(lastOutput, row, sequence, (b * T + s) * H, H);
    }
  }
  const output = sequence ?? lastOutput ?? h.slice();
  return { output, h, c };
}

function copyRow(from: Float32Array, fromIndex: number, to: Float32Array, toIndex: number, count: number): void {
  for (let j = 0; j < count; j++) to[toIndex + j] = from[fromIndex + j];
}
