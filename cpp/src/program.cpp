#include "program.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "ops.hpp"
#include "primitive.hpp"
#include "prims/common.hpp"

namespace wirtinger::engine {
namespace {

// A key under which two steps compute the same value: same primitive and
// attributes, same sources, and constants equal (scalars by value, arrays by buffer).
bool cse_key(const Program::Step& s, std::string& key) {
  const Node& n = s.node;
  if (n.prim == Prim::Custom) {
    const std::string k = n.get<attr::Rule>().rule->cse_key();
    if (k.empty()) return false;
    key = "custom:" + k;
  } else {
    if (!primitive(n.prim).cse) return false;
    key = std::to_string(static_cast<int>(n.prim)) + ":" + attributes_key(n.attrs);
  }
  for (std::size_t j = 0; j < s.src.size(); ++j) {
    if (s.src[j] >= 0) {
      key += "|s" + std::to_string(s.src[j]);
      continue;
    }
    const Tensor& t = n.in[j].data();
    key += "|c" + std::to_string(static_cast<int>(t.dtype)) + shape_str(t.shape);
    if (t.size() == 1) key.append(static_cast<const char*>(t.raw()), itemsize(t.dtype));
    else key += std::to_string(reinterpret_cast<std::uintptr_t>(t.raw()));
  }
  return true;
}

// Whether every element of a constant is nonzero (1), zero (0), or neither (-1).
int uniform_truth(const Tensor& t) {
  const Tensor c = engine::cast(t, DType::f64);
  const double* v = c.data<double>();
  const std::int64_t n = c.size();
  if (n == 0) return -1;
  const bool first = v[0] != 0;
  for (std::int64_t i = 1; i < n; ++i)
    if ((v[i] != 0) != first) return -1;
  return first ? 1 : 0;
}

// The slot step k merely repeats, or -1: conj of a real value; the real part of
// a real value cast to complex; where with a constant condition that picks one
// operand everywhere (a derivative rule's guard that the traced constants
// settle, such as a power's exponent being nonzero). Nested derivatives record
// these in numbers; each would be a pass over memory on replay.
std::int64_t identity_of(const Program& p, const Program::Step& s, std::size_t k) {
  const Node& n = s.node;
  if (n.prim == Prim::Unary && s.src.size() == 1 && s.src[0] >= 0) {
    const auto src = static_cast<std::size_t>(s.src[0]);
    const int op = n.get<attr::Elementwise>().op;
    if (op == static_cast<int>(UnaryOp::conj) && !is_complex(p.dtype[src]) && p.dtype[src] == p.dtype[k])
      return s.src[0];
    if (op == static_cast<int>(UnaryOp::real)) {
      const Program::Step& inner = p.steps[src];
      if (inner.node.prim == Prim::Cast && inner.src.size() == 1 && inner.src[0] >= 0) {
        const auto x = static_cast<std::size_t>(inner.src[0]);
        if (p.dtype[x] == p.dtype[k] && p.shape[x] == p.shape[k]) return inner.src[0];
      }
    }
  }
  // x·1 with x real (a seed of ones, once scalar). Not for complex x: eager code
  // multiplies by an array of complex ones, which makes inf + 0i inf + nan·i.
  if (n.prim == Prim::Binary && s.src.size() == 2 && !is_complex(p.dtype[k]) &&
      n.get<attr::Elementwise>().op == static_cast<int>(BinaryOp::multiply))
    for (std::size_t w = 0; w < 2; ++w) {
      const std::int64_t other = s.src[1 - w];
      if (s.src[w] < 0 && other >= 0 && is_exact_constant(n.in[w], 1.0) &&
          p.dtype[static_cast<std::size_t>(other)] == p.dtype[k] && p.shape[static_cast<std::size_t>(other)] == p.shape[k])
        return other;
    }
  if (n.prim == Prim::Select && std::holds_alternative<attr::None>(n.attrs) && s.src.size() == 3 && s.src[2] < 0) {
    const int truth = uniform_truth(n.in[2].data());
    if (truth < 0) return -1;
    const std::size_t j = truth ? 0 : 1;
    if (s.src[j] >= 0 && p.dtype[static_cast<std::size_t>(s.src[j])] == p.dtype[k] &&
        p.shape[static_cast<std::size_t>(s.src[j])] == p.shape[k])
      return s.src[j];
  }
  return -1;
}

// The constants of an element-wise step, compacted as a trace compacts them
// (graph.hpp): a constant may come from the caller's closure whole.
void scalar_constants(Program& p, std::size_t k) {
  Program::Step& s = p.steps[k];
  if (!compacts_constants(s.node)) return;
  std::vector<bool> constant;
  std::vector<Shape> shapes;
  for (std::size_t j = 0; j < s.src.size(); ++j) {
    constant.push_back(s.src[j] < 0);
    shapes.push_back(s.src[j] >= 0 ? p.shape[static_cast<std::size_t>(s.src[j])] : s.node.in[j].shape());
  }
  compact_constants(s.node, constant, shapes, p.shape[k]);
}

// Common subexpressions, conj(conj(x)), then dead steps: the nested rules that
// build a traced gradient repeat much (the same conj, cast or partial in the JVP
// and the VJP), and a replay should not.
void simplify(Program& p) {
  const std::size_t n = p.steps.size();
  std::vector<std::int64_t> alias(n);
  for (std::size_t k = 0; k < n; ++k) alias[k] = static_cast<std::int64_t>(k);
  std::vector<bool> is_input(n, false);
  for (auto i : p.inputs) is_input[static_cast<std::size_t>(i)] = true;
  std::unordered_map<std::string, std::int64_t> seen;
  std::string key;
  const int conj = static_cast<int>(UnaryOp::conj);
  for (std::size_t k = 0; k < n; ++k) {
    Program::Step& s = p.steps[k];
    for (auto& src : s.src)
      if (src >= 0) src = alias[static_cast<std::size_t>(src)];
    if (is_input[k]) continue;
    scalar_constants(p, k);
    if (s.node.prim == Prim::Unary && s.node.get<attr::Elementwise>().op == conj && s.src[0] >= 0) {
      const Program::Step& inner = p.steps[static_cast<std::size_t>(s.src[0])];
      if (inner.node.prim == Prim::Unary && inner.node.get<attr::Elementwise>().op == conj && inner.src[0] >= 0) {
        alias[k] = inner.src[0];
        continue;
      }
    }
    if (const std::int64_t same = identity_of(p, s, k); same >= 0) {
      alias[k] = same;
      continue;
    }
    if (s.node.prim == Prim::Watch && !s.src.empty() && s.src[0] >= 0) {  // an identity on replay
      alias[k] = s.src[0];
      continue;
    }
    if (!cse_key(s, key)) continue;
    auto [it, fresh] = seen.emplace(key, static_cast<std::int64_t>(k));
    if (!fresh) alias[k] = it->second;
  }
  for (auto& o : p.outputs)
    if (o >= 0) o = alias[static_cast<std::size_t>(o)];
  // Liveness from the outputs back; inputs stay (the caller passes them).
  std::vector<bool> live(n, false);
  for (auto o : p.outputs)
    if (o >= 0) live[static_cast<std::size_t>(o)] = true;
  for (std::size_t k = n; k-- > 0;) {
    if (!live[k] || alias[k] != static_cast<std::int64_t>(k)) continue;
    for (auto src : p.steps[k].src)
      if (src >= 0) live[static_cast<std::size_t>(src)] = true;
  }
  std::vector<std::int64_t> index(n, -1);
  Program q;
  q.captures = p.captures;
  for (std::size_t k = 0; k < n; ++k) {
    if (!(is_input[k] || (live[k] && alias[k] == static_cast<std::int64_t>(k)))) continue;
    index[k] = static_cast<std::int64_t>(q.steps.size());
    Program::Step st = std::move(p.steps[k]);
    for (auto& src : st.src)
      if (src >= 0) src = index[static_cast<std::size_t>(src)];
    q.steps.push_back(std::move(st));
    q.dtype.push_back(p.dtype[k]);
    q.shape.push_back(p.shape[k]);
  }
  for (auto i : p.inputs) q.inputs.push_back(index[static_cast<std::size_t>(i)]);
  for (auto o : p.outputs) q.outputs.push_back(o >= 0 ? index[static_cast<std::size_t>(o)] : -1);
  q.out_consts = std::move(p.out_consts);
  q.last_use.assign(q.steps.size(), -1);
  for (std::size_t k = 0; k < q.steps.size(); ++k)
    for (auto src : q.steps[k].src)
      if (src >= 0) q.last_use[static_cast<std::size_t>(src)] = static_cast<std::int64_t>(k);
  for (auto o : q.outputs)
    if (o >= 0) q.last_use[static_cast<std::size_t>(o)] = static_cast<std::int64_t>(q.steps.size());
  p = std::move(q);
}

}  // namespace

Program make_program(const Tape& tape, const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
  Program p;
  std::int64_t start = static_cast<std::int64_t>(tape.nodes.size());
  for (const auto& x : inputs) {
    if (!on_tape(x, tape)) throw std::logic_error("jit: a program input is not on the tape");
    start = std::min(start, x.p->node);
  }
  const std::int64_t end = static_cast<std::int64_t>(tape.nodes.size());
  auto slot_of = [&](const Var& v) -> std::int64_t {
    if (on_tape(v, tape) && v.p->node >= start && v.p->node < end) return v.p->node - start;
    if (v && v.p->tape != 0) p.captures = true;
    return -1;
  };
  std::vector<bool> is_input(static_cast<std::size_t>(end - start), false);
  for (const auto& x : inputs) {
    p.inputs.push_back(x.p->node - start);
    is_input[static_cast<std::size_t>(x.p->node - start)] = true;
  }
  p.steps.reserve(static_cast<std::size_t>(end - start));
  for (std::int64_t i = start; i < end; ++i) {
    Program::Step s{tape.nodes[static_cast<std::size_t>(i)], {}};
    p.dtype.push_back(s.node.out.dtype());
    p.shape.push_back(s.node.out.shape());
    const std::int64_t k = i - start;
    if (is_input[static_cast<std::size_t>(k)]) {
      s.node.in.clear();  // a program input: its outer value belongs to the caller
    }
    for (auto& x : s.node.in) {
      const std::int64_t src = slot_of(x);
      s.src.push_back(src);
      if (src >= 0) x = Var();
    }
    // A watch of a constant keeps its value (as a constant: the traced value
    // belongs to the trace's tape); every other output is recomputed.
    if (s.node.prim == Prim::Watch && s.node.in.empty() && !is_input[static_cast<std::size_t>(k)])
      s.node.out = Var(s.node.out.data());
    else
      s.node.out = Var();
    p.steps.push_back(std::move(s));
  }
  for (const auto& y : outputs) {
    const std::int64_t src = slot_of(y);
    p.outputs.push_back(src);
    p.out_consts.push_back(src >= 0 ? Var() : Var(y.data()));
  }
  simplify(p);
  plan_fusion(p);
  plan_scalar_replay(p);
  return p;
}

Var eval_node(const Node& n, const std::vector<Var>& in) { return primitive(n.prim).eval(n, in); }

std::vector<Var> run_program(const Program& p, const std::vector<Var>& inputs) {
  if (inputs.size() != p.inputs.size())
    throw std::invalid_argument("jit: the program takes " + std::to_string(p.inputs.size()) + " inputs, got " +
                                std::to_string(inputs.size()));
  std::vector<Var> env(p.steps.size());
  std::vector<bool> given(p.steps.size(), false);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    env[static_cast<std::size_t>(p.inputs[i])] = inputs[i];
    given[static_cast<std::size_t>(p.inputs[i])] = true;
  }
  // Fused groups run only when nothing records the replay: a recorded replay
  // must consist of the ordinary operations an enclosing transform differentiates.
  const Recorder& r = recorder();
  bool fuse = !p.groups.empty();
  if (fuse && r.tape && r.enabled)
    for (const auto& x : inputs) fuse = fuse && !on_tape(x, *r.tape);
  std::vector<Var> in;
  for (std::size_t k = 0; k < p.steps.size(); ++k) {
    if (given[k]) continue;
    if (fuse && p.group_at[k] >= 0) {
      const Program::Group& g = p.groups[static_cast<std::size_t>(p.group_at[k])];
      run_group(p, g, env);
      for (std::int64_t s2 = g.first; s2 <= g.last; ++s2) {
        const Program::Step& st = p.steps[static_cast<std::size_t>(s2)];
        for (std::size_t j = 0; j < st.src.size(); ++j)
          if (st.src[j] >= 0 && st.src[j] < g.first && p.last_use[static_cast<std::size_t>(st.src[j])] <= g.last)
            env[static_cast<std::size_t>(st.src[j])] = Var();
      }
      k = static_cast<std::size_t>(g.last);
      continue;
    }
    const Program::Step& s = p.steps[k];
    in.resize(s.node.in.size());
    for (std::size_t j = 0; j < in.size(); ++j) in[j] = s.src[j] >= 0 ? env[static_cast<std::size_t>(s.src[j])] : s.node.in[j];
    env[k] = eval_node(s.node, in);
    // Values nothing later reads are released at once: replay keeps only live ones.
    for (std::size_t j = 0; j < in.size(); ++j)
      if (s.src[j] >= 0 && p.last_use[static_cast<std::size_t>(s.src[j])] == static_cast<std::int64_t>(k))
        env[static_cast<std::size_t>(s.src[j])] = Var();
    if (p.last_use[k] < 0) env[k] = Var();
  }
  std::vector<Var> out;
  for (std::size_t i = 0; i < p.outputs.size(); ++i)
    out.push_back(p.outputs[i] >= 0 ? env[static_cast<std::size_t>(p.outputs[i])] : p.out_consts[i]);
  return out;
}

}  // namespace wirtinger::engine
