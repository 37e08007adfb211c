// The forward (JVP) and backward (VJP) sweeps: loops over a tape, each node's
// rule taken from its primitive's declaration (primitive.hpp).
#include <algorithm>

#include "ops.hpp"
#include "primitive.hpp"

namespace wirtinger::engine {
namespace {

// Marks a tape as being swept while the guard lives (see Recorder::sweeping).
struct SweepGuard {
  explicit SweepGuard(const Tape& t) { recorder().sweeping.push_back(t.id); }
  ~SweepGuard() { recorder().sweeping.pop_back(); }
  SweepGuard(const SweepGuard&) = delete;
  SweepGuard& operator=(const SweepGuard&) = delete;
};

// A sweep reads a node's values; a tape keeps them while a sweep may come, so a
// node without them belongs to a transform that returned before this sweep
// (a vjp function carried out of the transform it was made in).
void check_values(const Node& n) {
  if (n.out && !n.out.data().raw()) raise_escaped(n.out.p->origin ? n.out.p->origin : "a transform");
}

// Brings a contribution to the dtype and shape of the value it belongs to.
Var fit(const Var& c, const Var& to) { return sum_to_shape(cast(c, to.dtype()), to.shape()); }

void accumulate(Var& slot, const Var& c) { slot = slot ? slot + c : c; }

// A node's rules, in the first-order form where the sweep records nothing and
// the primitive has one.
Var jvp_rule(const Node& n, const std::vector<Var>& t, bool recording) {
  const Primitive& def = primitive(n.prim);
  return !recording && def.fast_jvp ? def.fast_jvp(n, t) : def.jvp(n, t);
}
std::vector<Var> vjp_rule(const Node& n, const Var& ct, const std::vector<bool>& needed, bool recording) {
  const Primitive& def = primitive(n.prim);
  std::vector<Var> r(n.in.size());
  (!recording && def.fast_vjp ? def.fast_vjp : def.vjp)(n, ct, needed, r);
  return r;
}

}  // namespace

std::vector<Var> jvp_sweep(Tape& tape, const std::vector<Var>& inputs, const std::vector<Var>& tangents,
                           const std::vector<Var>& outputs, bool record) {
  RecordingGuard guard(record && recorder().tape.get() == &tape);
  const SweepGuard sweeping(tape);
  const bool recording = recorder().enabled && record;
  std::int64_t start = static_cast<std::int64_t>(tape.nodes.size());
  for (const auto& x : inputs)
    if (on_tape(x, tape)) start = std::min(start, x.p->node);
  // Nodes after the last output cannot reach it; among them are the nodes
  // earlier sweeps recorded (one per Jacobian column), which must not be swept again.
  std::int64_t end = 0;
  for (const auto& y : outputs)
    if (on_tape(y, tape)) end = std::max(end, y.p->node + 1);
  end = std::max(end, start);
  std::vector<Var> tan(static_cast<std::size_t>(end - start));
  std::vector<bool> is_input(tan.size(), false);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!on_tape(inputs[i], tape) || !tangents[i] || inputs[i].p->node >= end) continue;
    const std::size_t k = static_cast<std::size_t>(inputs[i].p->node - start);
    Var t = fit(tangents[i], inputs[i]);
    if (tan[k]) accumulate(tan[k], t);
    else tan[k] = t;
    is_input[k] = true;
  }
  std::vector<Var> tin;
  for (std::int64_t i = start; i < end; ++i) {
    const std::size_t k = static_cast<std::size_t>(i - start);
    if (is_input[k]) continue;
    const Node& n = tape.nodes[static_cast<std::size_t>(i)];
    tin.assign(n.in.size(), Var());
    bool any = false;
    for (std::size_t j = 0; j < n.in.size(); ++j) {
      const Var& x = n.in[j];
      if (on_tape(x, tape) && x.p->node >= start && tan[static_cast<std::size_t>(x.p->node - start)]) {
        tin[j] = tan[static_cast<std::size_t>(x.p->node - start)];
        any = true;
      }
    }
    if (!any) continue;
    check_values(n);
    const Var t = jvp_rule(n, tin, recording);
    if (t) tan[k] = fit(t, n.out);
  }
  std::vector<Var> res;
  for (const auto& y : outputs) {
    if (on_tape(y, tape) && y.p->node >= start && y.p->node < end && tan[static_cast<std::size_t>(y.p->node - start)])
      res.push_back(tan[static_cast<std::size_t>(y.p->node - start)]);
    else
      res.push_back(zeros(y.dtype(), y.shape()));
  }
  return res;
}

std::vector<Var> vjp_sweep(Tape& tape, const std::vector<Var>& outputs, const std::vector<Var>& cts,
                           const std::vector<Var>& inputs, bool record) {
  RecordingGuard guard(record && recorder().tape.get() == &tape);
  const SweepGuard sweeping(tape);
  const bool recording = recorder().enabled && record;
  std::int64_t start = static_cast<std::int64_t>(tape.nodes.size()), end = 0;
  for (const auto& x : inputs)
    if (on_tape(x, tape)) start = std::min(start, x.p->node);
  for (const auto& y : outputs)
    if (on_tape(y, tape)) end = std::max(end, y.p->node + 1);
  std::vector<Var> ct(static_cast<std::size_t>(std::max<std::int64_t>(end - start, 0)));
  std::vector<bool> keep(ct.size(), false);
  for (const auto& x : inputs)
    if (on_tape(x, tape) && x.p->node < end) keep[static_cast<std::size_t>(x.p->node - start)] = true;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const Var& y = outputs[i];
    if (!on_tape(y, tape) || y.p->node < start || !cts[i]) continue;
    accumulate(ct[static_cast<std::size_t>(y.p->node - start)], fit(cts[i], y));
  }
  // Cotangents are needed only for what depends on an input: a value recorded
  // after the first input but computed from others (a parameter made from a
  // non-differentiated argument under jit) gets none, so a rule that refuses
  // to differentiate in it does not refuse, and no work is spent on it.
  std::vector<bool> depends(keep);
  for (std::size_t k = 0; k < depends.size(); ++k) {
    if (depends[k]) continue;
    for (const auto& in : tape.nodes[static_cast<std::size_t>(start) + k].in)
      if (on_tape(in, tape) && in.p->node >= start && depends[static_cast<std::size_t>(in.p->node - start)]) {
        depends[k] = true;
        break;
      }
  }
  std::vector<bool> needed;
  for (std::int64_t i = end - 1; i >= start; --i) {
    const std::size_t k = static_cast<std::size_t>(i - start);
    if (!ct[k] || keep[k] || !depends[k]) continue;
    const Node& n = tape.nodes[static_cast<std::size_t>(i)];
    needed.assign(n.in.size(), false);
    bool any = false;
    for (std::size_t j = 0; j < n.in.size(); ++j) {
      needed[j] = on_tape(n.in[j], tape) && n.in[j].p->node >= start &&
                  depends[static_cast<std::size_t>(n.in[j].p->node - start)];
      any = any || needed[j];
    }
    if (any) {
      check_values(n);
      std::vector<Var> r = vjp_rule(n, ct[k], needed, recording);
      for (std::size_t j = 0; j < n.in.size(); ++j)
        if (needed[j] && r[j]) accumulate(ct[static_cast<std::size_t>(n.in[j].p->node - start)], fit(r[j], n.in[j]));
    }
    ct[k] = Var();
  }
  std::vector<Var> res;
  for (const auto& x : inputs) {
    if (on_tape(x, tape) && x.p->node < end && ct[static_cast<std::size_t>(x.p->node - start)])
      res.push_back(ct[static_cast<std::size_t>(x.p->node - start)]);
    else
      res.push_back(zeros(x.dtype(), x.shape()));
  }
  return res;
}

}  // namespace wirtinger::engine
