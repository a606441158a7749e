// Embedding: integer ids -> dense vectors; with maskZero, id 0 is padding and masked.
import { ShapeError, ValueError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { InitializerSpec, getInitializer } from './initializers';
import { LAYER_OPTION_NAMES, Layer, LayerOptions, LayerResult, TrainStep } from './layer';
import { checkBoolean, checkOptionNames, checkPositiveInt } from './options';
import { Shape } from './shapes';

export interface EmbeddingOptions extends LayerOptions {
  embeddingsInitializer?: InitializerSpec;
  /** Treat id 0 as padding: it is masked for the layers after (and ids go up to inputDim - 1). */
  maskZero?: boolean;
  /** Keras 2: the fixed sequence length, shown in summary() instead of None. */
  inputLength?: number | null;
  seed?: number;
}

/**
 * Turns ids in [0, inputDim) into vectors of outputDim (keras.layers.Embedding).
 * Weights: embeddings (inputDim, outputDim). Input (batch, timesteps) of integer ids.
 */
export class Embedding extends Layer {
  readonly className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly maskZero: boolean;
  readonly inputLength: number | null;
  private readonly embeddingsInitializer: InitializerSpec;

  constructor(inputDim: number, outputDim: number, options: EmbeddingOptions = {}) {
    checkOptionNames('Embedding', options, [...LAYER_OPTION_NAMES, 'embeddingsInitializer', 'maskZero', 'inputLength', 'seed']);
    const inputLength = options.inputLength ?? null;
    if (inputLength !== null) checkPositiveInt('Embedding', 'inputLength', inputLength);
    // Like tf.keras 2: an Embedding always knows its input shape, (None, inputLength).
    const declared = options.inputShape === undefined && options.batchInputShape === undefined ? { ...options, inputShape: [inputLength] } : options;
    super('Embedding', declared);
    this.inputDim = checkPositiveInt('Embedding', 'inputDim', inputDim);
    this.outputDim = checkPositiveInt('Embedding', 'outputDim', outputDim);
    this.maskZero = checkBoolean('Embedding', 'maskZero', options.maskZero, false);
    this.inputLength = inputLength;
    this.embeddingsInitializer = options.embeddingsInitializer ?? 'uniform';
    getInitializer(this.embeddingsInitializer);
  }

  checkBuildShape(inputShape: Shape): void {
    if (inputShape.length < 1) throw new ShapeError(`${this.name}: expected an input shape (batch, ...), got ${formatShape(inputShape)}`);
  }

  protected createWeights(): void {
    this.addWeight('embeddings', [this.inputDim, this.outputDim], getInitializer(this.embeddingsInitializer));
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape, this.outputDim];
  }

  checkInput(x: Tensor): void {
    if (x.rank < 1) throw new ShapeError(`${this.name}: expected ids of shape (batch, timesteps), got shape ${formatShape(x.shape)}`);
    if (x.shape.some((d) => d === 0)) throw new ShapeError(`${this.name}: expected a non-empty batch of ids, got shape ${formatShape(x.shape)}`);
    const ids = x.data;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id)) {
        throw new ValueError(`${this.name}: ids must be integers in [0, ${this.inputDim}), got ${id} at flat index ${i}`);
      }
      if (id < 0 || id >= this.inputDim) {
        throw new ValueError(`${this.name}: ids must be in [0, ${this.inputDim}) (inputDim ${this.inputDim}), got ${id} at flat index ${i}`);
      }
    }
  }

  protected call(x: Tensor): LayerResult {
    const table = this.weightList[0].value;
    const dim = this.outputDim;
    const out = new Float32Array(x.data.length * dim);
    for (let i = 0; i < x.data.length; i++) {
      const id = x.data[i];
      out.set(table.subarray(id * dim, (id + 1) * dim), i * dim);
    }
    let mask: Uint8Array | null = null;
    if (this.maskZero && x.rank === 2) {
      mask = new Uint8Array(x.data.length);
      for (let i = 0; i < mask.length; i++) mask[i] = x.data[i] !== 0 ? 1 : 0;
    }
    return { output: new Tensor(out, [...x.shape, dim]), mask };
  }

  /** The gradient is sparse: only the rows of the ids in the batch (repeats add up). */
  protected override trainCall(x: Tensor): TrainStep {
    const result = this.call(x);
    const rows = Int32Array.from(x.data);
    return { result, backward: ([dy]) => ({ dx: null, grads: [{ rows, width: this.outputDim, values: dy }] }) };
  }

  getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      maskZero: this.maskZero,
      inputLength: this.inputLength,
      embeddingsInitializer: this.embeddingsInitializer,
    };
  }
}

