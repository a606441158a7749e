// The interface between the generic driver (rnn_forward.cc) and the instruction-set builds of the
// recurrent kernels (isa/rnn_avx512.cc, isa/rnn_avx2.cc, isa/rnn_generic.cc), which are one
// source (isa/rnn_*.inc) compiled for each vector width and picked at run time.
//
// Both paths run the same arithmetic on the same packed weights (isa/pack.inc), so a sample's
// result is bit-for-bit the same whichever path, batch split or thread count computes it:
//  - batched (batch >= 2): per step and per tile of rows, one register-blocked GEMM over the
//    concatenated K = inputDim + units ([x_t, h_prev] @ [kernel; recurrentKernel]), its
//    accumulators going straight into the fused gate math (isa/batched.inc);
//  - single (batch 1): the input projection x_t @ kernel for all steps first, then per step a
//    one-row product continuing from it, split by panels of units so that several threads can
//    share one sequence (isa/single.inc).
#pragma once

#include <cstddef>
#include <cstdint>

#include "rnn_forward.h"

namespace rnnkit {

// The state of one batch-1 call (samples: 1), shared by the threads that run its steps.
struct SingleRun {
  const RnnArgs* a;
  int hp;                    // units rounded up to the vector width: the row length of the states
  const float* packed;       // packed weights (packed_floats): RnnArgs::packed, or scratch
  float* own_packed;         // the scratch to pack into when RnnArgs::packed is null, else null
  float* p;                  // x_t @ kernel per input step, in packed panel layout (single_floats)
  const float* bias;         // cell-specific bias rows of hp floats (fill_bias)
  float* h[2];               // state before / after a step (hp each), alternating
  float* c;                  // LSTM cell state (hp)
  float* z;                  // GRU resetAfter false: z, x_h and r * h_prev of the current step (hp)
  float* xh;
  float* rh;
  const uint8_t* kept_before;  // kept_before[s]: some step before processed step s was kept
};

// The state of one batched call over samples [b0, b0 + bc), shared by the threads of its team.
struct BatchedRun {
  const RnnArgs* a;
  int b0, bc;
  int hp;                      // units rounded up to the vector width
  const float* packed;         // packed weights (packed_floats): RnnArgs::packed, or scratch
  const float* bias;           // cell-specific bias rows of hp floats (fill_bias)
  float* h[2];                 // states before / after a step, (bc, hp) each, alternating
  float* c;                    // LSTM cell states (bc, hp)
  float* z;                    // GRU resetAfter false: (bc, hp) each
  float* xh;
  float* rh;
  float* part;                 // per part, bc * 4 * width floats of partial sums
  const uint8_t* kept_before;  // (bc, timesteps + 1): some step before processed step s was kept
};

struct RnnIsa {
  const char* name;
  int width;  // floats per vector: the state rows are padded to a multiple of it

  // Batched path. packed_floats is the size of the packed weights; pack_part fills part `part` of
  // `parts` of them (any cut gives the same floats; part p is the panels that part p of a step
  // computes). Once every part is packed, batched_step runs part `part` of processed step s,
  // sub-step `sub` (GRU resetAfter false has 2, the other cells 1); every part of a sub-step must
  // be done before the next one starts.
  size_t (*packed_floats)(const RnnArgs& a);
  void (*pack_part)(const RnnArgs& a, float* packed, int part, int parts);
  void (*batched_step)(const BatchedRun& run, int s, int sub, int part, int parts);

  // Single path. single_floats: the size of SingleRun::p. single_prepare packs part `part` of
  // `parts` of the weights (unless they came packed) and projects the input onto them; once every
  // part is prepared, single_step runs part `part` of processed step s, sub-step `sub` (GRU
  // resetAfter false has 2, the other cells 1); every part of a sub-step must be done before the
  // next one starts.
  // fill_bias writes bias_rows(a) rows of hp floats from a.bias.
  int (*bias_rows)(const RnnArgs& a);
  void (*fill_bias)(const RnnArgs& a, int hp, float* rows);
  int (*panels)(const RnnArgs& a);  // the most parts a step can be cut into (either path)
  size_t (*single_floats)(const RnnArgs& a);
  void (*single_prepare)(const SingleRun& run, int part, int parts);
  // The projection alone, of input steps t0 .. t1-1, every panel (the same floats as prepare's);
  // for weights that came packed (RnnArgs::packed).
  void (*single_project)(const SingleRun& run, int t0, int t1);
  void (*single_step)(const SingleRun& run, int s, int sub, int part, int parts);

  // x[0..n) = act(x[0..n)) with this build's vector activations (the Dense layer's).
  void (*activate)(Activation act, float* x, size_t n);
};

// The build in use: the best one this CPU runs, or RNNKIT_ISA (avx512, avx2, generic) if set and
// runnable. Chosen once per process.
const RnnIsa& rnn_isa();

// The builds compiled into this binary (null if the compiler or the CPU cannot run them).
const RnnIsa* rnn_isa_avx512();
const RnnIsa* rnn_isa_avx2();
const RnnIsa* rnn_isa_generic();

}  // namespace rnnkit
