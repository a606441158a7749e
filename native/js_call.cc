// See js_call.h.
#include "js_call.h"

#include <exception>
#include <new>
#include <string>
#include <utility>

namespace rnnkit {
namespace {

// The kernels throw only std::bad_alloc (scratch buffers); anything else is a bug, reported too.
// Returns whether the failure is out of memory; *message is the error's message.
bool failure(const char* fn, std::exception_ptr error, std::string* message) {
  try {
    std::rethrow_exception(error);
  } catch (const std::bad_alloc&) {
    *message = std::string(fn) + ": out of memory for scratch buffers";
    return true;
  } catch (const std::exception& e) {
    *message = std::string(fn) + ": " + e.what();
  } catch (...) {
    *message = std::string(fn) + ": unknown failure";
  }
  return false;
}

Napi::Error error_of(Napi::Env env, const std::string& message, bool range_error) {
  return range_error ? Napi::RangeError::New(env, message) : Napi::Error::New(env, message);
}

// Runs a validated call on the libuv pool. The input arrays and the preallocated result are held
// by references until the promise settles, so the garbage collector cannot free their memory
// while the kernel reads and writes it; the computation takes its threads under the pool's
// admission rule (thread_pool.h), like every other call.
class ComputeWorker : public Napi::AsyncWorker {
 public:
  ComputeWorker(Napi::Env env, const char* fn, JsCall call)
      : Napi::AsyncWorker(env, fn),
        fn_(fn),
        deferred_(Napi::Promise::Deferred::New(env)),
        compute_(std::move(call.compute)),
        result_(Napi::Persistent(call.result.As<Napi::Object>())),
        oom_range_error_(call.out_of_memory_is_range_error) {
    for (const Napi::Value& v : call.inputs)
      inputs_.push_back(Napi::Persistent(v.As<Napi::Object>()));
  }

  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  // Off the JS thread: no N-API here, and no exception may escape.
  void Execute() override {
    try {
      compute_();
    } catch (...) {
      std::string message;
      out_of_memory_ = failure(fn_, std::current_exception(), &message);
      SetError(message);
    }
  }
  void OnOK() override { deferred_.Resolve(result_.Value()); }
  // The sync call's error class.
  void OnError(const Napi::Error& e) override {
    if (out_of_memory_ && oom_range_error_)
      deferred_.Reject(Napi::RangeError::New(Env(), e.Message()).Value());
    else
      deferred_.Reject(e.Value());
  }
  // Runs on the JS thread from libuv. If the environment is being torn down (a worker_thread
  // terminated with this call in flight), settling the promise fails: nothing may escape into
  // libuv, where an exception aborts the process, so the failure is dropped with the promise.
  void OnWorkComplete(Napi::Env env, napi_status status) override {
    try {
      Napi::AsyncWorker::OnWorkComplete(env, status);
    } catch (...) {
    }
  }

 private:
  const char* fn_;
  Napi::Promise::Deferred deferred_;
  std::function<void()> compute_;
  Napi::ObjectReference result_;
  std::vector<Napi::ObjectReference> inputs_;
  bool oom_range_error_;
  bool out_of_memory_ = false;  // written by Execute, read by OnError after it (libuv orders them)
};

}  // namespace

Napi::Value run_sync(Napi::Env env, const char* fn, JsCall call) {
  try {
    call.compute();
  } catch (...) {
    std::string message;
    const bool oom = failure(fn, std::current_exception(), &message);
    throw error_of(env, message, oom && call.out_of_memory_is_range_error);
  }
  return call.result;
}

Napi::Value run_async(Napi::Env env, const char* fn, JsCall call) {
  auto* worker = new ComputeWorker(env, fn, std::move(call));  // deletes itself once settled
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

Napi::Float32Array new_f32(Napi::Env env, uint64_t n, float** data) {
  Napi::Float32Array a = Napi::Float32Array::New(env, size_t(n));
  *data = a.Data();
  return a;
}

}  // namespace rnnkit
