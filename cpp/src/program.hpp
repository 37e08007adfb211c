// A traced program: the slice of the tape that one call of a function recorded,
// kept without its values, and replayed on new inputs of the same signature
// (wirtinger.jit). Replaying runs the same Var operations as eager code, so
// a replay inside an enclosing transform is recorded and differentiated like
// any other code.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "graph.hpp"
#include "primitive.hpp"

namespace wirtinger::engine {

struct Program {
  struct Step {
    Node node;                     // values dropped: inputs that are slots are empty Vars
    std::vector<std::int64_t> src;  // per input: the slot it reads, or -1 for the constant node.in[j]
  };
  std::vector<Step> steps;          // slot k is the output of steps[k]
  std::vector<std::int64_t> inputs;   // the slot of each program input
  std::vector<std::int64_t> outputs;  // the slot of each output, or -1 for the constant out_consts[i]
  std::vector<Var> out_consts;
  std::vector<std::int64_t> last_use;  // per slot: the last step that reads it (outputs: never freed)
  std::vector<DType> dtype;            // per slot, as traced
  std::vector<Shape> shape;
  // Runs of element-wise steps over one shape (and the whole-array sums of
  // their values), executed block by block in one pass over memory when the
  // replay is not being recorded (see fusion.cpp).
  struct Group {
    std::int64_t first = 0, last = 0;  // steps [first, last]
    std::int64_t size = 0;             // elements of the common shape
    std::vector<StepTypes> types;      // per step of the group: its operands', as traced
    // Per step: a sum of every element of a value of the group's shape, added up
    // block by block as the group runs (no later step of the group reads it).
    std::vector<char> sink;
    // How the group runs, fixed when it is planned (fusion.cpp): per step, its
    // operands (a step of the group, or a value from outside it), whether its
    // value is written out, and the scratch block it uses otherwise.
    struct In {
      std::int64_t internal = -1;  // index in the group, or -1: outside it
      std::int64_t stride = 1;     // outside: 1, or 0 for a scalar
      std::size_t itemsize = 0;
    };
    std::vector<std::vector<In>> ins;
    std::vector<char> kept;
    std::vector<std::int64_t> slot;
    std::size_t slots = 0;
    bool sums = false;
    // The group compiled to one loop (codegen.cpp), once it has been: it computes
    // elements [b, b + n), writing the kept values at y[i] + b and the operands of
    // sums at y[i] + 0, from the outside operands x in the order the steps read
    // them, and returns nonzero where the block must be run by the kernels.
    using Kernel = int (*)(const char* const* x, char* const* y, std::int64_t b, std::int64_t n);
    std::shared_ptr<std::atomic<Kernel>> kernel = std::make_shared<std::atomic<Kernel>>(nullptr);
    // Blocks the compiled loop handed back to the kernels (tests).
    std::shared_ptr<std::atomic<std::int64_t>> handed_back = std::make_shared<std::atomic<std::int64_t>>(0);
  };
  std::vector<Group> groups;
  std::vector<std::int64_t> group_at;  // per step: the group it starts, or -1
  // Where every value is a single element and every step element-wise, the
  // operand types per step (empty for an input), and the program is replayed
  // on registers (scalar_replay.cpp); otherwise empty.
  std::vector<StepTypes> scalar_types;
  // A value from outside the trace (a closure over a value being differentiated
  // by an enclosing transform): the program is only valid for this call.
  bool captures = false;
};

// The program from the watched `inputs` (created first, by the caller) to `outputs`.
Program make_program(const Tape& tape, const std::vector<Var>& inputs, const std::vector<Var>& outputs);

// Finds the fusable groups (called by make_program).
void plan_fusion(Program& p);
// The C++ source of group g as one loop (codegen.cpp), or "" where a step has
// no such form.
std::string group_source(const Program& p, const Program::Group& g);
// Fills scalar_types where the program qualifies (called by make_program).
void plan_scalar_replay(Program& p);
// Replays a program with scalar_types: inputs[i] points at input i's value in
// its traced dtype. Returns a pointer per output to its value, valid on this
// thread until its next replay.
const void* const* run_scalar_replay(const Program& p, const void* const* inputs);
// Runs one group, filling env with the values read after it.
void run_group(const Program& p, const Program::Group& g, std::vector<Var>& env);

// Replays the program; inputs must match the traced shapes and dtypes.
std::vector<Var> run_program(const Program& p, const std::vector<Var>& inputs);

// The primitive of n applied to new inputs.
Var eval_node(const Node& n, const std::vector<Var>& in);

}  // namespace wirtinger::engine
