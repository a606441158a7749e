// @ts-check
// The sgemm probe: the native addon's matmul (OpenBLAS sgemm, rows split over rnnkit's pool) on
// large squares, at each thread count the bench uses. Its best sustained GFLOP/s is the
// machine's limit that the shapes' "% of limit" refers to.
'use strict';

const { nowSeconds } = require('./measure');
const { randomData } = require('./workload');

/**
 * @typedef {import('../lib/backend/kernels').Kernels} Kernels
 *
 * @typedef {object} ProbeRun
 * @property {number} threads
 * @property {number} size      m = n = k
 * @property {number} gflops    sustained: calls * 2 n^3 / elapsed
 * @property {number} calls
 * @property {number} seconds
 *
 * @typedef {object} Probe
 * @property {boolean} available
 * @property {string} [reason]                  why not
 * @property {ProbeRun[]} runs
 * @property {Record<string, number>} best      threads -> best sustained GFLOP/s over the sizes
 */

/**
 * @param {Kernels | null} native
 * @param {{ threads: number[], sizes: number[], minSeconds: number, progress?: (line: string) => void }} o
 * @returns {Probe}
 */
function probeSgemm(native, o) {
  if (!native) return { available: false, reason: 'the native addon did not load', runs: [], best: {} };
  if (typeof native.matmul !== 'function') {
    return { available: false, reason: 'the native addon has no matmul yet (binding.d.ts lists it; rebuild once native/ implements it)', runs: [], best: {} };
  }
  /** @type {ProbeRun[]} */
  const runs = [];
  /** @type {Record<string, number>} */
  const best = {};
  const before = native.getThreads();
  try {
    for (const size of o.sizes) {
      const a = randomData(size * size, 7);
      const b = randomData(size * size, 8);
      const args = { m: size, n: size, k: size, a, b };
      for (const threads of o.threads) {
        native.setThreads(threads);
        native.matmul(args); // warm-up: pool threads, OpenBLAS buffers, page faults
        let calls = 0;
        const start = nowSeconds();
        let elapsed = 0;
        do {
          native.matmul(args);
          calls++;
          elapsed = nowSeconds() - start;
        } while (elapsed < o.minSeconds);
        const gflops = (calls * 2 * size ** 3) / elapsed / 1e9;
        runs.push({ threads, size, gflops, calls, seconds: elapsed });
        best[threads] = Math.max(best[threads] ?? 0, gflops);
        if (o.progress) o.progress(`sgemm ${size}^3 on ${threads} thread${threads > 1 ? 's' : ''}: ${gflops.toFixed(1)} GFLOP/s`);
      }
    }
  } finally {
    native.setThreads(before);
  }
  return { available: true, runs, best };
}

module.exports = { probeSgemm };
