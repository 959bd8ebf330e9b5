"""The figure of a comparison: distance to the minimiser against time, log axes."""
import numpy as np

#: distances below this are drawn at it (a log axis has no 0)
FLOOR = 1e-16
#: a marker shape per method (hollow, so that answers at the same spot stay visible)
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
#: line style of each iterative method's path
STYLES = {"flow": "-", "gd": "--", "gd-torch": ":"}


def comparison_figure(cmp):
    """Two panels: distance vs wall-clock seconds, and vs training time ``t``.

    Parameters
    ----------
    cmp : Comparison

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib
    from matplotlib.figure import Figure
    fig = Figure(figsize=(10, 4.2), layout="constrained")
    wall_ax, flow_ax = fig.subplots(1, 2)
    colours = matplotlib.colormaps["tab10"]
    curves, table = cmp.curves, cmp.table
    for i, row in enumerate(table.itertuples(index=False)):
        colour = colours(i % 10)
        mine = curves[curves["method"] == row.method]
        timed = mine[np.isfinite(mine["time"]) & (mine["time"] > 0)]
        if len(timed):
            wall_ax.plot(timed["time"], np.maximum(timed["distance"], FLOOR), color=colour, lw=1.3)
        if np.isfinite(row.wall_s) and np.isfinite(row.distance):
            label = row.method if row.status == "ok" else f"{row.method} ({row.status})"
            if row.distance < FLOOR:
                label += f" (at {FLOOR:g}: distance {row.distance:.0e})"
            wall_ax.plot([row.wall_s], [max(row.distance, FLOOR)], MARKERS[i % len(MARKERS)],
                         color=colour, mfc="none", mew=1.6, ms=10 - 1.2 * (i % 4), label=label)
        flowing = mine[np.isfinite(mine["flow_time"]) & (mine["flow_time"] > 0)]
        if len(flowing):
            flow_ax.plot(flowing["flow_time"], np.maximum(flowing["distance"], FLOOR),
                         color=colour, lw=1.6, label=row.method, ls=STYLES.get(row.method, "-"))
    ref = "?" if cmp.reference is None else cmp.reference.method
    for ax, xlabel, title in (
            (wall_ax, "wall-clock time (s)", "answers (markers) and GD paths vs wall time"),
            (flow_ax, "training time t (GD: lr x step)", "paths vs training time")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"distance to the minimiser ({ref})")
        ax.set_title(title, fontsize=10)
        ax.grid(True, which="major", alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    fig.suptitle(f"{cmp.problem.name}: {cmp.problem.description}", fontsize=10)
    return fig
