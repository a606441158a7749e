// The products of the training kernels: row-major single-precision GEMM with OpenBLAS's transpose
// flags, so that X^T @ dZ and dZ @ W^T read the stored matrices as they are (no transposed copies).
#pragma once

#include <cblas.h>

namespace rnnkit {

enum class Op { N, T };  // the operand as stored, or its transpose

// C (m, n) = op(A) (m, k) @ op(B) (k, n) + beta * C, every matrix row-major. lda, ldb and ldc are
// the row strides of the matrices AS STORED: A is (m, k) for Op::N and (k, m) for Op::T, B is
// (k, n) for Op::N and (n, k) for Op::T. So operands may be column blocks of wider matrices.
// beta = 0 overwrites C (OpenBLAS then never reads it, so C may be uninitialised).
inline void gemm(Op ta, Op tb, int m, int n, int k, const float* a, int lda, const float* b,
                 int ldb, float beta, float* c, int ldc) {
  cblas_sgemm(CblasRowMajor, ta == Op::T ? CblasTrans : CblasNoTrans,
              tb == Op::T ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a, lda, b, ldb, beta, c,
              ldc);
}

}  // namespace rnnkit
