// Arrays that cross the DLPack protocol (https://dmlc.github.io/dlpack/latest/):
// GPU arrays of CuPy, PyTorch or JAX come in without a copy, and results that
// live on a device go out as DeviceArray, which any DLPack consumer can take.
// The structs below are the protocol's C ABI (their layout is the standard);
// only the parts wirtinger uses are named.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include <pybind11/pybind11.h>

#include "tensor.hpp"

namespace wirtinger::engine::dlpack {

enum DeviceType : std::int32_t { kCPU = 1, kCUDA = 2 };

struct Device {
  std::int32_t device_type;
  std::int32_t device_id;
};
struct DataType {
  std::uint8_t code;  // 2: float, 5: complex
  std::uint8_t bits;
  std::uint16_t lanes;
};
struct DLTensor {
  void* data;
  Device device;
  std::int32_t ndim;
  DataType dtype;
  std::int64_t* shape;
  std::int64_t* strides;  // in elements; null: C-contiguous
  std::uint64_t byte_offset;
};
struct Managed {  // the protocol's unversioned capsule, "dltensor"
  DLTensor dl_tensor;
  void* manager_ctx;
  void (*deleter)(Managed*);
};
struct Version {
  std::uint32_t major, minor;
};
struct ManagedVersioned {  // "dltensor_versioned", protocol 1.x
  Version version;
  void* manager_ctx;
  void (*deleter)(ManagedVersioned*);
  std::uint64_t flags;
  DLTensor dl_tensor;
};

// Memory that lives on a device (or, for tests and host copies, on the CPU),
// released by its owner's deleter.
struct DeviceArray {
  std::shared_ptr<void> data;
  Shape shape;
  DType dtype = DType::f64;
  Device device{kCPU, 0};
  std::int64_t size() const { return numel(shape); }
  std::size_t bytes() const { return static_cast<std::size_t>(size()) * itemsize(dtype); }
};

// A C-contiguous float or complex array read through another library's
// __dlpack__: valid while the view lives (it holds the producer's capsule).
struct Imported {
  const void* data = nullptr;
  Shape shape;
  DType dtype = DType::f64;
  Device device{kCPU, 0};
  std::shared_ptr<void> owner;
};

// obj.__dlpack__() read as an Imported; `what` names it in errors. CUDA
// producers are asked to make their data ready on the default stream.
Imported import(const pybind11::handle& obj, const std::string& what);
// A capsule of `a` for a consumer (max_version: the highest protocol the
// consumer reads; a versioned capsule when it reads 1.x).
pybind11::capsule export_capsule(const DeviceArray& a, const pybind11::object& max_version);

}  // namespace wirtinger::engine::dlpack
