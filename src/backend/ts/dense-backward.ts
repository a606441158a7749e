// Dense backward: with z = x @ kernel + bias and y = act(z), given dy:
//   dz = dy * act'(z);  dKernel = x^T @ dz;  dBias = sum over rows of dz;  dx = dz @ kernel^T.
// z is recomputed (one GEMM) rather than kept by the forward pass, so the kernel needs only
// denseForward's arguments. Arguments are assumed valid (validate.ts).
import { activationDerivative } from './activation-derivatives';
import { applyActivation } from './activations';
import { sgemm } from './gemm';
import { transpose } from './transpose';
import type { DenseBackwardArgs, DenseBackwardResult } from '../kernels';

export function runDenseBackward(args: DenseBackwardArgs): DenseBackwardResult {
  const { rows, inputDim: D, units: U, bias, activation } = args;
  const z = new Float32Array(rows * U);
  sgemm(rows, U, D, 1, args.x, 0, D, args.kernel, 0, U, 0, z, 0, U);
  if (bias !== null) for (let r = 0; r < rows; r++) for (let j = 0; j < U; j++) z[r * U + j] += bias[j];
  const dz = new Float32Array(rows * U);
  if (activation === 'linear') {
    dz.set(args.dy);
  } else {
    const y = z.slice();
    applyActivation(activation, y, 0, y.length);
    for (let i = 0; i < dz.length; i++) dz[i] = args.dy[i] * activationDerivative(activation, z[i], y[i]);
  }
  const dKernel = new Float32Array(D * U);
  sgemm(D, U, rows, 1, transpose(args.x, 0, rows, D, D), 0, rows, dz, 0, U, 0, dKernel, 0, U);
  const dx = new Float32Array(rows * D);
  sgemm(rows, D, U, 1, dz, 0, U, transpose(args.kernel, 0, D, U, U), 0, D, 0, dx, 0, D);
  let dBias: Float32Array | null = null;
  if (bias !== null) {
    dBias = new Float32Array(U);
    for (let r = 0; r < rows; r++) for (let j = 0; j < U; j++) dBias[j] += dz[r * U + j];
  }
  return { dx, dKernel, dBias };
}
