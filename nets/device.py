"""Choice of the torch device, checked before any work is done, and deterministic kernels."""
import os

import torch

from featreuse.errors import InputError, InputTypeError


def resolve_device(name):
    """Return the ``torch.device`` for ``name``.

    Parameters
    ----------
    name : str or torch.device
        ``"cpu"``, ``"cuda"`` or ``"cuda:<index>"``.

    Returns
    -------
    torch.device

    Raises
    ------
    InputError
        Unknown name, or a CUDA device when ``torch.cuda.is_available()`` is
        False (or the index is out of range).

    Notes
    -----
    Every call switches torch to deterministic algorithms
    (``torch.use_deterministic_algorithms(True, warn_only=True)``: an operation
    without a deterministic kernel warns instead of failing) and cuDNN's autotuner
    off; on CUDA it first sets ``CUBLAS_WORKSPACE_CONFIG=:4096:8`` unless set, which
    cuBLAS needs for reproducible results (read when cuBLAS starts, so set before
    the first CUDA matmul). On CUDA, TF32 is switched off for matmuls and cuDNN and the float32 matmul
    precision is set to ``"highest"``, so that float32 results keep their full
    23-bit mantissa (TF32 keeps 10 bits, too coarse for a 1e-8 loss tolerance).
    """
    if isinstance(name, torch.device):
        name = str(name)
    if not isinstance(name, str):
        raise InputTypeError(
            f"device must be a string such as 'cpu' or 'cuda', got {type(name).__name__}")
    kind, _, index = name.partition(":")
    if kind == "cpu" and not index:
        deterministic()
        return torch.device("cpu")
    if kind != "cuda" or (index and not index.isdigit()):
        raise InputError(f"device must be 'cpu', 'cuda' or 'cuda:<index>', got {name!r}")
    if not torch.cuda.is_available():
        raise InputError(f"device {name!r} was requested but torch.cuda.is_available() is False")
    if index and int(index) >= torch.cuda.device_count():
        raise InputError(
            f"device {name!r}: only {torch.cuda.device_count()} CUDA device(s) are visible")
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    deterministic()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    return torch.device(name)


def deterministic():
    """Switch torch to deterministic algorithms (warning where none exists) and cuDNN's
    autotuner off; see docs/reproducibility.md."""
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False
