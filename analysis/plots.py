"""Plot helpers shared by the families' figures, and :func:`plot_file` (``featreuse plot``).

A family's figure is usually a grid of panels, each showing its main error
figure against n, one line per regime (and variant), mean over seeds with a
band of +-2 standard errors. On a log axis a band whose lower edge
``mean - 2 SE`` is not positive cannot be drawn to that edge: it is drawn down
to the bottom of the axes (a note under the figure says so), never to a made-up
positive value.
"""
import os

import numpy as np

from featreuse.errors import InputError

from .figure_files import save_figure

#: note printed under figures with +-2 SE bands on log axes (drawn by :func:`draw_bands`)
BAND_NOTE = ("shaded: mean +- 2 SE over seeds; a band reaching the bottom edge has "
             "mean - 2 SE <= 0")
#: note printed under figures whose bands are drawn on linear (or symlog) y axes only
LINEAR_BAND_NOTE = "shaded: mean +- 2 SE over seeds"
#: colours of the regimes several families share (a family's style adds its own)
REGIME_COLORS = {"stl": "#444444", "mtl": "#1f77b4", "ptft": "#d62728"}


def curves(df, keys, metric):
    """Mean, standard error and count of ``metric`` over seeds.

    Parameters
    ----------
    df : pandas.DataFrame
        A summary (one row per run).
    keys : list of str
        Columns that identify a point of a curve (e.g. grid keys, ``regime``, variant keys, ``n``).
    metric : str

    Returns
    -------
    pandas.DataFrame
        One row per key combination: the keys, ``mean``, ``se``, ``count``.
    """
    df = df.copy()
    for k in keys:
        if k not in df:
            df[k] = np.nan
    g = df.groupby(keys, sort=True, dropna=False)[metric]  # NaN keys: regimes without variants
    out = g.agg(["mean", "std", "count"]).reset_index()
    out["se"] = out["std"].fillna(0.0) / np.sqrt(out["count"])
    return out


def select(frame, where):
    """Rows of ``frame`` whose columns equal ``where``'s values (NaN matches NaN)."""
    mask = np.ones(len(frame), dtype=bool)
    for k, v in where.items():
        col = frame[k]
        if isinstance(v, float) and np.isnan(v):
            mask &= col.isna().to_numpy()
        else:
            mask &= (col == v).to_numpy()
    return frame[mask]


def log_ticks(ax, values, base=2):
    """A log x axis (``base``) ticked at ``values``, labelled with plain numbers."""
    ax.set_xscale("log", base=base)
    ax.set_xticks(values)
    ax.set_xticklabels([f"{v:g}" for v in values])
    ax.minorticks_off()


def draw_mean_se(ax, x, mean, se, color, label, alpha=1.0):
    """One curve: ``mean`` with a +-2 SE band; returns the band's ``(x, lo, hi, color, alpha)``.

    The band is drawn by :func:`draw_bands` once the axis limits are known.
    """
    ax.plot(x, mean, "o-", ms=3, color=color, alpha=alpha, label=label)
    return (np.asarray(x, float), np.asarray(mean - 2 * se, float),
            np.asarray(mean + 2 * se, float), color, alpha)


def draw_bands(panels, log=True):
    """Draw the bands of every panel once its curves are drawn.

    Parameters
    ----------
    panels : list of (Axes, list of bands)
        Bands as returned by :func:`draw_mean_se`.
    log : bool
        Log y axes: the panels get one common bottom (below every curve and every
        positive band edge), and non-positive lower edges are drawn down to it.
    """
    bottom = None
    if log:
        ys = [y for ax, _ in panels for line in ax.get_lines()
              for y in np.asarray(line.get_ydata(), float)]
        ys += [v for _, bands in panels for b in bands for v in b[1] if v > 0]
        ys = [y for y in ys if np.isfinite(y) and y > 0]
        if not ys:
            return
        bottom = min(ys) / 1.5
    for ax, bands in panels:
        if bottom is not None:
            ax.set_ylim(bottom=bottom)
        for x, lo, hi, color, alpha in bands:
            if bottom is not None:
                lo = np.where(lo > 0, lo, bottom)
            ax.fill_between(x, lo, hi, color=color, alpha=0.15 * alpha, lw=0)


def plot_file(path, out=None):
    """Draw a sweep file's figures as ``<out>/<stem><suffix>.png`` and ``.pdf``.

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

    Raises
    ------
    InputError
        Unreadable file, or no finished run to plot.
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .families import get_family
    from .paths import check_output_folder
    from .store import load, read_config
    config = read_config(path)
    df = load(path)
    family = get_family(config.family)
    if df.empty or df[family.metric].notna().sum() == 0:
        raise InputError(f"file: {path!r} has no finished runs with a {family.metric} to plot")
    out = out or os.path.dirname(os.path.abspath(path))
    check_output_folder(out, "--out")
    stem = os.path.splitext(os.path.basename(path))[0]
    paths = []
    for suffix, fig in family.figures(df, config):
        paths += save_figure(fig, out, stem + suffix)
        plt.close(fig)
    return paths
