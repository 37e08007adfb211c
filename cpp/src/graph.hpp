// The recorded program: a flat list of nodes in execution order. The eager
// record of a transform and a traced program are this same structure, and the
// forward (JVP) and backward (VJP) sweeps are plain loops over it.
//
// One tape is active per thread while any transform runs; nested transforms
// share it. A sweep run inside an enclosing transform records its own
// operations on the tape, so derivatives of derivatives come from sweeping
// again (PyTorch's create_graph, without a second mechanism).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "kernels.hpp"

namespace wirtinger::engine {

struct Value {
  Tensor data;
  std::int64_t node = -1;          // index on the tape that recorded it
  std::uint64_t tape = 0;          // id of that tape; 0 = a constant
  const char* origin = nullptr;    // the innermost transform running when it was recorded
};

// A handle to a value; the type array code and the rules are written against.
struct Var {
  std::shared_ptr<Value> p;

  Var() = default;
  explicit Var(Tensor t) : p(std::make_shared<Value>(Value{std::move(t), -1, 0})) {}
  explicit operator bool() const { return static_cast<bool>(p); }
  const Tensor& data() const { return p->data; }
  DType dtype() const { return p->data.dtype; }
  const Shape& shape() const { return p->data.shape; }
  int ndim() const { return p->data.ndim(); }
};

// Every primitive: its enumerator and its declaration (a Primitive named
// <name>_primitive in prims/, see primitive.hpp), which also says what the
// node's attributes mean for it.
#define WIRTINGER_PRIMITIVES(X)                                                                        \
  X(Watch, watch) X(Unary, unary) X(Binary, binary) X(Cast, cast) X(BroadcastTo, broadcast_to)        \
  X(Reshape, reshape) X(Transpose, transpose) X(Sum, sum) X(Prod, prod) X(Slice, slice)               \
  X(SliceScatter, slice_scatter) X(Concat, concat) X(Select, select) X(Compare, compare)              \
  X(Matmul, matmul) X(Gather, gather) X(ScatterAdd, scatter_add) X(Cumsum, cumsum) X(Cumprod, cumprod) \
  X(Custom, custom)

enum class Prim : std::uint8_t {
#define WIRT_ENUM(P, decl) P,
  WIRTINGER_PRIMITIVES(WIRT_ENUM)
#undef WIRT_ENUM
  count_
};
const char* prim_name(Prim p);

// A primitive whose derivative rules are supplied at run time. Its rules are
// written with Var operations, so they record (and are differentiable) inside
// enclosing transforms like every built-in rule. A missing tangent is zero.
struct CustomRule {
  virtual ~CustomRule() = default;
  virtual std::string name() const = 0;
  virtual Var jvp(const std::vector<Var>& in, const Var& out, const std::vector<Var>& t) = 0;
  // Cotangents ("adjoint" convention) for the inputs marked needed; empty = zero.
  virtual std::vector<Var> vjp(const std::vector<Var>& in, const Var& out, const Var& ct,
                               const std::vector<bool>& needed) = 0;
  // The primitive applied to new inputs (jit replays a traced program with it).
  virtual Var replay(const std::vector<Var>& in) = 0;
  // For a pure function of its inputs, a key that names it with its parameters
  // (a traced program computes two equal keys on equal inputs once); else empty.
  virtual std::string cse_key() const { return {}; }
};

// What a primitive was applied with: one type per kind of attribute, so that a
// node's meaning is visible in its type. Each primitive's declaration (prims/)
// says which it takes.
namespace attr {
struct None {};
struct Elementwise { int op = 0; };  // a function of the rule table (UnaryOp, BinaryOp) or a CmpOp
struct ToDType { DType dtype = DType::f64; };
struct ToShape { Shape shape; };
struct Permutation { std::vector<std::int64_t> perm; };
struct Axes { std::vector<std::int64_t> axes; };
// Elements start + k·step along each axis; shape: the slice's (a slice) or the
// whole array's (the slice scattered into zeros).
struct Strided { std::vector<std::int64_t> start, step; Shape shape; };
struct Along { std::int64_t axis = 0; bool reverse = false; };
struct FixedMask { std::shared_ptr<const std::vector<std::uint8_t>> mask; };
// Contiguous blocks of `inner` elements, addressed by index, into a result of shape.
struct Blocks { std::shared_ptr<const std::vector<std::int64_t>> index; std::int64_t inner = 1; Shape shape; };
struct Rule { std::shared_ptr<CustomRule> rule; };
// A matrix product's operands as BLAS reads them: 0 as stored, 1 transposed,
// 2 conjugate-transposed (MatOp), so adjoints need no transposed copies.
struct MatOps { int a = 0, b = 0; };
}  // namespace attr
using Attributes = std::variant<attr::None, attr::Elementwise, attr::ToDType, attr::ToShape, attr::Permutation,
                                attr::Axes, attr::Strided, attr::Along, attr::FixedMask, attr::Blocks, attr::Rule,
                                attr::MatOps>;
// Equal for equal attributes (constants compared by identity): jit merges steps by it.
std::string attributes_key(const Attributes& a);

struct Node {
  Prim prim = Prim::Watch;
  Attributes attrs;
  std::vector<Var> in;
  Var out;

  Node() = default;
  explicit Node(Prim p, Attributes a = attr::None{}, std::vector<Var> inputs = {})
      : prim(p), attrs(std::move(a)), in(std::move(inputs)) {}
  template <class A> const A& get() const { return std::get<A>(attrs); }
};

struct Tape {
  std::uint64_t id;
  std::deque<Node> nodes;  // a deque: sweeps append while they hold references
};

// Thread-local recording state.
struct Recorder {
  std::shared_ptr<Tape> tape;
  int depth = 0;
  bool enabled = true;
  struct Frame {
    const char* name;
    bool sweeps;         // sweeps will read the values recorded while it runs
    bool deferred;       // its sweeps may come after it returns (vjp's function)
    std::size_t start;   // the first node it recorded
  };
  std::vector<Frame> frames;  // the running transforms, innermost last
  int sweeping_frames = 0;    // how many of them sweep
  // Tapes being swept: their values are in use, whether or not their transforms
  // have returned (a vjp function called later, rules that differentiate again).
  std::vector<std::uint64_t> sweeping;
};
Recorder& recorder();

// A transform starts (the first one makes the thread's tape) or returns.
// The tape keeps a value only while some sweep may still read it: while no
// running transform sweeps (jit tracing alone) it records the structure of the
// program but not its values, which are then freed as eagerly; a transform's
// own sweeps record values that only enclosing transforms' sweeps read
// (finish_recording); and a transform that returns releases the values it
// recorded unless an enclosing one sweeps or its sweeps come later (deferred).
std::shared_ptr<Tape> enter_transform(const std::string& name, bool sweeps, bool deferred);

// Derivative rules broadcast their constants (a power's exponent, the seed of
// a sum's cotangent, a guard's fallback value) to the operand's shape. In an
// element-wise node (binary, compare, select) whose result's shape another
// operand carries, a constant that repeats one value is replaced by a 0-d
// copy of it: a trace then keeps a number, not an array, and a replay does not
// read the array on every call. constant[j]: whether operand j is a constant;
// shapes[j]: its shape (as traced). Nodes of other kinds are left as they are.
bool compacts_constants(const Node& n);
void compact_constants(Node& n, const std::vector<bool>& constant, const std::vector<Shape>& shapes,
                       const Shape& out);
void finish_recording();
void exit_transform();

// A value recorded on a tape whose transforms have all returned, used again:
// it escaped them (through a global, a list, a closure), and whatever it stood
// for is gone; the package raises UnexpectedTracerError for it.
struct Escaped : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The transform v escaped from, or nullptr where v is a constant or its tape is recording.
const char* escaped_from(const Var& v);
[[noreturn]] void raise_escaped(const char* origin);

// Whether v was recorded on tape t.
inline bool on_tape(const Var& v, const Tape& t) { return v && v.p->tape == t.id && v.p->node >= 0; }

// Produces a Var holding `out`, recording `node` when an input is on the active
// tape and recording is enabled.
Var record(Node node, Tensor out);

// Scoped change of Recorder::enabled.
struct RecordingGuard {
  bool saved;
  explicit RecordingGuard(bool enabled) : saved(recorder().enabled) { recorder().enabled = enabled; }
  ~RecordingGuard() { recorder().enabled = saved; }
};

}  // namespace wirtinger::engine
