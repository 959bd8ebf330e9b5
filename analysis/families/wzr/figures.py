"""WZR-style figures of the four studies (one figure per sweep file).

* capacity: the target's rel. test MSE against the capacity r, one line per n; STL
  dashed (WZR Prop. 1: MTL = STL from r = k on).
* covariance: the target's MTL - STL rel. test MSE against the source's sample count,
  one line per source covariance (WZR Fig. 3, not Thm 2: docs/wzr.md); below 0 is
  positive transfer.
* reweight: rel. test MSE against n for STL, MTL and MTL with Algorithm 2's weights,
  its relative change by the weights (paired by seed), and the weights of the noisy
  and the clean tasks.
* align: rel. test MSE against n per regime (one line style per target noise), and
  the change by alignment of the module score ``CovSim(X_t R_t B, X_s R_s B)`` (the
  input score ``CovSim(X_t R_t, X_s R_s)`` is not identified: docs/wzr.md), one column
  per source.
* ablation: per task pair, the change by alignment of CovSim of the module's inputs
  and of its outputs (every seed), and the target's accuracy per regime
  (:mod:`.ablation_figures`).

Lines are means over seeds with +-2 standard-error bands (:mod:`featreuse.analysis.plots`).
"""
import numpy as np

from featreuse.analysis.plots import (BAND_NOTE, LINEAR_BAND_NOTE, curves, draw_bands,
                                     draw_mean_se, log_ticks, select)

from .ablation_figures import ablation_figure
from .records import METRIC
from .style import COLORS, LABELS, SOURCE_COLORS, SOURCE_LABELS


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _line(ax, frame, x, color, label):
    """Mean +-2 SE of a :func:`featreuse.analysis.plots.curves` frame against column ``x``; its band.

    A band over a single x has no width: that point gets a +-2 SE error bar instead.
    """
    frame = frame.sort_values(x)
    xs, mean, se = frame[x].to_numpy(float), frame["mean"].to_numpy(), frame["se"].to_numpy()
    if len(frame) == 1:
        ax.errorbar(xs, mean, yerr=2 * se, color=color, capsize=3, lw=1)
    return draw_mean_se(ax, xs, mean, se, color, label)


def _finish(fig, config, note=BAND_NOTE):
    fig.suptitle(config.name + (" (quick)" if config.quick else ""), fontsize=10)
    fig.text(0.01, 0.01, note, fontsize=6, color="#666666")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def capacity_figure(df, config, metric):
    """Target rel. test MSE vs r, one line per n; STL dashed."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.2, 3.8))
    cur = curves(df, ["regime", "n", "r"], metric)
    cmap = plt.get_cmap("viridis")
    rs = np.array(config.grid["r"], dtype=float)
    bands = []
    for i, n in enumerate(config.n):
        color = cmap(i / max(1, len(config.n) - 1) * 0.85)
        mtl = select(cur, {"regime": "mtl", "n": n})
        if len(mtl):
            bands.append(_line(ax, mtl, "r", color, f"MTL, n = {n}"))
        stl = select(cur, {"regime": "stl", "n": n})
        if len(stl):
            mean, se = float(stl["mean"].iloc[0]), float(stl["se"].iloc[0])
            ax.plot(rs, np.full_like(rs, mean), "--", color=color, lw=1, label=f"STL, n = {n}")
            bands.append((rs, np.full_like(rs, mean - 2 * se), np.full_like(rs, mean + 2 * se),
                          color, 0.5))
    k = config.data["k"]
    ax.axvline(k, color="#999999", ls=":", lw=1)
    ax.text(k, 0.02, "r = k: no transfer (Prop. 1) ", transform=ax.get_xaxis_transform(),
            fontsize=7, ha="right", va="bottom", color="#666666")
    ax.set_yscale("log")
    ax.set_xticks(rs)
    ax.set_xlabel("capacity r of the shared module")
    ax.set_ylabel("target rel. test MSE\n(excess MSE / MSE of predicting 0)", fontsize=8)
    ax.set_title(f"{k} tasks sharing X, parameters near a rank-{config.data['rank']} subspace",
                 fontsize=9)
    draw_bands([(ax, bands)])
    ax.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.02, 0.5))
    return _finish(fig, config)


def transfer_differences(df, metric):
    """Per seed: each MTL row's metric minus the STL metric of its seed and n.

    Returns
    -------
    pandas.DataFrame
        The MTL rows with a ``diff`` column (MTL - STL).
    """
    stl = df[df["regime"] == "stl"].groupby(["seed", "n"])[metric].first().rename("_stl")
    mtl = df[df["regime"] == "mtl"].join(stl, on=["seed", "n"])
    return mtl.assign(diff=mtl[metric] - mtl["_stl"])


def covariance_figure(df, config, metric):
    """Target MTL - STL vs source samples, one line per source covariance (WZR Fig. 3)."""
    plt = _plt()
    ns = config.n
    fig, axes = plt.subplots(1, len(ns), figsize=(5.2 * len(ns), 3.8), squeeze=False)
    cur = curves(transfer_differences(df, metric), ["n", "source", "n_source"], "diff")
    panels = []
    for ax, n in zip(axes[0], ns):
        bands = []
        for source in config.grid["source"]:
            line = select(cur, {"n": n, "source": source})
            if len(line):
                bands.append(_line(ax, line, "n_source", SOURCE_COLORS[source],
                                   f"source: {SOURCE_LABELS[source]}"))
        ax.axhline(0.0, color="#444444", lw=0.8)
        log_ticks(ax, config.grid["n_source"])
        ax.set_yscale("symlog", linthresh=1.0)
        ax.set_xlabel("source training samples")
        ax.set_ylabel("target rel. test MSE: MTL - STL\n(< 0: positive transfer)", fontsize=8)
        t = config.data
        ax.set_title(f"WZR Fig. 3: target n = {n}, D = {t['D']}, kappa = {t['kappa']:g}, "
                     f"cos = {t['cos']:g}, r = {config.model['r']}", fontsize=9)
        panels.append((ax, bands))
    draw_bands(panels, log=False)
    axes[0, 0].legend(fontsize=7, frameon=False)
    return _finish(fig, config, LINEAR_BAND_NOTE + " (symlog y axis, linear within +-1)")


def reweighting_change(df, metric):
    """Per seed and n: the metric with Algorithm 2's weights over that with uniform weights, - 1.

    Returns
    -------
    pandas.DataFrame
        The ``mtl_reweighted`` rows with a ``change`` column.
    """
    even = df[df["regime"] == "mtl"].groupby(["seed", "n"])[metric].first().rename("_even")
    rew = df[df["regime"] == "mtl_reweighted"].join(even, on=["seed", "n"])
    return rew.assign(change=rew[metric] / rew["_even"] - 1.0)


def reweight_figure(df, config, metric):
    """Rel. test MSE vs n per regime, its change by reweighting, and Algorithm 2's weights."""
    plt = _plt()
    fig, (ax, axc, axw) = plt.subplots(1, 3, figsize=(14.0, 3.8))
    cur = curves(df, ["regime", "n"], metric)
    bands = [_line(ax, select(cur, {"regime": r}), "n", COLORS[r], LABELS[r])
             for r in config.regimes if len(select(cur, {"regime": r}))]
    log_ticks(ax, config.n)
    ax.set_yscale("log")
    ax.set_xlabel("training samples n (shared by the tasks)")
    ax.set_ylabel("target rel. test MSE\n(excess MSE / MSE of predicting 0)", fontsize=8)
    t = config.data
    ax.set_title(f"{t['k']} tasks share X; task {t['k'] - 1} has "
                 f"{100 * t['noisy_fraction']:g}% random labels; r = {config.model['r']}",
                 fontsize=9)
    ax.legend(fontsize=7, frameon=False)
    cbands = []
    if {"mtl", "mtl_reweighted"} <= set(config.regimes):
        change = curves(reweighting_change(df, metric), ["n"], "change")
        cbands.append(_line(axc, change, "n", COLORS["mtl_reweighted"], "Alg. 2 weights"))
    axc.axhline(0.0, color="#444444", lw=0.8)
    log_ticks(axc, config.n)
    axc.set_xlabel("training samples n")
    axc.set_ylabel("target rel. test MSE: reweighted / uniform - 1\n(< 0: reweighting helps)",
                   fontsize=8)
    axc.set_title("paired by seed", fontsize=9)
    wbands = []
    rew = df[df["regime"] == "mtl_reweighted"]
    for col, color, label in (("weight_clean", "#2ca02c", "clean tasks (mean)"),
                              ("weight_noisy", "#d62728", "task with random labels")):
        if len(rew):
            wbands.append(_line(axw, curves(rew, ["n"], col), "n", color, label))
    axw.axhline(1.0, color="#999999", ls=":", lw=1)
    log_ticks(axw, config.n)
    axw.set_xlabel("training samples n")
    axw.set_ylabel("Algorithm 2 weight (mean 1)", fontsize=8)
    axw.set_title("SVD task weights", fontsize=9)
    axw.legend(fontsize=7, frameon=False)
    draw_bands([(ax, bands)])
    draw_bands([(axc, cbands), (axw, wbands)], log=False)
    return _finish(fig, config)


def _noise_levels(df, config):
    """``[(value or None, (linestyle, marker), label suffix)]`` of the target noise levels of a
    sweep (a marker per level too: a quick grid has a single n, so no line shows)."""
    if "target_noise" not in config.grid:
        return [(None, ("-", "o"), "")]
    styles, markers = ("-", "--", ":", "-."), ("o", "^", "s", "D")
    return [(v, (styles[i % len(styles)], markers[i % len(markers)]), f", target noise {v:g}")
            for i, v in enumerate(config.grid["target_noise"])]


def _restyle(ax, style):
    """Give the last line drawn on ``ax`` the ``(linestyle, marker)`` of its noise level."""
    line = ax.get_lines()[-1]
    line.set_linestyle(style[0])
    line.set_marker(style[1])


def align_figure(df, config, metric):
    """Per source: rel. test MSE vs n per regime (and target noise), and the change by
    alignment of the module score CovSim(X_t R_t B, X_s R_s B)."""
    plt = _plt()
    sources = config.grid["source"]
    fig, axes = plt.subplots(2, len(sources), figsize=(4.4 * len(sources) + 2.8, 6.4),
                             squeeze=False, sharex=True)
    err_panels, sim_panels = [], []
    for j, source in enumerate(sources):
        ax, axs = axes[0, j], axes[1, j]
        bands, sbands = [], []
        for noise, style, suffix in _noise_levels(df, config):
            rows = df if noise is None else df[df["target_noise"] == noise]
            cur = curves(rows, ["regime", "source", "n"], metric)
            for regime in config.regimes:
                # STL does not depend on the source: the same line in every column
                where = ({"regime": regime} if regime == "stl"
                         else {"regime": regime, "source": source})
                line = select(cur, where)
                if len(line):
                    bands.append(_line(ax, line, "n", COLORS[regime], LABELS[regime] + suffix))
                    _restyle(ax, style)
            for regime in ("mtl_aligned", "ptft_aligned"):
                sel = rows[(rows["regime"] == regime) & (rows["source"] == source)]
                if len(sel) and "covsim_module" in sel:   # older files lack it
                    sel = sel.assign(dcov=sel["covsim_module"] - sel["covsim_module_before"])
                    sbands.append(_line(axs, curves(sel, ["n"], "dcov"), "n", COLORS[regime],
                                        LABELS[regime] + suffix))
                    _restyle(axs, style)
        log_ticks(ax, config.n)
        ax.set_yscale("log")
        ax.set_title(f"source: {SOURCE_LABELS[source]}", fontsize=9)
        err_panels.append((ax, bands))
        axs.axhline(0.0, color="#444444", lw=0.8)
        axs.set_xlabel("target training samples n")
        sim_panels.append((axs, sbands))
        if j == 0:
            ax.set_ylabel("target rel. test MSE\n(excess MSE / MSE of predicting 0)", fontsize=8)
            axs.set_ylabel(f"CovSim(X_t R_t B, X_s R_s B): after -\nbefore alignment "
                           f"(r = {config.model['r']})", fontsize=8)
    draw_bands(err_panels)
    draw_bands(sim_panels, log=False)
    for ax in (axes[0, -1], axes[1, -1]):
        ax.legend(fontsize=6, frameon=False, loc="center left", bbox_to_anchor=(1.02, 0.5))
    return _finish(fig, config)


FIGURES = {"capacity": capacity_figure, "covariance": covariance_figure,
           "reweight": reweight_figure, "align": align_figure, "ablation": ablation_figure}


def figures(df, config):
    """``[(suffix, Figure)]`` of a WZR summary: its kind's one figure."""
    return [("", FIGURES[config.kind](df, config, METRIC))]
