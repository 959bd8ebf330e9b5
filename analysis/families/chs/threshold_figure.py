"""chs-threshold figure: where in T the learned W comes to span col(M).

Four panels. Coverage and largest principal angle against T / r (log2 axis), one
line per (r, samples): colour by the samples per task and round, solid for the
smallest r, dashed for the next, dotted for the rest; the criterion's level
(:mod:`.threshold`) as a grey line, the untrained W's mean per r as a thin
orange line of that r's style. Then every trained W's coverage against the
conditioning ``lambda_min / lambda_max`` of its tasks' second moment (one marker
per seed and T), and the threshold T of the seed-mean angle and coverage per r
against samples (error bars: the per-seed range; "not reached" drawn above the
largest T). Mean over seeds with a +-2 standard-error band. A key not swept
takes its fixed value (``samples``: ``head_samples``).
"""
import numpy as np

from featreuse.analysis.plots import LINEAR_BAND_NOTE, curves, draw_bands, draw_mean_se

from .style import MEASURES
from .threshold import ANGLE_LEVEL, COVERAGE_LEVEL, task_conditioning, threshold_table

#: line style of the 1st, 2nd, later r
STYLES = ("-", "--", ":")


def _values(config, df, key):
    """The values of a swept or fixed key, sorted."""
    if key in config.grid:
        return sorted(config.grid[key])
    fixed = config.model.get(key, config.train.get(f"head_{key}"))
    return [fixed] if fixed is not None else sorted(df[key].dropna().unique())


def _colors(samples):
    from matplotlib import colormaps
    cmap = colormaps["viridis"]
    return {s: cmap(0.85 * i / max(len(samples) - 1, 1)) for i, s in enumerate(samples)}


def _with_keys(df, config):
    """``df`` with ``r`` and ``samples`` columns (the fixed value when not swept)."""
    df = df.copy()
    if "r" not in df:
        df["r"] = config.model["r"]
    if "samples" not in df:
        df["samples"] = np.where(df["regime"] == "random", np.nan,
                                 config.train.get("head_samples", np.nan))
    return df


def _measure_panel(ax, df, col, rs, samples, colors):
    cur = curves(df[df["regime"] == "mtl"], ["r", "samples", "tasks"], col)
    bands = []
    for i, r in enumerate(rs):
        for s in samples:
            line = cur[(cur["r"] == r) & (cur["samples"] == s)].sort_values("tasks")
            if len(line):
                bands.append(draw_mean_se(ax, line["tasks"].to_numpy(float) / r,
                                          line["mean"].to_numpy(), line["se"].to_numpy(),
                                          colors[s], f"r = {r}, {s:g} samples"))
                ax.get_lines()[-1].set_linestyle(STYLES[min(i, len(STYLES) - 1)])
        ref = df[(df["regime"] == "random") & (df["r"] == r)][col]
        if len(ref):
            ax.axhline(float(ref.mean()), color="#ff7f0e", lw=0.8,
                       ls=STYLES[min(i, len(STYLES) - 1)],
                       label=f"untrained W, r = {r}")
    return bands


def _conditioning_panel(ax, df, rs, colors):
    mtl = df[df["regime"] == "mtl"]
    mtl = mtl[mtl["n"] == mtl["n"].min()]
    markers = ("o", "s", "^")
    for i, r in enumerate(rs):
        sel = mtl[mtl["r"] == r]
        cond = [task_conditioning(int(s), int(t), int(r))
                for s, t in zip(sel["seed"], sel["tasks"])]
        ax.scatter(cond, sel["coverage"], s=9, marker=markers[min(i, 2)], alpha=0.7,
                   c=[colors[s] for s in sel["samples"]], linewidths=0, label=f"r = {r}")
    ax.axhline(COVERAGE_LEVEL, color="#888888", lw=0.8)
    ax.plot([0, 1], [0, 1], ":", color="#888888", lw=0.8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("tasks' conditioning lambda_min / lambda_max\nof (1/T) sum_t v_t v_t^T")
    ax.set_ylabel(MEASURES["coverage"], fontsize=8)
    ax.set_title("every seed and T (colour: samples)", fontsize=9)
    ax.legend(fontsize=7, frameon=False, loc="upper left")


def _threshold_panel(ax, df, rs, samples):
    table = threshold_table(df)
    top = float(df["tasks"].max())
    colors = {r: c for r, c in zip(rs, ("#1f77b4", "#d62728", "#2ca02c", "#9467bd"))}
    for name, marker, offset in (("angle", "o", 0.97), ("coverage", "s", 1.03)):
        for i, r in enumerate(rs):
            sel = table[table["r"] == r].sort_values("samples")
            x = sel["samples"].to_numpy(float) * offset
            mid, lo, hi = (sel[f"T_{name}{k}"].to_numpy(float) for k in ("", "_min", "_max"))
            above = 1.6 * top                       # where "not reached" is drawn
            shown = np.where(np.isfinite(mid), mid, above)
            err = [shown - np.minimum(lo, shown), np.where(np.isfinite(hi), hi, above) - shown]
            ax.errorbar(x, shown, yerr=err, fmt=marker + STYLES[min(i, 2)], color=colors[r],
                        capsize=3, ms=4, mfc=colors[r] if name == "angle" else "white",
                        label=f"r = {r}, " + (f"angle < {ANGLE_LEVEL:g} deg" if name == "angle"
                                              else f"coverage > {COVERAGE_LEVEL:g}"))
    ax.axhline(top, color="#888888", lw=0.8)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ticks = sorted(df.loc[df["regime"] == "mtl", "tasks"].unique())
    ax.set_yticks(ticks)
    ax.set_yticklabels([f"{t:g}" for t in ticks])
    ax.set_xticks(samples)
    ax.set_xticklabels([f"{s:g}" for s in samples])
    ax.minorticks_off()
    ax.set_xlim(min(samples) / 1.5, max(samples) * 1.5)
    ax.set_xlabel("samples per task and round")
    ax.set_ylabel("threshold T (smallest T of the grid from\nwhich on the criterion holds)",
                  fontsize=8)
    ax.set_title(f"seed-mean curves; bars: per-seed range;\nabove the grey line (T = {top:g}): "
                 "not reached", fontsize=8)
    ax.legend(fontsize=6, frameon=False)


def threshold_figure(df, config):
    """Draw the four panels; returns the matplotlib Figure."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    df = _with_keys(df, config)
    rs, samples = _values(config, df, "r"), _values(config, df, "samples")
    colors = _colors(samples)
    fig, axes = plt.subplots(1, 4, figsize=(17, 4.2))
    panels = []
    for ax, col, level in ((axes[0], "coverage", COVERAGE_LEVEL),
                           (axes[1], "angle_deg", ANGLE_LEVEL)):
        panels.append((ax, _measure_panel(ax, df, col, rs, samples, colors)))
        ax.axhline(level, color="#888888", lw=0.8)
        ax.set_xscale("log", base=2)
        ticks = [2.0 ** k for k in range(-3, 8)]
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{t:g}" for t in ticks])
        ax.minorticks_off()
        trained = df.loc[df["regime"] == "mtl", "tasks"]
        ax.set_xlim(0.8 * trained.min() / max(rs), 1.25 * trained.max() / min(rs))
        ax.set_xlabel("training tasks per subspace direction T / r")
        ax.set_ylabel(MEASURES[col], fontsize=8)
    draw_bands(panels, log=False)
    axes[0].set_ylim(0, 1.02)
    axes[1].set_ylim(0, 91)
    _conditioning_panel(axes[2], df, rs, colors)
    _threshold_panel(axes[3], df, rs, samples)
    handles, labels = axes[0].get_legend_handles_labels()
    per_r = len(labels) // len(rs)                  # one legend row per r (filled by column)
    order = [i * per_r + j for j in range(per_r) for i in range(len(rs))]
    fig.legend([handles[k] for k in order], [labels[k] for k in order], loc="lower center",
               ncol=per_r, fontsize=7, frameon=False)
    d = config.model.get("d", config.grid.get("d"))
    fig.suptitle(f"{config.name}{' (quick)' if config.quick else ''}: d = {d}, "
                 f"m = {config.train['width']}, {config.train['rounds']} rounds; grey lines: "
                 f"angle {ANGLE_LEVEL:g} deg, coverage {COVERAGE_LEVEL:g}", fontsize=10)
    fig.text(0.01, 0.01, LINEAR_BAND_NOTE, fontsize=6, color="#666666")
    fig.tight_layout(rect=(0, 0.04 + 0.03 * len(rs), 1, 1))
    return fig
