#include "batch_lowering.hpp"

#include <algorithm>
#include <numeric>

#include "ops.hpp"
#include "primitive.hpp"
#include "parallel.hpp"
#include "simd_math.hpp"

namespace wirtinger::engine::batch {

Tensor iota(const Shape& shape, double offset) {
  Tensor t = Tensor::empty(DType::f64, shape);
  double* p = t.data<double>();
  for (std::int64_t i = 0; i < t.size(); ++i) p[i] = offset + static_cast<double>(i);
  return t;
}

std::vector<std::complex<double>> as_complex(const Tensor& t) {
  const Tensor c = engine::cast(t, DType::c128);
  const auto* p = c.data<std::complex<double>>();
  return std::vector<std::complex<double>>(p, p + c.size());
}

std::int32_t Lowering::step(std::size_t k) {
  const Node& n = p.steps[k].node;
  const Primitive& def = primitive(n.prim);
  if (!def.lower)
    throw Unsupported(std::string("batched Jacobian: the primitive ") + step_name(n) + " has no per-sample form");
  return def.lower(*this, k);
}

void Lowering::build() {
  const std::size_t n = p.steps.size();
  varying.assign(n, false);
  per_call.assign(n, -1);
  folded.assign(n, Var());
  slot_of.assign(n, -1);
  if (kinds.size() != p.inputs.size())
    throw std::invalid_argument("batched Jacobian: " + std::to_string(kinds.size()) + " input kinds for " +
                                std::to_string(p.inputs.size()) + " program inputs");
  if (!std::is_sorted(kinds.begin(), kinds.end()) || kinds.empty() || kinds[0] != InputKind::Differentiated)
    throw std::invalid_argument("batched Jacobian: the differentiated inputs come first, then the mapped, then "
                                "the shared ones");
  std::vector<std::int32_t> input_at(n, -1);
  for (std::size_t i = 0; i < p.inputs.size(); ++i) input_at[static_cast<std::size_t>(p.inputs[i])] = static_cast<std::int32_t>(i);
  // Single precision only where every value is: a program that mixes them
  // (float32 data with float64 constants) runs in double.
  plan.precision = DType::f32;
  std::vector<bool> shared(n, false);  // reads a shared input and no sample's value
  for (std::size_t k = 0; k < n; ++k) {
    const std::int32_t i = input_at[k];
    bool v = i >= 0 && kinds[static_cast<std::size_t>(i)] != InputKind::Shared;
    bool s = i >= 0 && !v;
    for (auto src : p.steps[k].src) {
      v = v || (src >= 0 && varying[static_cast<std::size_t>(src)]);
      s = s || (src >= 0 && shared[static_cast<std::size_t>(src)]);
    }
    varying[k] = v;
    shared[k] = s && !v;
    if (v && !is_single(p.dtype[k])) plan.precision = DType::f64;
  }
  // Directions: the differentiated inputs' elements, in order.
  for (std::size_t i = 0; i < p.inputs.size(); ++i) {
    const auto k = static_cast<std::size_t>(p.inputs[i]);
    const bool directions = kinds[i] == InputKind::Differentiated;
    plan.input_kind.push_back(kinds[i]);
    plan.input_offset.push_back(directions ? plan.N : -1);
    plan.input_complex.push_back(is_complex(p.dtype[k]));
    plan.input_dtype.push_back(p.dtype[k]);
    plan.input_shape.push_back(p.shape[k]);
    if (directions) plan.N += numel(p.shape[k]);
  }
  RecordingGuard off(false);
  std::vector<Var> in;
  for (std::size_t k = 0; k < n; ++k) {
    const auto& st = p.steps[k];
    if (input_at[k] >= 0 && !shared[k]) {
      const InputKind kind = kinds[static_cast<std::size_t>(input_at[k])];
      if (kind == InputKind::Mapped) {
        slot_of[k] = new_slot(numel(p.shape[k]), false, true, true);
        continue;
      }
      const bool real = !is_complex(p.dtype[k]);
      slot_of[k] = new_slot(numel(p.shape[k]), false, false, !real);
      rc[static_cast<std::size_t>(slot_of[k])] = true;  // the seeds
      continue;
    }
    if (shared[k]) {  // evaluated per run; a slot in consts once something reads it
      per_call[k] = static_cast<std::int64_t>(plan.per_call.size());
      Plan::PerCall pc{st, input_at[k], -1};
      for (std::size_t j = 0; j < pc.step.src.size(); ++j) {
        auto& src = pc.step.src[j];
        if (src < 0) continue;
        const auto from = static_cast<std::size_t>(src);
        if (per_call[from] >= 0) {
          src = per_call[from];
        } else {
          pc.step.node.in[j] = folded[from];
          src = -1;
        }
      }
      plan.per_call.push_back(std::move(pc));
      continue;
    }
    if (!varying[k]) {  // folded once, for every sample
      in.resize(st.node.in.size());
      for (std::size_t j = 0; j < in.size(); ++j)
        in[j] = st.src[j] >= 0 ? folded[static_cast<std::size_t>(st.src[j])] : st.node.in[j];
      folded[k] = eval_node(st.node, in);
      slot_of[k] = const_slot(folded[k]);
      continue;
    }
    slot_of[k] = step(k);
  }
  for (std::size_t i = 0; i < p.inputs.size(); ++i) plan.input_slot.push_back(slot_of[static_cast<std::size_t>(p.inputs[i])]);
  for (std::size_t i = 0; i < p.outputs.size(); ++i) {
    const std::int64_t o = p.outputs[i];
    const Var& c = o >= 0 ? Var() : p.out_consts[i];
    plan.output_slot.push_back(o >= 0 ? slot(o) : const_slot(c));
    plan.output_dtype.push_back(o >= 0 ? p.dtype[static_cast<std::size_t>(o)] : c.dtype());
    plan.output_shape.push_back(o >= 0 ? p.shape[static_cast<std::size_t>(o)] : c.shape());
  }
  // Storage: values and the rows that are not known zeros, per sample.
  for (std::size_t s = 0; s < plan.slots.size(); ++s) {
    Slot& sl = plan.slots[s];
    if (sl.constant || alias_of[s] >= 0) continue;
    sl.val = plan.workspace;
    plan.workspace += sl.size;
    if (!pz[s]) sl.p = plan.workspace, plan.workspace += sl.size * plan.N;
    if (!qz[s]) sl.q = plan.workspace, plan.workspace += sl.size * plan.N;
  }
  plan.scratch = plan.workspace;
  plan.workspace += 2 * longest_unary;
  for (std::size_t s = 0; s < plan.slots.size(); ++s) {
    std::int32_t root = alias_of[s];
    if (root < 0) continue;
    while (alias_of[static_cast<std::size_t>(root)] >= 0) root = alias_of[static_cast<std::size_t>(root)];
    const std::int64_t size = plan.slots[s].size;
    plan.slots[s] = plan.slots[static_cast<std::size_t>(root)];
    plan.slots[s].size = size;
  }
}

namespace {

// Samples [lo, hi) in one workspace, set up once: the inputs' rows (the same
// for every sample) and the rows that only depend on them. Flattened, so the
// whole per-sample body is compiled for the clone's instruction set: the row
// updates are most of the work, and AVX2 does two complex lanes per operation.
template <class C, class M>
[[gnu::flatten, gnu::noinline]] void run_samples_default(const Kernel<C>& k, C* ws, std::int64_t lo, std::int64_t hi) {
  init_workspace<C, M>(k, ws);
  for (std::int64_t b = lo; b < hi; ++b) run_one<C, M>(k, ws, b);
}
#if WIRT_BATCH_CPU_CLONES
template <class C, class M>
[[gnu::target("avx2"), gnu::flatten, gnu::noinline]] void run_samples_avx2(const Kernel<C>& k, C* ws, std::int64_t lo,
                                                                         std::int64_t hi) {
  init_workspace<C, M>(k, ws);
  for (std::int64_t b = lo; b < hi; ++b) run_one<C, M>(k, ws, b);
}
#endif

template <class R>
void run_typed(const Plan& plan, const std::vector<std::complex<double>>& call, const std::vector<Input>& ins,
               const std::vector<Write>& outs, std::int64_t batch) {
  using C = std::complex<R>;
  using M = vm::fast_t<C>;
  const std::vector<C> consts(call.begin(), call.end());
  const Kernel<C> k{View<C>{plan.code.data(), static_cast<std::int32_t>(plan.code.size()), plan.slots.data(),
                            plan.index.data(), consts.data(), plan.N, plan.scratch},
                    plan.workspace, ins.data(), static_cast<std::int32_t>(ins.size()), outs.data(),
                    static_cast<std::int32_t>(outs.size())};
  const std::int64_t grain = std::max<std::int64_t>(1, (std::int64_t(1) << 15) / std::max<std::int64_t>(1, plan.workspace));
  parallel_for(batch, grain, [&](std::int64_t lo, std::int64_t hi) {
    std::vector<C> ws(static_cast<std::size_t>(plan.workspace));
#if WIRT_BATCH_CPU_CLONES
    if (cpu_has_avx2()) return run_samples_avx2<C, M>(k, ws.data(), lo, hi);
#endif
    run_samples_default<C, M>(k, ws.data(), lo, hi);
  });
}

}  // namespace

Plan compile(const Program& p, const std::vector<InputKind>& kinds) {
  Lowering b(p, kinds);
  b.build();
  return std::move(b.plan);
}

std::int64_t check_inputs(const Plan& plan, const std::vector<Shape>& shapes, const std::vector<DType>& dtypes) {
  if (shapes.size() != plan.input_slot.size())
    throw std::invalid_argument("batched Jacobian: the program takes " + std::to_string(plan.input_slot.size()) +
                                " inputs, got " + std::to_string(shapes.size()));
  std::int64_t batch = -1;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    const Shape& s = shapes[i];
    const bool shared = plan.input_kind[i] == InputKind::Shared;
    Shape want;
    if (!shared) want.push_back(s.empty() ? 0 : s[0]);
    want.insert(want.end(), plan.input_shape[i].begin(), plan.input_shape[i].end());
    if ((!shared && s.empty()) || s != want || dtypes[i] != plan.input_dtype[i])
      throw std::invalid_argument("batched Jacobian: input " + std::to_string(i) + " has shape " + shape_str(s) +
                                  " and dtype " + dtype_name(dtypes[i]) + "; the program was traced for " +
                                  (shared ? "a value shared by every sample of shape " : "samples of shape ") +
                                  shape_str(plan.input_shape[i]) + " and dtype " + dtype_name(plan.input_dtype[i]) +
                                  (shared ? "" : " (the batch axis first)"));
    if (shared) continue;
    if (batch >= 0 && s[0] != batch)
      throw std::invalid_argument("batched Jacobian: inputs have batch sizes " + std::to_string(batch) + " and " +
                                  std::to_string(s[0]));
    batch = s[0];
  }
  if (batch < 0) throw std::invalid_argument("batched Jacobian: the program has no inputs");
  return batch;
}

std::vector<std::complex<double>> call_consts(const Plan& plan, const std::vector<Tensor>& inputs) {
  std::vector<std::complex<double>> consts = plan.consts;
  RecordingGuard off(false);
  std::vector<Var> values(plan.per_call.size()), in;
  for (std::size_t i = 0; i < plan.per_call.size(); ++i) {
    const auto& pc = plan.per_call[i];
    if (pc.input >= 0) {
      values[i] = Var(inputs.at(static_cast<std::size_t>(pc.input)));
    } else {
      in.resize(pc.step.node.in.size());
      for (std::size_t j = 0; j < in.size(); ++j)
        in[j] = pc.step.src[j] >= 0 ? values[static_cast<std::size_t>(pc.step.src[j])] : pc.step.node.in[j];
      values[i] = eval_node(pc.step.node, in);
    }
    if (pc.offset >= 0) {
      const auto v = as_complex(values[i].data());
      std::copy(v.begin(), v.end(), consts.begin() + pc.offset);
    }
  }
  return consts;
}

Shape request_shape(const Plan& plan, const Request& r, std::int64_t batch) {
  if (r.output < 0 || r.output >= static_cast<std::int32_t>(plan.output_slot.size()) || r.input < 0 ||
      r.input >= static_cast<std::int32_t>(plan.input_slot.size()))
    throw std::invalid_argument("batched Jacobian: a request for output " + std::to_string(r.output) + " and input " +
                                std::to_string(r.input) + " of a program with " +
                                std::to_string(plan.output_slot.size()) + " outputs and " +
                                std::to_string(plan.input_slot.size()) + " inputs");
  if (plan.input_kind[static_cast<std::size_t>(r.input)] != InputKind::Differentiated)
    throw std::invalid_argument("batched Jacobian: input " + std::to_string(r.input) + " is not differentiated");
  if (r.form == Form::Norms) {
    if (r.dtype != DType::f64) throw std::invalid_argument("batched Jacobian: norms are written in float64");
    return Shape{batch, 2};
  }
  Shape s{batch};
  s.insert(s.end(), plan.output_shape[static_cast<std::size_t>(r.output)].begin(),
           plan.output_shape[static_cast<std::size_t>(r.output)].end());
  s.insert(s.end(), plan.input_shape[static_cast<std::size_t>(r.input)].begin(),
           plan.input_shape[static_cast<std::size_t>(r.input)].end());
  return s;
}

std::vector<Input> kernel_inputs(const Plan& plan, const std::vector<const void*>& srcs) {
  std::vector<Input> ins;
  for (std::size_t i = 0; i < plan.input_slot.size(); ++i)
    if (plan.input_kind[i] != InputKind::Shared)
      ins.push_back(Input{plan.input_dtype[i], plan.input_complex[i], plan.input_slot[i], plan.input_offset[i], srcs.at(i)});
  return ins;
}

std::vector<Write> kernel_writes(const Plan& plan, const std::vector<Request>& reqs, const std::vector<void*>& dsts) {
  std::vector<Write> ws;
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    const Request& r = reqs[i];
    const auto j = static_cast<std::size_t>(r.input);
    ws.push_back(Write{r.form, r.dtype, plan.output_slot[static_cast<std::size_t>(r.output)],
                       numel(plan.output_shape[static_cast<std::size_t>(r.output)]), plan.input_offset[j],
                       numel(plan.input_shape[j]), dsts[i]});
  }
  return ws;
}

std::vector<Tensor> run(const Plan& plan, const std::vector<Tensor>& inputs, const std::vector<Request>& reqs) {
  std::vector<Shape> shapes;
  std::vector<DType> dtypes;
  std::vector<const void*> srcs;
  for (const auto& x : inputs) shapes.push_back(x.shape), dtypes.push_back(x.dtype), srcs.push_back(x.raw());
  const std::int64_t batch = check_inputs(plan, shapes, dtypes);
  const auto consts = call_consts(plan, inputs);
  std::vector<Tensor> outs;
  std::vector<void*> dsts;
  for (const auto& r : reqs) {
    outs.push_back(Tensor::empty(r.dtype, request_shape(plan, r, batch)));
    dsts.push_back(outs.back().raw());
  }
  const auto ins = kernel_inputs(plan, srcs);
  const auto ws = kernel_writes(plan, reqs, dsts);
  if (plan.precision == DType::f32) run_typed<float>(plan, consts, ins, ws, batch);
  else run_typed<double>(plan, consts, ins, ws, batch);
  return outs;
}

}  // namespace wirtinger::engine::batch
