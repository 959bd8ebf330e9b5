"""The HDF5 store of one experiment sweep (one file per sweep, one writer: the driver).

Files of a sweep ``results/x.h5``:

``results/x.h5``            the HDF5 file (:mod:`.layout`): attributes, runs, summary;
``results/x.h5.journal``    while a sweep runs or after it was killed: the commits not yet
                            folded into the HDF5 file (:mod:`.journal`, SQLite);
``results/x.artefacts/``    large artefacts of runs, by run id (:mod:`.artefacts`).

:class:`Store` writes (:mod:`.writer`); :func:`load`, :func:`read_run`,
:func:`read_runs`, :func:`read_config` and :func:`statuses` read, merging the journal.
"""
from .layout import config_json
from .reader import load, read_config, read_run, read_runs, statuses
from .target import check_target
from .writer import Store

__all__ = ["Store", "load", "read_config", "read_run", "read_runs", "statuses", "check_target", "config_json"]
