// The one BLAS call the kernels make: row-major single-precision GEMM.
#pragma once

#include <cblas.h>

namespace rnnkit {

// C (m, n) = A (m, k) @ B (k, n) + beta * C, all row-major with leading dimensions lda, ldb, ldc
// (so B and C may be column blocks of wider matrices). beta = 0 overwrites C.
inline void sgemm(int m, int n, int k, const float* a, int lda, const float* b, int ldb, float beta,
                  float* c, int ldc) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, lda, b, ldb, beta, c,
              ldc);
}

}  // namespace rnnkit
