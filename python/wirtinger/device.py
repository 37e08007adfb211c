"""Arrays on a GPU: ``DeviceArray``, ``device_put``, and how inputs select the GPU.

Results of the GPU path stay on the GPU as ``DeviceArray``s, which any DLPack
consumer takes without a copy (``torch.from_dlpack``, ``cupy.from_dlpack``,
``jax.dlpack.from_dlpack``); ``numpy.asarray`` and ``.numpy()`` copy them to
the host. GPU arrays of other libraries come in through DLPack, also without
a copy.
"""
from __future__ import annotations

import numbers

import numpy as np

from . import _engine
from ._array import Array
from .errors import CudaError

DeviceArray = _engine.DeviceArray
_KDL_CUDA = 2
_NUMPY_EXPORTS_READONLY = np.lib.NumpyVersion(np.__version__) >= "2.1.0"


def _array(self, dtype=None, copy=None):
    out = self.numpy()
    return out if dtype is None else out.astype(dtype, copy=False)


def _repr(self):
    return f"DeviceArray(shape={self.shape}, dtype={self.dtype}, device={self.device!r})"


DeviceArray.__array__ = _array
DeviceArray.__repr__ = _repr
DeviceArray.__doc__ = ("An array in device memory (a GPU's, or the host's after device_put(x, 'cpu')): shape, dtype, "
                       "device, numpy() (a host copy), and the DLPack protocol (__dlpack__, __dlpack_device__).")


def device_put(x, device="cuda"):
    """``x`` (a NumPy array, a DLPack array of another library, or a DeviceArray)
    copied to ``device`` ("cuda", "cuda:N" or "cpu") as a DeviceArray; a GPU
    array already on that GPU is shared, not copied."""
    if isinstance(x, Array):
        raise TypeError("device_put: x is a traced wirtinger value; device_put takes concrete arrays "
                        "(call it outside jit and the transforms)")
    if not hasattr(x, "__dlpack__") or isinstance(x, np.ndarray):
        x = np.asarray(x)
        dtype = x.dtype if x.dtype.kind in "fc" else np.dtype(np.float64)
        # DLPack carries native byte order only, and NumPy before 2.1 exports no
        # read-only array (its unversioned capsule cannot say read-only).
        needs = ["C_CONTIGUOUS"] if _NUMPY_EXPORTS_READONLY else ["C_CONTIGUOUS", "WRITEABLE"]
        x = np.require(x, dtype.newbyteorder("="), needs)
    if str(device).startswith("cuda") and not _engine.cuda_available():
        raise CudaError(f"device_put(x, {device!r}): no usable GPU: {_engine.cuda_describe()}")
    return _engine.device_put(x, str(device))


def is_gpu_array(x):
    """Whether x is an array in CUDA memory (DLPack device type CUDA)."""
    if isinstance(x, (np.ndarray, np.generic, Array, numbers.Number)):
        return False
    dev = getattr(x, "__dlpack_device__", None)
    if dev is None:
        return False
    try:
        return int(dev()[0]) == _KDL_CUDA
    except Exception:  # a producer that cannot say where it lives is not one we can read
        return False


def check_device(device, what):
    """device as given to vmap: None, "cpu", "cuda" or "cuda:N"."""
    if device is None or device in ("cpu", "cuda"):
        return device
    if isinstance(device, str) and device.startswith("cuda:") and device[5:].isdigit():
        return device
    raise ValueError(f"{what}: device must be None, 'cpu', 'cuda' or 'cuda:N', got {device!r}")


def require_cuda(what):
    if not _engine.cuda_available():
        raise CudaError(f"{what}: the GPU was asked for, and none is usable ({_engine.cuda_describe()}). "
                        "Use device='cpu' (or NumPy inputs), or install wirtinger where nvcc and a GPU are present.")
