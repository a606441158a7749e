// The batch-1 call of rnn_single.h:
//   phase 0:                          isa.single_prepare(part)  ([pack and] project, by panels)
//   phase 1 + s*subs + j (sub-step j): isa.single_step(s, j, part)
// or, pipelined: phase s*subs + j is the step alone, each chunk of kChunkSteps processed steps
// projected (isa.single_project) before its first step by whoever claims it first: a helper
// thread running ahead, or the step itself.
#include "rnn_single.h"

#include <algorithm>

#include "../spin.h"
#include "call_states.h"

namespace rnnkit {

SingleCall::SingleCall(const RnnArgs& a, const RnnIsa& isa, int parts, bool pipelined)
    : a_(a), isa_(isa) {
  const int T = a.timesteps, H = a.units, W = isa.width;
  const int blocks = (H + W - 1) / W, hp = blocks * W;
  parts_ = std::max(1, std::min(parts, isa.panels(a)));
  pipelined_ = pipelined && a.packed != nullptr && parts_ == 1;
  if (pipelined_) {
    p_row_floats_ = isa.single_floats(a) / size_t(T);
    chunks_ = chunk_of(T - 1) + 1;
    chunk_done_.reset(new std::atomic<uint8_t>[chunks_]);
    for (int c = 0; c < chunks_; c++) chunk_done_[c].store(0, std::memory_order_relaxed);
  }
  subs_ = a.cell == Cell::Gru && !a.reset_after ? 2 : 1;
  steps_ = T * subs_;
  const int rows = isa.bias_rows(a);
  // Weights that came packed are read where they are; else they are packed into the scratch.
  const size_t packed = a.packed ? 0 : isa.packed_floats(a), p = isa.single_floats(a);
  auto lines = line_floats;
  const size_t n =
      lines(packed) + lines(p) + lines(size_t(rows) * hp) + state_floats(a, 1, hp);
  floats_.reset(new Scratch(n));
  kept_before_.reset(new uint8_t[T + 1]);
  ScratchCarver carve(floats_->data());
  auto take = [&carve](size_t count) { return carve.take(count); };
  run_.a = &a;
  run_.hp = hp;
  run_.own_packed = a.packed ? nullptr : take(packed);
  run_.packed = a.packed ? a.packed : run_.own_packed;
  run_.p = take(p);
  float* bias = take(size_t(rows) * hp);
  isa.fill_bias(a, hp, bias);
  run_.bias = bias;
  take_states(a, 0, 1, hp, carve, run_);
  fill_kept_before(a, 0, 1, kept_before_.get());
  run_.kept_before = kept_before_.get();
}

void SingleCall::run(int phase, int part) {
  if (!pipelined_) {
    if (phase == 0)
      isa_.single_prepare(run_, part, parts_);
    else
      isa_.single_step(run_, (phase - 1) / subs_, (phase - 1) % subs_, part, parts_);
    return;
  }
  const int s = phase / subs_, sub = phase % subs_;
  if (sub == 0 && chunk_start(chunk_of(s)) == s) wait_projected(chunk_of(s));
  if (sub == 0 && s + 1 < a_.timesteps && chunk_start(chunk_of(s + 1)) != s + 1) {
    // The next step's row of P was written by the helper's core: fetch it during this step.
    const int t = a_.go_backwards ? a_.timesteps - 2 - s : s + 1;
    const char* row = reinterpret_cast<const char*>(run_.p + size_t(t) * p_row_floats_);
    for (size_t i = 0; i < p_row_floats_ * sizeof(float); i += 64) __builtin_prefetch(row + i);
  }
  isa_.single_step(run_, s, sub, part, parts_);
}

bool SingleCall::project_next() {
  const int c = next_chunk_.fetch_add(1, std::memory_order_relaxed);
  if (c >= chunks_) return false;
  // Chunk c is processed steps [s0, s1): input steps [s0, s1), or [T-s1, T-s0) going backwards.
  const int T = a_.timesteps, s0 = chunk_start(c), s1 = std::min(T, chunk_start(c + 1));
  if (a_.go_backwards)
    isa_.single_project(run_, T - s1, T - s0);
  else
    isa_.single_project(run_, s0, s1);
  chunk_done_[c].store(1, std::memory_order_release);
  return true;
}

void SingleCall::wait_projected(int chunk) {
  // Claim chunks up to this one ourselves; a chunk claimed by a helper is being projected.
  while (next_chunk_.load(std::memory_order_relaxed) <= chunk && project_next()) {
  }
  spin_until([&] { return chunk_done_[chunk].load(std::memory_order_acquire) != 0; });
}

void SingleCall::help() {
  while (project_next()) {
  }
}

void SingleCall::finish() {
  const RnnArgs& a = a_;
  const int T = a.timesteps, H = a.units;
  const float* h = run_.h[T & 1];
  std::copy(h, h + H, a.h_out);
  if (a.cell == Cell::Lstm) std::copy(run_.c, run_.c + H, a.c_out);
  if (!a.return_sequences) {
    const int t_last = a.go_backwards ? 0 : T - 1;
    const bool kept_last = !a.mask || a.mask[t_last] != 0;
    if (!kept_last && (a.zero_output_for_mask || !kept_before_[T]))
      std::fill(a.output, a.output + H, 0.0f);
    else
      std::copy(h, h + H, a.output);
  }
}

}  // namespace rnnkit
