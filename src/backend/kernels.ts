// The kernel interface every backend implements. It is the native addon's surface (binding.d.ts),
// so the TypeScript fallback and the addon cannot drift apart.
import type * as Binding from '../../binding';

export type Kernels = typeof Binding;
export type {
  ActivationName,
  CellName,
  DenseBackwardArgs,
  DenseBackwardResult,
  DenseForwardArgs,
  MatmulArgs,
  PackedRnnWeights,
  PackRnnWeightsArgs,
  RnnForwardArgs,
  RnnForwardResult,
  RnnTrainArgs,
  RnnTrainResult,
  RnnBackwardArgs,
  RnnBackwardResult,
} from '../../binding';
