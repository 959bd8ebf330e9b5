"""featreuse solvers: diagonal-network trainers, convex programs and penalties.

numpy + numba + scipy + cvxpy. Two parts reach further, on use only:
``solvers.compare`` (compare solvers on one problem: torch for its torch GD
loop, pandas, matplotlib, and h5py to save a comparison) and
``solvers.estimators`` (scikit-learn estimators).

Everything is imported on first access (PEP 562, as scipy does): the
submodules (``solvers.convex``, ``solvers.penalties``, ...) and the functions
and classes below. ``import solvers`` and ``import solvers.errors`` therefore
stay light (no numba, scipy or cvxpy until a trainer or program is used).
``solvers.compare(problem)`` compares every method on a problem made by
``solvers.problems`` (the package ``solvers.compare`` is callable).
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
#: public name -> submodule it stands for
_MODULES = {"problems": "compare.problems"}


def __getattr__(name):
    """Import a public function or a submodule on first access."""
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{_MODULES[name]}")
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    submodules = {m.name for m in pkgutil.iter_modules(__path__)}
    return sorted(set(globals()) | set(_EXPORTS) | set(_MODULES) | submodules)


__all__ = ["FeatreuseError", "InputError", "InputTypeError", "DivergenceError",
           "InfeasibleError", "SolverError", "ConvergenceWarning", "saddle_path", "SaddlePath",
           "compare", "problems", *_EXPORTS]
