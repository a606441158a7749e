// Keras activation names, resolved to the kernels' ActivationName. softmax is applied here
// (over the last axis) because it is not elementwise.
import type { ActivationName } from '../backend/kernels';
import { ValueError, describeValue } from '../errors';

export type ActivationSpec = string | null | undefined;

const elementwise: Record<string, ActivationName> = {
  linear: 'linear',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  hard_sigmoid: 'hard_sigmoid',
  hard_sigmoid_keras2: 'hard_sigmoid_keras2',
  relu: 'relu',
  relu6: 'relu6',
  elu: 'elu',
  selu: 'selu',
  softplus: 'softplus',
  softsign: 'softsign',
  exponential: 'exponential',
  silu: 'silu',
  swish: 'silu',
};

export const ACTIVATION_NAMES = [...Object.keys(elementwise), 'softmax'];

/** A resolved activation: an elementwise kernel activation, or softmax over the last axis. */
export type ResolvedActivation = { kind: 'elementwise'; name: ActivationName } | { kind: 'softmax' };

export function resolveActivation(spec: ActivationSpec, owner: string, option = 'activation'): ResolvedActivation {
  if (spec === null || spec === undefined) return { kind: 'elementwise', name: 'linear' };
  if (typeof spec !== 'string') {
    throw new ValueError(`${owner}: ${option} must be an activation name such as 'tanh', got ${describeValue(spec)}`);
  }
  if (spec === 'softmax') return { kind: 'softmax' };
  const name = elementwise[spec];
  if (!name) {
    throw new ValueError(`${owner}: unknown ${option} '${spec}'; expected one of ${ACTIVATION_NAMES.join(', ')}`);
  }
  return { kind: 'elementwise', name };
}

/** For recurrent cells, which apply the activation inside the kernel: softmax is not elementwise. */
export function resolveCellActivation(spec: ActivationSpec, owner: string, option: string): ActivationName {
  const resolved = resolveActivation(spec, owner, option);
  if (resolved.kind === 'softmax') {
    throw new ValueError(`${owner}: ${option} 'softmax' is not supported inside a recurrent cell; use an elementwise activation such as 'tanh'`);
  }
  return resolved.name;
}

/** Softmax over the last axis of a row-major array, in place (max-subtracted for stability). */
export function softmaxLastAxis(data: Float32Array, lastDim: number): void {
  for (let off = 0; off < data.length; off += lastDim) {
    let max = -Infinity;
    for (let i = 0; i < lastDim; i++) max = Math.max(max, data[off + i]);
    let sum = 0;
    for (let i = 0; i < lastDim; i++) {
      const e = Math.exp(data[off + i] - max);
      data[off + i] = e;
      sum += e;
    }
    for (let i = 0; i < lastDim; i++) data[off + i] /= sum;
  }
}

/** d loss / d logits of a softmax over rows of `width`: y * (dy - sum(dy * y)). */
export function softmaxBackward(y: Float32Array, dy: Float32Array, width: number): Float32Array {
  const dz = new Float32Array(y.length);
  for (let row = 0; row < y.length; row += width) {
    let dot = 0;
    for (let j = 0; j < width; j++) dot += dy[row + j] * y[row + j];
    for (let j = 0; j < width; j++) dz[row + j] = y[row + j] * (dy[row + j] - dot);
  }
  return dz;
}
