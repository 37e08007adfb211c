// Reverse mode: a flat tape of nodes, swept once backward in a loop.
//
//     using C = std::complex<double>;
//     wirtinger::Tape<C> tape;
//     wirtinger::Var<C> z = tape.input(C(2.3, 4.5));
//     auto f = real(z * std::exp(C(0, 1.5)));
//     tape.backward(f);                  // ct = 1, convention "adjoint"
//     C g = tape.cotangent(z);           // ∂f/∂x + i ∂f/∂y = 0.0707... - 0.9975...i
//
// Each node keeps, for each of its (at most two) parents, the Wirtinger pair
// of the edge; a holomorphic node keeps d_dz alone. The sweep accumulates, in
// the "adjoint" convention,
//     ct_parent += conj(d_dz)·ct + d_dzconj·conj(ct)
// and the "transpose" convention is conj ∘ adjoint ∘ conj of the whole sweep:
// the cotangents are seeded conjugated and read back conjugated.
//
// A tape records one scalar type T. On a real tape an edge holds the ordinary
// derivative. On a complex tape, real-valued results (real, imag, abs, abs2,
// angle) are complex numbers with zero imaginary part; the pair of the rule
// that made them ignores the imaginary part of any cotangent they receive, so
// they act as real values downstream. A real input of a complex computation is
// declared with real_input(): its cotangent is the real part of what
// accumulates, because a real x is a complex variable that f does not depend on
// through Im x (README, The mathematics in brief).
//
// A Var with no tape is a constant: operations on constants are not recorded,
// and an edge to a constant is dropped, so its partial is never evaluated.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "detail/active.hpp"

namespace wirtinger {

enum class Convention { adjoint, transpose };

template <class T> class Tape;

template <class T> struct Var {
  static_assert(is_supported_scalar_v<T>,
                "Var<T> runs over float, double, std::complex<float> or std::complex<double>");
  using scalar_type = T;

  T value{};
  Tape<T>* tape = nullptr;  // null: a constant
  int index = -1;           // the node on `tape`

  Var() = default;
  Var(const T& v) : value(v) {}
  template <class S, std::enable_if_t<std::is_arithmetic_v<S>, int> = 0>
  Var(S v) : value(scalar_cast<T>(static_cast<real_of<T>>(v))) {}

  bool is_constant() const { return tape == nullptr; }

  template <class U> Var& operator+=(const U& u) { return *this = *this + u; }
  template <class U> Var& operator-=(const U& u) { return *this = *this - u; }
  template <class U> Var& operator*=(const U& u) { return *this = *this * u; }
  template <class U> Var& operator/=(const U& u) { return *this = *this / u; }
};

template <class X> struct is_var : std::false_type {};
template <class T> struct is_var<Var<T>> : std::true_type {};
template <class X> inline constexpr bool is_var_v = is_var<X>::value;

template <class T> class Tape {
  static_assert(is_supported_scalar_v<T>,
                "Tape<T> records float, double, std::complex<float> or std::complex<double>");

 public:
  Tape() = default;
  // Vars point at their tape: copying or moving one would leave them pointing
  // at the old one.
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  Var<T> input(const T& v) { return push(v, Node{}); }

  // A real input of a computation done in T; its cotangent is real.
  Var<T> real_input(const real_of<T>& v) {
    Node n;
    n.real_input = is_complex_v<T>;
    return push(T(v), n);
  }

  // Record a result whose partials the caller computed: a custom rule. Edges to
  // constants are dropped; a result of constants only is itself a constant.
  Var<T> record(const T& out, const Var<T>& x, const T& d_dz) {
    Node n;
    n.parent[0] = parent_index(x);
    n.d_dz[0] = d_dz;
    return push_result(out, n);
  }
  Var<T> record(const T& out, const Var<T>& x, const T& d_dz, const T& d_dzconj) {
    if constexpr (!is_complex_v<T>) {
      return record(out, x, d_dz + d_dzconj);  // a real variable's derivative is A + B
    } else {
      Node n;
      n.parent[0] = parent_index(x);
      n.d_dz[0] = d_dz;
      n.d_dzconj[0] = d_dzconj;
      n.holomorphic = false;
      return push_result(out, n);
    }
  }
  // Two holomorphic edges: out = g(a, b) with ∂g/∂a = d_da, ∂g/∂b = d_db.
  Var<T> record(const T& out, const Var<T>& a, const T& d_da, const Var<T>& b, const T& d_db) {
    Node n;
    n.parent[0] = parent_index(a);
    n.d_dz[0] = d_da;
    n.parent[1] = parent_index(b);
    n.d_dz[1] = d_db;
    return push_result(out, n);
  }

  // Seed `out` with `ct` and sweep; earlier cotangents are discarded.
  void backward(const Var<T>& out, const T& ct = T(1), Convention convention = Convention::adjoint) {
    start(convention);
    seed(out, ct);
    sweep();
  }
  void backward(const std::vector<Var<T>>& outs, const std::vector<T>& cts,
                Convention convention = Convention::adjoint) {
    if (outs.size() != cts.size())
      throw std::invalid_argument("Tape::backward: got " + std::to_string(outs.size()) + " outputs but " +
                                  std::to_string(cts.size()) + " cotangents; pass one cotangent per output");
    start(convention);
    for (std::size_t k = 0; k < outs.size(); ++k) seed(outs[k], cts[k]);
    sweep();
  }

  // The cotangent of x from the last backward(), in its convention. Zero for a
  // constant and for anything recorded after that sweep.
  T cotangent(const Var<T>& x) const {
    if (x.tape == nullptr) return T(0);
    const int i = parent_index(x);
    if (static_cast<std::size_t>(i) >= ct_.size()) return T(0);
    T ct = transpose_ ? conj(ct_[i]) : ct_[i];
    if constexpr (is_complex_v<T>) {
      if (nodes_[i].real_input) ct = T(ct.real());
    }
    return ct;
  }

  std::size_t size() const { return nodes_.size(); }
  void reserve(std::size_t n) { nodes_.reserve(n); }
  // Forget every node; Vars recorded so far must not be used again.
  void clear() {
    nodes_.clear();
    ct_.clear();
  }

 private:
  struct Node {
    int parent[2] = {-1, -1};
    T d_dz[2] = {};
    T d_dzconj[2] = {};  // read only when !holomorphic
    bool holomorphic = true;
    bool real_input = false;
  };

  int parent_index(const Var<T>& x) const {
    if (x.tape == nullptr) return -1;
    if (x.tape != this)
      throw std::invalid_argument(
          "wirtinger::Tape: an operand was recorded on a different tape; record every variable of one "
          "computation on the same Tape");
    if (x.index < 0 || static_cast<std::size_t>(x.index) >= nodes_.size())
      throw std::logic_error("wirtinger::Tape: a Var recorded before Tape::clear() was used afterwards");
    return x.index;
  }

  Var<T> push(const T& value, const Node& n) {
    nodes_.push_back(n);
    Var<T> v(value);
    v.tape = this;
    v.index = static_cast<int>(nodes_.size() - 1);
    return v;
  }
  Var<T> push_result(const T& value, const Node& n) {
    if (n.parent[0] < 0 && n.parent[1] < 0) return Var<T>(value);
    return push(value, n);
  }

  void start(Convention convention) {
    ct_.assign(nodes_.size(), T(0));
    transpose_ = convention == Convention::transpose;
  }
  void seed(const Var<T>& out, const T& ct) {
    if (out.tape == nullptr) return;
    ct_[parent_index(out)] += transpose_ ? conj(ct) : ct;
  }
  void sweep() {
    for (std::size_t i = nodes_.size(); i-- > 0;) {
      const T ct = ct_[i];
      // Skipping exact zeros is what keeps a node that does not reach the
      // output (sqrt(0) computed and unused) from adding 0·inf = nan.
      if (ct == T(0)) continue;
      const Node& n = nodes_[i];
      for (int e = 0; e < 2; ++e) {
        if (n.parent[e] < 0) continue;
        T contribution = conj(n.d_dz[e]) * ct;
        if (!n.holomorphic) contribution += n.d_dzconj[e] * conj(ct);
        ct_[static_cast<std::size_t>(n.parent[e])] += contribution;
      }
    }
  }

  std::vector<Node> nodes_;
  std::vector<T> ct_;
  bool transpose_ = false;
};

namespace detail {

template <class T, class S> Var<T> var_constant(const S& s) {
  static_assert(std::is_same_v<promote_t<T, S>, T>,
                "a real Tape records real numbers only; to mix in complex numbers record on a "
                "Tape<std::complex<...>> and declare the real inputs with real_input()");
  return Var<T>(scalar_cast<T>(s));
}

}  // namespace detail

// f(x) for any rule of the table's form (value, d_dz[, d_dzconj]), including
// rules defined outside this library.
template <class Rule, class T> Var<T> apply_rule(const Var<T>& x) {
  detail::require_rule_accepts<Rule, T>();
  const T out = value_of<Rule>(x.value);
  if (x.tape == nullptr) return Var<T>(out);
  if constexpr (is_holomorphic_v<Rule> || !is_complex_v<T>)
    return x.tape->record(out, x, detail::ordinary_derivative<Rule>(x.value, out));
  else
    return x.tape->record(out, x, Rule::d_dz(x.value, out), Rule::d_dzconj(x.value, out));
}

// f(a, b) for a binary rule (value, d_da, d_db), holomorphic in each argument.
template <class Rule, class T> Var<T> apply_rule(const Var<T>& a, const Var<T>& b) {
  detail::require_rule_accepts<Rule, T>();
  const T out = Rule::value(a.value, b.value);
  Tape<T>* tape = a.tape != nullptr ? a.tape : b.tape;
  if (tape == nullptr) return Var<T>(out);
  const T d_da = a.tape != nullptr ? Rule::d_da(a.value, b.value, out) : T(0);
  const T d_db = b.tape != nullptr ? Rule::d_db(a.value, b.value, out) : T(0);
  return tape->record(out, a, d_da, b, d_db);
}

// ---------------------------------------------------------------- the math functions, from the table
#define WIRTINGER_VAR_UNARY(name, Rule)                                                            \
  template <class T> Var<T> name(const Var<T>& x) { return apply_rule<rules::Rule>(x); }
WIRTINGER_UNARY_RULES(WIRTINGER_VAR_UNARY)
#undef WIRTINGER_VAR_UNARY

#define WIRTINGER_VAR_BINARY(name, Rule)                                                           \
  template <class T> Var<T> name(const Var<T>& a, const Var<T>& b) { return apply_rule<rules::Rule>(a, b); } \
  template <class T, class S, std::enable_if_t<is_plain_scalar_v<S>, int> = 0>                     \
  Var<T> name(const Var<T>& a, const S& b) {                                                       \
    return apply_rule<rules::Rule>(a, detail::var_constant<T>(b));                                 \
  }                                                                                                \
  template <class S, class T, std::enable_if_t<is_plain_scalar_v<S>, int> = 0>                     \
  Var<T> name(const S& a, const Var<T>& b) {                                                       \
    return apply_rule<rules::Rule>(detail::var_constant<T>(a), b);                                 \
  }
WIRTINGER_BINARY_RULES(WIRTINGER_VAR_BINARY)
#undef WIRTINGER_VAR_BINARY

#define WIRTINGER_VAR_ALIAS(alias, name)                                                           \
  template <class T> Var<T> alias(const Var<T>& x) { return name(x); }
WIRTINGER_STD_ALIASES(WIRTINGER_VAR_ALIAS)
#undef WIRTINGER_VAR_ALIAS

// ---------------------------------------------------------------- operators
#define WIRTINGER_VAR_OPERATOR(op, name)                                                           \
  template <class T> Var<T> operator op(const Var<T>& a, const Var<T>& b) { return name(a, b); }   \
  template <class T, class S, std::enable_if_t<is_plain_scalar_v<S>, int> = 0>                     \
  Var<T> operator op(const Var<T>& a, const S& b) {                                                \
    return name(a, b);                                                                             \
  }                                                                                                \
  template <class S, class T, std::enable_if_t<is_plain_scalar_v<S>, int> = 0>                     \
  Var<T> operator op(const S& a, const Var<T>& b) {                                                \
    return name(a, b);                                                                             \
  }
WIRTINGER_VAR_OPERATOR(+, add)
WIRTINGER_VAR_OPERATOR(-, subtract)
WIRTINGER_VAR_OPERATOR(*, multiply)
WIRTINGER_VAR_OPERATOR(/, divide)
#undef WIRTINGER_VAR_OPERATOR

template <class T> Var<T> pow(const Var<T>& a, const Var<T>& b) { return power(a, b); }
template <class T, class S, std::enable_if_t<is_plain_scalar_v<S>, int> = 0> Var<T> pow(const Var<T>& a, const S& b) {
  return power(a, b);
}
template <class S, class T, std::enable_if_t<is_plain_scalar_v<S>, int> = 0> Var<T> pow(const S& a, const Var<T>& b) {
  return power(a, b);
}

template <class T> Var<T> operator-(const Var<T>& x) { return negative(x); }
template <class T> Var<T> operator+(const Var<T>& x) { return x; }

// Comparisons look at values only, so that control flow on a Var follows the
// primal program.
#define WIRTINGER_VAR_COMPARISON(op)                                                               \
  template <class T> bool operator op(const Var<T>& a, const Var<T>& b) { return a.value op b.value; } \
  template <class T, class S, std::enable_if_t<is_plain_scalar_v<S>, int> = 0>                     \
  bool operator op(const Var<T>& a, const S& b) {                                                  \
    using P = promote_t<T, S>;                                                                     \
    return scalar_cast<P>(a.value) op scalar_cast<P>(b);                                           \
  }                                                                                                \
  template <class S, class T, std::enable_if_t<is_plain_scalar_v<S>, int> = 0>                     \
  bool operator op(const S& a, const Var<T>& b) {                                                  \
    using P = promote_t<T, S>;                                                                     \
    return scalar_cast<P>(a) op scalar_cast<P>(b.value);                                           \
  }
WIRTINGER_VAR_COMPARISON(==)
WIRTINGER_VAR_COMPARISON(!=)
WIRTINGER_VAR_COMPARISON(<)
WIRTINGER_VAR_COMPARISON(<=)
WIRTINGER_VAR_COMPARISON(>)
WIRTINGER_VAR_COMPARISON(>=)
#undef WIRTINGER_VAR_COMPARISON

}  // namespace wirtinger
