// Cuts one scratch buffer into parts, each starting on its own 64-byte line (scratch.h), and
// counts what a layout needs: with a null base the same calls only add up the sizes, so one
// function both sizes a buffer and carves it.
#pragma once

#include <cstddef>

#include "../scratch.h"

namespace rnnkit {

class Carve {
 public:
  explicit Carve(float* base) : base_(base) {}
  // The next `count` floats (rounded up to whole lines); null while only counting.
  float* take(size_t count) {
    float* p = base_ ? base_ + used_ : nullptr;
    used_ += line_floats(count);
    return p;
  }
  size_t used() const { return used_; }  // floats taken so far

 private:
  float* base_;
  size_t used_ = 0;
};

}  // namespace rnnkit
