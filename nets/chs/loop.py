"""CHS's alternating algorithm task by task: the reference of :func:`.train.train_chs`.

Same seed streams, samples and steps, but every head and every task's share of
the shared-layer gradient is computed on its own, in a Python loop, with one
autograd call per task. Used to check the batched trainer.
"""
import time

import numpy as np
import torch
import torch.nn.functional as F

from .config import ChsTrainConfig
from .result import ChsResult
from ..seeding import CHS_ROUNDS, stream
from .train import check_run, init_weights, round_tensors


def _task_loss(W, a, X, y):
    """Mean logistic loss of one task's network ``<a, ReLU(W x)>`` on X (n, d), y (n,)."""
    return F.softplus(-y * (torch.relu(X @ W.T) @ a)).mean()


def train_chs_loop(tasks, config=ChsTrainConfig(), seed=0, device="cpu"):
    """The alternating algorithm, one task at a time; arguments and result as ``train_chs``."""
    config, dev = check_run(tasks, config, device)
    start = time.perf_counter()
    W0 = init_weights(seed, config.width, tasks.d, config.init_scale)
    rng = stream(seed, CHS_ROUNDS)
    W = torch.as_tensor(W0, dtype=torch.float64, device=dev)
    T = tasks.tasks
    losses = np.empty(config.rounds)
    for k in range(config.rounds):
        X_head, Y_head, X_shared, Y_shared = round_tensors(rng, tasks, config, dev)
        heads = []
        for t in range(T):
            a = torch.zeros(W.shape[0], dtype=W.dtype, device=dev, requires_grad=True)
            x = X_head[t if X_head.shape[0] == T else 0]
            (grad,) = torch.autograd.grad(_task_loss(W, a, x, Y_head[t]), a)
            heads.append(-config.head_lr * grad)
        Wv = W.clone().requires_grad_(True)
        total, loss = torch.zeros_like(W), 0.0
        for t in range(T):
            x = X_shared[t if X_shared.shape[0] == T else 0]
            task_loss = _task_loss(Wv, heads[t], x, Y_shared[t])
            (grad,) = torch.autograd.grad(task_loss, Wv)
            total += grad / T
            loss += float(task_loss.detach()) / T
        losses[k] = loss
        W = (1.0 - config.lr * config.weight_decay) * W - config.lr * total
    return ChsResult(W=W.cpu().numpy(), W0=W0, heads=torch.stack(heads).cpu().numpy(),
                     losses=losses, wall_s=time.perf_counter() - start, device=str(dev))
