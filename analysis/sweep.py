"""Run an experiment's planned runs on an executor and commit each one as it arrives.

The driver (this module, one process) asks the family for its runs
(:meth:`Family.plan`), skips those already done in the file, hands the rest to
an executor (:mod:`analysis.executors`) and commits every result to the store
(:class:`analysis.store.Store`) as it arrives; workers only compute
(:func:`analysis.worker.execute`) and never touch the file.

A run is handed out once every run it needs is committed, with their outputs
(:meth:`Store.outputs`) as its inputs; if one of them failed, the run is
committed as failed with that error. Ready runs that share a batch key go to
one task (e.g. networks trained as one stacked model); each is still committed
on its own. Tasks are handed out a few at a time in plan order, so a worker's
per-process caches (a seed's data) are reused.
"""
import collections
import contextlib
import os
import sys
import time

from solvers.errors import InputError

from . import executors
from .families import get_family
from .store import Store, check_target

def check_device(device):
    """Raise a typed error unless ``device`` is usable here (``"cuda"``: a GPU is present).

    ``"cpu"`` needs nothing; anything else is checked by :func:`nets.device.resolve_device`
    (torch is imported only then).
    """
    if device != "cpu":
        from nets.device import resolve_device
        resolve_device(device)
    return device


def _executor(workers, scheduler):
    if scheduler:
        return executors.Dask(scheduler)
    if workers == 0:
        return executors.Serial()
    return None  # local processes, started inside the single-threaded environment


def run_sweep(config, out, workers=None, scheduler=None, device="cpu", progress=True):
    """Run (or resume) an experiment sweep into an HDF5 file.

    Parameters
    ----------
    config : ExperimentConfig subclass
        From :func:`analysis.experiments.load_experiment`.
    out : str or os.PathLike
        HDF5 file; created, or resumed when it holds the same experiment and
        config (done runs are skipped, failed runs retried).
    workers : int, optional
        Local worker processes (default: CPU count); 0 runs in this process.
    scheduler : str, optional
        Address of a dask.distributed scheduler; replaces the local workers.
    device : {"cpu", "cuda"}
        Passed to each run (families on numpy/numba solvers use the CPU whatever it says).
    progress : bool
        Show a tqdm bar (runs done / failed / ETA) on stderr.

    Returns
    -------
    dict
        ``{"runs": int, "done": int, "failed": int, "skipped": int, "wall_s": float}``:
        every planned run (pretraining included) is counted once.

    Raises
    ------
    InputError
        Bad ``out`` (see :func:`analysis.store.check_target`), ``device`` or
        unreachable ``scheduler``, checked before any work.
    """
    from tqdm import tqdm

    start = time.perf_counter()
    family = get_family(config.family)
    check_device(device)
    check_target(out, config)  # before any work
    runs = family.plan(config)
    by_id = {r.run_id: r for r in runs}
    for r in runs:
        missing = [d for d in r.needs if d not in by_id]
        if missing:
            raise RuntimeError(f"plan of {config.family!r}: run {r.run_id} needs unplanned {missing}")
    executor = _executor(workers, scheduler)
    store = Store.open(out, config)
    try:
        todo = [r for r in runs if store.statuses.get(r.run_id) != "done"]
        counts = {"runs": len(runs), "done": 0, "failed": 0, "skipped": len(runs) - len(todo)}
        if todo:
            family.warm_up(config, todo)
            with contextlib.ExitStack() as stack:
                if not scheduler:  # local work runs on one thread per process
                    stack.enter_context(executors.single_threaded_env())
                if executor is None:
                    executor = executors.Local(workers or os.cpu_count() or 1)
                stack.callback(executor.close)
                bar = tqdm(total=len(todo), desc=config.name, unit="run", file=sys.stderr,
                           disable=not progress, dynamic_ncols=True)
                stack.callback(bar.close)
                _drive(config, store, executor, todo, by_id, device, counts, bar)
        store.close()
    finally:
        if store.journal is not None:
            store.journal.close()
        if executor is not None and scheduler:
            executor.close()
    return {**counts, "wall_s": time.perf_counter() - start}


def _drive(config, store, executor, todo, by_id, device, counts, bar):
    """Hand out ``todo`` in plan order as their needs are committed; commit every result.

    Ready runs with the same batch key (:meth:`Family.batch_key`) go to one task,
    up to :attr:`Family.max_batch` runs.
    """
    family = store.family
    failed = {}                                   # run_id -> error, failed in this sweep
    waiting = collections.defaultdict(list)       # need -> runs waiting for it
    blocked = {}                                  # run_id -> number of needs not committed
    ready = collections.OrderedDict()             # batch key -> deque of ready runs, plan order

    def make_ready(run):
        key = family.batch_key(config, run.params)
        ready.setdefault(run.run_id if key is None else ("batch", key),
                         collections.deque()).append(run)

    for r in todo:
        open_needs = [d for d in r.needs if store.statuses.get(d) != "done"]
        if open_needs:
            blocked[r.run_id] = len(open_needs)
            for d in open_needs:
                waiting[d].append(r)
        else:
            make_ready(r)

    def commit(run, record):
        store.commit(run, record)
        ok = record["status"] == "done"
        counts["done" if ok else "failed"] += 1
        if not ok:
            failed[run.run_id] = record.get("error", "")
        bar.update(1)
        bar.set_postfix(done=counts["done"], failed=counts["failed"], refresh=False)
        for dependent in waiting.pop(run.run_id, ()):
            blocked[dependent.run_id] -= 1
            if blocked[dependent.run_id] == 0:
                make_ready(dependent)

    def next_batch():
        key = next(iter(ready))
        queue = ready[key]
        batch = [queue.popleft() for _ in range(min(len(queue), max(1, family.max_batch)))]
        if not queue:
            del ready[key]
        return batch

    in_flight = {}
    window = 2 * executor.slots
    while ready or in_flight:
        while ready and len(in_flight) < window:
            batch = []
            for run in next_batch():
                bad = [d for d in run.needs if d in failed]
                if bad:
                    commit(run, {"status": "failed", "wall_s": 0.0,
                                 "error": f"needs run {bad[0]} ({_describe(by_id[bad[0]])}), "
                                          f"which failed: {failed[bad[0]]}"})
                else:
                    batch.append(run)
            if not batch:
                continue
            task = {"family": config.family, "config": config, "device": device,
                    "runs": [{"run_id": r.run_id, "params": r.params,
                              "inputs": {d: store.outputs(d) for d in r.needs}} for r in batch]}
            in_flight[executor.submit(task)] = batch
        if not in_flight:
            continue
        for fut in executor.wait_any(in_flight):
            batch = in_flight.pop(fut)
            try:
                records = fut.result()
            except Exception as exc:  # the worker died, or the scheduler lost it
                records = [{"status": "failed", "error": f"{type(exc).__name__}: {exc}",
                            "wall_s": float("nan")}] * len(batch)
            for run, record in zip(batch, records):
                commit(run, record)
    stuck = [k for k, v in blocked.items() if v > 0]
    if stuck:
        raise RuntimeError(f"sweep stalled: {len(stuck)} runs wait for runs that never ran")


def _describe(run):
    return ", ".join(f"{k} {v}" for k, v in run.params.items())
