"""CHS's alternating multi-task algorithm, batched over tasks, on CPU or CUDA.

Every round (:class:`featreuse.nets.chs.config.ChsTrainConfig`): draw fresh samples for
every task (:func:`featreuse.nets.chs.rounds.sample_round`), reset the heads to 0 and
take one step on each (:func:`featreuse.nets.chs.steps.head_step`), then one
weight-decayed step on the shared layer (:func:`featreuse.nets.chs.steps.shared_step`).
Data are drawn by numpy from the seed's streams and computed on in float64,
so a run is a deterministic function of its seed on any device.
:func:`featreuse.nets.chs.loop.train_chs_loop` is the same algorithm task by task.
"""
import time

import numpy as np
import torch

from .config import ChsTrainConfig
from .rounds import sample_round
from .result import ChsResult
from .steps import head_step, shared_step
from ..seeding import CHS_INIT, CHS_ROUNDS, stream
from .tasks import ChsTasks
from ..device import resolve_device
from featreuse.errors import InputTypeError
from featreuse.validation import check_scalar


def init_weights(seed, width, d, init_scale=1.0):
    """The first layer at initialisation: ndarray (width, d) of ``N(0, init_scale^2 / d)``.

    Drawn from the seed's init stream; with equal ``(width, d)`` it is the same
    for every task count, so the random-features baseline is the start of training.
    """
    width = check_scalar(width, "width", low=1, low_inclusive=True, integer=True)
    d = check_scalar(d, "d", low=1, low_inclusive=True, integer=True)
    init_scale = check_scalar(init_scale, "init_scale", low=0)
    return stream(seed, CHS_INIT).standard_normal((width, d)) * (init_scale / np.sqrt(d))


def check_run(tasks, config, device):
    """Checked ``(config, torch.device)`` of a run; typed errors name the bad argument."""
    if not isinstance(tasks, ChsTasks):
        raise InputTypeError(f"tasks must be a ChsTasks (nets.chs.tasks.make_chs_tasks), "
                             f"got {type(tasks).__name__}")
    if not isinstance(config, ChsTrainConfig):
        raise InputTypeError(f"config must be a ChsTrainConfig, got {type(config).__name__}")
    return config.checked(), resolve_device(device)


def round_tensors(rng, tasks, config, dev):
    """One round's samples as float64 tensors on ``dev``: X_head, Y_head, X_shared, Y_shared."""
    data = sample_round(rng, tasks, config.head_samples, config.shared_samples,
                        config.shared_inputs)
    return tuple(torch.as_tensor(a, dtype=torch.float64, device=dev)
                 for a in (data.X_head, data.Y_head, data.X_shared, data.Y_shared))


def train_chs(tasks, config=ChsTrainConfig(), seed=0, device="cpu"):
    """Train the shared layer on T tasks by the alternating algorithm, all tasks batched.

    Parameters
    ----------
    tasks : ChsTasks
        From :func:`featreuse.nets.chs.tasks.make_chs_tasks`.
    config : ChsTrainConfig
    seed : int >= 0
        Seeds the initial ``W`` and the samples of every round.
    device : str
        ``"cpu"``, ``"cuda"`` or ``"cuda:<index>"`` (:func:`featreuse.nets.device.resolve_device`).

    Returns
    -------
    ChsResult
    """
    config, dev = check_run(tasks, config, device)
    start = time.perf_counter()
    W0 = init_weights(seed, config.width, tasks.d, config.init_scale)
    rng = stream(seed, CHS_ROUNDS)
    W = torch.as_tensor(W0, dtype=torch.float64, device=dev)
    losses = np.empty(config.rounds)
    for k in range(config.rounds):
        X_head, Y_head, X_shared, Y_shared = round_tensors(rng, tasks, config, dev)
        A = head_step(W, X_head, Y_head, config.head_lr)
        W, losses[k] = shared_step(W, A, X_shared, Y_shared, config.lr, config.weight_decay)
    return ChsResult(W=W.cpu().numpy(), W0=W0, heads=A.cpu().numpy(), losses=losses,
                     wall_s=time.perf_counter() - start, device=str(dev))
