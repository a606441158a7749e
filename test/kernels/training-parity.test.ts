// The training kernels of the native addon against the TypeScript backend's (the specification):
// rnnTrainForward's results and tape, rnnBackward's every gradient and denseBackward's, on random
// shapes and options (batch 1..5, timesteps 1..7, inputDim 1..6, units 1..9, every cell, masks,
// dropout, goBackwards, returnSequences, every activation).
//
// Tolerance: |native - ts| <= 1e-4 * |ts| + floor, floor = 1e-5 * max(1, max |ts| over the array).
// The two backends sum in different orders (OpenBLAS's blocking against gemm.ts's) and the native
// activations are float32 polynomial fits (2.9e-7 relative for tanh) where TypeScript rounds libm's
// float64 values: per operation they differ by a few float32 ulps (~1e-7 relative), which seven
// steps of recurrence and backpropagation grow to 1.4e-5 at most over these cases. Relative error is meaningless where a value is a sum of
// terms that cancel (a weight gradient summed over batch*timesteps rows can land near 0 while its
// terms are of the array's size): there the difference is absolute, about the float32 epsilon
// (6e-8) times the terms' size times a few dozen terms, so the floor is 1e-5 of the array's
// largest value (and never below 1e-5, for arrays of small values). A wrong formula moves a value
// by the size of a term, orders of magnitude above either bound. (Measured: the largest difference
// over all these cases is 0.12 of the bound.)
import * as tsKernels from '../../src/backend/ts';
import type {
  ActivationName,
  CellName,
  DenseBackwardArgs,
  RnnBackwardArgs,
  RnnTrainArgs,
} from '../../src/backend/kernels';
import { native } from '../helpers/native';
import { Rng } from '../helpers/random';
import { ALL_ACTIVATIONS } from '../reference/rnn-reference';

function gates(cell: CellName): number {
  return cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
}

/** Keras's dropout mask values: 0 or 1 / (1 - rate). */
function dropMaskOf(rng: Rng, n: number, rate: number): Float32Array {
  const m = new Float32Array(n);
  for (let i = 0; i < n; i++) m[i] = rng.float() < rate ? 0 : 1 / (1 - rate);
  return m;
}

interface Case {
  name: string;
  args: RnnTrainArgs;
}

const VARIANTS: { cell: CellName; resetAfter: boolean }[] = [
  { cell: 'simple_rnn', resetAfter: false },
  { cell: 'lstm', resetAfter: false },
  { cell: 'gru', resetAfter: true },
  { cell: 'gru', resetAfter: false },
];

/** Case i: a random shape and set of options, seeded by its index (each reproduces alone). */
function randomCase(i: number): Case {
  const rng = new Rng(`training parity ${i}`);
  const { cell, resetAfter } = VARIANTS[i % VARIANTS.length];
  const B = rng.int(1, 5), T = rng.int(1, 7), D = rng.int(1, 6), H = rng.int(1, 9);
  const g = gates(cell);
  const goBackwards = rng.bool();
  // Mostly the common activations; every one of them turns up over the cases.
  const activation: ActivationName = rng.bool(0.5) ? 'tanh' : rng.pick(ALL_ACTIVATIONS);
  const recurrentActivation: ActivationName = rng.bool(0.5) ? 'sigmoid' : rng.pick(ALL_ACTIVATIONS);
  const rate = rng.pick([0.2, 0.5]);
  // An exponential gate or state feeds exp() back into itself (a GRU's update z = exp(.) > 1 grows
  // h every step): small weights keep such a case finite over 7 steps. farApart checks it does.
  const w = activation === 'exponential' || recurrentActivation === 'exponential' ? 0.2 : 0.6;
  const args: RnnTrainArgs = {
    cell,
    batch: B,
    timesteps: T,
    inputDim: D,
    units: H,
    x: rng.float32Array(B * T * D, 1),
    kernel: rng.float32Array(D * g * H, w),
    recurrentKernel: rng.float32Array(H * g * H, w),
    bias: rng.bool(0.8) ? rng.float32Array((cell === 'gru' && resetAfter ? 2 : 1) * g * H, w / 2) : null,
    activation,
    recurrentActivation,
    resetAfter,
    goBackwards,
    returnSequences: rng.bool(),
    zeroOutputForMask: rng.bool(),
    initialH: rng.bool(0.4) ? rng.float32Array(B * H, 0.5) : null,
    initialC: cell === 'lstm' && rng.bool(0.4) ? rng.float32Array(B * H, 0.5) : null,
    mask: rng.bool(0.5) ? rng.mask(B, T, goBackwards) : null,
    dropMask: rng.bool(0.4) ? dropMaskOf(rng, g * B * D, rate) : null,
    recurrentDropMask: rng.bool(0.4) ? dropMaskOf(rng, g * B * H, rate) : null,
  };
  const options = [
    `${cell}${cell === 'gru' ? (resetAfter ? ' resetAfter' : ' resetBefore') : ''}`,
    `B${B} T${T} D${D} H${H}`,
    `${activation}/${recurrentActivation}`,
    args.bias ? 'bias' : 'no bias',
    goBackwards ? 'goBackwards' : '',
    args.returnSequences ? 'returnSequences' : '',
    args.mask ? (args.zeroOutputForMask ? 'mask zeroOutput' : 'mask') : '',
    args.initialH ? 'initialH' : '',
    args.initialC ? 'initialC' : '',
    args.dropMask ? 'dropout' : '',
    args.recurrentDropMask ? 'recurrentDropout' : '',
  ];
  return { name: `#${i} ${options.filter((o) => o !== '').join(' ')}`, args };
}

const CASES: Case[] = Array.from({ length: 120 }, (_, i) => randomCase(i));

/**
 * The differences beyond the tolerance (top of file), as readable lines (empty: all close). The
 * TypeScript values must be finite: a case that overflows compares nothing.
 */
function farApart(got: Float32Array | null, want: Float32Array | null, what: string): string[] {
  if (got === null || want === null) return got === want ? [] : [`${what}: one is null`];
  if (got.length !== want.length) return [`${what}: length ${got.length}, want ${want.length}`];
  const infinite = want.findIndex((v) => !Number.isFinite(v));
  if (infinite >= 0) return [`${what}[${infinite}]: ts ${want[infinite]} (the case overflows)`];
  let scale = 1;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  const floor = 1e-5 * scale;
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= 1e-4 * Math.abs(want[i]) + floor)) {
      bad.push(`${what}[${i}]: native ${got[i]}, ts ${want[i]}`);
    }
  }
  return bad.slice(0, 5);
}

/** The loss gradients a test feeds rnnBackward: random dOutput and dH (and dC for LSTM). */
function lossGradients(c: Case, outputLength: number): Pick<RnnBackwardArgs, 'dOutput' | 'dH' | 'dC'> {
  const rng = new Rng(`${c.name} loss`);
  const { batch: B, units: H } = c.args;
  return {
    dOutput: rng.float32Array(outputLength, 1),
    dH: rng.bool(0.7) ? rng.float32Array(B * H, 1) : null,
    dC: c.args.cell === 'lstm' && rng.bool(0.7) ? rng.float32Array(B * H, 1) : null,
  };
}

const GRADIENTS = ['dx', 'dKernel', 'dRecurrentKernel', 'dBias', 'dInitialH', 'dInitialC'] as const;

describe('native training kernels', () => {
  test('the cases cover every cell, activation and option', () => {
    const seen = new Set<string>();
    for (const { args: a } of CASES) {
      seen.add(`${a.cell} ${a.resetAfter}`).add(a.activation).add(a.recurrentActivation);
      for (const option of ['goBackwards', 'returnSequences', 'zeroOutputForMask'] as const) if (a[option]) seen.add(option);
      for (const array of ['mask', 'dropMask', 'recurrentDropMask', 'initialH', 'initialC'] as const) if (a[array] !== null) seen.add(array);
      if (a.bias === null) seen.add('no bias');
      if (a.batch === 5 && a.timesteps === 7) seen.add('largest');
      if (a.batch === 1 && a.timesteps === 1) seen.add('smallest');
    }
    for (const v of VARIANTS) expect(seen).toContain(`${v.cell} ${v.resetAfter}`);
    for (const name of ALL_ACTIVATIONS) expect(seen).toContain(name);
    for (const option of ['goBackwards', 'returnSequences', 'zeroOutputForMask', 'mask', 'dropMask', 'recurrentDropMask', 'initialH', 'initialC', 'no bias']) {
      expect(seen).toContain(option);
    }
  });

  test.each(CASES)('rnnTrainForward: same output, states and tape $name', (c) => {
    const got = native().rnnTrainForward(c.args);
    const want = tsKernels.rnnTrainForward(c.args);
    expect([
      ...farApart(got.output, want.output, 'output'),
      ...farApart(got.h, want.h, 'h'),
      ...farApart(got.c, want.c, 'c'),
      ...farApart(got.tape, want.tape, 'tape'),
    ]).toEqual([]);
  });

  test.each(CASES)('rnnBackward: same gradients $name', (c) => {
    const tsForward = tsKernels.rnnTrainForward(c.args);
    const nativeForward = native().rnnTrainForward(c.args);
    const loss = lossGradients(c, tsForward.output.length);
    const want = tsKernels.rnnBackward({ ...c.args, ...loss, tape: tsForward.tape });
    // Each backend from its own tape (the whole training step), and the native backward from the
    // TypeScript tape (the backward alone, from the very same sums).
    const fromOwn = native().rnnBackward({ ...c.args, ...loss, tape: nativeForward.tape });
    const fromTs = native().rnnBackward({ ...c.args, ...loss, tape: tsForward.tape });
    const bad: string[] = [];
    for (const name of GRADIENTS) {
      bad.push(...farApart(fromOwn[name], want[name], `${name} (own tape)`));
      bad.push(...farApart(fromTs[name], want[name], `${name} (ts tape)`));
    }
    expect(bad).toEqual([]);
    expect(fromOwn.dBias === null).toBe(c.args.bias === null);
    expect(fromOwn.dInitialC === null).toBe(c.args.cell !== 'lstm');
  });

  test('rnnBackward does not write its arguments', () => {
    const c = CASES.find((k) => k.args.cell === 'lstm' && k.args.dropMask !== null && k.args.mask !== null)!;
    const forward = native().rnnTrainForward(c.args);
    const args: RnnBackwardArgs = { ...c.args, ...lossGradients(c, forward.output.length), tape: forward.tape };
    const before = Object.entries(args).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v]);
    native().rnnBackward(args);
    const after = Object.entries(args).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v]);
    expect(after).toEqual(before);
  });

  test.each(VARIANTS)('a larger batch, split into chunks that run on the pool, matches at 1 and 2 threads: $cell resetAfter $resetAfter', ({ cell, resetAfter }) => {
    const rng = new Rng(`training parity large ${cell} ${resetAfter}`);
    const B = 37, T = 9, D = 11, H = 24, g = gates(cell);
    const args: RnnTrainArgs = {
      cell, batch: B, timesteps: T, inputDim: D, units: H,
      x: rng.float32Array(B * T * D, 1),
      kernel: rng.float32Array(D * g * H, 0.3),
      recurrentKernel: rng.float32Array(H * g * H, 0.3),
      bias: rng.float32Array((cell === 'gru' && resetAfter ? 2 : 1) * g * H, 0.3),
      activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter,
      goBackwards: true, returnSequences: true, zeroOutputForMask: false,
      initialH: rng.float32Array(B * H, 0.5), initialC: cell === 'lstm' ? rng.float32Array(B * H, 0.5) : null,
      mask: rng.mask(B, T, true),
      dropMask: dropMaskOf(rng, g * B * D, 0.2),
      recurrentDropMask: dropMaskOf(rng, g * B * H, 0.2),
    };
    const tsForward = tsKernels.rnnTrainForward(args);
    const dOutput = rng.float32Array(tsForward.output.length, 1);
    const dC = cell === 'lstm' ? rng.float32Array(B * H, 1) : null;
    const want = tsKernels.rnnBackward({ ...args, tape: tsForward.tape, dOutput, dH: null, dC });
    const threads = native().getThreads();
    try {
      const tapes: Float32Array[] = [];
      for (const t of [1, 2]) {
        native().setThreads(t);
        const forward = native().rnnTrainForward(args);
        const got = native().rnnBackward({ ...args, tape: forward.tape, dOutput, dH: null, dC });
        const bad = [...farApart(forward.output, tsForward.output, 'output'), ...farApart(forward.tape, tsForward.tape, 'tape')];
        for (const name of GRADIENTS) bad.push(...farApart(got[name], want[name], name));
        expect(bad).toEqual([]);
        tapes.push(forward.tape);
      }
      // The chunks depend on the batch only: every thread count computes the same sums.
      expect(Array.from(tapes[1])).toEqual(Array.from(tapes[0]));
    } finally {
      native().setThreads(threads);
    }
  });
});

describe('native denseBackward', () => {
  const SHAPES = [
    { rows: 1, inputDim: 1, units: 1 },
    { rows: 3, inputDim: 5, units: 2 },
    { rows: 17, inputDim: 4, units: 9 },
    { rows: 64, inputDim: 33, units: 20 },
  ];
  const DENSE_CASES = SHAPES.flatMap((shape, s) =>
    ALL_ACTIVATIONS.map((activation, i) => ({ ...shape, activation, bias: (s + i) % 3 !== 0, name: `${shape.rows}x${shape.inputDim}->${shape.units} ${activation}` })),
  );

  test.each(DENSE_CASES)('same gradients as TypeScript: $name', (c) => {
    const rng = new Rng(`dense parity ${c.name}`);
    const args: DenseBackwardArgs = {
      rows: c.rows,
      inputDim: c.inputDim,
      units: c.units,
      x: rng.float32Array(c.rows * c.inputDim, 1),
      kernel: rng.float32Array(c.inputDim * c.units, 0.5),
      bias: c.bias ? rng.float32Array(c.units, 0.5) : null,
      activation: c.activation,
      dy: rng.float32Array(c.rows * c.units, 1),
    };
    const got = native().denseBackward(args);
    const want = tsKernels.denseBackward(args);
    expect([
      ...farApart(got.dx, want.dx, 'dx'),
      ...farApart(got.dKernel, want.dKernel, 'dKernel'),
      ...farApart(got.dBias, want.dBias, 'dBias'),
    ]).toEqual([]);
  });
});
