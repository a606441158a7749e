// A plain reference for the kernels, written on purpose unlike them: float64 (number[]), one sample
// at a time, one step at a time, one unit at a time, every pre-activation an explicit dot product,
// straight from Keras's cell equations (keras/src/layers/rnn/{simple_rnn,lstm,gru}.py and the
// TensorFlow backend's rnn loop for masking). It is slow and obvious; that is the point. It must
// not import anything from src/backend/ (the backends are what it checks).
//
// Conventions are the kernels' (binding.d.ts): x (batch, timesteps, inputDim); kernel (inputDim,
// g*units) and recurrentKernel (units, g*units) in Keras's layout, gate order LSTM i,f,c,o and GRU
// z,r,h; GRU resetAfter bias (2, 3*units) = [input bias; recurrent bias].
import type { ActivationName, DenseForwardArgs, RnnForwardArgs } from '../../binding';

export interface ReferenceResult {
  /** returnSequences: batch * timesteps * units in processing order; else batch * units. */
  output: number[];
  h: number[];
  c: number[] | null;
}

export const ALL_ACTIVATIONS: readonly ActivationName[] = [
  'linear',
  'tanh',
  'sigmoid',
  'hard_sigmoid',
  'hard_sigmoid_keras2',
  'relu',
  'relu6',
  'elu',
  'selu',
  'softplus',
  'softsign',
  'exponential',
  'silu',
];

// Globals are read once: under Jest the code runs in a vm context, where every global lookup in a
// hot loop (Math, ...) goes through the context's interceptor and is some 30 times slower.
const { exp, tanh, abs, max, log1p } = Math;

const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;

function sigmoid(v: number): number {
  return 1 / (1 + exp(-v));
}

function clip(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Keras's activations, in float64. */
export function activationReference(name: ActivationName): (v: number) => number {
  switch (name) {
    case 'linear':
      return (v) => v;
    case 'tanh':
      return (v) => tanh(v);
    case 'sigmoid':
      return sigmoid;
    case 'hard_sigmoid':
      return (v) => clip(v / 6 + 0.5, 0, 1);
    case 'hard_sigmoid_keras2':
      return (v) => clip(0.2 * v + 0.5, 0, 1);
    case 'relu':
      return (v) => (v > 0 ? v : 0);
    case 'relu6':
      return (v) => clip(v, 0, 6);
    case 'elu':
      return (v) => (v > 0 ? v : exp(v) - 1);
    case 'selu':
      return (v) => SELU_SCALE * (v > 0 ? v : SELU_ALPHA * (exp(v) - 1));
    case 'softplus':
      // log(1 + e^v) = max(v, 0) + log(1 + e^-|v|), which neither overflows nor loses small values.
      return (v) => max(v, 0) + log1p(exp(-abs(v)));
    case 'softsign':
      return (v) => v / (1 + abs(v));
    case 'exponential':
      return (v) => exp(v);
    case 'silu':
      return (v) => v * sigmoid(v);
    default: {
      const never: never = name;
      throw new Error(`reference: unknown activation ${String(never)}`);
    }
  }
}

function gatesOf(cell: RnnForwardArgs['cell']): number {
  return cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
}

function expectLength(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`reference: ${what} has ${got} elements, expected ${want}`);
}

/**
 * Weights of one layer as the tutorial writes them: one float64 row per output column of Keras's
 * matrices (the transposes W = kernel^T, U = recurrentKernel^T), so each pre-activation is a plain
 * dot product of two number[].
 */
interface Weights {
  H: number;
  W: number[][]; // W[col][d] = kernel[d][col]
  U: number[][]; // U[col][j] = recurrentKernel[j][col]
  bias: number[][] | null; // bias[row][col]; row 1 only for GRU resetAfter
}

function transposeRows(flat: Float32Array, rows: number, cols: number): number[][] {
  const out: number[][] = [];
  for (let c = 0; c < cols; c++) {
    const row: number[] = [];
    for (let r = 0; r < rows; r++) row.push(flat[r * cols + c]);
    out.push(row);
  }
  return out;
}

function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** sum_d x_t[d] * kernel[d][col] */
function inputDot(w: Weights, xt: number[], col: number): number {
  return dot(xt, w.W[col]);
}

/** sum_j v[j] * recurrentKernel[j][col] */
function recurrentDot(w: Weights, v: number[], col: number): number {
  return dot(v, w.U[col]);
}

/** Bias element `col` of row `row` (row 1 only for GRU resetAfter); 0 without bias. */
function biasAt(w: Weights, row: number, col: number): number {
  return w.bias === null ? 0 : w.bias[row][col];
}

interface States {
  h: number[];
  c: number[];
}

/**
 * xs[k]: the step's input as gate k reads it, hs[k]: h_prev as gate k's recurrent product reads it
 * (both dropped per gate in training; otherwise every entry is the same x_t and h_prev).
 */
type Step = (w: Weights, xs: number[][], hs: number[][], prev: States) => States;

function simpleRnnStep(act: (v: number) => number): Step {
  return (w, xs, hs) => {
    const h: number[] = [];
    for (let u = 0; u < w.H; u++) {
      h.push(act(inputDot(w, xs[0], u) + biasAt(w, 0, u) + recurrentDot(w, hs[0], u)));
    }
    return { h, c: [] };
  };
}

function lstmStep(act: (v: number) => number, ract: (v: number) => number): Step {
  return (w, xs, hs, prev) => {
    const H = w.H;
    const h: number[] = [];
    const c: number[] = [];
    for (let u = 0; u < H; u++) {
      const i = ract(inputDot(w, xs[0], u) + biasAt(w, 0, u) + recurrentDot(w, hs[0], u));
      const f = ract(inputDot(w, xs[1], H + u) + biasAt(w, 0, H + u) + recurrentDot(w, hs[1], H + u));
      const cc = act(inputDot(w, xs[2], 2 * H + u) + biasAt(w, 0, 2 * H + u) + recurrentDot(w, hs[2], 2 * H + u));
      const o = ract(inputDot(w, xs[3], 3 * H + u) + biasAt(w, 0, 3 * H + u) + recurrentDot(w, hs[3], 3 * H + u));
      const cu = f * prev.c[u] + i * cc;
      c.push(cu);
      h.push(o * act(cu));
    }
    return { h, c };
  };
}

function gruStep(act: (v: number) => number, ract: (v: number) => number, resetAfter: boolean): Step {
  return (w, xs, hs, prev) => {
    const H = w.H;
    const hPrev = prev.h; // the update mixes the undropped state
    const h: number[] = [];
    if (resetAfter) {
      // bias row 0 is added to the input projection, row 1 to the recurrent one.
      for (let u = 0; u < H; u++) {
        const xz = inputDot(w, xs[0], u) + biasAt(w, 0, u);
        const xr = inputDot(w, xs[1], H + u) + biasAt(w, 0, H + u);
        const xh = inputDot(w, xs[2], 2 * H + u) + biasAt(w, 0, 2 * H + u);
        const mz = recurrentDot(w, hs[0], u) + biasAt(w, 1, u);
        const mr = recurrentDot(w, hs[1], H + u) + biasAt(w, 1, H + u);
        const mh = recurrentDot(w, hs[2], 2 * H + u) + biasAt(w, 1, 2 * H + u);
        const z = ract(xz + mz);
        const r = ract(xr + mr);
        const hh = act(xh + r * mh);
        h.push(z * hPrev[u] + (1 - z) * hh);
      }
    } else {
      // The reset gate multiplies h_prev before its product with the candidate's recurrent kernel,
      // so every unit's r is needed before any candidate.
      const z: number[] = [];
      const rTimesH: number[] = [];
      for (let u = 0; u < H; u++) {
        z.push(ract(inputDot(w, xs[0], u) + biasAt(w, 0, u) + recurrentDot(w, hs[0], u)));
        const r = ract(inputDot(w, xs[1], H + u) + biasAt(w, 0, H + u) + recurrentDot(w, hs[1], H + u));
        rTimesH.push(r * hs[2][u]);
      }
      for (let u = 0; u < H; u++) {
        const hh = act(inputDot(w, xs[2], 2 * H + u) + biasAt(w, 0, 2 * H + u) + recurrentDot(w, rTimesH, 2 * H + u));
        h.push(z[u] * hPrev[u] + (1 - z[u]) * hh);
      }
    }
    return { h, c: [] };
  };
}

/**
 * Training dropout as Keras applies it: per gate k, x_t * dropMask[k][b] and h_prev *
 * recurrentDropMask[k][b] (g * batch * inputDim and g * batch * units values, the same every step).
 */
export interface ReferenceDropout {
  dropMask: ArrayLike<number> | null;
  recurrentDropMask: ArrayLike<number> | null;
}

/**
 * The whole layer forward, as Keras runs it (TensorFlow backend semantics for masks). The arrays may
 * be Float64Arrays (gradient checks perturb them in float64).
 */
export function rnnReference(args: RnnForwardArgs, dropout: ReferenceDropout = { dropMask: null, recurrentDropMask: null }): ReferenceResult {
  const { cell, batch: B, timesteps: T, inputDim: D, units: H } = args;
  const g = gatesOf(cell);
  const G = g * H;
  const gruResetAfter = cell === 'gru' && args.resetAfter;
  if (args.kernel === null || args.recurrentKernel === null) throw new Error('rnnReference takes unpacked weights (kernel and recurrentKernel)');
  expectLength('x', args.x.length, B * T * D);
  expectLength('kernel', args.kernel.length, D * G);
  expectLength('recurrentKernel', args.recurrentKernel.length, H * G);
  if (args.bias !== null) expectLength('bias', args.bias.length, (gruResetAfter ? 2 : 1) * G);
  if (args.initialH !== null) expectLength('initialH', args.initialH.length, B * H);
  if (cell === 'lstm' && args.initialC !== null) expectLength('initialC', args.initialC.length, B * H);
  if (args.mask !== null) expectLength('mask', args.mask.length, B * T);

  const bias = args.bias;
  const biasRows: number[][] = [];
  if (bias !== null) {
    for (let r = 0; r < (gruResetAfter ? 2 : 1); r++) biasRows.push(Array.from(bias.subarray(r * G, (r + 1) * G)));
  }
  const w: Weights = {
    H,
    W: transposeRows(args.kernel, D, G),
    U: transposeRows(args.recurrentKernel, H, G),
    bias: bias === null ? null : biasRows,
  };
  const act = activationReference(args.activation);
  const ract = activationReference(args.recurrentActivation);
  const step: Step =
    cell === 'simple_rnn' ? simpleRnnStep(act) : cell === 'lstm' ? lstmStep(act, ract) : gruStep(act, ract, args.resetAfter);

  const output: number[] = [];
  const hOut: number[] = [];
  const cOut: number[] = [];
  for (let b = 0; b < B; b++) {
    const initial = (src: Float32Array | null): number[] => {
      const v: number[] = [];
      for (let u = 0; u < H; u++) v.push(src === null ? 0 : src[b * H + u]);
      return v;
    };
    let states: States = { h: initial(args.initialH), c: cell === 'lstm' ? initial(args.initialC) : [] };
    let prevOutput: number[] = new Array<number>(H).fill(0);
    const sequence: number[][] = [];
    for (let k = 0; k < T; k++) {
      const t = args.goBackwards ? T - 1 - k : k; // input step processed at step k
      const keep = args.mask === null || args.mask[b * T + t] !== 0;
      let out: number[];
      if (keep) {
        const xs: number[][] = [];
        const hs: number[][] = [];
        for (let k = 0; k < g; k++) {
          const xt: number[] = [];
          for (let d = 0; d < D; d++) {
            const m = dropout.dropMask === null ? 1 : dropout.dropMask[(k * B + b) * D + d];
            xt.push(args.x[(b * T + t) * D + d] * m);
          }
          xs.push(xt);
          const hk: number[] = [];
          for (let u = 0; u < H; u++) {
            const m = dropout.recurrentDropMask === null ? 1 : dropout.recurrentDropMask[(k * B + b) * H + u];
            hk.push(states.h[u] * m);
          }
          hs.push(hk);
        }
        states = step(w, xs, hs, states);
        out = states.h.slice();
      } else {
        // states stay; output repeats the previous processed step's (zeros before the first), or zeros.
        out = args.zeroOutputForMask ? new Array<number>(H).fill(0) : prevOutput.slice();
      }
      sequence.push(out);
      prevOutput = out;
    }
    if (args.returnSequences) {
      for (const out of sequence) output.push(...out);
    } else {
      output.push(...prevOutput);
    }
    hOut.push(...states.h);
    if (cell === 'lstm') cOut.push(...states.c);
  }
  return { output, h: hOut, c: cell === 'lstm' ? cOut : null };
}

/** y = act(x @ kernel + bias), rows * units, in float64. */
export function denseReference(args: DenseForwardArgs): number[] {
  const { rows, inputDim: D, units: U } = args;
  expectLength('x', args.x.length, rows * D);
  expectLength('kernel', args.kernel.length, D * U);
  if (args.bias !== null) expectLength('bias', args.bias.length, U);
  const act = activationReference(args.activation);
  const y: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let u = 0; u < U; u++) {
      let s = args.bias === null ? 0 : args.bias[u];
      for (let d = 0; d < D; d++) s += args.x[r * D + d] * args.kernel[d * U + u];
      y.push(act(s));
    }
  }
  return y;
}
