// Argument validation of the native addon (docs/KERNELS.md "Errors").
//
// Error classes are checked by name, not instanceof: the addon creates its errors in Node's main
// realm, while jest runs this file in its own vm realm with its own TypeError and RangeError.
//
// The async variants validate synchronously on the JS thread and THROW the same errors as the sync
// calls (they do not return a rejected promise); see native/addon.cc.
import type { DenseForwardArgs, RnnForwardArgs } from '../../src/backend/kernels';
import { native } from '../helpers/native';

type ErrorName = 'TypeError' | 'RangeError';

/** Runs fn, expects it to throw an error called `name` whose message contains every part. */
function expectError(fn: () => unknown, name: ErrorName, ...parts: string[]): Error {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  if (caught === undefined) throw new Error(`expected a ${name}, nothing was thrown`);
  const err = caught as Error;
  expect(err.name).toBe(name);
  expect(err.constructor.name).toBe(name);
  for (const part of parts) expect(err.message).toContain(part);
  return err;
}

// A valid LSTM call: batch 2, timesteps 3, inputDim 2, units 3 (g = 4).
function lstmArgs(): RnnForwardArgs {
  return {
    cell: 'lstm',
    batch: 2,
    timesteps: 3,
    inputDim: 2,
    units: 3,
    x: new Float32Array(2 * 3 * 2),
    kernel: new Float32Array(2 * 4 * 3),
    recurrentKernel: new Float32Array(3 * 4 * 3),
    bias: new Float32Array(4 * 3),
    activation: 'tanh',
    recurrentActivation: 'sigmoid',
    resetAfter: true,
    goBackwards: false,
    returnSequences: true,
    zeroOutputForMask: false,
    initialH: new Float32Array(2 * 3),
    initialC: new Float32Array(2 * 3),
    mask: new Uint8Array(2 * 3).fill(1),
  };
}

function denseArgs(): DenseForwardArgs {
  return {
    rows: 4,
    inputDim: 3,
    units: 2,
    x: new Float32Array(4 * 3),
    kernel: new Float32Array(3 * 2),
    bias: new Float32Array(2),
    activation: 'relu',
  };
}

/** args with one field replaced (or removed with `undefined` and remove = true). */
function withField<T extends object>(args: T, field: string, value: unknown, remove = false): T {
  const copy = { ...args } as Record<string, unknown>;
  if (remove) delete copy[field];
  else copy[field] = value;
  return copy as T;
}

const rnnFields = Object.keys(lstmArgs());
const denseFields = Object.keys(denseArgs());

describe('the valid baseline', () => {
  test('lstmArgs() and denseArgs() are accepted', () => {
    expect(native().rnnForward(lstmArgs()).output).toHaveLength(2 * 3 * 3);
    expect(native().denseForward(denseArgs())).toHaveLength(4 * 2);
  });
});

describe('the arguments object', () => {
  test.each([
    ['no argument', []],
    ['undefined', [undefined]],
    ['null', [null]],
    ['a number', [5]],
    ['a Float32Array', [new Float32Array(3)]],
  ])('rnnForward and denseForward reject %s with a TypeError', (_what, callArgs) => {
    const k = native() as unknown as Record<string, (...a: unknown[]) => unknown>;
    expectError(() => k.rnnForward(...callArgs), 'TypeError', 'rnnForward', 'arguments object');
    expectError(() => k.denseForward(...callArgs), 'TypeError', 'denseForward', 'arguments object');
  });
});

describe('missing fields', () => {
  test.each(rnnFields)('rnnForward without %s throws a TypeError naming it', (field) => {
    expectError(
      () => native().rnnForward(withField(lstmArgs(), field, undefined, true)),
      'TypeError',
      `rnnForward: ${field} must`,
      'got undefined',
    );
  });
  test.each(denseFields)('denseForward without %s throws a TypeError naming it', (field) => {
    expectError(
      () => native().denseForward(withField(denseArgs(), field, undefined, true)),
      'TypeError',
      `denseForward: ${field} must`,
      'got undefined',
    );
  });
});

describe('wrong types', () => {
  test.each([
    ['batch', 'string', '2'],
    ['units', 'boolean', true],
    ['cell', 'number', 1],
    ['activation', 'null', null],
    ['recurrentActivation', 'object', {}],
    ['resetAfter', 'number', 1],
    ['goBackwards', 'string', 'false'],
    ['returnSequences', 'null', null],
    ['zeroOutputForMask', 'undefined', undefined],
    ['x', 'Float64Array', new Float64Array(12)],
    ['kernel', 'Array', Array.from({ length: 24 }, () => 0)],
    ['recurrentKernel', 'ArrayBuffer', new Float32Array(36).buffer],
    ['bias', 'Int32Array', new Int32Array(12)],
    ['initialH', 'number', 0],
    ['initialC', 'Uint8Array', new Uint8Array(6)],
    ['mask', 'Int8Array', new Int8Array(6)],
    ['mask', 'Uint8ClampedArray', new Uint8ClampedArray(6)],
    ['mask', 'Float32Array', new Float32Array(6)],
  ])('rnnForward with %s given %s throws a TypeError naming the field and what came', (field, got, value) => {
    expectError(
      () => native().rnnForward(withField(lstmArgs(), field, value)),
      'TypeError',
      `rnnForward: ${field} must`,
      `got ${got}`,
    );
  });

  test('a Float32Array field names the expected element count', () => {
    expectError(
      () => native().rnnForward(withField(lstmArgs(), 'kernel', new Float64Array(24))),
      'TypeError',
      'rnnForward: kernel must be a Float32Array of inputDim*4*units = 24 elements, got Float64Array',
    );
  });

  test('non-nullable arrays reject null; nullable ones say so', () => {
    expectError(() => native().rnnForward(withField(lstmArgs(), 'x', null)), 'TypeError', 'x must be a Float32Array', 'got null');
    expectError(
      () => native().rnnForward(withField(lstmArgs(), 'mask', [1, 1, 1, 1, 1, 1])),
      'TypeError',
      'mask must be null or a Uint8Array of batch*timesteps = 6 elements, got Array',
    );
  });

  test('initialC must be null for the cells other than lstm', () => {
    for (const cell of ['simple_rnn', 'gru'] as const) {
      const g = cell === 'gru' ? 3 : 1;
      const args = {
        ...lstmArgs(),
        cell,
        kernel: new Float32Array(2 * g * 3),
        recurrentKernel: new Float32Array(3 * g * 3),
        bias: null,
      };
      expect(() => native().rnnForward({ ...args, initialC: null })).not.toThrow();
      expectError(() => native().rnnForward(args), 'TypeError', 'initialC must be null', `cell is '${cell}'`, 'got Float32Array');
    }
  });

  test('denseForward checks its types too', () => {
    expectError(() => native().denseForward(withField(denseArgs(), 'rows', '4')), 'TypeError', 'denseForward: rows', 'got string');
    expectError(() => native().denseForward(withField(denseArgs(), 'x', new Float64Array(12))), 'TypeError', 'denseForward: x', 'got Float64Array');
    expectError(() => native().denseForward(withField(denseArgs(), 'activation', 3)), 'TypeError', 'denseForward: activation', 'got number');
  });
});

describe('wrong array lengths', () => {
  // field, args, expected description, wrong length
  test.each([
    ['x', 'batch*timesteps*inputDim = 12', 11],
    ['kernel', 'inputDim*4*units = 24', 25],
    ['recurrentKernel', 'units*4*units = 36', 48],
    ['bias', '4*units = 12', 24],
    ['initialH', 'batch*units = 6', 3],
    ['initialC', 'batch*units = 6', 0],
  ])('rnnForward with a wrong-length %s throws a RangeError with both numbers', (field, expected, length) => {
    const err = expectError(
      () => native().rnnForward(withField(lstmArgs(), field, new Float32Array(length))),
      'RangeError',
    );
    expect(err.message).toBe(`rnnForward: ${field} must have ${expected} elements (Float32Array), got ${length}`);
  });

  test('the mask length', () => {
    expectError(
      () => native().rnnForward(withField(lstmArgs(), 'mask', new Uint8Array(7))),
      'RangeError',
      'rnnForward: mask must have batch*timesteps = 6 elements (Uint8Array), got 7',
    );
  });

  test('GRU bias is 2*3*units with resetAfter and 3*units without', () => {
    const gru = { ...lstmArgs(), cell: 'gru' as const, kernel: new Float32Array(18), recurrentKernel: new Float32Array(27), initialC: null };
    expectError(
      () => native().rnnForward({ ...gru, resetAfter: true, bias: new Float32Array(9) }),
      'RangeError',
      'rnnForward: bias must have 2*3*units = 18 elements (Float32Array), got 9',
    );
    expectError(
      () => native().rnnForward({ ...gru, resetAfter: false, bias: new Float32Array(18) }),
      'RangeError',
      'rnnForward: bias must have 3*units = 9 elements (Float32Array), got 18',
    );
    expect(() => native().rnnForward({ ...gru, resetAfter: false, bias: new Float32Array(9) })).not.toThrow();
  });

  test('a view with the wrong length is rejected by its own length, not its buffer', () => {
    const buffer = new Float32Array(100);
    expectError(
      () => native().rnnForward(withField(lstmArgs(), 'x', buffer.subarray(5, 16))),
      'RangeError',
      'x must have batch*timesteps*inputDim = 12 elements (Float32Array), got 11',
    );
  });

  test('an array detached by a getter of a later field is caught before any work', () => {
    const args = lstmArgs();
    const tricky = {
      ...args,
      get mask() {
        structuredClone(args.x.buffer, { transfer: [args.x.buffer as ArrayBuffer] }); // detaches x
        return null;
      },
    };
    expectError(() => native().rnnForward(tricky), 'TypeError', 'rnnForward: x changed (detached or resized)');
  });

  test('denseForward array lengths', () => {
    expectError(() => native().denseForward(withField(denseArgs(), 'x', new Float32Array(13))), 'RangeError', 'denseForward: x must have rows*inputDim = 12 elements (Float32Array), got 13');
    expectError(() => native().denseForward(withField(denseArgs(), 'kernel', new Float32Array(5))), 'RangeError', 'denseForward: kernel must have inputDim*units = 6 elements (Float32Array), got 5');
    expectError(() => native().denseForward(withField(denseArgs(), 'bias', new Float32Array(3))), 'RangeError', 'denseForward: bias must have units = 2 elements (Float32Array), got 3');
  });
});

describe('bad names', () => {
  test.each([
    ['cell', 'LSTM'],
    ['cell', 'rnn'],
    ['activation', 'swish'],
    ['activation', ''],
    ['recurrentActivation', 'hardSigmoid'],
  ])('rnnForward with %s = %p throws a RangeError listing the names', (field, value) => {
    expectError(
      () => native().rnnForward(withField(lstmArgs(), field, value)),
      'RangeError',
      `rnnForward: ${field} must be one of`,
      field === 'cell' ? "'simple_rnn', 'lstm', 'gru'" : "'linear', 'tanh'",
      `got '${value}'`,
    );
  });

  test('denseForward activation name', () => {
    expectError(() => native().denseForward(withField(denseArgs(), 'activation', 'gelu')), 'RangeError', "denseForward: activation must be one of 'linear'", "got 'gelu'");
  });
});

describe('dimensions', () => {
  test.each(['batch', 'timesteps', 'inputDim', 'units'])('rnnForward %s = 0 throws a RangeError', (field) => {
    expectError(() => native().rnnForward(withField(lstmArgs(), field, 0)), 'RangeError', `rnnForward: ${field} must be an integer >= 1, got 0`);
  });

  test.each([
    [-1, '-1'],
    [2.5, '2.5'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
  ])('rnnForward batch = %p throws a RangeError', (value, shown) => {
    expectError(() => native().rnnForward(withField(lstmArgs(), 'batch', value)), 'RangeError', 'rnnForward: batch must', `got ${shown}`);
  });

  test('dimensions beyond a C int are rejected', () => {
    expectError(() => native().rnnForward(withField(lstmArgs(), 'units', 2 ** 31)), 'RangeError', 'units must be at most 2147483647', 'got 2147483648');
  });

  test('products that BLAS takes as an int are checked before the arrays', () => {
    expectError(
      () => native().rnnForward({ ...lstmArgs(), batch: 65536, timesteps: 65536 }),
      'RangeError',
      'rnnForward: batch*timesteps = 4294967296 must be at most 2147483647',
    );
    expectError(
      () => native().rnnForward({ ...lstmArgs(), units: 2 ** 30 }),
      'RangeError',
      'rnnForward: 4*units = 4294967296 must be at most 2147483647',
    );
  });

  test.each(['rows', 'inputDim', 'units'])('denseForward %s = 0 and 1.5 throw RangeErrors', (field) => {
    expectError(() => native().denseForward(withField(denseArgs(), field, 0)), 'RangeError', `denseForward: ${field} must be an integer >= 1, got 0`);
    expectError(() => native().denseForward(withField(denseArgs(), field, 1.5)), 'RangeError', `got 1.5`);
  });
});

describe('async variants', () => {
  // Chosen behaviour: validation happens synchronously, so bad arguments throw, like the sync calls.
  test('rnnForwardAsync throws the same error synchronously', () => {
    const bad = withField(lstmArgs(), 'recurrentKernel', new Float32Array(48));
    expectError(() => native().rnnForwardAsync(bad), 'RangeError', 'rnnForwardAsync: recurrentKernel must have units*4*units = 36 elements (Float32Array), got 48');
    expectError(() => native().rnnForwardAsync(withField(lstmArgs(), 'cell', 'x')), 'RangeError', 'rnnForwardAsync: cell');
    expectError(() => native().rnnForwardAsync(withField(lstmArgs(), 'mask', undefined, true)), 'TypeError', 'rnnForwardAsync: mask');
  });

  test('denseForwardAsync throws the same error synchronously', () => {
    expectError(() => native().denseForwardAsync(withField(denseArgs(), 'units', -3)), 'RangeError', 'denseForwardAsync: units must be an integer >= 1, got -3');
    expectError(() => native().denseForwardAsync(withField(denseArgs(), 'bias', [0, 0])), 'TypeError', 'denseForwardAsync: bias must be null or a Float32Array', 'got Array');
  });

  test('valid async calls resolve', async () => {
    await expect(native().rnnForwardAsync(lstmArgs())).resolves.toHaveProperty('output');
    await expect(native().denseForwardAsync(denseArgs())).resolves.toHaveLength(8);
  });
});

describe('setThreads', () => {
  test.each([
    [0, 'RangeError', 'got 0'],
    [257, 'RangeError', 'got 257'],
    [1.5, 'RangeError', 'got 1.5'],
    [NaN, 'RangeError', 'got NaN'],
    ['2', 'TypeError', 'got string'],
    [undefined, 'TypeError', 'got undefined'],
  ] as const)('setThreads(%p) throws a %s', (value, name, got) => {
    const before = native().getThreads();
    expectError(() => native().setThreads(value as number), name, 'setThreads: threads must be an integer from 1 to 256', got);
    expect(native().getThreads()).toBe(before);
  });
});
