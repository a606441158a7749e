// The pool behind Scratch (scratch.h): a short list of free buffers under a mutex.
#include "scratch.h"

#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

namespace rnnkit {
namespace {

constexpr size_t kKeep = 8;
constexpr size_t kAlign = 64;

struct Buffer {
  float* data;
  size_t capacity;  // floats
};

class Pool {
 public:
  Buffer take(size_t floats) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      size_t best = free_.size();
      for (size_t i = 0; i < free_.size(); i++) {  // the smallest that fits
        const bool fits = free_[i].capacity >= floats;
        if (fits && (best == free_.size() || free_[i].capacity < free_[best].capacity)) best = i;
      }
      if (best < free_.size()) {
        const Buffer b = free_[best];
        free_.erase(free_.begin() + long(best));
        return b;
      }
    }
    const size_t capacity = (floats + 15) / 16 * 16;  // whole 64-byte lines
    void* p = std::aligned_alloc(kAlign, (capacity ? capacity : 16) * sizeof(float));
    if (!p) throw std::bad_alloc();
    return Buffer{static_cast<float*>(p), capacity};
  }

  void give(Buffer b) {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(b);
    if (free_.size() > kKeep) {
      size_t smallest = 0;
      for (size_t i = 1; i < free_.size(); i++)
        if (free_[i].capacity < free_[smallest].capacity) smallest = i;
      std::free(free_[smallest].data);
      free_.erase(free_.begin() + long(smallest));
    }
  }

 private:
  std::mutex mu_;
  std::vector<Buffer> free_;
};

// Never destroyed: a call may still return a buffer during process exit.
Pool& pool() {
  static Pool* p = new Pool();
  return *p;
}

}  // namespace

Scratch::Scratch(size_t floats) {
  const Buffer b = pool().take(floats);
  data_ = b.data;
  capacity_ = b.capacity;
}

Scratch::~Scratch() { pool().give(Buffer{data_, capacity_}); }

}  // namespace rnnkit
