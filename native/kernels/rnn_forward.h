// The arguments of one forward pass of Keras's SimpleRNN, LSTM or GRU (binding.d.ts rnnForward).
// The N-API layer (addon.cc) validates sizes before anything runs; the kernels are rnn_isa.h.
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
  const float* kernel;            // (input_dim, g*units); unused (may be null) with packed
  const float* recurrent_kernel;  // (units, g*units); unused (may be null) with packed
  // Null, or kernel and recurrent_kernel already in the packed layout of rnn_isa() (its
  // packed_floats(a) floats, packed_weights.h): the call then reads them instead of packing.
  const float* packed;
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

}  // namespace rnnkit
