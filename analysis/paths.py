"""Checks of output paths, made before any work starts.

Permission bits do not tell whether a file can be created (``/proc`` refuses
new files even to root), so writability is probed: a temporary file is created
in the folder and removed at once, and an existing file is opened for writing
without being changed.
"""
import os
import tempfile

from featreuse.errors import InputError, InputTypeError


def _fspath(path, name):
    if not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"{name} must be a file path, got {type(path).__name__}")
    return os.fspath(path)


def probe_folder(folder, name):
    """Raise :class:`InputError` naming ``name`` unless files can be created in ``folder``."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".featreuse-probe-"):
            pass
    except OSError as exc:
        raise InputError(f"{name}: cannot create files in {folder!r} ({exc.strerror})") from None


def check_output_file(path, name, must_exist=False):
    """Check that ``path`` can be written as a file (created, or an existing file rewritten).

    Parameters
    ----------
    path : str or os.PathLike
    name : str
        The argument's name in messages (e.g. ``"--json"``).

    Returns
    -------
    str
        The path.
    """
    path = _fspath(path, name)
    if os.path.isdir(path):
        raise InputError(f"{name}: {path!r} is a directory, expected a file path")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise InputError(f"{name}: folder {parent!r} does not exist")
    if os.path.exists(path):
        try:
            open(path, "r+b").close()  # writable, unchanged
        except OSError as exc:
            raise InputError(f"{name}: {path!r} is not writable ({exc.strerror})") from None
    else:
        probe_folder(parent, name)
    return path


def check_output_folder(path, name):
    """Check that ``path`` is, or can be created as, a folder that accepts new files.

    Nothing is created: the nearest existing parent is probed instead.

    Returns
    -------
    str
        The path.
    """
    path = _fspath(path, name)
    if os.path.exists(path) and not os.path.isdir(path):
        raise InputError(f"{name}: {path!r} exists and is not a folder")
    existing = os.path.abspath(path)
    while not os.path.isdir(existing):
        parent = os.path.dirname(existing)
        if os.path.exists(existing) or parent == existing:
            raise InputError(f"{name}: {path!r} cannot be created")
        existing = parent
    probe_folder(existing, name)
    return path
