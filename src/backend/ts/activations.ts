// Keras's activations, applied in place to values[start, end). The switch sits outside the loops
// so each loop is monomorphic; the `never` default makes a new ActivationName a compile error here.
//
// Math's functions are read once, at module level: under Jest the code runs in a vm context, where
// every global lookup in a hot loop (Math.tanh, ...) goes through the context's interceptor.
import type { ActivationName } from '../kernels';

const { exp, expm1, log1p, abs, max, min } = Math;

export const SELU_SCALE = 1.0507009873554805;
export const SELU_ALPHA = 1.6732632423543772;

// tanh and sigmoid, the gate activations of every cell, are the hot ones: Math.tanh and Math.exp
// are calls into C that cost several times the arithmetic below. tanh is a rational minimax
// approximation, x * P(v) / Q(v) with v = x^2 / 9.1^2, fitted for relative error (about 7e-11
// on (0, 9.1]); past |x| = 9.1, tanh(x) is within 2.5e-8 of +-1, which is +-1 in float32.
// Relative error at most 2.5e-8 everywhere, exact 0 and -0, NaN -> NaN.
const TANH_CLAMP = 9.1;
const TANH_V = 1 / (TANH_CLAMP * TANH_CLAMP);
const P0 = 0.99999999993266058469;
const P1 = 11.672451092832318733;
const P2 = 30.316708652997816833;
const P3 = 23.933214216685208424;
const P4 = 5.1937832268215421933;
const P5 = 0.14133829185370785254;
const Q1 = 39.275784378635525621;
const Q2 = 200.12647004247060466;
const Q3 = 283.86404301521720935;
const Q4 = 121.88924229065181339;
const Q5 = 11.387685522616382217;

export function tanh(x: number): number {
  if (x >= TANH_CLAMP) return 1;
  if (x <= -TANH_CLAMP) return -1;
  const v = x * x * TANH_V;
  return (x * (P0 + v * (P1 + v * (P2 + v * (P3 + v * (P4 + v * P5)))))) / (1 + v * (Q1 + v * (Q2 + v * (Q3 + v * (Q4 + v * Q5)))));
}

/**
 * 1 / (1 + exp(-x)) = (1 + tanh(x / 2)) / 2. Below x = -6 the sum 1 + tanh(x/2) would cancel
 * (sigmoid(-6) = 0.0025), so the tail takes exp(x) / (1 + exp(x)), which never overflows.
 * Relative error below 2e-8 everywhere.
 */
export function sigmoid(x: number): number {
  if (x >= -6) return 0.5 + 0.5 * tanh(0.5 * x);
  const e = exp(x);
  return e / (1 + e);
}

/** log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)): no overflow, no loss of small values. */
export function softplus(x: number): number {
  return max(x, 0) + log1p(exp(-abs(x)));
}

export function applyActivation(name: ActivationName, values: Float32Array, start: number, end: number): void {
  switch (name) {
    case 'linear':
      return;
    case 'tanh':
      for (let i = start; i < end; i++) values[i] = tanh(values[i]);
      return;
    case 'sigmoid':
      for (let i = start; i < end; i++) values[i] = sigmoid(values[i]);
      return;
    case 'hard_sigmoid':
      for (let i = start; i < end; i++) values[i] = min(max(values[i] / 6 + 0.5, 0), 1);
      return;
    case 'hard_sigmoid_keras2':
      for (let i = start; i < end; i++) values[i] = min(max(0.2 * values[i] + 0.5, 0), 1);
      return;
    case 'relu':
      for (let i = start; i < end; i++) values[i] = max(values[i], 0);
      return;
    case 'relu6':
      for (let i = start; i < end; i++) values[i] = min(max(values[i], 0), 6);
      return;
    case 'elu':
      for (let i = start; i < end; i++) {
        const x = values[i];
        values[i] = x > 0 ? x : expm1(x);
      }
      return;
    case 'selu':
      for (let i = start; i < end; i++) {
        const x = values[i];
        values[i] = SELU_SCALE * (x > 0 ? x : SELU_ALPHA * expm1(x));
      }
      return;
    case 'softplus':
      for (let i = start; i < end; i++) values[i] = softplus(values[i]);
      return;
    case 'softsign':
      for (let i = start; i < end; i++) {
        const x = values[i];
        values[i] = x / (1 + abs(x));
      }
      return;
    case 'exponential':
      for (let i = start; i < end; i++) values[i] = exp(values[i]);
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
