// Fusion of element-wise runs in a traced program. A run of steps over one
// shape whose primitives have a block form (primitive.hpp) is executed
// block by block: every step of the run processes one block (kept in cache)
// before the next block starts, and only the values read after the run are
// written to memory. The per-element work comes from the rule table (blocks.cpp).
#include <algorithm>
#include <memory>

#include "blocks.hpp"
#include "parallel.hpp"
#include "primitive.hpp"
#include "program.hpp"

namespace wirtinger::engine {
namespace {

const Shape& in_shape(const Program& p, const Program::Step& s, std::size_t j) {
  return s.src[j] >= 0 ? p.shape[static_cast<std::size_t>(s.src[j])] : s.node.in[j].shape();
}
DType in_dtype(const Program& p, const Program::Step& s, std::size_t j) {
  return s.src[j] >= 0 ? p.dtype[static_cast<std::size_t>(s.src[j])] : s.node.in[j].dtype();
}

StepTypes types_of(const Program& p, std::size_t k) {
  const Program::Step& s = p.steps[k];
  StepTypes t;
  for (std::size_t j = 0; j < s.src.size(); ++j) {
    t.in_shape.push_back(in_shape(p, s, j));
    t.in_dtype.push_back(in_dtype(p, s, j));
  }
  t.out_shape = p.shape[k];
  t.out_dtype = p.dtype[k];
  return t;
}

bool fusable(const Program& p, std::size_t k, const Shape& shape) {
  if (p.shape[k] != shape) return false;
  const Primitive& def = primitive(p.steps[k].node.prim);
  return def.fuses && def.fuses(p.steps[k].node, types_of(p, k));
}

}  // namespace

void plan_fusion(Program& p) {
  const std::size_t n = p.steps.size();
  p.group_at.assign(n, -1);
  std::vector<bool> is_input(n, false);
  for (auto i : p.inputs) is_input[static_cast<std::size_t>(i)] = true;
  for (std::size_t k = 0; k < n;) {
    const Shape& shape = p.shape[k];
    if (is_input[k] || !fusable(p, k, shape)) {
      ++k;
      continue;
    }
    std::size_t j = k + 1;
    while (j < n && !is_input[j] && fusable(p, j, shape)) ++j;
    if (j - k >= 2) {
      p.group_at[k] = static_cast<std::int64_t>(p.groups.size());
      Program::Group g{static_cast<std::int64_t>(k), static_cast<std::int64_t>(j - 1), numel(shape), {}};
      for (std::size_t i = k; i < j; ++i) g.types.push_back(types_of(p, i));
      p.groups.push_back(std::move(g));
    }
    k = j;
  }
}

void run_group(const Program& p, const Program::Group& g, std::vector<Var>& env) {
  const std::size_t m = static_cast<std::size_t>(g.last - g.first + 1);
  struct In {
    std::int64_t internal = -1;  // index in the group, or -1: external
    const char* base = nullptr;
    std::int64_t stride = 1;
    std::size_t isz = 0;
  };
  std::vector<bool> kept(m);
  std::vector<char*> base(m, nullptr);
  std::vector<std::size_t> osz(m);
  std::vector<std::vector<In>> ins(m);
  std::vector<const Primitive*> defs(m);
  for (std::size_t i = 0; i < m; ++i) {
    const std::size_t k = static_cast<std::size_t>(g.first) + i;
    const Program::Step& s = p.steps[k];
    defs[i] = &primitive(s.node.prim);
    osz[i] = itemsize(p.dtype[k]);
    kept[i] = p.last_use[k] > g.last;
    if (kept[i]) {
      env[k] = Var(Tensor::empty(p.dtype[k], p.shape[k]));
      base[i] = static_cast<char*>(env[k].data().raw());
    }
    for (std::size_t j = 0; j < s.src.size(); ++j) {
      In in;
      const std::int64_t src = s.src[j];
      if (src >= g.first) {
        in.internal = src - g.first;
        in.isz = itemsize(p.dtype[static_cast<std::size_t>(src)]);
      } else {
        const Var& v = src >= 0 ? env[static_cast<std::size_t>(src)] : s.node.in[j];
        in.base = static_cast<const char*>(v.data().raw());
        in.stride = v.data().size() == 1 ? 0 : 1;
        in.isz = itemsize(v.dtype());
      }
      ins[i].push_back(in);
    }
  }
  parallel_for(g.size, parallel_grain, [&](std::int64_t lo, std::int64_t hi) {
    constexpr std::int64_t block = 1024;
    std::vector<std::unique_ptr<char[]>> scratch(m);
    for (std::size_t i = 0; i < m; ++i)
      if (!kept[i]) scratch[i].reset(new char[static_cast<std::size_t>(block) * osz[i]]);
    Operand op[3];
    for (std::int64_t b = lo; b < hi; b += block) {
      const std::int64_t len = std::min(block, hi - b);
      auto at = [&](std::size_t i) -> char* {
        return kept[i] ? base[i] + static_cast<std::size_t>(b) * osz[i] : scratch[i].get();
      };
      for (std::size_t i = 0; i < m; ++i) {
        const Program::Step& s = p.steps[static_cast<std::size_t>(g.first) + i];
        for (std::size_t j = 0; j < ins[i].size(); ++j) {
          const In& in = ins[i][j];
          if (in.internal >= 0) op[j] = {at(static_cast<std::size_t>(in.internal)), 1};
          else op[j] = {in.base + (in.stride ? static_cast<std::size_t>(b) * in.isz : 0), in.stride};
        }
        defs[i]->block(s.node, g.types[i], op, at(i), len);
      }
    }
  });
}

}  // namespace wirtinger::engine
