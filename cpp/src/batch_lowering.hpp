// The compiler from a traced program to a batched-Jacobian plan, as each
// primitive's lowering (primitive.hpp) sees it: the slots it reads and writes,
// the index maps and constants it adds, and the rows known to be zero or the
// same for every sample.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "batch_plan.hpp"

namespace wirtinger::engine::batch {

// 0, 1, 2, ... (plus offset) in a float64 array of the given shape: pushed
// through a structural kernel, it says where each element comes from.
Tensor iota(const Shape& shape, double offset = 0);
std::vector<std::complex<double>> as_complex(const Tensor& t);

struct Lowering {
  const Program& p;
  const std::vector<InputKind>& kinds;
  Plan plan;
  std::vector<bool> varying;           // per step: its value differs from sample to sample
  std::vector<std::int64_t> per_call;  // per step: its entry in plan.per_call, or -1
  std::vector<Var> folded;             // values of the steps that no input reaches
  std::vector<std::int32_t> slot_of;   // per step: its slot
  std::vector<std::int32_t> alias_of;  // per slot: the slot whose storage it shares, or -1
  std::vector<bool> pz, qz;            // per slot: its ∂/∂z (∂/∂z̄) rows are zero for every sample
  std::vector<bool> rc;                // per slot: its rows are the same for every sample
  std::int64_t longest_unary = 0;

  Lowering(const Program& prog, const std::vector<InputKind>& k) : p(prog), kinds(k) {}

  std::int32_t new_slot(std::int64_t size, bool constant, bool zero_p, bool zero_q) {
    Slot s;
    s.size = size;
    s.constant = constant;
    plan.slots.push_back(s);
    alias_of.push_back(-1);
    pz.push_back(zero_p);
    qz.push_back(zero_q);
    rc.push_back(constant);
    return static_cast<std::int32_t>(plan.slots.size() - 1);
  }

  std::int32_t const_slot(const Var& v) {
    const auto values = as_complex(v.data());
    const std::int32_t s = new_slot(static_cast<std::int64_t>(values.size()), true, true, true);
    plan.slots[s].val = static_cast<std::int64_t>(plan.consts.size());
    plan.consts.insert(plan.consts.end(), values.begin(), values.end());
    return s;
  }

  // The slot of step k's value; a step evaluated per run gets its place in
  // consts when a slot first reads it.
  std::int32_t slot(std::int64_t k) {
    auto& s = slot_of[static_cast<std::size_t>(k)];
    if (s < 0) {
      auto& entry = plan.per_call.at(static_cast<std::size_t>(per_call.at(static_cast<std::size_t>(k))));
      s = new_slot(numel(p.shape[static_cast<std::size_t>(k)]), true, true, true);
      entry.offset = static_cast<std::int64_t>(plan.consts.size());
      plan.slots[static_cast<std::size_t>(s)].val = entry.offset;
      plan.consts.resize(plan.consts.size() + static_cast<std::size_t>(plan.slots[static_cast<std::size_t>(s)].size));
    }
    return s;
  }

  // The slot step k reads as its input j.
  std::int32_t operand(std::size_t k, std::size_t j) {
    const auto& st = p.steps[k];
    const std::int64_t src = st.src[j];
    return src >= 0 ? slot(src) : const_slot(st.node.in[j]);
  }
  // Operand j of step k at the step's shape: a program keeps a constant that
  // is the same everywhere as a scalar, which a row-by-row instruction without
  // an index map reads whole.
  std::int32_t full_operand(std::size_t k, std::size_t j) {
    const auto& st = p.steps[k];
    if (st.src[j] >= 0 || st.node.in[j].shape() == p.shape[k]) return operand(k, j);
    return const_slot(Var(engine::broadcast_to(st.node.in[j].data(), p.shape[k])));
  }
  const Shape& operand_shape(std::size_t k, std::size_t j) const {
    const auto& st = p.steps[k];
    const std::int64_t src = st.src[j];
    return src >= 0 ? p.shape[static_cast<std::size_t>(src)] : st.node.in[j].shape();
  }
  DType operand_dtype(std::size_t k, std::size_t j) const {
    const auto& st = p.steps[k];
    const std::int64_t src = st.src[j];
    return src >= 0 ? p.dtype[static_cast<std::size_t>(src)] : st.node.in[j].dtype();
  }

  // The table offset of an index map, or -1 for the identity.
  std::int64_t add_map(const std::vector<std::int64_t>& map) {
    bool identity = true;
    for (std::size_t e = 0; e < map.size() && identity; ++e) identity = map[e] == static_cast<std::int64_t>(e);
    if (identity) return -1;
    const auto off = static_cast<std::int64_t>(plan.index.size());
    plan.index.insert(plan.index.end(), map.begin(), map.end());
    return off;
  }
  std::int64_t add_map(const Tensor& t) {
    const double* d = t.data<double>();
    std::vector<std::int64_t> m(static_cast<std::size_t>(t.size()));
    for (std::size_t e = 0; e < m.size(); ++e) m[e] = static_cast<std::int64_t>(d[e]);
    return add_map(m);
  }
  std::int64_t broadcast_map(const Shape& from, const Shape& to) {
    return from == to ? -1 : add_map(engine::broadcast_to(iota(from), to));
  }

  // Whether I's rows depend on the sample only through its operands' rows: then
  // rows that are the same for every sample give rows that are too (a linear
  // map of the inputs' seeds, W @ z + c).
  bool rows_const(const Instr& I) const {
    const auto same = [&](std::int32_t s) { return s < 0 || rc[static_cast<std::size_t>(s)]; };
    const auto fixed_value = [&](std::int32_t s) { return plan.slots[static_cast<std::size_t>(s)].constant; };
    switch (I.op) {
      case Op::Gather:
      case Op::Place:
      case Op::SumInto:
      case Op::RealPart: return same(I.a);
      case Op::Binary:
        return (I.code == static_cast<int>(BinaryOp::add) || I.code == static_cast<int>(BinaryOp::subtract)) &&
               same(I.a) && same(I.b);
      case Op::Matmul: {
        const bool a_rows_zero = pz[static_cast<std::size_t>(I.a)] && qz[static_cast<std::size_t>(I.a)];
        const bool b_rows_zero = pz[static_cast<std::size_t>(I.b)] && qz[static_cast<std::size_t>(I.b)];
        return (a_rows_zero || (same(I.a) && fixed_value(I.b))) && (b_rows_zero || (same(I.b) && fixed_value(I.a)));
      }
      default: return false;
    }
  }

  std::int32_t emit(Instr I, std::size_t k, bool zero_p, bool zero_q) {
    const std::int32_t s = new_slot(numel(p.shape[k]), false, zero_p, zero_q);
    I.out = s;
    I.rows_const = rows_const(I);
    rc[static_cast<std::size_t>(s)] = I.rows_const;
    if (I.op == Op::Unary) longest_unary = std::max(longest_unary, I.n);
    plan.code.push_back(I);
    return s;
  }
  std::int32_t alias(std::int32_t of) {
    const std::int32_t s = new_slot(plan.slots[static_cast<std::size_t>(of)].size, plan.slots[of].constant, pz[of], qz[of]);
    alias_of[static_cast<std::size_t>(s)] = of;
    rc[static_cast<std::size_t>(s)] = rc[static_cast<std::size_t>(of)];
    return s;
  }

  // An instruction over step k's output elements.
  Instr instr(std::size_t k) const {
    Instr I;
    I.n = numel(p.shape[k]);
    return I;
  }
  const Node& node(std::size_t k) const { return p.steps[k].node; }

  // Per sample, input element i of step k goes to (Place) or is added into
  // (SumInto) element map[i] of the zeroed output.
  std::int32_t scatter(std::size_t k, const std::vector<std::int64_t>& map, Op op) {
    Instr I = instr(k);
    I.op = op;
    I.zero_out = true;
    I.a = operand(k, 0);
    I.n = numel(operand_shape(k, 0));
    I.ma = static_cast<std::int64_t>(plan.index.size());  // never the identity: the loop runs over the input
    plan.index.insert(plan.index.end(), map.begin(), map.end());
    return emit(I, k, pz[static_cast<std::size_t>(I.a)], qz[static_cast<std::size_t>(I.a)]);
  }

  // The slot of step k's value, by its primitive's lowering.
  std::int32_t step(std::size_t k);
  void build();
};

}  // namespace wirtinger::engine::batch
