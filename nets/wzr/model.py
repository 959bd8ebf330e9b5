"""The shared-module model of WZR (section 2) as torch functions.

Task i predicts ``g(X_i B) A_i``: inputs ``X_i`` (n_i, D), shared module ``B`` (D, r),
``g`` the identity or ReLU applied entrywise, head ``A_i`` (r,). With an alignment
module ``R_i`` (D, D) (WZR Algorithm 1) the shared module reads ``Z_i = X_i R_i``;
here ``R_i = I + U_i B^T`` with ``U_i`` (D, r) (:mod:`.align` explains
why), so ``Z_i B = X_i B + (X_i U_i)(B^T B)`` is computed without forming R_i. The
training objective is ``sum_i alpha_i ||g(X_i B) A_i - y_i||^2`` (sums of squares).
"""
import torch


def as_tensors(Xs, ys, weights, device):
    """float64 tensors on ``device``: lists of inputs (n_i, D) and labels (n_i,), weights (k,)."""
    Xt = [torch.as_tensor(X, dtype=torch.float64, device=device) for X in Xs]
    yt = [torch.as_tensor(y, dtype=torch.float64, device=device) for y in ys]
    return Xt, yt, torch.as_tensor(weights, dtype=torch.float64, device=device)


def apply_activation(H, activation):
    """``g(H)``: ``H`` itself (``"linear"``) or ``relu(H)``."""
    return H if activation == "linear" else torch.relu(H)


def predict(X, B, head, activation, U=None):
    """Predictions ``g(X R B) A`` of one task, shape (n,).

    Parameters
    ----------
    X : Tensor (n, D)
    B : Tensor (D, r)
    head : Tensor (r,)
    activation : {"linear", "relu"}
    U : Tensor (D, r), optional
        Alignment ``R = I + U B^T``; None means ``R = I``.
    """
    H = X @ B
    if U is not None:
        H = H + (X @ U) @ (B.T @ B)
    return apply_activation(H, activation) @ head


def task_losses(Xs, ys, B, heads, activation, Us=None):
    """Unweighted sums of squared errors ``||g(X_i R_i B) A_i - y_i||^2``, a Tensor (k,)."""
    Us = Us if Us is not None else [None] * len(Xs)
    return torch.stack([torch.sum((predict(X, B, a, activation, U) - y) ** 2)
                        for X, y, a, U in zip(Xs, ys, heads, Us)])
