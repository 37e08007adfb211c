// Recording: the thread's tape, the transforms running on it, and which values
// it keeps (see graph.hpp).
#include <atomic>
#include <cstring>
#include <mutex>
#include <set>
#include <string>

#include "ops.hpp"

namespace wirtinger::engine {

Recorder& recorder() {
  thread_local Recorder r;
  return r;
}

namespace {
// A stand-in for a recorded value that no sweep will read: its place on the
// tape, shape and dtype, without its buffer.
Var structure_of(const Var& x) {
  Var s;
  s.p = std::make_shared<Value>(Value{Tensor{x.dtype(), x.shape(), nullptr}, x.p->node, x.p->tape, x.p->origin});
  return s;
}
// Whether a tensor holds one value (bitwise) in every element.
bool uniform(const Tensor& t) {
  const std::size_t sz = itemsize(t.dtype);
  const char* v = static_cast<const char*>(t.raw());
  for (std::int64_t i = 1, n = t.size(); i < n; ++i)
    if (std::memcmp(v, v + static_cast<std::size_t>(i) * sz, sz) != 0) return false;
  return true;
}

// A node that keeps shapes and dtypes, not buffers (constants stay, compacted
// where they repeat one value, and so does the value of a watched constant: a
// traced program reads them).
void keep_structure(Node& n) {
  if (n.out && compacts_constants(n)) {
    std::vector<bool> constant;
    std::vector<Shape> shapes;
    for (const auto& x : n.in) {
      constant.push_back(!x || x.p->tape == 0);
      shapes.push_back(x ? x.shape() : Shape{});
    }
    compact_constants(n, constant, shapes, n.out.shape());
  }
  for (auto& x : n.in)
    if (x && x.p->tape != 0) x = structure_of(x);
  if (n.out && !(n.prim == Prim::Watch && n.in.empty())) n.out = structure_of(n.out);
}
}  // namespace

bool compacts_constants(const Node& n) {
  return n.prim == Prim::Binary || n.prim == Prim::Compare ||
         (n.prim == Prim::Select && std::holds_alternative<attr::None>(n.attrs));
}

void compact_constants(Node& n, const std::vector<bool>& constant, const std::vector<Shape>& shapes,
                       const Shape& out) {
  if (!compacts_constants(n)) return;
  std::vector<bool> swap(n.in.size(), false);
  bool shaped = false;
  for (std::size_t j = 0; j < n.in.size(); ++j) {
    if (!constant[j] || !n.in[j]) {
      shaped = shaped || shapes[j] == out;
      continue;
    }
    const Tensor& t = n.in[j].data();
    swap[j] = t.size() > 1 && t.raw() && uniform(t);
    shaped = shaped || (!swap[j] && shapes[j] == out);
  }
  if (!shaped) return;
  for (std::size_t j = 0; j < n.in.size(); ++j) {
    if (!swap[j]) continue;
    const Tensor& t = n.in[j].data();
    Tensor one = Tensor::empty(t.dtype, {});
    std::memcpy(one.raw(), t.raw(), itemsize(t.dtype));
    n.in[j] = Var(std::move(one));
  }
}

std::shared_ptr<Tape> enter_transform(const std::string& name, bool sweeps, bool deferred) {
  // Names are few (one per transform) and must outlive the values that point at them.
  static std::mutex mutex;
  static auto* names = new std::set<std::string>;
  const char* interned;
  {
    std::lock_guard<std::mutex> lock(mutex);
    interned = names->insert(name).first->c_str();
  }
  static std::atomic<std::uint64_t> next_id{1};
  Recorder& r = recorder();
  if (!r.tape) r.tape = std::make_shared<Tape>(Tape{next_id++, {}});
  ++r.depth;
  r.frames.push_back({interned, sweeps, deferred, r.tape->nodes.size()});
  r.sweeping_frames += sweeps;
  return r.tape;
}

void finish_recording() {
  Recorder& r = recorder();
  if (r.frames.empty() || !r.frames.back().sweeps) return;
  r.frames.back().sweeps = false;
  --r.sweeping_frames;
}

void exit_transform() {
  Recorder& r = recorder();
  if (r.depth == 0) return;
  const Recorder::Frame f = r.frames.back();
  r.frames.pop_back();
  r.sweeping_frames -= f.sweeps;
  if (--r.depth == 0) {
    r.tape.reset();
  } else if (!f.deferred && r.sweeping_frames == 0) {
    for (std::size_t k = f.start; k < r.tape->nodes.size(); ++k) keep_structure(r.tape->nodes[k]);
  }
}

const char* escaped_from(const Var& v) {
  if (!v || v.p->tape == 0) return nullptr;
  const Recorder& r = recorder();
  if (r.tape && v.p->tape == r.tape->id) return nullptr;
  for (auto id : r.sweeping)
    if (v.p->tape == id) return nullptr;
  return v.p->origin ? v.p->origin : "a transform";
}

[[noreturn]] void raise_escaped(const char* origin) {
  const std::string t(origin);
  throw Escaped("a value created inside " + t + " was used after " + t + " returned: it escaped the transform "
                "(through a global, a list, a closure or an attribute), and the derivative it was part of is gone. "
                "Return it from the function instead (with has_aux=True for values besides the result), or compute "
                "it outside the transform");
}


Var record(Node node, Tensor out) {
  Var v(std::move(out));
  Recorder& r = recorder();
  if (!r.enabled) return v;  // a sweep's own arithmetic, which records nothing
  bool any = false;
  for (const auto& x : node.in) {
    if (const char* origin = escaped_from(x)) raise_escaped(origin);
    any = any || (r.tape && on_tape(x, *r.tape));
  }
  if (!any) return v;
  v.p->node = static_cast<std::int64_t>(r.tape->nodes.size());
  v.p->tape = r.tape->id;
  v.p->origin = r.frames.empty() ? nullptr : r.frames.back().name;
  node.out = v;
  if (r.sweeping_frames == 0) keep_structure(node);
  r.tape->nodes.push_back(std::move(node));
  return v;
}

Var watch(const Var& x) {
  Recorder& r = recorder();
  if (!r.tape) throw std::logic_error("watch: no transform is active");
  if (const char* origin = escaped_from(x)) raise_escaped(origin);
  Var v(x.data());
  Node n{Prim::Watch};
  if (on_tape(x, *r.tape)) n.in.push_back(x);
  v.p->node = static_cast<std::int64_t>(r.tape->nodes.size());
  v.p->tape = r.tape->id;
  v.p->origin = r.frames.empty() ? nullptr : r.frames.back().name;
  n.out = v;
  r.tape->nodes.push_back(std::move(n));
  return v;
}

}  // namespace wirtinger::engine
