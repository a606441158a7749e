// @ts-check
// onnxruntime-node peer: a one-node ONNX model (onnx-model.js) with rnnkit's weights, one
// session per thread count (intraOpNumThreads), called with session.run (a promise, awaited per
// batch, as a Node user calls it). Its input is handed over already time-major (ONNX's layout),
// so the transpose a user would need is not timed.
'use strict';

const { onnxModel, timeMajor, fromYh } = require('./onnx-model');
const { requirePeer } = require('./require-peer');

/**
 * @typedef {import('../workload').Workload} Workload
 * @typedef {import('./index').Peer} Peer
 * @typedef {import('./index').PeerRunner} PeerRunner
 */

/** @returns {Peer} */
function onnxruntimePeer() {
  const ort = requirePeer('onnxruntime-node');
  let version = 'unknown';
  try {
    version = requirePeer('onnxruntime-node/package.json').version;
  } catch {
    // exports map without package.json
  }
  return {
    name: 'onnxruntime',
    version,
    /** @param {Workload} w @param {number[]} threadCounts @returns {Promise<PeerRunner[]>} */
    async runners(w, threadCounts) {
      const s = w.shape;
      const model = onnxModel(s, w.weights);
      const feeds = { X: new ort.Tensor('float32', timeMajor(w.x, s), [s.timesteps, s.batch, s.inputDim]) };
      const dirs = w.weights.length;
      /** @type {PeerRunner[]} */
      const runners = [];
      for (const threads of threadCounts) {
        const session = await ort.InferenceSession.create(model, {
          intraOpNumThreads: threads,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          graphOptimizationLevel: 'all',
        });
        runners.push({
          name: `onnxruntime ${threads}t`,
          peer: 'onnxruntime',
          threads,
          async: true,
          run: () => session.run(feeds),
          output: (first) => fromYh(/** @type {any} */ (first).Y_h.data, s, dirs),
          dispose: () => session.release(),
        });
      }
      return runners;
    },
  };
}

module.exports = { onnxruntimePeer };
