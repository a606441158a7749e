// RMSprop (optionally centered, with plain momentum), as keras/src/optimizers/rmsprop.py.
import { Optimizer, OptimizerOptions, StepGradient, readBooleanOption, readNumberOption } from './optimizer';

export interface RMSpropOptions extends OptimizerOptions {
  rho?: number;
  momentum?: number;
  epsilon?: number;
  centered?: boolean;
}

interface RMSpropSlots {
  velocity: Float32Array;
  /** null when momentum is 0. */
  momentum: Float32Array | null;
  /** Running mean of the gradient; null unless centered. */
  averageGradient: Float32Array | null;
}

/**
 * RMSprop (keras.optimizers.RMSprop): learning rate 0.001, rho 0.9, momentum 0, epsilon 1e-7.
 * v = rho v + (1 - rho) g²; increment = lr g / sqrt(v + epsilon), or centered
 * lr g / sqrt(v - a² + epsilon) with a = rho a + (1 - rho) g. momentum > 0: mom = momentum mom + increment,
 * w -= mom; else w -= increment. (epsilon is inside the square root, unlike Adam.)
 */
export class RMSprop extends Optimizer<RMSpropSlots> {
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;

  constructor(options?: RMSpropOptions) {
    super('RMSprop', options, ['rho', 'momentum', 'epsilon', 'centered'], 0.001);
    this.rho = readNumberOption('RMSprop', 'rho', options?.rho, 0.9, { min: 0, max: 1, maxOpen: true });
    this.momentum = readNumberOption('RMSprop', 'momentum', options?.momentum, 0, { min: 0, max: 1 });
    this.epsilon = readNumberOption('RMSprop', 'epsilon', options?.epsilon, 1e-7, { min: 0, max: Infinity, maxOpen: true });
    this.centered = readBooleanOption('RMSprop', 'centered', options?.centered, false);
  }

  protected createSlots(length: number): RMSpropSlots {
    return {
      velocity: new Float32Array(length),
      momentum: this.momentum > 0 ? new Float32Array(length) : null,
      averageGradient: this.centered ? new Float32Array(length) : null,
    };
  }

  protected updateStep(value: Float32Array, grad: StepGradient, slots: RMSpropSlots, lr: number): void {
    const { rho, epsilon } = this;
    const { velocity, momentum, averageGradient } = slots;
    for (let i = 0; i < value.length; i++) {
      const g = grad.at(i);
      const v = rho * velocity[i] + (1 - rho) * g * g;
      velocity[i] = v;
      let denominator = v + epsilon;
      if (averageGradient !== null) {
        const a = rho * averageGradient[i] + (1 - rho) * g;
        averageGradient[i] = a;
        denominator = v - a * a + epsilon;
      }
      const increment = (lr * g) / Math.sqrt(denominator);
      if (momentum !== null) {
        const mom = this.momentum * momentum[i] + increment;
        momentum[i] = mom;
        value[i] -= mom;
      } else {
        value[i] -= increment;
      }
    }
  }

  protected ownConfig(): Record<string, unknown> {
    return { rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}
