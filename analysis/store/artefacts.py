"""Large artefacts of runs (network weights, checkpoints) as files beside the HDF5 file.

``results/sweep.h5`` keeps the artefacts of run ``<run_id>`` in
``results/sweep.artefacts/<run_id>/<name>``; the run's group records each one's
path relative to the HDF5 file's folder, its sha256 and its size. Files are
written to a temporary name and renamed, so a killed process never leaves a
half-written artefact under its final name.
"""
import hashlib
import os
import re

from featreuse.errors import InputError

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def artefact_folder(h5_path):
    """Folder of a sweep file's artefacts: ``<stem>.artefacts`` beside it."""
    h5_path = os.fspath(h5_path)
    return os.path.splitext(h5_path)[0] + ".artefacts"


def write_artefact(h5_path, run_id, name, data):
    """Write one artefact atomically; return its record ``{"path", "sha256", "bytes"}``.

    Parameters
    ----------
    h5_path : str
        The sweep file.
    run_id, name : str
        Run and artefact name (letters, digits, ``_ . -``).
    data : bytes
    """
    if not _NAME.match(name) or name in (".", ".."):
        raise InputError(f"artefact name {name!r}: use letters, digits, '_', '.' and '-'")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InputError(f"artefact {name!r} must be bytes, got {type(data).__name__}")
    folder = os.path.join(artefact_folder(h5_path), run_id)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    rel = os.path.relpath(path, os.path.dirname(os.path.abspath(h5_path)))
    return {"path": rel, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def resolve(h5_path, record):
    """``(absolute path, sha256)`` of an artefact record of the file ``h5_path``."""
    base = os.path.dirname(os.path.abspath(h5_path))
    return os.path.join(base, record["path"]), record["sha256"]


def read_artefact(path, sha256):
    """The bytes of an artefact file, checked against its recorded sha256.

    Raises
    ------
    InputError
        Missing file, or content whose hash differs (damaged or replaced).
    """
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise InputError(f"artefact {path!r} cannot be read: {exc.strerror}") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise InputError(f"artefact {path!r} does not match its recorded sha256 "
                         "(damaged or replaced)")
    return data
