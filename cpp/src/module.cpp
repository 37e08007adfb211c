// The pybind11 module: a thin layer over the engine. Long C++ work runs with
// the GIL released; C++ exceptions become Python exceptions.
#include <pybind11/complex.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <array>
#include <atomic>
#include <unordered_set>

#include "device.hpp"
#include "batch_plan.hpp"
#include "bindings.hpp"
#include <wirtinger/conventions.hpp>

#include "ops.hpp"
#include "primitive.hpp"
#include "cpu_clones.hpp"
#include "program.hpp"

namespace py = pybind11;
using namespace wirtinger::engine;

namespace wirtinger::engine {

DType dtype_from(const py::dtype& dt) {
  const char kind = dt.kind();
  const auto size = dt.itemsize();
  if (kind == 'f' && size == 4) return DType::f32;
  if (kind == 'f' && size == 8) return DType::f64;
  if (kind == 'c' && size == 8) return DType::c64;
  if (kind == 'c' && size == 16) return DType::c128;
  throw py::type_error("wirtinger supports float32, float64, complex64 and complex128 arrays, got " +
                       std::string(py::str(dt)));
}

std::vector<batch::Request> batch_requests(const py::list& requests) {
  std::vector<batch::Request> reqs;
  for (const auto& item : requests) {
    const auto t = item.cast<py::tuple>();
    batch::Request r;
    r.output = t[0].cast<std::int32_t>();
    r.input = t[1].cast<std::int32_t>();
    const auto form = t[2].cast<std::string>();
    if (form == "dz") r.form = batch::Form::DZ;
    else if (form == "dzbar") r.form = batch::Form::DZBar;
    else if (form == "sum") r.form = batch::Form::Sum;
    else if (form == "halfsum") r.form = batch::Form::HalfSum;
    else if (form == "norms") r.form = batch::Form::Norms;
    else throw std::invalid_argument("batched Jacobian: unknown form " + form);
    r.dtype = dtype_from(py::dtype::from_args(t[3]));
    reqs.push_back(r);
  }
  return reqs;
}

// Made once (parsing a dtype name costs more than a small replay); never destroyed.
py::dtype to_numpy_dtype(DType d) {
  static const auto* table = new std::array<py::dtype, 4>{py::dtype("float32"), py::dtype("float64"),
                                                           py::dtype("complex64"), py::dtype("complex128")};
  switch (d) {
    case DType::f32: return (*table)[0];
    case DType::f64: return (*table)[1];
    case DType::c64: return (*table)[2];
    case DType::c128: return (*table)[3];
  }
  throw std::logic_error("to_numpy_dtype: unknown dtype");
}

}  // namespace wirtinger::engine

namespace {

Var from_numpy(const py::array& a) {
  if (!(a.flags() & py::array::c_style)) throw py::value_error("from_numpy: array must be C-contiguous");
  if (a.dtype().byteorder() == '>' || a.dtype().byteorder() == '<') {
    const bool little = PY_LITTLE_ENDIAN;
    if ((a.dtype().byteorder() == '<') != little)
      throw py::value_error("from_numpy: array must be in native byte order (convert with .astype(dtype.newbyteorder('=')))");
  }
  const DType d = dtype_from(a.dtype());
  Shape shape(a.shape(), a.shape() + a.ndim());
  Tensor t = Tensor::empty(d, shape);
  std::memcpy(t.raw(), a.data(), static_cast<std::size_t>(t.size()) * itemsize(d));
  return Var(std::move(t));
}

// A NumPy array's own buffer as an engine value, without a copy, for the
// length of one jitted call: the caller keeps the array alive and no value
// leaves the call holding it (results that are inputs are copied out,
// is_borrowed). Converting a 16 MB matrix costs more than the product it feeds.
struct Borrowed {
  PyObject* owner;
  void operator()(void*) const {
    py::gil_scoped_acquire gil;
    Py_DECREF(owner);
  }
};

bool is_borrowed(const Tensor& t) { return std::get_deleter<Borrowed>(t.buffer) != nullptr; }

Var borrow_numpy(const py::array& a) {
  const auto flags = a.flags();
  if (!(flags & py::array::c_style) || !(flags & py::detail::npy_api::NPY_ARRAY_ALIGNED_) ||
      a.dtype().byteorder() == (PY_LITTLE_ENDIAN ? '>' : '<'))
    return from_numpy(a);
  const DType d = dtype_from(a.dtype());
  Shape shape(a.shape(), a.shape() + a.ndim());
  Py_INCREF(a.ptr());
  std::shared_ptr<void> buffer(const_cast<void*>(a.data()), Borrowed{a.ptr()});
  return Var(Tensor{d, std::move(shape), std::move(buffer)});
}

// A read-only NumPy view that keeps the buffer alive.
py::array to_numpy(const Var& v) {
  const Tensor& t = v.data();
  auto* keep = new std::shared_ptr<void>(t.buffer);
  py::capsule owner(keep, [](void* p) { delete static_cast<std::shared_ptr<void>*>(p); });
  std::vector<py::ssize_t> shape(t.shape.begin(), t.shape.end()), strides;
  for (auto s : row_strides(t.shape)) strides.push_back(static_cast<py::ssize_t>(s * itemsize(t.dtype)));
  py::array arr(to_numpy_dtype(t.dtype), shape, strides, t.raw(), owner);
  py::detail::array_proxy(arr.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return arr;
}

// A NumPy array that owns the result: the buffer itself when nothing else holds
// it (no copy), else a copy (an output that is a constant of the program, or
// that another output shares).
py::array to_numpy_owned(Var v) {
  const Tensor t = v.data();
  std::vector<py::ssize_t> shape(t.shape.begin(), t.shape.end());
  v = Var();
  // (A few elements are copied: a capsule to own them costs more than the copy.)
  if (t.buffer.use_count() == 1 && !is_borrowed(t) && t.size() * static_cast<std::int64_t>(itemsize(t.dtype)) > 64) {
    auto* keep = new std::shared_ptr<void>(t.buffer);
    py::capsule owner(keep, [](void* p) { delete static_cast<std::shared_ptr<void>*>(p); });
    return py::array(to_numpy_dtype(t.dtype), shape, {}, t.raw(), owner);
  }
  py::array out(to_numpy_dtype(t.dtype), shape);
  std::memcpy(out.mutable_data(), t.raw(), static_cast<std::size_t>(t.size()) * itemsize(t.dtype));
  return out;
}

// An argument of a jitted call as an engine value of the traced dtype: Python
// numbers (and NumPy's float64/complex128, their subclasses) without NumPy.
// numpy.asarray, looked up once; never destroyed (a static py::object would be
// released after the interpreter).
const py::object& numpy_asarray() {
  static const py::object& f = *new py::object(py::module_::import("numpy").attr("asarray"));
  return f;
}

}  // namespace

bool wirtinger::engine::python_number(const py::handle& x, DType d, void* out) {
  if (!(PyFloat_Check(x.ptr()) || PyComplex_Check(x.ptr()))) return false;
  const double re = PyFloat_Check(x.ptr()) ? PyFloat_AS_DOUBLE(x.ptr()) : PyComplex_RealAsDouble(x.ptr());
  const double im = PyFloat_Check(x.ptr()) ? 0.0 : PyComplex_ImagAsDouble(x.ptr());
  if (im != 0.0 && !is_complex(d))
    throw py::type_error("cannot use a complex value where a real (" + std::string(dtype_name(d)) +
                         ") one is required");
  switch (d) {
    case DType::f32: *static_cast<float*>(out) = static_cast<float>(re); break;
    case DType::f64: *static_cast<double*>(out) = re; break;
    case DType::c64: *static_cast<std::complex<float>*>(out) = {static_cast<float>(re), static_cast<float>(im)}; break;
    case DType::c128: *static_cast<std::complex<double>*>(out) = {re, im}; break;
  }
  return true;
}

namespace {

Var arg_var(const py::handle& x, DType d) {
  Tensor t = Tensor::empty(d, Shape{});
  if (python_number(x, d, t.raw())) return Var(std::move(t));
  return from_numpy(numpy_asarray()(x, to_numpy_dtype(d), py::arg("order") = "C").cast<py::array>());
}

// The same for run_program_numpy, whose arguments outlive the call.
Var borrowed_arg(const py::handle& x, DType d) {
  if (PyFloat_Check(x.ptr()) || PyComplex_Check(x.ptr())) return arg_var(x, d);
  return borrow_numpy(numpy_asarray()(x, to_numpy_dtype(d), py::arg("order") = "C").cast<py::array>());
}

// A program over single elements (scalar_replay.cpp): its arguments read into
// registers and its results written to new NumPy arrays, with no engine values.
py::tuple run_scalar_program_numpy(const Program& p, PyObject* const* args, const std::vector<DType>& dtypes) {
  const std::size_t n = dtypes.size();
  thread_local std::vector<std::complex<double>> values;
  thread_local std::vector<const void*> at;
  values.resize(n);
  at.resize(n);
  std::vector<Var> held;  // arguments that are not Python numbers, as converted
  for (std::size_t i = 0; i < n; ++i) {
    const py::handle x = args[i];
    at[i] = &values[i];
    if (python_number(x, dtypes[i], &values[i])) continue;
    held.push_back(borrowed_arg(x, dtypes[i]));
    if (held.back().data().size() != 1)
      throw py::value_error("jit: argument " + std::to_string(i) + " has shape " + shape_str(held.back().shape()) +
                            ", but the program was traced with a single element");
    at[i] = held.back().data().raw();
  }
  const void* const* outs = run_scalar_replay(p, at.data());
  py::tuple result(p.outputs.size());
  for (std::size_t i = 0; i < p.outputs.size(); ++i) {
    const bool slot = p.outputs[i] >= 0;
    const DType d = slot ? p.dtype[static_cast<std::size_t>(p.outputs[i])] : p.out_consts[i].dtype();
    const Shape& shape = slot ? p.shape[static_cast<std::size_t>(p.outputs[i])] : p.out_consts[i].shape();
    py::array out(to_numpy_dtype(d), std::vector<py::ssize_t>(shape.begin(), shape.end()));
    // (A constant output may have any number of elements.)
    std::memcpy(out.mutable_data(), outs[i], static_cast<std::size_t>(numel(shape)) * itemsize(d));
    result[i] = std::move(out);
  }
  return result;
}

// The latency path of wirtinger.jit at top level: arguments in, NumPy arrays
// out, one crossing of the binding. Small programs keep the GIL: releasing it
// costs more than they run.
}  // namespace

py::tuple wirtinger::engine::run_program_numpy(const Program& p, PyObject* const* args, std::size_t count,
                                               const std::vector<DType>& dtypes) {
  const std::size_t n = dtypes.size();
  if (count != n)
    throw py::value_error("jit: the call has " + std::to_string(count) + " arguments, the program " +
                          std::to_string(n));
  if (!p.scalar_types.empty()) return run_scalar_program_numpy(p, args, dtypes);
  std::vector<Var> inputs;
  inputs.reserve(n);
  std::int64_t elements = 0;
  for (std::size_t i = 0; i < n; ++i) {
    inputs.push_back(borrowed_arg(args[i], dtypes[i]));
    elements += inputs.back().data().size();
  }
  std::vector<Var> outs;
  if (elements >= 4096) {
    py::gil_scoped_release release;
    outs = run_program(p, inputs);
  } else {
    outs = run_program(p, inputs);
  }
  inputs.clear();
  py::tuple result(outs.size());
  for (std::size_t i = 0; i < outs.size(); ++i) result[i] = to_numpy_owned(std::move(outs[i]));
  return result;
}

namespace {

std::vector<Var> jac_columns(Tape& tape, const std::vector<Var>& seeded, std::size_t which,
                             const std::vector<Var>& results, bool record, bool imaginary, bool forward) {
  // One sweep per element k of seeded[which], seeded with e_k (or i·e_k):
  // forward, seeded are inputs and each result gets JVP columns stacked as
  // (n, *result.shape); reverse, seeded are outputs and each result (an input)
  // gets VJP rows stacked as (n, *input.shape).
  const Var& seed_of = seeded.at(which);
  const std::int64_t n = seed_of.data().size();
  std::vector<std::vector<Var>> parts(results.size());
  for (std::int64_t k = 0; k < n; ++k) {
    Tensor e = Tensor::zeros(seed_of.dtype(), seed_of.shape());
    dispatch(e.dtype, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (wirtinger::is_complex_v<T>) e.data<T>()[k] = imaginary ? T(0, 1) : T(1, 0);
      else e.data<T>()[k] = T(1);
    });
    std::vector<Var> seeds(seeded.size());
    seeds[which] = constant(std::move(e));
    std::vector<Var> res = forward ? jvp_sweep(tape, seeded, seeds, results, record)
                                   : vjp_sweep(tape, seeded, seeds, results, record);
    for (std::size_t j = 0; j < res.size(); ++j) {
      Shape s = res[j].shape();
      s.insert(s.begin(), 1);
      parts[j].push_back(reshape(res[j], s));
    }
  }
  std::vector<Var> out;
  for (std::size_t j = 0; j < results.size(); ++j) {
    if (n == 0) {
      Shape s = results[j].shape();
      s.insert(s.begin(), 0);
      out.push_back(zeros(results[j].dtype(), s));
    } else {
      out.push_back(concat(parts[j], 0));
    }
  }
  return out;
}

// Rules implemented by a Python object with methods name(), jvp(inputs, out,
// tangents) and vjp(inputs, out, ct, needed); None stands for a zero.
class PyCustomRule : public CustomRule {
 public:
  explicit PyCustomRule(py::object impl) : impl_(std::move(impl)) {}
  ~PyCustomRule() override {
    py::gil_scoped_acquire gil;
    impl_ = py::object();
  }
  std::string name() const override {
    py::gil_scoped_acquire gil;
    return py::str(impl_.attr("name"));
  }
  Var jvp(const std::vector<Var>& in, const Var& out, const std::vector<Var>& t) override {
    py::gil_scoped_acquire gil;
    py::object r = impl_.attr("jvp")(in, out, optional_list(t));
    return r.is_none() ? Var() : r.cast<Var>();
  }
  std::vector<Var> vjp(const std::vector<Var>& in, const Var& out, const Var& ct,
                       const std::vector<bool>& needed) override {
    py::gil_scoped_acquire gil;
    py::object r = impl_.attr("vjp")(in, out, ct, needed);
    std::vector<Var> res;
    for (py::handle h : r) res.push_back(h.is_none() ? Var() : h.cast<Var>());
    return res;
  }
  Var replay(const std::vector<Var>& in) override {
    py::gil_scoped_acquire gil;
    return impl_.attr("replay")(in).cast<Var>();
  }
  std::string cse_key() const override {
    py::gil_scoped_acquire gil;
    py::object k = py::getattr(impl_, "key", py::none());
    return k.is_none() ? std::string() : k.cast<std::string>();
  }

 private:
  static py::list optional_list(const std::vector<Var>& vs) {
    py::list l;
    for (const auto& v : vs) l.append(v ? py::cast(v) : py::none());
    return l;
  }
  py::object impl_;
};

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "wirtinger's C++ engine (internal; use the wirtinger package)";

  py::class_<Tape, std::shared_ptr<Tape>>(m, "Tape")
      .def_property_readonly("id", [](const Tape& t) { return t.id; })
      .def("__len__", [](const Tape& t) { return t.nodes.size(); })
      .def_property_readonly("recording", [](const Tape& t) {
        const Recorder& r = recorder();
        return r.tape.get() == &t;
      })
      .def("nbytes", [](const Tape& t) {
        // Bytes of the distinct buffers the tape keeps alive (residuals and results).
        std::unordered_set<const void*> seen;
        std::size_t total = 0;
        auto count = [&](const Var& v) {
          if (v && v.data().raw() && seen.insert(v.data().raw()).second)
            total += static_cast<std::size_t>(v.data().size()) * itemsize(v.dtype());
        };
        for (const auto& n : t.nodes) {
          for (const auto& x : n.in) count(x);
          count(n.out);
        }
        return total;
      })
      .def("primitives", [](const Tape& t) {
        std::vector<std::string> names;
        for (const auto& n : t.nodes)
          names.push_back(step_name(n));
        return names;
      });

  py::class_<Var>(m, "Var")
      .def_property_readonly("shape", [](const Var& v) { return py::tuple(py::cast(v.shape())); })
      .def_property_readonly("dtype", [](const Var& v) { return to_numpy_dtype(v.dtype()); })
      .def_property_readonly("ndim", &Var::ndim)
      .def_property_readonly("size", [](const Var& v) { return v.data().size(); })
      .def_property_readonly("node", [](const Var& v) { return v.p->node; })
      .def_property_readonly("tape_id", [](const Var& v) { return v.p->tape; })
      .def("numpy", &to_numpy)
      .def("numpy_copy", [](const Var& v) { return to_numpy_owned(v); });

  m.def("from_numpy", &from_numpy);
  m.def("scalar", [](const py::handle& x, const py::dtype& dt) {
    return arg_var(x, dtype_from(dt));
  });
  m.def("unary_names", [] {
    std::vector<std::string> r;
    for (int i = 0; i < static_cast<int>(UnaryOp::count_); ++i) r.push_back(unary_name(static_cast<UnaryOp>(i)));
    return r;
  });
  m.def("binary_names", [] {
    std::vector<std::string> r;
    for (int i = 0; i < static_cast<int>(BinaryOp::count_); ++i) r.push_back(binary_name(static_cast<BinaryOp>(i)));
    return r;
  });
  m.def("structural_names", [] {
    std::vector<std::string> r;
    for (int i = 0; i < static_cast<int>(Prim::count_); ++i) {
      const Primitive& def = primitive(static_cast<Prim>(i));
      if (def.differentiable_operation && !def.member_name) r.push_back(def.name);
    }
    return r;
  });
  m.def("unary_holomorphic", [](int op) { return unary_holomorphic(static_cast<UnaryOp>(op)); });
  m.def("unary_real_only", [](int op) { return unary_real_only(static_cast<UnaryOp>(op)); });
  m.def("binary_real_only", [](int op) { return binary_real_only(static_cast<BinaryOp>(op)); });

  bind_primitives(m);
  bind_array_ops(m);
  using G = py::call_guard<py::gil_scoped_release>;
  // The conventions' formulas (wirtinger/conventions.hpp) over engine values,
  // recorded like any arithmetic, for the Python transforms.
  const auto pair = [](const wirtinger::Wirtinger<Var>& p) { return std::make_pair(p.dz, p.dzbar); };
  m.def("pair_from_jvps", [pair](const Var& a, const Var& b) { return pair(wirtinger::pair_from_jvps(a, b)); }, G());
  m.def("pair_from_vjps", [pair](const Var& a, const Var& b) { return pair(wirtinger::pair_from_vjps(a, b)); }, G());
  m.def("pair_of_real_output", [pair](const Var& a) { return pair(wirtinger::pair_of_real_output(a)); }, G());
  m.def("pair_of_real_input", [](const Var& dx) { return wirtinger::pair_of_real_input(dx); }, G());
  m.def("d_dx", [](const Var& a, const Var& b) { return wirtinger::d_dx(a, b); }, G());
  m.def("d_dx_from_vjps", [](const Var& a, const Var& b) { return wirtinger::d_dx_from_vjps(a, b); }, G());
  m.def("d_dy", [](const Var& a, const Var& b) { return wirtinger::d_dy(a, b); }, G());
  m.def("watch", &watch);
  m.def("custom", [](py::object impl, const std::vector<Var>& in, const Var& out) {
    return custom(std::make_shared<PyCustomRule>(std::move(impl)), in, out.data());
  });
  m.def("is_tracked", [](const Var& v) {
    const Recorder& r = recorder();
    return r.tape && on_tape(v, *r.tape);
  });

  m.def("enter", [](const std::string& name, bool sweeps, bool deferred) {
    auto tape = enter_transform(name, sweeps, deferred);
    return py::make_tuple(tape, recorder().depth);
  });
  m.def("finish_recording", &finish_recording);
  m.def("frame_names", [] {
    std::vector<std::string> names;
    for (const auto& f : recorder().frames) names.push_back(f.name);
    return names;
  });
  m.def("buffer_bytes", [] {
    const auto b = buffer_bytes();
    return py::make_tuple(b.live, b.peak);
  });
  m.def("reset_buffer_peak", &reset_buffer_peak);
  m.def("exit", &exit_transform);
  m.def("escaped", [](const Var& v) -> py::object {
    const char* origin = escaped_from(v);
    return origin ? py::object(py::str(origin)) : py::object(py::none());
  });
  m.def("check_escaped", [](const Var& v) {
    if (const char* origin = escaped_from(v)) raise_escaped(origin);
  });
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Escaped& e) {
      const py::object cls = py::module_::import("wirtinger.errors").attr("UnexpectedTracerError");
      PyErr_SetString(cls.ptr(), e.what());
    }
  });
  m.def("depth", [] { return recorder().depth; });
  m.def("set_recording", [](bool enabled) {
    const bool previous = recorder().enabled;
    recorder().enabled = enabled;
    return previous;
  });
  py::class_<Program, std::shared_ptr<Program>>(m, "Program")
      .def_property_readonly("captures", [](const Program& p) { return p.captures; })
      .def_property_readonly("scalar_replay", [](const Program& p) { return !p.scalar_types.empty(); })
      .def("__len__", [](const Program& p) { return p.steps.size(); })
      .def("primitives", [](const Program& p) {
        std::vector<std::string> names;
        for (const auto& s : p.steps)
          names.push_back(step_name(s.node));
        return names;
      })
      // Per step: its name, attributes, dtype, shape and sources (slot k, or
      // "c<shape>" for a constant, with its value when it has one element).
      .def("describe", [](const Program& p) {
        std::vector<std::string> r;
        for (std::size_t k = 0; k < p.steps.size(); ++k) {
          const auto& s = p.steps[k];
          std::string line = std::to_string(k) + " " + step_name(s.node) + "[" + attributes_key(s.node.attrs) + "] " +
                             dtype_name(p.dtype[k]) + shape_str(p.shape[k]) + " <-";
          for (std::size_t j = 0; j < s.src.size(); ++j) {
            if (s.src[j] >= 0) {
              line += " " + std::to_string(s.src[j]);
              continue;
            }
            const Tensor& t = s.node.in[j].data();
            line += " c" + shape_str(t.shape);
            if (t.size() == 1) {
              const Tensor c = cast(t, DType::c128);
              const auto v = *c.data<std::complex<double>>();
              line += "=" + std::to_string(v.real()) + (v.imag() != 0 ? "+" + std::to_string(v.imag()) + "i" : "");
            }
          }
          r.push_back(line);
        }
        return r;
      })
      .def("dtypes", [](const Program& p) {
        std::vector<std::string> r;
        for (auto d : p.dtype) r.push_back(dtype_name(d));
        return r;
      })
      .def("groups", [](const Program& p) {
        std::vector<std::pair<std::int64_t, std::int64_t>> r;
        for (const auto& g : p.groups) r.emplace_back(g.first, g.last);
        return r;
      })
      // The compiled tier (codegen.cpp): per group, its size and source ("" where
      // it has none); a kernel's address once compiled; whether each group has one.
      .def("group_sources", [](const Program& p) {
        std::vector<std::pair<std::int64_t, std::string>> r;
        for (const auto& g : p.groups) r.emplace_back(g.size, group_source(p, g));
        return r;
      })
      .def("set_group_kernel", [](const Program& p, std::size_t i, std::uintptr_t address) {
        if (i >= p.groups.size()) throw std::out_of_range("set_group_kernel: no group " + std::to_string(i));
        p.groups[i].kernel->store(reinterpret_cast<Program::Group::Kernel>(address), std::memory_order_release);
      })
      .def("group_kernels", [](const Program& p) {
        std::vector<bool> r;
        for (const auto& g : p.groups) r.push_back(g.kernel->load() != nullptr);
        return r;
      })
      .def("group_handed_back", [](const Program& p) {
        std::vector<std::int64_t> r;
        for (const auto& g : p.groups) r.push_back(g.handed_back->load());
        return r;
      })
      .def("__call__", &run_program, G())
      .def("run_numpy", [](const Program& p, const py::sequence& args, const py::sequence& dtypes) {
        std::vector<DType> ds;
        for (const auto& d : dtypes) ds.push_back(dtype_from(py::dtype::from_args(py::reinterpret_borrow<py::object>(d))));
        const py::tuple t = py::tuple(args);
        return run_program_numpy(p, PySequence_Fast_ITEMS(t.ptr()), py::len(t), ds);
      });
  bind_jit_dispatch(m);
  // Whether the generated kernels may target AVX2, as the engine's own AVX2 copies do.
  m.def("cpu_has_avx2", [] {
#if WIRT_CPU_CLONES
    return cpu_has_avx2();
#else
    return false;
#endif
  });
  py::register_exception<batch::Unsupported>(m, "BatchUnsupported", PyExc_NotImplementedError);
  py::class_<batch::Plan, std::shared_ptr<batch::Plan>>(m, "BatchPlan")
      .def_property_readonly("directions", [](const batch::Plan& p) { return p.N; })
      .def_property_readonly("input_offsets", [](const batch::Plan& p) { return p.input_offset; })
      .def_property_readonly("workspace", [](const batch::Plan& p) { return p.workspace; })
      .def("__len__", [](const batch::Plan& p) { return p.code.size(); })
      // requests: (output, input, form, dtype), form one of "dz", "dzbar", "sum", "halfsum", "norms"
      // numpy=True: NumPy arrays that own the fresh buffers (no copy), for results leaving the library
      .def("__call__", [](const batch::Plan& p, const std::vector<Var>& inputs, const py::list& requests, bool numpy) {
        std::vector<Tensor> ts;
        for (const auto& v : inputs) ts.push_back(v.data());
        const auto reqs = batch_requests(requests);
        std::vector<Tensor> rs;
        {
          py::gil_scoped_release release;
          rs = batch::run(p, ts, reqs);
        }
        py::list out;
        for (auto& r : rs) {
          if (numpy) out.append(to_numpy_owned(Var(std::move(r))));
          else out.append(Var(std::move(r)));
        }
        return out;
      }, py::arg("inputs"), py::arg("requests"), py::arg("numpy") = false);
  // kinds: per program input, "differentiated", "mapped" or "shared", in that order.
  m.def("batch_plan", [](const Program& p, const std::vector<std::string>& kinds) {
    std::vector<batch::InputKind> ks;
    for (const auto& k : kinds) {
      if (k == "differentiated") ks.push_back(batch::InputKind::Differentiated);
      else if (k == "mapped") ks.push_back(batch::InputKind::Mapped);
      else if (k == "shared") ks.push_back(batch::InputKind::Shared);
      else throw std::invalid_argument("batched Jacobian: unknown input kind " + k);
    }
    py::gil_scoped_release release;
    return std::make_shared<batch::Plan>(batch::compile(p, ks));
  });
  // op_a(a) @ op_b(b), flags 0 (as stored), 1 (transposed), 2 (conjugate-transposed): the
  // product the adjoint rules record, bound for the tests of its own rules.
  m.def("_matmul_flagged", [](const Var& a, const Var& b, int op_a, int op_b) {
    if (op_a < 0 || op_a > 2 || op_b < 0 || op_b > 2) throw py::value_error("_matmul_flagged: flags are 0, 1 or 2");
    return matmul(a, b, static_cast<MatOp>(op_a), static_cast<MatOp>(op_b));
  });
  m.def("make_program", [](const Tape& t, const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
    return std::make_shared<Program>(make_program(t, inputs, outputs));
  }, G());
  m.def("jvp_sweep", &jvp_sweep, G());
  m.def("vjp_sweep", &vjp_sweep, G());
  m.def("jac_columns", &jac_columns, G());

  bind_device(m);
  bind_special(m);
}
