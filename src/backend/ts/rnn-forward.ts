// SimpleRNN, LSTM and GRU forward over a whole batch, with the native kernel's structure
// (docs/KERNELS.md): one GEMM projects every timestep of every sample, then each step runs one
// GEMM for the recurrent part (two for GRU with resetAfter false) and fused gate math per sample.
// Arguments are assumed valid (validate.ts).
import { applyActivation } from './activations';
import { sgemm } from './gemm';
import { gateCount } from './validate';
import type { RnnForwardArgs, RnnForwardResult } from '../kernels';

/** Buffers shared by one forward pass. Rows of `projection` are (sample b, input step t) at b*T + t. */
interface Workspace {
  args: RnnForwardArgs;
  gateWidth: number; // g * units: the width of a projection / recurrent row
  projection: Float32Array; // (B*T, gH): x @ kernel + input bias
  recurrent: Float32Array; // (B, gH) per-step scratch: h_prev @ recurrentKernel, then the gates
  h: Float32Array; // (B, H) hidden state, updated in place row by row
  c: Float32Array | null; // (B, H) LSTM cell state
  scratch: Float32Array; // (B, H): act(c) for LSTM, r * h_prev for GRU with resetAfter false
  keep: Uint8Array; // (B) 1 where the current step is not masked for that sample
}

type StepFunction = (ws: Workspace, t: number) => void;

/** P = X (B*T, D) @ kernel (D, gH) + the input bias (row 0 of GRU's two bias rows). */
function projectInputs(args: RnnForwardArgs, gateWidth: number): Float32Array {
  const rows = args.batch * args.timesteps;
  const projection = new Float32Array(rows * gateWidth);
  sgemm(rows, gateWidth, args.inputDim, 1, args.x, 0, args.inputDim, args.kernel, 0, gateWidth, 0, projection, 0, gateWidth);
  const bias = args.bias;
  if (bias !== null) {
    for (let row = 0; row < rows; row++) {
      const base = row * gateWidth;
      for (let j = 0; j < gateWidth; j++) projection[base + j] += bias[j];
    }
  }
  return projection;
}

/** recurrent[:, col0 : col0+cols] = a (B, H) @ recurrentKernel[:, col0 : col0+cols]. */
function recurrentGemm(ws: Workspace, a: Float32Array, col0: number, cols: number): void {
  const { batch, units, recurrentKernel } = ws.args;
  sgemm(batch, cols, units, 1, a, 0, units, recurrentKernel, col0, ws.gateWidth, 0, ws.recurrent, col0, ws.gateWidth);
}

/** recurrent[b, from:to] += projection[b*T + t, from:to] for every kept sample. */
function addProjection(ws: Workspace, t: number, from: number, to: number): void {
  const { batch, timesteps } = ws.args;
  const gH = ws.gateWidth;
  const { recurrent, projection } = ws;
  for (let b = 0; b < batch; b++) {
    if (!ws.keep[b]) continue;
    const projRow = (b * timesteps + t) * gH;
    const gateRow = b * gH;
    for (let j = from; j < to; j++) recurrent[gateRow + j] += projection[projRow + j];
  }
}

// Row offsets in the step functions: gateRow into `recurrent` (b * gH), stateRow into h, c and
// scratch (b * H), projRow into `projection` ((b*T + t) * gH).

// h = act(x_t + b + h_prev @ U)
const simpleRnnStep: StepFunction = (ws, t) => {
  const { batch, units: H, activation } = ws.args;
  recurrentGemm(ws, ws.h, 0, H);
  addProjection(ws, t, 0, H);
  for (let b = 0; b < batch; b++) {
    if (!ws.keep[b]) continue;
    const row = b * H; // gH = H: gate and state rows coincide
    applyActivation(activation, ws.recurrent, row, row + H);
    ws.h.set(ws.recurrent.subarray(row, row + H), row);
  }
};

// Gates i, f, c, o: c = f * c_prev + i * act(z_c); h = o * act(c)
const lstmStep: StepFunction = (ws, t) => {
  const { batch, units: H, activation, recurrentActivation } = ws.args;
  const gH = ws.gateWidth;
  const { recurrent: z, h, scratch: actC } = ws;
  const c = ws.c!;
  recurrentGemm(ws, h, 0, gH);
  addProjection(ws, t, 0, gH);
  for (let b = 0; b < batch; b++) {
    if (!ws.keep[b]) continue;
    const gateRow = b * gH;
    const stateRow = b * H;
    const [i, f, candidate, o] = [gateRow, gateRow + H, gateRow + 2 * H, gateRow + 3 * H];
    applyActivation(recurrentActivation, z, i, candidate); // i and f are adjacent
    applyActivation(activation, z, candidate, o);
    applyActivation(recurrentActivation, z, o, o + H);
    for (let j = 0; j < H; j++) {
      const cell = z[f + j] * c[stateRow + j] + z[i + j] * z[candidate + j];
      c[stateRow + j] = cell;
      actC[stateRow + j] = cell;
    }
    applyActivation(activation, actC, stateRow, stateRow + H);
    for (let j = 0; j < H; j++) h[stateRow + j] = z[o + j] * actC[stateRow + j];
  }
};

/** h = z * h_prev + (1 - z) * hh for kept samples; z is gate 0 and hh gate 2 of `recurrent`. */
function gruUpdate(ws: Workspace): void {
  const { batch, units: H } = ws.args;
  const { recurrent, h } = ws;
  for (let b = 0; b < batch; b++) {
    if (!ws.keep[b]) continue;
    const gateRow = b * ws.gateWidth;
    const stateRow = b * H;
    for (let j = 0; j < H; j++) {
      const z = recurrent[gateRow + j];
      h[stateRow + j] = z * h[stateRow + j] + (1 - z) * recurrent[gateRow + 2 * H + j];
    }
  }
}

// resetAfter true: the reset gate scales (h_prev @ U_h + b_rec_h), so one GEMM covers all gates.
const gruResetAfterStep: StepFunction = (ws, t) => {
  const { batch, timesteps, units: H, activation, recurrentActivation, bias } = ws.args;
  const gH = ws.gateWidth;
  const { recurrent: m, projection } = ws;
  recurrentGemm(ws, ws.h, 0, gH);
  for (let b = 0; b < batch; b++) {
    if (!ws.keep[b]) continue;
    const gateRow = b * gH;
    const projRow = (b * timesteps + t) * gH;
    if (bias !== null) for (let j = 0; j < gH; j++) m[gateRow + j] += bias[gH + j]; // recurrent bias, row 1
    for (let j = 0; j < 2 * H; j++) m[gateRow + j] += projection[projRow + j];
    applyActivation(recurrentActivation, m, gateRow, gateRow + 2 * H); // z, r
    for (let j = 2 * H; j < gH; j++) {
      const reset = m[gateRow + j - H];
      m[gateRow + j] = projection[projRow + j] + reset * m[gateRow + j];
    }
    applyActivation(activation, m, gateRow + 2 * H, gateRow + gH);
  }
  gruUpdate(ws);
};

// resetAfter false: the reset gate scales h_prev before it meets U_h, so U_h needs its own GEMM.
const gruResetBeforeStep: StepFunction = (ws, t) => {
  const { batch, units: H, activation, recurrentActivation } = ws.args;
  const gH = ws.gateWidth;
  const { recurrent: m, h, scratch: resetH } = ws;
  recurrentGemm(ws, h, 0, 2 * H);
  addProjection(ws, t, 0, 2 * H);
  for (let b = 0; b < batch; b++) {
    // A masked sample's row of the next GEMM is computed from stale scratch but never read.
    if (!ws.keep[b]) continue;
    const gateRow = b * gH;
    const stateRow = b * H;
    applyActivation(recurrentActivation, m, gateRow, gateRow + 2 * H); // z, r
    for (let j = 0; j < H; j++) resetH[stateRow + j] = m[gateRow + H + j] * h[stateRow + j];
  }
  recurrentGemm(ws, resetH, 2 * H, H);
  addProjection(ws, t, 2 * H, gH);
  for (let b = 0; b < batch; b++) {
    if (ws.keep[b]) applyActivation(activation, m, b * gH + 2 * H, b * gH + gH);
  }
  gruUpdate(ws);
};

function stepFunctionFor(args: RnnForwardArgs): StepFunction {
  switch (args.cell) {
    case 'simple_rnn':
      return simpleRnnStep;
    case 'lstm':
      return lstmStep;
    case 'gru':
      return args.resetAfter ? gruResetAfterStep : gruResetBeforeStep;
    default: {
      const unknown: never = args.cell;
      throw new RangeError(`unknown cell ${String(unknown)}`);
    }
  }
}

export function runRnnForward(args: RnnForwardArgs): RnnForwardResult {
  const { batch: B, timesteps: T, units: H, mask } = args;
  const gateWidth = gateCount(args.cell) * H;
  const isLstm = args.cell === 'lstm';
  const ws: Workspace = {
    args,
    gateWidth,
    projection: projectInputs(args, gateWidth),
    recurrent: new Float32Array(B * gateWidth),
    h: args.initialH !== null ? args.initialH.slice() : new Float32Array(B * H),
    c: isLstm ? (args.initialC !== null ? args.initialC.slice() : new Float32Array(B * H)) : null,
    scratch: new Float32Array(B * H),
    keep: new Uint8Array(B).fill(1),
  };
  const step = stepFunctionFor(args);
  // The previous processed step's output per sample: zeros before the first step (not initialH).
  const lastOutput = new Float32Array(B * H);
  const sequence = args.returnSequences ? new Float32Array(B * T * H) : null;

  for (let s = 0; s < T; s++) {
    const t = args.goBackwards ? T - 1 - s : s;
    if (mask !== null) for (let b = 0; b < B; b++) ws.keep[b] = mask[b * T + t] !== 0 ? 1 : 0;
    step(ws, t);
    for (let b = 0; b < B; b++) {
      const row = b * H;
      if (ws.keep[b]) lastOutput.set(ws.h.subarray(row, row + H), row);
      else if (args.zeroOutputForMask) lastOutput.fill(0, row, row + H);
      // otherwise a masked step repeats the previous output, already in lastOutput
      if (sequence !== null) sequence.set(lastOutput.subarray(row, row + H), (b * T + s) * H);
    }
  }
  return { output: sequence ?? lastOutput, h: ws.h, c: ws.c };
}
