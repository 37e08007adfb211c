// What the CUDA back end offers the rest of the library, with or without CUDA.
#pragma once

#include <string>

namespace wirtinger::cuda {

// True when the library was built with CUDA and a device is usable now.
bool available();
// How the library was built and what the runtime reports, for error messages.
std::string describe();

}  // namespace wirtinger::cuda
