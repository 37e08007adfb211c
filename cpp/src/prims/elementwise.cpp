// The element-wise primitives: functions of the rule table (rules.hpp), casts,
// comparisons and selections. Each runs in a fused block of a traced program
// and has a per-sample form in batched-Jacobian plans.
#include "common.hpp"

namespace wirtinger::engine {
namespace {

using batch::Instr;
using batch::Lowering;
using batch::Op;

// The Wirtinger-pair derivation of rules.hpp, over Var (nested differentiation).
// A partial that is the constant 0 (conj's ∂/∂z, real's none) adds no term: the
// recorded derivative of conj is conj(t), not 0·t + 1·conj(t), which a replay
// would compute over every element.
template <class Rule> Var unary_jvp_var(const Var& x, const Var& out, const Var& t) {
  const Var o = cast(out, x.dtype());
  const Var dz = Rule::d_dz(x, o);
  Var r;
  if (!is_exact_constant(dz, 0.0)) r = dz * t;
  if constexpr (!is_holomorphic_v<Rule>) {
    const Var dc = Rule::d_dzconj(x, o);
    if (!is_exact_constant(dc, 0.0) || !r) r = r ? r + dc * engine::conj(t) : dc * engine::conj(t);
  }
  if (!r) r = dz * t;
  return cast(r, out.dtype());
}
template <class Rule> Var unary_vjp_var(const Var& x, const Var& out, const Var& ct) {
  const Var o = cast(out, x.dtype()), c = cast(ct, promote(x.dtype(), ct.dtype()));
  const Var dz = Rule::d_dz(x, o);
  Var r;
  if (!is_exact_constant(dz, 0.0)) r = engine::conj(dz) * c;
  if constexpr (!is_holomorphic_v<Rule>) {
    const Var dc = Rule::d_dzconj(x, o);
    if (!is_exact_constant(dc, 0.0) || !r) r = r ? r + dc * engine::conj(c) : dc * engine::conj(c);
  }
  if (!r) r = engine::conj(dz) * c;
  return cast(r, x.dtype());
}
template <class Rule> Var binary_partial_var(int which, const Var& a, const Var& b, const Var& out) {
  return which == 0 ? Rule::d_da(a, b, out) : Rule::d_db(a, b, out);
}

using UnaryVarRule = Var (*)(const Var&, const Var&, const Var&);
const UnaryVarRule unary_jvp_vars[] = {
#define WIRT_ENTRY(name, R) &unary_jvp_var<rules::R>,
    WIRTINGER_UNARY_RULES(WIRT_ENTRY)
#undef WIRT_ENTRY
};
const UnaryVarRule unary_vjp_vars[] = {
#define WIRT_ENTRY(name, R) &unary_vjp_var<rules::R>,
    WIRTINGER_UNARY_RULES(WIRT_ENTRY)
#undef WIRT_ENTRY
};
using BinaryVarPartial = Var (*)(int, const Var&, const Var&, const Var&);
const BinaryVarPartial binary_partial_vars[] = {
#define WIRT_ENTRY(name, R) &binary_partial_var<rules::R>,
    WIRTINGER_BINARY_RULES(WIRT_ENTRY)
#undef WIRT_ENTRY
};

int op_of(const Node& n) { return n.get<attr::Elementwise>().op; }

// An operand the block reads whole or as one element.
bool full_or_scalar(const StepTypes& t, std::size_t j) {
  return t.in_shape[j] == t.out_shape || numel(t.in_shape[j]) == 1;
}

}  // namespace

// ---------------------------------------------------------------- unary (attr::Elementwise: a UnaryOp)
Var unary(UnaryOp op, const Var& x) {
  if (static_cast<int>(op) < 0 || op >= UnaryOp::count_)
    throw std::invalid_argument("unary: no element-wise function number " + std::to_string(static_cast<int>(op)));
  if (unary_real_only(op) && is_complex(x.dtype()))
    throw std::invalid_argument(std::string(unary_name(op)) + ": defined for real arrays only, got " +
                                dtype_name(x.dtype()) + "; apply it to the real part or the magnitude instead");
  return record(Node(Prim::Unary, attr::Elementwise{static_cast<int>(op)}, {x}), unary_value(op, x.data()));
}

extern const Primitive unary_primitive = [] {
  Primitive p;
  p.name = "unary";
  p.entries = {{"unary", 1, attr::Elementwise{}, Batching::Elementwise}};
  p.member_name = [](const Node& n) -> std::string { return unary_name(static_cast<UnaryOp>(op_of(n))); };
  p.eval = [](const Node& n, const std::vector<Var>& in) { return unary(static_cast<UnaryOp>(op_of(n)), in[0]); };
  p.jvp = [](const Node& n, const std::vector<Var>& t) { return unary_jvp_vars[op_of(n)](n.in[0], n.out, t[0]); };
  p.fast_jvp = [](const Node& n, const std::vector<Var>& t) {
    return constant(unary_jvp(static_cast<UnaryOp>(op_of(n)), n.in[0].data(), n.out.data(), t[0].data()));
  };
  p.vjp = [](const Node& n, const Var& ct, const std::vector<bool>&, std::vector<Var>& r) {
    r[0] = unary_vjp_vars[op_of(n)](n.in[0], n.out, ct);
  };
  p.fast_vjp = [](const Node& n, const Var& ct, const std::vector<bool>&, std::vector<Var>& r) {
    r[0] = constant(unary_vjp(static_cast<UnaryOp>(op_of(n)), n.in[0].data(), n.out.data(), ct.data()));
  };
  p.cse = true;
  p.fuses = [](const Node&, const StepTypes& t) { return t.in_shape[0] == t.out_shape; };
  p.block = [](const Node& n, const StepTypes& t, const Operand* in, void* out, std::int64_t len) {
    unary_block(static_cast<UnaryOp>(op_of(n)), t.in_dtype[0], in[0], out, len);
  };
  p.lower = [](Lowering& b, std::size_t k) {
    Instr I = b.instr(k);
    I.op = Op::Unary;
    I.code = op_of(b.node(k));
    I.a = b.operand(k, 0);
    I.real = !is_complex(b.operand_dtype(k, 0));
    const bool mixes = !I.real && !unary_holomorphic(static_cast<UnaryOp>(I.code));
    const bool zp = mixes ? b.pz[I.a] && b.qz[I.a] : b.pz[I.a];
    const bool zq = mixes ? b.pz[I.a] && b.qz[I.a] : b.qz[I.a];
    return b.emit(I, k, zp, zq);
  };
  return p;
}();

// ---------------------------------------------------------------- binary (attr::Elementwise: a BinaryOp), broadcasting
Var binary(BinaryOp op, const Var& a, const Var& b) {
  if (static_cast<int>(op) < 0 || op >= BinaryOp::count_)
    throw std::invalid_argument("binary: no element-wise function number " + std::to_string(static_cast<int>(op)));
  const DType d = promote(a.dtype(), b.dtype());
  if (binary_real_only(op) && is_complex(d))
    throw std::invalid_argument(std::string(binary_name(op)) + ": defined for real arrays only, got " +
                                dtype_name(d) + "; compare real parts or magnitudes instead");
  const Var ac = cast(a, d), bc = cast(b, d);
  const Shape shape = broadcast_shapes(ac.shape(), bc.shape(), binary_name(op));
  // x·1 is x (the rules' constant partials, a gradient's seed): eager and traced
  // code alike skip the pass, so they agree also where x is not finite.
  if (op == BinaryOp::multiply) {
    if (is_exact_constant(bc, 1.0) && ac.shape() == shape) return ac;
    if (is_exact_constant(ac, 1.0) && bc.shape() == shape) return bc;
  }
  return record(Node(Prim::Binary, attr::Elementwise{static_cast<int>(op)}, {ac, bc}), binary_value(op, ac.data(), bc.data()));
}

extern const Primitive binary_primitive = [] {
  Primitive p;
  p.name = "binary";
  p.entries = {{"binary", 2, attr::Elementwise{}, Batching::Elementwise}};
  p.member_name = [](const Node& n) -> std::string { return binary_name(static_cast<BinaryOp>(op_of(n))); };
  p.eval = [](const Node& n, const std::vector<Var>& in) { return binary(static_cast<BinaryOp>(op_of(n)), in[0], in[1]); };
  p.jvp = [](const Node& n, const std::vector<Var>& t) {
    Var r;
    for (int w = 0; w < 2; ++w)
      if (t[w]) {
        const Var term = binary_partial_vars[op_of(n)](w, n.in[0], n.in[1], n.out) * t[w];
        r = r ? r + term : term;
      }
    return broadcast_to(r, n.out.shape());
  };
  p.fast_jvp = [](const Node& n, const std::vector<Var>& t) {
    Var r;
    for (int w = 0; w < 2; ++w)
      if (t[w]) {
        const Var term = constant(binary_jvp(static_cast<BinaryOp>(op_of(n)), w, n.in[0].data(), n.in[1].data(),
                                             n.out.data(), t[w].data()));
        r = r ? r + term : term;
      }
    return broadcast_to(r, n.out.shape());
  };
  p.vjp = [](const Node& n, const Var& ct, const std::vector<bool>& needed, std::vector<Var>& r) {
    for (int w = 0; w < 2; ++w)
      if (needed[w]) r[w] = engine::conj(binary_partial_vars[op_of(n)](w, n.in[0], n.in[1], n.out)) * ct;
  };
  p.fast_vjp = [](const Node& n, const Var& ct, const std::vector<bool>& needed, std::vector<Var>& r) {
    for (int w = 0; w < 2; ++w)
      if (needed[w])
        r[w] = constant(binary_vjp(static_cast<BinaryOp>(op_of(n)), w, n.in[0].data(), n.in[1].data(), n.out.data(),
                                   ct.data()));
  };
  p.cse = true;
  p.fuses = [](const Node&, const StepTypes& t) {
    return full_or_scalar(t, 0) && full_or_scalar(t, 1) && t.in_dtype[0] == t.in_dtype[1];
  };
  p.block = [](const Node& n, const StepTypes& t, const Operand* in, void* out, std::int64_t len) {
    binary_block(static_cast<BinaryOp>(op_of(n)), t.in_dtype[0], in[0], in[1], out, len);
  };
  p.lower = [](Lowering& b, std::size_t k) {
    Instr I = b.instr(k);
    I.op = Op::Binary;
    I.code = op_of(b.node(k));
    I.a = b.operand(k, 0);
    I.b = b.operand(k, 1);
    I.real = !is_complex(b.p.dtype[k]);
    I.ma = b.broadcast_map(b.operand_shape(k, 0), b.p.shape[k]);
    I.mb = b.broadcast_map(b.operand_shape(k, 1), b.p.shape[k]);
    return b.emit(I, k, b.pz[I.a] && b.pz[I.b], b.qz[I.a] && b.qz[I.b]);
  };
  return p;
}();

// ---------------------------------------------------------------- cast (attr::ToDType; complex to real keeps the real part)
Var cast(const Var& x, DType to) {
  if (x.dtype() == to) return x;
  return record(Node(Prim::Cast, attr::ToDType{to}, {x}), engine::cast(x.data(), to));
}

extern const Primitive cast_primitive = [] {
  Primitive p;
  p.name = "astype";
  p.entries = {{"cast", 1, attr::ToDType{}, Batching::Elementwise}};
  p.eval = [](const Node& n, const std::vector<Var>& in) { return cast(in[0], n.get<attr::ToDType>().dtype); };
  p.jvp = [](const Node& n, const std::vector<Var>& t) { return cast(t[0], n.get<attr::ToDType>().dtype); };
  p.vjp = [](const Node& n, const Var& ct, const std::vector<bool>&, std::vector<Var>& r) {
    r[0] = cast(ct, n.in[0].dtype());
  };
  p.cse = true;
  p.fuses = [](const Node&, const StepTypes& t) { return t.in_shape[0] == t.out_shape; };
  p.block = [](const Node&, const StepTypes& t, const Operand* in, void* out, std::int64_t len) {
    cast_block(t.in_dtype[0], t.out_dtype, in[0], out, len);
  };
  p.lower = [](Lowering& b, std::size_t k) {
    const std::int32_t a = b.operand(k, 0);
    // Values are kept complex: only a complex-to-real cast computes anything.
    if (is_complex(b.node(k).get<attr::ToDType>().dtype) || !is_complex(b.operand_dtype(k, 0))) return b.alias(a);
    Instr I = b.instr(k);
    I.op = Op::RealPart;
    I.a = a;
    const bool z = b.pz[a] && b.qz[a];
    return b.emit(I, k, z, z);
  };
  return p;
}();

// ---------------------------------------------------------------- compare (attr::Elementwise: a CmpOp)
// 1 where a op b, else 0: piecewise constant, so no derivative.
Var compare(CmpOp op, const Var& a, const Var& b) {
  if (static_cast<int>(op) < 0 || op > CmpOp::not_equal)
    throw std::invalid_argument("compare: no comparison number " + std::to_string(static_cast<int>(op)));
  return record(Node(Prim::Compare, attr::Elementwise{static_cast<int>(op)}, {a, b}), engine::compare(op, a.data(), b.data()));
}

extern const Primitive compare_primitive = [] {
  Primitive p;
  p.name = "compare";
  p.entries = {{"compare", 2, attr::Elementwise{}, Batching::Elementwise}};
  p.differentiable_operation = false;
  p.eval = [](const Node& n, const std::vector<Var>& in) { return compare(static_cast<CmpOp>(op_of(n)), in[0], in[1]); };
  p.jvp = [](const Node&, const std::vector<Var>&) { return Var(); };
  p.vjp = [](const Node&, const Var&, const std::vector<bool>&, std::vector<Var>&) {};
  p.cse = true;
  p.fuses = [](const Node&, const StepTypes& t) {
    return full_or_scalar(t, 0) && full_or_scalar(t, 1) && t.in_dtype[0] == t.in_dtype[1];
  };
  p.block = [](const Node& n, const StepTypes& t, const Operand* in, void* out, std::int64_t len) {
    compare_block(static_cast<CmpOp>(op_of(n)), t.in_dtype[0], in[0], in[1], out, len);
  };
  p.lower = [](Lowering& b, std::size_t k) {
    Instr I = b.instr(k);
    I.op = Op::Compare;
    I.code = op_of(b.node(k));
    I.a = b.operand(k, 0);
    I.b = b.operand(k, 1);
    I.ma = b.broadcast_map(b.operand_shape(k, 0), b.p.shape[k]);
    I.mb = b.broadcast_map(b.operand_shape(k, 1), b.p.shape[k]);
    return b.emit(I, k, true, true);
  };
  return p;
}();

// ---------------------------------------------------------------- select
// mask ? a : b over equal shapes; the mask is the third input when computed
// (a traced program recomputes it), else fixed (attr::FixedMask).
Var select(std::shared_ptr<const std::vector<std::uint8_t>> mask, const Var& a, const Var& b) {
  if (static_cast<std::int64_t>(mask->size()) != a.data().size() || a.shape() != b.shape())
    throw std::invalid_argument("where: a fixed condition and both operands must have one shape (" +
                                std::to_string(mask->size()) + " conditions for " + shape_str(a.shape()) + " and " +
                                shape_str(b.shape()) + ")");
  const DType d = promote(a.dtype(), b.dtype());
  const Var ac = cast(a, d), bc = cast(b, d);
  Tensor out = engine::select(*mask, ac.data(), bc.data());
  return record(Node(Prim::Select, attr::FixedMask{std::move(mask)}, {ac, bc}), std::move(out));
}

Var select(const Var& mask, const Var& a, const Var& b) {
  const DType d = promote(a.dtype(), b.dtype());
  if (is_complex(mask.dtype())) throw std::invalid_argument("where: the condition must be real");
  const Shape s = broadcast_shapes(broadcast_shapes(a.shape(), b.shape(), "where"), mask.shape(), "where");
  const Var ac = broadcast_to(cast(a, d), s), bc = broadcast_to(cast(b, d), s);
  return record(Node(Prim::Select, attr::None{}, {ac, bc, mask}), engine::select(mask.data(), ac.data(), bc.data()));
}

extern const Primitive select_primitive = [] {
  Primitive p;
  p.name = "where";
  p.entries = {{"select", 2, attr::FixedMask{}, Batching::LeadingAxis}, {"select_var", 3, attr::None{}, Batching::Elementwise}};
  p.eval = [](const Node& n, const std::vector<Var>& in) {
    return in.size() == 3 ? select(in[2], in[0], in[1]) : select(n.get<attr::FixedMask>().mask, in[0], in[1]);
  };
  p.jvp = [](const Node& n, const std::vector<Var>& t) {
    if (!t[0] && !t[1]) return Var();
    const Var a = t[0] ? t[0] : scalar_like(n.out, 0.0);
    const Var b = t[1] ? t[1] : scalar_like(n.out, 0.0);
    if (n.in.size() == 3) return select(n.in[2], a, b);
    return select(n.get<attr::FixedMask>().mask, broadcast_to(a, n.out.shape()), broadcast_to(b, n.out.shape()));
  };
  p.vjp = [](const Node& n, const Var& ct, const std::vector<bool>& needed, std::vector<Var>& r) {
    if (n.in.size() == 3) {
      const Var z = scalar_like(ct, 0.0);
      if (needed[0]) r[0] = select(n.in[2], ct, z);
      if (needed[1]) r[1] = select(n.in[2], z, ct);
    } else {
      const Var z = zeros(ct.dtype(), ct.shape());
      if (needed[0]) r[0] = select(n.get<attr::FixedMask>().mask, ct, z);
      if (needed[1]) r[1] = select(n.get<attr::FixedMask>().mask, z, ct);
    }
  };
  p.cse = true;
  p.fuses = [](const Node& n, const StepTypes& t) {
    return n.in.size() == 3 && full_or_scalar(t, 0) && full_or_scalar(t, 1) && full_or_scalar(t, 2) &&
           !is_complex(t.in_dtype[2]) && t.in_dtype[0] == t.in_dtype[1];
  };
  p.block = [](const Node&, const StepTypes& t, const Operand* in, void* out, std::int64_t len) {
    select_block(t.in_dtype[2], t.in_dtype[0], in[2], in[0], in[1], out, len);
  };
  p.lower = [](Lowering& b, std::size_t k) {
    const Node& n = b.node(k);
    Instr I = b.instr(k);
    I.op = Op::Select;
    I.a = b.full_operand(k, 0);
    I.b = b.full_operand(k, 1);
    if (n.in.size() == 3) {
      I.c = b.operand(k, 2);
      I.mc = b.broadcast_map(b.operand_shape(k, 2), b.p.shape[k]);
    } else {
      Tensor m = Tensor::empty(DType::f64, b.p.shape[k]);
      const auto& mask = *n.get<attr::FixedMask>().mask;
      for (std::int64_t e = 0; e < m.size(); ++e) m.data<double>()[e] = mask[static_cast<std::size_t>(e)] ? 1 : 0;
      I.c = b.const_slot(Var(m));
    }
    return b.emit(I, k, b.pz[I.a] && b.pz[I.b], b.qz[I.a] && b.qz[I.b]);
  };
  return p;
}();

}  // namespace wirtinger::engine
