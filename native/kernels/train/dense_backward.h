// Dense backward: the gradients of denseForward's inputs and weights, given d loss / d y.
// Reference: src/backend/ts/dense-backward.ts (binding.d.ts DenseBackwardArgs).
#pragma once

#include <cstddef>

#include "../activations.h"

namespace rnnkit {

// The caller guarantees dimensions >= 1 that fit in int and arrays of exactly these sizes.
struct DenseBackwardArgs {
  int rows, input_dim, units;
  const float* x;       // (rows, input_dim)
  const float* kernel;  // (input_dim, units)
  const float* bias;    // null or (units)
  Activation activation;
  const float* dy;      // (rows, units)
  float* dx;            // (rows, input_dim)
  float* d_kernel;      // (input_dim, units)
  float* d_bias;        // (units); unused without bias
};

// Phase 1: dz = dy * act'(z), z = x @ kernel + bias recomputed (rows * units floats of dz, plus
// as many of scratch).
size_t dense_backward_dz_scratch_floats(const DenseBackwardArgs& a);
void dense_backward_dz(const DenseBackwardArgs& a, float* dz, float* scratch);

// Phase 2, from dz: part 0 writes d_kernel = x^T @ dz, part 1 dx = dz @ kernel^T and d_bias (the
// column sums of dz). The parts write different outputs and may run at once.
constexpr int kDenseBackwardParts = 2;
void dense_backward_part(const DenseBackwardArgs& a, const float* dz, int part);

}  // namespace rnnkit
