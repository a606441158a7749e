// The derivative of each Keras activation, for the backward pass: d act(x) / dx from the
// pre-activation x and the activation's value y = act(x) (most derivatives are cheapest from y).
// At kinks (relu at 0, the clips' ends) the derivative is TensorFlow's: 0.
import { SELU_ALPHA, SELU_SCALE, sigmoid } from './activations';
import type { ActivationName } from '../kernels';

const { abs } = Math;

export function activationDerivative(name: ActivationName, x: number, y: number): number {
  switch (name) {
    case 'linear':
      return 1;
    case 'tanh':
      return 1 - y * y;
    case 'sigmoid':
      return y * (1 - y);
    case 'hard_sigmoid': // relu6(x + 3) / 6
      return x > -3 && x < 3 ? 1 / 6 : 0;
    case 'hard_sigmoid_keras2':
      return x > -2.5 && x < 2.5 ? 0.2 : 0;
    case 'relu':
      return x > 0 ? 1 : 0;
    case 'relu6':
      return x > 0 && x < 6 ? 1 : 0;
    case 'elu':
      return x > 0 ? 1 : y + 1;
    case 'selu':
      return x > 0 ? SELU_SCALE : y + SELU_SCALE * SELU_ALPHA;
    case 'softplus':
      return sigmoid(x);
    case 'softsign': {
      const d = 1 + abs(x);
      return 1 / (d * d);
    }
    case 'exponential':
      return y;
    case 'silu': {
      const s = sigmoid(x);
      return s + x * s * (1 - s);
    }
    default: {
      const unknown: never = name;
      throw new RangeError(`unknown activation ${String(unknown)}`);
    }
  }
}
