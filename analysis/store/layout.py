"""The HDF5 layout of a sweep file: reading and writing its attributes, runs and summary.

::

    /                attrs featreuse_version, layout, experiment, family, config (JSON),
                     description, created, store_id, journal_seq, provenance (JSON
                     list, one record per sweep session: :mod:`featreuse.analysis.provenance`)
    /runs/<run_id>/  attrs params (JSON), status ("done" | "failed"), error, wall_s,
                     finished, in_summary, the family's scalars, artefacts (JSON:
                     name -> {path, sha256, bytes}); datasets: the run's arrays
                     (lzf-compressed, dtype kept)
    /summary/<col>   one 1-d dataset per column, one row per done summary run

The HDF5 file is only ever written through a copy that then replaces it
(:class:`featreuse.analysis.store.Store`), so the functions here write in place.
"""
import json
import time

import h5py
import numpy as np

#: version of this layout (files of other layouts are refused, not misread)
LAYOUT = 2
COMPRESSION = "lzf"
#: HDF5 format bounds of every write (objects created later keep the 1.10 format too)
LIBVER = ("v110", "latest")


def config_json(config):
    """JSON of a config without its one-line description (left out of comparisons).

    Keys keep their order (a family may read meaning into it, e.g. the order of grid
    keys); comparisons parse the JSON, so the order does not matter there.
    """
    return json.dumps({k: v for k, v in config.as_dict().items() if k != "description"})


def create_file(path, config, store_id, version, provenance=()):
    """Write an empty sweep file at ``path`` (callers write a temporary name, then rename).

    ``provenance`` is the list of session records (:func:`featreuse.analysis.provenance.collect`).
    """
    # the HDF5 1.10 format (readable by HDF5 >= 1.10): its chunk indexes take ~1 KB per small
    # dataset where the older format's B-trees take ~3.5 KB; free-space tracking kept in the
    # file, so the space of rewritten summaries is reused
    with h5py.File(path, "w", libver=LIBVER, fs_strategy="fsm", fs_persist=True) as f:
        f.attrs["featreuse_version"] = version
        f.attrs["layout"] = LAYOUT
        f.attrs["experiment"] = config.name
        f.attrs["family"] = config.family
        f.attrs["config"] = config_json(config)
        f.attrs["description"] = config.description
        f.attrs["created"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        f.attrs["store_id"] = store_id
        f.attrs["journal_seq"] = 0
        f.attrs["provenance"] = json.dumps(list(provenance))
        f.create_group("runs")
        f.create_group("summary")


def _plain(value):
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_run(f, run_id, params, attrs, arrays):
    """Write (or replace) the group of one run."""
    runs = f["runs"]
    if run_id in runs:
        del runs[run_id]  # a failed run being retried
    g = runs.create_group(run_id)
    for name, arr in arrays.items():
        arr = np.asarray(arr)
        g.create_dataset(name, data=arr,
                         compression=COMPRESSION if arr.ndim and arr.size > 1 else None)
    g.attrs["params"] = json.dumps(params, sort_keys=True)
    for name, value in attrs.items():
        g.attrs[name] = _plain(value)


def _decode(value):
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.generic):
        return value.item()
    return value


def read_run(g):
    """``(params, attrs, arrays)`` of a run group."""
    attrs = {k: _decode(v) for k, v in g.attrs.items()}
    params = json.loads(attrs.pop("params"))
    return params, attrs, {name: g[name][()] for name in g}


def read_summary(f):
    """The stored summary as a pandas DataFrame (columns in stored order)."""
    import pandas as pd
    g = f["summary"]
    order = json.loads(g.attrs["columns"]) if "columns" in g.attrs else list(g)
    data = {}
    for col in order:
        values = g[col][()]
        if values.dtype.kind in ("O", "S"):
            values = [_decode(v) for v in values]
        data[col] = values
    return pd.DataFrame(data, columns=order)


def _missing(v):
    return v is None or (isinstance(v, float) and np.isnan(v))


def _column(values):
    """A summary column as an HDF5-storable array.

    Text columns become strings (missing: ""); columns of numbers and bools with
    missing values become float64 (missing: NaN, bools 0/1); bools become int8.
    """
    if values.dtype.kind in ("O", "U", "S"):
        present = [v for v in values if not _missing(v)]
        if present and all(isinstance(v, (bool, np.bool_, int, float, np.number)) for v in present):
            return np.array([np.nan if _missing(v) else float(v) for v in values])
        return np.array(["" if _missing(v) else str(v) for v in values], dtype=h5py.string_dtype())
    if values.dtype.kind == "b":
        return values.astype(np.int8)
    return values


def write_summary(f, df):
    """Replace the stored summary by ``df``."""
    if "summary" in f:
        del f["summary"]
    g = f.create_group("summary")
    for col in df.columns:
        values = _column(df[col].to_numpy())
        g.create_dataset(col, data=values, maxshape=(None,),
                         chunks=(max(1, min(len(values), 4096)),))
    g.attrs["columns"] = json.dumps(list(df.columns))
