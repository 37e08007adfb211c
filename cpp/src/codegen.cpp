// jit's compiled tier: the C++ source of one fused group (fusion.cpp) as a
// single loop over elements. Every step's value stays in registers from one
// step to the next, where the block kernels write and read a block of memory
// per step. Each step is the expression its block kernel evaluates (blocks.cpp),
// in the same fast scalar types, so a block the loop computes is what the
// kernels compute; a block in which a step evaluated in a fast complex type
// comes out inf or nan is handed back to the kernels (run_group), which redo
// such elements in std::complex.
#include <cmath>
#include <complex>
#include <sstream>
#include <string>
#include <vector>

#include "kernels.hpp"
#include "program.hpp"

namespace wirtinger::engine {
namespace {

const char* const unary_rules[] = {
#define WIRT_ENTRY(name, R) #R,
    WIRTINGER_UNARY_RULES(WIRT_ENTRY)
#undef WIRT_ENTRY
};
const char* const binary_rules[] = {
#define WIRT_ENTRY(name, R) #R,
    WIRTINGER_BINARY_RULES(WIRT_ENTRY)
#undef WIRT_ENTRY
};

// Values and memory alike are typed as the fast types (memory included: they
// have std::complex's layout, and GCC vectorises no load of a std::complex part).
const char* fast(DType d) {
  switch (d) {
    case DType::f32: return "float";
    case DType::f64: return "double";
    case DType::c64: return "vm::cx<float>";
    default: return "vm::cx<double>";
  }
}

// Loads and stores part by part: GCC vectorises no copy of a whole struct.
std::string load(DType d, const std::string& at) {
  if (!is_complex(d)) return at;
  return std::string(fast(d)) + "(" + at + ".re, " + at + ".im)";
}
std::string store(const std::string& at, DType d, const std::string& value) {
  if (!is_complex(d)) return at + " = " + value + ";\n";
  return "{ const auto w = " + value + "; " + at + ".re = w.re; " + at + ".im = w.im; }\n";
}

const char* cmp_op(CmpOp op) {
  switch (op) {
    case CmpOp::less: return "<";
    case CmpOp::less_equal: return "<=";
    case CmpOp::greater: return ">";
    case CmpOp::greater_equal: return ">=";
    case CmpOp::equal: return "==";
    default: return "!=";
  }
}

// The value of operand j of s where it is a one-element constant of the trace.
bool constant_value(const Program::Step& s, std::size_t j, std::complex<double>& value) {
  if (s.src[j] >= 0 || s.node.in[j].data().size() != 1) return false;
  value = *cast(s.node.in[j].data(), DType::c128).data<std::complex<double>>();
  return true;
}

// A power's exponent when it is a constant integer that wpow (rules.hpp) takes
// by multiplication, else no_exponent.
constexpr int no_exponent = 1 << 30;
int integer_exponent(const Program::Step& s, DType d) {
  std::complex<double> b;
  if (!constant_value(s, 1, b)) return no_exponent;
  const double limit = is_complex(d) ? 99 : 8;
  if (b.imag() != 0 || b.real() != std::floor(b.real()) || std::fabs(b.real()) > limit) return no_exponent;
  return static_cast<int>(b.real());
}

// The real part of a complex step whose result is real (imaginary part 0) when
// its operands are: a real value cast to complex, conj, +, −, × and ÷ of such
// values, a selection between two; "" otherwise. r: the operands' real parts.
std::string real_form(const Node& n, const StepTypes& t, const std::string* r, const std::string* a) {
  switch (n.prim) {
    case Prim::Cast: {
      const std::string real = is_complex(t.in_dtype[0]) ? r[0] : a[0];
      return real.empty() ? real : "static_cast<" + std::string(fast(real_dtype(t.out_dtype))) + ">(" + real + ")";
    }
    case Prim::Unary:
      return static_cast<UnaryOp>(n.get<attr::Elementwise>().op) == UnaryOp::conj ? r[0] : std::string();
    case Prim::Binary: {
      if (r[0].empty() || r[1].empty()) return "";
      switch (static_cast<BinaryOp>(n.get<attr::Elementwise>().op)) {
        case BinaryOp::add: return "(" + r[0] + " + " + r[1] + ")";
        case BinaryOp::subtract: return "(" + r[0] + " - " + r[1] + ")";
        case BinaryOp::multiply: return "(" + r[0] + " * " + r[1] + ")";
        case BinaryOp::divide: return "(" + r[0] + " / " + r[1] + ")";
        default: return "";
      }
    }
    case Prim::Select:
      if (n.in.size() != 3 || r[0].empty() || r[1].empty()) return "";
      return "(" + a[2] + " != 0 ? " + r[0] + " : " + r[1] + ")";
    default: return "";
  }
}

// A complex product or quotient with one real-valued operand, part by part:
// where every operand is finite, the complex formula's terms with the zero
// imaginary part vanish (but for the sign of a zero); where one is not, a part
// comes out inf or nan here too and the block goes back to the kernels.
std::string scaled_form(const Node& n, const std::string* r, const std::string* a, const std::string& fo) {
  if (n.prim != Prim::Binary) return "";
  const auto op = static_cast<BinaryOp>(n.get<attr::Elementwise>().op);
  if (op == BinaryOp::multiply && !r[1].empty())
    return fo + "(" + a[0] + ".re * " + r[1] + ", " + a[0] + ".im * " + r[1] + ")";
  if (op == BinaryOp::multiply && !r[0].empty())
    return fo + "(" + r[0] + " * " + a[1] + ".re, " + r[0] + " * " + a[1] + ".im)";
  if (op == BinaryOp::divide && !r[1].empty())
    return fo + "(" + a[0] + ".re / " + r[1] + ", " + a[0] + ".im / " + r[1] + ")";
  return "";
}

// Per step: whether its inf or nan values need no test of their own, since
// every step that reads it is tested and carries them into its result (complex
// +, −, ×, conj, negation, abs: an inf or nan operand part gives an inf or nan
// result part, where ÷, a selection or a cast may not). Values written out or
// summed are tested.
std::vector<bool> covered_by_readers(const Program& p, const Program::Group& g) {
  const std::size_t m = g.ins.size();
  std::vector<bool> read(m, false), covered(m, true);
  for (std::size_t j = 0; j < m; ++j) {
    const Node& n = p.steps[static_cast<std::size_t>(g.first) + j].node;
    bool carries = false;
    if (!g.sink[j] && is_complex(g.types[j].in_dtype[0])) {
      if (n.prim == Prim::Binary) {
        const auto op = static_cast<BinaryOp>(n.get<attr::Elementwise>().op);
        carries = op == BinaryOp::add || op == BinaryOp::subtract || op == BinaryOp::multiply;
      } else if (n.prim == Prim::Unary) {
        const auto op = static_cast<UnaryOp>(n.get<attr::Elementwise>().op);
        carries = op == UnaryOp::conj || op == UnaryOp::negative || op == UnaryOp::abs;
      }
    }
    for (const auto& in : g.ins[j])
      if (in.internal >= 0) {
        read[static_cast<std::size_t>(in.internal)] = true;
        if (!carries) covered[static_cast<std::size_t>(in.internal)] = false;
      }
  }
  for (std::size_t i = 0; i < m; ++i) covered[i] = covered[i] && read[i] && !g.kept[i];
  return covered;
}

}  // namespace

std::string group_source(const Program& p, const Program::Group& g) {
  const std::size_t m = g.ins.size();
  if (g.size < 2) return "";  // every operand a scalar: the kernels evaluate those in std::complex
  std::ostringstream head, body;
  head << "#include \"codegen_prelude.hpp\"\n"
          "WIRT_GROUP_ONES\n"
          "WIRT_GROUP_KERNEL int wirt_group(const char* const* x, char* const* y, std::int64_t b, std::int64_t n) {\n"
          "  using namespace wk;\n"
          "  std::uint64_t bad = 0;\n";
  std::size_t next_outside = 0;
  std::vector<bool> real_valued(m, false);  // complex steps with a zero imaginary part: r<i>
  const std::vector<bool> unchecked = covered_by_readers(p, g);
  // Step i's value v<i> written to y[i] + b where it is read after the group.
  auto write_out = [&](std::size_t i, DType out) {
    if (!g.kept[i]) return;
    head << "  " << fast(out) << "* const y" << i << " = reinterpret_cast<" << fast(out) << "*>(y[" << i << "]) + b;\n";
    body << "    " << store("y" + std::to_string(i) + "[i]", out, "v" + std::to_string(i));
  };
  for (std::size_t i = 0; i < m; ++i) {
    const std::size_t k = static_cast<std::size_t>(g.first) + i;
    const Program::Step& s = p.steps[k];
    const StepTypes& t = g.types[i];
    // Operands as values of their fast types: a step of the group, or memory;
    // and r[j], for a complex operand whose imaginary part is known to be 0 (a
    // real value cast to complex, a real constant), its real part.
    std::string a[3], r[3];
    for (std::size_t j = 0; j < g.ins[i].size(); ++j) {
      const Program::Group::In& in = g.ins[i][j];
      const DType d = t.in_dtype[j];
      if (in.internal >= 0) {
        a[j] = "v" + std::to_string(in.internal);
        if (real_valued[static_cast<std::size_t>(in.internal)]) r[j] = "r" + std::to_string(in.internal);
        continue;
      }
      const std::string xs = "x" + std::to_string(next_outside);
      head << "  const " << fast(d) << "* " << xs << " = reinterpret_cast<const " << fast(d) << "*>(x["
           << next_outside << "])" << (in.stride ? " + b" : "") << ";\n";
      if (in.stride) {
        a[j] = load(d, xs + "[i]");
      } else {
        // A scalar multiplied by 1 from memory in every iteration: GCC vectorises
        // no select whose condition is a loop invariant (a rule's branch on a
        // constant operand), and cannot hoist this one.
        const std::string c = "c" + std::to_string(next_outside);
        head << "  const " << fast(d) << " " << c << "_ = scalar_cast<" << fast(d) << ">(" << xs << "[0]);\n";
        const std::string one = is_single(d) ? " * onesf[i]" : " * ones[i]";
        if (is_complex(d))
          body << "    const " << fast(d) << " " << c << "(" << c << "_.re" << one << ", " << c << "_.im" << one << ");\n";
        else
          body << "    const " << fast(d) << " " << c << " = " << c << "_" << one << ";\n";
        a[j] = c;
        std::complex<double> value;
        if (is_complex(d) && constant_value(s, j, value) && value.imag() == 0) r[j] = c + ".re";
      }
      ++next_outside;
    }
    const std::string v = "v" + std::to_string(i);
    const DType out = p.dtype[k];
    if (g.sink[i]) {
      // Its operand's elements, for run_group to add up as the kernels do.
      if (g.ins[i][0].internal >= 0) {
        head << "  " << fast(out) << "* const s" << i << " = reinterpret_cast<" << fast(out) << "*>(y[" << i
             << "]);\n";
        body << "    " << store("s" + std::to_string(i) + "[i]", out, a[0]);
      }
      continue;
    }
    const std::string fo = fast(out);
    const std::string lifted = is_complex(out) ? real_form(s.node, t, r, a) : "";
    if (!lifted.empty()) {
      // Computed on real parts alone: the same values where every operand is
      // finite, but for the sign of a zero imaginary part.
      const std::string rv = "r" + std::to_string(i);
      real_valued[i] = true;
      body << "    const " << fast(real_dtype(out)) << " " << rv << " = " << lifted << ";\n";
      body << "    const " << fo << " " << v << "(" << rv << ", 0);\n";
      if (s.node.prim != Prim::Cast && !unchecked[i])
        body << "    " << (is_single(out) ? "nf32" : "nf64") << " += " << rv << " - " << rv << ";\n";
      write_out(i, out);
      continue;
    }
    const std::string mixed = is_complex(out) ? scaled_form(s.node, r, a, fo) : "";
    body << "    const " << fo << " " << v << " = ";
    bool check = false;
    if (!mixed.empty()) {
      body << mixed;
      check = true;
    } else switch (s.node.prim) {
      case Prim::Unary: {
        const auto op = static_cast<UnaryOp>(s.node.get<attr::Elementwise>().op);
        if (unary_real_only(op) && is_complex(t.in_dtype[0])) return "";
        body << "scalar_cast<" << fo << ">(value_of<rules::" << unary_rules[static_cast<int>(op)] << ">(" << a[0]
             << "))";
        check = is_complex(t.in_dtype[0]);
        break;
      }
      case Prim::Binary: {
        const auto op = static_cast<BinaryOp>(s.node.get<attr::Elementwise>().op);
        if (binary_real_only(op) && is_complex(t.in_dtype[0])) return "";
        const int n = op == BinaryOp::power ? integer_exponent(s, t.in_dtype[1]) : no_exponent;
        if (n != no_exponent)
          body << "scalar_cast<" << fo << ">(ipow<" << n << ">(" << a[0] << "))";
        else
          body << "scalar_cast<" << fo << ">(rules::" << binary_rules[static_cast<int>(op)] << "::value(" << a[0] << ", "
               << a[1] << "))";
        check = is_complex(t.in_dtype[0]);
        break;
      }
      case Prim::Cast:
        body << "scalar_cast<" << fo << ">(" << (!r[0].empty() && !is_complex(out) ? r[0] : a[0]) << ")";
        break;
      case Prim::BroadcastTo: body << "scalar_cast<" << fo << ">(" << a[0] << ")"; break;
      case Prim::Compare: {
        const auto op = static_cast<CmpOp>(s.node.get<attr::Elementwise>().op);
        if (is_complex(t.in_dtype[0])) {
          if (op != CmpOp::equal && op != CmpOp::not_equal) return "";
          const char* join = op == CmpOp::equal ? " && " : " || ";
          body << "((" << a[0] << ".re " << cmp_op(op) << " " << a[1] << ".re" << join << a[0] << ".im " << cmp_op(op)
               << " " << a[1] << ".im) ? " << fo << "(1) : " << fo << "(0))";
        } else {
          body << "((" << a[0] << " " << cmp_op(op) << " " << a[1] << ") ? " << fo << "(1) : " << fo << "(0))";
        }
        break;
      }
      case Prim::Select:
        if (s.node.in.size() != 3) return "";
        body << "(" << a[2] << " != " << fast(t.in_dtype[2]) << "(0) ? " << a[0] << " : " << a[1] << ")";
        break;
      default: return "";
    }
    body << ";\n";
    if (check && !unchecked[i]) {
      // x − x is 0 for finite x and nan otherwise: a few additions per value,
      // and one test per element at the end of the loop's body.
      const char* acc = is_single(out) ? "nf32" : "nf64";
      if (is_complex(out)) body << "    " << acc << " += (" << v << ".re - " << v << ".re) + (" << v << ".im - " << v << ".im);\n";
      else body << "    " << acc << " += " << v << " - " << v << ";\n";
    }
    write_out(i, out);
  }
  std::ostringstream src;
  src << head.str() << "  WIRT_IVDEP\n  for (std::int64_t i = 0; i < n; ++i) {\n    float nf32 = 0;\n    double nf64 = 0;\n"
      << body.str() << "    bad |= nonfinite_bit(nf32) | nonfinite_bit(nf64);\n  }\n  return bad != 0;\n}\n";
  return src.str();
}

}  // namespace wirtinger::engine
