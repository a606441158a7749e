// Adam (optionally AMSGrad), as keras/src/optimizers/adam.py.
import { Optimizer, OptimizerOptions, StepGradient, readBooleanOption, readNumberOption } from './optimizer';

export interface AdamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  amsgrad?: boolean;
}

interface AdamSlots {
  m: Float32Array;
  v: Float32Array;
  /** AMSGrad's running maximum of v; null without amsgrad. */
  vHat: Float32Array | null;
}

/**
 * Adam (keras.optimizers.Adam): learning rate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7.
 * m += (g - m)(1 - beta1); v += (g² - v)(1 - beta2); alpha = lr sqrt(1 - beta2^t) / (1 - beta1^t);
 * w -= alpha m / (sqrt(v) + epsilon), with v replaced by max(vHat, v) under amsgrad.
 */
export class Adam extends Optimizer<AdamSlots> {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;

  constructor(options?: AdamOptions) {
    super('Adam', options, ['beta1', 'beta2', 'epsilon', 'amsgrad'], 0.001);
    this.beta1 = readNumberOption('Adam', 'beta1', options?.beta1, 0.9, { min: 0, max: 1, maxOpen: true });
    this.beta2 = readNumberOption('Adam', 'beta2', options?.beta2, 0.999, { min: 0, max: 1, maxOpen: true });
    this.epsilon = readNumberOption('Adam', 'epsilon', options?.epsilon, 1e-7, { min: 0, max: Infinity, maxOpen: true });
    this.amsgrad = readBooleanOption('Adam', 'amsgrad', options?.amsgrad, false);
  }

  protected createSlots(length: number): AdamSlots {
    return { m: new Float32Array(length), v: new Float32Array(length), vHat: this.amsgrad ? new Float32Array(length) : null };
  }

  protected updateStep(value: Float32Array, grad: StepGradient, slots: AdamSlots, lr: number, t: number): void {
    const { beta1, beta2, epsilon } = this;
    const { m, v, vHat } = slots;
    const alpha = (lr * Math.sqrt(1 - Math.pow(beta2, t))) / (1 - Math.pow(beta1, t));
    for (let i = 0; i < value.length; i++) {
      const g = grad.at(i);
      const mi = m[i] + (g - m[i]) * (1 - beta1);
      let vi = v[i] + (g * g - v[i]) * (1 - beta2);
      m[i] = mi;
      v[i] = vi;
      if (vHat !== null) {
        vi = Math.max(vHat[i], vi);
        vHat[i] = vi;
      }
      value[i] -= (mi * alpha) / (Math.sqrt(vi) + epsilon);
    }
  }

  protected ownConfig(): Record<string, unknown> {
    return { beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }
}
