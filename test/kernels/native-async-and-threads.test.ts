// The native addon off the calling thread: async calls against sync ones, many calls in flight, the
// thread pool (setThreads/getThreads, same results for every thread count) and worker_threads.
import { Worker } from 'worker_threads';
import type { CellName } from '../../src/backend/kernels';
import { denseArgs, expectSameResult, randomRnnArgs } from '../helpers/kernel-args';
import { loaded, native } from '../helpers/native';
import { Rng } from '../helpers/random';

const CELLS: readonly CellName[] = ['simple_rnn', 'lstm', 'gru'];

describe('async', () => {
  test.each(CELLS)('rnnForwardAsync equals rnnForward (%s)', async (cell) => {
    const args = randomRnnArgs(`async/${cell}`, { cell, batch: 5 });
    expectSameResult(await native().rnnForwardAsync(args), native().rnnForward(args));
  });

  test('denseForwardAsync equals denseForward', async () => {
    const rng = new Rng('async/dense');
    const args = denseArgs({ rows: 9, inputDim: 4, units: 3, x: rng.float32Array(36, 0.5), kernel: rng.float32Array(12, 0.5), bias: rng.float32Array(3, 0.5), activation: 'silu' });
    expect(Array.from(await native().denseForwardAsync(args))).toEqual(Array.from(native().denseForward(args)));
  });

  test('64 concurrent rnnForwardAsync calls are all correct', async () => {
    const calls = Array.from({ length: 64 }, (_, i) =>
      randomRnnArgs(`concurrent/${i}`, { cell: CELLS[i % 3], batch: 1 + (i % 6), resetAfter: i % 2 === 0 }),
    );
    const want = calls.map((args) => native().rnnForward(args));
    const got = await Promise.all(calls.map((args) => native().rnnForwardAsync(args)));
    got.forEach((r, i) => expectSameResult(r, want[i]));
  });

  test('concurrent async calls complete correctly while setThreads changes the pool under them', async () => {
    const initial = native().getThreads();
    try {
      const calls = Array.from({ length: 48 }, (_, i) =>
        randomRnnArgs(`admission/${i}`, { cell: CELLS[i % 3], batch: 1 + (i % 9), timesteps: 20 }),
      );
      const want = calls.map((args) => native().rnnForward(args));
      const pending: Promise<unknown>[] = [];
      calls.forEach((args, i) => {
        // Calls admitted with 4 permits are still running when the limit drops to 1, and back.
        if (i % 16 === 0) native().setThreads([4, 1, 3][(i / 16) % 3]);
        pending.push(native().rnnForwardAsync(args));
      });
      const got = (await Promise.all(pending)) as ReturnType<ReturnType<typeof native>['rnnForward']>[];
      got.forEach((r, i) => expectSameResult(r, want[i]));
    } finally {
      native().setThreads(initial);
    }
  });
});

describe('threads', () => {
  const initial = native().getThreads();
  afterAll(() => native().setThreads(initial));

  test('getThreads starts at an integer >= 1 and follows setThreads', () => {
    expect(Number.isInteger(initial) && initial >= 1).toBe(true);
    native().setThreads(3);
    expect(native().getThreads()).toBe(3);
    native().setThreads(1);
    expect(native().getThreads()).toBe(1);
  });

  test.each(CELLS)('threads 1, 2 and 4 give identical results (%s)', (cell) => {
    for (const resetAfter of [true, false]) {
      const args = randomRnnArgs(`threads/${cell}`, { cell, batch: 7, resetAfter, goBackwards: true });
      native().setThreads(1);
      const one = native().rnnForward(args);
      native().setThreads(2);
      expectSameResult(native().rnnForward(args), one);
      native().setThreads(4); // more threads than cores, still 7 samples in 4 chunks
      expectSameResult(native().rnnForward(args), one);
    }
  });
});

describe('batch 1 with packed weights: the input projected ahead on a second thread', () => {
  const initial = native().getThreads();
  afterAll(() => native().setThreads(initial));

  test.each(CELLS)('gives the bits of one thread and of unpacked weights, over chunk edges, both directions (%s)', (cell) => {
    for (const [resetAfter, goBackwards, timesteps] of [[true, false, 37], [false, true, 37], [true, true, 8], [false, false, 2]] as const) {
      const args = randomRnnArgs(`pipelined/${cell}/${timesteps}`, { cell, batch: 1, timesteps, units: 24, resetAfter, goBackwards, returnSequences: true });
      const { inputDim, units } = args;
      const packed = native().packRnnWeights({ cell, inputDim, units, resetAfter, kernel: args.kernel!, recurrentKernel: args.recurrentKernel!, bias: args.bias });
      const withHandle = { ...args, kernel: null, recurrentKernel: null, bias: null, packed };
      native().setThreads(1);
      const one = native().rnnForward(args);
      native().setThreads(2);
      expectSameResult(native().rnnForward(withHandle), one);
      native().setThreads(3);
      expectSameResult(native().rnnForward(withHandle), one);
    }
  });
});

describe('worker_threads', () => {
  test('the addon loads and runs in several workers and the main thread at once', async () => {
    const args = randomRnnArgs('worker_threads', { cell: 'gru', batch: 4 });
    const want = native().rnnForward(args);
    const code = `
      const { parentPort, workerData } = require('worker_threads');
      const k = require(workerData.file);
      k.rnnForwardAsync(workerData.args).then((r) => parentPort.postMessage(Array.from(r.output)));`;
    const runWorker = () =>
      new Promise<number[]>((resolve, reject) => {
        const w = new Worker(code, { eval: true, workerData: { file: loaded.file, args } });
        w.once('message', (m) => {
          resolve(m as number[]);
          void w.terminate();
        });
        w.once('error', reject);
      });
    const [a, b, main] = await Promise.all([runWorker(), runWorker(), native().rnnForwardAsync(args)]);
    expect(a).toEqual(Array.from(want.output));
    expect(b).toEqual(Array.from(want.output));
    expectSameResult(main, want);
  });

  test('workers terminated with async calls and packed weights in flight tear down cleanly, and the addon keeps working', async () => {
    const args = randomRnnArgs('worker_teardown', { cell: 'lstm', batch: 16, timesteps: 200, inputDim: 32, units: 64 });
    const code = `
      const { parentPort, workerData } = require('worker_threads');
      const k = require(workerData.file);
      const a = workerData.args;
      const packed = k.packRnnWeights({ cell: a.cell, inputDim: a.inputDim, units: a.units, resetAfter: a.resetAfter, kernel: a.kernel, recurrentKernel: a.recurrentKernel, bias: a.bias });
      for (let i = 0; i < 8; i++) k.rnnForwardAsync({ ...a, kernel: null, recurrentKernel: null, bias: null, packed });
      parentPort.postMessage('started');`;
    const exits = await Promise.all(
      Array.from({ length: 4 }, () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(code, { eval: true, workerData: { file: loaded.file, args } });
          w.once('message', () => void w.terminate());
          w.once('exit', resolve);
          w.once('error', reject);
        }),
      ),
    );
    expect(exits).toEqual([1, 1, 1, 1]); // terminate() ends a worker with exit code 1
    expectSameResult(await native().rnnForwardAsync(args), native().rnnForward(args));
  });
});
