// The latency path of a jitted call at top level: a jitted function is a
// JitFunction, a callable type of its own, whose call reads the signature of
// plain arguments (Python numbers, NumPy scalars and arrays), looks it up and
// runs the program, without a Python frame between the caller and the engine.
// Anything else (wirtinger arrays, keyword arguments, pytrees, a call inside a
// transform, the first call of a signature) goes to the Python path of
// wirtinger.jit, which traces and fills the table.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <structmember.h>

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "program.hpp"

namespace py = pybind11;

namespace wirtinger::engine {
namespace {

struct Entry {
  std::shared_ptr<Program> program;
  std::vector<DType> dtypes;
  int mode = 2;  // how results are put together: 0 one array, 1 a tuple, 2 by `assemble`
  py::object assemble;
};

class JitDispatch {
 public:
  // conventions: the module that holds the default and the scoped convention;
  // scalars: the NumPy scalar types traced; ints: the range of Python ints
  // traced (those float64 holds exactly). jit.py owns both.
  JitDispatch(py::object conventions, std::vector<py::object> scalars, std::pair<long long, long long> ints)
      : conventions_(std::move(conventions)), scalars_(std::move(scalars)), ints_(ints) {
    scoped_ = conventions_.attr("_scoped");
    default_name_ = py::str("_default");
    ndarray_ = py::module_::import("numpy").attr("ndarray");
    miss_ = py::reinterpret_steal<py::object>(PyObject_CallObject(reinterpret_cast<PyObject*>(&PyBaseObject_Type), nullptr));
  }

  // The call's result, or `miss` when this path does not serve it.
  py::object call(PyObject* const* args, std::size_t n) {
    if (recorder().depth != 0 || map_.empty()) return miss_;
    std::string key;
    if (!key_of(args, n, key)) return miss_;
    const auto it = map_.find(key);
    if (it == map_.end()) return miss_;
    const Entry e = it->second;  // kept whole for the call: another thread may clear the map meanwhile
    py::tuple outs = run_program_numpy(*e.program, args, n, e.dtypes);
    if (e.mode == 0) return outs[0];
    if (e.mode == 1) return std::move(outs);
    return e.assemble(outs);
  }
  py::object call_tuple(const py::tuple& args) { return call(PySequence_Fast_ITEMS(args.ptr()), py::len(args)); }

  void add(const py::tuple& args, std::shared_ptr<Program> program, const std::vector<py::dtype>& dtypes, int mode,
           py::object assemble) {
    std::string key;
    if (!key_of(PySequence_Fast_ITEMS(args.ptr()), py::len(args), key)) return;
    Entry e{std::move(program), {}, mode, std::move(assemble)};
    for (const auto& d : dtypes) e.dtypes.push_back(dtype_from(d));
    map_[key] = std::move(e);
  }

  void clear() { map_.clear(); }
  std::size_t size() const { return map_.size(); }
  py::object miss() const { return miss_; }

 private:
  // Per argument: its type, and an array's dtype and shape; then the default
  // convention, which decides what a traced gradient computed.
  bool key_of(PyObject* const* args, std::size_t n, std::string& key) const {
    for (std::size_t a = 0; a < n; ++a) {
      PyObject* p = args[a];
      if (PyFloat_CheckExact(p)) {
        key += 'f';
      } else if (PyComplex_CheckExact(p)) {
        key += 'c';
      } else if (PyLong_CheckExact(p)) {
        int overflow = 0;
        const long long v = PyLong_AsLongLongAndOverflow(p, &overflow);
        if (overflow || v < ints_.first || v > ints_.second) return false;
        key += 'i';
      } else if (Py_TYPE(p) == reinterpret_cast<PyTypeObject*>(ndarray_.ptr())) {
        const auto* a = py::detail::array_proxy(p);
        const auto* d = py::detail::array_descriptor_proxy(a->descr);
        key += 'a';
        key.append(reinterpret_cast<const char*>(&d->type_num), sizeof(d->type_num));
        key += d->byteorder;
        key.append(reinterpret_cast<const char*>(&a->nd), sizeof(a->nd));
        key.append(reinterpret_cast<const char*>(a->dimensions), sizeof(*a->dimensions) * static_cast<std::size_t>(a->nd));
      } else {
        std::size_t i = 0;
        while (i < scalars_.size() && Py_TYPE(p) != reinterpret_cast<PyTypeObject*>(scalars_[i].ptr())) ++i;
        if (i == scalars_.size()) return false;
        key += 's';
        key += static_cast<char>('0' + i);
      }
    }
    PyObject* scoped = nullptr;
    if (PyContextVar_Get(scoped_.ptr(), nullptr, &scoped) < 0) throw py::error_already_set();
    const py::object convention = scoped && scoped != Py_None ? py::reinterpret_steal<py::object>(scoped)
                                                              : (Py_XDECREF(scoped), py::getattr(conventions_, default_name_));
    // "adjoint" or "transpose": the first letter tells them apart.
    PyObject* c = convention.ptr();
    key += '|';
    key += PyUnicode_Check(c) && PyUnicode_GET_LENGTH(c) > 0 ? static_cast<char>(PyUnicode_READ_CHAR(c, 0)) : '?';
    return true;
  }

  py::object conventions_, scoped_, default_name_, ndarray_, miss_;
  std::vector<py::object> scalars_;
  std::pair<long long, long long> ints_;
  std::unordered_map<std::string, Entry> map_;
};

// A jitted function: the table's call, and the Python path where it misses.
// It carries a __dict__ (functools.wraps copies the function's name and
// docstring there) and binds as a method, as the function it wraps would.
struct JitFunctionObject {
  PyObject_HEAD
  vectorcallfunc vectorcall;
  PyObject* dict;
  PyObject* weakrefs;
  PyObject* table;     // the JitDispatch
  PyObject* fallback;  // the Python path
  JitDispatch* dispatch;
};

PyObject* jit_function_call(PyObject* self, PyObject* const* args, std::size_t nargsf, PyObject* kwnames) {
  auto* f = reinterpret_cast<JitFunctionObject*>(self);
  if (kwnames == nullptr || PyTuple_GET_SIZE(kwnames) == 0) {
    try {
      py::object out = f->dispatch->call(args, static_cast<std::size_t>(PyVectorcall_NARGS(nargsf)));
      if (!out.is(f->dispatch->miss())) return out.release().ptr();
    } catch (py::error_already_set& e) {
      e.restore();
      return nullptr;
    } catch (...) {
      // The Python path repeats the call through the binding, which turns the
      // C++ exception into the Python exception the package registers for it.
    }
  }
  return PyObject_Vectorcall(f->fallback, args, nargsf, kwnames);
}

int jit_function_traverse(PyObject* self, visitproc visit, void* arg) {
  auto* f = reinterpret_cast<JitFunctionObject*>(self);
  Py_VISIT(Py_TYPE(self));
  Py_VISIT(f->dict);
  Py_VISIT(f->table);
  Py_VISIT(f->fallback);
  return 0;
}

int jit_function_clear(PyObject* self) {
  auto* f = reinterpret_cast<JitFunctionObject*>(self);
  Py_CLEAR(f->dict);
  Py_CLEAR(f->fallback);
  // The table stays until deallocation: a call may be running on it.
  return 0;
}

void jit_function_dealloc(PyObject* self) {
  auto* f = reinterpret_cast<JitFunctionObject*>(self);
  PyObject_GC_UnTrack(self);
  if (f->weakrefs) PyObject_ClearWeakRefs(self);
  jit_function_clear(self);
  Py_CLEAR(f->table);
  PyTypeObject* type = Py_TYPE(self);
  type->tp_free(self);
  Py_DECREF(type);
}

PyObject* jit_function_new(PyTypeObject* type, PyObject* args, PyObject* kwargs) {
  PyObject *table = nullptr, *fallback = nullptr;
  static const char* names[] = {"table", "fallback", nullptr};
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO:JitFunction", const_cast<char**>(names), &table, &fallback))
    return nullptr;
  JitDispatch* dispatch = nullptr;
  try {
    dispatch = py::cast<JitDispatch*>(table);
  } catch (const py::cast_error&) {
    PyErr_SetString(PyExc_TypeError, "JitFunction: table must be a JitDispatch");
    return nullptr;
  }
  if (!PyCallable_Check(fallback)) {
    PyErr_SetString(PyExc_TypeError, "JitFunction: fallback must be callable");
    return nullptr;
  }
  auto* f = PyObject_GC_New(JitFunctionObject, type);
  if (f == nullptr) return nullptr;
  f->vectorcall = reinterpret_cast<vectorcallfunc>(jit_function_call);
  f->dict = PyDict_New();
  f->weakrefs = nullptr;
  Py_INCREF(table);
  Py_INCREF(fallback);
  f->table = table;
  f->fallback = fallback;
  f->dispatch = dispatch;
  PyObject_GC_Track(reinterpret_cast<PyObject*>(f));
  return reinterpret_cast<PyObject*>(f);
}

// Bound as a method when it is a class attribute, as a function would be.
PyObject* jit_function_get(PyObject* self, PyObject* obj, PyObject*) {
  if (obj == nullptr || obj == Py_None) {
    Py_INCREF(self);
    return self;
  }
  return PyMethod_New(self, obj);
}

PyObject* jit_function_repr(PyObject* self) {
  auto* f = reinterpret_cast<JitFunctionObject*>(self);
  PyObject* name = f->dict ? PyDict_GetItemString(f->dict, "__qualname__") : nullptr;
  if (name) return PyUnicode_FromFormat("<jitted function %S>", name);
  return PyUnicode_FromString("<jitted function>");
}

PyObject* jit_function_type() {
  static PyMemberDef members[] = {
      {"__vectorcalloffset__", T_PYSSIZET, offsetof(JitFunctionObject, vectorcall), READONLY, nullptr},
      {"__dictoffset__", T_PYSSIZET, offsetof(JitFunctionObject, dict), READONLY, nullptr},
      {"__weaklistoffset__", T_PYSSIZET, offsetof(JitFunctionObject, weakrefs), READONLY, nullptr},
      {nullptr, 0, 0, 0, nullptr}};
  static PyGetSetDef getset[] = {
      {"__dict__", PyObject_GenericGetDict, PyObject_GenericSetDict, nullptr, nullptr},
      {nullptr, nullptr, nullptr, nullptr, nullptr}};
  static PyType_Slot slots[] = {
      {Py_tp_doc, const_cast<char*>("A function compiled by wirtinger.jit.")},
      {Py_tp_new, reinterpret_cast<void*>(jit_function_new)},
      {Py_tp_dealloc, reinterpret_cast<void*>(jit_function_dealloc)},
      {Py_tp_traverse, reinterpret_cast<void*>(jit_function_traverse)},
      {Py_tp_clear, reinterpret_cast<void*>(jit_function_clear)},
      {Py_tp_call, reinterpret_cast<void*>(PyVectorcall_Call)},
      {Py_tp_descr_get, reinterpret_cast<void*>(jit_function_get)},
      {Py_tp_repr, reinterpret_cast<void*>(jit_function_repr)},
      {Py_tp_members, members},
      {Py_tp_getset, getset},
      {0, nullptr}};
  static PyType_Spec spec = {"wirtinger._core.JitFunction", static_cast<int>(sizeof(JitFunctionObject)), 0,
                             Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL, slots};
  return PyType_FromSpec(&spec);
}

}  // namespace

void bind_jit_dispatch(py::module_& m) {
  PyObject* type = jit_function_type();
  if (type == nullptr) throw py::error_already_set();
  m.add_object("JitFunction", py::reinterpret_steal<py::object>(type));
  py::class_<JitDispatch>(m, "JitDispatch")
      .def(py::init<py::object, std::vector<py::object>, std::pair<long long, long long>>())
      .def("__call__", &JitDispatch::call_tuple)
      .def("add", &JitDispatch::add)
      .def("clear", &JitDispatch::clear)
      .def("__len__", &JitDispatch::size)
      .def_property_readonly("miss", &JitDispatch::miss);
}

}  // namespace wirtinger::engine
