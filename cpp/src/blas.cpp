// Matrix products through BLAS (OpenBLAS from the scipy-openblas32 wheel), one
// gemm per batch entry.
#include <cblas.h>

#include "kernels.hpp"

namespace wirtinger::engine {

namespace {
template <class T> void gemm(blasint m, blasint n, blasint k, const T* a, const T* b, T* c) {
  if constexpr (std::is_same_v<T, float>) {
    scipy_cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
  } else if constexpr (std::is_same_v<T, double>) {
    scipy_cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0, a, k, b, n, 0.0, c, n);
  } else {
    const T one(1), zero(0);
    if constexpr (std::is_same_v<T, std::complex<float>>)
      scipy_cblas_cgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, &one, a, k, b, n, &zero, c, n);
    else
      scipy_cblas_zgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, &one, a, k, b, n, &zero, c, n);
  }
}
}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  const int r = a.ndim();
  const std::int64_t m = a.shape[r - 2], k = a.shape[r - 1], n = b.shape[r - 1];
  Shape shape = a.shape;
  shape[r - 1] = n;
  Tensor out = Tensor::empty(a.dtype, shape);
  const std::int64_t batch = numel(Shape(a.shape.begin(), a.shape.end() - 2));
  if (out.size() == 0) return out;
  if (k == 0) return Tensor::zeros(a.dtype, shape);
  const std::int64_t limit = 2147483647;
  if (m > limit || n > limit || k > limit)
    throw std::invalid_argument("matmul: a dimension exceeds the 32-bit BLAS limit");
  dispatch(a.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T *ap = a.data<T>(), *bp = b.data<T>();
    T* op = out.data<T>();
    for (std::int64_t i = 0; i < batch; ++i)
      gemm<T>(static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), ap + i * m * k, bp + i * k * n,
              op + i * m * n);
  });
  return out;
}

}  // namespace wirtinger::engine
