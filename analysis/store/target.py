"""Whether a path can hold an experiment's sweep file: checked before any work, file untouched."""
import json
import os

import h5py

from featreuse.errors import InputError

from ..families import get_family
from ..paths import check_output_file
from .journal import journal_path
from .layout import LAYOUT, config_json


def describe_file(path, name):
    """Open ``path`` read-only and return its root attributes, or raise a clear error.

    Raises
    ------
    InputError
        Missing, not HDF5, unreadable (truncated or damaged), not a featreuse sweep
        file, or a file of another layout.
    """
    if not os.path.exists(path):
        raise InputError(f"{name}: {path!r} does not exist")
    if os.path.isdir(path):
        raise InputError(f"{name}: {path!r} is a directory, expected an .h5 file")
    if not h5py.is_hdf5(path):
        raise InputError(f"{name}: {path!r} is not an HDF5 file")
    try:
        with h5py.File(path, "r", locking=False) as f:
            attrs = {k: f.attrs[k] for k in f.attrs}
            has_groups = "runs" in f and "summary" in f
    except (OSError, RuntimeError, KeyError) as exc:
        raise InputError(f"{name}: {path!r} cannot be read (truncated or damaged: "
                         f"{str(exc).splitlines()[0]})") from None
    if "experiment" not in attrs or "config" not in attrs or not has_groups:
        raise InputError(f"{name}: {path!r} is an HDF5 file but not a featreuse sweep file")
    if int(attrs.get("layout", 1)) != LAYOUT or "family" not in attrs:
        raise InputError(f"{name}: {path!r} was written by featreuse "
                         f"{attrs.get('featreuse_version', '?')} in an older file layout; "
                         "rerun the experiment into a new file")
    return {k: (v.decode() if isinstance(v, bytes) else v) for k, v in attrs.items()}


def check_target(path, config, name="out"):
    """Check that ``path`` can hold this experiment's sweep, without touching it.

    A new file needs a folder that accepts new files; an existing one must be a
    featreuse sweep file of the same experiment and config (its description may
    differ), and writable.

    Returns
    -------
    bool
        Whether the file exists already (the sweep resumes).

    Raises
    ------
    InputError
        Naming the problem: unwritable path, not an HDF5 file, a damaged file, a
        file of another experiment or config, a journal left without its file.
    """
    path = check_output_file(path, name)
    if not os.path.exists(path):
        if os.path.exists(journal_path(path)):
            raise InputError(f"{name}: {journal_path(path)!r} exists without its HDF5 file "
                             f"{path!r}; move it away or choose another file")
        return False
    attrs = describe_file(path, name)
    if attrs["experiment"] != config.name:
        raise InputError(f"{name}: {path!r} holds experiment {attrs['experiment']!r}, "
                         f"not {config.name!r}; choose another file")
    old, new = json.loads(attrs["config"]), json.loads(config_json(config))
    if old != new:  # a file written before a key was renamed: its config as read now
        old = _as_read_now(attrs, old)
    if old != new:
        keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        raise InputError(f"{name}: {path!r} holds experiment {attrs['experiment']!r} with another "
                         f"config (differs in: {', '.join(keys)}); choose another file or rerun "
                         "with the same options")
    return True


def _as_read_now(attrs, stored):
    """A stored config as its family reads it today (as stored if it cannot)."""
    try:
        config = get_family(attrs["family"]).config_from_dict({**stored, "description": ""})
    except (TypeError, KeyError, InputError):
        return stored
    return json.loads(config_json(config))
