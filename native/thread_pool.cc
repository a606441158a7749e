// Fixed pool of std::threads fed from one queue of jobs; see thread_pool.h.
#include "thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "spin.h"

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

// One parallel_ranges / parallel_for call: tasks 0..count-1, claimed one at a time under the
// pool's mutex.
struct Job {
  const std::function<void(int)>* task;
  int count;
  int next = 0;                // next unclaimed task (under mu_)
  std::atomic<int> done{0};    // finished tasks (incremented under mu_, polled without it)
  bool sleeping = false;       // the caller sleeps on `finished` (under mu_)
  std::exception_ptr error;    // under mu_
  std::condition_variable finished;
};

// How long an idle worker polls for the next job before it sleeps, and how long a caller polls for
// its job's last tasks: back-to-back calls (a predict loop) then never pay a futex wake-up.
constexpr int kWorkerSpinMicros = 200;
constexpr int kCallerSpinMicros = 100;

class Pool {
 public:
  int threads() { return threads_.load(std::memory_order_relaxed); }

  void set_threads(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    threads_.store(n, std::memory_order_relaxed);
    work_.notify_all();  // idle workers re-check whether they are still active
  }

  void run(int count, const std::function<void(int)>& task) {
    Job job;
    job.task = &task;
    job.count = count;
    std::unique_lock<std::mutex> lock(mu_);
    spawn_workers(std::min(threads(), count) - 1);
    queue_.push_back(&job);
    queued_.store(int(queue_.size()), std::memory_order_release);
    if (sleepers_ > 0) work_.notify_all();
    // The caller works on its own job too: progress never depends on a free worker.
    while (job.next < job.count) run_one(job, lock);
    if (job.done.load(std::memory_order_acquire) < job.count) {
      lock.unlock();
      spin_for([&] { return job.done.load(std::memory_order_acquire) == job.count; },
               kCallerSpinMicros);
      lock.lock();  // also waits until the last worker has left its critical section on `job`
      job.sleeping = true;
      job.finished.wait(lock,
                        [&] { return job.done.load(std::memory_order_acquire) == job.count; });
    }
    lock.unlock();
    if (job.error) std::rethrow_exception(job.error);
  }

 private:
  // Claims the job's next task, runs it unlocked, records completion. Called with mu_ held.
  void run_one(Job& job, std::unique_lock<std::mutex>& lock) {
    const int index = job.next++;
    if (job.next == job.count) {
      queue_.erase(std::find(queue_.begin(), queue_.end(), &job));
      queued_.store(int(queue_.size()), std::memory_order_release);
    }
    std::exception_ptr error;
    lock.unlock();
    try {
      (*job.task)(index);
    } catch (...) {
      error = std::current_exception();  // never let an exception end a pool thread
    }
    lock.lock();
    if (error && !job.error) job.error = error;
    // Under the lock: the caller cannot return (and destroy job) before we unlock.
    if (job.done.fetch_add(1, std::memory_order_acq_rel) + 1 == job.count && job.sleeping)
      job.finished.notify_all();
  }

  bool has_work(int index) const {
    return index < threads_.load(std::memory_order_relaxed) - 1 &&
           queued_.load(std::memory_order_acquire) > 0;
  }

  // Worker `index` takes jobs only while index < threads_ - 1 (the caller is the other thread).
  void worker_main(int index) {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (!(index < threads() - 1 && !queue_.empty())) {
        lock.unlock();
        spin_for([&] { return has_work(index); }, kWorkerSpinMicros);
        lock.lock();
        sleepers_++;
        work_.wait(lock, [&] { return index < threads() - 1 && !queue_.empty(); });
        sleepers_--;
      }
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
  std::deque<Job*> queue_;       // jobs with unclaimed tasks
  std::atomic<int> queued_{0};   // queue_.size(), for workers polling without the lock
  int sleepers_ = 0;             // workers blocked on work_ (under mu_)
  std::vector<std::thread> workers_;
  std::atomic<int> threads_{default_threads()};
};

// The permits of thread_pool.h's admission rule, handed out in arrival order (a ticket each), so
// that a call wanting every thread is not starved by a stream of one-thread calls.
class Admission {
 public:
  // Waits for min(wanted, threads) permits; returns how many were taken.
  int acquire(int wanted, int threads) {
    std::unique_lock<std::mutex> lock(mu_);
    const uint64_t ticket = next_ticket_++;
    const int k = std::max(1, std::min(wanted, threads));
    // in_use_ may exceed threads for a while after setThreads lowered it: wait until it drains.
    admitted_.wait(lock, [&] { return ticket == serving_ && in_use_ + k <= threads; });
    in_use_ += k;
    serving_++;
    if (waiting()) admitted_.notify_all();  // the next ticket may fit too
    return k;
  }

  void release(int k) {
    std::lock_guard<std::mutex> lock(mu_);
    in_use_ -= k;
    if (waiting()) admitted_.notify_all();
  }

 private:
  bool waiting() const { return next_ticket_ != serving_; }

  std::mutex mu_;
  std::condition_variable admitted_;
  uint64_t next_ticket_ = 0, serving_ = 0;  // under mu_
  int in_use_ = 0;                          // under mu_
};

Admission& admission() {
  static Admission* instance = new Admission();  // never destroyed, like the pool
  return *instance;
}

// Holds the permits of one call (thread_pool.h's admission rule).
class Permits {
 public:
  Permits(int wanted, int threads) : k_(admission().acquire(wanted, threads)) {}
  ~Permits() { admission().release(k_); }
  Permits(const Permits&) = delete;
  Permits& operator=(const Permits&) = delete;

 private:
  int k_;
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
  const int threads = get_threads(), ranges = std::min(threads, n);
  const Permits permits(ranges, threads);
  if (ranges <= 1) {
    fn(0, n);
    return;
  }
  // Range i is [i*n/ranges, (i+1)*n/ranges): sizes differ by at most one, none is empty.
  auto bound = [&](int i) { return int(int64_t(i) * n / ranges); };
  pool().run(ranges, [&](int i) { fn(bound(i), bound(i + 1)); });
}

void parallel_for(int count, const std::function<void(int)>& task) {
  if (count <= 0) return;
  const int threads = get_threads();
  const Permits permits(count, threads);
  if (count == 1 || threads <= 1) {
    std::exception_ptr error;
    for (int i = 0; i < count; i++) {
      try {
        task(i);
      } catch (...) {
        if (!error) error = std::current_exception();
      }
    }
    if (error) std::rethrow_exception(error);
    return;
  }
  pool().run(count, task);
}

}  // namespace rnnkit
