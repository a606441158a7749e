// Forward pass of Keras's Dense layer: y = act(x @ kernel + bias).
#pragma once

#include "activations.h"

namespace rnnkit {

// The caller guarantees dimensions >= 1 that fit in int and arrays of exactly these sizes.
struct DenseArgs {
  int rows, input_dim, units;
  const float* x;       // (rows, input_dim)
  const float* kernel;  // (input_dim, units)
  const float* bias;    // null or (units)
  Activation activation;
  float* y;  // (rows, units)
};

// Computes rows [r0, r1) of y; disjoint row ranges may run on different threads at once.
void dense_forward_rows(const DenseArgs& a, int r0, int r1);

}  // namespace rnnkit
