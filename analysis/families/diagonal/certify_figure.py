"""Figure of the certification table: distance to the convex minimiser vs init scale alpha.

Two curves on log-log axes: the single-task flow vs its implicit-bias program
(exact: the distance sits at the solver's accuracy floor, ~1e-9 and below, at
every alpha) and the small-init multi-task flow vs min-ell_{1,2} (a measured
gap; see docs/certification.md).
"""

import numpy as np

from featreuse.errors import InputError, InputTypeError

from featreuse.analysis.figure_files import save_figure
from featreuse.analysis.plots import REGIME_COLORS

#: (kind, label, colour, marker) of each curve.
CURVES = (("stl", "STL flow vs implicit bias (exact)", REGIME_COLORS["stl"], "o"),
          ("mtl", r"MTL flow vs min $\ell_{1,2}$ (gap)", REGIME_COLORS["mtl"], "s"))
#: Zero distances are drawn at this value (log axes).
FLOOR = 1e-17


def _row_dict(row):
    if isinstance(row, dict):
        return row
    if hasattr(row, "as_dict"):
        return row.as_dict()
    raise InputTypeError(f"rows must hold Certificate objects or dicts, got {type(row).__name__}")


def distance_vs_alpha(rows, kind):
    """``(alpha (m,), distance (m,))`` of the rows of ``kind`` that carry an alpha, sorted.

    Only flow-trained rows are used (GD and backend comparisons are left out).
    """
    pts = []
    for r in map(_row_dict, rows):
        alpha = (r.get("params") or {}).get("alpha")
        if r.get("kind") != kind or alpha is None or not str(r.get("method", "")).startswith("flow"):
            continue
        pts.append((float(alpha), float(r["distance"])))
    pts.sort()
    a = np.array([p[0] for p in pts], dtype=float)
    d = np.array([p[1] for p in pts], dtype=float)
    return a, d


def plot_distance_vs_alpha(rows, out_dir, name="certify_distance_vs_alpha"):
    """Draw distance vs alpha (log-log) and save it as PNG and PDF.

    Parameters
    ----------
    rows : sequence of Certificate or dict
        Rows of :func:`featreuse.analysis.certify.run_cases` (or their JSON dicts, as
        written by ``featreuse check --json``).
    out_dir : str or path-like
        Folder for the files (created if missing).
    name : str
        File stem.

    Returns
    -------
    list of str
        Paths of the PNG and the PDF.

    Raises
    ------
    InputError
        No STL or MTL row with an alpha in ``rows``.
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if isinstance(rows, (str, bytes)) or not hasattr(rows, "__iter__"):
        raise InputTypeError("rows must be a sequence of certificate rows")
    rows = list(rows)
    curves = [(kind, label, colour, marker, *distance_vs_alpha(rows, kind))
              for kind, label, colour, marker in CURVES]
    if not any(c[4].size for c in curves):
        raise InputError("rows: no STL or MTL flow row with an alpha to plot")
    fig, ax = plt.subplots(figsize=(4.6, 3.4), constrained_layout=True)
    for kind, label, colour, marker, a, d in curves:
        if a.size:
            ax.loglog(a, np.maximum(d, FLOOR), marker=marker, color=colour, label=label)
    ax.axhline(1e-6, color="#d62728", lw=0.8, ls="--", label="exact-row tolerance")
    ax.set_xlabel(r"init scale $\alpha$")
    ax.set_ylabel(r"$\|\beta_{trained}-\beta_{convex}\| / \|\beta_{convex}\|$")
    ax.legend(fontsize=7, loc="best")
    paths = save_figure(fig, out_dir, name)
    plt.close(fig)
    return paths
