// rnnTrainForward over a range of samples. Reference: src/backend/ts/rnn-train-forward.ts, which
// this follows step by step (same sums, same tape):
//   1. the input projection of every (sample, input step), one GEMM over all the range's rows
//      (one per gate with input dropout, each gate reading x through its own mask), plus the bias;
//   2. per step, the recurrent product h_prev @ U (one GEMM, or one per gate with recurrent
//      dropout), then the gate math per sample, recording every gate's sum before its activation.
// The activations are the inference kernels' own (rnn_isa().activate), so without dropout the
// results are rnnForward's up to the order of the sums.
#include "rnn_train_forward.h"

#include <cstring>

#include "../rnn_isa.h"
#include "blas.h"
#include "carve.h"
#include "tape.h"

namespace rnnkit {
namespace {

// The parts of one range's scratch (carve.h).
struct ForwardScratch {
  float* p;         // (samples * T, gH): the projection, rows bl*T + t (input time order)
  float* xk;        // (samples * T, D): x through gate k's drop mask (with input dropout)
  float* row_bias;  // (gH): the bias added to every projected row
  float* acc;       // (samples, gH): the step's sums, then the gates' values
  float* dropped;   // (samples, H): h_prev through a gate's recurrent drop mask
  float* reset_h;   // (samples, H): GRU before: r * (dropped) h_prev
  float* act_c;     // (H): LSTM: act(c) of one sample
  float* last;      // (samples, H): each sample's last output (with return_sequences)
};

// Carves the scratch of `samples` samples from base (null: only counts); returns its floats.
size_t carve(const RnnTrainArgs& a, int samples, float* base, ForwardScratch* w) {
  const size_t n = size_t(samples), T = size_t(a.timesteps), D = size_t(a.input_dim);
  const size_t H = size_t(a.units), gH = size_t(gate_count(a.cell)) * H;
  Carve take(base);
  w->p = take.take(n * T * gH);
  w->xk = take.take(a.drop_mask ? n * T * D : 0);
  w->row_bias = take.take(gH);
  w->acc = take.take(n * gH);
  w->dropped = take.take(n * H);
  w->reset_h = take.take(n * H);
  w->act_c = take.take(H);
  w->last = take.take(n * H);
  return take.used();
}

// out (samples, H) = h (samples, H) * recurrent_drop_mask[k] rows b0.. (or h itself without one).
const float* drop_state(const RnnTrainArgs& a, const float* h, int k, int b0, int samples,
                        float* out) {
  if (!a.recurrent_drop_mask) return h;
  const size_t n = size_t(samples) * a.units;
  const float* m = a.recurrent_drop_mask + (size_t(k) * a.batch + b0) * a.units;
  for (size_t i = 0; i < n; i++) out[i] = h[i] * m[i];
  return out;
}

// p (samples * T, gH), rows bl*T + t: x (through gate k's drop mask) @ kernel + the bias (for GRU
// with reset_after, the input bias plus the recurrent bias of z and r, which add up the same).
void project_inputs(const RnnTrainArgs& a, int b0, int samples, const ForwardScratch& w) {
  const int B = a.batch, T = a.timesteps, D = a.input_dim, H = a.units;
  const int g = gate_count(a.cell), gH = g * H;
  const int rows = samples * T;
  const float* x = a.x + size_t(b0) * T * D;
  if (!a.drop_mask) {
    gemm(Op::N, Op::N, rows, gH, D, x, D, a.kernel, gH, 0.0f, w.p, gH);
  } else {
    for (int k = 0; k < g; k++) {
      for (int bl = 0; bl < samples; bl++) {
        const float* m = a.drop_mask + (size_t(k) * B + b0 + bl) * D;
        for (int t = 0; t < T; t++) {
          const size_t row = (size_t(bl) * T + t) * D;
          for (int d = 0; d < D; d++) w.xk[row + d] = x[row + d] * m[d];
        }
      }
      gemm(Op::N, Op::N, rows, H, D, w.xk, D, a.kernel + size_t(k) * H, gH, 0.0f,
           w.p + size_t(k) * H, gH);
    }
  }
  if (!a.bias) return;
  const bool gru_after = a.cell == Cell::Gru && a.reset_after;
  for (int j = 0; j < gH; j++)
    w.row_bias[j] = a.bias[j] + (gru_after && j < 2 * H ? a.bias[gH + j] : 0.0f);
  for (int r = 0; r < rows; r++) {
    float* p = w.p + size_t(r) * gH;
    for (int j = 0; j < gH; j++) p[j] += w.row_bias[j];
  }
}

}  // namespace

size_t rnn_train_forward_scratch_floats(const RnnTrainArgs& a, int samples) {
  ForwardScratch w;
  return carve(a, samples, nullptr, &w);
}

void rnn_train_forward_samples(const RnnTrainArgs& a, const RnnTrainOutputs& out, int b0, int b1,
                               float* scratch) {
  const int B = a.batch, T = a.timesteps, H = a.units;
  const int g = gate_count(a.cell), gH = g * H;
  const int n = b1 - b0;  // samples in the range
  const bool lstm = a.cell == Cell::Lstm, gru = a.cell == Cell::Gru;
  const bool gru_before = gru && !a.reset_after, gru_after = gru && a.reset_after;
  const Activation act = a.activation, ract = a.recurrent_activation;
  auto activate = rnn_isa().activate;
  const float* U = a.recurrent_kernel;

  ForwardScratch w;
  carve(a, n, scratch, &w);
  const TapeLayout layout = tape_layout(a.cell, a.reset_after, B, T, H);
  float* const tape_h = out.tape + layout.h;
  float* const tape_c = lstm ? out.tape + layout.c : nullptr;
  float* const tape_pre = out.tape + layout.pre;
  float* const tape_rec = gru_after ? out.tape + layout.rec : nullptr;
  const size_t HB = size_t(H) * sizeof(float);  // bytes of one state row

  // The states before step 0: the initial states, or zeros.
  for (int b = b0; b < b1; b++) {
    float* h0 = tape_h + size_t(b) * H;
    if (a.initial_h) std::memcpy(h0, a.initial_h + size_t(b) * H, HB);
    else std::memset(h0, 0, HB);
    if (!lstm) continue;
    float* c0 = tape_c + size_t(b) * H;
    if (a.initial_c) std::memcpy(c0, a.initial_c + size_t(b) * H, HB);
    else std::memset(c0, 0, HB);
  }

  project_inputs(a, b0, n, w);

  // Each sample's previous output (zeros before any): the output itself without return_sequences.
  float* const last = a.return_sequences ? w.last : out.output + size_t(b0) * H;
  std::memset(last, 0, size_t(n) * HB);

  // GRU before: U_h waits for r, so the step's first product covers z and r only.
  const int recurrent_gates = gru_before ? 2 : g;
  // GRU's candidate takes its input part later (outside the reset gate's product).
  const int input_cols = gru ? 2 * H : gH;

  for (int s = 0; s < T; s++) {
    const int t = a.go_backwards ? T - 1 - s : s;
    const size_t row0 = size_t(s) * B + b0;  // the range's first row at this step
    const float* h_prev = tape_h + row0 * H;
    float* h_next = tape_h + (row0 + B) * H;
    const float* c_prev = lstm ? tape_c + row0 * H : nullptr;
    float* c_next = lstm ? tape_c + (row0 + B) * H : nullptr;
    float* pre = tape_pre + row0 * gH;

    // acc = h_prev @ U (of the gates that read h_prev directly), then + the input part.
    if (!a.recurrent_drop_mask) {
      gemm(Op::N, Op::N, n, recurrent_gates * H, H, h_prev, H, U, gH, 0.0f, w.acc, gH);
    } else {
      for (int k = 0; k < recurrent_gates; k++) {
        const float* hk = drop_state(a, h_prev, k, b0, n, w.dropped);
        gemm(Op::N, Op::N, n, H, H, hk, H, U + size_t(k) * H, gH, 0.0f, w.acc + size_t(k) * H,
             gH);
      }
    }
    for (int bl = 0; bl < n; bl++) {
      const float* p = w.p + (size_t(bl) * T + t) * gH;
      float* z = w.acc + size_t(bl) * gH;
      for (int j = 0; j < input_cols; j++) z[j] += p[j];
    }

    if (gru_before) {
      // z and r first; then (r * dropped h_prev) @ U_h for the candidate.
      for (int bl = 0; bl < n; bl++) {
        float* z = w.acc + size_t(bl) * gH;
        std::memcpy(pre + size_t(bl) * gH + H, z + H, HB);  // r's sum
        activate(ract, z + H, size_t(H));
      }
      const float* hh = drop_state(a, h_prev, 2, b0, n, w.dropped);
      for (int bl = 0; bl < n; bl++)
        for (int j = 0; j < H; j++)
          w.reset_h[size_t(bl) * H + j] = w.acc[size_t(bl) * gH + H + j] * hh[size_t(bl) * H + j];
      gemm(Op::N, Op::N, n, H, H, w.reset_h, H, U + 2 * size_t(H), gH, 0.0f,
           w.acc + 2 * size_t(H), gH);
      for (int bl = 0; bl < n; bl++) {
        const float* p = w.p + (size_t(bl) * T + t) * gH;
        float* z = w.acc + size_t(bl) * gH;
        for (int j = 2 * H; j < gH; j++) z[j] += p[j];
        std::memcpy(pre + size_t(bl) * gH, z, HB);                  // z's sum
        std::memcpy(pre + size_t(bl) * gH + 2 * H, z + 2 * H, HB);  // the candidate's
      }
    } else if (gru_after) {
      // The candidate's sum is x_h + r * (h_prev @ U_h + b_rh); the bracket goes to the tape.
      const float* b_rh = a.bias ? a.bias + gH + 2 * H : nullptr;
      for (int bl = 0; bl < n; bl++) {
        const float* p = w.p + (size_t(bl) * T + t) * gH;
        float* z = w.acc + size_t(bl) * gH;
        float* pre_row = pre + size_t(bl) * gH;
        float* rec = tape_rec + (row0 + bl) * H;
        std::memcpy(pre_row, z, 2 * HB);  // z's and r's sums
        activate(ract, z + H, size_t(H));
        for (int j = 0; j < H; j++) {
          rec[j] = z[2 * H + j] + (b_rh ? b_rh[j] : 0.0f);
          z[2 * H + j] = p[2 * H + j] + z[H + j] * rec[j];
          pre_row[2 * H + j] = z[2 * H + j];
        }
      }
    } else {
      std::memcpy(pre, w.acc, size_t(n) * gH * sizeof(float));
    }

    // The gate math, per sample; a masked sample keeps its states.
    for (int bl = 0; bl < n; bl++) {
      const int b = b0 + bl;
      const size_t st = size_t(bl) * H;
      if (a.mask && a.mask[size_t(b) * T + t] == 0) {
        std::memcpy(h_next + st, h_prev + st, HB);
        if (lstm) std::memcpy(c_next + st, c_prev + st, HB);
        continue;
      }
      float* z = w.acc + size_t(bl) * gH;
      if (a.cell == Cell::SimpleRnn) {
        activate(act, z, size_t(H));
        std::memcpy(h_next + st, z, HB);
      } else if (lstm) {
        activate(ract, z, 2 * size_t(H));          // i, f
        activate(act, z + 2 * H, size_t(H));       // the candidate
        activate(ract, z + 3 * H, size_t(H));      // o
        for (int j = 0; j < H; j++) {
          const float c = z[H + j] * c_prev[st + j] + z[j] * z[2 * H + j];
          c_next[st + j] = c;
          w.act_c[j] = c;
        }
        activate(act, w.act_c, size_t(H));
        for (int j = 0; j < H; j++) h_next[st + j] = z[3 * H + j] * w.act_c[j];
      } else {
        activate(ract, z, size_t(H));              // z (r is done)
        activate(act, z + 2 * H, size_t(H));       // the candidate
        for (int j = 0; j < H; j++)
          h_next[st + j] = z[j] * h_prev[st + j] + (1.0f - z[j]) * z[2 * H + j];
      }
    }

    // The outputs: the new state where kept, else the previous output (or zeros).
    for (int bl = 0; bl < n; bl++) {
      const int b = b0 + bl;
      const size_t st = size_t(bl) * H;
      if (!a.mask || a.mask[size_t(b) * T + t] != 0)
        std::memcpy(last + st, h_next + st, HB);
      else if (a.zero_output_for_mask)
        std::memset(last + st, 0, HB);
      if (a.return_sequences)
        std::memcpy(out.output + (size_t(b) * T + s) * H, last + st, HB);
    }
  }

  // The final states: the tape's last rows.
  const size_t final_row = size_t(T) * B + b0;
  std::memcpy(out.h + size_t(b0) * H, tape_h + final_row * H, size_t(n) * HB);
  if (lstm) std::memcpy(out.c + size_t(b0) * H, tape_c + final_row * H, size_t(n) * HB);
}

}  // namespace rnnkit
