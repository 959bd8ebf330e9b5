"""WZR Algorithm 1: covariance alignment before a fixed shared module, and its transfer variant.

Each task i gets an alignment module ``R_i`` (D, D), initialised to the identity,
and reads ``Z_i = X_i R_i`` into the shared module. With B fixed,
``sum_i alpha_i ||g(X_i R_i B) A_i - y_i||^2`` is minimised jointly over every
``R_i`` and head ``A_i``, here by one full-batch L-BFGS run over all of them (WZR
train R_i and A_i with B fixed; their stepping is not reproduced). The gradient
with respect to ``R_i`` is
``X_i^T G B^T`` for some (n_i, r) matrix G (for ReLU too), so gradient training keeps
``R_i - I`` of the form ``U_i B^T``: alignment changes a task only along the span of
B (docs/wzr.md). Training therefore runs on ``U_i`` (D, r) with ``R_i = I + U_i B^T``
(D r numbers per task instead of D^2). For B with orthonormal columns the map
``U_i -> U_i B^T`` is an isometry, the gradient in U_i is the gradient in R_i times B,
and L-BFGS (:mod:`.lbfgs`, Euclidean inner products only) takes exactly
the steps it would take on R_i itself; for other B the reachable set is the same and
the metric differs by ``B^T B``. With B fixed the tasks do not interact.

**Gauge.** The loss depends on ``R_i`` only through ``R_i B``: ``R_i`` and
``R_i B B^T`` (orthonormal B) fit equally well, so ``CovSim(X_i R_i, X_j R_j)`` is set
by where training starts and stops, not by the data; ``CovSim(X_i R_i B, X_j R_j B)``
is not (docs/wzr.md). **Weight decay** (``weight_decay`` w > 0) adds
``w sum_i (||R_i||_F^2 + ||A_i||^2)`` to the objective divided by
``sum_i alpha_i ||y_i||^2`` (which L-BFGS minimises). The heads are decayed too: on
R_i alone there is no minimiser (``R_i -> c R_i``, ``A_i -> A_i / c`` lowers the
penalty for ever). The penalty's gradient leaves the form ``U_i B^T``, so with decay
the full ``R_i = I + V_i`` (D, D) are trained; a minimiser has ``R_i = (R_i B) B^T``
(orthonormal B).

Transfer variant (:func:`finetune_with_alignment`): the module B, trained on the
source tasks, is kept fixed and only the target's ``R`` and head are finetuned.
"""
import numpy as np
import scipy.linalg
import torch

from ..device import resolve_device
from featreuse.validation import check_scalar, check_task_list, check_task_weights
from .checks import check_activation, check_heads, check_module, check_settings
from .lbfgs import minimise
from .model import apply_activation, as_tensors, task_losses
from .trained_fits import AlignmentFit


def _initial_heads(Xs, ys, B, activation):
    """Least-squares heads on the features ``g(X_i B)``, (k, r)."""
    feats = [np.maximum(X @ B, 0) if activation == "relu" else X @ B for X in Xs]
    return np.stack([scipy.linalg.lstsq(F, y)[0] for F, y in zip(feats, ys)])


def _decayed_losses(Xt, yt, Bt, A, activation, Vs):
    """Per-task sums of squares with full alignment matrices ``R_i = I + V_i``, a Tensor (k,)."""
    return torch.stack([torch.sum((apply_activation(X @ (Bt + V @ Bt), activation) @ a - y) ** 2)
                        for X, y, a, V in zip(Xt, yt, A, Vs)])


def align_covariances(Xs, ys, B, heads=None, activation="linear", weights=None, max_iter=3000,
                      tol=1e-10, device="cpu", weight_decay=0.0):
    """Train alignment modules ``R_i`` (init I) and heads with the shared module B fixed.

    Parameters
    ----------
    Xs : list of k arrays, shapes (n_i, D)
    ys : list of k arrays, shapes (n_i,)
    B : array, shape (D, r)
        Shared module, kept fixed.
    heads : array (k, r), optional
        Initial heads (default: least squares on ``g(X_i B)``).
    activation : {"linear", "relu"}
    weights : array (k,), optional
        Task weights ``alpha_i > 0``.
    max_iter : int >= 1
        L-BFGS iterations.
    tol : float > 0
        Gradient tolerance on the objective divided by ``sum_i alpha_i ||y_i||^2``.
    device : str
        ``"cpu"`` or ``"cuda"``.
    weight_decay : float >= 0
        ``w`` of the penalty ``w sum_i (||R_i||_F^2 + ||A_i||^2)``, added to the normalised
        objective (module docstring);
        0 (default): none, and only ``R_i - I = U_i B^T`` is trained.

    Returns
    -------
    AlignmentFit
        ``objective`` and ``task_losses`` without the penalty.

    Raises
    ------
    InputError, InputTypeError
        Tasks with different D (named), B with the wrong number of rows, heads of the
        wrong shape, bad weights, activation, settings or device.
    """
    Xs, ys = check_task_list(Xs, ys)
    D, k = Xs[0].shape[1], len(Xs)
    B = check_module(B, D)
    activation = check_activation(activation)
    alpha = check_task_weights(weights, k)
    max_iter, tol, _, _ = check_settings(max_iter, tol)
    decay = check_scalar(weight_decay, "weight_decay", low=0.0, low_inclusive=True)
    heads = (_initial_heads(Xs, ys, B, activation) if heads is None
             else check_heads(heads, k, B.shape[1]))
    dev = resolve_device(device)
    Xt, yt, at = as_tensors(Xs, ys, alpha, dev)
    scale = float(np.dot(alpha, [y @ y for y in ys])) or 1.0
    Bt = torch.tensor(B, device=dev)
    A = torch.tensor(heads, device=dev, requires_grad=True)
    shape = (D, D) if decay > 0 else (D, B.shape[1])
    Us = [torch.zeros(shape, dtype=torch.float64, device=dev, requires_grad=True)
          for _ in range(k)]

    def per_task():
        if decay > 0:                                             # R_i = I + V_i
            return _decayed_losses(Xt, yt, Bt, A, activation, Us)
        return task_losses(Xt, yt, Bt, A, activation, Us)         # R_i = I + U_i B^T

    def objective():
        value = torch.dot(at, per_task()) / scale
        if decay > 0:
            eye = torch.eye(D, dtype=torch.float64, device=dev)
            value = value + decay * (sum(torch.sum((eye + V) ** 2) for V in Us)
                                     + torch.sum(A ** 2))
        return value

    with torch.no_grad():
        before = float(torch.dot(at, per_task()))
    steps, converged = minimise(Us + [A], objective, max_iter, tol)
    with torch.no_grad():
        losses = per_task().cpu().numpy()
    Us = np.stack([U.detach().cpu().numpy() for U in Us])
    R = np.eye(D) + (Us if decay > 0 else Us @ B.T)
    return AlignmentFit(R=R, heads=A.detach().cpu().numpy(), B=B.copy(), activation=activation,
                        objective_before=before, objective=float(np.dot(alpha, losses)),
                        task_losses=losses, weights=alpha.copy(), steps=steps,
                        converged=converged)


def finetune_with_alignment(X, y, B, head=None, activation="linear", max_iter=3000, tol=1e-10,
                            device="cpu", weight_decay=0.0):
    """Transfer variant of Algorithm 1: finetune the target's ``R`` (init I) and head, B fixed.

    Parameters
    ----------
    X : array, shape (n, D)
        Target inputs.
    y : array, shape (n,)
        Target labels.
    B : array, shape (D, r)
        Shared module trained on the source tasks.
    head : array (r,), optional
        Initial head (default: least squares on ``g(X B)``).
    activation, max_iter, tol, device, weight_decay
        As in :func:`align_covariances`.

    Returns
    -------
    AlignmentFit
        With one task.
    """
    heads = None if head is None else np.reshape(np.asarray(head, dtype=float), (1, -1))
    return align_covariances([X], [y], B, heads=heads, activation=activation, max_iter=max_iter,
                             tol=tol, device=device, weight_decay=weight_decay)
