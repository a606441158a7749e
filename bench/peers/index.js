// @ts-check
// Optional peers: other runtimes a Node user could pick, run on the same shapes in the same run
// when they are installed (they are not rnnkit dependencies). Each is found with require.resolve,
// so `npm install --no-save @tensorflow/tfjs @tensorflow/tfjs-backend-wasm onnxruntime-node`
// (onnxruntime-node offline: ONNXRUNTIME_NODE_INSTALL=skip) or NODE_PATH pointing at a folder
// holding them is enough.
'use strict';

/**
 * @typedef {import('../shapes').Shape} Shape
 * @typedef {import('../workload').Workload} Workload
 * @typedef {import('../measure').Runner} Runner
 *
 * @typedef {Runner & {
 *   peer: string,
 *   threads: number,
 *   note?: string,
 *   output: (first: unknown) => Float32Array | null,
 *   dispose: () => Promise<void> | void,
 * }} PeerRunner
 *
 * @typedef {object} Peer
 * @property {string} name          tfjs-cpu, tfjs-wasm, onnxruntime
 * @property {string} version
 * @property {(w: Workload, threads: number[]) => Promise<PeerRunner[]>} runners
 *
 * @typedef {{ name: string, reason: string }} MissingPeer
 */

const { resolvable } = require('./require-peer');

const PEER_NAMES = ['tfjs-cpu', 'tfjs-wasm', 'onnxruntime'];

/**
 * The peers that are installed, among the wanted ones; the others with why.
 * @param {string[]} wanted names from PEER_NAMES
 * @returns {Promise<{ peers: Peer[], missing: MissingPeer[] }>}
 */
async function findPeers(wanted) {
  /** @type {Peer[]} */
  const peers = [];
  /** @type {MissingPeer[]} */
  const missing = [];
  const tfjsWanted = wanted.filter((n) => n.startsWith('tfjs-'));
  if (tfjsWanted.length > 0) {
    if (!resolvable('@tensorflow/tfjs')) {
      for (const name of tfjsWanted) missing.push({ name, reason: '@tensorflow/tfjs is not installed' });
    } else {
      const tfjs = require('./tfjs');
      for (const name of tfjsWanted) {
        if (name === 'tfjs-wasm' && !resolvable('@tensorflow/tfjs-backend-wasm')) {
          missing.push({ name, reason: '@tensorflow/tfjs-backend-wasm is not installed' });
          continue;
        }
        try {
          peers.push(await tfjs.tfjsPeer(name === 'tfjs-cpu' ? 'cpu' : 'wasm'));
        } catch (err) {
          missing.push({ name, reason: `failed to start: ${/** @type {Error} */ (err).message.split('\n')[0]}` });
        }
      }
    }
  }
  if (wanted.includes('onnxruntime')) {
    if (!resolvable('onnxruntime-node')) {
      missing.push({ name: 'onnxruntime', reason: 'onnxruntime-node is not installed' });
    } else {
      try {
        peers.push(require('./onnxruntime').onnxruntimePeer());
      } catch (err) {
        missing.push({ name: 'onnxruntime', reason: `failed to load: ${/** @type {Error} */ (err).message.split('\n')[0]}` });
      }
    }
  }
  return { peers, missing };
}

module.exports = { PEER_NAMES, findPeers };
