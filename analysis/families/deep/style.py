"""Plotting constants of the deep figures (:mod:`.accuracy_figure`, :mod:`.layers_figure`)."""
from featreuse.analysis.plots import REGIME_COLORS

#: regime labels and colours (PT+FT lines are coloured by s: :func:`rescale_colors`)
LABELS = {"stl": "STL", "mtl": "MTL", "ptft": "PT+FT"}
COLORS = REGIME_COLORS
MODEL_LABELS = {"resnet18": "ResNet-18 (LL stem)", "resnet18_cifar": "ResNet-18 (CIFAR stem)",
                "vit": "ViT"}
ACCURACY_LABEL = "test accuracy (main 2-class task)"


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
