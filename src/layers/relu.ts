// ReLU with Keras's options: max(x, 0) by default; a cap, a slope below the threshold.
import { ValueError, describeValue } from '../errors';
import { Tensor } from '../tensor';
import { CallArgs, LAYER_OPTION_NAMES, LayerOptions, LayerResult, TrainStep } from './layer';
import { SameShapeLayer } from './same-shape-layer';
import { checkOptionNames } from './options';

export interface ReLUOptions extends LayerOptions {
  /** Cap on the output (default none). */
  maxValue?: number | null;
  /** Slope below the threshold (default 0). */
  negativeSlope?: number;
  /** Inputs below this are damped (default 0). */
  threshold?: number;
}

/**
 * keras.layers.ReLU: f(x) = maxValue if x >= maxValue, x if threshold <= x < maxValue,
 * negativeSlope * (x - threshold) otherwise.
 */
export class ReLU extends SameShapeLayer {
  readonly className = 'ReLU';
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(options: ReLUOptions = {}) {
    checkOptionNames('ReLU', options, [...LAYER_OPTION_NAMES, 'maxValue', 'negativeSlope', 'threshold']);
    super('ReLU', options);
    const max = options.maxValue ?? null;
    if (max !== null && !(typeof max === 'number' && max >= 0)) {
      throw new ValueError(`ReLU: maxValue must be a number >= 0 or null, got ${describeValue(max)}`);
    }
    const slope = options.negativeSlope ?? 0;
    if (!(typeof slope === 'number' && slope >= 0)) throw new ValueError(`ReLU: negativeSlope must be a number >= 0, got ${describeValue(slope)}`);
    const threshold = options.threshold ?? 0;
    if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
      throw new ValueError(`ReLU: threshold must be a finite number, got ${describeValue(threshold)}`);
    }
    this.maxValue = max;
    this.negativeSlope = slope;
    this.threshold = threshold;
  }


  private value(x: number): number {
    if (this.maxValue !== null && x >= this.maxValue) return this.maxValue;
    if (x >= this.threshold) return x;
    return this.negativeSlope === 0 ? 0 : this.negativeSlope * (x - this.threshold); // no -0
  }

  private slope(x: number): number {
    if (this.maxValue !== null && x >= this.maxValue) return 0;
    return x >= this.threshold ? 1 : this.negativeSlope;
  }

  protected call(x: Tensor, args: CallArgs): LayerResult {
    const y = new Float32Array(x.data.length);
    for (let i = 0; i < y.length; i++) y[i] = this.value(x.data[i]);
    return { output: new Tensor(y, x.shape), mask: args.mask };
  }

  protected override trainCall(x: Tensor, args: CallArgs): TrainStep {
    return {
      result: this.call(x, args),
      backward: ([dy]) => {
        const dx = new Float32Array(dy.length);
        for (let i = 0; i < dx.length; i++) dx[i] = dy[i] * this.slope(x.data[i]);
        return { dx, grads: [] };
      },
    };
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, maxValue: this.maxValue, negativeSlope: this.negativeSlope, threshold: this.threshold };
  }
}
