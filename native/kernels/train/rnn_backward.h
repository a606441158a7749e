// rnnBackward: backpropagation through time over the tape of rnnTrainForward (tape.h).
// Reference: src/backend/ts/rnn-backward.ts (binding.d.ts RnnBackwardArgs).
//
// Two phases. The steps (rnn_backward_steps) run in reverse over a range of samples and do only
// what depends on the step after: the gates' gradients from the tape's sums, then per step one GEMM
// (per gate with recurrent dropout) that carries the gradient into h_prev. They leave the gradients
// of every gate's sums in the work arrays (one row per step and sample). The products
// (rnn_backward_part) then take all B*T rows at once, one GEMM each:
//   dKernel          = X^T @ dZx     (X: the inputs in processing order, per gate through its mask)
//   dx               = dZx @ kernel^T
//   dRecurrentKernel = Hprev^T @ dZh (Hprev: the tape's states before each step)
//   dBias            = the column sums of dZx (and of dZh for GRU's recurrent bias row)
// dZx are the gradients of the gates' input sums, dZh of their recurrent sums: the same rows except
// GRU's candidate, whose recurrent part is scaled by the reset gate (reset_after: the sum r * rec;
// reset before: the candidate's product reads r * h_prev, whose rows the steps keep in reset_h).
#pragma once

#include <cstddef>

#include "rnn_train_forward.h"

namespace rnnkit {

struct RnnBackwardArgs {
  RnnTrainArgs f;        // the arguments of the rnnTrainForward call that made the tape
  const float* tape;     // tape_layout(...).length floats
  const float* d_output; // d loss / d output, output's shape
  const float* d_h;      // null (zeros) or (batch, units): d loss / d final h
  const float* d_c;      // null (zeros) or (batch, units): d loss / d final c; LSTM only
};

struct RnnBackwardOutputs {
  float* dx;                  // (batch, timesteps, input_dim)
  float* d_kernel;            // (input_dim, g*units)
  float* d_recurrent_kernel;  // (units, g*units)
  float* d_bias;              // bias's shape; unused without bias
  float* d_initial_h;         // (batch, units)
  float* d_initial_c;         // (batch, units) for LSTM, else unused
};

// What the steps hand the products: rows s*B + b (processing order, like the tape).
struct RnnBackwardWork {
  float* dzx;      // (T*B, gH): d loss / d the gates' input sums
  float* dzh;      // (T*B, gH): of their recurrent sums; dzx itself except GRU with reset_after
  float* reset_h;  // (T*B, H): GRU with reset before: r * (dropped) h_prev; else null
};

// The work arrays' floats, and the work carved from `base` (rnn_backward_work_floats of them).
size_t rnn_backward_work_floats(const RnnBackwardArgs& a);
RnnBackwardWork rnn_backward_work(const RnnBackwardArgs& a, float* base);

// Phase 1, samples [b0, b1): their rows of the work arrays, d_initial_h and d_initial_c. Samples
// are independent: disjoint ranges may run at once, each with its own scratch.
size_t rnn_backward_steps_scratch_floats(const RnnBackwardArgs& a, int samples);
void rnn_backward_steps(const RnnBackwardArgs& a, const RnnBackwardOutputs& out,
                        const RnnBackwardWork& w, int b0, int b1, float* scratch);

// Phase 2, once every sample's steps are done: part `part` of kBackwardParts, each writing its own
// outputs, so the parts may run at once (each with its own scratch). Largest first.
enum BackwardPart { kRecurrentKernelPart, kKernelPart, kInputPart, kBiasPart, kBackwardParts };
size_t rnn_backward_part_scratch_floats(const RnnBackwardArgs& a, int part);
void rnn_backward_part(const RnnBackwardArgs& a, const RnnBackwardOutputs& out,
                       const RnnBackwardWork& w, int part, float* scratch);

}  // namespace rnnkit
