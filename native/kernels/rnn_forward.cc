// SimpleRNN, LSTM and GRU forward over a chunk of samples (docs/KERNELS.md).
//
// Shape of the computation, for a chunk of bc samples, T steps, D inputs, H units, g gates:
//   1. P (bc*T, gH) = X (bc*T, D) @ kernel (D, gH)                  one GEMM for all steps
//   2. per step: R (bc, gH) = h (bc, H) @ recurrentKernel (H, gH)  one GEMM (two for GRU with
//      resetAfter false, whose candidate needs (r * h) @ U_h after r is known)
//   3. per sample: fused gate math on its rows of P and R, then the masking rule.
// Bias terms are added in step 3 (a null bias is a row of zeros).
#include "rnn_forward.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "gemm.h"

namespace rnnkit {
namespace {

// Scratch is uninitialized: every element is written before it is read.
std::unique_ptr<float[]> scratch(size_t n) { return std::unique_ptr<float[]>(new float[n]); }

// SimpleRNN: h = act(x_t + b + h_prev @ U). z holds h_prev @ U on entry.
void simple_rnn_step(const RnnArgs& a, const float* xp, const float* b, float* z, float* h) {
  const int H = a.units;
  for (int j = 0; j < H; j++) z[j] = (xp[j] + b[j]) + z[j];
  activate(a.activation, z, H);
  std::memcpy(h, z, sizeof(float) * H);
}

// LSTM, gate order i, f, c, o. z holds h_prev @ U (4H) on entry.
//   z = x_t + b + h_prev @ U ; i = ract(z_i) ; f = ract(z_f) ; cc = act(z_c) ; o = ract(z_o)
//   c = f * c_prev + i * cc ; h = o * act(c)
void lstm_step(const RnnArgs& a, const float* xp, const float* b, float* z, float* h, float* c) {
  const int H = a.units;
  for (int j = 0; j < 4 * H; j++) z[j] = (xp[j] + b[j]) + z[j];
  float *i = z, *f = z + H, *cc = z + 2 * H, *o = z + 3 * H;
  activate(a.recurrent_activation, i, 2 * H);  // i and f are adjacent
  activate(a.activation, cc, H);
  activate(a.recurrent_activation, o, H);
  for (int j = 0; j < H; j++) {
    c[j] = f[j] * c[j] + i[j] * cc[j];
    cc[j] = c[j];  // cc is spent; reuse its slot for act(c)
  }
  activate(a.activation, cc, H);
  for (int j = 0; j < H; j++) h[j] = o[j] * cc[j];
}

// GRU with resetAfter true, gate order z, r, h; m holds h_prev @ U (3H) on entry.
//   xz, xr, xh = x_t + b_in ; mz, mr, mh = h_prev @ U + b_rec
//   z = ract(xz + mz) ; r = ract(xr + mr) ; hh = act(xh + r * mh) ; h = z * h_prev + (1 - z) * hh
void gru_reset_after_step(const RnnArgs& a, const float* xp, const float* b_in, const float* b_rec,
                          float* m, float* h) {
  const int H = a.units;
  for (int j = 0; j < 2 * H; j++) m[j] = (xp[j] + b_in[j]) + (m[j] + b_rec[j]);
  float *z = m, *r = m + H, *hh = m + 2 * H;
  activate(a.recurrent_activation, z, 2 * H);  // z and r are adjacent
  for (int j = 0; j < H; j++) {
    const int k = 2 * H + j;
    hh[j] = (xp[k] + b_in[k]) + r[j] * (hh[j] + b_rec[k]);
  }
  activate(a.activation, hh, H);
  for (int j = 0; j < H; j++) h[j] = z[j] * h[j] + (1.0f - z[j]) * hh[j];
}

// GRU with resetAfter false, first half: m[0:2H] holds h_prev @ U[:, 0:2H] on entry.
//   z = ract(xz + b_z + h_prev @ U_z) ; r = ract(xr + b_r + h_prev @ U_r) ; rh = r * h_prev
void gru_reset_before_gates(const RnnArgs& a, const float* xp, const float* b, float* m,
                            const float* h, float* rh) {
  const int H = a.units;
  for (int j = 0; j < 2 * H; j++) m[j] = (xp[j] + b[j]) + m[j];
  activate(a.recurrent_activation, m, 2 * H);
  const float* r = m + H;
  for (int j = 0; j < H; j++) rh[j] = r[j] * h[j];
}

// Second half: m[2H:3H] holds (r * h_prev) @ U[:, 2H:3H] on entry.
//   hh = act(xh + b_h + (r * h_prev) @ U_h) ; h = z * h_prev + (1 - z) * hh
void gru_reset_before_state(const RnnArgs& a, const float* xp, const float* b, float* m,
                            float* h) {
  const int H = a.units;
  float *z = m, *hh = m + 2 * H;
  for (int j = 0; j < H; j++) hh[j] = (xp[2 * H + j] + b[2 * H + j]) + hh[j];
  activate(a.activation, hh, H);
  for (int j = 0; j < H; j++) h[j] = z[j] * h[j] + (1.0f - z[j]) * hh[j];
}

// Copies n floats of src, or writes zeros when src is null.
void copy_or_zero(float* dst, const float* src, size_t n) {
  if (src)
    std::memcpy(dst, src, sizeof(float) * n);
  else
    std::fill(dst, dst + n, 0.0f);
}

}  // namespace

void rnn_forward_chunk(const RnnArgs& a, int b0, int b1) {
  const int bc = b1 - b0, T = a.timesteps, D = a.input_dim, H = a.units;
  const int gh = gate_count(a.cell) * H;
  const bool lstm = a.cell == Cell::Lstm, gru = a.cell == Cell::Gru;
  const bool gru_before = gru && !a.reset_after;
  const size_t bH = size_t(bc) * H;

  // 1. Input projection of every step of the chunk (its samples are contiguous in x).
  auto P = scratch(size_t(bc) * T * gh);
  sgemm(bc * T, gh, D, a.x + size_t(b0) * T * D, D, a.kernel, gh, 0.0f, P.get(), gh);

  // Bias rows; zeros stand in for a null bias so the step math has no branches.
  // GRU with resetAfter stores (2, 3H): input bias row, then recurrent bias row.
  const int bias_len = (gru && a.reset_after) ? 2 * gh : gh;
  auto bias = scratch(bias_len);
  copy_or_zero(bias.get(), a.bias, bias_len);
  const float* b_in = bias.get();
  const float* b_rec = bias.get() + gh;  // only read for GRU with resetAfter

  // States, the previous step's output (zeros before the first step) and per-step scratch.
  auto h = scratch(bH), c = scratch(lstm ? bH : 0), prev = scratch(bH);
  auto R = scratch(size_t(bc) * gh), rh = scratch(gru_before ? bH : 0);
  copy_or_zero(h.get(), a.initial_h ? a.initial_h + size_t(b0) * H : nullptr, bH);
  if (lstm) copy_or_zero(c.get(), a.initial_c ? a.initial_c + size_t(b0) * H : nullptr, bH);
  copy_or_zero(prev.get(), nullptr, bH);

  for (int s = 0; s < T; s++) {
    const int t = a.go_backwards ? T - 1 - s : s;  // input step processed at step s
    auto xp = [&](int i) { return P.get() + (size_t(i) * T + t) * gh; };

    // 2. Recurrent projection for the whole chunk (GRU resetAfter false: z and r columns only).
    sgemm(bc, gru_before ? 2 * H : gh, H, h.get(), H, a.recurrent_kernel, gh, 0.0f, R.get(), gh);
    if (gru_before) {
      for (int i = 0; i < bc; i++)
        gru_reset_before_gates(a, xp(i), b_in, R.get() + size_t(i) * gh, h.get() + size_t(i) * H,
                               rh.get() + size_t(i) * H);
      sgemm(bc, H, H, rh.get(), H, a.recurrent_kernel + 2 * H, gh, 0.0f, R.get() + 2 * H, gh);
    }

    // 3. Gate math and the masking rule, per sample.
    for (int i = 0; i < bc; i++) {
      const int b = b0 + i;
      float* hi = h.get() + size_t(i) * H;
      float* ri = R.get() + size_t(i) * gh;
      float* out = prev.get() + size_t(i) * H;
      const bool keep = !a.mask || a.mask[size_t(b) * T + t] != 0;
      if (keep) {
        switch (a.cell) {
          case Cell::SimpleRnn: simple_rnn_step(a, xp(i), b_in, ri, hi); break;
          case Cell::Lstm: lstm_step(a, xp(i), b_in, ri, hi, c.get() + size_t(i) * H); break;
          case Cell::Gru:
            if (a.reset_after)
              gru_reset_after_step(a, xp(i), b_in, b_rec, ri, hi);
            else
              gru_reset_before_state(a, xp(i), b_in, ri, hi);
            break;
        }
        std::memcpy(out, hi, sizeof(float) * H);  // every cell's output is its new h
      } else if (a.zero_output_for_mask) {
        std::fill(out, out + H, 0.0f);
      }  // else: masked, states stay and the output repeats the previous one (already in out)
      if (a.return_sequences)
        std::memcpy(a.output + (size_t(b) * T + s) * H, out, sizeof(float) * H);
    }
  }

  std::memcpy(a.h_out + size_t(b0) * H, h.get(), sizeof(float) * bH);
  if (lstm) std::memcpy(a.c_out + size_t(b0) * H, c.get(), sizeof(float) * bH);
  if (!a.return_sequences) std::memcpy(a.output + size_t(b0) * H, prev.get(), sizeof(float) * bH);
}

}  // namespace rnnkit
