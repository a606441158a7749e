// The per-sample buffers both kinds of call keep (rnn_batched.h, rnn_single.h: a single call is
// the batched layout with one sample): the states in rows of hp >= units floats, set to their
// values before the first step, and which steps are preceded by a kept one.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "rnn_forward.h"
#include "scratch.h"

namespace rnnkit {

// Floats the states of bc samples take from a scratch (whole lines per buffer).
inline size_t state_floats(const RnnArgs& a, int bc, int hp) {
  const size_t one = line_floats(size_t(bc) * hp);
  const bool lstm = a.cell == Cell::Lstm, gru_before = a.cell == Cell::Gru && !a.reset_after;
  return one * (2 + (lstm ? 1 : 0) + (gru_before ? 3 : 0));
}

// Takes run.h[0], run.h[1], and run.c (LSTM) or run.z, run.xh, run.rh (GRU resetAfter false)
// from carve, bc rows of hp floats each, for samples [b0, b0+bc): h[0] and c hold initial_h and
// initial_c (zeros without them), zeros past units and in h[1] and rh. Run is SingleRun or
// BatchedRun.
template <typename Run>
void take_states(const RnnArgs& a, int b0, int bc, int hp, ScratchCarver& carve, Run& run) {
  const size_t n = size_t(bc) * hp;
  const int H = a.units;
  auto zeros = [&] {
    float* q = carve.take(n);
    std::fill(q, q + n, 0.0f);
    return q;
  };
  auto initial = [&](const float* from) {
    float* q = zeros();
    if (from)
      for (int i = 0; i < bc; i++)
        std::copy(from + size_t(b0 + i) * H, from + size_t(b0 + i + 1) * H, q + size_t(i) * hp);
    return q;
  };
  run.h[0] = initial(a.initial_h);
  run.h[1] = zeros();
  if (a.cell == Cell::Lstm) run.c = initial(a.initial_c);
  if (a.cell == Cell::Gru && !a.reset_after) {
    run.z = carve.take(n);
    run.xh = carve.take(n);
    run.rh = zeros();
  }
}

// kept_before[i * (T+1) + s], i < bc: some step of sample b0+i before processed step s was kept
// (by the mask; always, after the first step, without one).
inline void fill_kept_before(const RnnArgs& a, int b0, int bc, uint8_t* kept_before) {
  const int T = a.timesteps;
  for (int i = 0; i < bc; i++) {
    uint8_t* k = kept_before + size_t(i) * (T + 1);
    k[0] = 0;
    for (int s = 0; s < T; s++) {
      const int t = a.go_backwards ? T - 1 - s : s;
      k[s + 1] = k[s] | uint8_t(!a.mask || a.mask[size_t(b0 + i) * T + t] != 0);
    }
  }
}

}  // namespace rnnkit
