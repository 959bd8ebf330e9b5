"""Smoke tests of analysis.penalty_figures: files written, plotted curves exact."""
import numpy as np
import pytest

from featreuse.analysis.families.diagonal import penalty_figures as F
from featreuse.errors import InputError, InputTypeError


def lines_by_label(ax):
    return {line.get_label(): (np.asarray(line.get_xdata()), np.asarray(line.get_ydata()))
            for line in ax.get_lines()}


def test_penalty_figures_writes_png_and_pdf(tmp_path):
    paths = F.penalty_figures(tmp_path / "figs")
    assert len(paths) == 8
    for p in paths:
        assert p.exists() and p.stat().st_size > 1000
        head = p.read_bytes()[:8]
        assert head.startswith(b"\x89PNG") if p.suffix == ".png" else head.startswith(b"%PDF")


def test_fig1bc_mtl_curves_satisfy_conservation_law():
    fig = F.figure_1bc(beta=0.7)
    ax_o, ax_d = fig.axes[:2]
    xo, order = lines_by_label(ax_o)["MTL"]
    xd, dep = lines_by_label(ax_d)["MTL"]
    assert np.array_equal(xo, xd)
    assert np.allclose(order + dep, 1.0, atol=1e-14)
    # and the analytic MTL order 1 + |a| / sqrt(beta^2 + a^2)
    assert np.allclose(order, 1 + xo / np.hypot(0.7, xo), rtol=1e-14)


def test_fig1a_and_fig3a_curves_match_closed_forms():
    fig = F.figure_1a(aux=(0.5, 2.0))
    lines = lines_by_label(fig.axes[0])
    for a in (0.5, 2.0):
        x, y = lines[f"MTL |aux|={a:g}"]
        assert np.allclose(y, np.sqrt(x ** 2 + a ** 2) - a, rtol=1e-12)
    # a new feature (beta_aux = 0) starts at w = 0, v = c: A = B = c^2 / 2, so
    # its PT+FT penalty is (c^2/2) q(2 beta / c^2)
    c = 0.05
    fig = F.figure_3a(readout_init=c)
    x, y = lines_by_label(fig.axes[0])["new feature"]
    k = c ** 2 / 2
    u = x / k
    assert np.allclose(y, k * (2 - np.sqrt(4 + u ** 2) + u * np.arcsinh(u / 2)), rtol=1e-12)


def test_bad_arguments():
    with pytest.raises(InputTypeError, match="out_dir"):
        F.penalty_figures(3)
    with pytest.raises(InputError, match="formats"):
        F.penalty_figures("x", formats="png")
    with pytest.raises(InputError, match="aux"):
        F.figure_1a(aux=(-1.0,))
    with pytest.raises(InputError, match="thetas"):
        F.figure_3d(thetas=(2.0,))
