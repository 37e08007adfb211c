"""The eigendecomposition of a general (non-Hermitian) matrix."""
from __future__ import annotations

import collections

import numpy as _np

from .. import _functions as wnp
from ..._array import complex_of as _complex_of, value_of as _value
from ..._primitive import over_leading_axes as _over_leading_axes
from ._decompositions import (_H, _check_matrix, _check_phase, _conj, _diag, _diag_embed, _gap_inverse, _lapack,
                              _multi_output, _real, solve)

EigResult = collections.namedtuple("EigResult", ["eigenvalues", "eigenvectors"])

_EIG_ADVICE = ("Make it phase-invariant: use the eigenvalues, |V|², or V·diag(c)·V⁻¹; or fix each column's phase "
               "yourself, e.g. V / (V[..., :1, :] / abs(V[..., :1, :])).")


@_over_leading_axes()
def eig(a):
    """``numpy.linalg.eig`` of a general square matrix: a = V diag(w) V⁻¹, each
    column of V of unit norm. The results are complex for every input (NumPy
    returns real arrays when all eigenvalues of a real matrix happen to be real;
    a dtype that depends on the values could not be traced).

    With K = V⁻¹ dA V and F[i, j] = 1/(w[j] − w[i]) (0 on the diagonal):

        dw = diag(K),   dV = V (F ∘ K) − V diag(Re diag(Vᴴ V (F ∘ K)))

    (gauge: unit columns, and the phase of each column fixed by the first term).
    Reverse mode, ct_A = V⁻ᴴ (diag(ct_w) + conj(F) ∘ (Vᴴ ct_V − VᴴV diag(Re diag(Vᴴ ct_V)))) Vᴴ,
    raises ValueError when the function depends on the eigenvectors' phases, as
    ``eigh`` does. Repeated eigenvalues make derivatives through V inf/nan;
    a defective matrix has no derivative.
    """
    a = wnp.asarray(a)
    _check_matrix(a, "eig")
    w, v = _lapack("eig", _np.linalg.eig, _value(a))
    dtype = _complex_of(a.dtype)
    w, v = w.astype(dtype), v.astype(dtype)

    def jvp(ins, outs, ts):
        w, V = outs
        K = solve(V, ts[0] @ V)
        M = _gap_inverse(w) * K
        dV = V @ M
        dV = dV - V * wnp.expand_dims(_real(_diag(_H(V) @ dV)), -2)
        return [_diag(K), dV]

    def vjp(ins, outs, cts, needed):
        w, V = outs
        ct_w, ct_v = cts
        H = _diag_embed(ct_w) if ct_w is not None else wnp.zeros_like(V)
        if ct_v is not None:
            g = _H(V) @ ct_v
            _check_phase("eig", _diag(g).imag, ct_v, "eigenvectors", _EIG_ADVICE)
            G = g - (_H(V) @ V) * wnp.expand_dims(_real(_diag(g)), -2)
            H = H + _conj(_gap_inverse(w)) * G
        return (solve(_H(V), H @ _H(V)),)

    # The primitive's input is a itself, so that jit's replay takes LAPACK's real or
    # complex path as the traced call did (their orders and phases differ).
    outs = _multi_output("eig", [a], [w, v], a.ndim - 2, jvp, vjp, lambda a: list(eig(a)))
    return EigResult(*outs)


def eigvals(a):
    """``numpy.linalg.eigvals``, complex for every input (see ``eig``); dw = diag(V⁻¹ dA V)."""
    return eig(a).eigenvalues
