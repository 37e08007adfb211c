// Device discovery and memory.
#include "runtime.hpp"

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

std::shared_ptr<void> alloc(std::size_t bytes, int device) {
  use(device);
  void* p = nullptr;
  if (bytes) check(cudaMalloc(&p, bytes), "cudaMalloc");
  // The freeing thread may have another device current.
  return std::shared_ptr<void>(p, [device](void* q) {
    if (!q) return;
    int prev = 0;
    cudaGetDevice(&prev);
    cudaSetDevice(device);
    cudaFree(q);
    cudaSetDevice(prev);
  });
}

void copy_to_device(void* dst, const void* src, std::size_t bytes, int device) {
  use(device);
  if (bytes) check(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice), "cudaMemcpy (host to device)");
}

void copy_to_host(void* dst, const void* src, std::size_t bytes, int device) {
  use(device);
  if (bytes) check(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost), "cudaMemcpy (device to host)");
}

}  // namespace wirtinger::cuda
