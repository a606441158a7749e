// EarlyStopping (keras.callbacks.EarlyStopping, Keras 3): stops training when a monitored metric
// has stopped improving, and can put back the weights of its best epoch.
import { InputTypeError, ValueError, describeValue } from '../../errors';
import { checkOptionNames } from '../../layers/options';
import { Tensor } from '../../tensor';
import { Callback, Logs } from './callback';

export interface EarlyStoppingOptions {
  /** The logs entry to watch. Default 'val_loss'. */
  monitor?: string;
  /** The least change that counts as an improvement (its sign is ignored). Default 0. */
  minDelta?: number;
  /** Epochs without improvement before training stops. Default 0. */
  patience?: number;
  /** 1 prints when it stops training and when it restores weights. Default 0. */
  verbose?: 0 | 1;
  /** 'auto' takes the direction from the monitored metric's name. Default 'auto'. */
  mode?: 'auto' | 'min' | 'max';
  /** Training stops unless the monitored value gets better than this within `patience` epochs. */
  baseline?: number | null;
  /** Put back the weights of the best epoch when training ends. Default false. */
  restoreBestWeights?: boolean;
  /** Epochs to let pass before watching. Default 0. */
  startFromEpoch?: number;
}

const OPTION_NAMES = [
  'monitor',
  'minDelta',
  'patience',
  'verbose',
  'mode',
  'baseline',
  'restoreBestWeights',
  'startFromEpoch',
];

// Keras 3 takes 'auto' mode's direction from the compiled metric whose name is the monitor without
// its 'val_' prefix (the metric's _direction, 'up' or 'down'); 'loss' is always minimised. rnnkit's
// callbacks see no metric objects, so the same directions are listed here by the names Keras gives
// those metrics in the logs: class name, snake_case name, default name and alias.
const MAXIMISED = new Set([
  'Accuracy', 'accuracy', 'acc', 'ACC',
  'BinaryAccuracy', 'binary_accuracy',
  'CategoricalAccuracy', 'categorical_accuracy',
  'SparseCategoricalAccuracy', 'sparse_categorical_accuracy',
  'TopKCategoricalAccuracy', 'top_k_categorical_accuracy',
  'SparseTopKCategoricalAccuracy', 'sparse_top_k_categorical_accuracy',
  'Precision', 'precision', 'Recall', 'recall', 'AUC', 'auc',
  'SensitivityAtSpecificity', 'sensitivity_at_specificity',
  'SpecificityAtSensitivity', 'specificity_at_sensitivity',
  'PrecisionAtRecall', 'precision_at_recall', 'RecallAtPrecision', 'recall_at_precision',
  'F1Score', 'f1_score', 'FBetaScore', 'f_beta_score', 'fbeta_score',
  'R2Score', 'r2_score', 'CosineSimilarity', 'cosine_similarity',
  'PearsonCorrelation', 'pearson_correlation', 'ConcordanceCorrelation', 'concordance_correlation',
  'IoU', 'io_u', 'BinaryIoU', 'binary_io_u', 'MeanIoU', 'mean_io_u',
  'OneHotIoU', 'one_hot_io_u', 'OneHotMeanIoU', 'one_hot_mean_io_u',
]);
const MINIMISED = new Set([
  'loss',
  'MeanSquaredError', 'mean_squared_error', 'mse', 'MSE',
  'MeanAbsoluteError', 'mean_absolute_error', 'mae', 'MAE',
  'MeanAbsolutePercentageError', 'mean_absolute_percentage_error', 'mape', 'MAPE',
  'MeanSquaredLogarithmicError', 'mean_squared_logarithmic_error', 'msle', 'MSLE',
  'RootMeanSquaredError', 'root_mean_squared_error',
  'LogCoshError', 'log_cosh_error', 'logcosh',
  'Hinge', 'hinge', 'SquaredHinge', 'squared_hinge', 'CategoricalHinge', 'categorical_hinge',
  'KLDivergence', 'kl_divergence', 'Poisson', 'poisson',
  'BinaryCrossentropy', 'binary_crossentropy', 'bce', 'BCE',
  'CategoricalCrossentropy', 'categorical_crossentropy',
  'SparseCategoricalCrossentropy', 'sparse_categorical_crossentropy',
]);

type Direction = 'min' | 'max';

function autoDirection(monitor: string): Direction {
  const name = monitor.startsWith('val_') ? monitor.slice(4) : monitor;
  // Keras compiles metrics=['accuracy'] or ['acc'] in any letter case to an accuracy metric.
  if (MAXIMISED.has(name) || ['accuracy', 'acc'].includes(name.toLowerCase())) return 'max';
  if (MINIMISED.has(name)) return 'min';
  throw new ValueError(
    `EarlyStopping: cannot tell whether monitor '${monitor}' should be maximized or minimized; ` +
      `pass mode: 'max' to stop on the highest value or mode: 'min' to stop on the lowest`,
  );
}

export class EarlyStopping extends Callback {
  readonly monitor: string;
  /** |minDelta|, as Keras stores it. */
  readonly minDelta: number;
  readonly patience: number;
  readonly verbose: 0 | 1;
  readonly mode: 'auto' | 'min' | 'max';
  readonly baseline: number | null;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;

  /** Epochs since the last improvement (counting the current one), as Keras's `wait`. */
  private wait = 0;
  private stopped = 0;
  private bestAt = 0;
  /** null until the first monitored epoch (Keras's None): that epoch always counts as an improvement. */
  private bestValue: number | null = null;
  private bestWeights: Tensor[] | null = null;
  /** Settled at the first epoch end, as Keras does (_set_monitor_op). */
  private direction: Direction | null = null;
  private readonly warned = new Set<string>();

  constructor(options: EarlyStoppingOptions = {}) {
    super();
    checkOptionNames('EarlyStopping', options, OPTION_NAMES);
    const o = options ?? {};
    this.monitor = checkMonitor(o.monitor);
    this.minDelta = Math.abs(checkNumber('minDelta', o.minDelta, 0));
    this.patience = checkCount('patience', o.patience);
    this.verbose = checkChoice('verbose', o.verbose, [0, 1] as const, 0);
    this.mode = checkChoice('mode', o.mode, ['auto', 'min', 'max'] as const, 'auto');
    this.baseline = o.baseline === null ? null : checkNumber('baseline', o.baseline, null);
    this.restoreBestWeights = checkFlag('restoreBestWeights', o.restoreBestWeights);
    this.startFromEpoch = checkCount('startFromEpoch', o.startFromEpoch);
  }

  /** The epoch (0-based) at whose end training was stopped; 0 if it was not stopped. */
  get stoppedEpoch(): number {
    return this.stopped;
  }

  /** The epoch (0-based) of the best monitored value so far. */
  get bestEpoch(): number {
    return this.bestAt;
  }

  /** The best monitored value so far; NaN before the first monitored epoch (Keras: None). */
  get best(): number {
    return this.bestValue ?? NaN;
  }

  // Resets everything, so one instance can serve several trainings.
  override onTrainBegin(): void {
    this.wait = 0;
    this.stopped = 0;
    this.bestValue = null;
    this.bestWeights = null;
    this.bestAt = 0;
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    this.direction ??= this.mode === 'auto' ? autoDirection(this.monitor) : this.mode;
    const current = this.monitoredValue(logs);
    if (current === undefined || epoch < this.startFromEpoch) return;
    const model = this.requireModel();
    if (this.restoreBestWeights && this.bestWeights === null) {
      // The first watched epoch's weights are the best until one improves on them.
      this.bestWeights = copyWeights(model.getWeights());
      this.bestAt = epoch;
    }
    this.wait += 1;
    if (this.isImprovement(current, this.bestValue)) {
      this.bestValue = current;
      this.bestAt = epoch;
      if (this.restoreBestWeights) this.bestWeights = copyWeights(model.getWeights());
      // The count restarts only when the value also beats the baseline.
      if (this.baseline === null || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stopped = epoch;
      model.stopTraining = true;
    }
  }

  // Keras restores the best weights whether or not training was stopped early.
  override onTrainEnd(): void {
    if (this.stopped > 0 && this.verbose > 0) {
      process.stdout.write(`Epoch ${this.stopped + 1}: early stopping\n`);
    }
    if (this.restoreBestWeights && this.bestWeights !== null) {
      if (this.verbose > 0) {
        process.stdout.write(`Restoring model weights from the end of the best epoch: ${this.bestAt + 1}.\n`);
      }
      this.requireModel().setWeights(this.bestWeights);
    }
  }

  private monitoredValue(logs: Logs): number | undefined {
    const value = logs[this.monitor];
    if (value === undefined || value === null) {
      const message =
        `Early stopping conditioned on metric \`${this.monitor}\` which is not available. ` +
        `Available metrics are: ${Object.keys(logs).join(',')}`;
      // Python prints a given warning once, not at every epoch.
      if (!this.warned.has(message)) {
        this.warned.add(message);
        process.stderr.write(`Warning: ${message}\n`);
      }
      return undefined;
    }
    return value;
  }

  // Keras: ops.less/greater(value - min_delta, reference) with min_delta negated in 'min' mode; the
  // difference is taken in float64, then both sides become float32 tensors (TensorFlow, JAX, torch).
  private isImprovement(value: number, reference: number | null): boolean {
    if (reference === null) return true;
    return this.direction === 'min'
      ? Math.fround(value + this.minDelta) < Math.fround(reference)
      : Math.fround(value - this.minDelta) > Math.fround(reference);
  }
}

// The optimizer may update weight tensors in place, so the best ones are kept as copies.
function copyWeights(weights: Tensor[]): Tensor[] {
  return weights.map((w) => new Tensor(new Float32Array(w.data), w.shape));
}

function checkMonitor(value: unknown): string {
  if (value === undefined) return 'val_loss';
  if (typeof value !== 'string') {
    throw new InputTypeError(`EarlyStopping: monitor must be a string, got ${describeValue(value)}`);
  }
  if (value === '') throw new ValueError(`EarlyStopping: monitor must name a logs entry, got the empty string`);
  return value;
}

function checkNumber<T extends number | null>(name: string, value: unknown, fallback: T): number | T {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') {
    throw new InputTypeError(`EarlyStopping: ${name} must be a number, got ${describeValue(value)}`);
  }
  if (!Number.isFinite(value)) {
    throw new ValueError(`EarlyStopping: ${name} must be a finite number, got ${value}`);
  }
  return value;
}

function checkCount(name: string, value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number') {
    throw new InputTypeError(`EarlyStopping: ${name} must be a number, got ${describeValue(value)}`);
  }
  if (!Number.isInteger(value) || value < 0) {
    throw new ValueError(`EarlyStopping: ${name} must be an integer >= 0, got ${value}`);
  }
  return value;
}

function checkChoice<T extends string | number>(name: string, value: unknown, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!choices.includes(value as T)) {
    const listed = choices.map((c) => (typeof c === 'string' ? `'${c}'` : String(c))).join(', ');
    throw new ValueError(`EarlyStopping: ${name} must be one of ${listed}, got ${describeValue(value)}`);
  }
  return value as T;
}

function checkFlag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new InputTypeError(`EarlyStopping: ${name} must be true or false, got ${describeValue(value)}`);
  }
  return value;
}
