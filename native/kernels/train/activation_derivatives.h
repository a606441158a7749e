// The derivative of each Keras activation, for the backward passes: d act(x) / dx from the
// pre-activation x and the activation's value y = act(x) (most are cheapest from y).
// Reference: src/backend/ts/activation-derivatives.ts. At kinks (relu at 0, the clips' ends) the
// derivative is TensorFlow's: 0.
#pragma once

#include <cmath>
#include <cstddef>

#include "../activations.h"

namespace rnnkit {

// d[i] = f(x[i], y[i]) for i in [0, n). A template so each activation's loop compiles on its own.
template <typename F>
inline void map_derivative(const float* x, const float* y, float* d, size_t n, F f) {
  for (size_t i = 0; i < n; i++) d[i] = f(x[i], y[i]);
}

// d[0..n) = act'(x[0..n)), given y[0..n) = act(x[0..n)). The switch is outside the loop. d may
// alias x or y: each element is read before it is written.
inline void activation_derivative(Activation act, const float* x, const float* y, float* d,
                                  size_t n) {
  constexpr float kSeluScale = 1.0507009873554805f, kSeluAlpha = 1.6732632423543772f;
  switch (act) {
    case Activation::Linear: return map_derivative(x, y, d, n, [](float, float) { return 1.0f; });
    case Activation::Tanh:
      return map_derivative(x, y, d, n, [](float, float v) { return 1.0f - v * v; });
    case Activation::Sigmoid:
      return map_derivative(x, y, d, n, [](float, float v) { return v * (1.0f - v); });
    case Activation::HardSigmoid:  // relu6(x + 3) / 6
      return map_derivative(x, y, d, n,
                            [](float u, float) { return u > -3.0f && u < 3.0f ? 1.0f / 6.0f : 0.0f; });
    case Activation::HardSigmoidKeras2:
      return map_derivative(x, y, d, n,
                            [](float u, float) { return u > -2.5f && u < 2.5f ? 0.2f : 0.0f; });
    case Activation::Relu:
      return map_derivative(x, y, d, n, [](float u, float) { return u > 0.0f ? 1.0f : 0.0f; });
    case Activation::Relu6:
      return map_derivative(x, y, d, n,
                            [](float u, float) { return u > 0.0f && u < 6.0f ? 1.0f : 0.0f; });
    case Activation::Elu:
      return map_derivative(x, y, d, n, [](float u, float v) { return u > 0.0f ? 1.0f : v + 1.0f; });
    case Activation::Selu:
      return map_derivative(x, y, d, n, [=](float u, float v) {
        return u > 0.0f ? kSeluScale : v + kSeluScale * kSeluAlpha;
      });
    case Activation::Softplus:
      return map_derivative(x, y, d, n, [](float u, float) { return sigmoidf(u); });
    case Activation::Softsign:
      return map_derivative(x, y, d, n, [](float u, float) {
        const float q = 1.0f + std::fabs(u);
        return 1.0f / (q * q);
      });
    case Activation::Exponential:
      return map_derivative(x, y, d, n, [](float, float v) { return v; });
    case Activation::Silu:
      return map_derivative(x, y, d, n, [](float u, float) {
        const float s = sigmoidf(u);
        return s + u * s * (1.0f - s);
      });
  }
}

}  // namespace rnnkit
