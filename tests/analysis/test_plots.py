"""Plot helpers: means and standard errors over seeds, honest error bands on log axes."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from featreuse.analysis.plots import curves, draw_bands, draw_mean_se  # noqa: E402


def test_curves_are_mean_and_standard_error_over_seeds():
    df = pd.DataFrame({"regime": ["a"] * 4 + ["b"] * 2, "n": [16, 16, 32, 32, 16, 16],
                       "seed": [0, 1, 0, 1, 0, 1], "m": [1.0, 3.0, 2.0, 2.0, 5.0, 7.0]})
    cur = curves(df, ["regime", "n"], "m").set_index(["regime", "n"])
    assert cur.loc[("a", 16), "mean"] == 2.0 and cur.loc[("a", 32), "se"] == 0.0
    assert np.isclose(cur.loc[("b", 16), "se"], np.std([5.0, 7.0], ddof=1) / np.sqrt(2))
    assert (cur["count"] == 2).all()


def _band_ys(ax):
    (poly,) = ax.collections
    return poly.get_paths()[0].vertices[:, 1]


def test_a_non_positive_lower_band_edge_reaches_the_axis_bottom_on_log_axes():
    fig, ax = plt.subplots()
    x = np.array([16.0, 32.0, 64.0])
    mean = np.array([1.0, 0.1, 0.01])
    se = np.array([0.1, 0.01, 0.02])  # the last point: mean - 2 SE < 0
    ax.set_yscale("log")
    band = draw_mean_se(ax, x, mean, se, "k", "line")
    draw_bands([(ax, [band])])
    bottom = ax.get_ylim()[0]
    ys = _band_ys(ax)
    # measured edges are drawn where they are; the unmeasurable one at the axis bottom,
    # never at a made-up positive value such as mean * 1e-3
    assert np.isclose(ys.min(), bottom)
    for lo in mean[:2] - 2 * se[:2]:
        assert np.isclose(ys, lo).any()
    assert not np.isclose(ys, mean[2] * 1e-3).any()
    assert bottom < (mean - 2 * se)[:2].min()
    plt.close(fig)


def test_diagonal_figure_says_how_the_gen_loss_is_normalised(tmp_path):
    from featreuse.analysis.experiments import load_experiment
    from featreuse.analysis.families import get_family
    config = load_experiment("diag-rescale", quick=True)
    rows = [{"regime": r, "n": n, "seed": s, "support": "nested", "k": k, "gen_loss": 0.5 + s,
             "rescale": 1.0 if r == "ptft" else np.nan, "readout_init": np.nan}
            for r in ("stl", "ptft") for n in (16, 64) for s in (0, 1) for k in (5, 40)]
    ((suffix, fig),) = get_family("diagonal").figures(pd.DataFrame(rows), config)
    labels = {ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()}
    assert labels == {"gen. loss (test MSE / STL's at n = 16)"}
    plt.close(fig)
