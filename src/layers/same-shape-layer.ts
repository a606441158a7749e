// The base of layers without weights whose output has the input's shape (Dropout, Activation,
// ReLU): nothing to build, any batch of inputs accepted.
import { ShapeError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { Layer } from './layer';
import { Shape } from './shapes';

export abstract class SameShapeLayer extends Layer {
  checkBuildShape(): void {}
  protected createWeights(): void {}

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape];
  }

  checkInput(x: Tensor): void {
    if (x.rank < 1) throw new ShapeError(`${this.name}: expected a batch of inputs, got shape ${formatShape(x.shape)}`);
  }
}
