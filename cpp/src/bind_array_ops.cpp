// The common case of an eager operation on wirtinger.Array, in one C++ call:
// an element-wise function of an Array or a Python float or complex, or of two
// operands that are Arrays or Python floats and complexes (one an Array). The Python path (wirtinger._array) does the
// same with more steps (NumPy's promotion of the operands, their conversion,
// the new Array) and remains for everything else: weak scalars under jit,
// values batched by vmap, NumPy operands, ints. These functions return None
// where they do not apply.
#include <pybind11/pybind11.h>

#include <string>

#include "bindings.hpp"
#include "ops.hpp"

namespace py = pybind11;

namespace wirtinger::engine {
namespace {

struct ArrayClass {
  PyTypeObject* type = nullptr;  // wirtinger.Array exactly (not its weak subclasses)
  py::object slot;                // the name of the slot that holds the engine value
  py::tuple no_args;
};
ArrayClass& array_class() {
  static ArrayClass& c = *new ArrayClass;  // never destroyed: it outlives the interpreter's teardown
  return c;
}

// The engine value of an Array (not batched), or nullptr.
const Var* var_of(PyObject* x) {
  const ArrayClass& c = array_class();
  if (Py_TYPE(x) != c.type) return nullptr;
  const py::object v = py::reinterpret_steal<py::object>(PyObject_GetAttr(x, c.slot.ptr()));
  if (!v) throw py::error_already_set();
  if (!py::isinstance<Var>(v)) return nullptr;
  return &v.cast<const Var&>();  // the Array keeps the Var object alive
}

py::object new_array(Var v) {
  const ArrayClass& c = array_class();
  py::object a = py::reinterpret_steal<py::object>(c.type->tp_new(c.type, c.no_args.ptr(), nullptr));
  if (!a) throw py::error_already_set();
  if (PyObject_SetAttr(a.ptr(), c.slot.ptr(), py::cast(std::move(v)).ptr()) < 0) throw py::error_already_set();
  return a;
}

// A Python number as a 0-d value of dtype d (python_number's conversion).
Var number_var(PyObject* x, DType d) {
  Tensor t = Tensor::empty(d, {});
  python_number(x, d, t.raw());
  return Var(std::move(t));
}

// A Python float or complex next to an Array of dtype d, as NumPy 2 promotes a
// Python number (weakly): d, made complex by a complex number. NumPy's own
// scalars are not weak, and take the general path.
bool python_operand(PyObject* x, DType d, Var& out) {
  if (!PyFloat_CheckExact(x) && !PyComplex_CheckExact(x)) return false;
  out = number_var(x, PyComplex_CheckExact(x) ? complex_dtype(d) : d);
  return true;
}

}  // namespace

void bind_array_ops(py::module_& m) {
  m.def("set_array_class", [](py::handle type, const std::string& slot) {
    ArrayClass& c = array_class();
    c.type = reinterpret_cast<PyTypeObject*>(type.inc_ref().ptr());
    c.slot = py::str(slot);
    c.no_args = py::tuple();
  });
  m.def("array_unary", [](py::handle x, int op) -> py::object {
    if (array_class().type == nullptr) return py::none();
    if (const Var* v = var_of(x.ptr())) return new_array(unary(static_cast<UnaryOp>(op), *v));
    Var number;  // a Python float or complex: float64 or complex128, as NumPy reads it
    if (python_operand(x.ptr(), DType::f64, number)) return new_array(unary(static_cast<UnaryOp>(op), number));
    return py::none();
  });
  // A fresh input of a transform from a Python float or complex (or NumPy's
  // float64 and complex128, their subclasses): (the Array of it, its value).
  m.def("watch_number", [](py::handle x) -> py::object {
    if (array_class().type == nullptr) return py::none();
    if (!PyFloat_Check(x.ptr()) && !PyComplex_Check(x.ptr())) return py::none();
    Var w = watch(number_var(x.ptr(), PyComplex_Check(x.ptr()) ? DType::c128 : DType::f64));
    py::object array = new_array(w);
    return py::make_tuple(std::move(array), std::move(w));
  });
  m.def("array_binary", [](py::handle a, py::handle b, int op) -> py::object {
    if (array_class().type == nullptr) return py::none();
    const Var* va = var_of(a.ptr());
    const Var* vb = var_of(b.ptr());
    Var scalar;
    if (va && vb) return new_array(binary(static_cast<BinaryOp>(op), *va, *vb));
    if (va && python_operand(b.ptr(), va->dtype(), scalar)) return new_array(binary(static_cast<BinaryOp>(op), *va, scalar));
    if (vb && python_operand(a.ptr(), vb->dtype(), scalar)) return new_array(binary(static_cast<BinaryOp>(op), scalar, *vb));
    return py::none();
  });
}

}  // namespace wirtinger::engine
