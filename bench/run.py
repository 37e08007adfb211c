"""Benchmark harness: wirtinger next to JAX, PyTorch and NumPy, after checking they agree.

    python -m bench [--quick] [--repeat N] [--only W1,W3] [--json PATH] [--png PATH] [--w6-jax]
    python bench/run.py ...            (the same)

Workloads (complex128 unless said; bench/workloads.py has the code):
  W1  real(z·exp(1.5i)) at a scalar: latency of one value_and_grad call
  W2  sum(abs(sin(z)·exp(iz) + conj(z)·z)**2), n = 2^20, complex128 and complex64: value_and_grad,
      next to the NumPy primal alone (the cheap-gradient reference)
  W3  sum(abs(A@x - b)**2), A 1024×1024 and b passed as arguments: value_and_grad in x, next to a
      NumPy gradient by hand (and jit with A and b closed over, as an extra row)
  W4  Jacobians of a small complex network (8×8) at B = 10^5 samples, the weights passed as
      arguments (in_axes=None): vmap(jacfwd(g, holomorphic=True)) (closed-over weights as an extra row)
  W5  Hessian-vector products (jvp of grad), n = 2^16: (a) a polynomial, (b) one with an FFT
  W6  a chain of 200 element-wise operations, n = 2^16: value_and_grad, the bytes the tape keeps
      with and without w.checkpoint, and jit's first call (trace + compile) apart from later calls
  W7  a phase-retrieval step, sum((abs(fft2(x)) - y)**2) on 1024×1024 with y an argument:
      value_and_grad plus one Hessian-vector product (a Newton-CG step's work)

Each system's result is converted to wirtinger's "adjoint" convention and compared with a NumPy
oracle derived by hand (relative error ≤ 1e-8 for complex128, ≤ 1e-3 for complex64, and the
dtype of the input); a disagreement or an error is printed loudly and makes the exit status 1.
Times are medians over --repeat samples after a warm-up call; a sample averages enough calls to
last about --sample-time seconds, so microsecond latencies are measurable.
"""
from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import traceback

import numpy as np

if __package__ in (None, ""):  # run as a script: make `bench` importable from the repository root
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench import workloads  # noqa: E402

import wirtinger as w  # noqa: E402

MAX_CALLS = 20000
# Thread pools of several libraries share the cores here; on a loaded machine OpenBLAS's and
# OpenMP's waiting threads can slow small products a thousandfold, so a run records these.
THREAD_VARIABLES = ("WIRTINGER_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                    "MKL_NUM_THREADS", "XLA_FLAGS")


def load_peers():
    peers = {}
    try:
        import jax
        jax.config.update("jax_enable_x64", True)  # complex128 needs it
        import jax.numpy as jnp
        peers.update(jax=jax, jnp=jnp)
    except ImportError:
        pass
    try:
        import torch
        peers["torch"] = torch
    except ImportError:
        pass
    return peers


def _version(name):
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:
        return None


def machine():
    cpu = platform.processor() or None
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return dict(platform=platform.platform(), cpu=cpu, cores=os.cpu_count(), usable_cores=usable,
                python=platform.python_version(), wirtinger_cuda=bool(w.cuda_available()),
                load_average_at_start=_load())


def _load():
    """The 1-minute load average: other work on the machine makes every time here noisy."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def _peak(fn, peaks):
    """fn(), and wirtinger's peak of live array bytes during it appended to `peaks`."""
    testing = getattr(w, "testing", None)
    if peaks is None or testing is None or not hasattr(testing, "peak_nbytes"):
        return fn()
    out, peak = testing.peak_nbytes(fn)
    peaks.append(peak)
    return out


def _wait_for_compiler():
    """Seconds until jit's background compilation of fused groups has finished
    (0 where this wirtinger has none)."""
    compiled = getattr(w, "_compiled", None)
    t0 = time.perf_counter()
    if compiled is not None:
        compiled.wait()
    return time.perf_counter() - t0


def measure(fn, repeat, sample_time, peaks=None, compiled=None):
    """First call (for jit: trace + compile + run), one more call, then `repeat` timed samples.
    With `peaks` (a list), the peak bytes of the first and of the second call are appended.
    With `compiled` (a list), the seconds that jit's background compiler still took after
    the first call are appended; the later calls run what it compiled."""
    t0 = time.perf_counter()
    first = _peak(fn, peaks)
    first_s = time.perf_counter() - t0
    if compiled is not None:
        compiled.append(_wait_for_compiler())
    t0 = time.perf_counter()
    steady = _peak(fn, peaks)
    one = time.perf_counter() - t0
    number = max(1, min(MAX_CALLS, int(sample_time / max(one, 1e-9))))
    times = []
    for _ in range(repeat):
        gc.collect()  # cheap after gc.freeze() in main
        gc.disable()  # as timeit does: a collection inside one sample is noise
        try:
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            times.append((time.perf_counter() - t0) / number)
        finally:
            gc.enable()
    return first, steady, first_s, times, number


def relative_error(got, want):
    """max |got - want| / max |want| over the array: a norm-wise error, robust to near-zero entries."""
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape:
        return float("inf")
    scale = np.max(np.abs(want)) if want.size else 0.0
    return float(np.max(np.abs(got - want)) / scale) if scale > 0 else float(np.max(np.abs(got - want), initial=0))


def check(wl, results, oracle):
    """The worst relative error over value and derivative, and what is wrong (empty if nothing)."""
    tol = 1e-8 if np.dtype(wl.dtype) == np.complex128 else 1e-3
    real = np.finfo(wl.dtype).dtype
    worst, problems = 0.0, []
    for call, (value, derivative) in zip(("first call", "later call"), results):
        for got, want, dtype, what in ((value, oracle[0], real, "value"),
                                       (derivative, oracle[1], np.dtype(wl.dtype), "derivative")):
            if got is None or want is None:
                continue
            err = relative_error(got, want)
            worst = max(worst, err)
            if not err <= tol:
                problems.append(f"{what} relative error {err:.2e} > {tol:g} ({call})")
            if np.asarray(got).dtype != dtype:
                problems.append(f"{what} dtype {np.asarray(got).dtype}, expected {dtype}")
            if np.shape(got) != np.shape(want):
                problems.append(f"{what} shape {np.shape(got)}, expected {np.shape(want)}")
    return worst, list(dict.fromkeys(problems))


def run_workload(wl, args):
    oracle = wl.oracle()
    rows = []
    for v in wl.variants:
        row = dict(workload=wl.key, title=wl.title, system=v.system, jit=v.jit, status="n/a",
                   median_s=None, spread=None, times_s=[], calls_per_sample=None, first_call_s=None,
                   rel_error=None, problems=[], note=v.missing or None)
        rows.append(row)
        if v.fn is None:
            continue
        try:
            peaks = [] if v.system in ("wirtinger eager", "wirtinger jit") else None
            compiled = [] if v.system.startswith("wirtinger jit") else None
            first, steady, row["first_call_s"], row["times_s"], row["calls_per_sample"] = measure(
                v.fn, args.repeat, args.sample_time, peaks, compiled)
            if compiled and compiled[0] > 0.01:
                wl.notes[f"{v.system}: compiling fused groups, in the background after the first call"] = (
                    f"{compiled[0]:.2f} s")
            if peaks:
                row["peak_bytes_first_call"], row["peak_bytes_later_call"] = peaks
            row["median_s"] = statistics.median(row["times_s"])
            row["spread"] = (max(row["times_s"]) - min(row["times_s"])) / (2 * row["median_s"])
            # The steady call is checked too: a jit that computes right while tracing could replay wrong.
            row["rel_error"], row["problems"] = check(wl, [v.convert(first), v.convert(steady)], oracle)
            row["status"] = "DISAGREES" if row["problems"] else "ok"
        except Exception as e:
            row["status"], row["error"] = "ERROR", traceback.format_exc()
            row["problems"] = [f"{type(e).__name__}: {e}"]
            print(f"\n!!! {wl.key} {v.system} raised:\n{row['error']}", file=sys.stderr, flush=True)
        print(f"  {wl.key:14s} {v.system:28s} {_fmt_time(row['median_s']):>10s}"
              f"  (first call {_fmt_time(row['first_call_s'])})  {row['status']}",
              file=sys.stderr, flush=True)
    eager = next((r for r in rows if r["system"] == "wirtinger eager" and r.get("peak_bytes_later_call")), None)
    jitted = next((r for r in rows if r["system"] == "wirtinger jit" and r.get("peak_bytes_first_call")), None)
    if eager and jitted:
        wl.notes["peak memory of jit's first call / an eager call's"] = (
            f"{jitted['peak_bytes_first_call'] / eager['peak_bytes_later_call']:.2f} "
            f"({jitted['peak_bytes_first_call'] / 1e6:.1f} MB / {eager['peak_bytes_later_call'] / 1e6:.1f} MB; "
            f"a later jit call {jitted['peak_bytes_later_call'] / 1e6:.1f} MB)")
    for key, system in (("ratio_eager", "wirtinger eager"), ("ratio_jit", "wirtinger jit")):
        base = next((r["median_s"] for r in rows if r["system"] == system), None)
        for r in rows:
            r[key] = base / r["median_s"] if base and r["median_s"] else None
    return rows


def _fmt_time(t):
    if t is None:
        return "n/a"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if t >= scale or unit == "µs":
            return f"{t / scale:.3g} {unit}" if t / scale < 1000 else f"{t / scale:.0f} {unit}"


def _fmt(x, spec):
    return "" if x is None else format(x, spec)


def print_table(report):
    print(f"\nwirtinger {report['versions']['wirtinger']} on {report['machine']['cpu']} "
          f"({report['machine']['cores']} cores), {report['date']}, medians of {report['options']['repeat']}"
          f"; load average {report['machine']['load_average_at_start']} at start, "
          f"{report['machine']['load_average_at_end']} at end")
    print("ratio = wirtinger time / this row's time (w.eager/: wirtinger eager's, w.jit/: wirtinger jit's);"
          " below 1 wirtinger is faster")
    print("±: half the range of the samples over the median; first call: the warm-up call, which for jit rows"
          " includes tracing and compiling\n")
    head = f"  {'system':26s} {'median':>10s} {'±':>4s} {'first call':>11s} {'w.eager/':>9s} {'w.jit/':>7s} {'rel.err':>8s}  status"
    rows = report["rows"]
    for i, r in enumerate(rows):
        if i == 0 or rows[i - 1]["workload"] != r["workload"]:
            print(f"{r['workload']}  {r['title']}\n{head}")
        first = _fmt_time(r["first_call_s"]) if r["first_call_s"] is not None else ""
        status = r["status"] if r["status"] != "n/a" else f"n/a ({r['note']})"
        if r["problems"]:
            status += " <<< " + "; ".join(r["problems"])
        spread = f"{100 * r['spread']:3.0f}%" if r.get("spread") is not None else ""
        print(f"  {r['system']:26s} {_fmt_time(r['median_s']):>10s} {spread:>4s} {first:>11s} {_fmt(r['ratio_eager'], '9.2f'):>9s}"
              f" {_fmt(r['ratio_jit'], '7.2f'):>7s} {_fmt(r['rel_error'], '8.1e'):>8s}  {status}")
        if i + 1 == len(rows) or rows[i + 1]["workload"] != r["workload"]:
            for k, v in report["notes"].get(r["workload"], {}).items():
                print(f"  note: {k}: {v}")
            print()
    bad = [f"{r['workload']} {r['system']}" for r in rows if r["status"] in ("DISAGREES", "ERROR")]
    print("!!! FAILED: " + ", ".join(bad) if bad else "all systems agree with the NumPy oracles")


def draw_png(report, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.ticker
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"note: matplotlib is not installed; no chart written to {path}")
        return
    keys = list(dict.fromkeys(r["workload"] for r in report["rows"]))
    fig, axes = plt.subplots(len(keys), 1, figsize=(8, 1.2 + 1.6 * len(keys)), squeeze=False)
    colors = {"wirtinger": "tab:blue", "jax": "tab:orange", "torch": "tab:red", "numpy": "tab:gray"}
    for ax, key in zip(axes[:, 0], keys):
        rows = [r for r in report["rows"] if r["workload"] == key and r["median_s"]]
        times = [r["median_s"] for r in rows]
        ax.barh([r["system"] for r in rows], times, color=[colors.get(r["system"].split()[0], "k") for r in rows],
                edgecolor=["red" if r["status"] != "ok" else "none" for r in rows], linewidth=2)
        ax.set_xscale("log")
        ax.set_xlim(min(times) / 4, max(times) * 4)  # a log axis has no zero: leave every bar a visible length
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())  # they overlap; the bars carry labels
        for y, r in enumerate(rows):
            ax.text(r["median_s"], y, " " + _fmt_time(r["median_s"]) + ("" if r["status"] == "ok" else " " + r["status"]),
                    va="center", fontsize=7)
        ax.invert_yaxis()
        ax.set_title(key, loc="left", fontsize=9)
        ax.tick_params(labelsize=8)
    axes[-1, 0].set_xlabel("median seconds per call (log scale; shorter is faster)")
    fig.suptitle(f"wirtinger {report['versions']['wirtinger']}, {report['machine']['cpu']}, {report['date']}",
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"chart written to {path}")


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=None, help="timed samples per row (default 5, 3 with --quick)")
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke test that takes seconds")
    ap.add_argument("--only", default="", help="comma-separated workloads, e.g. W1,W3")
    ap.add_argument("--json", default=os.path.join(here, "results.json"), help="where to write the results")
    ap.add_argument("--png", default=os.path.join(here, "results.png"), help="bar chart (needs matplotlib)")
    ap.add_argument("--w6-jax", action="store_true", help="include JAX jit in W6 (compiling takes minutes)")
    ap.add_argument("--sample-time", type=float, default=None,
                    help="seconds one timed sample should last (default 0.2, 0.02 with --quick)")
    ap.add_argument("--keep-cache", action="store_true", help="reuse jit's compiled groups from earlier runs")
    args = ap.parse_args(argv)
    # jit's compiled groups go to a fresh cache, so that their compile times are
    # measured rather than loaded from an earlier run (--keep-cache to reuse them).
    if not args.keep_cache:
        os.environ["WIRTINGER_CACHE_DIR"] = tempfile.mkdtemp(prefix="wirtinger-bench-")
    args.repeat = args.repeat or (3 if args.quick else 5)
    args.sample_time = args.sample_time or (0.02 if args.quick else 0.2)
    only = [k.strip().upper() for k in args.only.split(",") if k.strip()] or list(workloads.WORKLOADS)
    unknown = [k for k in only if k not in workloads.WORKLOADS]
    if unknown:
        ap.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(workloads.WORKLOADS)}")

    peers = load_peers()
    gc.collect()
    gc.freeze()  # the modules' objects need no collecting, and each collection would walk them all
    sizes = workloads.QUICK if args.quick else workloads.FULL
    report = dict(
        date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        machine=machine(),
        versions={name: _version(name) for name in ("wirtinger", "numpy", "jax", "jaxlib", "torch")},
        threads=dict({k: os.environ.get(k) for k in THREAD_VARIABLES},
                     torch=peers["torch"].get_num_threads() if "torch" in peers else None),
        wirtinger_has_jit=getattr(w, "jit", None) is not None,
        options=dict(quick=args.quick, repeat=args.repeat, sample_time_s=args.sample_time, only=only,
                     w6_jax=args.w6_jax, sizes=sizes),
        rows=[], notes={})
    missing = [name for name in ("jax", "torch") if name not in peers]
    if missing:
        print(f"note: {' and '.join(missing)} not installed; {'their' if len(missing) > 1 else 'its'} rows are left out",
              file=sys.stderr)
    for key in only:
        extra = dict(with_jax=args.w6_jax and "jax" in peers) if key == "W6" else {}
        try:
            built = workloads.WORKLOADS[key](peers, sizes, **extra)
        except Exception as e:
            print(f"\n!!! building {key} raised:\n{traceback.format_exc()}", file=sys.stderr, flush=True)
            report["rows"].append(dict(workload=key, title="(could not be built)", system="-", status="ERROR",
                                       median_s=None, first_call_s=None, rel_error=None, ratio_eager=None,
                                       ratio_jit=None, problems=[f"{type(e).__name__}: {e}"],
                                       error=traceback.format_exc()))
            continue
        for wl in built:
            report["rows"] += run_workload(wl, args)
            if wl.notes:
                report["notes"][wl.key] = wl.notes
    report["machine"]["load_average_at_end"] = _load()
    report["ok"] = all(r["status"] in ("ok", "n/a") for r in report["rows"])

    print_table(report)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
        print(f"results written to {args.json}")
    if args.png:
        draw_png(report, args.png)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
