"""wirtinger: forward- and reverse-mode automatic differentiation that gets complex numbers right.

Every derivative is the Wirtinger pair (∂f/∂z, ∂f/∂z̄); the VJP convention is
explicit ("adjoint", the default, as PyTorch/TensorFlow/Zygote; "transpose",
as JAX); ``holomorphic=True`` is a checked claim. The README's Conventions section has the details.

>>> import wirtinger as w, wirtinger.numpy as wnp
>>> complex(w.grad(wnp.sin, holomorphic=True)(3 + 4j)) == complex(__import__("numpy").cos(3 + 4j))
True
"""
import scipy_openblas32 as _openblas

# The extension links against this OpenBLAS; loading it first (RTLD_GLOBAL)
# makes the import work wherever pip put the two packages.
_openblas.get_openblas_config()

from . import _engine  # noqa: E402
from ._array import Array  # noqa: E402
from ._conventions import convention, get_convention, set_convention  # noqa: E402
from .checkpoint import checkpoint  # noqa: E402
from .custom import custom_jvp, custom_vjp, defwirtinger  # noqa: E402
from .device import DeviceArray, device_put  # noqa: E402
from .errors import ConcretizationError, CudaError, NonHolomorphicError, UnexpectedTracerError  # noqa: E402
from .jit import jit  # noqa: E402
from .testing import check_grads  # noqa: E402
from .transforms import (Wirtinger, grad, hessian, hvp, jacfwd, jacobian, jacrev, jvp, real_jacobian,  # noqa: E402
                         value_and_grad, vjp, wirtinger)
from .vmap import vmap  # noqa: E402
from .numpy._statistics import stop_gradient  # noqa: E402
from . import numpy  # noqa: E402,F401  (wirtinger.numpy)
from . import scipy  # noqa: E402,F401  (wirtinger.scipy.special)
from . import _batch_jacobian  # noqa: E402,F401  (vmap's per-sample plans for Jacobians)
from . import _dispatch  # noqa: E402,F401  (NumPy's functions on wirtinger arrays)

__version__ = "0.1.0"


def cuda_available():
    """Whether wirtinger was built with CUDA and a GPU is usable now."""
    return bool(_engine.cuda_available())


def primitive_names():
    """The names of every differentiable primitive of the C++ core (its rule table and structural ops)."""
    return tuple(_engine.unary_names()) + tuple(_engine.binary_names()) + tuple(_engine.structural_names())


__all__ = [
    "Array", "ConcretizationError", "CudaError", "DeviceArray", "NonHolomorphicError", "Wirtinger", "check_grads",
    "checkpoint", "convention", "cuda_available", "custom_jvp", "custom_vjp", "defwirtinger", "device_put", "get_convention",
    "grad", "hessian", "hvp", "jacfwd", "jit", "jacobian", "jacrev", "jvp", "numpy", "primitive_names", "real_jacobian",
    "set_convention", "stop_gradient", "UnexpectedTracerError", "value_and_grad", "vjp", "vmap", "wirtinger",
]
