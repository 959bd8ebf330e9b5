"""Run an experiment's planned runs on an executor and commit each one as it arrives.

The driver (this module, one process) asks the family for its runs
(:meth:`Family.plan`), skips those already done in the file, hands the rest to
an executor (:mod:`featreuse.analysis.executors`) and commits every result to the store
(:class:`featreuse.analysis.store.Store`) as it arrives; workers only compute
(:func:`featreuse.analysis.worker.execute`) and never touch the file.

A run is handed out once every run it needs is committed, with their outputs
(:meth:`Store.outputs`) as its inputs; if one of them failed, the run is
committed as failed with that error. Runs that share a batch key go to one
task (e.g. networks trained as one stacked model) in batches fixed by the plan
(:func:`plan_batches`), so a run's result does not depend on the worker count or
on the order in which others finish; each run is still committed on its own.
Tasks are handed out a few at a time: the largest ready batch first when the
family predicts its runs' cost (:meth:`Family.cost_model`, so that no worker
idles at the end behind one long stack), else in plan order (a worker's
per-process caches, a seed's data, are then reused).

The sweep measures what it cost: the workers' busy seconds (each task's wall
time), the utilisation ``busy / (slots x wall)`` and, for families with a cost
model, the network-epochs trained; :func:`run_sweep` returns them and the
file's provenance record of the session keeps them (``cost``).
"""
import collections
import contextlib
import heapq
import os
import sys
import time

from featreuse.errors import InputError

from . import executors, provenance
from .families import get_family
from .store import Store, check_target

def check_device(device):
    """Raise a typed error unless ``device`` is usable here (``"cuda"``: a GPU is present).

    ``"cpu"`` needs nothing; anything else is checked by :func:`featreuse.nets.device.resolve_device`
    (torch is imported only then).
    """
    if device != "cpu":
        from featreuse.nets.device import resolve_device
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
        From :func:`featreuse.analysis.experiments.load_experiment`.
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
        every planned run (pretraining included) is counted once. When runs executed:
        ``busy_s`` (seconds the workers computed), ``utilisation`` (``busy_s /
        (workers x wall_s)``) and, for a family with a cost model,
        ``network_epochs`` (trained, the tasks' re-executed done runs included).

    Raises
    ------
    InputError
        Bad ``out`` (see :func:`featreuse.analysis.store.check_target`), ``device`` or
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
    local_workers = None if scheduler else (workers if workers is not None
                                            else os.cpu_count() or 1)
    record = provenance.collect(device=device, dtype=family.dtype(config),
                                workers=local_workers, scheduler=scheduler,
                                threads_per_worker=None if scheduler else 1,
                                torch_info=family.uses_torch)
    store = Store.open(out, config, provenance=record)
    try:
        todo = [r for r in runs if store.statuses.get(r.run_id) != "done"]
        counts = {"runs": len(runs), "done": 0, "failed": 0, "skipped": len(runs) - len(todo)}
        if todo:
            family.warm_up(config, todo)
            with contextlib.ExitStack() as stack:
                if not scheduler:  # local work runs on one thread per process
                    stack.enter_context(executors.single_threaded_env())
                if executor is None:
                    executor = executors.Local(local_workers)
                stack.callback(executor.close)
                bar = tqdm(total=len(todo), desc=config.name, unit="run", file=sys.stderr,
                           disable=not progress, dynamic_ncols=True)
                stack.callback(bar.close)
                slots = executor.slots
                busy = _drive(config, store, executor, runs, todo, device, counts, bar)
            wall = time.perf_counter() - start
            counts.update(busy_s=busy, utilisation=busy / (slots * wall) if wall > 0 else 0.0)
            store.record_cost({k: counts[k] for k in COST_KEYS if k in counts} | {"wall_s": wall})
        store.close()
    finally:
        if store.journal is not None:
            store.journal.close()
        if executor is not None and scheduler:
            executor.close()
    return {**counts, "wall_s": time.perf_counter() - start}


#: the measured cost of a sweep session, recorded in its provenance record
COST_KEYS = ("busy_s", "utilisation", "network_epochs")


def plan_batches(family, config, runs):
    """The sweep's tasks, fixed by the plan: lists of runs that execute together.

    Runs with the same batch key (:meth:`Family.batch_key`) are cut, in plan order,
    into batches of at most :attr:`Family.max_batch`; a run without a key is a batch
    of its own. The cut depends on the experiment alone, never on the worker count or
    on when runs finish, so a stacked run trains with the same companions in every
    sweep of the experiment (docs/reproducibility.md).

    Returns
    -------
    list of list of PlannedRun
        In the plan order of their first runs.
    """
    size = max(1, family.max_batch)
    batches, open_batch = [], {}
    for run in runs:
        key = family.batch_key(config, run.params)
        if key is None:
            batches.append([run])
            continue
        batch = open_batch.get(key)
        if batch is None or len(batch) == size:
            batch = open_batch[key] = []
            batches.append(batch)
        batch.append(run)
    return batches


def _drive(config, store, executor, runs, todo, device, counts, bar):
    """Hand out the plan's batches (:func:`plan_batches`) that hold runs of ``todo``, in plan
    order, as soon as their needs are committed; commit every result of ``todo``.

    A batch executes whole, including runs already done in the file (their new records
    are not committed), so that a resumed sweep trains each stack as the first one did.
    A run whose need failed is committed as failed and leaves its batch.

    Returns the busy seconds of the workers (the sum of the tasks' wall times).
    """
    family = store.family
    model = family.cost_model(config)
    if model is not None:
        counts["network_epochs"] = 0.0
    by_id = {r.run_id: r for r in runs}
    todo_ids = {r.run_id for r in todo}
    failed = {}                                   # run_id -> error, failed in this sweep
    waiting = collections.defaultdict(list)       # need -> batch indices waiting for it
    blocked = {}                                  # batch index -> needs not yet committed
    ready = []                                    # (priority, batch index), a min-heap
    batches = [b for b in plan_batches(family, config, runs)
               if any(r.run_id in todo_ids for r in b)]
    # largest predicted work first, else plan order
    priority = [-sum(model.work(r.params) for r in b) if model is not None else 0.0
                for b in batches]

    for i, batch in enumerate(batches):
        open_needs = {d for r in batch for d in r.needs if store.statuses.get(d) != "done"}
        if open_needs:
            blocked[i] = len(open_needs)
            for d in open_needs:
                waiting[d].append(i)
        else:
            heapq.heappush(ready, (priority[i], i))

    def commit(run, record):
        store.commit(run, record)
        ok = record["status"] == "done"
        counts["done" if ok else "failed"] += 1
        if not ok:
            failed[run.run_id] = record.get("error", "")
        bar.update(1)
        bar.set_postfix(done=counts["done"], failed=counts["failed"], refresh=False)
        for i in waiting.pop(run.run_id, ()):
            blocked[i] -= 1
            if blocked[i] == 0:
                heapq.heappush(ready, (priority[i], i))

    in_flight = {}
    busy = 0.0
    window = 2 * executor.slots
    while ready or in_flight:
        while ready and len(in_flight) < window:
            batch = []
            for run in batches[heapq.heappop(ready)[1]]:
                bad = [d for d in run.needs if d in failed]
                if not bad:
                    batch.append(run)
                elif run.run_id in todo_ids:
                    commit(run, {"status": "failed", "wall_s": 0.0,
                                 "error": f"needs run {bad[0]} ({_describe(by_id[bad[0]])}), "
                                          f"which failed: {failed[bad[0]]}"})
            if not any(r.run_id in todo_ids for r in batch):
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
            busy += sum(r["wall_s"] for r in records if r["wall_s"] == r["wall_s"])
            if model is not None:
                counts["network_epochs"] += sum(_epochs_of(r) for r in records)
            for run, record in zip(batch, records):
                if run.run_id in todo_ids:
                    commit(run, record)
    stuck = [i for i, v in blocked.items() if v > 0]
    if stuck:
        raise RuntimeError(f"sweep stalled: {len(stuck)} batches wait for runs that never ran")
    return busy


def _epochs_of(record):
    """Network-epochs a record trained: its gradient-evaluation equivalents, else its epochs."""
    scalars = record.get("scalars", {})
    return float(scalars.get("epoch_equivalents", scalars.get("epochs", 0)))


def _describe(run):
    return ", ".join(f"{k} {v}" for k, v in run.params.items())
