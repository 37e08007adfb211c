#include "kernels.hpp"

#include "elementwise.hpp"
#include "parallel.hpp"

#include <algorithm>
#include <array>
#include <type_traits>

namespace wirtinger::engine {

namespace {

// Strides of an operand of shape s read over the broadcast shape out (0 on broadcast axes).
std::vector<std::int64_t> bstrides(const Shape& s, const Shape& out) {
  const std::size_t r = out.size(), k = s.size();
  std::vector<std::int64_t> st(r, 0);
  const auto rs = row_strides(s);
  for (std::size_t i = 0; i < k; ++i) {
    const std::size_t j = r - k + i;
    st[j] = (s[i] == 1 && out[j] != 1) ? 0 : rs[i];
  }
  return st;
}

// Calls f(o, offsets) for every index of shape, row-major, where offsets[k] is
// the element offset of operand k, whose strides (over shape) are strides[k].
template <std::size_t N, class F>
void for_each_index(const Shape& shape, const std::array<std::vector<std::int64_t>, N>& strides,
                    std::array<std::int64_t, N> base, F&& f) {
  const std::int64_t n = numel(shape);
  if (n == 0) return;
  const int r = static_cast<int>(shape.size());
  if (r == 0) {
    f(std::int64_t{0}, base);
    return;
  }
  std::vector<std::int64_t> idx(r, 0);
  const std::int64_t inner = shape[r - 1];
  std::array<std::int64_t, N> off = base, step;
  for (std::size_t k = 0; k < N; ++k) step[k] = strides[k][r - 1];
  for (std::int64_t o = 0; o < n; o += inner) {
    std::array<std::int64_t, N> cur = off;
    for (std::int64_t j = 0; j < inner; ++j) {
      f(o + j, cur);
      for (std::size_t k = 0; k < N; ++k) cur[k] += step[k];
    }
    for (int d = r - 2; d >= 0; --d) {
      for (std::size_t k = 0; k < N; ++k) off[k] += strides[k][d];
      if (++idx[d] < shape[d]) break;
      for (std::size_t k = 0; k < N; ++k) off[k] -= strides[k][d] * shape[d];
      idx[d] = 0;
    }
  }
}

using simd::elementwise;

template <std::int64_t N> using index_c = std::integral_constant<std::int64_t, N>;

// f(SA, SB) with the flat strides (1 or 0) of two operands as compile-time
// constants, so that the loops are contiguous or broadcast, not strided. Both
// 0 means a single element, where any stride will do.
template <class F> void with_strides(std::int64_t sa, std::int64_t sb, F&& f) {
  if (sa == 0 && sb != 0) f(index_c<0>{}, index_c<1>{});
  else if (sa != 0 && sb == 0) f(index_c<1>{}, index_c<0>{});
  else f(index_c<1>{}, index_c<1>{});
}

[[noreturn]] void refuse_complex(DType d) {
  throw std::invalid_argument("this function is defined for real arrays only, got " + std::string(dtype_name(d)));
}

template <class Rule, class T> using out_scalar_t = std::conditional_t<is_real_output_v<Rule>, real_of<T>, T>;

template <class Rule, class T> constexpr bool unary_ok_v = !(is_real_only_v<Rule> && is_complex_v<T>);

template <class Rule> struct Unary {
  static Tensor value(const Tensor& x) {
    const DType od = is_real_output_v<Rule> ? real_dtype(x.dtype) : x.dtype;
    Tensor out = Tensor::empty(od, x.shape);
    dispatch(x.dtype, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (unary_ok_v<Rule, T>) {
        using O = out_scalar_t<Rule, T>;
        const T* xp = x.data<T>();
        elementwise<T>(x.size(), out.data<O>(), [&](auto as, std::int64_t i) {
          using F = typename decltype(as)::type;
          return scalar_cast<O>(value_of<Rule>(scalar_cast<F>(xp[i])));
        });
      } else {
        refuse_complex(x.dtype);
      }
    });
    return out;
  }
  static Tensor jvp(const Tensor& x, const Tensor& out, const Tensor& t) {
    Tensor res = Tensor::empty(out.dtype, x.shape);
    dispatch(x.dtype, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (unary_ok_v<Rule, T>) {
        using O = out_scalar_t<Rule, T>;
        const T* xp = x.data<T>();
        const T* tp = t.data<T>();
        const O* op = out.data<O>();
        elementwise<T>(x.size(), res.data<O>(), [&](auto as, std::int64_t i) {
          using F = typename decltype(as)::type;
          return scalar_cast<O>(
              wirtinger::jvp<Rule>(scalar_cast<F>(xp[i]), scalar_cast<F>(op[i]), scalar_cast<F>(tp[i])));
        });
      } else {
        refuse_complex(x.dtype);
      }
    });
    return res;
  }
  static Tensor vjp(const Tensor& x, const Tensor& out, const Tensor& ct) {
    Tensor res = Tensor::empty(x.dtype, x.shape);
    dispatch(x.dtype, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (unary_ok_v<Rule, T>) {
        using O = out_scalar_t<Rule, T>;
        const T* xp = x.data<T>();
        const O* op = out.data<O>();
        const O* cp = ct.data<O>();
        elementwise<T>(x.size(), res.data<T>(), [&](auto as, std::int64_t i) {
          using F = typename decltype(as)::type;
          return scalar_cast<T>(
              vjp_adjoint<Rule>(scalar_cast<F>(xp[i]), scalar_cast<F>(op[i]), scalar_cast<F>(cp[i])));
        });
      } else {
        refuse_complex(x.dtype);
      }
    });
    return res;
  }
};

// Whether every operand is either the full result shape or a single element,
// so that one flat loop with strides 1 or 0 visits them: the common case, and
// much faster than the general index walk.
bool flat_broadcast(const Shape& out, std::initializer_list<const Shape*> operands) {
  for (const Shape* s : operands)
    if (*s != out && numel(*s) != 1) return false;
  return true;
}
std::int64_t flat_stride(const Shape& s, const Shape& out) { return s == out ? 1 : 0; }

template <class Rule, class T> constexpr bool binary_ok_v = !(is_real_only_v<Rule> && is_complex_v<T>);

template <class Rule> struct Binary {
  static void check(const Tensor& a) {
    if (is_real_only_v<Rule> && is_complex(a.dtype))
      throw std::invalid_argument("this operation is defined for real arrays only, got " +
                                  std::string(dtype_name(a.dtype)));
  }
  static Tensor value(const Tensor& a, const Tensor& b) {
    check(a);
    const Shape os = broadcast_shapes(a.shape, b.shape, "binary operation");
    Tensor out = Tensor::empty(a.dtype, os);
    dispatch(a.dtype, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (binary_ok_v<Rule, T>) {
        const T *ap = a.data<T>(), *bp = b.data<T>();
        T* op = out.data<T>();
        if (flat_broadcast(os, {&a.shape, &b.shape})) {
          with_strides(flat_stride(a.shape, os), flat_stride(b.shape, os), [&](auto sa, auto sb) {
            elementwise<T>(out.size(), op, [&](auto as, std::int64_t i) {
              using F = typename decltype(as)::type;
              return scalar_cast<T>(Rule::value(scalar_cast<F>(ap[i * sa]), scalar_cast<F>(bp[i * sb])));
            });
          });
        } else {
          for_each_index<2>(os, {bstrides(a.shape, os), bstrides(b.shape, os)}, {0, 0},
                            [&](std::int64_t o, const std::array<std::int64_t, 2>& k) {
                              op[o] = Rule::value(ap[k[0]], bp[k[1]]);
                            });
        }
      }
    });
    return out;
  }
  // res[o] = g(d, k) over the result, d = d_d(which) at o (of whatever scalar
  // type the loop evaluates in) and k the offset of o in an operand broadcast
  // to the result: of the shape of argument `which` for jvp (its tangent), of
  // the result's shape for vjp.
  enum class Operand { argument, result };
  template <Operand K, class T, class G>
  static void partials(int which, const Tensor& a, const Tensor& b, const Tensor& out, const Shape& operand,
                       T* res, const G& g) {
    const T *ap = a.data<T>(), *bp = b.data<T>(), *op = out.data<T>();
    const std::int64_t sa = flat_stride(a.shape, out.shape), sb = flat_stride(b.shape, out.shape),
                       sk = flat_stride(operand, out.shape);
    const std::int64_t sk_flat = K == Operand::result ? 1 : (which == 0 ? sa : sb);
    if (flat_broadcast(out.shape, {&a.shape, &b.shape, &operand}) && (sk == sk_flat || out.size() <= 1)) {
      auto run = [&](auto w) {
        with_strides(sa, sb, [&](auto sa_c, auto sb_c) {
          constexpr std::int64_t sk_c =
              K == Operand::result ? 1 : (decltype(w)::value == 0 ? decltype(sa_c)::value : decltype(sb_c)::value);
          elementwise<T>(out.size(), res, [&](auto as, std::int64_t o) {
            using F = typename decltype(as)::type;
            const F av = scalar_cast<F>(ap[o * sa_c]), bv = scalar_cast<F>(bp[o * sb_c]), ov = scalar_cast<F>(op[o]);
            if constexpr (decltype(w)::value == 0) return g(Rule::d_da(av, bv, ov), o * sk_c);
            else return g(Rule::d_db(av, bv, ov), o * sk_c);
          });
        });
      };
      if (which == 0) run(index_c<0>{});
      else run(index_c<1>{});
      return;
    }
    for_each_index<3>(out.shape, {bstrides(a.shape, out.shape), bstrides(b.shape, out.shape), bstrides(operand, out.shape)},
                      {0, 0, 0}, [&](std::int64_t o, const std::array<std::int64_t, 3>& k) {
                        const T d = which == 0 ? Rule::d_da(ap[k[0]], bp[k[1]], op[o]) : Rule::d_db(ap[k[0]], bp[k[1]], op[o]);
                        res[o] = g(d, k[2]);
                      });
  }
  static Tensor jvp(int which, const Tensor& a, const Tensor& b, const Tensor& out, const Tensor& t) {
    check(a);
    Tensor res = Tensor::empty(out.dtype, out.shape);
    dispatch(a.dtype, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (binary_ok_v<Rule, T>) {
        const T* tp = t.data<T>();
        partials<Operand::argument>(which, a, b, out, t.shape, res.data<T>(), [&](const auto& d, std::int64_t k) {
          using F = std::decay_t<decltype(d)>;
          return scalar_cast<T>(d * scalar_cast<F>(tp[k]));
        });
      }
    });
    return res;
  }
  static Tensor vjp(int which, const Tensor& a, const Tensor& b, const Tensor& out, const Tensor& ct) {
    check(a);
    Tensor res = Tensor::empty(out.dtype, out.shape);
    dispatch(a.dtype, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (binary_ok_v<Rule, T>) {
        const T* cp = ct.data<T>();
        partials<Operand::result>(which, a, b, out, out.shape, res.data<T>(), [&](const auto& d, std::int64_t k) {
          using F = std::decay_t<decltype(d)>;
          return scalar_cast<T>(conj(d) * scalar_cast<F>(cp[k]));
        });
      }
    });
    return res;
  }
};

struct UnaryEntry {
  const char* name;
  bool holomorphic, real_output, real_only;
  Tensor (*value)(const Tensor&);
  Tensor (*jvp)(const Tensor&, const Tensor&, const Tensor&);
  Tensor (*vjp)(const Tensor&, const Tensor&, const Tensor&);
};
const UnaryEntry unary_table[] = {
#define WIRT_ENTRY(name, R)                                                                                  \
  {#name,                                                                                                     \
   is_holomorphic_v<rules::R>,                                                                                \
   is_real_output_v<rules::R>,                                                                                \
   is_real_only_v<rules::R>,                                                                                  \
   &Unary<rules::R>::value,                                                                                   \
   &Unary<rules::R>::jvp,                                                                                     \
   &Unary<rules::R>::vjp},
    WIRTINGER_UNARY_RULES(WIRT_ENTRY)
#undef WIRT_ENTRY
};

struct BinaryEntry {
  const char* name;
  bool real_only;
  Tensor (*value)(const Tensor&, const Tensor&);
  Tensor (*jvp)(int, const Tensor&, const Tensor&, const Tensor&, const Tensor&);
  Tensor (*vjp)(int, const Tensor&, const Tensor&, const Tensor&, const Tensor&);
};
const BinaryEntry binary_table[] = {
#define WIRT_ENTRY(name, R) \
  {#name, is_real_only_v<rules::R>, &Binary<rules::R>::value, &Binary<rules::R>::jvp, &Binary<rules::R>::vjp},
    WIRTINGER_BINARY_RULES(WIRT_ENTRY)
#undef WIRT_ENTRY
};

}  // namespace

const char* unary_name(UnaryOp op) { return unary_table[static_cast<int>(op)].name; }
const char* binary_name(BinaryOp op) { return binary_table[static_cast<int>(op)].name; }
bool unary_holomorphic(UnaryOp op) { return unary_table[static_cast<int>(op)].holomorphic; }
bool unary_real_output(UnaryOp op) { return unary_table[static_cast<int>(op)].real_output; }
bool unary_real_only(UnaryOp op) { return unary_table[static_cast<int>(op)].real_only; }
bool binary_real_only(BinaryOp op) { return binary_table[static_cast<int>(op)].real_only; }

Tensor unary_value(UnaryOp op, const Tensor& x) { return unary_table[static_cast<int>(op)].value(x); }
Tensor unary_jvp(UnaryOp op, const Tensor& x, const Tensor& out, const Tensor& t) {
  return unary_table[static_cast<int>(op)].jvp(x, out, t);
}
Tensor unary_vjp(UnaryOp op, const Tensor& x, const Tensor& out, const Tensor& ct) {
  return unary_table[static_cast<int>(op)].vjp(x, out, ct);
}
Tensor binary_value(BinaryOp op, const Tensor& a, const Tensor& b) { return binary_table[static_cast<int>(op)].value(a, b); }
Tensor binary_jvp(BinaryOp op, int which, const Tensor& a, const Tensor& b, const Tensor& out, const Tensor& t) {
  return binary_table[static_cast<int>(op)].jvp(which, a, b, out, t);
}
Tensor binary_vjp(BinaryOp op, int which, const Tensor& a, const Tensor& b, const Tensor& out, const Tensor& ct) {
  return binary_table[static_cast<int>(op)].vjp(which, a, b, out, ct);
}

// ---------------------------------------------------------------- structure
Tensor cast(const Tensor& x, DType to) {
  if (x.dtype == to) return x;
  Tensor out = Tensor::empty(to, x.shape);
  dispatch(x.dtype, [&](auto ftag) {
    using F = decltype(ftag);
    dispatch(to, [&](auto ttag) {
      using T = decltype(ttag);
      const F* xp = x.data<F>();
      T* op = out.data<T>();
      for (std::int64_t i = 0, n = x.size(); i < n; ++i) op[i] = scalar_cast<T>(xp[i]);
    });
  });
  return out;
}

Tensor broadcast_to(const Tensor& x, const Shape& shape) {
  if (x.shape == shape) return x;
  broadcast_shapes(x.shape, shape, "broadcast_to");
  Tensor out = Tensor::empty(x.dtype, shape);
  dispatch(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* xp = x.data<T>();
    T* op = out.data<T>();
    for_each_index<1>(shape, {bstrides(x.shape, shape)}, {0},
                      [&](std::int64_t o, const std::array<std::int64_t, 1>& k) { op[o] = xp[k[0]]; });
  });
  return out;
}

namespace {
// Accumulates x over `axes` into an array of the kept axes, with op(acc, v).
template <class Op>
Tensor reduce(const Tensor& x, const std::vector<std::int64_t>& axes, std::complex<double> init, Op op) {
  Shape out_shape;
  std::vector<bool> reduced(x.ndim(), false);
  for (auto a : axes) reduced[a] = true;
  for (int d = 0; d < x.ndim(); ++d)
    if (!reduced[d]) out_shape.push_back(x.shape[d]);
  Tensor out = Tensor::full(x.dtype, out_shape, init);
  std::vector<std::int64_t> ostr(x.ndim(), 0);
  {
    const auto rs = row_strides(out_shape);
    int j = 0;
    for (int d = 0; d < x.ndim(); ++d)
      if (!reduced[d]) ostr[d] = rs[j++];
  }
  dispatch(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* xp = x.data<T>();
    T* op_ = out.data<T>();
    for_each_index<1>(x.shape, {ostr}, {0},
                      [&](std::int64_t i, const std::array<std::int64_t, 1>& k) { op_[k[0]] = op(op_[k[0]], xp[i]); });
  });
  return out;
}
}  // namespace

Tensor reduce_sum(const Tensor& x, const std::vector<std::int64_t>& axes) {
  // A running float32 sum of 2^20 terms is off by ~1e-3; accumulating in double
  // keeps single-precision sums as accurate as NumPy's pairwise ones.
  if (is_single(x.dtype)) {
    const DType wide = is_complex(x.dtype) ? DType::c128 : DType::f64;
    return cast(reduce_sum(cast(x, wide), axes), x.dtype);
  }
  return reduce(x, axes, 0.0, [](const auto& acc, const auto& v) { return acc + v; });
}
Tensor reduce_prod(const Tensor& x, const std::vector<std::int64_t>& axes) {
  return reduce(x, axes, 1.0, [](const auto& acc, const auto& v) { return acc * v; });
}

Tensor transpose(const Tensor& x, const std::vector<std::int64_t>& perm) {
  Shape out_shape(perm.size());
  std::vector<std::int64_t> xs = row_strides(x.shape), st(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) {
    out_shape[i] = x.shape[perm[i]];
    st[i] = xs[perm[i]];
  }
  Tensor out = Tensor::empty(x.dtype, out_shape);
  dispatch(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* xp = x.data<T>();
    T* op = out.data<T>();
    for_each_index<1>(out_shape, {st}, {0}, [&](std::int64_t o, const std::array<std::int64_t, 1>& k) { op[o] = xp[k[0]]; });
  });
  return out;
}

Tensor prod_others(const Tensor& x, const std::vector<std::int64_t>& axes) {
  // Products of all other elements of each reduced slice, by prefix and suffix
  // products, so that zeros need no division.
  std::int64_t inner = 1;
  const std::vector<std::int64_t> perm = reduced_last(x.shape, axes, inner);
  Tensor xt = transpose(x, perm);
  Tensor res = Tensor::empty(x.dtype, xt.shape);
  dispatch(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* xp = xt.data<T>();
    T* rp = res.data<T>();
    const std::int64_t outer = inner ? xt.size() / inner : 0;
    for (std::int64_t r = 0; r < outer; ++r) {
      const T* row = xp + r * inner;
      T* dst = rp + r * inner;
      T acc(1);
      for (std::int64_t j = 0; j < inner; ++j) {
        dst[j] = acc;
        acc = acc * row[j];
      }
      acc = T(1);
      for (std::int64_t j = inner - 1; j >= 0; --j) {
        dst[j] = dst[j] * acc;
        acc = acc * row[j];
      }
    }
  });
  return transpose(res, inverse_perm(perm));
}

Tensor slice(const Tensor& x, const std::vector<std::int64_t>& start, const std::vector<std::int64_t>& step,
             const Shape& count) {
  const auto xs = row_strides(x.shape);
  std::vector<std::int64_t> st(x.ndim());
  std::int64_t base = 0;
  for (int d = 0; d < x.ndim(); ++d) {
    base += start[d] * xs[d];
    st[d] = step[d] * xs[d];
  }
  Tensor out = Tensor::empty(x.dtype, count);
  dispatch(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* xp = x.data<T>();
    T* op = out.data<T>();
    for_each_index<1>(count, {st}, {base}, [&](std::int64_t o, const std::array<std::int64_t, 1>& k) { op[o] = xp[k[0]]; });
  });
  return out;
}

Tensor slice_scatter(const Tensor& x, const Shape& shape, const std::vector<std::int64_t>& start,
                     const std::vector<std::int64_t>& step) {
  const auto os = row_strides(shape);
  std::vector<std::int64_t> st(shape.size());
  std::int64_t base = 0;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    base += start[d] * os[d];
    st[d] = step[d] * os[d];
  }
  Tensor out = Tensor::zeros(x.dtype, shape);
  dispatch(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* xp = x.data<T>();
    T* op = out.data<T>();
    for_each_index<1>(x.shape, {st}, {base}, [&](std::int64_t i, const std::array<std::int64_t, 1>& k) { op[k[0]] += xp[i]; });
  });
  return out;
}

Tensor concat(const std::vector<Tensor>& xs, std::int64_t axis) {
  Shape shape = xs.at(0).shape;
  shape[axis] = 0;
  for (const auto& x : xs) shape[axis] += x.shape[axis];
  Tensor out = Tensor::empty(xs[0].dtype, shape);
  std::int64_t outer = 1;
  for (std::int64_t d = 0; d < axis; ++d) outer *= shape[d];
  const std::size_t item = itemsize(out.dtype);
  const std::int64_t out_row = out.size() / std::max<std::int64_t>(outer, 1);
  char* op = static_cast<char*>(out.raw());
  std::int64_t offset = 0;
  for (const auto& x : xs) {
    const std::int64_t row = outer ? x.size() / outer : 0;
    const char* xp = static_cast<const char*>(x.raw());
    for (std::int64_t r = 0; r < outer; ++r)
      std::memcpy(op + (r * out_row + offset) * item, xp + r * row * item, static_cast<std::size_t>(row) * item);
    offset += row;
  }
  return out;
}

Tensor select(const std::vector<std::uint8_t>& mask, const Tensor& a, const Tensor& b) {
  Tensor out = Tensor::empty(a.dtype, a.shape);
  dispatch(a.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T *ap = a.data<T>(), *bp = b.data<T>();
    T* op = out.data<T>();
    for (std::int64_t i = 0, n = a.size(); i < n; ++i) op[i] = mask[i] ? ap[i] : bp[i];
  });
  return out;
}

Tensor select(const Tensor& mask, const Tensor& a, const Tensor& b) {
  const Tensor m = broadcast_to(mask, a.shape);
  Tensor out = Tensor::empty(a.dtype, a.shape);
  dispatch(m.dtype, [&](auto mtag) {
    using M = decltype(mtag);
    if constexpr (!is_complex_v<M>) {
      const M* mp = m.data<M>();
      dispatch(a.dtype, [&](auto tag) {
        using T = decltype(tag);
        const T *ap = a.data<T>(), *bp = b.data<T>();
        T* op = out.data<T>();
        for (std::int64_t i = 0, n = a.size(); i < n; ++i) op[i] = mp[i] != M(0) ? ap[i] : bp[i];
      });
    } else {
      throw std::invalid_argument("where: the mask must be real");
    }
  });
  return out;
}

const char* cmp_name(CmpOp op) {
  switch (op) {
    case CmpOp::less: return "less";
    case CmpOp::less_equal: return "less_equal";
    case CmpOp::greater: return "greater";
    case CmpOp::greater_equal: return "greater_equal";
    case CmpOp::equal: return "equal";
    case CmpOp::not_equal: return "not_equal";
  }
  return "?";
}

Tensor compare(CmpOp op, const Tensor& a, const Tensor& b) {
  const DType d = promote(a.dtype, b.dtype);
  if (is_complex(d) && op != CmpOp::equal && op != CmpOp::not_equal)
    throw std::invalid_argument(std::string(cmp_name(op)) + ": ordering is defined for real arrays only, got " +
                                dtype_name(d) + "; compare real parts or magnitudes instead");
  const Shape s = broadcast_shapes(a.shape, b.shape, cmp_name(op));
  const Tensor ab = broadcast_to(cast(a, d), s), bb = broadcast_to(cast(b, d), s);
  Tensor out = Tensor::empty(real_dtype(d), s);
  dispatch(d, [&](auto tag) {
    using T = decltype(tag);
    using R = real_of<T>;
    const T *ap = ab.data<T>(), *bp = bb.data<T>();
    R* op_ = out.data<R>();
    for (std::int64_t i = 0, n = out.size(); i < n; ++i) op_[i] = compare_one(op, ap[i], bp[i]) ? R(1) : R(0);
  });
  return out;
}

Tensor gather(const Tensor& x, const std::vector<std::int64_t>& index, std::int64_t inner, const Shape& shape) {
  Tensor out = Tensor::empty(x.dtype, shape);
  dispatch(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* xp = x.data<T>();
    T* op = out.data<T>();
    const std::int64_t m = static_cast<std::int64_t>(index.size());
    if (inner == 1) {
      for (std::int64_t i = 0; i < m; ++i) op[i] = xp[index[i]];
    } else {
      for (std::int64_t i = 0; i < m; ++i) std::copy_n(xp + index[i] * inner, inner, op + i * inner);
    }
  });
  return out;
}

Tensor scatter_add(const Tensor& x, const std::vector<std::int64_t>& index, std::int64_t inner, const Shape& shape) {
  Tensor out = Tensor::zeros(x.dtype, shape);
  dispatch(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* xp = x.data<T>();
    T* op = out.data<T>();
    const std::int64_t m = static_cast<std::int64_t>(index.size());
    for (std::int64_t i = 0; i < m; ++i) {
      T* dst = op + index[i] * inner;
      const T* src = xp + i * inner;
      for (std::int64_t j = 0; j < inner; ++j) dst[j] += src[j];
    }
  });
  return out;
}

namespace {
// x as (outer, n, inner) around axis.
struct AxisView {
  std::int64_t outer = 1, n = 1, inner = 1;
  AxisView(const Shape& s, std::int64_t axis) {
    for (std::int64_t d = 0; d < static_cast<std::int64_t>(s.size()); ++d)
      (d < axis ? outer : (d == axis ? n : inner)) *= s[d];
  }
};
}  // namespace

Tensor cumsum(const Tensor& x, std::int64_t axis, bool reverse) {
  const AxisView v(x.shape, axis);
  Tensor out = Tensor::empty(x.dtype, x.shape);
  dispatch(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* xp = x.data<T>();
    T* op = out.data<T>();
    for (std::int64_t o = 0; o < v.outer; ++o) {
      const std::int64_t base = o * v.n * v.inner;
      for (std::int64_t s = 0; s < v.n; ++s) {
        const std::int64_t k = reverse ? v.n - 1 - s : s;
        const T* src = xp + base + k * v.inner;
        T* dst = op + base + k * v.inner;
        if (s == 0) {
          std::copy_n(src, v.inner, dst);
        } else {
          const T* prev = op + base + (reverse ? k + 1 : k - 1) * v.inner;
          for (std::int64_t j = 0; j < v.inner; ++j) dst[j] = prev[j] + src[j];
        }
      }
    }
  });
  return out;
}

Tensor cumprod(const Tensor& x, std::int64_t axis) {
  const AxisView v(x.shape, axis);
  Tensor out = Tensor::empty(x.dtype, x.shape);
  dispatch(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* xp = x.data<T>();
    T* op = out.data<T>();
    for (std::int64_t o = 0; o < v.outer; ++o) {
      const std::int64_t base = o * v.n * v.inner;
      for (std::int64_t k = 0; k < v.n; ++k) {
        const T* src = xp + base + k * v.inner;
        T* dst = op + base + k * v.inner;
        if (k == 0) std::copy_n(src, v.inner, dst);
        else
          for (std::int64_t j = 0; j < v.inner; ++j) dst[j] = dst[j - v.inner] * src[j];
      }
    }
  });
  return out;
}

// out_k = out_{k−1}·x_k, so its tangent is y_k = y_{k−1}·x_k + out_{k−1}·t_k.
Tensor cumprod_jvp(const Tensor& x, const Tensor& out, const Tensor& t, std::int64_t axis) {
  const AxisView v(x.shape, axis);
  Tensor res = Tensor::empty(x.dtype, x.shape);
  dispatch(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T *xp = x.data<T>(), *op = out.data<T>(), *tp = t.data<T>();
    T* rp = res.data<T>();
    for (std::int64_t o = 0; o < v.outer; ++o) {
      const std::int64_t base = o * v.n * v.inner;
      std::copy_n(tp + base, v.inner, rp + base);
      for (std::int64_t k = 1; k < v.n; ++k) {
        const std::int64_t at = base + k * v.inner, prev = at - v.inner;
        for (std::int64_t j = 0; j < v.inner; ++j) rp[at + j] = rp[prev + j] * xp[at + j] + op[prev + j] * tp[at + j];
      }
    }
  });
  return res;
}

// The adjoint of that recurrence: s_k = ct_k + conj(x_{k+1})·s_{k+1}, and the
// cotangent of x_k is conj(out_{k−1})·s_k.
Tensor cumprod_vjp(const Tensor& x, const Tensor& out, const Tensor& ct, std::int64_t axis) {
  const AxisView v(x.shape, axis);
  Tensor res = Tensor::empty(x.dtype, x.shape);
  dispatch(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T *xp = x.data<T>(), *op = out.data<T>(), *cp = ct.data<T>();
    T* rp = res.data<T>();
    std::vector<T> carry(static_cast<std::size_t>(v.inner));
    T* s = carry.data();
    for (std::int64_t o = 0; o < v.outer; ++o) {
      const std::int64_t base = o * v.n * v.inner;
      for (std::int64_t k = v.n - 1; k >= 0; --k) {
        const std::int64_t at = base + k * v.inner;
        for (std::int64_t j = 0; j < v.inner; ++j) {
          s[j] = k == v.n - 1 ? cp[at + j] : cp[at + j] + conj(xp[at + v.inner + j]) * s[j];
          rp[at + j] = k == 0 ? s[j] : conj(op[at - v.inner + j]) * s[j];
        }
      }
    }
  });
  return res;
}

Tensor add_same(const Tensor& a, const Tensor& b) {
  Tensor out = Tensor::empty(a.dtype, a.shape);
  dispatch(a.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T *ap = a.data<T>(), *bp = b.data<T>();
    T* op = out.data<T>();
    for (std::int64_t i = 0, n = a.size(); i < n; ++i) op[i] = ap[i] + bp[i];
  });
  return out;
}

}  // namespace wirtinger::engine
