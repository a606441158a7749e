// Input: declares a model's input shape (keras.Input / InputLayer); no weights, no computation.
import { ShapeError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { LAYER_OPTION_NAMES, Layer, LayerOptions, LayerResult } from './layer';
import { checkOptionNames } from './options';
import { Shape } from './shapes';

export interface InputOptions extends LayerOptions {
  /** Input shape without the batch dimension (Keras's `shape`). */
  shape?: (number | null)[];
}

export class InputLayer extends Layer {
  readonly className = 'InputLayer';

  constructor(options: InputOptions) {
    checkOptionNames('InputLayer', options, [...LAYER_OPTION_NAMES, 'shape']);
    const { shape, ...rest } = options ?? {};
    super('InputLayer', shape !== undefined && rest.inputShape === undefined ? { ...rest, inputShape: shape } : rest);
    if (!this.batchInputShape) throw new ShapeError('InputLayer: give shape (without the batch) or batchInputShape');
  }

  checkBuildShape(): void {}
  protected createWeights(): void {}

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape];
  }

  checkInput(x: Tensor): void {
    const expected = this.batchInputShape!;
    const ok = x.rank === expected.length && expected.every((d, i) => d === null || i === 0 || d === x.shape[i]);
    if (!ok) throw new ShapeError(`${this.name}: expected input of shape ${formatShape(expected)}, got ${formatShape(x.shape)}`);
  }

  protected call(x: Tensor): LayerResult {
    return { output: x, mask: null };
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, batchInputShape: this.batchInputShape };
  }
}

/** keras.Input(shape): an InputLayer to add first to a Sequential model. */
export function Input(options: InputOptions): InputLayer {
  return new InputLayer(options);
}
