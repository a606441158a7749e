// Adagrad, as keras/src/optimizers/adagrad.py.
import { Optimizer, OptimizerOptions, StepGradient, readNumberOption } from './optimizer';

export interface AdagradOptions extends OptimizerOptions {
  /** Starting value of the accumulators, >= 0. */
  initialAccumulatorValue?: number;
  epsilon?: number;
}

/**
 * Adagrad (keras.optimizers.Adagrad): learning rate 0.001, initial accumulator 0.1, epsilon 1e-7.
 * acc += g²; w -= lr g / sqrt(acc + epsilon).
 */
export class Adagrad extends Optimizer<Float32Array> {
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;

  constructor(options?: AdagradOptions) {
    super('Adagrad', options, ['initialAccumulatorValue', 'epsilon'], 0.001);
    this.initialAccumulatorValue = readNumberOption('Adagrad', 'initialAccumulatorValue', options?.initialAccumulatorValue, 0.1, {
      min: 0,
      max: Infinity,
      maxOpen: true,
    });
    this.epsilon = readNumberOption('Adagrad', 'epsilon', options?.epsilon, 1e-7, { min: 0, max: Infinity, maxOpen: true });
  }

  protected createSlots(length: number): Float32Array {
    return new Float32Array(length).fill(this.initialAccumulatorValue);
  }

  protected updateStep(value: Float32Array, grad: StepGradient, accumulator: Float32Array, lr: number): void {
    const epsilon = this.epsilon;
    for (let i = 0; i < value.length; i++) {
      const g = grad.at(i);
      const acc = accumulator[i] + g * g;
      accumulator[i] = acc;
      value[i] -= (lr * g) / Math.sqrt(acc + epsilon);
    }
  }

  protected ownConfig(): Record<string, unknown> {
    return { initial_accumulator_value: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}
