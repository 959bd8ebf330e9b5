"""LL-style figure of a diagonal sweep: gen. loss vs n, one line per regime (and variant).

One panel per grid point (e.g. per overlap; rows x columns when two teacher
parameters are swept), log-log axes, mean over seeds with a +-2 standard-error
band. Regimes with variants (e.g. PT+FT with rescaling s) get one line per variant.
"""
import itertools

import numpy as np

from featreuse.analysis.plots import BAND_NOTE, curves, draw_bands, draw_mean_se, select

from ..gen_loss import METRIC
from .style import COLORS, LABELS, VARIANT_LABELS, YLABEL


def _variant_keys(config):
    keys = sorted({k for t in config.variants.values() for k in t},
                  key=lambda k: (k != "rescale", k))
    return keys


def _label(regime, row, variant_keys):
    parts = [f"{VARIANT_LABELS.get(k, k)}={row[k]:g}" for k in variant_keys
             if isinstance(row[k], (int, float)) and np.isfinite(row[k])]
    return LABELS.get(regime, regime) + (f" ({', '.join(parts)})" if parts else "")


def figures(df, config):
    """``[(suffix, Figure)]`` of a diagonal summary: the one gen. loss figure."""
    return [("", figure(df, config))]


def figure(df, config, metric=METRIC):
    """Draw the experiment's panels; returns the matplotlib Figure."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid = config.grid
    # panels: parameters with one value go to the titles; with two swept, the
    # one with fewer values gives the rows
    swept = sorted((k for k in grid if len(grid[k]) > 1), key=lambda k: len(grid[k]))
    fixed = {k: grid[k][0] for k in grid if len(grid[k]) == 1}
    row_key = swept[0] if len(swept) >= 2 else None
    col_keys = swept[1:] if row_key else swept
    rows = grid[row_key] if row_key else [None]
    cols = list(itertools.product(*[grid[k] for k in col_keys]))
    variant_keys = _variant_keys(config)
    cur = curves(df, list(grid) + ["regime"] + variant_keys + ["n"], metric)
    panels = []
    width = 3.2 * len(cols)
    fig, axes = plt.subplots(len(rows), len(cols), figsize=(width + 2.4, 2.8 * len(rows) + 0.7),
                             squeeze=False, sharex=True, sharey=True)
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            ax = axes[i, j]
            point = dict(fixed)
            if row_key:
                point[row_key] = r
            point.update(zip(col_keys, c))
            sel = select(cur, point)
            bands = []
            for regime in config.regimes:
                rsel = sel[sel["regime"] == regime]
                vkeys = [k for k in variant_keys if k in config.variants.get(regime, {})]
                groups = rsel.groupby(vkeys, sort=True) if vkeys else [((), rsel)]
                nv = len(config.variants.get(regime, {}).get(vkeys[0], [])) if vkeys else 1
                for vi, (_, line) in enumerate(groups):
                    if line.empty:
                        continue
                    line = line.sort_values("n")
                    alpha = 1.0 - 0.6 * vi / max(1, nv - 1) if nv > 1 else 1.0
                    bands.append(draw_mean_se(
                        ax, line["n"].to_numpy(float), line["mean"].to_numpy(),
                        line["se"].to_numpy(), COLORS.get(regime), _label(regime, line.iloc[0], vkeys),
                        alpha=alpha))
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            panels.append((ax, bands))
            ax.set_title(", ".join(f"{k} = {v}" for k, v in point.items()), fontsize=9)
            if i == len(rows) - 1:
                ax.set_xlabel("main-task samples n")
            if j == 0:
                ax.set_ylabel(YLABEL, fontsize=8)
    draw_bands(panels)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    right = width / (width + 2.4)
    if handles:
        fig.legend(handles, labels, loc="center left", bbox_to_anchor=(right, 0.5),
                   fontsize=8, frameon=False)
    fig.suptitle(config.name + (" (quick)" if config.quick else ""), fontsize=10)
    fig.text(0.01, 0.01, BAND_NOTE, fontsize=6, color="#666666")
    fig.tight_layout(rect=(0, 0.03, right, 1))
    return fig
