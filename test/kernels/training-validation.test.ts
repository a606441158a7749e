// Argument validation of the training entry points, rnnTrainForward, rnnBackward and denseBackward,
// on both backends (docs/KERNELS.md "Errors"; the TypeScript checks are src/backend/ts/validate.ts,
// the native ones native/train_addon.cc). Each row of the table is one bad argument: both backends
// must throw the row's error class, before any work, with a message that starts with the function
// and names the field, and carries the fragments both word alike (numbers, formulas, what came).
import type { DenseBackwardArgs, Kernels, RnnBackwardArgs, RnnTrainArgs } from '../../src/backend/kernels';
import { KERNEL_BACKENDS } from '../helpers/backends';
import { expectKernelError, type KernelErrorName } from '../helpers/kernel-args';
import { native } from '../helpers/native';

type Fn = 'rnnTrainForward' | 'rnnBackward' | 'denseBackward';
type Loose = Record<string, (...args: unknown[]) => unknown>;
const DELETED = Symbol('deleted');

/** A valid LSTM training call: batch 2, timesteps 3, inputDim 2, units 3 (g = 4), every array given. */
function lstmTrain(): RnnTrainArgs {
  const B = 2, T = 3, D = 2, H = 3, g = 4;
  return {
    cell: 'lstm', batch: B, timesteps: T, inputDim: D, units: H,
    x: new Float32Array(B * T * D).fill(0.5),
    kernel: new Float32Array(D * g * H).fill(0.1),
    recurrentKernel: new Float32Array(H * g * H).fill(0.1),
    bias: new Float32Array(g * H),
    activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: false,
    goBackwards: false, returnSequences: true, zeroOutputForMask: false,
    initialH: new Float32Array(B * H), initialC: new Float32Array(B * H),
    mask: new Uint8Array(B * T).fill(1),
    dropMask: new Float32Array(g * B * D).fill(1.25),
    recurrentDropMask: new Float32Array(g * B * H).fill(1.25),
  };
}

/** The same dimensions as a GRU with resetAfter (g = 3, bias 2*3*units, no cell state). */
function gruTrain(): RnnTrainArgs {
  const B = 2, D = 2, H = 3, g = 3;
  return {
    ...lstmTrain(), cell: 'gru', resetAfter: true,
    kernel: new Float32Array(D * g * H).fill(0.1),
    recurrentKernel: new Float32Array(H * g * H).fill(0.1),
    bias: new Float32Array(2 * g * H), initialC: null,
    dropMask: new Float32Array(g * B * D).fill(1), recurrentDropMask: null,
  };
}

/** A valid rnnBackward call for train (its tape from the backend under test). */
function backwardOf(kernels: Kernels, train: RnnTrainArgs): RnnBackwardArgs {
  const forward = kernels.rnnTrainForward(train);
  const { batch: B, units: H } = train;
  return {
    ...train, tape: forward.tape,
    dOutput: new Float32Array(forward.output.length).fill(1),
    dH: new Float32Array(B * H).fill(1),
    dC: train.cell === 'lstm' ? new Float32Array(B * H).fill(1) : null,
  };
}

/** A valid denseBackward call: rows 4, inputDim 3, units 2. */
function denseBackward(): DenseBackwardArgs {
  return {
    rows: 4, inputDim: 3, units: 2,
    x: new Float32Array(12).fill(0.5), kernel: new Float32Array(6).fill(0.1), bias: new Float32Array(2),
    activation: 'relu', dy: new Float32Array(8).fill(1),
  };
}

interface Row {
  what: string;
  fn: Fn;
  base?: 'lstm' | 'gru';
  /** The fields to replace (DELETED removes one). */
  set: Record<string, unknown>;
  error: KernelErrorName;
  /** Fragments every backend's message contains (after `${fn}: `, which is always checked). */
  says: string[];
}

const ROWS: Row[] = [
  // wrong types
  { what: 'x a string', fn: 'rnnTrainForward', set: { x: 'abc' }, error: 'TypeError', says: ['x must be', 'Float32Array'] },
  { what: 'x a Float64Array', fn: 'rnnTrainForward', set: { x: new Float64Array(12) }, error: 'TypeError', says: ['x must be', 'Float32Array', 'got Float64Array'] },
  { what: 'kernel null', fn: 'rnnTrainForward', set: { kernel: null }, error: 'TypeError', says: ['kernel must be a Float32Array', 'got null'] },
  { what: 'recurrentKernel null', fn: 'rnnBackward', set: { recurrentKernel: null }, error: 'TypeError', says: ['recurrentKernel must be a Float32Array', 'got null'] },
  { what: 'dropMask an Array', fn: 'rnnTrainForward', set: { dropMask: [1, 1] }, error: 'TypeError', says: ['dropMask must be', 'Float32Array', 'got Array'] },
  { what: 'dropMask missing', fn: 'rnnTrainForward', set: { dropMask: DELETED }, error: 'TypeError', says: ['dropMask must be', 'Float32Array', 'got undefined'] },
  { what: 'recurrentDropMask a Uint8Array', fn: 'rnnBackward', set: { recurrentDropMask: new Uint8Array(24) }, error: 'TypeError', says: ['recurrentDropMask must be', 'Float32Array', 'got Uint8Array'] },
  { what: 'activation a number', fn: 'rnnTrainForward', set: { activation: 3 }, error: 'TypeError', says: ['activation must be one of'] },
  { what: 'goBackwards a number', fn: 'rnnBackward', set: { goBackwards: 1 }, error: 'TypeError', says: ['goBackwards must be a boolean'] },
  { what: 'tape null', fn: 'rnnBackward', set: { tape: null }, error: 'TypeError', says: ['tape must be', 'Float32Array', 'got null'] },
  { what: 'tape missing', fn: 'rnnBackward', set: { tape: DELETED }, error: 'TypeError', says: ['tape must be', 'Float32Array', 'got undefined'] },
  { what: 'dOutput an Array', fn: 'rnnBackward', set: { dOutput: [0] }, error: 'TypeError', says: ['dOutput must be', 'Float32Array', 'got Array'] },
  { what: 'dH a Float64Array', fn: 'rnnBackward', set: { dH: new Float64Array(6) }, error: 'TypeError', says: ['dH must be', 'Float32Array', 'got Float64Array'] },
  { what: 'dC missing', fn: 'rnnBackward', set: { dC: DELETED }, error: 'TypeError', says: ['dC must be', 'Float32Array', 'got undefined'] },
  { what: 'dy missing', fn: 'denseBackward', set: { dy: DELETED }, error: 'TypeError', says: ['dy must be', 'Float32Array', 'got undefined'] },
  { what: 'dy a Float64Array', fn: 'denseBackward', set: { dy: new Float64Array(8) }, error: 'TypeError', says: ['dy must be', 'Float32Array', 'got Float64Array'] },
  { what: 'x null', fn: 'denseBackward', set: { x: null }, error: 'TypeError', says: ['x must be', 'Float32Array', 'got null'] },
  { what: 'activation null', fn: 'denseBackward', set: { activation: null }, error: 'TypeError', says: ['activation must be one of', 'got null'] },

  // wrong lengths
  { what: 'x one short', fn: 'rnnTrainForward', set: { x: new Float32Array(11) }, error: 'RangeError', says: ['x must have batch*timesteps*inputDim = 12 elements (Float32Array), got 11'] },
  { what: 'dropMask of one gate', fn: 'rnnTrainForward', set: { dropMask: new Float32Array(4) }, error: 'RangeError', says: ['dropMask must have 4*batch*inputDim = 16 elements (Float32Array), got 4'] },
  { what: 'recurrentDropMask too long', fn: 'rnnTrainForward', set: { recurrentDropMask: new Float32Array(25) }, error: 'RangeError', says: ['recurrentDropMask must have 4*batch*units = 24 elements (Float32Array), got 25'] },
  { what: 'gru dropMask sized for lstm', fn: 'rnnTrainForward', base: 'gru', set: { dropMask: new Float32Array(16) }, error: 'RangeError', says: ['dropMask must have 3*batch*inputDim = 12 elements (Float32Array), got 16'] },
  { what: 'gru bias of one row', fn: 'rnnBackward', base: 'gru', set: { bias: new Float32Array(9) }, error: 'RangeError', says: ['bias must have 2*3*units = 18 elements (Float32Array), got 9'] },
  { what: 'mask too short', fn: 'rnnTrainForward', set: { mask: new Uint8Array(5) }, error: 'RangeError', says: ['mask must have batch*timesteps = 6 elements (Uint8Array), got 5'] },
  // lstm: h 4*2*3 + c 4*2*3 + pre 3*2*4*3 = 120; gru resetAfter: h 24 + pre 3*2*3*3 + rec 3*2*3 = 96
  { what: 'tape one short', fn: 'rnnBackward', set: { tape: new Float32Array(119) }, error: 'RangeError', says: ['tape must have the length rnnTrainForward returned = 120 elements (Float32Array), got 119'] },
  { what: 'an lstm tape for a gru', fn: 'rnnBackward', base: 'gru', set: { tape: new Float32Array(120) }, error: 'RangeError', says: ['tape must have the length rnnTrainForward returned = 96 elements (Float32Array), got 120'] },
  { what: 'dOutput of the last step with returnSequences', fn: 'rnnBackward', set: { dOutput: new Float32Array(6) }, error: 'RangeError', says: ['dOutput must have batch*timesteps*units = 18 elements (Float32Array), got 6'] },
  { what: 'dOutput of the sequence without returnSequences', fn: 'rnnBackward', set: { returnSequences: false, dOutput: new Float32Array(18) }, error: 'RangeError', says: ['dOutput must have batch*units = 6 elements (Float32Array), got 18'] },
  { what: 'dH too short', fn: 'rnnBackward', set: { dH: new Float32Array(3) }, error: 'RangeError', says: ['dH must have batch*units = 6 elements (Float32Array), got 3'] },
  { what: 'dC too long', fn: 'rnnBackward', set: { dC: new Float32Array(7) }, error: 'RangeError', says: ['dC must have batch*units = 6 elements (Float32Array), got 7'] },
  { what: 'dy too short', fn: 'denseBackward', set: { dy: new Float32Array(7) }, error: 'RangeError', says: ['dy must have rows*units = 8 elements (Float32Array), got 7'] },
  { what: 'bias too long', fn: 'denseBackward', set: { bias: new Float32Array(3) }, error: 'RangeError', says: ['bias must have units = 2 elements (Float32Array), got 3'] },

  // wrong values
  { what: 'batch 0', fn: 'rnnTrainForward', set: { batch: 0 }, error: 'RangeError', says: ['batch must be an integer >= 1, got 0'] },
  { what: 'units 2.5', fn: 'rnnBackward', set: { units: 2.5 }, error: 'RangeError', says: ['units must be an integer >= 1, got 2.5'] },
  { what: 'rows -1', fn: 'denseBackward', set: { rows: -1 }, error: 'RangeError', says: ['rows must be an integer >= 1, got -1'] },
  { what: 'cell unknown', fn: 'rnnTrainForward', set: { cell: 'rnn' }, error: 'RangeError', says: ["cell must be one of 'simple_rnn', 'lstm', 'gru', got 'rnn'"] },
  { what: 'activation unknown', fn: 'denseBackward', set: { activation: 'gelu' }, error: 'RangeError', says: ['activation must be one of', "got 'gelu'"] },
  { what: 'dropMask NaN', fn: 'rnnTrainForward', set: { dropMask: new Float32Array(16).fill(1).fill(NaN, 3, 4) }, error: 'RangeError', says: ['dropMask must hold finite values >= 0, got NaN at index 3'] },
  { what: 'dropMask negative', fn: 'rnnBackward', set: { dropMask: new Float32Array(16).fill(1).fill(-0.5, 9, 10) }, error: 'RangeError', says: ['dropMask must hold finite values >= 0, got -0.5 at index 9'] },
  { what: 'recurrentDropMask Infinity', fn: 'rnnTrainForward', set: { recurrentDropMask: new Float32Array(24).fill(Infinity, 23) }, error: 'RangeError', says: ['recurrentDropMask must hold finite values >= 0, got Infinity at index 23'] },
  { what: 'recurrentDropMask NaN', fn: 'rnnBackward', set: { recurrentDropMask: new Float32Array(24).fill(NaN) }, error: 'RangeError', says: ['recurrentDropMask must hold finite values >= 0, got NaN at index 0'] },

  // fields that must be null (or absent)
  { what: 'packed given (an object)', fn: 'rnnTrainForward', set: { packed: {} }, error: 'TypeError', says: ['packed must be undefined or null (training passes the weights as arrays)'] },
  { what: 'packed given (to rnnBackward)', fn: 'rnnBackward', set: { packed: { cell: 'lstm' } }, error: 'TypeError', says: ['packed must be undefined or null'] },
  { what: 'dC for a gru', fn: 'rnnBackward', base: 'gru', set: { dC: new Float32Array(6) }, error: 'TypeError', says: ['dC must be null', 'got Float32Array'] },
  { what: 'dC undefined for a gru', fn: 'rnnBackward', base: 'gru', set: { dC: undefined }, error: 'TypeError', says: ['dC must be null', 'got undefined'] },
  { what: 'initialC for a gru', fn: 'rnnTrainForward', base: 'gru', set: { initialC: new Float32Array(6) }, error: 'TypeError', says: ['initialC must be null', 'got Float32Array'] },
];

/** Row's call on a backend: the valid call of its function, with the row's fields replaced. */
function callOf(kernels: () => Kernels, row: Row): () => unknown {
  return () => {
    const k = kernels();
    const train = row.base === 'gru' ? gruTrain() : lstmTrain();
    const base: object = row.fn === 'denseBackward' ? denseBackward() : row.fn === 'rnnBackward' ? backwardOf(k, train) : train;
    const args: Record<string, unknown> = { ...base };
    for (const [field, value] of Object.entries(row.set)) {
      if (value === DELETED) delete args[field];
      else args[field] = value;
    }
    return (k as unknown as Loose)[row.fn](args);
  };
}

describe.each(KERNEL_BACKENDS)('%s backend', (_backend, kernels) => {
  describe('valid calls', () => {
    test('rnnTrainForward and rnnBackward accept the valid lstm and gru calls, with and without the optional arrays', () => {
      for (const train of [lstmTrain(), gruTrain()]) {
        for (const args of [train, { ...train, bias: null, initialH: null, mask: null, dropMask: null, recurrentDropMask: null, initialC: null }]) {
          const forward = kernels().rnnTrainForward(args);
          expect(forward.output).toHaveLength(2 * 3 * 3);
          expect(forward.c === null).toBe(args.cell !== 'lstm');
          const grads = kernels().rnnBackward({ ...backwardOf(kernels(), args), dH: null, dC: null });
          expect(grads.dx).toHaveLength(12);
          expect(grads.dBias === null).toBe(args.bias === null);
          expect(grads.dInitialC === null).toBe(args.cell !== 'lstm');
        }
      }
    });

    test('packed undefined is accepted, and -0 is a valid drop mask value', () => {
      const args = { ...lstmTrain(), packed: undefined, dropMask: new Float32Array(16).fill(-0) };
      expect(() => kernels().rnnTrainForward(args)).not.toThrow();
    });

    test('denseBackward returns new arrays of the right shapes, dBias null without bias', () => {
      const got = kernels().denseBackward(denseBackward());
      expect(got.dx).toHaveLength(12);
      expect(got.dKernel).toHaveLength(6);
      expect(got.dBias).toHaveLength(2);
      expect(kernels().denseBackward({ ...denseBackward(), bias: null }).dBias).toBeNull();
    });
  });

  test.each(ROWS)('$fn with $what throws a $error naming the field', (row) => {
    expectKernelError(callOf(kernels, row), row.error, ...row.says.map((s, i) => (i === 0 ? `${row.fn}: ${s}` : s)));
  });

  test.each(['rnnTrainForward', 'rnnBackward', 'denseBackward'] as const)('%s with no argument, null or a number throws a TypeError', (fn) => {
    const k = kernels() as unknown as Loose;
    for (const args of [[], [null], [3]]) expectKernelError(() => k[fn](...args), 'TypeError', `${fn}: `);
  });
});

describe('native backend only', () => {
  test('an array detached by the getter of a later field is caught before any work', () => {
    const args = backwardOf(native(), lstmTrain());
    const tricky = {
      ...args,
      get dOutput() {
        structuredClone(args.tape.buffer, { transfer: [args.tape.buffer as ArrayBuffer] }); // detaches the tape
        return new Float32Array(18);
      },
    };
    expectKernelError(() => native().rnnBackward(tricky), 'TypeError', 'rnnBackward: tape changed (detached or resized)');
  });

  test('the products BLAS takes as an int are checked before the arrays', () => {
    expectKernelError(() => native().rnnTrainForward({ ...lstmTrain(), batch: 65536, timesteps: 65536 }), 'RangeError', 'rnnTrainForward: batch*timesteps = 4294967296 must be at most 2147483647');
  });
});
