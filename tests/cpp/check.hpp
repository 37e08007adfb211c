// A minimal check harness: CHECK macros count failures, a test's main returns
// check::report(). No framework, so the C++ tests build wherever the headers do.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

namespace check {

struct State {
  int checks = 0;
  int failures = 0;
  int quiet_depth = 0;            // > 0: failures are counted, not printed
  std::vector<std::string> context;  // what is being checked, printed with each failure
};
inline State& state() {
  static State s;
  return s;
}

// Names what is being checked (rule, scalar type, point) for any failure inside.
struct Context {
  explicit Context(std::string what) { state().context.push_back(std::move(what)); }
  ~Context() { state().context.pop_back(); }
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
};

// Runs checks that are expected to fail (a deliberately wrong rule must be
// caught) and reports how many did, without printing them.
struct ExpectFailures {
  int before;
  ExpectFailures() : before(state().failures) { ++state().quiet_depth; }
  ~ExpectFailures() {
    --state().quiet_depth;
    state().failures = before;
  }
  int caught() const { return state().failures - before; }
};

inline void record(bool ok, const char* file, int line, const std::string& what) {
  ++state().checks;
  if (ok) return;
  ++state().failures;
  if (state().quiet_depth > 0) return;
  std::fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what.c_str());
  for (const auto& c : state().context) std::fprintf(stderr, "    in: %s\n", c.c_str());
}

template <class X> std::complex<double> as_complex(const X& x) {
  if constexpr (std::is_arithmetic_v<X>) return {static_cast<double>(x), 0.0};
  else return {static_cast<double>(x.real()), static_cast<double>(x.imag())};
}

template <class X> std::string str(const X& x) {
  const std::complex<double> c = as_complex(x);
  std::ostringstream os;
  os.precision(17);
  os << c.real() << (c.imag() < 0 ? " - " : " + ") << std::abs(c.imag()) << "i";
  return os.str();
}

// |a − b| ≤ atol + rtol·max(|a|, |b|); where either is not finite, each part
// must match exactly (nan matching nan).
template <class A, class B> bool close(const A& a, const B& b, double rtol, double atol) {
  const std::complex<double> x = as_complex(a), y = as_complex(b);
  const auto finite = [](std::complex<double> c) { return std::isfinite(c.real()) && std::isfinite(c.imag()); };
  const auto same = [](double p, double q) { return (std::isnan(p) && std::isnan(q)) || p == q; };
  if (!finite(x) || !finite(y)) return same(x.real(), y.real()) && same(x.imag(), y.imag());
  return std::abs(x - y) <= atol + rtol * std::max(std::abs(x), std::abs(y));
}

inline int report(const char* name) {
  std::printf("%s: %d checks, %d failures\n", name, state().checks, state().failures);
  return state().failures == 0 ? 0 : 1;
}

}  // namespace check

#define CHECK(cond) ::check::record(static_cast<bool>(cond), __FILE__, __LINE__, #cond)

#define CHECK_CLOSE(a, b, rtol, atol)                                                              \
  do {                                                                                             \
    const auto check_a_ = (a);                                                                     \
    const auto check_b_ = (b);                                                                     \
    ::check::record(::check::close(check_a_, check_b_, (rtol), (atol)), __FILE__, __LINE__,        \
                    std::string(#a " == " #b ": ") + ::check::str(check_a_) + " vs " +             \
                        ::check::str(check_b_));                                                   \
  } while (0)

#define CHECK_THROWS(expr, Exception)                                                              \
  do {                                                                                             \
    bool check_thrown_ = false;                                                                    \
    try {                                                                                          \
      (void)(expr);                                                                                \
    } catch (const Exception&) {                                                                   \
      check_thrown_ = true;                                                                        \
    }                                                                                              \
    ::check::record(check_thrown_, __FILE__, __LINE__, #expr " throws " #Exception);               \
  } while (0)
