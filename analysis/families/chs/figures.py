"""Figures of a CHS sweep: which one depends on what the experiment sweeps.

* ``r`` or ``samples`` swept (chs-threshold): :func:`.threshold_figure.threshold_figure`,
  coverage and angle against T / r and where they pass their levels
  (:mod:`.threshold`); not together with a swept ``d`` (InputError);
* ``tasks`` swept alone or with ``d`` (chs-tasks): :func:`.tasks_figure.tasks_figure`,
  the subspace measures and the probe against the number of tasks T;
* otherwise (chs-probe): :func:`.probe_figure.probe_figure`, the probe
  against its samples n, one panel per d, and every measure and the probe at
  fixed n against d.

Colours and labels are in :mod:`.style`.
"""
from featreuse.errors import InputError


def figures(df, config):
    """``[(suffix, Figure)]`` of a CHS summary."""
    if {"r", "samples"} & set(config.grid):
        if len(config.grid.get("d", [])) > 1:
            raise InputError(f"config.grid sweeps d together with r or samples "
                             f"({sorted(config.grid)}): no CHS figure draws them together")
        from .threshold_figure import threshold_figure
        return [("", threshold_figure(df, config))]
    if len(config.grid.get("tasks", [])) > 1:
        from .tasks_figure import tasks_figure
        return [("", tasks_figure(df, config))]
    from .probe_figure import probe_figure
    return [("", probe_figure(df, config))]
