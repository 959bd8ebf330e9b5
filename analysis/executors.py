"""Where a sweep's tasks run: in the driver, in local worker processes, or on a dask cluster.

Every executor offers ``slots`` (how many tasks to keep in flight), ``submit(task)
-> future``, ``wait_any(futures) -> set of done futures`` and ``close()``; all run
:func:`featreuse.analysis.worker.execute`.

Local workers are ``spawn``-ed processes with one BLAS/numba/OpenMP thread each
(torch reads ``OMP_NUM_THREADS`` too). They die with the driver: a watchdog thread in each worker exits the
process as soon as its parent is gone (reparented), so a SIGKILL of
``featreuse run`` leaves no worker behind; multiprocessing's resource tracker
then sees its last users gone and exits too.
"""
import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import sys
import threading
import time

from featreuse.nets.numerics import MKL_CBWR
from featreuse.errors import InputError

from . import worker

THREAD_VARS = ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
#: environment of every worker besides its threads: MKL pinned to one code path
#: (:mod:`featreuse.nets.numerics`); a value the user set is kept
REPRODUCIBLE_ENV = {"MKL_CBWR": MKL_CBWR}
#: seconds between a worker's checks that its driver is alive
WATCH_INTERVAL = 0.2


class Serial:
    """Runs each task at submission, in this process (``workers=0``; tests, debugging).

    Like a worker, a task runs on one thread: BLAS and OpenMP pools are limited
    (threadpoolctl) and so is torch once imported; the settings are restored after.
    """

    slots = 1

    def submit(self, task):
        fut = cf.Future()
        with one_thread():
            fut.set_result(worker.execute(task))
        return fut

    def wait_any(self, futures):
        return set(futures)

    def close(self):
        pass


def _watch_parent(parent_pid):
    while True:
        time.sleep(WATCH_INTERVAL)
        if os.getppid() != parent_pid:
            os._exit(1)  # the driver is gone: nobody will read our results


def _worker_init(parent_pid):
    for var in THREAD_VARS:
        os.environ[var] = "1"
    for var, value in REPRODUCIBLE_ENV.items():
        os.environ.setdefault(var, value)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True,
                     name="featreuse-parent-watch").start()


class Local:
    """``concurrent.futures.ProcessPoolExecutor`` with spawned single-threaded workers."""

    def __init__(self, workers):
        self.slots = workers
        self.pool = cf.ProcessPoolExecutor(max_workers=workers,
                                           mp_context=multiprocessing.get_context("spawn"),
                                           initializer=_worker_init, initargs=(os.getpid(),))

    def submit(self, task):
        return self.pool.submit(worker.execute, task)

    def wait_any(self, futures):
        return cf.wait(futures, return_when=cf.FIRST_COMPLETED).done

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)


class Dask:
    """A dask.distributed scheduler at ``address``, running the same task function."""

    def __init__(self, address):
        from dask.distributed import Client
        try:
            self.client = Client(address, set_as_default=False)  # dask config: comm.timeouts.connect
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"--scheduler: cannot connect to {address!r}: {exc}") from None
        self.slots = max(1, sum(self.client.nthreads().values()))

    def submit(self, task):
        return self.client.submit(worker.execute, task, pure=False)

    def wait_any(self, futures):
        from dask.distributed import wait
        with self.client.as_current():
            return set(wait(list(futures), return_when="FIRST_COMPLETED").done)

    def close(self):
        self.client.close()


@contextlib.contextmanager
def one_thread():
    """Run the block with one BLAS/OpenMP thread, and one torch thread if torch is loaded."""
    from threadpoolctl import threadpool_limits
    torch = sys.modules.get("torch")
    before = torch.get_num_threads() if torch is not None else None
    with threadpool_limits(limits=1):
        if torch is not None:
            torch.set_num_threads(1)
        try:
            yield
        finally:
            if torch is not None:
                torch.set_num_threads(before)


@contextlib.contextmanager
def single_threaded_env():
    """Set one thread per worker (and :data:`REPRODUCIBLE_ENV`, unless set) in the
    environment that spawned workers inherit."""
    old = {var: os.environ.get(var) for var in THREAD_VARS + tuple(REPRODUCIBLE_ENV)}
    os.environ.update({var: "1" for var in THREAD_VARS})
    for var, value in REPRODUCIBLE_ENV.items():
        os.environ.setdefault(var, value)
    try:
        yield
    finally:
        for var, value in old.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value
