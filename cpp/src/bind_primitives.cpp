// The primitives' Python entry points, made from the table: each entry is
// bound under its name and takes its operands, then its attributes, converted
// by the type of attributes it declares. Nothing here names a primitive.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <variant>

#include "bindings.hpp"
#include "ops.hpp"
#include "primitive.hpp"

namespace py = pybind11;

namespace wirtinger::engine {
namespace {

std::shared_ptr<const std::vector<std::uint8_t>> mask_from(py::handle m, const char* op) {
  auto a = py::array_t<bool, py::array::c_style | py::array::forcecast>::ensure(m);
  if (!a) throw py::type_error(std::string(op) + ": the condition must be convertible to a boolean array");
  auto v = std::make_shared<std::vector<std::uint8_t>>(static_cast<std::size_t>(a.size()));
  for (py::ssize_t i = 0; i < a.size(); ++i) (*v)[static_cast<std::size_t>(i)] = a.data()[i];
  return v;
}

// Block indices from NumPy (the engine checks them against the blocks they address).
Index index_from(py::handle a, const char* op) {
  auto arr = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
  if (!arr) throw py::type_error(std::string(op) + ": indices must be convertible to an int64 array");
  return std::make_shared<std::vector<std::int64_t>>(arr.data(), arr.data() + arr.size());
}

// Fills an entry's blank attributes from the call's arguments after its operands.
struct FromArguments {
  const py::args& args;
  std::size_t& at;
  const char* op;

  py::handle next() const {
    if (at >= args.size())
      throw py::type_error(std::string(op) + ": missing attribute (argument " + std::to_string(at + 1) + ")");
    return args[at++];
  }
  template <class T> T next_as() const { return next().cast<T>(); }

  void operator()(attr::None&) const {}
  void operator()(attr::Elementwise& a) const { a.op = next_as<int>(); }
  void operator()(attr::ToDType& a) const {
    a.dtype = dtype_from(py::dtype::from_args(py::reinterpret_borrow<py::object>(next())));
  }
  void operator()(attr::ToShape& a) const { a.shape = next_as<Shape>(); }
  void operator()(attr::Permutation& a) const { a.perm = next_as<std::vector<std::int64_t>>(); }
  void operator()(attr::Axes& a) const { a.axes = next_as<std::vector<std::int64_t>>(); }
  void operator()(attr::Strided& a) const {
    a.start = next_as<std::vector<std::int64_t>>();
    a.step = next_as<std::vector<std::int64_t>>();
    a.shape = next_as<Shape>();
  }
  void operator()(attr::Along& a) const {
    a.axis = next_as<std::int64_t>();
    if (at < args.size()) a.reverse = next_as<bool>();
  }
  void operator()(attr::FixedMask& a) const { a.mask = mask_from(next(), op); }
  void operator()(attr::Blocks& a) const {
    a.index = index_from(next(), op);
    a.inner = next_as<std::int64_t>();
    a.shape = next_as<Shape>();
  }
  void operator()(attr::Rule&) const { throw std::logic_error(std::string(op) + ": a custom rule is not an attribute of a call"); }
  void operator()(attr::MatOps& a) const {
    a.a = next_as<int>();
    a.b = next_as<int>();
  }
};

// The attribute kinds by name, in the order of Attributes' alternatives.
const char* const kind_names[] = {"none",  "elementwise", "to_dtype", "to_shape", "permutation", "axes",
                                  "strided", "along",     "fixed_mask", "blocks", "rule", "mat_ops"};
static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == std::variant_size_v<Attributes>);

const char* batching_name(Batching b) {
  switch (b) {
    case Batching::Elementwise: return "elementwise";
    case Batching::LeadingAxis: return "leading_axis";
    case Batching::Contraction: return "contraction";
  }
  return "?";
}

// An entry as bound: the package's batching rule for it, called with the
// entry's arguments when an operand is not an engine value (a batched value of
// vmap); set by the package at import (set_batching_rule).
struct Bound {
  Prim prim;
  const Entry* entry;
  py::object batching_rule;
};

py::object apply(const Bound& b, const py::args& args) {
  const Entry& e = *b.entry;
  const char* op = e.name;
  std::vector<Var> in;
  std::size_t at = 0;
  bool batched = false;
  const auto take = [&](py::handle h) {
    py::detail::make_caster<Var> var;
    if (var.load(h, false)) in.push_back(py::detail::cast_op<const Var&>(var));
    else batched = true;
  };
  if (e.arity < 0) {
    if (args.size() < 1) throw py::type_error(std::string(op) + ": takes a list of operands first");
    for (py::handle h : args[0]) take(h);
    at = 1;
  } else {
    if (args.size() < static_cast<std::size_t>(e.arity))
      throw py::type_error(std::string(op) + ": takes " + std::to_string(e.arity) + " operands, got " +
                           std::to_string(args.size()) + " arguments");
    for (; at < static_cast<std::size_t>(e.arity); ++at) take(args[at]);
  }
  if (batched) {
    if (!b.batching_rule) throw py::type_error(std::string(op) + ": operands must be engine values");
    return b.batching_rule(*args);
  }
  Attributes a = e.attributes;
  std::visit(FromArguments{args, at, op}, a);
  if (at != args.size())
    throw py::type_error(std::string(op) + ": takes " + std::to_string(at) + " arguments, got " + std::to_string(args.size()));
  const Node n(b.prim, std::move(a), std::move(in));
  Var out;
  {
    py::gil_scoped_release release;
    out = primitive(b.prim).eval(n, n.in);
  }
  return py::cast(std::move(out));
}

}  // namespace

void bind_primitives(py::module_& m) {
  // Never destroyed: the rules are Python objects, which must outlive no interpreter.
  static auto* bound = new std::vector<Bound>();
  for (int i = 0; i < static_cast<int>(Prim::count_); ++i)
    for (const Entry& e : primitive(static_cast<Prim>(i)).entries) bound->push_back({static_cast<Prim>(i), &e, {}});
  py::list table;
  for (std::size_t k = 0; k < bound->size(); ++k) {
    const Entry& e = *(*bound)[k].entry;
    m.def(e.name, [k](const py::args& args) { return apply((*bound)[k], args); });
    table.append(py::make_tuple(e.name, e.arity, kind_names[e.attributes.index()], batching_name(e.batching)));
  }
  // (name, arity, attribute kind, batching) of every entry, for the package's batching rules.
  m.attr("primitives") = table;
  m.def("set_batching_rule", [](const std::string& name, py::object rule) {
    for (auto& b : *bound)
      if (name == b.entry->name) {
        b.batching_rule = std::move(rule);
        return;
      }
    throw py::value_error("set_batching_rule: no primitive entry " + name);
  });
}

}  // namespace wirtinger::engine
