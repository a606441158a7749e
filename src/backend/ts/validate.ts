// Argument checks for the kernel entry points, as docs/KERNELS.md "Errors" specifies: every field
// is checked before any work; a wrong type throws TypeError, a wrong size or value RangeError, and
// each message names the field, what was expected and what came.
//
// Each field is read exactly once into a fresh object, so a getter cannot pass the check with one
// value and hand the kernel another.
import { types } from 'util';
import { packedWeightsOf } from './packed-weights';
import type {
  ActivationName,
  CellName,
  DenseBackwardArgs,
  DenseForwardArgs,
  MatmulArgs,
  PackRnnWeightsArgs,
  PackedRnnWeights,
  RnnBackwardArgs,
  RnnForwardArgs,
  RnnTrainArgs,
} from '../kernels';
import { tapeLength } from './rnn-tape';

// Records keyed by the union types, so a name added to binding.d.ts is a compile error until listed.
const KNOWN_ACTIVATIONS: Record<ActivationName, true> = {
  linear: true,
  tanh: true,
  sigmoid: true,
  hard_sigmoid: true,
  hard_sigmoid_keras2: true,
  relu: true,
  relu6: true,
  elu: true,
  selu: true,
  softplus: true,
  softsign: true,
  exponential: true,
  silu: true,
};
const KNOWN_CELLS: Record<CellName, true> = { simple_rnn: true, lstm: true, gru: true };
const ACTIVATION_NAMES = Object.keys(KNOWN_ACTIVATIONS) as ActivationName[];
const CELL_NAMES = Object.keys(KNOWN_CELLS) as CellName[];

export const MAX_THREADS = 256;

/** Gates per cell: the g in kernel (inputDim, g*units). */
export function gateCount(cell: CellName): number {
  return cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
}

/** A short description of a value for an error message: 36, 'tanh', null, undefined, Float64Array. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  if (typeof value === 'function') return 'function';
  return String(value);
}

type Fields = Record<string, unknown>;

function requireObject(fn: string, args: unknown): Fields {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new TypeError(`${fn}: args must be an object, got ${describe(args)}`);
  }
  return args as Fields;
}

function positiveInteger(fn: string, args: Fields, field: string): number {
  const value = args[field];
  const expected = `${fn}: ${field} must be an integer >= 1, got ${describe(value)}`;
  if (typeof value !== 'number') throw new TypeError(expected);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(expected);
  return value;
}

function boolean(fn: string, args: Fields, field: string): boolean {
  const value = args[field];
  if (typeof value !== 'boolean') throw new TypeError(`${fn}: ${field} must be a boolean, got ${describe(value)}`);
  return value;
}

function oneOf<T extends string>(fn: string, args: Fields, field: string, names: readonly T[]): T {
  const value = args[field];
  const expected = `${fn}: ${field} must be one of ${names.map((n) => `'${n}'`).join(', ')}, got ${describe(value)}`;
  if (typeof value !== 'string') throw new TypeError(expected);
  if (!(names as readonly string[]).includes(value)) throw new RangeError(expected);
  return value as T;
}

type ArrayKind = 'Float32Array' | 'Uint8Array';

/** Checks that value is a typed array of `kind` with `formula` = `length` elements. */
function checkTypedArray(
  fn: string,
  field: string,
  value: unknown,
  kind: ArrayKind,
  nullable: boolean,
  formula: string,
  length: number,
): void {
  // util.types checks the internal type, so arrays from another realm (vm, jest) pass too.
  const isKind = kind === 'Float32Array' ? types.isFloat32Array(value) : types.isUint8Array(value);
  if (!isKind) {
    throw new TypeError(`${fn}: ${field} must be a ${kind}${nullable ? ' or null' : ''}, got ${describe(value)}`);
  }
  const actual = (value as Float32Array | Uint8Array).length;
  if (actual !== length) {
    throw new RangeError(`${fn}: ${field} must have ${formula} = ${length} elements (${kind}), got ${actual}`);
  }
}

function float32(fn: string, args: Fields, field: string, formula: string, length: number): Float32Array {
  const value = args[field];
  checkTypedArray(fn, field, value, 'Float32Array', false, formula, length);
  return value as Float32Array;
}

function float32OrNull(fn: string, args: Fields, field: string, formula: string, length: number): Float32Array | null {
  const value = args[field];
  if (value === null) return null;
  checkTypedArray(fn, field, value, 'Float32Array', true, formula, length);
  return value as Float32Array;
}

function uint8OrNull(fn: string, args: Fields, field: string, formula: string, length: number): Uint8Array | null {
  const value = args[field];
  if (value === null) return null;
  checkTypedArray(fn, field, value, 'Uint8Array', true, formula, length);
  return value as Uint8Array;
}

/** "inputDim*4*units", or "inputDim*units" when g is 1. */
function times(left: string, g: number, right: string): string {
  return g === 1 ? `${left}*${right}` : `${left}*${g}*${right}`;
}

type WeightArrays = Pick<PackRnnWeightsArgs, 'kernel' | 'recurrentKernel' | 'bias'>;

/** kernel, recurrentKernel and bias, sized for the cell, the dimensions and (GRU) resetAfter. */
function weightArrays(fn: string, args: Fields, cell: CellName, inputDim: number, units: number, resetAfter: boolean): WeightArrays {
  const g = gateCount(cell);
  const kernel = float32(fn, args, 'kernel', times('inputDim', g, 'units'), inputDim * g * units);
  const recurrentKernel = float32(fn, args, 'recurrentKernel', times('units', g, 'units'), units * g * units);
  const bias =
    cell === 'gru' && resetAfter
      ? float32OrNull(fn, args, 'bias', '2*3*units', 2 * 3 * units)
      : float32OrNull(fn, args, 'bias', g === 1 ? 'units' : `${g}*units`, g * units);
  return { kernel, recurrentKernel, bias };
}

/** The optional packed field: null for undefined or null, else a handle of this backend's packRnnWeights. */
function packedOrNull(fn: string, args: Fields): PackedRnnWeights | null {
  const value = args.packed;
  if (value === undefined || value === null) return null;
  if (packedWeightsOf(value) === undefined) {
    throw new TypeError(
      `${fn}: packed must be null or a PackedRnnWeights made by this backend's packRnnWeights, got ${describe(value)}`,
    );
  }
  return value as PackedRnnWeights;
}

/** A handle must have been made for the call's cell, inputDim, units and (GRU) resetAfter. */
function checkPackedMatches(fn: string, packed: PackedRnnWeights, call: Pick<RnnForwardArgs, 'cell' | 'inputDim' | 'units' | 'resetAfter'>): void {
  const mismatch = (field: string, made: unknown, has: unknown): never => {
    throw new RangeError(`${fn}: packed was made for ${field} ${describe(made)}, the call has ${field} ${describe(has)}`);
  };
  if (packed.cell !== call.cell) mismatch('cell', packed.cell, call.cell);
  if (packed.inputDim !== call.inputDim) mismatch('inputDim', packed.inputDim, call.inputDim);
  if (packed.units !== call.units) mismatch('units', packed.units, call.units);
  if (call.cell === 'gru' && packed.resetAfter !== call.resetAfter) mismatch('resetAfter', packed.resetAfter, call.resetAfter);
}

/** With a handle the weights come from it: kernel, recurrentKernel and bias must each be null. */
function nullWithPacked(fn: string, args: Fields): { kernel: null; recurrentKernel: null; bias: null } {
  for (const field of ['kernel', 'recurrentKernel', 'bias']) {
    const value = args[field];
    if (value !== null) {
      throw new TypeError(
        `${fn}: ${field} must be null when packed is given (the weights come from the handle), got ${describe(value)}`,
      );
    }
  }
  return { kernel: null, recurrentKernel: null, bias: null };
}

/**
 * fn is the entry point named in messages (rnnForward or rnnForwardAsync). In the result, packed is
 * null (not undefined) when no handle came; kernel, recurrentKernel and bias are null when one did.
 */
export function validateRnnArgs(input: unknown, fn = 'rnnForward'): RnnForwardArgs {
  const args = requireObject(fn, input);
  // Scalars first: the array lengths depend on cell, the dims and resetAfter.
  const cell = oneOf(fn, args, 'cell', CELL_NAMES);
  const batch = positiveInteger(fn, args, 'batch');
  const timesteps = positiveInteger(fn, args, 'timesteps');
  const inputDim = positiveInteger(fn, args, 'inputDim');
  const units = positiveInteger(fn, args, 'units');
  const activation = oneOf(fn, args, 'activation', ACTIVATION_NAMES);
  const recurrentActivation = oneOf(fn, args, 'recurrentActivation', ACTIVATION_NAMES);
  const resetAfter = boolean(fn, args, 'resetAfter');
  const goBackwards = boolean(fn, args, 'goBackwards');
  const returnSequences = boolean(fn, args, 'returnSequences');
  const zeroOutputForMask = boolean(fn, args, 'zeroOutputForMask');
  const packed = packedOrNull(fn, args);
  if (packed !== null) checkPackedMatches(fn, packed, { cell, inputDim, units, resetAfter });

  const x = float32(fn, args, 'x', 'batch*timesteps*inputDim', batch * timesteps * inputDim);
  const { kernel, recurrentKernel, bias } =
    packed !== null ? nullWithPacked(fn, args) : weightArrays(fn, args, cell, inputDim, units, resetAfter);
  const initialH = float32OrNull(fn, args, 'initialH', 'batch*units', batch * units);
  let initialC: Float32Array | null = null;
  if (cell === 'lstm') {
    initialC = float32OrNull(fn, args, 'initialC', 'batch*units', batch * units);
  } else {
    const value = args.initialC;
    if (value !== null) {
      throw new TypeError(
        `${fn}: initialC must be null for cell '${cell}' (only lstm has a cell state), got ${describe(value)}`,
      );
    }
  }
  const mask = uint8OrNull(fn, args, 'mask', 'batch*timesteps', batch * timesteps);

  return {
    cell,
    batch,
    timesteps,
    inputDim,
    units,
    x,
    kernel,
    recurrentKernel,
    bias,
    activation,
    recurrentActivation,
    resetAfter,
    goBackwards,
    returnSequences,
    zeroOutputForMask,
    initialH,
    initialC,
    mask,
    packed,
  };
}

/**
 * rnnTrainForward's fields: rnnForward's (the weights as arrays, never packed) and the dropout
 * masks, g per batch row, finite and >= 0.
 */
export function validateRnnTrainArgs(input: unknown, fn = 'rnnTrainForward'): RnnTrainArgs {
  const args = requireObject(fn, input);
  if (args.packed !== undefined && args.packed !== null) {
    throw new TypeError(`${fn}: packed must be undefined or null (training passes the weights as arrays), got ${describe(args.packed)}`);
  }
  for (const field of ['kernel', 'recurrentKernel']) {
    if (args[field] === null) throw new TypeError(`${fn}: ${field} must be a Float32Array, got null`);
  }
  const base = validateRnnArgs(args, fn);
  const g = gateCount(base.cell);
  const { batch, inputDim, units } = base;
  const dropMask = float32OrNull(fn, args, 'dropMask', g === 1 ? 'batch*inputDim' : `${g}*batch*inputDim`, g * batch * inputDim);
  const recurrentDropMask = float32OrNull(fn, args, 'recurrentDropMask', g === 1 ? 'batch*units' : `${g}*batch*units`, g * batch * units);
  for (const [field, mask] of [['dropMask', dropMask], ['recurrentDropMask', recurrentDropMask]] as const) {
    if (mask === null) continue;
    for (let i = 0; i < mask.length; i++) {
      if (!(mask[i] >= 0) || mask[i] === Infinity) {
        throw new RangeError(`${fn}: ${field} must hold finite values >= 0, got ${mask[i]} at index ${i}`);
      }
    }
  }
  const { packed: _packed, ...rest } = base;
  void _packed;
  return {
    ...rest,
    kernel: base.kernel as Float32Array,
    recurrentKernel: base.recurrentKernel as Float32Array,
    dropMask,
    recurrentDropMask,
  };
}

/** rnnBackward's fields: rnnTrainForward's, the tape and the results' gradients. */
export function validateRnnBackwardArgs(input: unknown, fn = 'rnnBackward'): RnnBackwardArgs {
  const args = requireObject(fn, input);
  const base = validateRnnTrainArgs(args, fn);
  const { cell, batch, timesteps, units, resetAfter } = base;
  const g = gateCount(cell);
  const tape = float32(fn, args, 'tape', 'the length rnnTrainForward returned', tapeLength({ cell, resetAfter, batch, timesteps, units, gates: g }));
  const dOutput = base.returnSequences
    ? float32(fn, args, 'dOutput', 'batch*timesteps*units', batch * timesteps * units)
    : float32(fn, args, 'dOutput', 'batch*units', batch * units);
  const dH = float32OrNull(fn, args, 'dH', 'batch*units', batch * units);
  let dC: Float32Array | null = null;
  if (cell === 'lstm') dC = float32OrNull(fn, args, 'dC', 'batch*units', batch * units);
  else if (args.dC !== null) throw new TypeError(`${fn}: dC must be null for cell '${cell}' (only lstm has a cell state), got ${describe(args.dC)}`);
  return { ...base, tape, dOutput, dH, dC };
}

/** The fields of packRnnWeights, checked as rnnForward's fields of the same names. */
export function validatePackArgs(input: unknown, fn = 'packRnnWeights'): PackRnnWeightsArgs {
  const args = requireObject(fn, input);
  const cell = oneOf(fn, args, 'cell', CELL_NAMES);
  const inputDim = positiveInteger(fn, args, 'inputDim');
  const units = positiveInteger(fn, args, 'units');
  const resetAfter = boolean(fn, args, 'resetAfter');
  const { kernel, recurrentKernel, bias } = weightArrays(fn, args, cell, inputDim, units, resetAfter);
  return { cell, inputDim, units, resetAfter, kernel, recurrentKernel, bias };
}

/** fn is the entry point named in messages (denseForward or denseForwardAsync). */
export function validateDenseArgs(input: unknown, fn = 'denseForward'): DenseForwardArgs {
  const args = requireObject(fn, input);
  const rows = positiveInteger(fn, args, 'rows');
  const inputDim = positiveInteger(fn, args, 'inputDim');
  const units = positiveInteger(fn, args, 'units');
  const activation = oneOf(fn, args, 'activation', ACTIVATION_NAMES);
  const x = float32(fn, args, 'x', 'rows*inputDim', rows * inputDim);
  const kernel = float32(fn, args, 'kernel', 'inputDim*units', inputDim * units);
  const bias = float32OrNull(fn, args, 'bias', 'units', units);
  return { rows, inputDim, units, x, kernel, bias, activation };
}

/** Each element checked as rnnForward's, its index named: `rnnForwardMany: args[1]: ...`. */
export function validateDenseBackwardArgs(input: unknown, fn = 'denseBackward'): DenseBackwardArgs {
  const args = requireObject(fn, input);
  const base = validateDenseArgs(args, fn);
  return { ...base, dy: float32(fn, args, 'dy', 'rows*units', base.rows * base.units) };
}

export function validateRnnList(input: unknown, fn = 'rnnForwardMany'): RnnForwardArgs[] {
  if (!Array.isArray(input)) throw new TypeError(`${fn}: args must be an array of rnnForward arguments, got ${describe(input)}`);
  if (input.length === 0) throw new RangeError(`${fn}: args must hold at least 1 element, got 0`);
  return input.map((element, i) => validateRnnArgs(element, `${fn}: args[${i}]`));
}

export function validateMatmulArgs(input: unknown, fn = 'matmul'): MatmulArgs {
  const args = requireObject(fn, input);
  const m = positiveInteger(fn, args, 'm');
  const n = positiveInteger(fn, args, 'n');
  const k = positiveInteger(fn, args, 'k');
  const a = float32(fn, args, 'a', 'm*k', m * k);
  const b = float32(fn, args, 'b', 'k*n', k * n);
  return { m, n, k, a, b };
}

export function validateThreads(threads: unknown): number {
  const expected = `setThreads: threads must be an integer from 1 to ${MAX_THREADS}, got ${describe(threads)}`;
  if (typeof threads !== 'number') throw new TypeError(expected);
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) throw new RangeError(expected);
  return threads;
}
