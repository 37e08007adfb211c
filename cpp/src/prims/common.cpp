// The argument checks and shape helpers the primitives share.
#include "common.hpp"

#include <cmath>
#include <complex>
#include <numeric>

namespace wirtinger::engine {

[[noreturn]] void bad_argument(const char* op, const std::string& what) {
  throw std::invalid_argument(std::string(op) + ": " + what);
}

void check_axes(const std::vector<std::int64_t>& axes, int ndim, bool permutation, const char* op) {
  std::vector<bool> seen(static_cast<std::size_t>(ndim), false);
  for (auto a : axes) {
    if (a < 0 || a >= ndim)
      bad_argument(op, "axis " + std::to_string(a) + " is out of range for " + std::to_string(ndim) + " dimensions");
    if (seen[static_cast<std::size_t>(a)]) bad_argument(op, "repeated axis " + std::to_string(a));
    seen[static_cast<std::size_t>(a)] = true;
  }
  if (permutation && axes.size() != static_cast<std::size_t>(ndim))
    bad_argument(op, "axes do not permute " + std::to_string(ndim) + " dimensions");
}

void check_slice(const Shape& extent, const std::vector<std::int64_t>& start, const std::vector<std::int64_t>& step,
                 const Shape& count, const char* op) {
  const std::size_t r = extent.size();
  if (start.size() != r || step.size() != r || count.size() != r)
    bad_argument(op, "start, step and count need one entry per axis of " + shape_str(extent));
  for (std::size_t d = 0; d < r; ++d) {
    if (count[d] < 0) bad_argument(op, "negative count in " + shape_str(count));
    if (count[d] == 0) continue;
    std::int64_t last = 0;
    if (start[d] < 0 || start[d] >= extent[d] || __builtin_mul_overflow(count[d] - 1, step[d], &last) ||
        __builtin_add_overflow(start[d], last, &last) || last < 0 || last >= extent[d])
      bad_argument(op, "slice of " + std::to_string(count[d]) + " elements from " + std::to_string(start[d]) + " by " +
                  std::to_string(step[d]) + " leaves axis " + std::to_string(d) + " of extent " +
                  std::to_string(extent[d]));
  }
}

void check_blocks(const Shape& whole, const std::vector<std::int64_t>& index, std::int64_t inner, std::int64_t items,
                  const char* op) {
  const std::int64_t size = numel(whole);
  if (inner < 1 || size % inner != 0)
    bad_argument(op, "block size " + std::to_string(inner) + " does not divide " + std::to_string(size));
  if (items != static_cast<std::int64_t>(index.size()) * inner)
    bad_argument(op, std::to_string(items) + " elements for " + std::to_string(index.size()) + " blocks of " +
                std::to_string(inner));
  const std::int64_t blocks = size / inner;
  for (auto i : index)
    if (i < 0 || i >= blocks)
      bad_argument(op, "index " + std::to_string(i) + " is out of bounds for " + std::to_string(blocks) + " blocks");
}

Shape kept_shape(const Shape& s, const std::vector<std::int64_t>& axes) {
  Shape k = s;
  for (auto a : axes) k[static_cast<std::size_t>(a)] = 1;
  return k;
}

Var swap_last(const Var& x) {
  std::vector<std::int64_t> perm(static_cast<std::size_t>(x.ndim()));
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[perm.size() - 1], perm[perm.size() - 2]);
  return transpose(x, perm);
}

bool is_exact_constant(const Var& v, double value) {
  if (!v || v.p->tape != 0 || v.data().size() != 1) return false;
  const Tensor c = engine::cast(v.data(), DType::c128);
  const auto z = *c.data<std::complex<double>>();
  return z.real() == value && z.imag() == 0;
}

}  // namespace wirtinger::engine
