#include "packed_weights.h"

#include <algorithm>
#include <cstdlib>
#include <new>

namespace rnnkit {

void PackedWeights::Free::operator()(float* p) const { std::free(p); }

PackedWeights::PackedWeights(const RnnArgs& a, const RnnIsa& isa)
    : cell_(a.cell),
      input_dim_(a.input_dim),
      units_(a.units),
      reset_after_(a.cell == Cell::Gru && a.reset_after) {
  constexpr size_t kAlign = 64;
  const size_t floats = isa.packed_floats(a);
  const size_t size = (floats * sizeof(float) + kAlign - 1) / kAlign * kAlign;
  float* data = static_cast<float*>(std::aligned_alloc(kAlign, size));
  if (!data) throw std::bad_alloc();
  floats_.reset(data);
  isa.pack_part(a, data, 0, 1);
  size_t bias_floats = 0;
  if (a.bias) {
    bias_floats = size_t(reset_after_ ? 2 : 1) * gate_count(a.cell) * a.units;
    bias_.reset(new float[bias_floats]);
    std::copy(a.bias, a.bias + bias_floats, bias_.get());
  }
  bytes_ = size + bias_floats * sizeof(float);
}

}  // namespace rnnkit
