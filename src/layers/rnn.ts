// The recurrent layer base shared by SimpleRNN, LSTM and GRU (Keras's RNN wrapping a cell):
// options, weights in Keras's layout, states (initial, returned, stateful), masks; the
// recurrence itself runs in the backend kernel.
import { kernels } from '../backend';
import type { ActivationName, CellName, Kernels, PackedRnnWeights, RnnBackwardArgs, RnnBackwardResult, RnnForwardArgs, RnnForwardResult, RnnTrainArgs } from '../backend/kernels';
import { ShapeError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { ActivationSpec, resolveCellActivation } from './activations';
import { InitializerSpec, getInitializer, Initializer } from './initializers';
import { ApplyOptions, AsyncTrainStep, CallArgs, LAYER_OPTION_NAMES, Layer, LayerGradients, LayerOptions, LayerResult, RandomSource, TrainStep, toInputTensor } from './layer';
import { checkBoolean, checkOptionNames, checkPositiveInt, checkRate } from './options';
import { Shape, expectNonEmpty, expectRank } from './shapes';

export interface RNNOptions extends LayerOptions {
  activation?: ActivationSpec;
  useBias?: boolean;
  kernelInitializer?: InitializerSpec;
  recurrentInitializer?: InitializerSpec;
  biasInitializer?: InitializerSpec;
  /** Training only: fraction of the inputs to drop. No effect on inference. */
  dropout?: number;
  /** Training only: fraction of the recurrent state to drop. No effect on inference. */
  recurrentDropout?: number;
  returnSequences?: boolean;
  returnState?: boolean;
  goBackwards?: boolean;
  stateful?: boolean;
  /** Accepted for Keras compatibility; the numbers are the same either way. */
  unroll?: boolean;
  zeroOutputForMask?: boolean;
  /** Seed for reproducible initial weights. */
  seed?: number;
  /** Keras 2 style: inputLength (timesteps) and inputDim (features) instead of inputShape. */
  inputDim?: number;
  inputLength?: number | null;
}

export const RNN_OPTION_NAMES = [
  ...LAYER_OPTION_NAMES,
  'activation',
  'useBias',
  'kernelInitializer',
  'recurrentInitializer',
  'biasInitializer',
  'dropout',
  'recurrentDropout',
  'returnSequences',
  'returnState',
  'goBackwards',
  'stateful',
  'unroll',
  'zeroOutputForMask',
  'seed',
  'inputDim',
  'inputLength',
];

/** What distinguishes the cells: kernel name, gate count, states, the cell-specific options. */
export interface CellSpec {
  cell: CellName;
  gates: number;
  stateCount: number; // 1 (h) or 2 (h, c)
  /** The gates' activation (LSTM, GRU); SimpleRNN has none. */
  recurrentActivation?: ActivationSpec;
  /** GRU only. */
  resetAfter?: boolean;
}

export abstract class BaseRNN extends Layer {
  readonly units: number;
  readonly activation: string;
  readonly useBias: boolean;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  readonly unroll: boolean;
  readonly zeroOutputForMask: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  protected readonly kernelInitializer: InitializerSpec;
  protected readonly recurrentInitializer: InitializerSpec;
  protected readonly biasInitializer: InitializerSpec;
  protected readonly options: RNNOptions;
  protected readonly spec: CellSpec;
  /** Activations as the kernel names them, resolved once. */
  private readonly kernelActivations: { activation: ActivationName; recurrentActivation: ActivationName };
  /** The weights, held directly for the kernel call (set by createWeights). */
  private kernelWeights: { kernel: Float32Array; recurrentKernel: Float32Array; bias: Float32Array | null } | null = null;
  /** The weights packed by the backend that runs them, made on first use after each change. */
  private packedWeights: { by: Kernels; handle: PackedRnnWeights } | null = null;
  /** Kept final states of a stateful layer; null until the first call or after resetStates(). */
  private keptStates: Tensor[] | null = null;

  constructor(className: string, units: number, options: RNNOptions, optionNames: readonly string[], spec: CellSpec) {
    checkOptionNames(className, options, optionNames);
    const { inputDim, inputLength } = options;
    const declared =
      options.inputShape === undefined && options.batchInputShape === undefined && inputDim !== undefined
        ? { ...options, inputShape: [inputLength ?? null, checkPositiveInt(className, 'inputDim', inputDim)] }
        : options;
    super(className, declared);
    this.options = { ...options };
    this.units = checkPositiveInt(className, 'units', units);
    this.spec = spec;
    this.activation = options.activation === undefined ? 'tanh' : (options.activation ?? 'linear');
    const recurrent = spec.recurrentActivation === undefined ? 'sigmoid' : (spec.recurrentActivation ?? 'linear');
    this.kernelActivations = {
      activation: resolveCellActivation(this.activation, className, 'activation'),
      recurrentActivation: resolveCellActivation(recurrent, className, 'recurrentActivation'),
    };
    this.useBias = checkBoolean(className, 'useBias', options.useBias, true);
    this.returnSequences = checkBoolean(className, 'returnSequences', options.returnSequences, false);
    this.returnState = checkBoolean(className, 'returnState', options.returnState, false);
    this.goBackwards = checkBoolean(className, 'goBackwards', options.goBackwards, false);
    this.stateful = checkBoolean(className, 'stateful', options.stateful, false);
    this.unroll = checkBoolean(className, 'unroll', options.unroll, false);
    this.zeroOutputForMask = checkBoolean(className, 'zeroOutputForMask', options.zeroOutputForMask, false);
    this.dropout = checkRate(className, 'dropout', options.dropout);
    this.recurrentDropout = checkRate(className, 'recurrentDropout', options.recurrentDropout);
    this.kernelInitializer = options.kernelInitializer ?? 'glorot_uniform';
    this.recurrentInitializer = options.recurrentInitializer ?? 'orthogonal';
    this.biasInitializer = options.biasInitializer ?? 'zeros';
    // Resolve now so that a bad initializer name fails at construction, as in Keras.
    getInitializer(this.kernelInitializer);
    getInitializer(this.recurrentInitializer);
    getInitializer(this.biasInitializer);
  }

  protected biasShape(): number[] {
    return this.spec.resetAfter ? [2, this.spec.gates * this.units] : [this.spec.gates * this.units];
  }

  /** The bias initial value; LSTM overrides it for unitForgetBias. */
  protected biasInitial(init: Initializer): Initializer {
    return init;
  }

  checkBuildShape(inputShape: Shape): void {
    if (inputShape.length !== 3) {
      throw new ShapeError(`${this.name}: expected a 3-D input shape (batch, timesteps, features), got ${formatShape(inputShape)}`);
    }
    if (inputShape[2] === null) {
      throw new ShapeError(`${this.name}: the feature dimension of the input must be known, got ${formatShape(inputShape)}`);
    }
    if (this.built && inputShape[2] !== this.builtInputShape![2]) {
      throw new ShapeError(
        `${this.name}: expected inputs with ${this.builtInputShape![2]} features (built for ${formatShape(this.builtInputShape!)}), got ${formatShape(inputShape)}`,
      );
    }
  }

  protected createWeights(inputShape: Shape): void {
    const features = inputShape[2] as number;
    const width = this.spec.gates * this.units;
    const kernel = this.addWeight('kernel', [features, width], getInitializer(this.kernelInitializer));
    const recurrent = this.addWeight('recurrent_kernel', [this.units, width], getInitializer(this.recurrentInitializer));
    const bias = this.useBias ? this.addWeight('bias', this.biasShape(), this.biasInitial(getInitializer(this.biasInitializer))) : null;
    // setWeights copies into these arrays, so the references stay valid.
    this.kernelWeights = { kernel: kernel.value, recurrentKernel: recurrent.value, bias: bias ? bias.value : null };
    this.packedWeights = null;
  }

  protected override weightsChanged(): void {
    this.packedWeights = null;
  }

  /** The weights as the backend `by` packs them: packed once, not on every call. */
  private packedFor(by: Kernels): PackedRnnWeights {
    if (this.packedWeights === null || this.packedWeights.by !== by) {
      const { kernel, recurrentKernel, bias } = this.kernelWeights!;
      const handle = by.packRnnWeights({
        cell: this.spec.cell,
        inputDim: this.builtInputShape![2] as number,
        units: this.units,
        resetAfter: this.spec.resetAfter ?? false,
        kernel,
        recurrentKernel,
        bias,
      });
      this.packedWeights = { by, handle };
    }
    return this.packedWeights.handle;
  }

  computeOutputShape(inputShape: Shape): Shape | Shape[] {
    const [batch, steps] = inputShape;
    const output: Shape = this.returnSequences ? [batch, steps, this.units] : [batch, this.units];
    if (!this.returnState) return output;
    return [output, ...Array.from({ length: this.spec.stateCount }, (): Shape => [batch, this.units])];
  }

  checkInput(x: Tensor): void {
    expectRank(this.name, x, 3, '(batch, timesteps, features)');
    expectNonEmpty(this.name, x, ['the batch', 'timesteps', 'features']);
    const features = this.builtInputShape![2];
    if (x.shape[2] !== features) {
      throw new ShapeError(
        `${this.name}: expected inputs with ${features} features, i.e. shape (batch, timesteps, ${features}), got ${formatShape(x.shape)}`,
      );
    }
  }

  override prepareInitialState(initialState: ApplyOptions['initialState'], x: Tensor): Tensor[] | null {
    if (initialState === undefined || initialState === null) return null;
    const list = Array.isArray(initialState) && !initialState.every((s) => typeof s === 'number') && isStateList(initialState)
      ? initialState
      : [initialState];
    const count = this.spec.stateCount;
    if (list.length !== count) {
      throw new ShapeError(`${this.name}: initialState must hold ${count} state${count > 1 ? 's ([h, c])' : ' ([h])'}, got ${list.length}`);
    }
    return list.map((s, i) => {
      const t = toInputTensor(`${this.name} initialState[${i}]`, s);
      if (t.rank !== 2 || t.shape[0] !== x.shape[0] || t.shape[1] !== this.units) {
        throw new ShapeError(
          `${this.name}: initialState[${i}] must have shape ${formatShape([x.shape[0], this.units])} (batch, units), got ${formatShape(t.shape)}`,
        );
      }
      return t;
    });
  }

  /** Forgets the kept states of a stateful layer (or sets them). */
  resetStates(states?: Tensor[]): void {
    this.keptStates = states ? states.map((s) => new Tensor(Float32Array.from(s.data), s.shape)) : null;
  }

  /** The current kept states of a stateful layer, or null. */
  get states(): Tensor[] | null {
    return this.keptStates;
  }

  /** The kernel arguments for a checked input (used by Bidirectional to run both directions at once). */
  kernelArgs(x: Tensor, args: CallArgs, packed = true): RnnForwardArgs {
    const [batch, timesteps, inputDim] = x.shape;
    let initial = args.initialState;
    if (!initial && this.stateful && this.keptStates) {
      if (this.keptStates[0].shape[0] !== batch) {
        throw new ShapeError(
          `${this.name}: a stateful layer keeps states for a batch of ${this.keptStates[0].shape[0]}, got a batch of ${batch}; call resetStates() first`,
        );
      }
      initial = this.keptStates;
    }
    return {
      cell: this.spec.cell,
      batch,
      timesteps,
      inputDim,
      units: this.units,
      x: x.data,
      kernel: null,
      recurrentKernel: null,
      bias: null,
      packed: packed ? this.packedFor(kernels()) : null,
      activation: this.kernelActivations.activation,
      recurrentActivation: this.kernelActivations.recurrentActivation,
      resetAfter: this.spec.resetAfter ?? false,
      goBackwards: this.goBackwards,
      returnSequences: this.returnSequences,
      zeroOutputForMask: this.zeroOutputForMask,
      initialH: initial ? initial[0].data : null,
      initialC: initial && this.spec.stateCount > 1 ? initial[1].data : null,
      mask: args.mask,
    };
  }

  /** The layer's outputs (and kept states) from a kernel result. */
  kernelResult(x: Tensor, args: CallArgs, res: RnnForwardResult): LayerResult {
    const [batch, timesteps] = x.shape;
    const output = new Tensor(res.output, this.returnSequences ? [batch, timesteps, this.units] : [batch, this.units]);
    const states = [new Tensor(res.h, [batch, this.units])];
    if (this.spec.stateCount > 1 && res.c) states.push(new Tensor(res.c, [batch, this.units]));
    if (this.stateful) this.keptStates = states;
    return {
      output: this.returnState ? [output, ...states] : output,
      mask: this.returnSequences ? args.mask : null,
    };
  }

  protected call(x: Tensor, args: CallArgs): LayerResult {
    return this.kernelResult(x, args, kernels().rnnForward(this.kernelArgs(x, args)));
  }

  /**
   * The training kernel's arguments: the weights as arrays, and Keras's dropout masks (values 0 or
   * 1 / (1 - rate), fixed for the whole sequence). Keras's cells use one input mask for every gate,
   * unless recurrentDropout is set: then LSTM and GRU switch to their per-gate implementation, with
   * a mask per gate for the input and for h_prev.
   */
  trainArgs(x: Tensor, args: CallArgs, random: RandomSource): RnnTrainArgs {
    const { packed: _packed, ...forward } = this.kernelArgs(x, args, false);
    void _packed;
    const { kernel, recurrentKernel, bias } = this.kernelWeights!;
    const g = this.spec.gates;
    const perGate = this.recurrentDropout > 0 && g > 1;
    const masks = (rate: number, width: number): Float32Array | null => {
      if (rate <= 0) return null;
      const count = perGate ? g : 1;
      const one = x.shape[0] * width;
      const out = new Float32Array(g * one);
      const keep = 1 / (1 - rate);
      for (let i = 0; i < count * one; i++) out[i] = random.next() < rate ? 0 : keep;
      for (let k = count; k < g; k++) out.copyWithin(k * one, 0, one); // shared mask: the same for every gate
      return out;
    };
    return {
      ...forward,
      kernel,
      recurrentKernel,
      bias,
      dropMask: masks(this.dropout, x.shape[2]),
      recurrentDropMask: masks(this.recurrentDropout, this.units),
    };
  }

  /** The layer's gradients from the training kernel's, in weightVariables() order. */
  trainGradients(g: { dKernel: Float32Array; dRecurrentKernel: Float32Array; dBias: Float32Array | null }): Float32Array[] {
    return this.useBias ? [g.dKernel, g.dRecurrentKernel, g.dBias!] : [g.dKernel, g.dRecurrentKernel];
  }

  protected override trainCall(x: Tensor, args: CallArgs, random: RandomSource): TrainStep {
    const train = this.trainArgs(x, args, random);
    const forward = kernels().rnnTrainForward(train);
    return {
      result: this.kernelResult(x, args, forward),
      backward: (dOutputs) => this.layerGradients(kernels().rnnBackward(this.backwardArgs(train, forward.tape, dOutputs))),
    };
  }

  protected override async trainCallAsync(x: Tensor, args: CallArgs, random: RandomSource): Promise<AsyncTrainStep> {
    const train = this.trainArgs(x, args, random);
    const forward = await kernels().rnnTrainForwardAsync(train);
    return {
      result: this.kernelResult(x, args, forward),
      backward: async (dOutputs) => this.layerGradients(await kernels().rnnBackwardAsync(this.backwardArgs(train, forward.tape, dOutputs))),
    };
  }

  /** rnnBackward's arguments: d loss / d [output, h, c] as the layer returned them. */
  private backwardArgs(train: RnnTrainArgs, tape: Float32Array, dOutputs: Float32Array[]): RnnBackwardArgs {
    const [dOutput, dH = null, dC = null] = dOutputs;
    return { ...train, tape, dOutput, dH, dC: this.spec.stateCount > 1 ? dC : null };
  }

  private layerGradients(g: RnnBackwardResult): LayerGradients {
    return { dx: g.dx, grads: this.trainGradients(g) };
  }

  protected override async callAsync(x: Tensor, args: CallArgs): Promise<LayerResult> {
    return this.kernelResult(x, args, await kernels().rnnForwardAsync(this.kernelArgs(x, args)));
  }

  getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      ...(this.options.seed !== undefined ? { seed: this.options.seed } : {}),
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      stateful: this.stateful,
      unroll: this.unroll,
      zeroOutputForMask: this.zeroOutputForMask,
      kernelInitializer: this.kernelInitializer,
      recurrentInitializer: this.recurrentInitializer,
      biasInitializer: this.biasInitializer,
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
    };
  }

  /** A new layer of the same class and configuration with other options on top (fresh weights). */
  abstract cloneWith(overrides: Partial<RNNOptions> & Record<string, unknown>): BaseRNN;
}

function isStateList(v: unknown[]): boolean {
  // [h, c] vs a single state given as a nested array [[...], [...]]: a list of states holds
  // Tensors or 2-D arrays; a single 2-D state holds rows of numbers.
  return v.every((s) => s instanceof Tensor || (Array.isArray(s) && s.every((row) => Array.isArray(row))) || ArrayBuffer.isView(s));
}
