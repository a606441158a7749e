// Dense backward. Reference: src/backend/ts/dense-backward.ts. With z = x @ kernel + bias and
// y = act(z), given dy:
//   dz = dy * act'(z);  dKernel = x^T @ dz;  dBias = the column sums of dz;  dx = dz @ kernel^T.
// z is recomputed (one GEMM) rather than kept by the forward pass, so the call needs only
// denseForward's arguments; y = act(z) uses denseForward's own (vector) activations.
#include "dense_backward.h"

#include <cstring>

#include "../rnn_isa.h"
#include "activation_derivatives.h"
#include "blas.h"

namespace rnnkit {

size_t dense_backward_dz_scratch_floats(const DenseBackwardArgs& a) {
  return size_t(a.rows) * a.units;  // z
}

void dense_backward_dz(const DenseBackwardArgs& a, float* dz, float* scratch) {
  const int R = a.rows, D = a.input_dim, U = a.units;
  const size_t n = size_t(R) * U;
  if (a.activation == Activation::Linear) {  // act' = 1: z is not needed
    std::memcpy(dz, a.dy, n * sizeof(float));
    return;
  }
  float* z = scratch;
  gemm(Op::N, Op::N, R, U, D, a.x, D, a.kernel, U, 0.0f, z, U);
  if (a.bias)
    for (int r = 0; r < R; r++)
      for (int j = 0; j < U; j++) z[size_t(r) * U + j] += a.bias[j];
  std::memcpy(dz, z, n * sizeof(float));
  rnn_isa().activate(a.activation, dz, n);        // dz = y
  activation_derivative(a.activation, z, dz, dz, n);  // dz = act'(z)
  for (size_t i = 0; i < n; i++) dz[i] *= a.dy[i];
}

void dense_backward_part(const DenseBackwardArgs& a, const float* dz, int part) {
  const int R = a.rows, D = a.input_dim, U = a.units;
  if (part == 0) {
    gemm(Op::T, Op::N, D, U, R, a.x, D, dz, U, 0.0f, a.d_kernel, U);
    return;
  }
  gemm(Op::N, Op::T, R, D, U, dz, U, a.kernel, U, 0.0f, a.dx, D);
  if (!a.bias) return;
  std::memset(a.d_bias, 0, size_t(U) * sizeof(float));
  for (int r = 0; r < R; r++)
    for (int j = 0; j < U; j++) a.d_bias[j] += dz[size_t(r) * U + j];
}

}  // namespace rnnkit
