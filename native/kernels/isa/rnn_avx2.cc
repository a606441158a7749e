// The recurrent kernels in AVX2 + FMA (8 floats per vector): the sources of this directory compiled
// for that instruction set by a target pragma (the rest of the binary stays baseline x86-64), and
// used only if the CPU has it (rnn_isa.cc). Standard headers come before the pragma, so nothing
// shared with other translation units is compiled for avx2; the code inside is in a namespace
// of its own.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/activations.h"
#include "kernels/rnn_isa.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx2,fma")
#define RNNKIT_INLINE inline __attribute__((always_inline))
namespace rnnkit {
namespace isa_avx2 {
namespace {
#include "simd_avx2.inc"
#include "simd_math.inc"
#include "tile.inc"
#include "cells.inc"
#include "pack.inc"
#include "batched.inc"
#include "single.inc"
#include "table.inc"
}  // namespace
}  // namespace isa_avx2
}  // namespace rnnkit
#pragma GCC pop_options

namespace rnnkit {
const RnnIsa* rnn_isa_avx2() {
  if (!(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) return nullptr;
  using namespace isa_avx2;
  static const RnnIsa isa = isa_table("avx2");
  return &isa;
}
}  // namespace rnnkit

#else
namespace rnnkit {
const RnnIsa* rnn_isa_avx2() { return nullptr; }
}  // namespace rnnkit
#endif
