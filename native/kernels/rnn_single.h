// One batch-1 rnnForward call on the single path (rnn_isa.h), cut into phases of `parts` parts
// each: phase 0 packs the weights and projects the input, then one phase per processed step (and
// sub-step). Parts of a phase may run at once, on any threads; a phase may start once every part
// of the previous one is done. Part p of every phase touches the same panels of the weights, so a
// thread that keeps taking part p keeps its weights in its own cache. No float depends on the
// cut, so results are the same for every thread count (and the same as the batched path's).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "phased_call.h"
#include "rnn_isa.h"
#include "scratch.h"

namespace rnnkit {

class SingleCall final : public PhasedCall {
 public:
  // Allocates the scratch (throws std::bad_alloc); the work happens in run(). pipelined (for
  // weights that came packed, in one part): no projection phase; the input is projected in
  // chunks of steps, by a helper thread ahead of the steps or by the steps themselves.
  SingleCall(const RnnArgs& a, const RnnIsa& isa, int parts, bool pipelined = false);

  int phases() const override { return (pipelined_ ? 0 : 1) + steps_; }
  int parts() const override { return parts_; }
  void run(int phase, int part) override;
  // After the last ticket: h_out, c_out and (without returnSequences) the output.
  void finish() override;
  int helpers() const override { return pipelined_ ? 1 : 0; }
  void help() override;  // projects chunks until none is left

 private:
  // Chunks of processed steps: the first short, so that the steps start soon; then a register tile
  // of rows each.
  static constexpr int kFirstChunkSteps = 2, kChunkSteps = 6;
  static int chunk_start(int c) { return c == 0 ? 0 : kFirstChunkSteps + (c - 1) * kChunkSteps; }
  static int chunk_of(int s) {
    return s < kFirstChunkSteps ? 0 : 1 + (s - kFirstChunkSteps) / kChunkSteps;
  }
  bool project_next();  // claims and projects the next chunk; false if none left
  void wait_projected(int chunk);

  const RnnArgs& a_;
  const RnnIsa& isa_;
  int parts_, steps_, subs_;
  bool pipelined_;
  int chunks_ = 0;
  size_t p_row_floats_ = 0;  // floats of P per input step
  std::atomic<int> next_chunk_{0};                   // the next chunk nobody has claimed
  std::unique_ptr<std::atomic<uint8_t>[]> chunk_done_;  // chunk c's rows of P are written
  SingleRun run_{};
  std::unique_ptr<Scratch> floats_;  // every buffer in it starts on a 64-byte line
  std::unique_ptr<uint8_t[]> kept_before_;
};

}  // namespace rnnkit
