"""HDF5 store of one experiment sweep (written by the driver only).

Layout::

    /                attrs featreuse_version, experiment, config (JSON), created
    /pretrain/seed_<s>/  the auxiliary-task pretraining of seed s (as a run)
    /runs/<run_id>/  attrs params (JSON), status ("done" | "failed"), error,
                     wall_s, steps, train_loss, test_mse, certificate,
                     finished (unix time of the commit), ...;
                     datasets beta, params (lzf-compressed)
    /summary/<col>   one 1-d dataset per column, one row per done run:
                     run_id, experiment, method, n, seed, test_mse, gen_loss,
                     train_loss, wall_s, steps, certificate, and one column per
                     swept parameter (grid keys and variant keys)

``run_id`` is a stable hash of the run's parameters. Every commit is atomic:
the file is copied to ``<file>.partial``, the run's group (``status`` last)
and its summary row are written there, and the copy replaces the file
(``os.replace``). HDF5 is not journaled -- a process killed while writing in
place can leave its heap or B-trees damaged -- so the file on disk is only
ever a complete earlier or later state, readable at any time, and a SIGKILL
loses at most the run being committed. Each commit costs one copy of the
file (a few ms for the ~10 KB per run of the diagonal experiments). Resuming
skips done runs and *retries* failed ones (their group is replaced); a stale
``.partial`` copy is removed.

``gen_loss`` (test MSE over the test MSE of STL at n = 16 of the same seed and
teacher) is filled in at the end of a sweep and recomputed by :func:`load`.
"""
import contextlib
import hashlib
import json
import math
import os
import shutil
import time

import h5py
import numpy as np

from solvers.errors import InputError, InputTypeError

BASE_COLUMNS = ("run_id", "experiment", "method", "n", "seed", "test_mse", "gen_loss",
                "train_loss", "wall_s", "steps", "certificate")
STRING_COLUMNS = {"run_id", "experiment", "method", "support"}
INT_COLUMNS = {"n", "seed", "steps", "k", "overlap"}
COMPRESSION = "lzf"
PARTIAL = ".partial"


def featreuse_version():
    """Version of featreuse: the installed distribution's, else the checkout's pyproject.toml."""
    try:
        from importlib.metadata import PackageNotFoundError, version
        return version("featreuse")
    except PackageNotFoundError:  # not installed: read the checkout
        pass
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pyproject.toml")
    try:
        import tomllib
        with open(path, "rb") as f:
            return tomllib.load(f)["project"]["version"]
    except Exception:
        return "unknown"


def run_id(params):
    """Stable id of a run: the first 16 hex digits of the SHA-1 of its canonical JSON params."""
    text = json.dumps(params, sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def pretrain_key(seed):
    """Group name of the pretraining of ``seed``."""
    return f"seed_{int(seed)}"


def config_json(config):
    """Canonical JSON of a config (the one-line description is left out of comparisons)."""
    return json.dumps({k: v for k, v in config.items() if k != "description"}, sort_keys=True)


def swept_columns(config):
    """Names of the per-parameter summary columns of an experiment."""
    cols = list(config["grid"])
    for table in config["variants"].values():
        cols += [k for k in table if k not in cols]
    return cols


def _check_path(path):
    if not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"out must be a file path, got {type(path).__name__}")
    path = os.fspath(path)
    if os.path.isdir(path):
        raise InputError(f"out: {path!r} is a directory, expected an .h5 file path")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise InputError(f"out: folder {parent!r} does not exist")
    if not os.access(parent, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise InputError(f"out: {path!r} is not writable")
    return path


def check_target(path, config):
    """Check that ``path`` can hold this experiment's sweep, without touching it.

    A new file needs a writable folder; an existing one must be an HDF5 file of
    the same experiment and config.

    Returns
    -------
    bool
        Whether the file exists already (the sweep resumes).

    Raises
    ------
    InputError
        Unwritable path, not an HDF5 file, or a file of another experiment/config.
    """
    path = _check_path(path)
    if not os.path.exists(path):
        return False
    if not h5py.is_hdf5(path):
        raise InputError(f"out: {path!r} exists and is not an HDF5 file; refusing to overwrite it")
    try:
        with h5py.File(path, "r") as f:
            experiment = f.attrs.get("experiment")
            stored = f.attrs.get("config")
    except OSError as exc:
        raise InputError(f"out: cannot open {path!r}: {exc}") from None
    if experiment != config["name"]:
        raise InputError(
            f"out: {path!r} holds experiment {experiment!r}, not {config['name']!r}; "
            "choose another file")
    if stored is None or json.loads(stored) != json.loads(config_json(config)):
        diff = ""
        if stored is not None:
            old = json.loads(stored)
            new = json.loads(config_json(config))
            keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
            diff = f" (differs in: {', '.join(keys)})"
        raise InputError(
            f"out: {path!r} holds experiment {experiment!r} with another config{diff}; "
            "choose another file or rerun with the same options")
    return True


def _complete(parent, key):
    """Whether ``parent[key]`` is a readable group with its ``status`` written."""
    try:
        g = parent[key]
        return g is not None and "status" in g.attrs and all(g[d].shape is not None for d in g)
    except (KeyError, OSError, RuntimeError, ValueError):
        return False


def _jsonable(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


class Store:
    """Driver-side writer of one sweep file. Create with :meth:`open`."""

    def __init__(self, path, config):
        self.path = path
        self.config = config
        self.columns = list(BASE_COLUMNS) + [c for c in swept_columns(config) if c not in BASE_COLUMNS]

    # ------------------------------------------------------------ opening
    @classmethod
    def open(cls, path, config):
        """Validate (see :func:`check_target`), create if new, and repair after a kill."""
        exists = check_target(path, config)
        store = cls(os.fspath(path), config)
        if not exists:
            tmp = store.path + PARTIAL
            with h5py.File(tmp, "w") as f:
                f.attrs["featreuse_version"] = featreuse_version()
                f.attrs["experiment"] = config["name"]
                f.attrs["config"] = config_json(config)
                f.attrs["description"] = config.get("description", "")
                f.attrs["created"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
                f.create_group("runs")
                f.create_group("pretrain")
                store._create_summary(f)
            os.replace(tmp, store.path)
        else:
            store._repair()
        return store

    def _create_summary(self, f):
        g = f.require_group("summary")
        for col in self.columns:
            if col in g:
                del g[col]
            if col in STRING_COLUMNS:
                dtype = h5py.string_dtype()
            elif col in INT_COLUMNS:
                dtype = np.int64
            else:
                dtype = np.float64
            g.create_dataset(col, shape=(0,), maxshape=(None,), dtype=dtype, chunks=(256,))
        return g

    def _repair(self):
        if os.path.exists(self.path + PARTIAL):  # left by a kill mid-commit
            os.remove(self.path + PARTIAL)
        with self._atomic() as f:
            for name in ("runs", "pretrain"):
                grp = f.require_group(name)
                for key in list(grp):
                    if not _complete(grp, key):  # killed mid-commit
                        del grp[key]
            done = {k for k, g in f["runs"].items() if g.attrs["status"] == "done"}
            summ = f.get("summary")
            have = set() if summ is None or "run_id" not in summ else \
                {s.decode() if isinstance(s, bytes) else s for s in summ["run_id"][:]}
            if have != done or summ is None or any(c not in summ for c in self.columns) \
                    or len({summ[c].shape[0] for c in summ}) > 1:
                g = self._create_summary(f)
                for key in sorted(done, key=lambda k: f["runs"][k].attrs.get("finished", 0.0)):
                    grp = f["runs"][key]
                    self._append_row(g, key, json.loads(grp.attrs["params"]), dict(grp.attrs))

    # ------------------------------------------------------------ reading
    def statuses(self):
        """``{run_id: "done" | "failed"}`` of the committed runs."""
        with h5py.File(self.path, "r") as f:
            return {k: g.attrs["status"] for k, g in f["runs"].items()}

    def pretrained(self, seed):
        """Pretrained params (4, D) of ``seed``, or None if not (successfully) committed."""
        with h5py.File(self.path, "r") as f:
            g = f["pretrain"].get(pretrain_key(seed))
            if g is None or g.attrs.get("status") != "done":
                return None
            return g["params"][:]

    # ------------------------------------------------------------ writing
    def _row_value(self, col, key, params, attrs):
        if col == "run_id":
            return key
        if col == "experiment":
            return self.config["name"]
        if col in params:
            return params[col]
        if col in ("test_mse", "gen_loss", "train_loss", "wall_s", "steps", "certificate"):
            return attrs.get(col, math.nan)
        # a swept setting this method does not vary: its fixed setting, if it has one
        method = params.get("method")
        return self.config["train"].get(method, {}).get(col, math.nan)

    def _append_row(self, g, key, params, attrs):
        m = g["run_id"].shape[0]
        for col in self.columns:
            value = self._row_value(col, key, params, attrs)
            ds = g[col]
            ds.resize((m + 1,))
            if col in INT_COLUMNS and (value is None or (isinstance(value, float) and math.isnan(value))):
                value = -1
            ds[m] = value

    def commit(self, kind, key, params, record):
        """Write one finished task and close the file.

        Parameters
        ----------
        kind : {"run", "pretrain"}
        key : str
            run_id, or :func:`pretrain_key` of the seed.
        params : dict
            The run's parameters (JSON-serialisable).
        record : dict
            As returned by :func:`analysis.runs.execute`.
        """
        group = "runs" if kind == "run" else "pretrain"
        with self._atomic() as f:
            parent = f[group]
            if key in parent:
                del parent[key]  # a failed run being retried
            g = parent.create_group(key)
            for name, arr in record.get("arrays", {}).items():
                arr = np.asarray(arr, dtype=float)
                g.create_dataset(name, data=arr, compression=COMPRESSION if arr.size > 1 else None)
            attrs = {"params": json.dumps({k: _jsonable(v) for k, v in params.items()}, sort_keys=True),
                     "finished": time.time()}
            for name, value in record.items():
                if name in ("arrays", "status"):
                    continue
                if isinstance(value, (bool, np.bool_)):
                    value = int(value)
                attrs[name] = value
            for name, value in attrs.items():
                g.attrs[name] = value
            g.attrs["status"] = record["status"]  # last: marks the group complete
            if kind == "run" and record["status"] == "done":
                self._append_row(f["summary"], key, params, dict(g.attrs))

    @contextlib.contextmanager
    def _atomic(self):
        """Open a copy of the file for writing; it replaces the file on success."""
        tmp = self.path + PARTIAL
        shutil.copyfile(self.path, tmp)
        try:
            with h5py.File(tmp, "a") as f:
                yield f
            os.replace(tmp, self.path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)

    def finalize(self):
        """Fill the summary's gen_loss column from test_mse (see :func:`normalise`)."""
        with h5py.File(self.path, "r") as f:
            if f["summary"]["run_id"].shape[0] == 0:
                return
            df = _frame(f["summary"])
        gen = normalise(df, self.config).to_numpy()
        with self._atomic() as f:
            f["summary"]["gen_loss"][:] = gen


def _frame(g):
    import pandas as pd
    data = {}
    for col in g:
        values = g[col][:]
        if values.dtype.kind in ("O", "S"):
            values = [v.decode() if isinstance(v, bytes) else v for v in values]
        data[col] = values
    order = [c for c in BASE_COLUMNS if c in data] + [c for c in data if c not in BASE_COLUMNS]
    return pd.DataFrame(data)[order]


def normalise(df, config):
    """gen_loss = test_mse / test_mse of STL at n = 16 with the same seed and grid point.

    Returns a float Series aligned with ``df`` (NaN where the baseline is missing).
    """
    keys = ["seed"] + list(config["grid"])
    base = df[(df["method"] == "stl") & (df["n"] == 16)]
    if config["variants"].get("stl"):
        base = base.iloc[0:0]  # ambiguous baseline: leave gen_loss NaN
    base = base.groupby(keys)["test_mse"].first().rename("_stl16")
    merged = df[keys].join(base, on=keys)
    return df["test_mse"] / merged["_stl16"].to_numpy()


def load(path):
    """Summary of a sweep file as a DataFrame, one row per done run, with gen_loss.

    Parameters
    ----------
    path : str or os.PathLike
        An HDF5 file written by ``featreuse run``.

    Returns
    -------
    pandas.DataFrame
        Columns ``run_id, experiment, method, n, seed, test_mse, gen_loss,
        train_loss, wall_s, steps, certificate`` and one per swept parameter.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"path must be a file path, got {type(path).__name__}")
    if not os.path.isfile(path) or not h5py.is_hdf5(path):
        raise InputError(f"path: {os.fspath(path)!r} is not an HDF5 file")
    with h5py.File(path, "r") as f:
        if "summary" not in f or "config" not in f.attrs:
            raise InputError(f"path: {os.fspath(path)!r} is not a featreuse sweep file")
        config = json.loads(f.attrs["config"])
        df = _frame(f["summary"])
    if len(df):
        df["gen_loss"] = normalise(df, config).to_numpy()
    return df


def read_config(path):
    """The experiment config stored in a sweep file."""
    with h5py.File(path, "r") as f:
        return json.loads(f.attrs["config"])


def read_run(path, key, kind="run"):
    """One committed run: ``(params dict, attrs dict, {name: array})``."""
    with h5py.File(path, "r") as f:
        g = f["runs" if kind == "run" else "pretrain"][key]
        attrs = dict(g.attrs)
        params = json.loads(attrs.pop("params"))
        return params, attrs, {name: g[name][:] for name in g}
