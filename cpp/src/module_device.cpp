// The module's device side: DeviceArray (memory on a GPU, or on the host for a
// copy), its DLPack export, imports from other libraries, and batch plans run
// by the CUDA kernels.
#include <pybind11/stl.h>

#include <cstring>

#include "device.hpp"
#include "bindings.hpp"
#include "dlpack.hpp"

namespace py = pybind11;

namespace wirtinger::engine {

namespace {

using dlpack::DeviceArray;

std::string device_name(const dlpack::Device& d) {
  return d.device_type == dlpack::kCUDA ? "cuda:" + std::to_string(d.device_id) : "cpu";
}

dlpack::Device parse_device(const std::string& s) {
  if (s == "cpu") return {dlpack::kCPU, 0};
  if (s == "cuda") return {dlpack::kCUDA, 0};
  if (s.rfind("cuda:", 0) == 0) {
    try {
      return {dlpack::kCUDA, std::stoi(s.substr(5))};
    } catch (const std::exception&) {
    }
  }
  throw py::value_error("device must be \"cpu\", \"cuda\" or \"cuda:N\", got \"" + s + "\"");
}

// New memory on `to` holding n bytes copied from `src` on `from`.
std::shared_ptr<void> copy_between(const void* src, std::size_t n, dlpack::Device from, dlpack::Device to) {
  const bool src_gpu = from.device_type == dlpack::kCUDA, dst_gpu = to.device_type == dlpack::kCUDA;
  if (src_gpu && dst_gpu && from.device_id != to.device_id)
    throw py::value_error("copies between two GPUs (" + device_name(from) + " to " + device_name(to) +
                          ") are not supported; go through the host");
  if (src_gpu && dst_gpu) throw std::logic_error("copy_between: same device");
  if (dst_gpu) {
    auto mem = cuda::alloc(n, to.device_id);
    cuda::copy_to_device(mem.get(), src, n, to.device_id);
    return mem;
  }
  std::shared_ptr<void> mem(::operator new(std::max<std::size_t>(n, 1)), [](void* p) { ::operator delete(p); });
  if (src_gpu) cuda::copy_to_host(mem.get(), src, n, from.device_id);
  else if (n) std::memcpy(mem.get(), src, n);
  return mem;
}

bool same_device(dlpack::Device a, dlpack::Device b) {
  return a.device_type == b.device_type && (a.device_type != dlpack::kCUDA || a.device_id == b.device_id);
}

// `obj` (a DeviceArray, or any DLPack array: NumPy, CuPy, PyTorch) on device
// `to`: without a copy where it is there already.
DeviceArray on_device(const py::handle& obj, dlpack::Device to, const std::string& what) {
  if (py::isinstance<DeviceArray>(obj)) {
    const auto& a = obj.cast<const DeviceArray&>();
    if (same_device(a.device, to)) return a;
    DeviceArray out = a;
    out.data = copy_between(a.data.get(), a.bytes(), a.device, to);
    out.device = to;
    return out;
  }
  dlpack::Imported im = dlpack::import(obj, what);
  if (im.device.device_type != dlpack::kCPU && im.device.device_type != dlpack::kCUDA)
    throw py::value_error(what + " lives on DLPack device type " + std::to_string(im.device.device_type) +
                          "; wirtinger reads CPU and CUDA arrays");
  DeviceArray out;
  out.shape = im.shape;
  out.dtype = im.dtype;
  out.device = to;
  if (same_device(im.device, to) && to.device_type == dlpack::kCUDA) {
    // The producer's memory, kept alive by its capsule.
    out.data = std::shared_ptr<void>(im.owner, const_cast<void*>(im.data));
  } else {
    out.data = copy_between(im.data, out.bytes(), im.device, to);
  }
  return out;
}

py::array to_numpy(const DeviceArray& a) {
  py::array out(to_numpy_dtype(a.dtype), a.shape);
  if (a.device.device_type == dlpack::kCUDA) {
    py::gil_scoped_release release;
    cuda::copy_to_host(out.mutable_data(), a.data.get(), a.bytes(), a.device.device_id);
  } else if (a.bytes()) {
    std::memcpy(out.mutable_data(), a.data.get(), a.bytes());
  }
  return out;
}

// The plan run by the CUDA kernels over inputs on one GPU; results stay there.
// The inputs with a batch axis are on the GPU; the shared ones (which follow
// them among the program's inputs) on the host, where their steps are evaluated.
std::vector<DeviceArray> run_cuda(const batch::Plan& plan, const std::vector<DeviceArray>& inputs,
                                  const std::vector<Var>& shared, const py::list& requests) {
  const auto reqs = batch_requests(requests);
  std::vector<Shape> shapes;
  std::vector<DType> dtypes;
  std::vector<const void*> srcs;
  std::vector<Tensor> host(inputs.size());
  int device = -1;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto& x = inputs[i];
    if (x.device.device_type != dlpack::kCUDA || (device >= 0 && x.device.device_id != device))
      throw py::value_error("batched Jacobian on CUDA: input " + std::to_string(i) + " is on " + device_name(x.device) +
                            "; every input must be on the same GPU");
    device = x.device.device_id;
    shapes.push_back(x.shape), dtypes.push_back(x.dtype), srcs.push_back(x.data.get());
  }
  for (const auto& v : shared) {
    shapes.push_back(v.shape()), dtypes.push_back(v.dtype()), srcs.push_back(nullptr);
    host.push_back(v.data());
  }
  const std::int64_t batch = batch::check_inputs(plan, shapes, dtypes);
  const auto consts = batch::call_consts(plan, host);
  std::vector<DeviceArray> outs;
  std::vector<void*> dsts;
  for (const auto& r : reqs) {
    DeviceArray a;
    a.shape = batch::request_shape(plan, r, batch);
    a.dtype = r.dtype;
    a.device = {dlpack::kCUDA, device};
    a.data = cuda::alloc(a.bytes(), device);
    dsts.push_back(a.data.get());
    outs.push_back(std::move(a));
  }
  const auto ins = batch::kernel_inputs(plan, srcs);
  const auto ws = batch::kernel_writes(plan, reqs, dsts);
  cuda::BatchLaunch L;
  L.single = plan.precision == DType::f32;
  L.code = plan.code.data(), L.ncode = static_cast<std::int32_t>(plan.code.size());
  L.slots = plan.slots.data(), L.nslots = static_cast<std::int32_t>(plan.slots.size());
  L.index = plan.index.data(), L.nindex = static_cast<std::int64_t>(plan.index.size());
  L.consts = consts.data(), L.nconsts = static_cast<std::int64_t>(consts.size());
  L.N = plan.N, L.scratch = plan.scratch, L.workspace = plan.workspace;
  L.inputs = ins.data(), L.ninputs = static_cast<std::int32_t>(ins.size());
  L.writes = ws.data(), L.nwrites = static_cast<std::int32_t>(ws.size());
  L.batch = batch, L.device = device;
  {
    py::gil_scoped_release release;
    cuda::run_batch(L);
  }
  return outs;
}

}  // namespace

void bind_device(py::module_& m) {
  // CUDA errors surface as wirtinger.errors.CudaError (a RuntimeError).
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const cuda::Error& e) {
      const py::object cls = py::module_::import("wirtinger.errors").attr("CudaError");
      PyErr_SetString(cls.ptr(), e.what());
    }
  });
  m.def("cuda_available", &cuda::available);
  m.def("cuda_describe", &cuda::describe);

  py::class_<DeviceArray>(m, "DeviceArray")
      .def_property_readonly("shape", [](const DeviceArray& a) { return py::tuple(py::cast(a.shape)); })
      .def_property_readonly("dtype", [](const DeviceArray& a) { return to_numpy_dtype(a.dtype); })
      .def_property_readonly("ndim", [](const DeviceArray& a) { return a.shape.size(); })
      .def_property_readonly("size", &DeviceArray::size)
      .def_property_readonly("device", [](const DeviceArray& a) { return device_name(a.device); })
      .def("__len__", [](const DeviceArray& a) {
        if (a.shape.empty()) throw py::type_error("len() of a 0-d DeviceArray");
        return a.shape[0];
      })
      .def("numpy", &to_numpy)
      .def("__dlpack_device__", [](const DeviceArray& a) { return py::make_tuple(a.device.device_type, a.device.device_id); })
      .def("__dlpack__", [](const DeviceArray& a, const py::object& stream, const py::object& max_version,
                            const py::object& dl_device, const py::object& copy) {
        // Results are complete when a run returns (it synchronises): any stream may read them.
        if (!dl_device.is_none()) {
          const auto d = dl_device.cast<py::tuple>();
          if (d[0].cast<int>() != a.device.device_type || d[1].cast<int>() != a.device.device_id)
            throw py::buffer_error("DeviceArray.__dlpack__: the array is on " + device_name(a.device) +
                                   "; copy it with numpy() or device_put first");
        }
        if (!copy.is_none() && copy.cast<bool>())
          throw py::buffer_error("DeviceArray.__dlpack__: copy=True is not supported; use device_put(x, device)");
        return dlpack::export_capsule(a, max_version);
      }, py::kw_only(), py::arg("stream") = py::none(), py::arg("max_version") = py::none(),
         py::arg("dl_device") = py::none(), py::arg("copy") = py::none());
  m.def("device_put", [](const py::handle& obj, const std::string& device) {
    return on_device(obj, parse_device(device), "device_put: the array");
  });
  m.def("batch_run_cuda", &run_cuda);
}

}  // namespace wirtinger::engine
