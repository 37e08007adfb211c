// Integer-array indexing and its adjoint (attr::Blocks): x seen as blocks of
// `inner` elements; gather copies block index[i] to block i of a result of
// `shape`, scatter_add adds block i into block index[i] of zeros of `shape`.
#include "common.hpp"

namespace wirtinger::engine {
namespace {

using batch::Instr;
using batch::Lowering;
using batch::Op;

// Element by element: block i of `index` spelled out.
std::vector<std::int64_t> element_map(const std::vector<std::int64_t>& index, std::int64_t inner) {
  std::vector<std::int64_t> map;
  map.reserve(index.size() * static_cast<std::size_t>(inner));
  for (const auto i : index)
    for (std::int64_t t = 0; t < inner; ++t) map.push_back(i * inner + t);
  return map;
}

}  // namespace

// ---------------------------------------------------------------- gather
Var gather(const Var& x, Index index, std::int64_t inner, const Shape& shape) {
  check_blocks(x.shape(), *index, inner, checked_numel(shape, x.dtype(), "gather"), "gather");
  Tensor out = engine::gather(x.data(), *index, inner, shape);
  return record(Node(Prim::Gather, attr::Blocks{std::move(index), inner, shape}, {x}), std::move(out));
}

extern const Primitive gather_primitive = [] {
  Primitive p;
  p.name = "gather";
  p.entries = {{"gather", 1, attr::Blocks{}, Batching::LeadingAxis}};
  p.eval = [](const Node& n, const std::vector<Var>& in) {
    const auto& a = n.get<attr::Blocks>();
    return gather(in[0], a.index, a.inner, a.shape);
  };
  p.jvp = [](const Node& n, const std::vector<Var>& t) {
    const auto& a = n.get<attr::Blocks>();
    return gather(t[0], a.index, a.inner, a.shape);
  };
  p.vjp = [](const Node& n, const Var& ct, const std::vector<bool>&, std::vector<Var>& r) {
    const auto& a = n.get<attr::Blocks>();
    r[0] = scatter_add(ct, a.index, a.inner, n.in[0].shape());
  };
  p.lower = [](Lowering& b, std::size_t k) {
    const auto& a = b.node(k).get<attr::Blocks>();
    Instr I = b.instr(k);
    I.op = Op::Gather;
    I.a = b.operand(k, 0);
    I.ma = b.add_map(element_map(*a.index, a.inner));
    return b.emit(I, k, b.pz[static_cast<std::size_t>(I.a)], b.qz[static_cast<std::size_t>(I.a)]);
  };
  return p;
}();

// ---------------------------------------------------------------- scatter_add
Var scatter_add(const Var& x, Index index, std::int64_t inner, const Shape& shape) {
  checked_numel(shape, x.dtype(), "scatter_add");
  check_blocks(shape, *index, inner, x.data().size(), "scatter_add");
  Tensor out = engine::scatter_add(x.data(), *index, inner, shape);
  return record(Node(Prim::ScatterAdd, attr::Blocks{std::move(index), inner, shape}, {x}), std::move(out));
}

extern const Primitive scatter_add_primitive = [] {
  Primitive p;
  p.name = "scatter_add";
  p.entries = {{"scatter_add", 1, attr::Blocks{}, Batching::LeadingAxis}};
  p.eval = [](const Node& n, const std::vector<Var>& in) {
    const auto& a = n.get<attr::Blocks>();
    return scatter_add(in[0], a.index, a.inner, a.shape);
  };
  p.jvp = [](const Node& n, const std::vector<Var>& t) {
    const auto& a = n.get<attr::Blocks>();
    return scatter_add(t[0], a.index, a.inner, a.shape);
  };
  p.vjp = [](const Node& n, const Var& ct, const std::vector<bool>&, std::vector<Var>& r) {
    const auto& a = n.get<attr::Blocks>();
    r[0] = gather(ct, a.index, a.inner, n.in[0].shape());
  };
  p.lower = [](Lowering& b, std::size_t k) {
    const auto& a = b.node(k).get<attr::Blocks>();
    return b.scatter(k, element_map(*a.index, a.inner), Op::SumInto);
  };
  return p;
}();

}  // namespace wirtinger::engine
