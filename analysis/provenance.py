"""What made a result file: package versions, machine, threads, device, dtype, git revision.

A comparison file (:func:`featreuse.analysis.compare`) records one such record; every sweep session (a ``featreuse run`` or :func:`featreuse.analysis.sweep.run_sweep`
that commits runs) appends one record to the file's ``provenance`` attribute
(a JSON list, oldest first), so a file resumed on another machine says so.
:func:`featreuse.analysis.load` puts the list in ``df.attrs["provenance"]`` and
``featreuse info FILE.h5`` prints it. docs/reproducibility.md says which of
these decide the bits of a result.
"""
import json
import os
import platform
import subprocess
import sys
import time

from featreuse.nets.numerics import MKL_CBWR

from featreuse.version import featreuse_version

#: distributions whose versions are recorded (read from their metadata, nothing imported)
PACKAGES = ("numpy", "scipy", "numba", "torch", "cvxpy", "clarabel", "highspy", "h5py", "pandas",
            "scikit-learn")


def _version(dist):
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def cpu_model():
    """The CPU's model name (``/proc/cpuinfo`` on Linux, else :func:`platform.processor`)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_revision():
    """``(commit, dirty)`` of the checkout this package runs from, or ``(None, None)``."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if not os.path.exists(os.path.join(root, ".git")):
        return None, None
    try:
        commit = subprocess.run(["git", "-C", root, "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        status = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None, None
    return commit, bool(status.strip())


def _blas():
    """The BLAS libraries numpy loaded: ``[{"api", "version", "architecture"}]``."""
    try:
        import numpy  # noqa: F401 -- loads its BLAS, which threadpoolctl then sees
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    return [{k: info.get(k) for k in ("internal_api", "version", "architecture")}
            for info in threadpool_info() if info.get("user_api") == "blas"]


def _torch_info(device):
    """torch's CPU kernel level (AVX2, AVX512, ...) and the CUDA device's name, when loaded."""
    torch = sys.modules.get("torch")
    if torch is None:
        return {}
    out = {"torch_cpu_capability": torch.backends.cpu.get_cpu_capability()}
    if device.startswith("cuda") and torch.cuda.is_available():
        out["cuda_device"] = torch.cuda.get_device_name(0)
        out["cuda_version"] = torch.version.cuda
    return out


def collect(*, device="cpu", dtype=None, workers=None, scheduler=None, threads_per_worker=1,
            torch_info=False):
    """The provenance record of this process and the sweep it is about to run.

    Parameters
    ----------
    device : str
        Device handed to the runs (``"cpu"``, ``"cuda"``).
    dtype : str, optional
        Floating-point type of the experiment's networks (None: the family's fixed one).
    workers : int, optional
        Local worker processes (0: in the driver).
    scheduler : str, optional
        Address of the dask scheduler, when one ran the work.
    threads_per_worker : int
        BLAS / numba / torch threads of each local worker.
    torch_info : bool
        Import torch to record its CPU kernel level (families that train in torch).

    Returns
    -------
    dict
        JSON-able: ``created``, ``featreuse``, ``python``, ``packages`` (name -> version),
        ``platform``, ``cpu``, ``cpu_count``, ``blas``, ``workers``, ``scheduler``,
        ``threads_per_worker``, ``device``, ``mkl_cbwr`` (MKL's pinned code path), ``dtype``, ``git_commit``, ``git_dirty`` and,
        with torch, ``torch_cpu_capability`` (and the CUDA device's name and CUDA version).
    """
    if torch_info:
        import torch  # noqa: F401 -- read by _torch_info
    commit, dirty = git_revision()
    record = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "featreuse": featreuse_version(),
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in PACKAGES},
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "blas": _blas(),
        "workers": workers,
        "scheduler": scheduler,
        "threads_per_worker": threads_per_worker,
        "device": device,
        "mkl_cbwr": os.environ.get("MKL_CBWR") or MKL_CBWR,  # what the workers set
        "dtype": dtype,
        "git_commit": commit,
        "git_dirty": dirty,
    }
    record.update(_torch_info(device))
    return record


def read(attrs):
    """The provenance list stored in a file's root attributes (``[]`` for older files)."""
    text = attrs.get("provenance")
    if text is None:
        return []
    if isinstance(text, bytes):
        text = text.decode()
    return json.loads(text)


def describe(record):
    """A few lines that show one provenance record to a person."""
    pk = record.get("packages", {})
    versions = ", ".join(f"{k} {v}" for k, v in pk.items() if v)
    git = record.get("git_commit") or "no checkout"
    if record.get("git_dirty"):
        git += " (uncommitted changes)"
    lines = [
        f"{record.get('created')}: featreuse {record.get('featreuse')}, python "
        f"{record.get('python')}, git {git}",
        f"  packages: {versions}",
        f"  machine: {record.get('cpu')} ({record.get('cpu_count')} CPUs), {record.get('platform')}",
        f"  blas: " + ", ".join(f"{b.get('internal_api')} {b.get('version')} "
                                f"({b.get('architecture')})" for b in record.get("blas", []))
        if record.get("blas") else "  blas: unknown",
        f"  work: device {record.get('device')}, dtype {record.get('dtype') or 'family default'}, "
        f"workers {record.get('workers')}, {record.get('threads_per_worker')} thread(s) each, "
        f"MKL_CBWR {record.get('mkl_cbwr')}"
        + (f", scheduler {record['scheduler']}" if record.get("scheduler") else ""),
    ]
    if "torch_cpu_capability" in record:
        lines.append(f"  torch: CPU kernels {record['torch_cpu_capability']}"
                     + (f", CUDA {record['cuda_device']} (CUDA {record.get('cuda_version')})"
                        if record.get("cuda_device") else ""))
    cost = record.get("cost")
    if cost:
        epochs = cost.get("network_epochs")
        lines.append(f"  cost: {cost['wall_s']:.1f} s wall, {cost['busy_s']:.1f} s busy in the "
                     f"workers, utilisation {100 * cost['utilisation']:.0f}%"
                     + (f", {epochs:.4g} network-epochs" if epochs is not None else ""))
    return "\n".join(lines)
