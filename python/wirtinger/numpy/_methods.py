"""The methods of Array that are functions of wirtinger.numpy (``x @ y``,
``x[key]``, ``x.at``, ``x.T``, ``x.sum()``, ...). They are attached here, by the
namespace that defines them, so that the array type below it does not import
it."""
from .. import _array
from . import _functions as wnp
from . import _elementwise, _indexing, _joining, _statistics, _values


def __matmul__(self, other):
    return wnp.matmul(self, other)

def __rmatmul__(self, other):
    return wnp.matmul(other, self)

def __getitem__(self, key):
    """``x[key]`` with NumPy's basic and advanced indexing (integer arrays,
    boolean masks), differentiable: a gather whose adjoint is a scatter-add."""
    return _indexing.getitem(self, key)

@property
def at(self):
    """Functional index updates, as JAX's: ``x.at[key].set(v)``, ``.add(v)``,
    ``.multiply(v)``, ``.divide(v)`` and ``.get()`` return new arrays.

    >>> import numpy as np, wirtinger.numpy as wnp
    >>> np.asarray(wnp.zeros(3).at[np.array([0, 0, 2])].add(1.0))
    array([2., 0., 1.])
    """
    return _indexing.IndexUpdateHelper(self)

@property
def T(self):
    return wnp.transpose(self)

@property
def mT(self):
    return wnp.swapaxes(self, -1, -2)

def reshape(self, *shape):
    return wnp.reshape(self, shape[0] if len(shape) == 1 else shape)

def transpose(self, *axes):
    return wnp.transpose(self, (axes[0] if len(axes) == 1 else axes) if axes else None)

def sum(self, axis=None, keepdims=False):
    return wnp.sum(self, axis=axis, keepdims=keepdims)

def mean(self, axis=None, keepdims=False):
    return wnp.mean(self, axis=axis, keepdims=keepdims)

def prod(self, axis=None, keepdims=False):
    return wnp.prod(self, axis=axis, keepdims=keepdims)

def squeeze(self, axis=None):
    return wnp.squeeze(self, axis)

def ravel(self):
    return wnp.reshape(self, (-1,))


def dot(self, other):
    return wnp.dot(self, other)


def max(self, axis=None, keepdims=False, initial=None):  # noqa: A001
    return _statistics.max(self, axis=axis, keepdims=keepdims, initial=initial)

def min(self, axis=None, keepdims=False, initial=None):  # noqa: A001
    return _statistics.min(self, axis=axis, keepdims=keepdims, initial=initial)

def argmax(self, axis=None, keepdims=False):
    return _statistics.argmax(self, axis=axis, keepdims=keepdims)

def argmin(self, axis=None, keepdims=False):
    return _statistics.argmin(self, axis=axis, keepdims=keepdims)

def ptp(self, axis=None, keepdims=False):
    return _statistics.ptp(self, axis=axis, keepdims=keepdims)

def var(self, axis=None, ddof=0, keepdims=False):
    return _statistics.var(self, axis=axis, ddof=ddof, keepdims=keepdims)

def std(self, axis=None, ddof=0, keepdims=False):
    return _statistics.std(self, axis=axis, ddof=ddof, keepdims=keepdims)

def any(self, axis=None, keepdims=False):  # noqa: A001
    return _statistics.any(self, axis=axis, keepdims=keepdims)

def all(self, axis=None, keepdims=False):  # noqa: A001
    return _statistics.all(self, axis=axis, keepdims=keepdims)

def cumsum(self, axis=None):
    return wnp.cumsum(self, axis=axis)

def cumprod(self, axis=None):
    return wnp.cumprod(self, axis=axis)

def clip(self, min=None, max=None):  # noqa: A002
    return wnp.clip(self, min, max)

def round(self, decimals=0):  # noqa: A001
    return _elementwise.round(self, decimals)

def copy(self):
    return _joining.copy(self)

def conjugate(self):
    return wnp.conj(self)

def swapaxes(self, axis1, axis2):
    return wnp.swapaxes(self, axis1, axis2)

def repeat(self, repeats, axis=None):
    return wnp.repeat(self, repeats, axis=axis)

def take(self, indices, axis=None, mode=None):
    return wnp.take(self, indices, axis=axis, mode=mode)

def nonzero(self):
    return _values.nonzero(self)


for _method in (__matmul__, __rmatmul__, __getitem__, at, T, mT, reshape, transpose, sum, mean, prod, squeeze, ravel,
                dot, max, min, argmax, argmin, ptp, var, std, any, all, cumsum, cumprod, clip, round, copy, conjugate,
                swapaxes, repeat, take, nonzero):
    setattr(_array.Array, _method.fget.__name__ if isinstance(_method, property) else _method.__name__, _method)
_array.Array.flatten = ravel
del _method
