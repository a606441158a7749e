// Short busy-waits for the pool and the batch-1 step teams: a thread that expects another one to
// finish within microseconds polls instead of sleeping (a futex wake-up costs 5-50 us).
#pragma once

#include <chrono>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace rnnkit {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Polls done() for about `micros`, then gives the core away between polls (sched_yield) until it
// holds, so that a descheduled partner on a busy machine gets to run. Returns when done() holds.
template <typename Done>
void spin_until(Done done, int micros = 50) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(micros);
  for (int i = 0; !done(); i++) {
    if ((i & 63) == 63 && std::chrono::steady_clock::now() > until)
      std::this_thread::yield();
    else
      cpu_relax();
  }
}

// Polls done() for at most `micros`; returns whether it held.
template <typename Done>
bool spin_for(Done done, int micros) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(micros);
  for (int i = 0;; i++) {
    if (done()) return true;
    if ((i & 63) == 63 && std::chrono::steady_clock::now() > until) return false;
    cpu_relax();
  }
}

}  // namespace rnnkit
