// What the module's source files share: dtype conversion at the Python
// boundary, and the parts of the module defined outside module.cpp.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <vector>

#include "batch_plan.hpp"
#include "program.hpp"

namespace wirtinger::engine {

DType dtype_from(const pybind11::dtype& dt);
pybind11::dtype to_numpy_dtype(DType d);
// (output, input, form, dtype) tuples, form one of "dz", "dzbar", "sum", "halfsum", "norms".
std::vector<batch::Request> batch_requests(const pybind11::list& requests);

// The primitives' entry points and their table, from the registry (bind_primitives.cpp).
void bind_primitives(pybind11::module_& m);

// DeviceArray, DLPack, the CUDA queries and the GPU run of a batch plan (module_device.cpp).
void bind_device(pybind11::module_& m);

// The values of scipy.special's functions of parameters (bind_special.cpp).
void bind_special(pybind11::module_& m);

// A traced program run on a jitted call's n arguments (Python numbers, NumPy
// scalars and arrays, read in place) with a tuple of NumPy arrays out (module.cpp).
pybind11::tuple run_program_numpy(const Program& p, PyObject* const* args, std::size_t n, const std::vector<DType>& dtypes);

// Writes a Python number (float, complex, or NumPy's float64/complex128, their
// subclasses) to out in dtype d; false for anything else (module.cpp). A
// complex number with a nonzero imaginary part for a real d is a TypeError.
bool python_number(const pybind11::handle& x, DType d, void* out);

// The common case of eager operations on wirtinger.Array (bind_array_ops.cpp).
void bind_array_ops(pybind11::module_& m);

// The jitted call's latency path in C++ (jit_dispatch.cpp).
void bind_jit_dispatch(pybind11::module_& m);

}  // namespace wirtinger::engine
