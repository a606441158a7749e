// Keras activations on float32, applied in place over a span.
// Reference math (docs/KERNELS.md "Activations"):
//   linear x; tanh; sigmoid 1/(1+exp(-x)); hard_sigmoid clip(x/6 + 0.5, 0, 1) (Keras 3);
//   hard_sigmoid_keras2 clip(0.2x + 0.5, 0, 1); relu max(x, 0); relu6 min(max(x, 0), 6);
//   elu x > 0 ? x : exp(x) - 1;
//   selu 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (exp(x) - 1));
//   softplus log(1 + exp(x)); softsign x / (1 + |x|); exponential exp(x); silu x * sigmoid(x).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstring>

namespace rnnkit {

enum class Activation {
  Linear,
  Tanh,
  Sigmoid,
  HardSigmoid,
  HardSigmoidKeras2,
  Relu,
  Relu6,
  Elu,
  Selu,
  Softplus,
  Softsign,
  Exponential,
  Silu,
};

// Names as binding.d.ts spells them, in enum order.
inline constexpr const char* kActivationNames[] = {
    "linear", "tanh",     "sigmoid",     "hard_sigmoid", "hard_sigmoid_keras2", "relu", "relu6",
    "elu",    "selu",     "softplus",    "softsign",     "exponential",         "silu",
};
inline constexpr int kActivationCount = sizeof(kActivationNames) / sizeof(kActivationNames[0]);

// Returns false for an unknown name.
inline bool parse_activation(const char* name, Activation* out) {
  for (int i = 0; i < kActivationCount; i++) {
    if (std::strcmp(name, kActivationNames[i]) == 0) {
      *out = static_cast<Activation>(i);
      return true;
    }
  }
  return false;
}

// Split on the sign so exp never overflows: for x < 0, exp(x) / (1 + exp(x)).
inline float sigmoidf(float x) {
  if (x >= 0.0f) return 1.0f / (1.0f + std::exp(-x));
  const float e = std::exp(x);
  return e / (1.0f + e);
}

inline float clip01(float x) { return x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x); }

// expm1 is exp(x) - 1 without the cancellation near 0.
inline float eluf(float x) { return x > 0.0f ? x : std::expm1(x); }

inline float seluf(float x) {
  const float scale = 1.0507009873554805f, alpha = 1.6732632423543772f;
  return scale * (x > 0.0f ? x : alpha * std::expm1(x));
}

// log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)): no overflow for large x, no loss for small.
inline float softplusf(float x) { return std::fmax(x, 0.0f) + std::log1p(std::exp(-std::fabs(x))); }

// Applies f to x[0..n). A template so each activation's loop is compiled on its own.
template <typename F>
inline void map_inplace(float* x, size_t n, F f) {
  for (size_t i = 0; i < n; i++) x[i] = f(x[i]);
}

// x[0..n) = act(x[0..n)). The switch is outside the loop.
inline void activate(Activation act, float* x, size_t n) {
  switch (act) {
    case Activation::Linear: return;
    case Activation::Tanh: return map_inplace(x, n, [](float v) { return std::tanh(v); });
    case Activation::Sigmoid: return map_inplace(x, n, sigmoidf);
    case Activation::HardSigmoid:
      return map_inplace(x, n, [](float v) { return clip01(v / 6.0f + 0.5f); });
    case Activation::HardSigmoidKeras2:
      return map_inplace(x, n, [](float v) { return clip01(0.2f * v + 0.5f); });
    // Comparisons written so NaN passes through, as max/min in TF and Math.max in JS do.
    case Activation::Relu: return map_inplace(x, n, [](float v) { return v < 0.0f ? 0.0f : v; });
    case Activation::Relu6:
      return map_inplace(x, n, [](float v) { return v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v); });
    case Activation::Elu: return map_inplace(x, n, eluf);
    case Activation::Selu: return map_inplace(x, n, seluf);
    case Activation::Softplus: return map_inplace(x, n, softplusf);
    case Activation::Softsign:
      return map_inplace(x, n, [](float v) { return v / (1.0f + std::fabs(v)); });
    case Activation::Exponential: return map_inplace(x, n, [](float v) { return std::exp(v); });
    case Activation::Silu: return map_inplace(x, n, [](float v) { return v * sigmoidf(v); });
  }
}

}  // namespace rnnkit
