"""featreuse analysis: tasks, experiments, certification, HDF5 store, sweeps, plots, CLI.

Kept light: submodules are imported on first use.
"""


def load(path):
    """Summary table of an experiment file as a pandas DataFrame (see :func:`analysis.store.load`)."""
    from .store import load as _load
    return _load(path)


__all__ = ["load"]
