// Flatten: (batch, d1, d2, ...) -> (batch, d1 * d2 * ...); the values keep their row-major order.
import { ShapeError, ValueError, describeValue, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { CallArgs, LAYER_OPTION_NAMES, Layer, LayerOptions, LayerResult, TrainStep } from './layer';
import { checkOptionNames } from './options';
import { Shape } from './shapes';

export interface FlattenOptions extends LayerOptions {
  /** Only 'channels_last' (Keras's default) is supported: it keeps the order of the values. */
  dataFormat?: 'channels_last' | null;
}

/** keras.layers.Flatten. Like Keras, it does not pass a mask on. */
export class Flatten extends Layer {
  readonly className = 'Flatten';

  constructor(options: FlattenOptions = {}) {
    checkOptionNames('Flatten', options, [...LAYER_OPTION_NAMES, 'dataFormat']);
    const { dataFormat, ...rest } = options ?? {};
    if (dataFormat !== undefined && dataFormat !== null && dataFormat !== 'channels_last') {
      throw new ValueError(`Flatten: dataFormat must be 'channels_last' (rnnkit keeps the values' order), got ${describeValue(dataFormat)}`);
    }
    super('Flatten', rest);
  }

  checkBuildShape(inputShape: Shape): void {
    if (inputShape.length < 2) throw new ShapeError(`${this.name}: expected an input shape (batch, ...), got ${formatShape(inputShape)}`);
  }

  protected createWeights(): void {}

  computeOutputShape(inputShape: Shape): Shape {
    const rest = inputShape.slice(1);
    const size = rest.every((d) => d !== null) ? (rest as number[]).reduce((a, b) => a * b, 1) : null;
    return [inputShape[0], size];
  }

  checkInput(x: Tensor): void {
    if (x.rank < 2) throw new ShapeError(`${this.name}: expected a batch of inputs (batch, ...), got shape ${formatShape(x.shape)}`);
  }

  protected call(x: Tensor): LayerResult {
    return { output: new Tensor(x.data, [x.shape[0], x.data.length / Math.max(1, x.shape[0])]), mask: null };
  }

  protected override trainCall(x: Tensor, args: CallArgs): TrainStep {
    return { result: this.call(x), backward: ([dy]) => ({ dx: dy, grads: [] }) };
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, dataFormat: 'channels_last' };
  }
}
