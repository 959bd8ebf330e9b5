"""Figures of a deep sweep: accuracy (main figure) and the per-layer PR / ENSD table.

``""``         :func:`.accuracy_figure.accuracy_figure`: test accuracy vs n per s (and vs s
               per n), one column per model;
``"-layers"``  :func:`.layers_figure.layers_figure`: per-layer participation ratio and ENSD vs
               s (heatmaps with the values written in), one row per model and n.
"""
#: regime labels and colours
LABELS = {"stl": "STL", "mtl": "MTL", "ptft": "PT+FT"}
COLORS = {"stl": "#444444", "mtl": "#1f77b4"}
MODEL_LABELS = {"resnet18": "ResNet-18 (LL stem)", "resnet18_cifar": "ResNet-18 (CIFAR stem)",
                "vit": "ViT"}
ACCURACY_LABEL = "test accuracy (main 2-class task)"
BAND_NOTE = "shaded: mean +- 2 SE over seeds"


def rescale_colors(values):
    """``{s: colour}``: from dark purple (smallest s) to orange (largest s)."""
    import matplotlib
    cmap = matplotlib.colormaps["plasma"]
    order = sorted(values)
    return {s: cmap(0.85 * i / max(1, len(order) - 1)) for i, s in enumerate(order)}


def data_label(config):
    """Short name of the experiment's data."""
    return "digits (built in)" if config.data == "digits" else "CIFAR-100"


def title(config):
    """Figure title: experiment, quick, data, width."""
    return (f"{config.name}{' (quick)' if config.quick else ''}: {data_label(config)}, "
            f"width x{config.width:g}, {len(config.seeds)} seed(s)")


def log_ticks(ax, values, base):
    """Log axis with a tick at every value."""
    ax.set_xscale("log", base=base)
    ax.set_xticks(values)
    ax.set_xticklabels([f"{v:g}" for v in values])
    ax.minorticks_off()


def figures(df, config):
    """``[(suffix, Figure)]`` of a deep summary."""
    from .accuracy_figure import accuracy_figure
    from .layers_figure import layers_figure
    return [("", accuracy_figure(df, config)), ("-layers", layers_figure(df, config))]
