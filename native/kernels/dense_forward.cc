// Dense: y (rows, units) = act(x (rows, D) @ kernel (D, units) + bias), one GEMM per row range,
// then the activation over the whole range at once.
#include "dense_forward.h"

#include <cstddef>

#include "gemm.h"
#include "rnn_isa.h"

namespace rnnkit {

void dense_forward_rows(const DenseArgs& a, int r0, int r1) {
  const int n = r1 - r0, D = a.input_dim, U = a.units;
  float* y = a.y + size_t(r0) * U;
  sgemm(n, U, D, a.x + size_t(r0) * D, D, a.kernel, U, 0.0f, y, U);
  if (a.bias)
    for (int r = 0; r < n; r++)
      for (int j = 0; j < U; j++) y[size_t(r) * U + j] += a.bias[j];
  rnn_isa().activate(a.activation, y, size_t(n) * U);  // the recurrent kernels' vector activations
}

}  // namespace rnnkit
