// How the training entry points spread their work over the thread pool (the kernels, which know
// nothing of threads, are in kernels/train/).
#pragma once

#include "kernels/train/dense_backward.h"
#include "kernels/train/rnn_backward.h"
#include "kernels/train/rnn_train_forward.h"

namespace rnnkit {

// Each throws std::bad_alloc when its scratch cannot be allocated (nothing else).
void rnn_train_forward(const RnnTrainArgs& a, const RnnTrainOutputs& out);
void rnn_backward(const RnnBackwardArgs& a, const RnnBackwardOutputs& out);
void dense_backward(const DenseBackwardArgs& a);

}  // namespace rnnkit
