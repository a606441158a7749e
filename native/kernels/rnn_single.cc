// The batch-1 call of rnn_single.h:
//   phase 0:                          isa.single_prepare(part)  ([pack and] project, by panels)
//   phase 1 + s*subs + j (sub-step j): isa.single_step(s, j, part)
#include "rnn_single.h"

#include <algorithm>

namespace rnnkit {

SingleCall::SingleCall(const RnnArgs& a, const RnnIsa& isa, int parts) : a_(a), isa_(isa) {
  const int T = a.timesteps, H = a.units, W = isa.width;
  const int blocks = (H + W - 1) / W, hp = blocks * W;
  parts_ = std::max(1, std::min(parts, isa.panels(a)));
  subs_ = a.cell == Cell::Gru && !a.reset_after ? 2 : 1;
  steps_ = T * subs_;
  const int rows = isa.bias_rows(a);
  const bool lstm = a.cell == Cell::Lstm, before = subs_ == 2;
  // Weights that came packed are read where they are; else they are packed into the scratch.
  const size_t packed = a.packed ? 0 : isa.packed_floats(a), p = isa.single_floats(a);
  auto lines = line_floats;
  const size_t n = lines(packed) + lines(p) + lines(size_t(rows) * hp) + 2 * lines(hp) +
                   (lstm ? lines(hp) : 0) + (before ? 3 * lines(hp) : 0);
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
  run_.h[0] = take(hp);
  run_.h[1] = take(hp);
  std::fill(run_.h[0], run_.h[0] + hp, 0.0f);
  std::fill(run_.h[1], run_.h[1] + hp, 0.0f);
  if (a.initial_h) std::copy(a.initial_h, a.initial_h + H, run_.h[0]);
  if (lstm) {
    run_.c = take(hp);
    std::fill(run_.c, run_.c + hp, 0.0f);
    if (a.initial_c) std::copy(a.initial_c, a.initial_c + H, run_.c);
  }
  if (before) {
    run_.z = take(hp);
    run_.xh = take(hp);
    run_.rh = take(hp);
    std::fill(run_.rh, run_.rh + hp, 0.0f);
  }
  kept_before_[0] = 0;
  for (int s = 0; s < T; s++) {
    const int t = a.go_backwards ? T - 1 - s : s;
    kept_before_[s + 1] = kept_before_[s] | uint8_t(!a.mask || a.mask[t] != 0);
  }
  run_.kept_before = kept_before_.get();
}

void SingleCall::run(int phase, int part) {
  if (phase == 0)
    isa_.single_prepare(run_, part, parts_);
  else
    isa_.single_step(run_, (phase - 1) / subs_, (phase - 1) % subs_, part, parts_);
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
