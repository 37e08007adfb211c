"""``scipy.special`` functions that wirtinger can differentiate, under SciPy's
names and signatures (SciPy is not needed).

Element-wise functions whose derivatives are known in closed form (the error
function and its relatives, the gamma function and its logarithms, digamma,
Hurwitz's zeta, the exponential integrals, the incomplete gamma functions,
the modified Bessel functions I₀ and I₁) are rules of the table, evaluated in C++ with their own algorithms; the
incomplete beta function, ₁F₁ and ₂F₁ are evaluated in C++ and differentiated in
their argument; the rest are compositions (Dawson's, Fresnel's, Owen's and the
sine and cosine integrals and the dilogarithm as Gauss rules).
A function SciPy defines for real arguments only refuses complex ones; an
argument the derivative is not implemented for (the order of zeta, polygamma
and expn, the parameter a of gammainc, the parameters of betainc, hyp1f1 and
hyp2f1) raises when differentiated, never gives a silent zero.

>>> import numpy as np, wirtinger as w
>>> from wirtinger.scipy.special import logsumexp
>>> g = w.grad(lambda x: logsumexp(x))(np.array([0.0, np.log(3.0)]))  # the softmax
>>> np.round(g, 12)
array([0.25, 0.75])
"""
from ._bessel import i0, i0e, i1, i1e  # noqa: F401
from ._error import dawsn, erf, erfc, erfcx, erfinv, fresnel, log_ndtr, ndtr, ndtri, owens_t, wofz  # noqa: F401
from ._exponential import exp1, expi, expn, sici  # noqa: F401
from ._harmonics import sph_harm_y  # noqa: F401
from ._gamma import (bernoulli, beta, betainc, betaln, comb, digamma, factorial, gamma, gammainc, gammaincc,  # noqa: F401
                     gammaln, gammasgn, loggamma, multigammaln, poch, polygamma, psi, zeta)
from ._logarithms import (boxcox, boxcox1p, entr, expit, kl_div, log_softmax, logit, logsumexp,  # noqa: F401
                          rel_entr, softmax, spence, xlog1py, xlogy)
from ._hypergeometric import hyp1f1, hyp2f1  # noqa: F401

__all__ = [
    "bernoulli", "beta", "betainc", "betaln", "boxcox", "boxcox1p", "comb", "dawsn", "digamma", "entr", "erf", "erfc",
    "erfcx", "erfinv", "exp1", "expi", "expit", "expn", "factorial", "fresnel", "gamma", "gammainc", "gammaincc",
    "gammaln", "gammasgn", "hyp1f1", "hyp2f1", "i0", "i0e", "i1", "i1e", "kl_div", "log_ndtr", "log_softmax",
    "loggamma", "logit", "logsumexp", "multigammaln", "ndtr", "ndtri", "owens_t", "poch", "polygamma", "psi",
    "rel_entr", "sici", "softmax", "spence", "sph_harm_y", "wofz", "xlog1py", "xlogy", "zeta"
]
