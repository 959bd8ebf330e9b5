"""Figures of a CHS sweep: which one depends on what the experiment sweeps.

* ``tasks`` swept (chs-tasks): :func:`.tasks_figure.tasks_figure`, the subspace
  measures and the probe against the number of tasks T;
* otherwise (chs-probe): :func:`.probe_figure.probe_figure`, the probe
  against its samples n, one panel per d, and every measure against d.
"""
#: line style of each regime
COLORS = {"mtl": "#1f77b4", "stl": "#444444", "random": "#ff7f0e"}
#: the subspace measures: summary column -> axis label
MEASURES = {
    "energy": "energy ||WM||_F^2 / ||W||_F^2",
    "coverage": "coverage s_min(WM) / s_max(WM)",
    "angle_deg": "largest principal angle (deg)\ntop-r row space of W vs col(M)",
}
ACCURACY_LABEL = "probe test accuracy\n(logistic regr. on ReLU(Wx), unseen task)"
BAND_NOTE = "shaded: mean +- 2 SE over seeds"


def regime_label(regime, tasks=None):
    """Legend label of a regime (with its task count for ``mtl``)."""
    if regime == "mtl":
        return "MTL" + (f" (T = {tasks:g})" if tasks is not None else "")
    return {"stl": "STL (T = 1)", "random": "random W (untrained)"}[regime]


def one_row_per_network(df, config):
    """The rows of one n per network: the subspace measures do not depend on n."""
    return df[df["n"] == config.n[0]]


def log2_ticks(ax, values):
    """Log2 x axis with a tick at every value."""
    ax.set_xscale("log", base=2)
    ax.set_xticks(values)
    ax.set_xticklabels([f"{v:g}" for v in values])
    ax.minorticks_off()


def figures(df, config):
    """``[(suffix, Figure)]`` of a CHS summary."""
    if len(config.grid.get("tasks", [])) > 1:
        from .tasks_figure import tasks_figure
        return [("", tasks_figure(df, config))]
    from .probe_figure import probe_figure
    return [("", probe_figure(df, config))]
