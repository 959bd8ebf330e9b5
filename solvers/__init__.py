"""featreuse solvers: diagonal trainers and flows, convex programs, penalties, WZR closed forms.

numpy + numba + scipy + cvxpy; no torch, no I/O. ``train`` (``train_single``,
``train_multi``, ``finetune``), ``diagonal`` (the parameterisation), ``gd_kernels``,
``reduced_flow`` and ``readout_flow`` (single-task and PT+FT flows), ``multi_flow/``
(the multi-task flow), ``saddle_path``, ``convex/`` (reference programs), ``penalties/``,
``certify/``, ``wzr/`` (the shared-module closed forms) and ``estimators/``
(scikit-learn estimators, imported on use). The solver comparison, which also runs LL's
torch loop, is :mod:`featreuse.analysis.compare` (``featreuse.compare``).

Everything is imported on first access (PEP 562, as scipy does): the
submodules (``solvers.convex``, ``solvers.penalties``, ...) and the functions
and classes below. ``import featreuse.solvers`` and ``featreuse.errors`` therefore
stay light (no numba, scipy or cvxpy until a trainer or program is used).
"""
import importlib
import pkgutil

from featreuse.errors import (ConvergenceWarning, DivergenceError, FeatreuseError, InfeasibleError,
                     InputError, InputTypeError, SolverError)
# bound here, not lazily: the module of the same name would otherwise shadow the function
from .saddle_path import SaddlePath, saddle_path

#: public name -> submodule that defines it
_EXPORTS = {
    "SingleResult": "results", "MultiResult": "results",
    "train_single": "train", "train_single_batch": "train", "train_multi": "train",
    "finetune": "train",
}


def __getattr__(name):
    """Import a public function or a submodule on first access."""
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    submodules = {m.name for m in pkgutil.iter_modules(__path__)}
    return sorted(set(globals()) | set(_EXPORTS) | submodules)


__all__ = ["FeatreuseError", "InputError", "InputTypeError", "DivergenceError",
           "InfeasibleError", "SolverError", "ConvergenceWarning", "saddle_path", "SaddlePath",
           *_EXPORTS]
