// SGD with optional (Nesterov) momentum, as keras/src/optimizers/sgd.py.
import { Optimizer, OptimizerOptions, StepGradient, readBooleanOption, readNumberOption } from './optimizer';

export interface SGDOptions extends OptimizerOptions {
  /** In [0, 1]; 0 is plain gradient descent. */
  momentum?: number;
  nesterov?: boolean;
}

/**
 * Gradient descent (keras.optimizers.SGD), learning rate 0.01 by default.
 * momentum 0: w -= lr * g. Otherwise v = momentum * v - lr * g, then w += v,
 * or with nesterov w += momentum * v - lr * g.
 * A sparse gradient without momentum changes only its rows.
 */
export class SGD extends Optimizer<Float32Array | null> {
  readonly momentum: number;
  readonly nesterov: boolean;

  constructor(options?: SGDOptions) {
    super('SGD', options, ['momentum', 'nesterov'], 0.01);
    this.momentum = readNumberOption('SGD', 'momentum', options?.momentum, 0, { min: 0, max: 1 });
    this.nesterov = readBooleanOption('SGD', 'nesterov', options?.nesterov, false);
  }

  protected createSlots(length: number): Float32Array | null {
    return this.momentum !== 0 ? new Float32Array(length) : null;
  }

  protected updateStep(value: Float32Array, grad: StepGradient, velocity: Float32Array | null, lr: number): void {
    if (velocity === null) {
      if (grad.rows === null) {
        for (let i = 0; i < value.length; i++) value[i] -= grad.at(i) * lr;
        return;
      }
      const w = grad.width;
      for (const r of grad.rows) {
        for (let i = r * w, end = i + w; i < end; i++) value[i] -= grad.at(i) * lr;
      }
      return;
    }
    const momentum = this.momentum;
    for (let i = 0; i < value.length; i++) {
      const g = grad.at(i);
      const v = velocity[i] * momentum - g * lr;
      velocity[i] = v;
      value[i] += this.nesterov ? v * momentum - g * lr : v;
    }
  }

  protected ownConfig(): Record<string, unknown> {
    return { momentum: this.momentum, nesterov: this.nesterov };
  }
}
