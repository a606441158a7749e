// A small process-wide thread pool that splits a batch into contiguous ranges.
// Shared by every Node.js environment (main thread and worker_threads) in the process.
#pragma once

#include <functional>

namespace rnnkit {

constexpr int kMaxThreads = 256;  // upper bound for setThreads and RNNKIT_THREADS

// Threads a batch is split over, the calling thread included. Starts at env RNNKIT_THREADS
// (an integer 1..256) if set, else std::thread::hardware_concurrency().
int get_threads();

// n must be in 1..256 (the caller validates). Affects calls that start afterwards.
void set_threads(int n);

// Admission: concurrent callers (the JS thread, libuv's threads running async calls, worker
// threads' environments) never compute on more threads than get_threads() in all. A call that
// would run on k threads (k = min(tasks, get_threads())) first takes k of get_threads() permits,
// in arrival order, and gives them back when done; so 64 concurrent async calls run one or two at
// a time on the cores instead of 4 libuv threads plus the pool fighting over them.
//
// Splits [0, n) into at most get_threads() contiguous ranges of near-equal size and runs
// fn(begin, end) on each. The calling thread runs ranges too and returns when all are done, so
// any number of concurrent callers make progress even when every pool thread is busy.
// n == 1 or one thread: fn(0, n) runs on the calling thread with no hand-off.
// If fn throws, the first exception is rethrown here after every range has finished.
void parallel_ranges(int n, const std::function<void(int, int)>& fn);

// Runs task(0) .. task(count-1) on at most get_threads() threads (the caller included), each task
// claimed by the next free thread. Same exception rule as parallel_ranges.
void parallel_for(int count, const std::function<void(int)>& task);

}  // namespace rnnkit
