"""The driver-side writer of one sweep file.

A commit appends the run to the journal (:mod:`.journal`, one SQLite
transaction) after writing its artefacts (:mod:`.artefacts`): its cost does not
depend on how many runs are stored, and a run is committed exactly when its
journal row is. The HDF5 file is brought up to date by a *fold*: the file is
copied to ``<file>.partial``, the journal's new runs and the rebuilt summary are
written into the copy, the copy replaces the file (``os.replace``) and the
folded rows are dropped from the journal. A fold happens when the journal holds
more than :data:`FOLD_RATIO` times the file's size (at least
:data:`FOLD_MIN_BYTES`), so its copies cost a bounded amount per committed byte,
and when the sweep ends (the journal is then removed).

A SIGKILL at any moment leaves the HDF5 file as a complete earlier state
(HDF5 is not journaled, so it is never written in place), the journal holding
every committed run, and at worst a stale ``.partial`` copy, which the next
:meth:`Store.open` removes before folding the journal. Readers
(:func:`featreuse.analysis.load`) merge the journal's rows, so they see every committed run.
"""
import json
import os
import shutil
import time
import uuid

import h5py

from ..families import RunOutputs, get_family
from ..provenance import read as read_provenance
from featreuse.version import featreuse_version
from . import layout, summary
from .artefacts import resolve, write_artefact
from .journal import Journal, journal_path
from .target import check_target

PARTIAL = ".partial"
#: fold when the journal holds this fraction of the HDF5 file's size ...
FOLD_RATIO = 0.5
#: ... and at least this many bytes
FOLD_MIN_BYTES = 1 << 20


class Store:
    """Writer of one sweep file. Create with :meth:`open`; end with :meth:`close`."""

    def __init__(self, path, config, store_id, journal_seq, provenance=None):
        self.path = path
        self.provenance = provenance    # this session's record, added by the next fold
        self.config = config
        self.family = get_family(config.family)
        self.store_id = store_id
        self.folded_seq = journal_seq   # last journal seq already in the HDF5 file
        self.next_seq = journal_seq + 1
        self.statuses = {}              # run_id -> "done" | "failed"
        self.pending = set()            # run_ids committed since the last fold
        self.pending_bytes = 0
        self.journal = None
        self.cost = None                # this session's measured cost, added by the next fold

    # ------------------------------------------------------------ opening
    @classmethod
    def open(cls, path, config, provenance=None):
        """Validate the target (see :func:`check_target`), create or reopen, fold the journal.

        ``provenance`` (a record of :func:`featreuse.analysis.provenance.collect`) is stored with a
        new file, or appended to an existing file's list by the first fold that writes runs.

        Raises
        ------
        InputError
            From :func:`check_target`, or a journal of another file.
        """
        exists = check_target(path, config)
        path = os.fspath(path)
        if os.path.exists(path + PARTIAL):  # left by a kill mid-fold
            os.remove(path + PARTIAL)
        if not exists:
            tmp = path + PARTIAL
            layout.create_file(tmp, config, uuid.uuid4().hex, featreuse_version(),
                               [] if provenance is None else [provenance])
            os.replace(tmp, path)
            provenance = None  # recorded
        with h5py.File(path, "r") as f:
            store = cls(path, config, f.attrs["store_id"], int(f.attrs["journal_seq"]),
                        provenance)
            store.statuses = {k: g.attrs["status"] for k, g in f["runs"].items()}
        store.journal = Journal.open_writer(journal_path(path), store.store_id)
        for seq, rid, status in store.journal.index():
            if seq > store.folded_seq:
                store.statuses[rid] = status
                store.pending.add(rid)
                store.next_seq = max(store.next_seq, seq + 1)
        store.fold()
        return store

    # ------------------------------------------------------------ reading
    def outputs(self, run_id):
        """The :class:`RunOutputs` of a committed run (arrays and artefact paths)."""
        if run_id in self.pending:
            entry = self.journal.latest(run_id)
            attrs, arrays = entry.attrs, entry.arrays
        else:
            with h5py.File(self.path, "r") as f:
                _, attrs, arrays = layout.read_run(f["runs"][run_id])
        records = attrs.get("artefacts")
        artefacts = {} if not records else \
            {name: resolve(self.path, rec) for name, rec in json.loads(records).items()}
        return RunOutputs(arrays=arrays, artefacts=artefacts, attrs=attrs)

    # ------------------------------------------------------------ writing
    def commit(self, run, record):
        """Commit one finished run (a :class:`PlannedRun` and its record).

        ``record`` holds ``status``, ``error``, ``wall_s`` and optionally
        ``scalars``, ``arrays``, ``artefacts`` (name -> bytes) and other attributes
        (``warnings``, ``pid``, ``traceback``).
        """
        attrs = {k: v for k, v in record.items()
                 if k not in ("scalars", "arrays", "artefacts")}
        attrs.update(record.get("scalars", {}))
        attrs["in_summary"] = bool(run.summary)
        attrs["finished"] = time.time()
        if record.get("artefacts"):
            attrs["artefacts"] = json.dumps(
                {name: write_artefact(self.path, run.run_id, name, data)
                 for name, data in record["artefacts"].items()}, sort_keys=True)
        size = self.journal.append(self.next_seq, run.run_id, run.params, attrs,
                                   record.get("arrays", {}))
        self.next_seq += 1
        self.statuses[run.run_id] = attrs["status"]
        self.pending.add(run.run_id)
        self.pending_bytes += size
        if self.pending_bytes >= max(FOLD_MIN_BYTES, FOLD_RATIO * os.path.getsize(self.path)):
            self.fold()

    def record_cost(self, cost):
        """Keep this session's measured cost (a JSON-able dict) in its provenance record.

        Written by the next fold (:meth:`close` folds): into the record still to be
        appended, or into the file's last record, which is this session's.
        """
        self.cost = dict(cost)

    def fold(self):
        """Write the journal's new runs into the HDF5 file (through a copy), then drop them."""
        entries = self.journal.entries(after=self.folded_seq)
        if not entries and self.cost is None:
            return
        last = entries[-1].seq if entries else self.folded_seq
        tmp = self.path + PARTIAL
        shutil.copyfile(self.path, tmp)
        try:
            with h5py.File(tmp, "a", libver=layout.LIBVER) as f:
                if entries:
                    for e in entries:
                        layout.write_run(f, e.run_id, e.params, e.attrs, e.arrays)
                    df = summary.merge(layout.read_summary(f), self.family, self.config,
                                       entries)
                    layout.write_summary(f, df)
                f.attrs["journal_seq"] = last
                sessions = read_provenance(f.attrs)
                if self.provenance is not None:
                    sessions.append(self.provenance)
                if self.cost is not None and sessions:
                    sessions[-1]["cost"] = self.cost
                if self.provenance is not None or self.cost is not None:
                    f.attrs["provenance"] = json.dumps(sessions)
            os.replace(tmp, self.path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        self.journal.drop_through(last)
        self.provenance = None
        self.cost = None
        self.folded_seq = last
        self.pending.clear()
        self.pending_bytes = 0

    def close(self):
        """Fold everything and remove the journal: the HDF5 file then holds the whole sweep."""
        if self.journal is None:
            return
        self.fold()
        self.journal.remove()
        self.journal = None

