// Dropout: identity at inference (rnnkit's layers run inference; training is a later addition).
import { ShapeError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { CallArgs, LAYER_OPTION_NAMES, Layer, LayerOptions, LayerResult } from './layer';
import { checkOptionNames, checkRate } from './options';
import { Shape } from './shapes';

export interface DropoutOptions extends LayerOptions {
  noiseShape?: (number | null)[] | null;
  seed?: number;
}

/** Randomly zeroes inputs during training (keras.layers.Dropout); passes them through otherwise. */
export class Dropout extends Layer {
  readonly className = 'Dropout';
  readonly rate: number;

  constructor(rate: number, options: DropoutOptions = {}) {
    checkOptionNames('Dropout', options, [...LAYER_OPTION_NAMES, 'noiseShape', 'seed']);
    super('Dropout', options);
    this.rate = checkRate('Dropout', 'rate', rate);
  }

  checkBuildShape(): void {}
  protected createWeights(): void {}

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape];
  }

  checkInput(x: Tensor): void {
    if (x.rank < 1) throw new ShapeError(`${this.name}: expected a batch of inputs, got shape ${formatShape(x.shape)}`);
  }

  protected call(x: Tensor, args: CallArgs): LayerResult {
    return { output: x, mask: args.mask };
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, rate: this.rate };
  }
}
