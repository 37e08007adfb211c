#include "ops.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <numeric>
#include <set>
#include <string>

namespace wirtinger::engine {

// ---------------------------------------------------------------- recording
Recorder& recorder() {
  thread_local Recorder r;
  return r;
}

const char* prim_name(Prim p) {
  switch (p) {
    case Prim::Watch: return "watch";
    case Prim::Unary: return "unary";
    case Prim::Binary: return "binary";
    case Prim::Cast: return "astype";
    case Prim::BroadcastTo: return "broadcast_to";
    case Prim::Reshape: return "reshape";
    case Prim::Transpose: return "transpose";
    case Prim::Sum: return "sum";
    case Prim::Prod: return "prod";
    case Prim::Slice: return "getitem";
    case Prim::SliceScatter: return "slice_scatter";
    case Prim::Concat: return "concatenate";
    case Prim::Select: return "where";
    case Prim::Compare: return "compare";
    case Prim::Matmul: return "matmul";
    case Prim::Custom: return "custom";
    case Prim::Gather: return "gather";
    case Prim::ScatterAdd: return "scatter_add";
    case Prim::Cumsum: return "cumsum";
    case Prim::Cumprod: return "cumprod";
  }
  return "?";
}

namespace {
// A stand-in for a recorded value that no sweep will read: its place on the
// tape, shape and dtype, without its buffer.
Var structure_of(const Var& x) {
  Var s;
  s.p = std::make_shared<Value>(Value{Tensor{x.dtype(), x.shape(), nullptr}, x.p->node, x.p->tape, x.p->origin});
  return s;
}
// A node that keeps shapes and dtypes, not buffers (constants stay whole, and
// so does the value of a watched constant: a traced program reads them).
void keep_structure(Node& n) {
  for (auto& x : n.in)
    if (x && x.p->tape != 0) x = structure_of(x);
  if (n.out && !(n.prim == Prim::Watch && n.in.empty())) n.out = structure_of(n.out);
}
}  // namespace

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

// ---------------------------------------------------------------- argument checks
// The package checks what users pass before it gets here; these checks keep a
// wrong shape, axis or slice from reading or writing memory an array does not
// own, whoever the caller is.
namespace {

[[noreturn]] void bad(const char* op, const std::string& what) {
  throw std::invalid_argument(std::string(op) + ": " + what);
}

void check_axes(const std::vector<std::int64_t>& axes, int ndim, bool permutation, const char* op) {
  std::vector<bool> seen(static_cast<std::size_t>(ndim), false);
  for (auto a : axes) {
    if (a < 0 || a >= ndim) bad(op, "axis " + std::to_string(a) + " is out of range for " + std::to_string(ndim) + " dimensions");
    if (seen[static_cast<std::size_t>(a)]) bad(op, "repeated axis " + std::to_string(a));
    seen[static_cast<std::size_t>(a)] = true;
  }
  if (permutation && axes.size() != static_cast<std::size_t>(ndim))
    bad(op, "axes do not permute " + std::to_string(ndim) + " dimensions");
}

// Every index start + k·step, k < count, along every axis lies in [0, extent).
void check_slice(const Shape& extent, const std::vector<std::int64_t>& start, const std::vector<std::int64_t>& step,
                 const Shape& count, const char* op) {
  const std::size_t r = extent.size();
  if (start.size() != r || step.size() != r || count.size() != r)
    bad(op, "start, step and count need one entry per axis of " + shape_str(extent));
  for (std::size_t d = 0; d < r; ++d) {
    if (count[d] < 0) bad(op, "negative count in " + shape_str(count));
    if (count[d] == 0) continue;
    std::int64_t last = 0;
    if (start[d] < 0 || start[d] >= extent[d] || __builtin_mul_overflow(count[d] - 1, step[d], &last) ||
        __builtin_add_overflow(start[d], last, &last) || last < 0 || last >= extent[d])
      bad(op, "slice of " + std::to_string(count[d]) + " elements from " + std::to_string(start[d]) + " by " +
                  std::to_string(step[d]) + " leaves axis " + std::to_string(d) + " of extent " +
                  std::to_string(extent[d]));
  }
}

// x seen as blocks of `inner` elements; every index addresses one of them.
void check_blocks(const Shape& whole, const std::vector<std::int64_t>& index, std::int64_t inner, std::int64_t items,
                  const char* op) {
  const std::int64_t size = numel(whole);
  if (inner < 1 || size % inner != 0)
    bad(op, "block size " + std::to_string(inner) + " does not divide " + std::to_string(size));
  if (items != static_cast<std::int64_t>(index.size()) * inner)
    bad(op, std::to_string(items) + " elements for " + std::to_string(index.size()) + " blocks of " +
                std::to_string(inner));
  const std::int64_t blocks = size / inner;
  for (auto i : index)
    if (i < 0 || i >= blocks)
      bad(op, "index " + std::to_string(i) + " is out of bounds for " + std::to_string(blocks) + " blocks");
}

}  // namespace

// ---------------------------------------------------------------- operations
Var constant(Tensor t) { return Var(std::move(t)); }

Var scalar_like(const Var& like, std::complex<double> c, bool force_complex) {
  const DType d = force_complex ? complex_dtype(like.dtype()) : like.dtype();
  return Var(Tensor::full(d, {}, c));
}

Var zeros(DType dtype, const Shape& shape) { return Var(Tensor::zeros(dtype, shape)); }

Var unary(UnaryOp op, const Var& x) {
  return record(Node{Prim::Unary, static_cast<int>(op), {x}}, unary_value(op, x.data()));
}

Var binary(BinaryOp op, const Var& a, const Var& b) {
  const DType d = promote(a.dtype(), b.dtype());
  if (binary_real_only(op) && is_complex(d))
    throw std::invalid_argument(std::string(binary_name(op)) + ": defined for real arrays only, got " +
                                dtype_name(d) + "; compare real parts or magnitudes instead");
  const Var ac = cast(a, d), bc = cast(b, d);
  broadcast_shapes(ac.shape(), bc.shape(), binary_name(op));
  return record(Node{Prim::Binary, static_cast<int>(op), {ac, bc}}, binary_value(op, ac.data(), bc.data()));
}

Var cast(const Var& x, DType to) {
  if (x.dtype() == to) return x;
  Node n{Prim::Cast, 0, {x}};
  n.dtype = to;
  return record(std::move(n), engine::cast(x.data(), to));
}

Var broadcast_to(const Var& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  checked_numel(shape, x.dtype(), "broadcast_to");
  const Shape s = broadcast_shapes(x.shape(), shape, "broadcast_to");
  if (s != shape)
    throw std::invalid_argument("broadcast_to: cannot broadcast shape " + shape_str(x.shape()) + " to " +
                                shape_str(shape));
  Node n{Prim::BroadcastTo, 0, {x}};
  n.shape = shape;
  return record(std::move(n), engine::broadcast_to(x.data(), shape));
}

Var sum_to_shape(const Var& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  if (x.shape().size() < shape.size())
    throw std::invalid_argument("sum_to_shape: cannot reduce shape " + shape_str(x.shape()) + " to " + shape_str(shape));
  const std::size_t lead = x.shape().size() - shape.size();
  std::vector<std::int64_t> axes;
  for (std::size_t d = 0; d < x.shape().size(); ++d)
    if (d < lead || (shape[d - lead] == 1 && x.shape()[d] != 1)) axes.push_back(static_cast<std::int64_t>(d));
  return reshape(sum(x, axes), shape);
}

Var reshape(const Var& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  Tensor out = x.data().reshaped(shape);
  Node n{Prim::Reshape, 0, {x}};
  n.shape = shape;
  return record(std::move(n), std::move(out));
}

Var transpose(const Var& x, const std::vector<std::int64_t>& perm) {
  bool identity = true;
  for (std::size_t i = 0; i < perm.size(); ++i) identity = identity && perm[i] == static_cast<std::int64_t>(i);
  if (identity) return x;
  check_axes(perm, x.ndim(), true, "transpose");
  Node n{Prim::Transpose, 0, {x}};
  n.ints = perm;
  return record(std::move(n), engine::transpose(x.data(), perm));
}

Var sum(const Var& x, const std::vector<std::int64_t>& axes) {
  if (axes.empty()) return x;
  check_axes(axes, x.ndim(), false, "sum");
  Node n{Prim::Sum, 0, {x}};
  n.ints = axes;
  return record(std::move(n), reduce_sum(x.data(), axes));
}

Var prod(const Var& x, const std::vector<std::int64_t>& axes) {
  if (axes.empty()) return x;
  check_axes(axes, x.ndim(), false, "prod");
  Node n{Prim::Prod, 0, {x}};
  n.ints = axes;
  return record(std::move(n), reduce_prod(x.data(), axes));
}

Var slice(const Var& x, const std::vector<std::int64_t>& start, const std::vector<std::int64_t>& step,
          const Shape& count) {
  check_slice(x.shape(), start, step, count, "getitem");
  Node n{Prim::Slice, 0, {x}};
  n.ints = start;
  n.ints2 = step;
  n.shape = count;
  return record(std::move(n), engine::slice(x.data(), start, step, count));
}

Var slice_scatter(const Var& x, const Shape& shape, const std::vector<std::int64_t>& start,
                  const std::vector<std::int64_t>& step) {
  checked_numel(shape, x.dtype(), "slice_scatter");
  check_slice(shape, start, step, x.shape(), "slice_scatter");
  Node n{Prim::SliceScatter, 0, {x}};
  n.ints = start;
  n.ints2 = step;
  n.shape = shape;
  return record(std::move(n), engine::slice_scatter(x.data(), shape, start, step));
}

Var concat(const std::vector<Var>& xs, std::int64_t axis) {
  if (xs.empty()) throw std::invalid_argument("concatenate: need at least one array");
  DType d = xs[0].dtype();
  const Shape& first = xs[0].shape();
  if (axis < 0 || axis >= static_cast<std::int64_t>(first.size()))
    bad("concatenate", "axis " + std::to_string(axis) + " is out of range for " + std::to_string(first.size()) +
                           " dimensions");
  Shape total = first;
  total[axis] = 0;
  for (const auto& x : xs) {
    d = promote(d, x.dtype());
    const Shape& s = x.shape();
    bool same = s.size() == first.size();
    for (std::size_t i = 0; same && i < s.size(); ++i) same = static_cast<std::int64_t>(i) == axis || s[i] == first[i];
    if (!same) bad("concatenate", "shapes " + shape_str(first) + " and " + shape_str(s) + " differ off axis " +
                                      std::to_string(axis));
    total[axis] += s[axis];
  }
  checked_numel(total, d, "concatenate");
  Node n{Prim::Concat};
  std::vector<Tensor> ts;
  for (const auto& x : xs) {
    n.in.push_back(cast(x, d));
    ts.push_back(n.in.back().data());
  }
  n.ints = {axis};
  return record(std::move(n), engine::concat(ts, axis));
}

Var select(std::shared_ptr<const std::vector<std::uint8_t>> mask, const Var& a, const Var& b) {
  const DType d = promote(a.dtype(), b.dtype());
  const Var ac = cast(a, d), bc = cast(b, d);
  Node n{Prim::Select, 0, {ac, bc}};
  Tensor out = engine::select(*mask, ac.data(), bc.data());
  n.mask = std::move(mask);
  return record(std::move(n), std::move(out));
}

Var select(const Var& mask, const Var& a, const Var& b) {
  const DType d = promote(a.dtype(), b.dtype());
  if (is_complex(mask.dtype())) throw std::invalid_argument("where: the condition must be real");
  const Shape s = broadcast_shapes(broadcast_shapes(a.shape(), b.shape(), "where"), mask.shape(), "where");
  const Var ac = broadcast_to(cast(a, d), s), bc = broadcast_to(cast(b, d), s);
  return record(Node{Prim::Select, 0, {ac, bc, mask}}, engine::select(mask.data(), ac.data(), bc.data()));
}

Var compare(CmpOp op, const Var& a, const Var& b) {
  return record(Node{Prim::Compare, static_cast<int>(op), {a, b}}, engine::compare(op, a.data(), b.data()));
}

Var custom(std::shared_ptr<CustomRule> rule, const std::vector<Var>& in, Tensor out) {
  Node n{Prim::Custom, 0, in};
  n.custom = std::move(rule);
  return record(std::move(n), std::move(out));
}

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
  return record(Node{Prim::Matmul, 0, {ac, bc}}, engine::matmul(ac.data(), bc.data()));
}

Var gather(const Var& x, Index index, std::int64_t inner, const Shape& shape) {
  check_blocks(x.shape(), *index, inner, checked_numel(shape, x.dtype(), "gather"), "gather");
  Node n{Prim::Gather, 0, {x}};
  n.ints = {inner};
  n.shape = shape;
  Tensor out = engine::gather(x.data(), *index, inner, shape);
  n.index = std::move(index);
  return record(std::move(n), std::move(out));
}

Var scatter_add(const Var& x, Index index, std::int64_t inner, const Shape& shape) {
  checked_numel(shape, x.dtype(), "scatter_add");
  check_blocks(shape, *index, inner, x.data().size(), "scatter_add");
  Node n{Prim::ScatterAdd, 0, {x}};
  n.ints = {inner};
  n.shape = shape;
  Tensor out = engine::scatter_add(x.data(), *index, inner, shape);
  n.index = std::move(index);
  return record(std::move(n), std::move(out));
}

Var cumsum(const Var& x, std::int64_t axis, bool reverse) {
  check_axes({axis}, x.ndim(), false, "cumsum");
  Node n{Prim::Cumsum, 0, {x}};
  n.ints = {axis, reverse ? 1 : 0};
  return record(std::move(n), engine::cumsum(x.data(), axis, reverse));
}

Var cumprod(const Var& x, std::int64_t axis) {
  check_axes({axis}, x.ndim(), false, "cumprod");
  Node n{Prim::Cumprod, 0, {x}};
  n.ints = {axis};
  return record(std::move(n), engine::cumprod(x.data(), axis));
}

// ---------------------------------------------------------------- arithmetic
Var operator+(const Var& a, const Var& b) { return binary(BinaryOp::add, a, b); }
Var operator-(const Var& a, const Var& b) { return binary(BinaryOp::subtract, a, b); }
Var operator*(const Var& a, const Var& b) { return binary(BinaryOp::multiply, a, b); }
Var operator/(const Var& a, const Var& b) { return binary(BinaryOp::divide, a, b); }
Var operator-(const Var& a) { return unary(UnaryOp::negative, a); }
// A real constant added to a complex value has the imaginary part −0, which
// leaves the other operand's unchanged (y + (−0) = y also for y = ±0), as adding
// a real number to a std::complex does: on a branch cut the sign of a zero
// imaginary part picks the side, as it does for the rules' scalar types.
Var operator+(const Var& a, double b) { return a + scalar_like(a, {b, -0.0}); }
Var operator+(double a, const Var& b) { return scalar_like(b, {a, -0.0}) + b; }
Var operator-(const Var& a, double b) { return a - scalar_like(a, b); }
Var operator-(double a, const Var& b) { return scalar_like(b, {a, -0.0}) - b; }
Var operator*(double a, const Var& b) { return scalar_like(b, a) * b; }
Var operator*(const Var& a, double b) { return a * scalar_like(a, b); }
Var operator/(double a, const Var& b) { return scalar_like(b, a) / b; }
Var operator/(const Var& a, double b) { return a / scalar_like(a, b); }

#define WIRT_DEFINE(name, Rule) \
  Var name(const Var& x) { return unary(UnaryOp::name, x); }
WIRTINGER_UNARY_RULES(WIRT_DEFINE)
#undef WIRT_DEFINE

// f(key) where key != 0 and 0 where key == 0. f sees 1 in place of the zeros, so
// the discarded branch makes no inf or nan that a derivative could turn into 0·inf.
// The mask is computed by a Compare node, so a traced program recomputes it.
template <class F> Var zero_where_zero(const Var& key, const Shape& s, F&& f) {
  const Var kb = broadcast_to(key, s);
  const Var zero = compare(CmpOp::equal, kb, scalar_like(kb, 0.0));
  const Var r = broadcast_to(f(select(zero, scalar_like(kb, 1.0), kb)), s);
  return select(zero, scalar_like(r, 0.0), r);
}

Var div_or_zero(const Var& n, const Var& d) {
  const Shape s = broadcast_shapes(n.shape(), d.shape(), "div_or_zero");
  return zero_where_zero(d, s, [&](const Var& safe) { return n / safe; });
}

Var step(const Var& a, const Var& b) {
  // Piecewise constant (1, ½ at a tie, 0): comparisons, with no derivative of their own.
  return compare(CmpOp::greater, a, b) + compare(CmpOp::equal, a, b) * 0.5;
}

Var wpow(const Var& a, const Var& b) { return binary(BinaryOp::power, a, b); }

// Whether b is a constant (recorded on no tape, so also a constant of any
// traced program) for every element of which b − 1 is exact, as for x**2.
bool constant_with_exact_minus_one(const Var& b) {
  if (b.p->tape != 0) return false;
  bool exact = true;
  dispatch(b.dtype(), [&](auto tag) {
    using T = decltype(tag);
    using R = real_of<T>;  // in the element's precision, as the rule computes it
    const T* p = b.data().data<T>();
    for (std::int64_t i = 0, n = b.data().size(); i < n && exact; ++i) {
      const R r = scalar_cast<R>(p[i]), bm1 = r - R(1), t = bm1 - r;
      exact = (r - (bm1 - t)) + (R(-1) - t) == R(0);
    }
  });
  return exact;
}

Var pow_d_da(const Var& a, const Var& b, const Var& out) {
  // As rules.hpp's: b·a**(b−1), 0 where b == 0, times 1 + δ log a where b − 1
  // rounded by δ (found by TwoSum, whose derivative is exactly 0) and a != 0;
  // for complex a, b·out/a where out is a nonzero normal number. Where a branch
  // is not taken it sees a = 1, so that it makes no inf or nan.
  const Shape s = broadcast_shapes(broadcast_shapes(a.shape(), b.shape(), "power"), out.shape(), "power");
  const bool no_correction = constant_with_exact_minus_one(b);
  const auto general = [&](const Var& a) {
    const Var d = zero_where_zero(b, s, [&](const Var& safe) { return safe * wpow(a, safe - 1.0); });
    if (no_correction) return d;
    const Var bm1 = b - 1.0, t = bm1 - b, delta = (b - (bm1 - t)) + (-1.0 - t);
    const Var correction = zero_where_zero(a, s, [&](const Var& safe_a) {
      return zero_where_zero(delta, s, [&](const Var& safe_delta) { return safe_delta * log(safe_a); });
    });
    return d * (1.0 + correction);
  };
  if (!is_complex(a.dtype())) return general(a);
  const Var m = abs(out), one = scalar_like(a, 1.0);
  const bool single = is_single(a.dtype());
  const double tiny = single ? 0x1p-126 : 0x1p-1022, huge = single ? 0x1.fffffep127 : 0x1.fffffffffffffp1023;
  const Var use_ratio = compare(CmpOp::greater_equal, m, scalar_like(m, tiny)) *
                        compare(CmpOp::less_equal, m, scalar_like(m, huge)) *
                        compare(CmpOp::not_equal, a, scalar_like(a, 0.0)) *
                        compare(CmpOp::not_equal, b, scalar_like(b, 0.0));
  const Var ratio = b * (out / select(use_ratio, a, one));
  return select(use_ratio, ratio, general(select(use_ratio, one, a)));
}

Var pow_d_db(const Var& a, const Var& out) {
  const Shape s = broadcast_shapes(a.shape(), out.shape(), "power");
  return zero_where_zero(a, s, [&](const Var& safe) { return out * log(safe); });
}

Var hypot(const Var& a, const Var& b) { return binary(BinaryOp::hypot, a, b); }
Var numpy_divide(const Var& a, const Var& b) { return a / b; }  // the divide primitive's value is numpy_divide

namespace {

// re + i·im for real re and im.
Var complex_from_parts(const Var& re, const Var& im) {
  return cast(re, complex_dtype(re.dtype())) + scalar_like(im, {0.0, 1.0}, true) * im;
}

// sech² of x + iy (of x where y is null) as rules.hpp's sech2 computes it: at x
// clamped to ±20, times e^(−2(|x|−20)) beyond, so that no intermediate is inf
// (an inf in a recorded value would make its derivative nan).
Var sech2_of_parts(const Var& x, const Var* y) {
  const Var xc = binary(BinaryOp::maximum, binary(BinaryOp::minimum, x, scalar_like(x, 20.0)), scalar_like(x, -20.0));
  const Var beyond = binary(BinaryOp::maximum, abs(x) - 20.0, scalar_like(x, 0.0));
  const Var r = 1.0 / cosh(y ? complex_from_parts(xc, *y) : xc);
  return r * r * exp(beyond * -2.0);
}

}  // namespace

Var sech2(const Var& z, double scale) {
  if (!is_complex(z.dtype())) return sech2_of_parts(scale == 1.0 ? z : z * scale, nullptr);
  const Var x = real(z), y = imag(z);
  if (scale == 1.0) return sech2_of_parts(x, &y);
  const Var ys = y * scale;
  return sech2_of_parts(x * scale, &ys);
}

Var sec2(const Var& z) {
  if (!is_complex(z.dtype())) {
    const Var r = 1.0 / cos(z);
    return r * r;
  }
  const Var x = real(z);
  return sech2_of_parts(-imag(z), &x);  // sech²(iz)
}

Var sqrt_one_plus_square(const Var& z) {
  if (!is_complex(z.dtype())) return hypot(scalar_like(z, 1.0), z);
  const Var iz = scalar_like(z, {0.0, 1.0}, true) * z;
  return sqrt(1.0 + iz) * sqrt(1.0 - iz);
}

Var recip_one_plus_square(const Var& z) {
  if (!is_complex(z.dtype())) return 1.0 / (1.0 + z * z);
  const Var i = scalar_like(z, {0.0, 1.0}, true);
  return (1.0 / (z - i)) * (1.0 / (z + i));
}

// ---------------------------------------------------------------- derivative rules
namespace {

// Marks a tape as being swept while the guard lives (see Recorder::sweeping).
struct SweepGuard {
  explicit SweepGuard(const Tape& t) { recorder().sweeping.push_back(t.id); }
  ~SweepGuard() { recorder().sweeping.pop_back(); }
  SweepGuard(const SweepGuard&) = delete;
  SweepGuard& operator=(const SweepGuard&) = delete;
};

// The Wirtinger-pair derivation of rules.hpp, over Var (nested differentiation).
template <class Rule> Var unary_jvp_var(const Var& x, const Var& out, const Var& t) {
  const Var o = cast(out, x.dtype());
  Var r = Rule::d_dz(x, o) * t;
  if constexpr (!is_holomorphic_v<Rule>) r = r + Rule::d_dzconj(x, o) * engine::conj(t);
  return cast(r, out.dtype());
}
template <class Rule> Var unary_vjp_var(const Var& x, const Var& out, const Var& ct) {
  const Var o = cast(out, x.dtype()), c = cast(ct, promote(x.dtype(), ct.dtype()));
  Var r = engine::conj(Rule::d_dz(x, o)) * c;
  if constexpr (!is_holomorphic_v<Rule>) r = r + Rule::d_dzconj(x, o) * engine::conj(c);
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

std::vector<std::int64_t> inverse_perm(const std::vector<std::int64_t>& perm) {
  std::vector<std::int64_t> inv(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) inv[perm[i]] = static_cast<std::int64_t>(i);
  return inv;
}

// The shape of x with the reduced axes kept as 1.
Shape kept_shape(const Shape& s, const std::vector<std::int64_t>& axes) {
  Shape k = s;
  for (auto a : axes) k[a] = 1;
  return k;
}

Var swap_last(const Var& x) {
  std::vector<std::int64_t> perm(x.ndim());
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[perm.size() - 1], perm[perm.size() - 2]);
  return transpose(x, perm);
}

// prod_{j≠i} x_j over each reduced slice. Recording: differentiable, by
// replacing the diagonal of an n×n expansion with ones (O(n²) memory, used
// only inside nested transforms); otherwise one kernel pass.
Var prod_others_var(const Var& x, const std::vector<std::int64_t>& axes, bool recording) {
  if (!recording) return constant(prod_others(x.data(), axes));
  std::vector<bool> reduced(x.ndim(), false);
  for (auto a : axes) reduced[a] = true;
  std::vector<std::int64_t> perm;
  std::int64_t n = 1;
  for (int d = 0; d < x.ndim(); ++d)
    if (!reduced[d]) perm.push_back(d);
  for (int d = 0; d < x.ndim(); ++d)
    if (reduced[d]) {
      perm.push_back(d);
      n *= x.shape()[d];
    }
  const Var xt = transpose(x, perm);
  const std::int64_t outer = n ? xt.data().size() / n : 0;
  const Var rows = broadcast_to(reshape(xt, {outer, 1, n}), {outer, n, n});
  auto diag = std::make_shared<std::vector<std::uint8_t>>(static_cast<std::size_t>(outer * n * n), 0);
  for (std::int64_t r = 0; r < outer; ++r)
    for (std::int64_t i = 0; i < n; ++i) (*diag)[(r * n + i) * n + i] = 1;
  const Var ones = broadcast_to(scalar_like(x, 1.0), {outer, n, n});
  const Var others = prod(select(diag, ones, rows), {2});
  return transpose(reshape(others, xt.shape()), inverse_perm(perm));
}

// The derivative of out = cumprod(x) along an axis, as Var operations for
// nested differentiation: with E_j = out_{j−1} (E_0 = 1) and
// R_{jk} = prod_{j<i≤k} x_i for k ≥ j (0 for k < j),
//     JVP  t_out_k = sum_j E_j t_j R_{jk},   VJP  ct_x_j = conj(E_j) sum_k conj(R_{jk}) ct_k.
// R is itself a cumprod of an n×n expansion (O(n²) memory, used only inside
// nested transforms); the first-order sweeps use the O(n) kernels.
struct CumprodDerivative {
  std::vector<std::int64_t> perm;
  Shape moved;  // x's shape with the axis last
  std::int64_t batch = 1, n = 1;
  Var E, R;

  CumprodDerivative(const Var& x, const Var& out, std::int64_t axis) {
    for (std::int64_t d = 0; d < x.ndim(); ++d)
      if (d != axis) perm.push_back(d);
    perm.push_back(axis);
    for (auto d : perm) moved.push_back(x.shape()[d]);
    n = x.shape()[axis];
    batch = n ? x.data().size() / n : 0;
    const Var xs = reshape(transpose(x, perm), {batch, n});
    const Var os = reshape(transpose(out, perm), {batch, n});
    const Var one = scalar_like(x, 1.0);
    E = n > 1 ? concat({broadcast_to(one, {batch, 1}), slice(os, {0, 0}, {1, 1}, {batch, n - 1})}, 1)
              : broadcast_to(one, {batch, n});
    auto after = std::make_shared<std::vector<std::uint8_t>>(static_cast<std::size_t>(batch * n * n));
    auto upper = std::make_shared<std::vector<std::uint8_t>>(after->size());
    for (std::int64_t b = 0; b < batch; ++b)
      for (std::int64_t j = 0; j < n; ++j)
        for (std::int64_t i = 0; i < n; ++i) {
          (*after)[static_cast<std::size_t>((b * n + j) * n + i)] = i > j;
          (*upper)[static_cast<std::size_t>((b * n + j) * n + i)] = i >= j;
        }
    const Shape cube{batch, n, n};
    const Var rows = broadcast_to(reshape(xs, {batch, 1, n}), cube);
    const Var runs = cumprod(select(after, rows, broadcast_to(one, cube)), 2);
    R = select(upper, runs, zeros(runs.dtype(), cube));
  }
  Var to_x(const Var& v) const { return transpose(reshape(v, moved), inverse_perm(perm)); }
  Var from_x(const Var& v) const { return reshape(transpose(v, perm), {batch, n}); }

  Var jvp(const Var& t) const { return to_x(matmul(reshape(E * from_x(t), {batch, 1, n}), R)); }
  Var vjp(const Var& ct) const {
    const Var s = reshape(matmul(engine::conj(R), reshape(from_x(ct), {batch, n, 1})), {batch, n});
    return to_x(engine::conj(E) * s);
  }
};

Var jvp_rule(const Node& n, const std::vector<Var>& t, bool recording) {
  const Var& x = n.in.empty() ? n.out : n.in[0];
  switch (n.prim) {
    case Prim::Watch: return t[0];
    case Prim::Unary: {
      const auto op = static_cast<UnaryOp>(n.op);
      if (recording) return unary_jvp_vars[n.op](x, n.out, t[0]);
      return constant(unary_jvp(op, x.data(), n.out.data(), t[0].data()));
    }
    case Prim::Binary: {
      const auto op = static_cast<BinaryOp>(n.op);
      Var r;
      for (int w = 0; w < 2; ++w) {
        if (!t[w]) continue;
        Var term = recording ? binary_partial_vars[n.op](w, n.in[0], n.in[1], n.out) * t[w]
                             : constant(binary_jvp(op, w, n.in[0].data(), n.in[1].data(), n.out.data(), t[w].data()));
        r = r ? r + term : term;
      }
      return broadcast_to(r, n.out.shape());
    }
    case Prim::Cast: return cast(t[0], n.dtype);
    case Prim::BroadcastTo: return broadcast_to(t[0], n.shape);
    case Prim::Reshape: return reshape(t[0], n.shape);
    case Prim::Transpose: return transpose(t[0], n.ints);
    case Prim::Sum: return sum(t[0], n.ints);
    case Prim::Prod: return sum(prod_others_var(x, n.ints, recording) * t[0], n.ints);
    case Prim::Slice: return slice(t[0], n.ints, n.ints2, n.shape);
    case Prim::SliceScatter: return slice_scatter(t[0], n.shape, n.ints, n.ints2);
    case Prim::Concat: {
      std::vector<Var> parts;
      for (std::size_t i = 0; i < n.in.size(); ++i) parts.push_back(t[i] ? t[i] : zeros(n.in[i].dtype(), n.in[i].shape()));
      return concat(parts, n.ints[0]);
    }
    case Prim::Select: {
      if (!t[0] && !t[1]) return Var();
      const Var a = t[0] ? t[0] : scalar_like(n.out, 0.0);
      const Var b = t[1] ? t[1] : scalar_like(n.out, 0.0);
      return n.in.size() == 3 ? select(n.in[2], a, b) : select(n.mask, broadcast_to(a, n.out.shape()), broadcast_to(b, n.out.shape()));
    }
    case Prim::Compare: return Var();
    case Prim::Custom: return n.custom->jvp(n.in, n.out, t);
    case Prim::Gather: return gather(t[0], n.index, n.ints[0], n.shape);
    case Prim::ScatterAdd: return scatter_add(t[0], n.index, n.ints[0], n.shape);
    case Prim::Cumsum: return cumsum(t[0], n.ints[0], n.ints[1] != 0);
    case Prim::Cumprod:
      if (recording) return CumprodDerivative(x, n.out, n.ints[0]).jvp(t[0]);
      return constant(cumprod_jvp(x.data(), n.out.data(), cast(t[0], x.dtype()).data(), n.ints[0]));
    case Prim::Matmul: {
      Var r;
      if (t[0]) r = matmul(t[0], n.in[1]);
      if (t[1]) r = r ? r + matmul(n.in[0], t[1]) : matmul(n.in[0], t[1]);
      return r;
    }
  }
  throw std::logic_error("jvp: unknown primitive");
}

// Cotangent contributions to each input ("adjoint" convention), before they are
// cast and summed to the input's shape.
std::vector<Var> vjp_rule(const Node& n, const Var& ct, const std::vector<bool>& needed, bool recording) {
  std::vector<Var> r(n.in.size());
  const Var& x = n.in.empty() ? n.out : n.in[0];
  switch (n.prim) {
    case Prim::Watch: r[0] = ct; break;
    case Prim::Unary: {
      const auto op = static_cast<UnaryOp>(n.op);
      r[0] = recording ? unary_vjp_vars[n.op](x, n.out, ct) : constant(unary_vjp(op, x.data(), n.out.data(), ct.data()));
      break;
    }
    case Prim::Binary: {
      const auto op = static_cast<BinaryOp>(n.op);
      for (int w = 0; w < 2; ++w) {
        if (!needed[w]) continue;
        r[w] = recording ? engine::conj(binary_partial_vars[n.op](w, n.in[0], n.in[1], n.out)) * ct
                         : constant(binary_vjp(op, w, n.in[0].data(), n.in[1].data(), n.out.data(), ct.data()));
      }
      break;
    }
    case Prim::Cast: r[0] = cast(ct, x.dtype()); break;
    case Prim::BroadcastTo: r[0] = ct; break;  // summed to shape by the caller
    case Prim::Reshape: r[0] = reshape(ct, x.shape()); break;
    case Prim::Transpose: r[0] = transpose(ct, inverse_perm(n.ints)); break;
    case Prim::Sum: r[0] = broadcast_to(reshape(ct, kept_shape(x.shape(), n.ints)), x.shape()); break;
    case Prim::Prod:
      r[0] = broadcast_to(reshape(ct, kept_shape(x.shape(), n.ints)), x.shape()) *
             engine::conj(prod_others_var(x, n.ints, recording));
      break;
    case Prim::Slice: r[0] = slice_scatter(ct, x.shape(), n.ints, n.ints2); break;
    case Prim::SliceScatter: r[0] = slice(ct, n.ints, n.ints2, x.shape()); break;
    case Prim::Concat: {
      const std::int64_t axis = n.ints[0];
      std::int64_t offset = 0;
      for (std::size_t i = 0; i < n.in.size(); ++i) {
        const Shape& s = n.in[i].shape();
        if (needed[i]) {
          std::vector<std::int64_t> start(s.size(), 0), step(s.size(), 1);
          start[axis] = offset;
          r[i] = slice(ct, start, step, s);
        }
        offset += s[axis];
      }
      break;
    }
    case Prim::Select: {
      if (n.in.size() == 3) {
        const Var z = scalar_like(ct, 0.0);
        if (needed[0]) r[0] = select(n.in[2], ct, z);
        if (needed[1]) r[1] = select(n.in[2], z, ct);
      } else {
        const Var z = zeros(ct.dtype(), ct.shape());
        if (needed[0]) r[0] = select(n.mask, ct, z);
        if (needed[1]) r[1] = select(n.mask, z, ct);
      }
      break;
    }
    case Prim::Compare: break;
    case Prim::Gather: r[0] = scatter_add(ct, n.index, n.ints[0], x.shape()); break;
    case Prim::ScatterAdd: r[0] = gather(ct, n.index, n.ints[0], x.shape()); break;
    case Prim::Cumsum: r[0] = cumsum(ct, n.ints[0], n.ints[1] == 0); break;
    case Prim::Cumprod:
      r[0] = recording ? CumprodDerivative(x, n.out, n.ints[0]).vjp(ct)
                       : constant(cumprod_vjp(x.data(), n.out.data(), cast(ct, x.dtype()).data(), n.ints[0]));
      break;
    case Prim::Custom: {
      r = n.custom->vjp(n.in, n.out, ct, needed);
      if (r.size() != n.in.size())
        throw std::invalid_argument(n.custom->name() + ": its VJP rule returned " + std::to_string(r.size()) +
                                    " cotangents for " + std::to_string(n.in.size()) + " inputs");
      break;
    }
    case Prim::Matmul:
      if (recording) {
        if (needed[0]) r[0] = matmul(ct, engine::conj(swap_last(n.in[1])));
        if (needed[1]) r[1] = matmul(engine::conj(swap_last(n.in[0])), ct);
      } else {
        if (needed[0]) r[0] = constant(engine::matmul(ct.data(), n.in[1].data(), MatOp::none, MatOp::adjoint));
        if (needed[1]) r[1] = constant(engine::matmul(n.in[0].data(), ct.data(), MatOp::adjoint, MatOp::none));
      }
      break;
  }
  return r;
}

// Brings a contribution to the dtype and shape of the value it belongs to.
// A sweep reads a node's values; a tape keeps them while a sweep may come, so a
// node without them belongs to a transform that returned before this sweep
// (a vjp function carried out of the transform it was made in).
void check_values(const Node& n) {
  if (n.out && !n.out.data().raw()) raise_escaped(n.out.p->origin ? n.out.p->origin : "a transform");
}

Var fit(const Var& c, const Var& to) { return sum_to_shape(cast(c, to.dtype()), to.shape()); }

void accumulate(Var& slot, const Var& c) { slot = slot ? slot + c : c; }

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
  std::vector<bool> needed;
  for (std::int64_t i = end - 1; i >= start; --i) {
    const std::size_t k = static_cast<std::size_t>(i - start);
    if (!ct[k] || keep[k]) continue;
    const Node& n = tape.nodes[static_cast<std::size_t>(i)];
    needed.assign(n.in.size(), false);
    bool any = false;
    for (std::size_t j = 0; j < n.in.size(); ++j) {
      needed[j] = on_tape(n.in[j], tape) && n.in[j].p->node >= start;
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
