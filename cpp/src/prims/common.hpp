// What the primitives' declarations share: the checks that keep a wrong shape,
// axis or slice from reading or writing memory an array does not own (whoever
// the caller), and small shape helpers.
#pragma once

#include <string>
#include <vector>

#include "../batch_lowering.hpp"
#include "../ops.hpp"
#include "../primitive.hpp"

namespace wirtinger::engine {

[[noreturn]] void bad_argument(const char* op, const std::string& what);
void check_axes(const std::vector<std::int64_t>& axes, int ndim, bool permutation, const char* op);
// Every index start + k·step, k < count, along every axis lies in [0, extent).
void check_slice(const Shape& extent, const std::vector<std::int64_t>& start, const std::vector<std::int64_t>& step,
                 const Shape& count, const char* op);
// x seen as blocks of `inner` elements; every index addresses one of them.
void check_blocks(const Shape& whole, const std::vector<std::int64_t>& index, std::int64_t inner, std::int64_t items,
                  const char* op);

// The shape s with the reduced axes kept as 1.
Shape kept_shape(const Shape& s, const std::vector<std::int64_t>& axes);
// x with its last two axes swapped.
Var swap_last(const Var& x);

// Whether v is a constant (on no tape) single element equal to value exactly
// (a zero imaginary part of either sign): the rules' constant partials (1 for a
// sum, 0 for the z-derivative of conj, their conjugates) and a gradient's seed.
bool is_exact_constant(const Var& v, double value);

// Whether the sweep running now records its own operations (an enclosing
// transform differentiates them).
inline bool sweep_records() { return recorder().enabled; }

}  // namespace wirtinger::engine
