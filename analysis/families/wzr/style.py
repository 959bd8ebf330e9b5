"""Plotting constants of the WZR figures (:mod:`.figures`)."""
from featreuse.analysis.plots import REGIME_COLORS

LABELS = {"stl": "STL", "mtl": "MTL", "mtl_reweighted": "MTL, SVD reweighting (Alg. 2)",
          "mtl_aligned": "MTL + alignment (Alg. 1)", "ptft": "PT+FT (head)",
          "ptft_aligned": "PT+FT + alignment (Alg. 1)",
          "mtl_finetuned": "MTL, finetuned on the target",
          "mtl_head": "MTL, head finetuned on the target"}
COLORS = {**REGIME_COLORS, "mtl_reweighted": "#2ca02c", "mtl_aligned": "#9467bd",
          "ptft_aligned": "#ff7f0e", "mtl_finetuned": "#8c564b",
          "mtl_head": "#17becf"}
#: the source tasks of the covariance and align studies
SOURCE_COLORS = {"aligned": "#2ca02c", "rotated": "#d62728", "rescaled": "#ff7f0e"}
SOURCE_LABELS = {"aligned": "same covariance", "rotated": "rotated covariance",
                 "rescaled": "rescaled covariance"}
