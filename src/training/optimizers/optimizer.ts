// The optimizer base class: options, gradient checks, clipping and the step loop shared by SGD, Adam,
// RMSprop and Adagrad. Follows keras/src/optimizers/base_optimizer.py (Keras 3).
// util.types: typed arrays made by the native addon come from another realm under jest's vm.
import { types } from 'util';
import { InputTypeError, ShapeError, ValueError, describeValue } from '../../errors';
import { snakeCaseName, uniqueName } from '../../layers/naming';
import { checkOptionNames } from '../../layers/options';

/** A trainable variable: its values are updated in place by apply(). Identity is stable across steps
 *  (the optimizer keys its slots, e.g. Adam's m and v, by the Variable object). */
export interface Variable {
  readonly name: string;
  readonly value: Float32Array;
}

/** Sparse rows of a gradient (Embedding): rows[i] is a row of the (value.length / width, width) matrix,
 *  values holds rows.length * width numbers; repeated rows add up. */
export interface SparseGradient {
  readonly rows: Int32Array;
  readonly width: number;
  readonly values: Float32Array;
}

/** A gradient for a variable: dense (same length as value) or sparse rows. */
export type Gradient = Float32Array | SparseGradient;

export interface OptimizerOptions {
  learningRate?: number;
  /** Clip each variable's gradient to this L2 norm. */
  clipnorm?: number | null;
  /** Clip every gradient value to [-clipvalue, clipvalue]. */
  clipvalue?: number | null;
  /** Scale all gradients together so that their joint L2 norm is at most this. */
  globalClipnorm?: number | null;
}

export const OPTIMIZER_OPTION_NAMES = ['learningRate', 'clipnorm', 'clipvalue', 'globalClipnorm'] as const;

/** A number option: absent -> fallback; not a number -> InputTypeError; outside the range -> ValueError. */
export function readNumberOption(
  owner: string,
  name: string,
  value: unknown,
  fallback: number,
  range: { min: number; max: number; minOpen?: boolean; maxOpen?: boolean },
): number {
  if (value === undefined) return fallback;
  const wanted = `a number in ${range.minOpen ? '(' : '['}${range.min}, ${range.max}${range.maxOpen ? ')' : ']'}`;
  if (typeof value !== 'number') throw new InputTypeError(`${owner}: ${name} must be ${wanted}, got ${describeValue(value)}`);
  const aboveMin = range.minOpen ? value > range.min : value >= range.min;
  const belowMax = range.maxOpen ? value < range.max : value <= range.max;
  if (!(aboveMin && belowMax)) throw new ValueError(`${owner}: ${name} must be ${wanted}, got ${value}`);
  return value;
}

export function readBooleanOption(owner: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InputTypeError(`${owner}: ${name} must be true or false, got ${describeValue(value)}`);
  return value;
}

function readLearningRate(owner: string, value: unknown): number {
  if (typeof value !== 'number') throw new InputTypeError(`${owner}: learningRate must be a finite number > 0, got ${describeValue(value)}`);
  if (!(Number.isFinite(value) && value > 0)) throw new ValueError(`${owner}: learningRate must be a finite number > 0, got ${value}`);
  return value;
}

function readClipOption(owner: string, name: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number') throw new InputTypeError(`${owner}: ${name} must be null or a finite number > 0, got ${describeValue(value)}`);
  if (!(Number.isFinite(value) && value > 0)) throw new ValueError(`${owner}: ${name} must be null or a finite number > 0, got ${value}`);
  return value;
}

/** One variable's gradient as an update step reads it: dense numbers, clipped as they are read. */
export class StepGradient {
  /** For a sparse gradient, the distinct rows it touches (every other row's gradient is 0); null if dense. */
  rows: Int32Array | null = null;
  width = 1;
  /** clipnorm / global_clipnorm factor. */
  scale = 1;
  /** clipvalue bound. */
  limit = Infinity;

  /** values: the caller's dense gradient, or the optimizer's scratch holding a sparse gradient's sum. */
  constructor(readonly values: Float32Array) {}

  /** The clipped gradient at flat index i (NaN stays NaN, as Keras applies it). */
  at(i: number): number {
    const g = this.values[i] * this.scale;
    return g > this.limit ? this.limit : g < -this.limit ? -this.limit : g;
  }

  /** Sum of squares of the dense equivalent, before clipping. */
  squaredNorm(): number {
    let sum = 0;
    const v = this.values;
    if (this.rows === null) {
      for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
      return sum;
    }
    for (const r of this.rows) {
      for (let i = r * this.width, end = i + this.width; i < end; i++) sum += v[i] * v[i];
    }
    return sum;
  }
}

/** A sparse gradient's dense equivalent, kept per variable so that no dense array is allocated per step;
 *  it holds zeros between steps. */
interface SparseScratch {
  dense: Float32Array;
  touched: Uint8Array;
}

function isSparse(grad: Gradient): grad is SparseGradient {
  return !types.isFloat32Array(grad);
}

/**
 * Base class of the optimizers. apply() runs one step like Keras's Optimizer.apply: the first call builds
 * the per-variable slots; gradients are clipped (clipnorm per variable, global_clipnorm over all, or
 * clipvalue; only one may be set), each variable is updated by the subclass's rule with step t =
 * iterations + 1, then iterations increases by one.
 */
export abstract class Optimizer<Slots = unknown> {
  /** The Keras class name: 'SGD', 'Adam', ... */
  readonly name: string;
  readonly clipnorm: number | null;
  readonly clipvalue: number | null;
  readonly globalClipnorm: number | null;
  /** Keras's auto name (adam, adam_1, ...), for getConfig(). */
  private readonly configName: string;
  private lr: number;
  private steps = 0;
  private slots: Map<Variable, Slots> | null = null;
  private readonly scratch = new Map<Variable, SparseScratch>();

  protected constructor(className: string, options: OptimizerOptions | undefined, ownOptionNames: readonly string[], defaultLearningRate: number) {
    checkOptionNames(className, options, [...OPTIMIZER_OPTION_NAMES, ...ownOptionNames]);
    const o = options ?? {};
    this.name = className;
    this.lr = o.learningRate === undefined ? defaultLearningRate : readLearningRate(className, o.learningRate);
    this.clipnorm = readClipOption(className, 'clipnorm', o.clipnorm);
    this.clipvalue = readClipOption(className, 'clipvalue', o.clipvalue);
    this.globalClipnorm = readClipOption(className, 'globalClipnorm', o.globalClipnorm);
    const clips = [this.clipnorm, this.clipvalue, this.globalClipnorm].filter((c) => c !== null).length;
    if (clips > 1) {
      throw new ValueError(
        `${className}: only one of clipnorm, clipvalue and globalClipnorm can be set, got clipnorm=${this.clipnorm}, ` +
          `clipvalue=${this.clipvalue}, globalClipnorm=${this.globalClipnorm}`,
      );
    }
    this.configName = uniqueName(snakeCaseName(className));
  }

  get learningRate(): number {
    return this.lr;
  }

  /** Settable between steps (e.g. by a learning-rate callback), as in Keras. */
  set learningRate(value: number) {
    this.lr = readLearningRate(this.name, value);
  }

  /** Steps applied so far. */
  get iterations(): number {
    return this.steps;
  }

  /** One step over all variables (grads[i] belongs to vars[i]). */
  apply(grads: Gradient[], vars: Variable[]): void {
    if (!Array.isArray(grads)) throw new InputTypeError(`${this.name}.apply: grads must be an array of gradients, got ${describeValue(grads)}`);
    if (!Array.isArray(vars)) throw new InputTypeError(`${this.name}.apply: vars must be an array of variables, got ${describeValue(vars)}`);
    if (grads.length !== vars.length) {
      throw new ShapeError(`${this.name}.apply: expected one gradient per variable (${vars.length}), got ${grads.length} gradients`);
    }
    // Keras: an empty gradient list is a no-op, without counting a step.
    if (vars.length === 0) return;
    vars.forEach((v, i) => this.checkPair(grads[i], v, i));
    this.checkVariablesKnown(vars);
    const slots = this.buildSlots(vars);
    const stepGrads = grads.map((g, i) => this.toStepGradient(g, vars[i]));
    try {
      this.clip(stepGrads);
      const t = this.steps + 1;
      for (let i = 0; i < vars.length; i++) {
        this.updateStep(vars[i].value, stepGrads[i], slots.get(vars[i]) as Slots, this.lr, t);
      }
    } finally {
      stepGrads.forEach((g, i) => this.clearScratch(g, vars[i]));
    }
    this.steps++;
  }

  /** Keras config names and values (the base keys of Keras 3's Optimizer.get_config, then the optimizer's own). */
  getConfig(): Record<string, unknown> {
    return {
      name: this.configName,
      learning_rate: this.lr,
      weight_decay: null,
      clipnorm: this.clipnorm,
      global_clipnorm: this.globalClipnorm,
      clipvalue: this.clipvalue,
      use_ema: false,
      ema_momentum: 0.99,
      ema_overwrite_frequency: null,
      loss_scale_factor: null,
      gradient_accumulation_steps: null,
      ...this.ownConfig(),
    };
  }

  /** The slots (optimizer variables) of one variable of this length. */
  protected abstract createSlots(length: number): Slots;

  /** Updates value in place from grad; t is the 1-based step number. */
  protected abstract updateStep(value: Float32Array, grad: StepGradient, slots: Slots, learningRate: number, t: number): void;

  /** The optimizer's own Keras config entries (beta_1, momentum, ...). */
  protected abstract ownConfig(): Record<string, unknown>;

  private checkPair(grad: Gradient, variable: Variable, i: number): void {
    if (typeof variable !== 'object' || variable === null || !types.isFloat32Array(variable.value)) {
      throw new InputTypeError(`${this.name}.apply: vars[${i}] must be a variable { name, value: Float32Array }, got ${describeValue(variable)}`);
    }
    const n = variable.value.length;
    if (types.isFloat32Array(grad)) {
      if (grad.length !== n) {
        throw new ShapeError(`${this.name}.apply: the gradient of '${variable.name}' must have ${n} values, got a Float32Array of length ${grad.length}`);
      }
      return;
    }
    if (typeof grad !== 'object' || grad === null || !types.isInt32Array(grad.rows) || !types.isFloat32Array(grad.values)) {
      throw new InputTypeError(
        `${this.name}.apply: grads[${i}] must be a Float32Array or { rows: Int32Array, width, values: Float32Array }, got ${describeValue(grad)}`,
      );
    }
    const { rows, width, values } = grad;
    if (!Number.isInteger(width) || width < 1 || n % width !== 0) {
      throw new ShapeError(`${this.name}.apply: the sparse gradient of '${variable.name}' (${n} values) needs a width >= 1 dividing ${n}, got width ${width}`);
    }
    if (values.length !== rows.length * width) {
      throw new ShapeError(
        `${this.name}.apply: the sparse gradient of '${variable.name}' must hold rows.length * width = ${rows.length * width} values, got ${values.length}`,
      );
    }
    const rowCount = n / width;
    for (let k = 0; k < rows.length; k++) {
      if (rows[k] < 0 || rows[k] >= rowCount) {
        throw new ValueError(`${this.name}.apply: the sparse gradient of '${variable.name}' has rows in [0, ${rowCount}), got ${rows[k]} at index ${k}`);
      }
    }
  }

  /** Keras builds on the first call and then accepts only the variables it was built with. */
  private checkVariablesKnown(vars: Variable[]): void {
    const seen = new Set<Variable>();
    for (const v of vars) {
      if (seen.has(v)) throw new ValueError(`${this.name}.apply: variable '${v.name}' is given twice in one step`);
      seen.add(v);
      if (this.slots !== null && !this.slots.has(v)) {
        const known = [...this.slots.keys()].map((k) => `'${k.name}'`).join(', ');
        throw new ValueError(
          `${this.name}.apply: unknown variable '${v.name}': this optimizer was built for ${known}; create a new optimizer for new variables`,
        );
      }
    }
  }

  private buildSlots(vars: Variable[]): Map<Variable, Slots> {
    if (this.slots === null) this.slots = new Map(vars.map((v) => [v, this.createSlots(v.value.length)]));
    return this.slots;
  }

  private toStepGradient(grad: Gradient, variable: Variable): StepGradient {
    if (!isSparse(grad)) return new StepGradient(grad);
    let scratch = this.scratch.get(variable);
    if (scratch === undefined || scratch.touched.length !== variable.value.length / grad.width) {
      scratch = { dense: new Float32Array(variable.value.length), touched: new Uint8Array(variable.value.length / grad.width) };
      this.scratch.set(variable, scratch);
    }
    const { rows, width, values } = grad;
    const { dense, touched } = scratch;
    let distinct = 0;
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k];
      if (touched[r] === 0) {
        touched[r] = 1;
        distinct++;
      }
      // Float32 sums in row order: the numbers a caller gets by adding the rows into a dense Float32Array.
      for (let j = 0; j < width; j++) dense[r * width + j] += values[k * width + j];
    }
    const unique = new Int32Array(distinct);
    for (let k = 0, u = 0; k < rows.length; k++) {
      if (touched[rows[k]] === 1) {
        touched[rows[k]] = 2;
        unique[u++] = rows[k];
      }
    }
    const step = new StepGradient(dense);
    step.rows = unique;
    step.width = width;
    return step;
  }

  private clearScratch(grad: StepGradient, variable: Variable): void {
    if (grad.rows === null) return;
    const scratch = this.scratch.get(variable) as SparseScratch;
    for (const r of grad.rows) {
      scratch.touched[r] = 0;
      scratch.dense.fill(0, r * grad.width, (r + 1) * grad.width);
    }
  }

  /** Keras's _clip_gradients: clipnorm, else global_clipnorm, else clipvalue. */
  private clip(grads: StepGradient[]): void {
    if (this.clipnorm !== null) {
      const c = this.clipnorm;
      // values * clipnorm / max(l2norm, clipnorm)
      for (const g of grads) g.scale = c / Math.max(Math.sqrt(g.squaredNorm()), c);
    } else if (this.globalClipnorm !== null) {
      const c = this.globalClipnorm;
      const norm = Math.sqrt(grads.reduce((sum, g) => sum + g.squaredNorm(), 0));
      // clip_norm * min(1 / norm, 1 / clip_norm); + (norm - norm) makes the scale NaN for an inf or NaN norm.
      const scale = c * Math.min(1 / norm, 1 / c) + (norm - norm);
      for (const g of grads) g.scale = scale;
    } else if (this.clipvalue !== null) {
      for (const g of grads) g.limit = this.clipvalue;
    }
  }
}
