// The N-API boundary of rnnkit (binding.d.ts is the contract). Only argument checks, typed-array
// views, output allocation and async plumbing live here; the math is in kernels/.
//
// Every field is validated before any work (docs/KERNELS.md "Errors"): TypeError for a wrong type
// or a missing field, RangeError for a wrong size or value. The async variants validate and
// allocate their outputs synchronously on the JS thread, so a bad argument THROWS from
// rnnForwardAsync/denseForwardAsync (the same error as the sync call) instead of rejecting;
// the returned promise only rejects for failures during the computation (out of memory).
#include <cblas.h>
#include <napi.h>

#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "describe_value.h"
#include "js_call.h"
#include "kernels/dense_forward.h"
#include "kernels/packed_weights.h"
#include "kernels/rnn_forward.h"
#include "kernels/rnn_isa.h"
#include "run.h"
#include "thread_pool.h"
#include "train_addon.h"

namespace {

using rnnkit::Activation;
using rnnkit::Cell;

constexpr const char* kCellNames[] = {"simple_rnn", "lstm", "gru"};  // Cell enum order

using rnnkit::describe_type;

std::string quoted_list(const char* const* names, int count) {
  std::string s;
  for (int i = 0; i < count; i++) s += (i ? ", '" : "'") + std::string(names[i]) + "'";
  return s;
}

// Every property name the addon reads or writes. Their V8 strings are made once per environment
// (Keys): napi_get_named_property would convert and look up the C string on every call.
enum Field {
  kCell, kBatch, kTimesteps, kInputDim, kUnits, kX, kKernel, kRecurrentKernel, kBias,
  kActivation, kRecurrentActivation, kResetAfter, kGoBackwards, kReturnSequences,
  kZeroOutputForMask, kInitialH, kInitialC, kMask, kPacked, kOutput, kH, kC, kRows, kM, kN, kK,
  kA, kB, kHasBias, kBytes, kFieldCount
};
constexpr const char* kFieldNames[kFieldCount] = {
    "cell", "batch", "timesteps", "inputDim", "units", "x", "kernel", "recurrentKernel", "bias",
    "activation", "recurrentActivation", "resetAfter", "goBackwards", "returnSequences",
    "zeroOutputForMask", "initialH", "initialC", "mask", "packed", "output", "h", "c", "rows",
    "m", "n", "k", "a", "b", "hasBias", "bytes"};

// The names live in a JS array held by a reference (Node-API 8 references only objects), so a
// key costs one element read instead of a string conversion and lookup.
class Keys {
 public:
  explicit Keys(Napi::Env env) {
    Napi::Array names = Napi::Array::New(env, kFieldCount);
    for (int i = 0; i < kFieldCount; i++)
      names.Set(uint32_t(i), Napi::String::New(env, kFieldNames[i]));
    names_ = Napi::Persistent(names.As<Napi::Object>());
  }
  // The names array, for one call's reads.
  Napi::Object names() const { return names_.Value(); }

 private:
  Napi::ObjectReference names_;
};

// The fields of an rnnForward arguments object in the order they are read and checked, which is
// also the order in which the JavaScript front of rnnForward passes them (see kFrontSource).
constexpr Field kRnnFields[] = {
    kCell, kBatch, kTimesteps, kInputDim, kUnits, kActivation, kRecurrentActivation, kResetAfter,
    kGoBackwards, kReturnSequences, kZeroOutputForMask, kPacked, kX, kKernel, kRecurrentKernel,
    kBias, kInitialH, kInitialC, kMask};
constexpr int kRnnFieldCount = int(sizeof(kRnnFields) / sizeof(kRnnFields[0]));

// The environment's Keys (owned by its addon instance, defined at the end of this file).
const Keys& keys_of(Napi::Env env);

// packRnnWeights handles are plain frozen objects tagged with this tag and wrapping a
// PackedWeights, which their finalizer deletes.
constexpr napi_type_tag kPackedTag = {0x9c1f2a7e4b3d4e81ULL, 0xa5d0c3b2f1e09876ULL};

// The PackedWeights of a handle, or nullptr for anything else (another backend's handle, a
// look-alike).
const rnnkit::PackedWeights* unwrap_packed(napi_env env, const Napi::Value& v) {
  bool tagged = false;
  void* data = nullptr;
  if (!v.IsObject() || napi_check_object_type_tag(env, v, &kPackedTag, &tagged) != napi_ok ||
      !tagged || napi_unwrap(env, v, &data) != napi_ok)
    return nullptr;
  return static_cast<const rnnkit::PackedWeights*>(data);
}

// info[0], or a TypeError "fn: <want>, got no argument".
Napi::Value the_argument(const Napi::CallbackInfo& info, const char* fn, const char* want) {
  if (info.Length() < 1)
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + want + ", got no argument");
  return info[0];
}

// Reads and checks the fields of one call's arguments object. Throws Napi::TypeError or
// Napi::RangeError whose message starts with the function's name and names the field.
class ArgReader {
 public:
  // fn prefixes every message: the entry point's name, or "rnnForwardMany: args[1]" for an
  // element of a list.
  ArgReader(Napi::Env env, const Napi::Value& v, std::string fn)
      : env_(env), fn_(std::move(fn)), names_(keys_of(env).names()) {
    if (!v.IsObject() || v.IsTypedArray())
      throw type_error("expected an arguments object, got " + describe_type(v));
    obj_ = v.As<Napi::Object>();
  }
  ArgReader(const Napi::CallbackInfo& info, const char* fn)
      : ArgReader(info.Env(), the_argument(info, fn, "expected an arguments object"), fn) {}

  // The rnnForward fields already read, in kRnnFields order, as the arguments of info.
  struct Positional {};
  ArgReader(const Napi::CallbackInfo& info, const char* fn, Positional)
      : env_(info.Env()), fn_(fn), fields_(&info) {
    for (int i = 0; i < kRnnFieldCount; i++) slot_[kRnnFields[i]] = int8_t(i);
  }

  Napi::Env env() const { return env_; }

  // The validated input arrays, after checking that none changed since it was read: a getter on a
  // later field could have detached or shrunk an earlier array's buffer.
  const std::vector<Napi::Value>& arrays() const {
    for (size_t i = 0; i < arrays_.size(); i++) {
      if (!views_[i].typed) continue;  // a packed-weights handle: immutable
      void* data = nullptr;
      size_t length = 0;
      napi_get_typedarray_info(env_, arrays_[i], nullptr, &length, &data, nullptr, nullptr);
      if (data != views_[i].data || length != views_[i].length)
        throw type_error(std::string(views_[i].field) +
                         " changed (detached or resized) while the arguments were read");
    }
    return arrays_;
  }

  Napi::Error type_error(const std::string& msg) const {
    return Napi::TypeError::New(env_, fn_ + ": " + msg);
  }
  Napi::Error range_error(const std::string& msg) const {
    return Napi::RangeError::New(env_, fn_ + ": " + msg);
  }

  // An integer >= 1 that fits a C int (BLAS dimensions are ints).
  int dim(Field f) const {
    const Napi::Value v = get(f);
    double d = 0;
    if (v.IsNumber()) {
      d = v.As<Napi::Number>().DoubleValue();
      if (d >= 1 && d <= INT_MAX && d == std::floor(d)) return int(d);
    }
    const std::string want = std::string(kFieldNames[f]) + " must be an integer >= 1";
    if (!v.IsNumber()) throw type_error(want + ", got " + describe_type(v));
    if (!(d >= 1) || d != std::floor(d)) throw range_error(want + ", got " + number_text(v));
    throw range_error(std::string(kFieldNames[f]) + " must be at most " +
                      std::to_string(INT_MAX) + " (BLAS takes 32-bit ints), got " + number_text(v));
  }

  bool boolean(Field f) const {
    const Napi::Value v = get(f);
    if (!v.IsBoolean())
      throw type_error(std::string(kFieldNames[f]) + " must be a boolean, got " + describe_type(v));
    return v.As<Napi::Boolean>().Value();
  }

  // A string among names; returns its index.
  int choice(Field f, const char* const* names, int count) const {
    const Napi::Value v = get(f);
    auto want = [&] {
      return std::string(kFieldNames[f]) + " must be one of " + quoted_list(names, count);
    };
    if (!v.IsString()) throw type_error(want() + ", got " + describe_type(v));
    char buf[64];
    size_t len = 0;
    if (napi_get_value_string_utf8(env_, v, buf, sizeof buf, &len) != napi_ok)
      throw Napi::Error::New(env_);
    if (len < sizeof buf - 1)  // else longer than any name (and maybe cut short)
      for (int i = 0; i < count; i++)
        if (std::strcmp(buf, names[i]) == 0) return i;
    const std::string s = v.As<Napi::String>().Utf8Value();
    throw range_error(want() + ", got '" + (s.size() > 40 ? s.substr(0, 40) + "..." : s) + "'");
  }

  // A product of dimensions that becomes a BLAS int (a GEMM's row count or leading dimension).
  void fits_int(const char* expr, uint64_t value) const {
    if (value > uint64_t(INT_MAX))
      throw range_error(expr + std::string(" = ") + std::to_string(value) + " must be at most " +
                        std::to_string(INT_MAX) + " (BLAS takes 32-bit ints)");
  }

  // A Float32Array of exactly n = expr elements (or null when nullable, returning nullptr). expr
  // is "<head><g*>units"-like text built only for a message: head + mid + tail.
  const float* f32(Field f, uint64_t n, const char* head, const char* mid, const char* tail,
                   bool nullable) {
    return static_cast<const float*>(
        typed(f, n, head, mid, tail, nullable, napi_float32_array, "Float32Array"));
  }
  const float* f32(Field f, uint64_t n, const char* expr, bool nullable) {
    return f32(f, n, expr, "", "", nullable);
  }

  const uint8_t* u8(Field f, uint64_t n, const char* expr, bool nullable) {
    return static_cast<const uint8_t*>(
        typed(f, n, expr, "", "", nullable, napi_uint8_array, "Uint8Array"));
  }

  // The PackedWeights of a packRnnWeights handle made in this environment, or nullptr for
  // undefined or null (the field is optional).
  const rnnkit::PackedWeights* packed(Field f) {
    const Napi::Value v = get(f);
    if (v.IsUndefined() || v.IsNull()) return nullptr;
    const rnnkit::PackedWeights* w = unwrap_packed(env_, v);
    if (!w)
      throw type_error(std::string(kFieldNames[f]) +
                       " must be null or a PackedRnnWeights made by this backend's packRnnWeights, "
                       "got " + describe_type(v));
    arrays_.push_back(v);  // held by the async variants like the arrays (views_ stays parallel)
    views_.push_back({kFieldNames[f], nullptr, 0, false});
    return w;
  }

  // A weight field that must be null because packed is given.
  void null_with_packed(Field f) const {
    const Napi::Value v = get(f);
    if (!v.IsNull())
      throw type_error(std::string(kFieldNames[f]) +
                       " must be null when packed is given (the weights come from the handle), " +
                       "got " + describe_type(v));
  }

  // A field that must be null (present for the interface's shape but meaningless here).
  void null_only(Field f, const std::string& why) const {
    const Napi::Value v = get(f);
    if (!v.IsNull())
      throw type_error(std::string(kFieldNames[f]) + " must be null (" + why + "), got " +
                       describe_type(v));
  }

 private:
  Napi::Value get(Field f) const {
    if (fields_) return (*fields_)[size_t(slot_[f])];
    return obj_.Get(names_.Get(uint32_t(f)));
  }

  static std::string number_text(const Napi::Value& v) { return v.ToString().Utf8Value(); }

  const void* typed(Field f, uint64_t n, const char* head, const char* mid, const char* tail,
                    bool nullable, napi_typedarray_type type, const char* type_name) {
    const Napi::Value v = get(f);
    if (nullable && v.IsNull()) return nullptr;
    void* data = nullptr;
    size_t length = 0;
    napi_typedarray_type actual = napi_int8_array;
    const bool typed_array = v.IsTypedArray();
    if (typed_array &&
        napi_get_typedarray_info(env_, v, &actual, &length, &data, nullptr, nullptr) != napi_ok)
      throw Napi::Error::New(env_);
    if (!typed_array || actual != type || length != n) {
      const std::string field = kFieldNames[f];
      // With the fields read by the JavaScript front, a getter of a later field may have detached
      // this array before the addon saw it: the same error as when the addon reads the fields.
      if (typed_array && fields_ && detached(v))
        throw type_error(field + " changed (detached or resized) while the arguments were read");
      const std::string count =
          std::string(head) + mid + tail + " = " + std::to_string(n) + " elements";
      if (!typed_array || actual != type)
        throw type_error(field + " must be " + (nullable ? "null or " : "") + "a " + type_name +
                         " of " + count + ", got " + describe_type(v));
      throw range_error(field + " must have " + count + " (" + type_name + "), got " +
                        std::to_string(length));
    }
    // napi_get_typedarray_info gives the view's data (byteOffset already added).
    arrays_.push_back(v);
    views_.push_back({kFieldNames[f], data, size_t(n), true});
    return data;
  }

  bool detached(const Napi::Value& v) const {
    napi_value buffer = nullptr;
    bool is_detached = false;
    return napi_get_typedarray_info(env_, v, nullptr, nullptr, nullptr, &buffer, nullptr) ==
               napi_ok &&
           napi_is_detached_arraybuffer(env_, buffer, &is_detached) == napi_ok && is_detached;
  }

  Napi::Env env_;
  std::string fn_;
  Napi::Object names_;  // Keys::names()
  Napi::Object obj_;
  const Napi::CallbackInfo* fields_ = nullptr;  // the positional fields, if given so
  int8_t slot_[kFieldCount] = {};                // field -> its argument index
  struct View {
    const char* field;
    void* data;
    size_t length;
    bool typed;  // a typed array (else a packed-weights handle)
  };
  std::vector<Napi::Value> arrays_;  // validated inputs, for the async variants to hold
  std::vector<View> views_;          // what each of them was when read
};

using Call = rnnkit::JsCall;
using rnnkit::new_f32;
using rnnkit::run_async;
using rnnkit::run_sync;

Activation activation(const ArgReader& r, Field f) {
  return Activation(r.choice(f, rnnkit::kActivationNames, rnnkit::kActivationCount));
}

// One validated rnnForward argument object: the kernel's arguments and the result they write.
struct RnnItem {
  rnnkit::RnnArgs args;
  Napi::Object result;
};

// "units", "3*units" or "4*units": the width of a cell's weights, as messages word it.
const char* gates_times_units(Cell cell) {
  const int g = rnnkit::gate_count(cell);
  return g == 1 ? "units" : (g == 3 ? "3*units" : "4*units");
}

// kernel, recurrentKernel and bias, for a's cell, input_dim, units and reset_after.
void read_weights(ArgReader& r, rnnkit::RnnArgs& a) {
  const uint64_t D = a.input_dim, H = a.units;
  const int g = rnnkit::gate_count(a.cell);
  // "4*", or nothing when g is 1 (as the TypeScript backend words it).
  const char* gs = g == 1 ? "" : (g == 3 ? "3*" : "4*");
  a.kernel = r.f32(kKernel, D * g * H, "inputDim*", gs, "units", false);
  a.recurrent_kernel = r.f32(kRecurrentKernel, H * g * H, "units*", gs, "units", false);
  const bool two_rows = a.cell == Cell::Gru && a.reset_after;  // (2, 3*units), as Keras stores it
  a.bias = r.f32(kBias, (two_rows ? 2 : 1) * g * H, two_rows ? "2*" : "", gs, "units", true);
}

// A handle made for other weights than the call's dimensions is a RangeError naming both.
void check_packed_matches(const ArgReader& r, const rnnkit::PackedWeights& w,
                          const rnnkit::RnnArgs& a) {
  auto mismatch = [&](const char* field, const std::string& made, const std::string& call) {
    throw r.range_error(std::string("packed was made for ") + field + " " + made +
                        ", the call has " + field + " " + call);
  };
  if (w.cell() != a.cell)
    mismatch("cell", std::string("'") + kCellNames[int(w.cell())] + "'",
             std::string("'") + kCellNames[int(a.cell)] + "'");
  if (w.input_dim() != a.input_dim)
    mismatch("inputDim", std::to_string(w.input_dim()), std::to_string(a.input_dim));
  if (w.units() != a.units) mismatch("units", std::to_string(w.units()), std::to_string(a.units));
  if (a.cell == Cell::Gru && w.reset_after() != a.reset_after)
    mismatch("resetAfter", w.reset_after() ? "true" : "false", a.reset_after ? "true" : "false");
}

RnnItem parse_rnn_object(ArgReader& r) {
  rnnkit::RnnArgs a{};
  a.cell = Cell(r.choice(kCell, kCellNames, 3));
  a.batch = r.dim(kBatch);
  a.timesteps = r.dim(kTimesteps);
  a.input_dim = r.dim(kInputDim);
  a.units = r.dim(kUnits);
  a.activation = activation(r, kActivation);
  a.recurrent_activation = activation(r, kRecurrentActivation);
  a.reset_after = r.boolean(kResetAfter);
  a.go_backwards = r.boolean(kGoBackwards);
  a.return_sequences = r.boolean(kReturnSequences);
  a.zero_output_for_mask = r.boolean(kZeroOutputForMask);

  const rnnkit::PackedWeights* packed = r.packed(kPacked);
  if (packed) check_packed_matches(r, *packed, a);

  const uint64_t B = a.batch, T = a.timesteps, D = a.input_dim, H = a.units;
  // With these two in int range, every product below fits easily in 64 bits.
  r.fits_int("batch*timesteps", B * T);
  r.fits_int(gates_times_units(a.cell), rnnkit::gate_count(a.cell) * H);

  a.x = r.f32(kX, B * T * D, "batch*timesteps*inputDim", false);
  if (packed) {
    r.null_with_packed(kKernel);
    r.null_with_packed(kRecurrentKernel);
    r.null_with_packed(kBias);
    a.bias = packed->bias();
    a.packed = packed->floats();
  } else {
    read_weights(r, a);
  }
  a.initial_h = r.f32(kInitialH, B * H, "batch*units", true);
  if (a.cell == Cell::Lstm)
    a.initial_c = r.f32(kInitialC, B * H, "batch*units", true);
  else
    r.null_only(kInitialC, std::string("only cell 'lstm' has a cell state, cell is '") +
                               kCellNames[int(a.cell)] + "'");
  a.mask = r.u8(kMask, B * T, "batch*timesteps", true);

  // output, h and c are views of one new buffer: one allocation per call instead of three.
  Napi::Env env = r.env();
  const Napi::Object names = keys_of(env).names();
  auto key = [&](Field f) { return names.Get(uint32_t(f)); };
  const uint64_t out_n = a.return_sequences ? B * T * H : B * H;
  const uint64_t c_n = a.cell == Cell::Lstm ? B * H : 0;
  Napi::ArrayBuffer buffer =
      Napi::ArrayBuffer::New(env, size_t(out_n + B * H + c_n) * sizeof(float));
  auto view = [&](uint64_t offset, uint64_t n, float** data) {
    Napi::Float32Array v =
        Napi::Float32Array::New(env, size_t(n), buffer, size_t(offset) * sizeof(float));
    *data = v.Data();
    return v;
  };
  Napi::Object result = Napi::Object::New(env);
  result.Set(key(kOutput), view(0, out_n, &a.output));
  result.Set(key(kH), view(out_n, B * H, &a.h_out));
  if (a.cell == Cell::Lstm)
    result.Set(key(kC), view(out_n + B * H, c_n, &a.c_out));
  else
    result.Set(key(kC), env.Null());
  return {a, result};
}

// One rnnForward call from a reader of its fields (an object, or positional arguments).
Call rnn_call(ArgReader& r) {
  RnnItem item = parse_rnn_object(r);
  Call call;
  call.inputs = r.arrays();
  call.result = item.result;
  call.compute = [a = item.args] { rnnkit::rnn_forward_many(&a, 1); };
  return call;
}

Call parse_rnn(const Napi::CallbackInfo& info, const char* fn) {
  ArgReader r(info, fn);
  return rnn_call(r);
}

// rnnForward's fields as the JavaScript front passes them (kRnnFields order).
Call parse_rnn_fields(const Napi::CallbackInfo& info, const char* fn) {
  ArgReader r(info, fn, ArgReader::Positional{});
  return rnn_call(r);
}

// A list of rnnForward argument objects; element i's messages start with "fn: args[i]".
Call parse_rnn_many(const Napi::CallbackInfo& info, const char* fn) {
  Napi::Env env = info.Env();
  const Napi::Value v = the_argument(info, fn, "args must be an array of rnnForward arguments");
  if (!v.IsArray())
    throw Napi::TypeError::New(env, std::string(fn) + ": args must be an array of rnnForward " +
                                        "arguments, got " + describe_type(v));
  const Napi::Array list = v.As<Napi::Array>();
  const uint32_t n = list.Length();
  if (n == 0)
    throw Napi::RangeError::New(env,
                                std::string(fn) + ": args must hold at least 1 element, got 0");
  std::vector<ArgReader> readers;
  std::vector<rnnkit::RnnArgs> args;
  Napi::Array results = Napi::Array::New(env, n);
  for (uint32_t i = 0; i < n; i++) {
    readers.emplace_back(env, list.Get(i), std::string(fn) + ": args[" + std::to_string(i) + "]");
    RnnItem item = parse_rnn_object(readers.back());
    args.push_back(item.args);
    results.Set(i, item.result);
  }
  Call call;
  // Checked only now: a getter of a later element could have detached an earlier one's arrays.
  for (const ArgReader& r : readers)
    for (const Napi::Value& a : r.arrays()) call.inputs.push_back(a);
  call.result = results;
  call.compute = [args = std::move(args)] {
    rnnkit::rnn_forward_many(args.data(), int(args.size()));
  };
  return call;
}

// packRnnWeights: the handle of binding.d.ts, a frozen plain object whose fields describe the
// weights, tagged and wrapping the PackedWeights. Its size is reported to the garbage collector,
// so that layers dropping handles (setWeights) get them collected.
Napi::Value pack_rnn_weights(const Napi::CallbackInfo& info) {
  const char* fn = "packRnnWeights";
  ArgReader r(info, fn);
  rnnkit::RnnArgs a{};
  a.cell = Cell(r.choice(kCell, kCellNames, 3));
  a.input_dim = r.dim(kInputDim);
  a.units = r.dim(kUnits);
  a.reset_after = r.boolean(kResetAfter);
  r.fits_int(gates_times_units(a.cell), uint64_t(rnnkit::gate_count(a.cell)) * a.units);
  read_weights(r, a);
  r.arrays();  // none detached by a later field's getter
  std::unique_ptr<rnnkit::PackedWeights> w;
  try {
    w.reset(new rnnkit::PackedWeights(a, rnnkit::rnn_isa()));
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(info.Env(), std::string(fn) + ": out of memory for the packed weights");
  }
  Napi::Env env = info.Env();
  const Napi::Object names = keys_of(env).names();
  auto key = [&](Field f) { return names.Get(uint32_t(f)); };
  Napi::Object handle = Napi::Object::New(env);
  handle.Set(key(kCell), Napi::String::New(env, kCellNames[int(a.cell)]));
  handle.Set(key(kInputDim), Napi::Number::New(env, a.input_dim));
  handle.Set(key(kUnits), Napi::Number::New(env, a.units));
  handle.Set(key(kResetAfter), Napi::Boolean::New(env, w->reset_after()));
  handle.Set(key(kHasBias), Napi::Boolean::New(env, w->bias() != nullptr));
  handle.Set(key(kBytes), Napi::Number::New(env, double(w->bytes())));
  const int64_t bytes = int64_t(w->bytes());
  auto finalize = [](napi_env e, void* data, void*) {
    auto* weights = static_cast<rnnkit::PackedWeights*>(data);
    int64_t total = 0;
    napi_adjust_external_memory(e, -int64_t(weights->bytes()), &total);
    delete weights;
  };
  if (napi_type_tag_object(env, handle, &kPackedTag) != napi_ok ||
      napi_wrap(env, handle, w.get(), finalize, nullptr, nullptr) != napi_ok)
    throw Napi::Error::New(env);
  w.release();  // owned by the handle now
  int64_t total = 0;
  napi_adjust_external_memory(env, bytes, &total);
  handle.Freeze();
  return handle;
}

Call parse_matmul(const Napi::CallbackInfo& info, const char* fn) {
  ArgReader r(info, fn);
  rnnkit::MatmulArgs a{};
  a.m = r.dim(kM);
  a.n = r.dim(kN);
  a.k = r.dim(kK);
  const uint64_t M = a.m, N = a.n, K = a.k;
  a.a = r.f32(kA, M * K, "m*k", false);
  a.b = r.f32(kB, K * N, "k*n", false);
  Call call;
  call.inputs = r.arrays();
  call.result = new_f32(r.env(), M * N, &a.c);
  call.compute = [a] { rnnkit::matmul(a); };
  return call;
}

Call parse_dense(const Napi::CallbackInfo& info, const char* fn) {
  ArgReader r(info, fn);
  rnnkit::DenseArgs a{};
  a.rows = r.dim(kRows);
  a.input_dim = r.dim(kInputDim);
  a.units = r.dim(kUnits);
  a.activation = activation(r, kActivation);
  const uint64_t R = a.rows, D = a.input_dim, U = a.units;
  a.x = r.f32(kX, R * D, "rows*inputDim", false);
  a.kernel = r.f32(kKernel, D * U, "inputDim*units", false);
  a.bias = r.f32(kBias, U, "units", true);
  Call call;
  call.inputs = r.arrays();

  call.result = new_f32(r.env(), R * U, &a.y);
  call.compute = [a] {
    rnnkit::parallel_ranges(a.rows, [&](int r0, int r1) { rnnkit::dense_forward_rows(a, r0, r1); });
  };
  return call;
}

// The JavaScript front of rnnForward and rnnForwardAsync. Reading 19 properties through
// Node-API costs about two calls each (3-4 us per call, close to a tenth of a batch-1 layer);
// JIT-compiled code reads them in nanoseconds. So the exported functions are these: a plain
// object's fields go to the addon by position, in the order the addon reads and checks them
// (kRnnFields); anything else goes as it came, for the addon's usual errors. The one difference:
// every field's getter runs before the first check, not up to the first bad field.
constexpr const char* kFrontSource = R"JS(
(function (object, fields, objectAsync, fieldsAsync) {
  'use strict';
  const plain = (a) =>
    typeof a === 'object' && a !== null && !ArrayBuffer.isView(a) && !Array.isArray(a);
  const front = (byObject, byFields) => function (a) {
    if (arguments.length !== 1 || !plain(a)) return byObject.apply(undefined, arguments);
    return byFields(a.cell, a.batch, a.timesteps, a.inputDim, a.units, a.activation,
      a.recurrentActivation, a.resetAfter, a.goBackwards, a.returnSequences, a.zeroOutputForMask,
      a.packed, a.x, a.kernel, a.recurrentKernel, a.bias, a.initialH, a.initialC, a.mask);
  };
  const rnnForward = front(object, fields), rnnForwardAsync = front(objectAsync, fieldsAsync);
  Object.defineProperty(rnnForward, 'name', { value: 'rnnForward' });
  Object.defineProperty(rnnForwardAsync, 'name', { value: 'rnnForwardAsync' });
  return [rnnForward, rnnForwardAsync];
})
)JS";

Napi::Value rnn_forward(const Napi::CallbackInfo& info) {
  return run_sync(info.Env(), "rnnForward", parse_rnn(info, "rnnForward"));
}
Napi::Value rnn_forward_fields(const Napi::CallbackInfo& info) {
  return run_sync(info.Env(), "rnnForward", parse_rnn_fields(info, "rnnForward"));
}
Napi::Value rnn_forward_async(const Napi::CallbackInfo& info) {
  return run_async(info.Env(), "rnnForwardAsync", parse_rnn(info, "rnnForwardAsync"));
}
Napi::Value rnn_forward_fields_async(const Napi::CallbackInfo& info) {
  return run_async(info.Env(), "rnnForwardAsync", parse_rnn_fields(info, "rnnForwardAsync"));
}

// [rnnForward, rnnForwardAsync] from kFrontSource.
Napi::Array rnn_fronts(Napi::Env env) {
  napi_value factory = nullptr;
  if (napi_run_script(env, Napi::String::New(env, kFrontSource), &factory) != napi_ok)
    throw Napi::Error::New(env);
  return Napi::Function(env, factory)
      .Call({Napi::Function::New<rnn_forward>(env, "rnnForward"),
             Napi::Function::New<rnn_forward_fields>(env, "rnnForward"),
             Napi::Function::New<rnn_forward_async>(env, "rnnForwardAsync"),
             Napi::Function::New<rnn_forward_fields_async>(env, "rnnForwardAsync")})
      .As<Napi::Array>();
}

// One instance per Node.js environment (main thread, each worker thread): context-aware.
// The thread pool behind it is process-wide, so setThreads in one environment affects all.
class RnnkitAddon : public Napi::Addon<RnnkitAddon> {
 public:
  RnnkitAddon(Napi::Env env, Napi::Object exports) : keys_(env) {
    constexpr napi_property_attributes kEnum = napi_enumerable;  // read-only, like a module's API
    // Our pool splits the batch; OpenBLAS threading inside it would oversubscribe the cores.
    static std::once_flag blas_once;
    std::call_once(blas_once, [] { openblas_set_num_threads(1); });
    const Napi::Array fronts = rnn_fronts(env);
    DefineAddon(exports,
                {
                    InstanceValue("rnnForward", fronts.Get(0u), kEnum),
                    InstanceValue("rnnForwardAsync", fronts.Get(1u), kEnum),
                    InstanceMethod<&RnnkitAddon::RnnForwardMany>("rnnForwardMany", kEnum),
                    InstanceMethod<&RnnkitAddon::RnnForwardManyAsync>("rnnForwardManyAsync",
                                                                      kEnum),
                    InstanceValue("packRnnWeights",
                                  Napi::Function::New<pack_rnn_weights>(env, "packRnnWeights"),
                                  kEnum),
                    InstanceMethod<&RnnkitAddon::Matmul>("matmul", kEnum),
                    InstanceMethod<&RnnkitAddon::DenseForward>("denseForward", kEnum),
                    InstanceMethod<&RnnkitAddon::DenseForwardAsync>("denseForwardAsync", kEnum),
                    InstanceMethod<&RnnkitAddon::GetThreads>("getThreads", kEnum),
                    InstanceMethod<&RnnkitAddon::SetThreads>("setThreads", kEnum),
                    InstanceValue("implementation", Napi::String::New(env, "native"), kEnum),
                });
    rnnkit::define_training_exports(env, exports);  // the training kernels, sync and Async
  }

 private:
  Napi::Value RnnForwardMany(const Napi::CallbackInfo& info) {
    return run_sync(info.Env(), "rnnForwardMany", parse_rnn_many(info, "rnnForwardMany"));
  }
  Napi::Value RnnForwardManyAsync(const Napi::CallbackInfo& info) {
    return run_async(info.Env(), "rnnForwardManyAsync",
                     parse_rnn_many(info, "rnnForwardManyAsync"));
  }
  Napi::Value Matmul(const Napi::CallbackInfo& info) {
    return run_sync(info.Env(), "matmul", parse_matmul(info, "matmul"));
  }
  Napi::Value DenseForward(const Napi::CallbackInfo& info) {
    return run_sync(info.Env(), "denseForward", parse_dense(info, "denseForward"));
  }
  Napi::Value DenseForwardAsync(const Napi::CallbackInfo& info) {
    return run_async(info.Env(), "denseForwardAsync", parse_dense(info, "denseForwardAsync"));
  }

  Napi::Value GetThreads(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), rnnkit::get_threads());
  }

  Napi::Value SetThreads(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const Napi::Value v = info.Length() > 0 ? info[0] : env.Undefined();
    const std::string want =
        "setThreads: threads must be an integer from 1 to " + std::to_string(rnnkit::kMaxThreads);
    if (!v.IsNumber()) throw Napi::TypeError::New(env, want + ", got " + describe_type(v));
    const double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= 1 && d <= rnnkit::kMaxThreads) || d != std::floor(d))
      throw Napi::RangeError::New(env, want + ", got " + v.ToString().Utf8Value());
    rnnkit::set_threads(int(d));
    return env.Undefined();
  }
 public:
  const Keys& keys() const { return keys_; }

 private:
  Keys keys_;
};

const Keys& keys_of(Napi::Env env) { return env.GetInstanceData<RnnkitAddon>()->keys(); }

}  // namespace

NODE_API_ADDON(RnnkitAddon)
