// What a generated group kernel (codegen.cpp) is compiled against: the rule
// table and the fast scalar types that the block kernels (blocks.cpp) evaluate
// it in, so that a generated kernel computes what the kernels compute.
#pragma once

#include <complex>
#include <cstdint>

#include <wirtinger/rules.hpp>

#include "cpu_clones.hpp"
#include "simd_math.hpp"

#define WIRT_GROUP_KERNEL extern "C" __attribute__((visibility("default"), flatten))
// Ones that the compiler cannot see are ones (set when the library loads), for
// the constants of a block of up to 1024 elements (codegen.cpp).
#define WIRT_GROUP_ONES                                                     \
  static float onesf[1024];                                                 \
  static double ones[1024];                                                 \
  __attribute__((constructor)) static void wirt_group_ones() {              \
    for (int i = 0; i < 1024; ++i) onesf[i] = ones[i] = 1;                  \
  }

namespace wk {
using namespace wirtinger;
using namespace wirtinger::engine;
using engine::simd::nonfinite_bit;

// wpow's square-and-multiply loop (rules.hpp) for an exponent known when the
// kernel is generated, unrolled: the same products in the same order, and no
// loop inside the element loop, which would keep it from being vectorised.
template <int n, class T> inline T pow_steps(T result, const T& base) {
  if constexpr ((n & 1) != 0) result = result * base;
  if constexpr ((n >> 1) == 0) return result;
  else return pow_steps<(n >> 1)>(result, base * base);
}
// wpow(a, N) for the integer N (|N| <= 8 for real a, |N| < 100 for complex a).
template <int N, class T> inline T ipow(const T& a) {
  constexpr int n = N < 0 ? -N : N;
  if constexpr (N == 0) {
    return T(1);
  } else if constexpr (is_complex_v<T>) {
    using R = real_of<T>;
    T r;
    if constexpr (n == 1) r = a;
    else if constexpr (n == 2) r = a * a;
    else if constexpr (n == 3) r = a * (a * a);
    else r = pow_steps<n>(T(1), a);
    if constexpr (N < 0 && n > 3) r = numpy_divide(T(1), r);
    return a == T(0) ? (N > 0 ? T(0) : T(R(0) / R(0), R(0) / R(0))) : r;
  } else {
    return pow_steps<n>(T(1), N < 0 ? T(1) / a : a);
  }
}
}  // namespace wk
