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
};

}  // namespace rnnkit
