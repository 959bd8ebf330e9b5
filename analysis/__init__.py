"""featreuse analysis: model families, experiments, the HDF5 store, sweeps, plots, certification, CLI.

Kept light: submodules are imported on first use.
"""


def load(path):
    """Summary table of a sweep file as a pandas DataFrame (see :func:`analysis.store.load`)."""
    from .store import load as _load
    return _load(path)


__all__ = ["load"]
