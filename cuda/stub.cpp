// Built when CMake found no CUDA compiler.
#include "device.hpp"

namespace wirtinger::cuda {

namespace {
[[noreturn]] void unavailable() { throw Error(describe() + "; rebuild with nvcc on PATH to use device=\"cuda\""); }
}  // namespace

bool available() { return false; }
std::string describe() { return "wirtinger was built without CUDA (no CUDA compiler was found at build time)"; }
std::shared_ptr<void> alloc(std::size_t, int) { unavailable(); }
void copy_to_device(void*, const void*, std::size_t, int) { unavailable(); }
void copy_to_host(void*, const void*, std::size_t, int) { unavailable(); }
void run_batch(const BatchLaunch&) { unavailable(); }

}  // namespace wirtinger::cuda
