// Element-wise kernels over one block of a fused program (jit): n elements,
// every operand read with stride 1, or 0 for a broadcast scalar. They are
// instantiated from the same rule table as the whole-array kernels.
#pragma once

#include "kernels.hpp"

namespace wirtinger::engine {

struct Operand {
  const void* p;
  std::int64_t stride;  // 1, or 0 for a scalar
};

// x's dtype is the rule's argument type; the result has the rule's output dtype.
void unary_block(UnaryOp op, DType x, Operand a, void* out, std::int64_t n);
void binary_block(BinaryOp op, DType d, Operand a, Operand b, void* out, std::int64_t n);
void cast_block(DType from, DType to, Operand a, void* out, std::int64_t n);
void compare_block(CmpOp op, DType d, Operand a, Operand b, void* out, std::int64_t n);  // out: real_dtype(d)
void select_block(DType mask, DType d, Operand m, Operand a, Operand b, void* out, std::int64_t n);

}  // namespace wirtinger::engine
