// The N-API entry points of the training kernels: rnnTrainForward, rnnBackward, denseBackward and
// their Async variants (binding.d.ts). addon.cc registers them on the module's exports.
#pragma once

#include <napi.h>

namespace rnnkit {

// Defines the six functions on exports (enumerable, read-only, like the addon's others).
void define_training_exports(Napi::Env env, Napi::Object exports);

}  // namespace rnnkit
