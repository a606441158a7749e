// Bidirectional wrapper: runs a recurrent layer forwards and a copy backwards, then merges.
// Output order follows Keras: merged output (or [forward, backward] for mergeMode null), then
// the forward layer's states, then the backward layer's states.
import { kernels } from '../backend';
import { InputTypeError, ValueError, describeValue } from '../errors';
import { deriveSeed } from '../random';
import { Tensor, TensorLike } from '../tensor';
import { ApplyOptions, AsyncTrainStep, CallArgs, LAYER_OPTION_NAMES, Layer, LayerGradients, LayerOptions, LayerResult, RandomSource, TrainStep, Weight, weightCountError } from './layer';
import { checkOptionNames } from './options';
import { BaseRNN } from './rnn';
import { Shape } from './shapes';

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave' | null;

export interface BidirectionalOptions extends LayerOptions {
  /** How to combine the two directions' outputs (default 'concat'); null returns both. */
  mergeMode?: MergeMode;
  /** A custom backward layer; its goBackwards must differ from the forward layer's. */
  backwardLayer?: BaseRNN;
}

const MERGE_MODES = ['concat', 'sum', 'mul', 'ave', null];

export class Bidirectional extends Layer {
  readonly className = 'Bidirectional';
  readonly forwardLayer: BaseRNN;
  readonly backwardLayer: BaseRNN;
  readonly mergeMode: MergeMode;
  readonly returnSequences: boolean;
  readonly returnState: boolean;

  constructor(layer: BaseRNN, options: BidirectionalOptions = {}) {
    checkOptionNames('Bidirectional', options, [...LAYER_OPTION_NAMES, 'mergeMode', 'backwardLayer']);
    if (!(layer instanceof BaseRNN)) {
      throw new InputTypeError(`Bidirectional: expected a recurrent layer (SimpleRNN, LSTM or GRU), got ${describeValue(layer)}`);
    }
    // Keras lets the wrapped layer carry the input shape (Bidirectional(SimpleRNN(8, input_shape=...))).
    const declared =
      options.inputShape === undefined && options.batchInputShape === undefined && layer.batchInputShape
        ? { ...options, batchInputShape: layer.batchInputShape }
        : options;
    super('Bidirectional', declared);
    const mergeMode = options.mergeMode === undefined ? 'concat' : options.mergeMode;
    if (!MERGE_MODES.includes(mergeMode)) {
      throw new ValueError(`Bidirectional: mergeMode must be one of 'concat', 'sum', 'mul', 'ave' or null, got ${describeValue(mergeMode)}`);
    }
    this.mergeMode = mergeMode;
    const base = layer.name.replace(/^forward_/, '');
    this.forwardLayer = layer.cloneWith({ name: `forward_${base}` });
    if (options.backwardLayer !== undefined) {
      const back = options.backwardLayer;
      if (!(back instanceof BaseRNN)) {
        throw new InputTypeError(`Bidirectional: backwardLayer must be a recurrent layer, got ${describeValue(back)}`);
      }
      if (back.goBackwards === layer.goBackwards) {
        throw new ValueError(
          `Bidirectional: the backward layer must have goBackwards ${!layer.goBackwards} (the forward layer has ${layer.goBackwards}), got ${back.goBackwards}`,
        );
      }
      for (const key of ['returnSequences', 'returnState', 'stateful'] as const) {
        if (back[key] !== layer[key]) {
          throw new ValueError(`Bidirectional: forward and backward layers must have the same ${key}, got ${layer[key]} and ${back[key]}`);
        }
      }
      this.backwardLayer = back.cloneWith({ name: `backward_${back.name.replace(/^backward_/, '')}` });
    } else {
      const seed = (layer.getConfig().seed as number | undefined) ?? undefined;
      this.backwardLayer = layer.cloneWith({
        name: `backward_${base}`,
        goBackwards: !layer.goBackwards,
        ...(seed !== undefined ? { seed: deriveSeed(seed, 1) } : {}),
      });
    }
    this.returnSequences = layer.returnSequences;
    this.returnState = layer.returnState;
  }

  checkBuildShape(inputShape: Shape): void {
    this.forwardLayer.checkBuildShape(inputShape);
  }

  protected createWeights(inputShape: Shape): void {
    this.forwardLayer.build(inputShape);
    this.backwardLayer.build(inputShape);
  }

  override getWeights(): Tensor[] {
    return [...this.forwardLayer.getWeights(), ...this.backwardLayer.getWeights()];
  }

  override get weights(): ReadonlyArray<{ name: string; shape: number[] }> {
    const prefixed = (prefix: string, l: BaseRNN) => l.weights.map((w) => ({ name: `${prefix}_${w.name}`, shape: w.shape }));
    return [...prefixed('forward', this.forwardLayer), ...prefixed('backward', this.backwardLayer)];
  }

  override setWeights(weights: TensorLike[]): void {
    const n = this.forwardLayer.weights.length;
    if (!Array.isArray(weights) || weights.length !== 2 * n) {
      throw weightCountError(this.name, this.weights, Array.isArray(weights) ? weights.length : 0);
    }
    this.forwardLayer.setWeights(weights.slice(0, n));
    this.backwardLayer.setWeights(weights.slice(n));
  }

  override countParams(): number {
    super.countParams();
    return this.forwardLayer.countParams() + this.backwardLayer.countParams();
  }

  computeOutputShape(inputShape: Shape): Shape | Shape[] {
    const forward = this.forwardLayer.computeOutputShape(inputShape);
    const [output, ...states] = this.returnState ? (forward as Shape[]) : [forward as Shape];
    const merged: Shape[] =
      this.mergeMode === null
        ? [output, [...output]]
        : this.mergeMode === 'concat'
          ? [[...output.slice(0, -1), output[output.length - 1] === null ? null : (output[output.length - 1] as number) * 2]]
          : [output];
    if (!this.returnState && merged.length === 1) return merged[0];
    return [...merged, ...states, ...states.map((s) => [...s])];
  }

  checkInput(x: Tensor): void {
    this.forwardLayer.checkInput(x);
  }

  override prepareInitialState(initialState: ApplyOptions['initialState'], x: Tensor): Tensor[] | null {
    if (initialState === undefined || initialState === null) return null;
    if (!Array.isArray(initialState)) {
      throw new ValueError(`${this.name}: initialState must be a list of the forward states then the backward states`);
    }
    const half = initialState.length / 2;
    const forward = this.forwardLayer.prepareInitialState(initialState.slice(0, half) as TensorLike[], x);
    const backward = this.backwardLayer.prepareInitialState(initialState.slice(half) as TensorLike[], x);
    return [...(forward ?? []), ...(backward ?? [])];
  }

  private splitArgs(args: CallArgs): [CallArgs, CallArgs] {
    const states = args.initialState;
    const half = states ? states.length / 2 : 0;
    return [
      { ...args, initialState: states ? states.slice(0, half) : null },
      { ...args, initialState: states ? states.slice(half) : null },
    ];
  }

  /** Both directions in one kernel call, so that the native backend runs them at once. */
  protected call(x: Tensor, args: CallArgs): LayerResult {
    const [fArgs, bArgs] = this.splitArgs(args);
    const [f, b] = kernels().rnnForwardMany([this.forwardLayer.kernelArgs(x, fArgs), this.backwardLayer.kernelArgs(x, bArgs)]);
    return this.merge(this.forwardLayer.kernelResult(x, fArgs, f), this.backwardLayer.kernelResult(x, bArgs, b), args);
  }

  protected override async callAsync(x: Tensor, args: CallArgs): Promise<LayerResult> {
    const [fArgs, bArgs] = this.splitArgs(args);
    const [f, b] = await kernels().rnnForwardManyAsync([this.forwardLayer.kernelArgs(x, fArgs), this.backwardLayer.kernelArgs(x, bArgs)]);
    return this.merge(this.forwardLayer.kernelResult(x, fArgs, f), this.backwardLayer.kernelResult(x, bArgs, b), args);
  }

  override weightVariables(): Weight[] {
    return [...this.forwardLayer.weightVariables(), ...this.backwardLayer.weightVariables()];
  }

  override markWeightsChanged(): void {
    this.forwardLayer.markWeightsChanged();
    this.backwardLayer.markWeightsChanged();
  }

  protected override trainCall(x: Tensor, args: CallArgs, random: RandomSource): TrainStep {
    const [fArgs, bArgs] = this.splitArgs(args);
    const f = this.forwardLayer.invokeTrain(x, fArgs, random);
    const b = this.backwardLayer.invokeTrain(x, bArgs, random);
    const split = this.gradientSplitter(f.result, b.result);
    return {
      result: this.merge(f.result, b.result, args),
      backward: (dOutputs) => {
        const [dF, dB] = split(dOutputs);
        return sumDirections(f.backward(dF), b.backward(dB));
      },
    };
  }

  /** Both directions' kernels run at once (the native pool takes a thread for each). */
  protected override async trainCallAsync(x: Tensor, args: CallArgs, random: RandomSource): Promise<AsyncTrainStep> {
    const [fArgs, bArgs] = this.splitArgs(args);
    const [f, b] = await Promise.all([this.forwardLayer.invokeTrainAsync(x, fArgs, random), this.backwardLayer.invokeTrainAsync(x, bArgs, random)]);
    const split = this.gradientSplitter(f.result, b.result);
    return {
      result: this.merge(f.result, b.result, args),
      backward: async (dOutputs) => {
        const [dF, dB] = split(dOutputs);
        const [fg, bg] = await Promise.all([f.backward(dF), b.backward(dB)]);
        return sumDirections(fg, bg);
      },
    };
  }

  /**
   * From d loss / d the merged outputs (and the states), each direction's d loss / d its own
   * outputs: the backward layer's sequence back in its processing order.
   */
  private gradientSplitter(f: LayerResult, b: LayerResult): (dOutputs: Float32Array[]) => [Float32Array[], Float32Array[]] {
    const fOut = (Array.isArray(f.output) ? f.output[0] : f.output).data;
    const bOutProcessing = Array.isArray(b.output) ? b.output[0] : b.output;
    const bOut = this.returnSequences ? reverseTime(bOutProcessing).data : bOutProcessing.data;
    const states = this.returnState ? stateCountOf(this.forwardLayer) : 0;
    const outputs = this.mergeMode === null ? 2 : 1;
    return (dOutputs) => {
      const [dF, dBTime] = this.splitGradient(dOutputs.slice(0, outputs), fOut, bOut);
      const dB = this.returnSequences ? reverseTime(new Tensor(dBTime, bOutProcessing.shape)).data : dBTime;
      return [
        [dF, ...dOutputs.slice(outputs, outputs + states)],
        [dB, ...dOutputs.slice(outputs + states, outputs + 2 * states)],
      ];
    };
  }

  /** d loss / d each direction's output (both in time order) from the merged outputs' gradients. */
  private splitGradient(d: Float32Array[], fOut: Float32Array, bOut: Float32Array): [Float32Array, Float32Array] {
    if (this.mergeMode === null) return [d[0], d[1]];
    const dm = d[0];
    const n = fOut.length;
    const dF = new Float32Array(n);
    const dB = new Float32Array(n);
    if (this.mergeMode === 'concat') {
      const units = this.forwardLayer.units;
      for (let r = 0; r < n / units; r++) {
        dF.set(dm.subarray(2 * r * units, (2 * r + 1) * units), r * units);
        dB.set(dm.subarray((2 * r + 1) * units, (2 * r + 2) * units), r * units);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const mode = this.mergeMode;
        dF[i] = mode === 'sum' ? dm[i] : mode === 'ave' ? dm[i] / 2 : dm[i] * bOut[i];
        dB[i] = mode === 'sum' ? dm[i] : mode === 'ave' ? dm[i] / 2 : dm[i] * fOut[i];
      }
    }
    return [dF, dB];
  }

  private merge(f: LayerResult, b: LayerResult, args: CallArgs): LayerResult {
    const [fOut, ...fStates] = Array.isArray(f.output) ? f.output : [f.output];
    const [bOutRaw, ...bStates] = Array.isArray(b.output) ? b.output : [b.output];
    // The backward layer returns its sequence in processing order; put it back in time order.
    const bOut = this.returnSequences ? reverseTime(bOutRaw) : bOutRaw;
    const merged = this.mergeMode === null ? [fOut, bOut] : [mergeTensors(this.mergeMode, fOut, bOut)];
    const outputs = [...merged, ...fStates, ...bStates];
    return {
      output: outputs.length === 1 ? outputs[0] : outputs,
      mask: this.returnSequences ? args.mask : null,
    };
  }

  /** Forgets the kept states of stateful sublayers. */
  resetStates(): void {
    this.forwardLayer.resetStates();
    this.backwardLayer.resetStates();
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, mergeMode: this.mergeMode, layer: this.forwardLayer.getConfig(), backwardLayer: this.backwardLayer.getConfig() };
  }
}

function reverseTime(t: Tensor): Tensor {
  const [batch, steps, units] = t.shape;
  const out = new Float32Array(t.data.length);
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < steps; s++) {
      const src = (b * steps + s) * units;
      out.set(t.data.subarray(src, src + units), (b * steps + (steps - 1 - s)) * units);
    }
  }
  return new Tensor(out, t.shape);
}

function mergeTensors(mode: Exclude<MergeMode, null>, a: Tensor, b: Tensor): Tensor {
  if (mode === 'concat') {
    const last = a.shape[a.shape.length - 1];
    const rows = a.data.length / last;
    const out = new Float32Array(a.data.length * 2);
    for (let r = 0; r < rows; r++) {
      out.set(a.data.subarray(r * last, (r + 1) * last), r * 2 * last);
      out.set(b.data.subarray(r * last, (r + 1) * last), r * 2 * last + last);
    }
    return new Tensor(out, [...a.shape.slice(0, -1), 2 * last]);
  }
  const out = new Float32Array(a.data.length);
  for (let i = 0; i < out.length; i++) {
    const x = a.data[i];
    const y = b.data[i];
    out[i] = mode === 'sum' ? x + y : mode === 'mul' ? x * y : (x + y) / 2;
  }
  return new Tensor(out, a.shape);
}

/** The states a recurrent layer returns with returnState: [h] or [h, c]. */
function stateCountOf(layer: BaseRNN): number {
  return layer.className === 'LSTM' ? 2 : 1;
}

/** Both directions read the same input: their input gradients add up; their weights' stay apart. */
function sumDirections(f: LayerGradients, b: LayerGradients): LayerGradients {
  const dx = new Float32Array(f.dx!.length);
  for (let i = 0; i < dx.length; i++) dx[i] = f.dx![i] + b.dx![i];
  return { dx, grads: [...f.grads, ...b.grads] };
}
