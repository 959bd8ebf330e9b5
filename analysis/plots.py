"""LL-style figures of a sweep file: gen. loss vs n, one line per method.

One panel per grid point (e.g. per overlap; rows x columns when two teacher
parameters are swept), log-log axes, mean over seeds with a +-2 standard-error
band. Methods with variants (e.g. PT+FT with rescaling s) get one line per
variant. Saved as PNG and PDF.
"""
import itertools
import os

import numpy as np

from solvers.errors import InputError

from .figure_files import save_figure

LABELS = {"stl": "STL", "mtl": "MTL", "ptft": "PT+FT", "ptft_lp": "PT+FT (LP)", "stl_lp": "STL (LP)"}
COLORS = {"stl": "#444444", "mtl": "#1f77b4", "ptft": "#d62728", "ptft_lp": "#ff9896",
          "stl_lp": "#aaaaaa"}
VARIANT_LABELS = {"rescale": "s", "readout_init": "c"}


def curves(df, config):
    """Mean and standard error of gen. loss over seeds.

    Returns
    -------
    pandas.DataFrame
        One row per (grid point, method, variant, n): columns of the grid,
        ``method``, variant columns, ``n``, ``mean``, ``se``, ``count``.
    """
    keys = list(config["grid"]) + ["method"]
    for table in config["variants"].values():
        keys += [k for k in table if k not in keys]
    keys.append("n")
    df = df.copy()
    for k in keys:
        if k not in df:
            df[k] = np.nan
    g = df.groupby(keys, sort=True, dropna=False)["gen_loss"]  # NaN: method without variants
    out = g.agg(["mean", "std", "count"]).reset_index()
    out["se"] = out["std"].fillna(0.0) / np.sqrt(out["count"])
    return out


def _label(method, row, variant_keys):
    parts = [f"{VARIANT_LABELS.get(k, k)}={row[k]:g}" for k in variant_keys
             if isinstance(row[k], (int, float)) and np.isfinite(row[k])]
    return LABELS.get(method, method) + (f" ({', '.join(parts)})" if parts else "")


def figure(df, config):
    """Draw the experiment's panels; returns the matplotlib Figure."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid = config["grid"]
    # panels: parameters with one value go to the titles; with two swept, the
    # one with fewer values gives the rows
    swept = sorted((k for k in grid if len(grid[k]) > 1), key=lambda k: len(grid[k]))
    fixed = {k: grid[k][0] for k in grid if len(grid[k]) == 1}
    row_key = swept[0] if len(swept) >= 2 else None
    col_keys = swept[1:] if row_key else swept
    rows = grid[row_key] if row_key else [None]
    cols = list(itertools.product(*[grid[k] for k in col_keys]))
    variant_keys = sorted({k for t in config["variants"].values() for k in t},
                          key=lambda k: (k != "rescale", k))
    cur = curves(df, config)
    width = 3.2 * len(cols)
    fig, axes = plt.subplots(len(rows), len(cols), figsize=(width + 2.4, 2.8 * len(rows) + 0.4),
                             squeeze=False, sharex=True, sharey=True)
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            ax = axes[i, j]
            point = dict(fixed)
            if row_key:
                point[row_key] = r
            point.update(zip(col_keys, c))
            sel = cur
            for k, v in point.items():
                sel = sel[sel[k] == v]
            for method in config["methods"]:
                msel = sel[sel["method"] == method]
                vkeys = [k for k in variant_keys if k in config["variants"].get(method, {})]
                groups = msel.groupby(vkeys, sort=True) if vkeys else [((), msel)]
                nv = max(1, len(config["variants"].get(method, {}).get(vkeys[0], [])) if vkeys else 1)
                for vi, (_, line) in enumerate(groups):
                    if line.empty:
                        continue
                    line = line.sort_values("n")
                    x, m, se = line["n"].to_numpy(float), line["mean"].to_numpy(), line["se"].to_numpy()
                    color = COLORS.get(method, None)
                    alpha = 1.0 - 0.6 * vi / max(1, nv - 1) if nv > 1 else 1.0
                    ax.plot(x, m, "o-", ms=3, color=color, alpha=alpha,
                            label=_label(method, line.iloc[0], vkeys))
                    lo = np.clip(m - 2 * se, m * 1e-3, None)
                    ax.fill_between(x, lo, m + 2 * se, color=color, alpha=0.15 * alpha, lw=0)
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_title(", ".join(f"{k} = {v}" for k, v in point.items()), fontsize=9)
            if i == len(rows) - 1:
                ax.set_xlabel("main-task samples n")
            if j == 0:
                ax.set_ylabel("gen. loss")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="center left", bbox_to_anchor=(width / (width + 2.4), 0.5),
                   fontsize=8, frameon=False)
    fig.suptitle(config["name"] + (" (quick)" if config.get("quick") else ""), fontsize=10)
    fig.tight_layout(rect=(0, 0, width / (width + 2.4), 1))
    return fig


def plot_file(path, out=None):
    """Draw a sweep file's figure as ``<out>/<stem>.png`` and ``.pdf``.

    Parameters
    ----------
    path : str
        HDF5 file written by ``featreuse run``.
    out : str, optional
        Output folder (created if missing); default: the file's folder.

    Returns
    -------
    list of str
        The written paths.
    """
    from .store import load, read_config
    df = load(path)
    if df.empty or df["gen_loss"].notna().sum() == 0:
        raise InputError(f"file: {path!r} has no finished runs with a gen. loss to plot")
    config = read_config(path)
    out = out or os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as exc:
        raise InputError(f"out: cannot create folder {out!r}: {exc}") from None
    fig = figure(df, config)
    stem = os.path.splitext(os.path.basename(path))[0]
    paths = save_figure(fig, out, stem)
    import matplotlib.pyplot as plt
    plt.close(fig)
    return paths
