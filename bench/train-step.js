#!/usr/bin/env node
// @ts-check
// One training step of an LSTM layer, native against the TypeScript fallback, in one process:
// rnnTrainForward + rnnBackward of an LSTM(128) on a batch of 64 sequences of 100 steps of 64
// features (issue 5's shape), the two backends measured interleaved (bench/measure.js).
//
//   npm run bench:train [-- --quick] [-- --json out.json]
//
// Then the event loop during fit: a Sequential LSTM(128) -> Dense(1) trained on the same shape
// (4 batches of 64, 6 epochs) on the native backend, with perf_hooks.monitorEventLoopDelay: the
// kernels run off the event loop (rnnTrainForwardAsync, rnnBackwardAsync), so its delay stays small.
//
// The model-level step (Dense head, loss, optimizer) adds little to this; the recurrent layer's
// forward and backward passes are the cost of training.
'use strict';
const fs = require('fs');
const path = require('path');
const { measureInterleaved } = require('./measure');

const quick = process.argv.includes('--quick');
const jsonAt = process.argv.indexOf('--json');
const jsonOut = jsonAt >= 0 ? process.argv[jsonAt + 1] : null;

const root = path.resolve(__dirname, '..');
const tsKernels = require(path.join(root, 'lib/backend/ts/index.js'));
const { loadNativeKernels } = require(path.join(root, 'lib/backend/native.js'));

const B = 64, T = 100, D = 64, H = 128, g = 4;

function uniform(n, scale, seed) {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 4294967296 * 2 - 1) * scale;
  }
  return a;
}

/** @type {import('../lib/backend/kernels').RnnTrainArgs} */
const args = {
  cell: 'lstm', batch: B, timesteps: T, inputDim: D, units: H,
  x: uniform(B * T * D, 1, 1),
  kernel: uniform(D * g * H, 0.1, 2),
  recurrentKernel: uniform(H * g * H, 0.1, 3),
  bias: uniform(g * H, 0.1, 4),
  activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: false,
  goBackwards: false, returnSequences: false, zeroOutputForMask: false,
  initialH: null, initialC: null, mask: null, dropMask: null, recurrentDropMask: null,
};
const dOutput = uniform(B * H, 1, 5);

/** @param {any} k */
function step(k) {
  const forward = k.rnnTrainForward(args);
  return k.rnnBackward({ ...args, tape: forward.tape, dOutput, dH: null, dC: null });
}

async function main() {
  const native = loadNativeKernels(root);
  if (!native.kernels) throw new Error(`the native addon does not load: ${native.failures.join('; ')}`);
  const nativeKernels = native.kernels;
  const runners = [
    { name: 'native', run: () => step(nativeKernels) },
    { name: 'ts', run: () => step(tsKernels) },
  ];
  const reps = quick ? 3 : 7;
  const m = await measureInterleaved(runners, { reps, minSeconds: quick ? 0.5 : 1, warmupSeconds: 0.5, budgetSeconds: quick ? 10 : 40, progress: (l) => process.stderr.write(`train-step: ${l}\n`) });
  const [n, t] = m;
  const flops = 3 * 2 * B * T * (D + H) * g * H; // forward + two backward products of the same size
  const result = {
    shape: `LSTM units ${H}, input ${D}, ${T} steps, batch ${B}`,
    threads: nativeKernels.getThreads(),
    native: { medianMs: n.median, minMs: n.min, maxMs: n.max, reps: n.reps, gflops: flops / (n.median * 1e6) },
    ts: { medianMs: t.median, minMs: t.min, maxMs: t.max, reps: t.reps, gflops: flops / (t.median * 1e6) },
    nativeOverTs: t.median / n.median,
  };
  const fmt = (r) => `${r.medianMs.toFixed(1)} ms (${r.minMs.toFixed(1)}-${r.maxMs.toFixed(1)}, ${r.reps} reps, ${r.gflops.toFixed(1)} GFLOP/s)`;
  console.log(`training step (rnnTrainForward + rnnBackward), ${result.shape}`);
  console.log(`  native (${result.threads} threads): ${fmt(result.native)}`);
  console.log(`  ts: ${fmt(result.ts)}`);
  console.log(`  native / ts speed: ${result.nativeOverTs.toFixed(2)}x`);
  result.fitEventLoop = await fitEventLoopDelay();
  const e = result.fitEventLoop;
  console.log(`  event-loop delay during fit (native, ${e.batches} batches of 64): p50 ${e.p50Ms.toFixed(2)} ms, p99 ${e.p99Ms.toFixed(2)} ms, max ${e.maxMs.toFixed(2)} ms over ${e.seconds.toFixed(1)} s`);
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(result, null, 2) + '\n');
}

/** Event-loop delay while the public API's fit trains an LSTM(128) on the native backend. */
async function fitEventLoopDelay() {
  process.env.RNNKIT_BACKEND = 'native';
  const rnnkit = require(path.join(root, 'lib/index.js'));
  const { monitorEventLoopDelay } = require('perf_hooks');
  rnnkit.setRandomSeed(1);
  const n = 4 * B;
  const model = new rnnkit.Sequential();
  model.add(new rnnkit.LSTM(H, { inputShape: [T, D] }));
  model.add(new rnnkit.Dense(1));
  model.compile({ optimizer: 'adam', loss: 'mse' });
  const x = new rnnkit.Tensor(uniform(n * T * D, 1, 6), [n, T, D]);
  const y = new rnnkit.Tensor(uniform(n, 1, 7), [n, 1]);
  await model.fit(x, y, { epochs: 1, batchSize: B, verbose: 0 }); // warm-up
  const h = monitorEventLoopDelay({ resolution: 1 });
  const started = process.hrtime.bigint();
  h.enable();
  await model.fit(x, y, { epochs: 6, batchSize: B, verbose: 0 });
  h.disable();
  return {
    batches: 6 * (n / B),
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    p50Ms: h.percentile(50) / 1e6,
    p99Ms: h.percentile(99) / 1e6,
    maxMs: h.max / 1e6,
  };
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
