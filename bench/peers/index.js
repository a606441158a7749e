// @ts-check
// Optional peers: other runtimes a Node user could pick, run on the same shapes in the same run
// when they are installed. They are not rnnkit dependencies but devDependencies of the bench
// only: bench/package.json (private) and its package-lock.json pin @tensorflow/tfjs,
// @tensorflow/tfjs-backend-wasm and onnxruntime-node, and `npm run bench:peers` (from the project
// root) installs them into bench/node_modules (git-ignored) with `npm ci`, ONNXRUNTIME_NODE_INSTALL
// set to skip: onnxruntime-node's postinstall downloads, and fails offline, while its CPU library
// ships in the package. Remove bench/node_modules to run without them, or pass --no-peers. Each
// peer is found with require.resolve from here, which walks up into bench/node_modules (then the
// project's node_modules, then NODE_PATH), so a folder on NODE_PATH holding them works too.
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
