// Replay of programs over single elements (a scalar loss of scalar
// parameters, its gradient): every step runs its block kernel on one element
// held in a register file, so a call allocates nothing but its results. The
// general replay spends most of such a call creating and releasing values.
#include <complex>
#include <cstring>
#include <vector>

#include "primitive.hpp"
#include "program.hpp"

namespace wirtinger::engine {

void plan_scalar_replay(Program& p) {
  p.scalar_types.clear();
  std::vector<bool> is_input(p.steps.size(), false);
  for (auto i : p.inputs) is_input[static_cast<std::size_t>(i)] = true;
  std::vector<StepTypes> types(p.steps.size());  // empty for an input
  for (std::size_t k = 0; k < p.steps.size(); ++k) {
    if (numel(p.shape[k]) != 1) return;
    if (is_input[k]) continue;
    const Program::Step& s = p.steps[k];
    StepTypes& t = types[k];
    for (std::size_t j = 0; j < s.src.size(); ++j) {
      const bool slot = s.src[j] >= 0;
      t.in_shape.push_back(slot ? p.shape[static_cast<std::size_t>(s.src[j])] : s.node.in[j].shape());
      t.in_dtype.push_back(slot ? p.dtype[static_cast<std::size_t>(s.src[j])] : s.node.in[j].dtype());
      if (numel(t.in_shape.back()) != 1) return;
    }
    t.out_shape = p.shape[k];
    t.out_dtype = p.dtype[k];
    const Primitive& def = primitive(s.node.prim);
    if (!(def.fuses && def.block && def.fuses(s.node, t))) return;
  }
  p.scalar_types = std::move(types);
}

const void* const* run_scalar_replay(const Program& p, const void* const* inputs) {
  // Registers wide enough for any dtype; reused from call to call by this thread.
  thread_local std::vector<std::complex<double>> regs;
  thread_local std::vector<const void*> outs;
  regs.resize(p.steps.size());
  outs.resize(p.outputs.size());
  for (std::size_t i = 0; i < p.inputs.size(); ++i) {
    const auto k = static_cast<std::size_t>(p.inputs[i]);
    std::memcpy(&regs[k], inputs[i], itemsize(p.dtype[k]));
  }
  // Operands are read with stride 1, as a fused group reads its own steps:
  // the kernels then evaluate in the same arithmetic as on whole arrays.
  Operand op[3];
  for (std::size_t k = 0; k < p.steps.size(); ++k) {
    const StepTypes& t = p.scalar_types[k];
    if (t.in_dtype.empty()) continue;  // an input
    const Program::Step& s = p.steps[k];
    for (std::size_t j = 0; j < s.src.size(); ++j)
      op[j] = {s.src[j] >= 0 ? static_cast<const void*>(&regs[static_cast<std::size_t>(s.src[j])]) : s.node.in[j].data().raw(),
               1};
    primitive(s.node.prim).block(s.node, t, op, &regs[k], 1);
  }
  for (std::size_t i = 0; i < p.outputs.size(); ++i)
    outs[i] = p.outputs[i] >= 0 ? static_cast<const void*>(&regs[static_cast<std::size_t>(p.outputs[i])])
                                : p.out_consts[i].data().raw();
  return outs.data();
}

}  // namespace wirtinger::engine
