// The tape: what rnnTrainForward records for rnnBackward, one float array cut into parts.
// Reference: src/backend/ts/rnn-tape.ts (the same layout, so a tape from either backend holds the
// same numbers up to float rounding). Steps are in processing order (s = 0 is the first step run,
// input step t = T-1 with goBackwards); within a step, samples b = 0..B-1.
//   h    (T+1, B, H)  the hidden state before step 0 (initialH, or zeros) and after every step
//   c    (T+1, B, H)  LSTM only: the cell state likewise
//   pre  (T, B, gH)   every gate's sum before its activation (GRU: the candidate's whole sum)
//   rec  (T, B, H)    GRU with resetAfter only: the candidate's recurrent part (h_prev @ U_h + b_rh)
//                     before the reset gate scales it
#pragma once

#include <cstddef>

#include "../rnn_forward.h"

namespace rnnkit {

// Where each part starts (floats from the tape's start) and the tape's whole length. A part a
// cell does not have has size 0 (its offset is then meaningless).
struct TapeLayout {
  size_t h, c, pre, rec;
  size_t length;
};

inline TapeLayout tape_layout(Cell cell, bool reset_after, int batch, int timesteps, int units) {
  const size_t B = size_t(batch), T = size_t(timesteps), H = size_t(units);
  const size_t g = size_t(gate_count(cell));
  const size_t states = (T + 1) * B * H;
  const size_t c = cell == Cell::Lstm ? states : 0;
  const size_t pre = T * B * g * H;
  const size_t rec = cell == Cell::Gru && reset_after ? T * B * H : 0;
  TapeLayout t;
  t.h = 0;
  t.c = t.h + states;
  t.pre = t.c + c;
  t.rec = t.pre + pre;
  t.length = t.rec + rec;
  return t;
}

}  // namespace rnnkit
