// The native addon's surface: the one contract between native/ (C++) and src/ (TypeScript).
// src/backend/ts/ implements exactly this interface in TypeScript, so that layers can run on either.
//
// Conventions (identical for both implementations):
// - float32, row-major, batch-major: x is (batch, timesteps, inputDim), flattened.
// - Weights use Keras's layout: kernel (inputDim, g*units), recurrentKernel (units, g*units),
//   gate order LSTM i,f,c,o (g = 4); GRU z,r,h (g = 3); SimpleRNN g = 1.
// - bias: null (useBias false), or g*units values; for GRU with resetAfter, 2*3*units values
//   (row 0: input bias, row 1: recurrent bias), as Keras stores it.
// - mask: null, or batch*timesteps bytes in input time order, 1 = keep, 0 = masked. A masked step
//   keeps the previous states; its output is the previous step's output (zeros before the first
//   step), or zeros when zeroOutputForMask is true (Keras's TensorFlow backend semantics).
// - goBackwards: steps run from t = timesteps-1 down to 0, and the returned sequence is in
//   processing order (reversed), as Keras returns it.
// - Every argument is validated; bad arguments throw TypeError or RangeError naming the field,
//   the expected value and the value that came. Nothing aborts the process.

export type ActivationName =
  | 'linear'
  | 'tanh'
  | 'sigmoid'
  | 'hard_sigmoid' // Keras 3: clip(x / 6 + 0.5, 0, 1)
  | 'hard_sigmoid_keras2' // Keras 2 and TF.js: clip(0.2 * x + 0.5, 0, 1)
  | 'relu'
  | 'relu6'
  | 'elu' // alpha 1
  | 'selu'
  | 'softplus'
  | 'softsign'
  | 'exponential'
  | 'silu'; // x * sigmoid(x), Keras's swish

export type CellName = 'simple_rnn' | 'lstm' | 'gru';

export interface RnnForwardArgs {
  cell: CellName;
  batch: number; // >= 1
  timesteps: number; // >= 1
  inputDim: number; // >= 1
  units: number; // >= 1
  x: Float32Array; // batch * timesteps * inputDim
  kernel: Float32Array | null; // inputDim * g * units; null only with packed (below)
  recurrentKernel: Float32Array | null; // units * g * units; null only with packed
  bias: Float32Array | null; // g * units, or 2 * 3 * units for GRU with resetAfter; null with packed
  activation: ActivationName; // Keras `activation` (tanh by default)
  recurrentActivation: ActivationName; // gates of LSTM and GRU; ignored by simple_rnn
  resetAfter: boolean; // GRU only; ignored by the other cells
  goBackwards: boolean;
  returnSequences: boolean;
  zeroOutputForMask: boolean;
  initialH: Float32Array | null; // batch * units; null means zeros
  initialC: Float32Array | null; // LSTM only: batch * units; null means zeros
  mask: Uint8Array | null; // batch * timesteps
  // Optional (undefined means null): the layer's weights packed once by packRnnWeights, so that the
  // call does not re-pack them. When given, kernel, recurrentKernel and bias must be null (the
  // weights come from the handle), and its cell, inputDim, units and (GRU) resetAfter must be the
  // call's. The result is bit-for-bit that of the same weights passed unpacked.
  packed?: PackedRnnWeights | null;
}

export interface PackRnnWeightsArgs {
  cell: CellName;
  inputDim: number; // >= 1
  units: number; // >= 1
  resetAfter: boolean; // GRU only; ignored by the other cells
  kernel: Float32Array; // inputDim * g * units
  recurrentKernel: Float32Array; // units * g * units
  bias: Float32Array | null; // as in RnnForwardArgs
}

/**
 * One recurrent layer's weights, copied into the kernels' own layout by packRnnWeights (made once,
 * used by every call). Opaque: it holds a copy, so later writes to the arrays it was made from do
 * not reach it (pack again after changing weights). A handle works only with the backend that
 * made it (another backend's handle, or any other object, is a TypeError); it is freed by the
 * garbage collector, after the last async call using it has settled.
 */
export interface PackedRnnWeights {
  readonly cell: CellName;
  readonly inputDim: number;
  readonly units: number;
  readonly resetAfter: boolean; // false for cells other than GRU
  readonly hasBias: boolean;
  readonly bytes: number; // memory held by the packed copy
}

export interface RnnForwardResult {
  // returnSequences: batch * timesteps * units (processing order); otherwise batch * units,
  // the output of the last processed step (after masking).
  output: Float32Array;
  h: Float32Array; // final hidden state, batch * units
  c: Float32Array | null; // final cell state for LSTM, null for the other cells
  // output, h and c are distinct arrays that may be views of one ArrayBuffer (the native backend
  // allocates them together); transferring one's buffer transfers the others.
}

// Training (docs/KERNELS.md, "Training"). rnnTrainForward runs the forward pass of rnnForward and
// records what the backward pass needs (the tape); rnnBackward takes the same arguments, the tape,
// and the gradients of the loss with respect to the call's results, and returns the gradients with
// respect to its inputs and weights. Dropout is Keras's: a mask per gate, the same at every step.
export interface RnnTrainArgs {
  cell: CellName;
  batch: number;
  timesteps: number;
  inputDim: number;
  units: number;
  x: Float32Array;
  kernel: Float32Array; // the weights as in RnnForwardArgs (never packed: training changes them)
  recurrentKernel: Float32Array;
  bias: Float32Array | null;
  activation: ActivationName;
  recurrentActivation: ActivationName;
  resetAfter: boolean;
  goBackwards: boolean;
  returnSequences: boolean;
  zeroOutputForMask: boolean;
  initialH: Float32Array | null;
  initialC: Float32Array | null;
  mask: Uint8Array | null;
  // g * batch * inputDim, or null: gate k reads x * dropMask[k] (values 0 or 1 / (1 - rate)).
  dropMask: Float32Array | null;
  // g * batch * units, or null: gate k's recurrent product reads h_prev * recurrentDropMask[k]
  // (the state itself is not dropped; GRU's update mixes the undropped h_prev, as Keras).
  recurrentDropMask: Float32Array | null;
}

export interface RnnTrainResult extends RnnForwardResult {
  // What rnnBackward needs; pass it back unchanged (its layout is in docs/KERNELS.md).
  tape: Float32Array;
}

export interface RnnBackwardArgs extends RnnTrainArgs {
  tape: Float32Array; // from rnnTrainForward with these same arguments
  dOutput: Float32Array; // d loss / d output, output's shape
  dH: Float32Array | null; // d loss / d final h (batch * units), null: zeros
  dC: Float32Array | null; // LSTM only: d loss / d final c, null: zeros
}

export interface RnnBackwardResult {
  dx: Float32Array; // batch * timesteps * inputDim
  dKernel: Float32Array; // kernel's shape
  dRecurrentKernel: Float32Array;
  dBias: Float32Array | null; // bias's shape; null without bias
  dInitialH: Float32Array; // batch * units
  dInitialC: Float32Array | null; // LSTM only
}

export interface DenseForwardArgs {
  rows: number; // >= 1
  inputDim: number; // >= 1
  units: number; // >= 1
  x: Float32Array; // rows * inputDim
  kernel: Float32Array; // inputDim * units
  bias: Float32Array | null; // units
  activation: ActivationName;
}

export interface DenseBackwardArgs extends DenseForwardArgs {
  dy: Float32Array; // d loss / d y, rows * units
}

export interface DenseBackwardResult {
  dx: Float32Array; // rows * inputDim
  dKernel: Float32Array; // inputDim * units
  dBias: Float32Array | null; // units; null without bias
}

export interface MatmulArgs {
  m: number; // >= 1
  n: number; // >= 1
  k: number; // >= 1
  a: Float32Array; // m * k
  b: Float32Array; // k * n
}

/** Copies a recurrent layer's weights into the kernels' layout, validated like rnnForward's fields. */
export function packRnnWeights(args: PackRnnWeightsArgs): PackedRnnWeights;
/** Runs a recurrent layer forward over a whole batch, on the calling thread plus the pool. */
export function rnnForward(args: RnnForwardArgs): RnnForwardResult;
/** Same as rnnForward, run off the event loop. Validates synchronously (throws like rnnForward); the
 * argument arrays must not be written, transferred or resized until the promise settles. */
export function rnnForwardAsync(args: RnnForwardArgs): Promise<RnnForwardResult>;
/**
 * Runs several independent recurrent layers at once (e.g. the two directions of a Bidirectional
 * layer), sharing the pool; results in the same order. Each element is validated as rnnForward's.
 */
export function rnnForwardMany(args: RnnForwardArgs[]): RnnForwardResult[];
export function rnnForwardManyAsync(args: RnnForwardArgs[]): Promise<RnnForwardResult[]>;
/** rnnForward that also records the tape for rnnBackward. */
export function rnnTrainForward(args: RnnTrainArgs): RnnTrainResult;
/** Backpropagation through time over a whole batch. */
export function rnnBackward(args: RnnBackwardArgs): RnnBackwardResult;
/** The same, off the event loop (validated synchronously, like rnnForwardAsync). */
export function rnnTrainForwardAsync(args: RnnTrainArgs): Promise<RnnTrainResult>;
export function rnnBackwardAsync(args: RnnBackwardArgs): Promise<RnnBackwardResult>;
/** C = A @ B (m * n), row-major; the rows of C are split over the pool. The benchmark's sgemm probe. */
export function matmul(args: MatmulArgs): Float32Array;
/** y = activation(x @ kernel + bias), rows * units. */
export function denseForward(args: DenseForwardArgs): Float32Array;
export function denseForwardAsync(args: DenseForwardArgs): Promise<Float32Array>;
/** The gradients of denseForward's inputs and weights, given d loss / d y. */
export function denseBackward(args: DenseBackwardArgs): DenseBackwardResult;
export function denseBackwardAsync(args: DenseBackwardArgs): Promise<DenseBackwardResult>;
/** Worker threads that split a batch (1 = the calling thread only). */
export function getThreads(): number;
export function setThreads(threads: number): void;
/** Which implementation this is: 'native' (the addon) or 'ts' (the fallback). */
export const implementation: 'native' | 'ts';
