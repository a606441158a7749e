// Scratch memory for the recurrent calls, reused from call to call: a call takes a buffer of at
// least the size it needs and gives it back when done. Allocating (and first touching) fresh
// memory costs several microseconds per call (the allocator returns freed pages to the system and
// they fault in again), which a batch-1 call of ~40 us cannot afford. At most kKeep buffers wait
// between calls (the smallest go first), so the memory held is about that of the largest calls
// made recently. Thread-safe; buffers start on a 64-byte line.
#pragma once

#include <cstddef>

namespace rnnkit {

class Scratch {
 public:
  explicit Scratch(size_t floats);  // throws std::bad_alloc
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  float* data() const { return data_; }

 private:
  float* data_;
  size_t capacity_;
};

// Buffers cut from one Scratch, each rounded up to whole 64-byte lines: vector loads do not
// straddle lines, and the parts of the states two threads write never share a line.
inline size_t line_floats(size_t count) { return (count + 15) / 16 * 16; }

class ScratchCarver {
 public:
  explicit ScratchCarver(float* base) : next_(base) {}
  float* take(size_t count) {  // the next line_floats(count) floats
    float* q = next_;
    next_ += line_floats(count);
    return q;
  }

 private:
  float* next_;
};

}  // namespace rnnkit
