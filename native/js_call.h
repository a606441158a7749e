// One validated call of an N-API entry point, run synchronously or on the libuv pool: the one
// mechanism behind every entry point of addon.cc and train_addon.cc.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "napi.h"

namespace rnnkit {

// A validated call: the kernel's run over its arguments, the JS arrays they point into, and the
// preallocated result the run fills in.
struct JsCall {
  std::function<void()> compute;  // off the JS thread in the async variants; throws only bad_alloc
  std::vector<Napi::Value> inputs;
  Napi::Value result;
  // Out of memory is a RangeError (as V8's own "Array buffer allocation failed") for the training
  // entry points; the inference ones have always thrown a plain Error for it.
  bool out_of_memory_is_range_error = false;
};

// Runs the call on this thread; a failure throws an error naming fn.
Napi::Value run_sync(Napi::Env env, const char* fn, JsCall call);
// Queues the call on the libuv pool; the promise settles with the result or the same error.
Napi::Value run_async(Napi::Env env, const char* fn, JsCall call);

// A new Float32Array of n elements; *data points at its storage.
Napi::Float32Array new_f32(Napi::Env env, uint64_t n, float** data);

}  // namespace rnnkit
