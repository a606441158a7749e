// The Layer base: names, declared input shapes, weights in Keras get_weights() order, and
// apply() on eager input. Layers never know which backend runs their kernels.
import { InputTypeError, ShapeError, StateError, ValueError, describeValue, formatShape } from '../errors';
import { deriveSeed, randomSeed, SeededRandom } from '../random';
import { Tensor, TensorLike, tensor } from '../tensor';
import { Initializer } from './initializers';
import { uniqueName, snakeCaseName } from './naming';
import { Shape, declaredInputShape, sizeOf } from './shapes';

export interface LayerOptions {
  /** Layer name; by default Keras's snake_case class name made unique (simple_rnn, simple_rnn_1). */
  name?: string;
  /** Input shape without the batch dimension, e.g. [timesteps, features]. */
  inputShape?: (number | null)[];
  /** Input shape with the batch dimension, e.g. [8, 2, 10]. */
  batchInputShape?: (number | null)[];
  /** Batch size to combine with inputShape. */
  batchSize?: number;
  trainable?: boolean;
  dtype?: 'float32';
}

export const LAYER_OPTION_NAMES = ['name', 'inputShape', 'batchInputShape', 'batchSize', 'trainable', 'dtype'] as const;

export interface Weight {
  name: string;
  shape: number[];
  value: Float32Array;
}

/** A per-timestep mask: batch*timesteps bytes, 1 = keep, 0 = masked. */
export type StepMask = Uint8Array;

export interface CallArgs {
  mask: StepMask | null;
  initialState: Tensor[] | null;
  training: boolean;
}

export interface LayerResult {
  output: Tensor | Tensor[];
  mask: StepMask | null;
}

/** The gradient of one weight: dense, or rows of a table (Embedding's touched rows; repeats add up). */
export type WeightGradient = Float32Array | { rows: Int32Array; width: number; values: Float32Array };

export interface LayerGradients {
  /** d loss / d input; null when the input has no gradient (Embedding's ids). */
  dx: Float32Array | null;
  /** d loss / d each weight, in weightVariables() order. */
  grads: WeightGradient[];
}

/** One training forward pass of a layer, and the backward pass that goes with it. */
export interface TrainStep {
  result: LayerResult;
  /** dOutputs: d loss / d each of result's outputs (one, or several with returnState). */
  backward(dOutputs: Float32Array[]): LayerGradients;
}

/** A TrainStep whose backward pass runs off the event loop where the backend allows it. */
export interface AsyncTrainStep {
  result: LayerResult;
  backward(dOutputs: Float32Array[]): Promise<LayerGradients>;
}

/** Uniform numbers in [0, 1) for dropout masks (a seeded generator during fit). */
export interface RandomSource {
  next(): number;
}

export interface ApplyOptions {
  /** (batch, timesteps) of 0/1 or booleans: which steps count. */
  mask?: TensorLike | boolean[][] | null;
  /** Initial states of a recurrent layer: [h] or [h, c] (Bidirectional: forward's, then backward's). */
  initialState?: TensorLike[] | TensorLike | null;
  training?: boolean;
}

let skipInitializers = false;

/**
 * Runs `build` with weights allocated as zeros instead of drawn from their initializers: for
 * loading a model file, whose weights replace them all (an orthogonal LSTM(512) takes seconds).
 */
export function withoutInitializers<T>(build: () => T): T {
  const previous = skipInitializers;
  skipInitializers = true;
  try {
    return build();
  } finally {
    skipInitializers = previous;
  }
}

export abstract class Layer {
  /** Keras's class name, shown by summary(): SimpleRNN, LSTM, Dense, ... */
  abstract readonly className: string;
  readonly name: string;
  trainable: boolean;
  /** The batch input shape declared through inputShape / batchInputShape, if any. */
  batchInputShape: Shape | null;
  protected builtInputShape: Shape | null = null;
  protected weightList: Weight[] = [];
  protected readonly seed: number;
  private weightCounter = 0;

  constructor(className: string, options: LayerOptions & { seed?: number } = {}) {
    if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
      throw new ValueError(`${className}: name must be a non-empty string, got ${describeValue(options.name)}`);
    }
    if (options.dtype !== undefined && options.dtype !== 'float32') {
      throw new ValueError(`${className}: dtype must be 'float32' (rnnkit computes in float32), got ${describeValue(options.dtype)}`);
    }
    if (options.seed !== undefined && (typeof options.seed !== 'number' || !Number.isInteger(options.seed))) {
      throw new ValueError(`${className}: seed must be an integer, got ${describeValue(options.seed)}`);
    }
    this.name = options.name ?? uniqueName(snakeCaseName(className));
    this.trainable = options.trainable ?? true;
    this.batchInputShape = declaredInputShape(className, options);
    this.seed = options.seed ?? randomSeed();
  }

  get built(): boolean {
    return this.builtInputShape !== null;
  }

  /** The input shape the layer was built for (batch first), or null before build. */
  get inputShape(): Shape | null {
    return this.builtInputShape ? [...this.builtInputShape] : null;
  }

  /** Creates the weights for an input shape (batch first; null for unknown sizes). */
  build(inputShape: Shape): void {
    if (this.built) {
      this.checkBuildShape(inputShape);
      return;
    }
    this.checkBuildShape(inputShape);
    this.createWeights(inputShape);
    this.builtInputShape = [...inputShape];
  }

  /** Checks an input shape before building (rank, known feature size). */
  abstract checkBuildShape(inputShape: Shape): void;
  protected abstract createWeights(inputShape: Shape): void;
  abstract computeOutputShape(inputShape: Shape): Shape | Shape[];
  /** Runs the layer on checked input. */
  protected abstract call(x: Tensor, args: CallArgs): LayerResult;
  /** The same off the event loop where the backend allows it; by default the sync call. */
  protected async callAsync(x: Tensor, args: CallArgs): Promise<LayerResult> {
    return this.call(x, args);
  }

  /** The Keras layer configuration (camelCase options), enough to re-create the layer. */
  abstract getConfig(): Record<string, unknown>;

  protected addWeight(name: string, shape: number[], init: Initializer): Weight {
    const rng = new SeededRandom(deriveSeed(this.seed, this.weightCounter++));
    const value = skipInitializers ? new Float32Array(sizeOf(shape)) : init(shape, rng);
    const weight = { name, shape, value };
    this.weightList.push(weight);
    return weight;
  }

  /** The weights in Keras get_weights() order, as copies. */
  getWeights(): Tensor[] {
    return this.weightList.map((w) => new Tensor(Float32Array.from(w.value), w.shape));
  }

  /** The weight variables' names and shapes, in get_weights() order. */
  get weights(): ReadonlyArray<{ name: string; shape: number[] }> {
    return this.weightList.map((w) => ({ name: w.name, shape: [...w.shape] }));
  }

  /** Replaces the weights; count and shapes must match getWeights(). */
  setWeights(weights: TensorLike[]): void {
    if (!Array.isArray(weights)) {
      throw new InputTypeError(`${this.name}: setWeights expects an array of ${this.weightList.length} arrays, got ${describeValue(weights)}`);
    }
    if (weights.length !== this.weightList.length) throw weightCountError(this.name, this.weightList, weights.length);
    const values = weights.map((w, i) => {
      const target = this.weightList[i];
      const t = ArrayBuffer.isView(w) ? tensor(w, target.shape) : tensor(w);
      if (formatShape(t.shape) !== formatShape(target.shape)) {
        throw new ShapeError(
          `${this.name}: weight ${i} (${target.name}) must have shape ${formatShape(target.shape)}, got ${formatShape(t.shape)}`,
        );
      }
      return t.data;
    });
    values.forEach((v, i) => this.weightList[i].value.set(v));
    this.weightsChanged();
  }

  /** Called after the weights' values change: layers drop what they derived from them. */
  protected weightsChanged(): void {}

  /** Tells the layer that its weight arrays were updated in place (by an optimizer). */
  markWeightsChanged(): void {
    this.weightsChanged();
  }

  /**
   * The weight variables, in getWeights() order: the arrays themselves (an optimizer updates them
   * in place, then calls markWeightsChanged()).
   */
  weightVariables(): Weight[] {
    return [...this.weightList];
  }

  /**
   * Training: runs the layer forward on checked input (dropout active) and returns the backward
   * pass that goes with it. Layers that cannot be trained throw.
   */
  protected trainCall(_x: Tensor, _args: CallArgs, _random: RandomSource): TrainStep {
    throw new StateError(`${this.name}: ${this.className} layers cannot be trained`);
  }

  /**
   * trainCall with the kernels run off the event loop where the backend allows it (the same
   * numbers); by default the synchronous pass.
   */
  protected async trainCallAsync(x: Tensor, args: CallArgs, random: RandomSource): Promise<AsyncTrainStep> {
    const step = this.trainCall(x, args, random);
    return { result: step.result, backward: async (d) => step.backward(d) };
  }

  /** Used by models: a checked training call, building the layer on first use. */
  invokeTrain(x: Tensor, args: Partial<CallArgs>, random: RandomSource): TrainStep {
    this.ensureBuilt(x);
    this.checkInput(x);
    return this.trainCall(x, trainingArgs(args), random);
  }

  /** invokeTrain off the event loop (fit uses this one). */
  invokeTrainAsync(x: Tensor, args: Partial<CallArgs>, random: RandomSource): Promise<AsyncTrainStep> {
    this.ensureBuilt(x);
    this.checkInput(x);
    return this.trainCallAsync(x, trainingArgs(args), random);
  }

  countParams(): number {
    if (!this.built) {
      throw new StateError(`${this.name}: the layer is not built yet; call build(inputShape) or apply it to data first`);
    }
    return this.weightList.reduce((n, w) => n + sizeOf(w.shape), 0);
  }

  /** Calls the layer on eager input, building it on first use, like calling a Keras layer. */
  apply(x: TensorLike, options: ApplyOptions = {}): Tensor | Tensor[] {
    const { input, args } = this.prepare(x, options);
    return this.call(input, args).output;
  }

  /** apply() run off the event loop where the backend allows it. */
  async applyAsync(x: TensorLike, options: ApplyOptions = {}): Promise<Tensor | Tensor[]> {
    const { input, args } = this.prepare(x, options);
    return (await this.callAsync(input, args)).output;
  }

  /**
   * Used by models and wrappers: a checked call on a Tensor, with the mask flowing from the
   * previous layer and already-checked initial states.
   */
  invoke(x: Tensor, args: Partial<CallArgs> = {}): LayerResult {
    this.ensureBuilt(x);
    this.checkInput(x);
    return this.call(x, { mask: args.mask ?? null, initialState: args.initialState ?? null, training: args.training ?? false });
  }

  async invokeAsync(x: Tensor, args: Partial<CallArgs> = {}): Promise<LayerResult> {
    this.ensureBuilt(x);
    this.checkInput(x);
    return this.callAsync(x, { mask: args.mask ?? null, initialState: args.initialState ?? null, training: args.training ?? false });
  }

  private prepare(x: TensorLike, options: ApplyOptions): { input: Tensor; args: CallArgs } {
    if (options === null || typeof options !== 'object') {
      throw new InputTypeError(`${this.name}: apply options must be an object, got ${describeValue(options)}`);
    }
    for (const key of Object.keys(options)) {
      if (!['mask', 'initialState', 'training'].includes(key)) {
        throw new ValueError(`${this.name}: unknown apply option '${key}'; known options: mask, initialState, training`);
      }
    }
    const input = toInputTensor(this.name, x);
    this.ensureBuilt(input);
    this.checkInput(input);
    const mask = options.mask === undefined || options.mask === null ? null : toStepMask(this.name, options.mask, input);
    const initialState = this.prepareInitialState(options.initialState, input);
    return { input, args: { mask, initialState, training: options.training ?? false } };
  }

  /** Checks user initial states; layers that take them override this, others reject them. */
  prepareInitialState(initialState: ApplyOptions['initialState'], _x: Tensor): Tensor[] | null {
    if (initialState === undefined || initialState === null) return null;
    throw new ValueError(`${this.name}: ${this.className} layers take no initialState`);
  }

  private ensureBuilt(x: Tensor): void {
    if (!this.built) this.build(this.batchInputShape ?? [null, ...x.shape.slice(1)]);
  }

  /** Checks an input tensor against the built shape (rank, feature sizes, non-empty). */
  abstract checkInput(x: Tensor): void;
}

function trainingArgs(args: Partial<CallArgs>): CallArgs {
  return { mask: args.mask ?? null, initialState: args.initialState ?? null, training: true };
}

/** The error for a setWeights call with the wrong number of weights, listing the expected ones. */
export function weightCountError(owner: string, expected: ReadonlyArray<{ name: string; shape: number[] }>, got: number): ShapeError {
  const list = expected.map((w) => `${w.name} ${formatShape(w.shape)}`).join(', ');
  return new ShapeError(`${owner}: setWeights expects ${expected.length} weights (${list || 'none: build the layer first'}), got ${got}`);
}

/** Converts user input to a Tensor, with a typed error for non-array input. */
export function toInputTensor(owner: string, x: unknown): Tensor {
  if (x instanceof Tensor) return x;
  if (Array.isArray(x)) return tensor(x);
  if (ArrayBuffer.isView(x)) {
    throw new InputTypeError(`${owner}: a typed array needs a shape: pass tensor(data, shape)`);
  }
  throw new InputTypeError(`${owner}: expected a Tensor or a nested array of numbers, got ${describeValue(x)}`);
}

/** Converts a user mask ((batch, timesteps) of 0/1 or booleans) to bytes, checking its shape. */
export function toStepMask(owner: string, mask: unknown, x: Tensor): StepMask {
  const [batch, steps] = x.shape;
  let flat: ArrayLike<unknown>;
  let shape: number[];
  if (mask instanceof Tensor) {
    flat = mask.data;
    shape = mask.shape;
  } else if (Array.isArray(mask) && mask.every((row) => Array.isArray(row))) {
    shape = [mask.length, (mask[0] as unknown[] | undefined)?.length ?? 0];
    if (!mask.every((row) => (row as unknown[]).length === shape[1])) {
      throw new ShapeError(`${owner}: mask rows must all have ${shape[1]} steps`);
    }
    flat = (mask as unknown[][]).flat();
  } else {
    throw new InputTypeError(`${owner}: mask must be a (batch, timesteps) array of 0/1 or booleans, got ${describeValue(mask)}`);
  }
  if (shape.length !== 2 || shape[0] !== batch || shape[1] !== steps) {
    throw new ShapeError(`${owner}: mask must have shape ${formatShape([batch, steps])} (batch, timesteps), got ${formatShape(shape)}`);
  }
  const out = new Uint8Array(flat.length);
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (v === true || v === 1) out[i] = 1;
    else if (v === false || v === 0) out[i] = 0;
    else throw new ValueError(`${owner}: mask values must be 0/1 or booleans, got ${describeValue(v)} at index ${i}`);
  }
  return out;
}
