// Built when CMake found no CUDA compiler.
#include "device.hpp"

namespace wirtinger::cuda {

bool available() { return false; }
std::string describe() { return "wirtinger was built without CUDA (no CUDA compiler was found at build time)"; }

}  // namespace wirtinger::cuda
