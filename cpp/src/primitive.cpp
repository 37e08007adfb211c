// The table of primitives, in the order of Prim.
#include "primitive.hpp"

#include <cstdint>

namespace wirtinger::engine {

#define WIRT_DECLARE(P, decl) extern const Primitive decl##_primitive;
WIRTINGER_PRIMITIVES(WIRT_DECLARE)
#undef WIRT_DECLARE

const Primitive& primitive(Prim p) {
  static const Primitive* const table[] = {
#define WIRT_ENTRY(P, decl) &decl##_primitive,
      WIRTINGER_PRIMITIVES(WIRT_ENTRY)
#undef WIRT_ENTRY
  };
  static_assert(sizeof(table) / sizeof(table[0]) == static_cast<std::size_t>(Prim::count_));
  return *table[static_cast<std::size_t>(p)];
}

namespace {
void add(std::string& k, std::int64_t v) {
  k += std::to_string(v);
  k += ',';
}
void add(std::string& k, const std::vector<std::int64_t>& v) {
  for (auto x : v) add(k, x);
  k += ';';
}
void add(std::string& k, const void* p) { add(k, static_cast<std::int64_t>(reinterpret_cast<std::intptr_t>(p))); }

struct KeyOf {
  std::string& k;
  void operator()(const attr::None&) const {}
  void operator()(const attr::Elementwise& a) const { add(k, a.op); }
  void operator()(const attr::ToDType& a) const { add(k, static_cast<std::int64_t>(a.dtype)); }
  void operator()(const attr::ToShape& a) const { add(k, a.shape); }
  void operator()(const attr::Permutation& a) const { add(k, a.perm); }
  void operator()(const attr::Axes& a) const { add(k, a.axes); }
  void operator()(const attr::Strided& a) const {
    add(k, a.start);
    add(k, a.step);
    add(k, a.shape);
  }
  void operator()(const attr::Along& a) const {
    add(k, a.axis);
    add(k, a.reverse ? 1 : 0);
  }
  void operator()(const attr::FixedMask& a) const { add(k, a.mask.get()); }
  void operator()(const attr::Blocks& a) const {
    add(k, a.index.get());
    add(k, a.inner);
    add(k, a.shape);
  }
  void operator()(const attr::Rule& a) const { add(k, a.rule.get()); }
  void operator()(const attr::MatOps& a) const {
    add(k, a.a);
    add(k, a.b);
  }
};
}  // namespace

std::string attributes_key(const Attributes& a) {
  std::string k = std::to_string(a.index()) + ":";
  std::visit(KeyOf{k}, a);
  return k;
}

const char* prim_name(Prim p) { return primitive(p).name; }

std::string step_name(const Node& n) {
  const Primitive& def = primitive(n.prim);
  return def.member_name ? def.member_name(n) : def.name;
}

}  // namespace wirtinger::engine
