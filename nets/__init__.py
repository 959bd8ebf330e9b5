"""Torch networks, a folder per model; results leave as dataclasses of numpy arrays.

``relu/``      LL's ReLU teacher-student networks: the teacher and its data, many networks
               trained at once (stacked weights) or one at a time, PT+FT, the LP / NTK
               ridge baselines, unit metrics.
``deep/``      ResNet-18 and LL's ViT on CIFAR: training, evaluation, representation
               metrics (participation ratio, ENSD).
``chs/``       the CHS multi-task ReLU model: tasks in a subspace, the alternating
               algorithm, subspace measures, the downstream probe.
``wzr/``       WZR's shared-module model trained in torch (L-BFGS) and covariance alignment.
``diagonal/``  LL's reference loop for diagonal networks (torch SGD), the independent
               reference of :mod:`featreuse.solvers` and the gd-torch method of the comparison.

At the root: :mod:`.device` (CPU / CUDA), :mod:`.seeding` (the one random-stream function and
every stream number) and :mod:`.numerics` (MKL's code path).

Never imports :mod:`featreuse.solvers` or :mod:`featreuse.analysis` and does no file I/O.
The ReLU names below are exported flat (``featreuse.nets.train_stacked``) and imported on
first access (PEP 562), so ``import featreuse.nets`` does not import torch. Importing nets
pins MKL's code path (:mod:`.numerics`) before torch computes anything.
"""
from featreuse.errors import (ConvergenceWarning, DivergenceError, FeatreuseError, InputError,
                              InputTypeError)
from featreuse.lazy import lazy_namespace

from .numerics import pin_mkl_path

#: public name -> submodule that defines it
_EXPORTS = {
    "resolve_device": "device",
    "RidgeBaseline": "relu.baselines", "fit_lp": "relu.baselines", "fit_ntk": "relu.baselines",
    "hidden_features": "relu.baselines", "ntk_features": "relu.baselines",
    "ridge_path": "relu.baselines",
    "ptft_init": "relu.finetune",
    "train_one": "relu.loop",
    "UnitChange": "relu.metrics", "UnitClusters": "relu.metrics",
    "effective_units": "relu.metrics", "f1_norm": "relu.metrics",
    "finetune_unit_change": "relu.metrics", "group_sparse_norm": "relu.metrics",
    "representation_participation_ratio": "relu.metrics", "unit_alignment": "relu.metrics",
    "unit_clusters": "relu.metrics", "unit_contributions": "relu.metrics",
    "ReluConfig": "relu.model", "ReluNet": "relu.model", "forward": "relu.model",
    "init_params": "relu.model",
    "ReluResult": "relu.results", "StackedResult": "relu.results",
    "RunSpec": "relu.runs", "mtl_run": "relu.runs", "pretrain_run": "relu.runs",
    "ptft_run": "relu.runs", "stl_run": "relu.runs",
    "train_stacked": "relu.stacked", "train_flow": "relu.flow",
    "ReluTeacher": "relu.teacher", "aux_data": "relu.teacher", "main_data": "relu.teacher",
    "make_teacher": "relu.teacher", "held_out_inputs": "relu.teacher",
}

pin_mkl_path()


__getattr__, __dir__ = lazy_namespace(__name__, _EXPORTS)


__all__ = ["FeatreuseError", "InputError", "InputTypeError", "DivergenceError", "ConvergenceWarning",
           *_EXPORTS]
