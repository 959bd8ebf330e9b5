"""Writing a matplotlib figure to disk in several formats (PNG + PDF by default)."""
import os


def save_figure(fig, out_dir, stem, formats=("png", "pdf"), dpi=150):
    """Save ``fig`` as ``out_dir/stem.<ext>`` for each format; return the paths written (str)."""
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for ext in formats:
        path = os.path.join(os.fspath(out_dir), f"{stem}.{ext}")
        fig.savefig(path, dpi=dpi)
        paths.append(path)
    return paths
