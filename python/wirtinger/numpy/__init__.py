"""NumPy-compatible functions that wirtinger can differentiate.

Import as ``import wirtinger.numpy as wnp``. Names, broadcasting, dtype
promotion (NumPy 2 rules: Python scalars are weak), ``axis=`` and
``keepdims=`` follow NumPy. ``abs2(z) = |z|**2`` is an addition.

>>> import wirtinger as w, wirtinger.numpy as wnp
>>> float(w.grad(lambda x: wnp.sum(wnp.sin(x) ** 2))(0.5))  # 2 sin(x) cos(x)
0.8414709848078965
"""
from . import _methods  # noqa: F401  (Array's methods that are functions of this namespace)
from ._functions import *  # noqa: F401,F403
from ._elementwise import *  # noqa: F401,F403,E402
from ._joining import *  # noqa: F401,F403,E402
from ._polynomials import *  # noqa: F401,F403,E402
from ._statistics import *  # noqa: F401,F403,E402
from ._values import *  # noqa: F401,F403,E402
from . import fft, linalg  # noqa: E402,F401
from .linalg import _diagonal as diagonal, _trace as trace  # noqa: E402,F401  (NumPy's top-level ones)
from ._polyfit import polydiv, polyfit, roots  # noqa: E402,F401
