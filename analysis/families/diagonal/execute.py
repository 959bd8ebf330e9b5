"""What one run of a diagonal experiment does, per regime (executed in worker processes).

Regimes (LL section 3):

``stl``      single-task network on the main task (init alpha);
``stl_lp``   the same with the first layer frozen (readout only);
``mtl``      multi-task network on [auxiliary, main] (LL's per-sample weighting 1/N);
``ptft``     finetune the auxiliary-pretrained network on the main task, first
             layer rescaled by s, readouts reset to c, all weights trained;
``ptft_lp``  the same, readouts only (linear probing);
``pretrain`` the single-task network on the auxiliary task of a seed (needed by PT+FT).

The trainer of every regime is its ``method`` setting (``"flow"`` or ``"gd"``).
Data are regenerated in the worker from the seed (:mod:`.tasks`); the test set
and auxiliary data of the last seeds are cached per process.
"""
import functools

import numpy as np

from . import tasks
from .config import teacher_of
from featreuse.solvers.certify import distance_to_program
from .plan import FINETUNES, JOINT


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
    return tasks.held_out_inputs(seed, D, n_test)


def teacher_for(config, params):
    """The :class:`.tasks.Teacher` of one run (its seed and grid point)."""
    t = teacher_of(config.teacher, {k: params[k] for k in config.grid})
    return _teacher(params["seed"], t["D"], t["k_aux"], t["k"], t["overlap"])


# ---------------------------------------------------------------- regimes
def run_stl(data, settings):
    """Single-task network on the main task."""
    from featreuse.solvers import train_single
    return train_single(data["X"], data["y"], **settings)


def run_stl_lp(data, settings):
    """Single-task network, readout only (first layer frozen at init)."""
    from featreuse.solvers import train_single
    return train_single(data["X"], data["y"], train="readout", **settings)


def run_mtl(data, settings):
    """Multi-task network on [auxiliary, main]; beta column 1 is the main task."""
    from featreuse.solvers import train_multi
    return train_multi([data["X_aux"], data["X"]], [data["y_aux"], data["y"]], **settings)


def run_ptft(data, settings):
    """Finetune the pretrained network (all weights)."""
    from featreuse.solvers import finetune
    return finetune(data["pretrained"], data["X"], data["y"], train="all", **settings)


def run_ptft_lp(data, settings):
    """Finetune the pretrained network, readouts only (linear probing)."""
    from featreuse.solvers import finetune
    return finetune(data["pretrained"], data["X"], data["y"], train="readout", **settings)


REGIMES = {"stl": run_stl, "stl_lp": run_stl_lp, "mtl": run_mtl, "ptft": run_ptft,
           "ptft_lp": run_ptft_lp}


def main_beta(result):
    """The main task's predictor (D,) of a result (the last column of a multi-task result)."""
    beta = np.asarray(result.beta)
    return beta[:, -1] if beta.ndim == 2 else beta


def settings_of(config, params):
    """Trainer settings of one run: its regime's settings, then its variant values."""
    regime = params["regime"]
    settings = dict(config.train[regime])
    for key in config.variants.get(regime, {}):
        settings[key] = params[key]
    return settings


# ---------------------------------------------------------------- certification
def certificate_of(regime, X, y, result, settings, backend, X_aux=None, y_aux=None,
                   pretrained=None):
    """Distance of a trained run to its convex program, and the error that stopped it.

    The kind is the regime's name (``"mtl_wd"`` for multi-task runs with weight
    decay). A failure of the convex program does not fail the run: it gives
    ``(nan, "Type: message")``.

    Returns
    -------
    (distance, error) : (float, str)
    """
    kind = regime
    kw = {"settings": settings, "backend": backend}
    if regime in JOINT:
        kw.update(X_aux=X_aux, y_aux=y_aux)
        if settings.get("weight_decay", 0.0) > 0:
            kind = "mtl_wd"
    if regime in FINETUNES:
        kw["pretrained"] = pretrained
    try:
        return float(distance_to_program(kind, result, X, y, **kw)), ""
    except Exception as exc:  # a certifier failure must not fail the run
        return float("nan"), f"{type(exc).__name__}: {exc}"


# ---------------------------------------------------------------- one run
def _scalars(result, train_loss, test_mse):
    return {"test_mse": test_mse, "train_loss": train_loss, "trainer_loss": float(result.loss),
            "steps": int(result.steps), "converged": bool(result.converged),
            "trainer_wall_s": float(result.wall_s)}


def execute_pretrain(config, params):
    """Train the single-task network on the auxiliary task of the run's seed."""
    from featreuse.solvers import train_single
    seed, t = params["seed"], config.teacher
    Xa, ya = _aux(seed, t["D"], t["k_aux"], t["n_aux"])
    res = train_single(Xa, ya, **config.pretrain)
    teacher = _teacher(seed, t["D"], t["k_aux"], t["k_aux"], t["k_aux"])
    test = tasks.test_mse(res.beta, teacher.beta_aux, _test(seed, t["D"], t["n_test"]))
    return {"scalars": _scalars(res, float(res.loss), test),
            "arrays": {"beta": res.beta, "params": res.params}}


def execute(config, params, inputs, device="cpu"):
    """Execute one run of a diagonal experiment and return its record.

    The solvers are numpy/numba on the CPU whatever ``device`` says.
    """
    if params["regime"] == "pretrain":
        return execute_pretrain(config, params)
    regime, seed, n = params["regime"], params["seed"], params["n"]
    t = config.teacher
    teacher = teacher_for(config, params)
    X, y = tasks.main_data(seed, teacher, n)
    data = {"X": X, "y": y}
    settings = settings_of(config, params)
    if regime in JOINT:
        data["X_aux"], data["y_aux"] = _aux(seed, t["D"], t["k_aux"], t["n_aux"])
    if regime in FINETUNES:
        (outputs,) = inputs.values()
        data["pretrained"] = np.asarray(outputs.arrays["params"])
    result = REGIMES[regime](data, settings)
    beta = main_beta(result)
    scalars = _scalars(result, float(np.mean((X @ beta - y) ** 2)),
                       tasks.test_mse(beta, teacher.beta_main, _test(seed, t["D"], t["n_test"])))
    scalars["certificate"], scalars["certificate_error"] = float("nan"), ""
    if config.certify:
        scalars["certificate"], scalars["certificate_error"] = certificate_of(
            regime, X, y, result, settings, config.certify, X_aux=data.get("X_aux"),
            y_aux=data.get("y_aux"), pretrained=data.get("pretrained"))
    # params are not kept: ~4x the size of beta
    return {"scalars": scalars, "arrays": {"beta": np.asarray(result.beta)}}


# ---------------------------------------------------------------- warm-up
def warm_up(config, runs):
    """Compile (and cache on disk) the numba kernels the runs' trainers use, on a tiny problem."""
    import warnings
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 4))
    y = X @ np.array([1.0, 0.0, 0.0, -1.0])
    data = {"X": X, "y": y, "X_aux": X, "y_aux": y, "pretrained": np.full((4, 4), 0.5)}
    regimes = {r.params["regime"] for r in runs}
    jobs = [(REGIMES[r], config.train[r]) for r in sorted(regimes - {"pretrain"})]
    if "pretrain" in regimes:
        jobs.append((run_stl, config.pretrain))
    for fn, settings in jobs:
        if settings.get("method", "flow") != "gd":
            continue  # only GD has numba kernels
        kw = {k: v for k, v in settings.items() if k in ("method", "lr", "rescale", "readout_init")}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(data, {**kw, "max_steps": 10})
