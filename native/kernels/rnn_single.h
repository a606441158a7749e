// One batch-1 rnnForward call on the single path (rnn_isa.h), cut into phases of `parts` parts
// each: phase 0 packs the weights and projects the input, then one phase per processed step (and
// sub-step). Parts of a phase may run at once, on any threads; a phase may start once every part
// of the previous one is done. Part p of every phase touches the same panels of the weights, so a
// thread that keeps taking part p keeps its weights in its own cache. No float depends on the
// cut, so results are the same for every thread count (and the same as the batched path's).
#pragma once

#include <cstdint>
#include <memory>

#include "phased_call.h"
#include "rnn_isa.h"
#include "scratch.h"

namespace rnnkit {

class SingleCall final : public PhasedCall {
 public:
  // Allocates the scratch (throws std::bad_alloc); the work happens in run().
  SingleCall(const RnnArgs& a, const RnnIsa& isa, int parts);

  int phases() const override { return 1 + steps_; }
  int parts() const override { return parts_; }
  void run(int phase, int part) override;
  // After the last ticket: h_out, c_out and (without returnSequences) the output.
  void finish() override;

 private:
  const RnnArgs& a_;
  const RnnIsa& isa_;
  int parts_, steps_, subs_;
  SingleRun run_{};
  std::unique_ptr<Scratch> floats_;  // every buffer in it starts on a 64-byte line
  std::unique_ptr<uint8_t[]> kept_before_;
};

}  // namespace rnnkit
