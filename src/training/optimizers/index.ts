// Optimizers by name, as keras.optimizers.get: the class name, case-insensitive.
import { InputTypeError, ValueError, describeValue } from '../../errors';
import { Adagrad } from './adagrad';
import { Adam } from './adam';
import { Optimizer } from './optimizer';
import { RMSprop } from './rmsprop';
import { SGD } from './sgd';

export { Adagrad } from './adagrad';
export type { AdagradOptions } from './adagrad';
export { Adam } from './adam';
export type { AdamOptions } from './adam';
export { Optimizer } from './optimizer';
export type { Gradient, OptimizerOptions, SparseGradient, Variable } from './optimizer';
export { RMSprop } from './rmsprop';
export type { RMSpropOptions } from './rmsprop';
export { SGD } from './sgd';
export type { SGDOptions } from './sgd';

const OPTIMIZERS: Record<string, () => Optimizer> = {
  sgd: () => new SGD(),
  adam: () => new Adam(),
  rmsprop: () => new RMSprop(),
  adagrad: () => new Adagrad(),
};

/** 'sgd' | 'adam' | 'rmsprop' | 'adagrad' in any case (Keras lower-cases the name) -> a new optimizer with
 *  Keras's defaults; an Optimizer is returned as it is. */
export function getOptimizer(spec: string | Optimizer): Optimizer {
  if (spec instanceof Optimizer) return spec;
  if (typeof spec !== 'string') {
    throw new InputTypeError(`getOptimizer: expected an optimizer name or an Optimizer, got ${describeValue(spec)}`);
  }
  const make = OPTIMIZERS[spec.toLowerCase()];
  if (make === undefined) {
    throw new ValueError(`getOptimizer: unknown optimizer ${JSON.stringify(spec)}; known optimizers: ${Object.keys(OPTIMIZERS).join(', ')}`);
  }
  return make();
}
