// @ts-check
// A one-node ONNX model (RNN, LSTM or GRU op) for a reference shape, written with a minimal
// protobuf encoder, so the onnxruntime-node peer needs no converter. The weights are rnnkit's
// (Keras layout) rearranged into ONNX's: W (dirs, g*H, D), R (dirs, g*H, H), B (dirs, 2*g*H);
// LSTM gates reordered from Keras's i, f, c, o to ONNX's i, o, f, c; GRU with resetAfter is
// ONNX's linear_before_reset = 1. Input X is time-major (T, B, D), ONNX's default layout; the one
// output is Y_h (dirs, B, H).
'use strict';

/**
 * @typedef {import('../shapes').Shape} Shape
 * @typedef {import('../workload').Weights} Weights
 */

// --- protobuf wire format -------------------------------------------------------------------

/** @param {number} n non-negative integer below 2^53 @returns {number[]} */
function varint(n) {
  const out = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

/** @param {number} field @param {number} value */
function intField(field, value) {
  return Buffer.from([...varint(field * 8), ...varint(value)]);
}

/** @param {number} field @param {Buffer | string} bytes */
function bytesField(field, bytes) {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return Buffer.concat([Buffer.from([...varint(field * 8 + 2), ...varint(b.length)]), b]);
}

/** @param {Buffer[]} parts */
const msg = (parts) => Buffer.concat(parts);

// --- ONNX messages (field numbers from onnx.proto) ---------------------------------------------

const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTR_INT = 2;
const ATTR_STRING = 3;

/** TensorProto: dims 1, data_type 2, name 8, raw_data 9. @param {string} name @param {number[]} dims @param {Float32Array} data */
function tensorProto(name, dims, data) {
  const raw = Buffer.from(data.buffer, data.byteOffset, data.byteLength); // little-endian on every platform Node runs on here
  return msg([...dims.map((d) => intField(1, d)), intField(2, FLOAT), bytesField(8, name), bytesField(9, raw)]);
}

/** ValueInfoProto { name 1, type 2 { tensor_type 1 { elem_type 1, shape 2 { dim 1 { dim_value 1 } } } } } */
function valueInfo(/** @type {string} */ name, /** @type {number[]} */ dims) {
  const shape = msg(dims.map((d) => bytesField(1, intField(1, d))));
  const tensorType = msg([intField(1, FLOAT), bytesField(2, shape)]);
  return msg([bytesField(1, name), bytesField(2, bytesField(1, tensorType))]);
}

/** AttributeProto: name 1, i 3, s 4, type 20. */
function intAttr(/** @type {string} */ name, /** @type {number} */ i) {
  return msg([bytesField(1, name), intField(3, i), intField(20, ATTR_INT)]);
}
function stringAttr(/** @type {string} */ name, /** @type {string} */ s) {
  return msg([bytesField(1, name), bytesField(4, s), intField(20, ATTR_STRING)]);
}

/** NodeProto: input 1, output 2, name 3, op_type 4, attribute 5. */
function node(/** @type {string} */ op, /** @type {string[]} */ inputs, /** @type {string[]} */ outputs, /** @type {Buffer[]} */ attrs) {
  return msg([...inputs.map((s) => bytesField(1, s)), ...outputs.map((s) => bytesField(2, s)), bytesField(3, op.toLowerCase()), bytesField(4, op), ...attrs.map((a) => bytesField(5, a))]);
}

// --- Keras -> ONNX weights ----------------------------------------------------------------------

/** ONNX gate k takes Keras gate PERM[k]. */
const PERM = { simple_rnn: [0], lstm: [0, 3, 1, 2], gru: [0, 1, 2] };

/**
 * Transposes a Keras (rows, g*H) matrix into ONNX's (g*H, rows), gates reordered, into out at offset.
 * @param {Float32Array} src @param {number} rows @param {number} H @param {number[]} perm @param {Float32Array} out @param {number} offset
 */
function transposeGates(src, rows, H, perm, out, offset) {
  const width = perm.length * H;
  for (let k = 0; k < perm.length; k++) {
    for (let u = 0; u < H; u++) {
      const srcCol = perm[k] * H + u;
      const dstRow = offset + (k * H + u) * rows;
      for (let r = 0; r < rows; r++) out[dstRow + r] = src[r * width + srcCol];
    }
  }
}

/**
 * The serialized model for a shape and its per-direction Keras weights.
 * @param {Shape} s @param {Weights[]} dirs
 * @returns {Buffer}
 */
function onnxModel(s, dirs) {
  const perm = PERM[s.cell];
  const g = perm.length;
  const H = s.units;
  const D = s.inputDim;
  const n = dirs.length;
  const W = new Float32Array(n * g * H * D);
  const R = new Float32Array(n * g * H * H);
  const B = new Float32Array(n * 2 * g * H);
  dirs.forEach((w, d) => {
    transposeGates(w.kernel, D, H, perm, W, d * g * H * D);
    transposeGates(w.recurrentKernel, H, H, perm, R, d * g * H * H);
    if (w.bias) {
      const base = d * 2 * g * H;
      // Keras: (g*H), or for GRU with resetAfter (2, 3H): input bias row, then recurrent bias row.
      const rows = w.bias.length / (g * H);
      for (let row = 0; row < rows; row++) {
        for (let k = 0; k < g; k++) {
          B.set(w.bias.subarray(row * g * H + perm[k] * H, row * g * H + (perm[k] + 1) * H), base + row * g * H + k * H);
        }
      }
    }
  });
  const op = s.cell === 'simple_rnn' ? 'RNN' : s.cell === 'lstm' ? 'LSTM' : 'GRU';
  const attrs = [intAttr('hidden_size', H), stringAttr('direction', n === 2 ? 'bidirectional' : 'forward')];
  if (s.cell === 'gru') attrs.push(intAttr('linear_before_reset', s.resetAfter ? 1 : 0));
  const graph = msg([
    bytesField(1, node(op, ['X', 'W', 'R', 'B'], ['', 'Y_h'], attrs)),
    bytesField(2, `rnnkit_bench_${s.id}`),
    bytesField(5, tensorProto('W', [n, g * H, D], W)),
    bytesField(5, tensorProto('R', [n, g * H, H], R)),
    bytesField(5, tensorProto('B', [n, 2 * g * H], B)),
    bytesField(11, valueInfo('X', [s.timesteps, s.batch, D])),
    bytesField(12, valueInfo('Y_h', [n, s.batch, H])),
  ]);
  const opset = msg([bytesField(1, ''), intField(2, 17)]);
  // ModelProto: ir_version 1, producer_name 2, graph 7, opset_import 8.
  return msg([intField(1, 8), bytesField(2, 'rnnkit-bench'), bytesField(7, graph), bytesField(8, opset)]);
}

/** (B, T, D) batch-major -> (T, B, D) time-major. @param {Float32Array} x @param {Shape} s */
function timeMajor(x, s) {
  const { batch: B, timesteps: T, inputDim: D } = s;
  const out = new Float32Array(x.length);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) out.set(x.subarray((b * T + t) * D, (b * T + t + 1) * D), (t * B + b) * D);
  }
  return out;
}

/** Y_h (dirs, B, H) -> the layer's (B, dirs*H). @param {Float32Array} yh @param {Shape} s @param {number} dirs */
function fromYh(yh, s, dirs) {
  const H = s.units;
  const out = new Float32Array(s.batch * dirs * H);
  for (let d = 0; d < dirs; d++) {
    for (let b = 0; b < s.batch; b++) out.set(yh.subarray((d * s.batch + b) * H, (d * s.batch + b + 1) * H), (b * dirs + d) * H);
  }
  return out;
}

module.exports = { onnxModel, timeMajor, fromYh };
