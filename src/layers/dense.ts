// Dense: activation(x @ kernel + bias) over the last axis (3-D input is applied per timestep).
import { kernels } from '../backend';
import type { DenseBackwardResult, DenseForwardArgs } from '../backend/kernels';
import { ShapeError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { ActivationSpec, ResolvedActivation, resolveActivation, softmaxBackward, softmaxLastAxis } from './activations';
import { InitializerSpec, getInitializer } from './initializers';
import { AsyncTrainStep, CallArgs, LAYER_OPTION_NAMES, Layer, LayerGradients, LayerOptions, LayerResult, TrainStep } from './layer';
import { checkBoolean, checkOptionNames, checkPositiveInt } from './options';
import { Shape } from './shapes';

export interface DenseOptions extends LayerOptions {
  activation?: ActivationSpec;
  useBias?: boolean;
  kernelInitializer?: InitializerSpec;
  biasInitializer?: InitializerSpec;
  /** Keras 2 style input size, instead of inputShape: [inputDim]. */
  inputDim?: number;
  seed?: number;
}

/** Densely-connected layer (keras.layers.Dense). Weights: kernel (features, units), bias (units). */
export class Dense extends Layer {
  readonly className = 'Dense';
  readonly units: number;
  readonly activation: string;
  readonly useBias: boolean;
  private readonly resolved: ResolvedActivation;
  private readonly kernelInitializer: InitializerSpec;
  private readonly biasInitializer: InitializerSpec;

  constructor(units: number, options: DenseOptions = {}) {
    checkOptionNames('Dense', options, [...LAYER_OPTION_NAMES, 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'inputDim', 'seed']);
    const declared =
      options.inputDim !== undefined && options.inputShape === undefined && options.batchInputShape === undefined
        ? { ...options, inputShape: [checkPositiveInt('Dense', 'inputDim', options.inputDim)] }
        : options;
    super('Dense', declared);
    this.units = checkPositiveInt('Dense', 'units', units);
    this.activation = options.activation ?? 'linear';
    this.resolved = resolveActivation(options.activation, 'Dense');
    this.useBias = checkBoolean('Dense', 'useBias', options.useBias, true);
    this.kernelInitializer = options.kernelInitializer ?? 'glorot_uniform';
    this.biasInitializer = options.biasInitializer ?? 'zeros';
    getInitializer(this.kernelInitializer);
    getInitializer(this.biasInitializer);
  }

  checkBuildShape(inputShape: Shape): void {
    const last = inputShape[inputShape.length - 1];
    if (inputShape.length < 2 || last === null) {
      throw new ShapeError(`${this.name}: expected an input shape (batch, ..., features) with known features, got ${formatShape(inputShape)}`);
    }
    if (this.built && last !== this.builtInputShape![this.builtInputShape!.length - 1]) {
      throw new ShapeError(`${this.name}: built for ${this.builtInputShape!.at(-1)} input features, got shape ${formatShape(inputShape)}`);
    }
  }

  protected createWeights(inputShape: Shape): void {
    const features = inputShape[inputShape.length - 1] as number;
    this.addWeight('kernel', [features, this.units], getInitializer(this.kernelInitializer));
    if (this.useBias) this.addWeight('bias', [this.units], getInitializer(this.biasInitializer));
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape.slice(0, -1), this.units];
  }

  checkInput(x: Tensor): void {
    const features = this.builtInputShape!.at(-1) as number;
    if (x.rank < 2 || x.shape[x.rank - 1] !== features) {
      throw new ShapeError(`${this.name}: expected input of shape (batch, ..., ${features}), got ${formatShape(x.shape)}`);
    }
    if (x.shape.some((d) => d === 0)) throw new ShapeError(`${this.name}: expected a non-empty input, got shape ${formatShape(x.shape)}`);
  }

  private args(x: Tensor): DenseForwardArgs {
    const inputDim = x.shape[x.rank - 1];
    return {
      rows: x.data.length / inputDim,
      inputDim,
      units: this.units,
      x: x.data,
      kernel: this.weightList[0].value,
      bias: this.useBias ? this.weightList[1].value : null,
      activation: this.resolved.kind === 'elementwise' ? this.resolved.name : 'linear',
    };
  }

  private result(x: Tensor, y: Float32Array, args: CallArgs): LayerResult {
    if (this.resolved.kind === 'softmax') softmaxLastAxis(y, this.units);
    return { output: new Tensor(y, [...x.shape.slice(0, -1), this.units]), mask: args.mask };
  }

  protected call(x: Tensor, args: CallArgs): LayerResult {
    return this.result(x, kernels().denseForward(this.args(x)), args);
  }

  protected override async callAsync(x: Tensor, args: CallArgs): Promise<LayerResult> {
    return this.result(x, await kernels().denseForwardAsync(this.args(x)), args);
  }

  protected override trainCall(x: Tensor, args: CallArgs): TrainStep {
    const forward = this.args(x);
    const result = this.result(x, kernels().denseForward(forward), args);
    const y = (result.output as Tensor).data;
    return {
      result,
      backward: ([dy]) => this.layerGradients(kernels().denseBackward({ ...forward, dy: this.activationGradient(y, dy) })),
    };
  }

  protected override async trainCallAsync(x: Tensor, args: CallArgs): Promise<AsyncTrainStep> {
    const forward = this.args(x);
    const result = this.result(x, await kernels().denseForwardAsync(forward), args);
    const y = (result.output as Tensor).data;
    return {
      result,
      backward: async ([dy]) => this.layerGradients(await kernels().denseBackwardAsync({ ...forward, dy: this.activationGradient(y, dy) })),
    };
  }

  /** d loss / d the kernel's output: softmax runs in the layer, so its derivative does too. */
  private activationGradient(y: Float32Array, dy: Float32Array): Float32Array {
    return this.resolved.kind === 'softmax' ? softmaxBackward(y, dy, this.units) : dy;
  }

  private layerGradients(g: DenseBackwardResult): LayerGradients {
    return { dx: g.dx, grads: this.useBias ? [g.dKernel, g.dBias!] : [g.dKernel] };
  }

  getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
      biasInitializer: this.biasInitializer,
    };
  }
}
