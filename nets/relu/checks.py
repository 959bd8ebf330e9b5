"""Argument checks shared by the two ReLU trainers."""
import torch

from featreuse.errors import InputError, InputTypeError
from .model import ReluConfig
from .runs import RunSpec


def check_dtype(dtype):
    """Return ``dtype`` if it is ``torch.float32`` or ``torch.float64``."""
    if dtype not in (torch.float32, torch.float64):
        raise InputError(f"dtype must be torch.float32 or torch.float64, got {dtype!r}")
    return dtype


def check_config(config):
    """Check that ``config`` is a :class:`ReluConfig`."""
    if not isinstance(config, ReluConfig):
        raise InputTypeError(f"config must be a ReluConfig, got {type(config).__name__}")
    return config


def check_runs(runs):
    """Check a non-empty list of :class:`RunSpec` sharing ``(K, D)``; return it as a list."""
    if isinstance(runs, RunSpec) or not isinstance(runs, (list, tuple)) or not runs:
        raise InputTypeError("runs must be a non-empty list of RunSpec")
    for m, run in enumerate(runs):
        if not isinstance(run, RunSpec):
            raise InputTypeError(f"runs[{m}] must be a RunSpec, got {type(run).__name__}")
        if run.shape != runs[0].shape:
            raise InputError(f"runs[{m}] has (K, D) = {run.shape} but runs[0] has "
                             f"{runs[0].shape}: a stack shares K and D")
    return list(runs)
