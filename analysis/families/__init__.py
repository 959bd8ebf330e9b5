"""Registered model families (see :mod:`featreuse.analysis.families.base` for what a family declares).

Families are imported on first use, so that listing experiments or plotting a
diagonal sweep does not import torch.
"""
import importlib

from featreuse.errors import InputError

from .base import ExperimentConfig, Family, PlannedRun, RunOutputs, run_id

#: family name -> module holding its ``FAMILY`` object
FAMILIES = {
    "diagonal": "featreuse.analysis.families.diagonal",
    "wzr": "featreuse.analysis.families.wzr",
    "chs": "featreuse.analysis.families.chs",
    "relu": "featreuse.analysis.families.relu",
    "deep": "featreuse.analysis.families.deep",
}


def get_family(name):
    """The :class:`Family` registered as ``name``.

    Raises
    ------
    InputError
        Unknown family (the message lists the known ones).
    """
    if name not in FAMILIES:
        raise InputError(f"family: unknown family {name!r} (known: {', '.join(FAMILIES)})")
    return importlib.import_module(FAMILIES[name]).FAMILY


def all_families():
    """Every registered family, in registration order."""
    return [get_family(name) for name in FAMILIES]


__all__ = ["FAMILIES", "get_family", "all_families", "Family", "ExperimentConfig",
           "PlannedRun", "RunOutputs", "run_id"]
