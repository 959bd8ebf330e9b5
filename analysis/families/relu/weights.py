"""Network weights as artefact bytes (``.npz`` of ``W`` and ``a``) and back."""
import io

import numpy as np

from featreuse.errors import InputError

#: artefact name of a run's trained (or pretrained) weights
WEIGHTS = "weights.npz"


def encode_weights(W, a, dtype):
    """``.npz`` bytes of hidden weights ``W`` (K, D) and readout ``a`` (T, K).

    Parameters
    ----------
    W : ndarray (K, D)
    a : ndarray (T, K)
    dtype : str
        ``"float32"`` or ``"float64"``: the training dtype; the values were
        computed in it, so storing them in it loses nothing.
    """
    buf = io.BytesIO()
    np.savez(buf, W=np.asarray(W, dtype=dtype), a=np.asarray(a, dtype=dtype))
    return buf.getvalue()


def decode_weights(data):
    """``(W (K, D), a (T, K))`` as float64 from :func:`encode_weights` bytes.

    Raises
    ------
    InputError
        The bytes are not such an archive.
    """
    try:
        with np.load(io.BytesIO(data)) as archive:
            W, a = archive["W"], archive["a"]
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"weights artefact: not an .npz of W and a ({exc})") from None
    if W.ndim != 2 or a.ndim != 2 or a.shape[1] != W.shape[0]:
        raise InputError(f"weights artefact: W {W.shape} and a {a.shape} must be (K, D) and (T, K)")
    return W.astype(np.float64), a.astype(np.float64)
