#include "dlpack.hpp"

#include <string>

namespace py = pybind11;

namespace wirtinger::engine::dlpack {

namespace {

DType dtype_from(const DataType& t, const std::string& what) {
  if (t.lanes == 1) {
    if (t.code == 2 && t.bits == 32) return DType::f32;
    if (t.code == 2 && t.bits == 64) return DType::f64;
    if (t.code == 5 && t.bits == 64) return DType::c64;
    if (t.code == 5 && t.bits == 128) return DType::c128;
  }
  throw py::type_error(what + ": DLPack dtype (code " + std::to_string(t.code) + ", " + std::to_string(t.bits) +
                       " bits, " + std::to_string(t.lanes) + " lanes) is not float32, float64, complex64 or complex128; "
                       "cast it first");
}

DataType datatype_of(DType d) {
  switch (d) {
    case DType::f32: return {2, 32, 1};
    case DType::f64: return {2, 64, 1};
    case DType::c64: return {5, 64, 1};
    default: return {5, 128, 1};
  }
}

Imported view_of(const DLTensor& t, std::shared_ptr<void> owner, const std::string& what) {
  Imported out;
  out.dtype = dtype_from(t.dtype, what);
  out.device = t.device;
  if (t.ndim < 0 || (t.ndim > 0 && !t.shape))
    throw py::value_error(what + ": the DLPack tensor has no valid shape (ndim " + std::to_string(t.ndim) + ")");
  out.shape.assign(t.shape, t.shape + t.ndim);
  for (auto n : out.shape)
    if (n < 0)
      throw py::value_error(what + ": the DLPack tensor has a negative extent, shape " + shape_str(out.shape));
  const bool empty = checked_numel(out.shape, out.dtype, what.c_str()) == 0;
  // An array with no elements is contiguous whatever its strides (NumPy gives it zero strides).
  if (t.strides && !empty) {
    std::int64_t expect = 1;
    for (std::int32_t d = t.ndim - 1; d >= 0; --d) {
      if (t.shape[d] != 1 && t.strides[d] != expect)
        throw py::value_error(what + " of shape " + shape_str(out.shape) +
                              " is not C-contiguous; make a contiguous copy first (.contiguous(), cupy.ascontiguousarray)");
      expect *= t.shape[d];
    }
  }
  out.data = static_cast<const char*>(t.data) + t.byte_offset;
  out.owner = std::move(owner);
  return out;
}

// The producer's deleter may release Python objects.
template <class M> void release(void* p) {
  auto* m = static_cast<M*>(p);
  if (m->deleter) {
    py::gil_scoped_acquire gil;
    m->deleter(m);
  }
}

struct Holder {
  DeviceArray array;
  Shape shape;
  Managed legacy;
  ManagedVersioned versioned;
};

DLTensor tensor_of(Holder& h) {
  return DLTensor{h.array.data.get(), h.array.device, static_cast<std::int32_t>(h.shape.size()),
                  datatype_of(h.array.dtype), h.shape.data(), nullptr, 0};
}

// A capsule nobody consumed still owns its tensor.
void legacy_capsule_gone(PyObject* cap) {
  if (PyCapsule_IsValid(cap, "dltensor")) {
    auto* m = static_cast<Managed*>(PyCapsule_GetPointer(cap, "dltensor"));
    if (m && m->deleter) m->deleter(m);
  }
}
void versioned_capsule_gone(PyObject* cap) {
  if (PyCapsule_IsValid(cap, "dltensor_versioned")) {
    auto* m = static_cast<ManagedVersioned*>(PyCapsule_GetPointer(cap, "dltensor_versioned"));
    if (m && m->deleter) m->deleter(m);
  }
}

}  // namespace

Imported import(const py::handle& obj, const std::string& what) {
  if (!py::hasattr(obj, "__dlpack__") || !py::hasattr(obj, "__dlpack_device__"))
    throw py::type_error(what + " (" + std::string(py::str(py::type::of(obj).attr("__name__"))) +
                         ") is not a DLPack array: pass a NumPy, CuPy or PyTorch array");
  const auto dev = obj.attr("__dlpack_device__")().cast<py::tuple>();
  const auto type = dev[0].cast<std::int32_t>();
  // CUDA producers order their pending work before the legacy default stream (1),
  // on which wirtinger's kernels run.
  const py::object stream = type == kCUDA ? py::object(py::int_(1)) : py::object(py::none());
  py::object cap;
  try {  // protocol 1.x first: it also exports read-only arrays
    cap = obj.attr("__dlpack__")(py::arg("stream") = stream, py::arg("max_version") = py::make_tuple(1, 0));
  } catch (const py::error_already_set& e) {
    if (!e.matches(PyExc_TypeError)) throw;
    cap = obj.attr("__dlpack__")(py::arg("stream") = stream);
  }
  PyObject* c = cap.ptr();
  if (PyCapsule_IsValid(c, "dltensor")) {
    auto* m = static_cast<Managed*>(PyCapsule_GetPointer(c, "dltensor"));
    PyCapsule_SetName(c, "used_dltensor");
    return view_of(m->dl_tensor, std::shared_ptr<void>(m, release<Managed>), what);
  }
  if (PyCapsule_IsValid(c, "dltensor_versioned")) {
    auto* m = static_cast<ManagedVersioned*>(PyCapsule_GetPointer(c, "dltensor_versioned"));
    PyCapsule_SetName(c, "used_dltensor_versioned");
    std::shared_ptr<void> owner(m, release<ManagedVersioned>);
    if (m->version.major != 1)
      throw py::type_error(what + ": DLPack version " + std::to_string(m->version.major) + " is not supported (1.x is)");
    return view_of(m->dl_tensor, std::move(owner), what);
  }
  throw py::type_error(what + ": __dlpack__ did not return a DLPack capsule");
}

py::capsule export_capsule(const DeviceArray& a, const py::object& max_version) {
  auto* h = new Holder{a, a.shape, {}, {}};
  bool versioned = false;
  if (!max_version.is_none()) versioned = max_version.cast<py::tuple>()[0].cast<int>() >= 1;
  PyObject* cap;
  if (versioned) {
    h->versioned = ManagedVersioned{{1, 0}, h, [](ManagedVersioned* m) { delete static_cast<Holder*>(m->manager_ctx); },
                                    0, tensor_of(*h)};
    cap = PyCapsule_New(&h->versioned, "dltensor_versioned", versioned_capsule_gone);
  } else {
    h->legacy = Managed{tensor_of(*h), h, [](Managed* m) { delete static_cast<Holder*>(m->manager_ctx); }};
    cap = PyCapsule_New(&h->legacy, "dltensor", legacy_capsule_gone);
  }
  if (!cap) {
    delete h;
    throw py::error_already_set();
  }
  return py::reinterpret_steal<py::capsule>(cap);
}

}  // namespace wirtinger::engine::dlpack
