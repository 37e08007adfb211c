"""jit's compiled tier: the fused element-wise groups of a traced program,
compiled to one loop each with the C++ compiler on this machine.

A replay first runs a group on the block kernels (one pass per step over
blocks of 1024 elements). Groups large enough to pay for it are then turned
into C++ (the engine writes the source: every step the expression its kernel
evaluates, the values kept in registers), compiled in a background thread,
cached on disk by the hash of their source, the compiler and its flags, and
swapped in when ready. A block in which a step computed in fast complex
arithmetic comes out inf or nan is run on the kernels again, which redo such
elements exactly, so compiled and uncompiled replays give the same values.

WIRTINGER_JIT_COMPILE: "background" (default), "sync" (compile before the
first replay returns; for tests and benchmarks that time the compiled code), or
"off". WIRTINGER_CACHE_DIR: where compiled groups are kept (default
~/.cache/wirtinger). Without a C++ compiler (CXX, or c++/g++/clang++ on PATH)
the kernels run everything.
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from . import _engine

MIN_ELEMENTS = 8192  # smaller groups: the kernels' per-step overhead is already small
# A loop the compiler did not vectorise runs slower than the kernels' vectorised
# passes (W6's run of 621 steps: 112 ms against 92), so it is not used (tests use it).
REQUIRE_VECTORISED = True
_lock = threading.Lock()
_loaded = {}      # source hash -> kernel address (the library stays loaded)
_libraries = []
failures = []     # (hash, compiler output) of sources that did not compile
_queue = None
_toolchain = None
_fallback_dir = None  # where the user's cache directory cannot be written


def mode():
    m = os.environ.get("WIRTINGER_JIT_COMPILE", "background").strip().lower()
    return m if m in ("background", "sync", "off") else "background"


def _include_dir():
    return Path(_engine.native_dir) / "include"


def _cache_dir():
    """The cache's directory, created; a private temporary one where that fails."""
    root = os.environ.get("WIRTINGER_CACHE_DIR")
    if not root:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wirtinger"
    directory = Path(root) / "kernels"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if os.access(directory, os.W_OK):
            return directory
    except OSError:
        pass
    global _fallback_dir
    if _fallback_dir is None:
        _fallback_dir = Path(tempfile.mkdtemp(prefix="wirtinger-kernels-"))
    return _fallback_dir



def toolchain():
    """(compiler command, flags, a fingerprint for the cache key), or None."""
    global _toolchain
    if _toolchain is None:
        _toolchain = _find_toolchain() or ()
    return _toolchain or None


def _find_toolchain():
    include = _include_dir()
    if not (include / "codegen_prelude.hpp").is_file():
        return None
    cxx = os.environ.get("CXX") or shutil.which("c++") or shutil.which("g++") or shutil.which("clang++")
    if not cxx:
        return None
    try:
        version = subprocess.run([cxx, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    # The flags the engine's own kernels are compiled with (no contraction into
    # fused multiply-adds, math calls that may be vectorised), for the same
    # instruction set as its AVX2 copy where the CPU has it.
    flags = ["-std=c++17", "-O2", "-fPIC", "-shared", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off",
             "-w", "-I" + str(include)]
    if "clang" not in version:
        # GCC gives up value numbering through memory in a long loop (W6's 621
        # steps), which leaves the fast complex values in memory and the loop
        # unvectorised; a higher limit lets it keep them in registers.
        flags += ["-fvect-cost-model=dynamic", "-fopt-info-vec-optimized",
                  "--param=sccvn-max-alias-queries-per-access=1000000"]
    if _engine.cpu_has_avx2():
        flags.append("-mavx2")
    headers = hashlib.sha256()
    for path in sorted(include.rglob("*.hpp")):
        headers.update(path.read_bytes())
    fingerprint = "\n".join([cxx, version, " ".join(flags), headers.hexdigest()])
    return cxx, flags, fingerprint


def _compile(source):
    """The address of the compiled group, or None."""
    tc = toolchain()
    if tc is None:
        return None
    cxx, flags, fingerprint = tc
    key = hashlib.sha256((fingerprint + "\n" + source).encode()).hexdigest()[:40]
    with _lock:
        if key in _loaded:
            return _loaded[key]
    directory = _cache_dir()
    library = directory / f"{key}.so"
    scalar = directory / f"{key}.scalar"  # compiled, but the loop was not vectorised
    if not library.is_file():
        try:
            with tempfile.TemporaryDirectory(dir=directory) as tmp:
                src = Path(tmp) / "group.cpp"
                src.write_text(source)
                out = Path(tmp) / "group.so"
                # Not the preloads of this process (a sanitizer's runtime) in the compiler's.
                env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
                run = subprocess.run([cxx, *flags, str(src), "-o", str(out), "-lm"], capture_output=True, text=True,
                                     timeout=300, env=env)
                if run.returncode != 0:
                    failures.append((key, run.stderr[-4000:]))
                    return None
                if not _vectorised(source, run.stderr, flags):
                    scalar.touch()
                os.replace(out, library)  # atomic: another process may be compiling the same group
        except (OSError, subprocess.SubprocessError) as e:
            failures.append((key, str(e)))
            return None
    if REQUIRE_VECTORISED and scalar.is_file():
        return None
    lib = ctypes.CDLL(str(library))
    address = ctypes.cast(lib.wirt_group, ctypes.c_void_p).value
    with _lock:
        _libraries.append(lib)
        _loaded[key] = address
    return address


def _vectorised(source, report, flags):
    """Whether GCC's report (-fopt-info-vec-optimized) says the element loop was
    vectorised; compilers that give no report are taken at their word."""
    if "-fopt-info-vec-optimized" not in flags:
        return True
    at = "group.cpp:{}:".format(source[:source.index("for (std::int64_t i = 0; i < n; ++i)")].count("\n") + 1)
    return any(at in ln and "loop vectorized" in ln for ln in report.splitlines())


def _install(program, jobs):
    for index, source in jobs:
        address = _compile(source)
        if address:
            program.set_group_kernel(index, address)


def _worker():
    while True:
        program, jobs = _queue.get()
        try:
            _install(program, jobs)
        except Exception as e:  # a failed compile leaves the kernels in charge
            failures.append(("", repr(e)))
        finally:
            _queue.task_done()


def compile_program(program):
    """Compile program's fused groups of MIN_ELEMENTS or more, as mode() says."""
    m = mode()
    if m == "off" or toolchain() is None:
        return
    jobs = [(i, src) for i, (size, src) in enumerate(program.group_sources()) if src and size >= MIN_ELEMENTS]
    if not jobs:
        return
    if m == "sync":
        _install(program, jobs)
        return
    global _queue
    with _lock:
        if _queue is None:
            _queue = queue.Queue()
            threading.Thread(target=_worker, name="wirtinger-compile", daemon=True).start()
    _queue.put((program, jobs))


def _forget_worker():
    # A forked child has no compile thread: it starts its own when it needs one.
    global _queue, _lock
    _queue, _lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_worker)


def wait():
    """Block until every queued compilation has finished (tests, benchmarks)."""
    if _queue is not None:
        _queue.join()


__all__ = ["compile_program", "wait", "mode", "toolchain", "failures"]
