// Keras's activations, applied in place to values[start, end). The switch sits outside the loops
// so each loop is monomorphic; the `never` default makes a new ActivationName a compile error here.
import type { ActivationName } from '../kernels';

const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;

/** 1 / (1 + exp(-x)), written so that exp never overflows for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)): no overflow, no loss of small values. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

export function applyActivation(name: ActivationName, values: Float32Array, start: number, end: number): void {
  switch (name) {
    case 'linear':
      return;
    case 'tanh':
      for (let i = start; i < end; i++) values[i] = Math.tanh(values[i]);
      return;
    case 'sigmoid':
      for (let i = start; i < end; i++) values[i] = sigmoid(values[i]);
      return;
    case 'hard_sigmoid':
      for (let i = start; i < end; i++) values[i] = Math.min(Math.max(values[i] / 6 + 0.5, 0), 1);
      return;
    case 'hard_sigmoid_keras2':
      for (let i = start; i < end; i++) values[i] = Math.min(Math.max(0.2 * values[i] + 0.5, 0), 1);
      return;
    case 'relu':
      for (let i = start; i < end; i++) values[i] = Math.max(values[i], 0);
      return;
    case 'relu6':
      for (let i = start; i < end; i++) values[i] = Math.min(Math.max(values[i], 0), 6);
      return;
    case 'elu':
      for (let i = start; i < end; i++) {
        const x = values[i];
        values[i] = x > 0 ? x : Math.expm1(x);
      }
      return;
    case 'selu':
      for (let i = start; i < end; i++) {
        const x = values[i];
        values[i] = SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x));
      }
      return;
    case 'softplus':
      for (let i = start; i < end; i++) values[i] = softplus(values[i]);
      return;
    case 'softsign':
      for (let i = start; i < end; i++) {
        const x = values[i];
        values[i] = x / (1 + Math.abs(x));
      }
      return;
    case 'exponential':
      for (let i = start; i < end; i++) values[i] = Math.exp(values[i]);
      return;
    case 'silu':
      for (let i = start; i < end; i++) {
        const x = values[i];
        values[i] = x * sigmoid(x);
      }
      return;
    default: {
      const unknown: never = name;
      throw new RangeError(`unknown activation ${String(unknown)}`);
    }
  }
}
