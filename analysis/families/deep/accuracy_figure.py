"""Main figure of a deep sweep: test accuracy vs n per s, and vs s per n.

One column per model. Top: accuracy against the main task's training images
n (log axis): STL, MTL and one PT+FT line per s. Bottom (PT+FT with several
s): accuracy against s (log2 axis), one line per n, with STL at the same n as
a dashed line. Mean over seeds with +-2 standard-error bands; chance is 0.5.
"""
from featreuse.analysis.plots import (LINEAR_BAND_NOTE, curves, draw_bands, draw_mean_se,
                                     log_ticks)

from .config import n_values
from .style import ACCURACY_LABEL, COLORS, LABELS, MODEL_LABELS, rescale_colors, title


def _vs_n(ax, cur, config, model):
    bands = []
    sel = cur[cur["model"] == model]
    for regime in config.regimes:
        rows = sel[sel["regime"] == regime]
        groups = rows.groupby("rescale") if regime == "ptft" else [(None, rows)]
        colors = rescale_colors(config.rescale)
        for s, line in groups:
            if line.empty:
                continue
            line = line.sort_values("n")
            label = LABELS[regime] + (f" s = {s:g}" if s is not None else "")
            bands.append(draw_mean_se(ax, line["n"].to_numpy(float), line["mean"].to_numpy(),
                                      line["se"].to_numpy(),
                                      colors[s] if s is not None else COLORS[regime], label))
    return bands


def _vs_s(ax, cur, config, model):
    import matplotlib
    bands = []
    ns = sorted(n_values(config))
    cmap = matplotlib.colormaps["viridis"]
    sel = cur[cur["model"] == model]
    s_axis = sorted(config.rescale)
    for i, n in enumerate(ns):
        color = cmap(0.9 * i / max(1, len(ns) - 1))
        line = sel[(sel["regime"] == "ptft") & (sel["n"] == n)].sort_values("rescale")
        if len(line):
            bands.append(draw_mean_se(ax, line["rescale"].to_numpy(float),
                                      line["mean"].to_numpy(), line["se"].to_numpy(), color,
                                      f"PT+FT, n = {n}"))
        stl = sel[(sel["regime"] == "stl") & (sel["n"] == n)]
        if len(stl):
            ax.plot([s_axis[0], s_axis[-1]], [stl["mean"].iloc[0]] * 2, "--", color=color,
                    lw=1, label=f"STL, n = {n}")
    return bands


def accuracy_figure(df, config):
    """Draw the panels; returns the matplotlib Figure."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    models = config.models
    by_s = "ptft" in config.regimes and len(config.rescale) > 1
    rows = 2 if by_s else 1
    fig, axes = plt.subplots(rows, len(models), figsize=(4.6 * len(models) + 2.2, 3.6 * rows),
                             squeeze=False)
    cur = curves(df, ["model", "regime", "rescale", "n"], "test_accuracy")
    panels = []
    for j, model in enumerate(models):
        ax = axes[0, j]
        panels.append((ax, _vs_n(ax, cur, config, model)))
        log_ticks(ax, sorted(n_values(config)), 10)
        ax.axhline(0.5, color="#999999", lw=0.6, ls=":")
        ax.set_xlabel("main-task training images n")
        ax.set_title(MODEL_LABELS.get(model, model), fontsize=9)
        if by_s:
            ax = axes[1, j]
            panels.append((ax, _vs_s(ax, cur, config, model)))
            log_ticks(ax, sorted(config.rescale), 2)
            ax.axhline(0.5, color="#999999", lw=0.6, ls=":")
            ax.set_xlabel("rescaling factor s of the pretrained weights")
    for ax in axes[:, 0]:
        ax.set_ylabel(ACCURACY_LABEL, fontsize=8)
    draw_bands(panels, log=False)
    right = 4.6 * len(models) / (4.6 * len(models) + 2.2)
    for i in range(rows):
        handles, labels = axes[i, 0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="center left", fontsize=7, frameon=False,
                   bbox_to_anchor=(right + 0.01, 1 - (i + 0.5) / rows))
    fig.suptitle(title(config), fontsize=10)
    fig.text(0.01, 0.01, LINEAR_BAND_NOTE + "; dotted: chance (0.5)", fontsize=6, color="#666666")
    fig.tight_layout(rect=(0, 0.03, right, 1))
    return fig

