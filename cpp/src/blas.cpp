// Matrix products through BLAS (OpenBLAS from the scipy-openblas32 wheel), one
// gemm per batch entry.
#include <cblas.h>

#include "kernels.hpp"

namespace wirtinger::engine {

namespace {
CBLAS_TRANSPOSE flag(MatOp op) {
  return op == MatOp::none ? CblasNoTrans : (op == MatOp::transpose ? CblasTrans : CblasConjTrans);
}

template <class T>
void gemm(MatOp op_a, MatOp op_b, blasint m, blasint n, blasint k, const T* a, blasint lda, const T* b, blasint ldb,
          T* c) {
  const auto ta = flag(op_a), tb = flag(op_b);
  if constexpr (std::is_same_v<T, float>) {
    scipy_cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, n);
  } else if constexpr (std::is_same_v<T, double>) {
    scipy_cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, n);
  } else {
    const T one(1), zero(0);
    if constexpr (std::is_same_v<T, std::complex<float>>)
      scipy_cblas_cgemm(CblasRowMajor, ta, tb, m, n, k, &one, a, lda, b, ldb, &zero, c, n);
    else
      scipy_cblas_zgemm(CblasRowMajor, ta, tb, m, n, k, &one, a, lda, b, ldb, &zero, c, n);
  }
}
}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b, MatOp op_a, MatOp op_b) {
  const int r = a.ndim();
  const std::int64_t ra = a.shape[r - 2], ca = a.shape[r - 1], rb = b.shape[r - 2], cb = b.shape[r - 1];
  const std::int64_t m = op_a == MatOp::none ? ra : ca, k = op_a == MatOp::none ? ca : ra;
  const std::int64_t n = op_b == MatOp::none ? cb : rb;
  Shape shape = a.shape;
  shape[r - 2] = m;
  shape[r - 1] = n;
  const std::int64_t batch = numel(Shape(a.shape.begin(), a.shape.end() - 2));
  if (numel(shape) == 0) return Tensor::empty(a.dtype, shape);
  if (k == 0) return Tensor::zeros(a.dtype, shape);
  const std::int64_t limit = 2147483647;
  if (ra > limit || ca > limit || rb > limit || cb > limit)
    throw std::invalid_argument("matmul: a dimension exceeds the 32-bit BLAS limit");
  Tensor out = Tensor::empty(a.dtype, shape);
  dispatch(a.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T *ap = a.data<T>(), *bp = b.data<T>();
    T* op = out.data<T>();
    for (std::int64_t i = 0; i < batch; ++i)
      gemm<T>(op_a, op_b, static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), ap + i * ra * ca,
              static_cast<blasint>(ca), bp + i * rb * cb, static_cast<blasint>(cb), op + i * m * n);
  });
  return out;
}

}  // namespace wirtinger::engine
