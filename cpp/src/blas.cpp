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
// y = op(A) x for a row-major A (rows x cols): matrix-vector products go
// through gemv, which streams A once, where gemm with one column packs a copy
// of it first (about 20 times slower for a 1024 x 1024 complex A).
template <class T>
void gemv(CBLAS_TRANSPOSE op, blasint rows, blasint cols, const T* a, blasint lda, const T* x, blasint incx, T* y,
          blasint incy) {
  if constexpr (std::is_same_v<T, float>) {
    scipy_cblas_sgemv(CblasRowMajor, op, rows, cols, 1.0f, a, lda, x, incx, 0.0f, y, incy);
  } else if constexpr (std::is_same_v<T, double>) {
    scipy_cblas_dgemv(CblasRowMajor, op, rows, cols, 1.0, a, lda, x, incx, 0.0, y, incy);
  } else {
    const T one(1), zero(0);
    if constexpr (std::is_same_v<T, std::complex<float>>)
      scipy_cblas_cgemv(CblasRowMajor, op, rows, cols, &one, a, lda, x, incx, &zero, y, incy);
    else
      scipy_cblas_zgemv(CblasRowMajor, op, rows, cols, &one, a, lda, x, incx, &zero, y, incy);
  }
}

// One product op_a(a) (m x k) @ op_b(b) (k x n) as a gemv where one side is a
// vector that needs no conjugation; false where gemm must do it.
template <class T>
bool as_gemv(MatOp op_a, MatOp op_b, blasint m, blasint n, blasint k, const T* a, blasint lda, const T* b,
             blasint ldb, T* c) {
  constexpr bool complex = !std::is_floating_point_v<T>;
  if (n == 1 && !(complex && op_b == MatOp::adjoint)) {
    // The column of op_b(b): stride ldb down b's rows, or 1 along b's only row.
    const blasint incx = op_b == MatOp::none ? ldb : 1;
    gemv<T>(flag(op_a), op_a == MatOp::none ? m : k, op_a == MatOp::none ? k : m, a, lda, b, incx, c, 1);
    return true;
  }
  if (m == 1 && !(complex && op_a == MatOp::adjoint) && !(complex && op_b == MatOp::adjoint)) {
    // c^T = op_b(b)^T a^T: b read transposed when op_b is none, directly when transposed.
    const blasint incx = op_a == MatOp::none ? 1 : lda;
    gemv<T>(op_b == MatOp::none ? CblasTrans : CblasNoTrans, op_b == MatOp::none ? k : n, op_b == MatOp::none ? n : k,
            b, ldb, a, incx, c, 1);
    return true;
  }
  return false;
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
    for (std::int64_t i = 0; i < batch; ++i) {
      if (as_gemv<T>(op_a, op_b, static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k),
                     ap + i * ra * ca, static_cast<blasint>(ca), bp + i * rb * cb, static_cast<blasint>(cb),
                     op + i * m * n))
        continue;
      gemm<T>(op_a, op_b, static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), ap + i * ra * ca,
              static_cast<blasint>(ca), bp + i * rb * cb, static_cast<blasint>(cb), op + i * m * n);
    }
  });
  return out;
}

}  // namespace wirtinger::engine
