"""Plotting constants of the CHS figures (:mod:`.tasks_figure`, :mod:`.probe_figure`)."""
from featreuse.analysis.plots import REGIME_COLORS

#: line colour of each regime
COLORS = {**REGIME_COLORS, "random": "#ff7f0e"}
#: the subspace measures: summary column -> axis label
MEASURES = {
    "energy": "energy ||WM||_F^2 / ||W||_F^2",
    "coverage": "coverage s_min(WM) / s_max(WM)",
    "angle_deg": "largest principal angle (deg)\ntop-r row space of W vs col(M)",
}
ACCURACY_LABEL = "probe test accuracy\n(logistic regr. on ReLU(Wx), unseen task)"


def regime_label(regime, tasks=None):
    """Legend label of a regime (with its task count for ``mtl``)."""
    if regime == "mtl":
        return "MTL" + (f" (T = {tasks:g})" if tasks is not None else "")
    return {"stl": "STL (T = 1)", "random": "random W (untrained)"}[regime]


def one_row_per_network(df, config):
    """The rows of one n per network: the subspace measures do not depend on n."""
    return df[df["n"] == config.n[0]]
