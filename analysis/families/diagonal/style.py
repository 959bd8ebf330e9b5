"""Plotting constants of the diagonal figure (:mod:`.figures`)."""
from featreuse.analysis.plots import REGIME_COLORS

from ..gen_loss import LABEL

#: y axis of every panel
YLABEL = LABEL

LABELS = {"stl": "STL", "mtl": "MTL", "ptft": "PT+FT", "ptft_lp": "PT+FT (LP)",
          "stl_lp": "STL (LP)"}
COLORS = {**REGIME_COLORS, "ptft_lp": "#ff9896", "stl_lp": "#aaaaaa"}
#: legend names of the variant settings
VARIANT_LABELS = {"rescale": "s", "readout_init": "c"}
