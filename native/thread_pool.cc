// Fixed pool of std::threads fed from one queue of jobs; see thread_pool.h.
#include "thread_pool.h"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace rnnkit {
namespace {

int default_threads() {
  if (const char* env = std::getenv("RNNKIT_THREADS")) {
    char* end = nullptr;
    const long n = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && n >= 1 && n <= kMaxThreads) return int(n);
    // An unusable value falls back to the default rather than failing to load.
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : int(std::min<unsigned>(hw, kMaxThreads));
}

// One parallel_ranges call: tasks 0..count-1, claimed one at a time under the pool's mutex.
struct Job {
  const std::function<void(int)>* task;
  int count;
  int next = 0;  // next unclaimed task
  int done = 0;  // finished tasks
  std::exception_ptr error;
  std::condition_variable finished;
};

class Pool {
 public:
  int threads() {
    std::lock_guard<std::mutex> lock(mu_);
    return threads_;
  }

  void set_threads(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    threads_ = n;
    work_.notify_all();  // idle workers re-check whether they are still active
  }

  void run(int count, const std::function<void(int)>& task) {
    Job job;
    job.task = &task;
    job.count = count;
    std::unique_lock<std::mutex> lock(mu_);
    spawn_workers(std::min(threads_, count) - 1);
    queue_.push_back(&job);
    work_.notify_all();
    // The caller works on its own job too: progress never depends on a free worker.
    while (job.next < job.count) run_one(job, lock);
    job.finished.wait(lock, [&] { return job.done == job.count; });
    lock.unlock();
    if (job.error) std::rethrow_exception(job.error);
  }

 private:
  // Claims the job's next task, runs it unlocked, records completion. Called with mu_ held.
  void run_one(Job& job, std::unique_lock<std::mutex>& lock) {
    const int index = job.next++;
    if (job.next == job.count) queue_.erase(std::find(queue_.begin(), queue_.end(), &job));
    std::exception_ptr error;
    lock.unlock();
    try {
      (*job.task)(index);
    } catch (...) {
      error = std::current_exception();  // never let an exception end a pool thread
    }
    lock.lock();
    if (error && !job.error) job.error = error;
    // Notified under the lock: the waiter cannot return (and destroy job) before we unlock.
    if (++job.done == job.count) job.finished.notify_all();
  }

  // Worker `index` takes jobs only while index < threads_ - 1 (the caller is the other thread).
  void worker_main(int index) {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      work_.wait(lock, [&] { return index < threads_ - 1 && !queue_.empty(); });
      run_one(*queue_.front(), lock);
    }
  }

  // Grows the pool to n workers. Called with mu_ held; the new threads block on it until then.
  void spawn_workers(int n) {
    while (int(workers_.size()) < n) {
      try {
        workers_.emplace_back(&Pool::worker_main, this, int(workers_.size()));
      } catch (const std::system_error&) {
        return;  // out of threads: callers still run every task themselves
      }
    }
  }

  std::mutex mu_;
  std::condition_variable work_;
  std::deque<Job*> queue_;  // jobs with unclaimed tasks
  std::vector<std::thread> workers_;
  int threads_ = default_threads();
};

// Deliberately never destroyed: workers may still be blocked on its mutex at process exit, and
// joining them from a static destructor could hang or touch a destroyed mutex.
Pool& pool() {
  static Pool* instance = new Pool();
  return *instance;
}

}  // namespace

int get_threads() { return pool().threads(); }

void set_threads(int n) { pool().set_threads(n); }

void parallel_ranges(int n, const std::function<void(int, int)>& fn) {
  const int ranges = std::min(get_threads(), n);
  if (ranges <= 1) {
    fn(0, n);
    return;
  }
  // Range i is [i*n/ranges, (i+1)*n/ranges): sizes differ by at most one, none is empty.
  auto bound = [&](int i) { return int(int64_t(i) * n / ranges); };
  pool().run(ranges, [&](int i) { fn(bound(i), bound(i + 1)); });
}

}  // namespace rnnkit
