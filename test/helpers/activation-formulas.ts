// The activations as docs/KERNELS.md writes them, in float64: the expectations of the activation
// tests (test/kernels/). Written apart from test/reference/rnn-reference.ts on purpose, so the two
// transcriptions of the docs check each other through the tests that use them.
import type { ActivationName } from '../../src/backend/kernels';

const sigmoid = (v: number): number => (v < -700 ? 0 : 1 / (1 + Math.exp(-v)));

/** Finite where the activation is (exp overflows past 709: softplus(1000) = 1000, not Infinity). */
export const ACTIVATION_FORMULAS: Record<ActivationName, (v: number) => number> = {
  linear: (v) => v,
  tanh: Math.tanh,
  sigmoid,
  hard_sigmoid: (v) => Math.min(Math.max(v / 6 + 0.5, 0), 1),
  hard_sigmoid_keras2: (v) => Math.min(Math.max(0.2 * v + 0.5, 0), 1),
  relu: (v) => Math.max(v, 0),
  relu6: (v) => Math.min(Math.max(v, 0), 6),
  elu: (v) => (v > 0 ? v : Math.exp(v) - 1),
  selu: (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.exp(v) - 1)),
  softplus: (v) => (v > 30 ? v : Math.log(1 + Math.exp(v))),
  softsign: (v) => v / (1 + Math.abs(v)),
  exponential: Math.exp,
  silu: (v) => v * sigmoid(v),
};

export const ACTIVATION_NAMES = Object.keys(ACTIVATION_FORMULAS) as ActivationName[];
