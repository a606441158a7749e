// Metrics as Keras 3 computes them (keras/src/metrics/*.py): running means over everything updated since
// reset, and compile()'s resolution of 'accuracy' (keras/src/trainers/compile_utils.py).
import { InputTypeError, ShapeError, ValueError, describeValue } from '../errors';
import { checkOptionNames } from '../layers/options';
import { checkPredictionInputs } from './losses';

export interface Metric {
  /** The key used in logs: 'accuracy', 'mae', 'mse', ... */
  readonly name: string;
  reset(): void;
  /** Arrays as for Loss.compute; weights (e.g. a 0/1 mask) has one weight per per-sample value. */
  update(yTrue: Float32Array, yPred: Float32Array, predShape: number[], weights?: Float32Array | null): void;
  /** Keras's running mean over everything updated since reset (0 before any update). */
  result(): number;
}

/**
 * Keras's MeanMetricWrapper over a per-sample value (one per (batch, ...) position): each batch row adds the
 * mean of its weighted values to the total and the mean of its weights (1 without weights) to the count,
 * so that result() = total / count weighs every sample alike across updates of different sizes.
 */
abstract class MeanMetric implements Metric {
  private total = 0;
  private count = 0;
  protected readonly sparseLabels: boolean = false;

  constructor(readonly name: string) {}

  reset(): void {
    this.total = 0;
    this.count = 0;
  }

  update(yTrue: Float32Array, yPred: Float32Array, predShape: number[], weights: Float32Array | null = null): void {
    const k = checkPredictionInputs(this.name, yTrue, yPred, predShape, weights, this.sparseLabels);
    const batch = predShape[0];
    const perRow = yPred.length / k / batch;
    for (let b = 0; b < batch; b++) {
      let rowTotal = 0;
      let rowWeight = 0;
      for (let s = b * perRow, end = s + perRow; s < end; s++) {
        const w = weights === null ? 1 : weights[s];
        rowTotal += w * this.sampleValue(yTrue, yPred, s, k);
        rowWeight += w;
      }
      this.total += rowTotal / perRow;
      this.count += rowWeight / perRow;
    }
  }

  result(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }

  /** The value of sample s, whose predictions are yPred[s*k .. s*k+k). */
  protected abstract sampleValue(yTrue: Float32Array, yPred: Float32Array, s: number, k: number): number;
}

export interface MetricOptions {
  /** The log key; defaults to Keras's metric name. */
  name?: string;
}

function readName(owner: string, options: MetricOptions | undefined, fallback: string): string {
  const name = options?.name;
  if (name === undefined) return fallback;
  if (typeof name !== 'string') throw new InputTypeError(`${owner}: name must be a non-empty string, got ${describeValue(name)}`);
  if (name === '') throw new ValueError(`${owner}: name must be a non-empty string, got ""`);
  return name;
}

/** Index of the largest of x[start..end) (the first one on ties, like argmax). */
function argmax(x: Float32Array, start: number, end: number): number {
  let best = start;
  for (let i = start + 1; i < end; i++) if (x[i] > x[best]) best = i;
  return best - start;
}

/** mean((yTrue - yPred)²) over the last axis, averaged over samples (keras.metrics.MeanSquaredError). */
export class MeanSquaredError extends MeanMetric {
  constructor(options?: MetricOptions) {
    checkOptionNames('MeanSquaredError', options, ['name']);
    super(readName('MeanSquaredError', options, 'mean_squared_error'));
  }

  protected sampleValue(yTrue: Float32Array, yPred: Float32Array, s: number, k: number): number {
    let sum = 0;
    for (let i = s * k, end = i + k; i < end; i++) sum += (yTrue[i] - yPred[i]) * (yTrue[i] - yPred[i]);
    return sum / k;
  }
}

/** mean(|yTrue - yPred|) over the last axis, averaged over samples (keras.metrics.MeanAbsoluteError). */
export class MeanAbsoluteError extends MeanMetric {
  constructor(options?: MetricOptions) {
    checkOptionNames('MeanAbsoluteError', options, ['name']);
    super(readName('MeanAbsoluteError', options, 'mean_absolute_error'));
  }

  protected sampleValue(yTrue: Float32Array, yPred: Float32Array, s: number, k: number): number {
    let sum = 0;
    for (let i = s * k, end = i + k; i < end; i++) sum += Math.abs(yTrue[i] - yPred[i]);
    return sum / k;
  }
}

export interface BinaryAccuracyOptions extends MetricOptions {
  /** A prediction counts as 1 when it is > threshold; default 0.5. */
  threshold?: number;
}

/** How often (yPred > threshold ? 1 : 0) equals yTrue, per value (keras.metrics.BinaryAccuracy). */
export class BinaryAccuracy extends MeanMetric {
  readonly threshold: number;

  constructor(options?: BinaryAccuracyOptions) {
    checkOptionNames('BinaryAccuracy', options, ['name', 'threshold']);
    super(readName('BinaryAccuracy', options, 'binary_accuracy'));
    const threshold = options?.threshold ?? 0.5;
    if (typeof threshold !== 'number') throw new InputTypeError(`BinaryAccuracy: threshold must be a number, got ${describeValue(threshold)}`);
    if (Number.isNaN(threshold)) throw new ValueError(`BinaryAccuracy: threshold must be a number, got NaN`);
    this.threshold = threshold;
  }

  protected sampleValue(yTrue: Float32Array, yPred: Float32Array, s: number, k: number): number {
    let matches = 0;
    for (let i = s * k, end = i + k; i < end; i++) if (yTrue[i] === (yPred[i] > this.threshold ? 1 : 0)) matches++;
    return matches / k;
  }
}

/** How often argmax(yPred) equals argmax(yTrue) of one-hot labels (keras.metrics.CategoricalAccuracy). */
export class CategoricalAccuracy extends MeanMetric {
  constructor(options?: MetricOptions) {
    checkOptionNames('CategoricalAccuracy', options, ['name']);
    super(readName('CategoricalAccuracy', options, 'categorical_accuracy'));
  }

  protected sampleValue(yTrue: Float32Array, yPred: Float32Array, s: number, k: number): number {
    return argmax(yTrue, s * k, (s + 1) * k) === argmax(yPred, s * k, (s + 1) * k) ? 1 : 0;
  }
}

/** How often argmax(yPred) equals the integer label (keras.metrics.SparseCategoricalAccuracy); yTrue holds
 *  one label per sample, shape (batch, ...) or (batch, ..., 1). */
export class SparseCategoricalAccuracy extends MeanMetric {
  protected override readonly sparseLabels = true;

  constructor(options?: MetricOptions) {
    checkOptionNames('SparseCategoricalAccuracy', options, ['name']);
    super(readName('SparseCategoricalAccuracy', options, 'sparse_categorical_accuracy'));
  }

  protected sampleValue(yTrue: Float32Array, yPred: Float32Array, s: number, k: number): number {
    return yTrue[s] === argmax(yPred, s * k, (s + 1) * k) ? 1 : 0;
  }
}

/** The names keras.metrics.get accepts for these metrics (class names, their snake_case, aliases). */
const METRICS: Record<string, (name: string) => Metric> = {
  mae: (name) => new MeanAbsoluteError({ name }),
  MAE: (name) => new MeanAbsoluteError({ name }),
  mean_absolute_error: (name) => new MeanAbsoluteError({ name }),
  MeanAbsoluteError: (name) => new MeanAbsoluteError({ name }),
  mse: (name) => new MeanSquaredError({ name }),
  MSE: (name) => new MeanSquaredError({ name }),
  mean_squared_error: (name) => new MeanSquaredError({ name }),
  MeanSquaredError: (name) => new MeanSquaredError({ name }),
  binary_accuracy: (name) => new BinaryAccuracy({ name }),
  BinaryAccuracy: (name) => new BinaryAccuracy({ name }),
  categorical_accuracy: (name) => new CategoricalAccuracy({ name }),
  CategoricalAccuracy: (name) => new CategoricalAccuracy({ name }),
  sparse_categorical_accuracy: (name) => new SparseCategoricalAccuracy({ name }),
  SparseCategoricalAccuracy: (name) => new SparseCategoricalAccuracy({ name }),
};

export interface MetricContext {
  /** The compiled loss's name. Keras 3 does not use it to resolve 'accuracy' (the shapes decide). */
  lossName: string;
  /** Shape of the model's predictions, (batch, ..., k). */
  predShape: number[];
  /** Shape of the labels. */
  trueShape: number[];
}

function isMetric(spec: unknown): spec is Metric {
  const m = spec as Metric;
  return typeof spec === 'object' && spec !== null && typeof m.name === 'string' && typeof m.update === 'function' && typeof m.result === 'function';
}

function checkShape(name: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) throw new InputTypeError(`getMetric: context.${name} must be an array of dimensions, got ${describeValue(shape)}`);
  if (shape.length < 1) throw new ShapeError(`getMetric: context.${name} must have rank >= 1, got []`);
  return shape;
}

/** compile_utils.get_metric: 'accuracy' / 'acc' in any case -> binary accuracy when predictions have a last
 *  axis of 1, else sparse categorical when the labels have a lower rank or a last axis of 1, else categorical. */
function resolveAccuracy(name: string, context: MetricContext): Metric {
  const predShape = checkShape('predShape', context.predShape);
  const trueShape = checkShape('trueShape', context.trueShape);
  const predLast = predShape[predShape.length - 1];
  const trueLast = trueShape[trueShape.length - 1];
  if (predLast === 1) return new BinaryAccuracy({ name });
  if (trueShape.length < predShape.length || (trueLast === 1 && predLast > 1)) return new SparseCategoricalAccuracy({ name });
  return new CategoricalAccuracy({ name });
}

/**
 * Resolves one of compile()'s metric specs as Keras 3 does. A string keeps its spelling as the log key
 * ('acc' logs as 'acc', 'mae' as 'mae'); a Metric is returned as it is.
 */
export function getMetric(spec: string | Metric, context: MetricContext): Metric {
  if (isMetric(spec)) return spec;
  if (typeof spec !== 'string') throw new InputTypeError(`getMetric: expected a metric name or a Metric, got ${describeValue(spec)}`);
  if (typeof context !== 'object' || context === null) {
    throw new InputTypeError(`getMetric: context must be { lossName, predShape, trueShape }, got ${describeValue(context)}`);
  }
  const lower = spec.toLowerCase();
  if (lower === 'accuracy' || lower === 'acc') return resolveAccuracy(spec, context);
  const make = Object.prototype.hasOwnProperty.call(METRICS, spec) ? METRICS[spec] : undefined;
  if (make === undefined) {
    throw new ValueError(`getMetric: unknown metric ${JSON.stringify(spec)}; known metrics: accuracy, acc, ${Object.keys(METRICS).join(', ')}`);
  }
  return make(spec);
}
