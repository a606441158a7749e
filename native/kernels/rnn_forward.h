// Forward pass of Keras's SimpleRNN, LSTM and GRU over a contiguous chunk of samples.
// Plain C++ over raw float arrays; the N-API layer (addon.cc) validates sizes before calling.
#pragma once

#include <cstdint>

#include "activations.h"

namespace rnnkit {

enum class Cell { SimpleRnn, Lstm, Gru };

// Gates per cell: the width of kernel and recurrentKernel is gates * units.
inline int gate_count(Cell cell) { return cell == Cell::Lstm ? 4 : (cell == Cell::Gru ? 3 : 1); }

// One call's arguments, layouts as binding.d.ts states them. The caller guarantees:
// every dimension >= 1; batch * timesteps and gates * units fit in int (BLAS);
// arrays have exactly the sizes in the comments; outputs do not alias inputs.
struct RnnArgs {
  Cell cell;
  int batch, timesteps, input_dim, units;
  const float* x;                 // (batch, timesteps, input_dim)
  const float* kernel;            // (input_dim, g*units)
  const float* recurrent_kernel;  // (units, g*units)
  const float* bias;              // null, (g*units), or (2, 3*units) for GRU with reset_after
  Activation activation, recurrent_activation;
  bool reset_after, go_backwards, return_sequences, zero_output_for_mask;
  const float* initial_h;  // null or (batch, units)
  const float* initial_c;  // null or (batch, units); LSTM only
  const uint8_t* mask;     // null or (batch, timesteps), input time order, nonzero = keep
  float* output;           // (batch, timesteps, units) if return_sequences, else (batch, units)
  float* h_out;            // (batch, units)
  float* c_out;            // (batch, units) for LSTM, else unused (may be null)
};

// Runs samples [b0, b1) of the batch and writes their rows of output, h_out and c_out.
// Chunks are independent, so disjoint chunks may run on different threads at once.
// Throws std::bad_alloc if the scratch buffers cannot be allocated.
void rnn_forward_chunk(const RnnArgs& a, int b0, int b1);

}  // namespace rnnkit
