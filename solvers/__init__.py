"""featreuse solvers: diagonal-network trainers, convex programs and penalties.

numpy + numba + scipy + cvxpy only; no torch and no file I/O.

Everything is imported on first access (PEP 562, as scipy does): the
submodules (``solvers.convex``, ``solvers.penalties``, ...) and the functions
and classes below. ``import solvers`` and ``import solvers.errors`` therefore
stay light (no numba, scipy or cvxpy until a trainer or program is used).
"""
import importlib
import pkgutil

from .errors import (ConvergenceWarning, DivergenceError, FeatreuseError, InfeasibleError,
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
