// rnnTrainForward: the forward pass of rnnForward that also records the tape (tape.h) for the
// backward pass. Reference: src/backend/ts/rnn-train-forward.ts (binding.d.ts RnnTrainArgs).
#pragma once

#include <cstddef>
#include <cstdint>

#include "../rnn_forward.h"

namespace rnnkit {

// One call's arguments, layouts as binding.d.ts states them. The caller (train_addon.cc)
// guarantees: every dimension >= 1; batch * timesteps and g * units fit in int (BLAS); arrays of
// exactly the sizes in the comments; drop masks finite and >= 0; outputs that alias no input.
struct RnnTrainArgs {
  Cell cell;
  int batch, timesteps, input_dim, units;
  const float* x;                 // (batch, timesteps, input_dim)
  const float* kernel;            // (input_dim, g*units)
  const float* recurrent_kernel;  // (units, g*units)
  const float* bias;              // null, (g*units), or (2, 3*units) for GRU with reset_after
  Activation activation, recurrent_activation;
  bool reset_after;  // GRU only: false for the other cells
  bool go_backwards, return_sequences, zero_output_for_mask;
  const float* initial_h;  // null (zeros) or (batch, units)
  const float* initial_c;  // null (zeros) or (batch, units); LSTM only
  const uint8_t* mask;     // null or (batch, timesteps), input time order, nonzero = keep
  // Keras's dropout, one mask per gate, the same at every step: gate k reads x * drop_mask[k]
  // and h_prev * recurrent_drop_mask[k] in its products (the state itself is not dropped).
  const float* drop_mask;            // null or (g, batch, input_dim)
  const float* recurrent_drop_mask;  // null or (g, batch, units)
};

struct RnnTrainOutputs {
  float* output;  // (batch, timesteps, units) with return_sequences, else (batch, units)
  float* h;       // (batch, units): the final state
  float* c;       // (batch, units) for LSTM, else unused
  float* tape;    // tape_layout(...).length floats
};

// The scratch floats rnn_train_forward_samples needs for `samples` samples.
size_t rnn_train_forward_scratch_floats(const RnnTrainArgs& a, int samples);

// Runs samples [b0, b1) through every step, writing their rows of every output and of the tape.
// Samples are independent: disjoint ranges may run at once, each with its own scratch.
void rnn_train_forward_samples(const RnnTrainArgs& a, const RnnTrainOutputs& out, int b0, int b1,
                               float* scratch);

}  // namespace rnnkit
