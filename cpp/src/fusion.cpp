// Fusion of element-wise runs in a traced program. A run of steps over one
// shape whose primitives have a block form (primitive.hpp) is executed
// block by block: every step of the run processes one block (kept in cache)
// before the next block starts, and only the values read after the run are
// written to memory. The per-element work comes from the rule table (blocks.cpp).
#include <algorithm>
#include <complex>
#include <memory>
#include <mutex>
#include <utility>

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

// A sum of all the elements of a value of the group's shape (a loss, or the
// value of a value_and_grad): it ends no group, as its blocks are added up as
// they are computed.
bool full_sum(const Program& p, std::size_t k, const Shape& shape) {
  const Program::Step& s = p.steps[k];
  if (s.node.prim != Prim::Sum || s.src.size() != 1 || numel(p.shape[k]) != 1) return false;
  if (in_shape(p, s, 0) != shape || in_dtype(p, s, 0) != p.dtype[k]) return false;
  const DType d = p.dtype[k];
  return d == DType::f32 || d == DType::f64 || d == DType::c64 || d == DType::c128;
}

// The parts of running group g that do not depend on the call: operands,
// outputs, and scratch blocks assigned by liveness (a block is reused once the
// group's last reader of it has run, so that the blocks in use stay in the
// core's caches; a step never writes over its own operands, which the kernels
// read again to redo non-finite results).
void plan_group(const Program& p, Program::Group& g) {
  const std::size_t m = static_cast<std::size_t>(g.last - g.first + 1);
  g.ins.assign(m, {});
  g.kept.assign(m, 0);
  std::vector<std::size_t> last_read(m, 0);
  std::vector<bool> read(m, false);
  for (std::size_t i = 0; i < m; ++i) {
    const std::size_t k = static_cast<std::size_t>(g.first) + i;
    const Program::Step& s = p.steps[k];
    g.kept[i] = !g.sink[i] && p.last_use[k] > g.last;
    g.sums = g.sums || g.sink[i];
    for (std::size_t j = 0; j < s.src.size(); ++j) {
      Program::Group::In in;
      const std::int64_t src = s.src[j];
      in.itemsize = itemsize(in_dtype(p, s, j));
      if (src >= g.first) {
        in.internal = src - g.first;
        last_read[static_cast<std::size_t>(in.internal)] = i;
        read[static_cast<std::size_t>(in.internal)] = true;
      } else {
        in.stride = numel(in_shape(p, s, j)) == 1 ? 0 : 1;
      }
      g.ins[i].push_back(in);
    }
  }
  g.slot.assign(m, -1);
  std::vector<std::int64_t> free_slots;
  std::vector<bool> freed(m, false);
  for (std::size_t i = 0; i < m; ++i) {
    if (!g.kept[i] && !g.sink[i]) {
      if (free_slots.empty()) {
        g.slot[i] = static_cast<std::int64_t>(g.slots++);
      } else {
        g.slot[i] = free_slots.back();
        free_slots.pop_back();
      }
    }
    auto release = [&](std::size_t v) {
      if (g.slot[v] >= 0 && !freed[v]) {
        free_slots.push_back(g.slot[v]);
        freed[v] = true;
      }
    };
    for (const auto& in : g.ins[i])
      if (in.internal >= 0 && last_read[static_cast<std::size_t>(in.internal)] == i)
        release(static_cast<std::size_t>(in.internal));
    if (!read[i]) release(i);
  }
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
    std::vector<char> sink(1, 0);
    auto reads_sink = [&](std::size_t j) {
      for (auto src : p.steps[j].src)
        if (src >= static_cast<std::int64_t>(k) && sink[static_cast<std::size_t>(src) - k]) return true;
      return false;
    };
    std::size_t j = k + 1;
    for (; j < n && !is_input[j] && !reads_sink(j); ++j) {
      if (fusable(p, j, shape)) sink.push_back(0);
      else if (full_sum(p, j, shape)) sink.push_back(1);
      else break;
    }
    if (j - k >= 2) {
      p.group_at[k] = static_cast<std::int64_t>(p.groups.size());
      Program::Group g;
      g.first = static_cast<std::int64_t>(k);
      g.last = static_cast<std::int64_t>(j - 1);
      g.size = numel(shape);
      g.sink = std::move(sink);
      for (std::size_t i = k; i < j; ++i) g.types.push_back(types_of(p, i));
      plan_group(p, g);
      p.groups.push_back(std::move(g));
    }
    k = j;
  }
}

namespace {

// Adds up n elements of one operand in double precision, as reduce_sum does.
std::complex<double> block_sum(DType d, const Operand& a, std::int64_t n) {
  std::complex<double> acc = 0;
  auto add = [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(a.p);
    if (a.stride == 0) {
      acc = std::complex<double>(x[0]) * static_cast<double>(n);
      return;
    }
    if constexpr (is_complex_v<T>) {
      double re = 0, im = 0;
      for (std::int64_t i = 0; i < n; ++i) {
        re += static_cast<double>(x[i].real());
        im += static_cast<double>(x[i].imag());
      }
      acc = {re, im};
    } else {
      double s = 0;
      for (std::int64_t i = 0; i < n; ++i) s += static_cast<double>(x[i]);
      acc = s;
    }
  };
  dispatch(d, add);
  return acc;
}

}  // namespace

void run_group(const Program& p, const Program::Group& g, std::vector<Var>& env) {
  const std::size_t m = g.ins.size();
  // What this call reads and writes: the group's outputs, and the values from
  // outside it (each operand's base; steps of the group are found in scratch).
  std::vector<char*> base(m, nullptr);
  std::vector<const char*> outside;
  std::vector<std::size_t> first_outside(m);  // per step: its first operand's index in outside
  for (std::size_t i = 0; i < m; ++i) {
    const std::size_t k = static_cast<std::size_t>(g.first) + i;
    const Program::Step& s = p.steps[k];
    if (g.kept[i]) {
      env[k] = Var(Tensor::empty(p.dtype[k], p.shape[k]));
      base[i] = static_cast<char*>(env[k].data().raw());
    }
    first_outside[i] = outside.size();
    for (std::size_t j = 0; j < s.src.size(); ++j)
      if (g.ins[i][j].internal < 0) {
        const Var& v = s.src[j] >= 0 ? env[static_cast<std::size_t>(s.src[j])] : s.node.in[j];
        outside.push_back(static_cast<const char*>(v.data().raw()));
      }
  }
  // An operand from outside the group, at block b.
  auto from_outside = [&](const Program::Group::In& in, std::size_t index, std::int64_t b) {
    return Operand{outside[index] + (in.stride ? static_cast<std::size_t>(b) * in.itemsize : 0), in.stride};
  };
  constexpr std::size_t widest = sizeof(std::complex<double>);
  constexpr std::int64_t block = 1024;  // at most the generated kernels' 1024 ones (codegen_prelude.hpp)
  const std::int64_t rows = std::min(block, std::max<std::int64_t>(g.size, 1));
  const Program::Group::Kernel kernel = g.kernel->load(std::memory_order_acquire);
  // Each chunk's partial sums, added in the order of the chunks so that a
  // replay's result does not depend on which thread finished first.
  std::mutex sums_mutex;
  std::vector<std::pair<std::int64_t, std::vector<std::complex<double>>>> partial;
  auto chunk = [&](std::int64_t lo, std::int64_t hi) {
    thread_local std::vector<std::complex<double>> scratch_store;  // reused from call to call
    const std::size_t need = static_cast<std::size_t>(rows) * std::max<std::size_t>(g.slots, 1);
    if (scratch_store.size() < need) scratch_store.resize(need);
    char* scratch = reinterpret_cast<char*>(scratch_store.data());
    std::vector<std::complex<double>> sums(g.sums ? m : 0);
    // The compiled loop writes the operands of sums to blocks of their own.
    thread_local std::vector<std::complex<double>> sink_store;
    std::vector<char*> y;
    if (kernel) {
      if (g.sums && sink_store.size() < static_cast<std::size_t>(rows) * m) sink_store.resize(static_cast<std::size_t>(rows) * m);
      y.assign(m, nullptr);
      for (std::size_t i = 0; i < m; ++i)
        y[i] = g.kept[i] ? base[i]
               : g.sink[i] ? reinterpret_cast<char*>(sink_store.data() + i * static_cast<std::size_t>(rows))
                           : nullptr;
    }
    Operand op[3];
    for (std::int64_t b = lo; b < hi; b += block) {
      const std::int64_t len = std::min(block, hi - b);
      if (kernel && kernel(outside.data(), y.data(), b, len) == 0) {
        for (std::size_t i = 0; g.sums && i < m; ++i)
          if (g.sink[i]) {
            const Program::Group::In& in = g.ins[i][0];
            const Operand a = in.internal >= 0 ? Operand{y[i], 1} : from_outside(in, first_outside[i], b);
            sums[i] += block_sum(g.types[i].in_dtype[0], a, len);
          }
        continue;
      }
      if (kernel) g.handed_back->fetch_add(1, std::memory_order_relaxed);
      auto at = [&](std::size_t i) -> char* {
        return g.kept[i] ? base[i] + static_cast<std::size_t>(b) * itemsize(p.dtype[static_cast<std::size_t>(g.first) + i])
                         : scratch + static_cast<std::size_t>(g.slot[i]) * static_cast<std::size_t>(rows) * widest;
      };
      std::size_t next_outside = 0;
      for (std::size_t i = 0; i < m; ++i) {
        const Program::Step& s = p.steps[static_cast<std::size_t>(g.first) + i];
        for (std::size_t j = 0; j < g.ins[i].size(); ++j) {
          const Program::Group::In& in = g.ins[i][j];
          if (in.internal >= 0) op[j] = {at(static_cast<std::size_t>(in.internal)), 1};
          else op[j] = from_outside(in, next_outside++, b);
        }
        if (g.sink[i]) sums[i] += block_sum(g.types[i].in_dtype[0], op[0], len);
        else primitive(s.node.prim).block(s.node, g.types[i], op, at(i), len);
      }
    }
    if (!g.sums) return;
    std::lock_guard<std::mutex> lock(sums_mutex);
    partial.emplace_back(lo, std::move(sums));
  };
  if (g.size < parallel_grain) chunk(0, g.size);
  else parallel_for(g.size, parallel_grain, chunk);
  if (!g.sums) return;
  std::sort(partial.begin(), partial.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < m; ++i) {
    if (!g.sink[i]) continue;
    std::complex<double> total = 0;
    for (const auto& part : partial) total += part.second[i];
    const std::size_t k = static_cast<std::size_t>(g.first) + i;
    env[k] = Var(Tensor::full(p.dtype[k], p.shape[k], total));
  }
}

}  // namespace wirtinger::engine
