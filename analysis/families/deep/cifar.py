"""Reader of the CIFAR-100 "python version" folder (``cifar-100-python/``, as extracted).

The folder holds three Python pickles: ``train`` and ``test``, dicts with
``data`` (N x 3072 uint8: each row the 1024 red, then green, then blue pixels
of a 32 x 32 image, row-major) and ``fine_labels`` (N ints), and ``meta``
with ``fine_label_names`` (100 names). Keys are bytes when the files come from
the official archive (pickled by Python 2) and str when written by Python 3;
both are read. The fine labels are the classes (CIFAR-100: 100 classes, 500
training and 100 test images each).

Unpickling runs code from the file: point ``data`` only at files you trust.
Everything is checked on reading (:func:`load_cifar100`); a bad folder raises
:class:`featreuse.errors.InputError` naming ``name`` and the file.
"""
import functools
import os
import pickle

import numpy as np

from featreuse.errors import InputError

from .images import ImageData

FILES = ("train", "test", "meta")
#: pixels of one image: 3 channels x 32 x 32
ROW = 3 * 32 * 32


def _get(table, key):
    """``table[key]`` for a str key, stored as bytes (Python 2 pickles) or str."""
    if key.encode() in table:
        return table[key.encode()]
    return table.get(key)


def _unpickle(path):
    try:
        with open(path, "rb") as f:
            table = pickle.load(f, encoding="bytes")
    except OSError as exc:
        raise InputError(f"cannot read {path!r}: {exc.strerror}") from None
    except Exception as exc:  # noqa: BLE001 -- any unpickling failure means a malformed file
        raise InputError(f"{path!r} is not a CIFAR-100 python pickle "
                         f"({type(exc).__name__}: {exc})") from None
    if not isinstance(table, dict):
        raise InputError(f"{path!r} holds a {type(table).__name__}, not a dict")
    return table


def _split(folder, which, n_classes):
    path = os.path.join(folder, which)
    table = _unpickle(path)
    data, labels = _get(table, "data"), _get(table, "fine_labels")
    if data is None or labels is None:
        raise InputError(f"{path!r} lacks 'data' or 'fine_labels' "
                         f"(keys: {sorted(map(str, table))})")
    data = np.asarray(data)
    if data.ndim != 2 or data.shape[1] != ROW or data.dtype != np.uint8:
        raise InputError(f"{path!r}: 'data' must be uint8 (N, {ROW}), got "
                         f"{data.dtype} {data.shape}")
    labels = np.asarray(labels)
    if labels.shape != (len(data),) or labels.dtype.kind not in "iu":
        raise InputError(f"{path!r}: 'fine_labels' must be {len(data)} integers, got "
                         f"{labels.dtype} {labels.shape}")
    if len(labels) and (labels.min() < 0 or labels.max() >= n_classes):
        raise InputError(f"{path!r}: fine labels must lie in [0, {n_classes}) "
                         f"(the names in meta), got [{labels.min()}, {labels.max()}]")
    return data.reshape(-1, 3, 32, 32), labels.astype(np.int64)


def check_folder(folder, name="data"):
    """Raise InputError unless ``folder`` is a folder holding ``train``, ``test`` and ``meta``."""
    if not isinstance(folder, str) or not os.path.isdir(folder):
        raise InputError(f"{name}: {folder!r} is not a folder (give 'digits' or the extracted "
                         "cifar-100-python folder)")
    missing = [f for f in FILES if not os.path.isfile(os.path.join(folder, f))]
    if missing:
        raise InputError(f"{name}: {folder!r} lacks {', '.join(missing)} (a CIFAR-100 python "
                         f"folder has {', '.join(FILES)})")
    return folder


def load_cifar100(folder, name="data"):
    """Read and check a CIFAR-100 python folder; an :class:`ImageData`.

    The last folder read is kept in memory (keyed by its path and its files' modification
    times), so a worker reads it once for all its runs.

    Parameters
    ----------
    folder : str
        The extracted ``cifar-100-python`` folder.
    name : str
        What to call it in errors (the config key or the option).

    Raises
    ------
    InputError
        Not a folder, a missing file, or a file that is not in the format above.
    """
    check_folder(folder, name)
    folder = os.path.abspath(folder)
    try:
        return _read(folder, tuple(os.path.getmtime(os.path.join(folder, f)) for f in FILES))
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None


@functools.lru_cache(maxsize=1)
def _read(folder, mtimes):
    """The checked :class:`ImageData` of a folder (``mtimes`` only keys the cache)."""
    meta = _unpickle(os.path.join(folder, "meta"))
    names = _get(meta, "fine_label_names")
    if not isinstance(names, (list, tuple)) or not names:
        raise InputError(f"{os.path.join(folder, 'meta')!r} lacks 'fine_label_names'")
    names = tuple(n.decode() if isinstance(n, bytes) else str(n) for n in names)
    train_x, train_y = _split(folder, "train", len(names))
    test_x, test_y = _split(folder, "test", len(names))
    return ImageData(source=folder, train_x=train_x, train_y=train_y,
                     test_x=test_x, test_y=test_y, class_names=names, max_value=255)
