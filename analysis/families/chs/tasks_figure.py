"""chs-tasks figure: energy, coverage, largest angle and probe accuracy vs the number of tasks T.

One line per d for the W trained on T tasks (regime ``mtl``; T = 1 is one task);
the untrained W (regime ``random``, T = 0) is a dashed horizontal line with
its band. Mean over seeds with a +-2 standard-error band; log2 x axis.
"""
import numpy as np

from featreuse.analysis.plots import (LINEAR_BAND_NOTE, curves, draw_bands, draw_mean_se,
                                     log_ticks)

from .style import ACCURACY_LABEL, COLORS, MEASURES, one_row_per_network, regime_label


def _reference(ax, line, x, color, label):
    """The untrained W's mean as a dashed line across ``x``, with its +-2 SE band."""
    mean, se = float(line["mean"].iloc[0]), float(line["se"].iloc[0])
    ax.plot([x[0], x[-1]], [mean, mean], "--", color=color, lw=1, label=label)
    ax.fill_between([x[0], x[-1]], mean - 2 * se, mean + 2 * se, color=color, alpha=0.12, lw=0)


def tasks_figure(df, config):
    """Draw the four panels; returns the matplotlib Figure."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ds = config.grid.get("d", [config.model.get("d")])
    Ts = sorted(config.grid["tasks"])
    per_net = one_row_per_network(df, config)
    fig, axes = plt.subplots(1, 4, figsize=(15, 3.6))
    panels = []
    shades = np.linspace(1.0, 0.45, len(ds)) if len(ds) > 1 else [1.0]
    columns = list(MEASURES) + ["probe_accuracy"]
    for ax, col in zip(axes, columns):
        frame = per_net if col in MEASURES else df
        keys = ["regime", "d", "tasks"] + ([] if col in MEASURES else ["n"])
        cur = curves(frame, keys, col)
        bands = []
        ns = [None] if col in MEASURES else config.n
        for d, alpha in zip(ds, shades):
            for n in ns:
                sel = cur[(cur["d"] == d) & ((cur["n"] == n) if n is not None else True)]
                suffix = (f", d = {d}" if len(ds) > 1 else "") + (
                    f", n = {n}" if n is not None and len(ns) > 1 else "")
                line = sel[sel["regime"] == "mtl"].sort_values("tasks")
                if len(line):
                    bands.append(draw_mean_se(ax, line["tasks"].to_numpy(float),
                                              line["mean"].to_numpy(), line["se"].to_numpy(),
                                              COLORS["mtl"], "trained W (T tasks)" + suffix,
                                              alpha=alpha))
                ref = sel[sel["regime"] == "random"]
                if len(ref):
                    _reference(ax, ref, Ts, COLORS["random"], regime_label("random") + suffix)
        log_ticks(ax, Ts)
        ax.set_xlabel("training tasks T")
        ax.set_ylabel(MEASURES.get(col, ACCURACY_LABEL), fontsize=8)
        if col == "probe_accuracy" and len(config.n) == 1:
            ax.set_title(f"probe with n = {config.n[0]} samples", fontsize=9)
        panels.append((ax, bands))
    draw_bands(panels, log=False)
    axes[0].set_ylim(0, 1.02)
    axes[1].set_ylim(0, 1.02)
    axes[2].set_ylim(0, 91)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), fontsize=8,
               frameon=False)
    r = config.model["r"]
    fig.suptitle(f"{config.name}{' (quick)' if config.quick else ''}: r = {r}, "
                 f"random energy ~ r/d", fontsize=10)
    fig.text(0.01, 0.01, LINEAR_BAND_NOTE, fontsize=6, color="#666666")
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig
