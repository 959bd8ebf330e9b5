"""Plotting constants of the ReLU figures (:mod:`.figures`)."""
from featreuse.analysis.plots import REGIME_COLORS

from ..gen_loss import LABEL

#: y axis of the gen. loss panels
YLABEL = LABEL

LABELS = {"stl": "STL", "mtl": "MTL", "ptft": "PT+FT", "ptft_readout": "PT+FT (readout)",
          "ptft_lp": "PT+FT (LP)", "ntk": "NTK"}
COLORS = {**REGIME_COLORS, "ptft_readout": "#8c564b", "ptft_lp": "#ff9896", "ntk": "#2ca02c"}
#: axis, title and legend names of the swept and variant settings
KEY_LABELS = {"rho": "rho", "shared": "shared units", "n_main_units": "main units",
              "magnitude": "magnitude", "sigma": "sigma", "rescale": "s"}
CAP_NOTE = "open marker: some run stopped at its epoch cap (not converged)"
