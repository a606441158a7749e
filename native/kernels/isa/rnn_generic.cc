// The recurrent kernels in portable C++ (4 floats per vector; SSE2 on x86-64, NEON on arm64): the
// fallback for CPUs without AVX2, and for other architectures.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/activations.h"
#include "kernels/rnn_isa.h"

#if defined(__GNUC__)
#define RNNKIT_INLINE inline __attribute__((always_inline))
#else
#define RNNKIT_INLINE inline
#endif
namespace rnnkit {
namespace isa_generic {
namespace {
#include "simd_generic.inc"
#include "simd_math.inc"
#include "tile.inc"
#include "cells.inc"
#include "pack.inc"
#include "batched.inc"
#include "single.inc"
#include "table.inc"
}  // namespace
}  // namespace isa_generic

const RnnIsa* rnn_isa_generic() {
  using namespace isa_generic;
  static const RnnIsa isa = isa_table("generic");
  return &isa;
}

}  // namespace rnnkit
