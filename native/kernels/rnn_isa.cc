// Picks the instruction-set build of the recurrent kernels (rnn_isa.h) once per process.
#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "rnn_isa.h"

namespace rnnkit {
namespace {

// The best build this CPU runs; RNNKIT_ISA=avx512|avx2|generic asks for one (for tests of the
// other builds), ignored if the CPU cannot run it.
const RnnIsa* choose() {
  const RnnIsa* best = rnn_isa_avx512();
  if (!best) best = rnn_isa_avx2();
  if (!best) best = rnn_isa_generic();
  if (const char* want = std::getenv("RNNKIT_ISA")) {
    for (const RnnIsa* isa : {rnn_isa_avx512(), rnn_isa_avx2(), rnn_isa_generic()})
      if (isa && std::strcmp(isa->name, want) == 0) return isa;
  }
  return best;
}

}  // namespace

const RnnIsa& rnn_isa() {
  static const RnnIsa* isa = choose();
  return *isa;
}

}  // namespace rnnkit
