// The values of scipy.special's functions of parameters (special_parametric.hpp)
// over arrays; their Python wrappers broadcast the operands and declare the
// derivative.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <array>
#include <string>
#include <utility>

#include <wirtinger/special_parametric.hpp>

#include "bindings.hpp"

namespace py = pybind11;

namespace wirtinger::engine {
namespace {

using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;

template <class F, std::size_t N, std::size_t... I>
double call_at(F f, const std::array<const double*, N>& p, py::ssize_t i, std::index_sequence<I...>) {
  return f(p[I][i]...);
}

// f over arrays of one shape (the caller broadcasts), without the GIL.
template <class F, class... A> py::array_t<double> over_arrays(const char* name, F f, const Doubles& x, const A&... rest) {
  if (((rest.size() != x.size()) || ...)) {
    std::string sizes = std::to_string(x.size());
    ((sizes += ", " + std::to_string(rest.size())), ...);
    throw py::value_error(std::string(name) + ": the operands must be broadcast to one shape first (sizes " + sizes +
                          ")");
  }
  py::array_t<double> out(std::vector<py::ssize_t>(x.shape(), x.shape() + x.ndim()));
  const std::array<const double*, 1 + sizeof...(A)> p{x.data(), rest.data()...};
  double* po = out.mutable_data();
  const py::ssize_t n = x.size();
  {
    py::gil_scoped_release release;
    for (py::ssize_t i = 0; i < n; ++i) po[i] = call_at(f, p, i, std::make_index_sequence<1 + sizeof...(A)>{});
  }
  return out;
}

}  // namespace

void bind_special(py::module_& m) {
  m.def("betainc_values", [](const Doubles& a, const Doubles& b, const Doubles& x) {
    return over_arrays("betainc", special::betainc, a, b, x);
  });
  m.def("hyp1f1_values", [](const Doubles& a, const Doubles& b, const Doubles& x) {
    return over_arrays("hyp1f1", special::hyp1f1, a, b, x);
  });
  m.def("hyp2f1_values", [](const Doubles& a, const Doubles& b, const Doubles& c, const Doubles& x) {
    return over_arrays("hyp2f1", special::hyp2f1, a, b, c, x);
  });
}

}  // namespace wirtinger::engine
