"""Linear algebra as ``numpy.linalg``, differentiable for real and complex inputs.

Import as ``import wirtinger.numpy as wnp`` and call ``wnp.linalg.solve`` and so
on. Every function takes float32/float64/complex64/complex128 arrays, batched
over leading axes as NumPy does. Values come from ``numpy.linalg`` (LAPACK);
nothing here factors a matrix by hand.

Each decomposition is one primitive (``wirtinger._primitive.primitive``) whose JVP
and "adjoint" VJP are written below with ``wirtinger.numpy`` operations and
with these functions themselves (the rules of ``cholesky`` call ``solve``), so
inside an enclosing transform the rules are recorded and differentiated again:
second derivatives work. Functions that are cheap, exact compositions of
others are written as compositions (``inv``, ``matrix_power``, ``norm``).

Every primitive here maps over leading axes as NumPy's does, and declares so
(``over_leading_axes``): under vmap it is one call with the batch as a leading
axis, which LAPACK's batched loops then run.

Conventions, shared with JAX and PyTorch:

* ``cholesky`` and ``eigh`` read one triangle of their input, as LAPACK does
  (the lower one, like NumPy), but their derivatives are those of
  ``X ↦ f((X + Xᴴ)/2)``: tangents are symmetrised and gradients are Hermitian.
  Such functions are never holomorphic.
* Eigenvectors and singular vectors are defined only up to a phase per column
  (a sign for real input). Forward mode returns the tangent with
  ``diag(Vᴴ dV) = 0`` (for ``svd``: ``diag(Vᴴ dV) = 0`` and the phase change
  in ``U``); reverse mode checks that the function being differentiated does not
  depend on those phases and raises ``ValueError`` otherwise.
* At a degenerate spectrum (repeated eigenvalues, repeated or zero singular
  values) derivatives through the vectors divide by zero and come out inf or
  nan, following IEEE as the element-wise rules do; derivatives through the
  values alone stay finite.

>>> import numpy as np, wirtinger as w, wirtinger.numpy as wnp
>>> A = np.array([[2.0, 1.0], [1.0, 3.0]])
>>> np.allclose(w.grad(lambda a: wnp.linalg.det(a))(A), np.linalg.det(A) * np.linalg.inv(A).T)
True
"""
from ._decompositions import *  # noqa: F401,F403
from ._decompositions import (EighResult, LinAlgError, QRResult, SVDResult, SlogdetResult,  # noqa: F401
                              _diagonal, _trace)
from ._derived import (LstsqResult, cond, cross, eigvalsh, lstsq, matmul, matrix_norm, matrix_rank,  # noqa: F401
                       matrix_transpose, multi_dot, outer, pinv, svdvals, tensordot, tensorinv, tensorsolve, vecdot,
                       vector_norm)
from ._eig import EigResult, eig, eigvals  # noqa: F401

__all__ = [
    "LinAlgError", "cholesky", "cond", "cross", "det", "diagonal", "eig", "eigh", "eigvals", "eigvalsh", "inv",
    "lstsq", "matmul", "matrix_norm", "matrix_power", "matrix_rank", "matrix_transpose", "multi_dot", "norm", "outer",
    "pinv", "qr", "slogdet", "solve", "svd", "svdvals", "tensordot", "tensorinv", "tensorsolve", "trace", "vecdot",
    "vector_norm",
]
