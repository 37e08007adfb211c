// What the engine knows about each primitive, declared once per primitive (in
// prims/): how to apply it to new inputs, its JVP and adjoint VJP, whether equal
// steps may be merged, how it runs inside a fused element-wise block and how
// it lowers to the per-sample plan of batched Jacobians, and the entry points
// and batching kind the package applies it through. The sweeps, jit's
// program building, simplification, fusion and replay, the batch-plan compiler
// and the bindings all read this table; none of them switches on a primitive.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "blocks.hpp"
#include "graph.hpp"

namespace wirtinger::engine {

namespace batch {
struct Lowering;
}

// The operands of a program step as fusion sees them.
struct StepTypes {
  std::vector<Shape> in_shape;
  std::vector<DType> in_dtype;
  Shape out_shape;
  DType out_dtype = DType::f64;
};

// How the package batches a primitive under vmap, given its kind of attributes:
// Elementwise: operands lifted to a common rank, attributes as they are.
// LeadingAxis: every operand given the batch as a new leading axis, the
// attributes moved past it. Contraction: matmul's own rule (batch axes
// broadcast, or folded into the rows of one product).
enum class Batching : std::uint8_t { Elementwise, LeadingAxis, Contraction };

// One way code applies a primitive, bound under `name`: `arity` operands (-1:
// one list of them), then the attributes of the type `attributes` holds (a
// blank value), field by field.
struct Entry {
  const char* name;
  int arity;
  Attributes attributes;
  Batching batching;
};

struct Primitive {
  const char* name = "?";
  // How the package applies it (none: applied by the engine itself, as
  // inputs and custom rules are).
  std::vector<Entry> entries;
  // Where the primitive stands for a family (the element-wise functions, the
  // custom rules): the name of one step's member.
  std::string (*member_name)(const Node& n) = nullptr;
  // An operation users call (not the marker of an input) whose result depends
  // differentiably on its inputs (not a piecewise constant comparison).
  bool differentiable_operation = true;

  // The primitive applied to new inputs (jit's replay; the steps a batch plan
  // evaluates once per call).
  Var (*eval)(const Node& n, const std::vector<Var>& in) = nullptr;

  // The output's tangent from the inputs' tangents (an empty Var is zero; an
  // empty result is zero). Written with Var operations, so that inside an
  // enclosing transform it records, and higher orders come from it.
  Var (*jvp)(const Node& n, const std::vector<Var>& t) = nullptr;
  // The cotangents ("adjoint" convention) of the inputs marked needed, into r
  // (one slot per input, empty = zero), before the sweep casts and sums each
  // to its input's dtype and shape. Var operations, as jvp.
  void (*vjp)(const Node& n, const Var& ct, const std::vector<bool>& needed, std::vector<Var>& r) = nullptr;
  // Optional first-order forms on whole arrays, for sweeps that record nothing:
  // the same values as jvp and vjp, in one kernel pass.
  Var (*fast_jvp)(const Node& n, const std::vector<Var>& t) = nullptr;
  void (*fast_vjp)(const Node& n, const Var& ct, const std::vector<bool>& needed, std::vector<Var>& r) = nullptr;

  // A pure function of its inputs and its attributes: a traced program may
  // compute two equal steps once.
  bool cse = false;

  // Element-wise: whether the step can run block by block over its output's
  // elements (operands of that shape or single elements), and its block.
  bool (*fuses)(const Node& n, const StepTypes& types) = nullptr;
  void (*block)(const Node& n, const StepTypes& types, const Operand* in, void* out, std::int64_t len) = nullptr;

  // Its per-sample form in a batched-Jacobian plan, returning the slot of the
  // step's value; nullptr where there is none (the caller batches op by op).
  std::int32_t (*lower)(batch::Lowering& b, std::size_t step) = nullptr;
};

const Primitive& primitive(Prim p);

// The name a step shows users: the element-wise function or the custom rule,
// else the primitive's.
std::string step_name(const Node& n);

}  // namespace wirtinger::engine
