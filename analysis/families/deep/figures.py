"""Figures of a deep sweep: accuracy (main figure) and the per-layer PR / ENSD table.

``""``         :func:`.accuracy_figure.accuracy_figure`: test accuracy vs n per s (and vs s
               per n), one column per model;
``"-layers"``  :func:`.layers_figure.layers_figure`: per-layer participation ratio and ENSD vs
               s (heatmaps with the values written in), one row per model and n.

Colours and labels are in :mod:`.style`.
"""


def figures(df, config):
    """``[(suffix, Figure)]`` of a deep summary."""
    from .accuracy_figure import accuracy_figure
    from .layers_figure import layers_figure
    return [("", accuracy_figure(df, config)), ("-layers", layers_figure(df, config))]
