// @ts-check
// The reference shapes of issue 3 and their FLOP counts.
'use strict';

/**
 * @typedef {'simple_rnn' | 'lstm' | 'gru'} CellName
 * @typedef {object} Shape
 * @property {string} id          S1a, S1b, S2, ...
 * @property {CellName} cell
 * @property {string} layer       the Keras layer name, for the tables
 * @property {number} units       H
 * @property {number} inputDim    D
 * @property {number} timesteps   T
 * @property {number} batch       B
 * @property {boolean} bidirectional  concat merge
 * @property {boolean} resetAfter GRU only
 * @property {string} note        what the shape stands for
 */

/** Gates per cell: the g of the FLOP count. */
const GATES = { simple_rnn: 1, lstm: 4, gru: 3 };

/** @type {Shape[]} */
const SHAPES = [
  { id: 'S1a', cell: 'simple_rnn', layer: 'SimpleRNN', units: 128, inputDim: 100, timesteps: 30, batch: 1, bidirectional: false, resetAfter: false, note: 'latency' },
  { id: 'S1b', cell: 'simple_rnn', layer: 'SimpleRNN', units: 128, inputDim: 100, timesteps: 30, batch: 256, bidirectional: false, resetAfter: false, note: 'throughput' },
  { id: 'S2', cell: 'lstm', layer: 'LSTM', units: 256, inputDim: 128, timesteps: 100, batch: 64, bidirectional: false, resetAfter: false, note: 'throughput' },
  { id: 'S3', cell: 'gru', layer: 'GRU', units: 256, inputDim: 128, timesteps: 100, batch: 64, bidirectional: false, resetAfter: true, note: 'throughput' },
  { id: 'S4', cell: 'lstm', layer: 'LSTM', units: 128, inputDim: 64, timesteps: 50, batch: 1, bidirectional: false, resetAfter: false, note: 'latency' },
  { id: 'S5', cell: 'lstm', layer: 'Bidirectional(LSTM)', units: 128, inputDim: 100, timesteps: 50, batch: 32, bidirectional: true, resetAfter: false, note: 'throughput' },
];

/** @param {Shape} s */
function gates(s) {
  return GATES[s.cell];
}

/** FLOPs of one batch: 2*B*T*(D+H)*g*H, twice for a bidirectional layer. @param {Shape} s */
function flops(s) {
  return 2 * s.batch * s.timesteps * (s.inputDim + s.units) * gates(s) * s.units * (s.bidirectional ? 2 : 1);
}

/** One line: "LSTM units 256, input 128, 100 steps, batch 64". @param {Shape} s */
function describeShape(s) {
  const extra = s.cell === 'gru' ? ` (resetAfter ${s.resetAfter})` : s.bidirectional ? ' (concat)' : '';
  return `${s.layer}${extra} units ${s.units}, input ${s.inputDim}, ${s.timesteps} steps, batch ${s.batch}`;
}

/**
 * The shapes named in a comma-separated list (case-insensitive), in the reference order; all when
 * the list is empty. Throws on an unknown name.
 * @param {string[]} ids
 * @returns {Shape[]}
 */
function selectShapes(ids) {
  if (ids.length === 0) return SHAPES.slice();
  const wanted = new Set(ids.map((id) => id.trim().toLowerCase()));
  for (const id of wanted) {
    if (!SHAPES.some((s) => s.id.toLowerCase() === id)) {
      throw new Error(`unknown shape '${id}'; the shapes are ${SHAPES.map((s) => s.id).join(', ')}`);
    }
  }
  return SHAPES.filter((s) => wanted.has(s.id.toLowerCase()));
}

module.exports = { SHAPES, gates, flops, describeShape, selectShapes };
