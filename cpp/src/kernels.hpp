// Whole-array kernels: each call is one C++ loop over memory. The element-wise
// ones are instantiated from the rule table (rules.hpp); the only derivative
// formulas here are the first-order forms some primitives declare beside their
// differentiable rules (the running product's, prod_others).
#pragma once

#include <wirtinger/rules.hpp>

#include "tensor.hpp"

namespace wirtinger::engine {

enum class UnaryOp : int {
#define WIRT_ENUM(name, Rule) name,
  WIRTINGER_UNARY_RULES(WIRT_ENUM)
#undef WIRT_ENUM
  count_
};
enum class BinaryOp : int {
#define WIRT_ENUM(name, Rule) name,
  WIRTINGER_BINARY_RULES(WIRT_ENUM)
#undef WIRT_ENUM
  count_
};
const char* unary_name(UnaryOp op);
const char* binary_name(BinaryOp op);
bool unary_holomorphic(UnaryOp op);
bool unary_real_output(UnaryOp op);
bool unary_real_only(UnaryOp op);
bool binary_real_only(BinaryOp op);

// Element-wise, from the rule table. t and ct have the dtype of x and of the
// result respectively; results are in the result's dtype (jvp) or x's (vjp).
Tensor unary_value(UnaryOp op, const Tensor& x);
Tensor unary_jvp(UnaryOp op, const Tensor& x, const Tensor& out, const Tensor& t);
Tensor unary_vjp(UnaryOp op, const Tensor& x, const Tensor& out, const Tensor& ct);
Tensor binary_value(BinaryOp op, const Tensor& a, const Tensor& b);
// d_d(which)·t, with t of that argument's shape, and conj(d_d(which))·ct, both
// over the broadcast result shape.
Tensor binary_jvp(BinaryOp op, int which, const Tensor& a, const Tensor& b, const Tensor& out, const Tensor& t);
Tensor binary_vjp(BinaryOp op, int which, const Tensor& a, const Tensor& b, const Tensor& out, const Tensor& ct);

// Structure.
Tensor cast(const Tensor& x, DType to);  // complex → real keeps the real part
Tensor broadcast_to(const Tensor& x, const Shape& shape);
Tensor reduce_sum(const Tensor& x, const std::vector<std::int64_t>& axes);
Tensor reduce_prod(const Tensor& x, const std::vector<std::int64_t>& axes);
Tensor prod_others(const Tensor& x, const std::vector<std::int64_t>& axes);
Tensor transpose(const Tensor& x, const std::vector<std::int64_t>& perm);
Tensor slice(const Tensor& x, const std::vector<std::int64_t>& start, const std::vector<std::int64_t>& step,
             const Shape& count);
Tensor slice_scatter(const Tensor& x, const Shape& shape, const std::vector<std::int64_t>& start,
                     const std::vector<std::int64_t>& step);
Tensor concat(const std::vector<Tensor>& xs, std::int64_t axis);
Tensor select(const std::vector<std::uint8_t>& mask, const Tensor& a, const Tensor& b);
// mask != 0 ? a : b, with a real mask broadcast to a's shape (equal shapes of a and b).
Tensor select(const Tensor& mask, const Tensor& a, const Tensor& b);

// Comparisons: 1 where `a op b`, 0 elsewhere, broadcast, in the real dtype of the
// promoted operands. They carry masks through traced programs; ordering is
// defined for real operands only.
enum class CmpOp : int { less, less_equal, greater, greater_equal, equal, not_equal };
const char* cmp_name(CmpOp op);
// x op y for one element: ordering for real T, equality for complex T.
template <class T> WIRT_HD bool compare_one(CmpOp op, const T& x, const T& y) {
  if constexpr (is_complex_v<T>) {
    return op == CmpOp::equal ? x == y : x != y;
  } else {
    switch (op) {
      case CmpOp::less: return x < y;
      case CmpOp::less_equal: return x <= y;
      case CmpOp::greater: return x > y;
      case CmpOp::greater_equal: return x >= y;
      case CmpOp::equal: return x == y;
      default: return x != y;
    }
  }
}
Tensor compare(CmpOp op, const Tensor& a, const Tensor& b);
// x seen as contiguous blocks of `inner` elements: gather copies block index[i]
// of x to block i of a result of `shape`; scatter_add adds block i of x into
// block index[i] of zeros of `shape` (repeated indices accumulate). Each is the
// adjoint of the other.
Tensor gather(const Tensor& x, const std::vector<std::int64_t>& index, std::int64_t inner, const Shape& shape);
Tensor scatter_add(const Tensor& x, const std::vector<std::int64_t>& index, std::int64_t inner, const Shape& shape);
// Inclusive running sums along axis (from the end when reverse), and running
// products with their exact JVP and adjoint VJP (recurrences, no division, so
// zeros need no special case).
Tensor cumsum(const Tensor& x, std::int64_t axis, bool reverse);
Tensor cumprod(const Tensor& x, std::int64_t axis);
Tensor cumprod_jvp(const Tensor& x, const Tensor& out, const Tensor& t, std::int64_t axis);
Tensor cumprod_vjp(const Tensor& x, const Tensor& out, const Tensor& ct, std::int64_t axis);
Tensor add_same(const Tensor& a, const Tensor& b);  // a + b, same shape and dtype
// op(a) @ op(b) over the last two axes, equal batch dims; op transposes or
// conjugate-transposes without copying (BLAS flags).
enum class MatOp { none, transpose, adjoint };
Tensor matmul(const Tensor& a, const Tensor& b, MatOp op_a = MatOp::none, MatOp op_b = MatOp::none);

}  // namespace wirtinger::engine
