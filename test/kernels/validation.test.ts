// Argument validation of both kernel backends (docs/KERNELS.md "Errors"), ggml test-backend-ops style:
// every check runs on the native addon and on the TypeScript fallback. The checks that exist for one
// backend only (the addon's detached-buffer and C int limits, ts's no-op setThreads) close the file.
//
// The async variants validate synchronously and THROW the sync call's errors (no rejected promise).
import type { CellName, DenseForwardArgs, Kernels, RnnForwardArgs } from '../../src/backend/kernels';
import * as tsKernels from '../../src/backend/ts';
import { KERNEL_BACKENDS, type BackendName } from '../helpers/backends';
import { denseArgs, expectKernelError, rnnArgs } from '../helpers/kernel-args';
import { loaded, native } from '../helpers/native';
import { ALL_ACTIVATIONS } from '../reference/rnn-reference';

/**
 * Where the two backends word a message differently. docs/KERNELS.md fixes the error class and that a
 * message names the field, what was expected and what came, not the words: every check asserts the
 * fragments both backends share (function, field, numbers) and, where they differ, each one's own.
 */
interface Wording {
  /** What a TypeError says came, for a value that is no array: native names its type ('string',
   * 'object'), ts shows the value ("'2'", 'Object'). Typed arrays, Array, ArrayBuffer, null and
   * undefined read the same in both; so does every value in a RangeError. */
  typeErrorShows(value: unknown): string;
  /** The expectation when the call's one argument is not an object. */
  notAnObject: string;
  /** The expectation for a nullable array. */
  nullOr(kind: 'Float32Array' | 'Uint8Array'): string;
  /** How the initialC message names the cell that has no cell state. */
  noCellState(cell: CellName): string;
  /** The expectation for a dimension of Infinity: native caps dimensions at C's INT_MAX, ts wants an integer. */
  infiniteDimension: string;
}

const WORDING: Record<BackendName, Wording> = {
  native: {
    typeErrorShows: (v) => {
      if (v === null) return 'null';
      if (typeof v !== 'object') return typeof v;
      return ArrayBuffer.isView(v) || ['Array', 'ArrayBuffer'].includes(v.constructor.name) ? v.constructor.name : 'object';
    },
    notAnObject: 'expected an arguments object',
    nullOr: (kind) => `null or a ${kind}`,
    noCellState: (cell) => `cell is '${cell}'`,
    infiniteDimension: 'must be at most 2147483647',
  },
  ts: {
    typeErrorShows: (v) =>
      typeof v === 'string' ? `'${v}'` : typeof v === 'object' && v !== null ? v.constructor.name : String(v),
    notAnObject: 'args must be an object',
    nullOr: (kind) => `a ${kind} or null`,
    noCellState: (cell) => `for cell '${cell}'`,
    infiniteDimension: 'must be an integer >= 1',
  },
};

/** The valid LSTM call the rnnForward checks start from: batch 2, timesteps 3, inputDim 2, units 3
 * (g = 4), with every nullable array given. */
function lstm(): RnnForwardArgs {
  return rnnArgs({
    cell: 'lstm',
    batch: 2,
    timesteps: 3,
    inputDim: 2,
    units: 3,
    returnSequences: true,
    bias: new Float32Array(4 * 3),
    initialH: new Float32Array(2 * 3),
    initialC: new Float32Array(2 * 3),
    mask: new Uint8Array(2 * 3).fill(1),
  });
}

/** A valid GRU call of the same dimensions (g = 3), bias sized for resetAfter, initialC null. */
function gru(resetAfter: boolean): RnnForwardArgs {
  return {
    ...lstm(),
    cell: 'gru',
    kernel: new Float32Array(2 * 3 * 3),
    recurrentKernel: new Float32Array(3 * 3 * 3),
    bias: new Float32Array((resetAfter ? 2 : 1) * 3 * 3),
    resetAfter,
    initialC: null,
  };
}

/** A valid simple_rnn call of the same dimensions (g = 1). */
function simpleRnn(): RnnForwardArgs {
  return {
    ...lstm(),
    cell: 'simple_rnn',
    kernel: new Float32Array(2 * 3),
    recurrentKernel: new Float32Array(3 * 3),
    bias: new Float32Array(3),
    initialC: null,
  };
}

/** The valid dense call: rows 4, inputDim 3, units 2. */
function dense(): DenseForwardArgs {
  return denseArgs({ rows: 4, inputDim: 3, units: 2, bias: new Float32Array(2), activation: 'relu' });
}

/** args with one field set to any value (of any type). */
function withField<T extends object>(args: T, field: string, value: unknown): T {
  return { ...args, [field]: value };
}

/** args without the field. */
function without<T extends object>(args: T, field: string): T {
  const copy = { ...args } as Record<string, unknown>;
  delete copy[field];
  return copy as T;
}

type Field = keyof RnnForwardArgs | keyof DenseForwardArgs;

/** What a field's TypeError says it must be, in the words of one backend (a field of rnnForward and
 * one of denseForward with the same name have the same rule). */
function expectation(field: Field, w: Wording): string {
  switch (field) {
    case 'cell': case 'activation': case 'recurrentActivation':
      return 'must be one of';
    case 'rows': case 'batch': case 'timesteps': case 'inputDim': case 'units':
      return 'must be an integer >= 1';
    case 'resetAfter': case 'goBackwards': case 'returnSequences': case 'zeroOutputForMask':
      return 'must be a boolean';
    case 'x': case 'kernel': case 'recurrentKernel':
      return 'must be a Float32Array';
    case 'bias': case 'initialH': case 'initialC':
      return `must be ${w.nullOr('Float32Array')}`;
    case 'mask':
      return `must be ${w.nullOr('Uint8Array')}`;
    case 'packed':
      return 'must be null or a PackedRnnWeights';
  }
}

const CELL_NAMES = "'simple_rnn', 'lstm', 'gru'";
const ACTIVATION_NAMES = ALL_ACTIVATIONS.map((a) => `'${a}'`).join(', ');

type Entry = 'rnnForward' | 'rnnForwardAsync' | 'denseForward' | 'denseForwardAsync';
type Loose = Record<string, (...args: unknown[]) => unknown>;
const DELETED = Symbol('deleted');

/** A call of entry point fn with its valid baseline (lstm() or dense()), one field replaced by value or DELETED. */
function callWith(kernels: () => Kernels, fn: Entry, field: string, value: unknown): () => unknown {
  const base: object = fn.startsWith('rnn') ? lstm() : dense();
  const args = value === DELETED ? without(base, field) : withField(base, field, value);
  return () => (kernels() as unknown as Loose)[fn](args);
}

describe.each(KERNEL_BACKENDS)('%s backend', (backendName, kernels) => {
  const w = WORDING[backendName];

  describe('the surface', () => {
    test("exports exactly binding.d.ts's functions and names its implementation", () => {
      expect(Object.keys(kernels()).sort()).toEqual(
        ['denseBackward', 'denseBackwardAsync', 'denseForward', 'denseForwardAsync', 'getThreads', 'implementation', 'matmul', 'packRnnWeights', 'rnnBackward', 'rnnBackwardAsync', 'rnnForward', 'rnnForwardAsync', 'rnnForwardMany', 'rnnForwardManyAsync', 'rnnTrainForward', 'rnnTrainForwardAsync', 'setThreads'].sort(),
      );
      expect(kernels().implementation).toBe(backendName);
    });
  });

  describe('valid calls', () => {
    test('an lstm call with every nullable array given is accepted', () => {
      expect(kernels().rnnForward(lstm()).output).toHaveLength(2 * 3 * 3);
    });

    test('null for every nullable array is accepted', () => {
      const args = { ...lstm(), bias: null, initialH: null, initialC: null, mask: null };
      expect(kernels().rnnForward(args).output).toHaveLength(2 * 3 * 3);
    });

    test.each([true, false])('a gru call with resetAfter %s is accepted', (resetAfter) => {
      expect(kernels().rnnForward(gru(resetAfter)).h).toHaveLength(2 * 3);
    });

    test('a Buffer, being a Uint8Array, is accepted as the mask', () => {
      expect(() => kernels().rnnForward({ ...lstm(), mask: Buffer.alloc(2 * 3, 1) })).not.toThrow();
    });

    test('a dense call is accepted', () => {
      expect(kernels().denseForward(dense())).toHaveLength(4 * 2);
    });

    test('valid async calls resolve', async () => {
      await expect(kernels().rnnForwardAsync(lstm())).resolves.toHaveProperty('output');
      await expect(kernels().denseForwardAsync(dense())).resolves.toHaveLength(8);
    });
  });

  describe('the arguments object', () => {
    test.each([
      ['no argument', []],
      ['undefined', [undefined]],
      ['null', [null]],
      ['a number', [5]],
    ])('rnnForward and denseForward called with %s throw a TypeError asking for an object', (_what, callArgs) => {
      const k = kernels() as unknown as Loose;
      const came = callArgs.length === 0 ? [] : [`got ${w.typeErrorShows(callArgs[0])}`];
      expectKernelError(() => k.rnnForward(...callArgs), 'TypeError', `rnnForward: ${w.notAnObject}`, ...came);
      expectKernelError(() => k.denseForward(...callArgs), 'TypeError', `denseForward: ${w.notAnObject}`, ...came);
    });
  });

  describe('missing fields (docs: undefined is missing, also for the nullable fields)', () => {
    const cases = [
      ...Object.keys(lstm()).map((field) => ['rnnForward', field] as const),
      ...Object.keys(dense()).map((field) => ['denseForward', field] as const),
    ].flatMap(([fn, field]) => [[fn, field, 'deleted', DELETED] as const, [fn, field, 'undefined', undefined] as const]);
    test.each(cases)('%s with %s %s throws a TypeError naming the field, its expectation and undefined', (fn, field, _how, value) => {
      expectKernelError(callWith(kernels, fn, field, value), 'TypeError', `${fn}: ${field} ${expectation(field as Field, w)}`, 'got undefined');
    });
  });

  describe('wrong types', () => {
    test.each([
      ['rnnForward', 'cell', 'a number', 1],
      ['rnnForward', 'batch', 'a string', '2'],
      ['rnnForward', 'timesteps', 'a string', '2'],
      ['rnnForward', 'inputDim', 'a string', '2'],
      ['rnnForward', 'units', 'a string', '2'],
      ['rnnForward', 'units', 'a boolean', true],
      ['rnnForward', 'activation', 'null', null],
      ['rnnForward', 'recurrentActivation', 'null', null],
      ['rnnForward', 'recurrentActivation', 'an object', {}],
      ['rnnForward', 'resetAfter', 'a number', 1],
      ['rnnForward', 'goBackwards', 'a number', 1],
      ['rnnForward', 'goBackwards', 'a string', 'false'],
      ['rnnForward', 'returnSequences', 'a number', 1],
      ['rnnForward', 'returnSequences', 'null', null],
      ['rnnForward', 'zeroOutputForMask', 'a number', 1],
      ['rnnForward', 'x', 'null', null],
      ['rnnForward', 'x', 'a Float64Array', new Float64Array(12)],
      ['rnnForward', 'x', 'an Array', Array.from({ length: 12 }, () => 0)],
      ['rnnForward', 'kernel', 'a Float64Array', new Float64Array(24)],
      ['rnnForward', 'kernel', 'an Array', Array.from({ length: 24 }, () => 0)],
      ['rnnForward', 'recurrentKernel', 'an ArrayBuffer', new Float32Array(36).buffer],
      ['rnnForward', 'bias', 'an Int32Array', new Int32Array(12)],
      ['rnnForward', 'initialH', 'a number', 0],
      ['rnnForward', 'initialC', 'a Uint8Array', new Uint8Array(6)],
      ['rnnForward', 'mask', 'an Int8Array', new Int8Array(6)],
      ['rnnForward', 'mask', 'a Uint8ClampedArray', new Uint8ClampedArray(6)],
      ['rnnForward', 'mask', 'a Float32Array', new Float32Array(6)],
      ['rnnForward', 'mask', 'an Array', [1, 1, 1, 1, 1, 1]],
      ['denseForward', 'rows', 'a string', '4'],
      ['denseForward', 'x', 'a Float64Array', new Float64Array(12)],
      ['denseForward', 'kernel', 'null', null],
      ['denseForward', 'bias', 'an Array', [0, 0]],
      ['denseForward', 'activation', 'a number', 3],
    ] as [Entry, Field, string, unknown][])('%s with %s given %s throws a TypeError naming the field, its expectation and what came', (fn, field, _what, value) => {
      expectKernelError(callWith(kernels, fn, field, value), 'TypeError', `${fn}: ${field} ${expectation(field, w)}`, `got ${w.typeErrorShows(value)}`);
    });
  });

  describe('initialC outside lstm', () => {
    test.each([['simple_rnn', simpleRnn], ['gru', () => gru(true)]] as const)('initialC must be null for %s: null passes, an array is a TypeError naming the cell', (cell, args) => {
      expect(() => kernels().rnnForward(args())).not.toThrow();
      expectKernelError(
        () => kernels().rnnForward({ ...args(), initialC: new Float32Array(2 * 3) }),
        'TypeError',
        'rnnForward: initialC must be null',
        w.noCellState(cell),
        'got Float32Array',
      );
    });

    test('initialC undefined for gru is a TypeError (missing is not null)', () => {
      expectKernelError(() => kernels().rnnForward({ ...gru(true), initialC: undefined as never }), 'TypeError', 'rnnForward: initialC must be null', 'got undefined');
    });
  });

  describe('wrong array lengths', () => {
    test.each([
      ['rnnForward', 'x', 'Float32Array', 'batch*timesteps*inputDim = 12', 11],
      ['rnnForward', 'kernel', 'Float32Array', 'inputDim*4*units = 24', 25],
      ['rnnForward', 'recurrentKernel', 'Float32Array', 'units*4*units = 36', 48],
      ['rnnForward', 'bias', 'Float32Array', '4*units = 12', 24],
      ['rnnForward', 'initialH', 'Float32Array', 'batch*units = 6', 3],
      ['rnnForward', 'initialC', 'Float32Array', 'batch*units = 6', 0],
      ['rnnForward', 'mask', 'Uint8Array', 'batch*timesteps = 6', 7],
      ['denseForward', 'x', 'Float32Array', 'rows*inputDim = 12', 13],
      ['denseForward', 'kernel', 'Float32Array', 'inputDim*units = 6', 5],
      ['denseForward', 'bias', 'Float32Array', 'units = 2', 3],
    ] as const)('%s with a wrong-length %s throws a RangeError with the formula and both numbers', (fn, field, kind, expected, length) => {
      const value = kind === 'Uint8Array' ? new Uint8Array(length) : new Float32Array(length);
      const err = expectKernelError(callWith(kernels, fn, field, value), 'RangeError');
      expect(err.message).toBe(`${fn}: ${field} must have ${expected} elements (${kind}), got ${length}`);
    });

    test('kernel and recurrentKernel lengths follow the gate count of the cell (gru: 3)', () => {
      expectKernelError(() => kernels().rnnForward({ ...gru(true), kernel: new Float32Array(24) }), 'RangeError', 'rnnForward: kernel must have inputDim*3*units = 18 elements (Float32Array), got 24');
      expectKernelError(() => kernels().rnnForward({ ...gru(true), recurrentKernel: new Float32Array(36) }), 'RangeError', 'rnnForward: recurrentKernel must have units*3*units = 27 elements (Float32Array), got 36');
    });

    test('the gru bias is 2*3*units with resetAfter and 3*units without', () => {
      expectKernelError(() => kernels().rnnForward({ ...gru(true), bias: new Float32Array(9) }), 'RangeError', 'rnnForward: bias must have 2*3*units = 18 elements (Float32Array), got 9');
      expectKernelError(() => kernels().rnnForward({ ...gru(false), bias: new Float32Array(18) }), 'RangeError', 'rnnForward: bias must have 3*units = 9 elements (Float32Array), got 18');
      expect(() => kernels().rnnForward({ ...gru(false), bias: new Float32Array(9) })).not.toThrow();
      expect(() => kernels().rnnForward({ ...gru(false), bias: null })).not.toThrow();
    });

    test('a view is measured by its own length, not its buffer', () => {
      const view = new Float32Array(100).subarray(5, 16);
      expectKernelError(callWith(kernels, 'rnnForward', 'x', view), 'RangeError', 'rnnForward: x must have batch*timesteps*inputDim = 12 elements (Float32Array), got 11');
    });
  });

  describe('names', () => {
    test.each([
      ['rnnForward', 'cell', 'LSTM'],
      ['rnnForward', 'cell', 'rnn'],
      ['rnnForward', 'activation', 'swish'],
      ['rnnForward', 'activation', 'gelu'],
      ['rnnForward', 'activation', ''],
      ['rnnForward', 'recurrentActivation', 'hardSigmoid'],
      ['rnnForward', 'recurrentActivation', 'gelu'],
      ['denseForward', 'activation', 'gelu'],
      ['denseForward', 'activation', 'swish'],
    ] as const)('%s with %s = %p throws a RangeError listing every known name', (fn, field, value) => {
      const names = field === 'cell' ? CELL_NAMES : ACTIVATION_NAMES;
      expectKernelError(callWith(kernels, fn, field, value), 'RangeError', `${fn}: ${field} must be one of ${names}, got '${value}'`);
    });

    test('recurrentActivation is checked even for simple_rnn, which ignores it', () => {
      expectKernelError(() => kernels().rnnForward({ ...simpleRnn(), recurrentActivation: 'nope' as never }), 'RangeError', 'rnnForward: recurrentActivation must be one of', "got 'nope'");
    });
  });

  describe('dimensions', () => {
    const dims = [
      ...['batch', 'timesteps', 'inputDim', 'units'].flatMap((field) => [0, -1, 2.5, NaN].map((value) => ['rnnForward', field, value] as const)),
      ...['rows', 'inputDim', 'units'].flatMap((field) => [0, 1.5].map((value) => ['denseForward', field, value] as const)),
    ];
    test.each(dims)('%s with %s = %p throws a RangeError: an integer >= 1 is expected', (fn, field, value) => {
      expectKernelError(callWith(kernels, fn, field, value), 'RangeError', `${fn}: ${field} must be an integer >= 1, got ${value}`);
    });

    test.each(['batch', 'timesteps', 'inputDim', 'units'])('rnnForward with %s = Infinity throws a RangeError', (field) => {
      expectKernelError(callWith(kernels, 'rnnForward', field, Infinity), 'RangeError', `rnnForward: ${field} ${w.infiniteDimension}`, 'got Infinity');
    });
  });

  describe('async variants', () => {
    test('rnnForwardAsync throws the errors of rnnForward synchronously, naming itself', () => {
      expectKernelError(callWith(kernels, 'rnnForwardAsync', 'recurrentKernel', new Float32Array(48)), 'RangeError', 'rnnForwardAsync: recurrentKernel must have units*4*units = 36 elements (Float32Array), got 48');
      expectKernelError(callWith(kernels, 'rnnForwardAsync', 'cell', 'x'), 'RangeError', 'rnnForwardAsync: cell must be one of', "got 'x'");
      expectKernelError(callWith(kernels, 'rnnForwardAsync', 'units', 0), 'RangeError', 'rnnForwardAsync: units must be an integer >= 1, got 0');
      expectKernelError(callWith(kernels, 'rnnForwardAsync', 'mask', DELETED), 'TypeError', `rnnForwardAsync: mask must be ${w.nullOr('Uint8Array')}`, 'got undefined');
    });

    test('denseForwardAsync throws the errors of denseForward synchronously, naming itself', () => {
      expectKernelError(callWith(kernels, 'denseForwardAsync', 'units', -3), 'RangeError', 'denseForwardAsync: units must be an integer >= 1, got -3');
      expectKernelError(callWith(kernels, 'denseForwardAsync', 'bias', [0, 0]), 'TypeError', `denseForwardAsync: bias must be ${w.nullOr('Float32Array')}`, 'got Array');
      expectKernelError(callWith(kernels, 'denseForwardAsync', 'kernel', null), 'TypeError', 'denseForwardAsync: kernel must be a Float32Array', 'got null');
    });
  });

  describe('setThreads', () => {
    test.each([
      [0, 'RangeError'],
      [257, 'RangeError'],
      [1.5, 'RangeError'],
      [NaN, 'RangeError'],
      ['2', 'TypeError'],
      [undefined, 'TypeError'],
    ] as const)('setThreads(%p) throws a %s and leaves getThreads as it was', (value, name) => {
      const before = kernels().getThreads();
      const came = name === 'TypeError' ? w.typeErrorShows(value) : String(value);
      expectKernelError(() => kernels().setThreads(value as number), name, 'setThreads: threads must be an integer from 1 to 256', `got ${came}`);
      expect(kernels().getThreads()).toBe(before);
    });
  });
});

describe('native backend only', () => {
  test('the binary under test is a .node file, the ASan build when RNNKIT_NATIVE_ROOT names one', () => {
    native();
    expect(loaded.file).toMatch(/\.node$/);
    if (process.env.RNNKIT_NATIVE_ROOT) expect(loaded.file!.startsWith(process.env.RNNKIT_NATIVE_ROOT)).toBe(true);
  });

  // ts takes any object but an Array for the arguments object, typed arrays included, and then reports
  // the missing cell (while the addon takes an Array and reports the missing cell): a TypeError either way.
  test('a Float32Array is not an arguments object: TypeError', () => {
    const k = native() as unknown as Loose;
    expectKernelError(() => k.rnnForward(new Float32Array(3)), 'TypeError', 'rnnForward: expected an arguments object', 'got Float32Array');
    expectKernelError(() => k.denseForward(new Float32Array(3)), 'TypeError', 'denseForward: expected an arguments object', 'got Float32Array');
  });

  test("an array's TypeError states the element count it expects", () => {
    expectKernelError(
      callWith(native, 'rnnForward', 'kernel', new Float64Array(24)),
      'TypeError',
      'rnnForward: kernel must be a Float32Array of inputDim*4*units = 24 elements, got Float64Array',
    );
    expectKernelError(
      callWith(native, 'rnnForward', 'mask', [1, 1, 1, 1, 1, 1]),
      'TypeError',
      'rnnForward: mask must be null or a Uint8Array of batch*timesteps = 6 elements, got Array',
    );
  });

  test('an array detached by the getter of a later field is caught before any work', () => {
    const args = lstm();
    const tricky = {
      ...args,
      get mask() {
        structuredClone(args.x.buffer, { transfer: [args.x.buffer as ArrayBuffer] }); // detaches x
        return null;
      },
    };
    expectKernelError(() => native().rnnForward(tricky), 'TypeError', 'rnnForward: x changed (detached or resized)');
  });

  test('a dimension beyond a C int is a RangeError', () => {
    expectKernelError(callWith(native, 'rnnForward', 'units', 2 ** 31), 'RangeError', 'rnnForward: units must be at most 2147483647', 'got 2147483648');
  });

  test('the products BLAS takes as an int are checked before the arrays', () => {
    expectKernelError(() => native().rnnForward({ ...lstm(), batch: 65536, timesteps: 65536 }), 'RangeError', 'rnnForward: batch*timesteps = 4294967296 must be at most 2147483647');
    expectKernelError(() => native().rnnForward({ ...lstm(), units: 2 ** 30 }), 'RangeError', 'rnnForward: 4*units = 4294967296 must be at most 2147483647');
  });
});

describe('ts backend only', () => {
  test('setThreads accepts 1..256 and has no effect: getThreads stays 1', () => {
    tsKernels.setThreads(4);
    tsKernels.setThreads(256);
    expect(tsKernels.getThreads()).toBe(1);
  });
});
