// Dropout: identity at inference; in training, zeroes each input with probability `rate` and scales
// the rest by 1 / (1 - rate), as keras.layers.Dropout (noiseShape: one draw shared along its 1 axes).
import { ShapeError, ValueError, describeValue, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { CallArgs, LAYER_OPTION_NAMES, LayerOptions, LayerResult, RandomSource, TrainStep } from './layer';
import { SameShapeLayer } from './same-shape-layer';
import { checkOptionNames, checkRate } from './options';

export interface DropoutOptions extends LayerOptions {
  noiseShape?: (number | null)[] | null;
  seed?: number;
}

/** Randomly zeroes inputs during training (keras.layers.Dropout); passes them through otherwise. */
export class Dropout extends SameShapeLayer {
  readonly className = 'Dropout';
  readonly rate: number;
  readonly noiseShape: (number | null)[] | null;

  constructor(rate: number, options: DropoutOptions = {}) {
    checkOptionNames('Dropout', options, [...LAYER_OPTION_NAMES, 'noiseShape', 'seed']);
    super('Dropout', options);
    this.rate = checkRate('Dropout', 'rate', rate);
    const noise = options.noiseShape ?? null;
    if (noise !== null && (!Array.isArray(noise) || !noise.every((d) => d === null || (Number.isInteger(d) && d >= 1)))) {
      throw new ValueError(`Dropout: noiseShape must be an array of positive integers or null entries, got ${describeValue(noise)}`);
    }
    this.noiseShape = noise === null ? null : [...noise];
  }


  protected call(x: Tensor, args: CallArgs): LayerResult {
    return { output: x, mask: args.mask };
  }

  protected override trainCall(x: Tensor, args: CallArgs, random: RandomSource): TrainStep {
    if (this.rate === 0) return { result: { output: x, mask: args.mask }, backward: ([dy]) => ({ dx: dy, grads: [] }) };
    const scaled = dropoutScales(x.shape, this.noiseShapeFor(x), this.rate, random);
    const out = new Float32Array(x.data.length);
    for (let i = 0; i < out.length; i++) out[i] = x.data[i] * scaled[i];
    return {
      result: { output: new Tensor(out, x.shape), mask: args.mask },
      backward: ([dy]) => {
        const dx = new Float32Array(dy.length);
        for (let i = 0; i < dx.length; i++) dx[i] = dy[i] * scaled[i];
        return { dx, grads: [] };
      },
    };
  }

  /** The mask's shape: noiseShape with null entries taken from the input. */
  private noiseShapeFor(x: Tensor): number[] {
    if (this.noiseShape === null) return x.shape;
    const shape = this.noiseShape.map((d, i) => d ?? x.shape[i]);
    const fits = shape.length === x.rank && shape.every((d, i) => d === x.shape[i] || d === 1);
    if (!fits) {
      throw new ShapeError(`${this.name}: noiseShape ${formatShape(this.noiseShape)} does not broadcast to the input shape ${formatShape(x.shape)}`);
    }
    return shape;
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, rate: this.rate, noiseShape: this.noiseShape };
  }
}

/**
 * Per input element: 0 (dropped, probability rate) or 1 / (1 - rate), drawn over `noise` (a shape
 * whose axes are the input's or 1) and repeated along its 1 axes.
 */
function dropoutScales(shape: number[], noise: number[], rate: number, random: RandomSource): Float32Array {
  const draws = new Float32Array(noise.reduce((a, b) => a * b, 1));
  const keep = 1 / (1 - rate);
  for (let i = 0; i < draws.length; i++) draws[i] = random.next() < rate ? 0 : keep;
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  const rank = shape.length;
  for (let i = 0; i < size; i++) {
    // Index into draws: the input index's coordinates, with 0 on the noise's 1 axes.
    let rest = i;
    let at = 0;
    let stride = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const coord = rest % shape[d];
      rest = (rest - coord) / shape[d];
      at += (noise[d] === 1 ? 0 : coord) * stride;
      stride *= noise[d];
    }
    out[i] = draws[at];
  }
  return out;
}
