"""Torch networks: LL's diagonal reference loop and the ReLU teacher-student networks.

Never imports :mod:`featreuse.solvers` or :mod:`featreuse.analysis` and does no file I/O; results
are dataclasses of numpy arrays. Everything is imported on first access
(PEP 562), so ``import nets.errors`` does not import torch. Importing nets pins
MKL's code path (:mod:`.numerics`) before torch computes anything.
"""
import importlib
import pkgutil

from .numerics import pin_mkl_path
from featreuse.errors import (ConvergenceWarning, DivergenceError, FeatreuseError, InputError,
                              InputTypeError)

#: public name -> submodule that defines it
_EXPORTS = {
    "resolve_device": "device",
    "RidgeBaseline": "relu_baselines", "fit_lp": "relu_baselines", "fit_ntk": "relu_baselines",
    "hidden_features": "relu_baselines", "ntk_features": "relu_baselines",
    "ridge_path": "relu_baselines",
    "ptft_init": "relu_finetune",
    "train_one": "relu_loop",
    "UnitChange": "relu_metrics", "UnitClusters": "relu_metrics",
    "effective_units": "relu_metrics", "f1_norm": "relu_metrics",
    "finetune_unit_change": "relu_metrics", "group_sparse_norm": "relu_metrics",
    "representation_participation_ratio": "relu_metrics", "unit_alignment": "relu_metrics",
    "unit_clusters": "relu_metrics", "unit_contributions": "relu_metrics",
    "ReluConfig": "relu_model", "ReluNet": "relu_model", "forward": "relu_model",
    "init_params": "relu_model",
    "ReluResult": "relu_results", "StackedResult": "relu_results",
    "RunSpec": "relu_runs", "mtl_run": "relu_runs", "pretrain_run": "relu_runs",
    "ptft_run": "relu_runs", "stl_run": "relu_runs",
    "train_stacked": "relu_stacked",
    "ReluTeacher": "relu_teacher", "aux_data": "relu_teacher", "main_data": "relu_teacher",
    "make_teacher": "relu_teacher", "test_inputs": "relu_teacher",
}

pin_mkl_path()


def __getattr__(name):
    """Import a public function, class or submodule on first access."""
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


__all__ = ["FeatreuseError", "InputError", "InputTypeError", "DivergenceError", "ConvergenceWarning",
           *_EXPORTS]
