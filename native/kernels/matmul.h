// C = A @ B over a range of rows: the benchmark's sgemm probe (binding.d.ts matmul).
#pragma once

namespace rnnkit {

// The caller guarantees dimensions >= 1 that fit in int and arrays of exactly these sizes.
struct MatmulArgs {
  int m, n, k;
  const float* a;  // (m, k)
  const float* b;  // (k, n)
  float* c;        // (m, n)
};

// Rows [r0, r1) of C = A @ B (one single-threaded OpenBLAS sgemm); disjoint ranges may run at once.
void matmul_rows(const MatmulArgs& a, int r0, int r1);

}  // namespace rnnkit
