"""chs-probe figure: probe accuracy vs n per d, and every measure vs d.

Top row: one panel per d, probe test accuracy against the probe's training
samples n (log2 axis), one line per regime. Bottom row: energy, coverage,
largest principal angle, and probe accuracy at the lower median and at the
largest n of the sweep against d (log2 axis): at a fixed n, a line flat in d
is a sample complexity independent of d. Mean over seeds with a +-2
standard-error band.
"""
from featreuse.analysis.plots import (LINEAR_BAND_NOTE, curves, draw_bands, draw_mean_se,
                                     log_ticks)

from .style import ACCURACY_LABEL, COLORS, MEASURES, one_row_per_network, regime_label


def _label(config, regime):
    return regime_label(regime, config.model.get("tasks") if regime == "mtl" else None)


def _lines(ax, cur, config, x_key, where):
    bands = []
    for regime in config.regimes:
        sel = cur[cur["regime"] == regime]
        for k, v in where.items():
            sel = sel[sel[k] == v]
        sel = sel.sort_values(x_key)
        if len(sel):
            bands.append(draw_mean_se(ax, sel[x_key].to_numpy(float), sel["mean"].to_numpy(),
                                      sel["se"].to_numpy(), COLORS[regime],
                                      _label(config, regime)))
    return bands


def probe_figure(df, config):
    """Draw both rows; returns the matplotlib Figure."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ds = sorted(config.grid.get("d", [config.model.get("d")]))
    ns = sorted(config.n)
    fixed_n = sorted({ns[(len(ns) - 1) // 2], ns[-1]})   # the lower median and the largest
    ncols = max(len(ds), len(MEASURES) + len(fixed_n))
    fig, axes = plt.subplots(2, ncols, figsize=(3.6 * ncols, 6.8), squeeze=False)
    panels = []
    acc = curves(df, ["regime", "d", "n"], "probe_accuracy")
    for j, d in enumerate(ds):
        ax = axes[0, j]
        panels.append((ax, _lines(ax, acc, config, "n", {"d": d})))
        log_ticks(ax, sorted(config.n))
        ax.set_title(f"d = {d}", fontsize=9)
        ax.set_xlabel("probe training samples n")
        if j == 0:
            ax.set_ylabel(ACCURACY_LABEL, fontsize=8)
    for j in range(len(ds), ncols):
        axes[0, j].axis("off")
    per_net = one_row_per_network(df, config)
    bottom = [(col, per_net, MEASURES[col], {}) for col in MEASURES]
    bottom += [("probe_accuracy", df, ACCURACY_LABEL, {"n": n}) for n in fixed_n]
    for j, (col, frame, label, where) in enumerate(bottom):
        ax = axes[1, j]
        cur = curves(frame, ["regime", "d"] + list(where), col)
        panels.append((ax, _lines(ax, cur, config, "d", where)))
        log_ticks(ax, ds)
        ax.set_xlabel("input dimension d")
        ax.set_ylabel(label, fontsize=8)
        if where:
            ax.set_title(f"probe with n = {where['n']} samples", fontsize=9)
    for j in range(len(bottom), ncols):
        axes[1, j].axis("off")
    draw_bands(panels, log=False)
    accuracy_axes = [axes[0, j] for j in range(len(ds))]
    accuracy_axes += [axes[1, j] for j in range(len(MEASURES), len(bottom))]
    lows, highs = zip(*(ax.get_ylim() for ax in accuracy_axes))
    for ax in accuracy_axes:                        # one accuracy scale for every d and n
        ax.set_ylim(min(lows), max(highs))
    handles, labels = axes[0, 0].get_legend_handles_labels()
    if len(ds) < ncols:                             # in the first empty panel
        axes[0, len(ds)].legend(handles, labels, loc="center", fontsize=9, frameon=False)
    else:
        fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8,
                   frameon=False)
    fig.suptitle(f"{config.name}{' (quick)' if config.quick else ''}: r = {config.model['r']}, "
                 f"unseen task in the same subspace", fontsize=10)
    fig.text(0.01, 0.01, LINEAR_BAND_NOTE, fontsize=6, color="#666666")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig
