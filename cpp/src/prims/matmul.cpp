// The matrix product over the last two axes (BLAS on whole arrays).
#include "common.hpp"

namespace wirtinger::engine {

// (..., m, k) @ (..., k, n): promoted, batch axes broadcast, both at least 2-d.
Var matmul(const Var& a, const Var& b) {
  const DType d = promote(a.dtype(), b.dtype());
  const Shape &as = a.shape(), &bs = b.shape();
  if (as.size() < 2 || bs.size() < 2) throw std::invalid_argument("matmul: operands must be at least 2-d here");
  if (as.back() != bs[bs.size() - 2])
    throw std::invalid_argument("matmul: shapes " + shape_str(as) + " and " + shape_str(bs) +
                                " are not aligned: the last axis of the first (" + std::to_string(as.back()) +
                                ") must equal the second-to-last of the second (" +
                                std::to_string(bs[bs.size() - 2]) + ")");
  const Shape batch = broadcast_shapes(Shape(as.begin(), as.end() - 2), Shape(bs.begin(), bs.end() - 2), "matmul");
  Shape sa = batch, sb = batch;
  sa.insert(sa.end(), as.end() - 2, as.end());
  sb.insert(sb.end(), bs.end() - 2, bs.end());
  const Var ac = broadcast_to(cast(a, d), sa), bc = broadcast_to(cast(b, d), sb);
  return record(Node(Prim::Matmul, attr::None{}, {ac, bc}), engine::matmul(ac.data(), bc.data()));
}

extern const Primitive matmul_primitive = [] {
  Primitive p;
  p.name = "matmul";
  p.entries = {{"matmul", 2, attr::None{}, Batching::Contraction}};
  p.eval = [](const Node&, const std::vector<Var>& in) { return matmul(in[0], in[1]); };
  p.jvp = [](const Node& n, const std::vector<Var>& t) {
    Var r;
    if (t[0]) r = matmul(t[0], n.in[1]);
    if (t[1]) r = r ? r + matmul(n.in[0], t[1]) : matmul(n.in[0], t[1]);
    return r;
  };
  p.vjp = [](const Node& n, const Var& ct, const std::vector<bool>& needed, std::vector<Var>& r) {
    if (needed[0]) r[0] = matmul(ct, engine::conj(swap_last(n.in[1])));
    if (needed[1]) r[1] = matmul(engine::conj(swap_last(n.in[0])), ct);
  };
  // The adjoints by BLAS flags, without conjugated or transposed copies.
  p.fast_vjp = [](const Node& n, const Var& ct, const std::vector<bool>& needed, std::vector<Var>& r) {
    if (needed[0]) r[0] = constant(engine::matmul(ct.data(), n.in[1].data(), MatOp::none, MatOp::adjoint));
    if (needed[1]) r[1] = constant(engine::matmul(n.in[0].data(), ct.data(), MatOp::adjoint, MatOp::none));
  };
  p.lower = [](batch::Lowering& b, std::size_t k) {
    const Shape &as = b.operand_shape(k, 0), &bs = b.operand_shape(k, 1);
    batch::Instr I = b.instr(k);
    I.op = batch::Op::Matmul;
    I.a = b.operand(k, 0);
    I.b = b.operand(k, 1);
    I.m = as[as.size() - 2];
    I.k = as.back();
    I.nn = bs.back();
    I.batch = numel(Shape(as.begin(), as.end() - 2));
    const auto a = static_cast<std::size_t>(I.a), bb = static_cast<std::size_t>(I.b);
    return b.emit(I, k, b.pz[a] && b.pz[bb], b.qz[a] && b.qz[bb]);
  };
  return p;
}();

}  // namespace wirtinger::engine
