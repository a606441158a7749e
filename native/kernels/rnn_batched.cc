// The batched call of rnn_batched.h:
//   phase 0 (weights not packed yet):  isa.pack_part(part)       (the part's panels)
//   then, step s, sub-step j:          isa.batched_step(s, j, part)
#include "rnn_batched.h"

#include <algorithm>

#include "call_states.h"

namespace rnnkit {

BatchedCall::BatchedCall(const RnnArgs& a, const RnnIsa& isa, int b0, int b1, int parts)
    : a_(a), isa_(isa) {
  const int T = a.timesteps, H = a.units, W = isa.width, bc = b1 - b0;
  const int hp = (H + W - 1) / W * W;
  parts_ = std::max(1, std::min(parts, isa.panels(a)));
  subs_ = a.cell == Cell::Gru && !a.reset_after ? 2 : 1;
  steps_ = T * subs_;
  const int rows = isa.bias_rows(a);
  auto lines = line_floats;
  // Weights that came packed are read where they are; else phase 0 packs them into the scratch.
  pack_phases_ = a.packed ? 0 : 1;
  const size_t packed = a.packed ? 0 : isa.packed_floats(a), part = size_t(bc) * 4 * W;
  const size_t n = lines(packed) + lines(size_t(rows) * hp) + state_floats(a, bc, hp) +
                   size_t(parts_) * lines(part);
  floats_.reset(new Scratch(n));
  ScratchCarver carve(floats_->data());
  auto take = [&carve](size_t count) { return carve.take(count); };
  run_.a = &a;
  run_.b0 = b0;
  run_.bc = bc;
  run_.hp = hp;
  own_packed_ = a.packed ? nullptr : take(packed);
  run_.packed = a.packed ? a.packed : own_packed_;
  float* bias = take(size_t(rows) * hp);
  isa.fill_bias(a, hp, bias);
  run_.bias = bias;
  take_states(a, b0, bc, hp, carve, run_);
  run_.part = carve.take(0);  // parts_ blocks of lines(part) floats from here
  kept_before_.reset(new uint8_t[size_t(bc) * (T + 1)]);
  fill_kept_before(a, b0, bc, kept_before_.get());
  run_.kept_before = kept_before_.get();
}

void BatchedCall::run(int phase, int part) {
  if (phase < pack_phases_) {
    isa_.pack_part(a_, own_packed_, part, parts_);
    return;
  }
  const int step = phase - pack_phases_;
  isa_.batched_step(run_, step / subs_, step % subs_, part, parts_);
}

void BatchedCall::finish() {
  const RnnArgs& a = a_;
  const int T = a.timesteps, H = a.units, hp = run_.hp;
  const float* h = run_.h[T & 1];
  const int t_last = a.go_backwards ? 0 : T - 1;
  for (int i = 0; i < run_.bc; i++) {
    const int b = run_.b0 + i;
    const float* hr = h + size_t(i) * hp;
    std::copy(hr, hr + H, a.h_out + size_t(b) * H);
    if (a.cell == Cell::Lstm)
      std::copy(run_.c + size_t(i) * hp, run_.c + size_t(i) * hp + H, a.c_out + size_t(b) * H);
    if (!a.return_sequences) {
      // The last processed step's output: h if kept, else zeros or the previous output, which
      // is h once some step was kept (states change only at kept steps).
      const bool kept_last = !a.mask || a.mask[size_t(b) * T + t_last] != 0;
      const bool zero =
          !kept_last && (a.zero_output_for_mask || !kept_before_[size_t(i) * (T + 1) + T]);
      float* out = a.output + size_t(b) * H;
      if (zero)
        std::fill(out, out + H, 0.0f);
      else
        std::copy(hr, hr + H, out);
    }
  }
}

}  // namespace rnnkit
