// Dense: y = act(x (rows, D) @ kernel (D, units) + bias). Arguments are assumed valid (validate.ts).
import { applyActivation } from './activations';
import { sgemm } from './gemm';
import type { DenseForwardArgs } from '../kernels';

export function runDenseForward(args: DenseForwardArgs): Float32Array {
  const { rows, inputDim, units, bias } = args;
  const y = new Float32Array(rows * units);
  sgemm(rows, units, inputDim, 1, args.x, 0, inputDim, args.kernel, 0, units, 0, y, 0, units);
  if (bias !== null) {
    for (let row = 0; row < rows; row++) {
      const base = row * units;
      for (let j = 0; j < units; j++) y[base + j] += bias[j];
    }
  }
  applyActivation(args.activation, y, 0, y.length);
  return y;
}
