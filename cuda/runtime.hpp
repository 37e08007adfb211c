// CUDA runtime calls checked: a failure becomes a wirtinger::cuda::Error
// (a Python exception) naming the call.
#pragma once

#include <cuda_runtime.h>

#include <string>

#include "device.hpp"

namespace wirtinger::cuda {

inline void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess) throw Error(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(err));
}

inline void use(int device) {
  int count = 0;
  check(cudaGetDeviceCount(&count), "cudaGetDeviceCount");
  if (device < 0 || device >= count)
    throw Error("CUDA device " + std::to_string(device) + " does not exist (" + std::to_string(count) + " found)");
  check(cudaSetDevice(device), "cudaSetDevice");
}

}  // namespace wirtinger::cuda
