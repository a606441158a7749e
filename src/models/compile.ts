// compile(): resolves the optimizer, the loss and the metrics a model trains with, as Keras's
// Model.compile does (names or instances; 'accuracy' resolved once the shapes are known).
import { InputTypeError, ValueError, describeValue } from '../errors';
import { checkOptionNames } from '../layers/options';
import { Loss, getLoss } from '../training/losses';
import { Metric, getMetric } from '../training/metrics';
import { Optimizer, getOptimizer } from '../training/optimizers';

export interface CompileOptions {
  /** 'sgd' | 'adam' | 'rmsprop' | 'adagrad' or an Optimizer instance (default 'rmsprop', as Keras). */
  optimizer?: string | Optimizer;
  /** A loss name ('mse', 'binary_crossentropy', ...) or a Loss instance. */
  loss: string | Loss;
  /** Metric names ('accuracy', 'mae', 'mse', ...) or Metric instances. */
  metrics?: (string | Metric)[];
}

const COMPILE_OPTION_NAMES = ['optimizer', 'loss', 'metrics'];

export interface Compiled {
  optimizer: Optimizer;
  loss: Loss;
  metricSpecs: (string | Metric)[];
}

export function resolveCompile(owner: string, options: CompileOptions): Compiled {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InputTypeError(`${owner}.compile: expected an options object { optimizer, loss, metrics }, got ${describeValue(options)}`);
  }
  checkOptionNames(`${owner}.compile`, options, COMPILE_OPTION_NAMES);
  if (options.loss === undefined) throw new ValueError(`${owner}.compile: a loss is required, e.g. { loss: 'mse' }`);
  const metrics = options.metrics ?? [];
  if (!Array.isArray(metrics)) {
    throw new InputTypeError(`${owner}.compile: metrics must be an array of names or Metric objects, got ${describeValue(metrics)}`);
  }
  return { optimizer: getOptimizer(options.optimizer ?? 'rmsprop'), loss: getLoss(options.loss), metricSpecs: [...metrics] };
}

/** The compiled metrics for concrete label and prediction shapes (Keras resolves 'accuracy' so). */
export function buildMetrics(c: Compiled, predShape: number[], trueShape: number[]): Metric[] {
  return c.metricSpecs.map((spec) => getMetric(spec, { lossName: c.loss.name, predShape, trueShape }));
}
