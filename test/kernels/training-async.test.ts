// The async training kernels, rnnTrainForwardAsync, rnnBackwardAsync and denseBackwardAsync, on both
// backends: each resolves to the very numbers of its sync function (bit for bit, in new arrays), and
// validates synchronously (a bad argument throws the sync call's error, named after the async
// function, instead of returning a rejected promise). Native only: the work runs off the event
// loop, many calls in flight agree with the sync ones (also while setThreads changes the pool), the
// input arrays stay alive while the work reads them, and terminating a worker_thread with training
// calls in flight neither crashes the process nor breaks the addon (docs/KERNELS.md "Threads",
// "Lifetime").
import { types } from 'util';
import * as v8 from 'v8';
import * as vm from 'vm';
import { Worker } from 'worker_threads';
import type {
  ActivationName,
  CellName,
  DenseBackwardArgs,
  Kernels,
  RnnBackwardArgs,
  RnnTrainArgs,
} from '../../src/backend/kernels';
import { KERNEL_BACKENDS } from '../helpers/backends';
import { expectKernelError, gateCount, biasLength } from '../helpers/kernel-args';
import { loaded, native } from '../helpers/native';
import { Rng } from '../helpers/random';

type Fn = 'rnnTrainForward' | 'rnnBackward' | 'denseBackward';
type Loose = Record<string, (...args: unknown[]) => unknown>;
type Result = Record<string, Float32Array | null>;

/** Keras's dropout mask values: 0 or 1 / (1 - rate). */
function dropMaskOf(rng: Rng, n: number, rate: number): Float32Array {
  const m = new Float32Array(n);
  for (let i = 0; i < n; i++) m[i] = rng.float() < rate ? 0 : 1 / (1 - rate);
  return m;
}

interface TrainOptions {
  cell: CellName;
  resetAfter?: boolean;
  batch?: number;
  timesteps?: number;
  inputDim?: number;
  units?: number;
  activation?: ActivationName;
  recurrentActivation?: ActivationName;
  goBackwards?: boolean;
  returnSequences?: boolean;
  zeroOutputForMask?: boolean;
  bias?: boolean;
  initialStates?: boolean;
  mask?: boolean;
  dropout?: boolean;
}

/** A valid training call with random arrays from seed; the options say which optional ones are given. */
function trainArgs(seed: string, o: TrainOptions): RnnTrainArgs {
  const rng = new Rng(seed);
  const { cell, resetAfter = true, batch: B = 3, timesteps: T = 5, inputDim: D = 4, units: H = 6 } = o;
  const g = gateCount(cell);
  return {
    cell, batch: B, timesteps: T, inputDim: D, units: H,
    x: rng.float32Array(B * T * D, 1),
    kernel: rng.float32Array(D * g * H, 0.5),
    recurrentKernel: rng.float32Array(H * g * H, 0.5),
    bias: o.bias === false ? null : rng.float32Array(biasLength(cell, resetAfter, H), 0.3),
    activation: o.activation ?? 'tanh',
    recurrentActivation: o.recurrentActivation ?? 'sigmoid',
    resetAfter,
    goBackwards: o.goBackwards ?? false,
    returnSequences: o.returnSequences ?? true,
    zeroOutputForMask: o.zeroOutputForMask ?? false,
    initialH: o.initialStates ? rng.float32Array(B * H, 0.5) : null,
    initialC: o.initialStates && cell === 'lstm' ? rng.float32Array(B * H, 0.5) : null,
    mask: o.mask ? rng.mask(B, T, o.goBackwards ?? false) : null,
    dropMask: o.dropout ? dropMaskOf(rng, g * B * D, 0.3) : null,
    recurrentDropMask: o.dropout ? dropMaskOf(rng, g * B * H, 0.3) : null,
  };
}

/** train's rnnBackward call: its tape from `kernels`' sync forward, random loss gradients from seed. */
function backwardArgs(kernels: Kernels, train: RnnTrainArgs, seed: string): RnnBackwardArgs {
  const rng = new Rng(`${seed} loss`);
  const { batch: B, units: H } = train;
  const forward = kernels.rnnTrainForward(train);
  return {
    ...train,
    tape: forward.tape,
    dOutput: rng.float32Array(forward.output.length, 1),
    dH: rng.float32Array(B * H, 1),
    dC: train.cell === 'lstm' ? rng.float32Array(B * H, 1) : null,
  };
}

function denseBackwardArgs(seed: string, rows: number, inputDim: number, units: number, activation: ActivationName, bias: boolean): DenseBackwardArgs {
  const rng = new Rng(seed);
  return {
    rows, inputDim, units, activation,
    x: rng.float32Array(rows * inputDim, 1),
    kernel: rng.float32Array(inputDim * units, 0.5),
    bias: bias ? rng.float32Array(units, 0.5) : null,
    dy: rng.float32Array(rows * units, 1),
  };
}

/** Where got and want differ: another field set, another array kind or length, or other bits. */
function bitDifferences(got: object, want: object): string[] {
  const g = got as Result, w = want as Result;
  const fields = Object.keys(w).sort();
  if (Object.keys(g).sort().join() !== fields.join()) return [`fields ${Object.keys(g).sort().join()}, want ${fields.join()}`];
  const bad: string[] = [];
  for (const f of fields) {
    const a = g[f], b = w[f];
    if (a === null || b === null) {
      if (a !== b) bad.push(`${f}: ${a === null ? 'null' : 'an array'}, want ${b === null ? 'null' : 'an array'}`);
      continue;
    }
    if (!types.isFloat32Array(a)) {
      bad.push(`${f}: not a Float32Array`);
      continue;
    }
    if (a.length !== b.length) {
      bad.push(`${f}: length ${a.length}, want ${b.length}`);
      continue;
    }
    const ab = new Uint32Array(a.buffer, a.byteOffset, a.length);
    const bb = new Uint32Array(b.buffer, b.byteOffset, b.length);
    const i = ab.findIndex((bits, k) => bits !== bb[k]);
    if (i >= 0) bad.push(`${f}[${i}]: ${a[i]}, want ${b[i]}`);
  }
  return bad;
}

/** The arrays of args (the inputs) and of a result: a result must share no memory with the inputs. */
function buffersOf(o: object): ArrayBufferLike[] {
  return Object.values(o).filter((v): v is Float32Array => ArrayBuffer.isView(v)).map((v) => v.buffer);
}

const TRAIN_CASES: { name: string; seed: string; options: TrainOptions }[] = [
  { name: 'simple_rnn, no bias, relu', seed: 'a1', options: { cell: 'simple_rnn', bias: false, activation: 'relu', returnSequences: false } },
  { name: 'lstm, initial states, mask, dropout', seed: 'a2', options: { cell: 'lstm', initialStates: true, mask: true, dropout: true } },
  { name: 'lstm, goBackwards, zeroOutputForMask, last step only', seed: 'a3', options: { cell: 'lstm', goBackwards: true, mask: true, zeroOutputForMask: true, returnSequences: false, batch: 4 } },
  { name: 'gru resetAfter, dropout, goBackwards', seed: 'a4', options: { cell: 'gru', resetAfter: true, dropout: true, goBackwards: true, initialStates: true } },
  { name: 'gru resetBefore, mask, hard_sigmoid', seed: 'a5', options: { cell: 'gru', resetAfter: false, mask: true, recurrentActivation: 'hard_sigmoid' } },
  // Large enough for the native pool: 37 samples in two chunks, and the backward's parallel parts.
  { name: 'lstm, batch 37 over the pool', seed: 'a6', options: { cell: 'lstm', batch: 37, timesteps: 9, inputDim: 11, units: 24, mask: true, dropout: true, initialStates: true } },
];

const DENSE_CASES = [
  { name: '1x1->1 linear, no bias', rows: 1, inputDim: 1, units: 1, activation: 'linear' as ActivationName, bias: false },
  { name: '17x4->9 silu', rows: 17, inputDim: 4, units: 9, activation: 'silu' as ActivationName, bias: true },
  { name: '512x64->64 tanh (over the pool)', rows: 512, inputDim: 64, units: 64, activation: 'tanh' as ActivationName, bias: true },
];

/** A bad argument: fields replaced in a valid call (undefined deletes one), or the whole argument list. */
interface BadRow {
  what: string;
  fn: Fn;
  base?: 'lstm' | 'gru';
  set?: Record<string, unknown>;
  argList?: unknown[];
}

const BAD_ROWS: BadRow[] = [
  { what: 'no argument', fn: 'rnnTrainForward', argList: [] },
  { what: 'null', fn: 'rnnBackward', argList: [null] },
  { what: 'a number', fn: 'denseBackward', argList: [3] },
  { what: 'x a Float64Array', fn: 'rnnTrainForward', set: { x: new Float64Array(60) } },
  { what: 'batch 0', fn: 'rnnTrainForward', set: { batch: 0 } },
  { what: 'cell unknown', fn: 'rnnTrainForward', set: { cell: 'rnn' } },
  { what: 'dropMask NaN', fn: 'rnnTrainForward', set: { dropMask: new Float32Array(48).fill(1).fill(NaN, 5, 6) } },
  { what: 'packed given', fn: 'rnnTrainForward', set: { packed: {} } },
  { what: 'initialC for a gru', fn: 'rnnTrainForward', base: 'gru', set: { initialC: new Float32Array(18) } },
  { what: 'tape null', fn: 'rnnBackward', set: { tape: null } },
  { what: 'tape one short', fn: 'rnnBackward', set: { tape: 'short' } },
  { what: 'dOutput missing', fn: 'rnnBackward', set: { dOutput: undefined } },
  { what: 'dC for a gru', fn: 'rnnBackward', base: 'gru', set: { dC: new Float32Array(18) } },
  { what: 'units 2.5', fn: 'rnnBackward', set: { units: 2.5 } },
  { what: 'dy missing', fn: 'denseBackward', set: { dy: undefined } },
  { what: 'activation unknown', fn: 'denseBackward', set: { activation: 'gelu' } },
  { what: 'rows -1', fn: 'denseBackward', set: { rows: -1 } },
  { what: 'bias too long', fn: 'denseBackward', set: { bias: new Float32Array(4) } },
];

/** The argument list of row's call on kernels. */
function badArgList(kernels: Kernels, row: BadRow): unknown[] {
  if (row.argList) return row.argList;
  const train = trainArgs('bad', row.base === 'gru' ? { cell: 'gru' } : { cell: 'lstm', dropout: true });
  const base: object =
    row.fn === 'denseBackward' ? denseBackwardArgs('bad', 4, 3, 2, 'relu', true)
      : row.fn === 'rnnBackward' ? backwardArgs(kernels, train, 'bad')
        : train;
  const args: Record<string, unknown> = { ...base };
  for (const [field, value] of Object.entries(row.set ?? {})) {
    if (value === undefined) delete args[field];
    else if (value === 'short') args[field] = (args[field] as Float32Array).subarray(1);
    else args[field] = value;
  }
  return [args];
}

/** Resolves after the promise settles, counting the event loop's turns (setInterval 0) meanwhile. */
async function ticksWhilePending<T>(promise: Promise<T>): Promise<{ value: T; ticks: number }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  try {
    const value = await promise;
    return { value, ticks };
  } finally {
    clearInterval(timer);
  }
}

describe.each(KERNEL_BACKENDS)('%s backend', (_backend, kernels) => {
  describe('the async functions give the sync numbers, bit for bit, in new arrays', () => {
    test.each(TRAIN_CASES)('rnnTrainForwardAsync and rnnBackwardAsync: $name', async ({ seed, options }) => {
      const k = kernels();
      const train = trainArgs(seed, options);
      const forward = k.rnnTrainForward(train);
      const forwardAsync = await k.rnnTrainForwardAsync(train);
      expect(bitDifferences(forwardAsync, forward)).toEqual([]);

      const back = backwardArgs(k, train, seed);
      const backward = k.rnnBackward(back);
      const backwardAsync = await k.rnnBackwardAsync(back);
      expect(bitDifferences(backwardAsync, backward)).toEqual([]);

      // A whole async step: the async tape into rnnBackwardAsync.
      expect(bitDifferences(await k.rnnBackwardAsync({ ...back, tape: forwardAsync.tape }), backward)).toEqual([]);

      // New arrays: none is an input's, none is shared between results.
      const inputs = new Set(buffersOf(back));
      for (const buffer of [...buffersOf(forwardAsync), ...buffersOf(backwardAsync)]) expect(inputs.has(buffer)).toBe(false);
      expect(new Set(buffersOf(backwardAsync)).size).toBe(buffersOf(backwardAsync).length);
      expect(backwardAsync).not.toBe(backward);
    });

    test.each(DENSE_CASES)('denseBackwardAsync: $name', async ({ name, rows, inputDim, units, activation, bias }) => {
      const k = kernels();
      const args = denseBackwardArgs(name, rows, inputDim, units, activation, bias);
      const got = await k.denseBackwardAsync(args);
      expect(bitDifferences(got, k.denseBackward(args))).toEqual([]);
      expect(got.dBias === null).toBe(!bias);
      const inputs = new Set(buffersOf(args));
      for (const buffer of buffersOf(got)) expect(inputs.has(buffer)).toBe(false);
    });
  });

  test.each(BAD_ROWS)('$fn with $what: the Async variant throws synchronously what the sync call throws', (row) => {
    const k = kernels() as unknown as Loose;
    const argList = badArgList(kernels(), row);
    let syncError: Error | undefined;
    try {
      k[row.fn](...argList);
    } catch (e) {
      syncError = e as Error;
    }
    expect(syncError).toBeDefined();
    expect(['TypeError', 'RangeError']).toContain(syncError!.name);
    expect(syncError!.message.startsWith(`${row.fn}: `)).toBe(true);
    // expectKernelError fails if the call returns (a rejected promise) instead of throwing.
    const asyncError = expectKernelError(() => k[`${row.fn}Async`](...argList), syncError!.name as 'TypeError' | 'RangeError');
    expect(asyncError.message).toBe(`${row.fn}Async: ${syncError!.message.slice(row.fn.length + 2)}`);
  });
});

describe('native only', () => {
  // An LSTM of units 256 over 100 steps at batch 64: a backward of a few hundred milliseconds.
  test('the event loop keeps running during a long rnnBackwardAsync', async () => {
    const train = trainArgs('long', { cell: 'lstm', batch: 64, timesteps: 100, inputDim: 8, units: 256 });
    const back = backwardArgs(native(), train, 'long');
    const { value, ticks } = await ticksWhilePending(native().rnnBackwardAsync(back));
    expect(ticks).toBeGreaterThan(5);
    expect(bitDifferences(value, native().rnnBackward(back))).toEqual([]);
  });

  test('8 concurrent rnnBackwardAsync calls all give the sync result', async () => {
    const cells: { cell: CellName; resetAfter: boolean }[] = [
      { cell: 'simple_rnn', resetAfter: false }, { cell: 'lstm', resetAfter: false },
      { cell: 'gru', resetAfter: true }, { cell: 'gru', resetAfter: false },
    ];
    const calls = Array.from({ length: 8 }, (_, i) => {
      const train = trainArgs(`concurrent ${i}`, { ...cells[i % 4], batch: [1, 40, 7, 33][i % 4] + i, timesteps: 12, inputDim: 9, units: 20 + i, mask: i % 2 === 0, dropout: i % 3 === 0, goBackwards: i % 3 === 1 });
      return backwardArgs(native(), train, `concurrent ${i}`);
    });
    const want = calls.map((args) => native().rnnBackward(args));
    const got = await Promise.all(calls.map((args) => native().rnnBackwardAsync(args)));
    got.forEach((r, i) => expect(bitDifferences(r, want[i])).toEqual([]));
  });

  test('concurrent async training calls of all three kinds stay exact while setThreads changes the pool under them', async () => {
    const initial = native().getThreads();
    try {
      type Job = { run: () => Promise<object>; want: object };
      const jobs: Job[] = Array.from({ length: 24 }, (_, i) => {
        const train = trainArgs(`mixed ${i}`, { cell: (['lstm', 'gru', 'simple_rnn'] as const)[i % 3], batch: 1 + ((i * 7) % 40), timesteps: 10, units: 16, dropout: i % 2 === 0 });
        if (i % 3 === 0) return { run: () => native().rnnTrainForwardAsync(train), want: native().rnnTrainForward(train) };
        if (i % 3 === 1) {
          const back = backwardArgs(native(), train, `mixed ${i}`);
          return { run: () => native().rnnBackwardAsync(back), want: native().rnnBackward(back) };
        }
        const dense = denseBackwardArgs(`mixed ${i}`, 64 + 32 * i, 48, 40, 'relu', i % 2 === 0);
        return { run: () => native().denseBackwardAsync(dense), want: native().denseBackward(dense) };
      });
      const pending = jobs.map((job, i) => {
        // Calls admitted with several permits are still running when the limit drops to 1, and back.
        if (i % 8 === 0) native().setThreads([4, 1, 3][(i / 8) % 3]);
        return job.run();
      });
      const got = await Promise.all(pending);
      got.forEach((r, i) => expect(bitDifferences(r, jobs[i].want)).toEqual([]));
    } finally {
      native().setThreads(initial);
    }
  });

  // Full collections while two calls run on arrays nothing else references: without the worker's
  // references their buffers (of more than 128 KiB, unmapped when freed) would go under the kernel.
  test('the input arrays stay alive while the work reads them, with no other reference to them', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const options: TrainOptions = { cell: 'lstm', batch: 64, timesteps: 100, inputDim: 16, units: 128, dropout: true, mask: true, initialStates: true };
    const back = backwardArgs(native(), trainArgs('alive', options), 'alive');
    const want = native().rnnBackward(back);
    // The call's own copies of the arguments, unreachable from here once the calls are made.
    const start = (): Promise<object>[] => {
      const copy = (): RnnBackwardArgs => {
        const c: Record<string, unknown> = {};
        for (const [f, v] of Object.entries(back)) c[f] = ArrayBuffer.isView(v) ? (v as Float32Array).slice() : v;
        return c as unknown as RnnBackwardArgs;
      };
      return [native().rnnBackwardAsync(copy()), native().rnnBackwardAsync(copy())];
    };
    const pending = start();
    let settled = false;
    void Promise.all(pending).then(() => (settled = true));
    for (let i = 0; i < 50 && !settled; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const r of await Promise.all(pending)) expect(bitDifferences(r, want)).toEqual([]);
  });

  test('an array detached by the getter of a later field throws synchronously, before any work', () => {
    const back = backwardArgs(native(), trainArgs('detach', { cell: 'lstm' }), 'detach');
    const tricky = {
      ...back,
      get dOutput() {
        structuredClone(back.tape.buffer, { transfer: [back.tape.buffer as ArrayBuffer] }); // detaches the tape
        return new Float32Array(back.batch * back.timesteps * back.units);
      },
    };
    expectKernelError(() => native().rnnBackwardAsync(tricky), 'TypeError', 'rnnBackwardAsync: tape changed (detached or resized)');
  });

  test('workers terminated with async training calls in flight tear down cleanly, and the addon keeps working', async () => {
    const train = trainArgs('worker teardown', { cell: 'lstm', batch: 32, timesteps: 200, inputDim: 32, units: 64, dropout: true });
    const back = backwardArgs(native(), train, 'worker teardown');
    const dense = denseBackwardArgs('worker teardown', 4096, 64, 64, 'tanh', true);
    const code = `
      const { parentPort, workerData } = require('worker_threads');
      const k = require(workerData.file);
      const { train, back, dense } = workerData;
      for (let i = 0; i < 8; i++) k.rnnBackwardAsync(back);
      k.rnnTrainForwardAsync(train);
      k.denseBackwardAsync(dense);
      parentPort.postMessage('started');`;
    const exits = await Promise.all(
      Array.from({ length: 4 }, () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(code, { eval: true, workerData: { file: loaded.file, train, back, dense } });
          w.once('message', () => void w.terminate());
          w.once('exit', resolve);
          w.once('error', reject);
        }),
      ),
    );
    expect(exits).toEqual([1, 1, 1, 1]); // terminate() ends a worker with exit code 1
    expect(bitDifferences(await native().rnnBackwardAsync(back), native().rnnBackward(back))).toEqual([]);
    expect(bitDifferences(await native().rnnTrainForwardAsync(train), native().rnnTrainForward(train))).toEqual([]);
  });
});
