// @ts-check
// One reference shape made concrete: a layer built through rnnkit's public API (seeded Keras
// initialisers), an input batch, and the kernel arguments the layer itself builds for its call
// (src/layers/rnn.ts, kernelArgs): same weights, same activations, no mask, no initial state,
// last output only. The bench calls the kernels with these arguments, the weights packed once per
// backend as the layer packs them, so that the native and the TypeScript backends run side by
// side in one process.
'use strict';

const rnnkit = require('../lib/index.js');

/**
 * @typedef {import('./shapes').Shape} Shape
 * @typedef {import('../lib/backend/kernels').Kernels} Kernels
 * @typedef {import('../lib/backend/kernels').RnnForwardArgs} RnnForwardArgs
 * @typedef {import('../lib/backend/kernels').RnnForwardResult} RnnForwardResult
 *
 * @typedef {object} Weights  Keras layout, as getWeights() returns them
 * @property {Float32Array} kernel           (D, g*H)
 * @property {Float32Array} recurrentKernel  (H, g*H)
 * @property {Float32Array | null} bias      (g*H), or (2, 3H) for GRU with resetAfter
 *
 * @typedef {object} Workload
 * @property {Shape} shape
 * @property {Float32Array} x          (B, T, D), batch-major
 * @property {RnnForwardArgs[]} args   one element, or [forward, backward] for Bidirectional
 * @property {Weights[]} weights       per direction, for the peers
 * @property {import('../lib/index').Layer} layer  the public layer (for the layer-API check and rows)
 * @property {import('../lib/index').Tensor} input the public Tensor of x
 */

const SEED = 1234;

/** Uniform in [-1, 1), reproducible (mulberry32). @param {number} n @param {number} seed */
function randomData(n, seed) {
  const out = new Float32Array(n);
  let state = seed >>> 0;
  for (let i = 0; i < n; i++) {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** @param {Shape} s */
function makeCell(s) {
  const options = { seed: SEED };
  if (s.cell === 'simple_rnn') return new rnnkit.SimpleRNN(s.units, options);
  if (s.cell === 'lstm') return new rnnkit.LSTM(s.units, options);
  return new rnnkit.GRU(s.units, { ...options, resetAfter: s.resetAfter });
}

/** @param {import('../lib/index').BaseRNN} rnn @returns {Weights} */
function weightsOf(rnn) {
  const w = rnn.getWeights();
  return { kernel: w[0].data, recurrentKernel: w[1].data, bias: w.length > 2 ? w[2].data : null };
}

/**
 * The arguments BaseRNN.forwardArgs builds for a call without mask or initial state.
 * @param {Shape} s @param {import('../lib/index').BaseRNN} rnn @param {Float32Array} x
 * @returns {RnnForwardArgs}
 */
function kernelArgs(s, rnn, x) {
  const w = weightsOf(rnn);
  const config = /** @type {Record<string, unknown>} */ (rnn.getConfig());
  return {
    cell: s.cell,
    batch: s.batch,
    timesteps: s.timesteps,
    inputDim: s.inputDim,
    units: s.units,
    x,
    kernel: w.kernel,
    recurrentKernel: w.recurrentKernel,
    bias: w.bias,
    activation: /** @type {any} */ (config.activation),
    recurrentActivation: /** @type {any} */ (s.cell === 'simple_rnn' ? 'sigmoid' : config.recurrentActivation),
    resetAfter: s.cell === 'gru' ? s.resetAfter : false,
    goBackwards: rnn.goBackwards,
    returnSequences: false,
    zeroOutputForMask: false,
    initialH: null,
    initialC: null,
    mask: null,
  };
}

/** @param {Shape} s @returns {Workload} */
function makeWorkload(s) {
  const x = randomData(s.batch * s.timesteps * s.inputDim, SEED + 1);
  const input = rnnkit.tensor(x, [s.batch, s.timesteps, s.inputDim]);
  const cell = makeCell(s);
  if (s.bidirectional) {
    const bi = new rnnkit.Bidirectional(cell, { mergeMode: 'concat' });
    bi.build([null, s.timesteps, s.inputDim]);
    const dirs = [bi.forwardLayer, bi.backwardLayer];
    return { shape: s, x, input, layer: bi, args: dirs.map((d) => kernelArgs(s, d, x)), weights: dirs.map(weightsOf) };
  }
  cell.build([null, s.timesteps, s.inputDim]);
  return { shape: s, x, input, layer: cell, args: [kernelArgs(s, cell, x)], weights: [weightsOf(cell)] };
}

/**
 * The arguments with the weights packed by k, once, as a layer holds them (packRnnWeights); as
 * they are when k lacks it.
 * @param {Kernels} k @param {RnnForwardArgs} a @returns {RnnForwardArgs}
 */
function packedArgs(k, a) {
  if (typeof k.packRnnWeights !== 'function' || !a.kernel || !a.recurrentKernel) return a;
  const { cell, inputDim, units, resetAfter, kernel, recurrentKernel, bias } = a;
  const packed = k.packRnnWeights({ cell, inputDim, units, resetAfter, kernel, recurrentKernel, bias });
  return { ...a, kernel: null, recurrentKernel: null, bias: null, packed };
}

/**
 * One batch on a kernel set, with the weights packed once beforehand (as layers do): rnnForward,
 * or rnnForwardMany for the two directions of a Bidirectional layer (the two directions one after
 * the other when the kernels lack it). Returns the last output in the layer's layout: (B, H), or
 * (B, 2H) concatenated.
 * @param {Kernels} k @param {RnnForwardArgs[]} unpacked
 * @returns {() => RnnForwardResult[]}
 */
function kernelRunner(k, unpacked) {
  const args = unpacked.map((a) => packedArgs(k, a));
  if (args.length === 1) {
    const one = args[0];
    return () => [k.rnnForward(one)];
  }
  if (typeof k.rnnForwardMany === 'function') return () => k.rnnForwardMany(args);
  return () => args.map((a) => k.rnnForward(a));
}

/** The layer's output from kernel results: (B, H), or (B, 2H) for concat. @param {Shape} s @param {RnnForwardResult[]} results */
function layerOutput(s, results) {
  if (results.length === 1) return results[0].output;
  const H = s.units;
  const out = new Float32Array(s.batch * 2 * H);
  for (let b = 0; b < s.batch; b++) {
    out.set(results[0].output.subarray(b * H, (b + 1) * H), b * 2 * H);
    out.set(results[1].output.subarray(b * H, (b + 1) * H), b * 2 * H + H);
  }
  return out;
}

/** Largest |a - b| (Infinity when the lengths differ or a value is not finite). @param {ArrayLike<number>} a @param {ArrayLike<number>} b */
function maxAbsDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

module.exports = { makeWorkload, kernelRunner, layerOutput, maxAbsDiff, randomData };
