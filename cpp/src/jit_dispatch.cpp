// The latency path of a jitted call at top level: the signature of plain
// arguments (Python numbers, NumPy scalars and arrays) is read and looked up
// here, and the program runs, without Python frames between the call and the
// engine. Anything else (wirtinger arrays, keyword arguments, pytrees, a call
// inside a transform) is a miss, which wirtinger.jit handles in Python.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

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
  py::object call(const py::tuple& args) {
    if (recorder().depth != 0 || map_.empty()) return miss_;
    std::string key;
    if (!key_of(args, key)) return miss_;
    const auto it = map_.find(key);
    if (it == map_.end()) return miss_;
    const Entry e = it->second;  // kept whole for the call: another thread may clear the map meanwhile
    py::list outs = run_program_numpy(*e.program, args, e.dtypes);
    if (e.mode == 0) return outs[0];
    if (e.mode == 1) return py::tuple(outs);
    return e.assemble(outs);
  }

  void add(const py::tuple& args, std::shared_ptr<Program> program, const std::vector<py::dtype>& dtypes, int mode,
           py::object assemble) {
    std::string key;
    if (!key_of(args, key)) return;
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
  bool key_of(const py::tuple& args, std::string& key) const {
    for (const py::handle x : args) {
      PyObject* p = x.ptr();
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

}  // namespace

void bind_jit_dispatch(py::module_& m) {
  py::class_<JitDispatch>(m, "JitDispatch")
      .def(py::init<py::object, std::vector<py::object>, std::pair<long long, long long>>())
      .def("__call__", &JitDispatch::call)
      .def("add", &JitDispatch::add)
      .def("clear", &JitDispatch::clear)
      .def("__len__", &JitDispatch::size)
      .def_property_readonly("miss", &JitDispatch::miss);
}

}  // namespace wirtinger::engine
