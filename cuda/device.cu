// Device discovery. Kernels for batched Jacobians join this directory and use
// the same __host__ __device__ rules as the CPU (cpp/include/wirtinger/rules.hpp).
#include <cuda_runtime.h>

#include "device.hpp"

namespace wirtinger::cuda {

bool available() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

std::string describe() {
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess)
    return std::string("wirtinger was built with CUDA, but the runtime reports: ") + cudaGetErrorString(err);
  return "wirtinger was built with CUDA; devices found: " + std::to_string(count);
}

}  // namespace wirtinger::cuda
