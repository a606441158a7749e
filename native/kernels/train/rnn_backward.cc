// rnnBackward's two phases (rnn_backward.h). Reference: src/backend/ts/rnn-backward.ts, which this
// follows formula by formula. Masks: a masked step passes the gradients of its states through
// unchanged and adds nothing to the weights (its rows of the work arrays are zeros); its output's
// gradient reaches the state only when the output was the state (Keras's masking: not after
// zero_output_for_mask, not before the sample's first kept step).
#include "rnn_backward.h"

#include <cstring>
#include <vector>

#include "../rnn_isa.h"
#include "activation_derivatives.h"
#include "blas.h"
#include "carve.h"
#include "tape.h"

namespace rnnkit {
namespace {

// The parts of one range's step scratch (carve.h).
struct StepScratch {
  float* gates;      // (gH): one sample's gate values, recomputed from the tape's sums
  float* slope;      // (gH): their activations' derivatives
  float* act_c;      // (H): LSTM: act(c) of one sample
  float* slope_c;    // (H): its derivative
  float* direct;     // (samples, H): GRU: the update's direct path dh * z into h_prev
  float* carried;    // (samples, H): dZh @ U^T, the recurrent sums' path into h_prev
  float* product;    // (samples, H): one gate's share of it (with recurrent dropout)
  float* d_reset_h;  // (samples, H): GRU before: d loss / d (r * dropped h_prev)
};

size_t carve_steps(const RnnBackwardArgs& a, int samples, float* base, StepScratch* w) {
  const size_t n = size_t(samples), H = size_t(a.f.units);
  const size_t gH = size_t(gate_count(a.f.cell)) * H;
  Carve take(base);
  w->gates = take.take(gH);
  w->slope = take.take(gH);
  w->act_c = take.take(H);
  w->slope_c = take.take(H);
  w->direct = take.take(n * H);
  w->carried = take.take(n * H);
  w->product = take.take(n * H);
  w->d_reset_h = take.take(n * H);
  return take.used();
}

// Sample b's row of recurrent drop mask k (the caller checks that there is one).
inline const float* recurrent_mask_row(const RnnTrainArgs& a, int k, int b) {
  return a.recurrent_drop_mask + (size_t(k) * a.batch + b) * a.units;
}

}  // namespace

size_t rnn_backward_work_floats(const RnnBackwardArgs& a) {
  const RnnTrainArgs& f = a.f;
  const size_t rows = size_t(f.timesteps) * f.batch, H = size_t(f.units);
  const size_t gH = size_t(gate_count(f.cell)) * H;
  const bool gru = f.cell == Cell::Gru;
  Carve take(nullptr);
  take.take(rows * gH);                            // dzx
  if (gru && f.reset_after) take.take(rows * gH);  // dzh
  if (gru && !f.reset_after) take.take(rows * H);  // reset_h
  return take.used();
}

RnnBackwardWork rnn_backward_work(const RnnBackwardArgs& a, float* base) {
  const RnnTrainArgs& f = a.f;
  const size_t rows = size_t(f.timesteps) * f.batch, H = size_t(f.units);
  const size_t gH = size_t(gate_count(f.cell)) * H;
  const bool gru = f.cell == Cell::Gru;
  Carve take(base);
  RnnBackwardWork w;
  w.dzx = take.take(rows * gH);
  w.dzh = gru && f.reset_after ? take.take(rows * gH) : w.dzx;
  w.reset_h = gru && !f.reset_after ? take.take(rows * H) : nullptr;
  return w;
}

size_t rnn_backward_steps_scratch_floats(const RnnBackwardArgs& a, int samples) {
  StepScratch w;
  return carve_steps(a, samples, nullptr, &w);
}

void rnn_backward_steps(const RnnBackwardArgs& a, const RnnBackwardOutputs& out,
                        const RnnBackwardWork& w, int b0, int b1, float* scratch) {
  const RnnTrainArgs& f = a.f;
  const int B = f.batch, T = f.timesteps, H = f.units;
  const int g = gate_count(f.cell), gH = g * H;
  const int n = b1 - b0;
  const bool lstm = f.cell == Cell::Lstm, gru = f.cell == Cell::Gru;
  const bool gru_before = gru && !f.reset_after, gru_after = gru && f.reset_after;
  const Activation act = f.activation, ract = f.recurrent_activation;
  auto activate = rnn_isa().activate;
  const float* U = f.recurrent_kernel;
  const float* rm = f.recurrent_drop_mask;

  StepScratch sc;
  carve_steps(a, n, scratch, &sc);
  const TapeLayout layout = tape_layout(f.cell, f.reset_after, B, T, H);
  const float* const tape_h = a.tape + layout.h;
  const float* const tape_c = lstm ? a.tape + layout.c : nullptr;
  const float* const tape_pre = a.tape + layout.pre;
  const float* const tape_rec = gru_after ? a.tape + layout.rec : nullptr;
  const size_t HB = size_t(H) * sizeof(float);

  // dh (dc): d loss / d the states after the step being undone; they end as the gradients of the
  // initial states, so they live in those outputs from the start.
  float* const dh = out.d_initial_h + size_t(b0) * H;
  float* const dc = lstm ? out.d_initial_c + size_t(b0) * H : nullptr;
  if (a.d_h) std::memcpy(dh, a.d_h + size_t(b0) * H, size_t(n) * HB);
  else std::memset(dh, 0, size_t(n) * HB);
  if (lstm) {
    if (a.d_c) std::memcpy(dc, a.d_c + size_t(b0) * H, size_t(n) * HB);
    else std::memset(dc, 0, size_t(n) * HB);
  }

  // first_kept[bl]: the first processed step the sample keeps (T if none). Before it, a masked
  // step's output is zeros, not the state.
  std::vector<int> first_kept(size_t(n), T);
  for (int bl = 0; bl < n; bl++) {
    if (!f.mask) {
      first_kept[size_t(bl)] = 0;
      continue;
    }
    for (int s = 0; s < T; s++) {
      const int t = f.go_backwards ? T - 1 - s : s;
      if (f.mask[size_t(b0 + bl) * T + t] != 0) {
        first_kept[size_t(bl)] = s;
        break;
      }
    }
  }
  auto kept = [&](int bl, int t) { return !f.mask || f.mask[size_t(b0 + bl) * T + t] != 0; };

  // GRU before: U_h's product waits for r, so the gradient's first product covers z and r only.
  const int recurrent_gates = gru_before ? 2 : g;

  for (int s = T - 1; s >= 0; s--) {
    const int t = f.go_backwards ? T - 1 - s : s;
    const size_t row0 = size_t(s) * B + b0;  // the range's first row at this step

    // The output's gradient joins the state's where the output was the state.
    for (int bl = 0; bl < n; bl++) {
      const bool output_is_state =
          kept(bl, t) || (!f.zero_output_for_mask && s > first_kept[size_t(bl)]);
      if (!output_is_state) continue;
      const float* d_out = nullptr;
      if (f.return_sequences) d_out = a.d_output + (size_t(b0 + bl) * T + s) * H;
      else if (s == T - 1) d_out = a.d_output + size_t(b0 + bl) * H;
      if (d_out)
        for (int j = 0; j < H; j++) dh[size_t(bl) * H + j] += d_out[j];
    }

    // The gates' gradients, per sample, from the tape's sums.
    for (int bl = 0; bl < n; bl++) {
      const size_t row = row0 + bl;
      float* dzx = w.dzx + row * gH;
      float* dzh = w.dzh + row * gH;
      if (!kept(bl, t)) {  // nothing reaches the weights from a masked step
        std::memset(dzx, 0, size_t(gH) * sizeof(float));
        if (gru_after) std::memset(dzh, 0, size_t(gH) * sizeof(float));
        if (gru_before) std::memset(w.reset_h + row * H, 0, HB);
        continue;
      }
      const float* pre = tape_pre + row * gH;
      const float* h_prev = tape_h + row * H;
      const float* h_next = tape_h + (row + B) * H;
      float* dhb = dh + size_t(bl) * H;
      float* gates = sc.gates;
      float* slope = sc.slope;
      if (f.cell == Cell::SimpleRnn) {
        activation_derivative(act, pre, h_next, slope, size_t(H));
        for (int j = 0; j < H; j++) dzx[j] = dhb[j] * slope[j];
      } else if (lstm) {
        const float* c_prev = tape_c + row * H;
        const float* c_next = tape_c + (row + B) * H;
        float* dcb = dc + size_t(bl) * H;
        std::memcpy(gates, pre, size_t(gH) * sizeof(float));
        activate(ract, gates, 2 * size_t(H));       // i, f
        activate(act, gates + 2 * H, size_t(H));    // the candidate
        activate(ract, gates + 3 * H, size_t(H));   // o
        std::memcpy(sc.act_c, c_next, HB);
        activate(act, sc.act_c, size_t(H));
        activation_derivative(ract, pre, gates, slope, 2 * size_t(H));
        activation_derivative(act, pre + 2 * H, gates + 2 * H, slope + 2 * H, size_t(H));
        activation_derivative(ract, pre + 3 * H, gates + 3 * H, slope + 3 * H, size_t(H));
        activation_derivative(act, c_next, sc.act_c, sc.slope_c, size_t(H));
        for (int j = 0; j < H; j++) {
          const float i = gates[j], fg = gates[H + j], cand = gates[2 * H + j];
          const float o = gates[3 * H + j];
          const float dhj = dhb[j];
          const float dcj = dcb[j] + dhj * o * sc.slope_c[j];
          dzx[j] = dcj * cand * slope[j];
          dzx[H + j] = dcj * c_prev[j] * slope[H + j];
          dzx[2 * H + j] = dcj * i * slope[2 * H + j];
          dzx[3 * H + j] = dhj * sc.act_c[j] * slope[3 * H + j];
          dcb[j] = dcj * fg;
        }
      } else {
        std::memcpy(gates, pre, size_t(gH) * sizeof(float));
        activate(ract, gates, 2 * size_t(H));     // z, r
        activate(act, gates + 2 * H, size_t(H));  // the candidate
        activation_derivative(ract, pre, gates, slope, 2 * size_t(H));
        activation_derivative(act, pre + 2 * H, gates + 2 * H, slope + 2 * H, size_t(H));
        float* direct = sc.direct + size_t(bl) * H;
        const float* rm2 = rm ? recurrent_mask_row(f, 2, b0 + bl) : nullptr;
        for (int j = 0; j < H; j++) {
          const float z = gates[j], r = gates[H + j], cand = gates[2 * H + j];
          const float dhj = dhb[j];
          const float prev = h_prev[j];
          const float d_cand = dhj * (1.0f - z) * slope[2 * H + j];
          dzx[j] = dhj * (prev - cand) * slope[j];
          dzx[2 * H + j] = d_cand;
          direct[j] = dhj * z;
          if (gru_after) {
            const float rec = tape_rec[row * H + j];
            dzx[H + j] = d_cand * rec * slope[H + j];
            dzh[j] = dzx[j];
            dzh[H + j] = dzx[H + j];
            dzh[2 * H + j] = d_cand * r;
          } else {
            const float dropped = rm2 ? prev * rm2[j] : prev;
            w.reset_h[row * H + j] = r * dropped;
          }
        }
      }
    }

    if (gru_before) {
      // d(r * hh) = d_cand @ U_h^T; then r's gradient, and the candidate's path into h_prev.
      gemm(Op::N, Op::T, n, H, H, w.dzx + row0 * gH + 2 * H, gH, U + 2 * size_t(H), gH, 0.0f,
           sc.d_reset_h, H);
      for (int bl = 0; bl < n; bl++) {
        if (!kept(bl, t)) continue;
        const size_t row = row0 + bl;
        const float* pre_r = tape_pre + row * gH + H;
        const float* h_prev = tape_h + row * H;
        float* r = sc.gates;
        float* slope_r = sc.slope;
        std::memcpy(r, pre_r, HB);
        activate(ract, r, size_t(H));
        activation_derivative(ract, pre_r, r, slope_r, size_t(H));
        const float* rm2 = rm ? recurrent_mask_row(f, 2, b0 + bl) : nullptr;
        const float* d = sc.d_reset_h + size_t(bl) * H;
        float* direct = sc.direct + size_t(bl) * H;
        float* dzx_r = w.dzx + row * gH + H;
        for (int j = 0; j < H; j++) {
          const float hh = rm2 ? h_prev[j] * rm2[j] : h_prev[j];
          dzx_r[j] = d[j] * hh * slope_r[j];
          const float d_hh = d[j] * r[j];
          direct[j] += rm2 ? d_hh * rm2[j] : d_hh;
        }
      }
    }

    // The recurrent sums' path into h_prev: dZh @ U^T, per gate when each has its own mask.
    const float* dzh_step = w.dzh + row0 * gH;
    if (!rm) {
      gemm(Op::N, Op::T, n, H, recurrent_gates * H, dzh_step, gH, U, gH, 0.0f, sc.carried, H);
    } else {
      std::memset(sc.carried, 0, size_t(n) * HB);
      for (int k = 0; k < recurrent_gates; k++) {
        gemm(Op::N, Op::T, n, H, H, dzh_step + size_t(k) * H, gH, U + size_t(k) * H, gH, 0.0f,
             sc.product, H);
        const float* m = recurrent_mask_row(f, k, b0);
        for (size_t i = 0; i < size_t(n) * H; i++) sc.carried[i] += sc.product[i] * m[i];
      }
    }
    for (int bl = 0; bl < n; bl++) {
      if (!kept(bl, t)) continue;  // a masked step hands dh (and dc) through as they are
      float* dhb = dh + size_t(bl) * H;
      const float* carried = sc.carried + size_t(bl) * H;
      const float* direct = sc.direct + size_t(bl) * H;
      for (int j = 0; j < H; j++) dhb[j] = carried[j] + (gru ? direct[j] : 0.0f);
    }
  }
}

size_t rnn_backward_part_scratch_floats(const RnnBackwardArgs& a, int part) {
  const RnnTrainArgs& f = a.f;
  const size_t rows = size_t(f.timesteps) * f.batch;
  const size_t D = size_t(f.input_dim), H = size_t(f.units);
  Carve take(nullptr);
  switch (part) {
    case kKernelPart: take.take(rows * D); break;  // X, through a gate's mask
    case kInputPart:
      take.take(rows * D);                         // dx in processing order
      if (f.drop_mask) take.take(rows * D);        // one gate's share of it
      break;
    case kRecurrentKernelPart:
      if (f.recurrent_drop_mask) take.take(rows * H);  // Hprev through a gate's mask
      break;
    default: break;
  }
  return take.used();
}

void rnn_backward_part(const RnnBackwardArgs& a, const RnnBackwardOutputs& out,
                       const RnnBackwardWork& w, int part, float* scratch) {
  const RnnTrainArgs& f = a.f;
  const int B = f.batch, T = f.timesteps, D = f.input_dim, H = f.units;
  const int g = gate_count(f.cell), gH = g * H;
  const int rows = T * B;  // fits int (the caller checks batch*timesteps)
  const bool gru = f.cell == Cell::Gru;
  Carve take(scratch);

  // The rows s*B + b of x in processing order: x[b, t(s)].
  auto x_row = [&](int r) {
    const int s = r / B, b = r % B;
    const int t = f.go_backwards ? T - 1 - s : s;
    return f.x + (size_t(b) * T + t) * D;
  };

  switch (part) {
    case kKernelPart: {
      // dKernel = X^T @ dZx, per gate through its drop mask (X's rows: processing order).
      float* X = take.take(size_t(rows) * D);
      const int groups = f.drop_mask ? g : 1;
      const int cols = f.drop_mask ? H : gH;
      for (int k = 0; k < groups; k++) {
        for (int r = 0; r < rows; r++) {
          const float* x = x_row(r);
          float* dst = X + size_t(r) * D;
          if (!f.drop_mask) {
            std::memcpy(dst, x, size_t(D) * sizeof(float));
          } else {
            const float* m = f.drop_mask + (size_t(k) * B + r % B) * D;
            for (int d = 0; d < D; d++) dst[d] = x[d] * m[d];
          }
        }
        gemm(Op::T, Op::N, D, cols, rows, X, D, w.dzx + size_t(k) * H, gH, 0.0f,
             out.d_kernel + size_t(k) * H, gH);
      }
      break;
    }
    case kInputPart: {
      // dx = dZx @ kernel^T (per gate, times its drop mask), then back to input order.
      float* dxs = take.take(size_t(rows) * D);
      if (!f.drop_mask) {
        gemm(Op::N, Op::T, rows, D, gH, w.dzx, gH, f.kernel, gH, 0.0f, dxs, D);
      } else {
        float* product = take.take(size_t(rows) * D);
        std::memset(dxs, 0, size_t(rows) * D * sizeof(float));
        for (int k = 0; k < g; k++) {
          gemm(Op::N, Op::T, rows, D, H, w.dzx + size_t(k) * H, gH, f.kernel + size_t(k) * H, gH,
               0.0f, product, D);
          for (int r = 0; r < rows; r++) {
            const float* m = f.drop_mask + (size_t(k) * B + r % B) * D;
            for (int d = 0; d < D; d++) dxs[size_t(r) * D + d] += product[size_t(r) * D + d] * m[d];
          }
        }
      }
      for (int r = 0; r < rows; r++) {
        const float* src = dxs + size_t(r) * D;
        float* dst = out.dx + (x_row(r) - f.x);
        std::memcpy(dst, src, size_t(D) * sizeof(float));
      }
      break;
    }
    case kRecurrentKernelPart: {
      // dRecurrentKernel = Hprev^T @ dZh, per gate through its recurrent drop mask; the tape's
      // first T*B state rows are every step's h_prev. GRU before: the candidate's columns read
      // r * h_prev instead (reset_h).
      const float* rm = f.recurrent_drop_mask;
      const int plain_gates = gru && !f.reset_after ? 2 : g;
      const TapeLayout layout = tape_layout(f.cell, f.reset_after, B, T, H);
      const float* h_prev = a.tape + layout.h;
      if (!rm) {
        gemm(Op::T, Op::N, H, plain_gates * H, rows, h_prev, H, w.dzh, gH, 0.0f,
             out.d_recurrent_kernel, gH);
      } else {
        float* dropped = take.take(size_t(rows) * H);
        for (int k = 0; k < plain_gates; k++) {
          for (int r = 0; r < rows; r++) {
            const float* m = rm + (size_t(k) * B + r % B) * H;
            for (int j = 0; j < H; j++)
              dropped[size_t(r) * H + j] = h_prev[size_t(r) * H + j] * m[j];
          }
          gemm(Op::T, Op::N, H, H, rows, dropped, H, w.dzh + size_t(k) * H, gH, 0.0f,
               out.d_recurrent_kernel + size_t(k) * H, gH);
        }
      }
      if (w.reset_h)
        gemm(Op::T, Op::N, H, H, rows, w.reset_h, H, w.dzx + 2 * size_t(H), gH, 0.0f,
             out.d_recurrent_kernel + 2 * size_t(H), gH);
      break;
    }
    case kBiasPart: {
      // dBias = the column sums of dZx; GRU with reset_after: its second row those of dZh.
      if (!f.bias) break;
      const bool two_rows = gru && f.reset_after;
      std::memset(out.d_bias, 0, size_t(two_rows ? 2 : 1) * gH * sizeof(float));
      for (int r = 0; r < rows; r++)
        for (int j = 0; j < gH; j++) out.d_bias[j] += w.dzx[size_t(r) * gH + j];
      if (two_rows)
        for (int r = 0; r < rows; r++)
          for (int j = 0; j < gH; j++) out.d_bias[gH + j] += w.dzh[size_t(r) * gH + j];
      break;
    }
    default: break;
  }
}

}  // namespace rnnkit
