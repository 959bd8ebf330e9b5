"""Figures of a CHS sweep: which one depends on what the experiment sweeps.

* ``tasks`` swept (chs-tasks): :func:`.tasks_figure.tasks_figure`, the subspace
  measures and the probe against the number of tasks T;
* otherwise (chs-probe): :func:`.probe_figure.probe_figure`, the probe
  against its samples n, one panel per d, and every measure against d.

Colours and labels are in :mod:`.style`.
"""


def figures(df, config):
    """``[(suffix, Figure)]`` of a CHS summary."""
    if len(config.grid.get("tasks", [])) > 1:
        from .tasks_figure import tasks_figure
        return [("", tasks_figure(df, config))]
    from .probe_figure import probe_figure
    return [("", probe_figure(df, config))]
