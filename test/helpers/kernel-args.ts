// Argument builders and matchers shared by the kernel tests (test/kernels/, test/backend-parity.test.ts):
// every call a test makes starts from these defaults, so a test spells out only what it is about.
import { types } from 'util';
import type { CellName, DenseForwardArgs, RnnForwardArgs, RnnForwardResult } from '../../src/backend/kernels';
import { Rng } from './random';

/** Gates per cell: the g in kernel (inputDim, g*units). */
export function gateCount(cell: CellName): number {
  return cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
}

/** Elements of the bias: g*units, or 2*3*units for GRU with resetAfter (Keras's two rows). */
export function biasLength(cell: CellName, resetAfter: boolean, units: number): number {
  return (cell === 'gru' && resetAfter ? 2 : 1) * gateCount(cell) * units;
}

/**
 * A valid rnnForward call. Defaults: a simple_rnn of batch, timesteps, inputDim and units 1 with
 * Keras's options (tanh, sigmoid, resetAfter true, returnSequences false, zeroOutputForMask false, no
 * bias, initial states or mask), and zero-filled x, kernel and recurrentKernel sized from the cell and
 * the dimensions in effect. Every field in overrides replaces the default as it is, undefined included.
 */
export function rnnArgs(overrides: Partial<RnnForwardArgs> = {}): RnnForwardArgs {
  const cell = overrides.cell ?? 'simple_rnn';
  const batch = overrides.batch ?? 1;
  const timesteps = overrides.timesteps ?? 1;
  const inputDim = overrides.inputDim ?? 1;
  const units = overrides.units ?? 1;
  const g = gateCount(cell);
  return {
    cell, batch, timesteps, inputDim, units,
    x: new Float32Array(batch * timesteps * inputDim),
    kernel: new Float32Array(inputDim * g * units),
    recurrentKernel: new Float32Array(units * g * units),
    bias: null,
    activation: 'tanh',
    recurrentActivation: 'sigmoid',
    resetAfter: true,
    goBackwards: false,
    returnSequences: false,
    zeroOutputForMask: false,
    initialH: null,
    initialC: null,
    mask: null,
    ...overrides,
  };
}

/**
 * An rnnForward call with every array given, filled from an Rng seeded with `seed` (x in [-1, 1), the
 * rest in [-0.5, 0.5)), initial states, and a mask that drops every third step of the flattened
 * batch*timesteps. Defaults: timesteps 4, inputDim 3, units 5, returnSequences true; otherwise rnnArgs's.
 */
export function randomRnnArgs(seed: string, overrides: Partial<RnnForwardArgs> = {}): RnnForwardArgs {
  const base = rnnArgs({ timesteps: 4, inputDim: 3, units: 5, returnSequences: true, ...overrides });
  const { cell, batch: B, timesteps: T, inputDim: D, units: H } = base;
  const g = gateCount(cell);
  const rng = new Rng(seed);
  return {
    ...base,
    x: rng.float32Array(B * T * D, 1),
    kernel: rng.float32Array(D * g * H, 0.5),
    recurrentKernel: rng.float32Array(H * g * H, 0.5),
    bias: rng.float32Array(biasLength(cell, base.resetAfter, H), 0.5),
    initialH: rng.float32Array(B * H, 0.5),
    initialC: cell === 'lstm' ? rng.float32Array(B * H, 0.5) : null,
    mask: Uint8Array.from({ length: B * T }, (_, i) => (i % 3 === 1 ? 0 : 1)),
    ...overrides,
  };
}

/**
 * A valid denseForward call. Defaults: rows, inputDim and units 1, linear (Keras's Dense default), no
 * bias, and zero-filled x and kernel sized from the dimensions in effect.
 */
export function denseArgs(overrides: Partial<DenseForwardArgs> = {}): DenseForwardArgs {
  const rows = overrides.rows ?? 1;
  const inputDim = overrides.inputDim ?? 1;
  const units = overrides.units ?? 1;
  return {
    rows,
    inputDim,
    units,
    x: new Float32Array(rows * inputDim),
    kernel: new Float32Array(inputDim * units),
    bias: null,
    activation: 'linear',
    ...overrides,
  };
}

export type KernelErrorName = 'TypeError' | 'RangeError';

/**
 * Runs fn, expects it to throw (synchronously) a built-in error called `name` whose message contains
 * every fragment, and returns the error.
 *
 * The class is compared by name, not instanceof: the native addon creates its errors in Node's main
 * realm, while jest runs the tests in a vm realm with TypeError and RangeError of its own. An error of
 * this realm (the TypeScript backend's) must moreover be an instance of this realm's class.
 */
export function expectKernelError(fn: () => unknown, name: KernelErrorName, ...fragments: string[]): Error {
  let threw = false;
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    threw = true;
    caught = e;
  }
  if (!threw) throw new Error(`expected a ${name}, nothing was thrown`);
  expect(types.isNativeError(caught)).toBe(true);
  const err = caught as Error;
  expect(err.name).toBe(name);
  expect(err.constructor.name).toBe(name);
  if (err instanceof Error) expect(err).toBeInstanceOf(name === 'TypeError' ? TypeError : RangeError);
  for (const fragment of fragments) expect(err.message).toContain(fragment);
  return err;
}

/** Fails unless a and b are the same element for element (output, h, and c or null). */
export function expectSameResult(a: RnnForwardResult, b: RnnForwardResult): void {
  expect(Array.from(a.output)).toEqual(Array.from(b.output));
  expect(Array.from(a.h)).toEqual(Array.from(b.h));
  expect(a.c === null ? null : Array.from(a.c)).toEqual(b.c === null ? null : Array.from(b.c));
}
