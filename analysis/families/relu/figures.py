"""LL-style figures of a ReLU sweep.

* ``<stem>.png`` (one per grid block; ``-grid2``, ... for later blocks):
  gen. loss vs n, one panel per grid point, one line per regime (and per
  variant, e.g. the rescaling s), mean over seeds with +-2 SE bands. An open
  marker means that at least one run of that point stopped at its epoch cap
  (not converged).
* ``-units``: gen. loss vs the number of main-task units, one panel per n
  (rows: the other swept values), for blocks that sweep ``n_main_units``.
* ``-rho-magnitude``: heatmaps of the mean gen. loss at the largest n over
  cosine x magnitude, one per regime and variant, for blocks that sweep
  both; on the PT+FT panels a dot marks the cells where LL's penalty prefers
  rotating the pretrained unit over recruiting a new one (idealised
  pretrained network: each auxiliary unit one balanced unit,
  ``m0^2 = s^2 |a_aux|``).
"""
import itertools

import numpy as np

from featreuse.analysis.plots import BAND_NOTE, curves, draw_bands, draw_mean_se, select

from .config import GRID_KEYS, block_points, ordered, swept_keys
from .style import CAP_NOTE, COLORS, KEY_LABELS, LABELS, YLABEL


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _variant_keys(config):
    return sorted({k for t in config.variants.values() for k in t},
                  key=lambda k: (k != "rescale", k))


def _lines(config):
    """Every (regime, variant dict, label, color) drawn, in legend order."""
    import matplotlib
    out = []
    for regime in config.regimes:
        table = config.variants.get(regime, {})
        combos = [dict(zip(table, v)) for v in zip(*table.values())] or [{}]
        cmap = matplotlib.colormaps["plasma"]
        for i, variant in enumerate(combos):
            label = LABELS.get(regime, regime)
            color = COLORS.get(regime)
            if variant:
                label += " (" + ", ".join(f"{KEY_LABELS.get(k, k)}={v:g}"
                                          for k, v in variant.items()) + ")"
                color = cmap(0.8 * i / max(1, len(combos) - 1))
            out.append((regime, variant, label, color))
    return out


def _line_rows(cur, regime, variant):
    """The rows of ``cur`` of one line: its regime and variant values."""
    rows = cur[cur["regime"] == regime]
    for k, v in variant.items():
        rows = rows[rows[k] == v]
    return rows


def _title(point, block):
    shown = [k for k in GRID_KEYS if k in block]
    return ", ".join(f"{KEY_LABELS.get(k, k)} = {point[k]:g}" for k in shown) or "main task"


def _layout(block, count):
    """Rows and columns of one block's panels (rows: the first swept key, in GRID_KEYS order)."""
    multi = [k for k in ordered(block) if len(block[k]) > 1]
    if len(multi) >= 2:
        rows = len(block[multi[0]])
        return rows, count // rows
    cols = min(6, count)
    return -(-count // cols), cols


def _block_rows(df, config, block):
    """Rows of ``df`` at the grid points of ``block``."""
    keys = swept_keys(config)
    if not keys:
        return df
    points = {tuple(p[k] for k in keys) for p in block_points(config, block)}
    mask = [tuple(row) in points for row in df[keys].itertuples(index=False)]
    return df[np.asarray(mask, dtype=bool)]


def _curve_rows(df, keys):
    """Mean, SE and share of runs stopped at their cap (``capped``) per key combination."""
    cur = curves(df, keys, "gen_loss")
    conv = df.assign(_capped=~df["converged"].astype(bool))
    capped = curves(conv, keys, "_capped")
    return cur.merge(capped[keys + ["mean"]].rename(columns={"mean": "capped"}), on=keys,
                     how="left")


def _draw_line(ax, rows, x, label, color, dashed=False):
    rows = rows.sort_values(x)
    xs = rows[x].to_numpy(float)
    band = draw_mean_se(ax, xs, rows["mean"].to_numpy(), rows["se"].to_numpy(), color, label)
    if dashed:  # PT+FT (LP) and NTK often coincide: keep both visible
        ax.get_lines()[-1].set_linestyle("--")
    capped = rows["capped"].to_numpy(float) > 0
    if capped.any():
        ax.plot(xs[capped], rows["mean"].to_numpy()[capped], "o", ms=6, mfc="white",
                mec=color, zorder=3)
    return band


def _finish(fig, axes, config, right):
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="center left", bbox_to_anchor=(right, 0.5), fontsize=8,
                   frameon=False)
    fig.suptitle(config.name + (" (quick)" if config.quick else ""), fontsize=10)
    fig.text(0.01, 0.01, BAND_NOTE + "; " + CAP_NOTE, fontsize=6, color="#666666")
    fig.tight_layout(rect=(0, 0.03, right, 1))
    return fig


def gen_loss_figure(df, config, block):
    """gen. loss vs n: one panel per grid point of ``block``."""
    plt = _plt()
    keys = swept_keys(config)
    vkeys = _variant_keys(config)
    points = block_points(config, block)
    rows, cols = _layout(block, len(points))
    cur = _curve_rows(_block_rows(df, config, block), keys + ["regime"] + vkeys + ["n"])
    width = 3.0 * cols
    fig, axes = plt.subplots(rows, cols, figsize=(width + 2.6, 2.6 * rows + 0.7), squeeze=False,
                             sharex=True, sharey=True)
    panels = []
    for idx, point in enumerate(points):
        ax = axes.flat[idx]
        sel = select(cur, point) if point else cur
        bands = []
        for regime, variant, label, color in _lines(config):
            line = _line_rows(sel, regime, variant)
            if not line.empty:
                bands.append(_draw_line(ax, line, "n", label, color, regime == "ptft_lp"))
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_title(_title(point, block), fontsize=9)
        panels.append((ax, bands))
    for ax in axes.flat[len(points):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("main-task samples n")
    for ax in axes[:, 0]:
        ax.set_ylabel(YLABEL, fontsize=8)
    draw_bands(panels)
    return _finish(fig, axes, config, width / (width + 2.6))


def units_figure(df, config, block):
    """gen. loss vs number of main-task units: one panel per n (rows: other swept values)."""
    plt = _plt()
    keys = swept_keys(config)
    vkeys = _variant_keys(config)
    others = [k for k in ordered(block) if k != "n_main_units"]
    row_points = [dict(zip(others, c)) for c in itertools.product(*[block[k] for k in others])]
    ns = sorted(config.n)
    cur = _curve_rows(_block_rows(df, config, block), keys + ["regime"] + vkeys + ["n"])
    width = 3.0 * len(ns)
    fig, axes = plt.subplots(len(row_points), len(ns), figsize=(width + 2.6,
                             2.6 * len(row_points) + 0.7), squeeze=False, sharex=True,
                             sharey=True)
    panels = []
    for i, rp in enumerate(row_points):
        for j, n in enumerate(ns):
            ax = axes[i, j]
            sel = select(cur, {**rp, "n": n})
            bands = []
            for regime, variant, label, color in _lines(config):
                line = _line_rows(sel, regime, variant)
                if not line.empty:
                    bands.append(_draw_line(ax, line, "n_main_units", label, color,
                                            regime == "ptft_lp"))
            ax.set_yscale("log")
            ax.set_xticks(sorted(block["n_main_units"]))
            title = ", ".join([f"n = {n}"] + [f"{KEY_LABELS.get(k, k)} = {v:g}"
                                               for k, v in rp.items()])
            ax.set_title(title, fontsize=9)
            panels.append((ax, bands))
    for ax in axes[-1]:
        ax.set_xlabel("main-task units")
    for ax in axes[:, 0]:
        ax.set_ylabel(YLABEL, fontsize=8)
    draw_bands(panels)
    return _finish(fig, axes, config, width / (width + 2.6))


def penalty_prefers_pretrained(rho, magnitude, n_main_units, n_aux_units, rescale, readout_init):
    """Whether LL's penalty prefers rotating an idealised pretrained unit to recruiting one.

    The idealised pretrained unit is balanced with ``m0^2 = s^2 / sqrt(n_aux_units)``
    (its auxiliary output weight); the main unit needs ``beta = magnitude /
    sqrt(n_main_units)`` at cosine ``rho``.
    """
    from featreuse.solvers.penalties import relu_ft_penalty
    beta = magnitude / np.sqrt(n_main_units)
    m0_sq = rescale ** 2 / np.sqrt(n_aux_units)
    r_pre = relu_ft_penalty(beta, m0_sq, rho, readout_init=readout_init)
    r_new = relu_ft_penalty(beta, 0.0, 0.0, readout_init=readout_init)
    return bool(r_pre < r_new)


def heatmap_figure(df, config, block):
    """Mean gen. loss at the largest n over cosine x magnitude, one heatmap per line."""
    plt = _plt()
    from matplotlib.colors import LogNorm
    keys = swept_keys(config)
    vkeys = _variant_keys(config)
    n = max(config.n)
    rows = _block_rows(df[df["n"] == n], config, block)
    cur = _curve_rows(rows, keys + ["regime"] + vkeys)
    rhos, mags = sorted(block["rho"]), sorted(block["magnitude"], reverse=True)
    fixed = {k: block[k][0] for k in block if k not in ("rho", "magnitude")}
    lines = _lines(config)
    cols = min(4, len(lines))
    nrows = -(-len(lines) // cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(2.7 * cols + 1.4, 2.5 * nrows + 1.1),
                             squeeze=False)
    values = cur["mean"].to_numpy(float)
    values = values[np.isfinite(values) & (values > 0)]
    norm = LogNorm(vmin=values.min(), vmax=values.max()) if values.size else None
    image = None
    for ax, (regime, variant, label, _) in zip(axes.flat, lines):
        grid = np.full((len(mags), len(rhos)), np.nan)
        sel = _line_rows(cur, regime, variant)
        for _, row in sel.iterrows():
            i, j = mags.index(row["magnitude"]), rhos.index(row["rho"])
            grid[i, j] = row["mean"]
            ax.text(j, i - 0.25, f"{row['mean']:.1e}", ha="center", va="center", fontsize=5,
                    color="white" if norm is not None and norm(row["mean"]) > 0.5 else "black")
        image = ax.imshow(grid, norm=norm, cmap="viridis_r", aspect="auto")
        if regime == "ptft":
            s = variant.get("rescale", config.train[regime]["rescale"])
            sigma = fixed.get("sigma", config.network["sigma"])
            v0 = sigma * np.sqrt(2.0 / config.network["K"])
            units = fixed.get("n_main_units", config.teacher["n_main_units"])
            for i, mag in enumerate(mags):
                for j, rho in enumerate(rhos):
                    if penalty_prefers_pretrained(rho, mag, units, config.teacher["n_aux_units"],
                                                  s, v0):
                        ax.plot(j, i + 0.15, "o", ms=4, color="white", mec="black")
        ax.set_xticks(range(len(rhos)), [f"{r:g}" for r in rhos], fontsize=7)
        ax.set_yticks(range(len(mags)), [f"{m:g}" for m in mags], fontsize=7)
        ax.set_title(label, fontsize=9)
    for ax in axes.flat[len(lines):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("rho (cosine with the aux unit)", fontsize=8)
    for ax in axes[:, 0]:
        ax.set_ylabel("main-task magnitude", fontsize=8)
    fig.subplots_adjust(left=0.09, right=0.86, bottom=0.16 / nrows + 0.06, top=0.86,
                        wspace=0.35, hspace=0.45)
    if image is not None:
        fig.colorbar(image, cax=fig.add_axes([0.89, 0.2, 0.015, 0.6]),
                     label=f"gen. loss at n = {n}")
    title = f"{config.name}{' (quick)' if config.quick else ''}: mean over seeds at n = {n}"
    if fixed:
        title += ", " + ", ".join(f"{KEY_LABELS.get(k, k)} = {v:g}" for k, v in fixed.items())
    fig.suptitle(title, fontsize=10)
    fig.text(0.01, 0.01, "dot: LL's penalty prefers rotating the pretrained unit (idealised "
             "balanced pretraining) over recruiting a new one", fontsize=6, color="#666666")
    return fig


def figures(df, config):
    """Every figure of a ReLU sweep: list of ``(suffix, Figure)``."""
    out = []
    blocks = config.grid or [{}]
    for i, block in enumerate(blocks):
        tag = "" if i == 0 else f"-grid{i + 1}"
        out.append((tag, gen_loss_figure(df, config, block)))
        if len(block.get("n_main_units", [])) > 1:
            out.append((tag + "-units", units_figure(df, config, block)))
        if len(block.get("rho", [])) > 1 and len(block.get("magnitude", [])) > 1:
            out.append((tag + "-rho-magnitude", heatmap_figure(df, config, block)))
    return out
