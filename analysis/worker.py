"""The function every worker runs: a batch of planned runs of any family, never raising.

A *task* is a plain picklable dict sent to local or dask workers::

    {"family": str, "config": ExperimentConfig, "device": "cpu" | "cuda",
     "runs": [{"run_id": str, "params": dict, "inputs": {run_id: RunOutputs}}, ...]}

Its runs share a batch key (:meth:`Family.batch_key`); most tasks hold one run.
:func:`execute` returns one record per run: the family's record (``scalars``,
``arrays``, ``artefacts``) with ``status`` ("done" | "failed"), ``error``
(``"Type: message"``), ``traceback`` (failed runs), ``warnings`` (every warning
raised inside the task, joined), ``pid`` and ``wall_s`` (the task's wall time
divided by its number of runs) added. An exception becomes a failed record.
"""
import os
import time
import traceback
import warnings

from .families import get_family


def _record(result):
    if isinstance(result, BaseException):
        return {"status": "failed", "error": f"{type(result).__name__}: {result}",
                "traceback": "".join(traceback.format_exception(result))}
    return {"status": "done", "error": "", "scalars": dict(result.get("scalars", {})),
            "arrays": dict(result.get("arrays", {})),
            "artefacts": dict(result.get("artefacts", {}))}


def execute(task):
    """Execute one task dict (see the module docstring); a list of records, one per run."""
    start = time.perf_counter()
    runs = task["runs"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            family = get_family(task["family"])
            results = family.execute_batch(task["config"], [r["params"] for r in runs],
                                           [r["inputs"] for r in runs], task["device"])
            if len(results) != len(runs):
                raise RuntimeError(f"family {task['family']!r} returned {len(results)} records "
                                   f"for {len(runs)} runs")
        except Exception as exc:  # the whole batch failed
            results = [exc] * len(runs)
    shared = {"warnings": "; ".join(sorted({str(w.message) for w in caught})),
              "pid": os.getpid(), "wall_s": (time.perf_counter() - start) / len(runs)}
    return [{**_record(result), **shared} for result in results]
