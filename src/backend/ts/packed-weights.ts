// The TypeScript backend's packRnnWeights handles (binding.d.ts, docs/KERNELS.md "Packed weights"):
// a layer's weights copied once, with the recurrent kernel already packed for the step GEMMs, so that
// a call with the handle skips the packing rnn-forward.ts otherwise does on every call.
//
// What users hold is a frozen plain object that only describes the weights. The weights themselves
// live in a module-private WeakMap keyed by that object: only handles made here have an entry (a
// look-alike object or the native backend's handle has none, and no public property can fake one),
// and the weights go with the handle when the garbage collector takes it.
//
// The handle's buffers are its own: made fresh here, never shared with rnn-forward.ts's per-call
// cache of packed buffers (which the next call may overwrite).
import { packB, type PackedB } from './gemm';
import type { CellName, PackRnnWeightsArgs, PackedRnnWeights } from '../kernels';

/** A layer's weights as the recurrent loop reads them, from a handle or from a call's arguments. */
export interface RnnWeights {
  readonly kernel: Float32Array; // inputDim * gH
  readonly recurrentKernel: Float32Array; // units * gH
  readonly bias: Float32Array | null;
  readonly recurrent: PackedB; // the columns of the step's (first) recurrent GEMM
  readonly recurrentH: PackedB | null; // GRU with resetAfter false: the candidate's columns
}

/** The packed recurrent kernel, as packRecurrentKernel makes it. */
export type PackedRecurrent = Pick<RnnWeights, 'recurrent' | 'recurrentH'>;

/**
 * packB of the columns of recurrentKernel (units, gH) that each step GEMM multiplies by: all gH of
 * them, except for GRU with resetAfter false, whose reset gate scales h_prev before it meets the
 * candidate's columns: there [0, 2H) (update and reset) and [2H, 3H) (candidate) are packed apart.
 * `into` offers buffers to reuse (packB's `into`); without it every buffer is new.
 */
export function packRecurrentKernel(
  cell: CellName,
  resetAfter: boolean,
  units: number,
  recurrentKernel: Float32Array,
  into: { recurrent?: PackedB; recurrentH?: PackedB } = {},
): PackedRecurrent {
  const H = units;
  const gH = recurrentKernel.length / H;
  if (cell === 'gru' && !resetAfter) {
    return {
      recurrent: packB(H, 2 * H, 1, recurrentKernel, 0, gH, into.recurrent),
      recurrentH: packB(H, H, 1, recurrentKernel, 2 * H, gH, into.recurrentH),
    };
  }
  return { recurrent: packB(H, gH, 1, recurrentKernel, 0, gH, into.recurrent), recurrentH: null };
}

const weightsOfHandle = new WeakMap<object, RnnWeights>();

/** A handle holding copies of args's weights (already validated), their recurrent kernel packed. */
export function makePackedRnnWeights(args: PackRnnWeightsArgs): PackedRnnWeights {
  const resetAfter = args.cell === 'gru' && args.resetAfter;
  const kernel = args.kernel.slice();
  const recurrentKernel = args.recurrentKernel.slice();
  const bias = args.bias !== null ? args.bias.slice() : null;
  const weights: RnnWeights = {
    kernel,
    recurrentKernel,
    bias,
    ...packRecurrentKernel(args.cell, resetAfter, args.units, recurrentKernel),
  };
  const bytes =
    kernel.byteLength +
    recurrentKernel.byteLength +
    (bias?.byteLength ?? 0) +
    weights.recurrent.data.byteLength +
    (weights.recurrentH?.data.byteLength ?? 0);
  const handle: PackedRnnWeights = Object.freeze({
    cell: args.cell,
    inputDim: args.inputDim,
    units: args.units,
    resetAfter,
    hasBias: bias !== null,
    bytes,
  });
  weightsOfHandle.set(handle, weights);
  return handle;
}

/** The handle's weights, or undefined for anything that is not a handle made by makePackedRnnWeights. */
export function packedWeightsOf(value: unknown): RnnWeights | undefined {
  return typeof value === 'object' && value !== null ? weightsOfHandle.get(value) : undefined;
}
