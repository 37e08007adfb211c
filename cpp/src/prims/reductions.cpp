// Reductions and running reductions: sums and products over axes, cumulative
// sums and products along one.
#include "common.hpp"

namespace wirtinger::engine {
namespace {

using batch::Lowering;
using batch::Op;

// prod_{j≠i} x_j over each reduced slice, differentiable: the diagonal of an
// n×n expansion replaced with ones (O(n²) memory; the first-order sweeps use
// the one-pass kernel instead).
Var prod_others_var(const Var& x, const std::vector<std::int64_t>& axes) {
  std::int64_t n = 1;
  const std::vector<std::int64_t> perm = reduced_last(x.shape(), axes, n);
  const Var xt = transpose(x, perm);
  const std::int64_t outer = n ? xt.data().size() / n : 0;
  const Var rows = broadcast_to(reshape(xt, {outer, 1, n}), {outer, n, n});
  auto diag = std::make_shared<std::vector<std::uint8_t>>(static_cast<std::size_t>(outer * n * n), 0);
  for (std::int64_t r = 0; r < outer; ++r)
    for (std::int64_t i = 0; i < n; ++i) (*diag)[(r * n + i) * n + i] = 1;
  const Var ones = broadcast_to(scalar_like(x, 1.0), {outer, n, n});
  const Var others = prod(select(diag, ones, rows), {2});
  return transpose(reshape(others, xt.shape()), inverse_perm(perm));
}

// The derivative of out = cumprod(x) along an axis, as Var operations for
// nested differentiation: with E_j = out_{j−1} (E_0 = 1) and
// R_{jk} = prod_{j<i≤k} x_i for k ≥ j (0 for k < j),
//     JVP  t_out_k = sum_j E_j t_j R_{jk},   VJP  ct_x_j = conj(E_j) sum_k conj(R_{jk}) ct_k.
// R is itself a cumprod of an n×n expansion (O(n²) memory, used only inside
// nested transforms); the first-order sweeps use the O(n) kernels.
struct CumprodDerivative {
  std::vector<std::int64_t> perm;
  Shape moved;  // x's shape with the axis last
  std::int64_t batch = 1, n = 1;
  Var E, R;

  CumprodDerivative(const Var& x, const Var& out, std::int64_t axis) {
    for (std::int64_t d = 0; d < x.ndim(); ++d)
      if (d != axis) perm.push_back(d);
    perm.push_back(axis);
    for (auto d : perm) moved.push_back(x.shape()[d]);
    n = x.shape()[axis];
    batch = n ? x.data().size() / n : 0;
    const Var xs = reshape(transpose(x, perm), {batch, n});
    const Var os = reshape(transpose(out, perm), {batch, n});
    const Var one = scalar_like(x, 1.0);
    E = n > 1 ? concat({broadcast_to(one, {batch, 1}), slice(os, {0, 0}, {1, 1}, {batch, n - 1})}, 1)
              : broadcast_to(one, {batch, n});
    auto after = std::make_shared<std::vector<std::uint8_t>>(static_cast<std::size_t>(batch * n * n));
    auto upper = std::make_shared<std::vector<std::uint8_t>>(after->size());
    for (std::int64_t b = 0; b < batch; ++b)
      for (std::int64_t j = 0; j < n; ++j)
        for (std::int64_t i = 0; i < n; ++i) {
          (*after)[static_cast<std::size_t>((b * n + j) * n + i)] = i > j;
          (*upper)[static_cast<std::size_t>((b * n + j) * n + i)] = i >= j;
        }
    const Shape cube{batch, n, n};
    const Var rows = broadcast_to(reshape(xs, {batch, 1, n}), cube);
    const Var runs = cumprod(select(after, rows, broadcast_to(one, cube)), 2);
    R = select(upper, runs, zeros(runs.dtype(), cube));
  }
  Var to_x(const Var& v) const { return transpose(reshape(v, moved), inverse_perm(perm)); }
  Var from_x(const Var& v) const { return reshape(transpose(v, perm), {batch, n}); }

  Var jvp(const Var& t) const { return to_x(matmul(reshape(E * from_x(t), {batch, 1, n}), R)); }
  Var vjp(const Var& ct) const {
    const Var s = reshape(matmul(engine::conj(R), reshape(from_x(ct), {batch, n, 1})), {batch, n});
    return to_x(engine::conj(E) * s);
  }
};


const std::vector<std::int64_t>& axes_of(const Node& n) { return n.get<attr::Axes>().axes; }

}  // namespace

// ---------------------------------------------------------------- sum (attr::Axes, removed)
Var sum(const Var& x, const std::vector<std::int64_t>& axes) {
  if (axes.empty()) return x;
  check_axes(axes, x.ndim(), false, "sum");
  return record(Node(Prim::Sum, attr::Axes{axes}, {x}), reduce_sum(x.data(), axes));
}

extern const Primitive sum_primitive = [] {
  Primitive p;
  p.name = "sum";
  p.entries = {{"sum", 1, attr::Axes{}, Batching::LeadingAxis}};
  p.eval = [](const Node& n, const std::vector<Var>& in) { return sum(in[0], axes_of(n)); };
  p.jvp = [](const Node& n, const std::vector<Var>& t) { return sum(t[0], axes_of(n)); };
  p.vjp = [](const Node& n, const Var& ct, const std::vector<bool>&, std::vector<Var>& r) {
    const Shape& s = n.in[0].shape();
    r[0] = broadcast_to(reshape(ct, kept_shape(s, axes_of(n))), s);
  };
  p.cse = true;
  p.lower = [](Lowering& b, std::size_t k) {
    const Shape& in = b.operand_shape(k, 0);
    const Tensor m = engine::broadcast_to(batch::iota(b.p.shape[k]).reshaped(kept_shape(in, axes_of(b.node(k)))), in);
    return b.scatter(k, std::vector<std::int64_t>(m.data<double>(), m.data<double>() + m.size()), Op::SumInto);
  };
  return p;
}();

// ---------------------------------------------------------------- prod (attr::Axes, removed)
Var prod(const Var& x, const std::vector<std::int64_t>& axes) {
  if (axes.empty()) return x;
  check_axes(axes, x.ndim(), false, "prod");
  return record(Node(Prim::Prod, attr::Axes{axes}, {x}), reduce_prod(x.data(), axes));
}

extern const Primitive prod_primitive = [] {
  Primitive p;
  p.name = "prod";
  p.entries = {{"prod", 1, attr::Axes{}, Batching::LeadingAxis}};
  p.eval = [](const Node& n, const std::vector<Var>& in) { return prod(in[0], axes_of(n)); };
  p.jvp = [](const Node& n, const std::vector<Var>& t) { return sum(prod_others_var(n.in[0], axes_of(n)) * t[0], axes_of(n)); };
  p.fast_jvp = [](const Node& n, const std::vector<Var>& t) {
    return sum(constant(prod_others(n.in[0].data(), axes_of(n))) * t[0], axes_of(n));
  };
  p.vjp = [](const Node& n, const Var& ct, const std::vector<bool>&, std::vector<Var>& r) {
    const Shape& s = n.in[0].shape();
    r[0] = broadcast_to(reshape(ct, kept_shape(s, axes_of(n))), s) * engine::conj(prod_others_var(n.in[0], axes_of(n)));
  };
  p.fast_vjp = [](const Node& n, const Var& ct, const std::vector<bool>&, std::vector<Var>& r) {
    const Shape& s = n.in[0].shape();
    r[0] = broadcast_to(reshape(ct, kept_shape(s, axes_of(n))), s) *
           engine::conj(constant(prod_others(n.in[0].data(), axes_of(n))));
  };
  return p;
}();

// ---------------------------------------------------------------- cumsum (attr::Along: from the end when reverse)
Var cumsum(const Var& x, std::int64_t axis, bool reverse) {
  check_axes({axis}, x.ndim(), false, "cumsum");
  return record(Node(Prim::Cumsum, attr::Along{axis, reverse}, {x}), engine::cumsum(x.data(), axis, reverse));
}

extern const Primitive cumsum_primitive = [] {
  Primitive p;
  p.name = "cumsum";
  p.entries = {{"cumsum", 1, attr::Along{}, Batching::LeadingAxis}};
  p.eval = [](const Node& n, const std::vector<Var>& in) {
    return cumsum(in[0], n.get<attr::Along>().axis, n.get<attr::Along>().reverse);
  };
  p.jvp = [](const Node& n, const std::vector<Var>& t) {
    return cumsum(t[0], n.get<attr::Along>().axis, n.get<attr::Along>().reverse);
  };
  p.vjp = [](const Node& n, const Var& ct, const std::vector<bool>&, std::vector<Var>& r) {
    r[0] = cumsum(ct, n.get<attr::Along>().axis, !n.get<attr::Along>().reverse);
  };
  return p;
}();

// ---------------------------------------------------------------- cumprod (attr::Along)
Var cumprod(const Var& x, std::int64_t axis) {
  check_axes({axis}, x.ndim(), false, "cumprod");
  return record(Node(Prim::Cumprod, attr::Along{axis, false}, {x}), engine::cumprod(x.data(), axis));
}

extern const Primitive cumprod_primitive = [] {
  Primitive p;
  p.name = "cumprod";
  p.entries = {{"cumprod", 1, attr::Along{}, Batching::LeadingAxis}};
  p.eval = [](const Node& n, const std::vector<Var>& in) { return cumprod(in[0], n.get<attr::Along>().axis); };
  p.jvp = [](const Node& n, const std::vector<Var>& t) {
    return CumprodDerivative(n.in[0], n.out, n.get<attr::Along>().axis).jvp(t[0]);
  };
  p.fast_jvp = [](const Node& n, const std::vector<Var>& t) {
    const Var& x = n.in[0];
    return constant(cumprod_jvp(x.data(), n.out.data(), cast(t[0], x.dtype()).data(), n.get<attr::Along>().axis));
  };
  p.vjp = [](const Node& n, const Var& ct, const std::vector<bool>&, std::vector<Var>& r) {
    r[0] = CumprodDerivative(n.in[0], n.out, n.get<attr::Along>().axis).vjp(ct);
  };
  p.fast_vjp = [](const Node& n, const Var& ct, const std::vector<bool>&, std::vector<Var>& r) {
    const Var& x = n.in[0];
    r[0] = constant(cumprod_vjp(x.data(), n.out.data(), cast(ct, x.dtype()).data(), n.get<attr::Along>().axis));
  };
  return p;
}();

}  // namespace wirtinger::engine
