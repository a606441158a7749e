// The pure TypeScript backend: the same surface as the native addon (binding.d.ts), used when no
// native binary loads. It runs on the calling thread only: the async variants validate at once
// (throwing synchronously, like the addon), then compute on a later turn of the event loop, still
// on the main thread; getThreads() is always 1 and setThreads() only validates its argument.
import { runDenseBackward } from './dense-backward';
import { runDenseForward } from './dense-forward';
import { makePackedRnnWeights } from './packed-weights';
import { runRnnBackward } from './rnn-backward';
import { runRnnForward } from './rnn-forward';
import { runRnnTrainForward } from './rnn-train-forward';
import { sgemm } from './gemm';
import {
  validateDenseArgs,
  validateDenseBackwardArgs,
  validateMatmulArgs,
  validatePackArgs,
  validateRnnArgs,
  validateRnnBackwardArgs,
  validateRnnList,
  validateRnnTrainArgs,
  validateThreads,
} from './validate';
import type {
  DenseBackwardArgs,
  DenseBackwardResult,
  DenseForwardArgs,
  Kernels,
  MatmulArgs,
  PackRnnWeightsArgs,
  PackedRnnWeights,
  RnnForwardArgs,
  RnnBackwardArgs,
  RnnBackwardResult,
  RnnForwardResult,
  RnnTrainArgs,
  RnnTrainResult,
} from '../kernels';

export const implementation = 'ts' as const;

/** A copy of the weights with the recurrent kernel packed, for calls to pass as `packed` (packed-weights.ts). */
export function packRnnWeights(args: PackRnnWeightsArgs): PackedRnnWeights {
  return makePackedRnnWeights(validatePackArgs(args, 'packRnnWeights'));
}

export function rnnForward(args: RnnForwardArgs): RnnForwardResult {
  return runRnnForward(validateRnnArgs(args, 'rnnForward'));
}

export function rnnForwardAsync(args: RnnForwardArgs): Promise<RnnForwardResult> {
  const checked = validateRnnArgs(args, 'rnnForwardAsync');
  return onLaterTick(() => runRnnForward(checked));
}

/** The TypeScript backend has one thread: the layers run one after the other. */
export function rnnForwardMany(args: RnnForwardArgs[]): RnnForwardResult[] {
  return validateRnnList(args, 'rnnForwardMany').map(runRnnForward);
}

export function rnnForwardManyAsync(args: RnnForwardArgs[]): Promise<RnnForwardResult[]> {
  const checked = validateRnnList(args, 'rnnForwardManyAsync');
  return onLaterTick(() => checked.map(runRnnForward));
}

export function rnnTrainForward(args: RnnTrainArgs): RnnTrainResult {
  return runRnnTrainForward(validateRnnTrainArgs(args, 'rnnTrainForward'));
}

export function rnnBackward(args: RnnBackwardArgs): RnnBackwardResult {
  return runRnnBackward(validateRnnBackwardArgs(args, 'rnnBackward'));
}

export function rnnTrainForwardAsync(args: RnnTrainArgs): Promise<RnnTrainResult> {
  const checked = validateRnnTrainArgs(args, 'rnnTrainForwardAsync');
  return onLaterTick(() => runRnnTrainForward(checked));
}

export function rnnBackwardAsync(args: RnnBackwardArgs): Promise<RnnBackwardResult> {
  const checked = validateRnnBackwardArgs(args, 'rnnBackwardAsync');
  return onLaterTick(() => runRnnBackward(checked));
}

export function matmul(args: MatmulArgs): Float32Array {
  const { m, n, k, a, b } = validateMatmulArgs(args, 'matmul');
  const c = new Float32Array(m * n);
  sgemm(m, n, k, 1, a, 0, k, b, 0, n, 0, c, 0, n);
  return c;
}

export function denseForward(args: DenseForwardArgs): Float32Array {
  return runDenseForward(validateDenseArgs(args, 'denseForward'));
}

export function denseForwardAsync(args: DenseForwardArgs): Promise<Float32Array> {
  const checked = validateDenseArgs(args, 'denseForwardAsync');
  return onLaterTick(() => runDenseForward(checked));
}

export function denseBackward(args: DenseBackwardArgs): DenseBackwardResult {
  return runDenseBackward(validateDenseBackwardArgs(args, 'denseBackward'));
}

export function denseBackwardAsync(args: DenseBackwardArgs): Promise<DenseBackwardResult> {
  const checked = validateDenseBackwardArgs(args, 'denseBackwardAsync');
  return onLaterTick(() => runDenseBackward(checked));
}

export function getThreads(): number {
  return 1;
}

export function setThreads(threads: number): void {
  validateThreads(threads);
}

/** Runs work after pending I/O callbacks (setImmediate), so a caller's synchronous code finishes first. */
function onLaterTick<T>(work: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    setImmediate(() => {
      try {
        resolve(work());
      } catch (err) {
        reject(err);
      }
    });
  });
}

// Compile-time proof that this module has exactly the addon's surface.
const _surface: Kernels = {
  packRnnWeights,
  rnnForward,
  rnnForwardAsync,
  rnnForwardMany,
  rnnForwardManyAsync,
  rnnTrainForward,
  rnnBackward,
  rnnTrainForwardAsync,
  rnnBackwardAsync,
  matmul,
  denseForward,
  denseForwardAsync,
  denseBackward,
  denseBackwardAsync,
  getThreads,
  setThreads,
  implementation,
};
void _surface;
