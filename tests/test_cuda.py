"""The GPU path: DeviceArray and DLPack (tested on the host here), the errors of
asking for a GPU that is not there, and, where one is, batched Jacobians on the
GPU against the CPU path for every dtype."""
import ctypes

import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp
from wirtinger.errors import NonHolomorphicError

from test_batch_jacobian import g, h, two, batch, assert_close

gpu = pytest.mark.skipif(not w.cuda_available(), reason="no usable CUDA device")


def T(name):
    """The transform itself, also under WIRTINGER_TEST_JIT=1 (which wraps it in a jit
    replay that the GPU path does not recognise as a Jacobian transform)."""
    f = getattr(w, name)
    return getattr(f, "__wrapped__", f)


DTYPES = [np.float32, np.float64, np.complex64, np.complex128]


def capsule_name(cap):
    get = ctypes.pythonapi.PyCapsule_GetName
    get.restype, get.argtypes = ctypes.c_char_p, [ctypes.py_object]
    return get(cap).decode()


class Producer:
    """Another library's array: only the DLPack protocol, legacy or versioned."""

    def __init__(self, inner, versioned):
        self.inner, self.versioned = inner, versioned

    def __dlpack_device__(self):
        return self.inner.__dlpack_device__()

    def __dlpack__(self, stream=None, max_version=None):
        return self.inner.__dlpack__(max_version=(1, 0)) if self.versioned else self.inner.__dlpack__()


class FakeGpuArray:
    shape, dtype = (4, 3), np.complex128

    def __dlpack_device__(self):
        return (2, 0)


# ---------------------------------------------------------------- DLPack on the host
@pytest.mark.parametrize("dtype", DTYPES)
def test_device_array_round_trips_through_dlpack(dtype):
    x = batch(5, (3, 2), dtype)
    d = w.device_put(x, "cpu")
    assert isinstance(d, w.DeviceArray)
    assert (d.shape, d.dtype, d.device, d.ndim, d.size, len(d)) == ((5, 3, 2), np.dtype(dtype), "cpu", 3, 30, 5)
    assert d.__dlpack_device__() == (1, 0)
    np.testing.assert_array_equal(np.from_dlpack(d), x)
    np.testing.assert_array_equal(np.asarray(d), x)
    np.testing.assert_array_equal(d.numpy(), x)
    x[0] = 0  # device_put copied
    assert np.asarray(d)[0].any()


def _read_only(x):
    x = np.array(x)
    x.flags.writeable = False
    return x


@pytest.mark.parametrize("x", [
    _read_only([[1.0, 2.0], [3.0, 4.0]]),                         # NumPy before 2.1 exports none through DLPack
    np.array([1 + 2j, 3 - 4j], dtype=">c16"),                      # DLPack is native byte order only
    np.arange(12.0).reshape(3, 4)[::2, ::-1],                      # strided
    np.asfortranarray(np.arange(6.0, dtype=np.float32).reshape(2, 3)),
    np.float64(2.5), np.array(1 - 1j), 3.0, [1.0, 2.0], np.arange(3),  # 0-d stays 0-d; ints become float64
], ids=["read-only", "big-endian", "strided", "fortran", "np-scalar", "0-d", "float", "list", "int"])
def test_device_put_takes_any_host_array(x):
    d = w.device_put(x, "cpu")
    want = np.asarray(x)
    want = want.astype(want.dtype.newbyteorder("=") if want.dtype.kind in "fc" else np.float64)
    assert (d.shape, d.dtype) == (want.shape, want.dtype)
    np.testing.assert_array_equal(d.numpy(), want)


NUMPY_EXPORTS_VERSIONED = np.lib.NumpyVersion(np.__version__) >= "2.1.0"


@pytest.mark.parametrize("versioned", [False, pytest.param(True, marks=pytest.mark.skipif(
    not NUMPY_EXPORTS_VERSIONED, reason="NumPy before 2.1 exports no versioned DLPack capsule"))])
@pytest.mark.parametrize("shape", [(0, 4), (3, 0, 2), (0,)])
def test_device_put_of_empty_arrays(shape, versioned):
    x = np.zeros(shape, np.complex128)
    # NumPy gives empty arrays zero strides: contiguous all the same
    x = np.lib.stride_tricks.as_strided(x, strides=(0,) * x.ndim)
    d = w.device_put(Producer(x, versioned), "cpu")
    assert (d.shape, d.dtype) == (shape, np.complex128)
    assert d.numpy().shape == shape


class _DLTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32),
                ("ndim", ctypes.c_int32), ("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16),
                ("shape", ctypes.POINTER(ctypes.c_int64)), ("strides", ctypes.POINTER(ctypes.c_int64)),
                ("byte_offset", ctypes.c_uint64)]


class _DLManaged(ctypes.Structure):
    _fields_ = [("dl_tensor", _DLTensor), ("manager_ctx", ctypes.c_void_p), ("deleter", ctypes.c_void_p)]


class RawProducer:
    """A producer whose capsule says whatever the test wants (an unversioned one, no deleter)."""

    def __init__(self, shape, ndim=None):
        self.buffer = np.zeros(16)
        self.shape = (ctypes.c_int64 * max(len(shape), 1))(*shape)
        ndim = len(shape) if ndim is None else ndim
        self.managed = _DLManaged(_DLTensor(self.buffer.ctypes.data, 1, 0, ndim, 2, 64, 1, self.shape, None, 0), None, None)

    def __dlpack_device__(self):
        return (1, 0)

    def __dlpack__(self, stream=None, max_version=None):
        new = ctypes.pythonapi.PyCapsule_New
        new.restype, new.argtypes = ctypes.py_object, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
        return new(ctypes.addressof(self.managed), b"dltensor", None)


def test_device_put_checks_the_producers_shape():
    np.testing.assert_array_equal(w.device_put(RawProducer((2, 3)), "cpu").numpy(), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="negative extent"):
        w.device_put(RawProducer((2, -3)), "cpu")
    with pytest.raises(ValueError, match="ndim -1"):
        w.device_put(RawProducer((2,), ndim=-1), "cpu")


@pytest.mark.parametrize("versioned", [False, True])
def test_dlpack_capsules_and_imports(versioned):
    x = batch(4, (2,), np.complex64)
    d = w.device_put(x, "cpu")
    cap = d.__dlpack__(max_version=(1, 0) if versioned else None)
    assert capsule_name(cap) == ("dltensor_versioned" if versioned else "dltensor")
    del cap  # an unconsumed capsule frees its tensor
    back = w.device_put(Producer(d, versioned), "cpu")  # read through the protocol, not as a DeviceArray
    np.testing.assert_array_equal(back.numpy(), x)
    assert w.device_put(d, "cpu") is not None


def test_dlpack_refuses_what_it_cannot_read():
    import wirtinger._core as core
    with pytest.raises(ValueError, match="not C-contiguous"):
        core.device_put(np.asfortranarray(np.ones((3, 2))), "cpu")
    with pytest.raises(TypeError, match="int|dtype"):
        core.device_put(np.ones(3, np.int32), "cpu")
    with pytest.raises(TypeError, match="not a DLPack array"):
        core.device_put(object(), "cpu")
    with pytest.raises(ValueError, match="device must be"):
        w.device_put(np.ones(3), "tpu")
    d = w.device_put(np.ones(3), "cpu")
    with pytest.raises(BufferError, match="is on cpu"):
        d.__dlpack__(dl_device=(2, 0))


# ---------------------------------------------------------------- asking for a GPU
def test_vmap_device_argument_is_checked():
    with pytest.raises(ValueError, match="device must be"):
        w.vmap(w.jacfwd(g), device="gpu")
    with pytest.raises(TypeError, match="GPU array"):
        w.vmap(w.jacfwd(g), device="cpu")(FakeGpuArray())


@pytest.mark.skipif(w.cuda_available(), reason="a GPU is present")
def test_without_a_gpu_the_gpu_path_raises_cuda_error():
    z = batch(4, (8,))
    for call in (lambda: w.vmap(w.jacfwd(g, holomorphic=True), device="cuda")(z),
                 lambda: w.jit(w.vmap(w.jacfwd(g, holomorphic=True), device="cuda"))(z),
                 lambda: w.vmap(w.jacfwd(g))(FakeGpuArray()),
                 lambda: w.device_put(z, "cuda")):
        with pytest.raises(w.CudaError, match="CUDA"):
            call()
    assert isinstance(w.CudaError("x"), RuntimeError)
    # the CPU path is unaffected
    assert np.asarray(w.vmap(w.jacfwd(g, holomorphic=True), device="cpu")(z)).shape == (4, 8, 8)


# ---------------------------------------------------------------- on a GPU
# Each GPU test runs on the GPU where there is one, and everywhere on a stand-in
# that runs the same plan, requests and checks through the CPU driver, with
# host DeviceArrays for GPU memory: the Python side of the GPU path is tested
# in CI without a GPU; GPU == CPU where there is one.
@pytest.fixture(params=["stand-in", "cuda"])
def cuda(request, monkeypatch):
    if request.param == "cuda":
        if not w.cuda_available():
            pytest.skip("no usable CUDA device")
        return "cuda"
    import wirtinger._core as core
    import wirtinger.device as device
    from wirtinger import _batch_jacobian, _engine
    real_put = device.device_put

    def put(x, device="cuda"):
        return real_put(x, "cpu")

    def run(plan, inputs, shared, reqs):
        outs = plan([core.from_numpy(np.ascontiguousarray(x.numpy())) for x in inputs] + list(shared), reqs, False)
        return [real_put(np.asarray(v.numpy()), "cpu") for v in outs]

    for module in (device, _batch_jacobian):  # the GPU path's callers hold these names
        monkeypatch.setattr(module, "require_cuda", lambda what: None)
        monkeypatch.setattr(module, "device_put", put)
        monkeypatch.setattr(module, "is_gpu_array", lambda x: isinstance(x, w.DeviceArray))
    monkeypatch.setattr(w, "device_put", put)
    monkeypatch.setattr(_engine, "batch_run_cuda", run)
    return "stand-in"


def _host(tree):
    if isinstance(tree, w.Wirtinger):
        return w.Wirtinger(_host(tree.dz), _host(tree.dzbar))
    if isinstance(tree, tuple):
        return tuple(_host(t) for t in tree)
    assert isinstance(tree, w.DeviceArray), type(tree)
    assert tree.device.startswith("cuda") or not w.cuda_available()
    return tree.numpy()


def _rtol(*dtypes):
    return 2e-4 if any(np.dtype(d) in (np.float32, np.complex64) for d in dtypes) else 1e-11


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("transform", ["jacfwd", "jacrev", "wirtinger"])
def test_gpu_equals_cpu(cuda, dtype, transform):
    z = batch(300, (8,), dtype)
    jac = T(transform)(h)
    want = w.vmap(jac)(z)
    got = w.vmap(jac, device="cuda")(z)
    assert_close(_host(got), want, _rtol(dtype))


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_gpu_holomorphic_and_its_check(cuda, dtype):
    z = batch(1000, (8,), dtype)
    jac = T("jacfwd")(g, holomorphic=True)
    assert_close(_host(w.vmap(jac, device="cuda")(z)), w.vmap(jac)(z), _rtol(dtype))
    with pytest.raises(NonHolomorphicError, match="vmap sample"):
        w.vmap(T("jacfwd")(h, holomorphic=True), device="cuda")(z)


@pytest.mark.parametrize("dtypes", [(np.float64, np.complex128), (np.float32, np.complex64)])
def test_gpu_two_inputs_and_jit(cuda, dtypes):
    x, z = batch(257, (2,), dtypes[0]), batch(257, (3,), dtypes[1])
    jac = T("jacfwd")(two, argnums=(0, 1))
    want = w.vmap(jac)(x, z)
    fast = w.jit(w.vmap(jac, device="cuda"))
    assert_close(_host(fast(x, z)), want, _rtol(*dtypes))
    assert_close(_host(fast(x, z)), want, _rtol(*dtypes))
    xd, zd = w.device_put(x), w.device_put(z)  # GPU inputs select the GPU, also under jit
    assert_close(_host(w.jit(w.vmap(jac))(xd, zd)), want, _rtol(*dtypes))
    # the batch axis moved first on the host
    assert_close(_host(w.vmap(jac, in_axes=(1, 0), device="cuda")(np.ascontiguousarray(x.T), z)), want,
                 _rtol(*dtypes))


def test_gpu_refuses_what_it_cannot_run(cuda):
    z = w.device_put(batch(4, (8,)))
    with pytest.raises(ValueError, match="Jacobian transform"):
        w.vmap(g)(z)
    with pytest.raises(ValueError, match="traced"):
        T("jacfwd")(lambda x: w.vmap(T("jacfwd")(g), device="cuda")(x))(batch(4, (8,)))
    with pytest.raises(ValueError, match="axis 0"):
        w.vmap(T("jacfwd")(g), in_axes=1)(z)


@gpu
def test_gpu_arrays_of_other_libraries_come_in_and_go_out_without_copies():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("torch without CUDA")
    z = torch.from_numpy(batch(64, (8,))).cuda()
    out = w.vmap(T("jacfwd")(g, holomorphic=True))(z)
    assert isinstance(out, w.DeviceArray) and out.device == "cuda:0"
    t = torch.from_dlpack(out)
    assert t.is_cuda and tuple(t.shape) == (64, 8, 8)
    assert t.data_ptr() == torch.from_dlpack(out).data_ptr()  # the same memory, twice
    want = w.vmap(T("jacfwd")(g, holomorphic=True))(z.cpu().numpy())
    np.testing.assert_allclose(t.cpu().numpy(), want, rtol=1e-11, atol=1e-13)
    with pytest.raises(ValueError, match="axis 0"):
        w.vmap(T("jacfwd")(g, holomorphic=True), in_axes=1)(z.T.contiguous())
