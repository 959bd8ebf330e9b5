"""Reading a sweep file: its config, summary and runs, including runs not yet folded.

A sweep in progress (or killed) keeps its newest runs in the journal beside the
HDF5 file (:mod:`.journal`); every function here merges them, so a reader sees
every committed run. A fold between reading the HDF5 file and reading the
journal is detected (the file's ``journal_seq`` changed) and the read is retried.
"""
import json
import os

import h5py

from featreuse.errors import InputError

from ..families import get_family
from ..provenance import read as read_provenance
from . import layout, summary
from .journal import Journal, journal_path
from .target import describe_file

_RETRIES = 5


def _path(path, name):
    if not isinstance(path, (str, os.PathLike)):
        from featreuse.errors import InputTypeError
        raise InputTypeError(f"{name} must be a file path, got {type(path).__name__}")
    return os.fspath(path)


def read_config(path, name="path"):
    """The experiment config stored in a sweep file (the family's config dataclass)."""
    path = _path(path, name)
    attrs = describe_file(path, name)
    family = get_family(attrs["family"])
    return family.config_from_dict({**json.loads(attrs["config"]),
                                    "description": attrs.get("description", "")})


def _seq(f):
    return int(f.attrs["journal_seq"])


def _snapshot(path, name, read_h5, read_journal):
    """``(read_h5(file), read_journal(journal, file's seq))``, consistent with each other.

    ``read_journal`` is not called when there is no journal of this file (its
    result is then None). The file's ``journal_seq`` is read again after the
    journal: if a fold replaced the file in between, the read is retried.
    """
    for _ in range(_RETRIES):
        try:
            with h5py.File(path, "r", locking=False) as f:
                seq = _seq(f)
                store_id = f.attrs["store_id"]
                store_id = store_id.decode() if isinstance(store_id, bytes) else store_id
                value = read_h5(f)
        except (OSError, RuntimeError, KeyError) as exc:
            raise InputError(f"{name}: {path!r} cannot be read (truncated or damaged: "
                             f"{str(exc).splitlines()[0]})") from None
        pending = None
        journal = Journal.open_reader(journal_path(path))
        if journal is not None:
            try:
                if journal.meta("store_id") == store_id:  # else not ours to merge
                    pending = read_journal(journal, seq)
            finally:
                journal.close()
        with h5py.File(path, "r", locking=False) as f:
            if _seq(f) == seq:
                return value, pending
    raise InputError(f"{name}: {path!r} kept changing while being read; try again")


def _pending(arrays):
    return lambda journal, seq: journal.entries(after=seq, arrays=arrays)


def load(path):
    """Summary of a sweep file as a DataFrame, one row per done run.

    Parameters
    ----------
    path : str or os.PathLike
        An HDF5 file written by ``featreuse run`` (complete, in progress or killed).

    Returns
    -------
    pandas.DataFrame
        Columns ``run_id, experiment, regime, n, seed``, the family's main error
        figure (e.g. ``gen_loss``), ``wall_s``, the family's scalar columns and
        one column per swept parameter. ``df.attrs["provenance"]`` is the file's list of
        sweep-session records (:mod:`featreuse.analysis.provenance`; empty for older files).

    Raises
    ------
    InputError
        Missing, unreadable or foreign file (the message says which).
    """
    path = _path(path, "path")
    config = read_config(path)
    family = get_family(config.family)
    df, entries = _snapshot(path, "path", _summary_and_provenance, _pending(arrays=False))
    df, sessions = df
    if len(df) and not entries:
        df = summary.with_metric(df, family, config)
    else:
        df = summary.merge(df, family, config, entries or [])
    df.attrs["provenance"] = sessions
    return df


def _summary_and_provenance(f):
    return layout.read_summary(f), read_provenance(f.attrs)


def read_run(path, run_id):
    """One committed run: ``(params dict, attrs dict, {name: array})``.

    Raises
    ------
    InputError
        No such run in the file.
    """
    path = _path(path, "path")
    describe_file(path, "path")

    def from_h5(f):
        g = f["runs"].get(run_id)
        return None if g is None else layout.read_run(g)

    stored, entry = _snapshot(path, "path", from_h5, lambda journal, _: journal.latest(run_id))
    if entry is not None:  # the journal holds the newest commit of a run
        return entry.params, entry.attrs, entry.arrays
    if stored is None:
        raise InputError(f"run_id: no run {run_id!r} in {path!r}")
    return stored


def read_runs(path):
    """Every committed run: ``{run_id: (params, attrs, {name: array})}``, in one pass."""
    path = _path(path, "path")
    describe_file(path, "path")

    def from_h5(f):
        return {k: layout.read_run(g) for k, g in f["runs"].items()}

    stored, entries = _snapshot(path, "path", from_h5, _pending(arrays=True))
    for e in entries or []:
        stored[e.run_id] = (e.params, e.attrs, e.arrays)
    return stored


def statuses(path):
    """``{run_id: "done" | "failed"}`` of every committed run of a sweep file."""
    path = _path(path, "path")
    describe_file(path, "path")
    stored, entries = _snapshot(
        path, "path", lambda f: {k: g.attrs["status"] for k, g in f["runs"].items()},
        _pending(arrays=False))
    for e in entries or []:
        stored[e.run_id] = e.attrs["status"]
    return stored
