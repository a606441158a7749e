// The N-API boundary of the training kernels (binding.d.ts rnnTrainForward, rnnBackward,
// denseBackward and their Async variants): argument checks, typed-array views, output allocation
// and async plumbing. The math is in kernels/train/, its scheduling in train_run.cc.
//
// The sync and Async variants run through js_call.h, as addon.cc's entry points do: results are
// allocated and arguments checked synchronously on the JS thread (a bad argument THROWS, the same
// error as the sync call with the async function's name), and the Async ones compute on the libuv
// pool while references hold the input arrays and the result.
//
// The checks are the TypeScript backend's (src/backend/ts/validate.ts: validateRnnTrainArgs,
// validateRnnBackwardArgs, validateDenseBackwardArgs), in its order, worded like addon.cc's
// ArgReader: a wrong type or a missing field is a TypeError, a wrong size or value a RangeError,
// and every message starts with the function's name and names the field, what was expected and
// what came. Every field is checked before any work; nothing aborts.
//
// Fields are read by name (napi_get_named_property): a training call computes for milliseconds,
// so the microseconds addon.cc saves with its cached keys would not show here.
#include "describe_value.h"
#include "js_call.h"
#include "train_addon.h"

#include <climits>
#include <cmath>
#include <cstdint>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "kernels/train/tape.h"
#include "train_run.h"

namespace rnnkit {
namespace {

constexpr const char* kCellNames[] = {"simple_rnn", "lstm", "gru"};  // Cell enum order


// Reads and checks the fields of one call's arguments object; throws Napi::TypeError or
// Napi::RangeError whose message starts with the function's name.
class Reader {
 public:
  Reader(const Napi::CallbackInfo& info, const char* fn) : env_(info.Env()), fn_(fn) {
    if (info.Length() < 1) throw type_error("expected an arguments object, got no argument");
    const Napi::Value v = info[0];
    if (!v.IsObject() || v.IsTypedArray())
      throw type_error("expected an arguments object, got " + describe_type(v));
    obj_ = v.As<Napi::Object>();
  }

  Napi::Env env() const { return env_; }
  Napi::Value get(const char* field) const { return obj_.Get(field); }

  Napi::Error type_error(const std::string& msg) const {
    return Napi::TypeError::New(env_, fn_ + ": " + msg);
  }
  Napi::Error range_error(const std::string& msg) const {
    return Napi::RangeError::New(env_, fn_ + ": " + msg);
  }

  // An integer >= 1 that fits a C int (BLAS dimensions are ints).
  int dim(const char* field) const {
    const Napi::Value v = get(field);
    const std::string want = std::string(field) + " must be an integer >= 1";
    if (!v.IsNumber()) throw type_error(want + ", got " + describe_type(v));
    const double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= 1) || d != std::floor(d)) throw range_error(want + ", got " + text(v));
    if (d > INT_MAX)
      throw range_error(std::string(field) + " must be at most " + std::to_string(INT_MAX) +
                        " (BLAS takes 32-bit ints), got " + text(v));
    return int(d);
  }

  bool boolean(const char* field) const {
    const Napi::Value v = get(field);
    if (!v.IsBoolean())
      throw type_error(std::string(field) + " must be a boolean, got " + describe_type(v));
    return v.As<Napi::Boolean>().Value();
  }

  // A string among names; returns its index.
  int choice(const char* field, const char* const* names, int count) const {
    const Napi::Value v = get(field);
    std::string want = std::string(field) + " must be one of ";
    for (int i = 0; i < count; i++) want += (i ? ", '" : "'") + std::string(names[i]) + "'";
    if (!v.IsString()) throw type_error(want + ", got " + describe_type(v));
    const std::string s = v.As<Napi::String>().Utf8Value();
    for (int i = 0; i < count; i++)
      if (s == names[i]) return i;
    throw range_error(want + ", got '" + (s.size() > 40 ? s.substr(0, 40) + "..." : s) + "'");
  }

  // A product of dimensions that becomes a BLAS int.
  void fits_int(const std::string& expr, uint64_t value) const {
    if (value > uint64_t(INT_MAX))
      throw range_error(expr + " = " + std::to_string(value) + " must be at most " +
                        std::to_string(INT_MAX) + " (BLAS takes 32-bit ints)");
  }

  // A Float32Array of exactly n = expr elements, or nullptr for null when nullable.
  const float* f32(const char* field, uint64_t n, const std::string& expr, bool nullable) {
    return static_cast<const float*>(
        typed(field, n, expr, nullable, napi_float32_array, "Float32Array"));
  }
  const uint8_t* u8(const char* field, uint64_t n, const std::string& expr, bool nullable) {
    return static_cast<const uint8_t*>(
        typed(field, n, expr, nullable, napi_uint8_array, "Uint8Array"));
  }

  // A field that must be null for this call (e.g. initialC of a GRU).
  void null_only(const char* field, const std::string& why) const {
    const Napi::Value v = get(field);
    if (!v.IsNull())
      throw type_error(std::string(field) + " must be null (" + why + "), got " +
                       describe_type(v));
  }

  // Every value of a drop mask finite and >= 0 (0 drops, 1 / (1 - rate) keeps).
  void drop_mask_values(const char* field, const float* m, uint64_t n) const {
    if (!m) return;
    for (uint64_t i = 0; i < n; i++) {
      if (m[i] >= 0.0f && m[i] != INFINITY) continue;
      throw range_error(std::string(field) + " must hold finite values >= 0, got " +
                        Napi::Number::New(env_, double(m[i])).ToString().Utf8Value() +
                        " at index " + std::to_string(i));
    }
  }

  // The validated arrays, for the async variants to hold until their promise settles. Called
  // after check_unchanged.
  std::vector<Napi::Value> inputs() const {
    std::vector<Napi::Value> values;
    for (const View& view : views_) values.push_back(view.value);
    return values;
  }

  // After the last read: no array changed since it was checked (a getter of a later field could
  // have detached or shrunk an earlier array's buffer, leaving its pointer dangling).
  void check_unchanged() const {
    for (const View& view : views_) {
      void* data = nullptr;
      size_t length = 0;
      napi_get_typedarray_info(env_, view.value, nullptr, &length, &data, nullptr, nullptr);
      if (data != view.data || length != view.length)
        throw type_error(std::string(view.field) +
                         " changed (detached or resized) while the arguments were read");
    }
  }

 private:
  static std::string text(const Napi::Value& v) { return v.ToString().Utf8Value(); }

  const void* typed(const char* field, uint64_t n, const std::string& expr, bool nullable,
                    napi_typedarray_type type, const char* type_name) {
    const Napi::Value v = get(field);
    if (nullable && v.IsNull()) return nullptr;
    void* data = nullptr;
    size_t length = 0;
    napi_typedarray_type actual = napi_int8_array;
    const bool typed_array = v.IsTypedArray();
    if (typed_array &&
        napi_get_typedarray_info(env_, v, &actual, &length, &data, nullptr, nullptr) != napi_ok)
      throw Napi::Error::New(env_);
    const std::string count = expr + " = " + std::to_string(n) + " elements";
    if (!typed_array || actual != type)
      throw type_error(std::string(field) + " must be " + (nullable ? "null or " : "") + "a " +
                       type_name + " of " + count + ", got " + describe_type(v));
    if (length != n)
      throw range_error(std::string(field) + " must have " + count + " (" + type_name +
                        "), got " + std::to_string(length));
    // napi_get_typedarray_info gives the view's data (byteOffset already added); an empty
    // view's data may be null, which no kernel reads (every array here has n >= 1).
    views_.push_back({field, v, data, length});
    return data;
  }

  struct View {
    const char* field;
    Napi::Value value;
    void* data;
    size_t length;
  };
  Napi::Env env_;
  std::string fn_;
  Napi::Object obj_;
  std::vector<View> views_;
};

Activation activation(const Reader& r, const char* field) {
  return Activation(r.choice(field, kActivationNames, kActivationCount));
}

// "4*" before units for g = 4, nothing for g = 1 (as the TypeScript backend words it).
std::string gates_times(int g) { return g == 1 ? "" : std::to_string(g) + "*"; }

// rnnTrainForward's fields (validateRnnTrainArgs): rnnForward's, never packed, and the drop masks.
RnnTrainArgs read_train_args(Reader& r) {
  const Napi::Value packed = r.get("packed");
  if (!packed.IsUndefined() && !packed.IsNull())
    throw r.type_error("packed must be undefined or null (training passes the weights as "
                       "arrays), got " + describe_type(packed));
  RnnTrainArgs a{};
  a.cell = Cell(r.choice("cell", kCellNames, 3));
  a.batch = r.dim("batch");
  a.timesteps = r.dim("timesteps");
  a.input_dim = r.dim("inputDim");
  a.units = r.dim("units");
  a.activation = activation(r, "activation");
  a.recurrent_activation = activation(r, "recurrentActivation");
  const bool reset_after = r.boolean("resetAfter");
  a.reset_after = a.cell == Cell::Gru && reset_after;  // ignored by the other cells
  a.go_backwards = r.boolean("goBackwards");
  a.return_sequences = r.boolean("returnSequences");
  a.zero_output_for_mask = r.boolean("zeroOutputForMask");

  const int g = gate_count(a.cell);
  const uint64_t B = uint64_t(a.batch), T = uint64_t(a.timesteps), D = uint64_t(a.input_dim);
  const uint64_t H = uint64_t(a.units);
  // With these two in int range, every product below fits easily in 64 bits.
  r.fits_int("batch*timesteps", B * T);
  const std::string gs = gates_times(g);
  r.fits_int(gs + "units", uint64_t(g) * H);

  a.x = r.f32("x", B * T * D, "batch*timesteps*inputDim", false);
  a.kernel = r.f32("kernel", D * g * H, "inputDim*" + gs + "units", false);
  a.recurrent_kernel = r.f32("recurrentKernel", H * g * H, "units*" + gs + "units", false);
  if (a.reset_after)  // (2, 3*units), as Keras stores it
    a.bias = r.f32("bias", 2 * 3 * H, "2*3*units", true);
  else
    a.bias = r.f32("bias", g * H, gs + "units", true);
  a.initial_h = r.f32("initialH", B * H, "batch*units", true);
  if (a.cell == Cell::Lstm)
    a.initial_c = r.f32("initialC", B * H, "batch*units", true);
  else
    r.null_only("initialC", std::string("only cell 'lstm' has a cell state, cell is '") +
                                kCellNames[int(a.cell)] + "'");
  a.mask = r.u8("mask", B * T, "batch*timesteps", true);
  a.drop_mask = r.f32("dropMask", g * B * D, gs + "batch*inputDim", true);
  a.recurrent_drop_mask = r.f32("recurrentDropMask", g * B * H, gs + "batch*units", true);
  r.drop_mask_values("dropMask", a.drop_mask, g * B * D);
  r.drop_mask_values("recurrentDropMask", a.recurrent_drop_mask, g * B * H);
  return a;
}

// rnnBackward's fields (validateRnnBackwardArgs): rnnTrainForward's, the tape and the results'
// gradients.
RnnBackwardArgs read_backward_args(Reader& r) {
  RnnBackwardArgs a{};
  a.f = read_train_args(r);
  const RnnTrainArgs& f = a.f;
  const uint64_t B = uint64_t(f.batch), T = uint64_t(f.timesteps), H = uint64_t(f.units);
  const TapeLayout layout = tape_layout(f.cell, f.reset_after, f.batch, f.timesteps, f.units);
  a.tape = r.f32("tape", layout.length, "the length rnnTrainForward returned", false);
  if (f.return_sequences)
    a.d_output = r.f32("dOutput", B * T * H, "batch*timesteps*units", false);
  else
    a.d_output = r.f32("dOutput", B * H, "batch*units", false);
  a.d_h = r.f32("dH", B * H, "batch*units", true);
  if (f.cell == Cell::Lstm)
    a.d_c = r.f32("dC", B * H, "batch*units", true);
  else
    r.null_only("dC", std::string("only cell 'lstm' has a cell state, cell is '") +
                          kCellNames[int(f.cell)] + "'");
  return a;
}

// The training entry points' calls: out of memory is a RangeError, as V8's own
// "Array buffer allocation failed" is.
JsCall training_call() {
  JsCall call;
  call.out_of_memory_is_range_error = true;
  return call;
}

JsCall parse_train_forward(const Napi::CallbackInfo& info, const char* fn) {
  Reader r(info, fn);
  const RnnTrainArgs a = read_train_args(r);
  r.check_unchanged();

  Napi::Env env = info.Env();
  const uint64_t B = uint64_t(a.batch), T = uint64_t(a.timesteps), H = uint64_t(a.units);
  const TapeLayout layout = tape_layout(a.cell, a.reset_after, a.batch, a.timesteps, a.units);
  RnnTrainOutputs out{};
  Napi::Object result = Napi::Object::New(env);
  result.Set("output", new_f32(env, a.return_sequences ? B * T * H : B * H, &out.output));
  result.Set("h", new_f32(env, B * H, &out.h));
  if (a.cell == Cell::Lstm) result.Set("c", new_f32(env, B * H, &out.c));
  else result.Set("c", env.Null());
  result.Set("tape", new_f32(env, layout.length, &out.tape));
  JsCall call = training_call();
  call.inputs = r.inputs();
  call.result = result;
  call.compute = [a, out] { rnn_train_forward(a, out); };
  return call;
}

JsCall parse_backward(const Napi::CallbackInfo& info, const char* fn) {
  Reader r(info, fn);
  const RnnBackwardArgs a = read_backward_args(r);
  r.check_unchanged();

  Napi::Env env = info.Env();
  const RnnTrainArgs& f = a.f;
  const uint64_t B = uint64_t(f.batch), T = uint64_t(f.timesteps), D = uint64_t(f.input_dim);
  const uint64_t H = uint64_t(f.units), gH = uint64_t(gate_count(f.cell)) * H;
  RnnBackwardOutputs out{};
  Napi::Object result = Napi::Object::New(env);
  result.Set("dx", new_f32(env, B * T * D, &out.dx));
  result.Set("dKernel", new_f32(env, D * gH, &out.d_kernel));
  result.Set("dRecurrentKernel", new_f32(env, H * gH, &out.d_recurrent_kernel));
  if (f.bias) result.Set("dBias", new_f32(env, (f.reset_after ? 2 : 1) * gH, &out.d_bias));
  else result.Set("dBias", env.Null());
  result.Set("dInitialH", new_f32(env, B * H, &out.d_initial_h));
  if (f.cell == Cell::Lstm) result.Set("dInitialC", new_f32(env, B * H, &out.d_initial_c));
  else result.Set("dInitialC", env.Null());
  JsCall call = training_call();
  call.inputs = r.inputs();
  call.result = result;
  call.compute = [a, out] { rnn_backward(a, out); };
  return call;
}

JsCall parse_dense_backward(const Napi::CallbackInfo& info, const char* fn) {
  Reader r(info, fn);
  DenseBackwardArgs a{};
  a.rows = r.dim("rows");
  a.input_dim = r.dim("inputDim");
  a.units = r.dim("units");
  a.activation = activation(r, "activation");
  const uint64_t R = uint64_t(a.rows), D = uint64_t(a.input_dim), U = uint64_t(a.units);
  a.x = r.f32("x", R * D, "rows*inputDim", false);
  a.kernel = r.f32("kernel", D * U, "inputDim*units", false);
  a.bias = r.f32("bias", U, "units", true);
  a.dy = r.f32("dy", R * U, "rows*units", false);
  r.check_unchanged();

  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("dx", new_f32(env, R * D, &a.dx));
  result.Set("dKernel", new_f32(env, D * U, &a.d_kernel));
  if (a.bias) result.Set("dBias", new_f32(env, U, &a.d_bias));
  else result.Set("dBias", env.Null());
  JsCall call = training_call();
  call.inputs = r.inputs();
  call.result = result;
  call.compute = [a] { dense_backward(a); };
  return call;
}

Napi::Value rnn_train_forward_entry(const Napi::CallbackInfo& info) {
  return run_sync(info.Env(), "rnnTrainForward", parse_train_forward(info, "rnnTrainForward"));
}
Napi::Value rnn_train_forward_async_entry(const Napi::CallbackInfo& info) {
  return run_async(info.Env(), "rnnTrainForwardAsync",
                   parse_train_forward(info, "rnnTrainForwardAsync"));
}
Napi::Value rnn_backward_entry(const Napi::CallbackInfo& info) {
  return run_sync(info.Env(), "rnnBackward", parse_backward(info, "rnnBackward"));
}
Napi::Value rnn_backward_async_entry(const Napi::CallbackInfo& info) {
  return run_async(info.Env(), "rnnBackwardAsync", parse_backward(info, "rnnBackwardAsync"));
}
Napi::Value dense_backward_entry(const Napi::CallbackInfo& info) {
  return run_sync(info.Env(), "denseBackward", parse_dense_backward(info, "denseBackward"));
}
Napi::Value dense_backward_async_entry(const Napi::CallbackInfo& info) {
  return run_async(info.Env(), "denseBackwardAsync",
                   parse_dense_backward(info, "denseBackwardAsync"));
}

}  // namespace

void define_training_exports(Napi::Env env, Napi::Object exports) {
  auto entry = [&](const char* name, Napi::Function fn) {
    return Napi::PropertyDescriptor::Value(name, fn, napi_enumerable);
  };
  exports.DefineProperties({
      entry("rnnTrainForward", Napi::Function::New<rnn_train_forward_entry>(env, "rnnTrainForward")),
      entry("rnnTrainForwardAsync", Napi::Function::New<rnn_train_forward_async_entry>(
                                        env, "rnnTrainForwardAsync")),
      entry("rnnBackward", Napi::Function::New<rnn_backward_entry>(env, "rnnBackward")),
      entry("rnnBackwardAsync",
            Napi::Function::New<rnn_backward_async_entry>(env, "rnnBackwardAsync")),
      entry("denseBackward", Napi::Function::New<dense_backward_entry>(env, "denseBackward")),
      entry("denseBackwardAsync",
            Napi::Function::New<dense_backward_async_entry>(env, "denseBackwardAsync")),
  });
}

}  // namespace rnnkit
