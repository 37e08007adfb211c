// Hot loops compiled twice on x86-64, for the baseline instruction set and for
// AVX2, the copy chosen at run time by cpu_has_avx2(): the element-wise kernels
// (elementwise.hpp) and the batch kernel's per-sample body (batch_kernel.hpp,
// batch_plan.cpp). Each copy is a function of its own, [[gnu::target("avx2")]]
// on the second, since GCC vectorises a loop for one target per function.
#pragma once

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__CUDACC__)
#define WIRT_CPU_CLONES 1
#else
#define WIRT_CPU_CLONES 0
#endif

// No loop-carried dependences (GCC's ivdep also skips the runtime alias
// checks; "omp simd" would instead turn addressable temporaries into arrays
// that then fail to vectorise).
#if defined(__CUDACC__)
#define WIRT_IVDEP
#elif defined(__clang__)
#define WIRT_IVDEP _Pragma("clang loop vectorize(assume_safety)")
#elif defined(__GNUC__)
#define WIRT_IVDEP _Pragma("GCC ivdep")
#else
#define WIRT_IVDEP
#endif

namespace wirtinger::engine {
#if WIRT_CPU_CLONES
inline bool cpu_has_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
}
#endif
}  // namespace wirtinger::engine
