// rnnTrainForward and rnnBackward against the float64 reference (test/reference/rnn-reference.ts):
// the training forward gives the reference's results (and rnnForward's), and every gradient
// rnnBackward returns matches central finite differences of the reference, for every cell and option.
//
// The loss is a fixed random projection of every result, L = sum(wo * output) + sum(wh * h) +
// sum(wc * c), so its gradients with respect to the results are wo, wh, wc (the dOutput, dH and dC
// the test passes). The differences run in float64 with step 1e-4: their truncation error
// (eps^2 * L''' ~ 1e-8) is far below the float32 rounding of the kernel's own sums (~1e-6 relative
// over these few steps), so a tolerance of 2e-4 + 1e-3 * |g| separates rounding from a wrong formula
// (a wrong term changes a gradient by the size of the term, 1e-2 and up here).
import { createRequire } from 'module';
import * as tsKernels from '../../src/backend/ts';
import type { ActivationName, CellName, Kernels, RnnBackwardArgs, RnnTrainArgs } from '../../src/backend/kernels';
import { rnnReference } from '../reference/rnn-reference';
import { KERNEL_BACKENDS } from '../helpers/backends';
import { loaded, native } from '../helpers/native';
import { Rng } from '../helpers/random';

// Both backends: native's training kernels must be the addon's own (checked below), not the
// TypeScript ones its loader fills in for an addon without them.
const BACKENDS: [string, () => Kernels][] = KERNEL_BACKENDS;

test('the native addon exports its own training kernels', () => {
  const addon = createRequire(__filename)(loaded.file ?? 'the native addon did not load') as Partial<Kernels>;
  for (const name of ['rnnTrainForward', 'rnnBackward', 'denseBackward'] as const) {
    expect(typeof addon[name]).toBe('function');
    expect(native()[name]).toBe(addon[name]);
    expect(native()[name]).not.toBe(tsKernels[name]);
  }
});

interface Case {
  name: string;
  cell: CellName;
  resetAfter?: boolean;
  activation?: ActivationName;
  recurrentActivation?: ActivationName;
  goBackwards?: boolean;
  returnSequences?: boolean;
  masked?: boolean;
  zeroOutputForMask?: boolean;
  dropout?: 'shared' | 'per-gate';
  recurrentDropout?: boolean;
  noBias?: boolean;
  initialStates?: boolean;
}

const CELLS: { cell: CellName; resetAfter?: boolean; label: string }[] = [
  { cell: 'simple_rnn', label: 'SimpleRNN' },
  { cell: 'lstm', label: 'LSTM' },
  { cell: 'gru', resetAfter: true, label: 'GRU resetAfter' },
  { cell: 'gru', resetAfter: false, label: 'GRU resetBefore' },
];

const OPTIONS: Omit<Case, 'name' | 'cell'>[] = [
  {},
  { returnSequences: true },
  { goBackwards: true, returnSequences: true },
  { masked: true, returnSequences: true },
  { masked: true, returnSequences: true, zeroOutputForMask: true },
  { masked: true, goBackwards: true },
  { initialStates: true },
  { noBias: true },
  { dropout: 'shared' },
  { dropout: 'per-gate', recurrentDropout: true, returnSequences: true },
  { activation: 'relu' },
  { activation: 'elu', recurrentActivation: 'hard_sigmoid' },
  { activation: 'softsign', recurrentActivation: 'softplus' },
  { activation: 'selu', recurrentActivation: 'silu' },
];

const CASES: Case[] = CELLS.flatMap(({ cell, resetAfter, label }) =>
  OPTIONS.map((o) => ({ ...o, cell, resetAfter, name: `${label} ${JSON.stringify(o)}` })),
);

function gates(cell: CellName): number {
  return cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
}

/** Dropout masks like Keras's: 0 or 1 / (1 - rate), rate 0.3. */
function dropMaskOf(rng: Rng, n: number): Float32Array {
  const m = new Float32Array(n);
  for (let i = 0; i < n; i++) m[i] = rng.float() < 0.3 ? 0 : 1 / 0.7;
  return m;
}

function trainArgs(c: Case): RnnTrainArgs {
  const rng = new Rng(c.name);
  const B = 2, T = 4, D = 3, H = 3;
  const g = gates(c.cell);
  const resetAfter = c.resetAfter ?? true;
  const biasLength = (c.cell === 'gru' && resetAfter ? 2 : 1) * g * H;
  let mask: Uint8Array | null = null;
  if (c.masked) {
    // sample 0: its first two input steps masked (so with goBackwards its last two processed);
    // sample 1: a step in the middle masked.
    mask = Uint8Array.from([0, 0, 1, 1, 1, 0, 1, 1]);
  }
  let dropMask: Float32Array | null = null;
  if (c.dropout === 'shared') {
    const one = dropMaskOf(rng, B * D);
    dropMask = new Float32Array(g * B * D);
    for (let k = 0; k < g; k++) dropMask.set(one, k * B * D);
  } else if (c.dropout === 'per-gate') {
    dropMask = dropMaskOf(rng, g * B * D);
  }
  return {
    cell: c.cell,
    batch: B,
    timesteps: T,
    inputDim: D,
    units: H,
    x: rng.float32Array(B * T * D, 1),
    kernel: rng.float32Array(D * g * H, 0.6),
    recurrentKernel: rng.float32Array(H * g * H, 0.6),
    bias: c.noBias ? null : rng.float32Array(biasLength, 0.3),
    activation: c.activation ?? 'tanh',
    recurrentActivation: c.recurrentActivation ?? 'sigmoid',
    resetAfter,
    goBackwards: c.goBackwards ?? false,
    returnSequences: c.returnSequences ?? false,
    zeroOutputForMask: c.zeroOutputForMask ?? false,
    initialH: c.initialStates ? rng.float32Array(B * H, 0.5) : null,
    initialC: c.initialStates && c.cell === 'lstm' ? rng.float32Array(B * H, 0.5) : null,
    mask,
    dropMask,
    recurrentDropMask: c.recurrentDropout ? dropMaskOf(rng, g * B * H) : null,
  };
}

type ParamName = 'x' | 'kernel' | 'recurrentKernel' | 'bias' | 'initialH' | 'initialC';
const GRADIENT_OF: Record<ParamName, 'dx' | 'dKernel' | 'dRecurrentKernel' | 'dBias' | 'dInitialH' | 'dInitialC'> = {
  x: 'dx',
  kernel: 'dKernel',
  recurrentKernel: 'dRecurrentKernel',
  bias: 'dBias',
  initialH: 'dInitialH',
  initialC: 'dInitialC',
};

/** The loss of the float64 reference at args whose arrays may be Float64Array copies. */
function referenceLoss(args: RnnTrainArgs, wo: Float32Array, wh: Float32Array, wc: Float32Array | null): number {
  const r = rnnReference({ ...args, packed: null }, { dropMask: args.dropMask, recurrentDropMask: args.recurrentDropMask });
  let loss = 0;
  r.output.forEach((v, i) => (loss += v * wo[i]));
  r.h.forEach((v, i) => (loss += v * wh[i]));
  if (r.c !== null && wc !== null) r.c.forEach((v, i) => (loss += v * wc[i]));
  return loss;
}

function numericGradient(args: RnnTrainArgs, param: ParamName, wo: Float32Array, wh: Float32Array, wc: Float32Array | null): Float64Array {
  const values = args[param] as Float32Array;
  const base = Float64Array.from(values);
  const grad = new Float64Array(base.length);
  const eps = 1e-4;
  for (let i = 0; i < base.length; i++) {
    const at = (delta: number): number => {
      const v = Float64Array.from(base);
      v[i] += delta;
      return referenceLoss({ ...args, [param]: v as unknown as Float32Array }, wo, wh, wc);
    };
    grad[i] = (at(eps) - at(-eps)) / (2 * eps);
  }
  return grad;
}

function expectClose(analytic: Float32Array, numeric: Float64Array, what: string): void {
  expect(analytic.length).toBe(numeric.length);
  const bad: string[] = [];
  for (let i = 0; i < numeric.length; i++) {
    if (Math.abs(analytic[i] - numeric[i]) > 2e-4 + 1e-3 * Math.abs(numeric[i])) {
      bad.push(`${what}[${i}]: analytic ${analytic[i]}, numeric ${numeric[i]}`);
    }
  }
  expect(bad).toEqual([]);
}

describe.each(BACKENDS)('%s backend', (_name, kernels) => {
  test.each(CASES)('rnnTrainForward gives the reference results: $name', (c) => {
    const args = trainArgs(c);
    const got = kernels().rnnTrainForward(args);
    const want = rnnReference({ ...args, packed: null }, { dropMask: args.dropMask, recurrentDropMask: args.recurrentDropMask });
    const close = (a: Float32Array, b: number[]): void => {
      expect(a.length).toBe(b.length);
      a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(b[i]))));
    };
    close(got.output, want.output);
    close(got.h, want.h);
    if (want.c !== null) close(got.c!, want.c);
  });

  test.each(CASES.filter((c) => !c.dropout && !c.recurrentDropout))('without dropout, rnnTrainForward equals rnnForward: $name', (c) => {
    const { dropMask: _d, recurrentDropMask: _r, ...args } = trainArgs(c);
    const trained = kernels().rnnTrainForward({ ...args, dropMask: null, recurrentDropMask: null });
    const inferred = kernels().rnnForward(args);
    trained.output.forEach((v, i) => expect(Math.abs(v - inferred.output[i])).toBeLessThan(1e-6));
    trained.h.forEach((v, i) => expect(Math.abs(v - inferred.h[i])).toBeLessThan(1e-6));
  });

  test.each(CASES)('rnnBackward matches central differences of the reference: $name', (c) => {
    const args = trainArgs(c);
    const rng = new Rng(`${c.name} loss`);
    const forward = kernels().rnnTrainForward(args);
    const wo = rng.float32Array(forward.output.length, 1);
    const wh = rng.float32Array(forward.h.length, 1);
    const wc = forward.c !== null ? rng.float32Array(forward.c.length, 1) : null;
    const backward: RnnBackwardArgs = { ...args, tape: forward.tape, dOutput: wo, dH: wh, dC: wc };
    const grads = kernels().rnnBackward(backward);
    const params: ParamName[] = ['x', 'kernel', 'recurrentKernel'];
    if (args.bias !== null) params.push('bias');
    if (args.initialH !== null) params.push('initialH');
    if (args.initialC !== null) params.push('initialC');
    for (const p of params) {
      expectClose(grads[GRADIENT_OF[p]] as Float32Array, numericGradient(args, p, wo, wh, wc), p);
    }
    if (args.bias === null) expect(grads.dBias).toBeNull();
    if (args.initialH === null) {
      // d loss / d initial state is still defined (zeros were the initial state)
      const zeros = { ...args, initialH: new Float32Array(args.batch * args.units) };
      expectClose(grads.dInitialH, numericGradient(zeros, 'initialH', wo, wh, wc), 'initialH (zeros)');
    }
  });
});
