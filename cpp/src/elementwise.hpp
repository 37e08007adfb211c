// Vectorised element loops over rules evaluated in fast scalar types
// (simd_math.hpp). Compile a file that includes this with the options that
// cpp/src/CMakeLists.txt gives kernels.cpp, or its loops stay scalar.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "cpu_clones.hpp"
#include "parallel.hpp"
#include "simd_math.hpp"

namespace wirtinger::engine::simd {

template <class R> bool finite(const R& x) { return std::isfinite(x); }
template <class R> bool finite(const std::complex<R>& z) { return std::isfinite(z.real()) && std::isfinite(z.imag()); }
// out[i] = elem(i) for i in [lo, hi), as one loop the compiler may vectorise
// (each iteration writes its own element of a fresh output and reads only
// inputs); with Check, whether every result came out finite.
template <bool Check, class O, class Elem>
[[gnu::always_inline]] inline bool fill(std::int64_t lo, std::int64_t hi, O* out, const Elem& elem) {
  decltype(nonfinite_bit(*out)) bad = 0;
  WIRT_IVDEP
  for (std::int64_t i = lo; i < hi; ++i) {
    out[i] = elem(i);  // not via a local: flattening inlines too late to keep it out of memory
    if constexpr (Check) bad |= nonfinite_bit(out[i]);
  }
  return !bad;
}
// Flattened, so that the rule code is inlined into the loop and compiled for
// the loop's instruction set, and kept out of line, since GCC gives up on the
// loop once it is inlined into its caller. The AVX2 copy runs where the CPU has
// it (any x86-64 runs the other) and calls libmvec's 4- and 8-lane functions.
template <bool Check, class O, class Elem>
[[gnu::flatten, gnu::noinline]] bool fill_default(std::int64_t lo, std::int64_t hi, O* out, const Elem& elem) {
  return fill<Check>(lo, hi, out, elem);
}
#if WIRT_CPU_CLONES
template <bool Check, class O, class Elem>
[[gnu::target("avx2"), gnu::flatten, gnu::noinline]] bool fill_avx2(std::int64_t lo, std::int64_t hi, O* out,
                                                                   const Elem& elem) {
  return fill<Check>(lo, hi, out, elem);
}
#endif
template <bool Check, class O, class Elem> bool simd_fill(std::int64_t lo, std::int64_t hi, O* out, const Elem& elem) {
#if WIRT_CPU_CLONES
  if (cpu_has_avx2()) return fill_avx2<Check>(lo, hi, out, elem);
#endif
  return fill_default<Check>(lo, hi, out, elem);
}

template <class X> struct type_tag { using type = X; };

// out[i] = elem(type_tag<F>, i) for i in [lo, hi), where elem evaluates the
// rules in the scalar type F: first in vm::fast_t<T>, vectorised; then, where
// that differs from T (complex), again in T for every element whose fast result
// is not finite, since only std::complex gets inf and nan operands right (see
// simd_math.hpp). Blocks keep those elements in cache.
template <class T, class O, class Elem> void fill_range(std::int64_t lo, std::int64_t hi, O* out, const Elem& elem) {
  using F = vm::fast_t<T>;
  constexpr bool check = !std::is_same_v<F, T>;
  constexpr std::int64_t block = 2048;
  for (std::int64_t b = lo; b < hi; b += block) {
    const std::int64_t e = std::min(hi, b + block);
    const bool all_finite = simd_fill<check>(b, e, out, [&](std::int64_t i) { return elem(type_tag<F>{}, i); });
    if constexpr (check) {
      if (!all_finite)
        for (std::int64_t i = b; i < e; ++i)
          if (!finite(out[i])) out[i] = elem(type_tag<T>{}, i);
    }
  }
}

// fill_range over [0, n) on the thread pool.
template <class T, class O, class Elem> void elementwise(std::int64_t n, O* out, const Elem& elem) {
  parallel_for(n, parallel_grain, [&](std::int64_t lo, std::int64_t hi) { fill_range<T>(lo, hi, out, elem); });
}

}  // namespace wirtinger::engine::simd
