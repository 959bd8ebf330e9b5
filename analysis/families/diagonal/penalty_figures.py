"""Penalty figures of Lippl & Lindsey (LL): Fig. 1a-c, 3a and 3d, from closed forms.

Every figure is drawn from :mod:`featreuse.solvers.penalties` alone (no training). Each
``figure_*`` function returns a :class:`matplotlib.figure.Figure` (Agg canvas,
no pyplot state); :func:`penalty_figures` writes all of them as PNG and PDF.
Line labels are stable so that callers (and tests) can read the plotted data
back with ``ax.get_lines()``.
"""
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from featreuse.solvers import penalties as P
from featreuse.errors import InputError, InputTypeError

from featreuse.analysis.figure_files import save_figure

__all__ = ["figure_1a", "figure_1bc", "figure_3a", "figure_3d", "penalty_figures"]

_AUX = (0.01, 0.1, 1.0, 10.0)
_BETA = np.logspace(-2, 1, 200)
_AUX_GRID = np.logspace(-3, 2, 200)


def _colors(k):
    from matplotlib import colormaps
    cmap = colormaps["viridis"]
    return [cmap(x) for x in np.linspace(0.0, 0.85, k)]


def figure_1a(aux=_AUX, beta=_BETA, rescale=1.0, readout_init=1e-3):
    """LL Fig. 1a: per-feature penalty vs main-task magnitude ``|beta|``.

    Solid: exact PT+FT penalty (balanced pretrained feature of magnitude
    ``|beta_aux|``, relative to its initial predictor; :func:`featreuse.solvers.penalties.ptft_penalty`).
    Dashed: MTL conditional penalty ``sqrt(beta^2 + beta_aux^2) - |beta_aux|``.
    Log-log axes.

    Parameters
    ----------
    aux : sequence of float
        Auxiliary-task magnitudes ``|beta_aux| > 0``, one colour each.
    beta : array_like (m,)
        Main-task magnitudes ``> 0`` (x axis).
    rescale, readout_init : float
        Finetuning rescale ``s`` and readout reset ``c``.
    """
    aux, beta = _check_aux(aux), _check_grid(beta, "beta")
    fig = Figure(figsize=(4.2, 3.4), layout="constrained")
    ax = fig.add_subplot()
    for a, col in zip(aux, _colors(len(aux))):
        pre = P.balanced_params(np.array([a]))
        ptft = P.ptft_penalty(beta[:, None], pre, rescale, readout_init, relative=True)
        mtl = P.mtl_conditional_penalty(beta, a, reduce=False)
        ax.loglog(beta, ptft, color=col, label=f"PT+FT |aux|={a:g}")
        ax.loglog(beta, mtl, color=col, ls="--", label=f"MTL |aux|={a:g}")
    ax.set_xlabel(r"main-task magnitude $|\beta|$")
    ax.set_ylabel("penalty")
    ax.set_title(f"PT+FT (solid, s={rescale:g}, c={readout_init:g}) vs MTL (dashed)", fontsize=8)
    ax.legend(fontsize=6, ncol=2)
    return fig


def figure_1bc(beta=1.0, aux=_AUX_GRID, rescale=1.0, readout_init=1e-3):
    """LL Fig. 1b/1c: ℓ-order (left) and feature dependence (right) vs ``|beta_aux|``.

    Curves: MTL (analytic), PT+FT as LL's idealised penalty (analytic) and
    the exact PT+FT penalty (finite differences in log space), all at main-task
    magnitude ``beta``.
    """
    check = float(_check_grid(np.atleast_1d(beta), "beta")[0])
    aux = _check_grid(aux, "aux")
    fig = Figure(figsize=(7.6, 3.2), layout="constrained")
    ax_o, ax_d = fig.subplots(1, 2)
    curves = [
        ("MTL", "mtl", {}, "C0", "-"),
        ("PT+FT (LL ideal)", "ptft_ideal", {"rescale": rescale, "readout_init": readout_init},
         "C1", "-"),
        ("PT+FT (exact)", "ptft", {"rescale": rescale, "readout_init": readout_init}, "C1", ":"),
    ]
    for label, name, kw, col, ls in curves:
        ax_o.semilogx(aux, P.l_order(name, check, aux, **kw), color=col, ls=ls, label=label)
        ax_d.semilogx(aux, P.feature_dependence(name, check, aux, **kw), color=col, ls=ls,
                      label=label)
    ax_o.set_ylabel(r"ℓ-order $\partial \ln R / \partial \ln|\beta|$")
    ax_d.set_ylabel(r"feature dependence $\partial \ln R / \partial \ln|\beta_{aux}|$")
    for ax in (ax_o, ax_d):
        ax.set_xlabel(r"auxiliary-task magnitude $|\beta_{aux}|$")
        ax.legend(fontsize=7)
    fig.suptitle(rf"$|\beta|$={check:g}, s={rescale:g}, c={readout_init:g}", fontsize=9)
    return fig


def figure_3a(rescales=(0.1, 0.3, 1.0, 3.0), beta=_BETA, aux=1.0, readout_init=1e-3):
    """LL Fig. 3a: effect of the rescaling ``s`` on the exact PT+FT penalty.

    Solid: a feature learned in pretraining (``|beta_aux| = aux``); dashed: a
    new feature (``beta_aux = 0``, whose penalty does not depend on ``s``).
    Penalties are relative to the initial predictor (see
    :func:`featreuse.solvers.penalties.ptft_penalty`).
    """
    rescales = _check_aux(rescales, "rescales")
    beta = _check_grid(beta, "beta")
    fig = Figure(figsize=(4.2, 3.4), layout="constrained")
    ax = fig.add_subplot()
    pre_old = P.balanced_params(np.array([float(aux)]))
    pre_new = P.balanced_params(np.array([0.0]))
    for s, col in zip(rescales, _colors(len(rescales))):
        old = P.ptft_penalty(beta[:, None], pre_old, s, readout_init, relative=True)
        ax.loglog(beta, old, color=col, label=f"reused, s={s:g}")
    new = P.ptft_penalty(beta[:, None], pre_new, 1.0, readout_init, relative=True)
    ax.loglog(beta, new, color="k", ls="--", label="new feature")
    ax.set_xlabel(r"main-task magnitude $|\beta|$")
    ax.set_ylabel("PT+FT penalty")
    ax.set_title(rf"$|\beta_{{aux}}|$={aux:g}, c={readout_init:g}", fontsize=9)
    ax.legend(fontsize=7)
    return fig


def figure_3d(thetas=(1.0, 0.9, 0.5, 0.0), beta=_BETA, aux=1.0, readout_init=1e-3):
    """LL Fig. 3d: ReLU finetuning penalty vs ``|beta|`` for several cosines ``theta``.

    :func:`featreuse.solvers.penalties.relu_ft_penalty` of one hidden unit with
    pretrained magnitude ``aux`` and readout reset ``readout_init``.
    """
    thetas = np.asarray(thetas, dtype=float)
    if thetas.ndim != 1 or np.any(np.abs(thetas) > 1):
        raise InputError("thetas must be a sequence of cosines in [-1, 1]")
    beta = _check_grid(beta, "beta")
    fig = Figure(figsize=(4.2, 3.4), layout="constrained")
    ax = fig.add_subplot()
    for th, col in zip(thetas, _colors(len(thetas))):
        ax.loglog(beta, P.relu_ft_penalty(beta, aux, th, readout_init, reduce=False),
                  color=col, label=rf"$\theta$={th:g}")
    ax.set_xlabel(r"main-task output weight $|\beta|$")
    ax.set_ylabel("ReLU finetuning penalty")
    ax.set_title(rf"$|\beta_{{aux}}|$={aux:g}, $v_0$={readout_init:g}", fontsize=9)
    ax.legend(fontsize=7)
    return fig


def penalty_figures(out_dir, formats=("png", "pdf"), dpi=150):
    """Draw Fig. 1a, 1b/1c, 3a and 3d and write each in every format.

    Parameters
    ----------
    out_dir : str or Path
        Directory (created if missing).
    formats : sequence of str
        File extensions understood by matplotlib (default PNG and PDF).
    dpi : int
        Raster resolution.

    Returns
    -------
    list of Path
        The files written, in figure order.
    """
    if not isinstance(out_dir, (str, Path)):
        raise InputTypeError(f"out_dir must be a path, got {type(out_dir).__name__}")
    if isinstance(formats, str) or not formats:
        raise InputError("formats must be a non-empty sequence of extensions, e.g. ('png', 'pdf')")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in (("fig1a_penalty", figure_1a), ("fig1bc_order_dependence", figure_1bc),
                       ("fig3a_rescaling", figure_3a), ("fig3d_relu_finetuning", figure_3d)):
        written += [Path(p) for p in save_figure(make(), out_dir, name, formats, dpi)]
    return written


def _check_aux(values, name="aux"):
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0 or np.any(~np.isfinite(arr)) or np.any(arr <= 0):
        raise InputError(f"{name} must be a non-empty sequence of positive numbers")
    return arr


def _check_grid(values, name):
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0 or np.any(~np.isfinite(arr)) or np.any(arr <= 0):
        raise InputError(f"{name} must be a non-empty 1-d array of positive numbers")
    return arr
