"""featreuse analysis: model families, experiments, the HDF5 store, sweeps, plots, certification, CLI.

Kept light: submodules are imported on first use.
"""


def load(path):
    """Summary table of a sweep file as a pandas DataFrame (see :func:`featreuse.analysis.store.load`)."""
    from .store import load as _load
    return _load(path)


def run(name, out=None, *, quick=False, seeds=None, settings=None, workers=None, scheduler=None,
        device="cpu", progress=True):
    """Run (or resume) a named experiment's sweep into an HDF5 file, as ``featreuse run`` does.

    Parameters
    ----------
    name : str
        Experiment name (``featreuse list``) or the path of a ``.toml`` file.
    out : str or os.PathLike, optional
        HDF5 file (default ``results/NAME[-quick].h5`` under the current folder).
    quick : bool
        The experiment's reduced grid.
    seeds : int, optional
        Number of seeds (0..seeds-1), replacing the file's.
    settings : dict, optional
        ``{dotted key: value}`` overrides of the experiment file (``--set``), e.g.
        ``{"network.dtype": "float64"}``.
    workers, scheduler, device, progress
        As :func:`featreuse.analysis.sweep.run_sweep`.

    Returns
    -------
    dict
        ``{"experiment", "runs", "done", "failed", "skipped", "wall_s", "out"}``.
    """
    import os

    from .commands.run import default_out
    from .experiments import load_experiment
    from .sweep import check_device, run_sweep
    config = load_experiment(name, quick=quick, seeds=seeds, overrides=settings)
    check_device(device)  # before the default folder is made
    if out is None:
        out = default_out(config)
        os.makedirs(os.path.dirname(out), exist_ok=True)
    counts = run_sweep(config, out, workers=workers, scheduler=scheduler, device=device,
                       progress=progress)
    return {"experiment": config.name, **counts, "out": os.fspath(out)}


__all__ = ["load", "run"]
