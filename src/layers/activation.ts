// Activation: applies an activation function elementwise (softmax over the last axis).
// The activation math is the same on every backend and this layer has no kernel of its own, so it
// uses the reference functions the native kernels are tested against.
import { activationDerivative } from '../backend/ts/activation-derivatives';
import { applyActivation } from '../backend/ts/activations';
import { Tensor } from '../tensor';
import { ActivationSpec, ResolvedActivation, resolveActivation, softmaxBackward, softmaxLastAxis } from './activations';
import { CallArgs, LAYER_OPTION_NAMES, LayerOptions, LayerResult, TrainStep } from './layer';
import { SameShapeLayer } from './same-shape-layer';
import { checkOptionNames } from './options';

/** keras.layers.Activation: output = activation(input), same shape; masks pass through. */
export class Activation extends SameShapeLayer {
  readonly className = 'Activation';
  readonly activation: string;
  private readonly resolved: ResolvedActivation;

  constructor(activation: ActivationSpec, options: LayerOptions = {}) {
    checkOptionNames('Activation', options, LAYER_OPTION_NAMES);
    super('Activation', options);
    this.resolved = resolveActivation(activation, 'Activation');
    this.activation = activation ?? 'linear';
  }


  protected call(x: Tensor, args: CallArgs): LayerResult {
    const y = Float32Array.from(x.data);
    if (this.resolved.kind === 'softmax') softmaxLastAxis(y, x.shape[x.rank - 1]);
    else applyActivation(this.resolved.name, y, 0, y.length);
    return { output: new Tensor(y, x.shape), mask: args.mask };
  }

  protected override trainCall(x: Tensor, args: CallArgs): TrainStep {
    const result = this.call(x, args);
    const y = (result.output as Tensor).data;
    const resolved = this.resolved;
    return {
      result,
      backward: ([dy]) => {
        if (resolved.kind === 'softmax') return { dx: softmaxBackward(y, dy, x.shape[x.rank - 1]), grads: [] };
        const dx = new Float32Array(dy.length);
        for (let i = 0; i < dx.length; i++) dx[i] = dy[i] * activationDerivative(resolved.name, x.data[i], y[i]);
        return { dx, grads: [] };
      },
    };
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, activation: this.activation };
  }
}
