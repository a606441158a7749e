// Scheduling of rnnForward(Many) and matmul over the pool; see run.h.
//
// rnnForwardMany: every element becomes one or more phased calls (kernels/phased_call.h), each run
// by a team of up to `share` = ceil(threads / elements) threads, and one pool job runs every
// team's members at once (policy below):
//   - batch 1: a SingleCall whose steps are split by units over the team; with one part and a
//     thread to spare, that thread projects the input ahead of the steps (SingleCall::help);
//   - batched, large weights: one BatchedCall whose steps are split by units over the team;
//   - batched, small weights: min(batch, share) BatchedCalls of a chunk of samples, one thread
//     each.
// So one layer gets every thread, and the two directions of a Bidirectional layer one each.
#include "run.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "kernels/rnn_isa.h"
#include "kernels/rnn_batched.h"
#include "kernels/rnn_single.h"
#include "spin.h"
#include "thread_pool.h"

namespace rnnkit {
namespace {

// How long a thread waits for a part of the previous phase before it tries to run it itself.
constexpr int kStealAfterMicros = 20;

// The phases of one call (rnn_single.h, rnn_batched.h), run by however many threads join (one is
// enough). Member m runs part m of every phase first, so each thread keeps to its own panels of
// the weights; then, before waiting for the other parts of the phase, it takes over any part
// still unclaimed (its member is late, descheduled on a busy machine, or never comes because its
// pool thread is busy elsewhere): a missing member costs time, never progress, and waits are only
// ever for parts that are running. Lines that travel between cores per phase: the parts'
// claimed/done and the states. PhasedCall::run never throws (all allocation is done before).
class Team {
 public:
  explicit Team(std::unique_ptr<PhasedCall> call)
      : call_(std::move(call)), parts_(new Part[call_->parts()]) {}

  PhasedCall& call() { return *call_; }

  // member >= 0: runs the phases; member < 0: a helper (PhasedCall::help).
  void work(int member) {
    if (member < 0) {
      call_->help();
      return;
    }
    const int phases = call_->phases();
    for (int phase = 0; phase < phases; phase++) {
      if (phase > 0) wait_phase(phase - 1);
      if (claim(member, phase)) run(member, phase);
    }
    wait_phase(phases - 1);
  }

 private:
  struct alignas(64) Line {
    std::atomic<int> phase{-1};
  };
  struct Part {
    Line claimed;  // the last phase this part was claimed for
    Line done;     // the last phase this part is done for
  };
  bool claim(int part, int phase) {
    std::atomic<int>& c = parts_[part].claimed.phase;
    int last = phase - 1;  // every part of phase-1 is claimed before any of phase
    return c.load(std::memory_order_relaxed) == last &&
           c.compare_exchange_strong(last, phase, std::memory_order_relaxed);
  }

  void run(int part, int phase) {
    call_->run(phase, part);
    parts_[part].done.phase.store(phase, std::memory_order_release);
  }

  // Returns once every part of `phase` is done, running the parts nobody has claimed. A part
  // not done yet gets kStealAfterMicros before we try to claim it: usually its member is running
  // it, and reading its claimed line would cost the member a cache-line transfer on its next
  // claim, a serial delay in every step.
  void wait_phase(int phase) {
    for (int p = 0; p < call_->parts(); p++) {
      std::atomic<int>& done = parts_[p].done.phase;
      auto is_done = [&] { return done.load(std::memory_order_acquire) >= phase; };
      if (is_done() || spin_for(is_done, kStealAfterMicros)) continue;
      if (claim(p, phase))
        run(p, phase);
      else
        spin_until(is_done);
    }
  }

  std::unique_ptr<PhasedCall> call_;
  std::unique_ptr<Part[]> parts_;
};

// The policy. A batch-1 call splits its units over threads when each part still has this many
// bytes of recurrent weights to stream per step (smaller parts lose more to the per-step wait
// than they gain).
constexpr size_t kMinSinglePartBytes = 96 * 1024;

// A batched call splits its samples into independent chunks, one thread each (no waits, robust on
// a busy machine), unless every chunk would stream weights that do not fit a core's L2 or would
// have too few rows to use them well: then its units, one team with a wait per step, each thread
// streaming only its share of the weights.
bool split_units(size_t packed_bytes, int rows_per_chunk) {
  return packed_bytes >= size_t(2) * 1024 * 1024 ||
         (packed_bytes >= size_t(256) * 1024 && rows_per_chunk < 16);
}

}  // namespace

void rnn_forward_many(const RnnArgs* list, int n) {
  const RnnIsa& isa = rnn_isa();
  const int share = std::max(1, (get_threads() + n - 1) / n);  // threads per element
  std::vector<std::unique_ptr<Team>> teams;
  for (int e = 0; e < n; e++) {
    const RnnArgs& a = list[e];
    const int g = gate_count(a.cell);
    if (a.batch == 1) {
      const size_t recurrent_bytes = size_t(a.units) * g * a.units * sizeof(float);
      const int parts = int(
          std::max<size_t>(1, std::min<size_t>(share, recurrent_bytes / kMinSinglePartBytes)));
      // One part and a thread to spare: that thread projects the input ahead of the steps.
      const bool pipelined = parts == 1 && share > 1;
      teams.emplace_back(
          new Team(std::unique_ptr<PhasedCall>(new SingleCall(a, isa, parts, pipelined))));
    } else if (share > 1 && split_units(isa.packed_floats(a) * sizeof(float), a.batch / share)) {
      teams.emplace_back(
          new Team(std::unique_ptr<PhasedCall>(new BatchedCall(a, isa, 0, a.batch, share))));
    } else {
      const int B = a.batch, chunks = std::min(B, share);
      for (int c = 0; c < chunks; c++) {
        const int b0 = int(int64_t(c) * B / chunks), b1 = int(int64_t(c + 1) * B / chunks);
        teams.emplace_back(
            new Team(std::unique_ptr<PhasedCall>(new BatchedCall(a, isa, b0, b1, 1))));
      }
    }
  }
  struct Task {
    Team* team;
    int member;
  };
  std::vector<Task> tasks;
  for (const auto& t : teams) {
    for (int m = 0; m < t->call().parts(); m++) tasks.push_back({t.get(), m});
    for (int h = 0; h < t->call().helpers(); h++) tasks.push_back({t.get(), -1 - h});
  }
  parallel_for(int(tasks.size()), [&](int i) { tasks[i].team->work(tasks[i].member); });
  for (const auto& t : teams) t->call().finish();
}

void matmul(const MatmulArgs& a) {
  // Blocks of 16 rows (OpenBLAS's AVX-512 sgemm tile height), so no part ends in a ragged tile.
  constexpr int kRows = 16;
  const int blocks = (a.m + kRows - 1) / kRows;
  parallel_ranges(blocks, [&](int k0, int k1) {
    matmul_rows(a, k0 * kRows, std::min(a.m, k1 * kRows));
  });
}

}  // namespace rnnkit
