"""A comparison in an HDF5 file.

Layout::

    /                  attrs: problem, description, reference, reference_tolerance,
                              certificate_kind, settings (JSON), options (JSON),
                              provenance (JSON: featreuse and package versions, ...),
                              featreuse_version
    /table/<column>    one entry per method (strings UTF-8; steps as float, NaN = none)
    /curves/<column>   one entry per sample
    /betas/<method>    each method's beta (D,) or (D, T)
    /reference_beta    the reference minimiser (absent when it failed)
"""
import json
import os

import numpy as np

from featreuse.errors import InputError, InputTypeError
from ..provenance import collect as provenance


def _column(group, name, values):
    import h5py
    if values.dtype == object or values.dtype.kind in "US":
        group.create_dataset(name, data=np.array([str(v) for v in values], dtype=object),
                             dtype=h5py.string_dtype())
    else:
        group.create_dataset(name, data=np.asarray(values))


def _frame(group, frame):
    for col in frame.columns:
        values = frame[col]
        if str(values.dtype) == "Int64":
            values = values.astype("float64")
        _column(group, col, values.to_numpy())


def _json(value):
    return json.dumps(value, default=lambda v: v.tolist() if isinstance(v, np.ndarray) else str(v))


def write_comparison(cmp, path):
    """Write ``cmp`` to ``path`` (created or replaced); returns the path as a str."""
    if not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"path must be a file path, got {type(path).__name__}")
    path = os.fspath(path)
    if os.path.isdir(path):
        raise InputError(f"path: {path!r} is a directory, expected a file path")
    import h5py
    prov = provenance(dtype="float64", threads_per_worker=None)  # in this process, its threads
    with h5py.File(path, "w") as f:
        f.attrs["problem"] = cmp.problem.name
        f.attrs["description"] = cmp.problem.description
        f.attrs["certificate_kind"] = cmp.problem.certificate_kind
        f.attrs["settings"] = _json(cmp.problem.settings)
        f.attrs["options"] = _json(cmp.info["options"])
        f.attrs["provenance"] = _json(prov)
        f.attrs["featreuse_version"] = prov["featreuse"]
        f.attrs["reference"] = "" if cmp.reference is None else cmp.reference.method
        f.attrs["reference_tolerance"] = "" if cmp.reference is None else cmp.reference.tolerance
        f.attrs["reference_error"] = cmp.info.get("reference_error", "")
        _frame(f.create_group("table"), cmp.table)
        _frame(f.create_group("curves"), cmp.curves)
        betas = f.create_group("betas")
        for name, beta in cmp.betas.items():
            betas.create_dataset(name, data=beta)
        if cmp.reference is not None:
            f.create_dataset("reference_beta", data=cmp.reference.beta)
    return path
