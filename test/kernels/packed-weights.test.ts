// packRnnWeights and rnnForward's `packed` field (binding.d.ts, docs/KERNELS.md "Packed weights"), on
// both backends: a handle gives bit for bit the result of the same weights passed unpacked, under
// every cell and option; it holds a copy; it describes itself; and every misuse is a TypeError or a
// RangeError naming what was expected and what came.
//
// Errors are compared by name and message, never instanceof: the addon's come from another realm.
import type { CellName, PackRnnWeightsArgs, PackedRnnWeights, RnnForwardArgs } from '../../binding';
import type { Kernels } from '../../src/backend/kernels';
import * as gemm from '../../src/backend/ts/gemm';
import * as tsKernels from '../../src/backend/ts';
import { KERNEL_BACKENDS, type BackendName } from '../helpers/backends';
import { biasLength, expectKernelError, expectSameResult, gateCount, randomRnnArgs, rnnArgs, type KernelErrorName } from '../helpers/kernel-args';

type Variant = [name: string, cell: CellName, resetAfter: boolean];
const VARIANTS: Variant[] = [
  ['simple_rnn', 'simple_rnn', false],
  ['lstm', 'lstm', false],
  ['gru resetAfter true', 'gru', true],
  ['gru resetAfter false', 'gru', false],
];

/** What a call's weights pack into: the same cell, dimensions, resetAfter and arrays. */
function packArgsOf(args: RnnForwardArgs): PackRnnWeightsArgs {
  return {
    cell: args.cell,
    inputDim: args.inputDim,
    units: args.units,
    resetAfter: args.resetAfter,
    kernel: args.kernel!,
    recurrentKernel: args.recurrentKernel!,
    bias: args.bias,
  };
}

/** The same call with its weights taken from the handle. */
function withHandle(args: RnnForwardArgs, packed: PackedRnnWeights): RnnForwardArgs {
  return { ...args, kernel: null, recurrentKernel: null, bias: null, packed };
}

/**
 * A call of the variant with random weights (timesteps 4, inputDim 3, units 5) and none of the
 * options: no bias, initial states or mask, forwards, last output only. `option` adds some back.
 */
function plainArgs(seed: string, cell: CellName, resetAfter: boolean, batch: number): RnnForwardArgs {
  return {
    ...randomRnnArgs(seed, { cell, resetAfter, batch }),
    bias: null,
    initialH: null,
    initialC: null,
    mask: null,
    goBackwards: false,
    returnSequences: false,
  };
}

/** An option set: what it changes in the plain call, given the fully random call of the same seed. */
type Option = [name: string, change: (full: RnnForwardArgs) => Partial<RnnForwardArgs>];
const OPTIONS: Option[] = [
  ['no options', () => ({})],
  ['a bias', (full) => ({ bias: full.bias })],
  ['goBackwards', () => ({ goBackwards: true })],
  ['returnSequences', () => ({ returnSequences: true })],
  ['a mask', (full) => ({ mask: full.mask, returnSequences: true })],
  ['a mask and zeroOutputForMask', (full) => ({ mask: full.mask, zeroOutputForMask: true, returnSequences: true })],
  ['initial states', (full) => ({ initialH: full.initialH, initialC: full.initialC })],
  ['softsign and hard_sigmoid (the unfused gate math)', (full) => ({ bias: full.bias, activation: 'softsign', recurrentActivation: 'hard_sigmoid' })],
  ['every option at once', (full) => ({ ...full, goBackwards: true })],
];

/** The variant's call under the option: the plain call, changed. */
function callOf(variant: Variant, batch: number, option: Option): RnnForwardArgs {
  const [name, cell, resetAfter] = variant;
  const seed = `${name} ${batch} ${option[0]}`;
  const full = randomRnnArgs(seed, { cell, resetAfter, batch });
  return { ...plainArgs(seed, cell, resetAfter, batch), ...option[1](full) };
}

/** Runs fn, expects a `name` error whose message matches `pattern`. */
function expectError(fn: () => unknown, name: KernelErrorName, pattern: RegExp): void {
  const err = expectKernelError(fn, name);
  expect(err.message).toMatch(pattern);
}

/** The LSTM call the error checks start from: batch 2, timesteps 3, inputDim 2, units 3, with a bias. */
function lstmCall(): RnnForwardArgs {
  return randomRnnArgs('errors', { cell: 'lstm', batch: 2, timesteps: 3, inputDim: 2, units: 3 });
}

/** packRnnWeights's valid arguments for lstmCall()'s weights. */
function lstmPack(): PackRnnWeightsArgs {
  return packArgsOf(lstmCall());
}

/** args with one field set to any value, or deleted. */
const DELETED = Symbol('deleted');
function withField<T extends object>(args: T, field: string, value: unknown): T {
  const copy = { ...args } as Record<string, unknown>;
  if (value === DELETED) delete copy[field];
  else copy[field] = value;
  return copy as T;
}

/** The error's regex source for a literal string. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const BACKEND_KERNELS = new Map<BackendName, () => Kernels>(KERNEL_BACKENDS);

describe.each(KERNEL_BACKENDS)('%s backend', (backendName, kernels) => {
  const otherKernels = BACKEND_KERNELS.get(backendName === 'ts' ? 'native' : 'ts')!;

  describe('a handle gives bit for bit the unpacked result', () => {
    const cases = VARIANTS.flatMap((variant) =>
      [1, 5].flatMap((batch) => OPTIONS.map((option) => [variant[0], batch, option[0], variant, option] as const)),
    );
    test.each(cases)('%s, batch %i, %s', (_name, batch, _option, variant, option) => {
      const args = callOf(variant, batch, option);
      const handle = kernels().packRnnWeights(packArgsOf(args));
      expectSameResult(kernels().rnnForward(withHandle(args, handle)), kernels().rnnForward(args));
    });

    test.each(VARIANTS)('%s: rnnForwardAsync with a handle resolves to the unpacked result', async (name, cell, resetAfter) => {
      const args = callOf([name, cell, resetAfter], 5, OPTIONS[OPTIONS.length - 1]);
      const handle = kernels().packRnnWeights(packArgsOf(args));
      const want = kernels().rnnForward(args);
      expectSameResult(await kernels().rnnForwardAsync(withHandle(args, handle)), want);
    });

    test('rnnForwardMany with a handle per element (and one element without) gives each unpacked result', () => {
      const calls = VARIANTS.map((variant, i) => callOf(variant, i + 1, OPTIONS[OPTIONS.length - 1]));
      const want = calls.map((args) => kernels().rnnForward(args));
      const list = calls.map((args, i) => (i === 2 ? args : withHandle(args, kernels().packRnnWeights(packArgsOf(args)))));
      kernels().rnnForwardMany(list).forEach((got, i) => expectSameResult(got, want[i]));
    });

    test('rnnForwardManyAsync with handles resolves to the unpacked results', async () => {
      const calls = VARIANTS.map((variant) => callOf(variant, 5, OPTIONS[OPTIONS.length - 1]));
      const want = calls.map((args) => kernels().rnnForward(args));
      const got = await kernels().rnnForwardManyAsync(calls.map((args) => withHandle(args, kernels().packRnnWeights(packArgsOf(args)))));
      got.forEach((result, i) => expectSameResult(result, want[i]));
    });

    test('one handle serves the two directions of a rnnForwardMany call', () => {
      const forwards = callOf(VARIANTS[1], 3, OPTIONS[OPTIONS.length - 1]);
      const backwards = { ...forwards, goBackwards: !forwards.goBackwards };
      const handle = kernels().packRnnWeights(packArgsOf(forwards));
      const got = kernels().rnnForwardMany([withHandle(forwards, handle), withHandle(backwards, handle)]);
      expectSameResult(got[0], kernels().rnnForward(forwards));
      expectSameResult(got[1], kernels().rnnForward(backwards));
    });

    test('one handle serves calls of other batch sizes and timesteps', () => {
      const weights = randomRnnArgs('weights', { cell: 'gru', resetAfter: true });
      const handle = kernels().packRnnWeights(packArgsOf(weights));
      for (const [batch, timesteps] of [[1, 1], [5, 4], [2, 7], [1, 4]]) {
        const args = {
          ...randomRnnArgs(`batch ${batch}, timesteps ${timesteps}`, { cell: 'gru', resetAfter: true, batch, timesteps }),
          kernel: weights.kernel,
          recurrentKernel: weights.recurrentKernel,
          bias: weights.bias,
        };
        expectSameResult(kernels().rnnForward(withHandle(args, handle)), kernels().rnnForward(args));
      }
    });

    test.each(VARIANTS)('%s: unpacked calls of the same sizes before and after packing do not change what a handle gives', (name, cell, resetAfter) => {
      const args = callOf([name, cell, resetAfter], 5, OPTIONS[OPTIONS.length - 1]);
      const want = kernels().rnnForward(args);
      const other = { ...callOf([name, cell, resetAfter], 5, OPTIONS[1]), x: args.x }; // other weights
      kernels().rnnForward(other);
      const handle = kernels().packRnnWeights(packArgsOf(args));
      kernels().rnnForward(other);
      expectSameResult(kernels().rnnForward(withHandle(args, handle)), want);
      kernels().rnnForward(other);
      expectSameResult(kernels().rnnForward(withHandle(args, handle)), want);
    });

    test('packed undefined, null or absent is no handle: the weights come from the call', () => {
      const args = callOf(VARIANTS[1], 2, OPTIONS[1]);
      const want = kernels().rnnForward(args);
      expectSameResult(kernels().rnnForward({ ...args, packed: undefined }), want);
      expectSameResult(kernels().rnnForward({ ...args, packed: null }), want);
      expect('packed' in args).toBe(false);
    });

    test('resetAfter is ignored for cells other than gru: a handle packed with false serves a call with true', () => {
      for (const cell of ['simple_rnn', 'lstm'] as const) {
        const args = { ...callOf([cell, cell, false], 2, OPTIONS[1]), resetAfter: true };
        const handle = kernels().packRnnWeights({ ...packArgsOf(args), resetAfter: false });
        expectSameResult(kernels().rnnForward(withHandle(args, handle)), kernels().rnnForward(args));
      }
    });
  });

  describe('a handle holds a copy', () => {
    test.each(VARIANTS)('%s: writing the arrays it was made from changes nothing it gives', (name, cell, resetAfter) => {
      const args = callOf([name, cell, resetAfter], 5, OPTIONS[OPTIONS.length - 1]);
      const source = packArgsOf(args);
      const handle = kernels().packRnnWeights(source);
      const want = kernels().rnnForward(args);
      source.kernel.fill(0.75);
      source.recurrentKernel.fill(-0.5);
      source.bias!.fill(2);
      expectSameResult(kernels().rnnForward(withHandle(args, handle)), want);
    });

    test('a handle made after the arrays changed gives the new weights', () => {
      const args = callOf(VARIANTS[1], 2, OPTIONS[1]);
      const before = kernels().packRnnWeights(packArgsOf(args));
      args.recurrentKernel!.fill(0.125);
      const after = kernels().packRnnWeights(packArgsOf(args));
      expectSameResult(kernels().rnnForward(withHandle(args, after)), kernels().rnnForward(args));
      expect(Array.from(kernels().rnnForward(withHandle(args, before)).h)).not.toEqual(Array.from(kernels().rnnForward(args).h));
    });
  });

  describe('the handle describes the weights', () => {
    const cases = VARIANTS.flatMap((variant) => [true, false].map((hasBias) => [variant[0], hasBias, variant] as const));
    test.each(cases)('%s with a bias %s: cell, inputDim, units, resetAfter, hasBias, bytes; frozen', (_name, hasBias, [, cell, resetAfter]) => {
      const [inputDim, units] = [3, 4];
      const g = gateCount(cell);
      const args: PackRnnWeightsArgs = {
        cell,
        inputDim,
        units,
        resetAfter,
        kernel: new Float32Array(inputDim * g * units),
        recurrentKernel: new Float32Array(units * g * units),
        bias: hasBias ? new Float32Array(biasLength(cell, resetAfter, units)) : null,
      };
      const handle = kernels().packRnnWeights(args);
      expect({ ...handle, bytes: undefined }).toEqual({ cell, inputDim, units, resetAfter, hasBias, bytes: undefined });
      const weightBytes = args.kernel.byteLength + args.recurrentKernel.byteLength + (args.bias?.byteLength ?? 0);
      expect(handle.bytes).toBeGreaterThanOrEqual(weightBytes);
      expect(Number.isInteger(handle.bytes)).toBe(true);
      expect(Object.isFrozen(handle)).toBe(true);
    });

    test('resetAfter reads false for cells other than gru, whatever was passed', () => {
      for (const cell of ['simple_rnn', 'lstm'] as const) {
        const handle = kernels().packRnnWeights({ ...packArgsOf(rnnArgs({ cell })), resetAfter: true });
        expect(handle.resetAfter).toBe(false);
      }
    });
  });

  describe('rnnForward with packed: errors', () => {
    const handle = (): PackedRnnWeights => kernels().packRnnWeights(lstmPack());
    const fieldCases = (['kernel', 'recurrentKernel', 'bias'] as const).flatMap((field) =>
      [
        ['a Float32Array', new Float32Array(1), 'Float32Array'],
        ['undefined', undefined, 'undefined'],
      ].map(([what, value, shown]) => [field, what as string, value, shown as string] as const),
    );
    test.each(fieldCases)('%s given %s with a handle is a TypeError: it must be null', (field, _what, value, shown) => {
      const args = withField(withHandle(lstmCall(), handle()), field, value);
      expectError(
        () => kernels().rnnForward(args),
        'TypeError',
        new RegExp(`^rnnForward: ${field} must be null when packed is given \\(the weights come from the handle\\), got ${shown}$`),
      );
    });

    test('the weights as the unpacked call has them, with a handle, are a TypeError (kernel named first)', () => {
      expectError(() => kernels().rnnForward({ ...lstmCall(), packed: handle() }), 'TypeError', /^rnnForward: kernel must be null when packed is given/);
    });

    test.each([
      ['undefined', undefined],
      ['null', null],
      ['absent', DELETED],
    ])('packed %s and kernel or recurrentKernel null is a TypeError: a Float32Array is expected', (_what, packed) => {
      for (const field of ['kernel', 'recurrentKernel']) {
        const args = withField(withField(lstmCall(), 'packed', packed), field, null);
        expectError(() => kernels().rnnForward(args), 'TypeError', new RegExp(`^rnnForward: ${field} must be a Float32Array\\b.*got null$`));
      }
    });

    test.each([
      ['an empty object', {}, /got (object|Object)$/],
      ['a number', 5, /got (number|5)$/],
      ['a string', 'packed', /got (string|'packed')$/],
      ['a Float32Array', new Float32Array(4), /got Float32Array$/],
      ['an Array', [], /got Array$/],
    ])('packed given %s is a TypeError: a handle of this backend is expected', (_what, value, shown) => {
      const args = { ...withHandle(lstmCall(), handle()), packed: value as never };
      expectError(() => kernels().rnnForward(args), 'TypeError', /^rnnForward: packed must be null or a PackedRnnWeights made by this backend's packRnnWeights, got /);
      expectError(() => kernels().rnnForward(args), 'TypeError', shown);
    });

    test('an object with the fields of a handle, copied or frozen, is a TypeError', () => {
      const real = handle();
      for (const fake of [{ ...real }, Object.freeze({ ...real })]) {
        expect(fake).toEqual(real);
        expectError(
          () => kernels().rnnForward(withHandle(lstmCall(), fake)),
          'TypeError',
          /^rnnForward: packed must be null or a PackedRnnWeights made by this backend's packRnnWeights, got (object|Object)$/,
        );
      }
    });

    test("the other backend's handle is a TypeError", () => {
      const foreign = otherKernels().packRnnWeights(lstmPack());
      expectError(
        () => kernels().rnnForward(withHandle(lstmCall(), foreign)),
        'TypeError',
        /^rnnForward: packed must be null or a PackedRnnWeights made by this backend's packRnnWeights, got (object|Object)$/,
      );
    });

    // The calls have batch 2, timesteps 3, inputDim 2, units 3; each handle differs in one field.
    const gruCall = (resetAfter: boolean): RnnForwardArgs => rnnArgs({ cell: 'gru', resetAfter, batch: 2, timesteps: 3, inputDim: 2, units: 3 });
    const packFor = (cell: CellName, inputDim: number, units: number, resetAfter: boolean): PackRnnWeightsArgs =>
      packArgsOf(rnnArgs({ cell, inputDim, units, resetAfter }));
    test.each([
      ['cell', "'gru'", "'lstm'", lstmCall, packFor('gru', 2, 3, true)],
      ['inputDim', '4', '2', lstmCall, packFor('lstm', 4, 3, false)],
      ['units', '5', '3', lstmCall, packFor('lstm', 2, 5, false)],
      ['resetAfter', 'false', 'true', () => gruCall(true), packFor('gru', 2, 3, false)],
      ['resetAfter', 'true', 'false', () => gruCall(false), packFor('gru', 2, 3, true)],
    ] as const)('a handle made for %s %s in a call with %s is a RangeError naming both values', (field, made, has, call, packArgs) => {
      const args = withHandle(call(), kernels().packRnnWeights(packArgs));
      expectError(
        () => kernels().rnnForward(args),
        'RangeError',
        new RegExp(`^rnnForward: packed\\b.*\\b${field}\\b.*${literal(made)}.*\\b${field}\\b.*${literal(has)}`),
      );
    });

    test('rnnForwardAsync throws the same errors synchronously, naming itself', () => {
      const args = { ...withHandle(lstmCall(), handle()), packed: {} as never };
      expectError(() => kernels().rnnForwardAsync(args), 'TypeError', /^rnnForwardAsync: packed must be null or a PackedRnnWeights/);
      const withKernel = { ...withHandle(lstmCall(), handle()), kernel: new Float32Array(24) };
      expectError(() => kernels().rnnForwardAsync(withKernel), 'TypeError', /^rnnForwardAsync: kernel must be null when packed is given/);
    });

    test('rnnForwardMany names the element: a foreign object, weights with a handle, a mismatched handle', () => {
      const good = withHandle(lstmCall(), handle());
      expectError(
        () => kernels().rnnForwardMany([good, { ...good, packed: {} as never }]),
        'TypeError',
        /^rnnForwardMany: args\[1\]: packed must be null or a PackedRnnWeights made by this backend's packRnnWeights, got (object|Object)$/,
      );
      expectError(
        () => kernels().rnnForwardMany([{ ...good, bias: new Float32Array(12) }, good]),
        'TypeError',
        /^rnnForwardMany: args\[0\]: bias must be null when packed is given \(the weights come from the handle\), got Float32Array$/,
      );
      const wider = kernels().packRnnWeights(packArgsOf(randomRnnArgs('wider', { cell: 'lstm', inputDim: 2, units: 4 })));
      expectError(
        () => kernels().rnnForwardMany([good, good, { ...good, packed: wider }]),
        'RangeError',
        /^rnnForwardMany: args\[2\]: packed\b.*\bunits\b.*4.*\bunits\b.*3/,
      );
    });

    test("rnnForwardManyAsync throws synchronously, naming itself and the element", () => {
      const good = withHandle(lstmCall(), handle());
      expectError(
        () => kernels().rnnForwardManyAsync([good, { ...good, packed: { ...good.packed } as never }]),
        'TypeError',
        /^rnnForwardManyAsync: args\[1\]: packed must be null or a PackedRnnWeights/,
      );
    });
  });

  describe('packRnnWeights: errors', () => {
    test('the arguments are required as an object', () => {
      const k = kernels() as unknown as { packRnnWeights(...args: unknown[]): unknown };
      for (const callArgs of [[], [undefined], [null], [5]]) {
        expectError(() => k.packRnnWeights(...callArgs), 'TypeError', /^packRnnWeights: /);
      }
    });

    test.each(['cell', 'inputDim', 'units', 'resetAfter', 'kernel', 'recurrentKernel', 'bias'])(
      'a missing %s (deleted or undefined) is a TypeError naming the field and undefined',
      (field) => {
        for (const value of [DELETED, undefined]) {
          expectError(() => kernels().packRnnWeights(withField(lstmPack(), field, value)), 'TypeError', new RegExp(`^packRnnWeights: ${field} must be .*got undefined$`));
        }
      },
    );

    test.each([
      ['cell', 'a number', 3],
      ['inputDim', 'a string', '2'],
      ['units', 'a boolean', true],
      ['resetAfter', 'a number', 1],
      ['kernel', 'a Float64Array', new Float64Array(24)],
      ['kernel', 'null', null],
      ['recurrentKernel', 'an Array', Array.from({ length: 36 }, () => 0)],
      ['bias', 'an Int32Array', new Int32Array(12)],
    ])('%s given %s is a TypeError naming the field', (field, _what, value) => {
      expectError(() => kernels().packRnnWeights(withField(lstmPack(), field, value)), 'TypeError', new RegExp(`^packRnnWeights: ${field} must be `));
    });

    test.each(['LSTM', 'rnn', ''])('cell %p is a RangeError listing the known names', (cell) => {
      expectError(
        () => kernels().packRnnWeights(withField(lstmPack(), 'cell', cell)),
        'RangeError',
        new RegExp(`^packRnnWeights: cell must be one of 'simple_rnn', 'lstm', 'gru', got '${cell}'$`),
      );
    });

    test.each([['inputDim', 0], ['units', -1], ['units', 2.5]])('%s = %p is a RangeError: an integer >= 1 is expected', (field, value) => {
      expectError(() => kernels().packRnnWeights(withField(lstmPack(), field, value)), 'RangeError', new RegExp(`^packRnnWeights: ${field} must be .*got ${value}$`));
    });

    test.each([
      ['kernel', 'inputDim*4*units = 24', 25],
      ['recurrentKernel', 'units*4*units = 36', 27],
      ['bias', '4*units = 12', 3],
    ] as const)('a wrong-length %s is a RangeError with the formula and both numbers', (field, formula, length) => {
      expectError(
        () => kernels().packRnnWeights(withField(lstmPack(), field, new Float32Array(length))),
        'RangeError',
        new RegExp(`^packRnnWeights: ${field} must have ${literal(formula)} elements \\(Float32Array\\), got ${length}$`),
      );
    });

    test('the gru bias is 2*3*units with resetAfter and 3*units without', () => {
      const gru = (resetAfter: boolean, biasLength: number): PackRnnWeightsArgs => ({
        ...packArgsOf(rnnArgs({ cell: 'gru', inputDim: 2, units: 3 })),
        resetAfter,
        bias: new Float32Array(biasLength),
      });
      expectError(() => kernels().packRnnWeights(gru(true, 9)), 'RangeError', /^packRnnWeights: bias must have 2\*3\*units = 18 elements \(Float32Array\), got 9$/);
      expectError(() => kernels().packRnnWeights(gru(false, 18)), 'RangeError', /^packRnnWeights: bias must have 3\*units = 9 elements \(Float32Array\), got 18$/);
      expect(kernels().packRnnWeights(gru(true, 18)).hasBias).toBe(true);
      expect(kernels().packRnnWeights(gru(false, 9)).hasBias).toBe(true);
    });

    test('a null bias is accepted', () => {
      expect(kernels().packRnnWeights({ ...lstmPack(), bias: null }).hasBias).toBe(false);
    });
  });
});

describe('ts backend only', () => {
  afterEach(() => jest.restoreAllMocks());

  test.each(VARIANTS)('%s: packRnnWeights packs the recurrent kernel, a call with the handle packs nothing', (name, cell, resetAfter) => {
    const packB = jest.spyOn(gemm, 'packB');
    const args = callOf([name, cell, resetAfter], 5, OPTIONS[OPTIONS.length - 1]);
    const handle = tsKernels.packRnnWeights(packArgsOf(args));
    expect(packB).toHaveBeenCalledTimes(cell === 'gru' && !resetAfter ? 2 : 1);
    packB.mockClear();
    tsKernels.rnnForward(withHandle(args, handle));
    expect(packB).not.toHaveBeenCalled();
    tsKernels.rnnForward(args);
    expect(packB).toHaveBeenCalled();
  });
});
