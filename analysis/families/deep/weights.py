"""Network weights as artefact bytes (``torch.save`` of the state dict) and back.

The pretraining run of a seed stores its network's state dict (parameters and
BatchNorm running statistics) as the artefact :data:`WEIGHTS`; its finetuning
runs read it (checked against its sha256 by the store) instead of pretraining
again.
"""
import io
import pickle

from featreuse.errors import InputError

#: artefact name of a pretrained network
WEIGHTS = "weights.pt"


def encode_state(model):
    """The bytes of ``model.state_dict()`` (tensors moved to the CPU), as ``torch.save`` writes."""
    import torch
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    buf = io.BytesIO()
    torch.save(state, buf)
    return buf.getvalue()


def load_state(model, data):
    """Load :func:`encode_state` bytes into ``model`` (same architecture); return ``model``.

    Raises
    ------
    InputError
        The bytes are not a state dict of this architecture.
    """
    import torch
    try:
        state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
        model.load_state_dict(state, strict=True)
    except (RuntimeError, ValueError, KeyError, EOFError, pickle.UnpicklingError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"weights artefact: not a state dict of this network ({first})") from None
    return model
