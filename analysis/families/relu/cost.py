"""What a ReLU sweep will cost before it runs: network-epochs, core-seconds, wall time.

A run's cost is its number of epochs (GD steps for the pretraining) times the
cost of one network-epoch at its size:

* **Epochs** come from the epoch table (``epoch_table.json``, made by
  ``benchmarks/relu_epochs.py`` from runs under LL's full protocol, see the
  table in docs/relu.md): for each regime and n, the median number of epochs
  to reach a loss below 1e-6, 1e-7 and 1e-8 (the cap where most runs did not).
  A run's value is interpolated in log n and log tol between the measured
  points (clamped at their ends) and capped at its ``max_epochs``.
  ``ptft_readout`` takes its own row when measured, else PT+FT's.
* **Seconds per network-epoch** are measured on this machine (:func:`calibrate`):
  short stacks of each kind (all weights, readout only, MTL, pretraining) at
  the experiment's sizes, one thread, as in a sweep's workers.

A stack's cost is the sum of its runs' (a converged run leaves the stack), so
:mod:`featreuse.analysis.estimate` adds runs into batches and schedules the batches
on the workers. The ridge baselines cost nothing here (closed forms).
torch is imported by :func:`calibrate` only.
"""
import functools
import json
import os
import time

import numpy as np

from .config import RIDGE, flow_regimes
from .plan import settings_of

TABLE_FILE = os.path.join(os.path.dirname(__file__), "epoch_table.json")
#: network-epochs of one calibration stack (runs x epochs)
CALIBRATION_RUNS, CALIBRATION_EPOCHS = 4, 5


@functools.lru_cache(maxsize=1)
def epoch_table():
    """The measured epoch table: ``{"protocol": {...}, "rows": {regime: {n: row}}}``.

    A row holds ``epochs`` (tolerance text -> median epochs, None: capped), ``capped``
    (share of runs that stopped at the cap at 1e-8), ``restarts`` (mean), ``runs``.
    """
    with open(TABLE_FILE) as f:
        table = json.load(f)
    table["rows"] = {regime: {int(n): row for n, row in rows.items()}
                     for regime, rows in table["rows"].items()}
    return table


def source():
    """Where the table's epochs come from (one line)."""
    return epoch_table()["source"]


def refusal(config):
    """Why the sweep cannot be estimated (``""``: it can): the table holds SGD's epochs."""
    flows = flow_regimes(config)
    if flows:
        return (f"--estimate: the epoch table holds LL's SGD protocol, not the flow trainer "
                f"(method = 'flow' in {', '.join(flows)}); the flow's costs are measured "
                f"in docs/relu.md")
    return ""


def _kind(regime):
    """Calibration kind of a regime: what one of its network-epochs computes."""
    return {"stl": "all", "ptft": "all", "ptft_readout": "readout"}.get(regime, regime)


def _log_interp(x, xs, ys):
    return float(np.exp(np.interp(np.log(x), np.log(xs), np.log(ys))))


def predicted_epochs(config, params):
    """Epochs (GD steps for the pretraining) that a run is expected to train.

    Parameters
    ----------
    config : ReluExperimentConfig
    params : dict
        The run's planned parameters.

    Returns
    -------
    float
        0 for the ridge baselines; else the table's value at the run's n and
        tolerance (capped entries count as the table's cap), at most its
        ``max_epochs`` (``max_steps`` for the pretraining).
    """
    regime = params["regime"]
    if regime in RIDGE:
        return 0.0
    settings = settings_of(config, params)
    table = epoch_table()
    rows = table["rows"]
    key = regime if regime in rows else {"ptft_readout": "ptft"}.get(regime, regime)
    by_n = rows[key]
    cap = settings["max_steps"] if regime == "pretrain" else settings["max_epochs"]
    n = config.teacher["n_aux"] if regime == "pretrain" else params["n"]
    table_cap = table["protocol"]["max_epochs"]
    ns = sorted(by_n)
    at_n = []
    for m in ns:   # each n: interpolate in log tol, a capped entry counts as the cap
        pairs = sorted((float(t), table_cap if e is None else e)
                       for t, e in by_n[m]["epochs"].items())
        at_n.append(_log_interp(settings["tol"], *zip(*pairs)))
    return float(min(cap, _log_interp(n, ns, at_n)))


def epoch_samples(config, params):
    """Samples that one network-epoch of a run reads (both tasks for MTL)."""
    if params["regime"] == "pretrain":
        return config.teacher["n_aux"]
    return params["n"] + (config.teacher["n_aux"] if params["regime"] == "mtl" else 0)


def work(config, params):
    """Relative cost of a run for scheduling: predicted epochs x samples per epoch x K.

    Costs no measurement; :func:`calibrate` gives the machine's seconds per network-epoch.
    """
    return predicted_epochs(config, params) * epoch_samples(config, params) * \
        config.network["K"]


def calibrate(config, keys, device="cpu"):
    """Seconds of one network-epoch on this machine for each ``(kind, samples)`` of ``keys``.

    Each is the process time of a stack of :data:`CALIBRATION_RUNS` runs trained for
    :data:`CALIBRATION_EPOCHS` epochs (after one warm-up epoch) at ``config``'s sizes,
    batch size and dtype on one torch thread, divided by its network-epochs.

    Parameters
    ----------
    config : ReluExperimentConfig
    keys : iterable of (kind, samples)
        ``kind`` in ``"all"``, ``"readout"``, ``"mtl"``, ``"pretrain"``; ``samples`` the
        main task's n (the auxiliary set's size for the pretraining).
    device : str

    Returns
    -------
    dict (kind, samples) -> float seconds
    """
    import torch

    from featreuse import nets
    from .execute import torch_dtype
    net, train = config.network, config.train
    clock = time.process_time if device == "cpu" else time.perf_counter   # CUDA: wall time
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    out = {}
    try:
        for kind, samples in sorted(set(keys)):
            some = train.get("stl") or next(iter(train.values()))
            cfg = nets.ReluConfig(K=net["K"], D=net["D"], tol=1e-300,
                                  batch_size=some.get("batch_size", 128))
            runs = _calibration_runs(config, cfg, kind, samples)
            nets.train_stacked(runs[:1], cfg, device=device, dtype=torch_dtype(config))
            runs = [_with_epochs(r, CALIBRATION_EPOCHS) for r in runs]
            start = clock()
            nets.train_stacked(runs, cfg, device=device, dtype=torch_dtype(config))
            stop = clock()
            out[(kind, samples)] = (stop - start) / (len(runs) * CALIBRATION_EPOCHS)
    finally:
        torch.set_num_threads(before)
    return out


def _with_epochs(run, epochs):
    from dataclasses import replace
    return replace(run, max_epochs=epochs)


def _calibration_runs(config, cfg, kind, samples):
    from featreuse import nets
    D, n_aux = config.network["D"], config.teacher["n_aux"]
    teacher = nets.make_teacher(0, D=D)
    Xa, ya = nets.aux_data(0, teacher, n_aux)
    W0, a0 = nets.init_params(range(CALIBRATION_RUNS), cfg, n_tasks=2 if kind == "mtl" else 1)
    runs = []
    for m in range(CALIBRATION_RUNS):
        if kind == "pretrain":
            runs.append(nets.RunSpec((Xa,), (ya,), W0[m], a0[m], lr=0.1, full_batch=True,
                                     max_epochs=1))
            continue
        X, y = nets.main_data(m, teacher=teacher, n=samples)
        Xs, ys = ((Xa, X), (ya, y)) if kind == "mtl" else ((X,), (y,))
        runs.append(nets.RunSpec(Xs, ys, W0[m], a0[m], lr=0.1, shuffle_seed=m, max_epochs=1,
                                 train="readout" if kind == "readout" else "all"))
    return runs


def calibration_key(config, params):
    """The ``(kind, samples)`` whose network-epoch time a run takes (None: ridge)."""
    regime = params["regime"]
    if regime in RIDGE:
        return None
    n = config.teacher["n_aux"] if regime == "pretrain" else params["n"]
    return _kind(regime), n
