// Sequential: a linear stack of layers with Keras's shape inference, summary and predict.
import { InputTypeError, ShapeError, StateError, ValueError, describeValue, formatShape } from '../errors';
import { InputLayer } from '../layers/input-layer';
import { Layer, LayerResult, StepMask, toInputTensor } from '../layers/layer';
import { uniqueName } from '../layers/naming';
import { Shape } from '../layers/shapes';
import { Tensor, TensorLike } from '../tensor';
import { SummaryOptions, renderSummary } from './summary';
import { CompileOptions, Compiled, resolveCompile } from './compile';
import { EvaluateOptions, FitOptions, runEvaluate, runFit } from './fit';
import type { History } from '../training/callbacks';
import type { Optimizer } from '../training/optimizers';
import { SaveOptions, saveModel } from '../io/save-model';

export interface SequentialOptions {
  name?: string;
}

export interface PredictOptions {
  /** Split the input into batches of this many samples (default: the whole input at once). */
  batchSize?: number;
}

export class Sequential {
  readonly name: string;
  private readonly stack: Layer[] = [];
  private declaredInput: Shape | null = null;
  /** Output shape of each layer once the model is built. */
  private shapes: (Shape | Shape[])[] = [];
  private compiled: Compiled | null = null;
  /** Set by a callback (EarlyStopping) to end fit after the current epoch. */
  stopTraining = false;

  constructor(layers: Layer[] = [], options: SequentialOptions = {}) {
    if (!Array.isArray(layers)) throw new InputTypeError(`Sequential: expected an array of layers, got ${describeValue(layers)}`);
    for (const key of Object.keys(options ?? {})) {
      if (key !== 'name') throw new ValueError(`Sequential: unknown option '${key}'; known options: name`);
    }
    this.name = options.name ?? uniqueName('sequential');
    for (const layer of layers) this.add(layer);
  }

  /** The layers, in order (an Input layer is not listed, as in Keras). */
  get layers(): Layer[] {
    return [...this.stack];
  }

  get built(): boolean {
    return this.stack.length > 0 && this.shapes.length === this.stack.length;
  }

  /** The model's input shape, batch first, once known. */
  get inputShape(): Shape | null {
    return this.declaredInput ? [...this.declaredInput] : null;
  }

  /** The model's output shape once built. */
  get outputShape(): Shape | Shape[] | null {
    return this.built ? this.shapes[this.shapes.length - 1] : null;
  }

  /** Adds a layer on top; when the input shape is known, builds it and infers its output shape. */
  add(layer: Layer): void {
    if (!(layer instanceof Layer)) throw new InputTypeError(`Sequential.add: expected a layer, got ${describeValue(layer)}`);
    if (this.stack.includes(layer)) throw new ValueError(`Sequential.add: layer ${layer.name} is already in the model`);
    if (layer instanceof InputLayer) {
      if (this.stack.length > 0 || this.declaredInput) throw new ValueError('Sequential.add: an Input must come first');
      this.declaredInput = layer.batchInputShape;
      return;
    }
    if (this.stack.length === 0 && !this.declaredInput && layer.batchInputShape) this.declaredInput = layer.batchInputShape;
    const previous = this.stack.length === 0 ? this.declaredInput : this.built ? this.shapes[this.shapes.length - 1] : null;
    this.stack.push(layer);
    if (previous) this.buildLayer(layer, previous);
  }

  /** Removes the last layer. */
  pop(): Layer {
    const layer = this.stack.pop();
    if (!layer) throw new StateError('Sequential.pop: the model has no layers');
    this.shapes = this.shapes.slice(0, this.stack.length);
    return layer;
  }

  private buildLayer(layer: Layer, inputShape: Shape | Shape[]): void {
    if (Array.isArray(inputShape[0])) {
      const prev = this.stack[this.stack.length - 2];
      throw new ValueError(
        `Sequential: every layer must have one output; ${prev?.name ?? 'the previous layer'} returns ${(inputShape as Shape[]).length} ` +
          `(returnState or mergeMode null): use the layer on its own with apply()`,
      );
    }
    layer.build(inputShape as Shape);
    this.shapes.push(layer.computeOutputShape(inputShape as Shape));
  }

  /** Builds every layer for an input shape (batch first); add() does this when it can. */
  build(inputShape?: Shape): void {
    const shape = inputShape ?? this.declaredInput;
    if (!shape) throw new StateError(`${this.name}: no input shape; pass one to build() or give the first layer inputShape`);
    if (this.stack.length === 0) throw new StateError(`${this.name}: the model has no layers`);
    this.declaredInput = [...shape];
    this.shapes = [];
    let current: Shape | Shape[] = shape;
    for (const layer of this.stack) {
      this.buildLayer(layer, current);
      current = this.shapes[this.shapes.length - 1];
    }
  }

  private ensureBuilt(x: Tensor): void {
    if (this.stack.length === 0) throw new StateError(`${this.name}: the model has no layers; add() some first`);
    if (!this.built) this.build(this.declaredInput ?? [null, ...x.shape.slice(1)]);
    const expected = this.declaredInput!;
    // Like Keras's input spec: the rank and every declared size but the batch must match.
    const compatible = x.rank === expected.length && expected.every((d, i) => i === 0 || d === null || d === x.shape[i]);
    if (!compatible) {
      throw new ShapeError(`${this.name}: expected input of shape ${formatShape(expected)}, got ${formatShape(x.shape)}`);
    }
  }

  /**
   * Saves the model: to a path ending in .keras (Keras 3's format; Keras 3 and loadModel read it),
   * or to a TF.js layers-model directory with { format: 'tfjs' } or a 'file://' URL.
   */
  async save(target: string, options: SaveOptions = {}): Promise<void> {
    await saveModel(this, target, options);
  }

  /** Prints the Keras summary table and returns it as a string. */
  summary(options: SummaryOptions = {}): string {
    if (!this.built) {
      throw new StateError(
        `${this.name}: this model has not yet been built. Give the first layer an inputShape (or add an Input), ` +
          `call build(inputShape), or predict() once, then call summary()`,
      );
    }
    const rows = this.stack.map((layer, i) => ({
      name: layer.name,
      className: layer.className,
      outputShape: this.shapes[i],
      params: layer.countParams(),
      trainable: layer.trainable,
    }));
    return renderSummary(this.name, rows, options);
  }

  countParams(): number {
    if (!this.built) throw new StateError(`${this.name}: the model is not built yet, so it has no weights to count`);
    return this.stack.reduce((n, l) => n + l.countParams(), 0);
  }

  getWeights(): Tensor[] {
    return this.stack.flatMap((l) => l.getWeights());
  }

  setWeights(weights: TensorLike[]): void {
    if (!Array.isArray(weights)) throw new InputTypeError(`${this.name}: setWeights expects an array, got ${describeValue(weights)}`);
    const counts = this.stack.map((l) => l.getWeights().length);
    const total = counts.reduce((a, b) => a + b, 0);
    if (weights.length !== total) {
      throw new ShapeError(`${this.name}: setWeights expects ${total} weights (${counts.join(' + ')} over ${this.stack.length} layers), got ${weights.length}`);
    }
    let offset = 0;
    this.stack.forEach((l, i) => {
      l.setWeights(weights.slice(offset, offset + counts[i]));
      offset += counts[i];
    });
  }

  /** Sets the optimizer, loss and metrics that fit and evaluate use (keras Model.compile). */
  compile(options: CompileOptions): void {
    this.compiled = resolveCompile(this.name, options);
  }

  /** The compiled optimizer (null before compile). */
  get optimizer(): Optimizer | null {
    return this.compiled?.optimizer ?? null;
  }

  private requireCompiled(what: string): Compiled {
    if (this.compiled === null) {
      throw new StateError(`${this.name}.${what}: the model must be compiled first, e.g. model.compile({ optimizer: 'adam', loss: 'mse' })`);
    }
    return this.compiled;
  }

  /**
   * Trains the model on (x, y) with backpropagation through time (keras Model.fit). Resolves to the
   * History of the epochs' logs; yields to the event loop between batches.
   */
  fit(x: TensorLike, y: TensorLike, options: FitOptions = {}): Promise<History> {
    try {
      return runFit(this.trainable(), this.requireCompiled('fit'), x, y, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The loss, or [loss, ...metrics] with metrics, on (x, y) in inference mode (keras Model.evaluate). */
  evaluate(x: TensorLike, y: TensorLike, options: EvaluateOptions = {}): Promise<number | number[]> {
    try {
      return runEvaluate(this.trainable(), this.requireCompiled('evaluate'), x, y, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private trainable(): import('./fit').TrainableModel {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const model = this;
    return {
      name: this.name,
      get stopTraining() {
        return model.stopTraining;
      },
      set stopTraining(v: boolean) {
        model.stopTraining = v;
      },
      getWeights: () => this.getWeights(),
      setWeights: (w) => this.setWeights(w),
      layersFor: (x) => {
        this.ensureBuilt(x);
        return this.layers;
      },
    };
  }

  /** Forgets the states kept by stateful layers. */
  resetStates(): void {
    for (const layer of this.stack) {
      const resettable = layer as Layer & { resetStates?: () => void };
      if (typeof resettable.resetStates === 'function') resettable.resetStates();
    }
  }

  private batches(x: Tensor, options: PredictOptions): Tensor[] {
    for (const key of Object.keys(options ?? {})) {
      if (key !== 'batchSize') throw new ValueError(`${this.name}.predict: unknown option '${key}'; known options: batchSize`);
    }
    const size = options.batchSize;
    if (size === undefined) return [x];
    if (!Number.isInteger(size) || size < 1) throw new ValueError(`${this.name}.predict: batchSize must be an integer >= 1, got ${describeValue(size)}`);
    const n = x.shape[0];
    const per = x.data.length / Math.max(n, 1);
    const out: Tensor[] = [];
    for (let start = 0; start < n; start += size) {
      const end = Math.min(n, start + size);
      out.push(new Tensor(x.data.subarray(start * per, end * per), [end - start, ...x.shape.slice(1)]));
    }
    return out;
  }

  private prepare(x: TensorLike, options: PredictOptions): Tensor[] {
    const input = toInputTensor(`${this.name}.predict`, x);
    this.ensureBuilt(input);
    if (input.rank > 0 && input.shape[0] === 0) throw new ShapeError(`${this.name}.predict: the batch is empty, got shape ${formatShape(input.shape)}`);
    return this.batches(input, options);
  }

  /** Runs the model on a batch (synchronously, on the calling thread plus the native pool). */
  predict(x: TensorLike, options: PredictOptions = {}): Tensor {
    const parts = this.prepare(x, options).map((batch) => {
      let result: LayerResult = { output: batch, mask: null };
      for (const layer of this.stack) result = layer.invoke(result.output as Tensor, { mask: result.mask });
      return result.output as Tensor;
    });
    return concatBatches(parts);
  }

  /** predict() with the kernels run off the event loop on the native backend. */
  async predictAsync(x: TensorLike, options: PredictOptions = {}): Promise<Tensor> {
    const parts: Tensor[] = [];
    for (const batch of this.prepare(x, options)) {
      let output: Tensor = batch;
      let mask: StepMask | null = null;
      for (const layer of this.stack) {
        const result = await layer.invokeAsync(output, { mask });
        output = result.output as Tensor;
        mask = result.mask;
      }
      parts.push(output);
    }
    return concatBatches(parts);
  }
}

function concatBatches(parts: Tensor[]): Tensor {
  if (parts.length === 1) return parts[0];
  const total = parts.reduce((n, p) => n + p.data.length, 0);
  const data = new Float32Array(total);
  let offset = 0;
  for (const p of parts) {
    data.set(p.data, offset);
    offset += p.data.length;
  }
  return new Tensor(data, [parts.reduce((n, p) => n + p.shape[0], 0), ...parts[0].shape.slice(1)]);
}
