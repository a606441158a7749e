// @ts-check
// TensorFlow.js peers: @tensorflow/tfjs on its pure-JS 'cpu' backend, and on the 'wasm' backend
// (@tensorflow/tfjs-backend-wasm). One tf.sequential model per shape and backend, given rnnkit's
// weights (tfjs uses Keras's layout), called with model.predict and read back with dataSync.
// TF.js has no GRU resetAfter: S3 runs as GRU with resetAfter false there (the same FLOPs, other
// numbers, so its output is not compared).
'use strict';

const { requirePeer } = require('./require-peer');

/**
 * @typedef {import('../shapes').Shape} Shape
 * @typedef {import('../workload').Workload} Workload
 * @typedef {import('./index').Peer} Peer
 * @typedef {import('./index').PeerRunner} PeerRunner
 */

/** @type {any} */
let tf = null;

/** Runs f with console.log / console.warn / console.info muted (tfjs greets Node users on stdout). @template T @param {() => T} f @returns {T} */
function quietly(f) {
  const saved = { log: console.log, warn: console.warn, info: console.info };
  console.log = console.warn = console.info = () => {};
  try {
    return f();
  } finally {
    Object.assign(console, saved);
  }
}

/** Async quietly. @template T @param {() => Promise<T>} f @returns {Promise<T>} */
async function quietlyAsync(f) {
  const saved = { log: console.log, warn: console.warn, info: console.info };
  console.log = console.warn = console.info = () => {};
  try {
    return await f();
  } finally {
    Object.assign(console, saved);
  }
}

/** @param {string} backend */
async function useBackend(backend) {
  if (tf.getBackend() === backend) return;
  await quietlyAsync(async () => {
    if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
    await tf.ready();
  });
}

/** @param {Shape} s */
function makeLayer(s) {
  // Zeros: the weights are set right after (tfjs's orthogonal initializer takes seconds in JS).
  const common = { units: s.units, returnSequences: false, kernelInitializer: 'zeros', recurrentInitializer: 'zeros', biasInitializer: 'zeros' };
  const gated = { ...common, activation: 'tanh', recurrentActivation: 'sigmoid' }; // tfjs defaults to hardSigmoid
  if (s.cell === 'simple_rnn') return tf.layers.simpleRNN({ ...common, activation: 'tanh' });
  if (s.cell === 'lstm') return tf.layers.lstm(gated);
  return tf.layers.gru({ ...gated, resetAfter: false });
}

/**
 * The runner of one shape on one backend, built with console muted (tfjs greets Node users on its
 * first tensor).
 * @param {'cpu' | 'wasm'} backend @param {Workload} w @returns {Promise<PeerRunner[]>}
 */
async function makeRunners(backend, w) {
  const s = w.shape;
  await useBackend(backend);
  const inner = makeLayer(s);
  const layer = s.bidirectional ? tf.layers.bidirectional({ layer: inner, mergeMode: 'concat' }) : inner;
  const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [s.timesteps, s.inputDim] }), layer] });
  const H = s.units;
  const g = s.cell === 'simple_rnn' ? 1 : s.cell === 'lstm' ? 4 : 3;
  const weights = w.weights.flatMap((d) => [
    tf.tensor2d(d.kernel, [s.inputDim, g * H]),
    tf.tensor2d(d.recurrentKernel, [H, g * H]),
    tf.tensor1d(d.bias ? d.bias.subarray(0, g * H) : new Float32Array(g * H)), // GRU: the input-bias row only
  ]);
  model.setWeights(weights);
  tf.dispose(weights);
  const x = tf.tensor3d(w.x, [s.batch, s.timesteps, s.inputDim]);
  let threads = 1;
  if (backend === 'wasm') {
    const wasm = requirePeer('@tensorflow/tfjs-backend-wasm');
    if (typeof wasm.getThreadsCount === 'function') threads = wasm.getThreadsCount();
  }
  const name = `tfjs-${backend}`;
  /** @type {PeerRunner} */
  const runner = {
    name,
    peer: name,
    threads,
    note: s.cell === 'gru' ? 'GRU resetAfter false (tfjs has no resetAfter)' : undefined,
    before: () => useBackend(backend),
    run: () => {
      const y = model.predict(x);
      const data = y.dataSync();
      y.dispose();
      return data;
    },
    output: (first) => (s.cell === 'gru' ? null : /** @type {Float32Array} */ (first)),
    dispose: () => {
      x.dispose();
      model.dispose();
    },
  };
  return [runner];
}

/**
 * @param {'cpu' | 'wasm'} backend
 * @returns {Promise<Peer>}
 */
async function tfjsPeer(backend) {
  if (!tf) tf = quietly(() => requirePeer('@tensorflow/tfjs'));
  if (backend === 'wasm') quietly(() => requirePeer('@tensorflow/tfjs-backend-wasm'));
  await useBackend(backend);
  return {
    name: `tfjs-${backend}`,
    version: tf.version.tfjs,
    runners: (w) => quietlyAsync(() => makeRunners(backend, w)),
  };
}

module.exports = { tfjsPeer };
