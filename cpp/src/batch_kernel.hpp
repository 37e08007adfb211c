// The per-sample body of a batched Jacobian (vmap of jacfwd/jacrev/wirtinger
// under jit): one sample's traced program evaluated with every input direction
// at once. Each value v carries the rows ∂v/∂z and ∂v/∂z̄ over all N input
// directions (the Wirtinger pair, forward mode), so a whole Jacobian comes out
// of one pass over the program, in the sample's cache-resident workspace.
//
// The chain rule is that of rules.hpp, over rows instead of single tangents:
//     ∂f/∂z = a·∂x/∂z + b·conj(∂x/∂z̄),   ∂f/∂z̄ = a·∂x/∂z̄ + b·conj(∂x/∂z)
// with (a, b) = (d_dz, d_dzconj) of each element-wise rule, and the linear and
// bilinear structure (gathers, sums, matmul) applied to the rows as to values.
// Rows known to be zero for every sample (∂/∂z̄ of a holomorphic chain, a
// constant's) are never stored or computed.
//
// Everything here is __host__ __device__ over raw pointers: the CPU driver
// (batch_plan.cpp) runs it on the thread pool, and the same code compiles as a
// CUDA kernel body.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include <wirtinger/conventions.hpp>
#include <wirtinger/rules.hpp>

#include "cpu_clones.hpp"
#include "kernels.hpp"

// The per-sample body is cloned with GCC only.
#if WIRT_CPU_CLONES && !defined(__clang__)
#define WIRT_BATCH_CPU_CLONES 1
#else
#define WIRT_BATCH_CPU_CLONES 0
#endif

namespace wirtinger::engine::batch {

enum class Op : std::uint8_t {
  Unary,    // out[e] = rule(a[e])
  Binary,   // out[e] = rule(a[ma[e]], b[mb[e]])
  Gather,   // out[e] = a[ma[e]]
  Place,    // out = 0; out[ma[i]] = a[i]       (slice_scatter, one input of a concat)
  SumInto,  // out = 0; out[ma[i]] += a[i]      (sums, scatter_add)
  Matmul,   // (..., m, k) @ (..., k, n)
  Select,   // out[e] = c[mc[e]] != 0 ? a[e] : b[e]
  Compare,  // out[e] = a[ma[e]] op b[mb[e]]: no derivative
  RealPart, // out = real(a): a cast of complex to real
};

struct Instr {
  Op op = Op::Gather;
  int code = 0;           // UnaryOp, BinaryOp or CmpOp
  bool real = false;      // the rule is evaluated in the real type
  bool zero_out = false;  // Place: clear out first (the first input of a concat)
  bool rows_const = false;  // its rows are the same for every sample: computed once (init), then values only
  std::int32_t out = -1, a = -1, b = -1, c = -1;  // slots
  std::int64_t n = 0;                              // elements the loop runs over
  std::int64_t ma = -1, mb = -1, mc = -1;          // offsets into the index table; -1: identity
  std::int64_t batch = 0, m = 0, k = 0, nn = 0;    // matmul
};

struct Slot {
  std::int64_t size = 0;
  bool constant = false;  // the same for every sample: values in consts, no rows
  std::int64_t val = 0;   // offset of the values (workspace or consts)
  std::int64_t p = -1;    // offset of the ∂/∂z rows (size × N) in the workspace; -1: zero
  std::int64_t q = -1;    // the same for ∂/∂z̄
};

// What the body reads: the plan, flattened into plain arrays.
template <class C> struct View {
  const Instr* code;
  std::int32_t ncode;
  const Slot* slots;
  const std::int64_t* index;
  const C* consts;
  std::int64_t N;        // directions: the elements of all inputs
  std::int64_t scratch;  // workspace offset of 2 × (the longest unary) elements for the partials
};

// A row is 2N reals: the real parts of its N directions, then the imaginary
// parts. Split, every row update is the same few vertical operations over
// contiguous reals with the scalar broadcast, which the compiler vectorises
// without shuffles (std::complex multiplication would also check every product
// for nan); on a GPU it is the same loop.

template <class R> WIRT_HD inline void row_zero(R* out, std::int64_t N) {
  for (std::int64_t d = 0; d < 2 * N; ++d) out[d] = R(0);
}
template <class R> WIRT_HD inline void row_copy(R* out, const R* in, std::int64_t N) {
  for (std::int64_t d = 0; d < 2 * N; ++d) out[d] = in[d];
}
// out (=|+=) s·in, s complex; Conj: s·conj(in)
template <bool Acc, bool Conj = false, class R>
WIRT_HD inline void row_mul(R* out, R sr, R si, const R* in, std::int64_t N) {
  WIRT_IVDEP
  for (std::int64_t d = 0; d < N; ++d) {
    const R xr = in[d], xi = Conj ? -in[N + d] : in[N + d];
    const R yr = sr * xr - si * xi, yi = sr * xi + si * xr;
    if constexpr (Acc) out[d] += yr, out[N + d] += yi;
    else out[d] = yr, out[N + d] = yi;
  }
}
template <bool Acc, class R> WIRT_HD inline void row_mul_conj(R* out, R sr, R si, const R* in, std::int64_t N) {
  row_mul<Acc, true>(out, sr, si, in, N);
}

// out (=|+=) Σ_l s[l·ss]·in[l·stride] over rows of N directions: the row
// update of a matrix product. Blocks of W directions are summed in registers
// (local arrays of constant size) rather than through memory for every l.
template <bool Acc, class R, class S>
WIRT_HD inline void row_dot(R* out, std::int64_t N, std::int64_t k, const S* s, std::int64_t ss, const R* in,
                            std::int64_t stride) {
  constexpr int W = 8;
  std::int64_t d0 = 0;
  for (; d0 + W <= N; d0 += W) {
    R re[W], im[W];
    for (int j = 0; j < W; ++j) re[j] = Acc ? out[d0 + j] : R(0), im[j] = Acc ? out[N + d0 + j] : R(0);
    for (std::int64_t l = 0; l < k; ++l) {
      const R sr = s[l * ss].real(), si = s[l * ss].imag();
      const R* xr = in + l * stride + d0;
      const R* xi = xr + N;
      for (int j = 0; j < W; ++j) {
        re[j] += sr * xr[j] - si * xi[j];
        im[j] += sr * xi[j] + si * xr[j];
      }
    }
    for (int j = 0; j < W; ++j) out[d0 + j] = re[j], out[N + d0 + j] = im[j];
  }
  for (; d0 < N; ++d0) {
    R re = Acc ? out[d0] : R(0), im = Acc ? out[N + d0] : R(0);
    for (std::int64_t l = 0; l < k; ++l) {
      const R sr = s[l * ss].real(), si = s[l * ss].imag();
      const R xr = in[l * stride + d0], xi = in[l * stride + N + d0];
      re += sr * xr - si * xi;
      im += sr * xi + si * xr;
    }
    out[d0] = re, out[N + d0] = im;
  }
}

// Σ_l a[l·sa]·b[l·sb] in plain real arithmetic; std::complex's product (which
// alone gets inf and nan operands right) only where that is not finite.
template <class C>
WIRT_HD inline C dot_value(const C* a, std::int64_t sa, const C* b, std::int64_t sb, std::int64_t k) {
  using R = real_of<C>;
  // four partial sums: independent chains of additions instead of one
  constexpr int U = 4;
  R pr[U] = {}, pi[U] = {};
  std::int64_t l = 0;
  for (; l + U <= k; l += U)
    for (int j = 0; j < U; ++j) {
      const C x = a[(l + j) * sa], y = b[(l + j) * sb];
      pr[j] += x.real() * y.real() - x.imag() * y.imag();
      pi[j] += x.real() * y.imag() + x.imag() * y.real();
    }
  for (; l < k; ++l) {
    const C x = a[l * sa], y = b[l * sb];
    pr[0] += x.real() * y.real() - x.imag() * y.imag();
    pi[0] += x.real() * y.imag() + x.imag() * y.real();
  }
  const R re = (pr[0] + pr[1]) + (pr[2] + pr[3]), im = (pi[0] + pi[1]) + (pi[2] + pi[3]);
  using std::isfinite;
  if (isfinite(re) && isfinite(im)) return C(re, im);
  C acc(0);
  for (std::int64_t l = 0; l < k; ++l) acc += a[l * sa] * b[l * sb];
  return acc;
}

// The rows of a result that are stored (its ∂/∂z, then its ∂/∂z̄), each with the
// rows of the operands it is computed from.
template <class R> struct Sides {
  int n = 0;
  R* o[2];
  const R* a[2];
  const R* b[2];
};
template <class R>
WIRT_HD inline Sides<R> sides(R* po, R* qo, const R* pa, const R* qa, const R* pb, const R* qb, std::int64_t offset) {
  Sides<R> s;
  if (po) s.o[s.n] = po + offset, s.a[s.n] = pa, s.b[s.n] = pb, ++s.n;
  if (qo) s.o[s.n] = qo + offset, s.a[s.n] = qa, s.b[s.n] = qb, ++s.n;
  return s;
}

template <class C> struct Env {
  using R = real_of<C>;
  const View<C>& v;
  C* ws;
  WIRT_HD C* val(std::int32_t s) const {
    const Slot& sl = v.slots[s];
    return sl.constant ? const_cast<C*>(v.consts) + sl.val : ws + sl.val;
  }
  // nullptr for a zero row block
  WIRT_HD R* p(std::int32_t s) const {
    const Slot& sl = v.slots[s];
    return sl.p < 0 ? nullptr : reinterpret_cast<R*>(ws + sl.p);
  }
  WIRT_HD R* q(std::int32_t s) const {
    const Slot& sl = v.slots[s];
    return sl.q < 0 ? nullptr : reinterpret_cast<R*>(ws + sl.q);
  }
  WIRT_HD std::int64_t at(std::int64_t map, std::int64_t e) const { return map < 0 ? e : v.index[map + e]; }
};

template <class M> WIRT_HD inline bool finite_all(const M& x, const M& y, const M& z) {
  using std::isfinite;
  return isfinite(real(x)) && isfinite(imag(x)) && isfinite(real(y)) && isfinite(imag(y)) && isfinite(real(z)) &&
         isfinite(imag(z));
}

// The value and the Wirtinger partials (a, b) of rule Rule at z, for one
// element, in std::complex (which alone gets inf and nan operands right).
template <class Rule, class C>
WIRT_HD inline void unary_element(bool real_arg, C z, C& out, C& a, C& b) {
  using R = real_of<C>;
  if (real_arg) {
    const R x = z.real();
    const R o = value_of<Rule>(x);
    out = C(o, R(0));
    a = C(wirtinger::jvp<Rule>(x, o, R(1)), R(0));  // the real derivative g'(x)
    b = C(0);
    return;
  }
  if constexpr (!is_real_only_v<Rule>) {
    const C o = value_of<Rule>(z);
    out = is_real_output_v<Rule> ? C(o.real(), R(0)) : o;
    a = Rule::d_dz(z, o);
    b = d_dzconj_of<Rule>(z, o);
  } else {
    out = a = b = C(R(0) / R(0));  // not reached: the plan evaluates real-only rules in R
  }
}

// The fast part of a unary instruction's element loop: values and partials in
// M, a loop the compiler can vectorise (with libmvec's functions on the CPU);
// whether all came out finite.
template <class Rule, class R, class M>
[[gnu::always_inline]] inline bool fast_unary_loop(std::int64_t n, const std::complex<R>* z, std::complex<R>* out,
                                                   std::complex<R>* a, std::complex<R>* b) {
  R *o2 = reinterpret_cast<R*>(out), *a2 = reinterpret_cast<R*>(a), *b2 = reinterpret_cast<R*>(b);
  const R* z2 = reinterpret_cast<const R*>(z);
  WIRT_IVDEP
  for (std::int64_t e = 0; e < n; ++e) {
    const M zf(z2[2 * e], z2[2 * e + 1]);
    const M o = value_of<Rule>(zf);
    const M da = Rule::d_dz(zf, o), db = d_dzconj_of<Rule>(zf, o);
    o2[2 * e] = real(o), o2[2 * e + 1] = is_real_output_v<Rule> ? R(0) : imag(o);
    a2[2 * e] = real(da), a2[2 * e + 1] = imag(da);
    b2[2 * e] = real(db), b2[2 * e + 1] = imag(db);
  }
  R bad = R(0);
  for (std::int64_t e = 0; e < 2 * n; ++e) bad += (o2[e] - o2[e]) + (a2[e] - a2[e]) + (b2[e] - b2[e]);
  return bad == R(0);  // x − x is 0 for finite x and nan otherwise
}

#if WIRT_BATCH_CPU_CLONES
// Out of line and flattened, in a default and an AVX2 copy (GCC vectorises a
// loop like this only when it is not inlined into a larger function).
template <class Rule, class R, class M>
[[gnu::flatten, gnu::noinline]] bool fast_unary_default(std::int64_t n, const std::complex<R>* z, std::complex<R>* out,
                                                        std::complex<R>* a, std::complex<R>* b) {
  return fast_unary_loop<Rule, R, M>(n, z, out, a, b);
}
template <class Rule, class R, class M>
[[gnu::target("avx2"), gnu::flatten, gnu::noinline]] bool fast_unary_avx2(std::int64_t n, const std::complex<R>* z,
                                                                          std::complex<R>* out, std::complex<R>* a,
                                                                          std::complex<R>* b) {
  return fast_unary_loop<Rule, R, M>(n, z, out, a, b);
}
#endif

// The element loop of a unary instruction: the fast loop, then std::complex
// for the elements whose results are not all finite (it alone gets inf and
// nan operands right).
template <class Rule, class C, class M>
WIRT_HD inline void unary_elements(bool real_arg, std::int64_t n, const C* z, C* out, C* a, C* b) {
  using R = real_of<C>;
  if (!real_arg) {
    if constexpr (!std::is_same_v<M, C> && !is_real_only_v<Rule>) {
#if WIRT_BATCH_CPU_CLONES
      const bool ok = cpu_has_avx2() ? fast_unary_avx2<Rule, R, M>(n, z, out, a, b)
                                           : fast_unary_default<Rule, R, M>(n, z, out, a, b);
#else
      const bool ok = fast_unary_loop<Rule, R, M>(n, z, out, a, b);
#endif
      if (ok) return;
    }
  }
  for (std::int64_t e = 0; e < n; ++e)
    if (std::is_same_v<M, C> || real_arg || !finite_all(out[e], a[e], b[e]))
      unary_element<Rule, C>(real_arg, z[e], out[e], a[e], b[e]);
}

template <class C, class M>
WIRT_HD inline void unary_dispatch(UnaryOp op, bool real_arg, std::int64_t n, const C* z, C* out, C* a, C* b) {
  using R = real_of<C>;
  switch (op) {
#define WIRT_CASE(name, Rule) \
  case UnaryOp::name: unary_elements<rules::Rule, C, M>(real_arg, n, z, out, a, b); return;
    WIRTINGER_UNARY_RULES(WIRT_CASE)
#undef WIRT_CASE
    default:
      for (std::int64_t e = 0; e < n; ++e) out[e] = a[e] = b[e] = C(R(0) / R(0));
  }
}

template <class Rule, class C, class M>
WIRT_HD inline void binary_element(bool real_args, C x, C y, C& out, C& da, C& db) {
  using R = real_of<C>;
  if (real_args) {
    const R xr = x.real(), yr = y.real(), o = Rule::value(xr, yr);
    out = C(o), da = C(Rule::d_da(xr, yr, o)), db = C(Rule::d_db(xr, yr, o));
    return;
  }
  if constexpr (!is_real_only_v<Rule>) {
    if constexpr (!std::is_same_v<M, C>) {
      const M xf(x.real(), x.imag()), yf(y.real(), y.imag());
      const M o = Rule::value(xf, yf), pa = Rule::d_da(xf, yf, o), pb = Rule::d_db(xf, yf, o);
      if (finite_all(o, pa, pb)) {
        out = C(real(o), imag(o)), da = C(real(pa), imag(pa)), db = C(real(pb), imag(pb));
        return;
      }
    }
    const C o = Rule::value(x, y);
    out = o, da = Rule::d_da(x, y, o), db = Rule::d_db(x, y, o);
  } else {
    out = da = db = C(R(0) / R(0));  // not reached: the plan evaluates real-only rules in R
  }
}

template <class C, class M>
WIRT_HD inline void binary_dispatch(BinaryOp op, bool real_args, C x, C y, C& out, C& da, C& db) {
  using R = real_of<C>;
  switch (op) {
#define WIRT_CASE(name, Rule) \
  case BinaryOp::name: binary_element<rules::Rule, C, M>(real_args, x, y, out, da, db); return;
    WIRTINGER_BINARY_RULES(WIRT_CASE)
#undef WIRT_CASE
    default: out = da = db = C(R(0) / R(0));
  }
}

// Values are held complex: real operands (the only ones ordered) by their real parts.
template <class C> WIRT_HD inline bool compare_element(CmpOp op, C x, C y) {
  if (op == CmpOp::equal || op == CmpOp::not_equal) return compare_one(op, x, y);
  return compare_one(op, x.real(), y.real());
}

// One sample: the input slots' values and rows are in ws already. With init,
// only the instructions whose rows are the same for every sample run (once per
// workspace, after the inputs' rows are set); otherwise those compute values only.
// C is the complex type values are held in (std::complex on the CPU, its CUDA
// counterpart on a GPU), M the one rules are evaluated in first (fast_t on the CPU).
template <class C, class M = C>
WIRT_HD void run_sample(const View<C>& v, C* ws, bool init = false) {
  using R = real_of<C>;
  const Env<C> env{v, ws};
  const std::int64_t N = v.N;
  for (std::int32_t i = 0; i < v.ncode; ++i) {
    const Instr& I = v.code[i];
    if (init && !I.rows_const) continue;
    C* out = env.val(I.out);
    const bool rows = init || !I.rows_const;
    R* po = rows ? env.p(I.out) : nullptr;
    R* qo = rows ? env.q(I.out) : nullptr;
    switch (I.op) {
      case Op::Unary: {
        const C* x = env.val(I.a);
        const R *pa = env.p(I.a), *qa = env.q(I.a);
        C* pa_part = ws + v.scratch;
        C* pb_part = pa_part + I.n;
        unary_dispatch<C, M>(static_cast<UnaryOp>(I.code), I.real, I.n, x, out, pa_part, pb_part);
        for (std::int64_t e = 0; e < I.n; ++e) {
          const C a = pa_part[e], b = pb_part[e];
          const bool conj_part = b != C(0);
          R* pe = po ? po + 2 * N * e : nullptr;
          R* qe = qo ? qo + 2 * N * e : nullptr;
          if (pe) {
            if (pa) row_mul<false>(pe, a.real(), a.imag(), pa + 2 * N * e, N);
            else row_zero(pe, N);
            if (qa && conj_part) row_mul_conj<true>(pe, b.real(), b.imag(), qa + 2 * N * e, N);
          }
          if (qe) {
            if (qa) row_mul<false>(qe, a.real(), a.imag(), qa + 2 * N * e, N);
            else row_zero(qe, N);
            if (pa && conj_part) row_mul_conj<true>(qe, b.real(), b.imag(), pa + 2 * N * e, N);
          }
        }
        break;
      }
      case Op::Binary: {
        const C *x = env.val(I.a), *y = env.val(I.b);
        const R *pa = env.p(I.a), *qa = env.q(I.a), *pb = env.p(I.b), *qb = env.q(I.b);
        for (std::int64_t e = 0; e < I.n; ++e) {
          const std::int64_t ia = env.at(I.ma, e), ib = env.at(I.mb, e);
          C da, db;
          binary_dispatch<C, M>(static_cast<BinaryOp>(I.code), I.real, x[ia], y[ib], out[e], da, db);
          const Sides<R> S = sides(po, qo, pa, qa, pb, qb, 2 * N * e);
          for (int i = 0; i < S.n; ++i) {
            R* o = S.o[i];
            const R *ra = S.a[i], *rb = S.b[i];
            if (ra) row_mul<false>(o, da.real(), da.imag(), ra + 2 * N * ia, N);
            else row_zero(o, N);
            if (rb) row_mul<true>(o, db.real(), db.imag(), rb + 2 * N * ib, N);
          }
        }
        break;
      }
      case Op::Gather: {
        const C* x = env.val(I.a);
        const R *pa = env.p(I.a), *qa = env.q(I.a);
        for (std::int64_t e = 0; e < I.n; ++e) {
          const std::int64_t j = env.at(I.ma, e);
          out[e] = x[j];
          if (po) pa ? row_copy(po + 2 * N * e, pa + 2 * N * j, N) : row_zero(po + 2 * N * e, N);
          if (qo) qa ? row_copy(qo + 2 * N * e, qa + 2 * N * j, N) : row_zero(qo + 2 * N * e, N);
        }
        break;
      }
      case Op::Place:
      case Op::SumInto: {
        const std::int64_t size = v.slots[I.out].size;
        if (I.op == Op::SumInto || I.zero_out) {
          for (std::int64_t e = 0; e < size; ++e) out[e] = C(0);
          if (po) row_zero(po, N * size);
          if (qo) row_zero(qo, N * size);
        }
        const C* x = env.val(I.a);
        const R *pa = env.p(I.a), *qa = env.q(I.a);
        const bool acc = I.op == Op::SumInto;
        for (std::int64_t e = 0; e < I.n; ++e) {
          const std::int64_t j = env.at(I.ma, e);
          if (acc) {
            out[j] += x[e];
            if (po && pa) row_mul<true>(po + 2 * N * j, R(1), R(0), pa + 2 * N * e, N);
            if (qo && qa) row_mul<true>(qo + 2 * N * j, R(1), R(0), qa + 2 * N * e, N);
          } else {
            out[j] = x[e];
            if (po) pa ? row_copy(po + 2 * N * j, pa + 2 * N * e, N) : row_zero(po + 2 * N * j, N);
            if (qo) qa ? row_copy(qo + 2 * N * j, qa + 2 * N * e, N) : row_zero(qo + 2 * N * j, N);
          }
        }
        break;
      }
      case Op::Matmul: {
        const C *A = env.val(I.a), *B = env.val(I.b);
        const R *pa = env.p(I.a), *qa = env.q(I.a), *pb = env.p(I.b), *qb = env.q(I.b);
        const std::int64_t m = I.m, k = I.k, n = I.nn;
        for (std::int64_t t = 0; t < I.batch; ++t)
          for (std::int64_t r = 0; r < m; ++r)
            for (std::int64_t c = 0; c < n; ++c) {
              const std::int64_t e = (t * m + r) * n + c;
              const C* Ar = A + (t * m + r) * k;     // A[t, r, l] at Ar[l]
              const C* Bc = B + t * k * n + c;       // B[t, l, c] at Bc[l * n]
              out[e] = dot_value(Ar, 1, Bc, n, k);
              // d(AB) = dA·B + A·dB, for both rows of the pair
              const Sides<R> S = sides(po, qo, pa, qa, pb, qb, 2 * N * e);
              for (int i = 0; i < S.n; ++i) {
                R* o = S.o[i];
                const R *ra = S.a[i], *rb = S.b[i];
                if (ra) row_dot<false>(o, N, k, Bc, n, ra + 2 * N * (t * m + r) * k, 2 * N);
                else row_zero(o, N);
                if (rb) row_dot<true>(o, N, k, Ar, 1, rb + 2 * N * (t * k * n + c), 2 * N * n);
              }
            }
        break;
      }
      case Op::Select: {
        const C *mask = env.val(I.c), *x = env.val(I.a), *y = env.val(I.b);
        const R *pa = env.p(I.a), *qa = env.q(I.a), *pb = env.p(I.b), *qb = env.q(I.b);
        for (std::int64_t e = 0; e < I.n; ++e) {
          const bool take_a = mask[env.at(I.mc, e)] != C(0);
          out[e] = take_a ? x[e] : y[e];
          const R* sp = take_a ? pa : pb;
          const R* sq = take_a ? qa : qb;
          if (po) sp ? row_copy(po + 2 * N * e, sp + 2 * N * e, N) : row_zero(po + 2 * N * e, N);
          if (qo) sq ? row_copy(qo + 2 * N * e, sq + 2 * N * e, N) : row_zero(qo + 2 * N * e, N);
        }
        break;
      }
      case Op::Compare: {
        const C *x = env.val(I.a), *y = env.val(I.b);
        for (std::int64_t e = 0; e < I.n; ++e)
          out[e] = C(compare_element<C>(static_cast<CmpOp>(I.code), x[env.at(I.ma, e)], y[env.at(I.mb, e)]) ? 1 : 0);
        break;
      }
      case Op::RealPart: {
        // real(v) = (v + conj v)/2: ∂/∂z = (P + conj Q)/2, ∂/∂z̄ = (Q + conj P)/2
        const C* x = env.val(I.a);
        const R *pa = env.p(I.a), *qa = env.q(I.a);
        for (std::int64_t e = 0; e < I.n; ++e) {
          out[e] = C(x[e].real(), R(0));
          const Sides<R> S = sides(po, qo, pa, qa, qa, pa, 2 * N * e);
          for (int i = 0; i < S.n; ++i) {
            R* o = S.o[i];
            const R *same = S.a[i], *other = S.b[i];
            if (same) row_mul<false>(o, R(0.5), R(0), same + 2 * N * e, N);
            else row_zero(o, N);
            if (other) row_mul_conj<true>(o, R(0.5), R(0), other + 2 * N * e, N);
          }
        }
        break;
      }
    }
  }
}


// ---------------------------------------------------------------- the sample loop's ends
// A program input: where sample b's values are read from (batch axis first).
struct Input {
  DType dtype;
  bool complex;           // its rows are seeded 1 (∂z/∂z), or ½ and ½ for a real x (README, The mathematics in brief)
  std::int32_t slot;
  std::int64_t offset;    // its first direction; -1 for data without directions
  const void* src;        // (batch, size) elements of dtype
};

// What the output stage writes for each sample: the Jacobian forms of the README's mathematics section,
// laid out as JAX lays them out, (batch, *out.shape, *in.shape).
enum class Form : std::uint8_t {
  DZ,       // ∂out/∂z over the input's columns
  DZBar,    // ∂out/∂z̄; where its rows are zero, P − P (nan where P is not finite, as the
            // generic path's (J(1) + i·J(i))/2 is)
  Sum,      // ∂out/∂z + ∂out/∂z̄ = ∂out/∂x of a real input
  HalfSum,  // half of it: A = B = ½ ∂out/∂x of a real input, in a pair
  Norms,    // ‖∂out/∂z‖ and ‖DZBar‖ over the block's entries where both are finite, in double:
            // (batch, 2), the holomorphy check
};
struct Write {
  Form form;
  DType dtype;              // the destination's; a real one takes the real part
  std::int32_t slot;        // the output's
  std::int64_t size;        // its elements
  std::int64_t col0, cols;  // the input's directions
  void* dst;
};

// What one run of the body reads besides the plan.
template <class C> struct Kernel {
  View<C> view;
  std::int64_t workspace;
  const Input* inputs;
  std::int32_t ninputs;
  const Write* writes;
  std::int32_t nwrites;
};

// Elements are read and written through their real parts: the same code
// serves std::complex on the host and CUDA's complex type on a device.
template <class Rd, bool Cplx, class C> WIRT_HD inline void store(void* dst, std::int64_t i, const C& x) {
  Rd* d = static_cast<Rd*>(dst);
  if constexpr (Cplx) d[2 * i] = static_cast<Rd>(x.real()), d[2 * i + 1] = static_cast<Rd>(x.imag());
  else d[i] = static_cast<Rd>(x.real());
}
template <class Rs, bool Cplx, class C> WIRT_HD inline C load(const void* src, std::int64_t i) {
  using R = real_of<C>;
  const Rs* s = static_cast<const Rs*>(src);
  if constexpr (Cplx) return C(static_cast<R>(s[2 * i]), static_cast<R>(s[2 * i + 1]));
  else return C(static_cast<R>(s[i]), R(0));
}

template <class C> WIRT_HD inline void load_input(const Input& in, C* dst, std::int64_t size, std::int64_t b) {
  const std::int64_t base = b * size;
  switch (in.dtype) {
    case DType::f32: for (std::int64_t e = 0; e < size; ++e) dst[e] = load<float, false, C>(in.src, base + e); break;
    case DType::f64: for (std::int64_t e = 0; e < size; ++e) dst[e] = load<double, false, C>(in.src, base + e); break;
    case DType::c64: for (std::int64_t e = 0; e < size; ++e) dst[e] = load<float, true, C>(in.src, base + e); break;
    default: for (std::int64_t e = 0; e < size; ++e) dst[e] = load<double, true, C>(in.src, base + e);
  }
}

// HasP, HasQ: which rows are stored. Fixed at compile time so the loop never
// reads through a null pointer, not even under a vector mask (a masked load
// that would fault costs a microcode assist per load).
// A Euclidean norm accumulated with a running scale, so that squares of
// entries near the limits of double neither overflow nor underflow.
struct ScaledNorm {
  double scale = 0, ssq = 1;
  WIRT_HD void add(double v) {
    v = std::fabs(v);
    if (v == 0) return;
    if (scale < v) {
      ssq = 1 + ssq * (scale / v) * (scale / v);
      scale = v;
    } else {
      ssq += (v / scale) * (v / scale);
    }
  }
  WIRT_HD double value() const { return scale * std::sqrt(ssq); }
};

template <Form F, class Rd, bool Cplx, bool HasP, bool HasQ, class C>
WIRT_HD void write_rows(const Write& w, const real_of<C>* p, const real_of<C>* q, std::int64_t N, std::int64_t b) {
  // (∂out/∂z, the form's entry) at output element e, input direction d.
  const auto entry = [&](std::int64_t e, std::int64_t d, C& a, C& x) {
    const std::int64_t r = 2 * N * e + w.col0 + d;  // its real part; the imaginary N further
    a = C(0);
    if constexpr (HasP) a = C(p[r], p[r + N]);
    if constexpr (F == Form::DZ) {
      x = a;
    } else if constexpr (HasQ) {
      const C bq(q[r], q[r + N]);
      if constexpr (F == Form::DZBar || F == Form::Norms) x = bq;
      else if constexpr (F == Form::Sum) x = d_dx(a, bq);
      else x = pair_of_real_input(d_dx(a, bq));
    } else {  // the ∂/∂z̄ rows are zero
      if constexpr (F == Form::DZBar || F == Form::Norms) x = a - a;
      else if constexpr (F == Form::Sum) x = a;
      else x = pair_of_real_input(a);
    }
  };
  C a, x;
  if constexpr (F == Form::Norms) {
    // Entries where either partial is inf or nan are IEEE arithmetic (a pole, a
    // nan input), not evidence against holomorphy: left out of both norms (v − v
    // is 0 exactly when v is finite). Sums of squares, unless one may have
    // overflowed or underflowed: then a second pass with a running scale.
    double sa = 0, sb = 0;
    for (std::int64_t e = 0; e < w.size; ++e)
      for (std::int64_t d = 0; d < w.cols; ++d) {
        entry(e, d, a, x);
        const double ar = a.real(), ai = a.imag(), xr = x.real(), xi = x.imag();
        const bool finite = (ar - ar) + (ai - ai) + (xr - xr) + (xi - xi) == 0;
        sa += finite ? ar * ar + ai * ai : 0.0;
        sb += finite ? xr * xr + xi * xi : 0.0;
      }
    double na = std::sqrt(sa), nb = std::sqrt(sb);
    const double lo = 1e-290, hi = 1e290;
    if (!(sa >= lo && sa <= hi) || sb > hi || (sb > 0 && sb < lo)) {
      ScaledNorm sna, snb;
      for (std::int64_t e = 0; e < w.size; ++e)
        for (std::int64_t d = 0; d < w.cols; ++d) {
          entry(e, d, a, x);
          const double ar = a.real(), ai = a.imag(), xr = x.real(), xi = x.imag();
          if (!(std::isfinite(ar) && std::isfinite(ai) && std::isfinite(xr) && std::isfinite(xi))) continue;
          sna.add(ar), sna.add(ai), snb.add(xr), snb.add(xi);
        }
      na = sna.value(), nb = snb.value();
    }
    static_cast<double*>(w.dst)[2 * b] = na;
    static_cast<double*>(w.dst)[2 * b + 1] = nb;
  } else {
    const std::int64_t base = b * w.size * w.cols;
    for (std::int64_t e = 0; e < w.size; ++e)
      for (std::int64_t d = 0; d < w.cols; ++d) {
        entry(e, d, a, x);
        store<Rd, Cplx>(w.dst, base + e * w.cols + d, x);
      }
  }
}

template <Form F, class Rd, bool Cplx, class C>
WIRT_HD void write_block(const Env<C>& env, const Write& w, std::int64_t b) {
  using R = real_of<C>;
  const Slot& sl = env.v.slots[w.slot];
  const std::int64_t N = env.v.N;
  const R* p = sl.constant || sl.p < 0 ? nullptr : reinterpret_cast<const R*>(env.ws + sl.p);
  const R* q = sl.constant || sl.q < 0 ? nullptr : reinterpret_cast<const R*>(env.ws + sl.q);
  if (p && q) write_rows<F, Rd, Cplx, true, true, C>(w, p, q, N, b);
  else if (p) write_rows<F, Rd, Cplx, true, false, C>(w, p, q, N, b);
  else if (q) write_rows<F, Rd, Cplx, false, true, C>(w, p, q, N, b);
  else write_rows<F, Rd, Cplx, false, false, C>(w, p, q, N, b);
}

template <Form F, class C> WIRT_HD inline void write_typed(const Env<C>& env, const Write& w, std::int64_t b) {
  switch (w.dtype) {
    case DType::f32: write_block<F, float, false>(env, w, b); return;
    case DType::f64: write_block<F, double, false>(env, w, b); return;
    case DType::c64: write_block<F, float, true>(env, w, b); return;
    default: write_block<F, double, true>(env, w, b);
  }
}

// A workspace before its first sample: zeros, the inputs' seeds, and the rows
// that are the same for every sample.
template <class C, class M = C> WIRT_HD void init_workspace(const Kernel<C>& k, C* ws) {
  using R = real_of<C>;
  for (std::int64_t i = 0; i < k.workspace; ++i) ws[i] = C(0);
  const std::int64_t N = k.view.N;
  for (std::int32_t i = 0; i < k.ninputs; ++i) {
    const Input& in = k.inputs[i];
    if (in.offset < 0) continue;  // data without directions
    const Slot& sl = k.view.slots[in.slot];
    const R seed = in.complex ? R(1) : R(0.5);
    R* p = reinterpret_cast<R*>(ws + sl.p);
    R* q = sl.q >= 0 ? reinterpret_cast<R*>(ws + sl.q) : nullptr;
    for (std::int64_t e = 0; e < sl.size; ++e) {
      p[2 * N * e + in.offset + e] = seed;
      if (q) q[2 * N * e + in.offset + e] = seed;
    }
  }
  run_sample<C, M>(k.view, ws, true);
}

// Sample b in an initialised workspace: its inputs in, the program, the writes out.
template <class C, class M = C> WIRT_HD void run_one(const Kernel<C>& k, C* ws, std::int64_t b) {
  for (std::int32_t i = 0; i < k.ninputs; ++i) {
    const Input& in = k.inputs[i];
    const Slot& sl = k.view.slots[in.slot];
    load_input(in, ws + sl.val, sl.size, b);
  }
  run_sample<C, M>(k.view, ws);
  const Env<C> env{k.view, ws};
  for (std::int32_t i = 0; i < k.nwrites; ++i) {
    const Write& w = k.writes[i];
    switch (w.form) {
      case Form::DZ: write_typed<Form::DZ>(env, w, b); break;
      case Form::DZBar: write_typed<Form::DZBar>(env, w, b); break;
      case Form::Sum: write_typed<Form::Sum>(env, w, b); break;
      case Form::HalfSum: write_typed<Form::HalfSum>(env, w, b); break;
      case Form::Norms: write_block<Form::Norms, double, false>(env, w, b); break;
    }
  }
}

}  // namespace wirtinger::engine::batch
