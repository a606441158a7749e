// A recurrent layer's weights packed once (binding.d.ts packRnnWeights), for every later call to
// read through RnnArgs::packed instead of packing them again: the layout is that of rnn_isa()
// (isa/pack.inc), the bias a plain copy. Immutable once made, so any number of calls on any
// threads may read it at once.
#pragma once

#include <cstddef>
#include <memory>

#include "rnn_forward.h"
#include "rnn_isa.h"

namespace rnnkit {

class PackedWeights {
 public:
  // From a's cell, input_dim, units, reset_after, kernel, recurrent_kernel and bias (sizes as
  // rnn_forward.h states them). Throws std::bad_alloc.
  PackedWeights(const RnnArgs& a, const RnnIsa& isa);

  Cell cell() const { return cell_; }
  int input_dim() const { return input_dim_; }
  int units() const { return units_; }
  bool reset_after() const { return reset_after_; }
  const float* floats() const { return floats_.get(); }
  const float* bias() const { return bias_.get(); }  // null without a bias
  size_t bytes() const { return bytes_; }

 private:
  struct Free {
    void operator()(float* p) const;
  };
  Cell cell_;
  int input_dim_, units_;
  bool reset_after_;
  std::unique_ptr<float, Free> floats_;  // starts on a 64-byte line
  std::unique_ptr<float[]> bias_;
  size_t bytes_;
};

}  // namespace rnnkit
