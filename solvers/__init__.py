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
from featreuse.errors import (ConvergenceWarning, DivergenceError, FeatreuseError,
                              InfeasibleError, InputError, InputTypeError, SolverError)
from featreuse.lazy import lazy_namespace

# bound here, not lazily: the module of the same name would otherwise shadow the function
from .saddle_path import SaddlePath, saddle_path

#: public name -> submodule that defines it
_EXPORTS = {
    "SingleResult": "results", "MultiResult": "results",
    "train_single": "train", "train_single_batch": "train", "train_multi": "train",
    "finetune": "train",
}


__getattr__, __dir__ = lazy_namespace(__name__, _EXPORTS)


__all__ = ["FeatreuseError", "InputError", "InputTypeError", "DivergenceError",
           "InfeasibleError", "SolverError", "ConvergenceWarning", "saddle_path", "SaddlePath",
           *_EXPORTS]
