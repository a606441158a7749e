// Scheduling of the training kernels over the pool; see train_run.h.
//
// The recurrent passes split the batch into chunks of at most kChunkSamples samples, which run
// their steps independently (no waits between threads); the chunks depend on the batch size only,
// never on the thread count, so every thread count computes the same sums in the same order. The
// backward pass's products over all steps are independent parts, run at once. Calls too small to
// repay a hand-off to the pool run the same chunks and parts on the calling thread. Every compute
// step holds permits of the pool's admission rule (never nested: a step holding permits never asks
// for more), on the pool and on the calling thread alike.
#include "train_run.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>

#include "kernels/scratch.h"
#include "thread_pool.h"

namespace rnnkit {
namespace {

// Samples per chunk at most. OpenBLAS packs the recurrent kernel on every per-step call, a cost
// that only the rows of the call amortise: chunks of 16 made an LSTM(128) backward at batch 64
// some 20 % slower than chunks of 32, which still keep two cores busy from a batch of 33.
constexpr int kChunkSamples = 32;

// Multiply-adds below which a call stays on the calling thread.
constexpr uint64_t kMinParallelWork = uint64_t(1) << 20;

int chunk_count(int batch) { return (batch + kChunkSamples - 1) / kChunkSamples; }
int chunk_begin(int c, int batch) { return int(int64_t(c) * batch / chunk_count(batch)); }

// Runs fn on the calling thread under one permit of the pool's admission rule (thread_pool.h):
// the async variants run on libuv's threads, and with worker_threads' calls they must not compute
// on more than getThreads() threads in all, as every other call does.
void run_here(const std::function<void()>& fn) {
  parallel_for(1, [&](int) { fn(); });
}

// Runs task(0) .. task(count-1): on the pool when the call is worth it, else here, in order.
void run_tasks(int count, uint64_t work, const std::function<void(int)>& task) {
  if (count > 1 && work >= kMinParallelWork && get_threads() > 1) {
    parallel_for(count, task);
    return;
  }
  run_here([&] {
    for (int i = 0; i < count; i++) task(i);
  });
}

// A scratch buffer of `floats` floats (none for 0).
std::unique_ptr<Scratch> scratch_of(size_t floats) {
  return floats ? std::unique_ptr<Scratch>(new Scratch(floats)) : nullptr;
}
float* data_of(const std::unique_ptr<Scratch>& s) { return s ? s->data() : nullptr; }

// The multiply-adds of one pass over every step: the projections and the recurrent products.
uint64_t rnn_work(const RnnTrainArgs& a) {
  const uint64_t gH = uint64_t(gate_count(a.cell)) * a.units;
  return uint64_t(a.batch) * a.timesteps * gH * (uint64_t(a.input_dim) + a.units);
}

}  // namespace

void rnn_train_forward(const RnnTrainArgs& a, const RnnTrainOutputs& out) {
  const int B = a.batch;
  run_tasks(chunk_count(B), rnn_work(a), [&](int c) {
    const int b0 = chunk_begin(c, B), b1 = chunk_begin(c + 1, B);
    auto scratch = scratch_of(rnn_train_forward_scratch_floats(a, b1 - b0));
    rnn_train_forward_samples(a, out, b0, b1, data_of(scratch));
  });
}

void rnn_backward(const RnnBackwardArgs& a, const RnnBackwardOutputs& out) {
  const int B = a.f.batch;
  Scratch work_floats(rnn_backward_work_floats(a));
  const RnnBackwardWork work = rnn_backward_work(a, work_floats.data());
  const uint64_t work_size = rnn_work(a.f);
  run_tasks(chunk_count(B), work_size, [&](int c) {
    const int b0 = chunk_begin(c, B), b1 = chunk_begin(c + 1, B);
    auto scratch = scratch_of(rnn_backward_steps_scratch_floats(a, b1 - b0));
    rnn_backward_steps(a, out, work, b0, b1, data_of(scratch));
  });
  run_tasks(kBackwardParts, work_size, [&](int part) {
    auto scratch = scratch_of(rnn_backward_part_scratch_floats(a, part));
    rnn_backward_part(a, out, work, part, data_of(scratch));
  });
}

void dense_backward(const DenseBackwardArgs& a) {
  const size_t n = size_t(a.rows) * a.units;
  Scratch scratch(line_floats(n) + dense_backward_dz_scratch_floats(a));
  float* dz = scratch.data();
  run_here([&] { dense_backward_dz(a, dz, dz + line_floats(n)); });
  const uint64_t work = uint64_t(a.rows) * a.input_dim * a.units;
  run_tasks(kDenseBackwardParts, work, [&](int part) { dense_backward_part(a, dz, part); });
}

}  // namespace rnnkit
