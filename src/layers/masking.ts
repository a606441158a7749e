// Masking: steps whose features all equal maskValue are masked for the layers after.
import { ValueError, describeValue } from '../errors';
import { Tensor } from '../tensor';
import { LAYER_OPTION_NAMES, Layer, LayerOptions, LayerResult, TrainStep } from './layer';
import { checkOptionNames } from './options';
import { Shape, expectNonEmpty, expectRank } from './shapes';

export interface MaskingOptions extends LayerOptions {
  /** The padding value (default 0). */
  maskValue?: number;
}

/** keras.layers.Masking: masks a step when every feature equals maskValue, and zeroes it. */
export class Masking extends Layer {
  readonly className = 'Masking';
  readonly maskValue: number;

  constructor(options: MaskingOptions = {}) {
    checkOptionNames('Masking', options, [...LAYER_OPTION_NAMES, 'maskValue']);
    super('Masking', options);
    const v = options.maskValue ?? 0;
    if (typeof v !== 'number' || Number.isNaN(v)) throw new ValueError(`Masking: maskValue must be a number, got ${describeValue(v)}`);
    this.maskValue = v;
  }

  checkBuildShape(): void {}
  protected createWeights(): void {}

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape];
  }

  checkInput(x: Tensor): void {
    expectRank(this.name, x, 3, '(batch, timesteps, features)');
    expectNonEmpty(this.name, x, ['the batch', 'timesteps', 'features']);
  }

  protected call(x: Tensor): LayerResult {
    const [batch, steps, features] = x.shape;
    const out = new Float32Array(x.data.length);
    const mask = new Uint8Array(batch * steps);
    for (let s = 0; s < batch * steps; s++) {
      const row = x.data.subarray(s * features, (s + 1) * features);
      const keep = row.some((v) => v !== this.maskValue) ? 1 : 0;
      mask[s] = keep; // Keras's Masking replaces any incoming mask.
      if (keep) out.set(row, s * features);
    }
    return { output: new Tensor(out, x.shape), mask };
  }

  /** The output is x times the mask, so the gradient is too. */
  protected override trainCall(x: Tensor): TrainStep {
    const result = this.call(x);
    const features = x.shape[2];
    const mask = result.mask!;
    return {
      result,
      backward: ([dy]) => {
        const dx = new Float32Array(dy.length);
        for (let s = 0; s < mask.length; s++) if (mask[s]) dx.set(dy.subarray(s * features, (s + 1) * features), s * features);
        return { dx, grads: [] };
      },
    };
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, maskValue: this.maskValue };
  }
}
