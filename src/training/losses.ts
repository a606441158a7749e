// Losses with their gradients, following Keras 3 (keras/src/losses/losses.py and the backends'
// crossentropies): a per-sample value (mean over the last axis, or a sum over the classes for the
// categorical ones), then Keras's sum_over_batch_size reduction over every remaining value.
// util.types: typed arrays made by the native addon come from another realm under jest's vm.
import { types } from 'util';
import { InputTypeError, ShapeError, ValueError, describeValue, formatShape } from '../errors';
import { checkOptionNames } from '../layers/options';

export interface LossResult {
  loss: number;
  /** dLoss/dyPred, same length as yPred. */
  grad: Float32Array;
}

export interface Loss {
  /** Keras's name: 'mean_squared_error', ... */
  readonly name: string;
  /** yPred of shape predShape (batch, ..., k); yTrue the same shape, except sparse: (batch, ...) or (batch, ..., 1).
   *  weights: null, or one weight per per-sample loss value (e.g. (batch, timesteps) from a mask, 0/1):
   *  the loss is then sum(weight * value) / sum(weight), a masked mean (0 when every weight is 0). This is
   *  Keras's result for a mask; for non-0/1 sample weights Keras's sum_over_batch_size divides by the count instead. */
  compute(yTrue: Float32Array, yPred: Float32Array, predShape: number[], weights?: Float32Array | null): LossResult;
  getConfig(): Record<string, unknown>;
}

/** Keras's backend.epsilon(): probabilities are clipped to [EPSILON, 1 - EPSILON]. */
const EPSILON = 1e-7;

function clipProbability(p: number): number {
  return p < EPSILON ? EPSILON : p > 1 - EPSILON ? 1 - EPSILON : p;
}

/** TensorFlow's clip gradient: 1 inside [min, max], 0 outside. */
function insideClip(p: number): boolean {
  return p >= EPSILON && p <= 1 - EPSILON;
}

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

function readBoolean(owner: string, name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new InputTypeError(`${owner}: ${name} must be true or false, got ${describeValue(value)}`);
  return value;
}

function readName(owner: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw new InputTypeError(`${owner}: name must be a non-empty string, got ${describeValue(value)}`);
  if (value === '') throw new ValueError(`${owner}: name must be a non-empty string, got ""`);
  return value;
}

const REDUCTION = 'sum_over_batch_size';

/**
 * Checks yTrue, yPred and weights against predShape (batch, ..., k) for a loss or metric named owner;
 * sparseLabels: yTrue holds one label per sample. Returns k, the size of the last axis.
 */
export function checkPredictionInputs(owner: string, yTrue: unknown, yPred: unknown, predShape: unknown, weights: unknown, sparseLabels: boolean): number {
  if (!Array.isArray(predShape)) throw new InputTypeError(`${owner}: predShape must be an array of dimensions, got ${describeValue(predShape)}`);
  if (predShape.length < 2 || !predShape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new ShapeError(`${owner}: predShape must be (batch, ..., k) with dimensions >= 1, got ${JSON.stringify(predShape)}`);
  }
  if (!types.isFloat32Array(yPred)) throw new InputTypeError(`${owner}: yPred must be a Float32Array, got ${describeValue(yPred)}`);
  if (!types.isFloat32Array(yTrue)) throw new InputTypeError(`${owner}: yTrue must be a Float32Array, got ${describeValue(yTrue)}`);
  const size = predShape.reduce((a, b) => a * b, 1);
  const k = predShape[predShape.length - 1];
  const samples = size / k;
  if (yPred.length !== size) {
    throw new ShapeError(`${owner}: yPred must have ${size} values for shape ${formatShape(predShape)}, got ${describeValue(yPred)}`);
  }
  const sampleShape = formatShape(predShape.slice(0, -1));
  if (sparseLabels && yTrue.length !== samples) {
    throw new ShapeError(
      `${owner}: yTrue must hold one label per sample, shape ${sampleShape} or ${formatShape([...predShape.slice(0, -1), 1])} ` +
        `(${samples} values) for predictions of shape ${formatShape(predShape)}, got ${describeValue(yTrue)}`,
    );
  }
  if (!sparseLabels && yTrue.length !== size) {
    throw new ShapeError(`${owner}: yTrue must have shape ${formatShape(predShape)} (${size} values) like the predictions, got ${describeValue(yTrue)}`);
  }
  if (weights !== null && weights !== undefined) {
    if (!types.isFloat32Array(weights)) throw new InputTypeError(`${owner}: weights must be null or a Float32Array, got ${describeValue(weights)}`);
    if (weights.length !== samples) {
      throw new ShapeError(
        `${owner}: weights must have one weight per per-sample value, shape ${sampleShape} (${samples} values), got ${describeValue(weights)}`,
      );
    }
  }
  return k;
}

/**
 * Shape checks and the reduction shared by every loss. A subclass gives one sample's loss value over
 * its k predictions and writes coefficient * d(value)/d(prediction) into grad.
 */
abstract class ReducedLoss implements Loss {
  /** Labels are class indices, one per sample (sparse_categorical_crossentropy). */
  protected readonly sparseLabels: boolean = false;

  constructor(readonly name: string) {}

  compute(yTrue: Float32Array, yPred: Float32Array, predShape: number[], weights: Float32Array | null = null): LossResult {
    const k = checkPredictionInputs(this.name, yTrue, yPred, predShape, weights, this.sparseLabels);
    const samples = yPred.length / k;
    const grad = new Float32Array(yPred.length);
    let weightSum = samples;
    if (weights !== null) {
      weightSum = 0;
      for (let s = 0; s < samples; s++) weightSum += weights[s];
    }
    let total = 0;
    for (let s = 0; s < samples; s++) {
      const w = weights === null ? 1 : weights[s];
      // Keras divides with divide_no_nan: all-zero weights give loss 0 and gradient 0.
      const coefficient = weightSum === 0 ? 0 : w / weightSum;
      total += w * this.sampleLoss(yTrue, yPred, s, k, grad, coefficient);
    }
    return { loss: weightSum === 0 ? 0 : total / weightSum, grad };
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, reduction: REDUCTION };
  }

  /** Sample s's loss over yPred[s*k .. s*k+k); writes coefficient * its gradient into the same range of grad. */
  protected abstract sampleLoss(yTrue: Float32Array, yPred: Float32Array, s: number, k: number, grad: Float32Array, coefficient: number): number;
}

/** A loss whose per-sample value is the mean over the last axis of an elementwise value. */
abstract class ElementwiseMeanLoss extends ReducedLoss {
  protected abstract value(t: number, p: number): number;
  protected abstract derivative(t: number, p: number): number;

  protected sampleLoss(yTrue: Float32Array, yPred: Float32Array, s: number, k: number, grad: Float32Array, coefficient: number): number {
    let sum = 0;
    for (let i = s * k, end = i + k; i < end; i++) {
      sum += this.value(yTrue[i], yPred[i]);
      grad[i] = (coefficient * this.derivative(yTrue[i], yPred[i])) / k;
    }
    return sum / k;
  }
}

export interface NamedLossOptions {
  name?: string;
}

/** mean((yPred - yTrue)²) over the last axis (keras.losses.MeanSquaredError). */
export class MeanSquaredError extends ElementwiseMeanLoss {
  constructor(options?: NamedLossOptions) {
    checkOptionNames('MeanSquaredError', options, ['name']);
    super(readName('MeanSquaredError', options?.name, 'mean_squared_error'));
  }

  protected value(t: number, p: number): number {
    return (t - p) * (t - p);
  }

  protected derivative(t: number, p: number): number {
    return 2 * (p - t);
  }
}

/** mean(|yPred - yTrue|) over the last axis (keras.losses.MeanAbsoluteError); the gradient at 0 is 0. */
export class MeanAbsoluteError extends ElementwiseMeanLoss {
  constructor(options?: NamedLossOptions) {
    checkOptionNames('MeanAbsoluteError', options, ['name']);
    super(readName('MeanAbsoluteError', options?.name, 'mean_absolute_error'));
  }

  protected value(t: number, p: number): number {
    return Math.abs(t - p);
  }

  protected derivative(t: number, p: number): number {
    return Math.sign(p - t);
  }
}

export interface HuberOptions extends NamedLossOptions {
  /** Where the loss turns from quadratic to linear; default 1. */
  delta?: number;
}

/** 0.5 e² for |e| <= delta, else delta |e| - 0.5 delta², averaged over the last axis (keras.losses.Huber). */
export class Huber extends ElementwiseMeanLoss {
  readonly delta: number;

  constructor(options?: HuberOptions) {
    checkOptionNames('Huber', options, ['delta', 'name']);
    super(readName('Huber', options?.name, 'huber_loss'));
    const delta = options?.delta ?? 1.0;
    if (typeof delta !== 'number') throw new InputTypeError(`Huber: delta must be a finite number > 0, got ${describeValue(delta)}`);
    if (!(Number.isFinite(delta) && delta > 0)) throw new ValueError(`Huber: delta must be a finite number > 0, got ${delta}`);
    this.delta = delta;
  }

  protected value(t: number, p: number): number {
    const e = Math.abs(p - t);
    return e <= this.delta ? 0.5 * e * e : this.delta * e - 0.5 * this.delta * this.delta;
  }

  protected derivative(t: number, p: number): number {
    const e = p - t;
    return Math.abs(e) <= this.delta ? e : this.delta * Math.sign(e);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), delta: this.delta };
  }
}

export interface CrossentropyOptions extends NamedLossOptions {
  /** yPred holds logits rather than probabilities. */
  fromLogits?: boolean;
}

/**
 * Binary crossentropy averaged over the last axis (keras.losses.BinaryCrossentropy). Probabilities are
 * clipped to [1e-7, 1 - 1e-7]; with fromLogits the stable max(x, 0) - x t + log(1 + exp(-|x|)).
 */
export class BinaryCrossentropy extends ElementwiseMeanLoss {
  readonly fromLogits: boolean;

  constructor(options?: CrossentropyOptions) {
    checkOptionNames('BinaryCrossentropy', options, ['fromLogits', 'name']);
    super(readName('BinaryCrossentropy', options?.name, 'binary_crossentropy'));
    this.fromLogits = readBoolean('BinaryCrossentropy', 'fromLogits', options?.fromLogits);
  }

  protected value(t: number, p: number): number {
    if (this.fromLogits) return Math.max(p, 0) - p * t + Math.log1p(Math.exp(-Math.abs(p)));
    const q = clipProbability(p);
    return -(t * Math.log(q) + (1 - t) * Math.log(1 - q));
  }

  protected derivative(t: number, p: number): number {
    if (this.fromLogits) return sigmoid(p) - t;
    return insideClip(p) ? -t / p + (1 - t) / (1 - p) : 0;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), from_logits: this.fromLogits, label_smoothing: 0.0, axis: -1 };
  }
}

/**
 * Categorical crossentropy, -sum(t log q) over the classes (keras.losses.CategoricalCrossentropy). Without
 * logits the predictions are first divided by their sum, then clipped to [1e-7, 1 - 1e-7], as Keras does.
 */
export class CategoricalCrossentropy extends ReducedLoss {
  readonly fromLogits: boolean;

  constructor(options?: CrossentropyOptions) {
    checkOptionNames('CategoricalCrossentropy', options, ['fromLogits', 'name']);
    super(readName('CategoricalCrossentropy', options?.name, 'categorical_crossentropy'));
    this.fromLogits = readBoolean('CategoricalCrossentropy', 'fromLogits', options?.fromLogits);
  }

  protected sampleLoss(yTrue: Float32Array, yPred: Float32Array, s: number, k: number, grad: Float32Array, coefficient: number): number {
    const start = s * k;
    const end = start + k;
    if (this.fromLogits) {
      const { logSumExp, max, expSum } = softmaxParts(yPred, start, end);
      let loss = 0;
      let targetSum = 0;
      for (let i = start; i < end; i++) {
        loss += yTrue[i] * (logSumExp - yPred[i]);
        targetSum += yTrue[i];
      }
      for (let i = start; i < end; i++) grad[i] = coefficient * ((Math.exp(yPred[i] - max) / expSum) * targetSum - yTrue[i]);
      return loss;
    }
    let sum = 0;
    for (let i = start; i < end; i++) sum += yPred[i];
    // q = p / sum; d(loss)/dq_j = -t_j / q_j inside the clip range; chained through the division by the sum.
    let loss = 0;
    let dot = 0;
    for (let i = start; i < end; i++) {
      const q = yPred[i] / sum;
      loss -= yTrue[i] * Math.log(clipProbability(q));
      const dq = insideClip(q) ? -yTrue[i] / q : 0;
      grad[i] = dq;
      dot += dq * q;
    }
    for (let i = start; i < end; i++) grad[i] = (coefficient * (grad[i] - dot)) / sum;
    return loss;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), from_logits: this.fromLogits, label_smoothing: 0.0, axis: -1 };
  }
}

/**
 * Crossentropy with integer labels in [0, classes) (keras.losses.SparseCategoricalCrossentropy): yTrue has
 * one label per sample, shape (batch, ...) or (batch, ..., 1). Same clipping and normalisation as categorical.
 */
export class SparseCategoricalCrossentropy extends ReducedLoss {
  readonly fromLogits: boolean;
  protected override readonly sparseLabels = true;

  constructor(options?: CrossentropyOptions) {
    checkOptionNames('SparseCategoricalCrossentropy', options, ['fromLogits', 'name']);
    super(readName('SparseCategoricalCrossentropy', options?.name, 'sparse_categorical_crossentropy'));
    this.fromLogits = readBoolean('SparseCategoricalCrossentropy', 'fromLogits', options?.fromLogits);
  }

  protected sampleLoss(yTrue: Float32Array, yPred: Float32Array, s: number, k: number, grad: Float32Array, coefficient: number): number {
    const label = yTrue[s];
    if (!(Number.isInteger(label) && label >= 0 && label < k)) {
      throw new ValueError(`${this.name}: labels must be integers in [0, ${k}), got ${label} at index ${s}`);
    }
    const start = s * k;
    const end = start + k;
    const target = start + label;
    if (this.fromLogits) {
      const { logSumExp, max, expSum } = softmaxParts(yPred, start, end);
      for (let i = start; i < end; i++) grad[i] = coefficient * (Math.exp(yPred[i] - max) / expSum - (i === target ? 1 : 0));
      return logSumExp - yPred[target];
    }
    let sum = 0;
    for (let i = start; i < end; i++) sum += yPred[i];
    const q = yPred[target] / sum;
    const dq = insideClip(q) ? -1 / q : 0;
    for (let i = start; i < end; i++) grad[i] = (coefficient * dq * ((i === target ? 1 : 0) - q)) / sum;
    return -Math.log(clipProbability(q));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), from_logits: this.fromLogits, ignore_class: null, axis: -1 };
  }
}

/** log(sum(exp(x))) over x[start..end), computed stably, with the parts the softmax needs. */
function softmaxParts(x: Float32Array, start: number, end: number): { logSumExp: number; max: number; expSum: number } {
  let max = -Infinity;
  for (let i = start; i < end; i++) if (x[i] > max) max = x[i];
  let expSum = 0;
  for (let i = start; i < end; i++) expSum += Math.exp(x[i] - max);
  return { logSumExp: max + Math.log(expSum), max, expSum };
}

/** The names keras.losses.get accepts for these losses (case-sensitive, as in Keras). */
const LOSSES: Record<string, () => Loss> = {
  mean_squared_error: () => new MeanSquaredError(),
  mse: () => new MeanSquaredError(),
  MSE: () => new MeanSquaredError(),
  MeanSquaredError: () => new MeanSquaredError(),
  mean_absolute_error: () => new MeanAbsoluteError(),
  mae: () => new MeanAbsoluteError(),
  MAE: () => new MeanAbsoluteError(),
  MeanAbsoluteError: () => new MeanAbsoluteError(),
  // The function huber is named 'huber'; the class Huber defaults to 'huber_loss'.
  huber: () => new Huber({ name: 'huber' }),
  Huber: () => new Huber(),
  binary_crossentropy: () => new BinaryCrossentropy(),
  bce: () => new BinaryCrossentropy(),
  BCE: () => new BinaryCrossentropy(),
  BinaryCrossentropy: () => new BinaryCrossentropy(),
  categorical_crossentropy: () => new CategoricalCrossentropy(),
  CategoricalCrossentropy: () => new CategoricalCrossentropy(),
  sparse_categorical_crossentropy: () => new SparseCategoricalCrossentropy(),
  SparseCategoricalCrossentropy: () => new SparseCategoricalCrossentropy(),
};

function isLoss(spec: unknown): spec is Loss {
  return typeof spec === 'object' && spec !== null && typeof (spec as Loss).compute === 'function' && typeof (spec as Loss).name === 'string';
}

/** A loss by Keras name ('mse', 'binary_crossentropy', 'Huber', ...); a Loss object is returned as it is. */
export function getLoss(spec: string | Loss): Loss {
  if (isLoss(spec)) return spec;
  if (typeof spec !== 'string') throw new InputTypeError(`getLoss: expected a loss name or a Loss, got ${describeValue(spec)}`);
  const make = Object.prototype.hasOwnProperty.call(LOSSES, spec) ? LOSSES[spec] : undefined;
  if (make === undefined) throw new ValueError(`getLoss: unknown loss ${JSON.stringify(spec)}; known losses: ${Object.keys(LOSSES).join(', ')}`);
  return make();
}
