// Keras 2's CuDNNLSTM / CuDNNGRU keep each gate's matrices in cuDNN's layout; loading them into a
// standard LSTM / GRU, Keras converts them (keras/engine/saving.py, _convert_rnn_weights):
//   kernel, per gate block k (input, units):   k.T.reshape(k.shape, order='F')
//   recurrent kernel, per gate block:          k.T
//   LSTM bias (8 units): input half + recurrent half; GRU bias (6 units) -> (2, 3 units).
// The gate order along the columns is Keras's (i, f, c, o / z, r, h) in both layouts.

/** Per gate block of width `units`: dest[d, h] = block's row-major memory at d + h * inputDim. */
function kernelFromCudnn(kernel: Float32Array, inputDim: number, units: number, gates: number): Float32Array {
  const width = gates * units;
  const out = new Float32Array(kernel.length);
  for (let g = 0; g < gates; g++) {
    for (let d = 0; d < inputDim; d++) {
      for (let h = 0; h < units; h++) {
        const p = d + h * inputDim; // position in the block's row-major memory
        const row = Math.floor(p / units);
        const col = p % units;
        out[d * width + g * units + h] = kernel[row * width + g * units + col];
      }
    }
  }
  return out;
}

/** Per gate block (units, units): its transpose. */
function recurrentFromCudnn(recurrent: Float32Array, units: number, gates: number): Float32Array {
  const width = gates * units;
  const out = new Float32Array(recurrent.length);
  for (let g = 0; g < gates; g++) {
    for (let i = 0; i < units; i++) {
      for (let j = 0; j < units; j++) out[i * width + g * units + j] = recurrent[j * width + g * units + i];
    }
  }
  return out;
}

export interface ConvertedWeights {
  kernel: Float32Array;
  recurrentKernel: Float32Array;
  bias: Float32Array;
}

export function fromCudnnLstm(kernel: Float32Array, recurrent: Float32Array, bias: Float32Array, inputDim: number, units: number): ConvertedWeights {
  const merged = new Float32Array(4 * units);
  for (let j = 0; j < merged.length; j++) merged[j] = bias[j] + bias[4 * units + j];
  return { kernel: kernelFromCudnn(kernel, inputDim, units, 4), recurrentKernel: recurrentFromCudnn(recurrent, units, 4), bias: merged };
}

/** The bias keeps its values: input biases then recurrent biases, GRU(resetAfter)'s (2, 3 units). */
export function fromCudnnGru(kernel: Float32Array, recurrent: Float32Array, bias: Float32Array, inputDim: number, units: number): ConvertedWeights {
  return { kernel: kernelFromCudnn(kernel, inputDim, units, 3), recurrentKernel: recurrentFromCudnn(recurrent, units, 3), bias: Float32Array.from(bias) };
}
