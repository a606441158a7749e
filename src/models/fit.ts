// The training loop behind Sequential.fit / evaluate (Keras's Trainer.fit and evaluate): batches,
// the forward pass with dropout, the loss, the backward pass layer by layer, the optimizer step,
// metrics as running means over the epoch, validation, and the callbacks.
import { InputTypeError, ShapeError, ValueError, describeValue, formatShape } from '../errors';
import type { AsyncTrainStep, Layer, RandomSource, StepMask, WeightGradient } from '../layers/layer';
import { SeededRandom, randomSeed } from '../random';
import { Tensor, TensorLike } from '../tensor';
import { Callback, CallbackList, CallbackModel, History, Logs, ProgressLogger } from '../training/callbacks';
import type { CustomCallbackArgs } from '../training/callbacks';
import type { Metric } from '../training/metrics';
import { Compiled, buildMetrics } from './compile';
import { toInputTensor } from '../layers/layer';
import { checkBoolean, checkOptionNames, checkPositiveInt, checkRate } from '../layers/options';

export interface FitOptions {
  epochs?: number;
  /** Samples per gradient step (default 32). */
  batchSize?: number;
  /** 0 silent, 1 a progress bar per epoch, 2 one line per epoch (default 1, as Keras's 'auto'). */
  verbose?: 0 | 1 | 2 | 'auto';
  callbacks?: (Callback | CustomCallbackArgs)[];
  /** Shuffle the training samples before each epoch (default true). */
  shuffle?: boolean;
  /** Fraction of the samples, taken from the end before shuffling, held out for validation. */
  validationSplit?: number;
  /** [x, y] to evaluate on after each epoch (takes precedence over validationSplit). */
  validationData?: [TensorLike, TensorLike];
  /** The epoch to start at (to resume training); epochs counts from 0, as Keras. */
  initialEpoch?: number;
}

export interface EvaluateOptions {
  batchSize?: number;
  verbose?: 0 | 1 | 'auto';
}

const FIT_OPTION_NAMES = ['epochs', 'batchSize', 'verbose', 'callbacks', 'shuffle', 'validationSplit', 'validationData', 'initialEpoch'];
const EVALUATE_OPTION_NAMES = ['batchSize', 'verbose'];

/** What the loop needs of a model. */
export interface TrainableModel extends CallbackModel {
  readonly name: string;
  /** The layers, in order, built for x (building them if needed). */
  layersFor(x: Tensor): Layer[];
}

/** Labels: a Tensor whose first axis is the samples. */
interface Data {
  x: Tensor;
  y: Tensor;
}

/** The layers' option check (with its did-you-mean); null is refused too, not taken as no options. */
function checkOptions(owner: string, options: object, names: string[]): void {
  if (options === null) throw new InputTypeError(`${owner}: options must be an object, got null`);
  checkOptionNames(owner, options, names);
}

function positiveInt(owner: string, name: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : checkPositiveInt(owner, name, value);
}

function verbosity(owner: string, value: unknown, allowed: number[]): number {
  if (value === undefined || value === 'auto') return 1;
  if (typeof value !== 'number' || !allowed.includes(value)) {
    throw new ValueError(`${owner}: verbose must be ${allowed.join(', ')} or 'auto', got ${describeValue(value)}`);
  }
  return value;
}

function toData(owner: string, x: TensorLike, y: TensorLike): Data {
  const xs = toInputTensor(`${owner} x`, x);
  const ys = toInputTensor(`${owner} y`, y);
  if (xs.rank < 1 || xs.shape[0] === 0) throw new ShapeError(`${owner}: x must hold at least one sample, got shape ${formatShape(xs.shape)}`);
  if (ys.rank < 1 || ys.shape[0] !== xs.shape[0]) {
    throw new ShapeError(`${owner}: x and y must hold the same number of samples, got x ${formatShape(xs.shape)} (${xs.shape[0]}) and y ${formatShape(ys.shape)} (${ys.rank < 1 ? 0 : ys.shape[0]})`);
  }
  for (const [name, t] of [['x', xs], ['y', ys]] as const) {
    for (let i = 0; i < t.data.length; i++) {
      if (!Number.isFinite(t.data[i])) throw new ValueError(`${owner}: ${name} must hold finite numbers, got ${t.data[i]} at flat index ${i}`);
    }
  }
  return { x: xs, y: ys };
}

/** The samples at `indices` of a (samples, ...) tensor. */
function rowsOf(t: Tensor, indices: ArrayLike<number>): Tensor {
  const per = t.data.length / t.shape[0];
  const out = new Float32Array(indices.length * per);
  for (let i = 0; i < indices.length; i++) out.set(t.data.subarray(indices[i] * per, (indices[i] + 1) * per), i * per);
  return new Tensor(out, [indices.length, ...t.shape.slice(1)]);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** The loss's weights: the last layer's mask when a sequence output carries one (Keras's masked mean). */
function lossWeights(output: Tensor, mask: StepMask | null): Float32Array | null {
  if (mask === null || output.rank !== 3) return null;
  return Float32Array.from(mask);
}

/**
 * The labels, checked against the output and the loss: the output's shape, or class ids for the
 * sparse loss. Labels one axis short of an output whose last axis is 1 ((batch,) for (batch, 1))
 * get that axis, as Keras's losses expand them.
 */
function alignLabels(owner: string, c: Compiled, output: Tensor, y: Tensor): Tensor {
  const sparse = c.loss.name === 'sparse_categorical_crossentropy';
  if (!sparse && y.rank === output.rank - 1 && output.shape[output.rank - 1] === 1) y = new Tensor(y.data, [...y.shape, 1]);
  checkLabels(owner, c, output, y);
  return y;
}

function checkLabels(owner: string, c: Compiled, output: Tensor, y: Tensor): void {
  const pred = output.shape.slice(1);
  const labels = y.shape.slice(1);
  const sparse = c.loss.name === 'sparse_categorical_crossentropy';
  const same = labels.length === pred.length && labels.every((d, i) => d === pred[i]);
  const ids =
    sparse &&
    ((labels.length === pred.length - 1 && labels.every((d, i) => d === pred[i])) ||
      (labels.length === pred.length && labels.slice(0, -1).every((d, i) => d === pred[i]) && labels[labels.length - 1] === 1));
  if (sparse ? !ids : !same) {
    const want = sparse ? `${formatShape([null, ...pred.slice(0, -1)])} of class ids` : formatShape([null, ...pred]);
    throw new ShapeError(`${owner}: the loss ${c.loss.name} expects labels of shape ${want} for the model's output ${formatShape([null, ...pred])}, got y ${formatShape(y.shape)}`);
  }
}

/** Runs the layers in inference mode off the event loop, keeping the last mask (for the loss's weights). */
async function inferenceForwardAsync(layers: Layer[], x: Tensor): Promise<{ output: Tensor; mask: StepMask | null }> {
  let output = x;
  let mask: StepMask | null = null;
  for (const layer of layers) {
    const r = await layer.invokeAsync(output, { mask });
    output = r.output as Tensor;
    mask = r.mask;
  }
  return { output, mask };
}

/**
 * One gradient step on a batch, its kernels off the event loop; returns the batch's loss and the
 * training forward's output.
 */
async function trainBatch(owner: string, layers: Layer[], c: Compiled, x: Tensor, y: Tensor, random: RandomSource): Promise<{ loss: number; output: Tensor; mask: StepMask | null }> {
  const steps: AsyncTrainStep[] = [];
  let output = x;
  let mask: StepMask | null = null;
  for (const layer of layers) {
    const step = await layer.invokeTrainAsync(output, { mask }, random);
    if (Array.isArray(step.result.output)) {
      throw new ValueError(`${owner}: ${layer.name} returns ${step.result.output.length} outputs; a trained model's layers must return one`);
    }
    steps.push(step);
    output = step.result.output;
    mask = step.result.mask;
  }
  const { loss, grad } = c.loss.compute(y.data, output.data, output.shape, lossWeights(output, mask));
  let d: Float32Array | null = grad;
  const grads: WeightGradient[] = [];
  const variables: { name: string; value: Float32Array }[] = [];
  const changed: Layer[] = [];
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    const weights = layer.weightVariables();
    if (d === null) {
      if (weights.length > 0 && layer.trainable) throw new ValueError(`${owner}: no gradient reaches ${layer.name} (a layer before it has an input without gradient)`);
      continue;
    }
    const g = await steps[i].backward([d]);
    if (layer.trainable && weights.length > 0) {
      weights.forEach((w, k) => {
        grads.push(g.grads[k]);
        variables.push({ name: `${layer.name}/${w.name}`, value: w.value });
      });
      changed.push(layer);
    }
    d = g.dx;
  }
  c.optimizer.apply(grads, variablesFor(variables));
  for (const layer of changed) layer.markWeightsChanged();
  return { loss, output, mask };
}

// The optimizer keys its slots (Adam's moments, ...) by the Variable object, so each weight array
// gets one Variable for the model's lifetime.
const variableOf = new WeakMap<Float32Array, { name: string; value: Float32Array }>();
function variablesFor(list: { name: string; value: Float32Array }[]): { name: string; value: Float32Array }[] {
  return list.map((v) => {
    let kept = variableOf.get(v.value);
    if (kept === undefined) {
      kept = { name: v.name, value: v.value };
      variableOf.set(v.value, kept);
    }
    return kept;
  });
}

function splitValidation(owner: string, data: Data, options: FitOptions): { train: Data; validation: Data | null } {
  if (options.validationData !== undefined) {
    const v = options.validationData;
    if (!Array.isArray(v) || v.length !== 2) {
      throw new InputTypeError(`${owner}: validationData must be [x, y], got ${describeValue(v)}`);
    }
    return { train: data, validation: toData(`${owner} validationData`, v[0], v[1]) };
  }
  const split = checkRate(owner, 'validationSplit', options.validationSplit);
  if (split === 0) return { train: data, validation: null };
  const n = data.x.shape[0];
  const at = Math.ceil(n * (1 - split)); // Keras: the last samples, before any shuffling
  if (at === n || at === 0) {
    throw new ValueError(`${owner}: validationSplit ${split} of ${n} samples leaves ${at === n ? 'no validation' : 'no training'} samples`);
  }
  const first = range(0, at);
  const last = range(at, n);
  return {
    train: { x: rowsOf(data.x, first), y: rowsOf(data.y, first) },
    validation: { x: rowsOf(data.x, last), y: rowsOf(data.y, last) },
  };
}

/** Yields to the event loop (timers and I/O run) between batches. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function metricLogs(loss: { sum: number; count: number }, metrics: Metric[], prefix = ''): Logs {
  const logs: Logs = {};
  logs[`${prefix}loss`] = loss.sum / loss.count;
  for (const m of metrics) logs[`${prefix}${m.name}`] = m.result();
  return logs;
}

/** Loss and metrics of a dataset in inference mode (Keras's evaluate), batch by batch. */
async function evaluateData(layers: Layer[], c: Compiled, data: Data, batchSize: number): Promise<{ loss: number; metrics: Metric[] }> {
  const n = data.x.shape[0];
  let metrics: Metric[] | null = null;
  const loss = { sum: 0, count: 0 };
  for (let start = 0; start < n; start += batchSize) {
    const idx = range(start, Math.min(n, start + batchSize));
    const x = rowsOf(data.x, idx);
    const y = rowsOf(data.y, idx);
    const { output, mask } = await inferenceForwardAsync(layers, x);
    const weights = lossWeights(output, mask);
    if (metrics === null) metrics = buildMetrics(c, output.shape, y.shape);
    loss.sum += c.loss.compute(y.data, output.data, output.shape, weights).loss * idx.length;
    loss.count += idx.length;
    for (const m of metrics) m.update(y.data, output.data, output.shape, weights);
    await yieldToEventLoop();
  }
  return { loss: loss.sum / loss.count, metrics: metrics ?? [] };
}

export async function runFit(model: TrainableModel, c: Compiled, x: TensorLike, y: TensorLike, options: FitOptions = {}): Promise<History> {
  const owner = `${model.name}.fit`;
  checkOptions(owner, options, FIT_OPTION_NAMES);
  const epochs = positiveInt(owner, 'epochs', options.epochs, 1);
  const batchSize = positiveInt(owner, 'batchSize', options.batchSize, 32);
  const verbose = verbosity(owner, options.verbose, [0, 1, 2]);
  const shuffle = checkBoolean(owner, 'shuffle', options.shuffle, true);
  const initialEpoch = options.initialEpoch ?? 0;
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0) throw new ValueError(`${owner}: initialEpoch must be an integer >= 0, got ${describeValue(initialEpoch)}`);
  const userCallbacks = options.callbacks ?? [];
  if (!Array.isArray(userCallbacks)) throw new InputTypeError(`${owner}: callbacks must be an array, got ${describeValue(userCallbacks)}`);

  const split = splitValidation(owner, toData(owner, x, y), options);
  const layers = model.layersFor(split.train.x);
  // Check the labels against the model's output on one sample, before any weight changes.
  const align = async (what: string, d: Data): Promise<Data> => ({
    x: d.x,
    y: alignLabels(what, c, (await inferenceForwardAsync(layers, rowsOf(d.x, [0]))).output, d.y),
  });
  const train = await align(owner, split.train);
  const validation = split.validation === null ? null : await align(`${owner} validationData`, split.validation);

  const steps = Math.ceil(train.x.shape[0] / batchSize);
  const history = new History();
  const callbacks: (Callback | CustomCallbackArgs)[] = [...userCallbacks];
  const progress = verbose > 0 ? new ProgressLogger(verbose as 1 | 2) : null;
  if (progress !== null) callbacks.push(progress);
  callbacks.push(history);
  const list = new CallbackList(callbacks, model, { epochs, steps, verbose: verbose as 0 | 1 | 2 });

  model.stopTraining = false;
  try {
    return await trainEpochs(owner, model, c, list, layers, train, validation, { epochs, batchSize, shuffle, initialEpoch }, history);
  } catch (err) {
    progress?.onTrainEnd(); // a bar left running would keep the terminal's line wrapping off
    throw err;
  }
}

interface EpochPlan {
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  initialEpoch: number;
}

async function trainEpochs(
  owner: string,
  model: TrainableModel,
  c: Compiled,
  list: CallbackList,
  layers: Layer[],
  train: Data,
  validation: Data | null,
  { epochs, batchSize, shuffle, initialEpoch }: EpochPlan,
  history: History,
): Promise<History> {
  const n = train.x.shape[0];
  const steps = Math.ceil(n / batchSize);
  const random = new SeededRandom(randomSeed());
  await list.onTrainBegin();
  let epochLogs: Logs = {};
  for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
    await list.onEpochBegin(epoch);
    const order = range(0, n);
    if (shuffle) {
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random.next() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
    }
    const loss = { sum: 0, count: 0 };
    let metrics: Metric[] | null = null;
    for (let step = 0; step < steps; step++) {
      await list.onTrainBatchBegin(step);
      const idx = order.slice(step * batchSize, Math.min(n, (step + 1) * batchSize));
      const bx = rowsOf(train.x, idx);
      const by = rowsOf(train.y, idx);
      const result = await trainBatch(owner, layers, c, bx, by, random);
      if (metrics === null) metrics = buildMetrics(c, result.output.shape, by.shape);
      loss.sum += result.loss * idx.length;
      loss.count += idx.length;
      for (const m of metrics) m.update(by.data, result.output.data, result.output.shape, lossWeights(result.output, result.mask));
      await list.onTrainBatchEnd(step, metricLogs(loss, metrics));
      await yieldToEventLoop();
    }
    epochLogs = metricLogs(loss, metrics ?? []);
    if (validation !== null) {
      const v = await evaluateData(layers, c, validation, batchSize);
      Object.assign(epochLogs, metricLogs({ sum: v.loss, count: 1 }, v.metrics, 'val_'));
    }
    await list.onEpochEnd(epoch, epochLogs);
  }
  await list.onTrainEnd(epochLogs);
  return history;
}

/** Keras's evaluate: the loss, or [loss, ...metrics] when the model has metrics. */
export async function runEvaluate(model: TrainableModel, c: Compiled, x: TensorLike, y: TensorLike, options: EvaluateOptions = {}): Promise<number | number[]> {
  const owner = `${model.name}.evaluate`;
  checkOptions(owner, options, EVALUATE_OPTION_NAMES);
  const batchSize = positiveInt(owner, 'batchSize', options.batchSize, 32);
  verbosity(owner, options.verbose, [0, 1]);
  const raw = toData(owner, x, y);
  const layers = model.layersFor(raw.x);
  const data = { x: raw.x, y: alignLabels(owner, c, (await inferenceForwardAsync(layers, rowsOf(raw.x, [0]))).output, raw.y) };
  const { loss, metrics } = await evaluateData(layers, c, data, batchSize);
  return metrics.length === 0 ? loss : [loss, ...metrics.map((m) => m.result())];
}
