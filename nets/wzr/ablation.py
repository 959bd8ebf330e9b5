"""Training of the ablation model (:mod:`.ablation_model`): MTL, WZR Algorithm 1, finetuning.

Every stage is full-batch Adam (torch's defaults but the learning rate ``lr``) for a
fixed number of ``steps`` on the sum of squared errors of the trained tasks divided
by their total sample count, in float64, from a deterministic start (numpy stream
:data:`.ablation_model.INIT_STREAM` of ``seed``): one seed gives bit-identical
results on one machine and thread count.

* :func:`train_mtl`: every task at once (k = 1: the task alone), embeddings fixed,
  ``R_i = I``; the shared module and every head trained.
* :func:`align_tasks`: Algorithm 1: every ``R_i`` (init I) and head trained with the
  shared module fixed. The tasks do not interact (each term of the loss has its own
  ``R_i`` and head), but their losses share Adam's step count and the normalisation.
* :func:`finetune_target`: one task on its own data: its head only (``"head"``), or
  the shared module and its head (``"all"``), ``R = I``.
"""
import numpy as np
import torch

from ..device import resolve_device
from ..seeding import stream
from featreuse.errors import InputError
from featreuse.validation import as_float_array, check_choice, check_scalar, check_task_list
from .ablation_model import (INIT_STREAM, features, init_net, module_tensors, outputs,
                             squared_error, tensor)

#: what :func:`finetune_target` trains
FINETUNE = ("head", "all")


def _check_embeddings(embeddings, k, D):
    E = as_float_array(embeddings, "embeddings", ndim=3)
    if E.shape[0] != k or E.shape[1] != D:
        raise InputError(f"embeddings must have shape ({k}, {D}, d) (one (D, d) map per task), "
                         f"got {E.shape}")
    return E


def _check_stage(steps, lr):
    return (check_scalar(steps, "steps", low=1, low_inclusive=True, integer=True),
            check_scalar(lr, "lr", low=0.0))


def _check_data(net, Xs, ys, tasks=None):
    """Task lists of the net's input dimension; ``tasks`` (default all) says which tasks."""
    Xs, ys = check_task_list(Xs, ys)
    tasks = list(range(net.k)) if tasks is None else tasks
    if len(Xs) != len(tasks):
        raise InputError(f"Xs has {len(Xs)} tasks but the net has {len(tasks)} to train")
    D = net.embeddings.shape[1]
    if Xs[0].shape[1] != D:
        raise InputError(f"Xs[0] has {Xs[0].shape[1]} columns but the embeddings read D = {D}")
    return Xs, ys


def _check_task(net, task):
    task = check_scalar(task, "task", low=0, low_inclusive=True, integer=True)
    if task >= net.k:
        raise InputError(f"task must be < k = {net.k}, got {task}")
    return task


def adam(params, loss, steps, lr):
    """``steps`` full-batch Adam steps (learning rate ``lr``) on ``loss()``; its final value."""
    opt = torch.optim.Adam(params, lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        value = loss()
        value.backward()
        opt.step()
    with torch.no_grad():
        return float(loss())


def _embedded(net, Xs, ys, tasks, dev):
    """``Z_i = X_i E_i`` and ``y_i`` as tensors, for ``tasks``."""
    Zs = [tensor(X @ net.embeddings[i], dev) for X, i in zip(Xs, tasks)]
    return Zs, [tensor(y, dev) for y in ys]


def train_mtl(Xs, ys, embeddings, width, steps=300, lr=1e-2, seed=0, device="cpu"):
    """Train the shared module and every head on all tasks at once (``R_i = I``).

    Parameters
    ----------
    Xs : list of k arrays (n_i, D)
    ys : list of k arrays (n_i,)
        Labels in {-1, +1} (any real labels work).
    embeddings : array (k, D, d)
        Fixed input maps ``E_i``.
    width : int >= 1
        h.
    steps : int >= 1
    lr : float > 0
    seed : int >= 0
        Seed of the initialisation.
    device : str

    Returns
    -------
    AblationNet

    Raises
    ------
    InputError, InputTypeError
        Naming the argument (or the task) that is wrong.
    """
    Xs, ys = check_task_list(Xs, ys)
    E = _check_embeddings(embeddings, len(Xs), Xs[0].shape[1])
    width = check_scalar(width, "width", low=1, low_inclusive=True, integer=True)
    steps, lr = _check_stage(steps, lr)
    dev = resolve_device(device)
    net = init_net(stream(seed, INIT_STREAM), E, width)
    tasks = list(range(net.k))
    Zs, yt = _embedded(net, Xs, ys, tasks, dev)
    module = module_tensors(net, dev, grad=True)
    heads = tensor(net.heads, dev, grad=True)
    offsets = tensor(net.offsets, dev, grad=True)
    eye = torch.eye(E.shape[2], dtype=torch.float64, device=dev)
    total = float(sum(len(y) for y in ys))

    def loss():
        return sum(squared_error(Z, y, eye, module, heads[i], offsets[i])
                   for i, (Z, y) in enumerate(zip(Zs, yt))) / total

    adam(module + [heads, offsets], loss, steps, lr)
    arrays = {name: p.detach().cpu().numpy() for name, p in zip(("W1", "b1", "W2", "b2"), module)}
    return net.updated(heads=heads.detach().cpu().numpy(),
                       offsets=offsets.detach().cpu().numpy(), **arrays)


def align_tasks(net, Xs, ys, steps=300, lr=1e-2, device="cpu"):
    """WZR Algorithm 1: train every ``R_i`` (from the net's, I after MTL) and head, module fixed.

    Parameters
    ----------
    net : AblationNet
    Xs, ys : lists of the net's k tasks' inputs (n_i, D) and labels (n_i,)
    steps, lr, device
        As in :func:`train_mtl`.

    Returns
    -------
    AblationNet
        The net with the trained ``R`` (k, d, d), heads and offsets; the module unchanged.
    """
    Xs, ys = _check_data(net, Xs, ys)
    steps, lr = _check_stage(steps, lr)
    dev = resolve_device(device)
    tasks = list(range(net.k))
    Zs, yt = _embedded(net, Xs, ys, tasks, dev)
    module = module_tensors(net, dev)
    Rs = [tensor(R, dev, grad=True) for R in net.R]
    heads = tensor(net.heads, dev, grad=True)
    offsets = tensor(net.offsets, dev, grad=True)
    total = float(sum(len(y) for y in ys))

    def loss():
        return sum(squared_error(Z, y, R, module, heads[i], offsets[i])
                   for i, (Z, y, R) in enumerate(zip(Zs, yt, Rs))) / total

    adam(Rs + [heads, offsets], loss, steps, lr)
    return net.updated(R=np.stack([R.detach().cpu().numpy() for R in Rs]),
                       heads=heads.detach().cpu().numpy(),
                       offsets=offsets.detach().cpu().numpy())


def finetune_target(net, task, X, y, what="head", steps=300, lr=1e-2, device="cpu"):
    """Finetune task ``task`` alone on ``(X, y)``: its head, or the shared module and its head.

    Parameters
    ----------
    net : AblationNet
    task : int
        Which task (its embedding, ``R`` and head are used).
    X : array (n, D)
    y : array (n,)
    what : {"head", "all"}
    steps, lr, device
        As in :func:`train_mtl`.

    Returns
    -------
    AblationNet
        The net with the task's head (and, for ``"all"``, the module) trained.
    """
    task = _check_task(net, task)
    what = check_choice(what, FINETUNE, "what")
    (X,), (y,) = _check_data(net, [X], [y], [task])
    steps, lr = _check_stage(steps, lr)
    dev = resolve_device(device)
    (Z,), (yt,) = _embedded(net, [X], [y], [task], dev)
    module = module_tensors(net, dev, grad=what == "all")
    R = tensor(net.R[task], dev)
    head = tensor(net.heads[task], dev, grad=True)
    offset = tensor(net.offsets[task], dev, grad=True)

    def loss():
        return squared_error(Z, yt, R, module, head, offset) / len(y)

    adam([head, offset] + (module if what == "all" else []), loss, steps, lr)
    heads, offsets = net.heads.copy(), net.offsets.copy()
    heads[task], offsets[task] = head.detach().cpu().numpy(), offset.detach().cpu().numpy()
    arrays = ({name: p.detach().cpu().numpy() for name, p in zip(("W1", "b1", "W2", "b2"), module)}
              if what == "all" else {})
    return net.updated(heads=heads, offsets=offsets, **arrays)


def _run(net, X, task, device, what):
    task = _check_task(net, task)
    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != net.embeddings.shape[1]:
        raise InputError(f"X has {X.shape[1]} columns but the embeddings read "
                         f"D = {net.embeddings.shape[1]}")
    dev = resolve_device(device)
    Z = tensor(X @ net.embeddings[task], dev)
    R = tensor(net.R[task], dev)
    with torch.no_grad():
        if what == "inputs":
            out = Z @ R
        elif what == "features":
            out = features(Z @ R, module_tensors(net, dev))
        else:
            out = outputs(Z, R, module_tensors(net, dev), tensor(net.heads[task], dev),
                          tensor(net.offsets[task], dev))
    return out.cpu().numpy()


def predict(net, X, task, device="cpu"):
    """Task ``task``'s predictions (n,) on inputs ``X`` (n, D)."""
    return _run(net, X, task, device, "outputs")


def module_inputs(net, X, task, device="cpu"):
    """What the shared module reads from task ``task``: ``X E_i R_i``, (n, d)."""
    return _run(net, X, task, device, "inputs")


def module_features(net, X, task, device="cpu"):
    """What task ``task``'s head reads: the shared module's output on ``X E_i R_i``, (n, h)."""
    return _run(net, X, task, device, "features")
