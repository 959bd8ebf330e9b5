"""The per-layer table of a deep sweep: participation ratio and ENSD vs s, as heatmaps.

One row per model and n (at most three n: the smallest, a middle and the
largest). Left: PR of each layer (rows) for the pretrained network ("pre"),
PT+FT at each s, STL and MTL; right: ENSD between the pretrained and the
finetuned representation at each s. Cells hold the mean over seeds; each
row's colours are scaled to its largest value, so that the trend across the
columns of a layer shows whatever its magnitude. LL's signature of nested
feature selection: at small s, a lower PR than the pretrained network's
with ENSD close to that PR (the finetuned representation lies inside the
pretrained one).
"""
import warnings

import numpy as np

from .config import n_values
from .records import MODEL_LAYERS
from .style import MODEL_LABELS, title


def shown_n(config):
    """The n values drawn: all when at most three, else the smallest, a middle one, the largest."""
    ns = sorted(n_values(config))
    return ns if len(ns) <= 3 else [ns[0], ns[len(ns) // 2], ns[-1]]


def _table(df, model, n, config):
    """``(layers, PR columns, PR table, ENSD columns, ENSD table)`` of one model and n."""
    rows = df[(df["model"] == model) & (df["n"] == n)]
    ptft = rows[rows["regime"] == "ptft"]
    model_layers = MODEL_LAYERS[model]
    pr_cols, pr, ensd = [], [], []
    if len(ptft):
        pr_cols.append("pre")
        pr.append([ptft[f"pr_pre_{layer}"].mean() for layer in model_layers])
        for s in sorted(config.rescale):
            sel = ptft[ptft["rescale"] == s]
            if len(sel):
                pr_cols.append(f"s={s:g}")
                pr.append([sel[f"pr_{layer}"].mean() for layer in model_layers])
                ensd.append([sel[f"ensd_{layer}"].mean() for layer in model_layers])
    for regime, label in (("stl", "STL"), ("mtl", "MTL")):
        sel = rows[rows["regime"] == regime]
        if len(sel):
            pr_cols.append(label)
            pr.append([sel[f"pr_{layer}"].mean() for layer in model_layers])
    pr = np.array(pr, dtype=float).T if pr else np.zeros((len(model_layers), 0))
    ensd = np.array(ensd, dtype=float).T if ensd else np.zeros((len(model_layers), 0))
    keep = np.isfinite(pr).any(axis=1)
    layers = [layer for layer, k in zip(model_layers, keep) if k]
    ensd_cols = [c for c in pr_cols if c.startswith("s=")]
    return layers, pr_cols, pr[keep], ensd_cols, ensd[keep]


def _heatmap(ax, values, rows, cols, what):
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)            # a row without values
        scale = np.nanmax(values, axis=1, keepdims=True) if values.size else values
        shade = np.where(np.isfinite(values), values / scale, np.nan)
    ax.imshow(shade, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if np.isfinite(values[i, j]):
                ax.text(j, i, f"{values[i, j]:.2g}", ha="center", va="center", fontsize=6,
                        color="white" if shade[i, j] < 0.6 else "black")
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels(cols, fontsize=7, rotation=45)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(rows, fontsize=7)
    ax.set_title(what, fontsize=8)


def layers_figure(df, config):
    """Draw the heatmaps; returns the matplotlib Figure."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [(model, n) for model in config.models for n in shown_n(config)]
    fig, axes = plt.subplots(len(panels), 2, figsize=(10, 2.9 * len(panels) + 0.8),
                             squeeze=False, gridspec_kw={"width_ratios": [1.4, 1]})
    for i, (model, n) in enumerate(panels):
        layers, pr_cols, pr, ensd_cols, ensd = _table(df, model, n, config)
        where = f"{MODEL_LABELS.get(model, model)}, n = {n}"
        _heatmap(axes[i, 0], pr, layers, pr_cols, f"participation ratio: {where}")
        if ensd_cols:
            _heatmap(axes[i, 1], ensd, layers, ensd_cols,
                     f"ENSD (pretrained vs finetuned): {where}")
        else:
            axes[i, 1].axis("off")
    m = config.metrics
    fig.suptitle(f"{title(config)}\nmetrics on the n main-task training images: "
                 f"{'centred' if m['center'] else 'uncentred'}, networks in {m['mode']} mode; "
                 "colour: value / the layer's largest", fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    return fig
