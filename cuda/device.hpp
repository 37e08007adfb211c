// What the CUDA back end offers the rest of the library, with or without CUDA
// (stub.cpp answers every call of a build without it).
#pragma once

#include <complex>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>

#include "batch_kernel.hpp"

namespace wirtinger::cuda {

// A CUDA runtime error, or a request for CUDA in a build or on a machine without it.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// True when the library was built with CUDA and a device is usable now.
bool available();
// How the library was built and what the runtime reports, for error messages.
std::string describe();

// Device memory, freed when the last owner lets go.
std::shared_ptr<void> alloc(std::size_t bytes, int device);
void copy_to_device(void* dst, const void* src, std::size_t bytes, int device);
void copy_to_host(void* dst, const void* src, std::size_t bytes, int device);

// One batched-Jacobian run (batch_kernel.hpp's body, one sample per thread at a
// time): the plan's arrays on the host, inputs' and writes' pointers on `device`.
struct BatchLaunch {
  bool single = false;  // evaluate in float (complex64) rather than double
  const engine::batch::Instr* code = nullptr;
  std::int32_t ncode = 0;
  const engine::batch::Slot* slots = nullptr;
  std::int32_t nslots = 0;
  const std::int64_t* index = nullptr;
  std::int64_t nindex = 0;
  const std::complex<double>* consts = nullptr;
  std::int64_t nconsts = 0;
  std::int64_t N = 0, scratch = 0, workspace = 0;
  const engine::batch::Input* inputs = nullptr;
  std::int32_t ninputs = 0;
  const engine::batch::Write* writes = nullptr;
  std::int32_t nwrites = 0;
  std::int64_t batch = 0;
  int device = 0;
};
// Runs to completion (synchronises the device).
void run_batch(const BatchLaunch& launch);

}  // namespace wirtinger::cuda
