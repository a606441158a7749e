// One rnnForward call (or a chunk of its samples) on the batched path (rnn_isa.h), cut into phases
// of `parts` parts each: phase 0 packs the weights (unless they came packed), then one phase per
// processed step (and sub-step). Part p of every phase is the same panels of units for every row,
// so the thread that keeps taking part p keeps those weights in its own cache. Parts of a phase
// may run at once, on any threads; a phase may start once every part of the previous one is done
// (parts == 1: one thread runs the phases in order, no waiting). No float depends on the cut.
#pragma once

#include <cstdint>
#include <memory>

#include "phased_call.h"
#include "rnn_isa.h"
#include "scratch.h"

namespace rnnkit {

class BatchedCall final : public PhasedCall {
 public:
  // Samples [b0, b1) of a. Allocates the scratch (throws std::bad_alloc); the work is in run().
  BatchedCall(const RnnArgs& a, const RnnIsa& isa, int b0, int b1, int parts);

  int phases() const override { return pack_phases_ + steps_; }
  int parts() const override { return parts_; }
  void run(int phase, int part) override;
  // After the last phase: the chunk's rows of h_out, c_out and (without returnSequences) output.
  void finish() override;

 private:
  const RnnArgs& a_;
  const RnnIsa& isa_;
  int parts_, steps_, subs_;
  int pack_phases_;  // 1: phase 0 packs the weights into own_packed_; 0: they came packed
  float* own_packed_ = nullptr;
  BatchedRun run_{};
  std::unique_ptr<Scratch> floats_;  // every buffer in it starts on a 64-byte line
  std::unique_ptr<uint8_t[]> kept_before_;
};

}  // namespace rnnkit
