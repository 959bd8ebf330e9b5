"""What one run of an experiment does, per method (executed in worker processes).

A *task* is a plain dict (picklable, sent to local or dask workers):

``{"kind": "run" | "pretrain", "run_id": str, "params": dict, "config": dict,
"pretrained": ndarray (4, D) or None}``

and :func:`execute` returns a *record*: ``status`` ("done" | "failed"), ``error``,
scalars (``test_mse, train_loss, trainer_loss, wall_s, steps, converged,
certificate``) and ``arrays`` (``beta``; pretraining also ``params``). It never raises: an
exception inside a run becomes a failed record carrying ``"Type: message"``.

Methods (LL section 3):

``stl``      single-task network on the main task (init alpha);
``stl_lp``   the same with the first layer frozen (readout only);
``mtl``      multi-task network on [auxiliary, main] (LL weighting 1/N);
``ptft``     finetune the auxiliary-pretrained network on the main task, first
             layer rescaled by s, readouts reset to c, all weights trained;
``ptft_lp``  the same, readouts only (linear probing).

Data are regenerated in the worker from the seed (:mod:`analysis.tasks`); the
test set and auxiliary data of the last seeds are cached per process.
"""
import functools
import importlib
import os
import time
import traceback
import warnings

import numpy as np

from . import tasks
from .experiments import teacher_of


# ---------------------------------------------------------------- data, cached per process
@functools.lru_cache(maxsize=8)
def _teacher(seed, D, k_aux, k, overlap):
    return tasks.make_teacher(seed, D=D, k_aux=k_aux, k=k, overlap=overlap)


@functools.lru_cache(maxsize=2)
def _aux(seed, D, k_aux, n_aux):
    # the auxiliary task does not depend on k or overlap
    return tasks.aux_data(seed, _teacher(seed, D, k_aux, k_aux, k_aux), n_aux)


@functools.lru_cache(maxsize=1)
def _test(seed, D, n_test):
    return tasks.test_inputs(seed, D, n_test)


def teacher_for(config, params):
    """The :class:`analysis.tasks.Teacher` of one run (its seed and grid point)."""
    t = teacher_of(config["teacher"], {k: params[k] for k in config["grid"]})
    return _teacher(params["seed"], t["D"], t["k_aux"], t["k"], t["overlap"])


# ---------------------------------------------------------------- methods
def _trainer_kw(settings, drop=()):
    return {k: v for k, v in settings.items() if k not in drop}


def run_stl(data, settings):
    """Single-task network on the main task."""
    from solvers import train_single
    return train_single(data["X"], data["y"], **_trainer_kw(settings))


def run_stl_lp(data, settings):
    """Single-task network, readout only (first layer frozen at init)."""
    from solvers import train_single
    return train_single(data["X"], data["y"], train="readout", **_trainer_kw(settings))


def run_mtl(data, settings):
    """Multi-task network on [auxiliary, main]; returns the result (beta column 1 = main)."""
    from solvers import train_multi
    return train_multi([data["X_aux"], data["X"]], [data["y_aux"], data["y"]],
                       **_trainer_kw(settings))


def run_ptft(data, settings):
    """Finetune the pretrained network (all weights)."""
    from solvers import finetune
    return finetune(data["pretrained"], data["X"], data["y"], train="all", **_trainer_kw(settings))


def run_ptft_lp(data, settings):
    """Finetune the pretrained network, readouts only (linear probing)."""
    from solvers import finetune
    return finetune(data["pretrained"], data["X"], data["y"], train="readout",
                    **_trainer_kw(settings))


METHODS = {"stl": run_stl, "stl_lp": run_stl_lp, "mtl": run_mtl, "ptft": run_ptft,
           "ptft_lp": run_ptft_lp}
NEEDS_PRETRAINING = ("ptft", "ptft_lp")
NEEDS_AUX = ("mtl",)


def main_beta(method, result):
    """The main task's predictor (D,) of a result (column 1 of an MTL result)."""
    beta = np.asarray(result.beta)
    return beta[:, -1] if beta.ndim == 2 else beta


def settings_of(config, params):
    """Trainer settings of one run: the method's settings, then its variant values."""
    method = params["method"]
    settings = dict(config["train"][method])
    for key in config["variants"].get(method, {}):
        settings[key] = params[key]
    return settings


# ---------------------------------------------------------------- certification hook
def record_certificate(method, X, y, result, settings=None, X_aux=None, y_aux=None,
                       pretrained=None, backend="cvxpy"):
    """Distance of a trained solution to its matching convex program, or NaN.

    Calls :func:`analysis.certify.distance_to_program` when that module exists
    (kind = the method's name; ``"mtl_wd"`` for MTL with weight decay), with
    the run's trainer ``settings``, the auxiliary task (MTL) and the
    pretrained params (PT+FT).

    Parameters
    ----------
    method : str
        Sweep method name (``stl, stl_lp, mtl, ptft, ptft_lp``).
    X, y : ndarray (n, D), (n,)
        The main task's training data.
    result : SingleResult or MultiResult
    settings : dict, optional
    X_aux, y_aux : ndarray, optional
    pretrained : ndarray (4, D), optional
    backend : {"cvxpy", "fast"}
        Solver of the convex programs (see :mod:`solvers.convex`).

    Returns
    -------
    (distance, error) : (float, str)
        ``(nan, "")`` when no certifier is available; ``(nan, message)`` when it raised.
    """
    try:
        certify = importlib.import_module("analysis.certify")
    except ImportError:
        return float("nan"), ""
    fn = getattr(certify, "distance_to_program", None)
    if fn is None:
        return float("nan"), ""
    kind = method
    kw = {"settings": settings, "backend": backend}
    if method == "mtl":
        kw.update(X_aux=X_aux, y_aux=y_aux)
        if (settings or {}).get("weight_decay", 0.0) > 0:
            kind = "mtl_wd"
    if method in NEEDS_PRETRAINING:
        kw["pretrained"] = pretrained
    try:
        return float(fn(kind, result, X, y, **kw)), ""
    except Exception as exc:  # a certifier failure must not fail the run
        return float("nan"), f"{type(exc).__name__}: {exc}"


# ---------------------------------------------------------------- one task
def _failed(error, start):
    return {"status": "failed", "error": error, "wall_s": time.perf_counter() - start,
            "arrays": {}, "pid": os.getpid()}


def pretrain(config, seed):
    """Train the single-task network on the auxiliary task of ``seed`` (shared by PT+FT runs)."""
    from solvers import train_single
    t = config["teacher"]
    Xa, ya = _aux(seed, t["D"], t["k_aux"], t["n_aux"])
    return train_single(Xa, ya, **config["pretrain"])


def execute(task):
    """Execute one task dict (see the module docstring) and return its record; never raises."""
    start = time.perf_counter()
    caught = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if task["kind"] == "pretrain":
                record = _execute_pretrain(task)
            else:
                record = _execute_run(task)
    except Exception as exc:
        record = _failed(f"{type(exc).__name__}: {exc}", start)
        record["traceback"] = traceback.format_exc()
    record["warnings"] = "; ".join(sorted({str(w.message) for w in caught}))
    record["pid"] = os.getpid()
    record["wall_s"] = time.perf_counter() - start
    return record


def _execute_pretrain(task):
    config, seed = task["config"], task["params"]["seed"]
    t = config["teacher"]
    res = pretrain(config, seed)
    teacher = _teacher(seed, t["D"], t["k_aux"], t["k_aux"], t["k_aux"])
    X_test = _test(seed, t["D"], t["n_test"])
    return {"status": "done", "error": "", "train_loss": float(res.loss),
            "trainer_loss": float(res.loss), "steps": int(res.steps),
            "converged": bool(res.converged), "trainer_wall_s": float(res.wall_s),
            "test_mse": tasks.test_mse(res.beta, teacher.beta_aux, X_test),
            "arrays": {"beta": res.beta, "params": res.params}}


def _execute_run(task):
    config, params = task["config"], task["params"]
    method, seed, n = params["method"], params["seed"], params["n"]
    t = config["teacher"]
    teacher = teacher_for(config, params)
    X, y = tasks.main_data(seed, teacher, n)
    data = {"X": X, "y": y}
    context = {"settings": settings_of(config, params)}
    if method in NEEDS_AUX:
        data["X_aux"], data["y_aux"] = _aux(seed, t["D"], t["k_aux"], t["n_aux"])
        context.update(X_aux=data["X_aux"], y_aux=data["y_aux"])
    if method in NEEDS_PRETRAINING:
        if task.get("pretrained") is None:
            raise RuntimeError(f"run {task['run_id']}: pretraining of seed {seed} is missing (failed?)")
        data["pretrained"] = np.asarray(task["pretrained"])
        context["pretrained"] = data["pretrained"]
    result = METHODS[method](data, context["settings"])
    beta = main_beta(method, result)
    X_test = _test(seed, t["D"], t["n_test"])
    record = {
        "status": "done", "error": "",
        "test_mse": tasks.test_mse(beta, teacher.beta_main, X_test),
        "train_loss": float(np.mean((X @ beta - y) ** 2)),
        "trainer_loss": float(result.loss), "steps": int(result.steps),
        "converged": bool(result.converged), "trainer_wall_s": float(result.wall_s),
        "certificate": float("nan"), "certificate_error": "",
        "arrays": {"beta": np.asarray(result.beta)},  # params are not kept: ~4x the size
    }
    if config.get("certify", False):
        record["certificate"], record["certificate_error"] = record_certificate(
            method, X, y, result, backend=config["certify"], **context)
    return record
