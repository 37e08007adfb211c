#include "blocks.hpp"

#include <algorithm>

#include "elementwise.hpp"

namespace wirtinger::engine {
namespace {

template <class Rule, class T> using out_t = std::conditional_t<is_real_output_v<Rule>, real_of<T>, T>;

// The rules evaluated as the whole-array kernels evaluate them (elementwise.hpp):
// in fast vectorisable scalar types, with non-finite results redone in std::complex.
template <class Rule> void unary_rule_block(DType x, Operand a, void* out, std::int64_t n) {
  dispatch(x, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!(is_real_only_v<Rule> && is_complex_v<T>)) {
      using O = out_t<Rule, T>;
      const T* ap = static_cast<const T*>(a.p);
      O* op = static_cast<O*>(out);
      if (a.stride == 0) {
        const O v = scalar_cast<O>(value_of<Rule>(ap[0]));
        std::fill(op, op + n, v);
        return;
      }
      simd::fill_range<T>(0, n, op, [&](auto as, std::int64_t i) {
        using F = typename decltype(as)::type;
        return scalar_cast<O>(value_of<Rule>(scalar_cast<F>(ap[i])));
      });
    } else {
      throw std::invalid_argument("fused unary operation: defined for real arrays only");
    }
  });
}

template <std::int64_t SA, std::int64_t SB, class Rule, class T>
void binary_strided(const T* ap, const T* bp, T* op, std::int64_t n) {
  simd::fill_range<T>(0, n, op, [&](auto as, std::int64_t i) {
    using F = typename decltype(as)::type;
    return scalar_cast<T>(Rule::value(scalar_cast<F>(ap[i * SA]), scalar_cast<F>(bp[i * SB])));
  });
}

template <class Rule> void binary_rule_block(DType d, Operand a, Operand b, void* out, std::int64_t n) {
  dispatch(d, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!(is_real_only_v<Rule> && is_complex_v<T>)) {
      const T *ap = static_cast<const T*>(a.p), *bp = static_cast<const T*>(b.p);
      T* op = static_cast<T*>(out);
      // Strides as compile-time constants, so the loops are contiguous or broadcast.
      if (a.stride == 1 && b.stride == 1) binary_strided<1, 1, Rule>(ap, bp, op, n);
      else if (a.stride == 1) binary_strided<1, 0, Rule>(ap, bp, op, n);
      else if (b.stride == 1) binary_strided<0, 1, Rule>(ap, bp, op, n);
      else std::fill(op, op + n, Rule::value(ap[0], bp[0]));
    } else {
      throw std::invalid_argument("fused binary operation: defined for real arrays only");
    }
  });
}

using UnaryBlock = void (*)(DType, Operand, void*, std::int64_t);
const UnaryBlock unary_blocks[] = {
#define WIRT_ENTRY(name, R) &unary_rule_block<rules::R>,
    WIRTINGER_UNARY_RULES(WIRT_ENTRY)
#undef WIRT_ENTRY
};
using BinaryBlock = void (*)(DType, Operand, Operand, void*, std::int64_t);
const BinaryBlock binary_blocks[] = {
#define WIRT_ENTRY(name, R) &binary_rule_block<rules::R>,
    WIRTINGER_BINARY_RULES(WIRT_ENTRY)
#undef WIRT_ENTRY
};

}  // namespace

void unary_block(UnaryOp op, DType x, Operand a, void* out, std::int64_t n) {
  unary_blocks[static_cast<int>(op)](x, a, out, n);
}

void binary_block(BinaryOp op, DType d, Operand a, Operand b, void* out, std::int64_t n) {
  binary_blocks[static_cast<int>(op)](d, a, b, out, n);
}

void cast_block(DType from, DType to, Operand a, void* out, std::int64_t n) {
  dispatch(from, [&](auto ftag) {
    using F = decltype(ftag);
    dispatch(to, [&](auto ttag) {
      using T = decltype(ttag);
      const F* ap = static_cast<const F*>(a.p);
      T* op = static_cast<T*>(out);
      for (std::int64_t i = 0; i < n; ++i) op[i] = scalar_cast<T>(ap[i * a.stride]);
    });
  });
}

void compare_block(CmpOp op, DType d, Operand a, Operand b, void* out, std::int64_t n) {
  dispatch(d, [&](auto tag) {
    using T = decltype(tag);
    using R = real_of<T>;
    const T *ap = static_cast<const T*>(a.p), *bp = static_cast<const T*>(b.p);
    R* o = static_cast<R*>(out);
    for (std::int64_t i = 0; i < n; ++i) o[i] = compare_one(op, ap[i * a.stride], bp[i * b.stride]) ? R(1) : R(0);
  });
}

void select_block(DType mask, DType d, Operand m, Operand a, Operand b, void* out, std::int64_t n) {
  dispatch(mask, [&](auto mtag) {
    using M = decltype(mtag);
    if constexpr (!is_complex_v<M>) {
      const M* mp = static_cast<const M*>(m.p);
      dispatch(d, [&](auto tag) {
        using T = decltype(tag);
        const T *ap = static_cast<const T*>(a.p), *bp = static_cast<const T*>(b.p);
        T* o = static_cast<T*>(out);
        for (std::int64_t i = 0; i < n; ++i) o[i] = mp[i * m.stride] != M(0) ? ap[i * a.stride] : bp[i * b.stride];
      });
    }
  });
}

}  // namespace wirtinger::engine
