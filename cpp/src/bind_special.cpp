// The values of scipy.special's functions of parameters (special_parametric.hpp)
// over arrays; their Python wrappers broadcast the operands and declare the
// derivative.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>

#include <wirtinger/special_parametric.hpp>

#include "bindings.hpp"

namespace py = pybind11;

namespace wirtinger::engine {
namespace {

using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;

// f over three arrays of one shape (the caller broadcasts), without the GIL.
template <class F> py::array_t<double> over_arrays(const char* name, F f, const Doubles& a, const Doubles& b,
                                                   const Doubles& x) {
  if (a.size() != x.size() || b.size() != x.size())
    throw py::value_error(std::string(name) + ": the operands must be broadcast to one shape first (sizes " +
                          std::to_string(a.size()) + ", " + std::to_string(b.size()) + ", " +
                          std::to_string(x.size()) + ")");
  py::array_t<double> out(std::vector<py::ssize_t>(x.shape(), x.shape() + x.ndim()));
  const double *pa = a.data(), *pb = b.data(), *px = x.data();
  double* po = out.mutable_data();
  const py::ssize_t n = x.size();
  {
    py::gil_scoped_release release;
    for (py::ssize_t i = 0; i < n; ++i) po[i] = f(pa[i], pb[i], px[i]);
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
}

}  // namespace wirtinger::engine
