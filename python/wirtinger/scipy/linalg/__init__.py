"""``scipy.linalg`` functions that wirtinger can differentiate, under SciPy's
names and signatures. SciPy is not needed: values come from NumPy's LAPACK and
from the algorithms here, and every derivative is written with wirtinger.numpy.

>>> import numpy as np, wirtinger as w
>>> from wirtinger.scipy.linalg import expm
>>> A = np.array([[0.0, 1.0], [-1.0, 0.0]])
>>> np.allclose(np.asarray(expm(A)), [[np.cos(1), np.sin(1)], [-np.sin(1), np.cos(1)]])
True
"""
from ._factorizations import (LinAlgError, cho_factor, cho_solve, cholesky, det, eigh, eigh_tridiagonal,  # noqa: F401
                              hessenberg, inv, lu, lu_factor, lu_solve, qr, qr_multiply, rsf2csf, schur, solve,
                              solve_sylvester, solve_triangular, svd)
from ._matrix_functions import expm, expm_frechet, funm, polar, sqrtm  # noqa: F401
from ._special_matrices import (block_diag, circulant, companion, convolution_matrix, dft, fiedler,  # noqa: F401
                                fiedler_companion, hadamard, helmert, hankel, hilbert, invhilbert, invpascal, leslie,
                                pascal, toeplitz)

__all__ = [
    "block_diag", "cho_factor", "cho_solve", "cholesky", "circulant", "companion", "convolution_matrix", "det", "dft",
    "eigh", "eigh_tridiagonal", "expm", "expm_frechet", "fiedler", "fiedler_companion", "funm", "hadamard",
    "helmert", "hankel", "hessenberg", "hilbert", "inv", "invhilbert", "invpascal", "leslie", "lu", "lu_factor",
    "lu_solve", "pascal", "polar", "qr", "qr_multiply", "rsf2csf", "schur", "solve", "solve_sylvester",
    "solve_triangular", "sqrtm", "svd", "toeplitz",
]
