// I_x(a, b), ₁F₁(a; b; x) and ₂F₁(a, b; c; x) against values computed with
// 40-digit arithmetic (mpmath), across the branches: continued fraction below and
// above the mean, large parameters, Kummer's and Pfaff's transformations, the
// connection to 1 − x, polynomials, poles, the large-x expansion.
#include <cmath>
#include <limits>

#include <wirtinger/wirtinger.hpp>

#include "check.hpp"

using namespace wirtinger::special;

namespace {

void close(double got, double want, double tol) {
  CHECK(std::fabs(got - want) <= tol * std::fabs(want));
}

}  // namespace

int main() {
  const double inf = std::numeric_limits<double>::infinity();
  close(betainc(0.5, 0.5, 0.3), 0.36901011956554537504, 4e-15);
  close(betainc(2, 3, 0.9), 0.9963000000000000024, 4e-15);
  close(betainc(10, 20, 0.2), 0.049263517304212517028, 4e-14);
  close(betainc(100, 200, 0.34), 0.60162293459242997201, 1e-13);
  close(betainc(0.1, 5, 1e-3), 0.61289835937499448419, 4e-15);
  close(betainc(1000, 1000, 0.49), 0.18555265943151144994, 1e-12);
  close(betainc(5, 0.2, 0.999), 0.62889007902661301768, 4e-15);
  CHECK(betainc(0, 1, 0) == 0 && betainc(0, 1, 0.5) == 1 && betainc(1, 0, 0.5) == 0 && betainc(1, 0, 1) == 1);
  CHECK(std::isnan(betainc(0, 0, 0.5)) && std::isnan(betainc(1, 1, 1.5)) && std::isnan(betainc(-1, 1, 0.5)));

  close(hyp1f1(0.5, 1.5, 2.0), 2.3644538928052092846, 4e-15);
  close(hyp1f1(1, 2, -3.0), 0.31673764387737868567, 4e-15);
  close(hyp1f1(-3, 2, 1.7), -0.30970833333333332617, 4e-15);
  close(hyp1f1(2.5, 0.5, -20), 9.3645079579458477317e-7, 1e-13);
  close(hyp1f1(1, 2, 50), 1.0369411057174144928e+20, 1e-14);
  close(hyp1f1(0.3, 4, 600), 3.9963631829603053702e+250, 1e-12);
  close(hyp1f1(-2.5, 1.5, 3.0), -0.20730054871891030125, 1e-13);
  close(hyp1f1(-1, -3, 2), 5.0 / 3, 4e-16);
  CHECK(hyp1f1(2, 3, 800) == inf && hyp1f1(1, -1, 1) == inf && hyp1f1(0, 0, 1) == inf);

  close(hyp2f1(0.5, 1.5, 2.25, 0.3), 1.121926327597399708, 4e-15);
  close(hyp2f1(1, 1, 2, 0.95), 3.153402393214726574, 4e-15);
  close(hyp2f1(1.5, 2, 3, -1e6), 3.9920059999975000017e-9, 4e-15);
  close(hyp2f1(2.3, 0.7, 1.4, 0.999), 33063.730838000762744, 1e-13);
  close(hyp2f1(-3, 2, 1.5, 7.0), -419.0, 4e-15);
  close(hyp2f1(0.3, 0.4, 1.7, -0.4), 0.97495735246927493728, 4e-15);
  close(hyp2f1(2, 3, 5, 0.9999), 80.580816832814682411, 4e-15);
  close(hyp2f1(1.1, 2.2, 3.3, -3.0), 0.32287410492878197131, 1e-14);
  close(hyp2f1(1, 1, 2, 0.999999), 13.815524373459892297, 4e-15);
  close(hyp2f1(1, 2, 4, 1.0), 3.0, 4e-15);
  CHECK(hyp2f1(1, 2, 3, 1.0) == inf && hyp2f1(1, 2, -1, 0.5) == inf && std::isnan(hyp2f1(1, 2, 3, 1.5)));
  close(hyp2f1(-1, 2, -3, 0.5), 4.0 / 3, 4e-16);
  return check::report("test_special_parametric");
}
