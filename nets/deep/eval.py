"""Test accuracy and loss of a deep network on one task (eval mode: BatchNorm running stats)."""
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .task import check_task
from .train import autocast, task_tensors
from ..device import resolve_device
from featreuse.validation import check_scalar


@dataclass
class DeepEval:
    """Accuracy (argmax over the task's outputs) and mean cross-entropy over ``n`` images."""

    accuracy: float
    loss: float
    n: int


@torch.no_grad()
def evaluate(model, task, device="cpu", batch_size=1000, amp=False):
    """Accuracy and mean cross-entropy of ``model`` on ``task``, in eval mode.

    Parameters
    ----------
    model : torch.nn.Module
        A network of :mod:`featreuse.nets.deep.models` (moved to ``device``; its train/eval mode is
        restored afterwards).
    task : DeepTask
    device : str
    batch_size : int >= 1
        Images per forward pass (memory only: eval mode makes the result independent of it).
    amp : bool
        bfloat16 autocast.

    Returns
    -------
    DeepEval
    """
    check_task(task, model.readout.out_features, "task")
    batch_size = check_scalar(batch_size, "batch_size", low=1, low_inclusive=True, integer=True)
    dev = resolve_device(device)
    was_training = model.training
    model.to(dev).eval()
    X, y, outputs = task_tensors(task, dev)
    correct, loss = 0, 0.0
    for i in range(0, len(y), batch_size):
        with autocast(dev, amp):
            logits = model(X[i:i + batch_size]).index_select(1, outputs).float()
        yb = y[i:i + batch_size]
        correct += int((logits.argmax(1) == yb).sum())
        loss += float(F.cross_entropy(logits, yb, reduction="sum"))
    model.train(was_training)
    return DeepEval(accuracy=correct / len(y), loss=loss / len(y), n=len(y))
