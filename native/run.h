// How each entry point's work is spread over the thread pool (the kernels themselves are in
// kernels/ and know nothing of threads).
#pragma once

#include "kernels/matmul.h"
#include "kernels/rnn_forward.h"

namespace rnnkit {

// Runs n independent rnnForward calls at once: every element's chunks go to the pool together, so
// e.g. the two directions of a Bidirectional layer run on two threads even at batch 1.
void rnn_forward_many(const RnnArgs* list, int n);

// C = A @ B with the rows of C split over the pool.
void matmul(const MatmulArgs& a);

}  // namespace rnnkit
