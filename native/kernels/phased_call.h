// A call cut into phases of parts (rnn_single.h, rnn_batched.h): the parts of a phase may run on
// different threads at once; a phase may start once every part of the previous one is done.
#pragma once

namespace rnnkit {

class PhasedCall {
 public:
  virtual ~PhasedCall() = default;
  virtual int phases() const = 0;
  virtual int parts() const = 0;
  virtual void run(int phase, int part) = 0;
  virtual void finish() = 0;  // after the last phase, on one thread

  // Work that may run beside the phases, on other threads, any number of times at once (each
  // call takes what is left); the phases do whatever no helper took. helpers(): how many threads
  // could usefully run help().
  virtual int helpers() const { return 0; }
  virtual void help() {}
};

}  // namespace rnnkit
