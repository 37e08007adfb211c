// The matrix product over the last two axes (BLAS on whole arrays), with each
// operand read as stored, transposed or conjugate-transposed: the adjoint
// rules then pass BLAS flags instead of recording transposed conjugated copies,
// which matters once they are traced (jit of a gradient) or differentiated again.
#include "common.hpp"

namespace wirtinger::engine {

namespace {

MatOp op_of(int k) { return static_cast<MatOp>(k); }

// The shape op(x) has over x's last two axes.
Shape op_shape(const Shape& s, MatOp op) {
  Shape r = s;
  if (op != MatOp::none) std::swap(r[r.size() - 2], r[r.size() - 1]);
  return r;
}

}  // namespace

// op_a(a) @ op_b(b), operands of one dtype and equal batch axes (the adjoint
// rules' products, made from the operands and cotangent of a product).
Var matmul(const Var& a, const Var& b, MatOp op_a, MatOp op_b) {
  if (op_a == MatOp::none && op_b == MatOp::none) return matmul(a, b);
  const DType d = promote(a.dtype(), b.dtype());
  const Var ac = cast(a, d), bc = cast(b, d);
  const Shape as = op_shape(ac.shape(), op_a), bs = op_shape(bc.shape(), op_b);
  if (as.size() != bs.size() || as.size() < 2 || as.back() != bs[bs.size() - 2] ||
      !std::equal(as.begin(), as.end() - 2, bs.begin()))
    throw std::logic_error("matmul: flagged operands " + shape_str(ac.shape()) + " and " + shape_str(bc.shape()) +
                           " do not align");
  return record(Node(Prim::Matmul, attr::MatOps{static_cast<int>(op_a), static_cast<int>(op_b)}, {ac, bc}),
                engine::matmul(ac.data(), bc.data(), op_a, op_b));
}

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

namespace {

std::pair<MatOp, MatOp> ops_of(const Node& n) {
  if (const auto* m = std::get_if<attr::MatOps>(&n.attrs)) return {op_of(m->a), op_of(m->b)};
  return {MatOp::none, MatOp::none};
}

// The cotangents of C = op_a(A) @ op_b(B). The cotangent of op_a(A) is
// ct @ op_b(B)^H, and transposition and conjugate transposition are their own
// adjoints (for the real inner product Re tr(X^H Y)), so A's is
// op_a(ct @ op_b(B)^H); B's likewise op_b(op_a(A)^H @ ct). Each is written as
// one flagged product; a conjugate alone (no flag for it) is materialized.
void product_vjp(const Node& n, const Var& ct, const std::vector<bool>& needed, std::vector<Var>& r) {
  const auto [oa, ob] = ops_of(n);
  const Var &A = n.in[0], &B = n.in[1];
  using M = MatOp;
  if (needed[0]) {
    switch (oa) {
      case M::none:  // ct @ op_b(B)^H
        r[0] = ob == M::none ? matmul(ct, B, M::none, M::adjoint)
               : ob == M::adjoint ? matmul(ct, B, M::none, M::none)
                                  : matmul(ct, engine::conj(B), M::none, M::none);
        break;
      case M::transpose:  // (ct @ op_b(B)^H)^T = conj(op_b(B)) @ ct^T
        r[0] = ob == M::transpose ? matmul(B, ct, M::adjoint, M::transpose)
               : ob == M::adjoint ? matmul(B, ct, M::transpose, M::transpose)
                                  : matmul(engine::conj(B), ct, M::none, M::transpose);
        break;
      case M::adjoint:  // (ct @ op_b(B)^H)^H = op_b(B) @ ct^H
        r[0] = matmul(B, ct, ob, M::adjoint);
        break;
    }
  }
  if (needed[1]) {
    switch (ob) {
      case M::none:  // op_a(A)^H @ ct
        r[1] = oa == M::none ? matmul(A, ct, M::adjoint, M::none)
               : oa == M::adjoint ? matmul(A, ct, M::none, M::none)
                                  : matmul(engine::conj(A), ct, M::none, M::none);
        break;
      case M::transpose:  // (op_a(A)^H @ ct)^T = ct^T @ conj(op_a(A))
        r[1] = oa == M::transpose ? matmul(ct, A, M::transpose, M::adjoint)
               : oa == M::adjoint ? matmul(ct, A, M::transpose, M::transpose)
                                  : matmul(ct, engine::conj(A), M::transpose, M::none);
        break;
      case M::adjoint:  // (op_a(A)^H @ ct)^H = ct^H @ op_a(A)
        r[1] = matmul(ct, A, M::adjoint, oa);
        break;
    }
  }
}

}  // namespace

extern const Primitive matmul_primitive = [] {
  Primitive p;
  p.name = "matmul";
  p.entries = {{"matmul", 2, attr::None{}, Batching::Contraction}};
  p.cse = true;
  p.eval = [](const Node& n, const std::vector<Var>& in) {
    const auto [oa, ob] = ops_of(n);
    return matmul(in[0], in[1], oa, ob);
  };
  // The product is real-linear in each operand, and so are the flags' maps.
  p.jvp = [](const Node& n, const std::vector<Var>& t) {
    const auto [oa, ob] = ops_of(n);
    Var r;
    if (t[0]) r = matmul(t[0], n.in[1], oa, ob);
    if (t[1]) r = r ? r + matmul(n.in[0], t[1], oa, ob) : matmul(n.in[0], t[1], oa, ob);
    return r;
  };
  p.vjp = product_vjp;
  p.lower = [](batch::Lowering& b, std::size_t k) {
    if (std::holds_alternative<attr::MatOps>(b.p.steps[k].node.attrs))
      throw batch::Unsupported("batched Jacobian: a flagged matrix product (from a derivative) has no per-sample form");
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
