// Argument validation of the TypeScript backend (docs/KERNELS.md "Errors"): one test per rule,
// each checking the error class and that the message names the field, the expectation and the value.
import * as ts from '../../src/backend/ts';
import type { DenseForwardArgs, RnnForwardArgs } from '../../src/backend/kernels';

/** A valid LSTM call: batch 2, timesteps 3, inputDim 4, units 2 (g = 4). */
function lstmArgs(overrides: Record<string, unknown> = {}): RnnForwardArgs {
  return {
    cell: 'lstm',
    batch: 2,
    timesteps: 3,
    inputDim: 4,
    units: 2,
    x: new Float32Array(2 * 3 * 4),
    kernel: new Float32Array(4 * 4 * 2),
    recurrentKernel: new Float32Array(2 * 4 * 2),
    bias: new Float32Array(4 * 2),
    activation: 'tanh',
    recurrentActivation: 'sigmoid',
    resetAfter: false,
    goBackwards: false,
    returnSequences: false,
    zeroOutputForMask: false,
    initialH: null,
    initialC: null,
    mask: null,
    ...overrides,
  } as RnnForwardArgs;
}

/** A valid GRU call with the same dims (g = 3); bias sized for resetAfter. */
function gruArgs(resetAfter: boolean, overrides: Record<string, unknown> = {}): RnnForwardArgs {
  return lstmArgs({
    cell: 'gru',
    kernel: new Float32Array(4 * 3 * 2),
    recurrentKernel: new Float32Array(2 * 3 * 2),
    bias: new Float32Array((resetAfter ? 2 : 1) * 3 * 2),
    resetAfter,
    ...overrides,
  });
}

function denseArgs(overrides: Record<string, unknown> = {}): DenseForwardArgs {
  return {
    rows: 3,
    inputDim: 4,
    units: 5,
    x: new Float32Array(12),
    kernel: new Float32Array(20),
    bias: new Float32Array(5),
    activation: 'relu',
    ...overrides,
  } as DenseForwardArgs;
}

/** Asserts that run() throws errorClass with a message containing every fragment. */
function expectError(run: () => unknown, errorClass: typeof TypeError | typeof RangeError, fragments: string[]): void {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(errorClass);
  const message = (caught as Error).message;
  for (const fragment of fragments) expect(message).toContain(fragment);
}

describe('rnnForward validation', () => {
  test('valid arguments pass (baseline for the tests below)', () => {
    expect(() => ts.rnnForward(lstmArgs())).not.toThrow();
    expect(() => ts.rnnForward(gruArgs(true))).not.toThrow();
    expect(() => ts.rnnForward(gruArgs(false))).not.toThrow();
  });

  test('args that are not an object: TypeError', () => {
    expectError(() => ts.rnnForward(null as unknown as RnnForwardArgs), TypeError, ['rnnForward: args', 'got null']);
    expectError(() => ts.rnnForward(7 as unknown as RnnForwardArgs), TypeError, ['args', 'got 7']);
  });

  test('a missing array field: TypeError naming the field and undefined', () => {
    const args = lstmArgs();
    delete (args as Partial<RnnForwardArgs>).x;
    expectError(() => ts.rnnForward(args), TypeError, ['rnnForward: x must be a Float32Array', 'got undefined']);
  });

  test('an array of the wrong element type: TypeError naming the type that came', () => {
    expectError(() => ts.rnnForward(lstmArgs({ kernel: new Float64Array(32) })), TypeError, [
      'kernel must be a Float32Array',
      'got Float64Array',
    ]);
    expectError(() => ts.rnnForward(lstmArgs({ x: Array.from({ length: 24 }, () => 0) })), TypeError, ['x', 'got Array']);
  });

  test('a nullable array given undefined: TypeError (every field must be present)', () => {
    expectError(() => ts.rnnForward(lstmArgs({ bias: undefined })), TypeError, [
      'bias must be a Float32Array or null',
      'got undefined',
    ]);
  });

  test('cell: unknown name is a RangeError, a non-string a TypeError; both list the names', () => {
    expectError(() => ts.rnnForward(lstmArgs({ cell: 'rnn' })), RangeError, ['cell', "'simple_rnn', 'lstm', 'gru'", "got 'rnn'"]);
    expectError(() => ts.rnnForward(lstmArgs({ cell: 2 })), TypeError, ['cell', 'got 2']);
  });

  test.each(['batch', 'timesteps', 'inputDim', 'units'])('%s: 0, 2.5, NaN are RangeErrors; a string is a TypeError', (field) => {
    for (const bad of [0, -1, 2.5, NaN, Infinity]) {
      expectError(() => ts.rnnForward(lstmArgs({ [field]: bad })), RangeError, [`${field} must be an integer >= 1`, `got ${bad}`]);
    }
    expectError(() => ts.rnnForward(lstmArgs({ [field]: '2' })), TypeError, [`${field} must be an integer >= 1`, "got '2'"]);
  });

  test.each(['activation', 'recurrentActivation'])('%s: unknown name is a RangeError listing the known ones', (field) => {
    expectError(() => ts.rnnForward(lstmArgs({ [field]: 'gelu' })), RangeError, [field, "'hard_sigmoid_keras2'", "'silu'", "got 'gelu'"]);
    expectError(() => ts.rnnForward(lstmArgs({ [field]: null })), TypeError, [field, 'got null']);
  });

  test('recurrentActivation is checked even for simple_rnn, which ignores it', () => {
    const args = lstmArgs({
      cell: 'simple_rnn',
      kernel: new Float32Array(8),
      recurrentKernel: new Float32Array(4),
      bias: null,
      recurrentActivation: 'nope',
    });
    expectError(() => ts.rnnForward(args), RangeError, ['recurrentActivation', "got 'nope'"]);
  });

  test.each(['resetAfter', 'goBackwards', 'returnSequences', 'zeroOutputForMask'])('%s must be a boolean: TypeError', (field) => {
    expectError(() => ts.rnnForward(lstmArgs({ [field]: 1 })), TypeError, [`${field} must be a boolean`, 'got 1']);
  });

  test('x length: RangeError with the formula, the expected and the actual count', () => {
    expectError(() => ts.rnnForward(lstmArgs({ x: new Float32Array(23) })), RangeError, [
      'rnnForward: x must have batch*timesteps*inputDim = 24 elements (Float32Array), got 23',
    ]);
  });

  test('kernel and recurrentKernel lengths depend on the gate count of the cell', () => {
    expectError(() => ts.rnnForward(lstmArgs({ kernel: new Float32Array(24) })), RangeError, [
      'kernel must have inputDim*4*units = 32 elements (Float32Array), got 24',
    ]);
    expectError(() => ts.rnnForward(lstmArgs({ recurrentKernel: new Float32Array(12) })), RangeError, [
      'recurrentKernel must have units*4*units = 16 elements (Float32Array), got 12',
    ]);
    expectError(() => ts.rnnForward(gruArgs(true, { recurrentKernel: new Float32Array(16) })), RangeError, [
      'recurrentKernel must have units*3*units = 12 elements (Float32Array), got 16',
    ]);
  });

  test('bias: g*units, except GRU with resetAfter which needs 2*3*units', () => {
    expectError(() => ts.rnnForward(lstmArgs({ bias: new Float32Array(6) })), RangeError, ['bias must have 4*units = 8 elements', 'got 6']);
    expectError(() => ts.rnnForward(gruArgs(true, { bias: new Float32Array(6) })), RangeError, ['bias must have 2*3*units = 12 elements', 'got 6']);
    expectError(() => ts.rnnForward(gruArgs(false, { bias: new Float32Array(12) })), RangeError, ['bias must have 3*units = 6 elements', 'got 12']);
    expect(() => ts.rnnForward(gruArgs(false, { bias: null }))).not.toThrow();
  });

  test('initialH and initialC lengths: batch*units', () => {
    expectError(() => ts.rnnForward(lstmArgs({ initialH: new Float32Array(3) })), RangeError, ['initialH must have batch*units = 4 elements', 'got 3']);
    expectError(() => ts.rnnForward(lstmArgs({ initialC: new Float32Array(5) })), RangeError, ['initialC must have batch*units = 4 elements', 'got 5']);
  });

  test('initialC must be null for cells other than lstm: TypeError naming the cell', () => {
    expectError(() => ts.rnnForward(gruArgs(true, { initialC: new Float32Array(4) })), TypeError, [
      "initialC must be null for cell 'gru'",
      'got Float32Array',
    ]);
    expectError(() => ts.rnnForward(gruArgs(true, { initialC: undefined })), TypeError, ['initialC', 'got undefined']);
  });

  test('mask must be a Uint8Array (a Buffer is one) of batch*timesteps bytes', () => {
    expectError(() => ts.rnnForward(lstmArgs({ mask: new Float32Array(6) })), TypeError, ['mask must be a Uint8Array or null', 'got Float32Array']);
    expectError(() => ts.rnnForward(lstmArgs({ mask: new Uint8ClampedArray(6) })), TypeError, ['mask', 'got Uint8ClampedArray']);
    expectError(() => ts.rnnForward(lstmArgs({ mask: new Uint8Array(5) })), RangeError, ['mask must have batch*timesteps = 6 elements (Uint8Array), got 5']);
    expect(() => ts.rnnForward(lstmArgs({ mask: Buffer.alloc(6, 1) }))).not.toThrow();
  });

  test('subarray views are accepted and read from their own offset', () => {
    const x = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i));
    const kernel = Float32Array.from({ length: 32 }, (_, i) => Math.cos(i) / 4);
    const padded = (a: Float32Array) => {
      const big = new Float32Array(a.length + 10).fill(NaN);
      big.set(a, 7);
      return big.subarray(7, 7 + a.length);
    };
    const direct = ts.rnnForward(lstmArgs({ x, kernel }));
    const viewed = ts.rnnForward(lstmArgs({ x: padded(x), kernel: padded(kernel) }));
    expect(Array.from(viewed.output)).toEqual(Array.from(direct.output));
  });

  test('the async variant throws the same errors synchronously, naming itself', () => {
    expectError(() => ts.rnnForwardAsync(lstmArgs({ units: 0 })), RangeError, ['rnnForwardAsync: units', 'got 0']);
  });
});

describe('denseForward validation', () => {
  test('valid arguments pass', () => {
    expect(ts.denseForward(denseArgs())).toHaveLength(15);
  });

  test.each(['rows', 'inputDim', 'units'])('%s must be an integer >= 1', (field) => {
    expectError(() => ts.denseForward(denseArgs({ [field]: 0 })), RangeError, [`denseForward: ${field} must be an integer >= 1`, 'got 0']);
  });

  test('x, kernel and bias lengths', () => {
    expectError(() => ts.denseForward(denseArgs({ x: new Float32Array(11) })), RangeError, ['x must have rows*inputDim = 12 elements', 'got 11']);
    expectError(() => ts.denseForward(denseArgs({ kernel: new Float32Array(21) })), RangeError, ['kernel must have inputDim*units = 20 elements', 'got 21']);
    expectError(() => ts.denseForward(denseArgs({ bias: new Float32Array(4) })), RangeError, ['bias must have units = 5 elements', 'got 4']);
  });

  test('activation must be a known name', () => {
    expectError(() => ts.denseForward(denseArgs({ activation: 'swish' })), RangeError, ['activation', "got 'swish'"]);
  });

  test('the async variant throws synchronously, naming itself', () => {
    expectError(() => ts.denseForwardAsync(denseArgs({ kernel: null })), TypeError, ['denseForwardAsync: kernel must be a Float32Array', 'got null']);
  });
});

describe('threads', () => {
  test('setThreads accepts 1..256 and has no effect: getThreads stays 1', () => {
    ts.setThreads(4);
    ts.setThreads(256);
    expect(ts.getThreads()).toBe(1);
  });

  test('setThreads rejects out-of-range or non-integer counts with RangeError, non-numbers with TypeError', () => {
    for (const bad of [0, 257, 1.5, NaN]) {
      expectError(() => ts.setThreads(bad), RangeError, ['setThreads: threads must be an integer from 1 to 256', `got ${bad}`]);
    }
    expectError(() => ts.setThreads('2' as unknown as number), TypeError, ['threads', "got '2'"]);
  });

  test("implementation is 'ts'", () => {
    expect(ts.implementation).toBe('ts');
  });
});
