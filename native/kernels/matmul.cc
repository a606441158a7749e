// C (r1-r0, n) = A[r0:r1] (r1-r0, k) @ B (k, n): one OpenBLAS call per row range.
#include "matmul.h"

#include <cstddef>

#include "gemm.h"

namespace rnnkit {

void matmul_rows(const MatmulArgs& a, int r0, int r1) {
  sgemm(r1 - r0, a.n, a.k, a.a + size_t(r0) * a.k, a.k, a.b, a.n, 0.0f, a.c + size_t(r0) * a.n,
        a.n);
}

}  // namespace rnnkit
