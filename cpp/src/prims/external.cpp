// The primitives whose values come from outside the engine: an input being
// differentiated, and a value computed elsewhere with rules supplied at run
// time (user-defined rules, and FFT and linear algebra written in Python).
#include "common.hpp"

namespace wirtinger::engine {

// ---------------------------------------------------------------- watch
// An input being differentiated; its input, if any, is an outer value, so the
// tangent passes through and a replay reads the value given.
extern const Primitive watch_primitive = [] {
  Primitive p;
  p.name = "watch";
  p.differentiable_operation = false;
  p.eval = [](const Node& n, const std::vector<Var>& in) { return in.empty() ? n.out : in[0]; };
  p.jvp = [](const Node&, const std::vector<Var>& t) { return t[0]; };
  p.vjp = [](const Node&, const Var& ct, const std::vector<bool>&, std::vector<Var>& r) { r[0] = ct; };
  p.lower = [](batch::Lowering& b, std::size_t k) { return b.alias(b.operand(k, 0)); };
  return p;
}();

// ---------------------------------------------------------------- custom
namespace {
CustomRule& rule_of(const Node& n) { return *n.get<attr::Rule>().rule; }
}  // namespace

Var custom(std::shared_ptr<CustomRule> rule, const std::vector<Var>& in, Tensor out) {
  return record(Node(Prim::Custom, attr::Rule{std::move(rule)}, in), std::move(out));
}

extern const Primitive custom_primitive = [] {
  Primitive p;
  p.name = "custom";
  p.member_name = [](const Node& n) { return rule_of(n).name(); };
  p.eval = [](const Node& n, const std::vector<Var>& in) { return rule_of(n).replay(in); };
  p.jvp = [](const Node& n, const std::vector<Var>& t) { return rule_of(n).jvp(n.in, n.out, t); };
  p.vjp = [](const Node& n, const Var& ct, const std::vector<bool>& needed, std::vector<Var>& r) {
    r = rule_of(n).vjp(n.in, n.out, ct, needed);
    if (r.size() != n.in.size())
      throw std::invalid_argument(rule_of(n).name() + ": its VJP rule returned " + std::to_string(r.size()) +
                                  " cotangents for " + std::to_string(n.in.size()) + " inputs");
  };
  return p;
}();

}  // namespace wirtinger::engine
