"""The commit journal of a sweep file: an SQLite database ``<file>.journal`` beside it.

A commit appends one row (one SQLite transaction): the run's id, its params and
attributes as JSON, and its arrays as an ``.npz`` blob (dtypes kept). SQLite's
transactions are atomic against a killed process, so a commit either is in the
journal or is not, whatever moment a SIGKILL hits; its cost does not depend on
how many runs are stored. :class:`featreuse.analysis.store.Store` folds the journal into
the HDF5 file now and then (and at the end of a sweep), then drops the folded
rows; readers (:func:`featreuse.analysis.load`) merge the rows not yet folded.

Tables: ``meta(key, value)`` holds ``store_id`` (the HDF5 file it belongs to);
``runs(seq, run_id, params, attrs, arrays)`` holds the commits.
"""
import io
import json
import os
import sqlite3
from dataclasses import dataclass

import numpy as np

from featreuse.errors import InputError

SUFFIX = ".journal"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS runs (seq INTEGER PRIMARY KEY, run_id TEXT NOT NULL, "
    "params TEXT NOT NULL, attrs TEXT NOT NULL, arrays BLOB NOT NULL)",
)


@dataclass
class Entry:
    """One committed run read back from the journal.

    Attributes
    ----------
    seq : int
        Commit sequence number (increasing over the file's life).
    run_id : str
    params, attrs : dict
    arrays : dict name -> ndarray
    """

    seq: int
    run_id: str
    params: dict
    attrs: dict
    arrays: dict


def journal_path(h5_path):
    """Path of the journal of an HDF5 sweep file."""
    return os.fspath(h5_path) + SUFFIX


def pack_arrays(arrays):
    """Arrays as the bytes of an uncompressed ``.npz`` (dtype and shape kept)."""
    buf = io.BytesIO()
    np.savez(buf, **{name: np.asarray(a) for name, a in arrays.items()})
    return buf.getvalue()


def unpack_arrays(blob):
    """Inverse of :func:`pack_arrays` (no pickled objects are loaded)."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def _create(path, store_id):
    """Create a journal with its tables under a temporary name, then rename it into place.

    A reader can therefore never open a journal without its tables.
    """
    tmp = path + ".new"
    if os.path.exists(tmp):
        os.remove(tmp)
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        for statement in _SCHEMA:
            conn.execute(statement)
        conn.execute("INSERT INTO meta VALUES ('store_id', ?)", (store_id,))
    finally:
        conn.close()
    os.replace(tmp, path)


class Journal:
    """An open journal. Use :meth:`open_writer` (driver) or :meth:`open_reader`."""

    def __init__(self, conn, path):
        self.conn = conn
        self.path = path

    @classmethod
    def open_writer(cls, path, store_id):
        """Open (creating if needed) the journal of the store ``store_id`` for appending.

        Raises
        ------
        InputError
            The journal belongs to another HDF5 file (another ``store_id``).
        """
        if not os.path.exists(path):
            _create(path, store_id)
        conn = sqlite3.connect(path, isolation_level=None)
        # WAL + NORMAL: each commit is atomic and survives a killed process; only a
        # power cut may lose the last commits (never corrupt the database)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        owner = conn.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()[0]
        if owner != store_id:
            conn.close()
            raise InputError(f"out: the journal {path!r} belongs to another HDF5 file "
                             "(its store id differs); move it away or choose another file")
        return cls(conn, path)

    @classmethod
    def open_reader(cls, path):
        """Open an existing journal read-only; None when there is none."""
        if not os.path.exists(path):
            return None
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        return cls(conn, path)

    # ------------------------------------------------------------ reading
    def meta(self, key):
        """A value of the ``meta`` table (str), or None."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def _entries(self, where, args, arrays=True):
        blob = "arrays" if arrays else "NULL"
        rows = self.conn.execute(
            f"SELECT seq, run_id, params, attrs, {blob} FROM runs {where} ORDER BY seq", args)
        return [Entry(seq, rid, json.loads(p), json.loads(a), unpack_arrays(b) if arrays else {})
                for seq, rid, p, a, b in rows]

    def entries(self, after=0, arrays=True):
        """Entries with ``seq > after``, in commit order (list of :class:`Entry`).

        ``arrays=False`` leaves each entry's ``arrays`` empty (no blob is read).
        """
        return self._entries("WHERE seq > ?", (int(after),), arrays)

    def latest(self, run_id):
        """The newest entry of ``run_id``, or None."""
        out = self._entries("WHERE run_id = ? AND seq = (SELECT MAX(seq) FROM runs "
                            "WHERE run_id = ?)", (run_id, run_id))
        return out[0] if out else None

    def index(self):
        """``[(seq, run_id, status)]`` of every row, without the arrays."""
        rows = self.conn.execute("SELECT seq, run_id, attrs FROM runs ORDER BY seq")
        return [(seq, rid, json.loads(attrs).get("status")) for seq, rid, attrs in rows]

    # ------------------------------------------------------------ writing
    def append(self, seq, run_id, params, attrs, arrays):
        """Commit one run (one transaction); returns the number of bytes stored."""
        p = json.dumps(params, sort_keys=True)
        a = json.dumps(attrs, sort_keys=True)
        blob = pack_arrays(arrays)
        self.conn.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?)", (seq, run_id, p, a, blob))
        return len(p) + len(a) + len(blob)

    def drop_through(self, seq):
        """Delete the rows with ``seq <= seq`` (folded into the HDF5 file)."""
        self.conn.execute("DELETE FROM runs WHERE seq <= ?", (int(seq),))

    def close(self):
        self.conn.close()

    def remove(self):
        """Close and delete the journal (and SQLite's side files)."""
        self.close()
        for suffix in ("", "-wal", "-shm", ".new"):
            if os.path.exists(self.path + suffix):
                os.remove(self.path + suffix)
