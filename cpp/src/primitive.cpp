// The table of primitives, in the order of Prim.
#include "primitive.hpp"

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

const char* prim_name(Prim p) { return primitive(p).name; }

std::string step_name(const Node& n) {
  const Primitive& def = primitive(n.prim);
  return def.member_name ? def.member_name(n) : def.name;
}

}  // namespace wirtinger::engine
