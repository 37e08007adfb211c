// Batched Jacobians on a GPU: batch_kernel.hpp's per-sample body as a CUDA
// kernel, each thread looping over samples in its own workspace, set up once
// (the seeds and the rows every sample shares), as the CPU's chunks are.
#include <algorithm>
#include <cstdlib>
#include <vector>

#include "runtime.hpp"

namespace wirtinger::cuda {

namespace {

using engine::batch::Kernel;

template <class C> __global__ void batch_kernel(Kernel<C> k, C* workspaces, std::int64_t batch) {
  const std::int64_t t = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
  if (t >= batch) return;
  C* ws = workspaces + t * k.workspace;
  engine::batch::init_workspace<C, C>(k, ws);
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t b = t; b < batch; b += stride) engine::batch::run_one<C, C>(k, ws, b);
}

template <class T> struct Uploaded {
  std::shared_ptr<void> mem;
  const T* get() const { return static_cast<const T*>(mem.get()); }
};
template <class T> Uploaded<T> upload(const T* src, std::size_t n, int device) {
  Uploaded<T> u{alloc(n * sizeof(T), device)};
  copy_to_device(u.mem.get(), src, n * sizeof(T), device);
  return u;
}

// Threads in flight: enough to fill the device, within a memory budget for
// their workspaces (WIRTINGER_CUDA_THREADS overrides, for tuning).
std::int64_t thread_count(std::int64_t batch, std::size_t ws_bytes, int device) {
  if (const char* env = std::getenv("WIRTINGER_CUDA_THREADS")) {
    const long long n = std::atoll(env);
    if (n > 0) return std::min<std::int64_t>(batch, n);
  }
  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
  std::size_t free_bytes = 0, total = 0;
  check(cudaMemGetInfo(&free_bytes, &total), "cudaMemGetInfo");
  const std::int64_t fill = static_cast<std::int64_t>(prop.multiProcessorCount) * prop.maxThreadsPerMultiProcessor;
  const std::int64_t budget = static_cast<std::int64_t>(free_bytes / 4 / std::max<std::size_t>(ws_bytes, 1));
  if (budget < 1)
    throw Error("batched Jacobian on CUDA: one sample's workspace (" + std::to_string(ws_bytes) +
                " bytes) does not fit in a quarter of the device's free memory (" + std::to_string(free_bytes) + " bytes)");
  return std::max<std::int64_t>(1, std::min({batch, fill, budget}));
}

template <class C> void run_typed(const BatchLaunch& L) {
  using R = wirtinger::real_of<C>;
  const int dev = L.device;
  std::vector<C> consts(static_cast<std::size_t>(L.nconsts));
  for (std::int64_t i = 0; i < L.nconsts; ++i) consts[i] = C(static_cast<R>(L.consts[i].real()), static_cast<R>(L.consts[i].imag()));
  const auto code = upload(L.code, static_cast<std::size_t>(L.ncode), dev);
  const auto slots = upload(L.slots, static_cast<std::size_t>(L.nslots), dev);
  const auto index = upload(L.index, static_cast<std::size_t>(L.nindex), dev);
  const auto cst = upload(consts.data(), consts.size(), dev);
  const auto ins = upload(L.inputs, static_cast<std::size_t>(L.ninputs), dev);
  const auto outs = upload(L.writes, static_cast<std::size_t>(L.nwrites), dev);
  const Kernel<C> k{engine::batch::View<C>{code.get(), L.ncode, slots.get(), index.get(), cst.get(), L.N, L.scratch},
                    L.workspace, ins.get(), L.ninputs, outs.get(), L.nwrites};
  const std::size_t ws_bytes = static_cast<std::size_t>(std::max<std::int64_t>(L.workspace, 1)) * sizeof(C);
  const std::int64_t threads = thread_count(L.batch, ws_bytes, dev);
  const auto workspaces = alloc(static_cast<std::size_t>(threads) * ws_bytes, dev);
  const int block = 128;
  const auto grid = static_cast<unsigned>((threads + block - 1) / block);
  batch_kernel<C><<<grid, block>>>(k, static_cast<C*>(workspaces.get()), L.batch);
  check(cudaGetLastError(), "the batched-Jacobian kernel launch");
  check(cudaDeviceSynchronize(), "the batched-Jacobian kernel");
}

}  // namespace

void run_batch(const BatchLaunch& L) {
  if (L.batch == 0) return;
  use(L.device);
  if (L.single) run_typed<::cuda::std::complex<float>>(L);
  else run_typed<::cuda::std::complex<double>>(L);
}

}  // namespace wirtinger::cuda
