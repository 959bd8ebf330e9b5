"""Torch networks: LL's diagonal reference loop and the ReLU teacher-student networks.

Never imports :mod:`solvers` or :mod:`analysis` and does no file I/O; results
are dataclasses of numpy arrays.
"""
from .device import resolve_device
from .errors import ConvergenceWarning, DivergenceError, InputError, InputTypeError, NetsError
from .relu_baselines import (
    RidgeBaseline, fit_lp, fit_ntk, hidden_features, ntk_features, ridge_path)
from .relu_finetune import ptft_init
from .relu_loop import train_one
from .relu_metrics import (
    UnitChange, UnitClusters, effective_units, f1_norm, finetune_unit_change, group_sparse_norm,
    representation_participation_ratio, unit_alignment, unit_clusters, unit_contributions)
from .relu_model import ReluConfig, ReluNet, forward, init_params
from .relu_results import ReluResult, StackedResult
from .relu_runs import RunSpec, mtl_run, pretrain_run, ptft_run, stl_run
from .relu_stacked import train_stacked
from .relu_teacher import ReluTeacher, aux_data, main_data, make_teacher, test_inputs

__all__ = [
    "resolve_device", "NetsError", "InputError", "InputTypeError", "DivergenceError",
    "ConvergenceWarning", "ReluConfig", "ReluNet", "forward", "init_params", "ReluTeacher",
    "make_teacher", "aux_data", "main_data", "test_inputs", "RunSpec", "pretrain_run", "stl_run",
    "mtl_run", "ptft_run", "ptft_init", "train_one", "train_stacked", "ReluResult",
    "StackedResult", "RidgeBaseline", "fit_lp", "fit_ntk", "hidden_features", "ntk_features",
    "ridge_path", "UnitChange", "UnitClusters", "f1_norm", "group_sparse_norm",
    "unit_contributions", "effective_units", "representation_participation_ratio", "unit_clusters",
    "unit_alignment", "finetune_unit_change",
]
