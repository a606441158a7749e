// TimeDistributed: applies a layer to every timestep of (batch, timesteps, ...) input.
import { InputTypeError, ShapeError, describeValue, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { AsyncTrainStep, CallArgs, LAYER_OPTION_NAMES, Layer, LayerOptions, LayerResult, RandomSource, TrainStep } from './layer';
import { checkOptionNames } from './options';
import { Shape } from './shapes';

/**
 * keras.layers.TimeDistributed(layer): the wrapped layer sees (batch * timesteps, ...) and its
 * output is reshaped back to (batch, timesteps, ...). The weights are the wrapped layer's; a mask
 * passes through unchanged.
 */
export class TimeDistributed extends Layer {
  readonly className = 'TimeDistributed';
  readonly layer: Layer;

  constructor(layer: Layer, options: LayerOptions = {}) {
    checkOptionNames('TimeDistributed', options, LAYER_OPTION_NAMES);
    if (!(layer instanceof Layer)) throw new InputTypeError(`TimeDistributed: expected a layer to wrap, got ${describeValue(layer)}`);
    super('TimeDistributed', options);
    this.layer = layer;
  }

  private innerShape(inputShape: Shape): Shape {
    return [null, ...inputShape.slice(2)];
  }

  checkBuildShape(inputShape: Shape): void {
    if (inputShape.length < 3) {
      throw new ShapeError(`${this.name}: expected an input shape (batch, timesteps, ...), got ${formatShape(inputShape)}`);
    }
    if (this.layer.built) this.layer.checkBuildShape(this.innerShape(inputShape));
  }

  protected createWeights(inputShape: Shape): void {
    this.layer.build(this.innerShape(inputShape));
    // The same Weight objects: setWeights here writes the wrapped layer's arrays.
    this.weightList = this.layer.weightVariables();
  }

  computeOutputShape(inputShape: Shape): Shape {
    const inner = this.layer.computeOutputShape(this.innerShape(inputShape));
    if (Array.isArray(inner[0])) throw new ShapeError(`${this.name}: the wrapped layer must have one output`);
    return [inputShape[0], inputShape[1], ...(inner as Shape).slice(1)];
  }

  checkInput(x: Tensor): void {
    if (x.rank < 3) throw new ShapeError(`${this.name}: expected a 3-D or higher input (batch, timesteps, ...), got shape ${formatShape(x.shape)}`);
    this.layer.checkInput(this.flatten(x));
  }

  protected override weightsChanged(): void {
    this.layer.markWeightsChanged();
  }

  private flatten(x: Tensor): Tensor {
    return new Tensor(x.data, [x.shape[0] * x.shape[1], ...x.shape.slice(2)]);
  }

  private unflatten(x: Tensor, y: Tensor): Tensor {
    return new Tensor(y.data, [x.shape[0], x.shape[1], ...y.shape.slice(1)]);
  }

  private inner(args: CallArgs): Partial<CallArgs> {
    return { mask: null, initialState: null, training: args.training };
  }

  protected call(x: Tensor, args: CallArgs): LayerResult {
    const y = this.layer.invoke(this.flatten(x), this.inner(args)).output as Tensor;
    return { output: this.unflatten(x, y), mask: args.mask };
  }

  protected override async callAsync(x: Tensor, args: CallArgs): Promise<LayerResult> {
    const y = (await this.layer.invokeAsync(this.flatten(x), this.inner(args))).output as Tensor;
    return { output: this.unflatten(x, y), mask: args.mask };
  }

  protected override trainCall(x: Tensor, args: CallArgs, random: RandomSource): TrainStep {
    const step = this.layer.invokeTrain(this.flatten(x), this.inner(args), random);
    return { result: { output: this.unflatten(x, step.result.output as Tensor), mask: args.mask }, backward: step.backward };
  }

  protected override async trainCallAsync(x: Tensor, args: CallArgs, random: RandomSource): Promise<AsyncTrainStep> {
    const step = await this.layer.invokeTrainAsync(this.flatten(x), this.inner(args), random);
    return { result: { output: this.unflatten(x, step.result.output as Tensor), mask: args.mask }, backward: step.backward };
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, layer: { className: this.layer.className, config: this.layer.getConfig() } };
  }
}
