// Backend parity, ggml test-backend-ops style: every op, on every backend, against a plain float64
// reference (test/reference/rnn-reference.ts), plus the two backends against each other.
//
// One table for the recurrent cells (simple_rnn, lstm, gru with resetAfter true and false, each
// under every option set below), one for Dense, then async / concurrency / thread-count checks.
// Every row has its own fixed seed (derived from its name), so a failing row reproduces alone.
//
// The native rows never skip: if the addon did not load, they fail with the loader's reasons (CI
// always builds it). The suite does not depend on RNNKIT_BACKEND; it loads both backends itself.
//
// Tolerance. float32 carries a relative precision of 2^-24 (6e-8), so the error of a value is
// proportional to its magnitude. A difference d between a value and its reference r passes when
//   d <= 1e-5 * max(1, |r|)
// i.e. an absolute 1e-5 for every value of magnitude <= 1 (all outputs and h of cells whose
// activation is bounded by 1, e.g. tanh, sigmoid, softsign), and a relative 1e-5 above that (LSTM
// cell states, which grow past 1, and the unbounded activations: relu, linear, elu, selu, softplus,
// exponential, silu). Weights are scaled by 1/sqrt(fan_in) so that the recurrence is contractive
// (a float32 rounding error shrinks from step to step instead of growing) and activations neither
// saturate to constants nor explode; the rows with unbounded activations get smaller weights (and
// exponential fewer steps) so that their values stay moderate. A guard fails any row whose
// reference leaves |v| <= 100, so a badly chosen scale cannot quietly weaken the check.
import type {
  ActivationName,
  CellName,
  DenseForwardArgs,
  RnnForwardArgs,
  RnnForwardResult,
} from '../binding';
import type { Kernels } from '../src/backend/kernels';
import { biasLength, gateCount, rnnArgs } from './helpers/kernel-args';
import { loaded as nativeLoad } from './helpers/native';
import { Rng } from './helpers/random';
import { ALL_ACTIVATIONS, denseReference, rnnReference, type ReferenceResult } from './reference/rnn-reference';

// Globals are read once: under Jest the code runs in a vm context, where every global lookup in a
// hot loop (Math, Object, Number, Infinity, ...) goes through the context's interceptor and is some
// 30 times slower.
const { abs, max, floor } = Math;
const same = Object.is;
const INFINITY = 1 / 0;

const TOLERANCE = 1e-5;
const MAX_REFERENCE_MAGNITUDE = 100;

// ---------------------------------------------------------------------------------------------
// Backends

type BackendName = 'native' | 'ts';
const BACKENDS: readonly BackendName[] = ['native', 'ts'];

interface Loaded {
  kernels: Kernels | null;
  error: string;
}

function loadNative(): Loaded {
  if (nativeLoad.kernels !== null) return { kernels: nativeLoad.kernels, error: '' };
  return { kernels: null, error: `native addon did not load: ${nativeLoad.failures.join('; ') || '(no reason given)'}` };
}

function loadTs(): Loaded {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const kernels = require('../src/backend/ts') as Kernels;
    if (typeof kernels.rnnForward !== 'function') throw new Error('it does not export rnnForward');
    return { kernels, error: '' };
  } catch (err) {
    return { kernels: null, error: `TypeScript backend (src/backend/ts) did not load: ${(err as Error).message.split('\n')[0]}` };
  }
}

const loaded: Record<BackendName, Loaded> = { native: loadNative(), ts: loadTs() };

function backend(name: BackendName): Kernels {
  const l = loaded[name];
  if (l.kernels === null) throw new Error(l.error);
  return l.kernels;
}

// ---------------------------------------------------------------------------------------------
// Comparison

/** Per-comparison worst differences, printed at the end when RNNKIT_PARITY_REPORT is set. */
const report: string[] = [];
/** CPU milliseconds spent in each side, for the same report. */
const cpuMs: Record<string, number> = {};
function timed<T>(what: string, f: () => T): T {
  const t0 = process.cpuUsage();
  try {
    return f();
  } finally {
    const d = process.cpuUsage(t0);
    cpuMs[what] = (cpuMs[what] ?? 0) + (d.user + d.system) / 1000;
  }
}

type IndexLabel = (i: number) => string;

/**
 * Checks got against want element by element, |got - want| <= TOLERANCE * max(1, |want|) (both
 * sides' magnitudes when neither is the reference), and throws a message naming the row, the
 * array, the worst element and how many elements are out.
 */
function expectClose(
  row: string,
  array: string,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  index: IndexLabel,
  symmetric = false,
): void {
  if (got.length !== want.length) {
    throw new Error(`${row}: ${array} has ${got.length} elements, expected ${want.length}`);
  }
  // One monomorphic copy of each side: the arrays come from three places (the addon, this realm,
  // plain number[]), and a loop over mixed array kinds is many times slower.
  const g64 = Float64Array.from(got);
  const w64 = Float64Array.from(want);
  let worst = -1;
  let worstRatio = -1;
  let worstAbs = 0;
  let bad = 0;
  for (let i = 0; i < w64.length; i++) {
    const g = g64[i];
    const w = w64[i];
    const d = abs(g - w);
    const scale = max(1, abs(w), symmetric ? abs(g) : 0);
    const nan = d !== d;
    const ratio = nan ? INFINITY : d / scale;
    if (!(d <= TOLERANCE * scale)) bad++;
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worst = i;
    }
    if (nan || d > worstAbs) worstAbs = d; // a NaN sticks: NaN > x is false
  }
  if (process.env.RNNKIT_PARITY_REPORT) report.push(`${row} ${array}: max |diff| ${worstAbs.toExponential(2)}`);
  if (bad > 0) {
    const i = worst;
    throw new Error(
      `${row}: ${array} differs at ${bad} of ${want.length} elements; worst at index ${i} (${index(i)}): ` +
        `got ${got[i]}, want ${want[i]}, |diff| ${Math.abs(got[i] - want[i]).toExponential(3)} > ` +
        `tolerance ${TOLERANCE.toExponential(0)} * max(1, |value|); max |diff| over the array ${worstAbs.toExponential(3)}`,
    );
  }
}

function expectIdentical(row: string, array: string, got: ArrayLike<number>, want: ArrayLike<number>, index: IndexLabel): void {
  if (got.length !== want.length) {
    throw new Error(`${row}: ${array} has ${got.length} elements, expected ${want.length}`);
  }
  for (let i = 0; i < want.length; i++) {
    if (!same(got[i], want[i])) {
      throw new Error(`${row}: ${array} is not bit-identical; first difference at index ${i} (${index(i)}): got ${got[i]}, want ${want[i]}`);
    }
  }
}

interface ResultLike {
  output: ArrayLike<number>;
  h: ArrayLike<number>;
  c: ArrayLike<number> | null;
}

function labelsFor(args: RnnForwardArgs): { output: IndexLabel; state: IndexLabel } {
  const { units: H, timesteps: T } = args;
  const state: IndexLabel = (i) => `sample ${floor(i / H)}, unit ${i % H}`;
  const output: IndexLabel = args.returnSequences
    ? (i) => {
        const b = floor(i / (T * H));
        const k = floor(i / H) % T;
        const t = args.goBackwards ? T - 1 - k : k;
        return `sample ${b}, output step ${k} (input step ${t}), unit ${i % H}`;
      }
    : state;
  return { output, state };
}

function checkC(row: string, args: RnnForwardArgs, got: ResultLike, want: ResultLike, compare: (g: ArrayLike<number>, w: ArrayLike<number>) => void): void {
  if (args.cell === 'lstm') {
    if (got.c === null) throw new Error(`${row}: c is null, expected batch*units = ${args.batch * args.units} values for lstm`);
    if (want.c === null) throw new Error(`${row}: c of the expected side is null for lstm`);
    compare(got.c, want.c);
  } else {
    if (got.c !== null) throw new Error(`${row}: c must be null for ${args.cell}, got ${got.c.length} values`);
    if (want.c !== null) throw new Error(`${row}: c of the expected side must be null for ${args.cell}`);
  }
}

function expectResultsClose(row: string, args: RnnForwardArgs, got: ResultLike, want: ResultLike, symmetric = false): void {
  const labels = labelsFor(args);
  expectClose(row, 'output', got.output, want.output, labels.output, symmetric);
  expectClose(row, 'h', got.h, want.h, labels.state, symmetric);
  checkC(row, args, got, want, (g, w) => expectClose(row, 'c', g, w, labels.state, symmetric));
}

function expectResultsIdentical(row: string, args: RnnForwardArgs, got: ResultLike, want: ResultLike): void {
  const labels = labelsFor(args);
  expectIdentical(row, 'output', got.output, want.output, labels.output);
  expectIdentical(row, 'h', got.h, want.h, labels.state);
  checkC(row, args, got, want, (g, w) => expectIdentical(row, 'c', g, w, labels.state));
}

function checkReferenceSane(row: string, values: ArrayLike<number>, array: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!(abs(values[i]) <= MAX_REFERENCE_MAGNITUDE)) {
      throw new Error(
        `${row}: the reference ${array}[${i}] = ${values[i]} leaves |v| <= ${MAX_REFERENCE_MAGNITUDE}; ` +
          `this row's weight scales are badly chosen (a test bug, not a backend bug)`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Recurrent cases

type CellVariant = 'simple_rnn' | 'lstm' | 'gru_reset_after' | 'gru_reset_before';
const CELL_VARIANTS: readonly CellVariant[] = ['simple_rnn', 'lstm', 'gru_reset_after', 'gru_reset_before'];

interface Shape {
  batch: number;
  timesteps: number;
  inputDim: number;
  units: number;
}

interface OptionSet {
  name: string;
  goBackwards?: boolean;
  returnSequences?: boolean;
  initialStates?: boolean;
  mask?: boolean;
  zeroOutputForMask?: boolean;
  noBias?: boolean;
  activation?: ActivationName;
  recurrentActivation?: ActivationName;
  /** Fixed dimensions; the others are drawn at random. */
  shape?: Partial<Shape>;
}

const UNBOUNDED: ReadonlySet<ActivationName> = new Set<ActivationName>([
  'linear',
  'relu',
  'relu6',
  'elu',
  'selu',
  'softplus',
  'exponential',
  'silu',
]);

const MAX_SHAPE: Shape = { batch: 33, timesteps: 50, inputDim: 40, units: 64 };

const OPTION_SETS: readonly OptionSet[] = [
  { name: 'plain', shape: { batch: 1, timesteps: 1, inputDim: 1, units: 1 } },
  { name: 'returnSequences', returnSequences: true, shape: { timesteps: 1 } },
  { name: 'goBackwards', goBackwards: true, shape: { batch: 1 } },
  { name: 'goBackwards+returnSequences', goBackwards: true, returnSequences: true },
  { name: 'initialStates', initialStates: true, shape: { inputDim: 1 } },
  { name: 'initialStates+returnSequences', initialStates: true, returnSequences: true },
  { name: 'mask', mask: true },
  { name: 'mask+returnSequences', mask: true, returnSequences: true },
  { name: 'mask+zeroOutputForMask', mask: true, zeroOutputForMask: true },
  { name: 'mask+zeroOutputForMask+returnSequences', mask: true, zeroOutputForMask: true, returnSequences: true, shape: MAX_SHAPE },
  { name: 'mask+goBackwards+initialStates', mask: true, goBackwards: true, initialStates: true },
  { name: 'mask+goBackwards+returnSequences', mask: true, goBackwards: true, returnSequences: true },
  { name: 'noBias', noBias: true, shape: { units: 1 } },
  { name: 'noBias+returnSequences', noBias: true, returnSequences: true },
  ...ALL_ACTIVATIONS.filter((a) => a !== 'tanh').map(
    (a): OptionSet => ({ name: `activation=${a}`, activation: a, returnSequences: true }),
  ),
  ...(['hard_sigmoid', 'hard_sigmoid_keras2', 'relu', 'tanh'] as const).map(
    (a): OptionSet => ({ name: `recurrentActivation=${a}`, recurrentActivation: a, returnSequences: true }),
  ),
  {
    name: 'activation=relu+recurrentActivation=hard_sigmoid_keras2+mask',
    activation: 'relu',
    recurrentActivation: 'hard_sigmoid_keras2',
    mask: true,
    returnSequences: true,
  },
];

interface RnnCase {
  name: string;
  args: RnnForwardArgs;
}

function cellOf(v: CellVariant): { cell: CellName; resetAfter: boolean } {
  if (v === 'gru_reset_after') return { cell: 'gru', resetAfter: true };
  if (v === 'gru_reset_before') return { cell: 'gru', resetAfter: false };
  // resetAfter is ignored by these cells; true makes a backend that reads it anyway size the bias wrong.
  return { cell: v, resetAfter: true };
}

interface Scales {
  input: number; // kernel ~ U(-input/sqrt(inputDim), +)
  recurrent: number; // recurrentKernel ~ U(-recurrent/sqrt(units), +)
  bias: number; // bias ~ U(-bias, bias)
  maxTimesteps: number;
}

function scalesFor(cell: CellName, activation: ActivationName, recurrentActivation: ActivationName): Scales {
  // Defaults: pre-activations of order 1 (the input part has std input/3), recurrent gain
  // recurrent/sqrt(3) ~ 0.58 < 1: contractive, so float32 rounding does not grow along the steps.
  const s: Scales = { input: 2, recurrent: 1, bias: 0.5, maxTimesteps: 50 };
  const gated = cell !== 'simple_rnn';
  if (gated && (recurrentActivation === 'hard_sigmoid' || recurrentActivation === 'hard_sigmoid_keras2')) {
    // Push gate pre-activations past the clip points (+-3 and +-2.5) often, through the
    // non-recurrent terms only (input and bias), so the recurrent gain stays below 1.
    s.input = 6;
    s.bias = 3;
  }
  if (gated && UNBOUNDED.has(recurrentActivation)) {
    // Unbounded gates (a forget gate above 1 grows c): small weights, fewer steps.
    s.input = 1;
    s.recurrent = 0.3;
    s.maxTimesteps = 20;
  }
  if (UNBOUNDED.has(activation)) {
    s.input = 1;
    s.recurrent = Math.min(s.recurrent, 0.5);
    s.bias = Math.min(s.bias, 1.5);
  }
  if (activation === 'exponential') {
    // LSTM's h = o * exp(c) with c summing i * exp(.) over the steps: keep every term near exp(0).
    s.input = 0.5;
    s.recurrent = 0.2;
    s.bias = 0.2;
    s.maxTimesteps = 20;
  }
  return s;
}

function makeRnnCase(variant: CellVariant, set: OptionSet, seedName = `${variant}/${set.name}`): RnnCase {
  const rng = new Rng(seedName);
  const { cell, resetAfter } = cellOf(variant);
  const activation = set.activation ?? 'tanh';
  const recurrentActivation = set.recurrentActivation ?? 'sigmoid';
  const scales = scalesFor(cell, activation, recurrentActivation);
  const needsMaskEdges = set.mask === true;
  const shape: Shape = {
    batch: set.shape?.batch ?? rng.int(needsMaskEdges ? 3 : 1, 33),
    timesteps: set.shape?.timesteps ?? rng.int(needsMaskEdges ? 2 : 1, scales.maxTimesteps),
    inputDim: set.shape?.inputDim ?? rng.int(1, 40),
    units: set.shape?.units ?? rng.int(1, 64),
  };
  const { batch: B, timesteps: T, inputDim: D, units: H } = shape;
  const g = gateCount(cell);
  const args: RnnForwardArgs = {
    cell,
    batch: B,
    timesteps: T,
    inputDim: D,
    units: H,
    x: rng.float32Array(B * T * D, 1),
    kernel: rng.float32Array(D * g * H, scales.input / Math.sqrt(D)),
    recurrentKernel: rng.float32Array(H * g * H, scales.recurrent / Math.sqrt(H)),
    bias: set.noBias ? null : rng.float32Array(biasLength(cell, resetAfter, H), scales.bias),
    activation,
    recurrentActivation,
    resetAfter,
    goBackwards: set.goBackwards ?? false,
    returnSequences: set.returnSequences ?? false,
    zeroOutputForMask: set.zeroOutputForMask ?? false,
    initialH: set.initialStates ? rng.float32Array(B * H, 1) : null,
    initialC: set.initialStates && cell === 'lstm' ? rng.float32Array(B * H, 1) : null,
    mask: set.mask ? rng.mask(B, T, set.goBackwards ?? false) : null,
  };
  return { name: `${seedName} [batch ${B}, timesteps ${T}, inputDim ${D}, units ${H}]`, args };
}

const RNN_CASES: RnnCase[] = CELL_VARIANTS.flatMap((v) => OPTION_SETS.map((set) => makeRnnCase(v, set)));

// Memoised reference and backend results, so the three rows of a case compute each side once.
const referenceCache = new Map<RnnForwardArgs, ReferenceResult>();
function reference(c: RnnCase): ReferenceResult {
  let r = referenceCache.get(c.args);
  if (r === undefined) {
    r = timed('reference', () => rnnReference(c.args));
    checkReferenceSane(c.name, r.output, 'output');
    checkReferenceSane(c.name, r.h, 'h');
    if (r.c !== null) checkReferenceSane(c.name, r.c, 'c');
    referenceCache.set(c.args, r);
  }
  return r;
}

function cloneArgs(a: RnnForwardArgs): RnnForwardArgs {
  const copy = <T extends Float32Array | Uint8Array | null>(v: T): T => (v === null ? v : (v.slice() as T));
  return {
    ...a,
    x: a.x.slice(),
    kernel: copy(a.kernel),
    recurrentKernel: copy(a.recurrentKernel),
    bias: copy(a.bias),
    initialH: copy(a.initialH),
    initialC: copy(a.initialC),
    mask: copy(a.mask),
  };
}

/** Fails if a backend wrote into any of its argument arrays. */
function expectArgsUnchanged(row: string, before: RnnForwardArgs, after: RnnForwardArgs): void {
  for (const key of ['x', 'kernel', 'recurrentKernel', 'bias', 'initialH', 'initialC', 'mask'] as const) {
    const b = before[key];
    const a = after[key];
    if (b === null || a === null) continue;
    for (let i = 0; i < b.length; i++) {
      if (!same(a[i], b[i])) throw new Error(`${row}: the backend modified its argument ${key}[${i}]`);
    }
  }
}

const backendCache = new Map<string, { result: RnnForwardResult } | { error: Error }>();
function run(c: RnnCase, name: BackendName): RnnForwardResult {
  const key = `${name}\u0000${c.name}`;
  let entry = backendCache.get(key);
  if (entry === undefined) {
    try {
      const k = backend(name);
      const before = cloneArgs(c.args);
      const result = timed(name, () => k.rnnForward(c.args));
      expectArgsUnchanged(`${c.name} on ${name}`, before, c.args);
      entry = { result };
    } catch (err) {
      entry = { error: err as Error };
    }
    backendCache.set(key, entry);
  }
  if ('error' in entry) throw entry.error;
  return entry.result;
}

type Check = 'native vs reference' | 'ts vs reference' | 'native vs ts';
interface RnnRow {
  name: string;
  c: RnnCase;
  check: Check;
}

const RNN_ROWS: RnnRow[] = RNN_CASES.flatMap((c) =>
  (['native vs reference', 'ts vs reference', 'native vs ts'] as const).map((check) => ({ name: `${c.name}: ${check}`, c, check })),
);

function checkRnnRow({ name, c, check }: RnnRow): void {
  if (check === 'native vs ts') {
    expectResultsClose(name, c.args, run(c, 'native'), run(c, 'ts'), true);
  } else {
    const b: BackendName = check === 'native vs reference' ? 'native' : 'ts';
    expectResultsClose(name, c.args, run(c, b), reference(c));
  }
}

// ---------------------------------------------------------------------------------------------
// Dense cases

interface DenseCase {
  name: string;
  args: DenseForwardArgs;
}

interface DenseSpec {
  name: string;
  activation: ActivationName;
  noBias?: boolean;
  rows?: number;
  inputDim?: number;
  units?: number;
}

const DENSE_SPECS: readonly DenseSpec[] = [
  ...ALL_ACTIVATIONS.map((a): DenseSpec => ({ name: `activation=${a}`, activation: a })),
  { name: 'noBias', activation: 'tanh', noBias: true },
  { name: 'rows 1', activation: 'sigmoid', rows: 1 },
  { name: 'inputDim 1, units 1', activation: 'linear', inputDim: 1, units: 1 },
  { name: 'large', activation: 'relu', rows: 257, inputDim: 40, units: 64 },
];

function makeDenseCase(spec: DenseSpec): DenseCase {
  const rng = new Rng(`dense/${spec.name}`);
  const rows = spec.rows ?? rng.int(1, 70);
  const D = spec.inputDim ?? rng.int(1, 40);
  const U = spec.units ?? rng.int(1, 64);
  // Pre-activations with std ~2 (x ~ U(-1,1), kernel ~ U(-6/sqrt(D), +)), so the clipping
  // activations (hard_sigmoid, relu6) and both sides of relu/elu/selu are exercised;
  // exponential stays below ~e^10, compared relatively.
  const args: DenseForwardArgs = {
    rows,
    inputDim: D,
    units: U,
    x: rng.float32Array(rows * D, 1),
    kernel: rng.float32Array(D * U, 6 / Math.sqrt(D)),
    bias: spec.noBias ? null : rng.float32Array(U, 1),
    activation: spec.activation,
  };
  return { name: `dense/${spec.name} [rows ${rows}, inputDim ${D}, units ${U}]`, args };
}

const DENSE_CASES: DenseCase[] = DENSE_SPECS.map(makeDenseCase);

const denseCache = new Map<string, { result: Float32Array } | { error: Error }>();
function runDense(c: DenseCase, name: BackendName): Float32Array {
  const key = `${name}\u0000${c.name}`;
  let entry = denseCache.get(key);
  if (entry === undefined) {
    try {
      entry = { result: backend(name).denseForward(c.args) };
    } catch (err) {
      entry = { error: err as Error };
    }
    denseCache.set(key, entry);
  }
  if ('error' in entry) throw entry.error;
  return entry.result;
}

interface DenseRow {
  name: string;
  c: DenseCase;
  check: Check;
}

const DENSE_ROWS: DenseRow[] = DENSE_CASES.flatMap((c) =>
  (['native vs reference', 'ts vs reference', 'native vs ts'] as const).map((check) => ({ name: `${c.name}: ${check}`, c, check })),
);

function checkDenseRow({ name, c, check }: DenseRow): void {
  const U = c.args.units;
  const label: IndexLabel = (i) => `row ${floor(i / U)}, unit ${i % U}`;
  if (check === 'native vs ts') {
    expectClose(name, 'y', runDense(c, 'native'), runDense(c, 'ts'), label, true);
  } else {
    const want = denseReference(c.args);
    checkReferenceSane(name, want.map((v) => v / 1e3), 'y (/1000)'); // exponential may reach ~e^10
    expectClose(name, 'y', runDense(c, check === 'native vs reference' ? 'native' : 'ts'), want, label);
  }
}

// ---------------------------------------------------------------------------------------------
// Tests

afterAll(() => {
  if (process.env.RNNKIT_PARITY_REPORT && report.length > 0) {
    const cpu = Object.entries(cpuMs).map(([k, v]) => `${k} ${v.toFixed(0)} ms`);
    console.log(`${report.join('\n')}\nCPU time of the recurrent rows: ${cpu.join(', ')}`);
  }
});

describe('backend parity: recurrent layers', () => {
  test.each(RNN_ROWS)('$name', (row) => {
    checkRnnRow(row);
  });
});

describe('backend parity: dense', () => {
  test.each(DENSE_ROWS)('$name', (row) => {
    checkDenseRow(row);
  });
});

describe('backend identity', () => {
  test.each(BACKENDS)('%s reports its implementation name', (name) => {
    expect(backend(name).implementation).toBe(name);
  });
});

// A few cases of each cell, with the options that change the loop most.
const ASYNC_CASES: RnnCase[] = [
  makeRnnCase('simple_rnn', { name: 'async', returnSequences: true, initialStates: true }, 'async/simple_rnn'),
  makeRnnCase('lstm', { name: 'async', mask: true, goBackwards: true, initialStates: true }, 'async/lstm'),
  makeRnnCase('gru_reset_after', { name: 'async', mask: true, zeroOutputForMask: true, returnSequences: true }, 'async/gru_reset_after'),
  makeRnnCase('gru_reset_before', { name: 'async', goBackwards: true, returnSequences: true }, 'async/gru_reset_before'),
];

describe('async', () => {
  test.each(BACKENDS)('%s: rnnForwardAsync and denseForwardAsync give exactly what the sync calls give', async (name) => {
    const k = backend(name);
    for (const c of ASYNC_CASES) {
      const before = cloneArgs(c.args);
      const got = await k.rnnForwardAsync(c.args);
      expectArgsUnchanged(`${c.name} async on ${name}`, before, c.args);
      expectResultsIdentical(`${c.name}: ${name} rnnForwardAsync vs rnnForward`, c.args, got, k.rnnForward(c.args));
    }
    for (const c of DENSE_CASES.slice(0, 4)) {
      const U = c.args.units;
      expectIdentical(`${c.name}: ${name} denseForwardAsync vs denseForward`, 'y', await k.denseForwardAsync(c.args), k.denseForward(c.args), (i) => `row ${floor(i / U)}, unit ${i % U}`);
    }
  });

  test.each(BACKENDS)('%s: 32 rnnForwardAsync calls in flight at once all match the reference', async (name) => {
    const k = backend(name);
    const sets: OptionSet[] = [
      { name: 'plain' },
      { name: 'rs', returnSequences: true },
      { name: 'mask', mask: true, returnSequences: true },
      { name: 'gb+init', goBackwards: true, initialStates: true },
    ];
    const cases: RnnCase[] = [];
    for (let i = 0; i < 32; i++) {
      const c = makeRnnCase(CELL_VARIANTS[i % 4], { ...sets[floor(i / 4) % 4], shape: { batch: 1 + ((i * 5) % 9), timesteps: 1 + ((i * 7) % 20), units: 1 + ((i * 13) % 40) } }, `inflight/${i}`);
      cases.push(c);
    }
    const results = await Promise.all(cases.map((c) => k.rnnForwardAsync(c.args)));
    results.forEach((r, i) => expectResultsClose(`${cases[i].name} (${name}, 32 in flight, #${i})`, cases[i].args, r, reference(cases[i])));
  });
});

describe('native threads', () => {
  test('setThreads(1) and setThreads(2) give bit-identical results', async () => {
    const k = backend('native');
    const saved = k.getThreads();
    const cases = [
      makeRnnCase('lstm', { name: 'threads', mask: true, returnSequences: true, initialStates: true, shape: { batch: 33 } }, 'threads/lstm'),
      makeRnnCase('gru_reset_after', { name: 'threads', goBackwards: true, shape: { batch: 17 } }, 'threads/gru_reset_after'),
      makeRnnCase('gru_reset_before', { name: 'threads', mask: true, shape: { batch: 9 } }, 'threads/gru_reset_before'),
      makeRnnCase('simple_rnn', { name: 'threads', returnSequences: true, shape: { batch: 32 } }, 'threads/simple_rnn'),
    ];
    const dense = DENSE_CASES[DENSE_CASES.length - 1];
    try {
      k.setThreads(1);
      expect(k.getThreads()).toBe(1);
      const one = cases.map((c) => k.rnnForward(c.args));
      const oneAsync = await Promise.all(cases.map((c) => k.rnnForwardAsync(c.args)));
      const denseOne = k.denseForward(dense.args);
      k.setThreads(2);
      expect(k.getThreads()).toBe(2);
      const two = cases.map((c) => k.rnnForward(c.args));
      const twoAsync = await Promise.all(cases.map((c) => k.rnnForwardAsync(c.args)));
      const denseTwo = k.denseForward(dense.args);
      cases.forEach((c, i) => {
        expectResultsIdentical(`${c.name}: native threads 2 vs 1`, c.args, two[i], one[i]);
        expectResultsIdentical(`${c.name}: native async threads 2 vs 1`, c.args, twoAsync[i], oneAsync[i]);
        expectResultsClose(`${c.name}: native threads 1 vs reference`, c.args, one[i], reference(c));
      });
      const U = dense.args.units;
      expectIdentical(`${dense.name}: native threads 2 vs 1`, 'y', denseTwo, denseOne, (i) => `row ${floor(i / U)}, unit ${i % U}`);
    } finally {
      k.setThreads(saved);
    }
    expect(k.getThreads()).toBe(saved);
  });
});

describe('the reference itself', () => {
  test('every recurrent row is well-posed: finite, moderate and not constant', () => {
    const lines: string[] = [];
    const problems: string[] = [];
    for (const c of RNN_CASES) {
      const t0 = performance.now();
      let r: ReferenceResult;
      try {
        r = reference(c); // throws if some |v| > MAX_REFERENCE_MAGNITUDE or NaN
      } catch (err) {
        problems.push((err as Error).message);
        continue;
      }
      const ms = performance.now() - t0;
      let sum = 0;
      let sumSq = 0;
      let maxAbs = 0;
      for (const v of r.output) {
        sum += v;
        sumSq += v * v;
        maxAbs = max(maxAbs, abs(v));
      }
      const n = r.output.length;
      const std = Math.sqrt(Math.max(0, sumSq / n - (sum / n) ** 2));
      let cMax = 0;
      for (const v of r.c ?? []) cMax = max(cMax, abs(v));
      lines.push(`${c.name}: output max |v| ${maxAbs.toFixed(3)}, std ${std.toFixed(3)}, c max |v| ${cMax.toFixed(3)}, ${ms.toFixed(0)} ms`);
      if (n >= 8 && !(std > 1e-3)) problems.push(`${c.name}: the reference output is constant (std ${std}); the row's scales are badly chosen`);
    }
    if (process.env.RNNKIT_PARITY_REPORT) console.log(lines.join('\n'));
    if (problems.length > 0) throw new Error(problems.join('\n'));
  });

  test('simple_rnn reference with kernel = Wx^T equals the tutorial numpy loop', () => {
    // The tutorial's loop (Deep Learning with Python, 6.2), transcribed directly:
    //   state_t = 0
    //   for input_t in inputs:
    //       output_t = np.tanh(np.dot(W, input_t) + np.dot(U, state_t) + b)
    //       successive_outputs.append(output_t); state_t = output_t
    // with W (hidden, inputDim), U (hidden, hidden). Keras stores the transposes: kernel (inputDim,
    // hidden) = W^T, recurrentKernel (hidden, hidden) = U^T.
    const rng = new Rng('reference/tutorial');
    const hidden = 8;
    const inputDim = 4;
    const timesteps = 10;
    const Wflat = rng.float32Array(hidden * inputDim, 0.5); // W[i][j] = Wflat[i*inputDim + j]
    const Uflat = rng.float32Array(hidden * hidden, 0.5);
    const b = rng.float32Array(hidden, 0.5);
    const inputs = rng.float32Array(timesteps * inputDim, 1);

    const W = (i: number, j: number): number => Wflat[i * inputDim + j];
    const U = (i: number, j: number): number => Uflat[i * hidden + j];
    const tutorial: number[][] = [];
    let state = new Array<number>(hidden).fill(0);
    for (let t = 0; t < timesteps; t++) {
      const out: number[] = [];
      for (let i = 0; i < hidden; i++) {
        let dotW = 0;
        for (let j = 0; j < inputDim; j++) dotW += W(i, j) * inputs[t * inputDim + j];
        let dotU = 0;
        for (let j = 0; j < hidden; j++) dotU += U(i, j) * state[j];
        out.push(Math.tanh(dotW + dotU + b[i]));
      }
      tutorial.push(out);
      state = out;
    }

    const kernel = new Float32Array(inputDim * hidden); // (inputDim, hidden) = W^T
    for (let i = 0; i < hidden; i++) for (let j = 0; j < inputDim; j++) kernel[j * hidden + i] = W(i, j);
    const recurrentKernel = new Float32Array(hidden * hidden); // U^T
    for (let i = 0; i < hidden; i++) for (let j = 0; j < hidden; j++) recurrentKernel[j * hidden + i] = U(i, j);
    const ref = rnnReference(
      rnnArgs({ timesteps, inputDim, units: hidden, x: inputs, kernel, recurrentKernel, bias: b, returnSequences: true }),
    );
    expect(ref.output).toHaveLength(timesteps * hidden);
    expect(ref.c).toBeNull();
    let maxDiff = 0;
    for (let t = 0; t < timesteps; t++) {
      for (let i = 0; i < hidden; i++) maxDiff = Math.max(maxDiff, Math.abs(ref.output[t * hidden + i] - tutorial[t][i]));
    }
    expect(maxDiff).toBeLessThanOrEqual(1e-12); // both float64; only the summation order differs
    for (let i = 0; i < hidden; i++) expect(Math.abs(ref.h[i] - tutorial[timesteps - 1][i])).toBeLessThanOrEqual(1e-12);
    // Not a vacuous check: the outputs move.
    expect(Math.abs(tutorial[timesteps - 1][0] - tutorial[0][0])).toBeGreaterThan(1e-3);
  });
});
