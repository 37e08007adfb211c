// The primitives that move elements without arithmetic: broadcasting,
// reshaping, transposition, strided slices and their adjoint, concatenation.
#include "common.hpp"

namespace wirtinger::engine {
namespace {

using batch::Instr;
using batch::Lowering;
using batch::Op;

// Per sample, output element o reads element map[o] of the input (the
// structural kernel applied to the input's element numbers gives the map).
std::int32_t lower_as_gather(Lowering& b, std::size_t k, const Tensor& map) {
  Instr I = b.instr(k);
  I.op = Op::Gather;
  I.a = b.operand(k, 0);
  I.ma = b.add_map(map);
  return b.emit(I, k, b.pz[I.a], b.qz[I.a]);
}

}  // namespace

// ---------------------------------------------------------------- broadcast_to (attr::ToShape)
Var broadcast_to(const Var& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  checked_numel(shape, x.dtype(), "broadcast_to");
  const Shape s = broadcast_shapes(x.shape(), shape, "broadcast_to");
  if (s != shape)
    throw std::invalid_argument("broadcast_to: cannot broadcast shape " + shape_str(x.shape()) + " to " +
                                shape_str(shape));
  return record(Node(Prim::BroadcastTo, attr::ToShape{shape}, {x}), engine::broadcast_to(x.data(), shape));
}

Var sum_to_shape(const Var& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  if (x.shape().size() < shape.size())
    throw std::invalid_argument("sum_to_shape: cannot reduce shape " + shape_str(x.shape()) + " to " + shape_str(shape));
  const std::size_t lead = x.shape().size() - shape.size();
  std::vector<std::int64_t> axes;
  for (std::size_t d = 0; d < x.shape().size(); ++d)
    if (d < lead || (shape[d - lead] == 1 && x.shape()[d] != 1)) axes.push_back(static_cast<std::int64_t>(d));
  return reshape(sum(x, axes), shape);
}

extern const Primitive broadcast_to_primitive = [] {
  Primitive p;
  p.name = "broadcast_to";
  p.entries = {{"broadcast_to", 1, attr::ToShape{}, Batching::LeadingAxis}};
  p.eval = [](const Node& n, const std::vector<Var>& in) { return broadcast_to(in[0], n.get<attr::ToShape>().shape); };
  p.jvp = [](const Node& n, const std::vector<Var>& t) { return broadcast_to(t[0], n.get<attr::ToShape>().shape); };
  // Summed back to the input's shape by the sweep, as every cotangent is.
  p.vjp = [](const Node&, const Var& ct, const std::vector<bool>&, std::vector<Var>& r) { r[0] = ct; };
  p.cse = true;
  // A single element spread over the block.
  p.fuses = [](const Node&, const StepTypes& t) { return numel(t.in_shape[0]) == 1; };
  p.block = [](const Node&, const StepTypes& t, const Operand* in, void* out, std::int64_t len) {
    cast_block(t.in_dtype[0], t.out_dtype, {in[0].p, 0}, out, len);
  };
  p.lower = [](Lowering& b, std::size_t k) {
    const Shape& to = b.node(k).get<attr::ToShape>().shape;
    return lower_as_gather(b, k, engine::broadcast_to(batch::iota(b.operand_shape(k, 0)), to));
  };
  return p;
}();

// ---------------------------------------------------------------- reshape (attr::ToShape)
Var reshape(const Var& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  Tensor out = x.data().reshaped(shape);
  return record(Node(Prim::Reshape, attr::ToShape{shape}, {x}), std::move(out));
}

extern const Primitive reshape_primitive = [] {
  Primitive p;
  p.name = "reshape";
  p.entries = {{"reshape", 1, attr::ToShape{}, Batching::LeadingAxis}};
  p.eval = [](const Node& n, const std::vector<Var>& in) { return reshape(in[0], n.get<attr::ToShape>().shape); };
  p.jvp = [](const Node& n, const std::vector<Var>& t) { return reshape(t[0], n.get<attr::ToShape>().shape); };
  p.vjp = [](const Node& n, const Var& ct, const std::vector<bool>&, std::vector<Var>& r) {
    r[0] = reshape(ct, n.in[0].shape());
  };
  p.cse = true;
  p.lower = [](Lowering& b, std::size_t k) { return b.alias(b.operand(k, 0)); };  // same elements, same order
  return p;
}();

// ---------------------------------------------------------------- transpose (attr::Permutation)
Var transpose(const Var& x, const std::vector<std::int64_t>& perm) {
  bool identity = true;
  for (std::size_t i = 0; i < perm.size(); ++i) identity = identity && perm[i] == static_cast<std::int64_t>(i);
  if (identity) return x;
  check_axes(perm, x.ndim(), true, "transpose");
  return record(Node(Prim::Transpose, attr::Permutation{perm}, {x}), engine::transpose(x.data(), perm));
}

extern const Primitive transpose_primitive = [] {
  Primitive p;
  p.name = "transpose";
  p.entries = {{"transpose", 1, attr::Permutation{}, Batching::LeadingAxis}};
  p.eval = [](const Node& n, const std::vector<Var>& in) { return transpose(in[0], n.get<attr::Permutation>().perm); };
  p.jvp = [](const Node& n, const std::vector<Var>& t) { return transpose(t[0], n.get<attr::Permutation>().perm); };
  p.vjp = [](const Node& n, const Var& ct, const std::vector<bool>&, std::vector<Var>& r) {
    r[0] = transpose(ct, inverse_perm(n.get<attr::Permutation>().perm));
  };
  p.lower = [](Lowering& b, std::size_t k) {
    const auto& perm = b.node(k).get<attr::Permutation>().perm;
    return lower_as_gather(b, k, engine::transpose(batch::iota(b.operand_shape(k, 0)), perm));
  };
  return p;
}();

// ---------------------------------------------------------------- slice (attr::Strided, the slice's shape)
Var slice(const Var& x, const std::vector<std::int64_t>& start, const std::vector<std::int64_t>& step,
          const Shape& count) {
  check_slice(x.shape(), start, step, count, "getitem");
  return record(Node(Prim::Slice, attr::Strided{start, step, count}, {x}), engine::slice(x.data(), start, step, count));
}

extern const Primitive slice_primitive = [] {
  Primitive p;
  p.name = "getitem";
  p.entries = {{"slice", 1, attr::Strided{}, Batching::LeadingAxis}};
  p.eval = [](const Node& n, const std::vector<Var>& in) {
    const auto& a = n.get<attr::Strided>();
    return slice(in[0], a.start, a.step, a.shape);
  };
  p.jvp = [](const Node& n, const std::vector<Var>& t) {
    const auto& a = n.get<attr::Strided>();
    return slice(t[0], a.start, a.step, a.shape);
  };
  p.vjp = [](const Node& n, const Var& ct, const std::vector<bool>&, std::vector<Var>& r) {
    const auto& a = n.get<attr::Strided>();
    r[0] = slice_scatter(ct, n.in[0].shape(), a.start, a.step);
  };
  p.lower = [](Lowering& b, std::size_t k) {
    const auto& a = b.node(k).get<attr::Strided>();
    return lower_as_gather(b, k, engine::slice(batch::iota(b.operand_shape(k, 0)), a.start, a.step, a.shape));
  };
  return p;
}();

// ---------------------------------------------------------------- slice_scatter (attr::Strided, the whole shape)
Var slice_scatter(const Var& x, const Shape& shape, const std::vector<std::int64_t>& start,
                  const std::vector<std::int64_t>& step) {
  checked_numel(shape, x.dtype(), "slice_scatter");
  check_slice(shape, start, step, x.shape(), "slice_scatter");
  return record(Node(Prim::SliceScatter, attr::Strided{start, step, shape}, {x}),
                engine::slice_scatter(x.data(), shape, start, step));
}

extern const Primitive slice_scatter_primitive = [] {
  Primitive p;
  p.name = "slice_scatter";
  p.entries = {{"slice_scatter", 1, attr::Strided{}, Batching::LeadingAxis}};
  p.eval = [](const Node& n, const std::vector<Var>& in) {
    const auto& a = n.get<attr::Strided>();
    return slice_scatter(in[0], a.shape, a.start, a.step);
  };
  p.jvp = [](const Node& n, const std::vector<Var>& t) {
    const auto& a = n.get<attr::Strided>();
    return slice_scatter(t[0], a.shape, a.start, a.step);
  };
  p.vjp = [](const Node& n, const Var& ct, const std::vector<bool>&, std::vector<Var>& r) {
    const auto& a = n.get<attr::Strided>();
    r[0] = slice(ct, a.start, a.step, n.in[0].shape());
  };
  p.lower = [](Lowering& b, std::size_t k) {
    const auto& a = b.node(k).get<attr::Strided>();
    const Tensor m = engine::slice(batch::iota(a.shape), a.start, a.step, b.operand_shape(k, 0));
    return b.scatter(k, std::vector<std::int64_t>(m.data<double>(), m.data<double>() + m.size()), Op::Place);
  };
  return p;
}();

// ---------------------------------------------------------------- concatenate (attr::Along)
Var concat(const std::vector<Var>& xs, std::int64_t axis) {
  if (xs.empty()) throw std::invalid_argument("concatenate: need at least one array");
  DType d = xs[0].dtype();
  const Shape& first = xs[0].shape();
  if (axis < 0 || axis >= static_cast<std::int64_t>(first.size()))
    bad_argument("concatenate", "axis " + std::to_string(axis) + " is out of range for " +
                                    std::to_string(first.size()) + " dimensions");
  Shape total = first;
  total[static_cast<std::size_t>(axis)] = 0;
  for (const auto& x : xs) {
    d = promote(d, x.dtype());
    const Shape& s = x.shape();
    bool same = s.size() == first.size();
    for (std::size_t i = 0; same && i < s.size(); ++i) same = static_cast<std::int64_t>(i) == axis || s[i] == first[i];
    if (!same)
      bad_argument("concatenate", "shapes " + shape_str(first) + " and " + shape_str(s) + " differ off axis " +
                                      std::to_string(axis));
    total[static_cast<std::size_t>(axis)] += s[static_cast<std::size_t>(axis)];
  }
  checked_numel(total, d, "concatenate");
  Node n(Prim::Concat, attr::Along{axis, false});
  std::vector<Tensor> ts;
  for (const auto& x : xs) {
    n.in.push_back(cast(x, d));
    ts.push_back(n.in.back().data());
  }
  return record(std::move(n), engine::concat(ts, axis));
}

extern const Primitive concat_primitive = [] {
  Primitive p;
  p.name = "concatenate";
  p.entries = {{"concat", -1, attr::Along{}, Batching::LeadingAxis}};
  p.eval = [](const Node& n, const std::vector<Var>& in) { return concat(in, n.get<attr::Along>().axis); };
  p.jvp = [](const Node& n, const std::vector<Var>& t) {
    std::vector<Var> parts;
    for (std::size_t i = 0; i < n.in.size(); ++i) parts.push_back(t[i] ? t[i] : zeros(n.in[i].dtype(), n.in[i].shape()));
    return concat(parts, n.get<attr::Along>().axis);
  };
  p.vjp = [](const Node& n, const Var& ct, const std::vector<bool>& needed, std::vector<Var>& r) {
    const auto axis = static_cast<std::size_t>(n.get<attr::Along>().axis);
    std::int64_t offset = 0;
    for (std::size_t i = 0; i < n.in.size(); ++i) {
      const Shape& s = n.in[i].shape();
      if (needed[i]) {
        std::vector<std::int64_t> start(s.size(), 0), step(s.size(), 1);
        start[axis] = offset;
        r[i] = slice(ct, start, step, s);
      }
      offset += s[axis];
    }
  };
  p.lower = [](Lowering& b, std::size_t k) {
    const Node& n = b.node(k);
    const std::int64_t axis = n.get<attr::Along>().axis;
    std::vector<Tensor> parts;
    std::vector<std::int64_t> offsets;
    std::int64_t total = 0;
    for (std::size_t j = 0; j < n.in.size(); ++j) {
      offsets.push_back(total);
      parts.push_back(batch::iota(b.operand_shape(k, j), static_cast<double>(total)));
      total += numel(b.operand_shape(k, j));
    }
    const Tensor where = engine::concat(parts, axis);  // where[o] = the global input index at o
    std::vector<std::int64_t> position(static_cast<std::size_t>(total));
    for (std::int64_t o = 0; o < where.size(); ++o) position[static_cast<std::size_t>(where.data<double>()[o])] = o;
    bool zero_p = true, zero_q = true;
    std::vector<std::int32_t> ins;
    for (std::size_t j = 0; j < n.in.size(); ++j) {
      ins.push_back(b.operand(k, j));
      zero_p = zero_p && b.pz[static_cast<std::size_t>(ins.back())];
      zero_q = zero_q && b.qz[static_cast<std::size_t>(ins.back())];
    }
    const std::int32_t s = b.new_slot(numel(b.p.shape[k]), false, zero_p, zero_q);
    bool all_const = true;
    for (auto in : ins) all_const = all_const && b.rc[static_cast<std::size_t>(in)];
    b.rc[static_cast<std::size_t>(s)] = all_const;
    for (std::size_t j = 0; j < n.in.size(); ++j) {
      Instr P;
      P.op = Op::Place;
      P.out = s;
      P.a = ins[j];
      P.n = numel(b.operand_shape(k, j));
      P.ma = static_cast<std::int64_t>(b.plan.index.size());
      P.rows_const = all_const;
      b.plan.index.insert(b.plan.index.end(), position.begin() + offsets[j], position.begin() + offsets[j] + P.n);
      b.plan.code.push_back(P);
    }
    return s;
  };
  return p;
}();

}  // namespace wirtinger::engine
