"""Run an experiment's grid on local worker processes or a dask cluster.

The driver (this module, one process) plans the runs, skips those already done
in the HDF5 file, fans the rest out and commits each result to the file as it
arrives (:class:`analysis.store.Store`); workers only compute
(:func:`analysis.runs.execute`) and never touch the file.

Pretraining is shared per seed: each seed's auxiliary-task pretraining is a
task of its own, committed to ``/pretrain/seed_<s>``; the PT+FT runs of that
seed are handed out once it is committed, with the pretrained parameters
(4 x D floats) inside the task. A resumed sweep reuses the stored pretraining.
If a seed's pretraining fails, its PT+FT runs are recorded as failed.

Local workers are ``spawn``-ed processes with one BLAS/numba/OpenMP thread each
(set in the environment they inherit); numba functions are compiled once in
the driver before the fan-out (``cache=True`` puts them on disk for the
workers). Tasks are handed out a few at a time in plan order (seed by seed),
so a worker's cached test set and auxiliary data are reused.
"""
import concurrent.futures as cf
import contextlib
import itertools
import multiprocessing
import os
import sys
import time

import numpy as np

from . import runs
from solvers.errors import InputError

from .store import Store, check_target, pretrain_key, run_id

THREAD_VARS = ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def plan(config):
    """All runs of an experiment, in execution order.

    Order: seed, grid point, method, variant, n. STL at n = 16 of every seed
    and grid point (the gen. loss baseline) is added when the grid lacks it.

    Returns
    -------
    list of (run_id, params)
        ``params``: ``method, n, seed``, the grid values and the method's
        variant values.
    """
    grid = config["grid"]
    out, seen = [], set()

    def add(params):
        rid = run_id(params)
        if rid not in seen:
            seen.add(rid)
            out.append((rid, params))

    for seed in config["seeds"]:
        for combo in itertools.product(*grid.values()):
            point = dict(zip(grid, combo))
            add({"method": "stl", "n": 16, "seed": seed, **point})
            for method in config["methods"]:
                table = config["variants"].get(method, {})
                variants = [dict(zip(table, vals)) for vals in zip(*table.values())] or [{}]
                for variant in variants:
                    for n in config["n"]:
                        add({"method": method, "n": n, "seed": seed, **point, **variant})
    return out


def needs_pretraining(params):
    return params["method"] in runs.NEEDS_PRETRAINING


# ------------------------------------------------------------------ backends
class _Serial:
    """Runs each task at submission, in this process (``workers=0``; tests, debugging)."""

    slots = 1

    def submit(self, task):
        fut = cf.Future()
        fut.set_result(runs.execute(task))
        return fut

    def wait_any(self, futures):
        return set(futures)

    def close(self):
        pass


class _Local:
    """``concurrent.futures.ProcessPoolExecutor`` with spawned single-threaded workers."""

    def __init__(self, workers):
        self.slots = workers
        self.pool = cf.ProcessPoolExecutor(max_workers=workers,
                                           mp_context=multiprocessing.get_context("spawn"),
                                           initializer=_worker_init)

    def submit(self, task):
        return self.pool.submit(runs.execute, task)

    def wait_any(self, futures):
        return cf.wait(futures, return_when=cf.FIRST_COMPLETED).done

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)


class _Dask:
    """A dask.distributed scheduler at ``address``, running the same task function."""

    def __init__(self, address):
        from dask.distributed import Client
        try:
            self.client = Client(address, set_as_default=False)  # dask config: comm.timeouts.connect
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"scheduler: cannot connect to {address!r}: {exc}") from None
        self.slots = max(1, sum(self.client.nthreads().values()))

    def submit(self, task):
        return self.client.submit(runs.execute, task, pure=False)

    def wait_any(self, futures):
        from dask.distributed import wait
        with self.client.as_current():
            return set(wait(list(futures), return_when="FIRST_COMPLETED").done)

    def close(self):
        self.client.close()


def _worker_init():
    for var in THREAD_VARS:
        os.environ[var] = "1"


@contextlib.contextmanager
def single_threaded_env():
    """Set one thread per worker in the environment that spawned workers inherit."""
    old = {var: os.environ.get(var) for var in THREAD_VARS}
    os.environ.update({var: "1" for var in THREAD_VARS})
    try:
        yield
    finally:
        for var, value in old.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


def warm_up(config, methods):
    """Compile (and cache on disk) the trainers' numba kernels on a tiny problem."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 4))
    y = X @ np.array([1.0, 0.0, 0.0, -1.0])
    data = {"X": X, "y": y, "X_aux": X, "y_aux": y, "pretrained": np.full((4, 4), 0.5)}
    for method in methods:
        settings = {k: v for k, v in config["train"][method].items()
                    if k in ("method", "lr", "rescale", "readout_init", "init")}
        settings["max_steps"] = 10
        try:
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                runs.METHODS[method](data, settings)
        except Exception:
            pass  # warming is best effort; real errors surface in the runs


# ------------------------------------------------------------------ driver
def run_sweep(config, out, workers=None, scheduler=None, device="cpu", progress=True):
    """Run (or resume) an experiment sweep into an HDF5 file.

    Parameters
    ----------
    config : dict
        From :func:`analysis.experiments.load_experiment`.
    out : str or os.PathLike
        HDF5 file; created, or resumed when it holds the same experiment and
        config (done runs are skipped, failed runs retried).
    workers : int, optional
        Local worker processes (default: CPU count); 0 runs in this process.
    scheduler : str, optional
        Address of a dask.distributed scheduler; replaces the local workers.
    device : {"cpu", "cuda"}
        Passed to each task. The diagonal-network methods run on the CPU
        solvers whatever it says.
    progress : bool
        Show a tqdm bar (done / failed / ETA) on stderr.

    Returns
    -------
    dict
        ``{"done": int, "failed": int, "skipped": int, "wall_s": float}`` for this call.

    Raises
    ------
    InputError
        Bad ``out`` (see :func:`analysis.store.check_target`) or unreachable
        ``scheduler``, checked before any work.
    """
    from tqdm import tqdm

    start = time.perf_counter()
    check_target(out, config)  # before any work
    remote = _Dask(scheduler) if scheduler else None
    store = Store.open(out, config)
    statuses = store.statuses()
    todo = [(rid, p) for rid, p in plan(config) if statuses.get(rid) != "done"]
    skipped = len(plan(config)) - len(todo)
    pre_seeds = sorted({p["seed"] for _, p in todo if needs_pretraining(p)})
    pretrained = {s: store.pretrained(s) for s in pre_seeds}
    pre_todo = [s for s in pre_seeds if pretrained[s] is None]
    counts = {"done": 0, "failed": 0, "skipped": skipped}
    if not todo:
        if remote is not None:
            remote.close()
        store.finalize()
        return {**counts, "wall_s": time.perf_counter() - start}

    warm_up(config, sorted({p["method"] for _, p in todo} | ({"stl"} if pre_todo else set())))
    if remote is not None:
        backend = remote
    elif workers == 0:
        backend = _Serial()
    else:
        backend = None
    bar = tqdm(total=len(todo) + len(pre_todo), desc=config["name"], unit="run",
               file=sys.stderr, disable=not progress, dynamic_ncols=True)
    pending = [("pretrain", pretrain_key(s), {"seed": s}) for s in pre_todo]
    pending += [("run", rid, p) for rid, p in todo]
    failed_pretrain = {}

    def ready(item):
        kind, _, params = item
        return kind == "pretrain" or not needs_pretraining(params) or \
            params["seed"] in failed_pretrain or pretrained.get(params["seed"]) is not None

    with contextlib.ExitStack() as stack:
        if backend is None:
            stack.enter_context(single_threaded_env())
            backend = _Local(workers or os.cpu_count() or 1)
        stack.callback(backend.close)
        stack.callback(bar.close)
        window = 2 * backend.slots
        in_flight = {}
        while pending or in_flight:
            while len(in_flight) < window:
                item = next((it for it in pending if ready(it)), None)
                if item is None:
                    break
                pending.remove(item)
                kind, key, params = item
                if kind == "run" and needs_pretraining(params) and params["seed"] in failed_pretrain:
                    record = {"status": "failed", "wall_s": 0.0, "arrays": {},
                              "error": f"pretraining of seed {params['seed']} failed: "
                                       f"{failed_pretrain[params['seed']]}"}
                    _commit(store, kind, key, params, record, counts, bar)
                    continue
                task = {"kind": kind, "run_id": key, "params": params, "config": config,
                        "device": device,
                        "pretrained": pretrained.get(params["seed"]) if kind == "run" else None}
                in_flight[backend.submit(task)] = item
            if not in_flight:
                if pending:  # cannot happen: every waiting run's pretraining is queued
                    raise RuntimeError(f"sweep stalled with {len(pending)} runs waiting")
                continue
            for fut in backend.wait_any(in_flight):
                kind, key, params = in_flight.pop(fut)
                try:
                    record = fut.result()
                except Exception as exc:  # worker died, or the scheduler lost it
                    record = {"status": "failed", "error": f"{type(exc).__name__}: {exc}",
                              "wall_s": float("nan"), "arrays": {}}
                _commit(store, kind, key, params, record, counts, bar)
                if kind == "pretrain":
                    if record["status"] == "done":
                        pretrained[params["seed"]] = np.asarray(record["arrays"]["params"])
                    else:
                        failed_pretrain[params["seed"]] = record.get("error", "")
    store.finalize()
    return {**counts, "wall_s": time.perf_counter() - start}


def _commit(store, kind, key, params, record, counts, bar):
    store.commit(kind, key, params, record)
    if kind == "run":
        counts["done" if record["status"] == "done" else "failed"] += 1
    bar.update(1)
    bar.set_postfix(done=counts["done"], failed=counts["failed"], refresh=False)
